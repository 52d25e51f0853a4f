# SPDX-License-Identifier: GPL-2.0-or-later
"""linux-io.py: fio inside the same Debian L2 kernel against the same raw
disk, under xmhv (through xmd and `xm create`: phy:, so O_DIRECT) with
each of its engines (io_uring, the default for O_DIRECT, and the worker
threads: XMHV_BLK_ENGINE=threads in xmd's environment) and under QEMU
(q35, virtio-blk-pci, aio=io_uring, cache=none), plus L1 running the
same fio on the disk directly: sequential 1 MiB read and write (queue
depth 8), 4 KiB random read and write at queue depth 32, all O_DIRECT
(libaio). `make bench-linux-io` runs it through scripts/with-kvm --linux.
The disk is a loop device over a file in L1's /tmp (tmpfs: the host's
memory speed, so the table shows what each virtualization stack costs).
fio and its libraries go in on an ext4 image (mke2fs -d, no mount) that
L2 boots as its root (l2-init's rootfs action), mounted read-only; its
/sbin/init runs the jobs and prints fio's terse lines. The monitor's CPU
time of each job (user + system of the whole process, its threads and
io_uring workers included) is read from /proc/PID/stat when the guest
says a job starts and when it prints the result. LINUX_IO_ROUNDS rounds
(3), the three monitors in a rotated order each round (a Latin square:
each runs first, second and third once in three rounds, so neither L1's
warm caches nor a busy moment of the shared host favours one); every run
is printed and the table gives the medians. Not a test: never fails on
numbers. Environment: LINUX_IO_RUNTIME (seconds per job, 10),
LINUX_IO_ROUNDS (3), LINUX_IO_MIB (the disk, 256), LINUX_IO_VCPUS (2),
LINUX_IO_SAME_CPU (1: xmhv's L2 gets QEMU's CPU model, l2.QEMU_LIKE_CPUID;
0: its own)."""

import os
import re
import shutil
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # the source tree may be read-only
sys.path.insert(0, os.path.join(HERE, "..", "tests", "linux"))
import l2  # noqa: E402

JOBS = (("seqread", "--rw=read --bs=1M --iodepth=8", "MB/s"),
        ("seqwrite", "--rw=write --bs=1M --iodepth=8", "MB/s"),
        ("randread", "--rw=randread --bs=4k --iodepth=32", "IOPS"),
        ("randwrite", "--rw=randwrite --bs=4k --iodepth=32", "IOPS"))
# The same CPU model as QEMU's L2 for xmhv's (l2.QEMU_LIKE_CPUID);
# LINUX_IO_SAME_CPU=0 keeps xmhv's own.
SAME_CPU = (l2.QEMU_LIKE_CPUID
            if os.environ.get("LINUX_IO_SAME_CPU", "1") == "1" else "")
APPLETS = "sh mount cat echo sync poweroff awk sed sleep tail".split()
INIT = r"""#!/bin/sh
export PATH=/bin:/usr/bin
mount -t devtmpfs dev /dev
mount -t proc proc /proc
mount -t sysfs sys /sys
rt=10
for w in $(cat /proc/cmdline); do
	case "$w" in xmtest.rt=*) rt=${w#xmtest.rt=} ;; esac
done
echo "XMTEST benchinit=ok"
%s
echo "XMTEST bench=done"
poweroff -f
"""


def sh(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True,
                          timeout=600, **kw)


def fio_args(dev, name, extra, rt):
    return ["fio", "--name=" + name, "--filename=" + dev, "--direct=1",
            "--ioengine=libaio", "--runtime=%s" % rt, "--time_based",
            "--minimal"] + extra.split()


def parse(line):
    """(MB/s, IOPS) of a fio terse line (version 3), read or write."""
    f = line.split(";")
    if len(f) < 49 or f[0] != "3":
        return None
    rbw, riops, wbw, wiops = (float(f[6]), float(f[7]), float(f[47]),
                              float(f[48]))
    bw, iops = (rbw, riops) if rbw or riops else (wbw, wiops)
    return bw * 1024 / 1e6, iops


