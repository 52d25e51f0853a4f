/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hv_virtio.c: the modern virtio-pci transport (devices/virtio_pci.c)
 * without KVM: its capabilities as a driver finds them in config space,
 * the common configuration registers (features, status, queue setup),
 * feature negotiation refusing a legacy driver, DRIVER_OK starting the
 * device model and rings outside RAM making it need a reset, reset
 * stopping it, kicks (through the BAR and through the ioeventfd router,
 * which follows BAR moves), MSI-X vectors read back, INTx with the ISR,
 * and the PCI configuration access window. TAP. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "bus.h"
#include "devices/pci.h"
#include "devices/virtio.h"
#include "mem.h"
#include "tap.h"

static struct bus *mmio, *pio;
static struct mem mem;
static int intx_level, starts, stops, features_calls;
static uint64_t features_seen;
static int ioev_assigned[8];
static uint64_t ioev_addr[8];

static int
intx_set(void *opaque, uint32_t gsi, int level)
{
	(void)opaque;
	(void)gsi;
	intx_level = level;
	return 0;
}

/* Records which queue's eventfd sits at which address. */
static int kick_fds[8];

static int
ioev_set(void *opaque, int efd, uint64_t addr, uint32_t len, bool pio_,
	 bool assign)
{
	unsigned i;

	(void)opaque;
	(void)len;
	(void)pio_;
	for (i = 0; i < 8; i++) {
		if (kick_fds[i] != efd && kick_fds[i] != -1)
			continue;
		kick_fds[i] = efd;
		ioev_assigned[i] += assign ? 1 : -1;
		ioev_addr[i] = addr;
		return 0;
	}
	return -ENOSPC;
}

static void
cfg_read(void *opaque, uint32_t off, uint8_t *data, uint32_t size)
{
	(void)opaque;
	memset(data, 0xa0 + (int)off, size);
}

static void
cfg_write(void *opaque, uint32_t off, const uint8_t *data, uint32_t size)
{
	(void)opaque;
	(void)off;
	(void)data;
	(void)size;
}

static int
set_features(void *opaque, uint64_t f)
{
	(void)opaque;
	features_calls++;
	features_seen = f;
	return 0;
}

static int
start(void *opaque)
{
	(void)opaque;
	starts++;
	return 0;
}

static void
stop(void *opaque)
{
	(void)opaque;
	stops++;
}

static const struct virtio_dev_ops ops = {cfg_read, cfg_write, set_features,
					  start, stop};

static uint32_t
cfg_rd(struct pci *pci, unsigned reg, unsigned size)
{
	uint32_t a = 0x80000000u | 1u << 11 | (reg & 0xfc), v = 0;

	pci_io(pci, XMHV_PCI_CONFIG_ADDR, (uint8_t *)&a, 4, true);
	pci_io(pci, XMHV_PCI_CONFIG_DATA + (reg & 3), (uint8_t *)&v, size,
	       false);
	return v;
}

static void
cfg_wr(struct pci *pci, unsigned reg, unsigned size, uint32_t v)
{
	uint32_t a = 0x80000000u | 1u << 11 | (reg & 0xfc);

	pci_io(pci, XMHV_PCI_CONFIG_ADDR, (uint8_t *)&a, 4, true);
	pci_io(pci, XMHV_PCI_CONFIG_DATA + (reg & 3), (uint8_t *)&v, size,
	       true);
}

static uint64_t bar4;

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

