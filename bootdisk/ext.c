/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ext.c: a read-only ext2/3/4 reader, limited to what booting needs:
 * superblock, group descriptors, inodes, extent trees and block maps,
 * directories (linear, which also reads htree directories), symlinks with
 * a hop limit, and files up to a size cap. Every offset read is checked
 * against the filesystem's extent; the image is the guest's. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootdisk.h"

#define EXT_MAGIC 0xef53
#define EXT_ROOT_INO 2
#define EXT_PATH_MAX 4096
#define EXT_EXTENT_MAGIC 0xf30a
#define EXT_EXTENT_DEPTH 5
#define EXT_RUN_MAX 256 /* blocks read at once */

/* incompat features */
#define INCOMPAT_COMPRESSION 0x0001
#define INCOMPAT_FILETYPE 0x0002
#define INCOMPAT_RECOVER 0x0004
#define INCOMPAT_JOURNAL_DEV 0x0008
#define INCOMPAT_META_BG 0x0010
#define INCOMPAT_EXTENTS 0x0040
#define INCOMPAT_64BIT 0x0080
#define INCOMPAT_MMP 0x0100
#define INCOMPAT_FLEX_BG 0x0200
#define INCOMPAT_EA_INODE 0x0400
#define INCOMPAT_CSUM_SEED 0x2000
#define INCOMPAT_LARGEDIR 0x4000
#define INCOMPAT_CASEFOLD 0x20000
#define INCOMPAT_KNOWN                                                         \
	(INCOMPAT_FILETYPE | INCOMPAT_RECOVER | INCOMPAT_EXTENTS |             \
	 INCOMPAT_64BIT | INCOMPAT_MMP | INCOMPAT_FLEX_BG |                    \
	 INCOMPAT_EA_INODE | INCOMPAT_CSUM_SEED | INCOMPAT_LARGEDIR |          \
	 INCOMPAT_CASEFOLD)

#define INODE_EXTENTS_FL 0x80000
#define INODE_INLINE_FL 0x10000000
#define INODE_ENCRYPT_FL 0x800

#define S_IFMT_ 0170000
#define S_IFDIR_ 0040000
#define S_IFREG_ 0100000
#define S_IFLNK_ 0120000

struct bd_ext {
	bd_read_fn rd;
	void *ctx;
	uint64_t off, size; /* the filesystem's bytes on the disk */
	uint32_t bsize, ipg, inode_size, desc_size, ngroups, inodes;
	uint64_t gdt_block;
	char *err;
	size_t errlen;
};

struct ext_inode {
	uint32_t ino;
	uint16_t mode;
	uint32_t flags;
	uint64_t size;
	uint32_t blocks_lo, file_acl;
	uint8_t block[60];
};

