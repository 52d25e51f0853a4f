#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""xmd-stress.py: xmd under hostile and heavy clients, a soak, and kill -9
at every step (`make bench-xmd-stress`; needs root and a /dev/kvm that runs
the test guest, e.g. through scripts/with-kvm). Against an isolated xmd:
- flood: 1000 read-only connections held, 500 of them promising a 900 KB
  body: connections xmd holds at its cap, root's `xm list` latency, xmd's
  CPU and log lines;
- soak: create/destroy cycles of the test guest while 10 clients poll
  `xm list`, `xm info` and `xm list -l`: xmd's fds, RSS, threads and the
  run directory's files at the 10th cycle and the last, the pollers'
  latency median and p99;
- chaos: kill -9 of xmd at a random moment inside create, destroy,
  shutdown, reboot, rename or vcpu-set (seed printed), then a restart and
  an audit: every monitor listed with its id, no listed domain without a
  monitor, no record without a domain; then kill -9 of a random xmhv ends
  only that domain.
Prints tables; with --record, writes them into bench/README.md's
"## xmd-stress" section."""
import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lifecycle as L  # noqa: E402
from record import record_section  # noqa: E402
from xmharness import monitor_args  # noqa: E402

# The flooding clients run as other users: a python they can execute.
PY = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) \
    else sys.executable
FLOOD = r"""
import os, socket, sys, time
sock, n, body = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
conns, refused = [], 0
for i in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setblocking(False)
    try:
        s.connect(sock)
    except BlockingIOError:
        pass
    except OSError:
        refused += 1
        continue
    if i < body:
        try:
            s.send(b"POST /RPC2 HTTP/1.1\r\nContent-Length: 900000\r\n\r\n<")
        except OSError:
            pass
    conns.append(s)
