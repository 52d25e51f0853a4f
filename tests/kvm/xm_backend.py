#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""xm_backend.py: disk backends through xmd and xm (kvm tier), domains
created paused: which backends the monitor gets with O_DIRECT (phy: and
tap:aio:, read in /proc/PID/fdinfo of the monitor) and which buffered
(file:, tap:sync:); a block device's size from the device; images in
other formats refused with the qemu-img command that converts them (a
qcow2 image named file:, tap:qcow2:, a vhd); LVM volumes phy:VG/LV on a
loop device (pvcreate, vgcreate, lvcreate, then lvchange -an: the error
names the volume and `lvchange -ay VG/LV`; a missing volume group and a
missing volume), and on a kernel without device-mapper the error says
`modprobe dm-mod`.
O_DIRECT is checked on an ext4 loop mount where the temp dir is tmpfs,
and tap:aio: on tmpfs is refused. Loop devices and device-mapper exist in
scripts/with-kvm's nested machine; where one is missing its checks SKIP
with the reason. TAP."""
import errno
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import xmharness as H  # noqa: E402
from xmharness import KERNEL, XmdEnv, ok, skip  # noqa: E402

O_DIRECT = 0o40000
QEMU_IMG = shutil.which("qemu-img")


def sh(*args, timeout=60):
    return subprocess.run(list(args), capture_output=True, text=True,
                          timeout=timeout)


def image(path, mib=1):
    with open(path, "wb") as f:
        f.truncate(mib << 20)


def create(env, name, disks):
    path = os.path.join(env.root, name + ".cfg")
    with open(path, "w") as f:
        f.write('name = "%s"\nkernel = "%s"\nmemory = 32\nvcpus = 1\n'
                'disk = [%s]\n' % (name, KERNEL,
                                   ", ".join('"%s"' % d for d in disks)))
    return env.xm("create", "-p", path)


def fd_flags(pid, path):
    """{target: flags} of pid's fds whose target is path."""
    real = os.path.realpath(path)
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            if os.readlink("/proc/%d/fd/%s" % (pid, fd)) != real:
                continue
            with open("/proc/%d/fdinfo/%s" % (pid, fd)) as f:
                for line in f:
                    if line.startswith("flags:"):
                        return int(line.split()[1], 8)
        except OSError:
            continue
    return None


def direct_ok(directory):
    """Can directory's filesystem open a file O_DIRECT?"""
    p = os.path.join(directory, "direct.probe")
    image(p)
    try:
        os.close(os.open(p, os.O_RDWR | O_DIRECT))
        return True
    except OSError as e:
        return e.errno != errno.EINVAL
    finally:
        os.unlink(p)


def direct_dir(env):
    """(a directory whose filesystem does O_DIRECT, cleanup), or (None,
    reason): env.root when it can, else an ext4 filesystem on a loop
    device mounted under env.root (scripts/with-kvm's /tmp is tmpfs)."""
    if direct_ok(env.root):
        return env.root, lambda: None
    back, mnt = os.path.join(env.root, "ext4.img"), os.path.join(env.root,
                                                                 "ext4")
    image(back, 16)
    os.mkdir(mnt)
    r = sh("mke2fs", "-q", "-t", "ext4", "-F", back)
    if r.returncode == 0:
        r = sh("mount", "-o", "loop", back, mnt)
    if r.returncode != 0:
        return None, "%s refuses O_DIRECT (tmpfs) and no ext4 on a loop " \
            "device: %s" % (env.root, r.stderr.strip())
    return mnt, lambda: sh("umount", "-l", mnt)


