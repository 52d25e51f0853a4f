# SPDX-License-Identifier: GPL-2.0-or-later
"""debkernel.py: Debian's own kernel for the nested machines: the
linux-image-*-amd64 package that linux-image-amd64 depends on, downloaded
with `apt-get download` into a cache once, unpacked there with its modules
decompressed and indexed (depmod), so both busybox's insmod and kmod's
modprobe can load them. Used by scripts/with-kvm and tests/linux."""

import fcntl
import glob
import os
import re
import shutil
import subprocess

# Bump when the unpacked layout changes: older unpacks are redone once.
LAYOUT = "2"


class Unavailable(Exception):
    """The kernel package cannot be had here (no apt, no archive)."""


def cache_dir():
    """The download cache that survives between runs ($XM_LINUX_CACHE,
    default /var/cache/xmtools-linux, else ~/.cache/xmtools-linux)."""
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


def _package_name():
    """Name of the linux-image-*-amd64 package linux-image-amd64 pulls in."""
    out = subprocess.run(["apt-cache", "depends", "linux-image-amd64"],
                         capture_output=True, text=True).stdout
    m = re.search(r"Depends: (linux-image-[0-9][^\s]*-amd64)\b", out)
    return m.group(1) if m else None


def fetch_deb(cache):
    """Path of Debian's kernel .deb in cache, downloading it with apt when
    no copy is there. Raises Unavailable when it cannot be had."""
    pkg = _package_name() if shutil.which("apt-cache") else None
    pattern = (pkg or "linux-image-*-amd64") + "_*_amd64.deb"
    have = sorted(glob.glob(os.path.join(cache, pattern)))
    if have:
        return have[-1]
    if not pkg or not shutil.which("apt-get"):
        raise Unavailable("no Debian kernel package in %s and apt cannot "
                          "name one" % cache)
    r = subprocess.run(["apt-get", "download", "-q", pkg], cwd=cache,
                       capture_output=True, text=True)
    have = sorted(glob.glob(os.path.join(cache, pkg + "_*_amd64.deb")))
    if r.returncode != 0 or not have:
        raise Unavailable("apt-get download %s failed: %s" %
                          (pkg, (r.stderr or r.stdout).strip()[-200:]))
    return have[-1]


def _unpack(deb, root):
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
    kos = glob.glob(os.path.join(root, "lib/modules/*/kernel/**/*.ko.xz"),
                    recursive=True)
    for i in range(0, len(kos), 500):
        subprocess.run(["xz", "-d", "-f"] + kos[i:i + 500], check=True)
    for mods in glob.glob(os.path.join(root, "lib/modules/*")):
        ver = os.path.basename(mods)
        depmod = shutil.which("depmod") or "/sbin/depmod"
        subprocess.run([depmod, "-b", root, ver], check=True)


class Kernel:
    """An unpacked Debian kernel: vmlinuz, System.map, version, moddir."""

    def __init__(self, root):
        self.root = root
        vmlinuz = glob.glob(os.path.join(root, "boot/vmlinuz-*"))
        mods = glob.glob(os.path.join(root, "lib/modules/*"))
        if not vmlinuz or not mods:
            raise Unavailable("%s holds no vmlinuz or modules" % root)
        self.vmlinuz = vmlinuz[0]
        self.sysmap = re.sub(r"vmlinuz-", "System.map-", self.vmlinuz)
        self.moddir = mods[0]
        self.version = os.path.basename(self.moddir)

    def module_closure(self, names):
        """The .ko paths (relative to moddir) needed to load the modules
        names, dependencies first, each once (from modules.dep)."""
        deps = {}
        with open(os.path.join(self.moddir, "modules.dep")) as f:
            for line in f:
                ko, _, rest = line.partition(":")
                deps[ko] = rest.split()
        byname = {}
        for ko in deps:
            n = os.path.basename(ko)[:-len(".ko")].replace("-", "_")
            byname[n] = ko
        order = []

        def visit(ko):
            if ko in order:
                return
            for d in reversed(deps.get(ko, [])):
                visit(d)
            order.append(ko)
        for n in names:
            ko = byname.get(n.replace("-", "_"))
            if ko is None:
                continue  # built into this kernel
            visit(ko)
        return order


def get():
    """The cached, unpacked Debian kernel (downloading and unpacking it on
    first use, one builder at a time). Raises Unavailable."""
    cache = cache_dir()
    with open(os.path.join(cache, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        deb = fetch_deb(cache)
        root = os.path.join(cache, os.path.basename(deb)[:-len(".deb")])
        stamp = os.path.join(root, ".done")
        done = None
        if os.path.exists(stamp):
            with open(stamp) as f:
                done = f.read().strip()
        if done != LAYOUT:
            _unpack(deb, root)
            with open(stamp, "w") as f:
                f.write(LAYOUT + "\n")
        return Kernel(root)
