# SPDX-License-Identifier: GPL-2.0-or-later
# tests/guest/local.mk: the freestanding test guest kernel, built with
# $(GUEST_CC) and its own flags (never the tree's CFLAGS: sanitizers, PIE and
# stack protectors do not belong in a kernel), into guest.elf (ELF64 with a
# PVH note) and guest.bzImage (Linux boot protocol 2.12, 64-bit entry).

GUEST_SRCS = tests/guest/head.S tests/guest/setup.S tests/guest/main.c \
	tests/guest/console.c tests/guest/intr.c tests/guest/acpi.c \
	tests/guest/smp.c tests/guest/pci.c tests/guest/blk.c tests/guest/net.c \
	tests/guest/lib.c \
	tests/guest/crc32_table.S
GUEST_OBJS = tests/guest/head.o tests/guest/setup.o tests/guest/main.o \
	tests/guest/console.o tests/guest/intr.o tests/guest/acpi.o \
	tests/guest/smp.o tests/guest/pci.o tests/guest/blk.o tests/guest/net.o \
	tests/guest/lib.o \
	tests/guest/crc32_table.o
GUEST_KCFLAGS = -std=gnu11 -O2 -g0 -Wall -Wextra -ffreestanding -fno-pic \
	-fno-pie -mno-red-zone -mgeneral-regs-only -mno-sse -mno-mmx -mno-avx \
	-mcmodel=small -fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-unwind-tables -fcf-protection=none -fno-tree-loop-distribute-patterns \
	-nostdlib -I$(top_srcdir)/tests/guest -I$(top_srcdir)/hypervisor/include
GUEST_OBJCOPY = objcopy
GUEST_KLDFLAGS = -nostdlib -static -no-pie -Wl,--build-id=none \
	-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
	-Wl,-T,$(top_srcdir)/tests/guest/guest.ld

tests/guest/%.o: $(top_srcdir)/tests/guest/%.c $(top_srcdir)/tests/guest/guest.h
	@$(MKDIR_P) tests/guest
	$(AM_V_CC)$(GUEST_CC) $(GUEST_KCFLAGS) -c -o $@ $<

tests/guest/%.o: $(top_srcdir)/tests/guest/%.S
	@$(MKDIR_P) tests/guest
	$(AM_V_CC)$(GUEST_CC) $(GUEST_KCFLAGS) -D__ASSEMBLY__ -c -o $@ $<

tests/guest/guest.full: $(GUEST_OBJS) $(top_srcdir)/tests/guest/guest.ld
	$(AM_V_CCLD)$(GUEST_CC) $(GUEST_KCFLAGS) $(GUEST_KLDFLAGS) -o $@ $(GUEST_OBJS)

tests/guest/guest.elf: tests/guest/guest.full
	$(AM_V_GEN)$(GUEST_OBJCOPY) -R .setup $< $@

# The same image without the PVH note: what a plain ELF vmlinux loader sees
# (64-bit entry e_entry, boot_params in RSI).
tests/guest/guest-vmlinux.elf: tests/guest/guest.elf
	$(AM_V_GEN)$(GUEST_OBJCOPY) -R .note.Xen $< $@

# bzImage = the setup sectors (cut out of the link) + the flat image at 1 MiB.
tests/guest/guest.bzImage: tests/guest/guest.full
	$(AM_V_GEN)$(GUEST_OBJCOPY) -O binary --only-section=.setup \
		--set-section-flags .setup=alloc,load,contents $< $@.setup.tmp && \
	$(GUEST_OBJCOPY) -O binary -R .setup $< $@.image.tmp && \
	cat $@.setup.tmp $@.image.tmp > $@.tmp && \
	rm -f $@.setup.tmp $@.image.tmp && mv $@.tmp $@

noinst_DATA += tests/guest/guest.elf tests/guest/guest.bzImage \
	tests/guest/guest-vmlinux.elf
CLEANFILES += tests/guest/guest.elf tests/guest/guest.bzImage \
	tests/guest/guest-vmlinux.elf \
	tests/guest/guest.full $(GUEST_OBJS)
EXTRA_DIST += $(GUEST_SRCS) tests/guest/guest.h tests/guest/guest.ld \
	tests/guest/README.md

# image.py: unit tier (headers, note, layout); qemu-boot.py: boots both images
# under QEMU TCG (SKIP without QEMU), no /dev/kvm or root needed; xmhv-boot.py:
# kvm tier, the guest on the tree's xmhv (SKIP without /dev/kvm or xmhv).
TESTS += tests/guest/image.py tests/guest/qemu-boot.py
KVM_TESTS += tests/guest/xmhv-boot.py
EXTRA_DIST += tests/guest/image.py tests/guest/qemu-boot.py \
	tests/guest/xmhv-boot.py
