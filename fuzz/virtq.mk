# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz/virtq.mk: the virtqueue walker fuzz target (devices/virtq.c, and
# the virtio-blk request parser on what it returns). `make fuzz-virtq`
# builds fuzz/virtq_fuzzer with $(CLANG) and libFuzzer; `make
# fuzz-virtq-run FUZZ_SECONDS=600` runs it on fuzz/corpus/virtq. make check
# replays the corpus with the normal compiler (fuzz/virtq_replay).
# fuzz/virtq_seeds.py wrote the first seeds of the corpus.
EXTRA_DIST += fuzz/corpus/virtq fuzz/virtq_fuzz.h fuzz/virtq_seeds.py
check_PROGRAMS += fuzz/virtq_replay
TESTS += fuzz/virtq_replay
fuzz_virtq_replay_SOURCES = fuzz/replay.c fuzz/virtq_fuzz.c fuzz/virtq_fuzz.h
fuzz_virtq_replay_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/hypervisor \
	-DREPLAY_CORPUS='"virtq"' -DREPLAY_MAX='(1 << 20)'
fuzz_virtq_replay_LDADD = tests/libtap.a hypervisor/libxmhvcore.a \
	$(LIBURING_LIBS) \
	common/libcommon.a -lpthread

FUZZ_VIRTQ_SRCS = $(top_srcdir)/fuzz/virtq_fuzz.c \
	$(top_srcdir)/hypervisor/devices/virtq.c \
	$(top_srcdir)/hypervisor/devices/virtio_blk_req.c \
	$(top_srcdir)/hypervisor/mem.c $(top_srcdir)/hypervisor/arch/x86/e820.c
fuzz/virtq_fuzzer: $(FUZZ_VIRTQ_SRCS) config.h
	@test -n "$(CLANG)" || { echo "make fuzz needs clang (apt-get install clang)"; exit 1; }
	@mkdir -p fuzz
	$(AM_V_CC)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined \
		-include config.h -I$(top_srcdir)/common \
		-I$(top_srcdir)/hypervisor -I$(top_srcdir)/hypervisor/include \
		-I$(top_srcdir)/fuzz -o $@ $(FUZZ_VIRTQ_SRCS)
fuzz-virtq: fuzz/virtq_fuzzer
fuzz-virtq-run: fuzz/virtq_fuzzer
	@mkdir -p fuzz/virtq-work
	./fuzz/virtq_fuzzer -max_total_time=$(FUZZ_SECONDS) -max_len=70000 \
		fuzz/virtq-work $(top_srcdir)/fuzz/corpus/virtq
fuzz: fuzz-virtq
CLEANFILES += fuzz/virtq_fuzzer
clean-local: clean-fuzz-virtq
clean-fuzz-virtq:
	rm -rf fuzz/virtq-work
.PHONY: fuzz-virtq fuzz-virtq-run clean-fuzz-virtq
