# SPDX-License-Identifier: GPL-2.0-or-later
# tests/local.mk: the TAP helper shared by the C tests. Each test directory
# adds its own programs and scripts to TESTS in its local.mk.
check_LIBRARIES += tests/libtap.a
tests_libtap_a_SOURCES = tests/tap.c tests/tap.h
