/* SPDX-License-Identifier: GPL-2.0-or-later */
/* net.c: a virtio-net driver for the test guest (modern virtio-pci, a
 * receive queue of 32 buffers of 2 KiB with MRG_RXBUF, a transmit queue
 * of 32, the receive queue's MSI-X vector on the BSP): each NIC reports its
 * slot, MAC and link, and answers ARP requests and ICMP echo requests for
 * the IPv4 address of the kernel's ip= argument (its first field; its
 * sixth, ethN, says which NIC, eth0 when empty) from the interrupt
 * handler. ACPI PCI hot-plug brings NICs up and lets them go (net_hotplug,
 * from blk_hotplug, which reads the slot registers). */
#include "guest.h"
#include "xmhv_platform.h"

#define NET_MAX 4
#define NET_RXQ 32
#define NET_TXQ 32
#define NET_BUF 2048
#define NET_HDR 12
#define VF_MAC (1ull << 5)
#define VF_MRG_RXBUF (1ull << 15)
#define VF_STATUS (1ull << 16)
#define D_WRITE 2

struct net_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

/* A queue's rings (size up to NET_RXQ). */
struct net_ring {
	struct net_desc desc[NET_RXQ];
	uint16_t avail[2 + NET_RXQ + 1];
	uint16_t used_hdr[2] __attribute__((aligned(4)));
	uint32_t used[2 * NET_RXQ];
	uint16_t avail_event;
};

struct net_page {
	struct net_ring rx, tx;
};
_Static_assert(sizeof(struct net_page) <= 4096, "one page per NIC");

struct net_nic {
	int present;
	unsigned index;
	struct vpci_dev v;
	uint64_t features;
	uint16_t rx_noff, tx_noff, rx_avail, rx_used, tx_avail, tx_used;
	uint8_t mac[6];
	uint32_t ip; /* network order, 0: none */
	int link;
	uint32_t rx, arp, icmp, tx, nbuf_bad;
	struct net_page *pg;
	uint8_t *rxbuf, *txbuf;
};

static struct net_nic net_nics[NET_MAX];
extern uint8_t net_dma[], net_bufs[];
__asm__(".section .stack, \"aw\", @nobits\n.p2align 12\n"
	".globl net_dma\nnet_dma:\n.skip 4096 * 4\n"
	".globl net_bufs\nnet_bufs:\n.skip 2048 * 64 * 4\n.previous");

#define P8(a) (*(volatile uint8_t *)(uintptr_t)(a))
#define P16(a) (*(volatile uint16_t *)(uintptr_t)(a))
#define P32(a) (*(volatile uint32_t *)(uintptr_t)(a))