def tools_image(work):
    """ext4 with busybox, fio and its libraries, and the bench init."""
    stage = os.path.join(work, "stage")
    for d in ("bin", "sbin", "usr/bin", "proc", "sys", "dev", "tmp"):
        os.makedirs(os.path.join(stage, d), exist_ok=True)
    shutil.copy(shutil.which("busybox") or "/bin/busybox",
                os.path.join(stage, "bin", "busybox"))
    for a in APPLETS:
        os.symlink("busybox", os.path.join(stage, "bin", a))
    fio = shutil.which("fio")
    shutil.copy(fio, os.path.join(stage, "usr", "bin", "fio"))
    for line in sh("ldd", fio).stdout.splitlines():
        w = line.split()
        lib = w[2] if len(w) >= 3 and w[1] == "=>" else (
            w[0] if w and w[0].startswith("/") else None)
        if not lib or not os.path.exists(lib):
            continue
        dst = os.path.join(stage, lib.lstrip("/"))
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy(os.path.realpath(lib), dst)
    jobs = "\n".join(
        'echo "XMTEST start_%s=1"\necho "XMTEST fio_%s=$(%s 2>&1 | tail -1)"'
        % (name, name, " ".join(fio_args("/dev/vdb", name, extra, "$rt")))
        for name, extra, _ in JOBS)
    with open(os.path.join(stage, "sbin", "init"), "w") as f:
        f.write(INIT % jobs)
    os.chmod(os.path.join(stage, "sbin", "init"), 0o755)
    img = os.path.join(work, "tools.img")
    r = sh("mke2fs", "-q", "-F", "-t", "ext4", "-d", stage, img, "160M")
    if r.returncode != 0:
        raise RuntimeError("mke2fs: " + r.stderr)
    return img


def _stat_s(path):
    """user + system seconds of a /proc stat file."""
    with open(path) as f:
        w = f.read().rsplit(") ", 1)[1].split()
    return (int(w[11]) + int(w[12])) / os.sysconf("SC_CLK_TCK")


VCPU_RE = re.compile(r"^(vcpu\d+|CPU \d+/KVM)$")  # xmhv's, QEMU's names


def _cpu_s(pid):
    """(user + system seconds of process pid, all its threads; the part
    of its vCPU threads), or None."""
    try:
        total, vcpu = _stat_s("/proc/%d/stat" % pid), None
        for t in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/comm" % (pid, t)) as f:
                if VCPU_RE.match(f.read().strip()):
                    vcpu = (vcpu or 0.0) + _stat_s("/proc/%d/task/%s/stat"
                                                   % (pid, t))
        return total, vcpu
    except (OSError, IndexError, ValueError):
        return None


def _pid_of(exe):
    """The one process running exe (one monitor at a time here)."""
    exe = os.path.realpath(exe)
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if os.readlink("/proc/%s/exe" % d) == exe:
                    return int(d)
            except OSError:
                pass
    return None


def _iowq(pid):
    n = 0
    try:
        for t in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/comm" % (pid, t)) as f:
                n += f.read().startswith("iou-wrk")
    except OSError:
        pass
    return n


class CpuWatch(threading.Thread):
    """The monitor's CPU seconds over each job: sampled when the guest's
    console shows XMTEST start_JOB and XMTEST fio_JOB (50 ms polls)."""

    def __init__(self, exe, console):
        super().__init__(daemon=True)
        self.exe, self.console = exe, console
        self.t0, self.t1 = {}, {}
        self.iowq = 0  # most io_uring workers (iou-wrk-*) seen at once
        self.halt = threading.Event()

    def run(self):
        pid = None
        while not self.halt.is_set():
            pid = pid if pid and os.path.exists("/proc/%d" % pid) \
                else _pid_of(self.exe)
            if pid:
                self.iowq = max(self.iowq, _iowq(pid))
            path = self.console()
            try:
                with open(path, "rb") as f:
                    text = f.read()
            except (OSError, TypeError):
                text = b""
            for name, _, _ in JOBS:
                for mark, d in (("start_", self.t0), ("fio_", self.t1)):
                    if name not in d and pid and \
                            ("XMTEST %s%s=" % (mark, name)).encode() in text:
                        d[name] = _cpu_s(pid)
            time.sleep(0.05)

    def result(self):
        self.halt.set()
        self.join()
        out = {}
        for n, _, _ in JOBS:
            a, b = self.t0.get(n), self.t1.get(n)
            if a is None or b is None:
                continue
            out[n] = (b[0] - a[0], None if a[1] is None or b[1] is None
                      else (b[0] - b[1]) - (a[0] - a[1]))
        return out


