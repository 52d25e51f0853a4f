#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""xm_bootdisk.py: booting from the guest's own disk through xmd and xm
(kvm tier), with the test guest kernel put in ext4 images built here
(mke2fs -d, sfdisk): bootloader = "/usr/bin/pygrub" with a Debian-shaped
grub.cfg (the default entry, then bootloader_args' --entry), PV-GRUB's
kernel= with a grub-legacy menu.lst on a partition, an HVM config whose
kernel= is hvmloader with an extlinux.conf on an MBR partition. Each time
the guest reports the command line and initrd it got, compared with what
the host computes from the image and the config (the entry's arguments,
Xen's disk names rewritten, the config's extra, console=ttyS0). Then the
refusals: an HVM guest whose disk has no Linux boot entry (an emulated PC
would be needed), a crafted image (a symlink loop), and xmd still
answering. The initrd is a gzip'd cpio with only Xen's xen-blkfront: xm
create and xmd warn that the guest may not find its disk. TAP."""
import os
import shutil
import subprocess
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import xmharness as H  # noqa: E402
from xmharness import KERNEL, XmdEnv, ok  # noqa: E402
from xm_blk import Guest  # noqa: E402

def xen_only_initrd():
    """A gzip'd newc initramfs built for Xen: xen-blkfront, no virtio."""
    sys.path.insert(0, os.path.join(H.top_srcdir, "scripts"))
    from l1 import cpio
    import gzip
    import tempfile
    c = cpio.Cpio()
    c.add_file("usr/lib/modules/6.1/kernel/drivers/block/xen-blkfront.ko",
               data=bytes((i * 7 + 3) & 0xff for i in range(70000)))
    with tempfile.NamedTemporaryFile() as f:
        c.write(f.name)
        return gzip.compress(open(f.name, "rb").read(), mtime=0)


INITRD = xen_only_initrd()

GRUB_CFG = r"""
if [ -s $prefix/grubenv ]; then
  load_env
fi
if [ "${next_entry}" ] ; then
   set default="${next_entry}"
else
   set default="0"
fi
menuentry 'Test Linux' --class debian $menuentry_id_option 'test-simple' {
	insmod ext2
	set root='hd0,msdos1'
	linux	/boot/vmlinuz-test root=/dev/xvda1 ro quiet
	initrd	/boot/initrd.img-test
}
submenu 'Advanced options for Test Linux' {
	menuentry 'Test Linux (recovery mode)' {
		linux	/boot/vmlinuz-test root=/dev/xvda1 ro single xmentry=recovery
		initrd	/boot/initrd.img-test
	}
}
"""

MENU_LST = """default 0
timeout 5
title Test (xen)
	root (hd0,0)
	kernel /boot/vmlinuz-test-xen ro root=/dev/xvda1
title Test
	root (hd0,0)
	kernel /boot/vmlinuz-test ro root=/dev/sda1 xmentry=menulst
	initrd /boot/initrd.img-test
"""

EXTLINUX = """DEFAULT linux
LABEL linux
  MENU LABEL Test HVM
  LINUX /boot/vmlinuz-test
  INITRD /boot/initrd.img-test
  APPEND root=/dev/hda1 console=tty0 xmentry=extlinux
"""


def build_fs(root, files, img, size_mib=8, offset=0):
    for path, data in files.items():
        p = os.path.join(root, path.lstrip("/"))
        os.makedirs(os.path.dirname(p), exist_ok=True)
        if isinstance(data, tuple):  # ("symlink", target)
            os.symlink(data[1], p)
            continue
        with open(p, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
    r = subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-d", root,
                        "-E", "offset=%d" % offset, img, "%dM" % size_mib],
                       capture_output=True, text=True)
    return r.returncode == 0


def mbr(img, size_mib):
    with open(img, "wb") as f:
        f.truncate(size_mib << 20)
    r = subprocess.run(["sfdisk", "-q", img], input="label: dos\n"
                       "start=2048, type=83\n", text=True,
                       capture_output=True)
    return r.returncode == 0


