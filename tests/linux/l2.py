# SPDX-License-Identifier: GPL-2.0-or-later
"""l2.py: runs Debian's own kernel as a guest ("L2") under a monitor, where
/dev/kvm works: inside scripts/with-kvm's L1 machine on a host without
hardware virtualization, directly on one with it. Builds the L2 initramfs
(busybox, l2-init as /init, a few modules), starts one monitor per run
(xmhv-drive through libxmhv, stand-alone xmhv, the whole stack with xmd and
`xm create`, or QEMU), presses the power button when the guest is ready,
samples the monitor's memory, and collects what the guest printed
("XMTEST key=value" lines). Shared by tests/linux/boot.py and
bench/linux-boot.py."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
from l1 import cpio, debkernel  # noqa: E402

# Modules L2 needs for its power button and pvpanic.
L2_MODULES = {
    "button": "kernel/drivers/acpi/button.ko",
    "evdev": "kernel/drivers/input/evdev.ko",
    "pvpanic": "kernel/drivers/misc/pvpanic/pvpanic.ko",
    "pvpanic-mmio": "kernel/drivers/misc/pvpanic/pvpanic-mmio.ko",
    # virtio-blk (the disk run), in the order l2-init loads them
    "virtio": "kernel/drivers/virtio/virtio.ko",
    "virtio_ring": "kernel/drivers/virtio/virtio_ring.ko",
    "virtio_pci_modern_dev": "kernel/drivers/virtio/virtio_pci_modern_dev.ko",
    "virtio_pci_legacy_dev": "kernel/drivers/virtio/virtio_pci_legacy_dev.ko",
    "virtio_pci": "kernel/drivers/virtio/virtio_pci.ko",
    "virtio_blk": "kernel/drivers/block/virtio_blk.ko",
    # ext4 (the rootfs run), in the order l2-init loads them
    "crc32c_generic": "kernel/crypto/crc32c_generic.ko",
    "crc16": "kernel/lib/crc16.ko",
    "mbcache": "kernel/fs/mbcache.ko",
    "jbd2": "kernel/fs/jbd2/jbd2.ko",
    "ext4": "kernel/fs/ext4/ext4.ko",
    # virtio-net (the hot-plug run), in the order l2-init loads them
    "failover": "kernel/net/core/failover.ko",
    "net_failover": "kernel/drivers/net/net_failover.ko",
    "virtio_net": "kernel/drivers/net/virtio_net.ko",
}
BUSYBOX_APPLETS = (
    "sh ash cat cut dd dmesg echo grep head insmod kill ls mkdir mkfifo mount "
    "nproc od poweroff reboot rm sed sleep tail tr awk wc sync uname "
    "umount ps true false test [ env timeout md5sum printf seq "
    "switch_root"
).split()
READY = b"XMTEST ready"
# The guests that only need a network (tests/linux/net.py, bench/net/):
# Debian's virtio-net modules in load order, and the start of their /init
# (filesystems, the modules (%(mods)s), eth0 waited for); each adds its own.
NET_MODULES = ["failover", "net_failover", "virtio_ring", "virtio",
               "virtio_pci_modern_dev", "virtio_pci_legacy_dev",
               "virtio_pci", "virtio_net"]
NET_INIT_HEAD = r"""#!/bin/sh
export PATH=/bin
mount -t devtmpfs dev /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t tmpfs tmp /tmp
for m in %(mods)s; do insmod /lib/modules/$m.ko; done
for i in 1 2 3 4 5 6 7 8 9 10; do
	[ -e /sys/class/net/eth0 ] && break
	sleep 1
