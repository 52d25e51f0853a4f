/* SPDX-License-Identifier: GPL-2.0-or-later */
/* blk.c: a virtio-blk driver for the test guest (modern virtio-pci, one
 * queue of 64, MSI-X on the BSP or polling): capacity, read-only flag and
 * serial of each disk, a CRC32 over a sector range, a pattern written to a
 * range, flush, discard and write-zeroes, and ACPI PCI hot-plug (GPE0 bit
 * 1: the up/down/eject registers of xmhv_platform.h). Reads go through an
 * indirect table when the device offers one, writes through a direct
 * chain, and every data buffer is split into 4 KiB descriptors. */
#include "guest.h"
#include "xmhv_platform.h"

#define BLK_MAX 16
#define BLK_QSIZE 64
#define BLK_CHUNK 65536 /* bytes per request */
#define BLK_SEG 4096
#define BLK_WAIT_TICKS (30 * GUEST_HZ)
#define VF_RO (1ull << 5)
#define VF_BLK_SIZE (1ull << 6)
#define VF_FLUSH (1ull << 9)
#define VF_DISCARD (1ull << 13)
#define VF_WZ (1ull << 14)
#define VF_INDIRECT (1ull << 28)
#define VF_EVENT_IDX (1ull << 29)
#define D_NEXT 1
#define D_WRITE 2
#define D_INDIRECT 4

struct blk_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

/* One page of DMA memory per disk: its rings (the used ring 4-aligned,
 * its avail_event right after its elements) and a request's header,
 * status and id. */
struct blk_page {
	struct blk_desc desc[BLK_QSIZE];
	struct blk_desc ind[BLK_QSIZE]; /* the indirect table */
	uint16_t avail[2 + BLK_QSIZE + 1];
	uint16_t used_hdr[2] __attribute__((aligned(4)));
	uint32_t used[2 * BLK_QSIZE];
	uint16_t avail_event;
	uint8_t hdr[16], status;
	uint8_t id[20];
};
_Static_assert(sizeof(struct blk_page) <= 4096, "one page per disk");

struct blk_disk {
	int present;
	struct vpci_dev v;
	uint64_t capacity, features;
	uint16_t notify_off, avail_idx, last_used;
	char serial[21];
	struct blk_page *pg;
};

static struct blk_disk blk_disks[BLK_MAX];
static volatile uint32_t blk_irqs;
volatile uint32_t blk_hp_pending;
extern uint8_t blk_dma[], blk_buf[];
__asm__(".section .stack, \"aw\", @nobits\n.p2align 12\n"
	".globl blk_dma\nblk_dma:\n.skip 4096 * 16\n"
	".globl blk_buf\nblk_buf:\n.skip 65536\n.previous");

static volatile uint8_t *
blk_p8(uint64_t a)
{
	return (volatile uint8_t *)(uintptr_t)a;
}

static volatile uint16_t *
blk_p16(uint64_t a)
{
	return (volatile uint16_t *)(uintptr_t)a;
}

static volatile uint32_t *
blk_p32(uint64_t a)
{
	return (volatile uint32_t *)(uintptr_t)a;
}

/* blk_irq: the MSI-X vector of every disk's queue (interrupt context). */
void
blk_irq(void)
{
	blk_irqs++;
}

static void
blk_kick(struct blk_disk *d)
{
	*blk_p16(d->v.notify + (uint64_t)d->notify_off * d->v.notify_mult) = 0;
}

/* Submit the chain of descriptors desc[0..n) (or an indirect table) and
 * wait for it: the status byte, or -1 on a timeout or a device that needs
 * a reset. */
