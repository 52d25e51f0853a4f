# SPDX-License-Identifier: GPL-2.0-or-later
# xmctl/local.mk: build rules for xmctl/ (the xm command line) and its
# unit tests.
# xm itself does not link libxmcfg (and so libpython): create and new run
# xm-config (cfg_main.c) to evaluate the config, so every other command
# starts fast. xm finds xm-config beside itself, else in $(libexecdir);
# xmd runs it too, for auto-start (from the build tree: ../xmctl/).
bin_PROGRAMS += xmctl/xm
xmctl_xm_SOURCES = xmctl/xm.c xmctl/xm.h xmctl/xmutil.c xmctl/rpc.c \
	xmctl/rpc.h xmctl/sxp.c xmctl/sxp.h xmctl/cmd_create.c \
	xmctl/cmd_list.c xmctl/cmd_domain.c xmctl/cmd_console.c \
	xmctl/cmd_info.c xmctl/cmd_managed.c xmctl/cmd_devices.c \
	xmctl/cmd_network.c
xmctl_xm_CPPFLAGS = $(AM_CPPFLAGS) $(LIBXML_CFLAGS)
xmctl_xm_LDADD = common/libxmlrpc.a common/libcommon.a $(LIBXML_LIBS)

libexec_PROGRAMS += xmctl/xm-config
xmctl_xm_config_SOURCES = xmctl/cfg_main.c xmctl/xmutil.c xmctl/xm.h
xmctl_xm_config_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/bootdisk
xmctl_xm_config_LDADD = bootdisk/libbootdisk.a $(XMCFG_LIBS) $(UUID_LIBS)

dist_man_MANS += doc/xm.1 doc/xmdomain.cfg.5

# Unit tests: the SXP writer, and the xm binary itself without a daemon
# (command lookup, create -n, exit statuses against canned answers; help
# and the no-daemon message in xm_help).
check_PROGRAMS += tests/unit/xm_sxp tests/unit/xm_cli tests/unit/xm_help
TESTS += tests/unit/xm_sxp tests/unit/xm_cli tests/unit/xm_help
tests_unit_xm_sxp_SOURCES = tests/unit/xm_sxp.c xmctl/sxp.c xmctl/sxp.h
tests_unit_xm_sxp_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/xmctl
tests_unit_xm_sxp_LDADD = tests/libtap.a common/libcommon.a
XM_CLI_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-DXM_BINARY='"$(abs_top_builddir)/xmctl/xm"'
tests_unit_xm_cli_SOURCES = tests/unit/xm_cli.c tests/unit/cli_run.c \
	tests/unit/cli_run.h
tests_unit_xm_cli_CPPFLAGS = $(XM_CLI_CPPFLAGS)
tests_unit_xm_cli_LDADD = tests/libtap.a common/libxmlrpc.a common/libcommon.a \
	$(LIBXML_LIBS)
EXTRA_tests_unit_xm_cli_DEPENDENCIES = xmctl/xm$(EXEEXT) \
	xmctl/xm-config$(EXEEXT)
tests_unit_xm_help_SOURCES = tests/unit/xm_help.c tests/unit/cli_run.c \
	tests/unit/cli_run.h
tests_unit_xm_help_CPPFLAGS = $(XM_CLI_CPPFLAGS)
tests_unit_xm_help_LDADD = tests/libtap.a common/libcommon.a
EXTRA_tests_unit_xm_help_DEPENDENCIES = xmctl/xm$(EXEEXT)
