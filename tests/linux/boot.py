# SPDX-License-Identifier: GPL-2.0-or-later
"""boot.py: the real-Linux tier as TAP: Debian's kernel (L2) boots under
xmhv inside a QEMU TCG L1 with SVM, with 1, 2 and 4 vCPUs, and ends through
the power button, reboot and a pvpanic crash with the right reasons.
Environment: XM_LINUX_MONITOR=qemu runs the same plan under QEMU in L1
(checks the tier itself); XM_LINUX_CACHE relocates the package cache."""

import os
import random
import sys

sys.dont_write_bytecode = True  # the source tree may be read-only
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nested  # noqa: E402

# (vcpus, memory MiB, action, expected reason)
PLAN = [
    (1, 256, "button", "poweroff"),
    (2, 320, "button", "poweroff"),
    (4, 384, "button", "poweroff"),
    (2, 256, "reboot", "reboot"),
    (1, 256, "panic", "crash"),
]
# The whole stack in L1: xmd, `xm create`, `xm shutdown` (monitor "xm").
XM_PLAN = [(2, 256, "button", "poweroff")]


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, desc, diag=None):
        self.n += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", self.n, desc))
        if not cond:
            self.failed += 1
            for line in (diag or "").splitlines():
                print("#   " + line)
        sys.stdout.flush()
        return cond

    def done(self):
        print("1..%d" % self.n)
        return 1 if self.failed else 0


def online_list(n):
    return "0" if n == 1 else "0-%d" % (n - 1)


def tail(run, n=15):
    return "\n".join((run["mon"] + run["con"])[-n:])


def check_run(t, run, vcpus, mem, action, want, nonce):
    kv = run["kv"]
    what = "run %d (%s%d vCPU, %d MiB, %s)" % (
        run["n"], "xm create, " if run.get("monitor") == "xm" else "",
        vcpus, mem, action)
    t.ok(not run["timeout"] and run.get("rc") is not None,
         "%s: the monitor exited by itself" % what, tail(run))
    booted = kv.get("init") == "ok" and ("xmtest.nonce=" + nonce) in kv.get(
        "cmdline", "")
    t.ok(booted, "%s: bzImage booted to the initrd's /init with our "
         "command line" % what, tail(run))
    if action == "button":
        t.ok(kv.get("nproc") == str(vcpus) and
             kv.get("online") == online_list(vcpus),
             "%s: %d vCPUs online" % (what, vcpus),
             "nproc=%s online=%s" % (kv.get("nproc"), kv.get("online")))
        usable = nested.e820_usable_kib(run)
        memtotal = int(kv.get("memtotal_kb") or 0)
        t.ok(mem * 1024 - 1024 <= usable <= mem * 1024 and
             mem * 1024 // 2 < memtotal <= mem * 1024,
             "%s: e820 and MemTotal match %d MiB" % (what, mem),
             "e820 usable %d KiB, MemTotal %d KiB\n%s" %
             (usable, memtotal, "\n".join(" ".join(e) for e in run["e820"])))
        t.ok(kv.get("pressed") == "1",
             "%s: the guest saw the power button (ACPI event)" % what,
             "button=%s pressed=%s" % (kv.get("button"), kv.get("pressed")))
        t.ok(booted and kv.get("acpi_errors") == "0",
             "%s: ACPI tables parsed without errors" % what,
             "\n".join(line for line in run["con"]
                       if "ACPI" in line and ("rror" in line or
                                              "xception" in line)))
    if booted and run.get("monitor") != "qemu":
        bad = [line for line in run["con"]
               if "XSAVE consistency problem" in line]
        t.ok(not bad, "%s: no XSAVE consistency problem (CPUID leaf 0xD "
             "agrees with leaves 1 and 7)" % what, "\n".join(bad))
        timer = [line for line in run["con"] if "..TIMER:" in line or
                 "8254 timer not connected" in line]
        t.ok(not timer or ("pin1=2 " in timer[0] and len(timer) == 1),
             "%s: the PIT's IRQ 0 works through IOAPIC pin 2" % what,
             "\n".join(timer))
    if action == "panic" and run.get("monitor") != "qemu":
        t.ok(kv.get("pvpanic") == "1",
             "%s: pvpanic bound to the DSDT's QEMU0001 device" % what,
             "pvpanic=%s" % kv.get("pvpanic"))
    got = nested.reason(run)
    t.ok(got == want, "%s: ends with reason %s" % (what, want),
         "got %s\n%s" % (got, tail(run)))


