/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ext_dir.c: the ext2/3/4 reader's directories and paths: entries walked
 * linearly (which also reads htree directories), paths resolved following
 * symlinks with a hop limit, and the path-level API of bootdisk.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bootdisk.h"
#include "ext_int.h"

#define EXT_ROOT_INO 2
#define EXT_PATH_MAX 4096

/* Walk directory dir's entries: fn(ctx, name, len, ino) returns 1 to
 * stop, 0 to go on, <0 for an error. */
static int
ext_dir_walk(struct bd_ext *fs, const struct ext_inode *dir,
	     int (*fn)(void *, const char *, size_t, uint32_t), void *ctx)
{
	char *data = NULL;
	size_t len, pos, b;
	int rc;

	if ((dir->mode & S_IFMT_) != S_IFDIR_)
		return ext_fail(fs, -ENOTDIR, "ext: inode %u: not a directory",
				dir->ino);
	rc = ext_slurp(fs, dir, BD_EXT_MAX_DIR, &data, &len);
	if (rc < 0)
		return rc;
	for (b = 0; rc == 0 && b < len; b += fs->bsize) {
		size_t end = len - b < fs->bsize ? len : b + fs->bsize;

		for (pos = b; rc == 0 && pos + 8 <= end;) {
			const uint8_t *e = (const uint8_t *)data + pos;
			uint16_t rec = le16(e + 4);
			uint8_t nlen = e[6];

			if (rec < 8 || rec % 4 || rec > end - pos ||
			    (size_t)nlen + 8 > rec) {
				rc = ext_fail(fs, -EIO,
					      "ext: directory inode %u: bad "
					      "entry at %zu",
					      dir->ino, pos);
				break;
			}
			if (le32(e) && nlen)
				rc = fn(ctx, (const char *)e + 8, nlen,
					le32(e));
			pos += rec;
		}
	}
	free(data);
	return rc < 0 ? rc : 0;
}

struct ext_find {
	const char *name;
	size_t len;
	uint32_t ino;
};

static int
ext_find_fn(void *ctx, const char *name, size_t len, uint32_t ino)
{
	struct ext_find *f = ctx;

	if (len != f->len || memcmp(name, f->name, len))
		return 0;
	f->ino = ino;
	return 1;
}

/* Resolve path (absolute) to *out, following symlinks (the last one too). */
static int
ext_lookup(struct bd_ext *fs, const char *path, struct ext_inode *out)
{
	char buf[EXT_PATH_MAX], *rest;
	struct ext_inode cur, next;
	int hops = 0, rc;

	if (strlen(path) >= sizeof(buf))
		return ext_fail(fs, -ENAMETOOLONG, "path too long");
	strcpy(buf, path);
	rc = ext_inode(fs, EXT_ROOT_INO, &cur);
	rest = buf;
	while (rc == 0) {
		struct ext_find f = {0};
		char *target;
		size_t tlen, rlen;

		while (*rest == '/')
			rest++;
		if (!*rest)
			break;
		f.name = rest;
		f.len = strcspn(rest, "/");
		rest += f.len;
		rc = ext_dir_walk(fs, &cur, ext_find_fn, &f);
		if (rc == 0 && !f.ino)
			rc = ext_fail(fs, -ENOENT, "%s: no such file", path);
		if (rc == 0)
			rc = ext_inode(fs, f.ino, &next);
		if (rc < 0)
			break;
		if ((next.mode & S_IFMT_) != S_IFLNK_) {
			cur = next;
			continue;
		}
		if (++hops > BD_EXT_MAX_SYMLINKS) {
			rc = ext_fail(fs, -ELOOP,
				      "%s: too many levels of symbolic links",
				      path);
			break;
		}
		if (next.size == 0 || next.size >= EXT_PATH_MAX) {
			rc = ext_fail(fs, -EIO, "%s: bad symbolic link", path);
			break;
		}
		if (next.size < 60 && !(next.flags & INODE_EXTENTS_FL) &&
		    next.blocks_lo == (next.file_acl ? fs->bsize / 512 : 0)) {
			tlen = (size_t)next.size;
			target = malloc(tlen + 1);
			if (!target) {
				rc = -ENOMEM;
				break;
			}
			memcpy(target, next.block, tlen);
			target[tlen] = '\0';
		} else {
			rc = ext_slurp(fs, &next, EXT_PATH_MAX, &target, &tlen);
			if (rc < 0)
				break;
		}
		rlen = strlen(rest);
		if (strlen(target) + rlen + 2 > sizeof(buf)) {
			free(target);
			rc = ext_fail(fs, -ENAMETOOLONG, "%s: path too long",
				      path);
			break;
		}
		memmove(buf + strlen(target) + 1, rest, rlen + 1);
		memcpy(buf, target, strlen(target));
		buf[strlen(target)] = '/';
		if (target[0] == '/')
			rc = ext_inode(fs, EXT_ROOT_INO, &cur);
		free(target);
		rest = buf;
	}
	if (rc == 0)
		*out = cur;
	return rc;
}

