# SPDX-License-Identifier: GPL-2.0-or-later
"""nested.py: the host side of the real-Linux tier: fetches Debian's kernel
package with apt, builds the L1 and L2 initramfs images, boots L1 in QEMU
TCG with an emulated SVM CPU and parses what L1 reports about each L2 run.
Shared by tests/linux/boot.py and bench/linux-boot.py."""

import glob
import os
import re
import shutil
import stat
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# Modules L1 needs for /dev/kvm, and L2 needs for its power button and pvpanic.
L1_MODULES = {
    "irqbypass": "kernel/virt/lib/irqbypass.ko",
    "ccp": "kernel/drivers/crypto/ccp/ccp.ko",
    "kvm": "kernel/arch/x86/kvm/kvm.ko",
    "kvm-amd": "kernel/arch/x86/kvm/kvm-amd.ko",
}
L2_MODULES = {
    "button": "kernel/drivers/acpi/button.ko",
    "evdev": "kernel/drivers/input/evdev.ko",
    "pvpanic": "kernel/drivers/misc/pvpanic/pvpanic.ko",
    "pvpanic-mmio": "kernel/drivers/misc/pvpanic/pvpanic-mmio.ko",
}
BUSYBOX_APPLETS = (
    "sh ash cat cut dd dmesg echo grep head insmod kill ls mkdir mkfifo mount "
    "nproc od poweroff reboot rm sed sleep tail tr awk wc sync uname "
    "umount ps true false test [ env timeout"
).split()
# Parts of the Python standard library libxmcfg's sandbox never needs.
PYTHON_SKIP = ("test", "idlelib", "tkinter", "ensurepip", "lib2to3",
               "pydoc_data", "site-packages", "dist-packages", "turtledemo",
               "unittest", "distutils", "venv")
QEMU_FIRMWARE = ("bios-microvm.bin", "linuxboot_dma.bin", "kvmvapic.bin",
                 "pvh.bin")


class Skip(Exception):
    """A missing capability of the host: the tier skips with this reason."""


def cache_dir():
    """The download cache that survives between runs ($XM_LINUX_CACHE)."""
    d = os.environ.get("XM_LINUX_CACHE", "/var/cache/xmtools-linux")
    try:
        os.makedirs(d, exist_ok=True)
        if os.access(d, os.W_OK):
            return d
    except OSError:
        pass
    d = os.path.join(os.path.expanduser("~"), ".cache", "xmtools-linux")
    os.makedirs(d, exist_ok=True)
    return d


def _kernel_package():
    """Name of the linux-image-*-amd64 package linux-image-amd64 pulls in."""
    out = subprocess.run(["apt-cache", "depends", "linux-image-amd64"],
                         capture_output=True, text=True).stdout
    m = re.search(r"Depends: (linux-image-[0-9][^\s]*-amd64)\b", out)
    return m.group(1) if m else None


def fetch_deb():
    """Path of Debian's kernel .deb in the cache, downloading it with apt
    when no copy is there. Raises Skip when it cannot be had."""
    cache = cache_dir()
    pkg = None
    if shutil.which("apt-cache"):
        pkg = _kernel_package()
    if pkg:
        have = sorted(glob.glob(os.path.join(cache, pkg + "_*_amd64.deb")))
    else:
        have = sorted(glob.glob(os.path.join(cache,
                                             "linux-image-*-amd64_*.deb")))
    if have:
        return have[-1]
    if not pkg or not shutil.which("apt-get"):
        raise Skip("no Debian kernel package in %s and apt cannot name one"
                   % cache)
    r = subprocess.run(["apt-get", "download", "-q", pkg], cwd=cache,
                       capture_output=True, text=True)
    have = sorted(glob.glob(os.path.join(cache, pkg + "_*_amd64.deb")))
    if r.returncode != 0 or not have:
        raise Skip("apt-get download %s failed: %s" %
                   (pkg, (r.stderr or r.stdout).strip()[-200:]))
    return have[-1]


