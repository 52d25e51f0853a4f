# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz/netconfig.mk: the managed network config fuzz target (xmd's parser
# of <etc>/networks/NAME.conf and the dnsmasq and nftables text made from
# what it accepts). `make fuzz-netconfig` (or `make fuzz`) builds
# fuzz/netconfig_fuzzer with $(CLANG) and libFuzzer; `make
# fuzz-netconfig-run FUZZ_SECONDS=600` runs it on fuzz/corpus/netconfig.
# make check replays the corpus with the normal compiler
# (fuzz/netconfig_replay).
EXTRA_DIST += fuzz/corpus/netconfig
check_PROGRAMS += fuzz/netconfig_replay
TESTS += fuzz/netconfig_replay
fuzz_netconfig_replay_SOURCES = fuzz/replay.c fuzz/netconfig_fuzz.c \
	xmd/netcfg.c xmd/netconfig.c xmd/nettext.c
fuzz_netconfig_replay_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/xmd \
	-DREPLAY_CORPUS='"netconfig"' -DREPLAY_MAX='(64 << 10)'
fuzz_netconfig_replay_LDADD = tests/libtap.a common/libcommon.a

FUZZ_NETCONFIG_SRCS = $(top_srcdir)/fuzz/netconfig_fuzz.c \
	$(top_srcdir)/xmd/netcfg.c $(top_srcdir)/xmd/netconfig.c \
	$(top_srcdir)/xmd/nettext.c $(top_srcdir)/common/util.c
fuzz/netconfig_fuzzer: $(FUZZ_NETCONFIG_SRCS) config.h
	@test -n "$(CLANG)" || { echo "make fuzz needs clang (apt-get install clang)"; exit 1; }
	@mkdir -p fuzz
	$(AM_V_CC)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined \
		-include config.h -I$(top_srcdir)/common -I$(top_srcdir)/xmd \
		-I$(top_srcdir)/libxmcfg -I$(top_srcdir)/hypervisor/include \
		-o $@ $(FUZZ_NETCONFIG_SRCS)
fuzz-netconfig: fuzz/netconfig_fuzzer
fuzz-netconfig-run: fuzz/netconfig_fuzzer
	@mkdir -p fuzz/netconfig-work
	./fuzz/netconfig_fuzzer -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
		fuzz/netconfig-work $(top_srcdir)/fuzz/corpus/netconfig
fuzz: fuzz-netconfig
CLEANFILES += fuzz/netconfig_fuzzer
clean-local: clean-fuzz-netconfig
clean-fuzz-netconfig:
	rm -rf fuzz/netconfig-work
.PHONY: fuzz-netconfig fuzz-netconfig-run clean-fuzz-netconfig
