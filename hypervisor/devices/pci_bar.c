/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pci_bar.c: a PCI function's BARs: placed by xmhv at build time (there
 * is no firmware), sized by the guest with all-ones writes as on hardware,
 * and claimed on the machine's MMIO or port bus wherever the guest's
 * command register and BAR values say it decodes, the device model told
 * of every move. */
#include <errno.h>
#include <string.h>

#include "pci_int.h"

#define PCI_BAR_IO_SPACE 0x1u
#define PCI_BAR_MEM_TYPE64 0x4u
#define PCI_BAR_MEM_PREFETCH 0x8u

uint64_t
pci_bar_decode(const uint8_t *cfg, const struct pci_bar *b)
{
	uint16_t cmd = pci_get16(&cfg[PCI_COMMAND]);
	const uint8_t *reg = &cfg[PCI_BAR0 + 4 * b->index];
	uint64_t a, last, limit;

	switch (b->kind) {
	case PCI_BAR_IO:
		if (!(cmd & PCI_CMD_IO))
			return PCI_BAR_UNMAPPED;
		a = pci_get32(reg) & ~3u;
		limit = 0xffff;
		break;
	case PCI_BAR_MEM32:
		if (!(cmd & PCI_CMD_MEMORY))
			return PCI_BAR_UNMAPPED;
		a = pci_get32(reg) & ~0xfu;
		limit = UINT32_MAX - 1; /* all ones: a sizing pattern */
		break;
	case PCI_BAR_MEM64:
		if (!(cmd & PCI_CMD_MEMORY))
			return PCI_BAR_UNMAPPED;
		a = (pci_get32(reg) & ~0xfu) | (uint64_t)pci_get32(reg + 4)
						       << 32;
		limit = UINT64_MAX - 1;
		break;
	default:
		return PCI_BAR_UNMAPPED;
	}
	last = a + b->size - 1;
	if (a == 0 || last < a || last > limit)
		return PCI_BAR_UNMAPPED;
	return a;
}

/* A guest access to the range of the BAR in opaque. */
static void
pci_bar_io(void *opaque, uint64_t addr, uint8_t *data, uint32_t size,
	   bool write)
{
	struct pci_bar *b = opaque;
	uint64_t base = atomic_load_explicit(&b->mapped, memory_order_acquire);
	uint64_t off = addr - base;

	/* A move racing with the access: the address is no longer ours. */
	if (base == PCI_BAR_UNMAPPED || addr < base || off >= b->size ||
	    size > b->size - off)
		goto unclaimed;
	if (b->fn->msix && msix_bar_io(b->fn, b->index, off, data, size, write))
		return;
	if (b->io) {
		b->io(b->opaque, off, data, size, write);
		return;
	}
unclaimed:
	if (!write)
		memset(data, 0xff, size);
}

static struct bus *
pci_bar_bus(const struct pci_bar *b)
{
	return b->kind == PCI_BAR_IO ? b->fn->pci->host.pio
				     : b->fn->pci->host.mmio;
}

void
pci_bars_sync(struct pci_function *f)
{
	uint64_t want, have;
	struct pci_bar *b;
	struct bus *bus;
	unsigned i;

	for (i = 0; i < PCI_BARS; i++) {
		b = &f->bar[i];
		if (!b->kind)
			continue;
		want = pci_bar_decode(f->cfg, b);
		have = atomic_load(&b->mapped);
		if (want == have)
			continue;
		bus = pci_bar_bus(b);
		if (have != PCI_BAR_UNMAPPED && want != PCI_BAR_UNMAPPED) {
			if (bus_move(bus, have, want) < 0) {
				/* Taken by another range: not decoded. */
				(void)bus_remove(bus, have);
				want = PCI_BAR_UNMAPPED;
			}
		} else if (have != PCI_BAR_UNMAPPED) {
			(void)bus_remove(bus, have);
		} else if (bus_add(bus, want, b->size, pci_bar_io, b, f->name,
				   NULL) < 0) {
			want = PCI_BAR_UNMAPPED;
		}
		atomic_store_explicit(&b->mapped, want, memory_order_release);
		if (want != have && b->moved)
			b->moved(b->opaque, i, have, want,
				 want != PCI_BAR_UNMAPPED);
	}
}

void
pci_bars_unmap(struct pci_function *f)
{
	struct pci_bar *b;
	uint64_t have;
	unsigned i;

	for (i = 0; i < PCI_BARS; i++) {
		b = &f->bar[i];
		have = b->kind ? atomic_load(&b->mapped) : PCI_BAR_UNMAPPED;
		if (have == PCI_BAR_UNMAPPED)
			continue;
		(void)bus_remove(pci_bar_bus(b), have);
		atomic_store(&b->mapped, PCI_BAR_UNMAPPED);
	}
}

