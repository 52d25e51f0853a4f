/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ext.c: a read-only ext2/3/4 reader, limited to what booting needs:
 * superblock, group descriptors and inodes here; extent trees, block maps
 * and file data in ext_map.c; directories, symlinks with a hop limit and
 * paths in ext_dir.c. Every offset read is checked against the
 * filesystem's extent; the image is the guest's. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootdisk.h"
#include "ext_int.h"

#define EXT_MAGIC 0xef53

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

int
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
int
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

int
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

int
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