print(len(conns), refused, flush=True)
sys.stdin.read()
"""


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def ms(t):
    return "%.1f" % (t * 1000.0)


class Xmd(L.Bench):
    def start(self, args=()):
        log = open(os.path.join(self.root, "xmd.out"), "a")
        os.chmod(self.root, 0o755)
        self.xmd = subprocess.Popen([self.xmd_bin, "--root", self.root, "-d"]
                                    + list(args), env=self.env, stdout=log,
                                    stderr=subprocess.STDOUT,
                                    start_new_session=True)
        end = time.time() + 30
        while time.time() < end:
            if self.run("list", check=False).returncode == 0:
                return
            time.sleep(0.05)
        raise RuntimeError("xmd did not start")

    def kill9(self):
        self.xmd.kill()
        self.xmd.wait()

    def cpu(self):
        with open("/proc/%d/stat" % self.xmd.pid) as f:
            v = f.read().rsplit(")", 1)[1].split()
        return (int(v[11]) + int(v[12])) / os.sysconf("SC_CLK_TCK")

    def proc_status(self, key):
        with open("/proc/%d/status" % self.xmd.pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
        return -1

    def fds(self):
        return len(os.listdir("/proc/%d/fd" % self.xmd.pid))

    def run_files(self):
        n = 0
        for _, _, files in os.walk(os.path.join(self.root, "run")):
            n += len(files)
        return n

    def listed(self):
        """{name: domid} from xm list (Domain-0 left out)."""
        out = {}
        for line in self.run("list").stdout.splitlines()[1:]:
            f = line.split()
            if f and f[0] != "Domain-0":
                out[f[0]] = int(f[1]) if f[1].isdigit() else -1
        return out

    def monitors(self):
        """{domid: pid} of the xmhv processes under this root."""
        return {int(args[args.index(b"--domid") + 1]): pid
                for pid, args in monitor_args(self.root).items()
                if b"--domid" in args}

    def records(self):
        d = os.path.join(self.root, "var", "lib", "xmd", "domains")
        try:
            return sorted(os.listdir(d))
        except OSError:
            return []


def flood(b, rows):
    b.start(["--ro-group", "nogroup"])
    for sub in ("run", "run/xmd"):
        os.chmod(os.path.join(b.root, sub), 0o755)
    t0 = b.cpu()
    p = subprocess.Popen(
        [PY, "-c", FLOOD, os.path.join(b.root, "run", "xmd",
                                                   "xmlrpc.sock"),
         "1000", "500"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True, preexec_fn=lambda: (os.setgroups([]), os.setgid(65534),
                                       os.setuid(65534)))
    opened = p.stdout.readline().split()
    time.sleep(1)
    held = b.fds()
    lat = []
    for _ in range(20):
        t = time.monotonic()
        ok = b.run("list", check=False).returncode == 0
        lat.append(time.monotonic() - t if ok else float("inf"))
        time.sleep(0.2)
    cpu = b.cpu() - t0
    p.stdin.close()
    p.wait()
    log = open(os.path.join(b.root, "var", "log", "xmd", "xmd.log")).read()
    rows += [
        ("flood: read-only connections opened / refused at connect",
         "%s / %s" % tuple(opened[:2]), ""),
        ("flood: xmd's open fds while flooded (one user may hold 32)",
         str(held), ""),
        ("flood: root's xm list under the flood (ms median / max of 20)",
         "%s / %s" % (ms(statistics.median(lat)), ms(max(lat))),
         "< 100 ms: %s" % ("met" if max(lat) < 0.1 else "MISSED")),
        ("flood: xmd CPU over the flood (s)", "%.2f" % cpu, ""),
        ("flood: xmd log lines", str(log.count("\n")), ""),
    ]
    b.stop()


def soak(b, rows, cycles):
    b.start()
    stop = threading.Event()
    lat = {"list": [], "info": [], "list -l": []}

    def poll(args):
        while not stop.is_set():
            t = time.monotonic()
            b.run(*args.split(), check=False)
            lat[args].append(time.monotonic() - t)

    threads = [threading.Thread(target=poll, args=(k,), daemon=True)
               for k in ("list", "info", "list -l", "list", "info",
                         "list -l", "list", "info", "list", "list -l")]
    for t in threads:
        t.start()
    samples = {}
    for i in range(1, cycles + 1):
        b.run("create", "-q", b.cfg("soak"))
        b.run("destroy", "soak")
        if i in (10, cycles):
            samples[i] = (b.fds(), b.rss_mib(), b.proc_status("Threads"),
                          b.run_files())
    stop.set()
    for t in threads:
        t.join()
    a, z = samples[10], samples[cycles]
    rows += [
        ("soak: xmd fds, cycle 10 -> %d" % cycles, "%d -> %d" % (a[0], z[0]),
         "flat: %s" % ("met" if z[0] <= a[0] else "MISSED")),
        ("soak: xmd RSS MiB, cycle 10 -> %d" % cycles,
         "%.1f -> %.1f" % (a[1], z[1]),
         "flat: %s" % ("met" if z[1] <= a[1] + 1.0 else "MISSED")),
        ("soak: xmd threads, cycle 10 -> %d" % cycles,
         "%d -> %d" % (a[2], z[2]),
         "flat: %s" % ("met" if z[2] <= a[2] else "MISSED")),
        ("soak: files under run/, cycle 10 -> %d" % cycles,
         "%d -> %d" % (a[3], z[3]),
         "flat: %s" % ("met" if z[3] <= a[3] else "MISSED")),
    ]
    for k, v in lat.items():
        rows.append(("soak: `xm %s` while cycling (ms median / p99, n=%d)"
                     % (k, len(v)), "%s / %s" % (ms(statistics.median(v)),
                                                 ms(pct(v, 0.99))), ""))
    b.stop()


def audit(b):
    """'' when every domain is accounted for, else what is not."""
    mons = b.monitors()
    listed = b.listed()
    running = {v for v in listed.values() if v >= 0}
    orphans = set(mons) - running
    ghosts = running - set(mons)
    if orphans:
        return "monitors of domains xmd does not list: %s" % sorted(orphans)
    if ghosts:
        return "listed domains without a monitor: %s" % sorted(ghosts)
    recs = b.records()
    if len(recs) > len(listed):
        return "%d records for %d domains: %s" % (len(recs), len(listed),
                                                  recs)
    return ""


def chaos(b, rows, kills, seed):
    rng = random.Random(seed)
    b.start()
    for i in range(3):
        with open(b.cfg("ch%d" % i), "a") as f:
            f.write("maxvcpus = 2\non_reboot = 'restart'\n")
        b.run("create", "-q", os.path.join(b.root, "ch%d" % i))
    survived, failures, n = 0, [], 0
    ops = ["create", "destroy", "shutdown", "reboot", "rename", "vcpu-set"]
    for k in range(kills):
        names = sorted(b.listed())
        op = rng.choice(ops)
        if op == "create" or not names:
            name = "ck%d" % k
            path = b.cfg(name)
            with open(path, "a") as f:
                f.write("maxvcpus = 2\n")
            args = ["create", "-q", path]
        else:
            name = rng.choice(names)
            args = {"destroy": ["destroy", name],
                    "shutdown": ["shutdown", "-w", name],
                    "reboot": ["reboot", name],
                    "rename": ["rename", name, "r%d" % k],
                    "vcpu-set": ["vcpu-set", name, str(rng.choice((1, 2)))]
                    }[op]
        p = subprocess.Popen([b.xm] + args, env=b.env,
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, 0.08))
        b.kill9()
        n += 1
        try:
            p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
        b.start()
        time.sleep(0.5)  # re-adoption and policies settle
        why = audit(b)
        if why:
            time.sleep(2)
            later = audit(b)
            failures.append("kill %d (%s): %s%s" % (
                k, " ".join(args), why,
                "; 2 s later: %s" % (later or "clean")))
            if os.environ.get("XM_STRESS_KEEP"):
                print(open(os.path.join(b.root, "var", "log", "xmd",
                                        "xmd.log")).read()[-6000:])
        else:
            survived += 1
        while len(b.listed()) < 2:
            name = "cf%d" % k
            b.run("create", "-q", b.cfg(name), check=False)
    # kill -9 of a random xmhv: only that domain ends
    before = b.listed()
    mons = b.monitors()
    victim = rng.choice(sorted(mons))
    os.kill(mons[victim], 9)
    time.sleep(2)
    after = b.listed()
    gone = {n for n, i in before.items() if i == victim}
    others_ok = all(after.get(n) == i for n, i in before.items()
                    if i != victim)
    crash = "crash" in open(os.path.join(
        b.root, "var", "log", "xmd", "xmd.log")).read()
    rows += [
        ("chaos: kill -9 of xmd inside create/destroy/shutdown/reboot/"
         "rename/vcpu-set (seed %d)" % seed,
         "%d of %d audits clean" % (survived, n),
         "all: %s" % ("met" if survived == n else "MISSED")),
        ("chaos: kill -9 of one xmhv (%s)" % ",".join(sorted(gone)),
         "others unchanged: %s, logged as crash: %s" % (others_ok, crash),
         ""),
    ]
    for f in failures[:5]:
        print("chaos: " + f)
    b.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.environ.get("top_builddir", "."))
    ap.add_argument("--record", metavar="README")
    ap.add_argument("--cycles", type=int, default=200)
    ap.add_argument("--kills", type=int, default=50)
    ap.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    ap.add_argument("--only", choices=("flood", "soak", "chaos"))
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    probe = Xmd(build, 16)
    why = probe.missing()
    probe.stop()
    if why:
        print("bench-xmd-stress: skipped: %s" % why)
        return 0
    rows = []
    print("xmd-stress: seed %d" % a.seed, flush=True)
    for part in ("flood", "soak", "chaos"):
        if a.only and a.only != part:
            continue
        b = Xmd(build, 16)
        try:
            if part == "flood":
                flood(b, rows)
            elif part == "soak":
                soak(b, rows, a.cycles)
            else:
                chaos(b, rows, a.kills, a.seed)
        finally:
            b.stop()
    host = os.uname()
    header = ("Measured %s on %s (%s, %d CPUs), `make bench-xmd-stress`, "
              "test guests of 16 MiB." % (
                  time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                  host.nodename, host.release, os.cpu_count()))
    text = L.table(rows, header)
    print(text)
    if a.record:
        record_section(a.record, "xmd-stress", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
