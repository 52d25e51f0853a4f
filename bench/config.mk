# SPDX-License-Identifier: GPL-2.0-or-later
# bench/config.mk: `make bench-config` measures configs evaluated per second
# by libxmcfg (one sandbox per config, and a batch in one sandbox) beside
# libxlutil reading the same files, and writes the table into
# bench/README.md ("## config"). Not part of make check.
# Built only for bench-config (libxlutil comes from libxen-dev, which
# configure does not require).
EXTRA_PROGRAMS = bench/config-bench
CLEANFILES += bench/config-bench$(EXEEXT)
bench_config_bench_SOURCES = bench/config-bench.c
bench_config_bench_LDADD = $(XMCFG_LIBS) -lxlutil
EXTRA_DIST += bench/config-update.sh
BENCH_CONFIG_FILES = $(top_srcdir)/tests/cfg/pass/*.cfg
bench-config: bench/config-bench$(EXEEXT)
	@xm=; test -x xmctl/xm && xm="--xm xmctl/xm"; \
	./bench/config-bench $$xm $(BENCH_CONFIG_FILES) >bench/config.out && \
	cat bench/config.out && \
	$(SHELL) $(top_srcdir)/bench/config-update.sh bench/config.out \
		$(top_srcdir)/bench/README.md
CLEANFILES += bench/config.out
.PHONY: bench-config