static bool
pci_bar_desc_ok(const struct pci_function *f, unsigned bar,
		const struct pci_bar_desc *d)
{
	unsigned n = d->kind == PCI_BAR_MEM64 ? 2 : 1, i;

	if (bar + n > PCI_BARS || !d->size || (d->size & (d->size - 1)))
		return false;
	for (i = bar; i < bar + n; i++)
		if (f->bar[i].kind || f->bar[i].upper)
			return false;
	switch (d->kind) {
	case PCI_BAR_IO:
		return d->size >= 4 && d->size <= 256 && !d->prefetchable;
	case PCI_BAR_MEM32:
		return d->size >= 16 && d->size <= (1ULL << 31);
	case PCI_BAR_MEM64:
		return d->size >= 16;
	default:
		return false;
	}
}

/* The next naturally aligned place of size in [*next, end), or
 * PCI_BAR_UNMAPPED. */
static uint64_t
pci_bar_place(uint64_t *next, uint64_t end, uint64_t size)
{
	uint64_t a = (*next + size - 1) & ~(size - 1);

	if (a < *next || a > end || size > end - a)
		return PCI_BAR_UNMAPPED;
	*next = a + size;
	return a;
}

/* Write BAR bar's address a with its type bits into config image c and
 * turn its kind of decoding on (what firmware would do); a == 0 with
 * cmd == 0 clears it again. */
static void
pci_bar_put(uint8_t *c, unsigned bar, enum pci_bar_kind kind, uint64_t a,
	    uint32_t type, uint16_t cmd)
{
	pci_put32(&c[PCI_BAR0 + 4 * bar], (uint32_t)a | type);
	if (kind == PCI_BAR_MEM64)
		pci_put32(&c[PCI_BAR0 + 4 * bar + 4], (uint32_t)(a >> 32));
	pci_put16(&c[PCI_COMMAND],
		  (uint16_t)(pci_get16(&c[PCI_COMMAND]) | cmd));
}

int
pci_bar_add(struct pci_function *f, unsigned bar, const struct pci_bar_desc *d)
{
	struct pci *pci = f->pci;
	const struct pci_host_config *h = &pci->host;
	uint8_t *wm = &f->wmask[PCI_BAR0 + 4 * bar];
	uint64_t a, mask = ~(d->size - 1), *next;
	uint64_t saved_next;
	uint32_t type;
	uint16_t cmd;
	struct pci_bar *b;
	int rc = 0;

	pthread_mutex_lock(&pci->cfg_lock);
	if (!pci_bar_desc_ok(f, bar, d)) {
		rc = -EINVAL;
		goto out;
	}
	if (d->kind == PCI_BAR_IO) {
		next = &pci->io_next;
		saved_next = *next;
		a = pci_bar_place(next, h->io_start + h->io_size, d->size);
		type = PCI_BAR_IO_SPACE;
		cmd = PCI_CMD_IO;
	} else {
		next = &pci->mmio_next;
		saved_next = *next;
		a = pci_bar_place(next, h->mmio_start + h->mmio_size, d->size);
		type = (d->kind == PCI_BAR_MEM64 ? PCI_BAR_MEM_TYPE64 : 0) |
		       (d->prefetchable ? PCI_BAR_MEM_PREFETCH : 0);
		cmd = PCI_CMD_MEMORY;
	}
	if (a == PCI_BAR_UNMAPPED) {
		rc = -ENOSPC;
		goto out;
	}
	b = &f->bar[bar];
	b->kind = d->kind;
	b->prefetchable = d->prefetchable;
	b->size = d->size;
	b->io = d->io;
	b->moved = d->moved;
	b->opaque = d->opaque;
	if (d->kind == PCI_BAR_MEM64)
		f->bar[bar + 1].upper = true;
	/* Sizing: the address bits below the size are not writable, so an
	 * all-ones write reads back ~(size - 1) with the type bits. */
	pci_put32(wm, (uint32_t)mask & (d->kind == PCI_BAR_IO ? ~3u : ~0xfu));
	if (d->kind == PCI_BAR_MEM64)
		pci_put32(wm + 4, (uint32_t)(mask >> 32));
	pci_bar_put(f->cfg, bar, d->kind, a, type, cmd);
	pci_bar_put(f->cfg_reset, bar, d->kind, a, type, cmd);
	pci_bars_sync(f);
	if (atomic_load(&b->mapped) != PCI_BAR_UNMAPPED)
		goto out;
	/* Another range on the bus holds the place: no BAR after all. */
	rc = -EEXIST;
	*next = saved_next;
	pci_bar_put(f->cfg, bar, d->kind, 0, 0, 0);
	pci_bar_put(f->cfg_reset, bar, d->kind, 0, 0, 0);
	memset(wm, 0, d->kind == PCI_BAR_MEM64 ? 8 : 4);
	memset(b, 0, sizeof(*b));
	b->fn = f;
	b->index = bar;
	atomic_init(&b->mapped, PCI_BAR_UNMAPPED);
	if (d->kind == PCI_BAR_MEM64)
		f->bar[bar + 1].upper = false;
out:
	pthread_mutex_unlock(&pci->cfg_lock);
	return rc;
}

uint64_t
pci_bar_gpa(struct pci_function *f, unsigned bar)
{
	if (bar >= PCI_BARS)
		return PCI_BAR_UNMAPPED;
	return atomic_load_explicit(&f->bar[bar].mapped, memory_order_acquire);
}
