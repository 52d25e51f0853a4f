/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hv_pci.c: xmhv's PCI core without KVM: config space through 0xcf8/0xcfc,
 * BAR placement, sizing and moves (32/64-bit memory, I/O) following the
 * command register onto the buses, the capability chain, MSI-X (table,
 * masks, PBA) against a fake router that records routes and irqfds
 * (tests/unit/hv_pci_fixture.c), INTx, save/restore and reset. */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "bus.h"
#include "devices/pci.h"
#include "devices/pci_int.h"
#include "hv_pci_fixture.h"
#include "tap.h"

/* ---- the host bridge and a function's config space ---- */

static const int id0 = 0, id1 = 1, id2 = 2, id4 = 4;
#define W0 XMHV_PCI_MMIO_START

/* Slot 1 with BAR0 mem32 16 KiB, BAR1 I/O 32, BAR2+3 mem64 1 MiB
 * prefetchable, BAR4 mem32 4 KiB (MSI-X). */
static struct pci_function *
test_bars_add(struct pci *pci)
{
	const struct pci_function_desc d = {0x1af4,   0x1042, 0x1af4, 0x40,
					    0x018000, 1,      "vblk"};
	struct pci_bar_desc b = {PCI_BAR_MEM32, 0x4000,    false,
				 bar_io,        bar_moved, (void *)&id0};
	struct pci_function *f = NULL;
	uint64_t base, len;
	const char *owner;
	unsigned n;

	tap_ok(pci_function_add(pci, &d, &f) == 0 && pci_function_slot(f) == 1,
	       "pci_function_add: slot 1");
	tap_is_int(cfg_rd(pci, 1, 0, 4), 0x10421af4, "PCI 00:01.0 IDs");
	tap_is_int(cfg_rd(pci, 1, 0x3c, 2), 0x0100 | pci_slot_gsi(1),
		   "interrupt pin INTA, line = the slot's GSI");
	nev = 0;
	tap_is_int(pci_bar_add(f, 0, &b), 0, "BAR0: 16 KiB mem32 added");
	tap_ok(moved_is(0, 0, PCI_BAR_UNMAPPED, W0, true),
	       "BAR0: the device model hears it is active at the window's "
	       "start");
	b = (struct pci_bar_desc){PCI_BAR_IO, 32,        false,
				  bar_io,     bar_moved, (void *)&id1};
	n = nev;
	tap_is_int(pci_bar_add(f, 1, &b), 0, "BAR1: 32-byte I/O BAR added");
	tap_ok(moved_is(n, 1, PCI_BAR_UNMAPPED, PCI_IO_START, true),
	       "BAR1: active at 0x%x", PCI_IO_START);
	b = (struct pci_bar_desc){PCI_BAR_MEM64, 0x100000,  true,
				  bar_io,        bar_moved, (void *)&id2};
	n = nev;
	tap_is_int(pci_bar_add(f, 2, &b), 0, "BAR2: 1 MiB mem64 added");
	tap_ok(moved_is(n, 2, PCI_BAR_UNMAPPED, W0 + 0x100000, true),
	       "BAR2: naturally aligned at window + 1 MiB");
	b = (struct pci_bar_desc){PCI_BAR_MEM32, 0x1000,    false,
				  NULL,          bar_moved, (void *)&id4};
	tap_is_int(pci_bar_add(f, 4, &b), 0, "BAR4: 4 KiB mem32 added");
	tap_is_int(pci_bar_gpa(f, 4), W0 + 0x200000, "BAR4 at window + 2 MiB");
	b.size = 3000;
	tap_is_int(pci_bar_add(f, 5, &b), -EINVAL, "a BAR of 3000 bytes");
	b.size = 0x1000;
	tap_is_int(pci_bar_add(f, 3, &b), -EINVAL,
		   "BAR3 is the upper half of BAR2");
	b.kind = PCI_BAR_MEM64;
	tap_is_int(pci_bar_add(f, 5, &b), -EINVAL, "a mem64 BAR at index 5");
	b = (struct pci_bar_desc){PCI_BAR_IO, 512, false, bar_io, NULL, NULL};
	tap_is_int(pci_bar_add(f, 5, &b), -EINVAL, "an I/O BAR over 256 bytes");

	tap_is_int(cfg_rd(pci, 1, 0x10, 4), W0, "BAR0 reads its address");
	tap_is_int(cfg_rd(pci, 1, 0x14, 4), PCI_IO_START | 1,
		   "BAR1 reads its port with the I/O space bit");
	tap_is_int(cfg_rd(pci, 1, 0x18, 4), (W0 + 0x100000) | 0xc,
		   "BAR2 reads type 64-bit, prefetchable");
	tap_is_int(cfg_rd(pci, 1, 0x1c, 4), 0, "BAR3: the upper dword");
	tap_is_int(cfg_rd(pci, 1, 0x04, 2), 0x0003,
		   "command: memory and I/O decoding on (no firmware)");
	tap_ok(bus_count(mmio) == 3 && bus_count(pio) == 1 &&
		       bus_range(pio, 0, &base, &len, &owner) == 0 &&
		       base == PCI_IO_START && len == 32 &&
		       strcmp(owner, "vblk") == 0,
	       "the buses hold 3 memory ranges and the I/O range, owned by "
	       "the function");
	return f;
}

