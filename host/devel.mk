# SPDX-License-Identifier: GPL-2.0-or-later
# host/devel.mk: what make install gives a program that drives domains or
# evaluates configs itself: libxmhv (the hypercall interface xmd uses) and
# libxmcfg (the config evaluator xm-config uses), as static archives, their
# headers under $(includedir)/xmtools and a pkg-config file each.
# The build links hypervisor/libxmhv.a and libxmcfg/libxmcfg.a with
# common/libcommon.a (log, util); the installed archive has those objects
# merged in, so `pkg-config --libs libxmhv` is all a program needs.
xmtoolsincludedir = $(includedir)/xmtools
xmtoolsinclude_HEADERS = hypervisor/include/xmhv.h \
	hypervisor/include/xmhv_limits.h hypervisor/include/xmhv_platform.h \
	libxmcfg/xmcfg.h
pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = host/pkgconfig/libxmhv.pc host/pkgconfig/libxmcfg.pc
EXTRA_DIST += host/pkgconfig/libxmhv.pc.in host/pkgconfig/libxmcfg.pc.in
CLEANFILES += $(pkgconfig_DATA)

HOST_PC_SED = sed -e 's|@prefix[@]|$(prefix)|g' \
	-e 's|@libdir[@]|$(libdir)|g' -e 's|@includedir[@]|$(includedir)|g' \
	-e 's|@VERSION[@]|$(VERSION)|g' -e 's|@PYTHON_LIBS[@]|$(PYTHON_LIBS)|g' \
	-e 's|@LIBXML_LIBS[@]|$(LIBXML_LIBS)|g'
host/pkgconfig/%.pc: $(srcdir)/host/pkgconfig/%.pc.in Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && $(HOST_PC_SED) $< > $@.tmp && mv $@.tmp $@

# $(1): the archive in the build tree; $(2): its installed name.
HOST_MERGE_AR = d=`mktemp -d` && \
	(cd "$$d" && $(AR) x '$(abs_top_builddir)/$(1)' && \
	 $(AR) x '$(abs_top_builddir)/common/libcommon.a' && \
	 $(AR) rcs lib.a *.o) && \
	$(INSTALL_DATA) "$$d/lib.a" '$(DESTDIR)$(libdir)/$(2)'; \
	rc=$$?; rm -rf "$$d"; test $$rc -eq 0
install-exec-local: install-host-libs
install-host-libs: hypervisor/libxmhv.a libxmcfg/libxmcfg.a common/libcommon.a
	$(MKDIR_P) '$(DESTDIR)$(libdir)'
	$(call HOST_MERGE_AR,hypervisor/libxmhv.a,libxmhv.a)
	$(call HOST_MERGE_AR,libxmcfg/libxmcfg.a,libxmcfg.a)
uninstall-local: uninstall-host-libs
uninstall-host-libs:
	rm -f '$(DESTDIR)$(libdir)/libxmhv.a' '$(DESTDIR)$(libdir)/libxmcfg.a'
.PHONY: install-host-libs uninstall-host-libs
