# SPDX-License-Identifier: GPL-2.0-or-later
# doc/local.mk: the monitor's man page and the protocol description (the
# other man pages are listed by the directory of their program).
dist_man_MANS += doc/xmhv.8 doc/xm-bootloader.8 doc/xm-config.8 \
	doc/xmd-xenstore.8 doc/xendomains.8
EXTRA_DIST += doc/ARCHITECTURE.md doc/TESTING.md

# Shared constants of the machine xmhv gives a guest (the test guest uses them too).
noinst_HEADERS += hypervisor/include/xmhv_platform.h
# A domain's limits (memory, vCPUs, devices, string lengths), shared by
# xmhv, xmd and libxmcfg.
