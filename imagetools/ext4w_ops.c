/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ext4w_ops.c: the ext4 writer's file operations after the tree is
 * written (the guide's fixes): replace, read, lstat, readlink, unlink,
 * rename, list. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <ext2fs/ext2fs.h>

#include "ext4w_int.h"

struct buf_src {
	const void *data;
	size_t len;
};

static ssize_t
buf_read(void *ctx, const void **buf)
{
	struct buf_src *s = ctx;
	ssize_t n = (ssize_t)s->len;

	*buf = s->data;
	s->len = 0;
	return n;
}

/* path's inode (its last symlink followed when follow) in *ino and
 * *inode, its cleaned form in p[4096]: 0; 1 when nothing is there; -1
 * (w's error set) when path is refused or the inode cannot be read. */
static int
ext4w_find(struct ext4w *w, const char *path, int follow, char *p,
	   ext2_ino_t *ino, struct ext2_inode *inode)
{
	errcode_t rc;

	if (ext4w_clean_path(path, p, 4096) < 0)
		return ext4w_fail(w, path, 0, "refused");
	*ino = ext4w_lookup(w, p, follow);
	if (!*ino)
		return 1;
	rc = ext2fs_read_inode(w->fs, *ino, inode);
	return rc ? ext4w_fail(w, p, rc, "reading") : 0;
}

int
ext4w_write(struct ext4w *w, const char *path, const void *data, size_t len,
	    mode_t mode)
{
	struct buf_src src = {data, len};
	struct ext4w_entry e = {.path = path, .mode = S_IFREG | mode};
	char p[4096];
	struct ext2_inode inode;
	ext2_ino_t ino;
	int r = ext4w_find(w, path, 1, p, &ino, &inode);

	if (r < 0)
		return r;
	if (r == 0 && LINUX_S_ISREG(inode.i_mode))
		return ext4w_write_data(w, ino, p, buf_read, &src, 1);
	return ext4w_add(w, &e, buf_read, &src);
}

int
ext4w_read(struct ext4w *w, const char *path, size_t max, char **data,
	   size_t *len)
{
	char p[4096];
	struct ext2_inode inode;
	ext2_file_t f = NULL;
	ext2_ino_t ino;
	uint64_t size;
	unsigned int got = 0;
	char *buf;
	errcode_t rc;
	int r = ext4w_find(w, path, 1, p, &ino, &inode);

	if (r)
		return r;
	if (!LINUX_S_ISREG(inode.i_mode))
		return 1;
	size = EXT2_I_SIZE(&inode);
	if (size > max)
		return ext4w_fail(w, p, 0, "larger than %zu bytes", max);
	buf = malloc(size + 1);
	if (!buf)
		return ext4w_fail(w, p, 0, "out of memory");
	rc = ext2fs_file_open(w->fs, ino, 0, &f);
	if (!rc)
		rc = ext2fs_file_read(f, buf, (unsigned int)size, &got);
	if (f)
		ext2fs_file_close(f);
	if (rc || got != size) {
		free(buf);
		return ext4w_fail(w, p, rc, "reading");
	}
	buf[size] = 0;
	*data = buf;
	*len = size;
	return 0;
}

int
ext4w_lstat(struct ext4w *w, const char *path, mode_t *mode)
{
	char p[4096];
	struct ext2_inode inode;
	ext2_ino_t ino;
	int r = ext4w_find(w, path, 0, p, &ino, &inode);

	if (r == 0)
		*mode = inode.i_mode;
	return r;
}

int
ext4w_readlink(struct ext4w *w, const char *path, char *buf, size_t size)
{
	char p[4096];
	struct ext2_inode inode;
	ext2_ino_t ino;
	ext2_file_t f = NULL;
	unsigned int got = 0;
	uint64_t n;
	errcode_t rc;

	if (ext4w_clean_path(path, p, sizeof(p)) < 0 ||
	    !(ino = ext4w_lookup(w, p, 0)))
		return 1;
	rc = ext2fs_read_inode(w->fs, ino, &inode);
	if (rc)
		return ext4w_fail(w, p, rc, "reading");
	if (!LINUX_S_ISLNK(inode.i_mode))
		return 1;
	n = EXT2_I_SIZE(&inode);
	if (n >= size)
		return ext4w_fail(w, p, 0, "symlink target too long");
	if (!ext2fs_inode_data_blocks2(w->fs, &inode) &&
	    !(inode.i_flags & EXT4_INLINE_DATA_FL)) {
		memcpy(buf, inode.i_block, n); /* a fast symlink */
	} else {
		rc = ext2fs_file_open(w->fs, ino, 0, &f);
		if (!rc)
			rc = ext2fs_file_read(f, buf, (unsigned int)n, &got);
		if (f)
			ext2fs_file_close(f);
		if (rc || got != n)
			return ext4w_fail(w, p, rc, "reading the symlink");
	}
	buf[n] = 0;
	return 0;
}

int
ext4w_unlink(struct ext4w *w, const char *path)
{
	char p[4096];
	const char *name;
	struct ext2_inode inode;
	ext2_ino_t dir, ino;
	int r = ext4w_find(w, path, 0, p, &ino, &inode);

	if (r)
		return r;
	if (!*p)
		return ext4w_fail(w, path, 0, "refused");
	if (LINUX_S_ISDIR(inode.i_mode))
		return ext4w_fail(w, p, 0, "is a directory");
	dir = ext4w_parent_of(w, p, &name);
	return dir ? ext4w_remove_name(w, dir, name, ino, p) : -1;
}

int
ext4w_rename(struct ext4w *w, const char *from, const char *to)
{
	char a[4096], b[4096];
	const char *an, *bn;
	struct ext2_inode inode;
	ext2_ino_t adir, bdir, ino;
	errcode_t rc;

	if (ext4w_clean_path(from, a, sizeof(a)) < 0 ||
	    ext4w_clean_path(to, b, sizeof(b)) < 0 || !*a || !*b)
		return ext4w_fail(w, from, 0, "refused");
	ino = ext4w_lookup(w, a, 0);
	if (!ino)
		return ext4w_fail(w, a, 0, "not found");
	if (ext4w_lookup(w, b, 0))
		return ext4w_fail(w, b, 0, "already exists");
	rc = ext2fs_read_inode(w->fs, ino, &inode);
	if (rc)
		return ext4w_fail(w, a, rc, "reading");
	adir = ext4w_parent_of(w, a, &an);
	bdir = adir ? ext4w_parent_of(w, b, &bn) : 0;
	if (!bdir)
		return -1;
	if (LINUX_S_ISDIR(inode.i_mode) && adir != bdir)
		return ext4w_fail(w, a, 0, "moving a directory to another one");
	if (ext4w_link_in(w, bdir, bn, ino, ext4w_ftype(inode.i_mode), b) < 0)
		return -1;
	rc = ext2fs_unlink(w->fs, adir, an, ino, 0);
	return rc ? ext4w_fail(w, a, rc, "unlinking") : 0;
}

struct list_ctx {
	struct ext4w *w;
	void (*fn)(void *ctx, const char *name, mode_t mode);
	void *ctx;
};

static int
list_one(struct ext2_dir_entry *d, int offset, int blocksize, char *buf,
	 void *priv)
{
	struct list_ctx *l = priv;
	int n = ext2fs_dirent_name_len(d);
	struct ext2_inode inode;
	char name[256];

	memcpy(name, d->name, (size_t)n);
	name[n] = 0;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return 0;
	if (ext2fs_read_inode(l->w->fs, d->inode, &inode))
		return 0;
	l->fn(l->ctx, name, inode.i_mode);
	return 0;
}

int
ext4w_list(struct ext4w *w, const char *path,
	   void (*fn)(void *ctx, const char *name, mode_t mode), void *ctx)
{
	struct list_ctx l = {w, fn, ctx};
	char p[4096];
	ext2_ino_t ino;
	errcode_t rc;

	if (ext4w_clean_path(path, p, sizeof(p)) < 0)
		return ext4w_fail(w, path, 0, "refused");
	ino = ext4w_lookup(w, p, 1);
	if (!ino)
		return 1;
	rc = ext2fs_dir_iterate(w->fs, ino, 0, NULL, list_one, &l);
	if (rc == EXT2_ET_NO_DIRECTORY)
		return 1;
	return rc ? ext4w_fail(w, p, rc, "listing") : 0;
}
