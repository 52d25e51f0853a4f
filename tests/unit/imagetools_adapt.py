# SPDX-License-Identifier: GPL-2.0-or-later
"""imagetools_adapt.py: xm-adapt-image on an image laid out like a Xen
guest, built here with mke2fs -d (no mount, no root): /etc/fstab naming
xvda1, xvda2 and a disk the config lacks, menu.lst with root=/dev/xvda1
console=hvc0, a getty on hvc0 in inittab and systemd's
serial-getty@hvc0.service, a -xen kernel beside a generic one whose
initrd has no virtio drivers. --dry-run lists the changes and the advice
and leaves the image as it was; the fix makes them (debugfs reads them
back, e2fsck -fn finds the image clean); a second run finds nothing to
change; --uuid writes the filesystem's UUID into fstab. Then an MBR disk
image (sfdisk) named xvda whose partition 1 holds the filesystem:
/dev/xvda1 and /dev/xvda2 become /dev/vda1 and /dev/vda2, or partition
1's UUID. TAP."""

import gzip
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
TOP_SRC = os.environ.get("top_srcdir", ".")
sys.path.insert(0, os.path.join(TOP_SRC, "scripts"))
from l1 import cpio  # noqa: E402

n = 0
failed = 0


def ok(cond, desc, diag=""):
    global n, failed
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, desc))
    if not cond:
        failed += 1
        for line in str(diag).splitlines():
            print("#   " + line)
    sys.stdout.flush()


def run(*args):
    return subprocess.run(list(args), capture_output=True, text=True)


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def build(work):
    st = os.path.join(work, "stage")
    for d in ("etc/systemd/system/getty.target.wants", "boot/grub",
              "lib/modules/6.1.0-9-amd64"):
        os.makedirs(os.path.join(st, d))

    def put(rel, text):
        with open(os.path.join(st, rel), "w") as f:
            f.write(text)
    put("etc/fstab", "/dev/xvda1 / ext3 defaults 0 1\n"
        "/dev/xvda2 none swap sw 0 0\n/dev/xvdc1 /data ext3 defaults 0 2\n"
        "proc /proc proc defaults 0 0\n")
    put("etc/inittab", "id:2:initdefault:\n"
        "1:2345:respawn:/sbin/getty 38400 tty1\n"
        "co:2345:respawn:/sbin/getty hvc0 9600 linux\n")
    os.symlink("/lib/systemd/system/serial-getty@.service",
               os.path.join(st, "etc/systemd/system/getty.target.wants/"
                            "serial-getty@hvc0.service"))
    put("boot/vmlinuz-2.6.18-6-xen-amd64", "a Xen-only kernel\n")
    put("boot/vmlinuz-6.1.0-9-amd64", "a generic kernel\n")
    put("boot/grub/menu.lst", "default 0\ntitle Debian (xen)\nroot (hd0,0)\n"
        "kernel /boot/vmlinuz-2.6.18-6-xen-amd64 root=/dev/xvda1 ro "
        "console=hvc0\n")
    cp = cpio.Cpio()
    cp.add_dir("lib/modules")
    cp.add_file("lib/modules/xen-blkfront.ko", data=b"\0" * 64)
    raw = os.path.join(work, "rd.cpio")
    cp.write(raw)
    with open(raw, "rb") as f, gzip.open(os.path.join(
            st, "boot/initrd.img-6.1.0-9-amd64"), "wb") as g:
        g.write(f.read())
    img = os.path.join(work, "root.img")
    r = run("mke2fs", "-q", "-F", "-t", "ext4", "-d", st, img, "32M")
    swap = os.path.join(work, "swap.img")
    with open(swap, "wb") as f:
        f.truncate(8 << 20)
    cfg = os.path.join(work, "old1")
    with open(cfg, "w") as f:
        f.write('name = "old1"\nmemory = 128\nkernel = "%s"\n'
                'disk = [ "file:%s,xvda1,w", "file:%s,xvda2,w" ]\n'
                'root = "/dev/xvda1 ro"\n' % (
                    os.path.join(st, "boot/vmlinuz-6.1.0-9-amd64"), img, swap))
    return r, img, cfg


