# SPDX-License-Identifier: GPL-2.0-or-later
# bench/xmd-stress.mk: `make bench-xmd-stress`: xmd under a read-only
# connection flood, a create/destroy soak with parallel pollers, and kill -9
# of xmd inside every lifecycle step (bench/xmd-stress.py); records the
# tables in bench/README.md, section "## xmd-stress". Needs root and a
# /dev/kvm that runs the test guest (scripts/with-kvm gives one). Never part
# of `make check`.
EXTRA_DIST += bench/xmd-stress.py
bench-xmd-stress: all
	$(top_srcdir)/scripts/with-kvm $(PYTHON3) \
		$(top_srcdir)/bench/xmd-stress.py --build $(abs_top_builddir) \
		--record $(top_srcdir)/bench/README.md
.PHONY: bench-xmd-stress
