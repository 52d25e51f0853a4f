/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_net_io.c: virtio-net's pure rules (features, their dependencies,
 * the tap offloads they allow, the configuration space, the transmit
 * token bucket) and its datapath: a packet of the tap is read with one
 * readv straight into the guest's receive buffers (with MRG_RXBUF as many
 * chains as the largest packet may need are taken ahead, or all the driver
 * gave; num_buffers says how many it filled; a packet larger than what was
 * given is dropped), a transmit chain goes to the tap with one writev of
 * its buffers. The 12-byte virtio-net header is the tap's own
 * (IFF_VNET_HDR): the kernel checks what a guest's header asks for. */
#include <endian.h>
#include <errno.h>
#include <linux/if_tun.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"
#include "virtio_net_int.h"

#define VNET_BIT(n) (1ULL << (n))

uint64_t
vnet_features(void)
{
	return VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX) |
	       VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VNET_BIT(VNET_F_MAC) |
	       VNET_BIT(VNET_F_STATUS) | VNET_BIT(VNET_F_CSUM) |
	       VNET_BIT(VNET_F_GUEST_CSUM) | VNET_BIT(VNET_F_GUEST_TSO4) |
	       VNET_BIT(VNET_F_GUEST_TSO6) | VNET_BIT(VNET_F_GUEST_ECN) |
	       VNET_BIT(VNET_F_HOST_TSO4) | VNET_BIT(VNET_F_HOST_TSO6) |
	       VNET_BIT(VNET_F_HOST_ECN) | VNET_BIT(VNET_F_MRG_RXBUF);
}

bool
vnet_features_ok(uint64_t f)
{
	uint64_t gtso =
		VNET_BIT(VNET_F_GUEST_TSO4) | VNET_BIT(VNET_F_GUEST_TSO6);
	uint64_t htso = VNET_BIT(VNET_F_HOST_TSO4) | VNET_BIT(VNET_F_HOST_TSO6);

	if ((f & gtso) && !(f & VNET_BIT(VNET_F_GUEST_CSUM)))
		return false;
	if ((f & htso) && !(f & VNET_BIT(VNET_F_CSUM)))
		return false;
	if ((f & VNET_BIT(VNET_F_GUEST_ECN)) && !(f & gtso))
		return false;
	if ((f & VNET_BIT(VNET_F_HOST_ECN)) && !(f & htso))
		return false;
	return true;
}

unsigned
vnet_tap_offloads(uint64_t f)
{
	unsigned o = 0;

	if (!(f & VNET_BIT(VNET_F_GUEST_CSUM)))
		return 0; /* the tap refuses TSO without CSUM */
	o |= TUN_F_CSUM;
	if (f & VNET_BIT(VNET_F_GUEST_TSO4))
		o |= TUN_F_TSO4;
	if (f & VNET_BIT(VNET_F_GUEST_TSO6))
		o |= TUN_F_TSO6;
	if ((o & (TUN_F_TSO4 | TUN_F_TSO6)) && (f & VNET_BIT(VNET_F_GUEST_ECN)))
		o |= TUN_F_TSO_ECN;
	return o;
}

void
vnet_config_image(const uint8_t mac[6], bool link_up, uint8_t *cfg)
{
	uint16_t status = htole16(link_up ? VNET_S_LINK_UP : 0);
	uint16_t pairs = htole16(1);

	memcpy(cfg, mac, 6);
	memcpy(cfg + 6, &status, 2);
	memcpy(cfg + 8, &pairs, 2);
}

uint32_t
vnet_rx_need(uint64_t f)
{
	if (f & (VNET_BIT(VNET_F_GUEST_TSO4) | VNET_BIT(VNET_F_GUEST_TSO6)))
		return VNET_HDR_LEN + VNET_GSO_MAX;
	return VNET_HDR_LEN + VNET_FRAME_MAX;
}

void
vnet_bucket_init(struct vnet_bucket *b, uint64_t rate, uint32_t interval_us,
		 uint64_t now_ns)
{
	uint64_t us = interval_us ? interval_us : 50000;

	b->rate = rate;
	b->burst = rate / 1000000 * us + rate % 1000000 * us / 1000000;
	if (b->burst < VNET_HDR_LEN + VNET_GSO_MAX)
		b->burst = VNET_HDR_LEN + VNET_GSO_MAX;
	b->tokens = b->burst;
	b->last_ns = now_ns;
}