static void
test_bar_sizing(struct pci *pci, struct pci_function *f)
{
	uint8_t p[4];
	unsigned n;

	n = nev;
	cfg_wr(pci, 1, 0x04, 2, 0);
	tap_ok(nev == n + 4 && !ev[n].active && ev[n].bar == 0 &&
		       ev[n].old_gpa == W0 && ev[n].new_gpa == PCI_BAR_UNMAPPED,
	       "decoding off: every BAR is told it is inactive");
	tap_ok(bus_count(mmio) == 0 && bus_count(pio) == 0,
	       "decoding off: the ranges leave the buses");
	tap_is_int(mmio_rd32(W0), 0xffffffff, "decoding off: reads see ones");
	cfg_wr(pci, 1, 0x10, 4, 0xffffffff);
	cfg_wr(pci, 1, 0x14, 4, 0xffffffff);
	cfg_wr(pci, 1, 0x18, 4, 0xffffffff);
	cfg_wr(pci, 1, 0x1c, 4, 0xffffffff);
	tap_is_int(cfg_rd(pci, 1, 0x10, 4), 0xffffc000,
		   "sizing BAR0 (mem32 16 KiB) reads ~(size - 1)");
	tap_is_int(cfg_rd(pci, 1, 0x14, 4), 0xffffffe1,
		   "sizing BAR1 (I/O 32) reads ~31 | I/O");
	tap_ok(cfg_rd(pci, 1, 0x18, 4) == 0xfff0000c &&
		       cfg_rd(pci, 1, 0x1c, 4) == 0xffffffff,
	       "sizing BAR2 (mem64 1 MiB) reads ~(size - 1) over both dwords");
	tap_is_int(nev, n + 4, "sizing with decoding off moves nothing");
	cfg_wr(pci, 1, 0x10, 4, 0xd0000000);
	cfg_wr(pci, 1, 0x14, 4, 0xd000);
	cfg_wr(pci, 1, 0x18, 4, 0x00000000);
	cfg_wr(pci, 1, 0x1c, 4, 0x00000001);
	n = nev;
	cfg_wr(pci, 1, 0x04, 2, 0x0002);
	tap_ok(nev == n + 3 && bus_count(mmio) == 3 && bus_count(pio) == 0,
	       "memory decoding on: the three memory BARs come back, not "
	       "the I/O one");
	tap_ok(ev[n].bar == 0 && ev[n].old_gpa == PCI_BAR_UNMAPPED &&
		       ev[n].new_gpa == 0xd0000000 && ev[n].active &&
		       ev[n + 1].bar == 2 && ev[n + 1].new_gpa == 1ULL << 32,
	       "BAR0 active at 0xd0000000, BAR2 above 4 GiB");
	io_id = -1;
	tap_ok(mmio_rd32(0xd0000010) == 0x5a5a5a5a && io_id == 0 &&
		       io_off == 0x10 && !io_write,
	       "an access at the new BAR0 reaches the device at offset 0x10");
	mmio_wr32((1ULL << 32) + 0xff000, 7);
	tap_ok(io_id == 2 && io_off == 0xff000 && io_write,
	       "an access to the 64-bit BAR above 4 GiB reaches the device");
	tap_is_int(mmio_rd32(W0), 0xffffffff, "the old BAR0 place is free");
	n = nev;
	cfg_wr(pci, 1, 0x04, 2, 0x0003);
	tap_ok(moved_is(n, 1, PCI_BAR_UNMAPPED, 0xd000, true),
	       "I/O decoding on: BAR1 active at port 0xd000");
	p[0] = 0;
	io_id = -1;
	(void)bus_dispatch(pio, 0xd01f, p, 1, false);
	tap_ok(io_id == 1 && io_off == 0x1f && p[0] == 0x5a,
	       "a port access at 0xd01f reaches BAR1 at offset 0x1f");

	n = nev;
	cfg_wr(pci, 1, 0x10, 4, 0xd0100000);
	tap_ok(moved_is(n, 0, 0xd0000000, 0xd0100000, true),
	       "moving BAR0 while decoding: told old and new address");
	tap_is_int(mmio_rd32(0xd0000000), 0xffffffff,
		   "moving BAR0: the old range is gone from the bus");
	n = nev;
	cfg_wr(pci, 1, 0x10, 4, 0xffffffff);
	tap_ok(moved_is(n, 0, 0xd0100000, PCI_BAR_UNMAPPED, false),
	       "sizing BAR0 while decoding: the all-ones pattern is not "
	       "decoded");
	cfg_wr(pci, 1, 0x10, 4, 0xd0100000);
	tap_is_int(pci_bar_gpa(f, 9), PCI_BAR_UNMAPPED,
		   "pci_bar_gpa of no BAR");
	tap_ok(bus_add(mmio, 0xe0000000, 0x1000, bar_io, (void *)&id4, "other",
		       NULL) == 0,
	       "another device claims 0xe0000000");
	n = nev;
	cfg_wr(pci, 1, 0x10, 4, 0xe0000000);
	tap_ok(moved_is(n, 0, 0xd0100000, PCI_BAR_UNMAPPED, false),
	       "moving BAR0 onto another range: refused, not decoded");
	io_id = -1;
	(void)mmio_rd32(0xe0000000);
	tap_is_int(io_id, 4, "the other range keeps its place");
	(void)bus_remove(mmio, 0xe0000000);
	n = nev;
	cfg_wr(pci, 1, 0x10, 4, 0xd0100000);
	tap_ok(moved_is(n, 0, PCI_BAR_UNMAPPED, 0xd0100000, true),
	       "BAR0 decoded again once it is clear");
	n = nev;
	cfg_wr(pci, 1, 0x14, 4, 0xfff0);
	tap_ok(moved_is(n, 1, 0xd000, 0xffe0, true),
	       "BAR1 written 0xfff0: moved to 0xffe0 (its low bits are the "
	       "size's)");
	cfg_wr(pci, 1, 0x14, 4, 0x10000);
	tap_is_int(pci_bar_gpa(f, 1), PCI_BAR_UNMAPPED,
		   "an I/O BAR past 64 KiB is not decoded");
	cfg_wr(pci, 1, 0x14, 4, 0xd000);
}