done
"""


class Skip(Exception):
    """A missing capability of the host: the tier skips with this reason."""


def log(msg):
    print("# " + msg, flush=True)


def is_bzimage(path):
    """True when path is an x86 bzImage (boot protocol header "HdrS",
    loaded high, with a compressed payload)."""
    with open(path, "rb") as f:
        hdr = f.read(0x270)
    return (len(hdr) >= 0x270 and hdr[0x202:0x206] == b"HdrS"
            and hdr[0x211] & 1 == 1
            and int.from_bytes(hdr[0x248:0x24c], "little") > 0)


def add_modules(cp, kernel, names):
    """Debian's modules names (keys of L2_MODULES) into cp's lib/modules."""
    for name in names:
        cp.add_file("lib/modules/%s.ko" % name,
                    src=os.path.join(kernel.moddir, L2_MODULES[name]))


def add_binary(cp, binary, dest):
    """The host's program binary at dest in cp, with the shared objects it
    needs (ldd; the loader included) at their host paths."""
    cp.add_file(dest, src=binary, mode=0o755)
    out = subprocess.run(["ldd", binary], capture_output=True,
                         text=True).stdout
    found = re.findall(r"=> (/\S+)", out) + re.findall(
        r"^\s*(/\S+ld-linux\S*)", out, re.M)
    dirs = set()
    for lib in sorted(set(found)):
        parts = os.path.dirname(lib).lstrip("/").split("/")
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in dirs:
                dirs.add(d)
                cp.add_dir(d)
        cp.add_file(lib.lstrip("/"), src=os.path.realpath(lib), mode=0o755)


def write_gzip(cp, out, level=1):
    """cp written to out as a gzip'd newc archive."""
    raw = out + ".cpio"
    cp.write(raw)
    with open(out, "wb") as f:
        subprocess.run(["gzip", "-%d" % level, "-n", "-c", raw], stdout=f,
                       check=True)
    os.unlink(raw)


def build_initrd(kernel, out):
    """The L2 initramfs (gzip): busybox, l2-init as /init, L2 modules."""
    busybox = shutil.which("busybox") or "/bin/busybox"
    if not os.path.exists(busybox):
        raise Skip("busybox (busybox-static) is not installed")
    cp = cpio.Cpio()
    cp.add_file("bin/busybox", src=busybox, mode=0o755)
    for a in BUSYBOX_APPLETS:
        cp.add_symlink("bin/" + a, "busybox")
    cp.add_chardev("dev/console", 5, 1)
    cp.add_chardev("dev/null", 1, 3)
    for d in ("proc", "sys", "tmp", "run", "usr/bin", "sbin"):
        cp.add_dir(d)
    cp.add_file("init", src=os.path.join(HERE, "l2-init"), mode=0o755)
    add_modules(cp, kernel, L2_MODULES)
    write_gzip(cp, out, 9)


def prepare(workdir):
    """Debian's kernel (from scripts/l1's cache) and the L2 initramfs built
    into workdir. Raises Skip when they cannot be had or KVM is missing."""
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        raise Skip("no usable /dev/kvm (run through scripts/with-kvm --linux)")
    try:
        kernel = debkernel.get()
    except debkernel.Unavailable as e:
        raise Skip(str(e))
    os.makedirs(workdir, exist_ok=True)
    initrd = os.path.join(workdir, "l2-initrd.gz")
    build_initrd(kernel, initrd)
    return {"kernel": kernel, "vmlinuz": kernel.vmlinuz, "initrd": initrd}


