/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mem.c: guest RAM, the only bounds-checked guest-physical to host
 * translation in xmhv, and the device side of dirty page tracking. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "arch/x86/x86.h"
#include "mem.h"

/* size bytes of anonymous memory starting on a 2 MiB boundary (or
 * MAP_FAILED with errno). KVM maps guest RAM with 2 MiB pages in its
 * nested page tables only where the host address and the guest-physical
 * address agree modulo 2 MiB; mmap gives 4 KiB alignment (Linux before 6.7
 * does not align large anonymous mappings), which left every guest on 4
 * KiB nested pages however the huge pages behind them were. QEMU aligns
 * its RAM the same way. */
static void *
mem_map_aligned(uint64_t size)
{
	const uintptr_t align = 2u << 20;
	uintptr_t start, head, tail;
	void *p;

	p = mmap(NULL, size + align, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return p;
	start = ((uintptr_t)p + align - 1) & ~(align - 1);
	head = start - (uintptr_t)p;
	tail = align - head;
	if (head)
		(void)munmap(p, head);
	if (tail)
		(void)munmap((void *)(start + size), tail);
	return (void *)start;
}

/* Map size bytes of guest RAM without touching it (a 3500 MiB guest must
 * cost nothing until it uses its memory): one mapping, two slots. */
int
mem_init(struct mem *mem, uint64_t size)
{
	struct mem_slot *s;
	uint64_t pages;
	unsigned i;
	void *p;

	memset(mem, 0, sizeof(*mem));
	if (size < XMHV_MEMORY_MIN_MIB * HV_MIB ||
	    size > XMHV_MEMORY_MAX_MIB * HV_MIB)
		return -EINVAL;
	p = mem_map_aligned(size);
	if (p == MAP_FAILED)
		return -errno;
	/* Best effort: huge pages halve the first-touch cost on this KVM. */
	(void)madvise(p, size, MADV_HUGEPAGE);
	(void)madvise(p, size, MADV_DONTDUMP);
	mem->base = p;
	mem->size = size;
	e820_split(size, &mem->low_size, &mem->high_size);
	mem->slot[0] =
		(struct mem_slot){.gpa = 0, .size = mem->low_size, .hva = p};
	mem->nslots = 1;
	if (mem->high_size)
		mem->slot[mem->nslots++] =
			(struct mem_slot){.gpa = XMHV_PCI_HOLE_END,
					  .size = mem->high_size,
					  .hva = mem->base + mem->low_size};
	for (i = 0; i < mem->nslots; i++) {
		s = &mem->slot[i];
		pages = (s->size + (1u << MEM_PAGE_SHIFT) - 1) >>
			MEM_PAGE_SHIFT;
		s->dirty_words = (pages + 63) / 64;
		/* calloc of a big bitmap is a lazy zero mapping. */
		s->dirty = calloc(s->dirty_words, sizeof(s->dirty[0]));
		if (!s->dirty) {
			mem_dispose(mem);
			return -ENOMEM;
		}
	}
	return 0;
}

void
mem_dispose(struct mem *mem)
{
	unsigned i;

	for (i = 0; i < MEM_SLOTS; i++)
		free((void *)mem->slot[i].dirty);
	if (mem->base)
		munmap(mem->base, mem->size);
	memset(mem, 0, sizeof(*mem));
}

/* The slot wholly holding [gpa, gpa + len), or NULL. */
static const struct mem_slot *
mem_slot_of(const struct mem *mem, uint64_t gpa, uint64_t len)
{
	const struct mem_slot *s;
	unsigned i;

	for (i = 0; i < mem->nslots; i++) {
		s = &mem->slot[i];
		if (gpa >= s->gpa && gpa - s->gpa < s->size &&
		    len <= s->size - (gpa - s->gpa))
			return s;
	}
	return NULL;
}

void *
mem_gpa_to_hva(const struct mem *mem, uint64_t gpa, uint64_t len)
{
	const struct mem_slot *s = mem_slot_of(mem, gpa, len);

	return s ? s->hva + (gpa - s->gpa) : NULL;
}

/* Set the bits of pages [first, last] of s. */
static void
mem_slot_mark(const struct mem_slot *s, uint64_t first, uint64_t last)
{
	uint64_t w, lo, hi, mask;

	for (w = first / 64; w <= last / 64; w++) {
		lo = w == first / 64 ? first % 64 : 0;
		hi = w == last / 64 ? last % 64 : 63;
		mask = (hi == 63 ? ~0ULL : (1ULL << (hi + 1)) - 1) &
		       ~((1ULL << lo) - 1);
		atomic_fetch_or_explicit(&s->dirty[w], mask,
					 memory_order_release);
	}
}

int
mem_dirty(const struct mem *mem, uint64_t gpa, uint64_t len)
{
	const struct mem_slot *s = mem_slot_of(mem, gpa, len);
	uint64_t off;

	if (!s)
		return -EFAULT;
	if (len == 0)
		return 0;
	off = gpa - s->gpa;
	mem_slot_mark(s, off >> MEM_PAGE_SHIFT,
		      (off + len - 1) >> MEM_PAGE_SHIFT);
	return 0;
}

int
mem_dirty_take(const struct mem *mem, unsigned slot, uint64_t *out,
	       size_t words)
{
	const struct mem_slot *s;
	size_t i;

	if (slot >= mem->nslots || words != mem->slot[slot].dirty_words)
		return -EINVAL;
	s = &mem->slot[slot];
	for (i = 0; i < words; i++)
		if (atomic_load_explicit(&s->dirty[i], memory_order_relaxed))
			out[i] |= atomic_exchange_explicit(
				&s->dirty[i], 0, memory_order_acquire);
	return 0;
}

int
mem_write(const struct mem *mem, uint64_t gpa, const void *src, uint64_t len)
{
	void *p = mem_gpa_to_hva(mem, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(p, src, len);
	/* After the copy: a log taken between the two still sees the bit. */
	return mem_dirty(mem, gpa, len);
}

int
mem_read(const struct mem *mem, uint64_t gpa, void *dst, uint64_t len)
{
	const void *p = mem_gpa_to_hva(mem, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(dst, p, len);
	return 0;
}
