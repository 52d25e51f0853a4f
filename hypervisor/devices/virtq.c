/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtq.c: the split virtqueue walker (virtq.h): chains of the available
 * ring into checked segment lists, the used ring, EVENT_IDX. Pure but for
 * guest memory, which is reached only through mem_gpa_to_hva/mem_dirty.
 * The rules are virtio 1.x's (2.7.5 descriptors, 2.7.5.3 indirect tables,
 * 2.7.13 the available ring) and what robust devices enforce beyond them:
 * a walk budget (a loop ends as -ELOOP), a head never twice in flight,
 * directions in order, every buffer in guest RAM. */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "mem.h"
#include "virtq.h"

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

#define VIRTQ_AVAIL_RING 4u /* flags, idx, then the ring */
#define VIRTQ_USED_RING 4u
#define VIRTQ_USED_ELEM 8u

static uint64_t
virtq_avail_bytes(uint16_t size)
{
	return VIRTQ_AVAIL_RING + 2u * size + 2u; /* + used_event */
}

static uint64_t
virtq_used_bytes(uint16_t size)
{
	return VIRTQ_USED_RING + VIRTQ_USED_ELEM * size +
	       2u; /* + avail_event */
}

void
virtq_reset(struct virtq *q)
{
	q->last_avail = q->used_idx = q->signalled = 0;
	q->signalled_valid = false;
	q->ninflight = 0;
	memset(q->inflight, 0, sizeof(q->inflight));
}

int
virtq_check(const struct virtq *q, const struct mem *mem, const char **why)
{
	if (q->size == 0 || q->size > VIRTQ_SIZE_MAX ||
	    (q->size & (q->size - 1))) {
		*why = "queue size not a power of two up to 1024";
		return -EINVAL;
	}
	if ((q->desc_gpa & 15) || (q->avail_gpa & 1) || (q->used_gpa & 3)) {
		*why = "a ring is not aligned";
		return -EINVAL;
	}
	if (!mem_gpa_to_hva(mem, q->desc_gpa,
			    (uint64_t)q->size * VIRTQ_DESC_SIZE) ||
	    !mem_gpa_to_hva(mem, q->avail_gpa, virtq_avail_bytes(q->size)) ||
	    !mem_gpa_to_hva(mem, q->used_gpa, virtq_used_bytes(q->size))) {
		*why = "a ring is outside guest RAM";
		return -EFAULT;
	}
	return 0;
}

/* A 16-bit field of a ring, read once (the driver writes it meanwhile). */
static int
virtq_load16(const struct mem *mem, uint64_t gpa, uint16_t *out)
{
	uint16_t *p = mem_gpa_to_hva(mem, gpa, 2);

	if (!p)
		return -EFAULT;
	*out = le16toh(__atomic_load_n(p, __ATOMIC_ACQUIRE));
	return 0;
}

static int
virtq_store16(const struct mem *mem, uint64_t gpa, uint16_t v)
{
	uint16_t *p = mem_gpa_to_hva(mem, gpa, 2);

	if (!p)
		return -EFAULT;
	__atomic_store_n(p, htole16(v), __ATOMIC_RELEASE);
	return mem_dirty(mem, gpa, 2);
}

static int
virtq_read_desc(const struct mem *mem, uint64_t gpa, struct virtq_desc *d)
{
	uint8_t raw[VIRTQ_DESC_SIZE];

	if (mem_read(mem, gpa, raw, sizeof(raw)) < 0)
		return -EFAULT;
	memcpy(&d->addr, raw, 8);
	memcpy(&d->len, raw + 8, 4);
	memcpy(&d->flags, raw + 12, 2);
	memcpy(&d->next, raw + 14, 2);
	d->addr = le64toh(d->addr);
	d->len = le32toh(d->len);
	d->flags = le16toh(d->flags);
	d->next = le16toh(d->next);
	return 0;
}

static bool
virtq_in_flight(const struct virtq *q, uint16_t head)
{
	return q->inflight[head / 64] & (1ULL << (head % 64));
}

