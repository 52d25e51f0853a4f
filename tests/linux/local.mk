# SPDX-License-Identifier: GPL-2.0-or-later
# tests/linux/local.mk: the real-Linux tier (`make check-linux`: Debian's
# kernel as L2 guest of xmhv inside a QEMU TCG L1 with SVM) and the nested
# boot benchmark (`make bench-linux-boot`). Neither is part of `make check`.

# Drives one domain through libxmhv inside L1 (power button, reasons).
check_PROGRAMS += tests/linux/xmhv-drive
tests_linux_xmhv_drive_SOURCES = tests/linux/xmhv-drive.c
tests_linux_xmhv_drive_LDADD = hypervisor/libxmhv.a common/libcommon.a

LINUX_TESTS = tests/linux/boot.py
LINUX_FILES = tests/linux/nested.py tests/linux/l1-init tests/linux/l2-init \
	tests/linux/README.md bench/linux-boot.py
EXTRA_DIST += $(LINUX_TESTS) $(LINUX_FILES)

check-linux: all
	rm -rf tests/linux/artifacts
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(LINUX_TESTS)' \
		TEST_SUITE_LOG=tests/linux/test-suite.log

bench-linux-boot: all hypervisor/xmhv tests/linux/xmhv-drive
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	QEMU_SYSTEM_X86_64='$(QEMU_SYSTEM_X86_64)' \
		$(PYTHON3) $(top_srcdir)/bench/linux-boot.py

clean-local-linux:
	rm -rf tests/linux/artifacts tests/linux/work tests/linux/bench-work
.PHONY: check-linux bench-linux-boot clean-local-linux
