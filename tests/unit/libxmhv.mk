# SPDX-License-Identifier: GPL-2.0-or-later
# tests/unit/libxmhv.mk: unit tests of the hypercall interface (protocol,
# console ring, state strings) and its kvm-tier interface tests.

LIBXMHV_TEST_LDADD = hypervisor/libxmhv.a common/libcommon.a tests/libtap.a

check_PROGRAMS += tests/unit/proto_check
tests_unit_proto_check_SOURCES = tests/unit/proto_check.c
tests_unit_proto_check_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/hypervisor \
	-I$(top_srcdir)/tests
tests_unit_proto_check_LDADD = $(LIBXMHV_TEST_LDADD)
TESTS += tests/unit/proto_check

check_PROGRAMS += tests/unit/libxmhv_console
tests_unit_libxmhv_console_SOURCES = tests/unit/libxmhv_console.c \
	hypervisor/console.c hypervisor/console.h hypervisor/loop.c \
	hypervisor/loop.h
tests_unit_libxmhv_console_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/hypervisor -I$(top_srcdir)/tests
tests_unit_libxmhv_console_LDADD = common/libcommon.a tests/libtap.a -lpthread
TESTS += tests/unit/libxmhv_console

# kvm tier: libxmhv drives real xmhv monitors (SKIPs without root, /dev/kvm,
# hypervisor/xmhv or the test guest).
check_PROGRAMS += tests/unit/xmhv_iface
tests_unit_xmhv_iface_SOURCES = tests/unit/xmhv_iface.c \
	tests/unit/xmhv_iface_fault.c tests/unit/xmhv_iface_lib.c \
	tests/unit/xmhv_iface.h
tests_unit_xmhv_iface_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/hypervisor
tests_unit_xmhv_iface_LDADD = $(LIBXMHV_TEST_LDADD)
KVM_TESTS += tests/unit/xmhv_iface

# The monitor's side of the creation sequence, fed over a socketpair.
check_PROGRAMS += tests/unit/hv_creation
tests_unit_hv_creation_SOURCES = tests/unit/hv_creation.c \
	hypervisor/creation.c hypervisor/creation.h
tests_unit_hv_creation_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/hypervisor \
	-I$(top_srcdir)/tests
tests_unit_hv_creation_LDADD = $(LIBXMHV_TEST_LDADD)
TESTS += tests/unit/hv_creation

# kvm tier: the creation sequence against real monitors (disks, taps,
# console log, locks, refusals).
check_PROGRAMS += tests/unit/xmhv_create
tests_unit_xmhv_create_SOURCES = tests/unit/xmhv_create.c
tests_unit_xmhv_create_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/hypervisor
tests_unit_xmhv_create_LDADD = $(LIBXMHV_TEST_LDADD)
KVM_TESTS += tests/unit/xmhv_create

# libxmhv against fake monitors of interface versions 1 and 3.
check_PROGRAMS += tests/unit/libxmhv_compat
tests_unit_libxmhv_compat_SOURCES = tests/unit/libxmhv_compat.c
tests_unit_libxmhv_compat_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/hypervisor -I$(top_srcdir)/tests
tests_unit_libxmhv_compat_LDADD = $(LIBXMHV_TEST_LDADD) -lpthread
TESTS += tests/unit/libxmhv_compat

# xmhv_wait_creates: monitors a killed xmd was creating.
check_PROGRAMS += tests/unit/libxmhv_creates
tests_unit_libxmhv_creates_SOURCES = tests/unit/libxmhv_creates.c
tests_unit_libxmhv_creates_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/hypervisor -I$(top_srcdir)/tests
tests_unit_libxmhv_creates_LDADD = $(LIBXMHV_TEST_LDADD)
TESTS += tests/unit/libxmhv_creates

check_PROGRAMS += tests/unit/proto_seq_check
tests_unit_proto_seq_check_SOURCES = tests/unit/proto_seq_check.c
tests_unit_proto_seq_check_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/hypervisor -I$(top_srcdir)/tests
tests_unit_proto_seq_check_LDADD = $(LIBXMHV_TEST_LDADD)
TESTS += tests/unit/proto_seq_check