static int
blk_submit(struct blk_disk *d, unsigned n, int indirect)
{
	struct blk_page *pg = d->pg;
	volatile uint16_t *used_idx = &pg->used_hdr[1];
	uint64_t t0 = ticks;
	unsigned i;

	if (indirect) {
		for (i = 0; i < n; i++) {
			pg->ind[i] = pg->desc[i];
			pg->ind[i].next = (uint16_t)(i + 1);
		}
		pg->desc[0] =
			(struct blk_desc){(uint64_t)(uintptr_t)pg->ind,
					  (uint32_t)(n * 16), D_INDIRECT, 0};
	}
	pg->avail[2 + d->avail_idx % BLK_QSIZE] = 0;
	pg->avail[2 + BLK_QSIZE] = d->last_used; /* used_event */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	pg->avail[1] = ++d->avail_idx;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	blk_kick(d);
	for (;;) {
		__asm__ volatile("cli" ::: "memory");
		if (*used_idx != d->last_used)
			break;
		if (*blk_p8(d->v.common + 0x14) & 0x40 ||
		    ticks - t0 > BLK_WAIT_TICKS) {
			__asm__ volatile("sti" ::: "memory");
			return -1;
		}
		__asm__ volatile("sti; hlt" ::: "memory");
	}
	__asm__ volatile("sti" ::: "memory");
	d->last_used++;
	return pg->status;
}

/* A request: header, the data buffer in 4 KiB descriptors, status. */
static int
blk_request(struct blk_disk *d, uint32_t type, uint64_t sector, void *buf,
	    uint32_t len, int device_writes)
{
	struct blk_page *pg = d->pg;
	unsigned n = 0, off;

	memset(pg->hdr, 0, sizeof(pg->hdr));
	memcpy(pg->hdr, &type, 4);
	memcpy(pg->hdr + 8, &sector, 8);
	pg->status = 0xff;
	pg->desc[n++] =
		(struct blk_desc){(uint64_t)(uintptr_t)pg->hdr, 16, D_NEXT, 1};
	for (off = 0; off < len; off += BLK_SEG, n++)
		pg->desc[n] = (struct blk_desc){
			(uint64_t)(uintptr_t)buf + off,
			len - off < BLK_SEG ? len - off : BLK_SEG,
			(uint16_t)(D_NEXT | (device_writes ? D_WRITE : 0)),
			(uint16_t)(n + 1)};
	pg->desc[n++] = (struct blk_desc){(uint64_t)(uintptr_t)&pg->status, 1,
					  D_WRITE, 0};
	return blk_submit(d, n, device_writes && (d->features & VF_INDIRECT));
}

static uint64_t
blk_mmio64(uint64_t a)
{
	return *blk_p32(a) | (uint64_t)*blk_p32(a + 4) << 32;
}

/* Bring the disk in d->v.slot up. 0, or -1 with a reason printed. */
static int
blk_init(struct blk_disk *d, struct blk_page *pg)
{
	uint64_t c;

	d->pg = pg;
	memset(pg, 0, sizeof(*pg));
	if ((vpci_map(&d->v) & 0x1e) != 0x1e) {
		console_printf("blk: 00:%02x.0: virtio capabilities missing\n",
			       d->v.slot);
		return -1;
	}
	d->features = vpci_negotiate(&d->v,
				     VF_RO | VF_BLK_SIZE | VF_FLUSH |
					     VF_DISCARD | VF_WZ | VF_INDIRECT |
					     VF_EVENT_IDX | VPCI_F_VERSION_1,
				     "blk");
	if (!d->features)
		return -1;
	vpci_msix_route(&d->v, 1, VEC_VIRTIO);
	c = d->v.common;
	*blk_p16(c + 0x10) = 0xffff; /* no configuration interrupt */
	*blk_p16(c + 0x16) = 0;
	*blk_p16(c + 0x18) = BLK_QSIZE;
	*blk_p16(c + 0x1a) = d->v.msix ? 1 : 0xffff;
	d->notify_off = *blk_p16(c + 0x1e);
	*blk_p32(c + 0x20) = (uint32_t)(uintptr_t)pg->desc;
	*blk_p32(c + 0x24) = 0;
	*blk_p32(c + 0x28) = (uint32_t)(uintptr_t)pg->avail;
	*blk_p32(c + 0x2c) = 0;
	*blk_p32(c + 0x30) = (uint32_t)(uintptr_t)pg->used_hdr;
	*blk_p32(c + 0x34) = 0;
	*blk_p16(c + 0x1c) = 1;
	*blk_p8(c + 0x14) = 1 | 2 | 8 | 4;
	d->avail_idx = d->last_used = 0;
	d->capacity = blk_mmio64(d->v.devcfg);
	memset(pg->id, 0, sizeof(pg->id));
	if (blk_request(d, 8, 0, pg->id, 20, 1) != 0)
		console_printf("blk: 00:%02x.0: no serial\n", d->v.slot);
	memcpy(d->serial, pg->id, 20);
	d->serial[20] = 0;
	d->present = 1;
	return 0;
}

