/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mem.h: guest RAM, the only gpa -> host translation, and the pages
 * devices wrote (a dirty bitmap per memory slot, merged with KVM's dirty
 * log for migration). */
#ifndef XMHV_MEM_H
#define XMHV_MEM_H

#include <stdatomic.h>

#include "hv.h"

#define MEM_PAGE_SHIFT 12
#define MEM_SLOTS 2

/* One KVM memory slot: RAM below the PCI hole, or above 4 GiB. dirty has
 * a bit per 4 KiB page of the slot (bit i of word i / 64: page i, KVM's
 * dirty log layout), set by the helpers below from any thread. */
struct mem_slot {
	uint64_t gpa, size;
	uint8_t *hva;
	_Atomic uint64_t *dirty;
	size_t dirty_words;
};

struct mem {
	uint8_t *base;      /* one mapping: low part, then high part */
	uint64_t size;      /* total bytes */
	uint64_t low_size;  /* RAM at gpa [0, low_size) */
	uint64_t high_size; /* RAM at gpa [4 GiB, 4 GiB + high_size) */
	unsigned nslots;    /* slot 0 low, slot 1 high (when high_size) */
	struct mem_slot slot[MEM_SLOTS];
};

/* Map size bytes of guest RAM (untouched) and its slots' bitmaps. 0 or
 * -errno. */
int mem_init(struct mem *mem, uint64_t size) HV_WUR;
/* Unmap guest RAM, free the bitmaps. Accepts a zeroed struct. */
void mem_dispose(struct mem *mem);
/* Host pointer for [gpa, gpa + len) if it lies wholly inside one RAM
 * region, else NULL. Writes through it are not seen by the dirty log:
 * call mem_dirty after writing. Any thread. */
void *mem_gpa_to_hva(const struct mem *mem, uint64_t gpa, uint64_t len);
/* Copy into guest RAM and mark the pages dirty (the device/DMA write
 * helper), or out of it. 0 or -EFAULT when [gpa, gpa + len) is not wholly
 * inside one RAM region. Any thread. */
int mem_write(const struct mem *mem, uint64_t gpa, const void *src,
	      uint64_t len) HV_WUR;
int mem_read(const struct mem *mem, uint64_t gpa, void *dst,
	     uint64_t len) HV_WUR;
/* Mark the pages of [gpa, gpa + len) dirty, after writing them through a
 * mem_gpa_to_hva pointer (zero-copy I/O). -EFAULT (nothing marked) when
 * the range is not wholly inside one RAM region. Any thread, lock-free. */
int mem_dirty(const struct mem *mem, uint64_t gpa, uint64_t len) HV_WUR;
/* Take slot's device-dirty bits: OR them into out[0..words) and clear
 * them, word by word (atomically: a bit set meanwhile is either taken or
 * stays). words must be the slot's dirty_words. 0, -EINVAL. */
int mem_dirty_take(const struct mem *mem, unsigned slot, uint64_t *out,
		   size_t words) HV_WUR;

#endif