def cat(img, path):
    return run("debugfs", "-R", "cat " + path, img).stdout


def partitioned(work, tool):
    """A whole-disk vdev (xvda) with an MBR: the filesystem in partition 1
    names /dev/xvda1 and /dev/xvda2, which become /dev/vda1 and
    /dev/vda2 (or partition 1's UUID with --uuid)."""
    what = "an MBR disk image (xvda, ext4 in partition 1)"
    if not shutil.which("sfdisk"):
        for _ in range(3):
            ok(True, "%s # SKIP sfdisk is not installed (fdisk)" % what)
        return
    st = os.path.join(work, "pstage", "etc")
    os.makedirs(st)
    with open(os.path.join(st, "fstab"), "w") as f:
        f.write("/dev/xvda1 / ext4 defaults 0 1\n"
                "/dev/xvda2 none swap sw 0 0\n")
    part = os.path.join(work, "part.img")
    disk = os.path.join(work, "disk.img")
    r1 = run("mke2fs", "-q", "-F", "-t", "ext4", "-d",
             os.path.dirname(st), part, "16M")
    with open(disk, "wb") as f:
        f.truncate(24 << 20)
    r2 = subprocess.run(["sfdisk", "-q", disk], input="2048,32768,L\n"
                        ",,S\n", capture_output=True, text=True)
    with open(part, "rb") as src, open(disk, "r+b") as dst:
        dst.seek(1 << 20)
        dst.write(src.read())
    cfg = os.path.join(work, "pdisk")
    with open(cfg, "w") as f:
        f.write('name = "pdisk"\nmemory = 128\nbootloader = "pygrub"\n'
                'disk = [ "file:%s,xvda,w" ]\n' % disk)
    r = run(tool, cfg)
    out = r.stdout

    def fstab_of():
        with open(disk, "rb") as src, open(part, "wb") as dst:
            src.seek(1 << 20)
            dst.write(src.read(16 << 20))
        return cat(part, "/etc/fstab")
    fstab = fstab_of()
    ok(r1.returncode == 0 and r2.returncode == 0 and r.returncode == 0 and
       "xvda (file:%s) partition 1: fixed /etc/fstab: 2 Xen disk names" %
       disk in out and
       fstab == "/dev/vda1 / ext4 defaults 0 1\n"
       "/dev/vda2 none swap sw 0 0\n",
       "%s: /dev/xvda1 -> /dev/vda1, /dev/xvda2 -> /dev/vda2" % what,
       r1.stderr + r2.stderr + out + fstab)
    r = run(tool, cfg)
    ok(r.returncode == 0 and "0 changes made" in r.stdout,
       "%s: a second run finds nothing" % what, r.stdout)
    with open(os.path.join(work, "pstage", "etc", "fstab"), "w") as f:
        f.write("/dev/xvda1 / ext4 defaults 0 1\n")
    run("mke2fs", "-q", "-F", "-t", "ext4", "-d",
        os.path.join(work, "pstage"), part, "16M")
    uuid = run("blkid", "-s", "UUID", "-o", "value", part).stdout.strip()
    with open(part, "rb") as src, open(disk, "r+b") as dst:
        dst.seek(1 << 20)
        dst.write(src.read())
    r = run(tool, "--uuid", cfg)
    fstab = fstab_of()
    ok(r.returncode == 0 and uuid and
       fstab == "UUID=%s / ext4 defaults 0 1\n" % uuid,
       "%s: --uuid names partition 1 by its UUID" % what, fstab + r.stdout)


