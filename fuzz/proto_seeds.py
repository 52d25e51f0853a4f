#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""proto_seeds.py: write the first seeds of fuzz/corpus/proto: creation
sequences (whole, shortest, pinned with cpuid masks, reordered, oversized,
truncated) and runtime messages, framed as hypervisor/proto.h says.
Usage: proto_seeds.py DIR"""
import os
import struct
import sys

MAGIC = 0x56484d58
V2 = 2
(PING, UNPAUSE, PAUSE, SHUTDOWN, DESTROY, GETINFO, SET_VCPUS, WATCH, REPLY,
 INFO, EVENT, CREATE, KERNEL, RAMDISK, CONSOLE_LOG, DISK, NIC,
 START, DISK_ATTACH, DISK_DETACH, NIC_ATTACH, NIC_DETACH, NIC_VHOST) = \
    range(2, 25)


def frame(t, payload=b"", version=V2, length=None, seq=1):
    n = len(payload) if length is None else length
    return struct.pack("<IHHII", MAGIC, version, t, n, seq) + payload


def create(domid=3, vcpus=2, online=1, pin=False, cpuid=(), run_dir=b"/run/xmd/dom",
           cmdline=b"console=ttyS0", mem=256, name=b"web1"):
    rd = run_dir + b"\0"
    cl = cmdline + b"\0"
    naff = vcpus if pin else 0
    head = struct.pack("<IIIIIHHB7xQ16s64s", domid, vcpus, online, naff,
                       len(cpuid), len(rd), len(cl), 1, mem,
                       bytes(range(16)), name)
    aff = b"".join(struct.pack("<Q", 1 << i) + bytes(120) for i in range(naff))
    masks = b"".join(struct.pack("<II", leaf, 0xffffffff) +
                     b"".join(r.ljust(33, b"\0") for r in regs)
                     for leaf, regs in cpuid)
    return frame(CREATE, head + aff + masks + rd + cl)


def label(t, path):
    return frame(t, path + b"\0")


def disk(path, flags=0, serial=b"hda1"):
    return frame(DISK, struct.pack("<II24s", flags, 0, serial) + path + b"\0")


def nic(tap=b"vif3.0", mac=b"\x00\x16\x3e\x01\x02\x03", rate=None,
        t=NIC):
    p = struct.pack("<6s2x16s", mac, tap)
    if rate is not None:  # rate=: bytes a second, credit interval in us
        p += struct.pack("<QII", rate[0], rate[1], 0)
    return frame(t, p)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    x32 = b"x" * 31 + b"0"
    seeds = {
        "whole": create() + label(KERNEL, b"/boot/vmlinuz") +
        label(RAMDISK, b"/boot/initrd") + label(CONSOLE_LOG, b"/var/log/c") +
        disk(b"/srv/a.img") + disk(b"/srv/b.iso", 3) + disk(b"/dev/vg/lv", 4) +
        nic() + frame(START),
        "shortest": create(vcpus=1, online=0) + label(KERNEL, b"/k") +
        frame(START),
        "pinned": create(vcpus=4, online=2, pin=True,
                         cpuid=[(1, [b"", b"", x32, b""]),
                                (7, [b"k" * 32, b"s" * 32, b"", b""])]) +
        label(KERNEL, b"/k") + frame(START),
        "reordered": create() + disk(b"/a") + label(KERNEL, b"/k"),
        "second-kernel": create() + label(KERNEL, b"/k") * 2,
        "oversized": create() + frame(KERNEL, b"/k\0", length=5000),
        "truncated": create()[:100],
        "bad-flags": create() + label(KERNEL, b"/k") + disk(b"/a", 2),
        "multicast": create() + label(KERNEL, b"/k") +
        nic(mac=b"\x01\x00\x00\x00\x00\x01"),
        "runtime": frame(PING) + frame(SHUTDOWN, struct.pack("<II", 1, 0)) +
        frame(SET_VCPUS, struct.pack("<II", 2, 0)) + frame(GETINFO) +
        frame(EVENT, struct.pack("<IIII", 3, 8, 1, 0)) +
        frame(REPLY, struct.pack("<ii", -22, 77) + b"no".ljust(512, b"\0")),
        "version1": frame(PING, version=1) + frame(1, bytes(64), version=1),
        "nic-rate": create() + label(KERNEL, b"/k") +
        nic(rate=(1250000, 20000)) + nic(b"vif3.1", rate=(0, 0)) +
        nic(b"vif3.2", rate=(1, 10000001)) + frame(START),
        "nic-hotplug": nic(b"vif3.3", t=NIC_ATTACH) +
        nic(b"vif3.4", rate=(125000, 0), t=NIC_ATTACH) +
        frame(NIC_DETACH, struct.pack("<6s2xII", b"\x00\x16\x3e\x01\x02\x03",
                                      0, 0)) +
        frame(NIC_DETACH, struct.pack("<6s2xII", b"\x00\x16\x3e\x01\x02\x03",
                                      2, 0)),
        "nic-vhost": create() + label(KERNEL, b"/k") + nic() +
        frame(NIC_VHOST, struct.pack("<6s2xII", b"\x00\x16\x3e\x01\x02\x03",
                                     0, 0)) +
        nic(b"vif3.1") +
        frame(NIC_VHOST, struct.pack("<6s2xII", b"\x00\x16\x3e\x01\x02\x03",
                                     1, 0)) + frame(START),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
