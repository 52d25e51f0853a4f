#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""hv_mkimage.py: wrap the flat test stub into a bzImage (and craft broken
kernels) for xmhv's loader tests: mkimage.py VARIANT INPUT OUTPUT."""
import struct
import sys


def bzimage(pm, init_size=None, version=0x020F, xload=0x1, magic=b"HdrS"):
    """A bzImage whose protected-mode part is 0x200 bytes of padding (the
    64-bit entry is at +0x200) followed by the stub."""
    pm = bytes(0x200) + pm
    pm += bytes(-len(pm) % 16)
    setup = bytearray(1024)  # boot sector + 1 setup sector
    struct.pack_into("<B", setup, 0x1F1, 1)
    struct.pack_into("<I", setup, 0x1F4, len(pm) // 16)
    struct.pack_into("<H", setup, 0x1FE, 0xAA55)
    setup[0x200:0x202] = b"\xeb\x66"
    setup[0x202:0x206] = magic
    struct.pack_into("<H", setup, 0x206, version)
    struct.pack_into("<B", setup, 0x211, 0x01)
    struct.pack_into("<I", setup, 0x22C, 0x7FFFFFFF)
    struct.pack_into("<I", setup, 0x230, 0x200000)
    struct.pack_into("<B", setup, 0x234, 1)
    struct.pack_into("<H", setup, 0x236, xload)
    struct.pack_into("<I", setup, 0x238, 2047)
    struct.pack_into("<Q", setup, 0x258, 0x1000000)
    struct.pack_into("<I", setup, 0x260, init_size or (len(pm) + 4095) & ~4095)
    return bytes(setup) + pm


def main():
    variant, src, dst = sys.argv[1:4]
    data = open(src, "rb").read()
    if variant == "bzimage":
        out = bzimage(data)
    elif variant == "bzimage-truncated":
        out = bzimage(data)[:1024 + 0x100]
    elif variant == "bzimage-old":
        out = bzimage(data, version=0x0204)
    elif variant == "bzimage-no64":
        out = bzimage(data, xload=0)
    elif variant == "bzimage-huge":  # init_size beyond any test guest
        out = bzimage(data, init_size=0xF0000000)
    elif variant == "not-a-kernel":
        out = b"#!/bin/sh\necho this is not a kernel\n" + bytes(4096)
    elif variant == "elf-aarch64":
        out = bytearray(data)
        struct.pack_into("<H", out, 18, 183)  # EM_AARCH64
    elif variant == "elf-truncated":
        out = data[:40]
    else:
        sys.exit("unknown variant " + variant)
    open(dst, "wb").write(bytes(out))


if __name__ == "__main__":
    main()
