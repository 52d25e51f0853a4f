/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtq.h: the split virtqueue (virtio 1.x section 2.7) as a device sees
 * it: where the driver put the rings, and the pure, bounded functions that
 * take descriptor chains from the available ring (into lists of guest
 * memory ranges with their directions, indirect tables followed), return
 * them through the used ring, and decide about notifications
 * (VIRTIO_F_EVENT_IDX). Every guest address goes through mem.h's checked
 * translation; a rule the driver breaks is an error the device turns into
 * "needs reset", never a crash. Shared by every virtio device model. */
#ifndef XMHV_VIRTQ_H
#define XMHV_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>

#include "hv.h"

struct mem;

/* The largest queue any device offers (the spec allows 32768). */
#define VIRTQ_SIZE_MAX 1024
#define VIRTQ_DESC_SIZE 16

#define VIRTQ_DESC_F_NEXT 1u
#define VIRTQ_DESC_F_WRITE 2u
#define VIRTQ_DESC_F_INDIRECT 4u
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u
#define VIRTQ_USED_F_NO_NOTIFY 1u

/* One buffer of a chain: guest RAM [gpa, gpa + len), device-writable or
 * device-readable. */
struct virtq_seg {
	uint64_t gpa;
	uint32_t len;
	bool write;
};

/* A chain taken from the available ring. seg and max are the caller's
 * (max: how many segments it accepts); the rest is filled by
 * virtq_pop. The readable segments come first (nread of them). */
struct virtq_chain {
	uint16_t head;
	unsigned nseg, nread;
	uint64_t read_len, write_len; /* bytes in each direction */
	unsigned ndesc;               /* descriptors walked, for the record */
	bool indirect;                /* the chain lives in an indirect table */
	struct virtq_seg *seg;
	unsigned max;
};

/* A queue's state: what the driver programmed (size, ring addresses) and
 * what the device keeps (the next available index to take, the next used
 * index to fill, heads in flight, what was last signalled). One thread
 * uses a queue at a time (the device's I/O thread once the driver set
 * DRIVER_OK; the transport's register handlers before). */
struct virtq {
	uint16_t size;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	bool event_idx; /* VIRTIO_F_EVENT_IDX negotiated */
	bool indirect;  /* VIRTIO_F_INDIRECT_DESC negotiated */
	uint16_t last_avail;
	uint16_t used_idx;  /* the next used element; published by publish */
	uint16_t signalled; /* used index at the last interrupt */
	bool signalled_valid;
	unsigned ninflight;
	uint64_t inflight[VIRTQ_SIZE_MAX / 64];
};

/* Back to "never used" (ring addresses and size kept). Pure. */
void virtq_reset(struct virtq *q);

/* Can the driver's rings be used: a size that is a power of two in
 * 1..VIRTQ_SIZE_MAX, each ring aligned (16, 2, 4 bytes) and wholly inside
 * guest RAM, the event fields included? 0, or -EINVAL/-EFAULT with *why
 * (a static string). */
int virtq_check(const struct virtq *q, const struct mem *mem,
		const char **why) HV_WUR;

/* Take the next chain of the available ring into c: 1 (taken, its head is
 * in flight until virtq_push), 0 (the ring is empty), or a negative errno
 * when the driver broke a rule, with *why: -EOVERFLOW (the available index
 * moved by more than the queue size), -EINVAL (a head or next index past
 * the table, an indirect descriptor that is not negotiated, not the first,
 * nested, chained with NEXT, empty or not a multiple of 16 bytes, a
 * device-readable buffer after a device-writable one), -EBUSY (a head
 * already in flight), -ELOOP (more descriptors than the table holds: a
 * loop), -EFAULT (a table or buffer outside guest RAM), -E2BIG (more
 * segments than c->max, or more than 4 GiB in one direction). The queue
 * is unchanged on error. Zero-length buffers are skipped. Pure. */
int virtq_pop(struct virtq *q, const struct mem *mem, struct virtq_chain *c,
	      const char **why) HV_WUR;

/* Give back the last n chains taken (heads[0..n) in the order virtq_pop
 * returned them, the most recent taken, none pushed): the available index
 * goes back by n and their heads leave the in-flight set, so the next
 * virtq_pop takes heads[0]'s entry again. A device that took buffers
 * ahead (virtio-net's receive side) returns them before it pauses. Pure. */
void virtq_unpop(struct virtq *q, const uint16_t *heads, unsigned n);

/* Put head (in flight) into the used ring with len bytes written, not yet
 * visible to the driver (virtq_publish). 0, -EINVAL (not in flight: the
 * device's bug), -EFAULT. Marks the page dirty. */
int virtq_push(struct virtq *q, const struct mem *mem, uint16_t head,
	       uint32_t len) HV_WUR;

/* Make the pushed elements visible (the used index, release order). */
int virtq_publish(struct virtq *q, const struct mem *mem) HV_WUR;

/* After virtq_publish: should the driver be interrupted? With EVENT_IDX
 * when the used index passed the driver's used_event since the last
 * interrupt, else unless the driver set NO_INTERRUPT. Updates what was
 * signalled when it answers true. */
bool virtq_should_notify(struct virtq *q, const struct mem *mem);

/* Before the device sleeps: ask for a kick at the next available buffer
 * (EVENT_IDX: avail_event = the next index to take) and say whether
 * buffers arrived meanwhile (true: take them before sleeping). */
bool virtq_arm(struct virtq *q, const struct mem *mem);

/* Entries of the available ring not taken yet (0 when none, or when the
 * index is out of range: virtq_pop reports that). */
unsigned virtq_pending(const struct virtq *q, const struct mem *mem);

/* The EVENT_IDX rule (virtio 1.x 2.7.10): has the index moved from old to
 * new past event? Pure. */
static inline bool
virtq_need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

#endif