/* Where a walk is: the table it reads (the queue's, or an indirect one),
 * how many descriptors it may still visit there. */
struct virtq_walk {
	uint64_t table_gpa;
	uint32_t table_n;
	uint32_t budget;
};

/* Switch the walk to the indirect table d points at (d is the chain's
 * first descriptor). */
static int
virtq_enter_indirect(const struct virtq *q, const struct mem *mem,
		     const struct virtq_desc *d, struct virtq_walk *w,
		     const char **why)
{
	if (!q->indirect) {
		*why = "indirect descriptor, not negotiated";
		return -EINVAL;
	}
	if (d->flags & VIRTQ_DESC_F_NEXT) {
		*why = "indirect descriptor with NEXT set";
		return -EINVAL;
	}
	if (d->len == 0 || d->len % VIRTQ_DESC_SIZE ||
	    d->len / VIRTQ_DESC_SIZE > VIRTQ_SIZE_MAX) {
		*why = "indirect table empty, ragged or over 1024 entries";
		return -EINVAL;
	}
	if (!mem_gpa_to_hva(mem, d->addr, d->len)) {
		*why = "indirect table outside guest RAM";
		return -EFAULT;
	}
	w->table_gpa = d->addr;
	w->table_n = d->len / VIRTQ_DESC_SIZE;
	w->budget = w->table_n;
	return 0;
}

/* Append a buffer to the chain. */
static int
virtq_add_seg(const struct mem *mem, const struct virtq_desc *d,
	      struct virtq_chain *c, const char **why)
{
	bool write = d->flags & VIRTQ_DESC_F_WRITE;
	uint64_t *total = write ? &c->write_len : &c->read_len;

	if (!write && c->nseg > c->nread) {
		*why = "device-readable buffer after a device-writable one";
		return -EINVAL;
	}
	if (d->len == 0)
		return 0;
	if (!mem_gpa_to_hva(mem, d->addr, d->len)) {
		*why = "buffer outside guest RAM";
		return -EFAULT;
	}
	if (c->nseg == c->max) {
		*why = "more buffers than the device takes";
		return -E2BIG;
	}
	*total += d->len;
	if (*total > UINT32_MAX) {
		*why = "more than 4 GiB in one direction";
		return -E2BIG;
	}
	c->seg[c->nseg++] = (struct virtq_seg){d->addr, d->len, write};
	if (!write)
		c->nread++;
	return 0;
}

/* Walk the chain at head into c. */
static int
virtq_walk(const struct virtq *q, const struct mem *mem, uint16_t head,
	   struct virtq_chain *c, const char **why)
{
	struct virtq_walk w = {q->desc_gpa, q->size, q->size};
	struct virtq_desc d;
	uint32_t i = head;
	int r;

	c->head = head;
	c->nseg = c->nread = c->ndesc = 0;
	c->read_len = c->write_len = 0;
	c->indirect = false;
	for (;;) {
		if (i >= w.table_n) {
			*why = "next index past the descriptor table";
			return -EINVAL;
		}
		if (w.budget-- == 0) {
			*why = "chain longer than its table (a loop)";
			return -ELOOP;
		}
		if (virtq_read_desc(mem, w.table_gpa + i * VIRTQ_DESC_SIZE,
				    &d) < 0) {
			*why = "descriptor outside guest RAM";
			return -EFAULT;
		}
		c->ndesc++;
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			if (c->indirect || c->ndesc > 1) {
				*why = c->indirect
					       ? "indirect descriptor in an "
						 "indirect table"
					       : "indirect descriptor not "
						 "first "
						 "in its chain";
				return -EINVAL;
			}
			r = virtq_enter_indirect(q, mem, &d, &w, why);
			if (r < 0)
				return r;
			c->indirect = true;
			i = 0;
			continue;
		}
		r = virtq_add_seg(mem, &d, c, why);
		if (r < 0)
			return r;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		i = d.next;
	}
}

unsigned
virtq_pending(const struct virtq *q, const struct mem *mem)
{
	uint16_t idx, n;

	if (virtq_load16(mem, q->avail_gpa + 2, &idx) < 0)
		return 0;
	n = (uint16_t)(idx - q->last_avail);
	return n > q->size ? 0 : n;
}

