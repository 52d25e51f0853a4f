# SPDX-License-Identifier: GPL-2.0-or-later
# host/local.mk: what makes xmtools a host service: the xendomains helper
# (one script behind xendomains.service and /etc/init.d/xendomains), the
# systemd units, SysV scripts, /etc/default files, bash completion for xm
# and logrotate. Paths are substituted at make time (the installed
# directories, not the build tree's).
HOST_SED = sed -e 's|@bindir[@]|$(bindir)|g' -e 's|@sbindir[@]|$(sbindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|@pkglibexecdir[@]|$(pkglibexecdir)|g' \
	-e 's|@libexecdir[@]|$(libexecdir)|g'
HOST_GEN = $(AM_V_GEN)$(MKDIR_P) $(@D) && $(HOST_SED) $< > $@.tmp && \
	chmod --reference=$< $@.tmp && mv $@.tmp $@

pkglibexec_SCRIPTS = host/xendomains
initddir = $(sysconfdir)/init.d
initd_SCRIPTS = host/init.d/xmd host/init.d/xendomains
systemdsystemunit_DATA = host/systemd/xmd.service \
	host/systemd/xendomains.service
defaultdir = $(sysconfdir)/default
dist_default_DATA = host/default/xmd host/default/xendomains
bashcompletion_DATA = host/completion/xm
logrotatedir = $(sysconfdir)/logrotate.d
logrotate_DATA = host/logrotate/xmtools

HOST_GENERATED = host/xendomains host/init.d/xmd host/init.d/xendomains \
	host/systemd/xmd.service host/systemd/xendomains.service \
	host/logrotate/xmtools
CLEANFILES += $(HOST_GENERATED) host/completion/xm
EXTRA_DIST += host/xendomains.in host/init.d/xmd.in host/init.d/xendomains.in \
	host/systemd/xmd.service.in host/systemd/xendomains.service.in \
	host/xmtools.logrotate.in host/xm.bash-completion
# The kvm tier runs the build tree's host/xendomains.
check_DATA += $(HOST_GENERATED)

host/xendomains: $(srcdir)/host/xendomains.in Makefile
	$(HOST_GEN)
host/init.d/%: $(srcdir)/host/init.d/%.in Makefile
	$(HOST_GEN)
host/systemd/%: $(srcdir)/host/systemd/%.in Makefile
	$(HOST_GEN)
host/logrotate/xmtools: $(srcdir)/host/xmtools.logrotate.in Makefile
	$(HOST_GEN)
host/completion/xm: $(srcdir)/host/xm.bash-completion
	$(AM_V_GEN)$(MKDIR_P) $(@D) && cp $< $@

# Every other installed program (xmd, xmhv, and whatever joins bin or
# sbin later) completes its long options from its own --help, through
# bash-completion's _longopt; one file per name, as bash-completion loads.
HOST_COMPLETED_OTHERS = $(filter-out xm,$(notdir $(bin_PROGRAMS) \
	$(sbin_PROGRAMS) $(bin_SCRIPTS) $(sbin_SCRIPTS) $(dist_bin_SCRIPTS) \
	$(dist_sbin_SCRIPTS)))
install-data-local: install-host-completions
install-host-completions:
	$(MKDIR_P) '$(DESTDIR)$(bashcompletiondir)'
	for p in $(HOST_COMPLETED_OTHERS); do \
		printf '# bash completion for %s: its long options (--help)\ncomplete -F _longopt %s\n' \
			"$$p" "$$p" > '$(DESTDIR)$(bashcompletiondir)'/"$$p" || exit 1; \
	done
uninstall-local: uninstall-host-completions
uninstall-host-completions:
	for p in $(HOST_COMPLETED_OTHERS); do \
		rm -f '$(DESTDIR)$(bashcompletiondir)'/"$$p"; \
	done
.PHONY: install-host-completions uninstall-host-completions

# The directory xendomains starts from (xmd reads <root>/etc/xen/auto).
install-data-local: install-host-dirs
install-host-dirs:
	$(MKDIR_P) '$(DESTDIR)$(sysconfdir)/xen/auto'
uninstall-local: uninstall-host-dirs
uninstall-host-dirs:
	-rmdir '$(DESTDIR)$(sysconfdir)/xen/auto'
.PHONY: install-host-dirs uninstall-host-dirs

# The kvm tier's test of all this against an isolated xmd, with Xen 4.0's
# own xendomains script as a fixture.
KVM_TESTS += tests/kvm/host_integration.py
EXTRA_DIST += tests/kvm/host_integration.py tests/kvm/xen-4.0/xendomains \
	tests/kvm/xen-4.0/README

# The Debian package (debian/) built and installed into a bookworm chroot:
# slow and needs root and the archive, so not part of make check (the
# packaging tools: scripts/install-deps --deb).
check-deb:
	$(top_srcdir)/scripts/check-deb
.PHONY: check-deb
EXTRA_DIST += scripts/build-deb scripts/check-deb debian/changelog \
	debian/control debian/copyright debian/rules debian/source/format

# make install into a stage, checked (unit tier: no root).
TESTS += tests/unit/install_tree.sh
EXTRA_DIST += tests/unit/install_tree.sh