/* A window with room for one 16 KiB BAR. */
static void
test_bar_window(void)
{
	struct bus *m = mmio, *p = pio;
	const struct pci_function_desc d = {0x1af4, 0x1000, 0, 0, 0, 0, "w"};
	struct pci_bar_desc b = {PCI_BAR_MEM32, 0x4000, false,
				 bar_io,        NULL,   (void *)&id0};
	struct pci_function *f = NULL;
	struct pci *pci;

	mmio = bus_new("mmio", UINT64_MAX);
	pio = bus_new("port", 0xffff);
	pci = host_new(0x4000);
	tap_ok(pci_function_add(pci, &d, &f) == 0 && pci_bar_add(f, 0, &b) == 0,
	       "a 16 KiB BAR fills a 16 KiB window");
	tap_is_int(pci_bar_add(f, 1, &b), -ENOSPC, "the next one: window full");
	device_free(pci_device(pci));
	tap_is_int(bus_count(mmio), 0, "freeing the host releases its ranges");
	bus_free(mmio);
	bus_free(pio);
	mmio = m;
	pio = p;
}

/* ---- capabilities ---- */

static unsigned acc_calls, acc_off, acc_size;
static bool acc_write;

static void
cap_access(void *opaque, uint8_t *cap, unsigned off, unsigned size, bool write)
{
	(void)opaque;
	acc_calls++;
	acc_off = off;
	acc_size = size;
	acc_write = write;
	if (!write)
		cap[7] = 0x77; /* a value computed at read time */
}