def run_watched(exe, console, fn):
    """fn() with a CpuWatch on exe's process; (fn's result, CPU/job)."""
    w = CpuWatch(exe, console)
    w.start()
    try:
        return fn(), w.result()
    finally:
        w.halt.set()
        l2.log("%s: at most %d io_uring workers (iou-wrk) at once" %
               (os.path.basename(exe), w.iowq))


def xm_run(tools, paths, work, cmd, timg, loop, vcpus, n, key):
    """One xmhv run, xmd (and so xmhv) started afresh with the engine's
    setting: (l2.run's result, CPU per job)."""
    tools.stop()
    tools._rundir = None  # stop() removed it
    os.environ.pop("XMHV_BLK_ENGINE", None)
    if key == "threads":
        os.environ["XMHV_BLK_ENGINE"] = "threads"

    def con():
        return tools.xmroot and os.path.join(
            tools.xmroot, "var", "log", "xmd", "console", "l2-%d.log" % n)
    return run_watched(tools.xmhv, con, lambda: l2.run(
        n, "xm", vcpus, 512, "rootfs", cmd, paths, tools, work,
        timeout=900, disks=["file:%s,xvda,r" % timg, "phy:%s,xvdb,w" % loop],
        root="/dev/xvda ro", xm_extra=SAME_CPU))


def qemu_run(tools, paths, work, cmd, timg, loop, vcpus, n):
    """One QEMU run (aio=io_uring, cache=none), no xmd beside it: as
    xm_run."""
    tools.stop()
    tools._rundir = None
    return run_watched(
        tools.qemu, lambda: os.path.join(work, "run%d.console" % n),
        lambda: l2.run(n, "qemu", vcpus, 512, "rootfs",
                       "root=/dev/vda ro " + cmd, paths, tools, work,
                       timeout=900,
                       qemu_drives=["file=%s,format=raw,readonly=on" % timg,
                                    "file=%s,format=raw,cache=none,"
                                    "aio=io_uring" % loop]))