def test_cache(env):
    # tap:aio: where O_DIRECT cannot be had (ramfs has none; tmpfs has
    # it from Linux 6.6): refused, never buffered
    nod = os.path.join(env.root, "ramfs")
    os.mkdir(nod)
    r = sh("mount", "-t", "ramfs", "xm-backend", nod)
    desc = ("tap:aio: on a filesystem without O_DIRECT (ramfs) is refused, "
            "naming the disk and what to use")
    if r.returncode != 0:
        skip(desc, "cannot mount a ramfs: %s" % r.stderr.strip())
    else:
        try:
            image(os.path.join(nod, "a.img"))
            r = create(env, "cachen", ["tap:aio:%s/a.img,xvda,w" % nod])
            ok(r.returncode != 0 and "cannot do O_DIRECT" in r.stderr and
               "file:" in r.stderr, desc, r.stderr)
        finally:
            sh("umount", "-l", nod)
    checks = ("tap:aio: reaches the monitor opened O_DIRECT",
              "tap:sync: is buffered", "file: is buffered")
    where, done = direct_dir(env)
    if where is None:
        for d in checks:
            skip(d, done)
        return
    try:
        img = {k: os.path.join(where, k + ".img")
               for k in ("aio", "sync", "file")}
        for p in img.values():
            image(p)
        r = create(env, "cache", ["tap:aio:%s,xvda,w" % img["aio"],
                                  "tap:sync:%s,xvdb,w" % img["sync"],
                                  "file:%s,xvdc,r" % img["file"]])
        pid = env.monitor_pid("cache") if r.returncode == 0 else None
        fl = {k: fd_flags(pid, p) if pid else None for k, p in img.items()}
        ok(fl["aio"] is not None and fl["aio"] & O_DIRECT, checks[0],
           "%s %s" % (fl, r.stderr))
        ok(fl["sync"] is not None and not fl["sync"] & O_DIRECT, checks[1],
           str(fl))
        ok(fl["file"] is not None and not fl["file"] & O_DIRECT, checks[2],
           str(fl))
        env.xm("destroy", "cache")
    finally:
        done()


def test_loop(env):
    back = os.path.join(env.root, "loop.img")
    image(back, 3)
    r = sh("losetup", "-f", "--show", back)
    dev = r.stdout.strip()
    checks = ("phy: on a loop device reaches the monitor O_DIRECT",
              "its size comes from the device (BLKGETSIZE64: 6144 sectors)")
    if r.returncode != 0 or not dev.startswith("/dev/loop"):
        for d in checks:
            skip(d, "no loop devices here: %s" %
                 (r.stderr.strip() or "losetup failed"))
        return
    try:
        r = create(env, "loop", ["phy:%s,xvda,w" % dev])
        pid = env.monitor_pid("loop") if r.returncode == 0 else None
        fl = fd_flags(pid, dev) if pid else None
        ok(fl is not None and fl & O_DIRECT, checks[0],
           "%s %s" % (fl, r.stderr))
        ok(re.search(r"disk xvda \(%s\): virtio-blk .* 6144 sectors" %
                     re.escape(dev), env.log_tail(40)) is not None,
           checks[1], env.log_tail())
        env.xm("destroy", "loop")
    finally:
        sh("losetup", "-d", dev)


def test_formats(env):
    q = os.path.join(env.root, "disk.qcow2")
    if not QEMU_IMG or sh(QEMU_IMG, "create", "-f", "qcow2", q,
                          "1M").returncode != 0:
        skip("a qcow2 image named file: is refused with qemu-img convert "
             "-O raw", "qemu-img (qemu-utils) is not installed")
    else:
        r = create(env, "fmt", ["file:%s,xvda,w" % q])
        ok(r.returncode != 0 and "a qcow2 image" in r.stderr and
           "qemu-img convert -O raw %s" % q in r.stderr,
           "a qcow2 image named file: is refused with qemu-img convert "
           "-O raw", r.stderr)
    r = create(env, "fmt", ["tap:qcow2:%s,xvda,w" % q])
    ok(r.returncode != 0 and "qemu-img convert -O raw" in r.stderr,
       "tap:qcow2: is refused with the same advice", r.stderr)
    v = os.path.join(env.root, "disk.vhd")
    with open(v, "wb") as f:
        f.write(b"conectix" + bytes(504))
        f.truncate(1 << 20)
    r = create(env, "fmt", ["file:%s,xvda,w" % v])
    ok(r.returncode != 0 and "a vhd image" in r.stderr,
       "a dynamic vhd's header (conectix) is refused too", r.stderr)
    r = create(env, "fmt", ["tap:vhd:%s,xvda,w" % v])
    ok(r.returncode != 0 and "qemu-img convert -O raw" in r.stderr,
       "tap:vhd: is refused", r.stderr)