def extract(deb):
    """Unpack deb once into the cache. Returns (vmlinuz, modules dir)."""
    base = os.path.basename(deb)[:-len(".deb")]
    root = os.path.join(cache_dir(), base)
    stamp = os.path.join(root, ".done")
    if not os.path.exists(stamp):
        shutil.rmtree(root, ignore_errors=True)
        os.makedirs(root)
        subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
        for ko in glob.glob(os.path.join(root, "lib/modules/*/kernel/**/*.ko.xz"),
                            recursive=True):
            subprocess.run(["xz", "-d", "-f", ko], check=True)
        open(stamp, "w").close()
    vmlinuz = glob.glob(os.path.join(root, "boot/vmlinuz-*"))
    mods = glob.glob(os.path.join(root, "lib/modules/*"))
    if not vmlinuz or not mods:
        raise Skip("%s holds no vmlinuz or modules" % deb)
    return vmlinuz[0], mods[0]


def is_bzimage(path):
    """True when path is an x86 bzImage (boot protocol header "HdrS",
    loaded high, with a compressed payload)."""
    with open(path, "rb") as f:
        hdr = f.read(0x270)
    return (len(hdr) >= 0x270 and hdr[0x202:0x206] == b"HdrS"
            and hdr[0x211] & 1 == 1
            and int.from_bytes(hdr[0x248:0x24c], "little") > 0)


class Cpio:
    """A newc cpio archive written from memory: no root needed to put
    device nodes or root-owned files in it."""

    def __init__(self):
        self.entries = {}

    def _add(self, name, mode, data=b"", rdev=(0, 0)):
        name = name.strip("/")
        parts = name.split("/")
        for i in range(1, len(parts)):
            d = "/".join(parts[:i])
            if d not in self.entries:
                self.entries[d] = (stat.S_IFDIR | 0o755, b"", (0, 0))
        self.entries[name] = (mode, data, rdev)

    def add_dir(self, name):
        self._add(name, stat.S_IFDIR | 0o755)

    def add_file(self, name, src=None, data=None, mode=None):
        if data is None:
            with open(src, "rb") as f:
                data = f.read()
            if mode is None:
                mode = os.stat(src).st_mode & 0o777
        self._add(name, stat.S_IFREG | (mode if mode is not None else 0o644),
                  data)

    def add_symlink(self, name, target):
        self._add(name, stat.S_IFLNK | 0o777, target.encode())

    def add_chardev(self, name, major, minor):
        self._add(name, stat.S_IFCHR | 0o600, b"", (major, minor))

    def add_binary(self, src, name=None):
        """Add an ELF program and every shared library ldd names (with the
        loader) at the same paths."""
        self.add_file(name or src, src=src)
        out = subprocess.run(["ldd", src], capture_output=True,
                             text=True).stdout
        for line in out.splitlines():
            m = re.search(r"(?:=>\s*)?(/\S+)\s+\(0x", line)
            if m and os.path.exists(m.group(1)):
                lib = m.group(1)
                self.add_file(lib, src=os.path.realpath(lib), mode=0o755)

    def add_tree(self, top, skip=()):
        """Add a directory tree at the same path: regular files and
        symlinks, leaving out directories named in skip and optimised
        bytecode (.opt-1/.opt-2.pyc)."""
        for d, dirs, files in os.walk(top):
            dirs[:] = [x for x in dirs if x not in skip]
            for f in files:
                p = os.path.join(d, f)
                if ".opt-" in f:
                    continue
                if os.path.islink(p):
                    self.add_symlink(p, os.readlink(p))
                elif os.path.isfile(p):
                    self.add_file(p, src=p)

    def write(self, path):
        ino = 1
        with open(path, "wb") as f:
            def pad(n):
                f.write(b"\0" * ((4 - n % 4) % 4))
            for name in sorted(self.entries) + ["TRAILER!!!"]:
                mode, data, rdev = self.entries.get(name, (0, b"", (0, 0)))
                nb = name.encode() + b"\0"
                fields = (ino, mode, 0, 0, 1 if name != "TRAILER!!!" else 0,
                          0, len(data), 0, 0, rdev[0], rdev[1], len(nb), 0)
                f.write(b"070701" + b"".join(b"%08X" % v for v in fields))
                f.write(nb)
                pad(110 + len(nb))
                f.write(data)
                pad(len(data))
                ino += 1