class Tools:
    """The monitors' binaries: xmhv, xmhv-drive, xmd, xm, QEMU."""

    def __init__(self, top_builddir):
        self.xmhv = os.environ.get("XMHV") or os.path.join(
            top_builddir, "hypervisor", "xmhv")
        self.drive = os.path.join(top_builddir, "tests", "linux",
                                  "xmhv-drive")
        self.xmd = os.path.join(top_builddir, "xmd", "xmd")
        self.xm = os.path.join(top_builddir, "xmctl", "xm")
        self.qemu = os.environ.get("QEMU_SYSTEM_X86_64") or shutil.which(
            "qemu-system-x86_64")
        self.xmroot = None
        self.xmd_proc = None
        self._rundir = None

    @property
    def rundir(self):
        """Monitors' sockets, under /tmp: scripts/with-kvm's shared working
        directory (9p) cannot hold unix sockets."""
        if self._rundir is None:
            self._rundir = tempfile.mkdtemp(prefix="xmlinux-run-", dir="/tmp")
        return self._rundir

    def start_xmd(self):
        """xmd --root in a fresh directory under /tmp (unix sockets), once."""
        if self.xmd_proc:
            return
        self.xmroot = tempfile.mkdtemp(prefix="xmlinux-", dir="/tmp")
        os.makedirs(os.path.join(self.xmroot, "etc", "xen"))
        self.xmd_log = os.path.join(self.xmroot, "xmd.log")
        with open(self.xmd_log, "wb") as f:
            self.xmd_proc = subprocess.Popen(
                [self.xmd, "--root", self.xmroot, "-d", "-x", self.xmhv],
                stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        sock = os.path.join(self.xmroot, "run", "xmd", "xmlrpc.sock")
        for _ in range(300):
            if os.path.exists(sock):
                break
            time.sleep(0.1)

    def xm_env(self):
        return dict(os.environ, XMD_ROOT=self.xmroot)

    def stop(self):
        if self._rundir:
            shutil.rmtree(self._rundir, ignore_errors=True)
        if self.xmd_proc:
            self.xmd_proc.terminate()
            try:
                self.xmd_proc.wait(10)
            except subprocess.TimeoutExpired:
                self.xmd_proc.kill()
            shutil.rmtree(self.xmroot, ignore_errors=True)
            self.xmd_proc = None


def tier_start(outdir, built=(), prefix="work.", missing=None):
    """The start of a tier program: every program in built executable
    (else a failing plan and exit 1), then a work directory of its own
    under outdir and prepare()'s paths in it: (work, paths). When missing
    (a reason) is given or prepare raises Skip, the whole program is
    skipped with the reason and its directory removed."""
    for p in built:
        if not p or not os.access(p, os.X_OK):
            print("not ok 1 - %s is built" % p)
            print("1..1")
            sys.exit(1)
    os.makedirs(outdir, exist_ok=True)
    work = tempfile.mkdtemp(prefix=prefix, dir=outdir)
    try:
        if missing:
            raise Skip(missing)
        return work, prepare(work)
    except Skip as e:
        sys.path.insert(0, os.path.join(HERE, "..", "kvm"))
        from xmharness import skip_all
        shutil.rmtree(work, ignore_errors=True)
        skip_all(str(e))


def _qemu_monitor(sock, command):
    try:
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.settimeout(2)
        c.connect(sock)
        c.sendall(command.encode() + b"\n")
        time.sleep(0.3)
        c.close()
    except OSError as e:
        log("qemu monitor %s: %s" % (sock, e))


def _threads(pid):
    """What each thread of a stuck monitor is doing."""
    out = []
    for t in sorted(os.listdir("/proc/%d/task" % pid)):
        d = "/proc/%d/task/%s" % (pid, t)
        try:
            comm = open(d + "/comm").read().strip()
            state = open(d + "/stat").read().split(") ", 1)[1].split()[0]
            wchan = open(d + "/wchan").read().strip()
            sysc = open(d + "/syscall").read().strip()
            out.append("thread %s %s %s wchan=%s syscall=%s" %
                       (t, comm, state, wchan, sysc))
        except OSError:
            pass
    return out


def _sample(pid, rss):
    """Peak RSS, and once: the largest mapping (guest RAM) and its RSS."""
    try:
        with open("/proc/%d/status" % pid) as f:
            m = re.search(r"VmHWM:\s*(\d+) kB", f.read())
            if m:
                rss["hwm_kb"] = int(m.group(1))
    except OSError:
        pass


def _sample_smaps(pid, rss):
    best = (0, 0)
    size = 0
    try:
        with open("/proc/%d/smaps" % pid) as f:
            for line in f:
                if line.startswith("Size:"):
                    size = int(line.split()[1])
                elif line.startswith("Rss:") and size > best[0]:
                    best = (size, int(line.split()[1]))
    except OSError:
        return
    rss["guest_size_kb"], rss["guest_rss_kb"] = best


def _monitor_pid(path):
    try:
        with open(path, errors="replace") as f:
            m = re.search(r"monitor pid (\d+)", f.read())
            return int(m.group(1)) if m else None
    except OSError:
        return None


# QEMU's -cpu host gives its L2 no XSAVE, AVX, AVX2 or FMA inside
# scripts/with-kvm's L1 (that nested TCG machine's CPUID leaf 0xD disagrees
# with itself, and QEMU drops XSAVE), where xmhv's L2 has them, and TCG runs
# AVX and XSAVE slowly: for benchmarks against QEMU, these Xen-style cpuid=
# masks give xmhv's domain the same CPU model (leaf 1 ECX bits 28 AVX,
# 26 XSAVE, 12 FMA; leaf 7 EBX bit 5 AVX2).
QEMU_LIKE_CPUID = ('cpuid = ["1:ecx=xxx0x0xxxxxxxxxxxxx0xxxxxxxxxxxx", '
                   '"7,0:ebx=xxxxxxxxxxxxxxxxxxxxxxxxxx0xxxxx"]\n')


def run(n, monitor, vcpus, mem, action, cmdline, paths, tools, workdir,
        timeout=240, disk=None, disks=None, root=None, qemu_drives=None,
        xm_extra=""):
    """One L2 run (disk: an image the xm run gives the guest as xvda;
    disks: the xm run's disk= entries instead, root: its root=;
    qemu_drives: QEMU's -drive option strings, each a virtio-blk-pci
    with one queue per vCPU, on a q35 machine instead of microvm;
    xm_extra: lines added to the xm run's config);
    returns a dict: n, monitor, vcpus, mem, action, rc,
    wall_ms, ready_ms, timeout, con (guest console lines), mon (monitor
    lines), kv (first XMTEST key=value of each key), e820, rss."""
    con = os.path.join(workdir, "run%d.console" % n)
    mon = os.path.join(workdir, "run%d.monitor" % n)
    for p in (con, mon):
        if os.path.exists(p):
            os.unlink(p)
    r = {"n": n, "monitor": monitor, "vcpus": vcpus, "mem": mem,
         "action": action, "rc": None, "timeout": False, "rss": {},
         "kv": {}, "e820": [], "con": [], "mon": [], "wall_ms": None,
         "ready_ms": -1}
    qsock = None
    name = None
    t0 = time.monotonic()
    mout, merr = open(con, "wb"), open(mon, "wb")
    if monitor == "xmhv":
        extra = ["--press-on", READY.decode()] if action == "button" else []
        argv = [tools.drive, "--run-dir", tools.rundir,
                "--xmhv", tools.xmhv, "--kernel", paths["vmlinuz"],
                "--ramdisk", paths["initrd"], "--cmdline", cmdline,
                "--memory", str(mem), "--vcpus", str(vcpus)] + extra
    elif monitor == "xmhv-sa":
        argv = [tools.xmhv, "--kernel", paths["vmlinuz"], "--ramdisk",
                paths["initrd"], "--cmdline", cmdline, "--memory", str(mem),
                "--vcpus", str(vcpus), "--console", "stdio"]
    elif monitor == "qemu":
        qsock = os.path.join(tools.rundir, "run%d.monitor" % n)
        argv = [tools.qemu, "-L", "/usr/share/qemu", "-accel", "kvm",
                "-M", "microvm", "-cpu", "host", "-m", str(mem),
                "-smp", str(vcpus), "-nodefaults", "-no-user-config",
                "-display", "none", "-no-reboot", "-serial", "stdio",
                "-monitor", "unix:%s,server=on,wait=off" % qsock,
                "-action", "panic=exit-failure", "-kernel", paths["vmlinuz"],
                "-initrd", paths["initrd"], "-append", cmdline]
        if qemu_drives:
            argv[argv.index("microvm")] = "q35"
            for i, d in enumerate(qemu_drives):
                argv += ["-drive", "%s,if=none,id=d%d" % (d, i), "-device",
                         "virtio-blk-pci,drive=d%d,num-queues=%d" %
                         (i, vcpus)]
    elif monitor == "xm":
        tools.start_xmd()
        name = "l2-%d" % n
        cfg = os.path.join(tools.xmroot, "etc", "xen", name)
        with open(cfg, "w") as f:
            f.write('# the real-Linux tier, run %d\nname = "%s"\n'
                    'kernel = "%s"\nramdisk = "%s"\nmemory = %d\n'
                    'vcpus = %d\nextra = "%s"\non_poweroff = "destroy"\n'
                    'on_reboot = "destroy"\non_crash = "destroy"\n' %
                    (n, name, paths["vmlinuz"], paths["initrd"], mem, vcpus,
                     cmdline))
            if disk:
                f.write('disk = ["file:%s,xvda,w"]\n' % disk)
            if disks:
                f.write("disk = [%s]\n" % ", ".join("'%s'" % d
                                                     for d in disks))
            if root:
                f.write('root = "%s"\n' % root)
            f.write(xm_extra)
        c = subprocess.run([tools.xm, "create", name], env=tools.xm_env(),
                           capture_output=True, stdin=subprocess.DEVNULL)
        merr.write(c.stdout + c.stderr)
        merr.flush()
        con = os.path.join(tools.xmroot, "var", "log", "xmd", "console",
                           name + ".log")
        # The domain's lifetime: a watcher that ends when it is gone.
        argv = ["sh", "-c", "sleep 1; while '%s' list %s >/dev/null 2>&1; "
                "do sleep 0.5; done" % (tools.xm, name)]
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=mout,
                            stderr=merr, env=tools.xm_env() if name else None,
                            start_new_session=True)
    pressed = False
    smaps_done = False
    mpid = proc.pid if monitor in ("xmhv-sa", "qemu") else None
    while proc.poll() is None:
        now = time.monotonic()
        if mpid is None and monitor == "xmhv":
            mpid = _monitor_pid(mon)
        if mpid:
            _sample(mpid, r["rss"])
        try:
            with open(con, "rb") as f:
                text = f.read()
        except OSError:
            text = b""
        if r["ready_ms"] < 0 and READY in text:
            r["ready_ms"] = int((now - t0) * 1000)
            if mpid and not smaps_done:
                _sample_smaps(mpid, r["rss"])
                smaps_done = True
        if r["ready_ms"] >= 0 and not pressed and action == "button":
            pressed = True
            if monitor == "qemu":
                _qemu_monitor(qsock, "system_powerdown")
            elif monitor == "xm":
                c = subprocess.run([tools.xm, "shutdown", name],
                                   env=tools.xm_env(), capture_output=True)
                merr.write(c.stdout + c.stderr + b"xm shutdown %s: exit "
                           b"status %d\n" % (name.encode(), c.returncode))
                merr.flush()
        if now - t0 > timeout:
            r["timeout"] = True
            pid = mpid or proc.pid
            for line in _threads(pid):
                merr.write((line + "\n").encode())
            if name:
                subprocess.run([tools.xm, "destroy", name],
                               env=tools.xm_env(), capture_output=True)
            os.killpg(proc.pid, signal.SIGKILL)
            if mpid and mpid != proc.pid:
                try:
                    os.kill(mpid, signal.SIGKILL)
                except OSError:
                    pass
            break
        time.sleep(0.2)
    r["rc"] = proc.wait()
    r["wall_ms"] = int((time.monotonic() - t0) * 1000)
    time.sleep(0.3)
    if name:  # what xmd said about this domain
        with open(tools.xmd_log, errors="replace") as f:
            for line in f:
                if ("domain %s:" % name) in line or ("domain %s " % name) \
                        in line:
                    merr.write(line.encode())
    mout.close()
    merr.close()
    _collect(r, con, mon)
    return r