/* The capabilities: (type -> offset in BAR 4) as a driver walks them. */
static void
test_caps(struct pci *pci)
{
	unsigned p = cfg_rd(pci, 0x34, 1), n = 0, types = 0, mult = 0;
	bool ok = true;

	for (; p && n < 16; n++, p = cfg_rd(pci, p + 1, 1)) {
		unsigned id = cfg_rd(pci, p, 1), type = cfg_rd(pci, p + 3, 1);

		if (id != 0x09)
			continue;
		types |= 1u << type;
		if (type >= 1 && type <= 4 && cfg_rd(pci, p + 4, 1) != 4)
			ok = false;
		if (type == 1 && cfg_rd(pci, p + 8, 4) != VIRTIO_PCI_COMMON)
			ok = false;
		if (type == 2) {
			mult = cfg_rd(pci, p + 16, 4);
			ok &= cfg_rd(pci, p + 8, 4) == VIRTIO_PCI_NOTIFY;
		}
		if (type == 4 && cfg_rd(pci, p + 12, 4) != 24)
			ok = false;
	}
	tap_ok(types == 0x3e && ok && mult == 4,
	       "capabilities: common, notify (multiplier 4), ISR, device, PCI "
	       "configuration window; the first four in BAR 4");
	tap_is_int(cfg_rd(pci, 0, 4), 0x10421af4,
		   "IDs 1af4:1042 (a modern virtio-blk)");
	tap_is_int(cfg_rd(pci, 8, 1), 1, "revision 1");
}

static void
test_negotiation(void)
{
	const uint64_t offer = VIRTIO_BIT(VIRTIO_F_VERSION_1) |
			       VIRTIO_BIT(VIRTIO_F_EVENT_IDX) | 0x3;

	wr(VIRTIO_PCI_DFSELECT, 4, 0);
	tap_is_int(rd(VIRTIO_PCI_DF, 4), 0x20000003,
		   "device features 0-31: EVENT_IDX, 0x3");
	wr(VIRTIO_PCI_DFSELECT, 4, 1);
	tap_is_int(rd(VIRTIO_PCI_DF, 4), 1, "device features 32-63: VERSION_1");
	tap_is_int(rd(VIRTIO_PCI_NUM_QUEUES, 2), 2, "2 queues");
	wr(VIRTIO_PCI_STATUS, 1, 3);
	wr(VIRTIO_PCI_GFSELECT, 4, 0);
	wr(VIRTIO_PCI_GF, 4, 1);
	wr(VIRTIO_PCI_STATUS, 1, 3 | 8);
	tap_ok(!(rd(VIRTIO_PCI_STATUS, 1) & 8) && features_calls == 0,
	       "a driver without VERSION_1 gets no FEATURES_OK");
	wr(VIRTIO_PCI_STATUS, 1, 0);
	tap_is_int(stops, 1, "reset: the device model is stopped");
	wr(VIRTIO_PCI_STATUS, 1, 3);
	wr(VIRTIO_PCI_GFSELECT, 4, 1);
	wr(VIRTIO_PCI_GF, 4, 3); /* VERSION_1 and an unoffered bit 33 */
	wr(VIRTIO_PCI_STATUS, 1, 3 | 8);
	tap_ok(!(rd(VIRTIO_PCI_STATUS, 1) & 8),
	       "a feature that was not offered: no FEATURES_OK");
	wr(VIRTIO_PCI_STATUS, 1, 0);
	wr(VIRTIO_PCI_STATUS, 1, 3);
	wr(VIRTIO_PCI_GFSELECT, 4, 0);
	wr(VIRTIO_PCI_GF, 4, (uint32_t)offer);
	wr(VIRTIO_PCI_GFSELECT, 4, 1);
	wr(VIRTIO_PCI_GF, 4, (uint32_t)(offer >> 32));
	wr(VIRTIO_PCI_STATUS, 1, 3 | 8);
	tap_ok((rd(VIRTIO_PCI_STATUS, 1) & 8) && features_seen == offer,
	       "VERSION_1 | EVENT_IDX | 0x3: FEATURES_OK, the model saw them");
}

