/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtq_fuzz.c: the virtqueue walker fuzz target: the input is a queue
 * (its size, negotiated features, ring addresses, indexes) and the first
 * 64 KiB of a 16 MiB guest's RAM; the target takes chains as a device
 * does (pop, parse as virtio-blk, push, publish, notify, arm) and aborts
 * when the walker returns a chain that breaks its own promises: a segment
 * outside RAM, readable after writable, lengths that do not add up, a head
 * past the queue or twice in flight. Built as a libFuzzer target and as
 * the corpus replayer. */
#include <stdlib.h>
#include <string.h>

#include "devices/virtio_blk_int.h"
#include "devices/virtq.h"
#include "mem.h"
#include "virtq_fuzz.h"

#define FUZZ_RAM (64u << 10)
#define FUZZ_HEAD 32

static struct mem fuzz_mem;
static struct virtq_seg fuzz_seg[VIRTQ_SIZE_MAX], fuzz_data[VIRTQ_SIZE_MAX];

/* A ring address: near guest RAM's start mostly, anything sometimes. */
static uint64_t
fuzz_addr(const uint8_t *p)
{
	uint64_t a;

	memcpy(&a, p, 8);
	return (a >> 63) ? a : a % (2 * FUZZ_RAM);
}

static void
fuzz_check_chain(const struct virtq *q, const struct virtq_chain *c)
{
	uint64_t rl = 0, wl = 0;
	unsigned i;

	if (c->head >= q->size || c->nseg > c->max || c->nread > c->nseg)
		abort();
	for (i = 0; i < c->nseg; i++) {
		const struct virtq_seg *s = &c->seg[i];

		if (!s->len || !mem_gpa_to_hva(&fuzz_mem, s->gpa, s->len))
			abort();
		if (s->write != (i >= c->nread))
			abort();
		*(s->write ? &wl : &rl) += s->len;
	}
	if (rl != c->read_len || wl != c->write_len)
		abort();
}

/* The blk parser on the chain: its data buffers are inside the chain. */
static void
fuzz_blk(const struct virtq_chain *c)
{
	static const struct vblk_geom g = {1u << 20, 512, false, 1};
	struct vblk_parsed p;
	const char *why;
	unsigned i;

	if (vblk_parse(&fuzz_mem, c, &g, fuzz_data, VIRTQ_SIZE_MAX, &p, &why) <
	    0)
		return;
	if (p.ndata > c->nseg || p.status > VBLK_S_UNSUPP)
		abort();
	for (i = 0; i < p.ndata; i++)
		if (!mem_gpa_to_hva(&fuzz_mem, fuzz_data[i].gpa,
				    fuzz_data[i].len))
			abort();
}

void
virtq_fuzz_one(const uint8_t *data, size_t size)
{
	struct virtq q;
	struct virtq_chain c = {.seg = fuzz_seg};
	const char *why;
	unsigned round, taken = 0;
	uint16_t heads[VIRTQ_SIZE_MAX];
	int r;

	if (size < FUZZ_HEAD)
		return;
	if (!fuzz_mem.base && mem_init(&fuzz_mem, 16ULL << 20) < 0)
		abort();
	memset(fuzz_mem.base, 0, FUZZ_RAM);
	memcpy(fuzz_mem.base, data + FUZZ_HEAD,
	       size - FUZZ_HEAD < FUZZ_RAM ? size - FUZZ_HEAD : FUZZ_RAM);
	memset(&q, 0, sizeof(q));
	q.size = (uint16_t)(1u << (data[0] % 11));
	q.indirect = data[1] & 1;
	q.event_idx = data[1] & 2;
	c.max = 1u + data[2] % VIRTQ_SIZE_MAX;
	q.desc_gpa = fuzz_addr(data + 8);
	q.avail_gpa = fuzz_addr(data + 16);
	q.used_gpa = fuzz_addr(data + 24);
	memcpy(&q.last_avail, data + 4, 2);
	memcpy(&q.used_idx, data + 6, 2);
	if (virtq_check(&q, &fuzz_mem, &why) < 0)
		return;
	for (round = 0; round < 4u * q.size; round++) {
		r = virtq_pop(&q, &fuzz_mem, &c, &why);
		if (r < 0 && !why)
			abort();
		if (r <= 0 && !virtq_arm(&q, &fuzz_mem))
			break;
		if (r <= 0)
			continue;
		fuzz_check_chain(&q, &c);
		fuzz_blk(&c);
		heads[taken++] = c.head;
		/* Answer every other chain at once, keep the rest in flight
		 * (a head may come again only once answered). */
		if ((data[3] >> (round % 8)) & 1) {
			if (virtq_push(&q, &fuzz_mem, heads[--taken],
				       (uint32_t)c.write_len) < 0)
				abort();
			(void)!virtq_publish(&q, &fuzz_mem);
			(void)virtq_should_notify(&q, &fuzz_mem);
		}
		if (taken > q.size || q.ninflight != taken)
			abort();
	}
	while (taken)
		if (virtq_push(&q, &fuzz_mem, heads[--taken], 0) < 0)
			abort();
	if (q.ninflight)
		abort();
}

/* The libFuzzer entry; fuzz/replay.c calls it for each corpus file. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	virtq_fuzz_one(data, size);
	return 0;
}