def boot_and_check(env, name, cfg, want_cmdline, desc):
    """Create the domain, read its boot report, compare, destroy it."""
    r = env.xm("create", cfg)
    ok(r.returncode == 0 and "Booting '" in r.stdout and
       "Warning: the initrd has no virtio_blk" in r.stderr,
       "%s: xm create says which entry it booted, and warns of the "
       "initrd without virtio" % desc,
       r.stdout + r.stderr + env.log_tail())
    if r.returncode != 0:
        for _ in range(3):
            H.skip(desc, "the domain was not created")
        return r.stdout
    g = Guest(env, name)
    try:
        m = g.expect(rb"xmguest: booted via (\S+)")
        ok(m is not None and m.group(1) == b"bzImage64",
           "%s: the kernel from the disk boots (bzImage, 64-bit entry)" %
           desc, g.tail())
        m = g.expect(rb"cmdline: ([^\r\n]*)\r\n")
        got = m.group(1).decode() if m else None
        ok(got == want_cmdline,
           "%s: the guest's command line is the host's: %s" %
           (desc, want_cmdline), "got: %r\n%s" % (got, g.tail()))
        m = g.expect(rb"initrd: (\d+) bytes crc32 ([0-9a-f]{8})")
        ok(m is not None and int(m.group(1)) == len(INITRD) and
           m.group(2).decode() == "%08x" % zlib.crc32(INITRD),
           "%s: the guest's initrd has the size and CRC32 of the file in "
           "the image" % desc, g.tail())
    finally:
        g.close()
    env.xm("destroy", name)
    return r.stdout