static void
test_queues(struct virtio_pci *vp)
{
	struct virtq *q;
	uint64_t v;
	int n;

	wr(VIRTIO_PCI_Q_SELECT, 2, 0);
	tap_is_int(rd(VIRTIO_PCI_Q_SIZE, 2), 64, "queue 0: size 64 offered");
	wr(VIRTIO_PCI_Q_SIZE, 2, 16);
	wr(VIRTIO_PCI_Q_MSIX, 2, 7);
	tap_is_int(rd(VIRTIO_PCI_Q_MSIX, 2), 0xffff,
		   "vector 7 of 3: reads back NO_VECTOR");
	wr(VIRTIO_PCI_Q_MSIX, 2, 1);
	tap_is_int(rd(VIRTIO_PCI_Q_MSIX, 2), 1, "vector 1 taken");
	wr(VIRTIO_PCI_Q_DESC, 4, 0x10000);
	wr(VIRTIO_PCI_Q_DESC + 4, 4, 0);
	wr(VIRTIO_PCI_Q_AVAIL, 4, 0x11000);
	wr(VIRTIO_PCI_Q_USED, 4, 0x12000);
	wr(VIRTIO_PCI_Q_ENABLE, 2, 1);
	tap_ok(rd(VIRTIO_PCI_Q_DESC, 4) == 0x10000 &&
		       rd(VIRTIO_PCI_Q_ENABLE, 2) == 1 &&
		       rd(VIRTIO_PCI_Q_NOFF, 2) == 0,
	       "queue 0 set up, notify offset 0");
	wr(VIRTIO_PCI_Q_SELECT, 2, 5);
	tap_is_int(rd(VIRTIO_PCI_Q_SIZE, 2), 0, "queue 5 does not exist");
	wr(VIRTIO_PCI_STATUS, 1, 3 | 8 | 4);
	q = virtio_pci_queue(vp, 0);
	tap_ok(starts == 1 && q->size == 16 && q->event_idx && !q->indirect &&
		       virtio_pci_queue_enabled(vp, 0) &&
		       !virtio_pci_queue_enabled(vp, 1),
	       "DRIVER_OK: the model starts; queue 0 of 16 with EVENT_IDX");
	wr(VIRTIO_PCI_NOTIFY + 4, 2, 1);
	tap_ok(read(virtio_pci_kick_fd(vp, 1), &v, 8) == 8,
	       "a write to queue 1's notification address kicks queue 1");
	n = stops;
	wr(VIRTIO_PCI_STATUS, 1, 0);
	tap_ok(stops == n + 1 && rd(VIRTIO_PCI_STATUS, 1) == 0 &&
		       !virtio_pci_queue_enabled(vp, 0),
	       "reset: stopped, status 0, queues disabled");
	wr(VIRTIO_PCI_STATUS, 1, 3);
	wr(VIRTIO_PCI_GFSELECT, 4, 1);
	wr(VIRTIO_PCI_GF, 4, 1);
	wr(VIRTIO_PCI_STATUS, 1, 3 | 8);
	wr(VIRTIO_PCI_Q_SELECT, 2, 0);
	wr(VIRTIO_PCI_Q_USED, 4, 0xffff00); /* across the end of 16 MiB */
	wr(VIRTIO_PCI_Q_ENABLE, 2, 1);
	wr(VIRTIO_PCI_STATUS, 1, 3 | 8 | 4);
	tap_ok((rd(VIRTIO_PCI_STATUS, 1) & VIRTIO_S_NEEDS_RESET) && starts == 1,
	       "DRIVER_OK with a used ring outside RAM: needs reset, the "
	       "model does not start");
	wr(VIRTIO_PCI_STATUS, 1, 0);
	tap_ok(!(rd(VIRTIO_PCI_STATUS, 1) & VIRTIO_S_NEEDS_RESET),
	       "a reset clears needs reset");
}

