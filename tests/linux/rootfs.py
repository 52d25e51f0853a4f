# SPDX-License-Identifier: GPL-2.0-or-later
"""rootfs.py: the real-Linux tier, a guest on its own root filesystem: an
ext4 image the test builds with `mke2fs -d` from a staging tree (no mount:
busybox-static, an /sbin/init script that prints a marker and the sha256
of its files, then writes a file, syncs and powers off), booted through
xmd and `xm create` with the seed's style of config
(disk = ['file:IMG,hda1,w'], root = "/dev/hda1 ro", 2 vCPUs): the
initramfs mounts the rewritten root /dev/vda and hands over to the image's
own /sbin/init; the files' sha256 match the host's; the write survives and
the host reads it (debugfs, no mount); the disk has one queue per vCPU.
Then the same image on real LVM inside L1 (pvcreate on a loop device,
vgcreate, lvcreate, `phy:VG/LV`) boots the same way, and with the volume
deactivated `xm create` fails naming it and `lvchange -ay VG/LV`. TAP;
runs through scripts/with-kvm --linux (make check-linux)."""

import hashlib
import os
import random
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # the source tree may be read-only
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import l2  # noqa: E402
from boot import Tap  # noqa: E402

IMG_MIB = 32
FILES = {"a.bin": 300 * 1024, "b.bin": 4096, "c.txt": 777}
APPLETS = ("sh mount umount cat echo ls wc sync poweroff sha256sum awk "
           "nproc sleep mkdir").split()
INIT = r"""#!/bin/sh
# /sbin/init of the image the real-Linux tier builds (tests/linux/rootfs.py)
export PATH=/bin
# /dev first, without redirections: / is read-only and /dev is empty.
mount -t devtmpfs dev /dev
mount -t proc proc /proc
mount -t sysfs sys /sys
echo "XMTEST rootinit=ok"
echo "XMTEST rootinit_pid=$$"
echo "XMTEST rootinit_image=$(cat /etc/xmtest-image)"
echo "XMTEST rootinit_mount=$(awk '$2 == "/" { print $1 " " $3 " " substr($4, 1, 2) }' /proc/mounts)"
echo "XMTEST rootinit_nproc=$(nproc)"
echo "XMTEST rootinit_queues=$(ls /sys/block/vda/mq 2>/dev/null | wc -l)"
for f in /data/*; do
	echo "XMTEST sha256_${f##*/}=$(sha256sum "$f" | awk '{ print $1 }')"
done
mount -o remount,rw /
cat /etc/xmtest-image >/data/written
sync
echo "XMTEST rootinit_written=1"
poweroff -f
"""


def sh(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True,
                          timeout=300, **kw)


def build_image(work, nonce):
    """The ext4 image and the sha256 of its /data files."""
    stage = os.path.join(work, "stage")
    for d in ("bin", "sbin", "etc", "data", "proc", "sys", "dev", "tmp"):
        os.makedirs(os.path.join(stage, d), exist_ok=True)
    busybox = shutil.which("busybox") or "/bin/busybox"
    shutil.copy(busybox, os.path.join(stage, "bin", "busybox"))
    for a in APPLETS:
        os.symlink("busybox", os.path.join(stage, "bin", a))
    with open(os.path.join(stage, "sbin", "init"), "w") as f:
        f.write(INIT)
    os.chmod(os.path.join(stage, "sbin", "init"), 0o755)
    with open(os.path.join(stage, "etc", "xmtest-image"), "w") as f:
        f.write("image-%s\n" % nonce)
    sums = {}
    for name, size in FILES.items():
        data = os.urandom(size)
        with open(os.path.join(stage, "data", name), "wb") as f:
            f.write(data)
        sums[name] = hashlib.sha256(data).hexdigest()
    img = os.path.join(work, "root.img")
    r = sh("mke2fs", "-q", "-F", "-t", "ext4", "-L", "xmroot", "-d", stage,
           img, "%dM" % IMG_MIB)
    if r.returncode != 0:
        raise RuntimeError("mke2fs -d: %s" % r.stderr)
    return img, sums


def debugfs_cat(dev, path):
    r = sh("debugfs", "-R", "cat %s" % path, dev)
    return r.stdout if r.returncode == 0 else None


def check_boot(t, run, what, nonce, sums, dev):
    kv = run["kv"]
    t.ok(not run["timeout"] and run.get("rc") is not None,
         "%s: the domain ended by itself" % what,
         "\n".join((run["mon"] + run["con"])[-15:]))
    t.ok(kv.get("initramfs_root") == "/dev/vda",
         "%s: root=/dev/hda1 reached the guest as /dev/vda" % what,
         "root=%s cmdline=%s" % (kv.get("initramfs_root"),
                                 kv.get("cmdline")))
    t.ok(kv.get("rootinit") == "ok" and
         kv.get("rootinit_image") == "image-%s" % nonce and
         kv.get("rootinit_pid") == "1",
         "%s: the image's own /sbin/init runs as pid 1 (not the "
         "initramfs)" % what,
         "rootinit=%s image=%s pid=%s" % (
             kv.get("rootinit"), kv.get("rootinit_image"),
             kv.get("rootinit_pid")))
    t.ok(kv.get("rootinit_mount") == "/dev/vda ext4 ro",
         "%s: / is /dev/vda, ext4, mounted read-only (root=... ro)" % what,
         "mount=%s" % kv.get("rootinit_mount"))
    bad = [n for n, s in sums.items() if kv.get("sha256_" + n) != s]
    t.ok(not bad, "%s: the sha256 of its %d files equal the host's" %
         (what, len(sums)), "differ: %s" % bad)
    t.ok(kv.get("rootinit_nproc") == "2" and
         kv.get("rootinit_queues") == "2",
         "%s: 2 vCPUs, the root disk has 2 queues (multi-queue)" % what,
         "nproc=%s queues=%s" % (kv.get("rootinit_nproc"),
                                 kv.get("rootinit_queues")))
    got = debugfs_cat(dev, "/data/written")
    t.ok(kv.get("rootinit_written") == "1" and
         got == "image-%s\n" % nonce,
         "%s: the guest's write (then sync) survived: the host reads it "
         "from %s (debugfs)" % (what, os.path.basename(dev)), repr(got))
    t.ok(l2.reason(run) == "poweroff", "%s: ends with reason poweroff" %
         what, "got %s" % l2.reason(run))


