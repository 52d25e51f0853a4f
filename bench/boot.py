#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""bench/boot.py: xmhv versus QEMU on the same test guest, in one run:
time from process start to the guest's first port write (xmhv logs it with
XMHV_BENCH=1; QEMU has no such hook), to the first console byte, to the
guest's prompt; destroy time; resident memory of the monitor beyond guest
RAM. Prints a table (median of --runs); never a timed assertion.
usage: boot.py --build DIR [--runs N] [--memory MIB] [--record FILE]"""
import argparse
import os
import re
import select
import signal
import shutil
import statistics
import subprocess
import sys
import time


def rss_beyond_guest(pid, mem_mib):
    """Total Rss minus the Rss of the guest RAM mapping (the one mapping
    of exactly mem_mib MiB, or the largest one)."""
    total = 0
    maps = []
    size = rss = 0
    with open("/proc/%d/smaps" % pid) as f:
        for line in f:
            m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) ", line)
            if m:
                if size:
                    maps.append((size, rss))
                size = int(m.group(2), 16) - int(m.group(1), 16)
                rss = 0
            elif line.startswith("Rss:"):
                rss = int(line.split()[1])
                total += rss
    if size:
        maps.append((size, rss))
    want = mem_mib << 20
    guest = [r for s, r in maps if s == want] or [max(maps)[1]]
    return (total - guest[0]) / 1024.0


def run_one(argv, env, prompt, mem_mib, kill_sig):
    t0 = time.monotonic_ns()
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    out = b""
    first = None
    end = time.time() + 60
    while prompt not in out and time.time() < end and p.poll() is None:
        r, _, _ = select.select([p.stdout], [], [], 0.5)
        if r:
            data = os.read(p.stdout.fileno(), 65536)
            if data and first is None:
                first = time.monotonic_ns()
            out += data
    t_prompt = time.monotonic_ns()
    if prompt not in out:
        p.kill()
        p.communicate()
        return None
    rss = rss_beyond_guest(p.pid, mem_mib)
    # Destroy a settled domain (right at the prompt the guest and the
    # kernel are still busy with the boot's aftermath: same for both).
    time.sleep(0.3)
    t_kill = time.monotonic_ns()
    p.send_signal(kill_sig)
    p.wait()
    t_gone = time.monotonic_ns()
    err = p.stderr.read().decode("utf-8", "replace")
    m = re.search(r"first guest port write at (\d+) ns", err)
    mm = re.search(r"main entered at (\d+) ns", err)
    return {
        "first_io": (int(m.group(1)) - t0) / 1e6 if m else None,
        "main_to_io": (int(m.group(1)) - int(mm.group(1))) / 1e6 if m and mm else None,
        "first_byte": (first - t0) / 1e6,
        "prompt": (t_prompt - t0) / 1e6,
        "destroy": (t_gone - t_kill) / 1e6,
        "rss": rss,
    }


def median(results, key):
    vals = [r[key] for r in results if r and r[key] is not None]
    return statistics.median(vals) if vals else None


def fmt(v, unit):
    return "n/a" if v is None else "%.2f %s" % (v, unit)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=".")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--memory", type=int, default=256)
    ap.add_argument("--record")
    a = ap.parse_args()
    xmhv = os.path.join(a.build, "hypervisor", "xmhv")
    bz = os.path.join(a.build, "tests", "guest", "guest.bzImage")
    elf = os.path.join(a.build, "tests", "guest", "guest.elf")
    if not os.access("/dev/kvm", os.W_OK):
        sys.exit("bench/boot: no usable /dev/kvm")
    for f in (xmhv, bz, elf):
        if not os.path.exists(f):
            sys.exit("bench/boot: %s not built" % f)
    env = dict(os.environ, XMHV_BENCH="1")
    rows = []
    peers = [
        ("xmhv (bzImage, 64-bit entry)",
         [xmhv, "--kernel", bz, "--memory", str(a.memory), "--vcpus", "1",
          "--console", "stdio"], signal.SIGHUP),
        ("xmhv (ELF, PVH entry)",
         [xmhv, "--kernel", elf, "--memory", str(a.memory), "--vcpus", "1",
          "--console", "stdio"], signal.SIGHUP),
    ]
    qemu = shutil.which(os.environ.get("QEMU_SYSTEM_X86_64") or "qemu-system-x86_64")
    if qemu:
        peers.append(("qemu -M microvm (ELF, PVH entry)",
                      [qemu, "-accel", "kvm", "-M", "microvm", "-m", str(a.memory),
                       "-smp", "1", "-nodefaults", "-no-user-config", "-nographic",
                       "-serial", "stdio", "-kernel", elf], signal.SIGTERM))
    for name, argv, sig in peers:
        res = [run_one(argv, env, b"xmguest# ", a.memory, sig) for _ in range(a.runs)]
        ok = [r for r in res if r]
        rows.append((name, len(ok), median(ok, "main_to_io"), median(ok, "first_io"),
                     median(ok, "first_byte"),
                     median(ok, "prompt"), median(ok, "destroy"), median(ok, "rss")))
    head = ("| monitor | runs ok | main() to first port write | first port write "
            "| first console byte | prompt | destroy | RSS beyond guest RAM |\n"
            "| --- | --- | --- | --- | --- | --- | --- | --- |")
    lines = [head]
    for name, n, mio, fio, fb, pr, de, rss in rows:
        lines.append("| %s | %d/%d | %s | %s | %s | %s | %s | %s |" % (
            name, n, a.runs, fmt(mio, "ms"), fmt(fio, "ms"), fmt(fb, "ms"), fmt(pr, "ms"),
            fmt(de, "ms"), fmt(rss, "MiB")))
    table = "\n".join(lines)
    note = ("Medians of %d runs, %d MiB guest, 1 vCPU, the project's test guest; "
            "times from process start (fork+exec included); destroy 0.3 s after the "
            "prompt, signal to exit. xmhv's own destroy is ~0.2 ms of user space; "
            "the rest is the kernel tearing the VM down in close(), ~15 ms of it "
            "for the in-kernel PIT (KVM_CREATE_PIT2) on this nested KVM: a VM "
            "with irqchip and no PIT closes in ~0.4 ms. Host: %s, %d CPUs, "
            "emulated nested KVM." % (a.runs, a.memory, os.uname().release,
                                     os.cpu_count()))
    print(table)
    print(note)
    if a.record:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from record import record_section
        record_section(a.record, "boot", "`make bench-boot` (bench/boot.py), %s.\n\n%s\n\n%s\n"
                       % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                          table, note))


if __name__ == "__main__":
    main()
