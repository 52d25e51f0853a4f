/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hv_mem.c: guest memory as devices reach it, without KVM: the slots
 * around the PCI hole, the bounded copy helpers, and the dirty bits they
 * leave (per page, per slot, set from several threads at once, taken and
 * cleared in one go). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "tap.h"

static unsigned
popcount_words(const uint64_t *w, size_t n)
{
	unsigned c = 0;
	size_t i;

	for (i = 0; i < n; i++)
		c += (unsigned)__builtin_popcountll(w[i]);
	return c;
}

static bool
bit(const uint64_t *w, uint64_t page)
{
	return (w[page / 64] >> (page % 64)) & 1;
}

static void
test_small(void)
{
	struct mem mem;
	uint64_t *bm;
	uint8_t buf[8192] = {1};
	size_t words;

	if (!tap_ok(mem_init(&mem, 64 * HV_MIB) == 0 && mem.nslots == 1 &&
			    mem.slot[0].gpa == 0 &&
			    mem.slot[0].size == 64 * HV_MIB,
		    "64 MiB: one slot at 0"))
		return;
	words = mem.slot[0].dirty_words;
	tap_is_int(words, 64 * HV_MIB / 4096 / 64, "one bit per 4 KiB page");
	bm = calloc(words, sizeof(*bm));
	tap_ok(mem_write(&mem, 0x1ff8, buf, 16) == 0,
	       "mem_write across a page boundary");
	tap_is_int(mem_write(&mem, 64 * HV_MIB - 8, buf, 9), -EFAULT,
		   "mem_write one byte past the end: refused");
	tap_is_int(mem_write(&mem, UINT64_MAX - 3, buf, 8), -EFAULT,
		   "mem_write wrapping around: refused");
	tap_is_int(mem_dirty(&mem, 64 * HV_MIB, 1), -EFAULT,
		   "mem_dirty past the end: refused");
	tap_ok(mem_dirty_take(&mem, 0, bm, words) == 0 && bit(bm, 1) &&
		       bit(bm, 2) && popcount_words(bm, words) == 2,
	       "dirty: exactly the two pages written (1 and 2), none for the "
	       "refused writes");
	memset(bm, 0, words * sizeof(*bm));
	tap_ok(mem_dirty_take(&mem, 0, bm, words) == 0 &&
		       popcount_words(bm, words) == 0,
	       "taking the bits clears them");
	tap_ok(mem_dirty(&mem, 63 * 4096, 4096 * 3) == 0 &&
		       mem_dirty(&mem, 0, 0) == 0 &&
		       mem_read(&mem, 0x1ff8, buf, 16) == 0 && buf[0] == 1 &&
		       mem_dirty_take(&mem, 0, bm, words) == 0 && bit(bm, 63) &&
		       bit(bm, 64) && bit(bm, 65) &&
		       popcount_words(bm, words) == 3,
	       "mem_dirty over a word boundary (pages 63..65); reads and "
	       "empty ranges mark nothing");
	tap_ok(mem_dirty_take(&mem, 0, bm, words - 1) == -EINVAL &&
		       mem_dirty_take(&mem, 1, bm, words) == -EINVAL,
	       "mem_dirty_take: a wrong size or slot is refused");
	free(bm);
	mem_dispose(&mem);
}

static void
test_high(void)
{
	struct mem mem;
	uint64_t *bm;
	uint8_t b = 7;

	if (!tap_ok(mem_init(&mem, 3500 * HV_MIB) == 0 && mem.nslots == 2 &&
			    mem.slot[1].gpa == XMHV_PCI_HOLE_END &&
			    mem.slot[1].size ==
				    3500 * HV_MIB - XMHV_PCI_HOLE_START,
		    "3500 MiB: slot 1 above 4 GiB"))
		return;
	tap_ok(((uintptr_t)mem.slot[0].hva & ((2u << 20) - 1)) == 0 &&
		       ((uintptr_t)mem.slot[1].hva & ((2u << 20) - 1)) == 0,
	       "both slots start on a 2 MiB host boundary (KVM's 2 MiB "
	       "nested pages need host and guest addresses to agree)");
	bm = calloc(mem.slot[1].dirty_words, sizeof(*bm));
	tap_ok(mem_write(&mem, XMHV_PCI_HOLE_END + 5 * 4096, &b, 1) == 0 &&
		       mem_write(&mem, XMHV_PCI_HOLE_START, &b, 1) == -EFAULT,
	       "a write above 4 GiB lands, one in the PCI hole does not");
	tap_ok(mem_dirty_take(&mem, 1, bm, mem.slot[1].dirty_words) == 0 &&
		       bit(bm, 5) &&
		       popcount_words(bm, mem.slot[1].dirty_words) == 1,
	       "the write above 4 GiB is page 5 of slot 1");
	tap_ok(mem_write(&mem, XMHV_PCI_HOLE_START - 2, &b, 1) == 0 &&
		       mem_gpa_to_hva(&mem, XMHV_PCI_HOLE_START - 2, 4) == NULL,
	       "the last bytes below the hole: in, and not across it");
	free(bm);
	mem_dispose(&mem);
}

#define THREADS 4
#define PAGES 1024

struct marker {
	struct mem *mem;
	unsigned id;
};

/* Every thread marks every page of its share, word neighbours of the
 * others', many times. */
static void *
marker_run(void *arg)
{
	struct marker *m = arg;
	unsigned round, p;

	for (round = 0; round < 50; round++)
		for (p = m->id; p < PAGES; p += THREADS)
			if (mem_dirty(m->mem, (uint64_t)p * 4096, 1) < 0)
				return arg;
	return NULL;
}

static void
test_threads(void)
{
	struct marker mk[THREADS];
	pthread_t t[THREADS];
	struct mem mem;
	uint64_t bm[PAGES / 64 * 4] = {0};
	unsigned i, failed = 0;
	void *r;

	if (mem_init(&mem, 16 * HV_MIB) < 0)
		return;
	for (i = 0; i < THREADS; i++) {
		mk[i] = (struct marker){&mem, i};
		pthread_create(&t[i], NULL, marker_run, &mk[i]);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], &r);
		failed += r != NULL;
	}
	tap_ok(failed == 0 &&
		       mem_dirty_take(&mem, 0, bm, mem.slot[0].dirty_words) ==
			       0 &&
		       popcount_words(bm, PAGES / 64) == PAGES,
	       "4 threads marking interleaved pages of the same words: no "
	       "bit lost");
	mem_dispose(&mem);
}

int
main(void)
{
	test_small();
	test_high();
	test_threads();
	return tap_done();
}