int
virtq_pop(struct virtq *q, const struct mem *mem, struct virtq_chain *c,
	  const char **why)
{
	uint16_t idx, head;
	int r;

	if (virtq_load16(mem, q->avail_gpa + 2, &idx) < 0) {
		*why = "available ring outside guest RAM";
		return -EFAULT;
	}
	if (idx == q->last_avail)
		return 0;
	if ((uint16_t)(idx - q->last_avail) > q->size) {
		*why = "available index moved by more than the queue size";
		return -EOVERFLOW;
	}
	if (virtq_load16(mem,
			 q->avail_gpa + VIRTQ_AVAIL_RING +
				 2u * (q->last_avail & (q->size - 1)),
			 &head) < 0) {
		*why = "available ring outside guest RAM";
		return -EFAULT;
	}
	if (head >= q->size) {
		*why = "head index past the descriptor table";
		return -EINVAL;
	}
	if (virtq_in_flight(q, head)) {
		*why = "head already in flight";
		return -EBUSY;
	}
	r = virtq_walk(q, mem, head, c, why);
	if (r < 0)
		return r;
	q->inflight[head / 64] |= 1ULL << (head % 64);
	q->ninflight++;
	q->last_avail++;
	return 1;
}

void
virtq_unpop(struct virtq *q, const uint16_t *heads, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		if (heads[i] >= q->size || !virtq_in_flight(q, heads[i]))
			continue;
		q->inflight[heads[i] / 64] &= ~(1ULL << (heads[i] % 64));
		q->ninflight--;
		q->last_avail--;
	}
}

int
virtq_push(struct virtq *q, const struct mem *mem, uint16_t head, uint32_t len)
{
	uint64_t gpa;
	uint8_t elem[VIRTQ_USED_ELEM];
	uint32_t id = htole32(head), le = htole32(len);

	if (head >= q->size || !virtq_in_flight(q, head))
		return -EINVAL;
	gpa = q->used_gpa + VIRTQ_USED_RING +
	      VIRTQ_USED_ELEM * (q->used_idx & (q->size - 1));
	memcpy(elem, &id, 4);
	memcpy(elem + 4, &le, 4);
	if (mem_write(mem, gpa, elem, sizeof(elem)) < 0)
		return -EFAULT;
	q->inflight[head / 64] &= ~(1ULL << (head % 64));
	q->ninflight--;
	q->used_idx++;
	return 0;
}

int
virtq_publish(struct virtq *q, const struct mem *mem)
{
	return virtq_store16(mem, q->used_gpa + 2, q->used_idx);
}

bool
virtq_should_notify(struct virtq *q, const struct mem *mem)
{
	uint16_t flags = 0, event = 0, old = q->signalled;
	bool valid = q->signalled_valid, yes;

	if (!q->event_idx) {
		if (virtq_load16(mem, q->avail_gpa, &flags) < 0)
			return true;
		return !(flags & VIRTQ_AVAIL_F_NO_INTERRUPT);
	}
	if (virtq_load16(mem, q->avail_gpa + VIRTQ_AVAIL_RING + 2u * q->size,
			 &event) < 0)
		return true;
	q->signalled = q->used_idx;
	q->signalled_valid = true;
	/* Nothing signalled yet: the driver's event says nothing reliable. */
	yes = !valid || virtq_need_event(event, q->used_idx, old);
	return yes;
}

bool
virtq_arm(struct virtq *q, const struct mem *mem)
{
	uint16_t idx;

	if (q->event_idx)
		(void)!virtq_store16(mem,
				     q->used_gpa + VIRTQ_USED_RING +
					     VIRTQ_USED_ELEM * q->size,
				     q->last_avail);
	/* The store above before the load below (a driver adding a buffer
	 * meanwhile either sees the new event or is seen here). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (virtq_load16(mem, q->avail_gpa + 2, &idx) < 0)
		return false;
	return idx != q->last_avail;
}
