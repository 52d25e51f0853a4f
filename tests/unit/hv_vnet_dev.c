/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hv_vnet_dev.c: the virtio-net device whole, without KVM, on a real tap
 * in a network namespace of its own (SKIP where none can be made): a tap
 * without virtio-net headers refused; IDs and class; the features offered
 * and a driver's choice that breaks their dependencies refused; the MAC
 * and link in the configuration space; a frame each way through the queue
 * thread once DRIVER_OK; paused, nothing is delivered and the receive
 * buffers taken ahead go back to the ring, so that a saved and restored
 * device goes on where it was; reset and unplug. TAP. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bus.h"
#include "devices/pci.h"
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
#define BUF 0x20000ULL
#define TBUF 0x40000ULL
#define NCHECKS 15

static struct bus *mmio, *pio;
static struct mem mem;
static uint64_t bar4;
static uint16_t rx_avail, tx_avail;
static int ifindex, pk = -1;
static const uint8_t mac[6] = {0x00, 0x16, 0x3e, 0x0a, 0x0b, 0x0c};

static int
intx_set(void *opaque, uint32_t gsi, int level)
{
	(void)opaque;
	(void)gsi;
	(void)level;
	return 0;
}

static int
ioev_set(void *opaque, int efd, uint64_t addr, uint32_t len, bool pio_,
	 bool assign)
{
	(void)opaque;
	(void)efd;
	(void)addr;
	(void)len;
	(void)pio_;
	(void)assign;
	return 0; /* kicks come through the BAR */
}

static uint32_t
rd(uint64_t off, unsigned size)
{
	uint32_t v = 0;

	(void)bus_dispatch(mmio, bar4 + off, (uint8_t *)&v, size, false);
	return v;
}

static void
wr(uint64_t off, unsigned size, uint32_t v)
{
	(void)bus_dispatch(mmio, bar4 + off, (uint8_t *)&v, size, true);
}

static uint32_t
cfg_rd(struct pci *pci, unsigned reg)
{
	uint32_t a = 0x80000000u | 1u << 11 | (reg & 0xfc), v = 0;

	pci_io(pci, XMHV_PCI_CONFIG_ADDR, (uint8_t *)&a, 4, true);
	pci_io(pci, XMHV_PCI_CONFIG_DATA, (uint8_t *)&v, 4, false);
	return v;
}

static uint16_t
rd16(uint64_t gpa)
{
	uint16_t v = 0;

	(void)!mem_read(&mem, gpa, &v, 2);
	return v;
}

static void
desc(uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags)
{
	uint8_t d[16] = {0};

	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	(void)!mem_write(&mem, table + 16 * i, d, 16);
}

static void
offer(uint64_t avail, uint16_t *idx, uint16_t head)
{
	(void)!mem_write(&mem, avail + 4 + 2 * (*idx % QS), &head, 2);
	(*idx)++;
	(void)!mem_write(&mem, avail + 2, idx, 2);
}

/* Wait up to 2 s for the used index at gpa to reach n. */
static bool
used_reaches(uint64_t used, uint16_t n)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (rd16(used + 2) == n)
			return true;
		usleep(10000);
	}
	return false;
}