static void
test_interrupts(struct virtio_pci *vp)
{
	intx_level = 0;
	tap_is_int(virtio_pci_interrupt(vp, 0), 0, "interrupt, MSI-X off");
	tap_ok(intx_level == 1, "MSI-X off: INTx asserted");
	tap_ok(rd(VIRTIO_PCI_ISR, 1) == 1 && intx_level == 0 &&
		       rd(VIRTIO_PCI_ISR, 1) == 0,
	       "ISR reads 1 (queue), is cleared and INTx drops");
	virtio_pci_needs_reset(vp, "a test");
	tap_ok(rd(VIRTIO_PCI_ISR, 1) == 2 &&
		       (rd(VIRTIO_PCI_STATUS, 1) & VIRTIO_S_NEEDS_RESET),
	       "needs reset: configuration interrupt (ISR 2), status bit 64");
	wr(VIRTIO_PCI_STATUS, 1, 0);
}

static void
test_window(struct pci *pci)
{
	unsigned p = cfg_rd(pci, 0x34, 1), n;

	for (n = 0; p && n < 16; n++, p = cfg_rd(pci, p + 1, 1))
		if (cfg_rd(pci, p, 1) == 0x09 && cfg_rd(pci, p + 3, 1) == 5)
			break;
	cfg_wr(pci, p + 4, 1, 4);
	cfg_wr(pci, p + 8, 4, VIRTIO_PCI_DEVCFG + 4);
	cfg_wr(pci, p + 12, 4, 2);
	tap_is_int(cfg_rd(pci, p + 16, 2), 0xa4a4,
		   "the PCI configuration window reads device config byte 4");
	cfg_wr(pci, p + 4, 1, 1);
	tap_is_int(cfg_rd(pci, p + 16, 4), 0,
		   "a window onto another BAR reads 0");
}

static void
test_bar_move(struct pci *pci, struct virtio_pci *vp)
{
	uint64_t want = bar4 + VIRTIO_PCI_NOTIFY;

	tap_ok(ioev_assigned[0] == 1 && ioev_addr[0] == want &&
		       ioev_assigned[1] == 1 && ioev_addr[1] == want + 4,
	       "an ioeventfd per queue at its notification address");
	cfg_wr(pci, 0x20, 4, 0xd0000000);
	cfg_wr(pci, 0x24, 4, 0);
	tap_ok(ioev_assigned[0] == 1 &&
		       ioev_addr[0] == 0xd0000000 + VIRTIO_PCI_NOTIFY &&
		       ioev_assigned[1] == 1,
	       "BAR 4 moved: the ioeventfds follow it");
	cfg_wr(pci, 0x04, 2, 0);
	tap_ok(ioev_assigned[0] == 0 && ioev_assigned[1] == 0,
	       "memory decoding off: the ioeventfds go");
	cfg_wr(pci, 0x04, 2, 2);
	(void)vp;
}

/* A driven device saved, reset, restored: the same registers, started. */
static void
test_save(struct virtio_pci *vp)
{
	struct dstate s, bad;
	int n;

	wr(VIRTIO_PCI_STATUS, 1, 3);
	wr(VIRTIO_PCI_GFSELECT, 4, 1);
	wr(VIRTIO_PCI_GF, 4, 1);
	wr(VIRTIO_PCI_STATUS, 1, 3 | 8);
	wr(VIRTIO_PCI_Q_SELECT, 2, 1);
	wr(VIRTIO_PCI_Q_SIZE, 2, 32);
	wr(VIRTIO_PCI_Q_MSIX, 2, 2);
	wr(VIRTIO_PCI_Q_DESC, 4, 0x20000);
	wr(VIRTIO_PCI_Q_AVAIL, 4, 0x21000);
	wr(VIRTIO_PCI_Q_USED, 4, 0x22000);
	wr(VIRTIO_PCI_Q_ENABLE, 2, 1);
	wr(VIRTIO_PCI_STATUS, 1, 3 | 8 | 4);
	virtio_pci_queue(vp, 1)->last_avail = 7;
	dstate_init(&s);
	virtio_pci_save(vp, &s);
	wr(VIRTIO_PCI_STATUS, 1, 0);
	n = starts;
	dstate_reader(&bad, s.buf, s.len - 4);
	tap_ok(virtio_pci_restore(vp, &bad) == -EINVAL && starts == n,
	       "restore of a cut stream: -EINVAL, nothing started");
	dstate_reader(&bad, s.buf, s.len);
	tap_ok(virtio_pci_restore(vp, &bad) == 0 && starts == n + 1 &&
		       rd(VIRTIO_PCI_STATUS, 1) == (3 | 8 | 4),
	       "save, reset, restore: DRIVER_OK again, the model started");
	wr(VIRTIO_PCI_Q_SELECT, 2, 1);
	tap_ok(rd(VIRTIO_PCI_Q_SIZE, 2) == 32 &&
		       rd(VIRTIO_PCI_Q_MSIX, 2) == 2 &&
		       rd(VIRTIO_PCI_Q_DESC, 4) == 0x20000 &&
		       virtio_pci_queue(vp, 1)->last_avail == 7 &&
		       virtio_pci_queue_enabled(vp, 1),
	       "queue 1 restored: size, vector, rings, its next index");
	wr(VIRTIO_PCI_STATUS, 1, 0);
	dstate_dispose(&s);
}

