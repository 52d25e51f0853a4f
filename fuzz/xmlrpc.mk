# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz/xmlrpc.mk: the XML-RPC parser fuzz target. `make fuzz-xmlrpc` (or
# `make fuzz`) builds fuzz/xmlrpc_fuzzer with $(CLANG) and libFuzzer;
# `make fuzz-xmlrpc-run FUZZ_SECONDS=600` runs it on fuzz/corpus/xmlrpc.
# make check replays the corpus with the normal compiler (fuzz/xmlrpc_replay).
EXTRA_DIST += fuzz/corpus/xmlrpc fuzz/xmlrpc_fuzz.h
check_PROGRAMS += fuzz/xmlrpc_replay
TESTS += fuzz/xmlrpc_replay
fuzz_xmlrpc_replay_SOURCES = fuzz/replay.c fuzz/xmlrpc_fuzz.c \
	fuzz/xmlrpc_fuzz.h
fuzz_xmlrpc_replay_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-DREPLAY_CORPUS='"xmlrpc"' -DREPLAY_MAX='(4 << 20)'
fuzz_xmlrpc_replay_LDADD = tests/libtap.a common/libxmlrpc.a \
	common/libcommon.a $(LIBXML_LIBS)

FUZZ_XMLRPC_SRCS = $(top_srcdir)/fuzz/xmlrpc_fuzz.c \
	$(top_srcdir)/common/xmlrpc_value.c \
	$(top_srcdir)/common/xmlrpc_parse.c \
	$(top_srcdir)/common/xmlrpc_parse_value.c \
	$(top_srcdir)/common/xmlrpc_write.c
fuzz/xmlrpc_fuzzer: $(FUZZ_XMLRPC_SRCS) config.h
	@test -n "$(CLANG)" || { echo "make fuzz needs clang (apt-get install clang)"; exit 1; }
	@mkdir -p fuzz
	$(AM_V_CC)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined \
		-include config.h -I$(top_srcdir)/common \
		-I$(top_srcdir)/fuzz $(LIBXML_CFLAGS) -o $@ \
		$(FUZZ_XMLRPC_SRCS) $(LIBXML_LIBS)
fuzz-xmlrpc: fuzz/xmlrpc_fuzzer
fuzz-xmlrpc-run: fuzz/xmlrpc_fuzzer
	@mkdir -p fuzz/xmlrpc-work
	./fuzz/xmlrpc_fuzzer -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
		-dict=$(top_srcdir)/fuzz/xmlrpc.dict \
		fuzz/xmlrpc-work $(top_srcdir)/fuzz/corpus/xmlrpc
fuzz: fuzz-xmlrpc
EXTRA_DIST += fuzz/xmlrpc.dict
CLEANFILES += fuzz/xmlrpc_fuzzer
.PHONY: fuzz-xmlrpc fuzz-xmlrpc-run
