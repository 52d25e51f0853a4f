# SPDX-License-Identifier: GPL-2.0-or-later
# tests/cfg/local.mk: config golden tests, oracle check, spec unit tests.
check_PROGRAMS += tests/cfg/cfg-dump
noinst_PROGRAMS += tests/cfg/cfg-dump
tests_cfg_cfg_dump_SOURCES = tests/cfg/cfg-dump.c
tests_cfg_cfg_dump_LDADD = $(XMCFG_LIBS)
