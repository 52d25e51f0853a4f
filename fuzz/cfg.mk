# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz/cfg.mk: the libxmcfg fuzz targets. `make fuzz-cfg` (or `make fuzz`)
# builds fuzz/cfg_spec_fuzzer (spec/value/XML) with $(CLANG) and libFuzzer;
# `make fuzz-cfg-run FUZZ_SECONDS=600` runs it on fuzz/corpus/cfg. `make
# fuzz-xl` builds fuzz/xl_spec_fuzzer (disk dispatch, xl's disk grammar,
# vif keys, rbd: targets; pure) and fuzz/cfg_eval_fuzzer (generated
# hostile configs through the sandboxed evaluator); `make fuzz-xl-run` runs
# both on fuzz/corpus/xl-spec and fuzz/corpus/cfg-eval. make check replays
# every corpus with the normal compiler.
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
		-I$(top_srcdir)/libxmcfg -Ilibxmcfg -I$(top_srcdir)/hypervisor/include \
		-I$(top_srcdir)/fuzz $(PYTHON_CFLAGS) \
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

EXTRA_DIST += fuzz/corpus/xl-spec fuzz/corpus/cfg-eval fuzz/xl_spec.h \
	fuzz/cfg_eval.h
check_PROGRAMS += fuzz/xl_spec_replay fuzz/cfg_eval_replay
TESTS += fuzz/xl_spec_replay fuzz/cfg_eval_replay
fuzz_xl_spec_replay_SOURCES = fuzz/replay.c fuzz/xl_spec.c fuzz/xl_spec.h
fuzz_xl_spec_replay_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-DREPLAY_CORPUS='"xl-spec"' -DREPLAY_MAX='(1 << 20)'
fuzz_xl_spec_replay_LDADD = tests/libtap.a $(XMCFG_LIBS)
fuzz_cfg_eval_replay_SOURCES = fuzz/replay.c fuzz/cfg_eval.c fuzz/cfg_eval.h
fuzz_cfg_eval_replay_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-DREPLAY_CORPUS='"cfg-eval"' -DREPLAY_MAX='(1 << 16)' \
	-DREPLAY_BATCH=cfg_eval_batch
fuzz_cfg_eval_replay_LDADD = tests/libtap.a $(XMCFG_LIBS)

FUZZ_XMCFG_SRCS = \
	$(filter %.c,$(libxmcfg_libxmcfg_a_SOURCES:%=$(top_srcdir)/%)) \
	$(top_srcdir)/common/util.c
FUZZ_XMCFG_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-include config.h -I$(top_srcdir)/common -I$(top_srcdir)/libxmcfg \
	-Ilibxmcfg -I$(top_srcdir)/hypervisor/include -I$(top_srcdir)/fuzz \
	$(PYTHON_CFLAGS) $(LIBXML_CFLAGS)
fuzz/xl_spec_fuzzer: $(top_srcdir)/fuzz/xl_spec.c $(FUZZ_XMCFG_SRCS) \
		config.h libxmcfg/py_prelude_gen.h
	@test -n "$(CLANG)" || { echo "make fuzz needs clang (apt-get install clang)"; exit 1; }
	@mkdir -p fuzz
	$(AM_V_CC)$(CLANG) $(FUZZ_XMCFG_FLAGS) -o $@ \
		$(top_srcdir)/fuzz/xl_spec.c $(FUZZ_XMCFG_SRCS) \
		$(PYTHON_LIBS) $(LIBXML_LIBS)
# the evaluator's child runs under ASan too: no RLIMIT_AS (XM_SANITIZERS)
fuzz/cfg_eval_fuzzer: $(top_srcdir)/fuzz/cfg_eval.c $(FUZZ_XMCFG_SRCS) \
		config.h libxmcfg/py_prelude_gen.h
	@test -n "$(CLANG)" || { echo "make fuzz needs clang (apt-get install clang)"; exit 1; }
	@mkdir -p fuzz
	$(AM_V_CC)$(CLANG) $(FUZZ_XMCFG_FLAGS) -DXM_SANITIZERS -o $@ \
		$(top_srcdir)/fuzz/cfg_eval.c $(FUZZ_XMCFG_SRCS) \
		$(PYTHON_LIBS) $(LIBXML_LIBS)
fuzz-xl: fuzz/xl_spec_fuzzer fuzz/cfg_eval_fuzzer
fuzz-xl-run: fuzz/xl_spec_fuzzer fuzz/cfg_eval_fuzzer
	@mkdir -p fuzz/xl-spec-work fuzz/cfg-eval-work
	./fuzz/xl_spec_fuzzer -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
		fuzz/xl-spec-work $(top_srcdir)/fuzz/corpus/xl-spec
	./fuzz/cfg_eval_fuzzer -max_total_time=$(FUZZ_SECONDS) -max_len=256 \
		-timeout=30 fuzz/cfg-eval-work $(top_srcdir)/fuzz/corpus/cfg-eval
fuzz: fuzz-xl
CLEANFILES += fuzz/xl_spec_fuzzer fuzz/cfg_eval_fuzzer
clean-local: clean-fuzz-xl
clean-fuzz-xl:
	rm -rf fuzz/xl-spec-work fuzz/cfg-eval-work
.PHONY: fuzz-xl fuzz-xl-run clean-fuzz-xl