def has_dm():
    return os.path.exists("/dev/mapper/control") and \
        sh("dmsetup", "version").returncode == 0


def test_no_dm(env):
    """Without device-mapper the error names the volume and the module.
    Where the kernel has it this cannot be staged: libdevmapper makes a
    missing /dev/mapper/control again (and replaces a wrong one)."""
    desc = ("without device-mapper: the error names the volume and "
            "`modprobe dm-mod`")
    if has_dm():
        skip(desc, "this kernel has device-mapper (tested where it has "
             "none)")
        return
    r = create(env, "lvm", ["phy:vg0/root,xvda,w"])
    ok(r.returncode != 0 and "vg0/root" in r.stderr and
       "modprobe dm-mod" in r.stderr, desc, r.stderr)


def test_lvm(env):
    vg = "xmtvg%d" % os.getpid()
    checks = ("pvcreate, vgcreate, lvcreate on a loop device",
              "phy:VG/LV of an active volume: the domain is created",
              "the monitor has the volume's device-mapper node, O_DIRECT",
              "lvchange -an: the create fails naming the volume and "
              "`lvchange -ay VG/LV`",
              "a missing volume group is named as such",
              "a missing volume in an existing group is named as such")
    test_no_dm(env)
    if not has_dm():
        for d in checks:
            skip(d, "no device-mapper here (scripts/with-kvm's nested "
                 "machine has it)")
        return
    back = os.path.join(env.root, "pv.img")
    image(back, 16)
    r = sh("losetup", "-f", "--show", back)
    dev = r.stdout.strip()
    if r.returncode != 0:
        for d in checks:
            skip(d, "no loop devices: %s" % r.stderr.strip())
        return
    # No udev in the nested machine: LVM makes its /dev nodes itself.
    lvm_env = dict(os.environ, LVM_SUPPRESS_FD_WARNINGS="1",
                   DM_DISABLE_UDEV="1")

    def lvm(*a):
        return subprocess.run(list(a), capture_output=True, text=True,
                              env=lvm_env, timeout=120)
    try:
        r1 = lvm("pvcreate", "-q", "-y", dev)
        r2 = lvm("vgcreate", "-q", vg, dev)
        r3 = lvm("lvcreate", "-q", "-y", "-n", "root", "-L", "4M", vg)
        ok(r1.returncode == 0 and r2.returncode == 0 and
           r3.returncode == 0, checks[0], r1.stderr + r2.stderr +
           r3.stderr)
        r = create(env, "lvm", ["phy:%s/root,hda1,w" % vg])
        ok(r.returncode == 0, checks[1], r.stderr + env.log_tail())
        pid = env.monitor_pid("lvm") if r.returncode == 0 else None
        node = "/dev/mapper/%s-root" % vg
        fl = fd_flags(pid, node) if pid else None
        ok(fl is not None and fl & O_DIRECT, checks[2], str(fl))
        env.xm("destroy", "lvm")
        lvm("lvchange", "-an", "%s/root" % vg)
        r = create(env, "lvm", ["phy:%s/root,hda1,w" % vg])
        ok(r.returncode != 0 and "%s/root is not active" % vg in r.stderr
           and "lvchange -ay %s/root" % vg in r.stderr, checks[3],
           r.stderr)
        r = create(env, "lvm", ["phy:%snone/root,hda1,w" % vg])
        ok(r.returncode != 0 and "volume group %snone not found" % vg in
           r.stderr, checks[4], r.stderr)
        r = create(env, "lvm", ["phy:%s/nothere,hda1,w" % vg])
        ok(r.returncode != 0 and "has no logical volume nothere" in
           r.stderr, checks[5], r.stderr)
    finally:
        lvm("vgremove", "-q", "-f", vg)
        lvm("pvremove", "-q", "-f", dev)
        sh("losetup", "-d", dev)


def main():
    H.require()
    env = XmdEnv("xm-backend-")
    try:
        ok(env.start_xmd(), "xmd starts", env.log_tail())
        test_cache(env)
        test_loop(env)
        test_formats(env)
        test_lvm(env)
    finally:
        env.cleanup()
    return H.plan()


if __name__ == "__main__":
    sys.exit(main())
