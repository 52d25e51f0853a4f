# SPDX-License-Identifier: GPL-2.0-or-later
"""l1-hangs.py: how often scripts/with-kvm's L1 machine (QEMU TCG with nested
SVM) hangs, per QEMU binary. Boots L1 --boots times per QEMU, each running
a workload that keeps L2 guests busy (default: the real-Linux tier,
tests/linux/boot.py), with with-kvm's retry off, and prints a table:
boots, finished, hung before / while the workload ran, died, and the mean
L1 time. Not a test: it never fails on the numbers.

  python3 bench/l1-hangs.py [--boots N] [--qemu PATH]... [-- CMD...]

Run from a build directory (top_builddir); the QEMUs default to the one on
PATH. The L1 outcomes come from with-kvm's log of boots
($XM_LINUX_CACHE/with-kvm-boots.log)."""

import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.join(HERE, "..")
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(TOP, "scripts"))
from l1 import debkernel  # noqa: E402


def boots_log():
    return os.path.join(debkernel.cache_dir(), "with-kvm-boots.log")


def log_lines():
    try:
        with open(boots_log()) as f:
            return f.read().splitlines()
    except OSError:
        return []


def qemu_version(q):
    out = subprocess.run([q, "--version"], capture_output=True,
                         text=True).stdout
    return out.split("\n")[0].split("version")[-1].strip().split()[0]


def main(argv):
    boots, qemus, cmd = 20, [], None
    i = 0
    while i < len(argv):
        if argv[i] == "--boots":
            boots = int(argv[i + 1])
            i += 2
        elif argv[i] == "--qemu":
            qemus.append(argv[i + 1])
            i += 2
        elif argv[i] == "--":
            cmd = argv[i + 1:]
            break
        else:
            print(__doc__)
            return 2
    qemus = qemus or ["qemu-system-x86_64"]
    top_build = os.environ.get("top_builddir", os.getcwd())
    cmd = cmd or [sys.executable, os.path.join(TOP, "tests", "linux",
                                               "boot.py")]
    env = dict(os.environ, XM_WITH_KVM="nested", top_builddir=top_build,
               top_srcdir=os.path.abspath(TOP),
               XM_CHECK_COUNTS=os.path.join(TOP, "tests", "check-counts"))
    rows = []
    for q in qemus:
        outcomes = {"ok": 0, "hang-boot": 0, "hang": 0, "died": 0}
        secs = []
        for n in range(boots):
            before = len(log_lines())
            t0 = time.monotonic()
            r = subprocess.run([os.path.join(TOP, "scripts", "with-kvm"),
                                "--linux", "--no-retry"] + cmd,
                               env=dict(env, QEMU_SYSTEM_X86_64=q),
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
            new = log_lines()[before:]
            what = "?"
            for line in new:
                for w in line.split():
                    if w.startswith("outcome="):
                        what = w[len("outcome="):]
            outcomes[what] = outcomes.get(what, 0) + 1
            secs.append(time.monotonic() - t0)
            print("# %s boot %d: %s, rc %d, %.0f s" %
                  (q, n + 1, what, r.returncode, secs[-1]), flush=True)
            if what.startswith("hang"):
                for line in r.stderr.splitlines():
                    if "RIP=" in line:
                        print("#   " + line.strip(), flush=True)
        rows.append((qemu_version(q), boots, outcomes,
                     sum(secs) / max(len(secs), 1)))
    lines = ["| QEMU | L1 boots | finished | hung before the command | "
             "hung during it | died | hang rate | mean L1 s |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for ver, n, o, mean in rows:
        hung = o.get("hang-boot", 0) + o.get("hang", 0)
        lines.append("| %s | %d | %d | %d | %d | %d | %.0f%% | %.0f |" %
                     (ver, n, o.get("ok", 0), o.get("hang-boot", 0),
                      o.get("hang", 0), o.get("died", 0), 100.0 * hung / n,
                      mean))
    print("\n".join(lines))
    if os.environ.get("L1_HANGS_RECORD"):
        sys.path.insert(0, HERE)
        from record import record_section
        load = open("/proc/loadavg").read().split()[:3]
        record_section(os.path.join(HERE, "README.md"), "l1-hangs", (
            "`make bench-l1-hangs` (bench/l1-hangs.py), %s UTC, host %s, "
            "%d CPUs, load average at the end %s. Each L1 boot runs "
            "`%s` inside scripts/with-kvm's machine (QEMU TCG, nested SVM) "
            "with its retry off; a hang is %s s without output from L1.\n\n"
            % (time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
               os.uname().release, os.cpu_count(), " ".join(load),
               " ".join(os.path.basename(c) for c in cmd),
               os.environ.get("XM_WITH_KVM_SILENCE", "120")) +
            "\n".join(lines) + "\n"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
