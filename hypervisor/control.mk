# SPDX-License-Identifier: GPL-2.0-or-later
# hypervisor/control.mk: libxmhv (the hypercall interface) and the control
# side of xmhv (toolstack mode, console), included after hypervisor/local.mk.

noinst_LIBRARIES += hypervisor/libxmhv.a
hypervisor_libxmhv_a_SOURCES = hypervisor/libxmhv.c \
	hypervisor/libxmhv_create.c hypervisor/libxmhv_physinfo.c \
	hypervisor/libxmhv_watch.c hypervisor/libxmhv_list.c \
	hypervisor/libxmhv_open.c hypervisor/libxmhv_check.c \
	hypervisor/libxmhv_disk.c hypervisor/libxmhv_nic.c \
	hypervisor/imagelock.c hypervisor/imagelock.h \
	hypervisor/libxmhv_int.h hypervisor/proto.c hypervisor/proto.h \
	hypervisor/proto_seq.c hypervisor/proto_io.c \
	hypervisor/include/xmhv.h hypervisor/include/xmhv_limits.h
# Programs linking libxmhv.a also link common/libcommon.a after it.
# libxmhv_check.c is in both libraries: xmd and xmhv check the host and the
# boot files with the same code and messages.

# The control side of the xmhv program (main.c calls control_main for
# --control-fd).
hypervisor_xmhv_SOURCES += hypervisor/control.c hypervisor/control.h \
	hypervisor/control_int.h hypervisor/control_client.c \
	hypervisor/control_domain.c hypervisor/control_devices.c \
	hypervisor/creation.c hypervisor/creation.h \
	hypervisor/console.c hypervisor/console.h hypervisor/proto.c \
	hypervisor/proto.h hypervisor/proto_seq.c hypervisor/proto_io.c
