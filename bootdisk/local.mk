# SPDX-License-Identifier: GPL-2.0-or-later
# bootdisk/local.mk: reading a guest's boot configuration from its disk
# (libbootdisk.a: pure parsers over a read callback) and xm-bootloader,
# the sandboxed helper xmd and xm run on one read-only fd of the disk.
noinst_LIBRARIES += bootdisk/libbootdisk.a
bootdisk_libbootdisk_a_SOURCES = bootdisk/bootdisk.h bootdisk/bootfind.h \
	bootdisk/menu_int.h bootdisk/layout.c bootdisk/ext_int.h bootdisk/ext.c \
	bootdisk/ext_map.c bootdisk/ext_dir.c bootdisk/menu.c bootdisk/grub2.c \
	bootdisk/menu_text.c bootdisk/find.c bootdisk/initrd.c
bootdisk_libbootdisk_a_SOURCES += bootdisk/bootdisk_client.h \
	bootdisk/client.c bootdisk/bootdisk_cfg.h bootdisk/bootcmd.c \
	bootdisk/dryrun.c

libexec_PROGRAMS += bootdisk/xm-bootloader
bootdisk_xm_bootloader_SOURCES = bootdisk/helper.c
bootdisk_xm_bootloader_LDADD = bootdisk/libbootdisk.a common/libcommon.a \
	$(INITRD_LIBS)

# tests: images built by tests/unit/bootdisk_images.py (mke2fs -d,
# sfdisk, sgdisk) read through the helper by tests/unit/bootdisk_show
check_PROGRAMS += tests/unit/bootdisk_show
tests_unit_bootdisk_show_SOURCES = tests/unit/bootdisk_show.c
tests_unit_bootdisk_show_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/bootdisk
tests_unit_bootdisk_show_LDADD = bootdisk/libbootdisk.a common/libcommon.a \
	$(INITRD_LIBS)
TESTS += tests/unit/bootdisk_images.py
EXTRA_DIST += tests/unit/bootdisk_images.py
