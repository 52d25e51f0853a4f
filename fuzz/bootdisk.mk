# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz/bootdisk.mk: libbootdisk's fuzz target (grub.cfg, menu.lst,
# extlinux.conf, BLS entries, whole disk images: MBR/GPT, ext2/3/4, and
# initramfs archives: cpio, gzip, xz, zstd).
# `make fuzz-bootdisk` builds fuzz/bootdisk_fuzzer with $(CLANG) and
# libFuzzer; `make fuzz-bootdisk-run FUZZ_SECONDS=600` runs it on
# fuzz/corpus/bootdisk; make check replays the corpus (fuzz/bootdisk_replay).
# fuzz/bootdisk_seeds.py wrote the first seeds.
EXTRA_DIST += fuzz/corpus/bootdisk fuzz/bootdisk_seeds.py
check_PROGRAMS += fuzz/bootdisk_replay
TESTS += fuzz/bootdisk_replay
fuzz_bootdisk_replay_SOURCES = fuzz/replay.c fuzz/bootdisk_fuzz.c
fuzz_bootdisk_replay_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/bootdisk \
	-DREPLAY_CORPUS='"bootdisk"' -DREPLAY_MAX='(4 << 20)'
fuzz_bootdisk_replay_LDADD = tests/libtap.a bootdisk/libbootdisk.a \
	common/libcommon.a $(INITRD_LIBS)

FUZZ_BOOTDISK_SRCS = $(top_srcdir)/fuzz/bootdisk_fuzz.c \
	$(top_srcdir)/bootdisk/layout.c $(top_srcdir)/bootdisk/ext.c \
	$(top_srcdir)/bootdisk/ext_map.c $(top_srcdir)/bootdisk/ext_dir.c \
	$(top_srcdir)/bootdisk/menu.c $(top_srcdir)/bootdisk/grub2.c \
	$(top_srcdir)/bootdisk/menu_text.c $(top_srcdir)/bootdisk/find.c \
	$(top_srcdir)/bootdisk/initrd.c
fuzz/bootdisk_fuzzer: $(FUZZ_BOOTDISK_SRCS) config.h
	@test -n "$(CLANG)" || { echo "make fuzz needs clang (apt-get install clang)"; exit 1; }
	@mkdir -p fuzz
	$(AM_V_CC)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined \
		-include config.h -I$(top_srcdir)/bootdisk -o $@ \
		$(FUZZ_BOOTDISK_SRCS) $(INITRD_LIBS)
fuzz-bootdisk: fuzz/bootdisk_fuzzer
fuzz-bootdisk-run: fuzz/bootdisk_fuzzer
	@mkdir -p fuzz/bootdisk-work
	./fuzz/bootdisk_fuzzer -max_total_time=$(FUZZ_SECONDS) -max_len=300000 \
		fuzz/bootdisk-work $(top_srcdir)/fuzz/corpus/bootdisk
fuzz: fuzz-bootdisk
CLEANFILES += fuzz/bootdisk_fuzzer
clean-local: clean-fuzz-bootdisk
clean-fuzz-bootdisk:
	rm -rf fuzz/bootdisk-work
.PHONY: fuzz-bootdisk fuzz-bootdisk-run clean-fuzz-bootdisk
