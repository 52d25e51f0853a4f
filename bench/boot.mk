# SPDX-License-Identifier: GPL-2.0-or-later
# bench/boot.mk: `make bench-boot`: xmhv versus QEMU on the same test guest
# (first guest port write, first console byte, prompt, destroy, monitor RSS
# beyond guest RAM); records the table in bench/README.md (## boot). Never part of
# `make check`.
EXTRA_DIST += bench/boot.py bench/record.py bench/README.md
bench-boot: hypervisor/xmhv tests/guest/guest.bzImage tests/guest/guest.elf
	$(PYTHON3) $(top_srcdir)/bench/boot.py --build $(abs_top_builddir) \
		--record $(top_srcdir)/bench/README.md
.PHONY: bench-boot
