# SPDX-License-Identifier: GPL-2.0-or-later
"""mkimage.py: the real-Linux tier for xm-create-image. The test builds a
small root filesystem tarball laid out like a Xen guest (busybox-static,
/etc/fstab naming /dev/xvda1 and /dev/xvda2 and a /srv disk, busybox init
with a getty on hvc0, a device node and a hard link), runs
`xm-create-image --tar` into a file image as an unprivileged-style
command (no mount), checks the image from the host side (debugfs -R cat,
e2fsck -fn): fstab, hostname, network config, inittab, root's SHA-512
hash, the kernel's modules byte for byte; boots the generated config
through xmd + `xm create` (Debian's kernel and the tier's initramfs, which
switch_roots to the image's /sbin/init) and compares what the guest
computes (uname -r and its modules, hostname, swap, eth0's address and
MAC, a ping to the host's bridge, the `NAME login:` prompt on the
console) with what the host asked for; then xm-list-images,
xm-delete-image, the refusal to overwrite and the undo of a failed run;
--lvm VG on a loop device inside L1 (booted as well) and --partition on a
partitioned loop device (host side only). TAP; runs
through scripts/with-kvm --linux (make check-linux)."""

import hashlib
import io
import os
import random
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import crypt  # SHA-512 crypt(3) as the guest's login checks it

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import l2  # noqa: E402
from boot import Tap  # noqa: E402

NAME = "mkimg1"
IP, GW, MASK = "192.0.2.10", "192.0.2.1", "255.255.255.0"
PASSWORD = "xm-test-pass"
APPLETS = ("sh cat echo ls mount umount hostname uname insmod ip ifup "
           "ifconfig route ping getty login sed grep awk swapon sleep "
           "mkdir wc head cut tr init run-parts").split()
NET_MODULES = ("kernel/net/core/failover.ko",
               "kernel/drivers/net/net_failover.ko",
               "kernel/drivers/net/virtio_net.ko")
RCS = r"""#!/bin/sh
# /etc/init.d/rcS of the tarball tests/linux/mkimage.py builds
export PATH=/bin:/sbin
# /dev first, without redirections: / is read-only and /dev is empty
mount -t devtmpfs dev /dev
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t tmpfs run /run
echo "XMTEST rootinit=ok"
echo "XMTEST root=$(awk '$2 == "/" { print $1 " " $3 }' /proc/mounts)"
echo "XMTEST uname=$(uname -r)"
echo "XMTEST modules=$(ls /lib/modules)"
hostname -F /etc/hostname
echo "XMTEST hostname=$(hostname)"
swapon -a
echo "XMTEST swap=$(awk 'NR > 1 { print $1 }' /proc/swaps)"
m=/lib/modules/$(uname -r)
for k in %s; do insmod $m/$k; done
ifup -a
echo "XMTEST eth0=$(ip -4 addr show dev eth0 | awk '/inet / { print $2 }')"
echo "XMTEST mac=$(cat /sys/class/net/eth0/address)"
r=fail
for i in 1 2 3 4 5; do
	if ping -c 1 -W 2 %s >/dev/null 2>&1; then r=ok; break; fi
done
echo "XMTEST ping_gw=$r"
echo "XMTEST ready"
""" % (" ".join(NET_MODULES), GW)
INITTAB = ("::sysinit:/etc/init.d/rcS\n"
           "hvc0::respawn:/sbin/getty -L hvc0 115200 vt100\n")
FSTAB = ("/dev/xvda1 / ext3 defaults,errors=remount-ro 0 1\n"
         "/dev/xvda2 none swap sw 0 0\n"
         "/dev/xvdb1 /srv ext3 defaults 0 2\n"
         "proc /proc proc defaults 0 0\n")


def sh(*args, **kw):
    kw.setdefault("timeout", 300)
    return subprocess.run(list(args), capture_output=True, **kw)


def text(r):
    return (r.stdout + r.stderr).decode("utf-8", "replace")