def _add_busybox(cp):
    busybox = shutil.which("busybox") or "/bin/busybox"
    if not os.path.exists(busybox):
        raise Skip("busybox (busybox-static) is not installed")
    cp.add_file("bin/busybox", src=busybox, mode=0o755)
    for a in BUSYBOX_APPLETS:
        cp.add_symlink("bin/" + a, "busybox")
    cp.add_chardev("dev/console", 5, 1)
    cp.add_chardev("dev/null", 1, 3)
    for d in ("proc", "sys", "tmp", "run", "usr/bin", "sbin"):
        cp.add_dir(d)


def build_l2(moddir, out):
    """The L2 initramfs (gzip): busybox, l2-init as /init, L2 modules."""
    cp = Cpio()
    _add_busybox(cp)
    cp.add_file("init", src=os.path.join(HERE, "l2-init"), mode=0o755)
    for name, rel in L2_MODULES.items():
        cp.add_file("lib/modules/%s.ko" % name, src=os.path.join(moddir, rel))
    raw = out + ".cpio"
    cp.write(raw)
    with open(out, "wb") as f:
        subprocess.run(["gzip", "-9", "-n", "-c", raw], stdout=f, check=True)
    os.unlink(raw)


def python_stdlib():
    """The standard library of the Python that libxmcfg embeds."""
    out = subprocess.run(["pkg-config", "--variable=prefix", "python3-embed"],
                         capture_output=True, text=True).stdout.strip()
    ver = subprocess.run(["pkg-config", "--modversion", "python3-embed"],
                         capture_output=True, text=True).stdout.strip()
    p = os.path.join(out or "/usr", "lib", "python" + ver)
    return p if ver and os.path.isdir(p) else None


def build_l1(vmlinuz, moddir, l2_initrd, out, xmhv=None, drive=None,
             qemu=None, xmd=None, xm=None):
    """The L1 initramfs (uncompressed cpio: TCG unpacks it faster): busybox,
    l1-init as /init, kvm modules, the L2 kernel and initrd, and the
    monitors (xmhv and/or QEMU with their libraries)."""
    cp = Cpio()
    _add_busybox(cp)
    cp.add_file("init", src=os.path.join(HERE, "l1-init"), mode=0o755)
    for name, rel in L1_MODULES.items():
        cp.add_file("lib/modules/%s.ko" % name, src=os.path.join(moddir, rel))
    cp.add_file("l2/vmlinuz", src=vmlinuz, mode=0o644)
    cp.add_file("l2/initrd.gz", src=l2_initrd, mode=0o644)
    if xmhv:
        cp.add_binary(xmhv, "bin/xmhv")
    if drive:
        cp.add_binary(drive, "bin/xmhv-drive")
    if xmd and xm:
        cp.add_binary(xmd, "bin/xmd")
        cp.add_binary(xm, "bin/xm")
        helper = os.path.join(os.path.dirname(xm), "xm-config")
        if os.path.exists(helper):  # xm finds it beside itself
            cp.add_binary(helper, "bin/xm-config")
        stdlib = python_stdlib()
        if stdlib:
            cp.add_tree(stdlib, PYTHON_SKIP)
        cp.add_file("etc/passwd", data=b"root:x:0:0:root:/:/bin/sh\n")
        cp.add_file("etc/group", data=b"root:x:0:\n")
    if qemu:
        cp.add_binary(qemu, "usr/bin/qemu-system-x86_64")
        for fw in QEMU_FIRMWARE:
            p = os.path.join("/usr/share/qemu", fw)
            if os.path.exists(p):
                cp.add_file(p, src=os.path.realpath(p), mode=0o644)
    cp.write(out)