static uint16_t
net_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint16_t
net_csum(const uint8_t *p, unsigned len)
{
	uint32_t s = 0;
	unsigned i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* ---- the datapath (interrupt context on the BSP, or the shell with
 * interrupts off) ---- */

static void
net_kick(struct net_nic *n, uint16_t noff)
{
	P16(n->v.notify + (uint64_t)noff * n->v.notify_mult) = 0;
}

/* Send frame[0..len) (len <= NET_BUF - NET_HDR), dropped when the
 * transmit ring is full. */
static void
net_send(struct net_nic *n, const uint8_t *frame, unsigned len)
{
	struct net_ring *r = &n->pg->tx;
	volatile uint16_t *used_idx = &r->used_hdr[1];
	unsigned slot;
	uint8_t *b;

	n->tx_used = *used_idx;
	if ((uint16_t)(n->tx_avail - n->tx_used) >= NET_TXQ)
		return;
	slot = n->tx_avail % NET_TXQ;
	b = n->txbuf + (uint64_t)slot * NET_BUF;
	memset(b, 0, NET_HDR);
	memcpy(b + NET_HDR, frame, len);
	r->desc[slot] =
		(struct net_desc){(uint64_t)(uintptr_t)b, NET_HDR + len, 0, 0};
	r->avail[2 + n->tx_avail % NET_TXQ] = (uint16_t)slot;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	r->avail[1] = ++n->tx_avail;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	net_kick(n, n->tx_noff);
	n->tx++;
}

/* An ARP request or ICMP echo request for n->ip: answered. */
static void
net_answer(struct net_nic *n, uint8_t *f, unsigned len)
{
	uint8_t out[NET_BUF - NET_HDR];
	unsigned ihl, tot;
	uint16_t c;

	if (len < 42 || !n->ip)
		return;
	if (net_be16(f + 12) == 0x0806 && net_be16(f + 20) == 1 &&
	    !memcmp(f + 38, &n->ip, 4)) {
		memcpy(out, f + 6, 6);      /* to the asker */
		memcpy(out + 6, n->mac, 6); /* from us */
		memcpy(out + 12, f + 12, 8);
		out[20] = 0, out[21] = 2; /* reply */
		memcpy(out + 22, n->mac, 6);
		memcpy(out + 28, &n->ip, 4);
		memcpy(out + 32, f + 22, 10); /* the asker's MAC and IP */
		net_send(n, out, 42);
		n->arp++;
		return;
	}
	if (net_be16(f + 12) != 0x0800 || (f[14] >> 4) != 4 || f[23] != 1)
		return;
	ihl = (f[14] & 15u) * 4;
	tot = net_be16(f + 16);
	if (ihl < 20 || tot < ihl + 8 || 14 + tot > len ||
	    14 + tot > sizeof(out) || memcmp(f + 30, &n->ip, 4) ||
	    f[14 + ihl] != 8)
		return;
	memcpy(out, f + 6, 6);
	memcpy(out + 6, n->mac, 6);
	memcpy(out + 12, f + 12, 2 + tot);
	memcpy(out + 26, f + 30, 4); /* source: us */
	memcpy(out + 30, f + 26, 4); /* destination: the asker */
	out[22] = 64;
	out[24] = out[25] = 0;
	c = net_csum(out + 14, ihl);
	out[24] = (uint8_t)(c >> 8), out[25] = (uint8_t)c;
	out[14 + ihl] = 0; /* echo reply */
	out[14 + ihl + 2] = out[14 + ihl + 3] = 0;
	c = net_csum(out + 14 + ihl, tot - ihl);
	out[14 + ihl + 2] = (uint8_t)(c >> 8), out[14 + ihl + 3] = (uint8_t)c;
	net_send(n, out, 14 + tot);
	n->icmp++;
}

/* Offer receive buffer id again. */
static void
net_rx_post(struct net_nic *n, uint16_t id)
{
	struct net_ring *r = &n->pg->rx;

	r->desc[id] = (struct net_desc){
		(uint64_t)(uintptr_t)(n->rxbuf + (uint64_t)id * NET_BUF),
		NET_BUF, D_WRITE, 0};
	r->avail[2 + n->rx_avail % NET_RXQ] = id;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	r->avail[1] = ++n->rx_avail;
}

static void
net_poll(struct net_nic *n)
{
	struct net_ring *r = &n->pg->rx;
	volatile uint16_t *used_idx = &r->used_hdr[1];
	uint32_t id, len;
	uint16_t nbuf;
	uint8_t *b;
	int posted = 0;

	while (*used_idx != n->rx_used) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		id = r->used[2 * (n->rx_used % NET_RXQ)];
		len = r->used[2 * (n->rx_used % NET_RXQ) + 1];
		n->rx_used++;
		if (id >= NET_RXQ)
			continue;
		b = n->rxbuf + (uint64_t)id * NET_BUF;
		memcpy(&nbuf, b + 10, 2);
		n->rx++;
		if (nbuf != 1)
			n->nbuf_bad++; /* 2 KiB holds every frame we answer */
		else if (len > NET_HDR)
			net_answer(n, b + NET_HDR, len - NET_HDR);
		net_rx_post(n, (uint16_t)id);
		posted = 1;
	}
	if (posted)
		net_kick(n, n->rx_noff);
}

/* net_irq: the virtio MSI-X vector (shared with blk). Interrupt context. */
void
net_irq(void)
{
	unsigned i;

	for (i = 0; i < NET_MAX; i++)
		if (net_nics[i].present)
			net_poll(&net_nics[i]);
}

/* ---- bring-up ---- */

/* Queue q of size qs at ring r, MSI-X vector vec (0xffff: none). */
static uint16_t
net_queue(struct net_nic *n, unsigned q, unsigned qs, struct net_ring *r,
	  uint16_t vec)
{
	uint64_t c = n->v.common;

	P16(c + 0x16) = (uint16_t)q;
	P16(c + 0x18) = (uint16_t)qs;
	P16(c + 0x1a) = vec;
	P32(c + 0x20) = (uint32_t)(uintptr_t)r->desc;
	P32(c + 0x24) = 0;
	P32(c + 0x28) = (uint32_t)(uintptr_t)r->avail;
	P32(c + 0x2c) = 0;
	P32(c + 0x30) = (uint32_t)(uintptr_t)r->used_hdr;
	P32(c + 0x34) = 0;
	P16(c + 0x1c) = 1;
	return P16(c + 0x1e);
}