def build_tarball(path):
    """The guest's root filesystem as a Xen guest's tarball (root-owned
    entries written by tarfile: no root needed here either)."""
    busybox = shutil.which("busybox") or "/bin/busybox"

    def add(name, data=None, mode=0o644, kind=tarfile.REGTYPE, link="",
            dev=(0, 0)):
        ti = tarfile.TarInfo(name)
        ti.type, ti.mode, ti.uid, ti.gid = kind, mode, 0, 0
        ti.mtime = int(time.time())
        ti.linkname = link
        ti.devmajor, ti.devminor = dev
        if data is not None:
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))
        else:
            tf.addfile(ti)

    with tarfile.open(path, "w:gz") as tf:
        for d in ("", "bin", "sbin", "etc", "etc/init.d", "etc/network",
                  "etc/network/if-pre-up.d", "etc/network/if-up.d",
                  "etc/network/if-down.d", "etc/network/if-post-down.d",
                  "proc", "sys", "dev", "run", "tmp", "root", "srv",
                  "var", "lib"):
            add("./" + d, mode=0o755, kind=tarfile.DIRTYPE)
        with open(busybox, "rb") as f:
            add("./bin/busybox", f.read(), 0o755)
        for a in APPLETS:
            add("./bin/" + a, kind=tarfile.SYMTYPE, link="busybox")
        for a in ("init", "getty"):
            add("./sbin/" + a, kind=tarfile.SYMTYPE, link="../bin/busybox")
        add("./var/run", kind=tarfile.SYMTYPE, link="../run")
        add("./dev/console", mode=0o600, kind=tarfile.CHRTYPE, dev=(5, 1))
        add("./etc/init.d/rcS", RCS.encode(), 0o755)
        add("./etc/inittab", INITTAB.encode())
        add("./etc/fstab", FSTAB.encode())
        add("./etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
        add("./etc/passwd-", kind=tarfile.LNKTYPE, link="./etc/passwd")
        add("./etc/shadow", b"root:*:19000:0:99999:7:::\n", 0o640)
        add("./etc/network/interfaces", b"auto lo\niface lo inet "
            b"loopback\n")


def small_moddir(kernel, dest):
    """The kernel's modules the guest needs (virtio-net and what it
    depends on), in /lib/modules/VERSION's layout."""
    for rel in NET_MODULES:
        os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
        shutil.copy(os.path.join(kernel.moddir, rel), os.path.join(dest, rel))


def debugfs_cat(img, path):
    r = sh("debugfs", "-R", "cat %s" % path, img)
    return r.stdout if r.returncode == 0 else b""


def create(tool, args, env=None):
    return sh(tool, *args, env=env, stdin=subprocess.DEVNULL)


def boot(t, tools, cfgdir, mac, kernel):
    """xm create NAME from the generated config, wait for the login
    prompt, compare the guest's lines with the host's values."""
    env = tools.xm_env()
    r = sh(tools.xm, "create", os.path.join(cfgdir, NAME), env=env)
    t.ok(r.returncode == 0, "xm create of the generated config", text(r))
    con = os.path.join(tools.xmroot, "var", "log", "xmd", "console",
                       NAME + ".log")
    log = ""
    host_ping = None
    deadline = time.monotonic() + 200
    while time.monotonic() < deadline and r.returncode == 0:
        try:
            with open(con, errors="replace") as f:
                log = f.read().replace("\r", "")
        except OSError:
            pass
        if "XMTEST ready" in log and host_ping is None:
            host_ping = sh("ping", "-c", "2", "-W", "3", IP).returncode == 0
        if re.search(r"^%s login: ?" % NAME, log, re.M) and \
                host_ping is not None:
            break
        time.sleep(0.5)
    sh(tools.xm, "destroy", NAME, env=env)
    kv = {}
    for line in log.splitlines():
        k = line.find("XMTEST ")
        if k >= 0:
            key, _, val = line[k + 7:].partition("=")
            kv.setdefault(key.strip(), val.strip())
    tail = "\n".join(log.splitlines()[-20:])
    t.ok(kv.get("rootinit") == "ok" and kv.get("root") == "/dev/vda ext4",
         "the guest runs the image's init with / on /dev/vda (ext4, "
         "root=/dev/xvda1 rewritten)", tail)
    t.ok(kv.get("uname") == kernel.version and
         kv.get("modules") == kernel.version,
         "the guest's uname -r and its /lib/modules are the version the "
         "host read from the bzImage (%s)" % kernel.version,
         "uname=%s modules=%s" % (kv.get("uname"), kv.get("modules")))
    t.ok(kv.get("hostname") == NAME, "the guest's hostname is %s" % NAME,
         "hostname=%s" % kv.get("hostname"))
    t.ok(kv.get("swap") == "/dev/vdb", "swapon -a in the guest uses the "
         "swap image as /dev/vdb (the rewritten fstab)",
         "swap=%s" % kv.get("swap"))
    t.ok(kv.get("eth0") == "%s/24" % IP and kv.get("mac") == mac,
         "ifup in the guest: eth0 %s/24 with the config's MAC %s" % (IP, mac),
         "eth0=%s mac=%s" % (kv.get("eth0"), kv.get("mac")))
    t.ok(kv.get("ping_gw") == "ok" and host_ping,
         "the guest pings the host's bridge %s and the host pings the "
         "guest %s" % (GW, IP),
         "guest=%s host=%s" % (kv.get("ping_gw"), host_ping))
    t.ok(re.search(r"^%s login: ?" % NAME, log, re.M) is not None,
         "`%s login:` on the console (the getty moved from hvc0 to ttyS0)"
         % NAME, tail)
    return log


def main():
    top = os.environ.get("top_builddir", ".")
    outdir = os.path.join(top, "tests", "linux")
    mk = os.path.join(top, "imagetools", "xm-create-image")
    dele = os.path.join(top, "imagetools", "xm-delete-image")
    lst = os.path.join(top, "imagetools", "xm-list-images")
    tools = l2.Tools(top)
    for p in (mk, dele, lst, tools.xm, tools.xmd, tools.xmhv):
        if not os.access(p, os.X_OK):
            print("not ok 1 - %s is built" % p)
            print("1..1")
            return 1
    work = tempfile.mkdtemp(prefix="mkimage.", dir="/tmp")
    t = Tap()
    kvm_why = None
    try:
        with open("/proc/cpuinfo") as f:
            if not re.search(r"^flags.*\b(vmx|svm)\b", f.read(), re.M):
                raise l2.Skip("this /dev/kvm has no VT-x/AMD-V under it "
                              "(run through scripts/with-kvm --linux)")
        paths = l2.prepare(work)
    except l2.Skip as e:
        kvm_why = str(e)
        try:
            from l1 import debkernel
            paths = {"kernel": debkernel.get(), "initrd": None}
        except Exception as e2:  # no kernel at all: nothing to test
            sys.path.insert(0, os.path.join(HERE, "..", "kvm"))
            from xmharness import skip_all
            shutil.rmtree(work, ignore_errors=True)
            skip_all("%s; %s" % (kvm_why, e2))
    kernel = paths["kernel"]
    bridge = "xmimg%d" % (os.getpid() % 10000)
    try:
        tar = os.path.join(work, "rootfs.tar.gz")
        build_tarball(tar)
        mods = os.path.join(work, "modules")
        small_moddir(kernel, mods)
        tools.start_xmd() if not kvm_why else None
        cfgdir = os.path.join(tools.xmroot, "etc", "xen") if not kvm_why \
            else os.path.join(work, "etc-xen")
        imgdir = os.path.join(work, "images")
        initrd = paths["initrd"] or os.path.join(work, "no-initrd")
        if not paths["initrd"]:
            open(initrd, "wb").close()
        args = ["--hostname", NAME, "--tar", tar, "--dir", imgdir,
                "--size", "64M", "--swap", "16M", "--memory", "256",
                "--ip", IP, "--netmask", MASK, "--gateway", GW,
                "--bridge", bridge, "--password", PASSWORD,
                "--kernel", kernel.vmlinuz, "--initrd", initrd,
                "--modules", mods, "--output", cfgdir,
                "--extra", "console=ttyS0 xmtest.action=rootfs"]
        t0 = time.monotonic()
        r = create(mk, args)
        secs = time.monotonic() - t0
        steps = [ln for ln in text(r).splitlines()
                 if re.match(r"\[\d+/15\] ", ln)]
        t.ok(r.returncode == 0 and len(steps) == 15,
             "xm-create-image --tar into a file image: 15 step lines, "
             "exit 0 (%.1f s)" % secs, text(r))
        img = os.path.join(imgdir, "domains", NAME, "disk.img")
        swap = os.path.join(imgdir, "domains", NAME, "swap.img")
        fsck = sh("e2fsck", "-fn", img)
        t.ok(fsck.returncode == 0, "e2fsck -fn finds the image clean",
             text(fsck))
        fstab = debugfs_cat(img, "/etc/fstab").decode()
        t.ok("/dev/vda\t/\text4\tdefaults,errors=remount-ro\t0\t1" in fstab
             and "/dev/vdb\tnone\tswap\tsw\t0\t0" in fstab and
             "\n#/dev/xvdb1 /srv" in fstab and "proc /proc proc" in fstab,
             "fstab: root /dev/xvda1 -> /dev/vda ext4, swap -> /dev/vdb, "
             "/srv commented out with a note, proc kept", fstab)
        t.ok(debugfs_cat(img, "/etc/hostname") == (NAME + "\n").encode()
             and ("127.0.1.1\t%s" % NAME).encode() in
             debugfs_cat(img, "/etc/hosts"),
             "hostname in /etc/hostname and /etc/hosts")
        ifs = debugfs_cat(img, "/etc/network/interfaces").decode()
        t.ok("iface eth0 inet static\n\taddress %s\n\tnetmask %s\n"
             "\tgateway %s" % (IP, MASK, GW) in ifs,
             "ifupdown's /etc/network/interfaces: eth0 static", ifs)
        inittab = debugfs_cat(img, "/etc/inittab").decode()
        t.ok("ttyS0::respawn:/sbin/getty -L ttyS0 115200 vt100" in inittab
             and "\nhvc0::" not in inittab,
             "inittab: the getty on hvc0 moved to ttyS0", inittab)
        shadow = debugfs_cat(img, "/etc/shadow").decode()
        h = shadow.split(":")[1] if shadow.startswith("root:") else ""
        t.ok(h.startswith("$6$") and crypt.crypt(PASSWORD, h) == h,
             "/etc/shadow: root's SHA-512 hash verifies the password",
             shadow)
        bad = []
        for rel in NET_MODULES:
            got = debugfs_cat(img, "/lib/modules/%s/%s" %
                              (kernel.version, rel))
            with open(os.path.join(mods, rel), "rb") as f:
                if hashlib.sha256(got).digest() != \
                        hashlib.sha256(f.read()).digest():
                    bad.append(rel)
        t.ok(not bad, "the kernel's modules in /lib/modules/%s, byte for "
             "byte" % kernel.version, "differ: %s" % bad)
        st = sh("debugfs", "-R", "stat /etc/passwd-", img).stdout.decode()
        st2 = sh("debugfs", "-R", "stat /dev/console", img).stdout.decode()
        t.ok("Links: 2" in st and "character special" in st2 and
             "User:     0   Group:     0" in st2,
             "the archive's hard link and root-owned device node kept",
             st[:300] + st2[:300])
        with open(swap, "rb") as f:
            f.seek(4086)
            sig = f.read(10)
        t.ok(sig == b"SWAPSPACE2", "the swap image has a swap signature")
        cfgtext = open(os.path.join(cfgdir, NAME)).read()
        mac = re.search(r"mac=([0-9a-f:]{17})", cfgtext)
        mac = mac.group(1) if mac else None
        t.ok(mac and mac.startswith("00:16:3e:") and
             "file:%s,xvda1,w" % img in cfgtext and
             'root = "/dev/xvda1 ro"' in cfgtext and
             "bridge=%s" % bridge in cfgtext,
             "the config: disk, vif with a 00:16:3e MAC and the bridge, "
             "root", cfgtext)
        # boot it
        boot_checks = 8
        if kvm_why:
            for _ in range(boot_checks):
                t.n += 1
                print("ok %d - booting the image # SKIP %s" % (t.n, kvm_why))
        else:
            sh("ip", "link", "add", bridge, "type", "bridge")
            sh("ip", "addr", "add", GW + "/24", "dev", bridge)
            sh("ip", "link", "set", bridge, "up")
            log = boot(t, tools, cfgdir, mac, kernel)
            os.makedirs(os.path.join(outdir, "artifacts"), exist_ok=True)
            with open(os.path.join(outdir, "artifacts",
                                   "mkimage-console.log"), "w") as f:
                f.write(log)
        env = dict(os.environ)
        r = sh(lst, "--output", cfgdir, env=env)
        out = text(r)
        t.ok(r.returncode == 0 and "Name: %s" % NAME in out and
             "IP: %s" % IP in out and "MAC: %s" % mac in out,
             "xm-list-images shows name, address and MAC", out)
        r = create(mk, args)
        t.ok(r.returncode != 0 and "%s exists (--force replaces it)" %
             os.path.join(cfgdir, NAME) in text(r) and
             os.path.getsize(img) == 64 << 20,
             "a second run refuses to overwrite without --force, the "
             "image untouched", text(r))
        env["PATH"] = os.path.dirname(tools.xm) + ":" + env["PATH"]
        env["XMD_ROOT"] = tools.xmroot or work
        r = sh(dele, "--output", cfgdir, NAME, env=env)
        t.ok(r.returncode == 0 and not os.path.exists(img) and
             not os.path.exists(swap) and
             not os.path.exists(os.path.join(cfgdir, NAME)) and
             not os.path.exists(os.path.dirname(img)),
             "xm-delete-image removes the images, their directory and "
             "the config", text(r))
        # a failing run (the modules do not fit) undoes everything
        big = os.path.join(work, "big")
        os.makedirs(big)
        with open(os.path.join(big, "blob"), "wb") as f:
            f.write(os.urandom(20 << 20))
        fargs = list(args)
        fargs[fargs.index("--modules") + 1] = big
        fargs[fargs.index("--size") + 1] = "16M"
        r = create(mk, fargs)
        t.ok(r.returncode == 1 and "step 6/15 failed: copying the "
             "kernel's modules" in text(r) and "give a larger --size" in
             text(r) and not os.path.exists(os.path.dirname(img)) and
             not os.path.exists(os.path.join(cfgdir, NAME)),
             "a failed step is named and what was made is removed",
             text(r))
        lvm(t, mk, dele, args, work, env, None if kvm_why else tools)
        partition(t, mk, dele, args, work, env)
    finally:
        tools.stop()
        sh("ip", "link", "del", bridge)
        shutil.rmtree(work, ignore_errors=True)
    return t.done()


LVM_CHECKS = 5
PART_CHECKS = 3


def partition(t, mk, dele, args, work, env):
    """--partition DEV: partition 1 of a loop device (losetup -P)."""
    what = "--partition"
    back = os.path.join(work, "part-disk.img")
    with open(back, "wb") as f:
        f.truncate(72 << 20)
    r = subprocess.run(["sfdisk", "-q", back], input=b"2048,,L\n",
                       capture_output=True) if shutil.which("sfdisk") \
        else None
    loop = sh("losetup", "-f", "-P", "--show", back) if r and \
        r.returncode == 0 and os.geteuid() == 0 else None
    dev = loop.stdout.decode().strip() + "p1" if loop and \
        loop.returncode == 0 else None
    for _ in range(20):
        if dev and os.path.exists(dev):
            break
        time.sleep(0.2)
    if not dev or not os.path.exists(dev):
        if loop and loop.returncode == 0:
            sh("losetup", "-d", loop.stdout.decode().strip())
        for _ in range(PART_CHECKS):
            t.n += 1
            print("ok %d - %s # SKIP no partitioned loop device here "
                  "(needs root, sfdisk and losetup -P; the nested L1 has "
                  "them)" % (t.n, what))
        return
    try:
        pargs = list(args)
        i = pargs.index("--dir")
        pargs[i:i + 2] = ["--partition", dev]
        i = pargs.index("--swap")
        del pargs[i:i + 2]
        cfgdir = pargs[pargs.index("--output") + 1]
        r = sh(mk, *pargs, env=env)
        cfg = open(os.path.join(cfgdir, NAME)).read() \
            if r.returncode == 0 else ""
        fstab = debugfs_cat(dev, "/etc/fstab").decode()
        t.ok(r.returncode == 0 and sh("e2fsck", "-fn", dev).returncode == 0
             and "/dev/vda\t/\text4" in fstab and
             "no such swap in the domain's config" in fstab and
             "phy:%s,xvda1,w" % dev in cfg and "made" not in cfg,
             "--partition %s: clean ext4, fstab's swap commented out, the "
             "config names phy:%s" % (dev, dev), text(r) + fstab + cfg)
        r = sh(dele, "--output", cfgdir, NAME, env=env)
        t.ok(r.returncode == 0 and
             not os.path.exists(os.path.join(cfgdir, NAME)) and
             debugfs_cat(dev, "/etc/hostname") == (NAME + "\n").encode(),
             "--partition: xm-delete-image removes the config only, the "
             "partition keeps its filesystem", text(r))
        r = sh(mk, *pargs, env=env)
        t.ok(r.returncode == 1 and "%s holds a ext4 filesystem (--force "
             "formats it)" % dev in text(r),
             "--partition: a partition holding a filesystem is refused "
             "without --force", text(r))
    finally:
        sh("losetup", "-d", dev[:-2])


def boot_volume(t, tools, cfgfile):
    """xm create of the --lvm config: the guest boots from the volume to
    its login prompt (the new part of the console log is read)."""
    xenv = tools.xm_env()
    con = os.path.join(tools.xmroot, "var", "log", "xmd", "console",
                       NAME + ".log")
    start = os.path.getsize(con) if os.path.exists(con) else 0
    r = sh(tools.xm, "create", cfgfile, env=xenv)
    log = ""
    deadline = time.monotonic() + 200
    while time.monotonic() < deadline and r.returncode == 0:
        try:
            with open(con, "rb") as f:
                f.seek(start)
                log = f.read().decode(errors="replace").replace("\r", "")
        except OSError:
            pass
        if re.search(r"^%s login: ?" % NAME, log, re.M):
            break
        time.sleep(0.5)
    sh(tools.xm, "destroy", NAME, env=xenv)
    t.ok(r.returncode == 0 and "XMTEST root=/dev/vda ext4" in log and
         re.search(r"^%s login: ?" % NAME, log, re.M) is not None,
         "--lvm: the generated config boots from the volume (phy:VG/LV as "
         "/dev/vda) to `%s login:`" % NAME,
         text(r) + "\n".join(log.splitlines()[-15:]))


def lvm(t, mk, dele, args, work, env, tools):
    """--lvm VG on a loop device in L1: the volumes, the image in them,
    the config, a boot from it (tools: an xmd, None where Linux cannot
    boot here), xm-delete-image."""
    what = "--lvm"
    try:
        os.close(os.open("/dev/mapper/control", os.O_RDWR))
        ok = shutil.which("pvcreate") is not None and os.geteuid() == 0
    except OSError:
        ok = False
    if not ok:
        for _ in range(LVM_CHECKS):
            t.n += 1
            print("ok %d - %s # SKIP no device-mapper or LVM here (the "
                  "nested L1 has both)" % (t.n, what))
        return
    lenv = dict(env, LVM_SUPPRESS_FD_WARNINGS="1", DM_DISABLE_UDEV="1")
    vg = "xmimgvg%d" % os.getpid()
    back = os.path.join(work, "pv.img")
    with open(back, "wb") as f:
        f.truncate(160 << 20)
    loop = sh("losetup", "-f", "--show", back).stdout.decode().strip()
    try:
        rs = [sh("pvcreate", "-q", "-y", loop, env=lenv),
              sh("vgcreate", "-q", vg, loop, env=lenv)]
        largs = list(args)
        i = largs.index("--dir")
        largs[i:i + 2] = ["--lvm", vg]
        r = sh(mk, *largs, env=lenv)
        dev = "/dev/%s/%s-disk" % (vg, NAME)
        t.ok(all(x.returncode == 0 for x in rs) and r.returncode == 0 and
             os.path.exists(dev) and
             os.path.exists("/dev/%s/%s-swap" % (vg, NAME)),
             "--lvm: %s-disk and %s-swap made with lvcreate" % (NAME, NAME),
             "".join(text(x) for x in rs + [r]))
        fstab = debugfs_cat(dev, "/etc/fstab").decode()
        t.ok(sh("e2fsck", "-fn", dev).returncode == 0 and
             "/dev/vda\t/\text4" in fstab and
             debugfs_cat(dev, "/etc/hostname") == (NAME + "\n").encode(),
             "--lvm: the volume is clean ext4 with the fstab and hostname",
             fstab)
        cfg = open(os.path.join(largs[largs.index("--output") + 1],
                                NAME)).read()
        t.ok("phy:%s,xvda1,w" % dev in cfg, "--lvm: the config names "
             "phy:%s" % dev, cfg)
        if tools:
            boot_volume(t, tools, os.path.join(
                largs[largs.index("--output") + 1], NAME))
        else:
            t.n += 1
            print("ok %d - %s: booting from the volume # SKIP Linux cannot "
                  "boot here (run through scripts/with-kvm --linux)"
                  % (t.n, what))
        r = sh(dele, "--output", largs[largs.index("--output") + 1], NAME,
               env=lenv)
        t.ok(r.returncode == 0 and not os.path.exists(dev),
             "--lvm: xm-delete-image removes the volumes (lvremove)",
             text(r))
    finally:
        sh("vgremove", "-q", "-f", vg, env=lenv)
        sh("pvremove", "-q", "-f", loop, env=lenv)
        sh("losetup", "-d", loop)


if __name__ == "__main__":
    sys.exit(main())