def main():
    H.require()
    for tool in ("mke2fs", "sfdisk"):
        if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool) \
                and not os.path.exists("/sbin/" + tool):
            H.skip_all("%s is not installed (scripts/install-deps)" % tool)
    os.environ["PATH"] += ":/usr/sbin:/sbin"
    env = XmdEnv("xm-bootdisk-")
    try:
        kernel = open(KERNEL, "rb").read()
        base = {"/boot/vmlinuz-test": kernel,
                "/boot/initrd.img-test": INITRD}
        # 1. pygrub, a filesystem at 0, Debian's grub.cfg shape
        img = os.path.join(env.root, "deb.img")
        files = dict(base)
        files["/boot/grub/grub.cfg"] = GRUB_CFG
        ok(build_fs(os.path.join(env.root, "t1"), files, img),
           "an ext4 image with /boot/grub/grub.cfg (mke2fs -d)")
        cfg = os.path.join(env.root, "pyg.cfg")
        with open(cfg, "w") as f:
            f.write('name = "pyg"\nbootloader = "/usr/bin/pygrub"\n'
                    'memory = 32\ndisk = ["file:%s,xvda1,w"]\n'
                    'extra = "xmtest=4711"\n' % img)
        ok(env.start_xmd(), "xmd starts", env.log_tail())
        r = env.xm("create", "-n", cfg)
        ok(r.returncode == 0 and
           "Note: boot entry: 'Test Linux' (entry 0 of "
           "/boot/grub/grub.cfg on xvda1)" in r.stderr and
           "Note: kernel command line: root=/dev/vda ro quiet "
           "xmtest=4711 console=ttyS0" in r.stderr,
           "xm create -n shows the entry and its command line",
           r.stdout + r.stderr)
        out = boot_and_check(env, "pyg", cfg,
                             "root=/dev/vda ro quiet xmtest=4711 "
                             "console=ttyS0",
                             "pygrub, default entry")
        ok("booting 'Test Linux'" in env.log_tail(40),
           "xmd's log names the entry", env.log_tail())
        ok("the initrd has no virtio_blk and virtio_pci module" in
           env.log_tail(40), "xmd warns that the initrd (Xen's "
           "xen-blkfront only) has no virtio_blk and virtio_pci",
           env.log_tail())
        with open(cfg, "a") as f:
            f.write('bootloader_args = ["--entry=1>0"]\n')
        boot_and_check(env, "pyg", cfg,
                       "root=/dev/vda ro single xmentry=recovery "
                       "xmtest=4711 console=ttyS0",
                       "pygrub, bootloader_args --entry=1>0")
        # 2. PV-GRUB, an MBR partition, grub-legacy with a Xen entry first
        img = os.path.join(env.root, "pvgrub.img")
        files = dict(base)
        files["/boot/grub/menu.lst"] = MENU_LST
        files["/boot/vmlinuz-test-xen"] = kernel
        ok(mbr(img, 12) and build_fs(os.path.join(env.root, "t2"), files,
                                     img, offset=2048 * 512),
           "an MBR image with ext4 on partition 1 (sfdisk, mke2fs)")
        cfg = os.path.join(env.root, "pvgrub.cfg")
        with open(cfg, "w") as f:
            f.write('name = "pvgrub"\n'
                    'kernel = "/usr/lib/xen/boot/pv-grub-x86_64.gz"\n'
                    'extra = "(hd0,0)/boot/grub/menu.lst"\n'
                    'memory = 32\ndisk = ["file:%s,sda,w"]\n' % img)
        out = boot_and_check(env, "pvgrub", cfg,
                             "ro root=/dev/vda1 xmentry=menulst "
                             "console=ttyS0",
                             "PV-GRUB kernel=, menu.lst on partition 1")
        ok("skipped entry 'Test (xen)'" in out,
           "the Xen-only kernel entry is skipped, and said so", out)
        # 3. HVM: kernel= is hvmloader, extlinux on an MBR partition
        img = os.path.join(env.root, "hvm.img")
        files = dict(base)
        files["/boot/extlinux/extlinux.conf"] = EXTLINUX
        ok(mbr(img, 12) and build_fs(os.path.join(env.root, "t3"), files,
                                     img, offset=2048 * 512),
           "an MBR image with extlinux.conf")
        cfg = os.path.join(env.root, "hvm.cfg")
        with open(cfg, "w") as f:
            f.write('name = "hvm"\nbuilder = "hvm"\n'
                    'kernel = "/usr/lib/xen/boot/hvmloader"\n'
                    'memory = 32\nvnc = 1\nsdl = 0\nusb = 1\n'
                    'disk = ["file:%s,hda,w"]\n' % img)
        r = env.xm("create", "-n", cfg)
        ok(r.returncode == 0 and "Warning: " in r.stderr and
           "vnc, sdl, usb" in r.stderr and "with no effect" in r.stderr,
           "xm create -n: one warning lists the HVM keys with no effect",
           r.stderr)
        boot_and_check(env, "hvm", cfg,
                       "root=/dev/vda1 console=tty0 xmentry=extlinux "
                       "console=ttyS0",
                       "HVM (hvmloader), extlinux on partition 1")
        # 4. refusals: no Linux on an HVM disk; a crafted image
        blank = os.path.join(env.root, "blank.img")
        with open(blank, "wb") as f:
            f.truncate(8 << 20)
        cfg = os.path.join(env.root, "win.cfg")
        with open(cfg, "w") as f:
            f.write('name = "win"\nbuilder = "hvm"\nmemory = 32\n'
                    'disk = ["file:%s,hda,w"]\n' % blank)
        r = env.xm("create", cfg)
        ok(r.returncode != 0 and "emulated PC" in r.stderr and
           "no boot configuration found" in r.stderr,
           "an HVM disk without a Linux boot entry is refused: it needs "
           "an emulated PC", r.stdout + r.stderr)
        img = os.path.join(env.root, "loop.img")
        ok(build_fs(os.path.join(env.root, "t4"),
                    {"/boot/grub/grub.cfg":
                     "menuentry x {\n linux /boot/a\n}\n",
                     "/boot/a": ("symlink", "b"),
                     "/boot/b": ("symlink", "a")}, img),
           "an image with a symlink loop for its kernel")
        cfg = os.path.join(env.root, "loop.cfg")
        with open(cfg, "w") as f:
            f.write('name = "loop"\nbootloader = "pygrub"\nmemory = 32\n'
                    'disk = ["file:%s,xvda,w"]\n' % img)
        r = env.xm("create", cfg)
        ok(r.returncode != 0 and
           "too many levels of symbolic links" in r.stderr,
           "a crafted image makes xm create fail with the helper's reason",
           r.stdout + r.stderr)
        r = env.xm("list")
        ok(r.returncode == 0 and "loop" not in r.stdout and
           "win" not in r.stdout,
           "xmd answers on and keeps no refused domain", r.stdout)
    finally:
        env.cleanup()
    return H.plan()


if __name__ == "__main__":
    sys.exit(main())
