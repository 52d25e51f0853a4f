# SPDX-License-Identifier: GPL-2.0-or-later
# tests/unit/limits.mk: the limits of hypervisor/include/xmhv_limits.h at
# their edges, through libxmcfg and through xmhv_check_config (unit tier:
# no KVM, no root).
check_PROGRAMS += tests/unit/limits
TESTS += tests/unit/limits
tests_unit_limits_SOURCES = tests/unit/limits.c
tests_unit_limits_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_unit_limits_LDADD = tests/libtap.a hypervisor/libxmhv.a $(XMCFG_LIBS)