int
main(void)
{
	struct pci_host_config h = {0};
	struct virtio_pci_env env;
	struct virtio_pci_desc d = {
		"vtest",
		2,
		0x018000,
		VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX) | 0x3,
		2,
		64,
		24,
		&ops,
		NULL};
	struct virtio_pci *vp = NULL;
	struct pci *pci;
	char err[256] = "";
	unsigned i;

	for (i = 0; i < 8; i++)
		kick_fds[i] = -1;
	mmio = bus_new("mmio", UINT64_MAX);
	pio = bus_new("port", 0xffff);
	if (!mmio || !pio || mem_init(&mem, 16ULL << 20) < 0)
		tap_skip_all("out of memory");
	h = (struct pci_host_config){mmio,
				     pio,
				     {intx_set, NULL, 0},
				     {NULL, NULL},
				     XMHV_PCI_MMIO_START,
				     XMHV_PCI_MMIO_SIZE,
				     PCI_IO_START,
				     PCI_IO_SIZE};
	pci = pci_new(&h);
	env = (struct virtio_pci_env){pci, &mem, {ioev_set, NULL}, "test"};
	tap_ok(virtio_pci_new(&env, &d, &vp, err, sizeof(err)) == 0,
	       "a virtio-pci function with 2 queues (%s)", err);
	bar4 = pci_bar_gpa(virtio_pci_function(vp), VIRTIO_PCI_BAR);
	test_caps(pci);
	test_bar_move(pci, vp);
	bar4 = pci_bar_gpa(virtio_pci_function(vp), VIRTIO_PCI_BAR);
	test_negotiation();
	test_queues(vp);
	test_interrupts(vp);
	test_window(pci);
	test_save(vp);
	d.nqueues = 0;
	tap_is_int(virtio_pci_new(&env, &d, &vp, err, sizeof(err)), -EINVAL,
		   "a device of 0 queues is refused");
	virtio_pci_free(vp);
	tap_ok(bus_count(mmio) == 0 && ioev_assigned[0] == 0 &&
		       ioev_assigned[1] == 0,
	       "unplugged: its BARs leave the bus, its ioeventfds go");
	d.nqueues = 1;
	pci_slot_reserve(pci, 1, true);
	tap_ok(virtio_pci_new(&env, &d, &vp, err, sizeof(err)) == 0 &&
		       pci_function_slot(virtio_pci_function(vp)) == 2,
	       "slot 1 reserved (a disk forced out, not ejected yet): the "
	       "next function takes slot 2");
	virtio_pci_free(vp);
	pci_slot_reserve(pci, 1, false);
	tap_ok(virtio_pci_new(&env, &d, &vp, err, sizeof(err)) == 0 &&
		       pci_function_slot(virtio_pci_function(vp)) == 1,
	       "released: slot 1 again");
	virtio_pci_free(vp);
	device_free(pci_device(pci));
	bus_free(mmio);
	bus_free(pio);
	mem_dispose(&mem);
	return tap_done();
}
