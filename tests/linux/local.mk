# SPDX-License-Identifier: GPL-2.0-or-later
# tests/linux/local.mk: the real-Linux tier (`make check-linux`: Debian's
# kernel as the guest of xmhv, through scripts/with-kvm --linux: a nested
# QEMU TCG L1 with SVM on a host without hardware virtualization) and the
# boot benchmark (`make bench-linux-boot`). Neither is part of `make check`.

# Drives one domain through libxmhv inside L1 (power button, reasons).
check_PROGRAMS += tests/linux/xmhv-drive
tests_linux_xmhv_drive_SOURCES = tests/linux/xmhv-drive.c
tests_linux_xmhv_drive_LDADD = hypervisor/libxmhv.a common/libcommon.a

LINUX_TESTS = tests/linux/boot.py tests/linux/rootfs.py tests/linux/bootdisk.py \
	tests/linux/mkimage.py tests/linux/net.py tests/linux/hotplug.py
LINUX_FILES = tests/linux/l2.py tests/linux/l2-init tests/linux/README.md \
	bench/linux-boot.py bench/l1-hangs.py bench/linux-io.py
EXTRA_DIST += $(LINUX_TESTS) $(LINUX_FILES)

# One L1 machine per program: QEMU TCG with nested SVM still hangs now
# and then (tests/linux/README.md), and the hang rate grows with an L1's
# running time (bench/README.md, l1-hangs), so a hang and its one retry
# cost one program's run, not the whole tier's. tests/sum-suites adds the
# programs' summaries up in tests/linux/test-suite.log.
check-linux: all tests/linux/xmhv-drive
	rm -rf tests/linux/artifacts
	@rc=0; sums=; for t in $(LINUX_TESTS); do \
		s=tests/linux/test-suite-$$(basename $$t .py).log; \
		MAKE='$(MAKE)' top_srcdir='$(top_srcdir)' $(SHELL) \
			$(top_srcdir)/tests/run-tier --linux check-linux-here \
			$$s LINUX_TESTS=$$t LINUX_SUITE_LOG=$$s || rc=1; \
		sums="$$sums $$t:$$s"; \
	done; \
	$(SHELL) $(top_srcdir)/tests/sum-suites tests/linux/test-suite.log \
		$$sums || rc=1; \
	exit $$rc
LINUX_SUITE_LOG = tests/linux/test-suite.log
check-linux-here:
	$(MAKE) $(AM_MAKEFLAGS) check-TESTS TESTS='$(LINUX_TESTS)' \
		TEST_SUITE_LOG=$(LINUX_SUITE_LOG)

# `xm-create-image --dist` booted: a whole Debian under nested TCG takes
# minutes, so it is not part of check-linux (tests/linux/mkimage_dist.py).
check-linux-dist: all
	@MAKE='$(MAKE)' top_srcdir='$(top_srcdir)' $(SHELL) \
		$(top_srcdir)/tests/run-tier --linux check-linux-dist-here \
		tests/linux/test-suite-dist.log
check-linux-dist-here:
	$(MAKE) $(AM_MAKEFLAGS) check-TESTS TESTS='tests/linux/mkimage_dist.py' \
		TEST_SUITE_LOG=tests/linux/test-suite-dist.log
EXTRA_DIST += tests/linux/mkimage_dist.py
.PHONY: check-linux-dist check-linux-dist-here

bench-linux-boot: all hypervisor/xmhv tests/linux/xmhv-drive
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	QEMU_SYSTEM_X86_64='$(QEMU_SYSTEM_X86_64)' \
		$(top_srcdir)/scripts/with-kvm --linux \
		$(PYTHON3) $(top_srcdir)/bench/linux-boot.py

# fio in L2 under xmhv and QEMU (aio=io_uring, cache=none) and in L1
# directly, on the same disk (bench/README.md, section linux-io).
bench-linux-io: all hypervisor/xmhv tests/linux/xmhv-drive
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	QEMU_SYSTEM_X86_64='$(QEMU_SYSTEM_X86_64)' \
		$(top_srcdir)/scripts/with-kvm --linux \
		$(PYTHON3) $(top_srcdir)/bench/linux-io.py

# How often the nested L1 machine hangs, per QEMU (BENCH_QEMUS: the
# binaries to compare, default the one on PATH; L1_HANGS_BOOTS, default 20).
bench-l1-hangs: all hypervisor/xmhv tests/linux/xmhv-drive
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	L1_HANGS_RECORD=1 $(PYTHON3) $(top_srcdir)/bench/l1-hangs.py \
		--boots $${L1_HANGS_BOOTS:-20} \
		$$(for q in $${BENCH_QEMUS:-$(QEMU_SYSTEM_X86_64)}; do \
			echo --qemu $$q; done)

clean-local-linux:
	rm -rf tests/linux/artifacts tests/linux/work tests/linux/bench-work
.PHONY: check-linux check-linux-here bench-linux-boot bench-linux-io bench-l1-hangs \
	clean-local-linux
