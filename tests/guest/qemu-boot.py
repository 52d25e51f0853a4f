#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""qemu-boot.py: boots the test guest (ELF/PVH and bzImage) under QEMU TCG and checks
its console report and shell (TAP). Needs no /dev/kvm and no root; SKIPs without QEMU.
Durations are printed as TAP comments, never asserted; timeouts only bound a hang."""
import json, os, random, re, select, socket, subprocess, sys, tempfile, time, zlib

QEMU = os.environ.get("QEMU_SYSTEM_X86_64") or ""
BUILD = os.environ.get("top_builddir") or "."
GUEST = os.path.join(BUILD, "tests", "guest")
CMDLINE = "root=/dev/vda ro xmcheck=4711"
LIMIT = 120.0  # seconds: a bound on a hang, not a measurement

n = 0
failed = 0


def ok(cond, name):
    global n, failed
    n += 1
    if not cond:
        failed += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, name), flush=True)
    return cond


def skip(name, why):
    global n
    n += 1
    print("ok %d - %s # SKIP %s" % (n, name, why), flush=True)


class Guest:
    """One QEMU process: serial on stdin/stdout pipes, QMP on a unix socket."""

    def __init__(self, tmp, kernel, mem, cpus, initrd=None, machine="pc"):
        self.qmp_path = os.path.join(tmp, "qmp.sock")
        argv = [QEMU, "-accel", "tcg", "-M", machine, "-m", str(mem), "-smp", str(cpus),
                "-display", "none", "-serial", "stdio", "-monitor", "none",
                "-qmp", "unix:%s,server=on,wait=off" % self.qmp_path,
                "-no-reboot", "-device", "pvpanic", "-action", "panic=exit-failure",
                "-kernel", kernel, "-append", CMDLINE]
        if initrd:
            argv += ["-initrd", initrd]
        self.t0 = time.time()
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
        self.out = b""
        self.marks = {}

    def text(self):
        return self.out.decode("utf-8", "replace").replace("\r\n", "\n")

    def wait_for(self, pattern, limit=LIMIT, start=0):
        end = time.time() + limit
        rx = re.compile(pattern)
        while time.time() < end:
            m = rx.search(self.text(), start)
            if m:
                return m
            r, _, _ = select.select([self.p.stdout], [], [], 0.2)
            if r:
                data = os.read(self.p.stdout.fileno(), 65536)
                if not data:
                    break
                self.out += data
                for key in ("xmguest: booted", "ready\r\n"):
                    if key.encode() in self.out and key not in self.marks:
                        self.marks[key] = time.time()
            elif self.p.poll() is not None:
                break
        return rx.search(self.text(), start)

    def send(self, line):
        self.p.stdin.write(line.encode() + b"\r")
        self.p.stdin.flush()

    def command(self, line, pattern):
        start = len(self.text())
        self.send(line)
        return self.wait_for(pattern, LIMIT, start)

    def qmp(self, cmd):
        s = socket.socket(socket.AF_UNIX)
        s.connect(self.qmp_path)
        f = s.makefile("rw")
        f.readline()
        for c in ("qmp_capabilities", cmd):
            f.write(json.dumps({"execute": c}) + "\n")
            f.flush()
            f.readline()
        s.close()

    def exit_code(self, limit=LIMIT):
        end = time.time() + limit
        while time.time() < end and self.p.poll() is None:
            self.wait_for(r"(?!)", 0.5)
        if self.p.poll() is not None:
            # what QEMU wrote just before it exited is still in the pipe
            self.wait_for(r"(?!)", 5)
        return self.p.poll()

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()


def check_report(g, via, mem, cpus, initrd_data, what):
    ok(g.wait_for(r"xmguest# $") is not None, "%s: prompt reached" % what)
    t = g.text()
    ok(re.search(r"xmguest: booted via %s\n" % via, t) is not None,
       "%s: booted via %s" % (what, via))
    ok("\ncmdline: %s\n" % CMDLINE in t, "%s: exact cmdline reported" % what)
    m = re.search(r"memory: (\d+) KiB usable in (\d+) e820 RAM ranges, mem=(\d+) MiB", t)
    ok(m is not None and int(m.group(3)) == mem, "%s: mem=%d MiB" % (what, mem))
    ok(re.search(r"acpi: RSDP at 0x[0-9a-f]+, FADT ok, MADT: %d CPUs, PM1a_EVT 0x[0-9a-f]+ "
                 r"PM1a_CNT 0x[0-9a-f]+ SCI \d+, S5 SLP_TYP \d+" % cpus, t) is not None,
       "%s: ACPI tables parsed" % what)
    hellos = re.findall(r"cpu (\d+): hello \(apic (\d+)\)", t)
    ok(len(hellos) == cpus - 1 and "cpus: %d online" % cpus in t,
       "%s: %d CPUs online, %d AP hellos" % (what, cpus, len(hellos)))
    if initrd_data is None:
        ok("initrd: none" in t, "%s: no initrd reported" % what)
    else:
        want = "initrd: %d bytes crc32 %08x" % (len(initrd_data), zlib.crc32(initrd_data))
        ok(want in t, "%s: %s" % (what, want))
    if "xmguest: booted" in g.marks and "ready\r\n" in g.marks:
        print("# %s: boot report to ready: %.3f s (TCG, informational)" %
              (what, g.marks["ready\r\n"] - g.marks["xmguest: booted"]))


def main():
    if not QEMU or not os.access(QEMU, os.X_OK):
        print("1..0 # SKIP qemu-system-x86_64 not found (QEMU_SYSTEM_X86_64 unset)")
        return 0
    elf = os.path.join(GUEST, "guest.elf")
    bz = os.path.join(GUEST, "guest.bzImage")
    if not (os.path.exists(elf) and os.path.exists(bz)):
        print("not ok 1 - test guest images not built in %s" % GUEST)
        print("1..1")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        rnd = random.Random(4711)
        initrd_data = bytes(rnd.getrandbits(8) for _ in range(3000))
        initrd = os.path.join(tmp, "initrd.img")
        with open(initrd, "wb") as f:
            f.write(initrd_data)

        g = Guest(tmp, elf, 256, 2, initrd)
        try:
            check_report(g, "pvh", 256, 2, initrd_data, "pvh")
            ok(g.command("echo hello xm", r"\nhello xm\n") is not None, "pvh: echo")
            ok(g.command("info", r"ticks=\d+ uptime=\d+\.\d\ds\n") is not None,
               "pvh: info prints ticks and uptime")
            ok(g.command("bogus", r"unknown command: bogus") is not None,
               "pvh: unknown command")
            g.send("poweroff")
            rc = g.exit_code()
            ok(rc == 0 and "shutting down (ACPI S5)" in g.text(),
               "pvh: poweroff ends QEMU through ACPI S5 (rc=%s)" % rc)
        finally:
            g.kill()

        g = Guest(tmp, bz, 64, 4)
        try:
            check_report(g, "bzImage16", 64, 4, None, "bzImage")
            m1 = g.command("ticks", r"ticks=(\d+)\n")
            m2 = g.command("spin 1", r"spin: done, (\d+) ticks\n")
            ok(m1 is not None and m2 is not None and int(m2.group(1)) >= 100,
               "bzImage: ticks and spin 1")
            g.qmp("system_powerdown")
            rc = g.exit_code()
            ok(rc == 0 and "power button: shutting down" in g.text(),
               "bzImage: power button (QMP system_powerdown) -> S5 (rc=%s)" % rc)
        finally:
            g.kill()

        g = Guest(tmp, elf, 32, 1)
        try:
            ok(g.wait_for(r"xmguest# $") is not None and "cpus: 1 online" in g.text(),
               "1 vcpu, 32 MiB: prompt, 1 CPU")
            g.send("reboot")
            rc = g.exit_code()
            ok(rc == 0 and "rebooting (i8042 reset)" in g.text(),
               "reboot: i8042 reset ends QEMU under -no-reboot (rc=%s)" % rc)
        finally:
            g.kill()

        g = Guest(tmp, elf, 32, 1, machine="pc,acpi=off")
        try:
            ok(g.wait_for(r"xmguest# $") is not None and
               re.search(r"mptable: \d+ CPUs\n", g.text()) is not None and
               "acpi: no RSDP found" in g.text(), "no ACPI: MP table used instead")
            m = g.command("spin 1", r"spin: done, (\d+) ticks\n")
            ok(m is not None and int(m.group(1)) >= 100,
               "no ACPI: timer routed through the MP table's IRQ 0 entry")
        finally:
            g.kill()

        g = Guest(tmp, elf, 32, 1)
        try:
            g.wait_for(r"xmguest# $")
            g.send("crash")
            rc = g.exit_code()
            ok(rc == 1 and "crashing (pvpanic)" in g.text(),
               "crash: pvpanic -> QEMU panic action exit-failure (rc=%s)" % rc)
        finally:
            g.kill()
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
