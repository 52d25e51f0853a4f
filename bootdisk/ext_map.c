/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ext_map.c: the ext2/3/4 reader's file data: an inode's logical blocks
 * mapped through its extent tree or block map, and its bytes copied to a
 * sink or a buffer in contiguous runs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bootdisk.h"
#include "ext_int.h"

#define EXT_EXTENT_MAGIC 0xf30a
#define EXT_EXTENT_DEPTH 5
#define EXT_RUN_MAX 256 /* blocks read at once */

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
int
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
int
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
