# SPDX-License-Identifier: GPL-2.0-or-later
# tests/kvm/tier.mk: the kvm tier. Each directory adds its programs that need
# /dev/kvm and root to KVM_TESTS. `make check` runs the unit tier (TESTS
# without KVM_TESTS, test-suite.log) and then `check-kvm`: KVM_TESTS through
# scripts/with-kvm, i.e. directly on a host with /dev/kvm and inside one
# nested L1 machine (QEMU TCG with SVM) on a host without, with its own
# summary in tests/kvm/test-suite.log. When not even the L1 machine can
# start (no QEMU, no kernel package), the programs run here and every one
# of their checks is a SKIP carrying that reason (XM_KVM_SKIP_REASON;
# tests/check-counts says how many checks each program has).
TESTS += $(KVM_TESTS)
# GNU make, hidden from automake (which would otherwise drop its own
# check-TESTS rule): check-TESTS runs the unit tier unless TESTS is given.
KVM_TIER_UNIT_ONLY = check-TESTS: TESTS := $$(filter-out $$(KVM_TESTS),$$(TESTS))
$(eval $(KVM_TIER_UNIT_ONLY))

AM_TESTS_ENVIRONMENT += \
	XM_CHECK_COUNTS='$(abs_top_srcdir)/tests/check-counts'; \
	export XM_CHECK_COUNTS;

check-local: check-kvm
check-kvm: $(check_PROGRAMS) $(check_LIBRARIES) $(check_SCRIPTS) $(check_DATA)
	@test -z '$(strip $(KVM_TESTS))' || \
	MAKE='$(MAKE)' top_srcdir='$(top_srcdir)' $(SHELL) \
		$(top_srcdir)/tests/run-tier check-kvm-here tests/kvm/test-suite.log
# What check-kvm runs where /dev/kvm works.
check-kvm-here:
	$(MAKE) $(AM_MAKEFLAGS) check-TESTS TESTS='$(KVM_TESTS)' \
		TEST_SUITE_LOG=tests/kvm/test-suite.log
# The unit tier alone (what a package build runs: no root, no KVM).
# KVM_TESTS= on the command line does not do it: automake has already
# spelled the kvm programs out in TESTS.
check-unit: all $(check_PROGRAMS) $(check_LIBRARIES) $(check_SCRIPTS) $(check_DATA)
	$(MAKE) $(AM_MAKEFLAGS) check-TESTS
EXTRA_DIST += tests/run-tier tests/sum-suites tests/check-counts
# the kvm tier's own summary (make check writes it; distcleancheck wants it gone)
CLEANFILES += tests/kvm/test-suite.log
.PHONY: check-kvm check-kvm-here check-unit
