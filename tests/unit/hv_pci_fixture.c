/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hv_pci_fixture.c: the fake BAR handlers, INTx line and MSI router that
 * tests/unit/hv_pci drives xmhv's PCI core with, and its accessors. */
#include <string.h>
#include <unistd.h>

#include "bus.h"
#include "devices/pci.h"
#include "hv_pci_fixture.h"

struct moved ev[32];
unsigned nev;

void
bar_moved(void *opaque, unsigned bar, uint64_t old_gpa, uint64_t new_gpa,
	  bool active)
{
	(void)opaque;
	if (nev < 32)
		ev[nev] = (struct moved){bar, old_gpa, new_gpa, active};
	nev++;
}

/* The last event is (bar, old, new, active) and it is the only one since
 * the count was n. */
bool
moved_is(unsigned n, unsigned bar, uint64_t old_gpa, uint64_t new_gpa,
	 bool active)
{
	const struct moved *m = &ev[n];

	return nev == n + 1 && m->bar == bar && m->old_gpa == old_gpa &&
	       m->new_gpa == new_gpa && m->active == active;
}

int io_id = -1;
uint64_t io_off;
bool io_write;

void
bar_io(void *opaque, uint64_t off, uint8_t *data, uint32_t size, bool write)
{
	io_id = *(const int *)opaque;
	io_off = off;
	io_write = write;
	if (!write)
		memset(data, 0x5a, size);
}

int intx_calls, intx_gsi, intx_level;

static int
intx_set(void *opaque, uint32_t gsi, int level)
{
	(void)opaque;
	intx_calls++;
	intx_gsi = (int)gsi;
	intx_level = level;
	return 0;
}

struct fake_router fr;

static int
fr_add(void *opaque, uint64_t addr, uint32_t data)
{
	(void)opaque;
	fr.adds++;
	fr.last_addr = addr;
	fr.last_data = data;
	return fr.last_gsi = fr.next_gsi++;
}

static int
fr_set(void *opaque, uint32_t gsi, uint64_t addr, uint32_t data)
{
	(void)opaque;
	fr.sets++;
	fr.last_gsi = (int)gsi;
	fr.last_addr = addr;
	fr.last_data = data;
	return 0;
}

static void
fr_del(void *opaque, uint32_t gsi)
{
	(void)opaque;
	(void)gsi;
}

static int
fr_commit(void *opaque)
{
	(void)opaque;
	fr.commits++;
	return 0;
}

static int
fr_irqfd(void *opaque, int efd, uint32_t gsi, bool attach)
{
	(void)opaque;
	if (attach)
		fr.attaches++;
	else
		fr.detaches++;
	fr.last_efd = efd;
	fr.last_gsi = (int)gsi;
	return 0;
}

static int
fr_signal(void *opaque, uint64_t addr, uint32_t data)
{
	(void)opaque;
	fr.signals++;
	fr.last_addr = addr;
	fr.last_data = data;
	return 0;
}

static const struct msi_router_ops fr_ops = {fr_add,    fr_set,   fr_del,
					     fr_commit, fr_irqfd, fr_signal};

struct bus *mmio, *pio;

struct pci *
host_new(uint64_t mmio_size)
{
	struct pci_host_config h = {
		.mmio = mmio,
		.pio = pio,
		.intx = {intx_set, NULL, 0},
		.msi = {&fr_ops, NULL},
		.mmio_start = XMHV_PCI_MMIO_START,
		.mmio_size = mmio_size,
		.io_start = PCI_IO_START,
		.io_size = PCI_IO_SIZE,
	};

	return pci_new(&h);
}

uint32_t
cfg_rd(struct pci *pci, unsigned slot, unsigned reg, unsigned size)
{
	uint32_t a = 0x80000000u | slot << 11 | (reg & 0xfc), v = 0;

	pci_io(pci, XMHV_PCI_CONFIG_ADDR, (uint8_t *)&a, 4, true);
	pci_io(pci, XMHV_PCI_CONFIG_DATA + (reg & 3), (uint8_t *)&v, size,
	       false);
	return v;
}

void
cfg_wr(struct pci *pci, unsigned slot, unsigned reg, unsigned size, uint32_t v)
{
	uint32_t a = 0x80000000u | slot << 11 | (reg & 0xfc);

	pci_io(pci, XMHV_PCI_CONFIG_ADDR, (uint8_t *)&a, 4, true);
	pci_io(pci, XMHV_PCI_CONFIG_DATA + (reg & 3), (uint8_t *)&v, size,
	       true);
}

uint32_t
mmio_rd32(uint64_t addr)
{
	uint32_t v = 0;

	(void)bus_dispatch(mmio, addr, (uint8_t *)&v, 4, false);
	return v;
}

void
mmio_wr32(uint64_t addr, uint32_t v)
{
	(void)bus_dispatch(mmio, addr, (uint8_t *)&v, 4, true);
}

uint64_t
efd_take(int efd)
{
	uint64_t v = 0;

	if (read(efd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}