static uint16_t
le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static int
ext_fail(struct bd_ext *fs, int rc, const char *fmt, ...)
{
	va_list ap;

	if (fs->err && fs->errlen) {
		va_start(ap, fmt);
		vsnprintf(fs->err, fs->errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* Read len bytes at byte offset pos of the filesystem. */
static int
ext_pread(struct bd_ext *fs, uint64_t pos, void *buf, size_t len)
{
	int rc;

	if (pos > fs->size || len > fs->size - pos)
		return ext_fail(fs, -EIO,
				"ext: read at %llu past the filesystem's "
				"end (%llu bytes)",
				(unsigned long long)pos,
				(unsigned long long)fs->size);
	rc = fs->rd(fs->ctx, fs->off + pos, buf, len);
	if (rc < 0)
		return ext_fail(fs, rc, "ext: cannot read at %llu: %s",
				(unsigned long long)(fs->off + pos),
				strerror(-rc));
	return 0;
}

static int
ext_block(struct bd_ext *fs, uint64_t blk, void *buf)
{
	if (blk > fs->size / fs->bsize)
		return ext_fail(fs, -EIO, "ext: block %llu out of range",
				(unsigned long long)blk);
	return ext_pread(fs, blk * fs->bsize, buf, fs->bsize);
}

/* See bootdisk.h. */
int
bd_ext_open(bd_read_fn rd, void *ctx, uint64_t off, uint64_t size,
	    struct bd_ext **fs_out, char *err, size_t errlen)
{
	struct bd_ext *fs;
	uint8_t sb[1024];
	uint32_t log, incompat, bpg, first;
	uint64_t blocks;
	int rc;

	fs = calloc(1, sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	fs->rd = rd;
	fs->ctx = ctx;
	fs->off = off;
	fs->size = size;
	fs->err = err;
	fs->errlen = errlen;
	rc = size < 2048 ? -ENODEV : ext_pread(fs, 1024, sb, sizeof(sb));
	if (rc == 0 && le16(sb + 56) != EXT_MAGIC)
		rc = -ENODEV;
	if (rc == -ENODEV)
		ext_fail(fs, rc, "not an ext2/3/4 filesystem");
	if (rc < 0)
		goto fail;
	log = le32(sb + 24);
	incompat = le32(sb + 96);
	bpg = le32(sb + 32);
	first = le32(sb + 20);
	fs->ipg = le32(sb + 40);
	fs->inodes = le32(sb + 0);
	fs->inode_size = le32(sb + 76) == 0 ? 128 : le16(sb + 88);
	blocks = le32(sb + 4);
	rc = -EINVAL;
	if (log > 6) {
		ext_fail(fs, rc, "ext: absurd block size (log %u)", log);
		goto fail;
	}
	fs->bsize = 1024u << log;
	if (incompat & INCOMPAT_64BIT) {
		blocks |= (uint64_t)le32(sb + 0x150) << 32;
		fs->desc_size = le16(sb + 254);
	} else {
		fs->desc_size = 32;
	}
	if (incompat & ~INCOMPAT_KNOWN) {
		ext_fail(fs, -ENOTSUP,
			 "ext: features this reader does not have "
			 "(incompat 0x%x: inline data, meta_bg, encryption "
			 "or a journal device)",
			 incompat & ~INCOMPAT_KNOWN);
		rc = -ENOTSUP;
		goto fail;
	}
	if (bpg == 0 || fs->ipg == 0 || fs->ipg > fs->inodes ||
	    fs->inode_size < 128 || fs->inode_size > fs->bsize ||
	    (fs->inode_size & (fs->inode_size - 1)) || fs->desc_size < 32 ||
	    fs->desc_size > 1024 || (fs->desc_size & (fs->desc_size - 1)) ||
	    blocks <= first || first > 1) {
		ext_fail(fs, rc, "ext: bad superblock geometry");
		goto fail;
	}
	if (blocks > size / fs->bsize)
		blocks = size / fs->bsize; /* a truncated image: read less */
	fs->size = blocks * fs->bsize;
	fs->ngroups = (uint32_t)((blocks - first + bpg - 1) / bpg);
	if ((uint64_t)fs->ngroups * fs->ipg < fs->inodes ||
	    (uint64_t)fs->ngroups * fs->desc_size > fs->size) {
		ext_fail(fs, rc, "ext: bad group count");
		goto fail;
	}
	fs->gdt_block = first + 1;
	*fs_out = fs;
	return 0;
fail:
	free(fs);
	return rc;
}

/* See bootdisk.h. */
void
bd_ext_close(struct bd_ext *fs)
{
	free(fs);
}

static int
ext_inode(struct bd_ext *fs, uint32_t ino, struct ext_inode *out)
{
	uint8_t d[64], in[256];
	uint32_t g, idx;
	uint64_t table;
	size_t n = fs->inode_size < sizeof(in) ? fs->inode_size : sizeof(in);
	int rc;

	if (ino == 0 || ino > fs->inodes)
		return ext_fail(fs, -EINVAL, "ext: inode %u out of range", ino);
	g = (ino - 1) / fs->ipg;
	idx = (ino - 1) % fs->ipg;
	if (g >= fs->ngroups)
		return ext_fail(fs, -EINVAL, "ext: inode %u: no group", ino);
	rc = ext_pread(fs,
		       fs->gdt_block * fs->bsize + (uint64_t)g * fs->desc_size,
		       d, fs->desc_size < 64 ? 32 : 64);
	if (rc < 0)
		return rc;
	table = le32(d + 8);
	if (fs->desc_size >= 64)
		table |= (uint64_t)le32(d + 0x28) << 32;
	if (table > fs->size / fs->bsize)
		return ext_fail(fs, -EIO, "ext: group %u: bad inode table", g);
	rc = ext_pread(fs, table * fs->bsize + (uint64_t)idx * fs->inode_size,
		       in, n);
	if (rc < 0)
		return rc;
	out->ino = ino;
	out->mode = le16(in);
	out->size = le32(in + 4) | (uint64_t)le32(in + 108) << 32;
	out->blocks_lo = le32(in + 28);
	out->flags = le32(in + 32);
	out->file_acl = le32(in + 104);
	memcpy(out->block, in + 40, sizeof(out->block));
	if (out->flags & (INODE_INLINE_FL | INODE_ENCRYPT_FL))
		return ext_fail(fs, -ENOTSUP,
				"ext: inode %u: inline or encrypted data", ino);
	return 0;
}

/* Logical block lblk of inode in -> *pblk (0: a hole or unwritten) and
 * *run, how many blocks from there are contiguous (at least 1). */
static int
ext_bmap_extents(struct bd_ext *fs, const struct ext_inode *in, uint32_t lblk,
		 uint64_t *pblk, uint32_t *run)
{
	uint8_t *node = NULL;
	const uint8_t *h = in->block;
	size_t room = sizeof(in->block);
	int depth, rc = 0;

	*pblk = 0;
	*run = 1;
	for (depth = 0;; depth++) {
		uint16_t n = le16(h + 2), d = le16(h + 6), i;
		const uint8_t *e = h + 12, *pick = NULL;

		if (le16(h) != EXT_EXTENT_MAGIC || depth > EXT_EXTENT_DEPTH ||
		    d > EXT_EXTENT_DEPTH || 12 + (size_t)n * 12 > room) {
			rc = ext_fail(fs, -EIO,
				      "ext: inode %u: bad extent node",
				      in->ino);
			goto out;
		}
		for (i = 0; i < n; i++)
			if (le32(e + 12 * i) <= lblk)
				pick = e + 12 * i;
		if (d == 0) {
			uint32_t start, len;

			if (!pick)
				goto out; /* hole */
			start = le32(pick);
			len = le16(pick + 4);
			if (len > 32768) /* unwritten: reads as zeros */
				len -= 32768;
			else if (lblk - start < len)
				*pblk = ((uint64_t)le16(pick + 6) << 32 |
					 le32(pick + 8)) +
					(lblk - start);
			if (lblk - start < len)
				*run = len - (lblk - start);
			goto out;
		}
		if (!pick)
			goto out;
		if (!node && !(node = malloc(fs->bsize))) {
			rc = -ENOMEM;
			goto out;
		}
		rc = ext_block(fs,
			       (uint64_t)le16(pick + 8) << 32 | le32(pick + 4),
			       node);
		if (rc < 0)
			goto out;
		h = node;
		room = fs->bsize;
	}
out:
	free(node);
	return rc;
}

static int
ext_bmap(struct bd_ext *fs, const struct ext_inode *in, uint32_t lblk,
	 uint64_t *pblk, uint32_t *run)
{
	uint32_t per = fs->bsize / 4, idx[3], level, i;
	uint8_t *b;
	uint64_t cur;
	int rc = 0;

	if (in->flags & INODE_EXTENTS_FL)
		return ext_bmap_extents(fs, in, lblk, pblk, run);
	*run = 1;
	*pblk = 0;
	if (lblk < 12) {
		*pblk = le32(in->block + 4 * lblk);
		return 0;
	}
	lblk -= 12;
	if (lblk < per) {
		level = 1;
		idx[0] = lblk;
	} else if ((lblk -= per) < (uint64_t)per * per) {
		level = 2;
		idx[0] = lblk / per;
		idx[1] = lblk % per;
	} else {
		lblk -= per * per;
		level = 3;
		idx[0] = lblk / per / per;
		idx[1] = lblk / per % per;
		idx[2] = lblk % per;
		if (idx[0] >= per)
			return ext_fail(fs, -EFBIG, "ext: block out of map");
	}
	cur = le32(in->block + 4 * (11 + level));
	b = malloc(fs->bsize);
	if (!b)
		return -ENOMEM;
	for (i = 0; i < level && cur; i++) {
		rc = ext_block(fs, cur, b);
		if (rc < 0)
			break;
		cur = le32(b + 4 * idx[i]);
	}
	free(b);
	if (rc == 0)
		*pblk = cur;
	return rc;
}

/* Copy in's bytes to sink (max: its size cap). */
static int
ext_copy_inode(struct bd_ext *fs, const struct ext_inode *in, uint64_t max,
	       bd_sink_fn sink, void *sctx)
{
	uint64_t left = in->size, pblk;
	uint32_t lblk = 0, run;
	uint8_t *buf;
	size_t n;
	int rc = 0;

	if (in->size > max)
		return ext_fail(fs, -EFBIG,
				"ext: inode %u: %llu bytes, more than the %llu "
				"allowed",
				in->ino, (unsigned long long)in->size,
				(unsigned long long)max);
	if (in->size / fs->bsize >= UINT32_MAX)
		return ext_fail(fs, -EFBIG, "ext: inode %u: too large",
				in->ino);
	buf = malloc((size_t)fs->bsize * EXT_RUN_MAX);
	if (!buf)
		return -ENOMEM;
	while (rc == 0 && left) {
		rc = ext_bmap(fs, in, lblk, &pblk, &run);
		if (rc < 0)
			break;
		if (run > EXT_RUN_MAX)
			run = EXT_RUN_MAX;
		if ((uint64_t)run * fs->bsize > left)
			run = (uint32_t)((left + fs->bsize - 1) / fs->bsize);
		n = (size_t)run * fs->bsize;
		if (pblk == 0)
			memset(buf, 0, n);
		else if (pblk > fs->size / fs->bsize ||
			 run > fs->size / fs->bsize - pblk)
			rc = ext_fail(fs, -EIO,
				      "ext: inode %u: block %llu out of "
				      "range",
				      in->ino, (unsigned long long)pblk);
		else
			rc = ext_pread(fs, pblk * fs->bsize, buf, n);
		if (rc < 0)
			break;
		if (n > left)
			n = (size_t)left;
		rc = sink(sctx, buf, n);
		left -= n;
		lblk += run;
	}
	free(buf);
	return rc;
}

struct ext_membuf {
	char *data;
	size_t len, cap;
};

static int
ext_mem_sink(void *ctx, const void *buf, size_t len)
{
	struct ext_membuf *m = ctx;

	if (len > m->cap - m->len)
		return -EFBIG;
	memcpy(m->data + m->len, buf, len);
	m->len += len;
	return 0;
}

/* The whole of inode in (at most max bytes) into a NUL-terminated buffer. */
static int
ext_slurp(struct bd_ext *fs, const struct ext_inode *in, size_t max, char **out,
	  size_t *len_out)
{
	struct ext_membuf m = {0};
	int rc;

	if (in->size > max)
		return ext_fail(fs, -EFBIG, "ext: inode %u: too large (%llu)",
				in->ino, (unsigned long long)in->size);
	m.cap = (size_t)in->size;
	m.data = malloc(m.cap + 1);
	if (!m.data)
		return -ENOMEM;
	rc = ext_copy_inode(fs, in, max, ext_mem_sink, &m);
	if (rc < 0) {
		free(m.data);
		return rc;
	}
	m.data[m.len] = '\0';
	*out = m.data;
	*len_out = m.len;
	return 0;
}

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