static void
blk_print(const char *what, unsigned i)
{
	const struct blk_disk *d = &blk_disks[i];

	console_printf("blk: %svd%c 00:%02x.0 sectors %lu ro %d serial %s "
		       "msix %d\n",
		       what, 'a' + i, d->v.slot, d->capacity,
		       (d->features & VF_RO) ? 1 : 0, d->serial, d->v.msix);
}

/* Bring up the virtio-blk function in slot as the first free vdX. */
static void
blk_add(unsigned slot, const char *what)
{
	uint32_t id = pci_cfg32(slot, 0);
	unsigned i;

	if (id != (0x1042u << 16 | 0x1af4u))
		return;
	for (i = 0; i < BLK_MAX; i++)
		if (blk_disks[i].present && blk_disks[i].v.slot == slot)
			return;
	for (i = 0; i < BLK_MAX && blk_disks[i].present; i++)
		;
	if (i == BLK_MAX)
		return;
	blk_disks[i].v.slot = slot;
	if (blk_init(&blk_disks[i], (struct blk_page *)(blk_dma + 4096 * i)) ==
	    0)
		blk_print(what, i);
}

static void blk_range(const char *op, struct blk_disk *d, unsigned idx,
		      uint64_t start, uint64_t count, uint64_t seed);

/* blk_scan: every virtio-blk on bus 0, as vda, vdb, ... then the CRC32
 * of each one's first MiB (or all of it, when smaller), so a test can
 * compare the guest's reading with the host's without typing. BSP, at
 * boot. */
void
blk_scan(void)
{
	unsigned slot, i;

	for (slot = 1; slot < 32; slot++)
		blk_add(slot, "");
	for (i = 0; i < BLK_MAX; i++)
		if (blk_disks[i].present)
			blk_range("crc", &blk_disks[i], i, 0,
				  blk_disks[i].capacity < 2048
					  ? blk_disks[i].capacity
					  : 2048,
				  0);
}

/* blk_hotplug: GPE0 bit 1 (the SCI handler set blk_hp_pending): eject
 * what the monitor asks for, bring up what it plugged. BSP, main loop. */
void
blk_hotplug(void)
{
	uint32_t up, down;
	unsigned i, slot;

	blk_hp_pending = 0;
	up = inl(XMHV_PCIHP_PORT);
	down = inl(XMHV_PCIHP_DOWN_PORT);
	for (i = 0; i < BLK_MAX; i++) {
		struct blk_disk *d = &blk_disks[i];

		if (!d->present || !(down & (1u << d->v.slot)))
			continue;
		*blk_p8(d->v.common + 0x14) = 0; /* reset: the device stops */
		d->present = 0;
		console_printf("blk: removed vd%c serial %s\n", 'a' + i,
			       d->serial);
		outl(XMHV_PCIHP_EJECT_PORT, 1u << d->v.slot);
	}
	for (slot = 1; slot < 32; slot++)
		if (up & (1u << slot))
			blk_add(slot, "added ");
	net_hotplug(up, down); /* the same registers name NICs too */
}

/* ---- the shell command ---- */

static int
blk_word(const char **s, char *out, unsigned max)
{
	unsigned n = 0;

	while (**s == ' ')
		(*s)++;
	while (**s && **s != ' ' && n + 1 < max)
		out[n++] = *(*s)++;
	out[n] = 0;
	while (**s && **s != ' ')
		(*s)++;
	return n ? 0 : -1;
}

static int
blk_num(const char **s, uint64_t *v)
{
	char w[24];

	return blk_word(s, w, sizeof(w)) || lib_parse_uint(w, v) ? -1 : 0;
}

/* A disk by its guest name (vda) or its serial. */
static struct blk_disk *
blk_find(const char *name, unsigned *idx)
{
	unsigned i;

	for (i = 0; i < BLK_MAX; i++) {
		struct blk_disk *d = &blk_disks[i];

		if (!d->present)
			continue;
		if ((name[0] == 'v' && name[1] == 'd' &&
		     name[2] == 'a' + (int)i && !name[3]) ||
		    !lib_strncmp(name, d->serial, 21)) {
			*idx = i;
			return d;
		}
	}
	console_printf("blk: no disk %s\n", name);
	return 0;
}

