#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""image.py: checks the test guest's images as a loader would see them (TAP, unit tier):
the bzImage setup header, that its protected-mode part is the ELF's loaded image, and
the ELF's program headers, entry and PVH note."""
import os, struct, sys

BUILD = os.environ.get("top_builddir") or "."
GUEST = os.path.join(BUILD, "tests", "guest")
n = 0
failed = 0


def ok(cond, name):
    global n, failed
    n += 1
    failed += 0 if cond else 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, name))
    return cond


def u(fmt, data, off):
    return struct.unpack_from("<" + fmt, data, off)[0]


def elf_info(e):
    """(entry, [(type, offset, paddr, filesz, memsz, align)])"""
    entry, phoff = u("Q", e, 24), u("Q", e, 32)
    phentsize, phnum = u("H", e, 54), u("H", e, 56)
    phs = []
    for i in range(phnum):
        o = phoff + i * phentsize
        phs.append((u("I", e, o), u("Q", e, o + 8), u("Q", e, o + 24), u("Q", e, o + 32),
                    u("Q", e, o + 40), u("Q", e, o + 48)))
    return entry, phs


def main():
    try:
        bz = open(os.path.join(GUEST, "guest.bzImage"), "rb").read()
        e = open(os.path.join(GUEST, "guest.elf"), "rb").read()
    except OSError as err:
        print("not ok 1 - images not built: %s\n1..1" % err)
        return 1
    # ELF
    ok(e[:4] == b"\x7fELF" and e[4] == 2 and e[5] == 1 and u("H", e, 16) == 2 and
       u("H", e, 18) == 62, "guest.elf: ELF64 little-endian ET_EXEC EM_X86_64")
    entry, phs = elf_info(e)
    loads = [p for p in phs if p[0] == 1]
    notes = [p for p in phs if p[0] == 4]
    ok(len(loads) == 1 and loads[0][2] == 0x100000,
       "guest.elf: one PT_LOAD at paddr 1 MiB")
    lo = loads[0]
    inside = lambda a: lo[2] <= a < lo[2] + lo[3]
    ok(inside(entry) and entry != lo[2] + 0x200,
       "guest.elf: e_entry 0x%x (64-bit entry) inside the image" % entry)
    pvh = None
    for p in notes:
        off, end = p[1], p[1] + p[3]
        while off + 12 <= end:
            namesz, descsz, typ = struct.unpack_from("<III", e, off)
            name = e[off + 12:off + 12 + namesz]
            desc = off + 12 + ((namesz + 3) & ~3)
            if name == b"Xen\0" and typ == 18:
                pvh = u("Q" if descsz == 8 else "I", e, desc)
            off = desc + ((descsz + 3) & ~3)
    ok(pvh is not None and inside(pvh) and notes[0][5] == 4,
       "guest.elf: XEN_ELFNOTE_PHYS32_ENTRY 0x%x inside the image (note align 4)" % (pvh or 0))
    ok(len(bz) < 96 * 1024 and len(e) < 96 * 1024,
       "images are tiny (bzImage %d, elf %d bytes)" % (len(bz), len(e)))
    try:
        v = open(os.path.join(GUEST, "guest-vmlinux.elf"), "rb").read()
        ventry, vphs = elf_info(v)
        vnotes = [p for p in vphs if p[0] == 4 and p[3]]
        ok(ventry == entry and not vnotes and
           [p[2:5] for p in vphs if p[0] == 1] == [p[2:5] for p in loads],
           "guest-vmlinux.elf: same image and e_entry, no PVH note")
    except OSError as err:
        ok(False, "guest-vmlinux.elf: %s" % err)
    # bzImage setup header
    ok(bz[0x202:0x206] == b"HdrS" and u("H", bz, 0x1fe) == 0xaa55,
       "bzImage: boot_flag 0xaa55 and HdrS at 0x202")
    ver = u("H", bz, 0x206)
    ok(ver >= 0x20c, "bzImage: protocol version %d.%02d >= 2.12" % (ver >> 8, ver & 0xff))
    setup = (bz[0x1f1] or 4) + 1
    pm = bz[setup * 512:]
    syssize = u("I", bz, 0x1f4)
    ok(syssize * 16 == len(pm), "bzImage: syssize*16 = %d = protected-mode size" % len(pm))
    ok(u("H", bz, 0x236) & 1, "bzImage: xloadflags has XLF_KERNEL_64")
    ok(bz[0x211] & 1 and u("I", bz, 0x214) == 0x100000 and u("Q", bz, 0x258) == 0x100000,
       "bzImage: LOADED_HIGH, code32_start and pref_address 0x100000")
    init_size = u("I", bz, 0x260)
    ok(init_size >= lo[4] and init_size >= len(pm),
       "bzImage: init_size 0x%x covers the image, bss and stacks" % init_size)
    align = u("I", bz, 0x230)
    ok(align and align & (align - 1) == 0 and 0x100000 % align == 0,
       "bzImage: kernel_alignment 0x%x is a power of two dividing 1 MiB" % align)
    ok(u("I", bz, 0x22c) == 0x7fffffff and u("I", bz, 0x238) >= 255,
       "bzImage: initrd_addr_max and cmdline_size")
    ok(pm[:lo[3]] == e[lo[1]:lo[1] + lo[3]] and not any(pm[lo[3]:]),
       "bzImage: protected-mode part is the ELF's loaded image")
    ok(pm[0x200] == 0xfa, "bzImage: 64-bit entry at +0x200 starts with cli")
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
