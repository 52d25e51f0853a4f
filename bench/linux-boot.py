# SPDX-License-Identifier: GPL-2.0-or-later
"""linux-boot.py: boots the same Debian kernel + busybox initramfs (L2)
under xmhv and under QEMU (-accel kvm -M microvm -cpu host), side by side
inside one QEMU TCG L1 with SVM, and prints a table: time to the guest's
/init (guest uptime and L1 wall time), time to poweroff, monitor peak RSS
and the part of it that is guest RAM. Not a test: never fails on numbers.
Environment: LINUX_BOOT_VCPUS (default "1 2"), LINUX_BOOT_MEM (256),
LINUX_BOOT_REPS (1), XM_LINUX_CACHE."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # the source tree may be read-only
sys.path.insert(0, os.path.join(HERE, "..", "tests", "linux"))
import nested  # noqa: E402

MONITORS = (("xmhv-sa", "xmhv"), ("qemu", "QEMU microvm"))


def fmt_ms(v):
    return "-" if v is None or v < 0 else "%.1f" % (v / 1000.0)


def fmt_mib(kib):
    return "-" if kib is None else "%.1f" % (kib / 1024.0)


def main():
    top = os.environ.get("top_builddir", os.path.join(HERE, ".."))
    outdir = os.path.join(top, "bench")
    xmhv = nested.find_xmhv()
    if not os.access(xmhv, os.X_OK):
        print("linux-boot: %s is not built" % xmhv)
        return 1
    vcpus = [int(v) for v in os.environ.get("LINUX_BOOT_VCPUS",
                                            "1 2").split()]
    mem = int(os.environ.get("LINUX_BOOT_MEM", "256"))
    reps = int(os.environ.get("LINUX_BOOT_REPS", "1"))
    try:
        paths = nested.prepare(os.path.join(outdir, "linux-boot-work"),
                               xmhv=xmhv, qemu=True)
    except nested.Skip as e:
        print("linux-boot: skipped: %s" % e)
        return 0
    plan = []
    for v in vcpus:
        for _ in range(reps):
            for mon, _name in MONITORS:
                plan.append((mon, v, mem, "bench"))
    log = os.path.join(outdir, "linux-boot-l1.log")
    rc, secs, text = nested.run_l1(paths, plan, log)
    runs = nested.parse(text)
    nested.save_artifacts(runs, os.path.join(outdir, "linux-boot-artifacts"),
                          "bench")
    names = dict(MONITORS)
    hdr = ("| monitor | vCPUs | /init (guest uptime s) | /init (L1 wall s) "
           "| poweroff (L1 wall s) | peak RSS MiB | guest RAM touched MiB "
           "| RSS minus guest MiB | reason |")
    print("Debian %s, L2 %d MiB; L1: QEMU TCG -cpu EPYC,+svm,+npt, 1 CPU; "
          "L1 run %.0f s" % (os.path.basename(paths["deb"]).split("_")[1],
                             mem, secs))
    print(hdr)
    print("|" + " --- |" * 9)
    for r in runs:
        hwm = r["rss"].get("hwm_kb")
        guest = r["rss"].get("guest_rss_kb")
        rest = hwm - guest if hwm is not None and guest is not None else None
        up = r["kv"].get("uptime", "-")
        print("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" %
              (names.get(r.get("monitor"), r.get("monitor")), r.get("vcpus"),
               up, fmt_ms(r.get("ready_ms")), fmt_ms(r.get("wall_ms")),
               fmt_mib(hwm), fmt_mib(guest), fmt_mib(rest),
               nested.reason(r) or ("timeout" if r["timeout"] else "?")))
    print("(poweroff includes the guest's 1 s pause after /init, in which "
          "L1 samples the monitor's memory)")
    return 0 if rc == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