/* The byte at disk offset o of pattern seed (tests compute it too). */
static uint8_t
blk_pattern(uint64_t seed, uint64_t o)
{
	return (uint8_t)(seed ^ (o & 0xff) ^ (o >> 9));
}

/* crc, write, zero, discard over [start, start + count) in chunks. */
static void
blk_range(const char *op, struct blk_disk *d, unsigned idx, uint64_t start,
	  uint64_t count, uint64_t seed)
{
	uint64_t s, n, i, base;
	uint32_t crc = 0, type, range[4];
	int st = 0;

	if (count > d->capacity || start > d->capacity - count) {
		console_printf("blk %s vd%c: range past the disk\n", op,
			       'a' + idx);
		return;
	}
	for (s = start; s < start + count && st == 0; s += n) {
		n = start + count - s < BLK_CHUNK / 512 ? start + count - s
							: BLK_CHUNK / 512;
		if (op[0] == 'c') {
			st = blk_request(d, 0, s, blk_buf, (uint32_t)n * 512,
					 1);
			if (st == 0)
				crc = lib_crc32(crc, blk_buf, n * 512);
			continue;
		}
		if (op[0] == 'w') {
			base = s * 512;
			for (i = 0; i < n * 512; i++)
				blk_buf[i] = blk_pattern(seed, base + i);
			st = blk_request(d, 1, s, blk_buf, (uint32_t)n * 512,
					 0);
			continue;
		}
		/* zero, discard: one range per request */
		n = start + count - s;
		type = op[0] == 'z' ? 13 : 11;
		range[0] = (uint32_t)s;
		range[1] = (uint32_t)(s >> 32);
		range[2] = (uint32_t)n;
		range[3] = 0;
		memcpy(blk_buf, range, 16);
		st = blk_request(d, type, 0, blk_buf, 16, 0);
	}
	if (st != 0)
		console_printf("blk %s vd%c: error status %d at sector %lu\n",
			       op, 'a' + idx, st, s - n);
	else if (op[0] == 'c')
		console_printf("blk crc vd%c %lu+%lu: crc32 %08x\n", 'a' + idx,
			       start, count, crc);
	else
		console_printf("blk %s vd%c %lu+%lu: ok\n", op, 'a' + idx,
			       start, count);
}

/* blk_cmd: the shell's "blk" command. BSP. */
void
blk_cmd(const char *args)
{
	char op[16], name[24];
	uint64_t a = 0, b = 0, seed = 0;
	struct blk_disk *d;
	unsigned i;
	int st;

	if (blk_word(&args, op, sizeof(op)) || !lib_strncmp(op, "list", 5)) {
		for (i = 0; i < BLK_MAX; i++)
			if (blk_disks[i].present)
				blk_print("", i);
		console_printf("blk: end of list\n");
		return;
	}
	if (!lib_strncmp(op, "rescan", 7)) {
		blk_hotplug();
		console_printf("blk: rescanned\n");
		return;
	}
	if (blk_word(&args, name, sizeof(name)) || !(d = blk_find(name, &i)))
		goto usage;
	if (!lib_strncmp(op, "flush", 6)) {
		st = blk_request(d, 4, 0, 0, 0, 0);
		if (st)
			console_printf("blk flush vd%c: error status %d\n",
				       'a' + i, st);
		else
			console_printf("blk flush vd%c: ok\n", 'a' + i);
		return;
	}
	if (blk_num(&args, &a) || blk_num(&args, &b))
		goto usage;
	if (!lib_strncmp(op, "write", 6) && blk_num(&args, &seed))
		goto usage;
	if (!lib_strncmp(op, "crc", 4) || !lib_strncmp(op, "write", 6) ||
	    !lib_strncmp(op, "zero", 5) || !lib_strncmp(op, "discard", 8)) {
		blk_range(op, d, i, a, b, seed);
		return;
	}
usage:
	console_printf("usage: blk [list] | blk rescan | blk flush DISK | "
		       "blk crc|zero|discard DISK SECTOR COUNT | blk write "
		       "DISK SECTOR COUNT SEED\n");
}
