/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hv_vnet.c: virtio-net's pure rules and its datapath without KVM: the
 * features offered and their dependencies, the tap offloads they allow,
 * the configuration space, the transmit token bucket (computed times, no
 * clock); packets through crafted queues in guest memory over a datagram
 * socket pair standing for the tap (mergeable buffers and num_buffers,
 * one chain per packet without them, buffers taken ahead given back, the
 * rules a driver can break, transmit gathers, the bucket holding a packet
 * back); and, when a network namespace can be made, a real tap with
 * 12-byte headers and the offloads, a frame each way through it. TAP. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "devices/virtio_net_int.h"
#include "mem.h"
#include "tap.h"

#define QS 8
#define RXD 0x10000ULL
#define RXA 0x11000ULL
#define RXU 0x12000ULL
#define TXD 0x13000ULL
#define TXA 0x14000ULL
#define TXU 0x15000ULL
#define BUF 0x20000ULL /* 8 buffers of 0x1000 */
#define TBUF 0x40000ULL

static struct mem mem;
static struct virtq rxq, txq;
static struct vnet_path *p;
static uint16_t rx_avail, tx_avail;
static int host = -1, notified[2];

static int
notify(void *opaque, unsigned queue)
{
	(void)opaque;
	notified[queue & 1]++;
	return 0;
}

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
offer(uint64_t avail, uint16_t *idx, uint16_t head)
{
	(void)!mem_write(&mem, avail + 4 + 2 * (*idx % QS), &head, 2);
	(*idx)++;
	(void)!mem_write(&mem, avail + 2, idx, 2);
}

static uint32_t
used_len(uint64_t used, unsigned i)
{
	uint32_t v = 0;

	(void)!mem_read(&mem, used + 4 + 8 * (i % QS) + 4, &v, 4);
	return v;
}

static uint16_t
rd16(uint64_t gpa)
{
	uint16_t v = 0;

	(void)!mem_read(&mem, gpa, &v, 2);
	return v;
}

/* Fresh queues and a fresh path on fd, with or without MRG_RXBUF. */
static void
fresh(int fd, bool mrg, uint64_t features)
{
	memset(mem.base, 0, 0x80000);
	rxq = (struct virtq){
		.size = QS, .desc_gpa = RXD, .avail_gpa = RXA, .used_gpa = RXU};
	txq = (struct virtq){
		.size = QS, .desc_gpa = TXD, .avail_gpa = TXA, .used_gpa = TXU};
	rx_avail = tx_avail = 0;
	memset(p, 0, sizeof(*p));
	p->mem = &mem;
	p->rxq = &rxq;
	p->txq = &txq;
	p->fd = fd;
	p->mrg = mrg;
	p->rx_need = vnet_rx_need(features);
	p->notify = notify;
	notified[0] = notified[1] = 0;
}

/* n receive buffers of len bytes, one descriptor each. */
static void
rx_buffers(unsigned n, uint32_t len)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		desc(RXD, i, BUF + 0x1000ULL * i, len, VIRTQ_DESC_F_WRITE, 0);
		offer(RXA, &rx_avail, (uint16_t)i);
	}
}

static void
test_rules(void)
{
	uint64_t f = vnet_features(), F = 0;
	uint8_t cfg[VNET_CONFIG_LEN];
	static const uint8_t mac[6] = {0x00, 0x16, 0x3e, 0x01, 0x02, 0x03};
	uint16_t st, pairs;

#define B(n) (1ULL << (n))
	tap_ok((f & B(VIRTIO_F_VERSION_1)) && (f & B(VIRTIO_F_EVENT_IDX)) &&
		       (f & B(VNET_F_MAC)) && (f & B(VNET_F_STATUS)) &&
		       (f & B(VNET_F_CSUM)) && (f & B(VNET_F_GUEST_CSUM)) &&
		       (f & B(VNET_F_HOST_TSO4)) && (f & B(VNET_F_HOST_TSO6)) &&
		       (f & B(VNET_F_GUEST_TSO4)) &&
		       (f & B(VNET_F_GUEST_TSO6)) && (f & B(VNET_F_MRG_RXBUF)),
	       "offered: VERSION_1, EVENT_IDX, MAC, STATUS, CSUM, GUEST_CSUM, "
	       "TSO4/6 both ways, MRG_RXBUF");
	tap_ok(vnet_features_ok(f), "everything offered together is allowed");
	tap_ok(!vnet_features_ok(B(VNET_F_GUEST_TSO4)) &&
		       !vnet_features_ok(B(VNET_F_HOST_TSO6)) &&
		       !vnet_features_ok(B(VNET_F_GUEST_CSUM) |
					 B(VNET_F_GUEST_ECN)),
	       "TSO without its checksum offload, ECN without TSO: refused");
	tap_is_int((int)vnet_tap_offloads(f),
		   TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN,
		   "all negotiated: the tap may send CSUM, TSO4, TSO6, ECN");
	F = B(VNET_F_GUEST_CSUM);
	tap_is_int((int)vnet_tap_offloads(F), TUN_F_CSUM,
		   "GUEST_CSUM only: partial checksums, no TSO");
	tap_is_int((int)vnet_tap_offloads(B(VNET_F_CSUM)), 0,
		   "CSUM (host side) only: nothing offloaded to the guest");
	vnet_config_image(mac, true, cfg);
	memcpy(&st, cfg + 6, 2);
	memcpy(&pairs, cfg + 8, 2);
	tap_ok(memcmp(cfg, mac, 6) == 0 && st == VNET_S_LINK_UP && pairs == 1,
	       "config: the MAC, link up, one queue pair");
	tap_ok(vnet_rx_need(f) == VNET_HDR_LEN + VNET_GSO_MAX &&
		       vnet_rx_need(B(VNET_F_MRG_RXBUF)) ==
			       VNET_HDR_LEN + VNET_FRAME_MAX,
	       "receive space: a TSO frame with GUEST_TSO, a jumbo frame "
	       "without");
#undef B
}

