# SPDX-License-Identifier: GPL-2.0-or-later
# bench/io.mk: `make bench-io`: virtio-blk's I/O engine (worker threads with
# preadv/pwritev) against io_uring and a one-request-at-a-time thread, on
# a file here (BENCH_IO_DIR, default /tmp) and, with
# BENCH_IO_NESTED=1, inside scripts/with-kvm's nested machine as well.
# bench/README.md holds the latest table and the choice it led to.
noinst_PROGRAMS += bench/io_engine
bench_io_engine_SOURCES = bench/io_engine.c
bench_io_engine_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/hypervisor
bench_io_engine_LDADD = hypervisor/libxmhvcore.a common/libcommon.a \
	$(LIBURING_LIBS) -lpthread

bench-io: bench/io_engine
	./bench/io_engine $${BENCH_IO_DIR:-/tmp}
	@if [ -n "$$BENCH_IO_NESTED" ]; then \
		echo; echo "inside scripts/with-kvm's nested machine:"; \
		XM_WITH_KVM=nested $(top_srcdir)/scripts/with-kvm \
			./bench/io_engine $${BENCH_IO_DIR:-/tmp}; fi
.PHONY: bench-io