def prepare(workdir, xmhv=None, drive=None, qemu=None, xmd=None, xm=None):
    """Fetch, extract and build everything under workdir. Returns a dict
    with the paths (vmlinuz, l1, l2). Raises Skip on missing host tools."""
    qemu_host = os.environ.get("QEMU_SYSTEM_X86_64") or shutil.which(
        "qemu-system-x86_64")
    if not qemu_host or not os.path.exists(qemu_host):
        raise Skip("qemu-system-x86_64 is not installed (qemu-system-x86)")
    os.makedirs(workdir, exist_ok=True)
    import fcntl
    # Build trees share the cache: one download and unpack at a time.
    with open(os.path.join(cache_dir(), ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        deb = fetch_deb()
        vmlinuz, moddir = extract(deb)
    l2 = os.path.join(workdir, "l2-initrd.gz")
    build_l2(moddir, l2)
    l1 = os.path.join(workdir, "l1.cpio")
    build_l1(vmlinuz, moddir, l2, l1, xmhv=xmhv, drive=drive,
             qemu=qemu_host if qemu else None, xmd=xmd, xm=xm)
    return {"deb": deb, "vmlinuz": vmlinuz, "l1": l1, "l2": l2,
            "qemu": qemu_host}


def _monitor(sock, command, wait=1.5):
    """One QEMU human-monitor command over its unix socket; its output."""
    import socket
    out = b""
    try:
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.settimeout(wait)
        c.connect(sock)
        c.sendall(command.encode() + b"\n")
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                chunk = c.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            out += chunk
        c.close()
    except OSError as e:
        out += ("monitor: %s" % e).encode()
    return out.decode("utf-8", "replace").replace("\r", "")


def _symbolize(rip, sysmap):
    """Nearest symbol at or below rip in System.map (L1 runs nokaslr)."""
    best = None
    try:
        with open(sysmap) as f:
            for line in f:
                w = line.split()
                if len(w) == 3 and w[1] in "tTwW":
                    a = int(w[0], 16)
                    if a <= rip and (best is None or a > best[0]):
                        best = (a, w[2])
    except OSError:
        return "?"
    return "%s+0x%x" % (best[1], rip - best[0]) if best else "?"


def _diagnose_hang(sock, sysmap, f):
    """L1 stopped talking: record where its CPU is, three times."""
    f.write(b"\nXMHOST L1 silent: sampling its CPU\n")
    # Full state once: HLT, EFLAGS.IF, the APIC timer say why it sleeps.
    for command in ("info registers", "info lapic"):
        for line in _monitor(sock, command).splitlines():
            if line.strip() and not line.startswith(
                    ("(qemu)", "QEMU ", "FPR", "XMM", "YMM", "DR")):
                f.write(("XMHOST %s\n" % line).encode())
    for _ in range(3):
        regs = _monitor(sock, "info registers")
        m = re.search(r"RIP=([0-9a-f]{16})", regs)
        cpl = re.search(r"CPL=(\d)", regs)
        if m:
            rip = int(m.group(1), 16)
            f.write(("XMHOST L1 RIP=%016x CPL=%s %s\n" %
                     (rip, cpl.group(1) if cpl else "?",
                      _symbolize(rip, sysmap))).encode())
        else:
            f.write(("XMHOST monitor said: %s\n" % regs[-300:]).encode())
        time.sleep(1)
    f.flush()


def run_l1(paths, plan, log, timeout=840, nonce="0", l2_timeout=240,
           debug=0, silence=150, cpus=None):
    """Boot L1 with the plan [(monitor, vcpus, mem_mib, action), ...];
    its console goes to log. L1 prints at least every 30 s while a run
    lasts: after silence seconds without output it is sampled (RIP through
    the QEMU monitor) and killed. Returns (rc, seconds, text)."""
    planarg = ",".join("%s:%d:%d:%s" % p for p in plan)
    append = ("console=ttyS0 panic=-1 nokaslr xmplan=%s xmnonce=%s "
              "xmtimeout=%d xmdebug=%d" % (planarg, nonce, l2_timeout, debug))
    sock = log + ".monitor"
    sysmap = re.sub(r"vmlinuz-", "System.map-", paths["vmlinuz"])
    if os.path.exists(sock):
        os.unlink(sock)
    cmd = [paths["qemu"], "-accel", "tcg,thread=single",
           "-cpu", "EPYC,+svm,+npt", "-m", "3072",
           "-smp", str(cpus or int(os.environ.get("XM_LINUX_L1_CPUS", "1"))),
           "-display", "none", "-serial", "stdio", "-no-reboot",
           "-monitor", "unix:%s,server=on,wait=off" % sock,
           "-kernel", paths["vmlinuz"], "-initrd", paths["l1"],
           "-append", append]
    t0 = time.monotonic()
    rc = -1
    with open(log, "wb") as f:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=f,
                             stderr=subprocess.STDOUT)
        size, quiet_since = 0, time.monotonic()
        while True:
            try:
                rc = p.wait(timeout=2)
                break
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            cur = os.path.getsize(log)
            if cur != size:
                size, quiet_since = cur, now
            if now - quiet_since > silence or now - t0 > timeout:
                if now - quiet_since > silence:
                    _diagnose_hang(sock, sysmap, f)
                p.kill()
                p.wait()
                rc = -1
                break
    if os.path.exists(sock):
        os.unlink(sock)
    secs = time.monotonic() - t0
    with open(log, "rb") as f:
        text = f.read().decode("utf-8", "replace").replace("\r", "")
    return rc, secs, text


def parse(text):
    """Split L1's console into runs: a list of dicts with the monitor's
    parameters, rc, wall_ms, memory samples, monitor lines ('mon'),
    guest console lines ('con') and the XMTEST key/values ('kv')."""
    runs = {}
    order = []
    for line in text.splitlines():
        i = line.find("XML1 ")
        j = line.find("XML2 ")
        if i >= 0:
            w = line[i + 5:].split()
            if not w:
                continue
            if w[0] == "begin":
                n = int(w[1])
                r = {"n": n, "rc": None, "kv": {}, "e820": [], "con": [],
                     "mon": [], "timeout": False, "rss": {}}
                for kv in w[2:]:
                    k, _, v = kv.partition("=")
                    r["monitor" if k == "mon" else k] = v
                runs[n] = r
                order.append(n)
            elif w[0] == "end" and int(w[1]) in runs:
                r = runs[int(w[1])]
                for kv in w[2:]:
                    k, _, v = kv.partition("=")
                    r[k] = int(v)
            elif w[0] == "timeout" and int(w[1]) in runs:
                runs[int(w[1])]["timeout"] = True
            elif w[0] == "mem" and int(w[1]) in runs:
                k, _, v = w[2].partition("=")
                runs[int(w[1])]["rss"][k] = int(v)
        elif j >= 0:
            w = line[j + 5:].split(" ", 2)
            if len(w) < 2 or not w[0].isdigit() or int(w[0]) not in runs:
                continue
            r = runs[int(w[0])]
            body = w[2] if len(w) > 2 else ""
            r[w[1]].append(body)
            if w[1] != "con":
                continue
            k = body.find("XMTEST ")
            if k < 0:
                continue
            key, _, val = body[k + 7:].partition("=")
            key = key.strip()
            if key == "e820":
                r["e820"].append(val.split(None, 2))
            elif key not in r["kv"]:
                r["kv"][key] = val
    return [runs[n] for n in order]


def e820_usable_kib(run):
    """Sum of the usable e820 ranges the L2 kernel printed, in KiB."""
    total = 0
    for e in run["e820"]:
        if len(e) == 3 and e[2].strip() == "usable":
            total += int(e[1], 16) + 1 - int(e[0], 16)
    return total // 1024


REASON_RE = re.compile(r"(?:\breason[=: ]+|shut down: )\"?(poweroff|reboot|crash|halt)\b")


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
        name = "%s-run%d-%s-%svcpu-%s" % (prefix, r["n"], r.get("monitor"),
                                          r.get("vcpus"), r.get("action"))
        p = os.path.join(artdir, name + ".log")
        with open(p, "w") as f:
            f.write("\n".join(r["con"]) + "\n")
        files.append(p)
        p = os.path.join(artdir, name + ".monitor.log")
        with open(p, "w") as f:
            f.write("\n".join(r["mon"]) + "\n")
    return files


def find_xmhv():
    """The xmhv binary to test: $XMHV, else $top_builddir/hypervisor/xmhv."""
    p = os.environ.get("XMHV")
    if p:
        return p
    top = os.environ.get("top_builddir", os.path.join(HERE, "..", ".."))
    return os.path.join(top, "hypervisor", "xmhv")


def log(msg):
    print("# " + msg, flush=True)
    sys.stdout.flush()
