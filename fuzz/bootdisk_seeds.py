#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# bootdisk_seeds.py DIR: the first seeds of fuzz/corpus/bootdisk: one of
# each boot-config dialect (selector byte 0..3) and small disk images
# (selector 4): ext2 and ext4 filesystems at 0 with a grub.cfg, built
# with mke2fs -d, cut to the bytes that are not zero at their end.
import os
import subprocess
import sys
import tempfile

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