uint64_t
vnet_bucket_take(struct vnet_bucket *b, uint64_t len, uint64_t now_ns)
{
	uint64_t dt, add, need;

	if (!b->rate)
		return 0;
	if (now_ns > b->last_ns) {
		dt = now_ns - b->last_ns;
		/* dt * rate / 1e9 without overflow for dt up to ~584 years */
		add = dt / 1000000000 * b->rate +
		      (dt % 1000000000) * (b->rate / 1000) / 1000000;
		if (add) {
			b->tokens = b->tokens + add > b->burst
					    ? b->burst
					    : b->tokens + add;
			b->last_ns = now_ns;
		}
	}
	if (len > b->burst)
		len = b->burst;
	if (b->tokens >= len) {
		b->tokens -= len;
		return 0;
	}
	need = len - b->tokens;
	return need * 1000000000 / b->rate + 1;
}

/* ---- receive ---- */

static struct virtq_chain *
vnet_held(struct vnet_path *p, unsigned i)
{
	return &p->held[(p->held_first + i) % VNET_QUEUE_SIZE];
}

/* Take receive chains until one packet surely fits (MRG_RXBUF: rx_need
 * bytes over any number of chains, or a full queue; else one chain). 1:
 * enough, 0: the driver must add buffers, < 0: a rule broken. */
static int
vnet_rx_fill(struct vnet_path *p, const char **why)
{
	struct virtq_chain *c;
	unsigned slot;
	int r;

	for (;;) {
		if (p->nheld && (!p->mrg || p->held_space >= p->rx_need ||
				 p->nheld == VNET_QUEUE_SIZE))
			return 1;
		slot = (p->held_first + p->nheld) % VNET_QUEUE_SIZE;
		c = &p->held[slot];
		*c = (struct virtq_chain){.seg = p->held_seg[slot],
					  .max = VNET_SEG_MAX};
		r = virtq_pop(p->rxq, p->mem, c, why);
		if (r < 0)
			return r;
		if (r == 0) /* what the driver gave so far: enough, or spill */
			return p->nheld ? 1 : 0;
		p->heads[slot] = c->head;
		p->nheld++;
		if (c->nread || c->write_len < (p->mrg ? VNET_HDR_LEN : 1)) {
			*why = c->nread
				       ? "a receive buffer is device-readable"
				       : "a receive buffer is shorter than the "
					 "12-byte header";
			return -EINVAL;
		}
		p->held_space += c->write_len;
	}
}

/* The held chains' buffers as one iovec list. */
static unsigned
vnet_rx_iov(struct vnet_path *p)
{
	unsigned i, k, n = 0;

	for (i = 0; i < p->nheld; i++) {
		const struct virtq_chain *c = vnet_held(p, i);

		for (k = 0; k < c->nseg && n < VNET_IOV_MAX - 1; k++) {
			p->iov[n].iov_base = mem_gpa_to_hva(
				p->mem, c->seg[k].gpa, c->seg[k].len);
			p->iov[n++].iov_len = c->seg[k].len;
		}
	}
	/* what does not fit: read whole, then dropped */
	p->iov[n].iov_base = p->spill;
	p->iov[n++].iov_len = sizeof(p->spill);
	return n;
}

/* len bytes arrived in the held chains: answer the chains they filled. */
static void
vnet_rx_deliver(struct vnet_path *p, uint32_t len)
{
	uint32_t rest = len, take;
	uint16_t nbuf = 0, le;
	unsigned k;

	do {
		struct virtq_chain *c = vnet_held(p, nbuf);

		take = rest < c->write_len ? rest : (uint32_t)c->write_len;
		for (k = 0; k < c->nseg; k++)
			(void)!mem_dirty(p->mem, c->seg[k].gpa, c->seg[k].len);
		rest -= take;
		nbuf++;
	} while (rest && nbuf < p->nheld);
	/* num_buffers: the tap leaves the header's last two bytes alone */
	le = htole16(nbuf);
	if (vnet_held(p, 0)->seg[0].len >= VNET_HDR_LEN)
		(void)!mem_write(p->mem,
				 vnet_held(p, 0)->seg[0].gpa +
					 VNET_HDR_NUM_BUFFERS,
				 &le, 2);
	rest = len;
	for (k = 0; k < nbuf; k++) {
		struct virtq_chain *c = vnet_held(p, 0);

		take = rest < c->write_len ? rest : (uint32_t)c->write_len;
		rest -= take;
		(void)!virtq_push(p->rxq, p->mem, c->head, take);
		p->held_space -= c->write_len;
		p->held_first = (p->held_first + 1) % VNET_QUEUE_SIZE;
		p->nheld--;
	}
	p->rx_packets++;
	p->rx_bytes += len > VNET_HDR_LEN ? len - VNET_HDR_LEN : 0;
}

