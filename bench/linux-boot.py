# SPDX-License-Identifier: GPL-2.0-or-later
"""linux-boot.py: boots the same Debian kernel + busybox initramfs (L2)
under xmhv and under QEMU (-accel kvm -M microvm -cpu host), side by side
where /dev/kvm works (`make bench-linux-boot` runs it through
scripts/with-kvm --linux: inside one QEMU TCG L1 with SVM on a host without
hardware virtualization), and prints a table: time to the guest's /init
(guest uptime and wall time), time to poweroff, monitor peak RSS and the
part of it that is guest RAM. Not a test: never fails on numbers.
Environment: LINUX_BOOT_VCPUS (default "1 2"), LINUX_BOOT_MEM (256),
LINUX_BOOT_REPS (1), XM_LINUX_CACHE."""

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # the source tree may be read-only
sys.path.insert(0, os.path.join(HERE, "..", "tests", "linux"))
import l2  # noqa: E402

MONITORS = (("xmhv-sa", "xmhv"), ("qemu", "QEMU microvm"))


def fmt_ms(v):
    return "-" if v is None or v < 0 else "%.1f" % (v / 1000.0)


def fmt_mib(kib):
    return "-" if kib is None else "%.1f" % (kib / 1024.0)


def main():
    top = os.environ.get("top_builddir", os.path.join(HERE, ".."))
    outdir = os.path.join(top, "bench")
    tools = l2.Tools(top)
    if not os.access(tools.xmhv, os.X_OK):
        print("linux-boot: %s is not built" % tools.xmhv)
        return 1
    vcpus = [int(v) for v in os.environ.get("LINUX_BOOT_VCPUS",
                                            "1 2").split()]
    mem = int(os.environ.get("LINUX_BOOT_MEM", "256"))
    reps = int(os.environ.get("LINUX_BOOT_REPS", "1"))
    work = os.path.join(outdir, "linux-boot-work")
    try:
        paths = l2.prepare(work)
    except l2.Skip as e:
        print("linux-boot: skipped: %s" % e)
        return 0
    t0 = time.monotonic()
    runs = []
    n = 0
    for v in vcpus:
        for _ in range(reps):
            for mon, _name in MONITORS:
                n += 1
                runs.append(l2.run(n, mon, v, mem, "bench",
                                   "console=ttyS0 xmtest.action=bench",
                                   paths, tools, work))
    secs = time.monotonic() - t0
    l2.save_artifacts(runs, os.path.join(outdir, "linux-boot-artifacts"),
                      "bench")
    names = dict(MONITORS)
    hdr = ("| monitor | vCPUs | /init (guest uptime s) | /init (L1 wall s) "
           "| poweroff (L1 wall s) | peak RSS MiB | guest RAM touched MiB "
           "| RSS minus guest MiB | reason |")
    where = ("inside scripts/with-kvm's L1 (QEMU TCG, nested SVM, 1 CPU)"
             if os.environ.get("XM_WITH_KVM_INSIDE") else "on this host's KVM")
    print("Debian %s, L2 %d MiB, %s; all runs %.0f s" %
          (paths["kernel"].version, mem, where, secs))
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
               l2.reason(r) or ("timeout" if r["timeout"] else "?")))
    print("(poweroff includes the guest's 1 s pause after /init, in which "
          "the monitor's memory is sampled)")
    return 0 if all(r["rc"] is not None and not r["timeout"]
                    for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
