#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""bootdisk.py: the real-Linux tier of booting from the guest's disk.
Debian's kernel and the tier's L2 initramfs (l2.py) are put in ext4 disk
images with a Debian-shaped /boot/grub/grub.cfg, and xmd boots them with
no kernel on the host: `bootloader = "/usr/bin/pygrub"` (an MBR disk,
ext4 on partition 1, the default entry) and `builder = 'hvm'` with Xen's
hvmloader as kernel= (a filesystem at offset 0). Each L2 reaches its own
/init with the entry's command line, Xen's disk names rewritten, the
config's extra and console=ttyS0 added, exactly as the host computes it;
the pygrub run also reads its own disk through virtio-blk (the host's
MD5). Consoles and xmd's log are kept in tests/linux/artifacts/. Runs
where Debian's kernel can run (scripts/with-kvm --linux). TAP."""
import hashlib
import os
import random
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import l2  # noqa: E402

GRUB_CFG = """# written by tests/linux/bootdisk.py, as Debian's update-grub would
if [ -s $prefix/grubenv ]; then
  load_env
fi
if [ "${next_entry}" ] ; then
   set default="${next_entry}"
else
   set default="0"
fi
menuentry 'Debian GNU/Linux' --class debian $menuentry_id_option 'gnulinux-simple' {
	insmod part_msdos
	insmod ext2
	set root='hd0,msdos1'
	echo	'Loading Linux %(version)s ...'
	linux	/boot/vmlinuz-%(version)s root=%(root)s ro %(args)s
	echo	'Loading initial ramdisk ...'
	initrd	/boot/initrd.img-%(version)s
}
submenu 'Advanced options for Debian GNU/Linux' {
	menuentry 'Debian GNU/Linux, with Xen hypervisor' --class xen {
		multiboot2	/boot/xen.gz placeholder
		module2	/boot/vmlinuz-%(version)s placeholder root=%(root)s
	}
}
"""


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, desc, diag=""):
        self.n += 1
        if not cond:
            self.failed += 1
        print("%sok %d - %s" % ("" if cond else "not ", self.n, desc),
              flush=True)
        if not cond:
            for line in str(diag).splitlines()[-25:]:
                print("#   " + line, flush=True)
        return cond

    def done(self):
        print("1..%d" % self.n, flush=True)
        return 1 if self.failed else 0


def image(work, name, paths, root_dev, args, partitioned):
    """An ext4 image with the kernel, the initramfs and grub.cfg."""
    tree = os.path.join(work, name + ".tree")
    boot = os.path.join(tree, "boot")
    os.makedirs(os.path.join(boot, "grub"))
    version = paths["kernel"].version
    shutil.copy(paths["vmlinuz"], os.path.join(boot, "vmlinuz-" + version))
    shutil.copy(paths["initrd"], os.path.join(boot, "initrd.img-" + version))
    with open(os.path.join(boot, "grub", "grub.cfg"), "w") as f:
        f.write(GRUB_CFG % {"version": version, "root": root_dev,
                            "args": args})
    img = os.path.join(work, name + ".img")
    offset = 0
    with open(img, "wb") as f:
        f.truncate(64 << 20)
    if partitioned:
        subprocess.run(["sfdisk", "-q", img], input="label: dos\n"
                       "start=2048, type=83, bootable\n", text=True,
                       check=True, capture_output=True)
        offset = 2048 * 512
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-d", tree,
                    "-E", "offset=%d" % offset, img, "60M"],
                   check=True, capture_output=True)
    shutil.rmtree(tree)
    return img


def boot(tools, name, cfg_text, work, timeout=300):
    """xm create NAME, wait until it is gone; (create output, console
    lines, XMTEST key=value dict, timed out)."""
    tools.start_xmd()
    cfg = os.path.join(tools.xmroot, "etc", "xen", name)
    with open(cfg, "w") as f:
        f.write(cfg_text)
    c = subprocess.run([tools.xm, "create", name], env=tools.xm_env(),
                       capture_output=True, text=True,
                       stdin=subprocess.DEVNULL)
    con = os.path.join(tools.xmroot, "var", "log", "xmd", "console",
                       name + ".log")
    end = time.monotonic() + timeout
    timed_out = False
    while c.returncode == 0:
        r = subprocess.run([tools.xm, "list", name], env=tools.xm_env(),
                           capture_output=True)
        if r.returncode != 0:
            break
        if time.monotonic() > end:
            timed_out = True
            subprocess.run([tools.xm, "destroy", name], env=tools.xm_env(),
                           capture_output=True)
            break
        time.sleep(1)
    try:
        with open(con, "rb") as f:
            lines = f.read().decode("utf-8", "replace").replace(
                "\r", "").splitlines()
    except OSError:
        lines = []
    kv = {}
    for body in lines:
        k = body.find("XMTEST ")
        if k >= 0:
            key, _, val = body[k + 7:].partition("=")
            kv.setdefault(key.strip(), val)
    return c.stdout + c.stderr, lines, kv, timed_out


def save(outdir, name, lines, tools):
    art = os.path.join(outdir, "artifacts")
    os.makedirs(art, exist_ok=True)
    with open(os.path.join(art, "bootdisk-%s.log" % name), "w") as f:
        f.write("\n".join(lines) + "\n")
    if tools.xmroot:
        shutil.copy(tools.xmd_log,
                    os.path.join(art, "bootdisk-xmd.log"))