static void
test_caps(struct pci *pci, struct pci_function *f)
{
	const uint8_t vdata[8] = {0x09, 0xee, 8, 1, 2, 3, 4, 5};
	const uint8_t vmask[8] = {0xff, 0xff, 0, 0, 0xff, 0, 0, 0};
	struct pci_cap c = {vdata, vmask, sizeof(vdata), cap_access, NULL};
	int off;

	tap_is_int(cfg_rd(pci, 1, 0x06, 2) & 0x10, 0,
		   "status: no capability list yet");
	off = pci_cap_add(f, &c);
	tap_is_int(off, 0x40, "the first capability at 0x40");
	c.len = 1;
	tap_is_int(pci_cap_add(f, &c), -EINVAL, "a 1-byte capability");
	tap_ok(cfg_rd(pci, 1, 0x06, 2) & 0x10 &&
		       cfg_rd(pci, 1, 0x34, 1) == 0x40,
	       "status bit 4 set, capabilities pointer 0x40");
	cfg_wr(pci, 1, 0x40, 4, 0xffffffff);
	cfg_wr(pci, 1, 0x44, 4, 0xffffffff);
	tap_ok(cfg_rd(pci, 1, 0x40, 4) == 0x01080009 &&
		       cfg_rd(pci, 1, 0x44, 4) == 0x770403ff,
	       "only the capability's writable bits take a write (not the ID "
	       "or next)");
	acc_calls = 0;
	cfg_wr(pci, 1, 0x44, 2, 0x1234);
	tap_ok(acc_calls == 1 && acc_off == 4 && acc_size == 2 && acc_write,
	       "the capability's access hook sees a write at its offset 4");
	(void)cfg_rd(pci, 1, 0x3c, 4);
	tap_is_int(acc_calls, 1, "an access outside it does not call the hook");
}

/* ---- MSI-X ---- */

static uint64_t bar4;

static void
tab_wr(unsigned vec, unsigned field, uint32_t v)
{
	mmio_wr32(bar4 + 16 * vec + 4 * field, v);
}

static uint32_t
pba_rd(void)
{
	return mmio_rd32(bar4 + 0x800);
}

static void
test_msix_add(struct pci *pci, struct pci_function *f, const int *efds)
{
	struct pci_msix_desc d = {3, 4, 4, 0, 0x800, efds};
	unsigned ptr, hops = 0, ids[4] = {0};
	struct msi_vector v;
	int cap;

	d.table_off = 0x1000;
	tap_is_int(pci_msix_add(f, &d), -EINVAL, "MSI-X table past its BAR");
	d.table_off = 0x7f8;
	tap_is_int(pci_msix_add(f, &d), -EINVAL,
		   "MSI-X table overlapping the PBA");
	d.table_off = 0x4;
	tap_is_int(pci_msix_add(f, &d), -EINVAL, "MSI-X table misaligned");
	d.table_off = 0;
	d.table_bar = 1;
	tap_is_int(pci_msix_add(f, &d), -EINVAL, "MSI-X table in an I/O BAR");
	d.table_bar = 4;
	v = pci_msix_vector(f, 0);
	tap_is_int(msi_vector_notify(&v), -ENOTCONN,
		   "no MSI-X yet: a vector handle that never delivers");
	cap = pci_msix_add(f, &d);
	tap_is_int(cap, 0x48, "MSI-X capability after the vendor one");
	tap_is_int(pci_msix_add(f, &d), -EEXIST, "MSI-X added twice");
	tap_ok(cfg_rd(pci, 1, 0x48, 4) == 0x00020011 &&
		       cfg_rd(pci, 1, 0x4c, 4) == 0x4 &&
		       cfg_rd(pci, 1, 0x50, 4) == 0x804,
	       "MSI-X capability: 3 vectors, table BAR4 + 0, PBA BAR4 + 0x800");
	for (ptr = cfg_rd(pci, 1, 0x34, 1); ptr && hops < 4; hops++) {
		ids[hops] = cfg_rd(pci, 1, ptr, 1);
		ptr = cfg_rd(pci, 1, ptr + 1, 1);
	}
	tap_ok(hops == 2 && ids[0] == 0x09 && ids[1] == 0x11,
	       "walking the chain from 0x34: vendor capability, then MSI-X");
	bar4 = pci_bar_gpa(f, 4);
	tap_ok(mmio_rd32(bar4 + 12) == 1 && mmio_rd32(bar4 + 32 + 12) == 1 &&
		       mmio_rd32(bar4) == 0,
	       "every vector starts masked, its message 0");
}

