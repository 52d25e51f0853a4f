# SPDX-License-Identifier: GPL-2.0-or-later
# imagetools/local.mk: xm-create-image (the guide's installation as one
# command: storage, ext4 written from a tarball or a tree with libext2fs,
# no mount, no root; the guide's fixes; /etc/xen/NAME), xm-delete-image,
# xm-list-images and xm-adapt-image (a Xen guest's disk made ready for
# xmtools), their man pages and unit tests.
noinst_LIBRARIES += imagetools/libimagetools.a
imagetools_libimagetools_a_SOURCES = imagetools/textbuf.c \
	imagetools/textbuf.h imagetools/textfix.h imagetools/fstab.c \
	imagetools/sysfiles.c imagetools/netcfg.c imagetools/imgcfg.c \
	imagetools/imgcfg.h imagetools/mkopts.c imagetools/mkopts.h \
	imagetools/storage.c imagetools/storage.h imagetools/imgfind.c \
	imagetools/imgfind.h imagetools/progress.c imagetools/progress.h \
	imagetools/kver.c imagetools/vbdlist.c imagetools/vbdlist.h
imagetools_libimagetools_a_SOURCES += imagetools/dist.c imagetools/dist.h
imagetools_libimagetools_a_CPPFLAGS = $(AM_CPPFLAGS)

# what links libext2fs, libarchive and libcrypt
noinst_LIBRARIES += imagetools/libext4w.a
imagetools_libext4w_a_SOURCES = imagetools/ext4w.c imagetools/ext4w.h \
	imagetools/ext4w_int.h imagetools/ext4w_ops.c \
	imagetools/source.h imagetools/source_tar.c imagetools/source_copy.c \
	imagetools/fixups.c imagetools/fixups.h
imagetools_libext4w_a_CPPFLAGS = $(AM_CPPFLAGS) $(EXT2FS_CFLAGS) \
	$(ARCHIVE_CFLAGS) $(CRYPT_CFLAGS)
IMAGETOOLS_LIBS = imagetools/libext4w.a imagetools/libimagetools.a \
	common/libcommon.a $(EXT2FS_LIBS) $(ARCHIVE_LIBS) $(CRYPT_LIBS)

bin_PROGRAMS += imagetools/xm-create-image imagetools/xm-delete-image \
	imagetools/xm-list-images
imagetools_xm_create_image_SOURCES = imagetools/create.c \
	imagetools/create_kernel.c imagetools/create_int.h
imagetools_xm_create_image_CPPFLAGS = $(AM_CPPFLAGS) $(EXT2FS_CFLAGS)
imagetools_xm_create_image_LDADD = $(IMAGETOOLS_LIBS) $(UUID_LIBS)
imagetools_xm_delete_image_SOURCES = imagetools/delete.c
imagetools_xm_delete_image_LDADD = imagetools/libimagetools.a \
	common/libcommon.a
imagetools_xm_list_images_SOURCES = imagetools/list.c
imagetools_xm_list_images_LDADD = imagetools/libimagetools.a \
	common/libcommon.a

# unit tests: the pure parts, and the ext4 writer on images it makes
check_PROGRAMS += tests/unit/imagetools_text
TESTS += tests/unit/imagetools_text
tests_unit_imagetools_text_SOURCES = tests/unit/imagetools_text.c
tests_unit_imagetools_text_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/imagetools
tests_unit_imagetools_text_LDADD = tests/libtap.a imagetools/libimagetools.a \
	common/libcommon.a
check_PROGRAMS += tests/unit/imagetools_ext4
TESTS += tests/unit/imagetools_ext4
tests_unit_imagetools_ext4_SOURCES = tests/unit/imagetools_ext4.c
tests_unit_imagetools_ext4_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/imagetools
tests_unit_imagetools_ext4_LDADD = tests/libtap.a $(IMAGETOOLS_LIBS)
include fuzz/imagetools.mk

dist_man_MANS += doc/xm-create-image.1 doc/xm-delete-image.1 \
	doc/xm-list-images.1 doc/xm-adapt-image.1

bin_PROGRAMS += imagetools/xm-adapt-image
imagetools_xm_adapt_image_SOURCES = imagetools/adapt.c
imagetools_xm_adapt_image_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/bootdisk
imagetools_xm_adapt_image_LDADD = $(IMAGETOOLS_LIBS) bootdisk/libbootdisk.a \
	$(INITRD_LIBS)
TESTS += tests/unit/imagetools_adapt.py
EXTRA_DIST += tests/unit/imagetools_adapt.py
