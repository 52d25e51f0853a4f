# SPDX-License-Identifier: GPL-2.0-or-later
# xmd/local.mk: the XML-RPC codec library (shared with xm), the xmd daemon,
# its man page and unit tests.
noinst_LIBRARIES += common/libxmlrpc.a
common_libxmlrpc_a_SOURCES = common/xmlrpc_value.c common/xmlrpc_parse.c \
	common/xmlrpc_write.c common/xmlrpc_int.h common/xmlrpc.h \
	common/xmlrpc_client.c
common_libxmlrpc_a_CFLAGS = $(AM_CFLAGS) $(LIBXML_CFLAGS)

sbin_PROGRAMS += xmd/xmd
xmd_xmd_SOURCES = xmd/xmd.c xmd/xmd.h xmd/control.c xmd/methods.c \
	xmd/node.c xmd/domains.c xmd/policy.c xmd/record.c xmd/hvconfig.c \
	xmd/storage.c xmd/autostart.c xmd/info.c xmd/devices.c
xmd_xmd_CFLAGS = $(AM_CFLAGS) $(LIBXML_CFLAGS) $(LIBEVENT_CFLAGS) \
	$(UUID_CFLAGS) $(DEVMAPPER_CFLAGS)
# No libpython: xmd evaluates configs by running xm-config (autostart.c).
xmd_xmd_LDADD = hypervisor/libxmhv.a common/libxmlrpc.a $(XMCFG_DOMAIN_LIBS) \
	$(LIBEVENT_LIBS) $(UUID_LIBS) $(DEVMAPPER_LIBS) -lpthread
dist_man_MANS += doc/xmd.8

check_PROGRAMS += tests/unit/xmlrpc_codec
TESTS += tests/unit/xmlrpc_codec
tests_unit_xmlrpc_codec_SOURCES = tests/unit/xmlrpc_codec.c
tests_unit_xmlrpc_codec_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_unit_xmlrpc_codec_LDADD = common/libxmlrpc.a tests/libtap.a \
	common/libcommon.a $(LIBXML_LIBS)

# xmd never loads libpython (it runs xm-config): checked on the binary.
TESTS += tests/unit/xmd_no_python.sh
EXTRA_DIST += tests/unit/xmd_no_python.sh

# Service files (copied by packagers; paths assume the default prefix).
EXTRA_DIST += examples/systemd/xmd.service examples/systemd/xendomains.service \
	examples/init.d/xmd examples/init.d/xendomains doc/PROTOCOL.md
