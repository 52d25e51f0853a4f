#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""xm_blk.py: virtio-blk through xmd and xm with the test guest (kvm tier):
each disk of the config a virtio-blk function in order, serial = the Xen
vdev, capacity and read-only flag as configured; the guest's CRC32 of a
file backend and of a loop device equals the host's; a pattern the guest
writes lands in the image; a read-only disk refuses writes and the image
stays unchanged; write-zeroes and discard; xm block-attach and
block-detach with the guest seeing the disk come and go and the record
following; ENOSPC on a tiny filesystem pauses the domain (xm list: p, xm
list -l: the reason) and xm unpause after freeing space completes the
write, with file: and with tap:aio: (O_DIRECT: the io_uring engine, on a
tmpfs that has O_DIRECT, Linux 6.6 and later, else on a small ext4); a backend that fails (device-mapper's error target) is an I/O error
in the guest while the domain runs on. Loop devices, tmpfs mounts and
device-mapper exist in scripts/with-kvm's nested machine; where one is
missing its checks SKIP with the reason. TAP."""
import os
import re
import select
import subprocess
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import xmharness as H  # noqa: E402
from xmharness import KERNEL, XM, XmdEnv, ok, skip  # noqa: E402

MIB = 1 << 20


def pattern(seed, start, count):
    """The bytes the guest's `blk write DISK START COUNT SEED` writes."""
    base = start * 512
    return bytes((seed ^ ((base + i) & 0xff) ^ ((base + i) >> 9)) & 0xff
                 for i in range(count * 512))


def crc(path, start=0, count=None):
    with open(path, "rb") as f:
        f.seek(start * 512)
        data = f.read(-1 if count is None else count * 512)
    return "%08x" % zlib.crc32(data)


class Guest:
    """xm console DOM on pipes: commands in, lines out."""

    def __init__(self, env, name):
        self.p = subprocess.Popen([XM, "console", name], env=env.env,
                                  stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
        self.buf = b""
        self.pos = 0

    def expect(self, pattern, timeout=60):
        """The first match of pattern (a bytes regex) after the last one,
        or None."""
        end = time.time() + timeout
        rx = re.compile(pattern)
        while True:
            m = rx.search(self.buf, self.pos)
            if m:
                self.pos = m.end()
                return m
            if time.time() > end:
                return None
            r, _, _ = select.select([self.p.stdout], [], [], 0.2)
            if r:
                data = os.read(self.p.stdout.fileno(), 65536)
                if not data:
                    return None
                self.buf += data

    def run(self, cmd, pattern, timeout=60):
        self.p.stdin.write(cmd.encode() + b"\r")
        self.p.stdin.flush()
        return self.expect(pattern, timeout)

    def tail(self, n=12):
        return "\n".join(self.buf.decode(errors="replace").splitlines()[-n:])

    def close(self):
        try:
            self.p.kill()
            self.p.wait(timeout=5)
        except Exception:
            pass


def image(path, mib, random=True):
    with open(path, "wb") as f:
        f.write(os.urandom(mib * MIB) if random else b"")
        if not random:
            f.truncate(mib * MIB)


def state(env, name):
    for line in env.xm("list").stdout.splitlines():
        f = line.split()
        if f and f[0] == name:
            return f[4]
    return None


def sh(*args):
    return subprocess.run(list(args), capture_output=True, text=True)


def test_boot(env, g, rw, ro):
    ok(g.expect(rb"blk: vda 00:01\.0 sectors 8192 ro 0 serial hda1 ") is
       not None, "disk 1 of the config (hda1, w) is the guest's vda at "
       "00:01.0, 8192 sectors, writable", g.tail())
    ok(g.expect(rb"blk: vdb 00:02\.0 sectors 2048 ro 1 serial hdb ") is
       not None, "disk 2 (hdb, r) is vdb at 00:02.0, 2048 sectors, "
       "read-only (VIRTIO_BLK_F_RO)", g.tail())
    ok(g.expect(rb"xmguest# ") is not None, "the guest is at its prompt")
    m = g.run("blk crc hda1 0 8192", rb"crc32 ([0-9a-f]{8})")
    ok(m is not None and m.group(1).decode() == crc(rw),
       "the guest's CRC32 of vda (by serial) equals the host's",
       "guest %s host %s" % (m and m.group(1), crc(rw)))
    m = g.run("blk crc vdb 0 2048", rb"crc32 ([0-9a-f]{8})")
    ok(m is not None and m.group(1).decode() == crc(ro),
       "the read-only disk's CRC32 equals the host's")


def test_write(env, g, rw, ro):
    before = crc(rw)
    m = g.run("blk write vda 100 300 7", rb"blk write vda 100\+300: ok")
    ok(m is not None,
       "the guest writes a pattern to sectors 100..399 (many 4 KiB "
       "descriptors per request)", g.tail())
    with open(rw, "rb") as f:
        f.seek(100 * 512)
        got = f.read(300 * 512)
    ok(got == pattern(7, 100, 300), "the pattern is in the image at once",
       "host crc %08x" % zlib.crc32(got))
    ok(g.run("blk flush vda", rb"blk flush vda: ok") is not None,
       "flush (fdatasync) succeeds")
    m = g.run("blk crc vda 100 300", rb"crc32 ([0-9a-f]{8})")
    ok(m is not None and m.group(1).decode() == crc(rw, 100, 300)
       and before != crc(rw), "reading it back (indirect descriptors) "
       "gives the host's CRC32")
    ro_before = crc(ro)
    ok(g.run("blk write vdb 0 8 1", rb"blk write vdb: error status 1")
       is not None and crc(ro) == ro_before,
       "a write to the read-only disk fails (VIRTIO_BLK_S_IOERR), the "
       "image is unchanged", g.tail())
    ok(g.run("blk zero vda 0 16", rb"blk zero vda 0\+16: ok") is not None
       and crc(rw, 0, 16) == "%08x" % zlib.crc32(bytes(16 * 512)),
       "write-zeroes: the host reads zeros there")
    ok(g.run("blk discard vda 16 16", rb"blk discard vda 16\+16: ok")
       is not None and crc(rw, 16, 16) == "%08x" % zlib.crc32(
           bytes(16 * 512)), "discard punches a hole (reads zeros)")


def blocklist(env, name):
    r = env.xm("block-list", name)
    return [line.split()[1] for line in r.stdout.splitlines()[1:]
            if len(line.split()) > 1]


def test_attach(env, g, name, extra):
    image(extra, 2)
    r = env.xm("block-attach", name, "file:" + extra, "hdc", "w")
    ok(r.returncode == 0, "xm block-attach %s file:... hdc w" % name,
       r.stdout + r.stderr + env.log_tail())
    m = g.expect(rb"blk: added (vd.) 00:(..)\.0 sectors 4096 ro 0 "
                 rb"serial hdc ", 60)
    ok(m is not None, "the guest sees hdc arrive (ACPI PCI hot-plug, GPE "
       "bit 1) with its size and serial", g.tail())
    ok("hdc" in blocklist(env, name), "xm block-list shows hdc",
       env.xm("block-list", name).stdout)
    mc = g.run("blk crc hdc 0 4096", rb"crc32 ([0-9a-f]{8})")
    ok(mc is not None and mc.group(1).decode() == crc(extra),
       "the attached disk reads as the host's file")
    r = env.xm("block-attach", name, "file:" + extra, "hdc", "w")
    ok(r.returncode != 0 and "already attached" in r.stderr,
       "attaching hdc twice is refused", r.stderr)
    r = env.xm("block-detach", name, "hdc")
    ok(r.returncode == 0 and g.expect(rb"blk: removed vd. serial hdc", 30)
       is not None, "xm block-detach: the guest ejects hdc",
       r.stdout + r.stderr + g.tail())
    ok("hdc" not in blocklist(env, name) and
       state(env, name) in ("r-----", "-b----"),
       "the record follows (block-list without hdc), the domain runs on")
    r = env.xm("block-attach", name, "file:" + extra, "hdd", "w")
    ok(r.returncode == 0 and g.expect(rb"blk: added vd. .*serial hdd", 60)
       is not None, "the image can be attached again (its lock went with "
       "the detached disk)", r.stderr + g.tail())
    r = env.xm("block-detach", name, "hdd", "--force")
    ok(r.returncode == 0 and "hdd" not in blocklist(env, name),
       "block-detach --force removes a disk without the guest's help",
       r.stderr)


def test_loop(env, g, name, root):
    """A loop device as phy: (nested machine)."""
    back = os.path.join(root, "loop.img")
    image(back, 2)
    r = sh("losetup", "-f", "--show", back)
    dev = r.stdout.strip()
    if r.returncode != 0 or not dev.startswith("/dev/loop"):
        why = "no loop devices here (scripts/with-kvm's nested machine " \
              "has them): %s" % (r.stderr.strip() or "losetup failed")
        for d in ("a loop device attached as phy:", "its CRC32 in the "
                  "guest equals the host's", "a guest write lands in the "
                  "backing file", "detached",
                  "its reads and writes go to io_uring (O_DIRECT)"):
            skip(d, why)
        return
    try:
        r = env.xm("block-attach", name, "phy:" + dev, "xvdf", "w")
        ok(r.returncode == 0 and g.expect(
            rb"blk: added vd. .*sectors 4096 ro 0 serial xvdf", 60),
            "a loop device (%s) attached as phy:" % dev,
            r.stderr + g.tail())
        m = g.run("blk crc xvdf 0 4096", rb"crc32 ([0-9a-f]{8})")
        ok(m is not None and m.group(1).decode() == crc(back),
           "its CRC32 in the guest equals the host's")
        ok(g.run("blk write xvdf 8 64 3", rb"blk write vd. 8\+64: ok")
           and g.run("blk flush xvdf", rb"blk flush vd.: ok") and
           sh("blockdev", "--flushbufs", dev).returncode == 0 and
           crc(back, 8, 64) == "%08x" % zlib.crc32(pattern(3, 8, 64)),
           "a guest write lands in the backing file", g.tail())
        r = env.xm("block-detach", name, "xvdf")
        ok(r.returncode == 0 and g.expect(rb"blk: removed vd. serial xvdf"),
           "detached", r.stderr)
        engine(env)
    finally:
        sh("losetup", "-d", dev)


def engine(env):
    """xmhv's line for xvdf names the engine: io_uring, unless this
    kernel refuses io_uring to everyone (then the workers, honestly)."""
    what = "its reads and writes go to io_uring (O_DIRECT)"
    log = env.log_tail(400)
    m = re.search(r"disk xvdf \(/dev/loop\d+\): virtio-blk .*I/O on (\S+)",
                  log)
    try:
        with open("/proc/sys/kernel/io_uring_disabled") as f:
            off = f.read().strip() not in ("", "0")
    except OSError:
        off = False
    if m and m.group(1) == "threads" and off:
        skip(what, "kernel.io_uring_disabled is set: worker threads")
        return
    ok(m is not None and m.group(1) == "io_uring", what,
       "\n".join(x for x in log.splitlines() if "xvdf" in x))


def o_direct(path):
    """"" when a file in path's directory opens O_DIRECT, else why not."""
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_DIRECT, 0o600))
        os.unlink(path)
        return ""
    except OSError as e:
        return "no O_DIRECT on %s: %s" % (os.path.dirname(path), e)


