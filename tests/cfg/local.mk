# SPDX-License-Identifier: GPL-2.0-or-later
# tests/cfg/local.mk: config golden tests, oracle check, spec unit tests.
noinst_PROGRAMS += tests/cfg/cfg-dump
tests_cfg_cfg_dump_SOURCES = tests/cfg/cfg-dump.c
tests_cfg_cfg_dump_LDADD = $(XMCFG_LIBS)

TESTS += tests/cfg/run-golden.sh
EXTRA_DIST += tests/cfg/run-golden.sh tests/cfg/pass tests/cfg/fail \
	tests/cfg/refuse
# the golden tests use xm when it is built, cfg-dump otherwise
tests/cfg/run-golden.log: tests/cfg/cfg-dump$(EXEEXT)

check_PROGRAMS += tests/unit/cfg_specs tests/unit/cfg_xml tests/unit/cfg_xl
TESTS += tests/unit/cfg_specs tests/unit/cfg_xml tests/unit/cfg_xl
tests_unit_cfg_xl_SOURCES = tests/unit/cfg_xl.c
tests_unit_cfg_xl_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_unit_cfg_xl_LDADD = tests/libtap.a $(XMCFG_LIBS)
tests_unit_cfg_specs_SOURCES = tests/unit/cfg_specs.c
tests_unit_cfg_specs_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_unit_cfg_specs_LDADD = tests/libtap.a $(XMCFG_LIBS)
tests_unit_cfg_xml_SOURCES = tests/unit/cfg_xml.c
tests_unit_cfg_xml_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_unit_cfg_xml_LDADD = tests/libtap.a $(XMCFG_LIBS)

# libxmcfg against ../shared/oracle (SKIPs when absent); prints the score
TESTS += tests/cfg/oracle-check.py
EXTRA_DIST += tests/cfg/oracle-check.py
tests/cfg/oracle-check.log: tests/cfg/cfg-dump$(EXEEXT)

check_PROGRAMS += tests/unit/cfg_load
TESTS += tests/unit/cfg_load
tests_unit_cfg_load_SOURCES = tests/unit/cfg_load.c
tests_unit_cfg_load_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_unit_cfg_load_LDADD = tests/libtap.a $(XMCFG_LIBS)

check_PROGRAMS += tests/unit/cfg_sandbox
TESTS += tests/unit/cfg_sandbox
tests_unit_cfg_sandbox_SOURCES = tests/unit/cfg_sandbox.c
tests_unit_cfg_sandbox_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_unit_cfg_sandbox_LDADD = tests/libtap.a $(XMCFG_LIBS) -lpthread

# every one-escape config of the cfg_eval fuzzer's grammar, in one sandbox
check_PROGRAMS += tests/unit/cfg_hostile
TESTS += tests/unit/cfg_hostile
tests_unit_cfg_hostile_SOURCES = tests/unit/cfg_hostile.c fuzz/cfg_eval.c \
	fuzz/cfg_eval.h
tests_unit_cfg_hostile_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/fuzz
tests_unit_cfg_hostile_LDADD = tests/libtap.a $(XMCFG_LIBS)
