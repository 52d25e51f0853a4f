# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz/cfg.mk: the libxmcfg spec/value/XML fuzz target. `make fuzz-cfg`
# (or `make fuzz`) builds fuzz/cfg_spec_fuzzer with $(CLANG) and libFuzzer;
# `make fuzz-cfg-run FUZZ_SECONDS=600` runs it on fuzz/corpus/cfg. make check
# replays the corpus with the normal compiler (fuzz/cfg_replay).
EXTRA_DIST += fuzz/corpus/cfg fuzz/cfg_spec.h
check_PROGRAMS += fuzz/cfg_replay
TESTS += fuzz/cfg_replay
fuzz_cfg_replay_SOURCES = fuzz/replay.c fuzz/cfg_spec.c fuzz/cfg_spec.h
fuzz_cfg_replay_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-DREPLAY_CORPUS='"cfg"' -DREPLAY_MAX='(1 << 20)'
fuzz_cfg_replay_LDADD = tests/libtap.a $(XMCFG_LIBS)

FUZZ_CFG_SRCS = $(top_srcdir)/fuzz/cfg_spec.c \
	$(filter %.c,$(libxmcfg_libxmcfg_a_SOURCES:%=$(top_srcdir)/%)) \
	$(top_srcdir)/common/util.c
FUZZ_SECONDS = 600
fuzz/cfg_spec_fuzzer: $(FUZZ_CFG_SRCS) config.h libxmcfg/py_prelude_gen.h
	@test -n "$(CLANG)" || { echo "make fuzz needs clang (apt-get install clang)"; exit 1; }
	@mkdir -p fuzz
	$(AM_V_CC)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined \
		-include config.h -I$(top_srcdir)/common \
		-I$(top_srcdir)/libxmcfg -Ilibxmcfg -I$(top_srcdir)/fuzz $(PYTHON_CFLAGS) \
		$(LIBXML_CFLAGS) -o $@ $(FUZZ_CFG_SRCS) $(PYTHON_LIBS) $(LIBXML_LIBS)
fuzz-cfg: fuzz/cfg_spec_fuzzer
fuzz-cfg-run: fuzz/cfg_spec_fuzzer
	@mkdir -p fuzz/cfg-work
	./fuzz/cfg_spec_fuzzer -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
		fuzz/cfg-work $(top_srcdir)/fuzz/corpus/cfg
fuzz: fuzz-cfg
CLEANFILES += fuzz/cfg_spec_fuzzer
clean-local: clean-fuzz-cfg
clean-fuzz-cfg:
	rm -rf fuzz/cfg-work
.PHONY: fuzz fuzz-cfg fuzz-cfg-run clean-fuzz-cfg