int
vnet_rx_round(struct vnet_path *p, enum vnet_wait *wait, const char **why)
{
	unsigned n = 0, niov;
	ssize_t len;
	int r;

	*wait = VNET_WAIT_NONE;
	while (n < VNET_BUDGET) {
		r = vnet_rx_fill(p, why);
		if (r < 0)
			return r;
		if (r == 0) {
			if (virtq_arm(p->rxq, p->mem))
				continue; /* buffers came meanwhile */
			*wait = VNET_WAIT_KICK;
			break;
		}
		niov = vnet_rx_iov(p);
		len = readv(p->fd, p->iov, (int)niov);
		if (len < 0 && errno == EINTR)
			continue;
		if (len <= 0) {
			*wait = VNET_WAIT_TAP; /* EAGAIN, or a tap gone down */
			break;
		}
		if ((uint64_t)len > p->held_space) {
			p->rx_dropped++; /* larger than the buffers given */
			continue;
		}
		vnet_rx_deliver(p, (uint32_t)len);
		n++;
	}
	if (n) {
		(void)!virtq_publish(p->rxq, p->mem);
		if (virtq_should_notify(p->rxq, p->mem) && p->notify)
			(void)!p->notify(p->opaque, VNET_RX);
	}
	return (int)n;
}

void
vnet_rx_giveback(struct vnet_path *p)
{
	uint16_t heads[VNET_QUEUE_SIZE];
	unsigned i;

	for (i = 0; i < p->nheld; i++)
		heads[i] = vnet_held(p, i)->head;
	if (p->rxq)
		virtq_unpop(p->rxq, heads, p->nheld);
	p->nheld = 0;
	p->held_first = 0;
	p->held_space = 0;
}

/* ---- transmit ---- */

int
vnet_tx_round(struct vnet_path *p, uint64_t now_ns, enum vnet_wait *wait,
	      const char **why)
{
	struct virtq_chain c = {.seg = p->tx_seg, .max = VNET_SEG_MAX};
	unsigned n = 0, k;
	ssize_t w;
	int r;

	*wait = VNET_WAIT_NONE;
	while (n < VNET_BUDGET) {
		r = virtq_pop(p->txq, p->mem, &c, why);
		if (r < 0)
			return r;
		if (r == 0) {
			if (virtq_arm(p->txq, p->mem))
				continue;
			*wait = VNET_WAIT_KICK;
			break;
		}
		if (c.nread != c.nseg || c.read_len < VNET_HDR_LEN) {
			*why = c.nread != c.nseg
				       ? "a transmit buffer is device-writable"
				       : "a transmit buffer is shorter than "
					 "the 12-byte header";
			return -EINVAL;
		}
		p->wait_ns = vnet_bucket_take(
			&p->bucket, c.read_len - VNET_HDR_LEN, now_ns);
		if (p->wait_ns) {
			virtq_unpop(p->txq, &c.head, 1);
			*wait = VNET_WAIT_TIME;
			break;
		}
		for (k = 0; k < c.nseg; k++) {
			p->iov[k].iov_base = mem_gpa_to_hva(
				p->mem, c.seg[k].gpa, c.seg[k].len);
			p->iov[k].iov_len = c.seg[k].len;
		}
		do
			w = writev(p->fd, p->iov, (int)c.nseg);
		while (w < 0 && errno == EINTR);
		if (w < 0) {
			p->tx_errors++; /* a header the kernel refused, a tap
					   that is down: the packet is lost */
		} else {
			p->tx_packets++;
			p->tx_bytes += c.read_len - VNET_HDR_LEN;
		}
		(void)!virtq_push(p->txq, p->mem, c.head, 0);
		n++;
	}
	if (n) {
		(void)!virtq_publish(p->txq, p->mem);
		if (virtq_should_notify(p->txq, p->mem) && p->notify)
			(void)!p->notify(p->opaque, VNET_TX);
	}
	return (int)n;
}