static void
test_bucket(void)
{
	struct vnet_bucket b;
	uint64_t w;

	vnet_bucket_init(&b, 0, 0, 0);
	tap_ok(vnet_bucket_take(&b, 1u << 30, 5) == 0, "rate 0: never waits");
	/* 10 Mb/s = 1250000 B/s, 50 ms: 62500 bytes < one TSO frame */
	vnet_bucket_init(&b, 1250000, 0, 0);
	tap_ok(b.burst == VNET_HDR_LEN + VNET_GSO_MAX,
	       "10Mb/s: the burst is one TSO frame (62500 bytes a 50 ms "
	       "interval is less)");
	vnet_bucket_init(&b, 125000000, 0, 0);
	tap_ok(b.burst == 6250000, "1Gb/s: a burst of 50 ms is 6250000 bytes");
	vnet_bucket_init(&b, 1000000, 20000, 0);
	tap_ok(vnet_bucket_take(&b, 60000, 0) == 0, "a full bucket: 60000 go");
	w = vnet_bucket_take(&b, 60000, 0);
	tap_ok(w > 54000000 && w < 55000000,
	       "then 60000 more wait 54.4 ms at 1 MB/s (%llu ns)",
	       (unsigned long long)w);
	tap_ok(vnet_bucket_take(&b, 60000, w) == 0,
	       "and go once that time passed");
	w = vnet_bucket_take(&b, 1u << 30, w);
	tap_ok(w > 0 && w <= 65562ULL * 1000 + 1,
	       "a packet larger than the burst waits for a full bucket only");
}

/* A packet of len bytes (header included) from the "tap". */
static void
host_send(size_t len, uint8_t fill)
{
	uint8_t *buf = malloc(len);

	memset(buf, fill, len);
	memset(buf, 0, VNET_HDR_LEN);
	(void)!write(host, buf, len);
	free(buf);
}