def dm_works():
    try:
        os.close(os.open("/dev/mapper/control", os.O_RDWR))
    except OSError:
        return False
    return True


LVM_CHECKS = ("pvcreate, vgcreate, lvcreate on a loop device in L1, the "
              "image copied in",)
LVM_BOOT = 8
LVM_AFTER = ("lvchange -an: xm create fails naming the volume and "
             "`lvchange -ay VG/LV`",)


def run_lvm(t, n, img, nonce, sums, paths, tools, work, cmd):
    what = "LVM phy:VG/LV"
    if not dm_works() or not shutil.which("pvcreate"):
        why = "no device-mapper or LVM here (the nested L1 has both)"
        for _ in range(len(LVM_CHECKS) + LVM_BOOT + len(LVM_AFTER)):
            print("ok %d - %s # SKIP %s" % (t.n + 1, what, why))
            t.n += 1
        return None
    # No udev in the nested machine: LVM makes its /dev nodes itself.
    env = dict(os.environ, LVM_SUPPRESS_FD_WARNINGS="1", DM_DISABLE_UDEV="1")
    vg = "xml2vg%d" % os.getpid()
    back = os.path.join(work, "pv.img")
    with open(back, "wb") as f:
        f.truncate((IMG_MIB + 16) << 20)
    loop = sh("losetup", "-f", "--show", back).stdout.strip()
    lv = "/dev/%s/root" % vg
    try:
        rs = [sh("pvcreate", "-q", "-y", loop, env=env),
              sh("vgcreate", "-q", vg, loop, env=env),
              sh("lvcreate", "-q", "-y", "-n", "root", "-L",
                 "%dM" % IMG_MIB, vg, env=env)]
        rs.append(sh("dd", "if=" + img, "of=" + lv, "bs=1M",
                     "oflag=direct"))
        t.ok(all(r.returncode == 0 for r in rs), LVM_CHECKS[0],
             "".join(r.stderr for r in rs))
        run = l2.run(n, "xm", 2, 256, "rootfs", cmd, paths, tools, work,
                     disks=["phy:%s/root,hda1,w" % vg], root="/dev/hda1 ro")
        check_boot(t, run, what, nonce, sums, lv)
        sh("lvchange", "-an", "%s/root" % vg, env=env)
        cfg = os.path.join(tools.xmroot, "etc", "xen", "l2-%d" % n)
        r = subprocess.run([tools.xm, "create", cfg], env=tools.xm_env(),
                           capture_output=True, text=True)
        t.ok(r.returncode != 0 and "%s/root is not active" % vg in
             r.stderr and "lvchange -ay %s/root" % vg in r.stderr,
             LVM_AFTER[0], r.stderr)
        return run
    finally:
        sh("vgremove", "-q", "-f", vg, env=env)
        sh("pvremove", "-q", "-f", loop, env=env)
        sh("losetup", "-d", loop)


def main():
    top = os.environ.get("top_builddir", ".")
    outdir = os.path.join(top, "tests", "linux")
    tools = l2.Tools(top)
    work, paths = l2.tier_start(outdir, (tools.xmhv, tools.xmd, tools.xm))
    t = Tap()
    nonce = "%08x" % random.getrandbits(32)
    runs = []
    try:
        img, sums = build_image(work, nonce)
        t.ok(debugfs_cat(img, "/etc/xmtest-image") == "image-%s\n" % nonce,
             "mke2fs -d built an ext4 image from the staging tree (no "
             "mount)")
        cmd = ("console=ttyS0 xmtest.action=rootfs xmtest.nonce=%s" % nonce)
        run = l2.run(1, "xm", 2, 256, "rootfs", cmd, paths, tools, work,
                     disks=["file:%s,hda1,w" % img], root="/dev/hda1 ro")
        runs.append(run)
        cfg = os.path.join(tools.xmroot, "etc", "xen", "l2-1")
        r = subprocess.run([tools.xm, "create", "-n", cfg],
                           env=tools.xm_env(), capture_output=True,
                           text=True)
        t.ok("(dev hda1) (mode w) (guest_dev vda)" in r.stdout and
             "root=/dev/vda ro" in r.stdout,
             "xm create -n shows hda1 as vda and root=/dev/vda",
             r.stdout + r.stderr)
        check_boot(t, run, "file: image as hda1", nonce, sums, img)
        # The LVM run writes its own copy: start it from the pristine image.
        img2, sums2 = build_image(os.path.join(work, "lvm"), nonce)
        lrun = run_lvm(t, 2, img2, nonce, sums2, paths, tools,
                       os.path.join(work, "lvm"), cmd)
        if lrun:
            runs.append(lrun)
    finally:
        tools.stop()
    for f in l2.save_artifacts(runs, os.path.join(outdir, "artifacts"),
                               "rootfs"):
        l2.log("artifact %s" % f)
    shutil.rmtree(work, ignore_errors=True)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
