/* SPDX-License-Identifier: GPL-2.0-or-later */
/* e820.c: the guest's e820 memory map (low RAM, BIOS hole, RAM up to the
 * PCI hole at 3 GiB, the rest above 4 GiB). */
#include "arch/x86/x86.h"

/* Pure: how much RAM goes below the PCI hole and how much above 4 GiB. */
void
e820_split(uint64_t mem_bytes, uint64_t *low_out, uint64_t *high_out)
{
	uint64_t low = mem_bytes;

	if (low > XMHV_PCI_HOLE_START)
		low = XMHV_PCI_HOLE_START;
	*low_out = low;
	*high_out = mem_bytes - low;
}

/* Pure. The RAM entries sum to mem_bytes minus the 384 KiB BIOS hole, so a
 * guest that rounds its e820 RAM up to MiB sees exactly the configured
 * memory. Returns the number of entries written (at most max). */
size_t
e820_build(uint64_t mem_bytes, struct e820_entry *out, size_t max)
{
	uint64_t low, high;
	struct e820_entry map[4];
	size_t n = 0, i;

	e820_split(mem_bytes, &low, &high);
	map[n++] = (struct e820_entry){0, XMHV_LOWMEM_END, E820_RAM};
	map[n++] = (struct e820_entry){XMHV_EBDA_START,
				       XMHV_HIMEM_START - XMHV_EBDA_START,
				       E820_RESERVED};
	if (low > XMHV_HIMEM_START)
		map[n++] = (struct e820_entry){
			XMHV_HIMEM_START, low - XMHV_HIMEM_START, E820_RAM};
	if (high)
		map[n++] =
			(struct e820_entry){XMHV_PCI_HOLE_END, high, E820_RAM};
	for (i = 0; i < n && i < max; i++)
		out[i] = map[i];
	return i;
}
