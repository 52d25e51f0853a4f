# SPDX-License-Identifier: GPL-2.0-or-later
# bench/lifecycle.mk: `make bench-lifecycle`: create/destroy latency, xm list
# latency and xmd memory (bench/lifecycle.py); records the table in
# bench/README.md, section "## lifecycle". Never part of `make check`.
EXTRA_DIST += bench/lifecycle.py
bench-lifecycle: all
	$(PYTHON3) $(top_srcdir)/bench/lifecycle.py --build $(abs_top_builddir) \
		--record $(top_srcdir)/bench/README.md
.PHONY: bench-lifecycle
