/* SPDX-License-Identifier: GPL-2.0-or-later */
/* layout.c: where a disk image's filesystems are: a filesystem at offset
 * 0 (xen-tools' usual image), an MBR with primary and logical partitions,
 * or a GPT (512-byte sectors, as Xen's and KVM's virtual disks have). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bootdisk.h"

#define SECTOR 512u
#define GPT_MAX_ENTRIES 1024u
#define EBR_MAX 60 /* logical partitions followed, at most */

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t
le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void
lay_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Add [lba, lba+count) sectors as partition number; out of the disk or
 * empty: left out. */
static void
lay_add(struct bd_layout *out, uint64_t disk_size, unsigned number,
	uint64_t lba, uint64_t count)
{
	uint64_t off, size;

	if (count == 0 || lba > disk_size / SECTOR ||
	    count > disk_size / SECTOR || out->nparts >= BD_MAX_PARTS)
		return;
	off = lba * SECTOR;
	size = count * SECTOR;
	if (off > disk_size - size)
		return;
	out->parts[out->nparts].number = number;
	out->parts[out->nparts].off = off;
	out->parts[out->nparts].size = size;
	out->nparts++;
}

static bool
lay_extended(uint8_t type)
{
	return type == 0x05 || type == 0x0f || type == 0x85;
}

/* The logical partitions in the extended partition at ext_lba. */
static void
lay_logical(bd_read_fn rd, void *ctx, uint64_t disk_size, uint64_t ext_lba,
	    struct bd_layout *out)
{
	uint8_t s[SECTOR];
	uint64_t ebr = ext_lba, seen[EBR_MAX];
	unsigned number = 5;
	int i, j;

	for (i = 0; i < EBR_MAX; i++) {
		const uint8_t *e1 = s + 446, *e2 = s + 462;

		for (j = 0; j < i; j++)
			if (seen[j] == ebr)
				return; /* a loop in the chain */
		seen[i] = ebr;
		if (ebr >= disk_size / SECTOR ||
		    rd(ctx, ebr * SECTOR, s, sizeof(s)) < 0 || s[510] != 0x55 ||
		    s[511] != 0xaa)
			return;
		if (e1[4] && !lay_extended(e1[4]))
			lay_add(out, disk_size, number, ebr + le32(e1 + 8),
				le32(e1 + 12));
		number++;
		if (!lay_extended(e2[4]) || le32(e2 + 8) == 0)
			return;
		ebr = ext_lba + le32(e2 + 8);
	}
}

static int
lay_gpt(bd_read_fn rd, void *ctx, uint64_t disk_size, struct bd_layout *out,
	char *err, size_t errlen)
{
	uint8_t h[SECTOR], e[4096];
	uint64_t lba;
	uint32_t n, esize, i;
	static const uint8_t zero[16];
	int rc;

	rc = rd(ctx, SECTOR, h, sizeof(h));
	if (rc < 0) {
		lay_err(err, errlen, "cannot read the GPT header: %s",
			strerror(-rc));
		return rc;
	}
	if (memcmp(h, "EFI PART", 8)) {
		lay_err(err, errlen, "protective MBR without a GPT header");
		return -EINVAL;
	}
	lba = le64(h + 72);
	n = le32(h + 80);
	esize = le32(h + 84);
	if (esize < 128 || esize > sizeof(e) || esize % 8 ||
	    n > GPT_MAX_ENTRIES || lba >= disk_size / SECTOR ||
	    (uint64_t)n * esize > disk_size - lba * SECTOR) {
		lay_err(err, errlen,
			"GPT header: bad partition array (%u entries of %u "
			"bytes at sector %llu)",
			n, esize, (unsigned long long)lba);
		return -EINVAL;
	}
	out->table = BD_TABLE_GPT;
	for (i = 0; i < n; i++) {
		rc = rd(ctx, lba * SECTOR + (uint64_t)i * esize, e, esize);
		if (rc < 0) {
			lay_err(err, errlen, "cannot read GPT entry %u: %s",
				i + 1, strerror(-rc));
			return rc;
		}
		if (!memcmp(e, zero, 16))
			continue;
		if (le64(e + 40) < le64(e + 32))
			continue;
		lay_add(out, disk_size, i + 1, le64(e + 32),
			le64(e + 40) - le64(e + 32) + 1);
	}
	return 0;
}

/* See bootdisk.h. */
int
bd_layout_probe(bd_read_fn rd, void *ctx, uint64_t disk_size,
		struct bd_layout *out, char *err, size_t errlen)
{
	uint8_t s[SECTOR], sb[2];
	int i, rc;

	memset(out, 0, sizeof(*out));
	if (disk_size < 2 * SECTOR) {
		lay_err(err, errlen, "the disk is too small (%llu bytes)",
			(unsigned long long)disk_size);
		return -EINVAL;
	}
	/* an ext superblock at 1024 (magic at 1080): a filesystem at 0 */
	if (disk_size >= 2048 && rd(ctx, 1080, sb, 2) == 0 && sb[0] == 0x53 &&
	    sb[1] == 0xef) {
		out->table = BD_TABLE_NONE;
		out->nparts = 1;
		out->parts[0].size = disk_size;
		return 0;
	}
	rc = rd(ctx, 0, s, sizeof(s));
	if (rc < 0) {
		lay_err(err, errlen, "cannot read sector 0: %s", strerror(-rc));
		return rc;
	}
	if (s[510] != 0x55 || s[511] != 0xaa) {
		/* maybe another filesystem at 0: the caller says which */
		out->table = BD_TABLE_NONE;
		out->nparts = 1;
		out->parts[0].size = disk_size;
		return 0;
	}
	for (i = 0; i < 4; i++)
		if (s[446 + 16 * i + 4] == 0xee)
			return lay_gpt(rd, ctx, disk_size, out, err, errlen);
	out->table = BD_TABLE_MBR;
	for (i = 0; i < 4; i++) {
		const uint8_t *e = s + 446 + 16 * i;

		if (e[0] != 0 && e[0] != 0x80) {
			lay_err(err, errlen,
				"MBR entry %d: bad boot flag 0x%02x", i + 1,
				e[0]);
			return -EINVAL;
		}
		if (!e[4])
			continue;
		if (lay_extended(e[4]))
			lay_logical(rd, ctx, disk_size, le32(e + 8), out);
		else
			lay_add(out, disk_size, (unsigned)i + 1, le32(e + 8),
				le32(e + 12));
	}
	/* logical partitions were added as found: sort by number */
	for (i = 1; i < (int)out->nparts; i++) {
		struct bd_part p = out->parts[i];
		int j = i - 1;

		while (j >= 0 && out->parts[j].number > p.number) {
			out->parts[j + 1] = out->parts[j];
			j--;
		}
		out->parts[j + 1] = p;
	}
	return 0;
}
