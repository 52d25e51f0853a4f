/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ext4w.c: the ext4 writer (ext4w.h): entries written into an existing
 * ext2/3/4 filesystem through libext2fs, inode by inode, the way e2fsprogs'
 * populate_fs (misc/create_inode.c) does for mke2fs -d. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <et/com_err.h>
#include <ext2fs/ext2fs.h>

#include "ext4w_int.h"

int
ext4w_fail(struct ext4w *w, const char *path, errcode_t rc, const char *fmt,
	   ...)
{
	char what[256] = "";
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(what, sizeof(what), fmt, ap);
		va_end(ap);
	}
	snprintf(w->err, sizeof(w->err), "/%s: %s%s%s%s", path, what,
		 fmt && rc ? ": " : "", rc ? error_message(rc) : "",
		 rc == EXT2_ET_BLOCK_ALLOC_FAIL ||
				 rc == EXT2_ET_INODE_ALLOC_FAIL
			 ? " (the filesystem is full: give a larger --size)"
			 : "");
	return -1;
}

int
ext4w_open(const char *path, struct ext4w **out, char *err, size_t errlen)
{
	return ext4w_open_at(path, 0, out, err, errlen);
}

int
ext4w_open_at(const char *path, uint64_t offset, struct ext4w **out, char *err,
	      size_t errlen)
{
	struct ext4w *w = calloc(1, sizeof(*w));
	char opts[64];
	errcode_t rc;

	if (!w) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	initialize_ext2_error_table();
	/* unix_io's offset= option: a filesystem inside a partition */
	snprintf(opts, sizeof(opts), "offset=%llu", (unsigned long long)offset);
	rc = ext2fs_open2(path, offset ? opts : NULL,
			  EXT2_FLAG_RW | EXT2_FLAG_64BITS, 0, 0,
			  unix_io_manager, &w->fs);
	if (rc) {
		snprintf(err, errlen, "%s: not an ext2/3/4 filesystem: %s",
			 path, error_message(rc));
		free(w);
		return -1;
	}
	rc = ext2fs_read_bitmaps(w->fs);
	if (rc) {
		snprintf(err, errlen, "%s: reading bitmaps: %s", path,
			 error_message(rc));
		ext2fs_close_free(&w->fs);
		free(w);
		return -1;
	}
	*out = w;
	return 0;
}

int
ext4w_close(struct ext4w *w, char *err, size_t errlen)
{
	errcode_t rc;

	if (!w)
		return 0;
	rc = ext2fs_close_free(&w->fs);
	free(w);
	if (rc) {
		snprintf(err, errlen, "writing the filesystem: %s",
			 error_message(rc));
		return -1;
	}
	return 0;
}

const char *
ext4w_error(const struct ext4w *w)
{
	return w->err;
}

void
ext4w_uuid(struct ext4w *w, char out[37])
{
	const unsigned char *u = w->fs->super->s_uuid;

	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* path without leading '/' and "./", refusing "..": 0 or -1. */
int
ext4w_clean_path(const char *in, char *out, size_t size)
{
	const char *p = in;
	size_t n = 0;

	while (*p == '/' || (p[0] == '.' && (p[1] == '/' || !p[1]))) {
		p += (*p == '/') ? 1 : (p[1] ? 2 : 1);
	}
	while (*p) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == 2 && !strncmp(p, "..", 2))
			return -1;
		if (len && !(len == 1 && *p == '.')) {
			if (n + len + 2 > size)
				return -1;
			if (n)
				out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
		while (*p == '/')
			p++;
	}
	out[n] = 0;
	return 0;
}

/* The inode of clean path p (symlinks inside followed, the last one only
 * when follow), or 0. */
ext2_ino_t
ext4w_lookup(struct ext4w *w, const char *p, int follow)
{
	ext2_ino_t ino = 0;
	errcode_t rc;

	if (!*p)
		return EXT2_ROOT_INO;
	rc = follow ? ext2fs_namei_follow(w->fs, EXT2_ROOT_INO, EXT2_ROOT_INO,
					  p, &ino)
		    : ext2fs_namei(w->fs, EXT2_ROOT_INO, EXT2_ROOT_INO, p,
				   &ino);
	return rc ? 0 : ino;
}