def main():
    top = os.environ.get("top_builddir", ".")
    tool = os.path.join(top, "imagetools", "xm-adapt-image")
    for prog in ("mke2fs", "debugfs", "e2fsck"):
        if not shutil.which(prog):
            print("1..0 # SKIP %s is not installed (e2fsprogs)" % prog)
            return 0
    work = tempfile.mkdtemp(prefix="xmadapt.")
    try:
        r, img, cfg = build(work)
        ok(r.returncode == 0, "an image laid out like a Xen guest "
           "(mke2fs -d)", r.stderr)
        before = sha(img)
        r = run(tool, "--dry-run", cfg)
        out = r.stdout
        ok(r.returncode == 0 and "5 changes to make" in out and
           out.count("would fix") == 5, "--dry-run lists 5 changes", out)
        ok(all(s in out for s in (
            "would fix /etc/fstab: 2 Xen disk names",
            "would fix /boot/grub/menu.lst: 1 Xen disk name",
            "would fix /boot/grub/menu.lst: 1 console=hvc0/xvc0",
            "would fix /etc/inittab: the getty on xvc0/hvc0 moved",
            "serial-getty@hvc0.service: replaced by "
            "serial-getty@ttyS0.service")),
           "... fstab, menu.lst's root= and console=, inittab, systemd's "
           "getty", out)
        ok("vmlinuz-2.6.18-6-xen-amd64 is a Xen-only kernel" in out and
           "boot /boot/vmlinuz-6.1.0-9-amd64 instead" in out,
           "advice: the Xen-only kernel, and the generic one beside it",
           out)
        ok("initrd.img-6.1.0-9-amd64 has no virtio_blk and virtio_pci" in
           out and "update-initramfs -u" in out,
           "advice: the initrd lacks virtio_blk and virtio_pci, rebuild it "
           "with update-initramfs", out)
        ok("/etc/fstab still names /dev/xvdc1 " in out,
           "advice: fstab's /dev/xvdc1 is no disk of the config", out)
        ok("xvda2 (file:%s): skipped: no ext2/3/4 filesystem" %
           img.replace("root.img", "swap.img") in out,
           "the swap disk is skipped, saying why", out)
        ok(sha(img) == before, "--dry-run leaves the image as it was")
        r = run(tool, cfg)
        ok(r.returncode == 0 and "5 changes made" in r.stdout,
           "the fix makes the 5 changes", r.stdout + r.stderr)
        fstab = cat(img, "/etc/fstab")
        ok(fstab.startswith("/dev/vda / ext3 defaults 0 1\n"
                            "/dev/vdb none swap sw 0 0\n/dev/xvdc1 /data"),
           "fstab: xvda1 -> /dev/vda, xvda2 -> /dev/vdb", fstab)
        menu = cat(img, "/boot/grub/menu.lst")
        ok("root=/dev/vda ro console=ttyS0\n" in menu,
           "menu.lst: root=/dev/vda console=ttyS0", menu)
        inittab = cat(img, "/etc/inittab")
        ok("co:2345:respawn:/sbin/getty ttyS0 9600 linux\n" in inittab and
           "getty hvc0" not in inittab.split("was:")[-1].split("\n", 1)[1],
           "inittab: the getty runs on ttyS0", inittab)
        ls = run("debugfs", "-R", "ls /etc/systemd/system/getty.target.wants",
                 img).stdout
        st = run("debugfs", "-R", "stat /etc/systemd/system/getty.target."
                 "wants/serial-getty@ttyS0.service", img).stdout
        ok("serial-getty@ttyS0.service" in ls and "hvc0" not in ls and
           "Fast link dest: \"/lib/systemd/system/serial-getty@.service\""
           in st, "systemd: serial-getty@ttyS0.service -> "
           "serial-getty@.service, the hvc0 link gone", ls + st)
        r = run("e2fsck", "-fn", img)
        ok(r.returncode == 0, "e2fsck -fn: clean", r.stdout + r.stderr)
        r = run(tool, cfg)
        ok(r.returncode == 0 and "0 changes made" in r.stdout and
           "fixed" not in r.stdout, "a second run finds nothing to change",
           r.stdout)
        os.makedirs(os.path.join(work, "u"))
        _, img2, cfg2 = build(os.path.join(work, "u"))
        uuid = run("blkid", "-s", "UUID", "-o", "value", img2).stdout.strip()
        r = run(tool, "--uuid", cfg2)
        fstab = cat(img2, "/etc/fstab")
        ok(r.returncode == 0 and uuid and
           fstab.startswith("UUID=%s / ext3" % uuid) and
           "/dev/vdb none swap" in fstab,
           "--uuid: the root is UUID=%s (blkid's), swap /dev/vdb" % uuid,
           fstab + r.stdout)
        partitioned(work, tool)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
