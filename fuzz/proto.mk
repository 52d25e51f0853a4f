# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz/proto.mk: the libxmhv <-> xmhv frame fuzz target (headers, payloads,
# the creation sequence's order and codecs). `make fuzz-proto` (or `make
# fuzz`) builds fuzz/proto_fuzzer with $(CLANG) and libFuzzer; `make
# fuzz-proto-run FUZZ_SECONDS=600` runs it on fuzz/corpus/proto. make check
# replays the corpus with the normal compiler (fuzz/proto_replay).
# fuzz/proto_seeds.py wrote the first seeds of the corpus.
EXTRA_DIST += fuzz/corpus/proto fuzz/proto_fuzz.h fuzz/proto_seeds.py
check_PROGRAMS += fuzz/proto_replay
TESTS += fuzz/proto_replay
fuzz_proto_replay_SOURCES = fuzz/replay.c fuzz/proto_fuzz.c fuzz/proto_fuzz.h
fuzz_proto_replay_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/hypervisor \
	-DREPLAY_CORPUS='"proto"' -DREPLAY_MAX='(1 << 20)'
fuzz_proto_replay_LDADD = tests/libtap.a hypervisor/libxmhv.a \
	common/libcommon.a

FUZZ_PROTO_SRCS = $(top_srcdir)/fuzz/proto_fuzz.c \
	$(top_srcdir)/hypervisor/proto.c $(top_srcdir)/hypervisor/proto_seq.c \
	$(top_srcdir)/common/util.c
fuzz/proto_fuzzer: $(FUZZ_PROTO_SRCS) config.h
	@test -n "$(CLANG)" || { echo "make fuzz needs clang (apt-get install clang)"; exit 1; }
	@mkdir -p fuzz
	$(AM_V_CC)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined \
		-include config.h -I$(top_srcdir)/common \
		-I$(top_srcdir)/hypervisor -I$(top_srcdir)/hypervisor/include \
		-I$(top_srcdir)/fuzz -o $@ $(FUZZ_PROTO_SRCS)
fuzz-proto: fuzz/proto_fuzzer
fuzz-proto-run: fuzz/proto_fuzzer
	@mkdir -p fuzz/proto-work
	./fuzz/proto_fuzzer -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
		fuzz/proto-work $(top_srcdir)/fuzz/corpus/proto
fuzz: fuzz-proto
CLEANFILES += fuzz/proto_fuzzer
clean-local: clean-fuzz-proto
clean-fuzz-proto:
	rm -rf fuzz/proto-work
.PHONY: fuzz-proto fuzz-proto-run clean-fuzz-proto
