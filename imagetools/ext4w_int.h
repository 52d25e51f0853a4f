/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ext4w_int.h: what ext4w.c (open, close, adding entries) and
 * ext4w_ops.c (operations on what is there) share. */
#ifndef XM_EXT4W_INT_H
#define XM_EXT4W_INT_H

#include <ext2fs/ext2fs.h>

#include "ext4w.h"

struct ext4w {
	ext2_filsys fs;
	char err[512];
};

/* Set w->err to "/PATH: what: libext2fs's message"; returns -1. */
int ext4w_fail(struct ext4w *w, const char *path, errcode_t rc, const char *fmt,
	       ...) __attribute__((format(printf, 4, 5)));

/* in without leading '/' and "./" into out; -1 for ".." or too long. */
int ext4w_clean_path(const char *in, char *out, size_t size);

/* The inode of a clean path (follow: the last symlink too), or 0. */
ext2_ino_t ext4w_lookup(struct ext4w *w, const char *p, int follow);

/* The directory holding clean path p, made when missing, and p's last
 * component in *name; 0 on an error (w->err set). */
ext2_ino_t ext4w_parent_of(struct ext4w *w, char *p, const char **name);

/* Link ino as name in dir, growing the directory when full. 0 or -1. */
int ext4w_link_in(struct ext4w *w, ext2_ino_t dir, const char *name,
		  ext2_ino_t ino, int ftype, const char *path);

/* Remove name (inode ino) from dir, freeing the inode at its last link. */
int ext4w_remove_name(struct ext4w *w, ext2_ino_t dir, const char *name,
		      ext2_ino_t ino, const char *path);

/* Write rd's data into regular file ino (truncated first if asked). */
int ext4w_write_data(struct ext4w *w, ext2_ino_t ino, const char *path,
		     ext4w_read_fn rd, void *ctx, int truncate);

/* EXT2_FT_* of a mode's type. */
int ext4w_ftype(mode_t mode);

#endif
