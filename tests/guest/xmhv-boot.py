#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""xmhv-boot.py: kvm tier: boots the test guest on the tree's own xmhv (stand-alone,
console on a pty) and checks its report against the configuration, the shell, and each
way a domain ends (guest poweroff, power button by SIGTERM, reboot, crash: xmhv exit
status 0/0/2/3). SKIPs without /dev/kvm or a built xmhv. Timeouts only bound a hang."""
import os, pty, random, re, select, signal, subprocess, sys, tempfile, time, zlib

sys.dont_write_bytecode = True  # the source tree may be read-only
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "kvm"))
from xmharness import skip_all  # noqa: E402

BUILD = os.environ.get("top_builddir") or "."
XMHV = os.path.join(BUILD, "hypervisor", "xmhv")
GUEST = os.path.join(BUILD, "tests", "guest")
LIMIT = 120.0
n = 0
failed = 0


def ok(cond, name):
    global n, failed
    n += 1
    failed += 0 if cond else 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, name), flush=True)
    return cond


class Domain:
    def __init__(self, kernel, mem, cpus, cmdline, ramdisk=None):
        argv = [XMHV, "--kernel", kernel, "--memory", str(mem), "--vcpus", str(cpus),
                "--cmdline", cmdline, "--console", "stdio"]
        if ramdisk:
            argv += ["--ramdisk", ramdisk]
        self.m, s = pty.openpty()
        self.p = subprocess.Popen(argv, stdin=s, stdout=s, stderr=s, close_fds=True)
        os.close(s)
        self.out = b""

    def text(self):
        return self.out.decode("utf-8", "replace").replace("\r", "")

    def wait_for(self, pattern, start=0, limit=LIMIT):
        rx = re.compile(pattern)
        end = time.time() + limit
        while time.time() < end:
            found = rx.search(self.text(), start)
            if found:
                return found
            r, _, _ = select.select([self.m], [], [], 0.2)
            if r:
                try:
                    data = os.read(self.m, 65536)
                except OSError:
                    data = b""
                if not data and self.p.poll() is not None:
                    break
                self.out += data
            elif self.p.poll() is not None:
                break
        return rx.search(self.text(), start)

    def command(self, line, pattern):
        start = len(self.text())
        os.write(self.m, line.encode() + b"\r")
        return self.wait_for(pattern, start)

    def exit_code(self):
        end = time.time() + LIMIT
        while time.time() < end and self.p.poll() is None:
            self.wait_for(r"(?!)", 0, 0.5)
        return self.p.poll()

    def close(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        os.close(self.m)


def report(d, what, via, cmdline, mem, cpus, initrd):
    ok(d.wait_for(r"xmguest# $") is not None, "%s: prompt reached" % what)
    t = d.text()
    ok(re.search(r"xmguest: booted via (%s)\n" % via, t) is not None,
       "%s: booted via %s" % (what, via))
    ok("\ncmdline: %s\n" % cmdline in t, "%s: cmdline reported exactly" % what)
    m = re.search(r"mem=(\d+) MiB", t)
    ok(m is not None and int(m.group(1)) == mem,
       "%s: guest sees mem=%s MiB, config %d" % (what, m and m.group(1), mem))
    ok("cpus: %d online" % cpus in t and
       len(re.findall(r"cpu \d+: hello \(apic \d+\)", t)) == cpus - 1,
       "%s: %d vCPUs online, each AP said hello" % (what, cpus))
    ok(re.search(r"acpi: RSDP at 0x[0-9a-f]+, FADT ok, MADT: %d CPUs, .*S5 SLP_TYP \d+" %
                 cpus, t) is not None, "%s: ACPI tables found and checked" % what)
    ok("timer: IRQ 0 arrives on GSI 0" not in t,
       "%s: the PIT's IRQ 0 arrives on IOAPIC pin 2 as the MADT says" % what)
    if initrd is None:
        ok("initrd: none" in t, "%s: no initrd" % what)
    else:
        want = "initrd: %d bytes crc32 %08x" % (len(initrd), zlib.crc32(initrd))
        ok(want in t, "%s: guest's %s" % (what, want))


def main():
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        skip_all("/dev/kvm not usable (needs KVM and permission)")
    if not os.access(XMHV, os.X_OK):
        skip_all("xmhv not built at %s" % XMHV)
    bz = os.path.join(GUEST, "guest.bzImage")
    elf = os.path.join(GUEST, "guest.elf")
    with tempfile.TemporaryDirectory() as tmp:
        data = bytes(random.Random(3).getrandbits(8) for _ in range(4000))
        rd = os.path.join(tmp, "initrd.img")
        with open(rd, "wb") as f:
            f.write(data)
        cmdline = "root=/dev/vda ro xmcheck=4711"
        d = Domain(bz, 256, 2, cmdline, rd)
        try:
            report(d, "bzImage 2x256", "bzImage64", cmdline, 256, 2, data)
            ok(d.command("echo hi from xm", r"\nhi from xm\n") is not None, "echo")
            t1 = d.command("ticks", r"ticks=(\d+)\n")
            t2 = d.command("ticks", r"ticks=(\d+)\n")
            ok(t1 and t2 and int(t2.group(1)) >= int(t1.group(1)), "ticks readable")
            os.write(d.m, b"poweroff\r")
            rc = d.exit_code()
            ok(rc == 0, "guest poweroff (ACPI S5) ends xmhv with status 0 (rc=%s)" % rc)
        finally:
            d.close()

        d = Domain(elf, 32, 1, "console=ttyS0")
        try:
            report(d, "ELF 1x32", "pvh|elf64", "console=ttyS0", 32, 1, None)
            d.p.send_signal(signal.SIGTERM)
            ok(d.wait_for(r"power button: shutting down") is not None,
               "SIGTERM -> power button SCI -> guest shuts down")
            rc = d.exit_code()
            ok(rc == 0, "power button ends xmhv with status 0 (rc=%s)" % rc)
        finally:
            d.close()

        d = Domain(os.path.join(GUEST, "guest-vmlinux.elf"), 64, 2, "plain elf")
        try:
            report(d, "plain ELF 2x64", "elf64", "plain elf", 64, 2, None)
            os.write(d.m, b"poweroff\r")
            ok(d.exit_code() == 0, "plain ELF: poweroff")
        finally:
            d.close()

        d = Domain(bz, 3500, 4, "big")
        try:
            report(d, "bzImage 4x3500", "bzImage64", "big", 3500, 4, None)
            os.write(d.m, b"reboot\r")
            rc = d.exit_code()
            ok(rc == 2, "guest reboot (i8042) ends xmhv with status 2 (rc=%s)" % rc)
        finally:
            d.close()

        d = Domain(bz, 32, 1, "crash")
        try:
            d.wait_for(r"xmguest# $")
            os.write(d.m, b"crash\r")
            rc = d.exit_code()
            ok(rc == 3, "guest crash (pvpanic) ends xmhv with status 3 (rc=%s)" % rc)
        finally:
            d.close()
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
