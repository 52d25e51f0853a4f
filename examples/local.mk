# SPDX-License-Identifier: GPL-2.0-or-later
# examples/local.mk: the example domain configs (examples/etc-xen/), a copy
# of `demo` in each build tree that boots that tree's test guest kernel,
# and installed copies under $(pkgdatadir)/examples/etc-xen.
exampledir = $(pkgdatadir)/examples/etc-xen
dist_example_DATA = examples/etc-xen/xmexample-file \
	examples/etc-xen/xmexample-lvm
# The managed NAT network "default", installed where xmd reads it.
networkdir = $(sysconfdir)/xen/networks
dist_network_DATA = examples/etc-xen/networks/default.conf
nodist_example_DATA = examples/install/demo
EXTRA_DIST += examples/etc-xen/demo scripts/demo

# The installed demo boots the installed test guest kernel.
guestkerneldir = $(pkgdatadir)/guest
guestkernel_DATA = tests/guest/guest.bzImage

EXAMPLES_KERNEL_SED = sed 's|^kernel = .*|kernel = "$(1)"|'

examples/install/demo: $(srcdir)/examples/etc-xen/demo
	$(AM_V_GEN)$(MKDIR_P) examples/install && \
	$(call EXAMPLES_KERNEL_SED,$(guestkerneldir)/guest.bzImage) \
		$(srcdir)/examples/etc-xen/demo > $@.tmp && mv $@.tmp $@

# `xm create -c examples/etc-xen/demo` from a build directory: the build
# tree gets its own copy pointing at its kernel (in a build inside the
# source tree the checked-in file is left alone; pass kernel=... there).
EXAMPLES_BUILD_DEMO = $(if $(filter $(abs_top_srcdir),$(abs_top_builddir)),,examples/etc-xen/demo)
noinst_DATA += examples/demo.stamp
examples/demo.stamp: $(srcdir)/examples/etc-xen/demo
	$(AM_V_GEN)$(MKDIR_P) examples/etc-xen && \
	if test -n "$(EXAMPLES_BUILD_DEMO)"; then \
		$(call EXAMPLES_KERNEL_SED,$(abs_top_builddir)/tests/guest/guest.bzImage) \
			$(srcdir)/examples/etc-xen/demo > examples/etc-xen/demo.tmp && \
		mv examples/etc-xen/demo.tmp examples/etc-xen/demo; \
	fi && touch $@
CLEANFILES += examples/demo.stamp examples/install/demo $(EXAMPLES_BUILD_DEMO)