static void
test_msix(struct pci *pci, struct pci_function *f, const int *efds)
{
	struct msi_vector v0 = pci_msix_vector(f, 0), v1, v2;
	uint64_t one = 1;

	v1 = pci_msix_vector(f, 1);
	v2 = pci_msix_vector(f, 2);
	tap_ok(pci_msix_vector(f, 3).notify == NULL, "no vector 3");
	tab_wr(0, 0, MSI_ADDR);
	tab_wr(0, 2, 0x4021);
	tap_is_int(fr.adds + fr.commits + fr.attaches, 0,
		   "programming a masked vector touches no route");
	tap_is_int(msi_vector_notify(&v0), -ENOTCONN,
		   "MSI-X off: notify says use INTx");
	cfg_wr(pci, 1, 0x4a, 2, 0x8000);
	tap_is_int(fr.adds + fr.attaches, 0,
		   "MSI-X on, vectors masked: still no route");
	tab_wr(0, 3, 0);
	tap_ok(fr.adds == 1 && fr.last_addr == MSI_ADDR &&
		       fr.last_data == 0x4021 && fr.commits == 1 &&
		       fr.attaches == 1 && fr.last_efd == efds[0] &&
		       fr.last_gsi == 24,
	       "unmasking vector 0: a route (GSI 24) committed, its eventfd "
	       "attached");
	tap_ok(msi_vector_notify(&v0) == 1 && efd_take(efds[0]) == 1,
	       "notify on a live vector writes its eventfd");
	tab_wr(0, 3, 1);
	tap_ok(fr.detaches == 1 && fr.last_efd == efds[0],
	       "masking vector 0 detaches its irqfd");
	tap_ok(msi_vector_notify(&v0) == 0 && (pba_rd() & 1) &&
		       efd_take(efds[0]) == 0,
	       "notify while masked: a PBA bit, no eventfd write");
	tab_wr(0, 3, 0);
	tap_ok(fr.attaches == 2 && fr.adds == 1 && fr.commits == 1 &&
		       efd_take(efds[0]) == 1 && !(pba_rd() & 1),
	       "unmasking: reattached, the pending message sent, PBA clear, "
	       "no new route");
	tab_wr(0, 3, 1);
	mmio_wr32(bar4 + 8, 0x4022);
	tab_wr(0, 3, 0);
	tap_ok(fr.sets == 1 && fr.last_data == 0x4022 && fr.commits == 2 &&
		       fr.attaches == 3,
	       "a new message while masked: the route is updated at unmask");
	tap_ok(write(efds[1], &one, sizeof(one)) == sizeof(one) &&
		       (pba_rd() & 2),
	       "a device writing the eventfd of masked vector 1 shows in the "
	       "PBA");
	cfg_wr(pci, 1, 0x4a, 2, 0xc000);
	tap_ok(fr.detaches == 3 && msi_vector_notify(&v0) == 0 &&
		       (pba_rd() & 1),
	       "function mask: vector 0 detached, its notify pending");
	cfg_wr(pci, 1, 0x4a, 2, 0x8000);
	tap_ok(fr.attaches == 4 && efd_take(efds[0]) == 1 && !(pba_rd() & 1),
	       "function unmasked: vector 0 back, the pending message sent");
	tab_wr(1, 0, MSI_ADDR);
	tab_wr(1, 2, 0x4023);
	tab_wr(1, 3, 0);
	tap_ok(fr.adds == 2 && fr.last_gsi == 25 && fr.last_efd == efds[1] &&
		       !(pba_rd() & 2),
	       "unmasking vector 1: its own route, and the waiting eventfd "
	       "goes to KVM (PBA clear)");
	tab_wr(2, 0, MSI_ADDR);
	tab_wr(2, 1, 0);
	tab_wr(2, 2, 0x4024);
	tab_wr(2, 3, 0);
	tap_ok(fr.adds == 2 && msi_vector_notify(&v2) == 1 && fr.signals == 1 &&
		       fr.last_data == 0x4024,
	       "a vector without an eventfd: no route, notify sends the "
	       "message (KVM_SIGNAL_MSI)");
	tap_ok(mmio_rd32(bar4 + 16 * 2 + 8) == 0x4024 &&
		       mmio_rd32(bar4 + 16 * 3) == 0xffffffff,
	       "the table reads back; past it, nothing answers (the BAR "
	       "has no handler)");
	(void)v1;
}

