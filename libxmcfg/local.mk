# SPDX-License-Identifier: GPL-2.0-or-later
# libxmcfg/local.mk: build rules for libxmcfg/ (config evaluation library).
# Programs that evaluate configs link $(XMCFG_LIBS), libpython included,
# and add $(XMCFG_CPPFLAGS) if they need libxml2 headers (xmcfg.h itself
# needs nothing). Programs that only handle validated domains (their XML,
# copies, checks) link $(XMCFG_DOMAIN_LIBS) and never load libpython: the
# archive's load.c, and with it py.c, is pulled in only by a call to
# xmcfg_find/xmcfg_load (xmd runs xm-config instead).
noinst_LIBRARIES += libxmcfg/libxmcfg.a
libxmcfg_libxmcfg_a_SOURCES = libxmcfg/xmcfg.h libxmcfg/internal.h \
	libxmcfg/xmcfg.c libxmcfg/load.c libxmcfg/keys.h libxmcfg/keys.c \
	libxmcfg/keyval.c libxmcfg/keylist.c libxmcfg/keytab.c libxmcfg/notes.c \
	libxmcfg/disk.c libxmcfg/xldisk.c libxmcfg/vif.c libxmcfg/cpus.c \
	libxmcfg/cmdline.c libxmcfg/xml_int.h libxmcfg/xml_write.c \
	libxmcfg/xml_read_int.h libxmcfg/xml_read.c libxmcfg/xml_read_dev.c \
	libxmcfg/sxp.c libxmcfg/error.c libxmcfg/wire.c \
	libxmcfg/suggest.c libxmcfg/py.c libxmcfg/py_sandbox.h \
	libxmcfg/py_sandbox.c
nodist_libxmcfg_libxmcfg_a_SOURCES = libxmcfg/py_prelude_gen.h
# The child names its Python installation instead of searching PATH.
XMCFG_PYTHON_PREFIX = $(shell $(PKG_CONFIG) --variable=prefix python3-embed 2>/dev/null)
libxmcfg_libxmcfg_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/libxmcfg \
	$(PYTHON_CFLAGS) $(LIBXML_CFLAGS) \
	$(if $(XMCFG_PYTHON_PREFIX),-DXM_PYTHON_PREFIX='"$(XMCFG_PYTHON_PREFIX)"')
XMCFG_CPPFLAGS = $(LIBXML_CFLAGS)
XMCFG_LIBS = libxmcfg/libxmcfg.a common/libcommon.a $(PYTHON_LIBS) $(LIBXML_LIBS)
XMCFG_DOMAIN_LIBS = libxmcfg/libxmcfg.a common/libcommon.a $(LIBXML_LIBS)

# The prelude (trusted Python run in the sandboxed child) is compiled and
# marshalled at build time, so no child spends milliseconds compiling it.
EXTRA_DIST += libxmcfg/prelude.py libxmcfg/gen-prelude.py
BUILT_SOURCES += libxmcfg/py_prelude_gen.h
CLEANFILES += libxmcfg/py_prelude_gen.h
libxmcfg/py_prelude_gen.h: $(top_srcdir)/libxmcfg/prelude.py \
		$(top_srcdir)/libxmcfg/gen-prelude.py
	@mkdir -p libxmcfg
	$(AM_V_GEN)$(PYTHON3) $(top_srcdir)/libxmcfg/gen-prelude.py \
		$(top_srcdir)/libxmcfg/prelude.py $@.tmp && mv $@.tmp $@
libxmcfg/libxmcfg_a-py.$(OBJEXT): libxmcfg/py_prelude_gen.h
