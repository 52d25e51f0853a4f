# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz/imagetools.mk: the fuzz target of the image tools' parsers of a
# guest's files (fstab, boot configs' device names, inittab, shadow,
# hosts), of a config read back, and of a bzImage's version string.
# `make fuzz-imagetools` builds fuzz/imagetools_fuzzer with $(CLANG) and
# libFuzzer; `make fuzz-imagetools-run FUZZ_SECONDS=600` runs it on
# fuzz/corpus/imagetools; make check replays the corpus.
EXTRA_DIST += fuzz/corpus/imagetools
check_PROGRAMS += fuzz/imagetools_replay
TESTS += fuzz/imagetools_replay
fuzz_imagetools_replay_SOURCES = fuzz/replay.c fuzz/imagetools_fuzz.c
fuzz_imagetools_replay_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/imagetools \
	-DREPLAY_CORPUS='"imagetools"' -DREPLAY_MAX='(2 << 20)'
fuzz_imagetools_replay_LDADD = tests/libtap.a imagetools/libimagetools.a \
	common/libcommon.a

FUZZ_IMAGETOOLS_SRCS = $(top_srcdir)/fuzz/imagetools_fuzz.c \
	$(top_srcdir)/imagetools/textbuf.c $(top_srcdir)/imagetools/fstab.c \
	$(top_srcdir)/imagetools/sysfiles.c $(top_srcdir)/imagetools/imgcfg.c \
	$(top_srcdir)/imagetools/kver.c $(top_srcdir)/imagetools/vbdlist.c \
	$(top_srcdir)/imagetools/dist.c $(top_srcdir)/imagetools/storage.c \
	$(top_srcdir)/common/util.c
fuzz/imagetools_fuzzer: $(FUZZ_IMAGETOOLS_SRCS) config.h
	@test -n "$(CLANG)" || { echo "make fuzz needs clang (apt-get install clang)"; exit 1; }
	@mkdir -p fuzz
	$(AM_V_CC)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined \
		-include config.h -I$(top_srcdir)/imagetools \
		-I$(top_srcdir)/common -o $@ $(FUZZ_IMAGETOOLS_SRCS)
fuzz-imagetools: fuzz/imagetools_fuzzer
fuzz-imagetools-run: fuzz/imagetools_fuzzer
	@mkdir -p fuzz/imagetools-work
	./fuzz/imagetools_fuzzer -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
		fuzz/imagetools-work $(top_srcdir)/fuzz/corpus/imagetools
fuzz: fuzz-imagetools
CLEANFILES += fuzz/imagetools_fuzzer
clean-local: clean-fuzz-imagetools
clean-fuzz-imagetools:
	rm -rf fuzz/imagetools-work
.PHONY: fuzz-imagetools fuzz-imagetools-run clean-fuzz-imagetools