def tiny_ext4(mnt, root):
    """mnt made a 4 MiB ext4 without a journal on a loop device (O_DIRECT
    where a tmpfs has none), all but about 1 MiB of it taken by a filler
    file: "" and the filler's path, or why not and None."""
    back = os.path.join(root, "tiny-ext4.img")
    with open(back, "wb") as f:
        f.truncate(4 << 20)
    r = sh("mkfs.ext4", "-q", "-F", "-O", "^has_journal", back)
    if r.returncode == 0:
        r = sh("mount", "-o", "loop", back, mnt)
    if r.returncode != 0:
        return "cannot mount a small ext4 here: %s" % r.stderr.strip(), None
    st = os.statvfs(mnt)
    filler = os.path.join(mnt, "filler")
    fd = os.open(filler, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.posix_fallocate(fd, 0, st.f_bavail * st.f_frsize - (1 << 20))
    finally:
        os.close(fd)
    return o_direct(os.path.join(mnt, "probe")), filler


def test_enospc(env, g, name, root, backend="file:", vdev="xvdg"):
    """A sparse image on a 1 MiB tmpfs: writing 2 MiB fills it. With
    tap:aio: (O_DIRECT) the writes go through the io_uring engine, on the
    tmpfs where it has O_DIRECT (Linux 6.6 and later), else on a small
    ext4 whose filler file is removed to free the space."""
    mnt = os.path.join(root, "tiny")
    os.makedirs(mnt, exist_ok=True)
    r = sh("mount", "-t", "tmpfs", "-o", "size=1m", "xmtest-tiny", mnt)
    checks = ("a sparse image on a full filesystem attached",
              "a guest write that finds no space pauses the domain "
              "(xm list: --p---)", "xm list -l says why",
              "xmd's log says why", "nothing of the write is answered "
              "while paused", "space freed, xm unpause: the write "
              "completes", "the image holds the whole pattern",
              "the domain runs on")
    if backend != "file:":
        checks = tuple("%s (%s)" % (c, backend) for c in checks)
    why = "" if r.returncode == 0 else \
        "cannot mount a tmpfs here: %s" % r.stderr.strip()
    filler = None
    if not why and backend != "file:" and o_direct(
            os.path.join(mnt, "probe")):
        sh("umount", mnt)
        why, filler = tiny_ext4(mnt, root)
    if why:
        for d in checks:
            skip(d, why)
        sh("umount", "-l", mnt)
        return
    try:
        img = os.path.join(mnt, "full.img")
        image(img, 4, random=False)
        r = env.xm("block-attach", name, backend + img, vdev, "w")
        ok(r.returncode == 0 and g.expect(
            rb"blk: added vd. .*serial " + vdev.encode(), 60),
           checks[0], r.stderr + g.tail())
        g.run("blk write %s 0 4096 9" % vdev, rb"$^", timeout=0)
        st = None
        end = time.time() + 30
        while time.time() < end:
            st = state(env, name)
            if st and st[2] == "p":
                break
            time.sleep(0.3)
        ok(st == "--p---", checks[1], "state %s\n%s" % (st, g.tail()))
        long = env.xm("list", "-l", name).stdout
        ok("(pause_reason 'no space left on device (disk %s)')" % vdev in
           long, checks[2], long[-800:])
        ok("no space left on disk %s" % vdev in env.log_tail(40), checks[3],
           env.log_tail())
        ok(g.expect(rb"blk write vd. 0\+4096", 2) is None, checks[4],
           g.tail())
        if filler:
            os.unlink(filler)
        else:
            sh("mount", "-o", "remount,size=16m", mnt)
        r = env.xm("unpause", name)
        m = g.expect(rb"blk write vd. (0\+4096: ok|: error[^\r]*)", 60)
        ok(r.returncode == 0 and m is not None and b"ok" in m.group(1),
           checks[5], r.stderr + g.tail())
        want = pattern(9, 0, 4096)
        with open(img, "rb") as f:
            have = f.read()
        bad = [i for i in range(0, len(want), 512) if have[i:i + 512] !=
               want[i:i + 512]]
        ok(not bad, checks[6], "%d sectors differ, the first %s" %
           (len(bad), [b // 512 for b in bad[:8]]))
        ok(state(env, name) in ("r-----", "-b----"), checks[7],
           env.xm("list").stdout)
        env.xm("block-detach", name, vdev, "--force")
    finally:
        sh("umount", "-l", mnt)


def test_eio(env, g, name):
    """device-mapper's error target as phy: (nested machine)."""
    dm = "xmtest-err-%d" % os.getpid()
    r = sh("dmsetup", "create", dm, "--table", "0 2048 error")
    checks = ("a device-mapper error target attached as phy:",
              "a guest read is an I/O error (status 1)",
              "a guest write is an I/O error (the write itself: phy: is "
              "O_DIRECT; or, buffered, its flush and every flush after)", "the domain runs on, its "
              "other disks answer")
    if r.returncode != 0:
        for d in checks:
            skip(d, "no device-mapper here (scripts/with-kvm's nested "
                 "machine has it): %s" % (r.stderr.strip().splitlines()
                                          or ["dmsetup failed"])[-1])
        return
    try:
        sh("dmsetup", "mknodes", dm)
        dev = "/dev/mapper/" + dm
        r = env.xm("block-attach", name, "phy:" + dev, "xvdh", "w")
        ok(r.returncode == 0 and g.expect(rb"blk: added vd. .*serial xvdh",
                                          60), checks[0],
           r.stderr + g.tail())
        ok(g.run("blk crc xvdh 0 64", rb"blk crc vd.: error status 1")
           is not None, checks[1], g.tail())
        # phy: is opened O_DIRECT: the write itself is the error. A
        # buffered write would fail at writeback: then the flush after it
        # is the error, and every later flush fails too.
        m = g.run("blk write xvdh 0 8 1", rb"blk write vd.(: error status "
                  rb"1| 0\+8: ok)")
        f1 = g.run("blk flush xvdh", rb"blk flush vd.: (ok|error status 1)")
        f2 = g.run("blk flush xvdh", rb"blk flush vd.: (ok|error status 1)")
        ok(m is not None and f1 is not None and f2 is not None and
           (b"error" in m.group(1) or
            (b"error" in f1.group(1) and b"error" in f2.group(1))),
           checks[2], g.tail())
        ok(state(env, name) in ("r-----", "-b----") and
           g.run("blk crc vda 0 8", rb"crc32 [0-9a-f]{8}") is not None,
           checks[3])
        env.xm("block-detach", name, "xvdh", "--force")
    finally:
        sh("dmsetup", "remove", "-f", dm)


def main():
    H.require()
    env = XmdEnv("xm-blk-")
    g = None
    try:
        rw = os.path.join(env.root, "rw.img")
        ro = os.path.join(env.root, "ro.img")
        image(rw, 4)
        image(ro, 1)
        cfg = os.path.join(env.root, "blk.cfg")
        with open(cfg, "w") as f:
            f.write('name = "blk"\nkernel = "%s"\nmemory = 32\nvcpus = 2\n'
                    'disk = ["file:%s,hda1,w", "file:%s,hdb,r"]\n' %
                    (KERNEL, rw, ro))
        ok(env.start_xmd(), "xmd starts", env.log_tail())
        r = env.xm("create", cfg)
        ok(r.returncode == 0, "xm create of a domain with two disks",
           r.stdout + r.stderr + env.log_tail())
        g = Guest(env, "blk")
        test_boot(env, g, rw, ro)
        test_write(env, g, rw, ro)
        test_attach(env, g, "blk", os.path.join(env.root, "extra.img"))
        test_loop(env, g, "blk", env.root)
        test_enospc(env, g, "blk", env.root)
        test_enospc(env, g, "blk", env.root, "tap:aio:", "xvdh")
        test_eio(env, g, "blk")
        r = env.xm("destroy", "blk")
        ok(r.returncode == 0, "destroy")
    finally:
        if g:
            g.close()
        env.cleanup()
    return H.plan()


if __name__ == "__main__":
    sys.exit(main())
