#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""hv_boot.py: kvm tier for xmhv stand-alone mode: boots the project's test
guest (tests/guest) with 1/2/4 vCPUs and 32/256/3500 MiB and checks the
guest's own report against the configuration (cmdline, memory, CPUs, initrd
CRC32 computed by the host with zlib); poweroff/reboot/crash reasons; the
power button (SIGTERM); PVH and ELF entries; bad kernels. First, without
KVM or root (XMHV_KVM_DEVICE points elsewhere): configuration errors are
reported before the device, and a missing or forbidden device with its
fix. Prints TAP."""
import os
import re
import select
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib

sys.dont_write_bytecode = True  # the source tree may be read-only
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xmharness import skip_all  # noqa: E402

B = os.environ.get("top_builddir", ".")
XMHV = os.path.join(B, "hypervisor", "xmhv")
GUEST = os.path.join(B, "tests", "guest", "guest.bzImage")
GUEST_ELF = os.path.join(B, "tests", "guest", "guest.elf")
STUB = os.path.join(B, "tests", "kvm")
TIMEOUT = 60
n = 0
failed = 0


def ok(cond, desc, diag=None):
    global n, failed
    n += 1
    print("%sok %d - %s" % ("" if cond else "not ", n, desc))
    if not cond:
        failed += 1
        for line in (diag or "").splitlines()[-15:]:
            print("#   " + line)
    sys.stdout.flush()
    return cond


class Guest:
    """xmhv stand-alone with the console on pipes."""

    def __init__(self, args):
        self.p = subprocess.Popen([XMHV] + args + ["--console", "stdio"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        self.out = b""

    def wait_for(self, pattern, limit=TIMEOUT):
        end = time.time() + limit
        while time.time() < end:
            if re.search(pattern, self.out):
                return True
            r, _, _ = select.select([self.p.stdout], [], [], 0.2)
            if r:
                data = os.read(self.p.stdout.fileno(), 65536)
                if not data:
                    break
                self.out += data
            elif self.p.poll() is not None:
                break
        return re.search(pattern, self.out) is not None

    def send(self, text):
        self.p.stdin.write(text.encode())
        self.p.stdin.flush()

    def finish(self, limit=TIMEOUT):
        try:
            out, err = self.p.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            self.p.kill()
            out, err = self.p.communicate()
        self.out += out
        self.err = err.decode("utf-8", "replace")
        return self.p.returncode

    def text(self):
        return self.out.decode("utf-8", "replace")


def boot_matrix(tmp):
    initrd = os.path.join(tmp, "initrd.img")
    data = os.urandom(48 * 1024)
    open(initrd, "wb").write(data)
    crc = "%08x" % zlib.crc32(data)
    for vcpus, mem in ((1, 32), (2, 256), (4, 3500)):
        cmdline = "console=ttyS0 xmtest=%d-%d" % (vcpus, mem)
        g = Guest(["--kernel", GUEST, "--ramdisk", initrd, "--cmdline", cmdline,
                   "--memory", str(mem), "--vcpus", str(vcpus)])
        up = g.wait_for(rb"xmguest# ")
        t = g.text()
        ok(up, "%d vCPU %d MiB: guest reaches its prompt" % (vcpus, mem), t)
        ok("cmdline: %s\r" % cmdline in t, "  cmdline reported", t)
        ok("mem=%d MiB" % mem in t, "  mem=%d MiB reported" % mem, t)
        ok("cpus: %d online" % vcpus in t, "  cpus: %d online" % vcpus, t)
        ok("initrd: %d bytes crc32 %s" % (len(data), crc) in t,
           "  initrd size and CRC32 match the host's", t)
        g.send("poweroff\r")
        rc = g.finish()
        ok(rc == 0 and "domain shut down: poweroff" in g.err,
           "  guest poweroff ends xmhv with reason poweroff (rc %s)" % rc, g.err)


def console_input():
    g = Guest(["--kernel", GUEST, "--memory", "32"])
    g.wait_for(rb"xmguest# ")
    word = "".join(chr(ord("a") + i % 26) for i in range(100))
    g.send("echo %s\r" % word)
    got = g.wait_for(("\r\n%s\r\n" % word).encode(), 30)
    ok(got, "100 bytes of console input through the 16-byte UART FIFO arrive intact",
       g.text()[-600:])
    g.send("poweroff\r")
    g.finish()


def reasons():
    for cmd, reason, status in (("reboot", "reboot", 2), ("crash", "crash", 3)):
        g = Guest(["--kernel", GUEST, "--memory", "32", "--vcpus", "1"])
        g.wait_for(rb"xmguest# ")
        g.send(cmd + "\r")
        rc = g.finish()
        ok(rc == status and ("domain shut down: %s" % reason) in g.err,
           "guest %s: reason %s, exit %d (got %s)" % (cmd, reason, status, rc),
           g.text() + g.err)
    g = Guest(["--kernel", GUEST, "--memory", "32", "--vcpus", "2"])
    g.wait_for(rb"xmguest# ")
    g.p.send_signal(signal.SIGTERM)
    rc = g.finish()
    ok(rc == 0 and "power button" in g.text() and "poweroff" in g.err,
       "power button (SIGTERM) -> guest shuts down, reason poweroff", g.text() + g.err)


def pinning():
    cpus = sorted(os.sched_getaffinity(0))
    want = str(cpus[-1])
    g = Guest(["--kernel", GUEST, "--memory", "32", "--vcpus", "2", "--cpus", want])
    g.wait_for(rb"xmguest# ")
    pinned = {}
    for tid in os.listdir("/proc/%d/task" % g.p.pid):
        try:
            comm = open("/proc/%d/task/%s/comm" % (g.p.pid, tid)).read().strip()
            st = open("/proc/%d/task/%s/status" % (g.p.pid, tid)).read()
        except OSError:
            continue
        if comm.startswith("vcpu"):
            pinned[comm] = re.search(r"Cpus_allowed_list:\s*(\S+)", st).group(1)
    status = open("/proc/%d/status" % g.p.pid).read()
    caps = [open("/proc/%d/task/%s/status" % (g.p.pid, t)).read()
            for t in os.listdir("/proc/%d/task" % g.p.pid)]
    fds = [os.readlink("/proc/%d/fd/%s" % (g.p.pid, fd))
           for fd in os.listdir("/proc/%d/fd" % g.p.pid)]
    g.send("poweroff\r")
    g.finish()
    sanitizers = "#define XM_SANITIZERS 1" in open(os.path.join(B, "config.h")).read()
    ok("NoNewPrivs:\t1" in status and
       (sanitizers or "Seccomp:\t2" in status),
       "sandbox: no_new_privs and a seccomp filter%s" %
       (" (seccomp left out in sanitizer builds)" if sanitizers else ""), status)
    ok(all("CapEff:\t0000000000000000" in c for c in caps[1:]) and
       "CapEff:\t0000000000000000" in caps[0],
       "sandbox: no capabilities left in any thread",
       "\n".join(re.findall(r"CapEff:.*", "".join(caps))))
    ok(not any(f == "/dev/kvm" or f.endswith("guest.bzImage") for f in fds),
       "sandbox: /dev/kvm and the kernel file are closed (%s)" % fds)
    ok(pinned == {"vcpu0": want, "vcpu1": want},
       "--cpus %s pins both vCPU threads (%s)" % (want, pinned))


def entries(tmp):
    g = Guest(["--kernel", GUEST_ELF, "--memory", "64", "--vcpus", "2",
               "--cmdline", "via pvh"])
    up = g.wait_for(rb"xmguest# ")
    ok(up and "booted via pvh" in g.text() and "cpus: 2 online" in g.text(),
       "ELF with a PVH note boots through the PVH entry", g.text())
    g.send("poweroff\r")
    g.finish()
    # The same ELF without its PT_NOTE: the 64-bit entry with boot_params.
    elf = bytearray(open(GUEST_ELF, "rb").read())
    phoff, = struct.unpack_from("<Q", elf, 32)
    phentsize, phnum = struct.unpack_from("<HH", elf, 54)
    for i in range(phnum):
        if struct.unpack_from("<I", elf, phoff + i * phentsize)[0] == 4:
            struct.pack_into("<I", elf, phoff + i * phentsize, 0)
    plain = os.path.join(tmp, "guest-nopvh.elf")
    open(plain, "wb").write(elf)
    g = Guest(["--kernel", plain, "--memory", "64", "--cmdline", "via elf64"])
    up = g.wait_for(rb"xmguest# ")
    ok(up and "booted via elf64" in g.text() and "cmdline: via elf64" in g.text(),
       "ELF without a PVH note boots through its 64-bit entry", g.text())
    g.send("poweroff\r")
    g.finish()
    g = Guest(["--kernel", GUEST_ELF, "--no-pvh", "--memory", "64"])
    up = g.wait_for(rb"xmguest# ")
    ok(up and "booted via elf64" in g.text(),
       "--no-pvh boots an ELF with a PVH note through its 64-bit entry", g.text())
    g.send("poweroff\r")
    g.finish()


def stub_cases(tmp):
    stub = os.path.join(STUB, "hv_stub.bzImage")
    g = Guest(["--kernel", stub, "--memory", "32", "--cmdline", "poweroff stub"])
    rc = g.finish()
    ok(rc == 0 and "cmdline=poweroff stub" in g.text(),
       "crafted bzImage (relocatable, pref_address 16 MiB) boots", g.text() + g.err)
    g = Guest(["--kernel", stub, "--memory", "32", "--cmdline", "triple"])
    rc = g.finish()
    ok(rc == 3 and "crash" in g.err and "rip=" in g.err,
       "triple fault / emulation failure -> crash, logged with registers",
       g.err)


def bad_kernels(tmp):
    cases = (
        ("hv_bad_magic.img", "not a kernel"),
        ("hv_bad_truncated.bzImage", "truncated"),
        ("hv_bad_old.bzImage", "too old"),
        ("hv_bad_no64.bzImage", "64-bit entry"),
        ("hv_bad_huge.bzImage", "too big for memory"),
        ("hv_bad_aarch64.elf", "another architecture"),
        ("hv_bad_truncated.elf", "truncated"),
    )
    for name, words in cases:
        path = os.path.join(STUB, name)
        p = subprocess.run([XMHV, "--kernel", path, "--memory", "32",
                            "--console", "stdio"], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=TIMEOUT)
        err = p.stderr.decode("utf-8", "replace")
        ok(p.returncode == 1 and path in err and words in err,
           "refused: %s (%s)" % (name, words), err)
    big = os.path.join(tmp, "big.img")
    with open(big, "wb") as f:
        f.truncate(40 * 1024 * 1024)
    p = subprocess.run([XMHV, "--kernel", GUEST, "--ramdisk", big, "--memory", "32",
                        "--console", "stdio"], stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=TIMEOUT)
    err = p.stderr.decode("utf-8", "replace")
    ok(p.returncode == 1 and big in err and "initrd too large" in err,
       "refused: initrd larger than memory", err)


def xmhv_error(args, device, **kw):
    """Run xmhv with XMHV_KVM_DEVICE=device; (exit status, stderr)."""
    env = dict(os.environ, XMHV_KVM_DEVICE=device)
    p = subprocess.run([XMHV] + args + ["--console", "stdio"], env=env,
                       stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=TIMEOUT, **kw)
    return p.returncode, p.stderr.decode("utf-8", "replace")


def drop_to_nobody():
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)


def config_before_device(tmp):
    """No KVM needed: the device is a path that does not exist."""
    nokvm = os.path.join(tmp, "no-kvm")
    rc, err = xmhv_error(["--kernel", "/nonexistent/vmlinuz"], nokvm)
    ok(rc == 1 and err == "xmhv: kernel /nonexistent/vmlinuz: No such file "
       "or directory\n", "no KVM: a missing kernel is reported as such", err)
    text = os.path.join(tmp, "notes.txt")
    with open(text, "w") as f:
        f.write("not a kernel\n" * 200)
    rc, err = xmhv_error(["--kernel", text], nokvm)
    ok(rc == 1 and err.startswith("xmhv: kernel %s: not a kernel (" % text)
       and "kvm" not in err, "no KVM: not a kernel is reported as such", err)
    rc, err = xmhv_error(["--kernel", GUEST, "--ramdisk",
                          "/nonexistent/initrd"], nokvm)
    ok(rc == 1 and err == "xmhv: ramdisk /nonexistent/initrd: No such file "
       "or directory\n", "no KVM: a missing ramdisk is reported as such", err)
    rc, err = xmhv_error(["--kernel", GUEST, "--memory", "8"], nokvm)
    ok(rc == 1 and "memory 8 MiB: out of range" in err and "kvm" not in err,
       "no KVM: a memory size out of range is reported as such", err)
    rc, err = xmhv_error(["--kernel", GUEST, "--memory", "32"], nokvm)
    ok(rc == 1 and err.startswith("xmhv: this host has no %s (no hardware "
                                  "virtualization, or the kvm module is not "
                                  "loaded): " % nokvm) and
       all(w in err for w in ("modprobe kvm_intel (or kvm_amd)", "VT-x/AMD-V",
                              "scripts/with-kvm")),
       "no KVM device: what is missing and the fix", err)
    # EACCES: a device nobody may open, as nobody when root (root may).
    os.chmod(tmp, 0o755)
    guest = os.path.join(tmp, "guest.bzImage")
    with open(GUEST, "rb") as src, open(guest, "wb") as dst:
        dst.write(src.read())
    os.chmod(guest, 0o644)
    dev = os.path.join(tmp, "kvm")
    open(dev, "w").close()
    os.chmod(dev, 0)
    rc, err = xmhv_error(["--kernel", guest, "--memory", "32"], dev,
                         preexec_fn=drop_to_nobody if os.geteuid() == 0
                         else None)
    ok(rc == 1 and err == "xmhv: %s: permission denied: join the kvm group "
       "(and log in again) or run as root\n" % dev,
       "a device without permission: the fix", err)


def main():
    for f in (XMHV, GUEST, GUEST_ELF):
        if not os.path.exists(f):
            skip_all("%s not built" % f)
    with tempfile.TemporaryDirectory() as tmp:
        config_before_device(tmp)
    why = None
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        why = "no usable /dev/kvm"
    elif os.geteuid() != 0:
        why = "needs root"
    if why:
        print("ok %d # SKIP the guest boots: %s" % (n + 1, why))
        print("1..%d" % (n + 1))
        sys.exit(1 if failed else 0)
    with tempfile.TemporaryDirectory() as tmp:
        boot_matrix(tmp)
        console_input()
        reasons()
        pinning()
        entries(tmp)
        stub_cases(tmp)
        bad_kernels(tmp)
    print("1..%d" % n)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
