# SPDX-License-Identifier: GPL-2.0-or-later
# libxmcfg/local.mk: build rules for libxmcfg/ (config evaluation library).
# Programs that use it link $(XMCFG_LIBS) and add $(XMCFG_CPPFLAGS) if they
# need libxml2 headers (xmcfg.h itself needs nothing).
noinst_LIBRARIES += libxmcfg/libxmcfg.a
libxmcfg_libxmcfg_a_SOURCES = libxmcfg/xmcfg.h libxmcfg/internal.h \
	libxmcfg/py_prelude.h libxmcfg/xmcfg.c libxmcfg/keys.c \
	libxmcfg/disk.c libxmcfg/vif.c libxmcfg/cpus.c libxmcfg/cmdline.c \
	libxmcfg/xml.c libxmcfg/sxp.c libxmcfg/error.c libxmcfg/wire.c \
	libxmcfg/py.c
libxmcfg_libxmcfg_a_CPPFLAGS = $(AM_CPPFLAGS) $(PYTHON_CFLAGS) $(LIBXML_CFLAGS)
XMCFG_CPPFLAGS = $(LIBXML_CFLAGS)
XMCFG_LIBS = libxmcfg/libxmcfg.a common/libcommon.a $(PYTHON_LIBS) $(LIBXML_LIBS)
