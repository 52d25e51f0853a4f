# SPDX-License-Identifier: GPL-2.0-or-later
# hypervisor/local.mk: build rules for xmhv, the per-domain KVM monitor
# (the machine: vm/kvm/vcpu/mem, loaders, devices, x86 tables, sandbox).
# The machine is also a static library so unit tests can link its pure
# parts (loaders, ACPI, MP table, e820, CPUID masks).
noinst_LIBRARIES += hypervisor/libxmhvcore.a
hypervisor_libxmhvcore_a_SOURCES = \
	hypervisor/hv.h hypervisor/vm.h hypervisor/vm.c hypervisor/kvm.c \
	hypervisor/vcpu.c hypervisor/mem.c hypervisor/sandbox.c \
	hypervisor/sandbox.h hypervisor/libxmhv_check.c \
	hypervisor/boot/boot.c hypervisor/boot/bzimage.c \
	hypervisor/boot/elf.c hypervisor/boot/pvh.c \
	hypervisor/devices/serial.c hypervisor/devices/i8042.c \
	hypervisor/devices/acpi.c hypervisor/devices/pm.c \
	hypervisor/devices/rtc.c hypervisor/devices/pvpanic.c \
	hypervisor/devices/pci.c hypervisor/devices/cpuhp.c \
	hypervisor/devices/cpuhp.h \
	hypervisor/arch/x86/cpuid.c hypervisor/arch/x86/mptable.c \
	hypervisor/arch/x86/e820.c
hypervisor_libxmhvcore_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/hypervisor

sbin_PROGRAMS += hypervisor/xmhv
hypervisor_xmhv_SOURCES = hypervisor/main.c
hypervisor_xmhv_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/hypervisor
hypervisor_xmhv_LDADD = hypervisor/libxmhvcore.a common/libcommon.a -lpthread
