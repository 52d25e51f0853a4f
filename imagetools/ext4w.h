/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ext4w.h: writes files into an ext2/3/4 filesystem with libext2fs, as
 * mke2fs -d's populate_fs does: no mount, no root, owners and modes taken
 * from the entry (tar header or lstat), not from the caller. */
#ifndef XM_EXT4W_H
#define XM_EXT4W_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util.h"

struct ext4w;

/* One file of the tree being written. path is relative to the
 * filesystem's root ("etc/fstab"; "" or "." is the root directory).
 * mode carries the type bits (S_IFREG, S_IFDIR, S_IFLNK, S_IFCHR,
 * S_IFBLK, S_IFIFO, S_IFSOCK). link: a symlink's target; hardlink: the
 * path of an earlier entry this one is another name of. */
struct ext4w_entry {
	const char *path;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	int64_t mtime;
	uint64_t size;
	const char *link;
	const char *hardlink;
	unsigned rdev_major, rdev_minor;
};

/* Data of a regular file, chunk by chunk: sets *buf and returns its
 * length, 0 at the end, or a negative errno. */
typedef ssize_t (*ext4w_read_fn)(void *ctx, const void **buf);

/* Open the ext2/3/4 filesystem on path (a file or a block device) for
 * writing. Returns 0 or -1 with the reason in err. */
int ext4w_open(const char *path, struct ext4w **out, char *err,
	       size_t errlen) WUR;

/* The same for a filesystem that starts offset bytes into path (a
 * partition of a disk image). */
int ext4w_open_at(const char *path, uint64_t offset, struct ext4w **out,
		  char *err, size_t errlen) WUR;

/* Write the bitmaps and superblock and close. Returns 0 or -1 with the
 * reason in err; w is freed either way (NULL is accepted). */
int ext4w_close(struct ext4w *w, char *err, size_t errlen);

/* Add one entry (creating missing parent directories, 0755 root). An
 * existing entry of the same path is replaced (a directory only has its
 * attributes updated). rd is called for a regular file's data (may be
 * NULL for an empty file). Returns 0 or -1 (ext4w_error says why). */
int ext4w_add(struct ext4w *w, const struct ext4w_entry *e, ext4w_read_fn rd,
	      void *ctx) WUR;

/* Read a regular file (symlinks followed) of at most max bytes into a
 * malloc'd NUL-terminated buffer. Returns 0, 1 when it does not exist, or
 * -1 on an error. */
int ext4w_read(struct ext4w *w, const char *path, size_t max, char **data,
	       size_t *len) WUR;

/* Replace or create a regular file with data (an existing file keeps its
 * owner, else root:root with mode). Returns 0 or -1. */
int ext4w_write(struct ext4w *w, const char *path, const void *data, size_t len,
		mode_t mode) WUR;

/* lstat-like: 0 and *mode, 1 when path does not exist, -1 on an error. */
int ext4w_lstat(struct ext4w *w, const char *path, mode_t *mode) WUR;

/* Read a symlink's target. 0, 1 when absent or not a symlink, -1. */
int ext4w_readlink(struct ext4w *w, const char *path, char *buf,
		   size_t size) WUR;

/* Rename within one directory or across directories (not a directory
 * across directories). Returns 0 or -1. */
int ext4w_rename(struct ext4w *w, const char *from, const char *to) WUR;

/* Remove a name that is not a directory (freeing the inode at its last
 * link). Returns 0, 1 when absent, -1. */
int ext4w_unlink(struct ext4w *w, const char *path) WUR;

/* Call fn for every name in directory path (not . and ..); 0, 1 when the
 * directory does not exist, -1. */
int ext4w_list(struct ext4w *w, const char *path,
	       void (*fn)(void *ctx, const char *name, mode_t mode),
	       void *ctx) WUR;

/* The filesystem's UUID as text (37 bytes). */
void ext4w_uuid(struct ext4w *w, char out[37]);

/* The last error's message ("etc/fstab: No space left on device"). */
const char *ext4w_error(const struct ext4w *w);

#endif