static void
test_rx(int fd)
{
	enum vnet_wait w;
	const char *why = "";
	uint8_t b0 = 0, b1 = 0;
	int r;

	fresh(fd, true, vnet_features());
	r = vnet_rx_round(p, &w, &why);
	tap_ok(r == 0 && w == VNET_WAIT_KICK,
	       "no receive buffer: wait for the driver's kick");
	rx_buffers(QS, 1536);
	r = vnet_rx_round(p, &w, &why);
	tap_ok(r == 0 && w == VNET_WAIT_TAP && p->nheld == QS,
	       "buffers short of a TSO frame: all the driver gave taken "
	       "ahead, wait for the tap");
	host_send(3000, 0xab);
	r = vnet_rx_round(p, &w, &why);
	(void)!mem_read(&mem, BUF + 1535, &b0, 1);
	(void)!mem_read(&mem, BUF + 0x1000 + 1463, &b1, 1);
	tap_ok(r == 1 && rd16(RXU + 2) == 2 && used_len(RXU, 0) == 1536 &&
		       used_len(RXU, 1) == 1464 &&
		       rd16(BUF + VNET_HDR_NUM_BUFFERS) == 2 && b0 == 0xab &&
		       b1 == 0xab && notified[VNET_RX] == 1,
	       "3000 bytes over two mergeable buffers: 1536 + 1464, "
	       "num_buffers 2, one interrupt");
	vnet_rx_giveback(p);
	tap_ok(rxq.last_avail == 2 && rxq.ninflight == 0 && p->nheld == 0,
	       "the six buffers taken ahead are given back (pause)");
	host_send(100, 0xcd);
	r = vnet_rx_round(p, &w, &why);
	tap_ok(r == 1 && used_len(RXU, 2) == 100 &&
		       rd16(BUF + 0x2000 + VNET_HDR_NUM_BUFFERS) == 1,
	       "and taken again: the next packet in the third buffer");

	host_send(QS * 1536 + 1, 0xee);
	r = vnet_rx_round(p, &w, &why);
	tap_ok(r == 0 && p->rx_dropped == 1 && rd16(RXU + 2) == 3 &&
		       p->nheld == QS - 3,
	       "a packet larger than every buffer given: dropped, nothing "
	       "answered");
	vnet_rx_giveback(p);

	fresh(fd, false, 0);
	rx_buffers(2, 1536);
	host_send(60, 0x11);
	host_send(70, 0x22);
	r = vnet_rx_round(p, &w, &why);
	tap_ok(r == 2 && used_len(RXU, 0) == 60 && used_len(RXU, 1) == 70 &&
		       rd16(BUF + VNET_HDR_NUM_BUFFERS) == 1 &&
		       w == VNET_WAIT_KICK,
	       "without MRG_RXBUF: one chain per packet, num_buffers 1");

	fresh(fd, true, 0);
	desc(RXD, 0, BUF, 1536, 0, 0);
	offer(RXA, &rx_avail, 0);
	r = vnet_rx_round(p, &w, &why);
	tap_is_int(r, -EINVAL,
		   "a device-readable receive buffer: needs "
		   "reset (%s)",
		   why);
	fresh(fd, true, 0);
	desc(RXD, 0, BUF, 8, VIRTQ_DESC_F_WRITE, 0);
	offer(RXA, &rx_avail, 0);
	r = vnet_rx_round(p, &w, &why);
	tap_is_int(r, -EINVAL, "an 8-byte mergeable buffer: needs reset (%s)",
		   why);
}

static void
test_tx(int fd)
{
	enum vnet_wait w;
	const char *why = "";
	uint8_t hdr[VNET_HDR_LEN] = {1, 0}, frame[200], got[400];
	ssize_t n;
	int r;

	fresh(fd, true, 0);
	memset(frame, 0x5a, sizeof(frame));
	(void)!mem_write(&mem, TBUF, hdr, sizeof(hdr));
	(void)!mem_write(&mem, TBUF + 0x1000, frame, 150);
	(void)!mem_write(&mem, TBUF + 0x2000, frame, 50);
	desc(TXD, 0, TBUF, VNET_HDR_LEN, VIRTQ_DESC_F_NEXT, 1);
	desc(TXD, 1, TBUF + 0x1000, 150, VIRTQ_DESC_F_NEXT, 2);
	desc(TXD, 2, TBUF + 0x2000, 50, 0, 0);
	offer(TXA, &tx_avail, 0);
	r = vnet_tx_round(p, 0, &w, &why);
	n = read(host, got, sizeof(got));
	tap_ok(r == 1 && n == VNET_HDR_LEN + 200 && got[0] == 1 &&
		       got[VNET_HDR_LEN] == 0x5a &&
		       got[VNET_HDR_LEN + 199] == 0x5a && rd16(TXU + 2) == 1 &&
		       used_len(TXU, 0) == 0 && w == VNET_WAIT_KICK &&
		       p->tx_bytes == 200,
	       "a packet in three buffers: one write of header and frame, "
	       "answered with length 0");
	p->bucket = (struct vnet_bucket){
		.rate = 1000, .burst = 65562, .tokens = 250, .last_ns = 0};
	offer(TXA, &tx_avail, 0);
	offer(TXA, &tx_avail, 0); /* head 0 again once answered */
	r = vnet_tx_round(p, 0, &w, &why);
	tap_ok(r == 1 && w == VNET_WAIT_TIME && p->wait_ns > 149000000 &&
		       p->wait_ns < 151000000 && txq.last_avail == 2,
	       "rate 1000 B/s with 250 bytes of credit: one packet goes, the "
	       "next waits 150 ms, left on the ring");
	r = vnet_tx_round(p, 150000001, &w, &why);
	tap_ok(r == 1 && txq.last_avail == 3, "and goes after 150 ms");
	while (read(host, got, sizeof(got)) > 0)
		;
	desc(TXD, 3, TBUF, 8, 0, 0);
	offer(TXA, &tx_avail, 3);
	r = vnet_tx_round(p, 1ULL << 40, &w, &why);
	tap_is_int(r, -EINVAL, "a 6-byte transmit chain: needs reset (%s)",
		   why);
}

