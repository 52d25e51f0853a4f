#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# bootdisk_images.py: disk images built here (mke2fs -d, sfdisk, sgdisk)
# for each layout (a filesystem at 0, MBR with a logical partition, GPT)
# and boot-config dialect (grub2 as Debian, Ubuntu and Fedora/BLS write
# it, grub-legacy as RHEL 5 and CentOS, extlinux as Alpine: the shapes of
# Xen's tools/pygrub/examples), read through xm-bootloader as xmd does
# (tests/unit/bootdisk_show): the entry chosen, its arguments, and the
# kernel and initrd that came back compared with the files put in. Then
# hostile images: symlink loops, files over the caps, truncated tables,
# a truncated filesystem, quotes and newlines in titles.
import os
import shutil
import subprocess
import sys
import tempfile

build = os.environ.get("top_builddir", ".")
SHOW = os.path.join(build, "tests/unit/bootdisk_show")
n = 0
failed = 0


def ok(cond, desc, diag=""):
    global n, failed
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, desc))
    if not cond:
        failed += 1
        for line in str(diag).splitlines()[:20]:
            print("# " + line)


def fnv(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & (2**64 - 1)
    return "%016x" % h


def show(img, entry=None):
    args = [SHOW, img] + ([entry] if entry else [])
    p = subprocess.run(args, capture_output=True, text=True, timeout=120)
    out = {}
    for line in p.stdout.splitlines():
        k, _, v = line.partition("=")
        out[k] = v
    out["_raw"] = p.stdout + p.stderr
    return out


def need(*tools):
    for t in tools:
        if not shutil.which(t) and not os.path.exists("/usr/sbin/" + t) \
                and not os.path.exists("/sbin/" + t):
            return t
    return None


os.environ["PATH"] += ":/usr/sbin:/sbin"
tmp = tempfile.mkdtemp(prefix="bootdisk-")
KERNEL = os.urandom(300000)
INITRD = os.urandom(120000)
UCODE = os.urandom(4096)


def tree(name, files, links=()):
    root = os.path.join(tmp, name)
    for path, data in files.items():
        p = os.path.join(root, path.lstrip("/"))
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
    for path, target in links:
        p = os.path.join(root, path.lstrip("/"))
        os.makedirs(os.path.dirname(p), exist_ok=True)
        os.symlink(target, p)
    return root


def mkfs(root, path, size_mib=8, fstype="ext4", offset=0):
    subprocess.run(["mke2fs", "-q", "-F", "-t", fstype, "-d", root,
                    "-E", "offset=%d" % offset, path, "%dM" % size_mib],
                   check=True, capture_output=True)


def check_boot(r, desc, kernel=KERNEL, initrd=INITRD, **want):
    good = "error" not in r and r.get("kernel_fnv") == fnv(kernel) and \
        r.get("initrd_fnv") == fnv(initrd)
    for k, v in want.items():
        good = good and r.get(k) == v
    ok(good, desc, r["_raw"])


DEBIAN_CFG = r"""
if [ -s $prefix/grubenv ]; then
  load_env
fi
if [ "${next_entry}" ] ; then
   set default="${next_entry}"
   set next_entry=
   save_env next_entry
else
   set default="${saved_entry}"
fi
function load_video {
  insmod all_video
}
menuentry 'Debian GNU/Linux' --class debian $menuentry_id_option 'gnulinux-simple-1234' {
	load_video
	if [ x$feature_platform_search_hint = xy ]; then
	  search --no-floppy --fs-uuid --set=root 1234
	else
	  search --no-floppy --fs-uuid --set=root 1234
	fi
	echo	'Loading Linux 6.1.0-13-amd64 ...'
	linux	/boot/vmlinuz-6.1.0-13-amd64 root=/dev/xvda1 ro  quiet
	initrd	/boot/initrd.img-6.1.0-13-amd64
}
submenu 'Advanced options for Debian GNU/Linux' $menuentry_id_option 'gnulinux-advanced-1234' {
	menuentry 'Debian GNU/Linux, with Xen hypervisor' --class xen {
		multiboot2	/boot/xen-4.17-amd64.gz placeholder
		module2	/boot/vmlinuz-6.1.0-13-amd64 placeholder root=/dev/xvda1
	}
	menuentry "Debian \"recovery\" mode" $menuentry_id_option 'gnulinux-recovery' {
		linux	(hd0,msdos1)/boot/vmlinuz-6.1.0-13-amd64 root=/dev/xvda1 ro single
		initrd	/boot/intel-ucode.img /boot/initrd.img-6.1.0-13-amd64
	}
}
"""
DEB_FILES = {"/boot/vmlinuz-6.1.0-13-amd64": KERNEL,
             "/boot/initrd.img-6.1.0-13-amd64": INITRD,
             "/boot/intel-ucode.img": UCODE,
             "/boot/grub/grub.cfg": DEBIAN_CFG}

if need("mke2fs", "sfdisk", "sgdisk"):
    print("1..0 # SKIP %s is not installed (scripts/install-deps)" %
          need("mke2fs", "sfdisk", "sgdisk"))
    sys.exit(0)

# 1. a filesystem at offset 0 (xen-tools), grub2 as Debian writes it
img = os.path.join(tmp, "bare.img")
mkfs(tree("bare", DEB_FILES), img)
r = show(img)
check_boot(r, "bare ext4, Debian grub.cfg: the first entry",
           title="Debian GNU/Linux", entry="0", partition="0",
           args="root=/dev/xvda1 ro quiet", config="/boot/grub/grub.cfg")
r = show(img, "1>1")
check_boot(r, "bare ext4: --entry 1>1 (a submenu entry, a quoted title, "
           "microcode + initrd concatenated)", initrd=UCODE + INITRD,
           title='Debian "recovery" mode', args="root=/dev/xvda1 ro single")
r = show(img, "Advanced options for Debian GNU/Linux>Debian \"recovery\" "
          "mode")
ok(r.get("entry") == "1>1", "--entry by submenu and title path", r["_raw"])
r = show(img, "gnulinux-recovery")
ok(r.get("entry") == "1>1", "--entry by --id", r["_raw"])
r = show(img, "1>0")
ok("error" in r and "Xen-only" not in r.get("error", "") and
   "no Linux kernel" in r.get("error", ""),
   "--entry naming the Xen hypervisor entry is refused", r["_raw"])
r = show(img, "7")
ok(r.get("error", "").startswith("no menu entry '7'") or
   "no menu entry '7'" in r.get("error", ""), "--entry 7: no such entry",
   r["_raw"])

# saved_entry from grubenv, ext3 (block maps, no extents)
env = "# GRUB Environment Block\nsaved_entry=1>1\n" + "#" * 900
files = dict(DEB_FILES)
files["/boot/grub/grubenv"] = env
img = os.path.join(tmp, "saved.img")
mkfs(tree("saved", files), img, fstype="ext3")
r = show(img)
check_boot(r, "ext3 (block maps): grubenv's saved_entry 1>1 is the "
           "default", initrd=UCODE + INITRD, entry="1>1")

# 2. MBR with an extended partition: /boot is logical partition 5,
# grub-legacy (RHEL 5 shape), the default is a Xen kernel: skipped
MENU_LST = """# grub.conf generated by anaconda
default=0
timeout=5
splashimage=(hd0,4)/grub/splash.xpm.gz
hiddenmenu
title CentOS (2.6.18-398.el5xen)
	root (hd0,4)
	kernel /xen.gz-2.6.18-398.el5
	module /vmlinuz-2.6.18-398.el5xen ro root=/dev/VolGroup00/LogVol00
	module /initrd-2.6.18-398.el5xen.img
title CentOS (2.6.18-398.el5)
	root (hd0,4)
	kernel /vmlinuz-2.6.18-398.el5 ro root=/dev/xvda2 console=xvc0
	initrd /initrd-2.6.18-398.el5.img
"""
root = tree("mbr", {"/grub/menu.lst": MENU_LST,
                    "/vmlinuz-2.6.18-398.el5": KERNEL,
                    "/initrd-2.6.18-398.el5.img": INITRD,
                    "/xen.gz-2.6.18-398.el5": b"xen"})
img = os.path.join(tmp, "mbr.img")
with open(img, "wb") as f:
    f.truncate(24 << 20)
subprocess.run(["sfdisk", "-q", img], input="label: dos\n"
               "start=2048, size=4096, type=83\n"
               "start=8192, type=5\n"
               "start=10240, size=8192, type=82\n"
               "start=20480, size=16384, type=83\n",
               text=True, check=True, capture_output=True)
mkfs(root, img, size_mib=8, offset=20480 * 512)
r = show(img)
check_boot(r, "MBR, logical partition 6, grub-legacy: the Xen kernel "
           "entry is skipped with a message", partition="6",
           title="CentOS (2.6.18-398.el5)", config="/grub/menu.lst",
           args="ro root=/dev/xvda2 console=xvc0")
ok("Xen-only" in r.get("skipped", ""), "the skip is reported", r["_raw"])

# 3. GPT, extlinux as Alpine writes it (relative paths, APPEND initrd=)
EXTLINUX = """DEFAULT menu.c32
PROMPT 0
MENU TITLE Alpine/Linux Boot Menu
MENU HIDDEN
MENU AUTOBOOT Alpine will be booted automatically in # seconds.
TIMEOUT 30
LABEL grsec
  MENU DEFAULT
  MENU LABEL Linux ^grsec
  KERNEL vmlinuz-grsec
  APPEND initrd=initramfs-grsec root=UUID=abc modules=sd-mod,usb-storage,ext4 quiet

MENU SEPARATOR
LABEL other
  MENU LABEL other
  LINUX /boot/vmlinuz-other
  INITRD /boot/initramfs-other
  APPEND root=/dev/xvda2
"""
root = tree("gpt", {"/boot/extlinux.conf": EXTLINUX,
                    "/boot/vmlinuz-grsec": KERNEL,
                    "/boot/initramfs-grsec": INITRD,
                    "/boot/vmlinuz-other": INITRD,
                    "/boot/initramfs-other": KERNEL})
img = os.path.join(tmp, "gpt.img")
with open(img, "wb") as f:
    f.truncate(16 << 20)
subprocess.run(["sgdisk", "-n", "1:2048:+1M", "-n", "2:4096:0", img],
               check=True, capture_output=True)
mkfs(root, img, size_mib=8, offset=4096 * 512)
r = show(img)
check_boot(r, "GPT partition 2, Alpine extlinux: MENU DEFAULT, relative "
           "paths, APPEND's initrd=", partition="2", entry="0",
           title="Linux grsec", config="/boot/extlinux.conf",
           args="root=UUID=abc modules=sd-mod,usb-storage,ext4 quiet")
r = show(img, "other")
check_boot(r, "GPT, extlinux: --entry by label", kernel=INITRD,
           initrd=KERNEL, args="root=/dev/xvda2")

# 4. Fedora: grub.cfg runs blscfg; entries in /boot/loader/entries,
# $kernelopts from grubenv, saved_entry names the older one
FEDORA_CFG = """set pager=1
if [ -f ${config_directory}/grubenv ]; then
  load_env -f ${config_directory}/grubenv
fi
insmod blscfg
blscfg
menuentry 'Memory test (memtest86+)' {
    linux16 /elf-memtest86+-5.31
}
"""
BLS = """title Fedora Linux (%s) 39
version %s
linux /vmlinuz-%s
initrd /initramfs-%s.img
options $kernelopts rhgb
grub_users $grub_users
"""
fed = {"/boot/grub2/grub.cfg": FEDORA_CFG,
       "/boot/grub2/grubenv": "# GRUB Environment Block\n"
       "kernelopts=root=/dev/xvda1 ro\nsaved_entry=abc-6.5.6-300.fc39.x86_64\n",
       "/boot/vmlinuz-6.5.6-300.fc39.x86_64": KERNEL,
       "/boot/initramfs-6.5.6-300.fc39.x86_64.img": INITRD,
       "/boot/vmlinuz-6.10.1-100.fc39.x86_64": INITRD,
       "/boot/elf-memtest86+-5.31": UCODE,
       "/boot/initramfs-6.10.1-100.fc39.x86_64.img": KERNEL}
for v in ("6.5.6-300.fc39.x86_64", "6.10.1-100.fc39.x86_64"):
    fed["/boot/loader/entries/abc-%s.conf" % v] = BLS % (v, v, v, v)
img = os.path.join(tmp, "bls.img")
mkfs(tree("bls", fed), img)
r = show(img)
check_boot(r, "Fedora BLS: saved_entry honoured, $kernelopts expanded",
           args="root=/dev/xvda1 ro rhgb", entry="1",
           config="/boot/grub2/grub.cfg")
r = show(img, "0")
check_boot(r, "Fedora BLS: entry 0 is the newest version (6.10 > 6.5)",
           kernel=INITRD, initrd=KERNEL)
r = show(img, "2")
ok(r.get("title") == "Memory test (memtest86+)" and
   r.get("kernel_fnv") == fnv(UCODE),
   "Fedora: grub.cfg's own entry after blscfg's is entry 2", r["_raw"])

# 5. hostile images
loop = {"/boot/grub/grub.cfg": "menuentry 'loop' {\n linux /boot/a\n}\n"
        "menuentry 'big' {\n linux /boot/big\n}\n"
        "menuentry 'dir' {\n linux /boot\n}\n"}
root = tree("hostile", loop, links=[("/boot/a", "b"), ("/boot/b", "a")])
with open(os.path.join(root, "boot/big"), "wb") as f:
    f.truncate(200 << 20)  # sparse: over the 128 MiB kernel cap
img = os.path.join(tmp, "hostile.img")
mkfs(root, img)
r = show(img)
ok("too many levels of symbolic links" in r.get("error", ""),
   "a symlink loop is an error", r["_raw"])
r = show(img, "big")
ok("more than" in r.get("error", ""), "a 200 MiB kernel is refused (cap)",
   r["_raw"])
r = show(img, "dir")
ok("not a regular file" in r.get("error", ""), "a directory as kernel",
   r["_raw"])
trunc = os.path.join(tmp, "trunc.img")
with open(img, "rb") as f, open(trunc, "wb") as g:
    g.write(f.read(300 * 1024))
r = show(trunc)
ok("error" in r, "a truncated filesystem is an error", r["_raw"])
bad = os.path.join(tmp, "badgpt.img")
with open(bad, "wb") as f:
    f.truncate(4 << 20)
subprocess.run(["sgdisk", "-n", "1:2048:0", bad], check=True,
               capture_output=True)
with open(bad, "r+b") as f:  # 2^31 entries of 128 bytes
    f.seek(512 + 80)
    f.write(b"\xff\xff\xff\x7f")
r = show(bad)
ok("bad partition array" in r.get("error", ""),
   "a GPT header with an absurd entry count", r["_raw"])
nl = {"/boot/grub/grub.cfg": "menuentry \"two\nlines\\\\ 'q'\" {\n"
      " linux /boot/k \"a\nb\"\n}\nmenuentry ok {\n linux /boot/k ok\n}\n",
      "/boot/k": KERNEL}
img = os.path.join(tmp, "nl.img")
mkfs(tree("nl", nl), img)
r = show(img)
ok("control characters" in r.get("error", ""),
   "arguments with a newline are refused", r["_raw"])
r = show(img, "1")
ok(r.get("args") == "ok" and "error" not in r,
   "the other entry of that menu boots", r["_raw"])
r = show(img, "two\nlines\\ 'q'")
ok("control characters" in r.get("error", ""),
   "a title with a newline and quotes is matched and escaped", r["_raw"])
empty = os.path.join(tmp, "empty.img")
with open(empty, "wb") as f:
    f.truncate(8 << 20)
r = show(empty)
ok("no boot configuration found" in r.get("error", ""),
   "a blank disk: no boot configuration", r["_raw"])
xfs = os.path.join(tmp, "nofs.img")
with open(xfs, "wb") as f:
    f.write(b"XFSB" + b"\0" * 4092)
    f.truncate(8 << 20)
r = show(xfs)
ok("the disk: XFS (not read: boot files are read from ext2/3/4 only)" in
   r.get("error", ""), "XFS is named, and why it is not read", r["_raw"])

# grub's bare NAME=VALUE assignment, and its feature test of
# menuentry_id_option (Ubuntu's shape) that must not lose --id
bare = {"/boot/grub/grub.cfg":
        'if [ x"${feature_menuentry_id}" = xy ]; then\n'
        '  menuentry_id_option="--id"\nelse\n  menuentry_id_option=""\nfi\n'
        "default=1\nmenuentry 'a' $menuentry_id_option 'id-a' {\n"
        " linux /boot/k a\n}\n"
        "menuentry 'b' $menuentry_id_option 'id-b' {\n linux /boot/k b\n}\n",
        "/boot/k": KERNEL}
img = os.path.join(tmp, "bare-assign.img")
mkfs(tree("bare-assign", bare), img)
r = show(img)
ok(r.get("args") == "b", "grub.cfg's bare default=1 is honoured", r["_raw"])
r = show(img, "id-a")
ok(r.get("args") == "a", "--id survives Ubuntu's menuentry_id_option test",
   r["_raw"])

# initramfs contents: virtio_blk and virtio_pci found in cpio archives
# compressed as Debian (zstd, gzip), Fedora (xz; an early uncompressed
# microcode archive first) write them, or missing (a Xen-only initrd)
sys.path.insert(0, os.path.join(os.environ.get("top_srcdir", "."),
                                "scripts"))
from l1 import cpio  # noqa: E402


def initramfs(path, names, compress, early=False):
    c = cpio.Cpio()
    for name in names or ():
        c.add_file(name, data=os.urandom(3000))
    c.write(path + ".cpio")
    data = open(path + ".cpio", "rb").read()
    if names is None:  # not cpio at all
        data = os.urandom(50000)
    if compress:
        data = subprocess.run([compress, "-c"], input=data,
                              capture_output=True, check=True).stdout
    if early:
        e = cpio.Cpio()
        e.add_file("kernel/x86/microcode/GenuineIntel.bin", data=b"u" * 999)
        e.write(path + ".early")
        data = open(path + ".early", "rb").read() + data
    with open(path, "wb") as f:
        f.write(data)
    return data


MODS = ["usr/lib/modules/6.1.0-13-amd64/kernel/drivers/block/virtio_blk.ko",
        "usr/lib/modules/6.1.0-13-amd64/kernel/drivers/virtio/"
        "virtio_pci.ko.xz"]
XENONLY = ["usr/lib/modules/6.1.0-13-amd64/kernel/drivers/block/"
           "xen-blkfront.ko"]
for tag, names, comp, early, config, want in [
        ("zstd", MODS, "zstd", False, None, ""),
        ("gzip", MODS, "gzip", False, None, ""),
        ("xz-early", MODS, "xz", True, None, ""),
        ("plain", MODS, None, False, None, ""),
        ("xenonly", XENONLY, "zstd", False, None,
         "the initrd has no virtio_blk and virtio_pci module"),
        ("builtin", XENONLY, "gzip", False,
         "CONFIG_VIRTIO_BLK=y\nCONFIG_VIRTIO_PCI=y\n", ""),
        ("module", XENONLY, "xz", True,
         "CONFIG_VIRTIO_BLK=m\nCONFIG_VIRTIO_PCI=y\n",
         "the initrd has no virtio_blk module"),
        ("lz4", MODS, "lz4", False, None,
         "the initrd could not be read (lz4)"),
        ("gzjunk", None, "gzip", True, None,
         "the initrd could not be read (a compressed part that is not "
         "cpio)")]:
    rd = os.path.join(tmp, "initrd-" + tag)
    data = initramfs(rd, names, comp, early)
    files = {"/boot/grub/grub.cfg": DEBIAN_CFG,
             "/boot/vmlinuz-6.1.0-13-amd64": KERNEL,
             "/boot/initrd.img-6.1.0-13-amd64": data}
    if config:
        files["/boot/config-6.1.0-13-amd64"] = "# x\n" + config
    img = os.path.join(tmp, "rd-%s.img" % tag)
    mkfs(tree("rd-" + tag, files), img, size_mib=16)
    r = show(img)
    got = r.get("warning", "?")
    ok((got == "" if not want else got.startswith(want)) and
       r.get("initrd_fnv") == fnv(data),
       "initrd %s: %s" % (tag, "no warning" if not want else want),
       r["_raw"])

# 6. what xm create -n says and the command line a create would pass: the
# entry's arguments with Xen disk names rewritten per the config, root=
# and extra after them (not PV-GRUB's extra), console=ttyS0 last
XM = os.path.join(build, "xmctl/xm")
CMD_CFG = ("menuentry 'one' {\n linux /boot/k root=/dev/xvda1 ro "
           "console=hvc0 resume=/dev/sdb2\n}\n"
           "menuentry 'two' {\n linux /boot/k root=/dev/hda2 "
           "console=ttyS0,115200\n}\n")
img = os.path.join(tmp, "cmd.img")
mkfs(tree("cmd", {"/boot/grub/grub.cfg": CMD_CFG, "/boot/k": KERNEL}), img)


def dry(name, text):
    cfg = os.path.join(tmp, name + ".cfg")
    with open(cfg, "w") as f:
        f.write(text % {"img": img})
    p = subprocess.run([XM, "create", "-n", cfg], capture_output=True,
                       text=True, timeout=120)
    got = [line[len("Note: kernel command line: "):] for line in
           p.stderr.splitlines()
           if line.startswith("Note: kernel command line: ")]
    return p, got[0] if got else None


cases = [
    ("pygrub", 'bootloader = "/usr/bin/pygrub"\n'
     'disk = ["file:%(img)s,xvda,w", "file:%(img)s,sdb,r"]\n'
     'extra = "quiet"\n',
     "root=/dev/vda1 ro console=hvc0 resume=/dev/vdb2 quiet console=ttyS0",
     "pygrub: xvda1 and sdb2 mapped by letter, extra after, console=ttyS0 "
     "last"),
    ("xentools", 'bootloader = "pygrub"\n'
     'disk = ["file:%(img)s,xvda1,w"]\nroot = "/dev/xvda1 ro"\n',
     "root=/dev/vda ro console=hvc0 resume=/dev/sdb2 root=/dev/vda ro "
     "console=ttyS0",
     "xen-tools' partition-as-disk xvda1 is vda; config root= appended; an "
     "unmapped sdb2 stays"),
    ("entry", 'bootloader = "pygrub"\nbootloader_args = ["--entry=two"]\n'
     'disk = ["file:%(img)s,hda,w"]\n',
     "root=/dev/vda2 console=ttyS0,115200",
     "bootloader_args --entry=TITLE; ttyS0 already the last console"),
    ("pvgrub", 'kernel = "/usr/lib/xen/boot/pv-grub-x86_64.gz"\n'
     'extra = "(hd0,0)/boot/grub/grub.cfg"\n'
     'disk = ["file:%(img)s,xvda,w"]\n',
     "root=/dev/vda1 ro console=hvc0 resume=/dev/sdb2 console=ttyS0",
     "PV-GRUB: its extra (the menu's path) is not passed on"),
    ("hvm", 'builder = "hvm"\nkernel = "/usr/lib/xen/boot/hvmloader"\n'
     'disk = ["file:%(img)s,hda,w"]\nvnc = 1\n',
     "root=/dev/vda1 ro console=hvc0 resume=/dev/sdb2 console=ttyS0",
     "HVM with hvmloader: the disk's entry"),
]
if not os.access(XM, os.X_OK):
    for c in cases:
        print("ok %d - %s # SKIP xm is not built" % (n + 1, c[3]))
        n += 1
for name, text, want, desc in cases if os.access(XM, os.X_OK) else []:
    p, got = dry(name, text)
    ok(p.returncode == 0 and got == want, "xm create -n: " + desc,
       "want %r\ngot  %r\n%s" % (want, got, p.stderr))
p, got = dry("kernel", 'bootloader = "pygrub"\nkernel = "/boot/k"\n'
             'disk = ["file:%(img)s,xvda,w"]\n')
ok(got is None and "xmhv boots kernel = /boot/k directly" in p.stderr,
   "pygrub with kernel= set: that kernel, the disk is not read", p.stderr)
p, got = dry("gone", 'bootloader = "pygrub"\n'
             'disk = ["file:/nonexistent/x.img,xvda,w"]\n')
ok(p.returncode == 0 and "(vm" in p.stdout and
   "Note: the boot entry could not be read: disk xvda "
   "(/nonexistent/x.img): No such file or directory" in p.stderr,
   "an unreadable disk: the whole config is printed, with a note",
   p.stdout + p.stderr)

shutil.rmtree(tmp)
print("1..%d" % n)
sys.exit(1 if failed else 0)
