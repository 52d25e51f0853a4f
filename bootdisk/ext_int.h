/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ext_int.h: what the ext2/3/4 reader's parts (ext.c: superblock, groups,
 * inodes; ext_map.c: block mapping and file data; ext_dir.c: directories
 * and paths) share. */
#ifndef XM_BOOTDISK_EXT_INT_H
#define XM_BOOTDISK_EXT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "bootdisk.h"

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

static inline uint16_t
le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Set fs's error message (if it has a buffer) from fmt; returns rc. */
int ext_fail(struct bd_ext *fs, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Read len bytes at byte offset pos of the filesystem into buf. Returns 0
 * or -errno (-EIO past its end) with the message set. */
int ext_pread(struct bd_ext *fs, uint64_t pos, void *buf, size_t len);

/* Read block blk (fs->bsize bytes) into buf. Returns 0 or -errno. */
int ext_block(struct bd_ext *fs, uint64_t blk, void *buf);

/* Inode ino into *out. Returns 0 or -errno (-EINVAL out of range, -EIO a
 * bad group, -ENOTSUP inline or encrypted data) with the message set. */
int ext_inode(struct bd_ext *fs, uint32_t ino, struct ext_inode *out);

/* Copy in's bytes to sink (max: its size cap). Returns 0 or -errno (-EFBIG
 * over max, the sink's error, a read error) with the message set. */
int ext_copy_inode(struct bd_ext *fs, const struct ext_inode *in, uint64_t max,
		   bd_sink_fn sink, void *sctx);

/* The whole of inode in (at most max bytes) into a NUL-terminated buffer
 * *out (the caller frees it) of *len_out bytes. Returns 0 or -errno. */
int ext_slurp(struct bd_ext *fs, const struct ext_inode *in, size_t max,
	      char **out, size_t *len_out);

#endif
