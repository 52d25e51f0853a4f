#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""xmd_chaos.py: the bounded smoke version of bench/xmd-stress.py (kvm
tier). Domains with file disks; kill -9 of xmd at a random moment inside
create, destroy, shutdown, reboot, rename and vcpu-set (seed in the
output; XM_CHAOS_SEED repeats a run), each followed by a restart and an
audit: every monitor listed with its id, no listed domain without a
monitor, no record without a domain, and reboot, rename and vcpu-set
lose no domain. Then every image can be taken again
(no lock left), kill -9 of one xmhv ends only that domain, and a short
create/destroy soak with parallel pollers leaves xmd's fds, threads and
run directory as they were. TAP output."""
import os
import random
import subprocess
import sys
import threading
import time

import xmharness as H
from xmharness import ok

KILLS = 8
CYCLES = 20


def listed(e):
    """{name: domid} of xm list, Domain-0 left out."""
    out = {}
    for line in e.xm("list").stdout.splitlines()[1:]:
        f = line.split()
        if f and f[0] != "Domain-0":
            out[f[0]] = int(f[1]) if f[1].isdigit() else -1
    return out


def monitors(e):
    return {int(a[a.index(b"--domid") + 1]): pid
            for pid, a in H.monitor_args(e.root).items() if b"--domid" in a}


def audit(e):
    """'' when every domain is accounted for, else what is not."""
    mons, names = monitors(e), listed(e)
    running = {i for i in names.values() if i >= 0}
    if set(mons) - running:
        return "monitors xmd does not list: %s" % sorted(set(mons) - running)
    if running - set(mons):
        return "listed without a monitor: %s" % sorted(running - set(mons))
    recs = os.listdir(os.path.join(e.root, "var", "lib", "xmd", "domains"))
    if len(recs) > len(names):
        return "%d records for %d domains: %s" % (len(recs), len(names),
                                                  recs)
    return ""


def kept(e, op, before):
    """'' when an op that keeps its domain (reboot, rename, vcpu-set)
    kept every domain through the kill, else which are gone."""
    now = listed(e)
    if op in ("reboot", "vcpu-set") and set(before) - set(now):
        return "lost by `xm %s`: %s" % (op, sorted(set(before) - set(now)))
    if op == "rename" and len(now) < len(before):
        return "lost by `xm rename`: %s -> %s" % (sorted(before), sorted(now))
    return ""


def config(e, name, image):
    path = os.path.join(e.root, name)
    with open(path, "w") as f:
        f.write('name = "%s"\nkernel = "%s"\nmemory = 32\nvcpus = 1\n'
                'maxvcpus = 2\non_reboot = "restart"\n'
                'disk = ["file:%s,hda1,w"]\n' % (name, H.KERNEL, image))
    return path


def restart(e):
    e.xmd.kill()
    e.xmd.wait()
    return e.start_xmd()


def image(e, images):
    """A new 1 MiB disk image for the next domain."""
    path = os.path.join(e.root, "d%d.img" % len(images))
    with open(path, "wb") as f:
        f.truncate(1 << 20)
    images.append(path)
    return path


def chaos(e, rng, images):
    for i in range(3):
        e.xm("create", "-q", config(e, "c%d" % i, image(e, images)))
    ops = ("create", "destroy", "shutdown", "reboot", "rename", "vcpu-set")
    for k in range(KILLS):
        names = listed(e)
        op = rng.choice(ops)
        if op == "create" or not names:
            args = ["create", "-q", config(e, "k%d" % k, image(e, images))]
        else:
            n = rng.choice(sorted(names))
            args = {"destroy": ["destroy", n], "shutdown": ["shutdown", "-w", n],
                    "reboot": ["reboot", n], "rename": ["rename", n, "r%d" % k],
                    "vcpu-set": ["vcpu-set", n, str(rng.choice((1, 2)))]}[op]
        p = subprocess.Popen([e.xm_cmd] + args, env=e.env,
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, 0.08))
        up = restart(e)
        try:
            p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
        time.sleep(0.5)
        why = (audit(e) or kept(e, op, names)) if up else \
            "xmd did not restart"
        if why:
            time.sleep(2)
            why = (audit(e) or kept(e, op, names)) if up else why
        ok(not why, "kill -9 of xmd inside `xm %s`: every domain accounted "
           "for after the restart" % " ".join(args[:2]), why + "\n" +
           e.log_tail())


def locks_and_crash(e, images):
    for n in listed(e):
        e.xm("destroy", n)
    taken = [e.xm("create", "-q", config(e, "again%d" % i, img))
             for i, img in enumerate(images)]
    ok(all(r.returncode == 0 for r in taken), "every image is taken again "
       "at once after the destroys (no lock left by the kills)",
       " ".join(r.stderr for r in taken))
    before, mons = listed(e), monitors(e)
    victim = sorted(mons)[len(mons) // 2] if mons else None
    if victim is not None:
        os.kill(mons[victim], 9)
    time.sleep(2)
    after = listed(e)
    ok(victim is not None and victim not in after.values() and all(
        after.get(n) == i for n, i in before.items() if i != victim),
       "kill -9 of one xmhv ends that domain only", "%s -> %s" % (before,
                                                                  after))
    ok("crash" in e.log_tail(200), "and xmd logs it as a crash",
       e.log_tail())


def soak(e):
    for n in listed(e):
        e.xm("destroy", n)
    stop, errors = threading.Event(), []
    idle = [threading.Event() for _ in range(3)]
    hold = threading.Event()  # set: the pollers wait (a quiet sample)

    def poll(args, me):
        while not stop.is_set():
            if hold.is_set():
                me.set()
                time.sleep(0.01)
                continue
            me.clear()
            r = e.xm(*args)
            if r.returncode != 0:
                errors.append(" ".join(args) + ": " + r.stderr)

    threads = [threading.Thread(target=poll, args=(a, me), daemon=True)
               for a, me in zip((["list"], ["info"], ["list", "-l"]), idle)]
    for t in threads:
        t.start()
    pid, seen = e.xmd.pid, {}
    img = os.path.join(e.root, "soak.img")
    with open(img, "wb") as f:
        f.truncate(1 << 20)
    for i in range(1, CYCLES + 1):
        e.xm("create", "-q", config(e, "soak", img))
        e.xm("destroy", "soak")
        if i in (5, CYCLES):
            hold.set()  # no poller connection open while counting fds
            for me in idle:
                me.wait(30)
            time.sleep(0.1)
            with open("/proc/%d/status" % pid) as f:
                thr = [ln for ln in f if ln.startswith("Threads:")][0]
            files = sum(len(fs) for _, _, fs in
                        os.walk(os.path.join(e.root, "run")))
            seen[i] = (len(os.listdir("/proc/%d/fd" % pid)),
                       int(thr.split()[1]), files)
            hold.clear()
    stop.set()
    for t in threads:
        t.join()
    a, z = seen[5], seen[CYCLES]
    ok(z[0] <= a[0] and z[1] <= a[1] and z[2] <= a[2],
       "%d create/destroy cycles under 3 pollers: xmd's fds, threads and "
       "run files flat (%s -> %s)" % (CYCLES, a, z))
    ok(not errors, "no poller got an error", "\n".join(errors[:5]))


def main():
    H.require()
    seed = int(os.environ.get("XM_CHAOS_SEED") or time.time()) % 100000
    print("# seed %d (XM_CHAOS_SEED=%d repeats it)" % (seed, seed))
    rng = random.Random(seed)
    e = H.XmdEnv("xmd-chaos-")
    try:
        ok(e.start_xmd(), "xmd starts", e.log_tail())
        images = []
        chaos(e, rng, images)
        locks_and_crash(e, images)
        soak(e)
    finally:
        e.cleanup()
    return H.plan()


if __name__ == "__main__":
    sys.exit(main())
