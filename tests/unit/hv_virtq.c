/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hv_virtq.c: the split virtqueue walker (devices/virtq.c) fed crafted
 * rings in guest memory without KVM: chains with their directions and
 * lengths, indirect tables, every rule a driver can break (loops, indexes
 * past the table, a head twice in flight, directions out of order,
 * buffers and tables outside RAM, an available index that jumps, nested
 * or chained indirect descriptors, too many segments), the used ring and
 * EVENT_IDX. TAP. */
#include <errno.h>
#include <string.h>

#include "devices/virtq.h"
#include "mem.h"
#include "tap.h"

#define QS 8
#define DESC 0x10000ULL
#define AVAIL 0x11000ULL
#define USED 0x12000ULL
#define BUF 0x20000ULL
#define IND 0x30000ULL

static struct mem mem;
static struct virtq q;
static struct virtq_seg segs[64];
static struct virtq_chain c = {.seg = segs, .max = 64};
static uint16_t avail_idx;

static void
desc(uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
     uint16_t next)
{
	uint8_t d[16];

	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
	(void)!mem_write(&mem, table + 16 * i, d, 16);
}

static void
offer(uint16_t head)
{
	uint16_t slot = avail_idx % QS;

	(void)!mem_write(&mem, AVAIL + 4 + 2 * slot, &head, 2);
	avail_idx++;
	(void)!mem_write(&mem, AVAIL + 2, &avail_idx, 2);
}

static uint16_t
rd16(uint64_t gpa)
{
	uint16_t v = 0;

	(void)!mem_read(&mem, gpa, &v, 2);
	return v;
}

static void
fresh(bool indirect, bool event_idx)
{
	memset(mem.base, 0, 0x40000);
	memset(&q, 0, sizeof(q));
	q.size = QS;
	q.desc_gpa = DESC;
	q.avail_gpa = AVAIL;
	q.used_gpa = USED;
	q.indirect = indirect;
	q.event_idx = event_idx;
	avail_idx = 0;
}

/* One chain at head 0 from descriptors already written: virtq_pop's rc. */
static int
pop_one(const char **why)
{
	*why = "";
	offer(0);
	return virtq_pop(&q, &mem, &c, why);
}

static void
test_check(void)
{
	const char *why = "";
	int r;

	fresh(false, false);
	r = virtq_check(&q, &mem, &why);
	tap_is_int(r, 0, "rings of 8 in RAM: usable");
	q.size = 6;
	r = virtq_check(&q, &mem, &why);
	tap_is_int(r, -EINVAL, "a size of 6 is refused (%s)", why);
	q.size = QS;
	q.avail_gpa = AVAIL + 1;
	r = virtq_check(&q, &mem, &why);
	tap_is_int(r, -EINVAL, "a misaligned ring is refused (%s)", why);
	q.avail_gpa = AVAIL;
	q.used_gpa = mem.low_size - 8;
	r = virtq_check(&q, &mem, &why);
	tap_is_int(r, -EFAULT,
		   "a used ring past the end of RAM is refused (%s)", why);
}

static void
test_chains(void)
{
	const char *why = "";
	int r;
	uint32_t used[2];

	fresh(false, false);
	r = virtq_pop(&q, &mem, &c, &why);
	tap_is_int(r, 0, "an empty ring: 0");
	desc(DESC, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 3);
	desc(DESC, 3, BUF + 0x1000, 4096,
	     VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 5);
	desc(DESC, 5, BUF + 0x3000, 0, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE,
	     6);
	desc(DESC, 6, BUF + 0x2000, 1, VIRTQ_DESC_F_WRITE, 0);
	tap_ok(pop_one(&why) == 1 && c.head == 0 && c.nseg == 3 &&
		       c.nread == 1 && c.read_len == 16 &&
		       c.write_len == 4097 && c.ndesc == 4 &&
		       segs[1].gpa == BUF + 0x1000 && segs[1].write &&
		       !segs[0].write,
	       "a chain 0 -> 3 -> 5 -> 6: 3 segments (the empty one skipped), "
	       "16 bytes readable, 4097 writable");
	tap_is_int(q.ninflight, 1, "its head is in flight");
	tap_is_int(virtq_push(&q, &mem, 1, 0), -EINVAL,
		   "pushing a head that is not in flight is refused");
	tap_ok(virtq_push(&q, &mem, 0, 4097) == 0 &&
		       virtq_publish(&q, &mem) == 0 && rd16(USED + 2) == 1,
	       "push and publish: used index 1");
	(void)!mem_read(&mem, USED + 4, used, 8);
	tap_ok(used[0] == 0 && used[1] == 4097 && q.ninflight == 0,
	       "used element {id 0, len 4097}");
	tap_ok(virtq_should_notify(&q, &mem), "notify (no NO_INTERRUPT)");
	(void)!mem_write(&mem, AVAIL, &(uint16_t){1}, 2);
	tap_ok(!virtq_should_notify(&q, &mem), "NO_INTERRUPT: no notify");
}