def main():
    top = os.environ.get("top_builddir", os.path.join(HERE, ".."))
    outdir = os.path.join(top, "bench")
    tools = l2.Tools(top)
    rt = os.environ.get("LINUX_IO_RUNTIME", "10")
    mib = int(os.environ.get("LINUX_IO_MIB", "256"))
    vcpus = int(os.environ.get("LINUX_IO_VCPUS", "2"))
    if not shutil.which("fio"):
        print("linux-io: skipped: fio is not installed (apt-get install "
              "fio)")
        return 0
    work = os.path.join(outdir, "linux-io-work")
    shutil.rmtree(work, ignore_errors=True)
    try:
        paths = l2.prepare(work)
    except l2.Skip as e:
        print("linux-io: skipped: %s" % e)
        return 0
    timg = tools_image(work)
    back = "/tmp/linux-io-disk.img"
    with open(back, "wb") as f:
        f.truncate(mib << 20)
    loop = sh("losetup", "-f", "--show", back).stdout.strip()
    res, cpu = {}, {}  # per monitor: a list of runs, {job: figures}
    try:
        res["L1"] = [{}]
        for name, extra, _ in JOBS:
            r = sh(*fio_args(loop, name, extra, rt))
            res["L1"][0][name] = parse(r.stdout.strip().splitlines()[-1]
                                       if r.stdout.strip() else "")
        cmd = ("console=ttyS0 xmtest.action=rootfs xmtest.rt=%s" % rt)
        runs = []
        kinds = ("uring", "threads", "QEMU")
        rounds = int(os.environ.get("LINUX_IO_ROUNDS", "3"))
        for i in range(rounds * 3):
            key = kinds[(i // 3 + i % 3) % 3]
            if key == "QEMU":
                runs.append(("QEMU",) + qemu_run(tools, paths, work, cmd,
                                                 timg, loop, vcpus, 2 + 2 * i))
            else:
                runs.append((key,) + xm_run(tools, paths, work, cmd, timg,
                                            loop, vcpus, 1 + 2 * i, key))
        os.environ.pop("XMHV_BLK_ENGINE", None)
        for key, run, c in runs:
            r = {n: parse(run["kv"].get("fio_" + n, "")) for n, _, _ in JOBS}
            res.setdefault(key, []).append(r)
            cpu.setdefault(key, []).append(c)
            l2.log("%s: wall %d ms, reason %s; %s" % (
                key, run["wall_ms"], l2.reason(run), ", ".join(
                    "%s %s CPU %s" % (n, "-" if r[n] is None else
                                      "%.0f MB/s %.0f IOPS" % r[n],
                                      c.get(n)) for n, _, _ in JOBS)))
            if key != "QEMU":
                l2.log("%s: %s" % (key, "; ".join(
                    x for x in run["mon"] if "I/O on" in x)))
        l2.save_artifacts([r for _, r, _ in runs],
                          os.path.join(outdir, "linux-io-artifacts"), "io")
    finally:
        tools.stop()
        sh("losetup", "-d", loop)
        os.unlink(back)
    print("\nfio in L2 (%d vCPUs, %s s per job, O_DIRECT libaio) on a %d "
          "MiB loop device in L1's /tmp" % (vcpus, rt, mib))
    print("xmhv uring: io_uring engine; threads: XMHV_BLK_ENGINE=threads; "
          "runs in the order %s; medians of the runs; CPU: the monitor "
          "process's user+sys seconds over the job (median), all threads / "
          "outside its vCPU threads" % ",".join(k for k, _, _ in runs))
    for n, _, unit in JOBS:
        i = 0 if unit == "MB/s" else 1
        print("%-10s %-5s runs: %s" % (n, unit, "; ".join(
            "%s %s" % (k, "-" if not r.get(n) else "%.0f" % r[n][i])
            for k in ("uring", "threads", "QEMU")
            for r in res.get(k, []))))
    hdr = ("job", "unit", "L1", "uring", "threads", "QEMU", "ur/QEMU",
           "th/QEMU", "ur/L1", "CPU ur", "CPU th", "CPU QEMU")
    fmt = "%-10s %-5s" + " %8s" * (len(hdr) - 2)
    print(fmt % hdr)

    def mean(xs):  # the median, which one wild run does not move
        xs = sorted(x for x in xs if x is not None)
        m = len(xs) // 2
        return None if not xs else (xs[m] if len(xs) % 2 else
                                    (xs[m - 1] + xs[m]) / 2)

    def val(k, n, unit):
        i = 0 if unit == "MB/s" else 1
        return mean([r[n][i] if r.get(n) else None
                     for r in res.get(k, [])])

    def num(v, f="%.0f"):
        return "-" if v is None else f % v

    def ratio(x, y):
        return "%.2f" % (x / y) if x and y else "-"
    for n, _, unit in JOBS:
        a, u, t, q = (val(k, n, unit) for k in ("L1", "uring", "threads",
                                                "QEMU"))
        def c(k):
            runs = [r[n] for r in cpu.get(k, []) if r.get(n)]
            t, o = mean([x[0] for x in runs]), mean([x[1] for x in runs])
            return "-" if t is None else "%.1f/%s" % (
                t, "-" if o is None else "%.1f" % o)
        print(fmt % (n, unit, num(a), num(u), num(t), num(q), ratio(u, q),
                     ratio(t, q), ratio(u, a), c("uring"), c("threads"),
                     c("QEMU")))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