/* A tap in a namespace of our own: its fd, and its index. */
static int
netns_tap(int *ifindex)
{
	struct ifreq ifr = {0};
	int fd, s;

	if (unshare(geteuid() == 0 ? CLONE_NEWNET
				   : CLONE_NEWUSER | CLONE_NEWNET) < 0)
		return -1;
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "vnt0");
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 || s < 0 ||
	    ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
		close(fd);
		return -1;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0 || ioctl(s, SIOCGIFINDEX, &ifr))
		fd = -1;
	*ifindex = ifr.ifr_ifindex;
	close(s);
	return fd;
}

static void
test_tap(void)
{
	struct sockaddr_ll sll = {0};
	uint8_t frame[64], got[128];
	enum vnet_wait w;
	const char *why = "";
	int fd, pk, ifindex = 0, sz = VNET_HDR_LEN, i, r;
	ssize_t n = -1;

	fd = netns_tap(&ifindex);
	if (fd < 0) {
		tap_skip("a tap in a network namespace of its own: %s",
			 strerror(errno));
		tap_skip("no tap");
		tap_skip("no tap");
		return;
	}
	tap_ok(ioctl(fd, TUNSETVNETHDRSZ, &sz) == 0 &&
		       ioctl(fd, TUNSETOFFLOAD,
			     (unsigned long)vnet_tap_offloads(
				     vnet_features())) == 0 &&
		       fcntl(fd, F_SETFL, O_NONBLOCK) == 0,
	       "a real tap takes 12-byte headers and every offload offered");
	pk = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = ifindex;
	if (pk >= 0 && bind(pk, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		close(pk);
		pk = -1;
	}
	memset(frame, 0, sizeof(frame));
	memset(frame, 0xff, 6); /* broadcast, from 00:16:3e:.. */
	frame[6] = 0x00, frame[7] = 0x16, frame[8] = 0x3e, frame[11] = 9;
	frame[12] = 0x88, frame[13] = 0xb5; /* local experimental */
	for (i = 14; i < 64; i++)
		frame[i] = (uint8_t)i;
	while (read(fd, got, sizeof(got)) > 0)
		; /* what the interface sent when it came up */
	fresh(fd, true, vnet_features());
	rx_buffers(QS, 2048);
	if (pk >= 0)
		n = send(pk, frame, sizeof(frame), 0);
	r = 0;
	for (i = 0; i < 50 && n == 64; i++) {
		uint8_t in[64] = {0};
		unsigned k;

		(void)!vnet_rx_round(p, &w, &why);
		for (k = 0; k < rxq.used_idx && !r; k++) {
			(void)!mem_read(&mem,
					BUF + 0x1000ULL * k + VNET_HDR_LEN, in,
					sizeof(in));
			r = memcmp(in, frame, 64) == 0 &&
			    used_len(RXU, k) == VNET_HDR_LEN + 64 &&
			    rd16(BUF + 0x1000ULL * k + VNET_HDR_NUM_BUFFERS) ==
				    1;
		}
		if (r || rxq.used_idx >= QS)
			break;
		usleep(10000);
	}
	tap_ok(r == 1, "a frame sent on the tap's interface lands after a "
		       "12-byte header, num_buffers 1");
	(void)!mem_write(&mem, TBUF, (uint8_t[VNET_HDR_LEN]){0}, VNET_HDR_LEN);
	frame[0] = 0x00, frame[5] = 0x42; /* unicast to someone */
	(void)!mem_write(&mem, TBUF + VNET_HDR_LEN, frame, 64);
	desc(TXD, 0, TBUF, VNET_HDR_LEN + 64, 0, 0);
	offer(TXA, &tx_avail, 0);
	r = vnet_tx_round(p, 0, &w, &why);
	for (i = 0; i < 100 && pk >= 0; i++) {
		n = recv(pk, got, sizeof(got), 0);
		if (n == 64 && got[5] == 0x42)
			break;
		usleep(10000);
	}
	tap_ok(r == 1 && n == 64 && memcmp(got, frame, 64) == 0,
	       "a frame the guest sends reaches the interface without its "
	       "header");
	if (pk >= 0)
		close(pk);
	close(fd);
}

int
main(void)
{
	int sv[2];

	p = calloc(1, sizeof(*p));
	if (!p || mem_init(&mem, 16ULL << 20) < 0)
		tap_skip_all("no memory");
	test_rules();
	test_bucket();
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv) < 0)
		tap_skip_all("socketpair: %s", strerror(errno));
	host = sv[0];
	test_rx(sv[1]);
	test_tx(sv[1]);
	close(sv[0]);
	close(sv[1]);
	test_tap();
	mem_dispose(&mem);
	free(p);
	return tap_done();
}
