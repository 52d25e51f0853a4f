#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""lifecycle.py: the lifecycle benchmark. Against an isolated xmd booting
the test guest: create->running and destroy latency for 50 domains in a
row; `xm list` latency and xmd's resident memory with 1, 10 and 100
domains. Prints a table; with --record, writes it into bench/README.md's
"## lifecycle" section (only that section)."""
import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(
    os.environ.get("top_srcdir",
                   os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")),
    "tests", "kvm"))
from xmharness import kill_monitors  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from record import record_section  # noqa: E402


GOAL_LIST_MS = 10.0
GOAL_RSS_MIB = 16.0


def ms(t):
    return "%.1f" % (t * 1000.0)


class Bench:
    def __init__(self, build, memory):
        self.xm = os.path.join(build, "xmctl", "xm")
        self.xmd_bin = os.path.join(build, "xmd", "xmd")
        self.xmhv = os.path.join(build, "hypervisor", "xmhv")
        self.kernel = os.path.join(build, "tests", "guest", "guest.bzImage")
        self.memory = memory
        self.root = tempfile.mkdtemp(prefix="xm-bench-")
        self.env = dict(os.environ, XMD_ROOT=self.root, XMHV_PATH=self.xmhv)
        self.xmd = None

    def missing(self):
        if os.geteuid() != 0:
            return "needs root"
        if not os.access("/dev/kvm", os.R_OK | os.W_OK):
            return "no usable /dev/kvm"
        for p in (self.xm, self.xmd_bin, self.xmhv, self.kernel):
            if not os.path.exists(p):
                return "%s is not built" % p
        return None

    def run(self, *args, check=True):
        r = subprocess.run([self.xm] + list(args), env=self.env,
                           capture_output=True, text=True, timeout=300)
        if check and r.returncode != 0:
            raise RuntimeError("xm %s: %s" % (" ".join(args),
                                              r.stderr.strip()))
        return r

    def start(self):
        log = open(os.path.join(self.root, "xmd.out"), "a")
        self.xmd = subprocess.Popen([self.xmd_bin, "--root", self.root, "-d"],
                                    env=self.env, stdout=log,
                                    stderr=subprocess.STDOUT,
                                    start_new_session=True)
        end = time.time() + 20
        while time.time() < end:
            if self.run("list", check=False).returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("xmd did not start")

    def stop(self):
        if self.xmd is not None and self.xmd.poll() is None:
            try:
                for line in self.run("list", check=False).stdout.splitlines()[1:]:
                    f = line.split()
                    if f and f[0] != "Domain-0":
                        self.run("destroy", f[0], check=False)
            except Exception:
                pass
        if self.xmd is not None:
            try:
                os.killpg(self.xmd.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.xmd.wait()
        kill_monitors(self.root)
        shutil.rmtree(self.root, ignore_errors=True)

    def cfg(self, name):
        path = os.path.join(self.root, name)
        with open(path, "w") as f:
            f.write('name = "%s"\nkernel = "%s"\nmemory = %d\nvcpus = 1\n'
                    % (name, self.kernel, self.memory))
        return path

    def state(self, name):
        for line in self.run("list").stdout.splitlines()[1:]:
            f = line.split()
            if f and f[0] == name:
                return f[4]
        return None

    def create_running(self, name):
        """Seconds from `xm create` to the domain listed running."""
        path = self.cfg(name)
        t0 = time.monotonic()
        self.run("create", "-q", path)
        while True:
            st = self.state(name)
            if st is not None and (st[0] == "r" or st[1] == "b" or
                                   st == "------"):
                return time.monotonic() - t0
            if time.monotonic() - t0 > 120:
                raise RuntimeError("%s not running after 120 s" % name)
            time.sleep(0.005)

    def destroy(self, name):
        t0 = time.monotonic()
        self.run("destroy", name)
        return time.monotonic() - t0

    def list_latency(self, n=20):
        times = []
        for _ in range(n):
            t0 = time.monotonic()
            self.run("list")
            times.append(time.monotonic() - t0)
        return statistics.median(times)

    def spawn_floor(self, n=20):
        """The same measurement of /bin/true: what starting any process
        costs on this machine right now (the floor under xm list)."""
        times = []
        for _ in range(n):
            t0 = time.monotonic()
            subprocess.run(["/bin/true"], capture_output=True, text=True)
            times.append(time.monotonic() - t0)
        return statistics.median(times)

    def rss_mib(self):
        with open("/proc/%d/status" % self.xmd.pid) as f:
            m = re.search(r"VmRSS:\s+(\d+) kB", f.read())
        return int(m.group(1)) / 1024.0 if m else float("nan")


def summary(xs):
    xs = sorted(xs)
    p90 = xs[min(len(xs) - 1, int(round(0.9 * (len(xs) - 1))))]
    return "%s / %s / %s / %s" % (ms(xs[0]), ms(statistics.median(xs)),
                                  ms(p90), ms(xs[-1]))


def measure(b, rounds, counts):
    rows = []
    b.start()
    created, destroyed = [], []
    for i in range(rounds):
        name = "lc%d" % i
        created.append(b.create_running(name))
        destroyed.append(b.destroy(name))
    rows.append(("create -> running, %d domains in a row (ms min/med/p90/max)"
                 % rounds, summary(created), ""))
    rows.append(("destroy, %d domains in a row (ms min/med/p90/max)" % rounds,
                 summary(destroyed), ""))
    have = 0
    for target in counts:
        while have < target:
            b.create_running("ls%d" % have)
            have += 1
        lat = b.list_latency()
        floor = b.spawn_floor()
        rss = b.rss_mib()
        rows.append(("xm list, %d domains (ms, median of 20)" % target,
                     ms(lat), "< %.0f ms: %s" % (
                         GOAL_LIST_MS,
                         "met" if lat * 1000 < GOAL_LIST_MS else "MISSED")
                     if target <= 100 else "(reported)"))
        rows.append(("... peer: spawning /bin/true meanwhile (ms, median of 20)",
                     ms(floor), ""))
        rows.append(("xmd resident memory, %d domains (MiB)" % target,
                     "%.1f" % rss, "< %.0f MiB: %s" % (
                         GOAL_RSS_MIB,
                         "met" if rss < GOAL_RSS_MIB else "MISSED")
                     if target <= 100 else "(reported)"))
    return rows


def table(rows, header):
    w = max(len(r[0]) for r in rows)
    out = [header, "", "| %-*s | %s | %s |" % (w, "measure", "value", "goal"),
           "| %s | --- | --- |" % ("-" * w)]
    for r in rows:
        out.append("| %-*s | %s | %s |" % (w, r[0], r[1], r[2]))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.environ.get("top_builddir", "."))
    ap.add_argument("--record", metavar="README")
    ap.add_argument("--rounds", type=int, default=50)
    ap.add_argument("--memory", type=int, default=16)
    ap.add_argument("--counts", default="1,10,100",
                    help="domain counts at which xm list is measured")
    a = ap.parse_args()
    b = Bench(os.path.abspath(a.build), a.memory)
    why = b.missing()
    if why:
        print("bench-lifecycle: skipped: %s" % why)
        shutil.rmtree(b.root, ignore_errors=True)
        return 0
    try:
        rows = measure(b, a.rounds,
                       [int(c) for c in a.counts.split(",") if c])
    finally:
        b.stop()
    host = os.uname()
    header = ("Measured %s on %s (%s, %d CPUs), guests of %d MiB, "
              "`make bench-lifecycle`. The running test guests are not "
              "free: each idle one costs the host ~1-2%% of a CPU (timer "
              "ticks under this machine's emulated KVM), so with 100 of "
              "them the CPUs are busy and every process start pays for it; "
              "the /bin/true rows show that floor." % (
                  time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                  host.nodename, host.release, os.cpu_count(), a.memory))
    text = table(rows, header)
    print(text)
    if a.record:
        record_section(a.record, "lifecycle", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
