/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mem.h: guest RAM, the only gpa -> host translation. */
#ifndef XMHV_MEM_H
#define XMHV_MEM_H

#include "hv.h"

struct mem {
	uint8_t *base;      /* one mapping: low part, then high part */
	uint64_t size;      /* total bytes */
	uint64_t low_size;  /* RAM at gpa [0, low_size) */
	uint64_t high_size; /* RAM at gpa [4 GiB, 4 GiB + high_size) */
};

int mem_init(struct mem *mem, uint64_t size) HV_WUR;
void mem_dispose(struct mem *mem);
/* Host pointer for [gpa, gpa + len) if it lies wholly inside one RAM
 * region, else NULL. Any thread. */
void *mem_gpa_to_hva(const struct mem *mem, uint64_t gpa, uint64_t len);
/* Copy into / out of guest RAM. 0 or -EFAULT when out of range. */
int mem_write(const struct mem *mem, uint64_t gpa, const void *src,
	      uint64_t len) HV_WUR;
int mem_read(const struct mem *mem, uint64_t gpa, void *dst,
	     uint64_t len) HV_WUR;

#endif