def _collect(r, con, mon):
    for path, key in ((con, "con"), (mon, "mon")):
        try:
            with open(path, "rb") as f:
                r[key] = f.read().decode("utf-8", "replace").replace(
                    "\r", "").splitlines()
        except OSError:
            pass
    for body in r["con"]:
        k = body.find("XMTEST ")
        if k < 0:
            continue
        key, _, val = body[k + 7:].partition("=")
        key = key.strip()
        if key == "e820":
            r["e820"].append(val.split(None, 2))
        elif key not in r["kv"]:
            r["kv"][key] = val


def e820_usable_kib(run):
    """Sum of the usable e820 ranges the L2 kernel printed, in KiB."""
    total = 0
    for e in run["e820"]:
        if len(e) == 3 and e[2].strip() == "usable":
            total += int(e[1], 16) + 1 - int(e[0], 16)
    return total // 1024


REASON_RE = re.compile(
    r"(?:\breason[=: ]+|shut down: )\"?(poweroff|reboot|crash|halt)\b")


def reason(run):
    """The shutdown reason the monitor reported: xmhv names it on stderr;
    for QEMU it is read from the guest's last words."""
    for line in reversed(run["mon"]):
        m = REASON_RE.search(line)
        if m:
            return m.group(1)
    if run.get("monitor") == "qemu":
        con = "\n".join(run["con"][-40:])
        if run.get("rc") not in (0, None) and "Kernel panic" in con:
            return "crash"
        if "reboot: Power down" in con:
            return "poweroff"
        if "reboot: Restarting system" in con:
            return "reboot"
    return None