/* The address of ip= for NIC index i (network order), or 0. */
static uint32_t
net_cmdline_ip(unsigned i)
{
	const char *s = boot.cmdline, *f;
	uint32_t ip = 0, part;
	unsigned k, field;

	for (; *s; s++)
		if ((s == boot.cmdline || s[-1] == ' ') &&
		    !lib_strncmp(s, "ip=", 3))
			break;
	if (!*s)
		return 0;
	s += 3;
	/* the sixth field names the device: ethN */
	for (f = s, field = 0; *f && *f != ' ' && field < 5; f++)
		if (*f == ':')
			field++;
	if (field == 5 && f[0] == 'e' && f[1] == 't' && f[2] == 'h' &&
			    f[3] >= '0' && f[3] <= '9'
		    ? (unsigned)(f[3] - '0') != i
		    : i != 0)
		return 0;
	for (k = 0; k < 4; k++) {
		for (part = 0; *s >= '0' && *s <= '9'; s++)
			part = part * 10 + (uint32_t)(*s - '0');
		if (part > 255 || (k < 3 && *s != '.'))
			return 0;
		ip |= part << (8 * k);
		s++;
	}
	return ip;
}

static int
net_init(struct net_nic *n)
{
	uint64_t c;
	unsigned i;

	memset(n->pg, 0, sizeof(*n->pg));
	if ((vpci_map(&n->v) & 0x16) != 0x16) {
		console_printf("net: 00:%02x.0: virtio capabilities missing\n",
			       n->v.slot);
		return -1;
	}
	n->features = vpci_negotiate(
		&n->v, VF_MAC | VF_STATUS | VF_MRG_RXBUF | VPCI_F_VERSION_1,
		"net");
	if (!n->features)
		return -1;
	vpci_msix_route(&n->v, 1, VEC_VIRTIO);
	c = n->v.common;
	P16(c + 0x10) = 0xffff;
	n->rx_noff =
		net_queue(n, 0, NET_RXQ, &n->pg->rx, n->v.msix ? 1 : 0xffff);
	n->tx_noff = net_queue(n, 1, NET_TXQ, &n->pg->tx, 0xffff);
	n->rx_avail = n->rx_used = n->tx_avail = n->tx_used = 0;
	for (i = 0; i < NET_RXQ; i++)
		net_rx_post(n, (uint16_t)i);
	for (i = 0; i < 6; i++)
		n->mac[i] = P8(n->v.devcfg + i);
	n->link = (n->features & VF_STATUS) ? P16(n->v.devcfg + 6) & 1 : 1;
	n->ip = net_cmdline_ip(n->index);
	n->rx = n->arp = n->icmp = n->tx = n->nbuf_bad = 0;
	__asm__ volatile("cli" ::: "memory");
	n->present = 1;
	P8(c + 0x14) = 1 | 2 | 8 | 4;
	net_kick(n, n->rx_noff);
	__asm__ volatile("sti" ::: "memory");
	return 0;
}

static void
net_print(const char *what, const struct net_nic *n)
{
	const uint8_t *ip = (const uint8_t *)&n->ip;

	console_printf("net: %seth%u 00:%02x.0 mac "
		       "%02x:%02x:%02x:%02x:%02x:%02x ip %u.%u.%u.%u link %d "
		       "msix %d mrg %d rx %u arp %u icmp %u tx %u bad %u\n",
		       what, n->index, n->v.slot, n->mac[0], n->mac[1],
		       n->mac[2], n->mac[3], n->mac[4], n->mac[5], ip[0], ip[1],
		       ip[2], ip[3], n->link, n->v.msix,
		       (n->features & VF_MRG_RXBUF) ? 1 : 0, n->rx, n->arp,
		       n->icmp, n->tx, n->nbuf_bad);
}

/* Bring up the virtio-net function in slot as the first free ethN. */
static void
net_add(unsigned slot, const char *what)
{
	uint32_t id = pci_cfg32(slot, 0);
	struct net_nic *n;
	unsigned i;

	if (id != (0x1041u << 16 | 0x1af4u))
		return;
	for (i = 0; i < NET_MAX; i++)
		if (net_nics[i].present && net_nics[i].v.slot == slot)
			return;
	for (i = 0; i < NET_MAX && net_nics[i].present; i++)
		;
	if (i == NET_MAX)
		return;
	n = &net_nics[i];
	n->v.slot = slot;
	n->index = i;
	n->v.msix = 0;
	n->pg = (struct net_page *)(net_dma + 4096 * i);
	n->rxbuf = net_bufs + (uint64_t)NET_BUF * (NET_RXQ + NET_TXQ) * i;
	n->txbuf = n->rxbuf + (uint64_t)NET_BUF * NET_RXQ;
	if (net_init(n) == 0)
		net_print(what, n);
}