static void
test_intx(struct pci *pci, struct pci_function *f)
{
	struct irq_line l = pci_intx_line(f);

	intx_calls = 0;
	cfg_wr(pci, 1, 0x4a, 2, 0x0000); /* MSI-X off */
	(void)irq_line_set(&l, 1);
	tap_ok(intx_calls == 1 && intx_gsi == 17 && intx_level == 1 &&
		       (cfg_rd(pci, 1, 0x06, 2) & 0x08),
	       "INTx: GSI 17 raised, status interrupt bit set");
	cfg_wr(pci, 1, 0x04, 2, 0x0403);
	tap_ok(intx_calls == 2 && intx_level == 0 &&
		       (cfg_rd(pci, 1, 0x06, 2) & 0x08),
	       "INTx disable: the pin drops, the status bit stays");
	cfg_wr(pci, 1, 0x04, 2, 0x0003);
	tap_ok(intx_calls == 3 && intx_level == 1,
	       "INTx enabled again: raised");
	cfg_wr(pci, 1, 0x4a, 2, 0x8000);
	tap_ok(intx_calls == 4 && intx_level == 0,
	       "MSI-X on: the INTx pin is not used");
	cfg_wr(pci, 1, 0x4a, 2, 0x0000);
	(void)irq_line_set(&l, 0);
	tap_ok(intx_calls == 6 && intx_level == 0 &&
		       !(cfg_rd(pci, 1, 0x06, 2) & 0x08),
	       "INTx lowered, status bit clear");
}

/* Slots 1 and 9 share GSI 17: the line is their OR. */
static void
test_intx_shared(struct pci *pci, struct pci_function *f)
{
	const struct pci_function_desc d = {0x1af4, 0x1000, 0, 0, 0, 0, "s"};
	struct pci_function *s = NULL;
	struct irq_line a = pci_intx_line(f), b;
	unsigned i;

	for (i = 2; i <= 9; i++)
		if (pci_function_add(pci, &d, &s) < 0)
			break;
	tap_ok(i == 10 && pci_function_slot(s) == 9 &&
		       pci_intx_line(s).gsi == 17,
	       "slots 2..9 filled, slot 9 on GSI 17 as slot 1");
	b = pci_intx_line(s);
	intx_calls = 0;
	(void)irq_line_set(&a, 1);
	(void)irq_line_set(&b, 1);
	tap_ok(intx_calls == 1 && intx_level == 1,
	       "shared GSI: raised once for two functions");
	(void)irq_line_set(&a, 0);
	tap_is_int(intx_calls, 1,
		   "shared GSI: stays up while slot 9 still asserts");
	(void)irq_line_set(&b, 0);
	tap_ok(intx_calls == 2 && intx_level == 0,
	       "shared GSI: lowered when neither asserts");
}

/* ---- save, restore, reset ---- */