def save_artifacts(runs, artdir, prefix):
    """Write each run's guest console (its dmesg) and monitor output to
    artdir/PREFIX-runN-*.log. Returns the list of files."""
    os.makedirs(artdir, exist_ok=True)
    files = []
    for r in runs:
        base = "%s-run%d-%s-%svcpu-%s" % (prefix, r["n"], r["monitor"],
                                          r["vcpus"], r["action"])
        for key, suffix in (("con", ".log"), ("mon", ".monitor.log")):
            p = os.path.join(artdir, base + suffix)
            with open(p, "w") as f:
                f.write("\n".join(r[key]) + "\n")
            files.append(p)
    return files


def xm_start(n, vcpus, mem, cmdline, paths, tools, disks=(), vifs=()):
    """Domain l2-N created through xmd and `xm create` (Debian's kernel and
    the L2 initramfs, destroyed when it stops), not waited for, for tests
    that act on it while it runs: (name, its console log, xm create's
    CompletedProcess)."""
    tools.start_xmd()
    name = "l2-%d" % n
    with open(os.path.join(tools.xmroot, "etc", "xen", name), "w") as f:
        f.write('name = "%s"\nkernel = "%s"\nramdisk = "%s"\nmemory = %d\n'
                'vcpus = %d\nextra = "%s"\non_poweroff = "destroy"\n'
                'on_reboot = "destroy"\non_crash = "destroy"\n' %
                (name, paths["vmlinuz"], paths["initrd"], mem, vcpus,
                 cmdline))
        if disks:
            f.write("disk = [%s]\n" % ", ".join("'%s'" % d for d in disks))
        if vifs:
            f.write("vif = [%s]\n" % ", ".join("'%s'" % v for v in vifs))
    c = subprocess.run([tools.xm, "create", name], env=tools.xm_env(),
                       capture_output=True, text=True,
                       stdin=subprocess.DEVNULL)
    con = os.path.join(tools.xmroot, "var", "log", "xmd", "console",
                       name + ".log")
    return name, con, c


class Console:
    """A console log read as it grows: expect() finds a pattern in what
    came after the previous match."""

    def __init__(self, path):
        self.path, self.pos = path, 0

    def text(self):
        try:
            with open(self.path, "rb") as f:
                return f.read()
        except OSError:
            return b""

    def expect(self, pattern, timeout):
        """The match of pattern (bytes regex) within timeout s, or None."""
        rx = re.compile(pattern)
        end = time.monotonic() + timeout
        while True:
            m = rx.search(self.text(), self.pos)
            if m:
                self.pos = m.end()
                return m
            if time.monotonic() > end:
                return None
            time.sleep(0.2)

    def tail(self, n=25):
        return "\n".join(self.text().decode(errors="replace").splitlines()
                         [-n:])