/* net_scan: every virtio-net on bus 0, as eth0, eth1, ... BSP, at boot. */
void
net_scan(void)
{
	unsigned slot;

	for (slot = 1; slot < 32; slot++)
		net_add(slot, "");
}

/* net_hotplug: the slots the monitor plugged (up) and wants back (down),
 * as blk_hotplug read them. BSP, main loop. */
void
net_hotplug(uint32_t up, uint32_t down)
{
	unsigned i, slot;

	for (i = 0; i < NET_MAX; i++) {
		struct net_nic *n = &net_nics[i];

		if (!n->present || !(down & (1u << n->v.slot)))
			continue;
		__asm__ volatile("cli" ::: "memory");
		n->present = 0;
		__asm__ volatile("sti" ::: "memory");
		P8(n->v.common + 0x14) = 0; /* reset: the device stops */
		console_printf("net: removed eth%u mac "
			       "%02x:%02x:%02x:%02x:%02x:%02x\n",
			       i, n->mac[0], n->mac[1], n->mac[2], n->mac[3],
			       n->mac[4], n->mac[5]);
		outl(XMHV_PCIHP_EJECT_PORT, 1u << n->v.slot);
	}
	for (slot = 1; slot < 32; slot++)
		if (up & (1u << slot))
			net_add(slot, "added ");
}

/* "net send COUNT SIZE [ethN]": COUNT broadcast frames of SIZE bytes
 * (ethertype 0x88b5, the local experimental one; the frame's number in
 * its first payload bytes) from eth0 or ethN, waiting for room in the transmit ring (the
 * device may hold frames back: rate=). BSP. */
static void
net_send_cmd(const char *args)
{
	static uint8_t f[NET_BUF - NET_HDR];
	struct net_nic *n = &net_nics[0];
	uint64_t count = 0, size = 0, i, t0 = ticks, t;
	const char *s = args;
	char w[24];
	unsigned k;
	uint16_t sent;

	for (k = 0; k < 3; k++) {
		unsigned m = 0;

		while (*s == ' ')
			s++;
		while (*s && *s != ' ' && m + 1 < sizeof(w))
			w[m++] = *s++;
		w[m] = 0;
		if (k == 2) /* ethN: another NIC than eth0 */
			n = !lib_strncmp(w, "eth", 3) && w[3] >= '0' &&
					    w[3] < '0' + NET_MAX && !w[4]
				    ? &net_nics[w[3] - '0']
			    : w[0] ? 0
				   : n;
		else if (lib_parse_uint(w, k ? &size : &count))
			count = 0;
	}
	if (!n || !n->present || !count || size < 60 || size > sizeof(f)) {
		console_printf("usage: net send COUNT SIZE [ethN] (60..%u "
			       "bytes, from eth0 unless named)\n",
			       (unsigned)sizeof(f));
		return;
	}
	memset(f, 0xff, 6);
	memcpy(f + 6, n->mac, 6);
	f[12] = 0x88, f[13] = 0xb5;
	for (i = 0; i < count; i++) {
		memcpy(f + 14, &i, 8);
		for (;;) {
			__asm__ volatile("cli" ::: "memory");
			sent = n->tx;
			n->tx_used = n->pg->tx.used_hdr[1];
			if ((uint16_t)(n->tx_avail - n->tx_used) < NET_TXQ)
				net_send(n, f, (unsigned)size);
			__asm__ volatile("sti" ::: "memory");
			if (n->tx != sent || ticks - t0 > 30 * GUEST_HZ)
				break;
			cpu_relax();
		}
		if (n->tx == sent)
			break;
	}
	t = ticks - t0;
	console_printf("net send eth%u: %lu frames of %lu bytes in %lu ticks\n",
		       n->index, i, size, t);
}

/* net_cmd: the shell's "net" command: every NIC and its counters, or
 * "net send". BSP. */
void
net_cmd(const char *args)
{
	unsigned i;

	if (!lib_strncmp(args, "send ", 5)) {
		net_send_cmd(args + 5);
		return;
	}
	for (i = 0; i < NET_MAX; i++) {
		if (!net_nics[i].present)
			continue;
		__asm__ volatile("cli" ::: "memory");
		net_poll(&net_nics[i]); /* without MSI-X: polled here */
		__asm__ volatile("sti" ::: "memory");
		net_print("", &net_nics[i]);
	}
	console_printf("net: end of list\n");
}