int
ext4w_link_in(struct ext4w *w, ext2_ino_t dir, const char *name, ext2_ino_t ino,
	      int ftype, const char *path)
{
	errcode_t rc = ext2fs_link(w->fs, dir, name, ino, ftype);

	if (rc == EXT2_ET_DIR_NO_SPACE) {
		rc = ext2fs_expand_dir(w->fs, dir);
		if (!rc)
			rc = ext2fs_link(w->fs, dir, name, ino, ftype);
	}
	return rc ? ext4w_fail(w, path, rc, "linking") : 0;
}

static int
make_dir(struct ext4w *w, ext2_ino_t parent, const char *name, const char *path)
{
	errcode_t rc = ext2fs_mkdir(w->fs, parent, 0, name);

	if (rc == EXT2_ET_DIR_NO_SPACE) {
		rc = ext2fs_expand_dir(w->fs, parent);
		if (!rc)
			rc = ext2fs_mkdir(w->fs, parent, 0, name);
	}
	return rc ? ext4w_fail(w, path, rc, "making the directory") : 0;
}

/* The directory holding clean path p (made, 0755 root, when missing) and
 * p's last component. Returns the inode or 0 (w->err set). */
ext2_ino_t
ext4w_parent_of(struct ext4w *w, char *p, const char **name)
{
	char *slash = strrchr(p, '/');
	ext2_ino_t dir = EXT2_ROOT_INO;
	char *c;

	*name = slash ? slash + 1 : p;
	if (!slash)
		return dir;
	*slash = 0;
	for (c = p;; c++) {
		if (*c == '/' || !*c) {
			char saved = *c;
			ext2_ino_t ino;

			*c = 0;
			ino = ext4w_lookup(w, p, 1);
			if (!ino) {
				const char *leaf = strrchr(p, '/');

				leaf = leaf ? leaf + 1 : p;
				if (make_dir(w, dir, leaf, p) < 0) {
					*c = saved;
					*slash = '/';
					return 0;
				}
				ino = ext4w_lookup(w, p, 1);
			}
			*c = saved;
			if (!ino) {
				*slash = '/';
				ext4w_fail(w, p, 0,
					   "parent directory not found");
				return 0;
			}
			dir = ino;
			if (!saved)
				break;
		}
	}
	*slash = '/';
	return dir;
}

static void
set_meta(struct ext4w *w, struct ext2_inode *inode, const struct ext4w_entry *e)
{
	uint32_t t = e->mtime > 0 ? (uint32_t)e->mtime : (uint32_t)time(NULL);

	inode->i_mode = (inode->i_mode & S_IFMT) | (e->mode & 07777);
	inode->i_uid = e->uid & 0xffff;
	ext2fs_set_i_uid_high(*inode, e->uid >> 16);
	inode->i_gid = e->gid & 0xffff;
	ext2fs_set_i_gid_high(*inode, e->gid >> 16);
	inode->i_mtime = inode->i_ctime = inode->i_atime = t;
}

static int
update_meta(struct ext4w *w, ext2_ino_t ino, const struct ext4w_entry *e)
{
	struct ext2_inode inode;
	errcode_t rc = ext2fs_read_inode(w->fs, ino, &inode);

	if (!rc) {
		set_meta(w, &inode, e);
		rc = ext2fs_write_inode(w->fs, ino, &inode);
	}
	return rc ? ext4w_fail(w, e->path, rc, "setting owner and mode") : 0;
}

/* Drop name from dir; free the inode at its last link. */
int
ext4w_remove_name(struct ext4w *w, ext2_ino_t dir, const char *name,
		  ext2_ino_t ino, const char *path)
{
	struct ext2_inode inode;
	errcode_t rc;

	/* blocks freed before the name goes: a failure leaves the file */
	rc = ext2fs_read_inode(w->fs, ino, &inode);
	if (rc)
		return ext4w_fail(w, path, rc, "removing");
	if (inode.i_links_count > 1) {
		rc = ext2fs_unlink(w->fs, dir, name, ino, 0);
		if (rc)
			return ext4w_fail(w, path, rc, "removing");
		inode.i_links_count--;
		rc = ext2fs_write_inode(w->fs, ino, &inode);
		return rc ? ext4w_fail(w, path, rc, "removing") : 0;
	}
	if (ext2fs_inode_has_valid_blocks2(w->fs, &inode)) {
		rc = ext2fs_punch(w->fs, ino, &inode, NULL, 0, ~0ULL);
		if (rc)
			return ext4w_fail(w, path, rc, "freeing its blocks");
	}
	rc = ext2fs_unlink(w->fs, dir, name, ino, 0);
	if (rc)
		return ext4w_fail(w, path, rc, "removing");
	inode.i_links_count = 0;
	inode.i_dtime = (uint32_t)time(NULL);
	rc = ext2fs_write_inode(w->fs, ino, &inode);
	if (rc)
		return ext4w_fail(w, path, rc, "removing");
	ext2fs_inode_alloc_stats2(w->fs, ino, -1, 0);
	return 0;
}