def main():
    top_builddir = os.environ.get("top_builddir", os.getcwd())
    outdir = os.path.join(top_builddir, "tests", "linux")
    os.environ["PATH"] += ":/usr/sbin:/sbin"
    tools = l2.Tools(top_builddir)
    missing = [t for t in ("mke2fs", "sfdisk") if not shutil.which(t)]
    work, paths = l2.tier_start(
        outdir, prefix="bootdisk.",
        missing="%s is not installed (scripts/install-deps)" % missing[0]
        if missing else None)
    t = Tap()
    nonce = "%08x" % random.getrandbits(32)
    try:
        # 1. pygrub: MBR, ext4 on partition 1, the default entry; the
        # guest reads its disk (action=disk: virtio_blk, MD5, a write)
        args = ("earlyprintk=serial,ttyS0,115200 xmtest.action=disk "
                "xmtest.nonce=%s" % nonce)
        img = image(work, "pygrub", paths, "/dev/xvda1", args, True)
        md5 = hashlib.md5(open(img, "rb").read()).hexdigest()
        t.ok(os.path.getsize(img) == 64 << 20,
             "an MBR image with Debian's kernel, the L2 initramfs and "
             "grub.cfg in ext4 on partition 1")
        cfg = ('name = "l2-pygrub"\nbootloader = "/usr/bin/pygrub"\n'
               'memory = 512\nvcpus = 1\ndisk = ["file:%s,xvda,w"]\n'
               'extra = "xmtest.extra=%s"\non_poweroff = "destroy"\n'
               'on_reboot = "destroy"\non_crash = "destroy"\n' % (img, nonce))
        with open(os.path.join(work, "dry.cfg"), "w") as f:
            f.write(cfg)
        r = subprocess.run([tools.xm, "create", "-n",
                            os.path.join(work, "dry.cfg")],
                           capture_output=True, text=True)
        want = ("root=/dev/vda1 ro %s xmtest.extra=%s console=ttyS0" %
                (args, nonce))
        t.ok(r.returncode == 0 and "Note: boot entry: 'Debian GNU/Linux' "
             "(entry 0 of /boot/grub/grub.cfg on xvda, partition 1)" in
             r.stderr and ("Note: kernel command line: " + want) in
             r.stderr, "xm create -n shows the entry and its command line",
             r.stdout + r.stderr)
        out, lines, kv, to = boot(tools, "l2-pygrub", cfg, work)
        save(outdir, "pygrub", lines, tools)
        t.ok("Booting 'Debian GNU/Linux' (entry 0 of /boot/grub/grub.cfg "
             "on xvda, partition 1)" in out and "Warning" not in out,
             "pygrub: xm create boots the default entry and says so; no "
             "warning: the initramfs has Debian's virtio_blk and "
             "virtio_pci", out)
        t.ok(kv.get("init") == "ok" and not to,
             "pygrub: Debian's kernel from the disk reaches the "
             "initramfs's /init", "\n".join(lines[-20:]) + out)
        t.ok(kv.get("cmdline") == want,
             "pygrub: /proc/cmdline is the host's: " + want,
             "got: %r" % kv.get("cmdline"))
        t.ok(kv.get("vda_md5") == md5,
             "pygrub: the guest reads its own disk through virtio-blk "
             "(the host's MD5 of the image)", "got %r, want %s" %
             (kv.get("vda_md5"), md5))
        t.ok(kv.get("action") == "poweroff" and not to,
             "pygrub: the guest powers off and the domain is gone",
             "\n".join(lines[-10:]))
        # 2. builder = 'hvm' with hvmloader: a filesystem at 0
        args = ("earlyprintk=serial,ttyS0,115200 xmtest.action=poweroff "
                "xmtest.nonce=%s" % nonce)
        img = image(work, "hvm", paths, "/dev/hda", args, False)
        t.ok(os.path.getsize(img) == 64 << 20,
             "an image with ext4 at offset 0 and the same /boot")
        cfg = ('name = "l2-hvm"\nbuilder = "hvm"\n'
               'kernel = "/usr/lib/xen/boot/hvmloader"\n'
               'device_model = "/usr/lib/xen/bin/qemu-dm"\nvnc = 1\n'
               'memory = 512\nvcpus = 1\ndisk = ["file:%s,hda,w"]\n'
               'on_poweroff = "destroy"\non_reboot = "destroy"\n'
               'on_crash = "destroy"\n' % img)
        out, lines, kv, to = boot(tools, "l2-hvm", cfg, work)
        save(outdir, "hvm", lines, tools)
        want = "root=/dev/vda ro %s console=ttyS0" % args
        t.ok("Booting 'Debian GNU/Linux'" in out,
             "hvm: xm create boots the disk's default entry", out)
        t.ok(kv.get("init") == "ok" and not to,
             "hvm: Debian's kernel from the disk reaches /init (direct "
             "kernel boot, no firmware)", "\n".join(lines[-20:]) + out)
        t.ok(kv.get("cmdline") == want,
             "hvm: /proc/cmdline is the host's: " + want,
             "got: %r" % kv.get("cmdline"))
        t.ok(kv.get("action") == "poweroff" and not to,
             "hvm: the guest powers off and the domain is gone",
             "\n".join(lines[-10:]))
    finally:
        tools.stop()
        shutil.rmtree(work, ignore_errors=True)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
