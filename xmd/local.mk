# SPDX-License-Identifier: GPL-2.0-or-later
# xmd/local.mk: the XML-RPC codec library (shared with xm), the xmd daemon,
# its man page and unit tests.
noinst_LIBRARIES += common/libxmlrpc.a
common_libxmlrpc_a_SOURCES = common/xmlrpc_value.c common/xmlrpc_parse.c \
	common/xmlrpc_parse_value.c common/xmlrpc_parse_int.h \
	common/xmlrpc_write.c common/xmlrpc_int.h common/xmlrpc.h \
	common/xmlrpc_client.c
common_libxmlrpc_a_CFLAGS = $(AM_CFLAGS) $(LIBXML_CFLAGS)

sbin_PROGRAMS += xmd/xmd
xmd_xmd_SOURCES = xmd/xmd.c xmd/xmd.h xmd/control.c xmd/control_int.h \
	xmd/control_conn.c xmd/methods.c xmd/domview.c \
	xmd/node.c xmd/domains.c xmd/domains_int.h xmd/domains_lifecycle.c \
	xmd/domains_adopt.c xmd/policy.c xmd/record.c xmd/hvconfig.c \
	xmd/storage.c xmd/storage_probe.c xmd/storage_probe.h xmd/bootdisk.c \
	xmd/autostart.c xmd/notify.c xmd/info.c xmd/devices.c \
	xmd/admission.h xmd/admission.c \
	xmd/net.h xmd/netcfg.c xmd/netcfg_int.h xmd/netconfig.c xmd/nettext.c \
	xmd/netstore.c xmd/nettap.h xmd/nettap.c xmd/netscript.c \
	xmd/netdom.h xmd/netdom.c xmd/netmgr.c xmd/netmgr_int.h \
	xmd/netmgr_host.c xmd/netmgr_adopt.c \
	xmd/netdnsmasq.c xmd/netmethods.c
xmd_xmd_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/bootdisk
xmd_xmd_CFLAGS = $(AM_CFLAGS) $(LIBXML_CFLAGS) $(LIBEVENT_CFLAGS) \
	$(UUID_CFLAGS) $(DEVMAPPER_CFLAGS)
# No libpython: xmd evaluates configs by running xm-config (autostart.c).
xmd_xmd_LDADD = hypervisor/libxmhv.a common/libxmlrpc.a bootdisk/libbootdisk.a \
	$(XMCFG_DOMAIN_LIBS) \
	$(LIBEVENT_LIBS) $(UUID_LIBS) $(DEVMAPPER_LIBS) -lpthread
dist_man_MANS += doc/xmd.8

# The xenstore-* commands a vif script finds first on its PATH
# (xmd links them to this program under <run>/xenstore-bin).
libexec_PROGRAMS += xmd/xmd-xenstore
xmd_xmd_xenstore_SOURCES = xmd/xenstore_shim.c xmd/netstore.c xmd/netcfg.c \
	xmd/net.h
xmd_xmd_xenstore_CFLAGS = $(AM_CFLAGS)
xmd_xmd_xenstore_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/xmd
xmd_xmd_xenstore_LDADD = common/libcommon.a

TESTS += tests/unit/xenstore_shim.sh
EXTRA_DIST += tests/unit/xenstore_shim.sh

# The pure side of networking, unit-tested.
check_PROGRAMS += tests/unit/xmd_net tests/unit/xmd_admission
TESTS += tests/unit/xmd_admission
tests_unit_xmd_admission_SOURCES = tests/unit/xmd_admission.c \
	xmd/admission.c
tests_unit_xmd_admission_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/xmd
tests_unit_xmd_admission_LDADD = tests/libtap.a
TESTS += tests/unit/xmd_net
tests_unit_xmd_net_SOURCES = tests/unit/xmd_net.c xmd/netcfg.c \
	xmd/netcfg_int.h xmd/netconfig.c xmd/nettext.c xmd/netstore.c
tests_unit_xmd_net_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/xmd
tests_unit_xmd_net_LDADD = tests/libtap.a common/libcommon.a

check_PROGRAMS += tests/unit/xmlrpc_codec
TESTS += tests/unit/xmlrpc_codec
tests_unit_xmlrpc_codec_SOURCES = tests/unit/xmlrpc_codec.c
tests_unit_xmlrpc_codec_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_unit_xmlrpc_codec_LDADD = common/libxmlrpc.a tests/libtap.a \
	common/libcommon.a $(LIBXML_LIBS)

# xmd never loads libpython (it runs xm-config): checked on the binary.
TESTS += tests/unit/xmd_no_python.sh
EXTRA_DIST += tests/unit/xmd_no_python.sh

# (The service files, init scripts and xendomains are in host/local.mk.)
EXTRA_DIST += doc/PROTOCOL.md

# Image locks (QEMU's byte protocol) and the pure side of storage.
check_PROGRAMS += tests/unit/xmd_storage
TESTS += tests/unit/xmd_storage
tests_unit_xmd_storage_SOURCES = tests/unit/xmd_storage.c xmd/storage_probe.c \
	hypervisor/imagelock.c
tests_unit_xmd_storage_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/xmd
tests_unit_xmd_storage_LDADD = tests/libtap.a common/libcommon.a
