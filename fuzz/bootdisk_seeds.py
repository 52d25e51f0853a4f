#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# bootdisk_seeds.py DIR: the first seeds of fuzz/corpus/bootdisk: one of
# each boot-config dialect (selector byte 0..3) and small disk images
# (selector 4): ext2 and ext4 filesystems at 0 with a grub.cfg, built
# with mke2fs -d, cut to the bytes that are not zero at their end; and
# initramfs archives (selector 5): newc cpio plain, gzip, xz, zstd, after
# an early uncompressed one.
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "scripts"))
from l1 import cpio  # noqa: E402

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
cfgs = {
    0: "set default=\"1\"\nmenuentry 'a' { linux /k a=1\n initrd /i }\n"
       "submenu 's' { menuentry \"b\\\"q\" --id x { linux ($root)/k $v\n} }\n",
    1: "default 1\ntitle x\n kernel /xen.gz\n module /vmlinuz-xen\n"
       "title y\n root (hd0,0)\n kernel (hd0,0)/vmlinuz ro\n initrd /i\n",
    2: "DEFAULT l\nLABEL l\n MENU LABEL ^L\n KERNEL k\n"
       " APPEND initrd=a,b root=x\n",
    3: "title T\nversion 1.2\nlinux /k\ninitrd /i\noptions $kernelopts q\n",
}
for sel, text in cfgs.items():
    with open(os.path.join(out, "cfg-%d" % sel), "wb") as f:
        f.write(bytes([sel]) + text.encode())
tmp = tempfile.mkdtemp()
os.makedirs(tmp + "/r/boot/grub")
with open(tmp + "/r/boot/grub/grub.cfg", "w") as f:
    f.write("menuentry 'x' {\n linux /boot/k root=/dev/xvda1\n"
            " initrd /boot/i\n}\n")
with open(tmp + "/r/boot/k", "wb") as f:
    f.write(b"K" * 5000)
os.symlink("k", tmp + "/r/boot/i")
for t in ("ext2", "ext4"):
    img = tmp + "/" + t
    subprocess.run(["mke2fs", "-q", "-t", t, "-b", "1024", "-N", "32",
                    "-d", tmp + "/r", img, "256K"], check=True)
    data = open(img, "rb").read().rstrip(b"\0")
    with open(os.path.join(out, "img-" + t), "wb") as f:
        f.write(b"\x04" + data)
c = cpio.Cpio()
c.add_file("lib/modules/6.1/kernel/drivers/block/virtio_blk.ko",
           data=b"x" * 300)
c.add_file("lib/modules/6.1/kernel/drivers/virtio/virtio_pci.ko.zst",
           data=b"y" * 30)
c.write(tmp + "/main.cpio")
main = open(tmp + "/main.cpio", "rb").read()
e = cpio.Cpio()
e.add_file("kernel/x86/microcode/AuthenticAMD.bin", data=b"u" * 50)
e.write(tmp + "/early.cpio")
early = open(tmp + "/early.cpio", "rb").read()
for comp in (None, "gzip", "xz", "zstd"):
    data = main if comp is None else subprocess.run(
        [comp, "-c"], input=main, capture_output=True, check=True).stdout
    with open(os.path.join(out, "initrd-%s" % (comp or "plain")), "wb") as f:
        f.write(b"\x05" + early + data)