static int
make_tap(const char *name, short flags)
{
	struct ifreq ifr = {0};
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	ifr.ifr_flags = flags;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (fd >= 0 && ioctl(fd, TUNSETIFF, &ifr) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A namespace with tap vnd0 up and a packet socket on it. */
static int
setup_ns(void)
{
	struct sockaddr_ll sll = {0};
	struct ifreq ifr = {0};
	int fd, s, bad;

	if (unshare(geteuid() == 0 ? CLONE_NEWNET
				   : CLONE_NEWUSER | CLONE_NEWNET) < 0)
		return -1;
	fd = make_tap("vnd0", IFF_TAP | IFF_NO_PI | IFF_VNET_HDR);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "vnd0");
	if (fd < 0 || s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return -1;
	/* no IPv6 chatter from the interface in the guest's buffers */
	bad = open("/proc/sys/net/ipv6/conf/vnd0/disable_ipv6", O_WRONLY);
	if (bad >= 0) {
		(void)!write(bad, "1", 1);
		close(bad);
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0 || ioctl(s, SIOCGIFINDEX, &ifr))
		return -1;
	ifindex = ifr.ifr_ifindex;
	close(s);
	pk = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(0x88b5));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(0x88b5);
	sll.sll_ifindex = ifindex;
	if (pk < 0 || bind(pk, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return -1;
	(void)fcntl(fd, F_SETFL, O_NONBLOCK);
	while (read(fd, (char[2048]){0}, 2048) > 0)
		; /* what the interface sent when it came up */
	return fd;
}

/* A frame of ethertype 0x88b5 with tag in its payload. */
static void
frame(uint8_t *f, uint8_t tag)
{
	memset(f, 0, 64);
	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	f[12] = 0x88, f[13] = 0xb5;
	memset(f + 14, tag, 50);
}

/* Did a used receive buffer get the frame of tag (within 2 s, or at
 * once)? Other frames (the interface's own) may come before it. */
static bool
rx_has(uint8_t tag, bool wait)
{
	uint8_t in[64], f[64];
	uint32_t id, len;
	uint16_t i;
	int t;

	frame(f, tag);
	for (t = 0; t < (wait ? 200 : 1); t++) {
		for (i = 0; i < rd16(RXU + 2); i++) {
			(void)!mem_read(&mem, RXU + 4 + 8 * (i % QS), &id, 4);
			(void)!mem_read(&mem, RXU + 8 + 8 * (i % QS), &len, 4);
			(void)!mem_read(&mem,
					BUF + 0x1000ULL * id + VNET_HDR_LEN, in,
					64);
			if (id < QS && len == VNET_HDR_LEN + 64 &&
			    !memcmp(in, f, 64) &&
			    rd16(BUF + 0x1000ULL * id + VNET_HDR_NUM_BUFFERS) ==
				    1)
				return true;
		}
		if (wait)
			usleep(10000);
	}
	return false;
}

static void
setup_queue(unsigned q, uint64_t d, uint64_t a, uint64_t u)
{
	wr(VIRTIO_PCI_Q_SELECT, 2, q);
	wr(VIRTIO_PCI_Q_SIZE, 2, QS);
	wr(VIRTIO_PCI_Q_DESC, 4, (uint32_t)d);
	wr(VIRTIO_PCI_Q_AVAIL, 4, (uint32_t)a);
	wr(VIRTIO_PCI_Q_USED, 4, (uint32_t)u);
	wr(VIRTIO_PCI_Q_ENABLE, 2, 1);
}

static void
features(uint64_t f)
{
	wr(VIRTIO_PCI_STATUS, 1, 0);
	wr(VIRTIO_PCI_STATUS, 1, 3);
	wr(VIRTIO_PCI_GFSELECT, 4, 0);
	wr(VIRTIO_PCI_GF, 4, (uint32_t)f);
	wr(VIRTIO_PCI_GFSELECT, 4, 1);
	wr(VIRTIO_PCI_GF, 4, (uint32_t)(f >> 32));
	wr(VIRTIO_PCI_STATUS, 1, 3 | 8);
}

static void
test_device(struct pci *pci, int tapfd)
{
	struct xmhv_nic_config nic = {.fd = tapfd, .vhost_fd = -1};
	struct virtio_pci_env env = {pci, &mem, {ioev_set, NULL}, "test"};
	struct vnet_config c = {env, &nic};
	struct vnet *n = NULL;
	struct device *dev;
	struct dstate st;
	uint8_t f[64], got[128], cfgb[VNET_CONFIG_LEN];
	uint64_t want = VIRTIO_BIT(VIRTIO_F_VERSION_1) |
			VIRTIO_BIT(VIRTIO_F_EVENT_IDX) | (1ULL << VNET_F_MAC) |
			(1ULL << VNET_F_STATUS) | (1ULL << VNET_F_MRG_RXBUF) |
			(1ULL << VNET_F_CSUM) | (1ULL << VNET_F_GUEST_CSUM) |
			(1ULL << VNET_F_GUEST_TSO4) |
			(1ULL << VNET_F_HOST_TSO4);
	char err[256] = "";
	unsigned k;
	int bad, i, r;
	ssize_t len = -1;

	memcpy(nic.mac, mac, 6);
	strcpy(nic.tap, "vnd1");
	bad = make_tap("vnd1", IFF_TAP | IFF_NO_PI);
	nic.fd = bad;
	r = vnet_new(&c, &n, err, sizeof(err));
	tap_ok(r == -EINVAL && strstr(err, "nic vnd1") &&
		       strstr(err, "IFF_VNET_HDR"),
	       "a tap without virtio-net headers is refused: %s", err);
	if (bad >= 0)
		close(bad);
	strcpy(nic.tap, "vnd0");
	nic.fd = tapfd;
	r = vnet_new(&c, &n, err, sizeof(err));
	tap_ok(r == 0 && vnet_slot(n) == 1 && !strcmp(vnet_tap(n), "vnd0") &&
		       !memcmp(vnet_mac(n), mac, 6),
	       "virtio-net on tap vnd0 at 00:01.0 (%s)", err);
	if (r < 0) {
		for (i = 2; i < NCHECKS; i++)
			tap_skip("no device");
		return;
	}
	dev = vnet_device(n);
	bar4 = (cfg_rd(pci, 0x20) & ~0xfULL) | (uint64_t)cfg_rd(pci, 0x24)
						       << 32;
	tap_ok(cfg_rd(pci, 0) == 0x10411af4 && cfg_rd(pci, 8) >> 8 == 0x020000,
	       "IDs 1af4:1041 (a modern virtio-net), class Ethernet");
	wr(VIRTIO_PCI_DFSELECT, 4, 0);
	k = rd(VIRTIO_PCI_DF, 4);
	wr(VIRTIO_PCI_DFSELECT, 4, 1);
	tap_ok(((uint64_t)rd(VIRTIO_PCI_DF, 4) << 32 | k) == vnet_features() &&
		       rd(VIRTIO_PCI_NUM_QUEUES, 2) == 2,
	       "the features of vnet_features(), two queues");
	features((1ULL << VNET_F_GUEST_TSO4) | VIRTIO_BIT(VIRTIO_F_VERSION_1));
	tap_ok(!(rd(VIRTIO_PCI_STATUS, 1) & 8),
	       "GUEST_TSO4 without GUEST_CSUM: no FEATURES_OK");
	features(want);
	for (k = 0; k < VNET_CONFIG_LEN; k++)
		cfgb[k] = (uint8_t)rd(VIRTIO_PCI_DEVCFG + k, 1);
	tap_ok((rd(VIRTIO_PCI_STATUS, 1) & 8) && !memcmp(cfgb, mac, 6) &&
		       cfgb[6] == VNET_S_LINK_UP,
	       "FEATURES_OK; the configuration space: the MAC, link up");
	setup_queue(0, RXD, RXA, RXU);
	setup_queue(1, TXD, TXA, TXU);
	for (k = 0; k < QS; k++) {
		desc(RXD, k, BUF + 0x1000ULL * k, 2048, VIRTQ_DESC_F_WRITE);
		offer(RXA, &rx_avail, (uint16_t)k);
	}
	wr(VIRTIO_PCI_STATUS, 1, 3 | 8 | 4);
	frame(f, 1);
	(void)!send(pk, f, 64, 0);
	tap_ok(rx_has(1, true),
	       "DRIVER_OK: a frame on the tap's interface lands in a receive "
	       "buffer after a 12-byte header (num_buffers 1)");
	frame(f, 2);
	(void)!mem_write(&mem, TBUF, (uint8_t[VNET_HDR_LEN]){0}, VNET_HDR_LEN);
	(void)!mem_write(&mem, TBUF + VNET_HDR_LEN, f, 64);
	desc(TXD, 0, TBUF, VNET_HDR_LEN + 64, 0);
	offer(TXA, &tx_avail, 0);
	wr(VIRTIO_PCI_NOTIFY + VIRTIO_PCI_NOTIFY_MULT, 2, 1);
	for (i = 0; i < 200; i++) {
		len = recv(pk, got, sizeof(got), 0);
		if (len == 64 && got[14] == 2)
			break;
		usleep(10000);
	}
	tap_ok(len == 64 && !memcmp(got, f, 64) && used_reaches(TXU, 1),
	       "a kick of the transmit queue: the frame reaches the interface "
	       "and its chain is answered");
	tap_ok(dev->ops->pause(dev) == 0, "pause");
	frame(f, 3);
	(void)!send(pk, f, 64, 0);
	usleep(200000);
	tap_ok(!rx_has(3, false), "paused: the next frame is not delivered");
	dstate_init(&st);
	r = dev->ops->save(dev, &st);
	tap_ok(r == 0 && st.len > 0, "saved (%zu bytes)", st.len);
	wr(VIRTIO_PCI_STATUS, 1, 0); /* a reset: the queues forgotten */
	dstate_reader(&st, st.buf, st.len);
	tap_ok(dev->ops->restore(dev, &st) == 0 &&
		       (rd(VIRTIO_PCI_STATUS, 1) & 4) &&
		       dev->ops->resume(dev) == 0,
	       "reset, restored (DRIVER_OK again), resumed");
	tap_ok(rx_has(3, true),
	       "the frame that came while paused is delivered after it: the "
	       "receive buffers taken ahead went back to the ring (%u of %u "
	       "used)",
	       rd16(RXU + 2), QS);
	wr(VIRTIO_PCI_STATUS, 1, 0);
	tap_ok(rd(VIRTIO_PCI_STATUS, 1) == 0, "reset by the driver");
	free(st.buf);
	device_free(dev);
	tap_ok(fcntl(tapfd, F_GETFD) >= 0 && bus_count(mmio) == 0,
	       "unplugged: its BARs gone, the caller's tap fd kept");
}

int
main(void)
{
	struct pci_host_config h;
	struct pci *pci;
	int fd;

	mmio = bus_new("mmio", UINT64_MAX);
	pio = bus_new("port", 0xffff);
	if (!mmio || !pio || mem_init(&mem, 16ULL << 20) < 0)
		tap_skip_all("out of memory");
	fd = setup_ns();
	if (fd < 0)
		tap_skip_all("no tap in a network namespace of its own: %s",
			     strerror(errno));
	h = (struct pci_host_config){mmio,
				     pio,
				     {intx_set, NULL, 0},
				     {NULL, NULL},
				     XMHV_PCI_MMIO_START,
				     XMHV_PCI_MMIO_SIZE,
				     PCI_IO_START,
				     PCI_IO_SIZE};
	pci = pci_new(&h);
	test_device(pci, fd);
	device_free(pci_device(pci));
	bus_free(mmio);
	bus_free(pio);
	mem_dispose(&mem);
	close(fd);
	close(pk);
	return tap_done();
}
