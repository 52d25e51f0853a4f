# SPDX-License-Identifier: GPL-2.0-or-later
# bench/net/net.mk: `make bench-linux-net`: iperf3 TCP and UDP both ways
# and ping between L1 and the same L2 on xmhv's user-space virtio-net, xmhv
# with vhost-net and QEMU (vhost=on), through scripts/with-kvm --linux
# (bench/net/README.md and bench/README.md hold the latest table). Never
# part of `make check`.
EXTRA_DIST += bench/net/iperf.py bench/net/linux-net.py bench/net/README.md
bench-linux-net: all hypervisor/xmhv
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	XM_BUILDDIR='$(abs_top_builddir)' \
	QEMU_SYSTEM_X86_64='$(QEMU_SYSTEM_X86_64)' \
		$(top_srcdir)/scripts/with-kvm --linux \
		$(PYTHON3) $(top_srcdir)/bench/net/iperf.py
.PHONY: bench-linux-net