/* See bootdisk.h. */
int
bd_ext_copy(struct bd_ext *fs, const char *path, uint64_t max, bd_sink_fn sink,
	    void *sctx, uint64_t *size_out, char *err, size_t errlen)
{
	struct ext_inode in;
	int rc;

	fs->err = err;
	fs->errlen = errlen;
	rc = ext_lookup(fs, path, &in);
	if (rc == 0 && (in.mode & S_IFMT_) != S_IFREG_)
		rc = ext_fail(fs, -EINVAL, "%s: not a regular file", path);
	if (rc == 0)
		rc = ext_copy_inode(fs, &in, max, sink, sctx);
	if (rc == 0 && size_out)
		*size_out = in.size;
	return rc;
}

/* See bootdisk.h. */
int
bd_ext_read(struct bd_ext *fs, const char *path, size_t max, char **data_out,
	    size_t *len_out, char *err, size_t errlen)
{
	struct ext_inode in;
	int rc;

	fs->err = err;
	fs->errlen = errlen;
	rc = ext_lookup(fs, path, &in);
	if (rc == 0 && (in.mode & S_IFMT_) != S_IFREG_)
		rc = ext_fail(fs, -EINVAL, "%s: not a regular file", path);
	if (rc == 0)
		rc = ext_slurp(fs, &in, max, data_out, len_out);
	return rc;
}

struct ext_names {
	char **v;
	size_t n;
};

static int
ext_names_fn(void *ctx, const char *name, size_t len, uint32_t ino)
{
	struct ext_names *l = ctx;
	char **grown;

	(void)ino;
	if ((len == 1 && name[0] == '.') ||
	    (len == 2 && !memcmp(name, "..", 2)))
		return 0;
	if (l->n >= BD_EXT_MAX_NAMES)
		return 1;
	grown = realloc(l->v, (l->n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	l->v = grown;
	l->v[l->n] = strndup(name, len);
	if (!l->v[l->n])
		return -ENOMEM;
	l->n++;
	return 0;
}

static int
ext_names_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* See bootdisk.h. */
int
bd_ext_list(struct bd_ext *fs, const char *path, char ***names_out,
	    size_t *n_out, char *err, size_t errlen)
{
	struct ext_names l = {0};
	struct ext_inode in;
	int rc;

	fs->err = err;
	fs->errlen = errlen;
	rc = ext_lookup(fs, path, &in);
	if (rc == 0)
		rc = ext_dir_walk(fs, &in, ext_names_fn, &l);
	if (rc < 0) {
		bd_names_free(l.v, l.n);
		return rc;
	}
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), ext_names_cmp);
	*names_out = l.v;
	*n_out = l.n;
	return 0;
}

/* See bootdisk.h. */
void
bd_names_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
