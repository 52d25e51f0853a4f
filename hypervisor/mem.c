/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mem.c: guest RAM and the only bounds-checked guest-physical to host
 * translation in xmhv. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "arch/x86/x86.h"
#include "mem.h"

/* Map size bytes of guest RAM without touching it (a 3500 MiB guest must
 * cost nothing until it uses its memory). Returns 0 or -errno. */
int
mem_init(struct mem *mem, uint64_t size)
{
	void *p;

	memset(mem, 0, sizeof(*mem));
	if (size < XMHV_MEMORY_MIN_MIB * HV_MIB ||
	    size > XMHV_MEMORY_MAX_MIB * HV_MIB)
		return -EINVAL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	/* Best effort: huge pages halve the first-touch cost on this KVM. */
	(void)madvise(p, size, MADV_HUGEPAGE);
	(void)madvise(p, size, MADV_DONTDUMP);
	mem->base = p;
	mem->size = size;
	e820_split(size, &mem->low_size, &mem->high_size);
	return 0;
}

/* Unmap guest RAM. Accepts a zeroed struct. */
void
mem_dispose(struct mem *mem)
{
	if (mem->base)
		munmap(mem->base, mem->size);
	memset(mem, 0, sizeof(*mem));
}

void *
mem_gpa_to_hva(const struct mem *mem, uint64_t gpa, uint64_t len)
{
	uint64_t off;

	if (!mem->base || len > mem->size)
		return NULL;
	if (gpa < mem->low_size) {
		if (len > mem->low_size - gpa)
			return NULL;
		return mem->base + gpa;
	}
	if (gpa < XMHV_PCI_HOLE_END)
		return NULL;
	off = gpa - XMHV_PCI_HOLE_END;
	if (off >= mem->high_size || len > mem->high_size - off)
		return NULL;
	return mem->base + mem->low_size + off;
}

int
mem_write(const struct mem *mem, uint64_t gpa, const void *src, uint64_t len)
{
	void *p = mem_gpa_to_hva(mem, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(p, src, len);
	return 0;
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