int
ext4w_write_data(struct ext4w *w, ext2_ino_t ino, const char *path,
		 ext4w_read_fn rd, void *ctx, int truncate)
{
	ext2_file_t f = NULL;
	errcode_t rc;
	int ret = -1;

	rc = ext2fs_file_open(w->fs, ino, EXT2_FILE_WRITE, &f);
	if (rc)
		return ext4w_fail(w, path, rc, "opening");
	if (truncate && (rc = ext2fs_file_set_size2(f, 0))) {
		ext4w_fail(w, path, rc, "truncating");
		goto out;
	}
	for (;;) {
		const void *buf;
		ssize_t n = rd ? rd(ctx, &buf) : 0;
		size_t off = 0;

		if (n < 0) {
			ext4w_fail(w, path, 0, "reading the source: %s",
				   strerror((int)-n));
			goto out;
		}
		if (n == 0)
			break;
		while (off < (size_t)n) {
			unsigned int done = 0;

			rc = ext2fs_file_write(f, (const char *)buf + off,
					       (unsigned int)((size_t)n - off),
					       &done);
			if (rc) {
				ext4w_fail(w, path, rc, "writing");
				goto out;
			}
			off += done;
		}
	}
	ret = 0;
out:
	rc = ext2fs_file_close(f);
	if (rc && ret == 0)
		ret = ext4w_fail(w, path, rc, "writing");
	return ret;
}

int
ext4w_ftype(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return EXT2_FT_REG_FILE;
	case S_IFDIR:
		return EXT2_FT_DIR;
	case S_IFLNK:
		return EXT2_FT_SYMLINK;
	case S_IFCHR:
		return EXT2_FT_CHRDEV;
	case S_IFBLK:
		return EXT2_FT_BLKDEV;
	case S_IFIFO:
		return EXT2_FT_FIFO;
	case S_IFSOCK:
		return EXT2_FT_SOCK;
	}
	return EXT2_FT_UNKNOWN;
}

/* A new inode (regular file or special file) linked as name in dir. */
static int
new_inode(struct ext4w *w, ext2_ino_t dir, const char *name,
	  const struct ext4w_entry *e, ext2_ino_t *ino_out)
{
	struct ext2_inode inode;
	ext2_ino_t ino;
	errcode_t rc;

	rc = ext2fs_new_inode(w->fs, dir, 010755, 0, &ino);
	if (rc)
		return ext4w_fail(w, e->path, rc, "allocating an inode");
	if (ext4w_link_in(w, dir, name, ino, ext4w_ftype(e->mode), e->path) < 0)
		return -1;
	ext2fs_inode_alloc_stats2(w->fs, ino, +1, 0);
	memset(&inode, 0, sizeof(inode));
	inode.i_mode = e->mode & S_IFMT;
	set_meta(w, &inode, e);
	inode.i_links_count = 1;
	if (S_ISCHR(e->mode) || S_ISBLK(e->mode)) {
		unsigned ma = e->rdev_major, mi = e->rdev_minor;

		if (ma < 256 && mi < 256) {
			inode.i_block[0] = ma * 256 + mi;
		} else {
			inode.i_block[1] =
				(mi & 0xff) | (ma << 8) | ((mi & ~0xffU) << 12);
		}
	} else if (S_ISREG(e->mode) &&
		   ext2fs_has_feature_extents(w->fs->super)) {
		ext2_extent_handle_t h;

		rc = ext2fs_extent_open2(w->fs, ino, &inode, &h);
		if (rc)
			return ext4w_fail(w, e->path, rc, "extent tree");
		ext2fs_extent_free(h);
	}
	rc = ext2fs_write_new_inode(w->fs, ino, &inode);
	if (rc)
		return ext4w_fail(w, e->path, rc, "writing the inode");
	*ino_out = ino;
	return 0;
}

