# SPDX-License-Identifier: GPL-2.0-or-later
# common/local.mk: helpers linked into every program (no Python, no libevent).
noinst_LIBRARIES += common/libcommon.a
common_libcommon_a_SOURCES = common/log.c common/log.h common/util.c common/util.h