def run_plan(t, paths, plan, outdir, nonce):
    """Run the plan in L1. When L1 itself stops (it has hung under TCG on
    a loaded host), say where its CPU was and run what is left, from the
    run it was in, in a second L1, once. Returns (runs, L1 console)."""
    runs, texts, done, attempt = [], [], 0, 1
    while done < len(plan) and attempt <= 2:
        log = os.path.join(outdir, "l1-console%s.log" %
                           ("" if attempt == 1 else "-%d" % attempt))
        rc, secs, text = nested.run_l1(paths, plan[done:], log, nonce=nonce)
        texts.append(text)
        nested.log("L1 ran %.1f s (rc %d); console in %s" % (secs, rc, log))
        if attempt == 1:
            t.ok("XML1 kvm ok" in text,
                 "L1 has /dev/kvm from Debian's kvm-amd",
                 "\n".join(text.splitlines()[-20:]))
        got = nested.parse(text)
        finished = [r for r in got if r.get("wall_ms") is not None]
        for r in finished:
            r["n"] += done
        runs += finished
        for line in text.splitlines():
            if line.startswith("XMHOST"):
                nested.log(line)
        if rc == 0 or "XML1 kvm ok" not in text:
            break
        nested.log("L1 stopped during run %d: retrying from there" %
                   (done + len(finished) + 1))
        done += len(finished)
        attempt += 1
    return runs, "\n".join(texts)


def main():
    top = os.environ.get("top_builddir", ".")
    outdir = os.path.join(top, "tests", "linux")
    monitor = os.environ.get("XM_LINUX_MONITOR", "xmhv")
    xmhv = drive = xmd = xm = None
    if monitor != "qemu":
        xmhv = nested.find_xmhv()
        drive = os.path.join(outdir, "xmhv-drive")
        xmd = os.path.join(top, "xmd", "xmd")
        xm = os.path.join(top, "xmctl", "xm")
        for p in (xmhv, drive, xmd, xm):
            if not os.access(p, os.X_OK):
                print("not ok 1 - %s is built" % p)
                print("1..1")
                return 1
    try:
        paths = nested.prepare(os.path.join(outdir, "work"), xmhv=xmhv,
                               drive=drive, qemu=(monitor == "qemu"),
                               xmd=xmd, xm=xm)
    except nested.Skip as e:
        print("1..0 # SKIP %s" % e)
        return 0
    t = Tap()
    nested.log("kernel package %s" % os.path.basename(paths["deb"]))
    t.ok(nested.is_bzimage(paths["vmlinuz"]),
         "Debian's vmlinuz is a bzImage (compressed payload, loaded high)")
    nonce = "%08x" % random.getrandbits(32)
    full = [(monitor, v, m, a, w) for v, m, a, w in PLAN]
    if monitor != "qemu":
        full += [("xm", v, m, a, w) for v, m, a, w in XM_PLAN]
    plan = [e[:4] for e in full]
    runs, text = run_plan(t, paths, plan, outdir, nonce)
    files = nested.save_artifacts(runs, os.path.join(outdir, "artifacts"),
                                  "boot")
    for f in files:
        nested.log("artifact %s" % f)
    said = False
    for i, (mon, vcpus, mem, action, want) in enumerate(full):
        run = runs[i] if i < len(runs) else None
        if run is None:
            t.ok(False, "run %d (%s, %d vCPU, %s) ran in L1" %
                 (i + 1, mon, vcpus, action),
                 "L1 stopped before it" if said else
                 "\n".join(text.splitlines()[-25:]))
            said = True
            continue
        check_run(t, run, vcpus, mem, action, want, nonce)
        nested.log("run %d: /init at %s s guest uptime, %d ms wall" %
                   (run["n"], run["kv"].get("uptime"),
                    run.get("wall_ms", -1)))
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
