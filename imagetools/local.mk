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
	imagetools/imgfind.h imagetools/progress.c imagetools/progress.h
imagetools_libimagetools_a_CPPFLAGS = $(AM_CPPFLAGS)

# what links libext2fs, libarchive and libcrypt
noinst_LIBRARIES += imagetools/libext4w.a
imagetools_libext4w_a_SOURCES = imagetools/ext4w.c imagetools/ext4w.h \
	imagetools/source.h imagetools/source_tar.c imagetools/source_copy.c \
	imagetools/fixups.c imagetools/fixups.h
imagetools_libext4w_a_CPPFLAGS = $(AM_CPPFLAGS) $(EXT2FS_CFLAGS) \
	$(ARCHIVE_CFLAGS) $(CRYPT_CFLAGS)
IMAGETOOLS_LIBS = imagetools/libext4w.a imagetools/libimagetools.a \
	common/libcommon.a $(EXT2FS_LIBS) $(ARCHIVE_LIBS) $(CRYPT_LIBS)

sbin_PROGRAMS += imagetools/xm-create-image imagetools/xm-delete-image \
	imagetools/xm-list-images
imagetools_xm_create_image_SOURCES = imagetools/create.c
imagetools_xm_create_image_CPPFLAGS = $(AM_CPPFLAGS) $(EXT2FS_CFLAGS)
imagetools_xm_create_image_LDADD = $(IMAGETOOLS_LIBS) $(UUID_LIBS)
imagetools_xm_delete_image_SOURCES = imagetools/delete.c
imagetools_xm_delete_image_LDADD = imagetools/libimagetools.a \
	common/libcommon.a
imagetools_xm_list_images_SOURCES = imagetools/list.c
imagetools_xm_list_images_LDADD = imagetools/libimagetools.a \
	common/libcommon.a