static int
add_hardlink(struct ext4w *w, ext2_ino_t dir, const char *name,
	     const struct ext4w_entry *e)
{
	char target[4096];
	struct ext2_inode inode;
	ext2_ino_t ino;
	errcode_t rc;

	if (ext4w_clean_path(e->hardlink, target, sizeof(target)) < 0 ||
	    !(ino = ext4w_lookup(w, target, 0)))
		return ext4w_fail(w, e->path, 0, "hard link to missing /%s",
				  e->hardlink);
	rc = ext2fs_read_inode(w->fs, ino, &inode);
	if (rc)
		return ext4w_fail(w, e->path, rc, "hard link");
	if (LINUX_S_ISDIR(inode.i_mode))
		return ext4w_fail(w, e->path, 0, "hard link to a directory");
	if (ext4w_link_in(w, dir, name, ino, ext4w_ftype(inode.i_mode),
			  e->path) < 0)
		return -1;
	inode.i_links_count++;
	rc = ext2fs_write_inode(w->fs, ino, &inode);
	return rc ? ext4w_fail(w, e->path, rc, "hard link") : 0;
}

int
ext4w_add(struct ext4w *w, const struct ext4w_entry *e, ext4w_read_fn rd,
	  void *ctx)
{
	char p[4096];
	const char *name;
	ext2_ino_t dir, old, ino;
	errcode_t rc;

	if (ext4w_clean_path(e->path, p, sizeof(p)) < 0)
		return ext4w_fail(w, e->path, 0,
				  "refused (\"..\" or too long)");
	if (!*p) {
		if (!S_ISDIR(e->mode))
			return ext4w_fail(w, e->path, 0,
					  "the root must be a "
					  "directory");
		return update_meta(w, EXT2_ROOT_INO, e);
	}
	dir = ext4w_parent_of(w, p, &name);
	if (!dir)
		return -1;
	old = ext4w_lookup(w, p, 0);
	if (old) {
		struct ext2_inode inode;

		rc = ext2fs_read_inode(w->fs, old, &inode);
		if (rc)
			return ext4w_fail(w, p, rc, "reading");
		if (LINUX_S_ISDIR(inode.i_mode) && S_ISDIR(e->mode) &&
		    !e->hardlink)
			return update_meta(w, old, e);
		if (LINUX_S_ISDIR(inode.i_mode))
			return ext4w_fail(w, p, 0, "a directory is in the way");
		if (ext4w_remove_name(w, dir, name, old, p) < 0)
			return -1;
	}
	if (e->hardlink)
		return add_hardlink(w, dir, name, e);
	switch (e->mode & S_IFMT) {
	case S_IFDIR:
		if (make_dir(w, dir, name, p) < 0)
			return -1;
		ino = ext4w_lookup(w, p, 0);
		return ino ? update_meta(w, ino, e)
			   : ext4w_fail(w, p, 0, "made but not found");
	case S_IFLNK:
		if (!e->link || !*e->link)
			return ext4w_fail(w, p, 0, "symlink without a target");
		rc = ext2fs_symlink(w->fs, dir, 0, name, e->link);
		if (rc == EXT2_ET_DIR_NO_SPACE) {
			rc = ext2fs_expand_dir(w->fs, dir);
			if (!rc)
				rc = ext2fs_symlink(w->fs, dir, 0, name,
						    e->link);
		}
		if (rc)
			return ext4w_fail(w, p, rc, "symlink");
		ino = ext4w_lookup(w, p, 0);
		return ino ? update_meta(w, ino, e)
			   : ext4w_fail(w, p, 0, "made but not found");
	case S_IFREG:
		if (new_inode(w, dir, name, e, &ino) < 0)
			return -1;
		return ext4w_write_data(w, ino, p, rd, ctx, 0);
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		return new_inode(w, dir, name, e, &ino);
	}
	return ext4w_fail(w, p, 0, "unknown file type %o", e->mode & S_IFMT);
}
