# SPDX-License-Identifier: GPL-2.0-or-later
# hypervisor/local.mk: build rules for xmhv, the per-domain KVM monitor
# (the machine: vm/kvm/vcpu/mem, loaders, devices, x86 tables, sandbox).
# The machine is also a static library so unit tests can link its pure
# parts (loaders, ACPI, MP table, e820, CPUID masks).
noinst_LIBRARIES += hypervisor/libxmhvcore.a
hypervisor_libxmhvcore_a_SOURCES = \
	hypervisor/hv.h hypervisor/vm.h hypervisor/vm.c hypervisor/vm_run.c \
	hypervisor/kvm.c \
	hypervisor/kvm.h hypervisor/vcpu.c hypervisor/vcpu.h hypervisor/mem.c \
	hypervisor/mem.h hypervisor/bus.c hypervisor/bus.h \
	hypervisor/device.c hypervisor/device.h hypervisor/board.c \
	hypervisor/board.h hypervisor/loop.c hypervisor/loop.h \
	hypervisor/check.h hypervisor/sandbox.c \
	hypervisor/sandbox.h hypervisor/libxmhv_check.c \
	hypervisor/boot/boot.h hypervisor/boot/boot.c \
	hypervisor/boot/bzimage.c hypervisor/boot/elf.c hypervisor/boot/pvh.c \
	hypervisor/devices/serial.c hypervisor/devices/serial.h \
	hypervisor/devices/i8042.c hypervisor/devices/i8042.h \
	hypervisor/devices/acpi.c hypervisor/devices/pm.c \
	hypervisor/devices/pm.h hypervisor/devices/rtc.c \
	hypervisor/devices/rtc.h hypervisor/devices/pvpanic.c \
	hypervisor/devices/pvpanic.h hypervisor/devices/pci.c \
	hypervisor/devices/pci.h hypervisor/devices/pci_int.h \
	hypervisor/devices/pci_bar.c hypervisor/devices/pci_cap.c \
	hypervisor/devices/msix.c hypervisor/devices/cpuhp.c \
	hypervisor/devices/cpuhp.h hypervisor/devices/aml.c \
	hypervisor/devices/aml.h hypervisor/devices/pcihp.c \
	hypervisor/devices/pcihp.h hypervisor/devices/acpi_pcihp.c \
	hypervisor/devices/virtq.c hypervisor/devices/virtq.h \
	hypervisor/devices/virtio.h hypervisor/devices/virtio_pci.c \
	hypervisor/devices/virtio_pci_int.h \
	hypervisor/devices/virtio_pci_cfg.c \
	hypervisor/devices/virtio_pci_save.c \
	hypervisor/devices/virtio_blk.c hypervisor/devices/virtio_blk.h \
	hypervisor/devices/virtio_blk_int.h \
	hypervisor/devices/virtio_blk_queue.c \
	hypervisor/devices/virtio_blk_req.c \
	hypervisor/devices/virtio_blk_io.c \
	hypervisor/devices/virtio_blk_run.c \
	hypervisor/devices/virtio_blk_uring.c hypervisor/vm_int.h \
	hypervisor/vm_disk.c hypervisor/devices/virtio_net.c \
	hypervisor/devices/virtio_net.h hypervisor/devices/virtio_net_int.h \
	hypervisor/devices/virtio_net_io.c hypervisor/vm_nic.c \
	hypervisor/devices/vhost_net.c hypervisor/devices/vhost_net.h \
	hypervisor/devices/virtio_net_vhost.c \
	hypervisor/arch/x86/x86.h \
	hypervisor/arch/x86/cpuid.c hypervisor/arch/x86/mptable.c \
	hypervisor/arch/x86/e820.c
hypervisor_libxmhvcore_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/hypervisor \
	$(LIBURING_CFLAGS)

sbin_PROGRAMS += hypervisor/xmhv
hypervisor_xmhv_SOURCES = hypervisor/main.c
hypervisor_xmhv_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/hypervisor
hypervisor_xmhv_LDADD = hypervisor/libxmhvcore.a common/libcommon.a \
	$(LIBURING_LIBS) -lpthread
