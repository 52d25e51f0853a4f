#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""xm_lock.py: disk image locks in QEMU's byte protocol, through xmd and xm
with the test guest (kvm tier), against the real qemu-img and QEMU: a `w`
disk is busy for `qemu-img convert`/`resize` and for a QEMU drive (and
readable with -U); a second domain is refused an image one of ours holds,
and the refusal names that domain, its disk and mode; `r` shares with `r`,
`w!` with `w!` (and with QEMU's share-rw=on); an image a QEMU process holds
is refused at create and at block-attach, and taken at once when QEMU
quits; destroy, a killed monitor and a failed create leave nothing
locked: the next create of the same image succeeds at once. Domains are
created paused (-p): the guest never needs to run. TAP."""
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import xmharness as H  # noqa: E402
from xmharness import KERNEL, XmdEnv, ok, skip  # noqa: E402

QEMU_IMG = shutil.which("qemu-img")
QEMU = shutil.which("qemu-system-x86_64")


def sh(*args, timeout=60):
    return subprocess.run(list(args), capture_output=True, text=True,
                          timeout=timeout)


def image(path, mib=1):
    with open(path, "wb") as f:
        f.truncate(mib << 20)


def cfg(env, name, disks, extra=""):
    path = os.path.join(env.root, name + ".cfg")
    with open(path, "w") as f:
        f.write('name = "%s"\nkernel = "%s"\nmemory = 32\nvcpus = 1\n'
                'disk = [%s]\n%s' % (name, KERNEL,
                                     ", ".join('"%s"' % d for d in disks),
                                     extra))
    return path


def create(env, name, disks, extra=""):
    return env.xm("create", "-p", cfg(env, name, disks, extra))


def convert(img, force=False):
    out = img + ".copy"
    r = sh(QEMU_IMG, "convert", *(["-U"] if force else []), "-f", "raw",
           "-O", "raw", img, out)
    if os.path.exists(out):
        os.unlink(out)
    return r


class Qemu:
    """A QEMU process holding img through a virtio-blk drive, stopped
    before its first instruction (-S): the lock is taken when the device
    is realized."""

    def __init__(self, img, share_rw=False):
        self.p = subprocess.Popen(
            [QEMU, "-S", "-display", "none", "-nodefaults", "-machine",
             "pc,accel=tcg", "-m", "16", "-monitor", "stdio",
             "-drive", "file=%s,format=raw,if=none,id=d0" % img,
             "-device", "virtio-blk-pci,drive=d0%s" %
             (",share-rw=on" if share_rw else "")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT)
        self.out = b""
        # The monitor prompt comes before the devices are realized: ask
        # it something; its answer means the drive is open, EOF that QEMU
        # exited (a lock it could not get).
        self.read_until(b"(qemu)")
        try:
            self.p.stdin.write(b"info status\n")
            self.p.stdin.flush()
        except OSError:
            pass
        self.read_until(b"VM status")

    def read_until(self, what, timeout=30):
        end = time.time() + timeout
        while time.time() < end and what not in self.out:
            b = self.p.stdout.read1(4096)
            if not b:
                break
            self.out += b

    def running(self):
        return self.p.poll() is None and b"VM status" in self.out

    def text(self):
        return self.out.decode(errors="replace")

    def quit(self):
        try:
            self.p.stdin.write(b"quit\n")
            self.p.stdin.flush()
            self.p.wait(timeout=10)
        except Exception:
            self.p.kill()
            self.p.wait()


def test_ours(env, img):
    """Domain A holds w, r and w! images: what others see."""
    r = create(env, "lockA", ["file:%s,hda1,w" % img["w"],
                              "file:%s,hdb,r" % img["r"],
                              "file:%s,hdc,w!" % img["s"]])
    ok(r.returncode == 0, "xm create -p: a domain with w, r and w! disks",
       r.stdout + r.stderr + env.log_tail())
    r = convert(img["w"])
    ok(r.returncode != 0 and 'Failed to get shared "write" lock' in r.stderr,
       "qemu-img convert of its w image: Failed to get shared \"write\" "
       "lock (QEMU's protocol)", r.stderr)
    ok(convert(img["w"], force=True).returncode == 0,
       "qemu-img convert -U (force share) reads it")
    r = sh(QEMU_IMG, "resize", "-f", "raw", img["w"], "2M")
    ok(r.returncode != 0 and 'Failed to get "write" lock' in r.stderr and
       os.path.getsize(img["w"]) == 1 << 20,
       "qemu-img resize is refused, the image keeps its size", r.stderr)
    q = Qemu(img["w"])
    ok(not q.running() and 'Failed to get "write" lock' in q.text(),
       "a QEMU drive on the w image: Failed to get \"write\" lock", q.text())
    q.quit()
    r = create(env, "lockB", ["file:%s,xvda,w" % img["w"]])
    ok(r.returncode != 0 and "in use by domain lockA (its disk hda1, "
       "mode w)" in r.stderr, "a second domain wanting it w is refused, "
       "naming lockA, its disk and mode", r.stderr)
    r = create(env, "lockB", ["file:%s,xvda,r" % img["w"]])
    ok(r.returncode != 0 and "in use by domain lockA" in r.stderr,
       "... and wanting it r too", r.stderr)
    r = create(env, "lockB", ["file:%s,xvda,r" % img["r"],
                              "file:%s,xvdb,w!" % img["s"]])
    ok(r.returncode == 0, "r shares with r and w! with w!: another domain "
       "gets both", r.stderr + env.log_tail())
    r = create(env, "lockC", ["file:%s,xvda,w" % img["r"]])
    ok(r.returncode != 0 and "in use by domain lock" in r.stderr and
       "mode r)" in r.stderr, "w on an image domains read is refused, "
       "naming a reader", r.stderr)
    ok(convert(img["r"]).returncode == 0,
       "qemu-img convert reads an r image (readers share)")
    q = Qemu(img["s"])
    ok(not q.running() and 'Failed to get shared "write" lock' in q.text(),
       "a QEMU drive on the w! image without share-rw is refused", q.text())
    q.quit()
    q = Qemu(img["s"], share_rw=True)
    ok(q.running(), "a QEMU drive with share-rw=on shares the w! image",
       q.text())
    q.quit()
    for n in ("lockA", "lockB"):
        env.xm("destroy", n)


def test_qemu(env, img):
    """A QEMU process holds an image: xmtools refuses it."""
    q = Qemu(img["q"])
    ok(q.running(), "QEMU holds an image through a virtio-blk drive",
       q.text())
    try:
        r = create(env, "lockQ", ["file:%s,hda1,w" % img["q"]])
        ok(r.returncode != 0 and "in use" in r.stderr and
           "'write'" in r.stderr and "QEMU" in r.stderr,
           "xm create of it (w) is refused: another process holds "
           "'write'", r.stderr)
        r = create(env, "lockQ", ["file:%s,hda1,r" % img["q"]])
        ok(r.returncode != 0 and "in use" in r.stderr,
           "... r too (QEMU does not share write)", r.stderr)
        r = create(env, "lockQ", ["file:%s,hda1,w" % img["f"],
                                  "file:%s,hdb,w" % img["q"]])
        ok(r.returncode != 0 and not env.xm("list", "lockQ").returncode ==
           0, "a create whose second disk is QEMU's fails, no domain left",
           r.stderr)
        ok(convert(img["f"]).returncode == 0,
           "the failed create left its first disk unlocked")
        r = create(env, "lockQ", ["file:%s,hda1,w" % img["f"]])
        ok(r.returncode == 0, "a create of that disk succeeds at once",
           r.stderr)
        r = env.xm("block-attach", "lockQ", "file:" + img["q"], "hdb", "w")
        ok(r.returncode != 0 and "'write'" in r.stderr,
           "xm block-attach of QEMU's image is refused", r.stderr)
    finally:
        q.quit()
    r = env.xm("block-attach", "lockQ", "file:" + img["q"], "hdb", "w")
    ok(r.returncode == 0, "QEMU quit: the block-attach succeeds at once",
       r.stderr)
    r = env.xm("block-detach", "lockQ", "hdb", "--force")
    ok(r.returncode == 0 and convert(img["q"]).returncode == 0,
       "a detached disk's lock goes with it", r.stderr)
    env.xm("destroy", "lockQ")


def test_teardown(env, img):
    """destroy and a killed monitor release everything at once."""
    r = create(env, "lockT", ["file:%s,hda1,w" % img["w"]])
    ok(r.returncode == 0, "create of a w disk", r.stderr)
    r = env.xm("destroy", "lockT")
    ok(r.returncode == 0 and convert(img["w"]).returncode == 0,
       "after xm destroy qemu-img reads the image at once")
    r = create(env, "lockT", ["file:%s,hda1,w" % img["w"]],
               'on_crash = "destroy"\n')
    ok(r.returncode == 0, "... and a second create of it succeeds at once",
       r.stderr + env.log_tail())
    pid = env.monitor_pid("lockT")
    if pid is None:
        skip("a monitor killed with SIGKILL (a crash) releases the image",
             "its pid was not found")
    else:
        os.kill(pid, signal.SIGKILL)
        end = time.time() + 10
        while time.time() < end and os.path.exists("/proc/%d/fd" % pid) \
                and os.listdir("/proc/%d/fd" % pid):
            time.sleep(0.05)
        r = create(env, "lockU", ["file:%s,hda1,w" % img["w"]])
        ok(r.returncode == 0, "a monitor killed with SIGKILL (a crash) "
           "releases the image: another create takes it at once",
           r.stderr + env.log_tail())
        env.xm("destroy", "lockU")
    env.xm("destroy", "lockT")


def main():
    H.require()
    if not QEMU_IMG or not QEMU:
        H.skip_all("qemu-img and qemu-system-x86_64 are needed "
                   "(qemu-utils, qemu-system-x86)")
    env = XmdEnv("xm-lock-")
    try:
        img = {k: os.path.join(env.root, k + ".img")
               for k in ("w", "r", "s", "q", "f")}
        for p in img.values():
            image(p)
        ok(env.start_xmd(), "xmd starts", env.log_tail())
        test_ours(env, img)
        test_qemu(env, img)
        test_teardown(env, img)
    finally:
        env.cleanup()
    return H.plan()


if __name__ == "__main__":
    sys.exit(main())
