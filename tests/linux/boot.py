# SPDX-License-Identifier: GPL-2.0-or-later
"""boot.py: the real-Linux tier as TAP: Debian's kernel (L2) boots under
xmhv with 1, 2 and 4 vCPUs, and ends through the power button, reboot and a
pvpanic crash with the right reasons; one more run goes through xmd and
`xm create`. Runs where /dev/kvm can boot Linux: `make check-linux` starts
it through scripts/with-kvm --linux (a nested L1 machine on a host without
hardware virtualization). Environment: XM_LINUX_MONITOR=qemu runs the same
plan under QEMU (checks the tier itself); XM_LINUX_CACHE relocates the
kernel package cache."""

import hashlib
import os
import random
import shutil
import sys

sys.dont_write_bytecode = True  # the source tree may be read-only
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import l2  # noqa: E402

# (vcpus, memory MiB, action, expected reason)
PLAN = [
    (1, 256, "button", "poweroff"),
    (2, 320, "button", "poweroff"),
    (4, 384, "button", "poweroff"),
    (2, 256, "reboot", "reboot"),
    (1, 256, "panic", "crash"),
]
# The whole stack in L1: xmd, `xm create`, `xm shutdown` (monitor "xm");
# the disk run gives the guest a 4 MiB raw image as xvda (virtio-blk).
XM_PLAN = [(2, 256, "button", "poweroff"), (2, 256, "disk", "poweroff")]
DISK_MIB = 4


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
        usable = l2.e820_usable_kib(run)
        memtotal = int(kv.get("memtotal_kb") or 0)
        t.ok(mem * 1024 - 1024 <= usable <= mem * 1024 and
             mem * 1024 // 2 < memtotal <= mem * 1024,
             "%s: e820 and MemTotal match %d MiB" % (what, mem),
             "e820 usable %d KiB, MemTotal %d KiB\n%s" %
             (usable, memtotal, "\n".join(" ".join(e) for e in run["e820"])))
        t.ok(kv.get("clockevent") == "lapic-deadline",
             "%s: the LAPIC timer runs in TSC-deadline mode (CPUID has "
             "the bit where KVM_CAP_TSC_DEADLINE_TIMER says so)" % what,
             "clockevent0: %s" % kv.get("clockevent"))
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
    if action == "disk":
        check_disk(t, run, what, nonce)
    if action == "panic" and run.get("monitor") != "qemu":
        t.ok(kv.get("pvpanic") == "1",
             "%s: pvpanic bound to the DSDT's QEMU0001 device" % what,
             "pvpanic=%s" % kv.get("pvpanic"))
    got = l2.reason(run)
    t.ok(got == want, "%s: ends with reason %s" % (what, want),
         "got %s\n%s" % (got, tail(run)))


def check_disk(t, run, what, nonce):
    """Debian's kernel with a raw image as xvda (virtio-blk)."""
    kv = run["kv"]
    img = run["disk"]
    t.ok(kv.get("vda_sectors") == str(DISK_MIB * 2048) and
         kv.get("vda_ro") == "0",
         "%s: virtio_pci and virtio_blk bind the disk: /dev/vda, %d "
         "sectors, writable" % (what, DISK_MIB * 2048),
         "vda_sectors=%s ro=%s" % (kv.get("vda_sectors"), kv.get("vda_ro")))
    t.ok(kv.get("vda_serial") == "xvda",
         "%s: its serial is the Xen name xvda (/dev/disk/by-id/"
         "virtio-xvda)" % what, "serial=%s" % kv.get("vda_serial"))
    t.ok(kv.get("vda_queues") == str(run["vcpus"]),
         "%s: one queue per vCPU (%d)" % (what, run["vcpus"]),
         "queues=%s" % kv.get("vda_queues"))
    t.ok(kv.get("vda_md5") == run["disk_md5"],
         "%s: the guest's MD5 of /dev/vda equals the host's" % what,
         "guest %s host %s" % (kv.get("vda_md5"), run["disk_md5"]))
    with open(img, "rb") as f:
        f.seek(16 * 512)
        got = f.read(64)
    want = ("xmtest-linux-%s" % nonce).encode()
    t.ok(kv.get("vda_written") == "1" and got.startswith(want),
         "%s: the guest's write (then sync: a flush) is in the image" %
         what, repr(got[:40]))


def main():
    top = os.environ.get("top_builddir", ".")
    outdir = os.path.join(top, "tests", "linux")
    monitor = os.environ.get("XM_LINUX_MONITOR", "xmhv")
    tools = l2.Tools(top)
    need = [tools.qemu] if monitor == "qemu" else [
        tools.xmhv, tools.drive, tools.xmd, tools.xm]
    # A directory of its own: two runs in one build tree do not mix files.
    work, paths = l2.tier_start(outdir, need)
    t = Tap()
    l2.log("kernel %s (%s)" % (paths["kernel"].version,
                               os.path.basename(paths["vmlinuz"])))
    t.ok(l2.is_bzimage(paths["vmlinuz"]),
         "Debian's vmlinuz is a bzImage (compressed payload, loaded high)")
    inside = bool(os.environ.get("XM_WITH_KVM_INSIDE"))
    t.ok(os.path.exists("/sys/module/kvm_amd") or
         os.path.exists("/sys/module/kvm_intel"),
         "/dev/kvm is hardware-virtualization KVM (%s)" %
         ("Debian's kvm-amd in scripts/with-kvm's L1" if inside else
          "this host's"))
    nonce = "%08x" % random.getrandbits(32)
    full = [(monitor, v, m, a, w) for v, m, a, w in PLAN]
    if monitor != "qemu":
        full += [("xm", v, m, a, w) for v, m, a, w in XM_PLAN]
    runs = []
    try:
        for i, (mon, vcpus, mem, action, want) in enumerate(full):
            cmd = ("console=ttyS0 earlyprintk=serial,ttyS0,115200 "
                   "xmtest.action=%s xmtest.nonce=%s" % (action, nonce))
            if action == "panic":
                cmd += " panic=5"
            disk = md5 = None
            if action == "disk":
                disk = os.path.join(work, "disk%d.img" % (i + 1))
                with open(disk, "wb") as f:
                    f.write(os.urandom(DISK_MIB << 20))
                md5 = hashlib.md5(open(disk, "rb").read()).hexdigest()
            run = l2.run(i + 1, mon, vcpus, mem, action, cmd, paths, tools,
                         work, disk=disk)
            run["disk"], run["disk_md5"] = disk, md5
            runs.append(run)
            check_run(t, run, vcpus, mem, action, want, nonce)
            l2.log("run %d: /init at %s s guest uptime, %d ms wall" %
                   (run["n"], run["kv"].get("uptime"), run["wall_ms"]))
    finally:
        tools.stop()
    for f in l2.save_artifacts(runs, os.path.join(outdir, "artifacts"),
                               "boot"):
        l2.log("artifact %s" % f)
    shutil.rmtree(work, ignore_errors=True)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
