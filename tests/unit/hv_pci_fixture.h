/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hv_pci_fixture.h: the fakes tests/unit/hv_pci drives xmhv's PCI core
 * with (BAR handlers, an INTx line, an MSI router that records routes and
 * irqfds) and its config-space and bus accessors. */
#ifndef XM_TESTS_HV_PCI_FIXTURE_H
#define XM_TESTS_HV_PCI_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "bus.h"
#include "devices/pci.h"

#define MSI_ADDR 0xfee00000u

/* One BAR move as bar_moved heard it. */
struct moved {
	unsigned bar;
	uint64_t old_gpa, new_gpa;
	bool active;
};

/* What the fake MSI router has been asked, counted. */
struct fake_router {
	int next_gsi, adds, sets, commits, attaches, detaches, signals;
	int last_gsi, last_efd;
	uint64_t last_addr;
	uint32_t last_data;
};

/* The first 32 BAR moves, and how many there were. */
extern struct moved ev[32];
extern unsigned nev;
/* The last BAR access: its opaque (an int id), offset and direction. */
extern int io_id;
extern uint64_t io_off;
extern bool io_write;
/* The INTx line's calls and its last GSI and level. */
extern int intx_calls, intx_gsi, intx_level;
extern struct fake_router fr;
/* The buses host_new puts the PCI host on; the test creates them. */
extern struct bus *mmio, *pio;

/* A BAR's moved hook: records the move in ev[] and counts it in nev. */
void bar_moved(void *opaque, unsigned bar, uint64_t old_gpa, uint64_t new_gpa,
	       bool active);
/* Whether the move recorded at ev[n] is (bar, old, new, active) and it is
 * the only one since the count was n. */
bool moved_is(unsigned n, unsigned bar, uint64_t old_gpa, uint64_t new_gpa,
	      bool active);
/* A BAR's access handler: records io_*, reads return 0x5a bytes. */
void bar_io(void *opaque, uint64_t off, uint8_t *data, uint32_t size,
	    bool write);
/* A PCI host on mmio and pio with the fake INTx line and MSI router and a
 * memory window of mmio_size at XMHV_PCI_MMIO_START; NULL on failure.
 * The caller frees it with device_free(pci_device()). */
struct pci *host_new(uint64_t mmio_size);
/* A config-space read/write of size bytes at reg of 00:slot.0 through
 * 0xcf8/0xcfc, as a guest does it. */
uint32_t cfg_rd(struct pci *pci, unsigned slot, unsigned reg, unsigned size);
void cfg_wr(struct pci *pci, unsigned slot, unsigned reg, unsigned size,
	    uint32_t v);
/* A 4-byte read/write dispatched on mmio at addr, as a guest's access. */
uint32_t mmio_rd32(uint64_t addr);
void mmio_wr32(uint64_t addr, uint32_t v);
/* The eventfd's counter, read and reset; 0 when nothing was written. */
uint64_t efd_take(int efd);

#endif