static void
test_state(struct pci *pci, struct pci_function *f)
{
	struct device *dev = pci_device(pci);
	struct dstate s, bad, in;
	unsigned n;

	dstate_init(&s);
	dstate_init(&bad);
	tap_is_int(dev->ops->save(dev, &s), 0, "save the PCI host");
	cfg_wr(pci, 1, 0x10, 4, 0xd0200000);
	mmio_wr32(bar4 + 8, 0x9999);
	cfg_wr(pci, 1, 0x04, 2, 0);
	tap_is_int(bus_count(mmio), 0, "changed after the save: decoding off");
	n = nev;
	dstate_reader(&in, s.buf, s.len);
	tap_ok(dev->ops->restore(dev, &in) == 0 && in.pos == in.len,
	       "restore reads its whole part");
	tap_ok(pci_bar_gpa(f, 0) == 0xd0100000 && nev > n &&
		       bus_count(mmio) == 3,
	       "restore: BAR0 decoded where it was, the device model told");
	tap_ok(mmio_rd32(bar4 + 8) == 0x4022 &&
		       (cfg_rd(pci, 1, 0x48, 4) >> 16) == 0x8002,
	       "restore: MSI-X table and enable bit back");
	dstate_put(&bad, s.buf, s.len - 5);
	dstate_reader(&in, bad.buf, bad.len);
	tap_is_int(dev->ops->restore(dev, &in), -EINVAL,
		   "a truncated stream is refused");
	dstate_dispose(&bad);
	dstate_init(&bad);
	dstate_put(&bad, s.buf, s.len);
	bad.buf[12 + 4] ^= 0xff; /* vendor ID of the host bridge */
	dstate_reader(&in, bad.buf, bad.len);
	tap_ok(dev->ops->restore(dev, &in) == 0 &&
		       cfg_rd(pci, 0, 0, 4) == 0x00081b36,
	       "a stream cannot change read-only bytes (IDs)");
	dstate_dispose(&bad);
	dstate_dispose(&s);

	n = (unsigned)fr.detaches;
	cfg_wr(pci, 1, 0x10, 4, 0xd0300000);
	dev->ops->reset(dev);
	tap_ok(pci_bar_gpa(f, 0) == W0 && pci_bar_gpa(f, 2) == W0 + 0x100000 &&
		       pci_bar_gpa(f, 1) == PCI_IO_START,
	       "reset: BARs back where xmhv placed them, decoding");
	tap_ok((cfg_rd(pci, 1, 0x48, 4) >> 16) == 0x0002 &&
		       (unsigned)fr.detaches > n && mmio_rd32(bar4 + 12) == 1,
	       "reset: MSI-X off, irqfds detached, vectors masked");
	tap_is_int(pba_rd(), 0,
		   "reset: signals waiting in the eventfds are dropped");
}

int
main(void)
{
	struct pci_function *f;
	struct pci *pci;
	int efds[3] = {-1, -1, -1};

	mmio = bus_new("mmio", UINT64_MAX);
	pio = bus_new("port", 0xffff);
	fr.next_gsi = 24;
	pci = host_new(XMHV_PCI_MMIO_SIZE);
	tap_is_int(cfg_rd(pci, 0, 0, 4), 0x00081b36,
		   "PCI 00:00.0 is a host bridge without guest quirks "
		   "(1b36:0008, not the 440FX's 8086:1237)");
	tap_ok(cfg_rd(pci, 0, 8, 4) >> 16 == 0x0600 &&
		       cfg_rd(pci, 0, 4, 4) == 0x0006 &&
		       cfg_rd(pci, 0, 0x34, 1) == 0,
	       "PCI 00:00.0: class host bridge, status 0, no capabilities");
	tap_is_int(cfg_rd(pci, 5, 0, 4), 0xffffffff, "empty slot reads ones");
	tap_ok(bus_count(mmio) == 0 && bus_count(pio) == 0,
	       "the host bridge claims no range");
	f = test_bars_add(pci);
	test_bar_sizing(pci, f);
	test_bar_window();
	efds[0] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	efds[1] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	test_caps(pci, f);
	test_msix_add(pci, f, efds);
	test_msix(pci, f, efds);
	test_intx(pci, f);
	test_intx_shared(pci, f);
	cfg_wr(pci, 1, 0x4a, 2, 0x8000); /* MSI-X on again */
	test_state(pci, f);
	device_free(pci_device(pci));
	close(efds[0]);
	close(efds[1]);
	bus_free(mmio);
	bus_free(pio);
	return tap_done();
}
