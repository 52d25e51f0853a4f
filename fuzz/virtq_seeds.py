#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""virtq_seeds.py: writes the first seeds of fuzz/corpus/virtq: queues in
the input layout of fuzz/virtq_fuzz.c (32-byte head, then guest RAM from
0) holding virtio-blk requests as direct chains and indirect tables, and a
few broken ones (a loop, a head past the table, nested indirect).
Usage: virtq_seeds.py DIR"""
import hashlib
import os
import struct
import sys

DESC, AVAIL, USED, BUF, IND = 0x1000, 0x2000, 0x3000, 0x4000, 0x8000
F_NEXT, F_WRITE, F_IND = 1, 2, 4


def head(log2, features, pushmask=0xff, maxseg=255):
    return struct.pack("<BBBBHHQQQ", log2, features, maxseg, pushmask, 0,
                       0, DESC, AVAIL, USED)


def desc(ram, table, i, addr, length, flags, nxt):
    struct.pack_into("<QIHH", ram, table + 16 * i, addr, length, flags, nxt)


def offer(ram, heads, size):
    for n, h in enumerate(heads):
        struct.pack_into("<H", ram, AVAIL + 4 + 2 * (n % size), h)
    struct.pack_into("<H", ram, AVAIL + 2, len(heads))


def blk_hdr(ram, at, typ, sector):
    struct.pack_into("<IIQ", ram, at, typ, 0, sector)


def seeds():
    out = []
    ram = bytearray(0x10000)
    blk_hdr(ram, BUF, 0, 8)
    desc(ram, DESC, 0, BUF, 16, F_NEXT, 1)
    desc(ram, DESC, 1, BUF + 0x1000, 4096, F_NEXT | F_WRITE, 2)
    desc(ram, DESC, 2, BUF + 0x100, 1, F_WRITE, 0)
    offer(ram, [0], 8)
    out.append(("direct-in", head(3, 0), ram))

    ram = bytearray(0x10000)
    blk_hdr(ram, BUF, 1, 0)
    desc(ram, DESC, 0, IND, 16 * 4, F_IND, 0)
    desc(ram, IND, 0, BUF, 16, F_NEXT, 1)
    desc(ram, IND, 1, BUF + 0x1000, 4096, F_NEXT, 2)
    desc(ram, IND, 2, BUF + 0x2000, 512, F_NEXT, 3)
    desc(ram, IND, 3, BUF + 0x100, 1, F_WRITE, 0)
    offer(ram, [0], 8)
    out.append(("indirect-out", head(3, 1), ram))

    ram = bytearray(0x10000)
    for i in range(8):
        blk_hdr(ram, BUF + 32 * i, 0 if i % 2 else 13, i)
        desc(ram, DESC, 2 * i % 16, BUF + 32 * i, 16, F_NEXT,
             (2 * i + 1) % 16)
        desc(ram, DESC, (2 * i + 1) % 16, BUF + 0x100 + i, 1, F_WRITE, 0)
    offer(ram, [2 * i for i in range(8)], 16)
    out.append(("eight-event-idx", head(4, 2, pushmask=0x55), ram))

    ram = bytearray(0x10000)
    desc(ram, DESC, 0, BUF, 16, F_NEXT, 1)
    desc(ram, DESC, 1, BUF, 16, F_NEXT, 0)
    offer(ram, [0], 8)
    out.append(("loop", head(3, 0), ram))

    ram = bytearray(0x10000)
    desc(ram, DESC, 0, IND, 32, F_IND, 0)
    desc(ram, IND, 0, IND + 0x100, 16, F_IND, 0)
    offer(ram, [0], 8)
    out.append(("nested-indirect", head(3, 1), ram))

    ram = bytearray(0x10000)
    blk_hdr(ram, BUF, 8, 0)
    desc(ram, DESC, 0, BUF, 16, F_NEXT, 1)
    desc(ram, DESC, 1, BUF + 0x200, 21, F_WRITE, 0)
    offer(ram, [0, 7, 0], 8)
    out.append(("get-id-head-twice", head(3, 3, pushmask=0), ram))
    return out


def main():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    for name, h, ram in seeds():
        data = h + bytes(ram)
        with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