static void
test_rules(void)
{
	const char *why = "";
	int r;

	fresh(false, false);
	desc(DESC, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	desc(DESC, 1, BUF, 16, VIRTQ_DESC_F_NEXT, 0);
	r = pop_one(&why);
	tap_is_int(r, -ELOOP, "0 -> 1 -> 0: -ELOOP (%s)", why);
	tap_ok(q.ninflight == 0 && q.last_avail == 0,
	       "a refused chain leaves the queue as it was");
	fresh(false, false);
	desc(DESC, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 8);
	r = pop_one(&why);
	tap_is_int(r, -EINVAL, "next 8 of 8: -EINVAL (%s)", why);
	fresh(false, false);
	(void)!mem_write(&mem, AVAIL + 4, &(uint16_t){9}, 2);
	(void)!mem_write(&mem, AVAIL + 2, &(uint16_t){1}, 2);
	r = virtq_pop(&q, &mem, &c, &why);
	tap_is_int(r, -EINVAL, "head 9 of 8: -EINVAL (%s)", why);
	fresh(false, false);
	desc(DESC, 0, BUF, 1, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	offer(0);
	r = virtq_pop(&q, &mem, &c, &why) == 1 &&
	    virtq_pop(&q, &mem, &c, &why) == -EBUSY;
	tap_ok(r, "the same head offered twice: -EBUSY (%s)", why);
	fresh(false, false);
	(void)!mem_write(&mem, AVAIL + 2, &(uint16_t){9}, 2);
	r = virtq_pop(&q, &mem, &c, &why);
	tap_is_int(r, -EOVERFLOW,
		   "available index 9 ahead on a queue of 8: -EOVERFLOW (%s)",
		   why);
	fresh(false, false);
	desc(DESC, 0, BUF, 1, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	desc(DESC, 1, BUF, 16, 0, 0);
	r = pop_one(&why);
	tap_is_int(r, -EINVAL, "readable after writable: -EINVAL (%s)", why);
	fresh(false, false);
	desc(DESC, 0, mem.low_size - 8, 16, 0, 0);
	r = pop_one(&why);
	tap_is_int(r, -EFAULT, "a buffer across the end of RAM: -EFAULT (%s)",
		   why);
	fresh(false, false);
	desc(DESC, 0, 0xc0000000ULL, 16, 0, 0);
	r = pop_one(&why);
	tap_is_int(r, -EFAULT, "a buffer in the PCI hole: -EFAULT (%s)", why);
	fresh(false, false);
	desc(DESC, 0, BUF, 0xffffffff, VIRTQ_DESC_F_NEXT, 1);
	desc(DESC, 1, BUF, 0xffffffff, 0, 0);
	r = pop_one(&why);
	tap_is_int(r, -EFAULT, "4 GiB buffers in a 16 MiB guest: -EFAULT (%s)",
		   why);
}

static void
test_indirect(void)
{
	struct virtq_seg few[2];
	struct virtq_chain small = {.seg = few, .max = 2};
	const char *why = "";
	int r;

	fresh(false, false);
	desc(DESC, 0, IND, 48, VIRTQ_DESC_F_INDIRECT, 0);
	r = pop_one(&why);
	tap_is_int(r, -EINVAL, "indirect, not negotiated: -EINVAL (%s)", why);
	fresh(true, false);
	desc(DESC, 0, IND, 48, VIRTQ_DESC_F_INDIRECT, 0);
	desc(IND, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	desc(IND, 1, BUF + 512, 512, VIRTQ_DESC_F_NEXT, 2);
	desc(IND, 2, BUF + 1024, 1, VIRTQ_DESC_F_WRITE, 0);
	tap_ok(pop_one(&why) == 1 && c.indirect && c.nseg == 3 &&
		       c.nread == 2 && c.read_len == 528 && c.write_len == 1,
	       "an indirect table of 3: 3 segments, 528 bytes readable");
	offer(0);
	r = virtq_pop(&q, &mem, &c, &why);
	tap_is_int(r, -EBUSY, "its head again while in flight: -EBUSY");
	fresh(true, false);
	desc(DESC, 0, IND, 48, VIRTQ_DESC_F_INDIRECT, 0);
	desc(IND, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	desc(IND, 1, BUF, 16, VIRTQ_DESC_F_NEXT, 2);
	desc(IND, 2, BUF, 16, 0, 0);
	offer(0);
	r = virtq_pop(&q, &mem, &small, &why);
	tap_is_int(r, -E2BIG,
		   "3 segments for a caller that takes 2: -E2BIG (%s)", why);
	fresh(true, false);
	desc(DESC, 0, IND, 32, VIRTQ_DESC_F_INDIRECT, 0);
	desc(IND, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	desc(IND, 1, BUF, 16, VIRTQ_DESC_F_NEXT, 0);
	r = pop_one(&why);
	tap_is_int(r, -ELOOP, "a loop inside the table: -ELOOP");
	desc(IND, 1, BUF, 16, VIRTQ_DESC_F_NEXT, 2);
	r = pop_one(&why);
	tap_is_int(r, -EINVAL, "next past the indirect table: -EINVAL (%s)",
		   why);
	fresh(true, false);
	desc(DESC, 0, IND, 32, VIRTQ_DESC_F_INDIRECT, 0);
	desc(IND, 0, IND + 0x100, 16, VIRTQ_DESC_F_INDIRECT, 0);
	r = pop_one(&why);
	tap_is_int(r, -EINVAL, "nested indirect: -EINVAL (%s)", why);
	fresh(true, false);
	desc(DESC, 0, IND, 32, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	r = pop_one(&why);
	tap_is_int(r, -EINVAL, "indirect with NEXT: -EINVAL (%s)", why);
	fresh(true, false);
	desc(DESC, 0, IND, 40, VIRTQ_DESC_F_INDIRECT, 0);
	r = pop_one(&why);
	tap_is_int(r, -EINVAL, "an indirect table of 40 bytes: -EINVAL (%s)",
		   why);
	fresh(true, false);
	desc(DESC, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	desc(DESC, 1, IND, 32, VIRTQ_DESC_F_INDIRECT, 0);
	r = pop_one(&why);
	tap_is_int(r, -EINVAL,
		   "indirect as the second descriptor: -EINVAL (%s)", why);
	fresh(true, false);
	desc(DESC, 0, mem.low_size - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
	r = pop_one(&why);
	tap_is_int(r, -EFAULT,
		   "an indirect table across the end of RAM: -EFAULT (%s)",
		   why);
}

static void
test_event_idx(void)
{
	const char *why = "";
	uint16_t ev;

	fresh(false, true);
	desc(DESC, 0, BUF, 1, VIRTQ_DESC_F_WRITE, 0);
	desc(DESC, 1, BUF, 1, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	offer(1);
	tap_is_int(virtq_pending(&q, &mem), 2, "2 pending");
	tap_ok(virtq_pop(&q, &mem, &c, &why) == 1 &&
		       virtq_pop(&q, &mem, &c, &why) == 1 &&
		       !virtq_arm(&q, &mem),
	       "both taken; arming finds nothing new");
	ev = rd16(USED + 4 + 8 * QS);
	tap_is_int(ev, 2, "avail_event = 2 (the next index wanted)");
	offer(0);
	tap_ok(virtq_arm(&q, &mem), "arming sees a buffer offered meanwhile");
	/* used_event 1: interrupt once the used index passes 1. */
	(void)!mem_write(&mem, AVAIL + 4 + 2 * QS, &(uint16_t){1}, 2);
	tap_ok(virtq_push(&q, &mem, 0, 1) == 0 && !virtq_publish(&q, &mem) &&
		       virtq_should_notify(&q, &mem),
	       "first completion: notify");
	tap_ok(virtq_push(&q, &mem, 1, 1) == 0 && !virtq_publish(&q, &mem) &&
		       virtq_should_notify(&q, &mem),
	       "used 1 -> 2 passes used_event 1: notify");
	(void)!mem_write(&mem, AVAIL + 4 + 2 * QS, &(uint16_t){9}, 2);
	tap_ok(virtq_pop(&q, &mem, &c, &why) == 1 &&
		       virtq_push(&q, &mem, 0, 1) == 0 &&
		       !virtq_publish(&q, &mem) &&
		       !virtq_should_notify(&q, &mem),
	       "used 2 -> 3 before used_event 9: no notify");
	tap_ok(virtq_need_event(0xffff, 0, 0xfffe) &&
		       !virtq_need_event(5, 3, 2),
	       "vring_need_event across the 16-bit wrap");
}

int
main(void)
{
	if (mem_init(&mem, 16ULL << 20) < 0)
		tap_skip_all("no memory");
	test_check();
	test_chains();
	test_rules();
	test_indirect();
	test_event_idx();
	mem_dispose(&mem);
	return tap_done();
}
