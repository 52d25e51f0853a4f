/* SPDX-License-Identifier: GPL-2.0-or-later */
/* imagelock.h: disk image locks in QEMU's byte protocol (imagelock.c). */
#ifndef HV_IMAGELOCK_H
#define HV_IMAGELOCK_H

#include <stddef.h>
#include <stdint.h>

/* QEMU's permission bits (include/block/block-common.h BLK_PERM_*); the
 * lock bytes are 100 + bit (held) and 200 + bit (not shared). */
#define IMAGELOCK_PERM_READ 0x01u            /* CONSISTENT_READ */
#define IMAGELOCK_PERM_WRITE 0x02u           /* WRITE */
#define IMAGELOCK_PERM_WRITE_UNCHANGED 0x04u /* WRITE_UNCHANGED */
#define IMAGELOCK_PERM_RESIZE 0x08u          /* RESIZE */
#define IMAGELOCK_PERM_ALL 0x0fu
#define IMAGELOCK_PERM_BASE 100
#define IMAGELOCK_SHARED_BASE 200

/* xm's disk modes. */
enum imagelock_mode {
	IMAGELOCK_R,      /* r: reads; refuses anyone writing */
	IMAGELOCK_W,      /* w: writes; refuses any other writer or reader
			     that refuses writers */
	IMAGELOCK_SHARED, /* w!: writes, shares everything */
};

/* The permissions a mode holds and those it shares with others. Pure. */
void imagelock_perms(enum imagelock_mode mode, uint32_t *perm_out,
		     uint32_t *shared_out);

/* Take mode's locks on fd (an open disk; the locks belong to its open
 * file description: they go when its last fd is closed, in whichever
 * process that is, and follow an fd passed with SCM_RIGHTS). Returns 0;
 * -EBUSY when another open file description holds a permission this mode
 * does not share or refuses one it takes (why: "another process holds
 * 'write'" style, as QEMU says it); -ENOLCK or another -errno when the
 * file cannot be locked (why says so). On failure the bytes taken here are
 * released again. Any thread. */
int imagelock_take(int fd, enum imagelock_mode mode, char *why, size_t whylen)
	__attribute__((warn_unused_result));

/* Is the image behind fd locked by another open file description against
 * mode (the same test imagelock_take makes, without taking anything)?
 * 0: free; -EBUSY with why; another -errno when it cannot be tested. */
int imagelock_test(int fd, enum imagelock_mode mode, char *why, size_t whylen)
	__attribute__((warn_unused_result));

#endif
