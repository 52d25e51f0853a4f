/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pci.c: PCI configuration mechanism #1 (0xcf8/0xcfc) with the host
 * bridge at 00:00.0, the functions device models plug into (one per slot
 * on bus 0), their config space as the guest reads and writes it, INTA
 * routed to IOAPIC pin 16 + (slot % 8) as the DSDT's _PRT says, and the
 * PCI host's device ops (reset, save, restore). BARs: pci_bar.c;
 * capabilities: pci_cap.c; MSI-X: msix.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pci_int.h"

#define PCI_HOST_VENDOR 0x1b36 /* Red Hat, Inc. */
#define PCI_HOST_DEVICE 0x0008 /* QEMU PCIe host bridge */
#define PCI_SAVE_VERSION 1

/* See pci.h. */
uint32_t
pci_slot_gsi(unsigned slot)
{
	return XMHV_PCI_IRQ_BASE + (slot & 7);
}

/* The function the latched address selects, or NULL. */
static struct pci_function *
pci_target(struct pci *pci, unsigned *reg_out)
{
	uint32_t a = pci->addr;
	unsigned bus = (a >> 16) & 0xff, dev = (a >> 11) & 0x1f,
		 fn = (a >> 8) & 7;

	if (!(a & 0x80000000u) || bus || fn || !pci->fn[dev].present)
		return NULL;
	*reg_out = a & 0xfc;
	return &pci->fn[dev];
}

void
pci_intx_update_locked(struct pci_function *f)
{
	struct pci *pci = f->pci;
	unsigned pin = f->slot & 7;
	uint32_t was = pci->gsi_level[pin];
	struct irq_line line = pci->host.intx;
	bool assert = f->intx_level && !f->intx_disabled &&
		      !(f->msix && f->msix->enabled);

	if (assert)
		pci->gsi_level[pin] |= 1u << f->slot;
	else
		pci->gsi_level[pin] &= ~(1u << f->slot);
	if (!was != !pci->gsi_level[pin]) {
		line.gsi = pci_slot_gsi(f->slot);
		(void)irq_line_set(&line, pci->gsi_level[pin] != 0);
	}
}

static int
pci_intx_set(void *opaque, uint32_t gsi, int level)
{
	struct pci_function *f = opaque;

	(void)gsi;
	pthread_mutex_lock(&f->pci->lock);
	f->intx_level = level != 0;
	pci_intx_update_locked(f);
	pthread_mutex_unlock(&f->pci->lock);
	return 0;
}

struct irq_line
pci_intx_line(struct pci_function *f)
{
	return (struct irq_line){pci_intx_set, f, pci_slot_gsi(f->slot)};
}

/* Let the capabilities that [reg, reg + n) touches see the access. */
static void
pci_cfg_caps(struct pci_function *f, unsigned reg, unsigned n, bool write)
{
	unsigned i, lo, hi;

	for (i = 0; i < f->ncaps; i++) {
		struct pci_cap_ent *c = &f->caps[i];

		lo = reg > c->off ? reg : c->off;
		hi = reg + n < (unsigned)c->off + c->len ? reg + n
							 : c->off + c->len;
		if (lo >= hi)
			continue;
		if (write && f->msix && c->off == f->msix->cap &&
		    lo < c->off + 4u && hi > c->off + 2u)
			msix_control_written(f);
		if (c->access)
			c->access(c->opaque, &f->cfg[c->off], lo - c->off,
				  hi - lo, write);
	}
}

/* A guest write of n bytes at reg (inside one dword): the writable bits
 * land, then whatever they control follows. Caller holds cfg_lock. */
static void
pci_cfg_write(struct pci_function *f, unsigned reg, const uint8_t *data,
	      unsigned n)
{
	unsigned i, r;

	for (i = 0; i < n; i++) {
		r = reg + i;
		f->cfg[r] = (uint8_t)((f->cfg[r] & ~f->wmask[r]) |
				      (data[i] & f->wmask[r]));
	}
	if (reg < PCI_COMMAND + 2 && reg + n > PCI_COMMAND) {
		pthread_mutex_lock(&f->pci->lock);
		f->intx_disabled =
			pci_get16(&f->cfg[PCI_COMMAND]) & PCI_CMD_INTX_DISABLE;
		pci_intx_update_locked(f);
		pthread_mutex_unlock(&f->pci->lock);
	}
	if ((reg < PCI_COMMAND + 2 && reg + n > PCI_COMMAND) ||
	    (reg < PCI_BAR0 + 4 * PCI_BARS && reg + n > PCI_BAR0))
		pci_bars_sync(f);
	pci_cfg_caps(f, reg, n, true);
}

/* A guest read of n bytes at reg. Caller holds cfg_lock. */
static void
pci_cfg_read(struct pci_function *f, unsigned reg, uint8_t *data, unsigned n)
{
	unsigned i;
	int level;

	pci_cfg_caps(f, reg, n, false);
	memcpy(data, &f->cfg[reg], n);
	if (reg <= PCI_STATUS && reg + n > PCI_STATUS) {
		pthread_mutex_lock(&f->pci->lock);
		level = f->intx_level;
		pthread_mutex_unlock(&f->pci->lock);
		i = PCI_STATUS - reg;
		data[i] = (uint8_t)((data[i] & ~PCI_STATUS_INTX) |
				    (level ? PCI_STATUS_INTX : 0));
	}
}

/* Ports 0xcf8 (address, dword) and 0xcfc..0xcff (data). */
void
pci_io(void *opaque, uint64_t port, uint8_t *data, uint32_t size, bool write)
{
	struct pci *pci = opaque;
	struct pci_function *f;
	unsigned reg = 0, off, n;

	pthread_mutex_lock(&pci->cfg_lock);
	if (port == XMHV_PCI_CONFIG_ADDR && size == 4) {
		if (write)
			memcpy(&pci->addr, data, 4);
		else
			memcpy(data, &pci->addr, 4);
		goto out;
	}
	f = port >= XMHV_PCI_CONFIG_DATA ? pci_target(pci, &reg) : NULL;
	off = (unsigned)(port - XMHV_PCI_CONFIG_DATA);
	if (!f || off >= 4) {
		if (!write)
			memset(data, 0xff, size);
		goto out;
	}
	n = size < 4 - off ? size : 4 - off;
	if (write) {
		pci_cfg_write(f, reg + off, data, n);
	} else {
		pci_cfg_read(f, reg + off, data, n);
		memset(data + n, 0xff, size - n);
	}
out:
	pthread_mutex_unlock(&pci->cfg_lock);
}

int
pci_function_add(struct pci *pci, const struct pci_function_desc *d,
		 struct pci_function **f_out)
{
	struct pci_function *f;
	unsigned slot, i;
	int rc = 0;

	pthread_mutex_lock(&pci->cfg_lock);
	for (slot = 1; slot < PCI_SLOTS && (pci->fn[slot].present ||
					    (pci->reserved & (1u << slot)));
	     slot++)
		;
	if (slot == PCI_SLOTS) {
		rc = -ENOSPC;
		goto out;
	}
	f = &pci->fn[slot];
	memset(f, 0, sizeof(*f));
	f->pci = pci;
	f->present = true;
	f->slot = slot;
	f->name = d->name ? d->name : "pci";
	for (i = 0; i < PCI_BARS; i++) {
		f->bar[i].fn = f;
		f->bar[i].index = i;
		atomic_init(&f->bar[i].mapped, PCI_BAR_UNMAPPED);
	}
	pci_put16(&f->cfg[0x00], d->vendor);
	pci_put16(&f->cfg[0x02], d->device);
	f->cfg[0x08] = d->revision;
	f->cfg[0x09] = (uint8_t)d->class_code;
	f->cfg[0x0a] = (uint8_t)(d->class_code >> 8);
	f->cfg[0x0b] = (uint8_t)(d->class_code >> 16);
	pci_put16(&f->cfg[0x2c], d->subsys_vendor);
	pci_put16(&f->cfg[0x2e], d->subsys);
	pci_put16(&f->wmask[PCI_COMMAND],
		  PCI_CMD_IO | PCI_CMD_MEMORY | PCI_CMD_MASTER |
			  PCI_CMD_PARITY | PCI_CMD_SERR | PCI_CMD_INTX_DISABLE);
	f->cfg[PCI_INTERRUPT_PIN] = 1; /* INTA */
	f->cfg[PCI_INTERRUPT_LINE] = (uint8_t)pci_slot_gsi(slot);
	f->wmask[PCI_INTERRUPT_LINE] = 0xff;
	memcpy(f->cfg_reset, f->cfg, PCI_CFG_SIZE);
	*f_out = f;
out:
	pthread_mutex_unlock(&pci->cfg_lock);
	return rc;
}

unsigned
pci_function_slot(const struct pci_function *f)
{
	return f->slot;
}

void
pci_slot_reserve(struct pci *pci, unsigned slot, bool reserve)
{
	pthread_mutex_lock(&pci->cfg_lock);
	if (slot < PCI_SLOTS && reserve)
		pci->reserved |= 1u << slot;
	else if (slot < PCI_SLOTS)
		pci->reserved &= ~(1u << slot);
	pthread_mutex_unlock(&pci->cfg_lock);
}

void
pci_function_remove(struct pci_function *f)
{
	struct pci *pci = f->pci;

	pthread_mutex_lock(&pci->cfg_lock);
	pci_bars_unmap(f);
	if (f->msix)
		msix_release(f);
	pthread_mutex_lock(&pci->lock);
	f->intx_level = 0;
	pci_intx_update_locked(f);
	f->present = false;
	pthread_mutex_unlock(&pci->lock);
	pthread_mutex_unlock(&pci->cfg_lock);
}

/* Power-on state: config space as xmhv placed it (BARs decoding at their
 * first addresses, no firmware to do it again), MSI-X off, INTx low. */
static void
pci_reset(struct device *dev)
{
	struct pci *pci = (struct pci *)dev;
	struct pci_function *f;
	unsigned i;

	pthread_mutex_lock(&pci->cfg_lock);
	pci->addr = 0;
	for (i = 0; i < PCI_SLOTS; i++) {
		f = &pci->fn[i];
		if (!f->present)
			continue;
		memcpy(f->cfg, f->cfg_reset, PCI_CFG_SIZE);
		if (f->msix)
			msix_reset(f);
		pthread_mutex_lock(&pci->lock);
		f->intx_level = 0;
		f->intx_disabled = false;
		pci_intx_update_locked(f);
		pthread_mutex_unlock(&pci->lock);
		pci_bars_sync(f);
	}
	pthread_mutex_unlock(&pci->cfg_lock);
}

/* Per present function: its slot, config space, INTx level and MSI-X
 * state (the BARs' handlers are the device models' own state). */
static int
pci_save(struct device *dev, struct dstate *out)
{
	struct pci *pci = (struct pci *)dev;
	struct pci_function *f;
	uint32_t n = 0, level;
	unsigned i;

	pthread_mutex_lock(&pci->cfg_lock);
	for (i = 0; i < PCI_SLOTS; i++)
		n += pci->fn[i].present;
	dstate_put_u32(out, PCI_SAVE_VERSION);
	dstate_put_u32(out, pci->addr);
	dstate_put_u32(out, n);
	for (i = 0; i < PCI_SLOTS; i++) {
		f = &pci->fn[i];
		if (!f->present)
			continue;
		dstate_put_u32(out, i);
		dstate_put(out, f->cfg, PCI_CFG_SIZE);
		pthread_mutex_lock(&pci->lock);
		level = (uint32_t)f->intx_level;
		pthread_mutex_unlock(&pci->lock);
		dstate_put_u32(out, level);
		msix_save(f, out);
	}
	pthread_mutex_unlock(&pci->cfg_lock);
	return dstate_status(out);
}

/* One pass over a saved stream: check it fits this bus (apply false), or
 * load it (apply true, after a checking pass). Caller holds cfg_lock. */
static int
pci_restore_pass(struct pci *pci, struct dstate *in, bool apply)
{
	uint8_t cfg[PCI_CFG_SIZE];
	struct pci_function *f;
	uint32_t n, slot, level, addr, i;
	unsigned r, present = 0;
	int rc;

	for (i = 0; i < PCI_SLOTS; i++)
		present += pci->fn[i].present;
	if (dstate_get_u32(in) != PCI_SAVE_VERSION)
		return -EINVAL;
	addr = dstate_get_u32(in);
	n = dstate_get_u32(in);
	if (dstate_status(in) < 0 || n != present)
		return -EINVAL;
	if (apply)
		pci->addr = addr;
	for (i = 0; i < n; i++) {
		slot = dstate_get_u32(in);
		dstate_get(in, cfg, sizeof(cfg));
		level = dstate_get_u32(in);
		if (dstate_status(in) < 0 || slot >= PCI_SLOTS ||
		    !pci->fn[slot].present)
			return -EINVAL;
		f = &pci->fn[slot];
		rc = msix_restore(f, in, apply);
		if (rc < 0)
			return rc;
		if (!apply)
			continue;
		/* Only what the guest could have written comes from the
		 * stream; IDs, BAR types and the like stay the machine's. */
		for (r = 0; r < PCI_CFG_SIZE; r++)
			f->cfg[r] = (uint8_t)((f->cfg_reset[r] & ~f->wmask[r]) |
					      (cfg[r] & f->wmask[r]));
		pthread_mutex_lock(&pci->lock);
		f->intx_level = level != 0;
		f->intx_disabled =
			pci_get16(&f->cfg[PCI_COMMAND]) & PCI_CMD_INTX_DISABLE;
		pci_intx_update_locked(f);
		pthread_mutex_unlock(&pci->lock);
		if (f->msix)
			msix_control_written(f);
		pci_bars_sync(f);
	}
	return dstate_status(in) < 0 ? -EINVAL : 0;
}

static int
pci_restore(struct device *dev, struct dstate *in)
{
	struct pci *pci = (struct pci *)dev;
	struct dstate check = *in;
	int rc;

	pthread_mutex_lock(&pci->cfg_lock);
	rc = pci_restore_pass(pci, &check, false);
	if (rc == 0)
		rc = pci_restore_pass(pci, in, true);
	pthread_mutex_unlock(&pci->cfg_lock);
	return rc;
}

/* The device models may be gone already: ranges go without telling them,
 * irqfds and routes die with the VM. */
static void
pci_free(struct device *dev)
{
	struct pci *pci = (struct pci *)dev;
	unsigned i;

	for (i = 0; i < PCI_SLOTS; i++) {
		if (!pci->fn[i].present)
			continue;
		pci_bars_unmap(&pci->fn[i]);
		msix_free(pci->fn[i].msix);
	}
	pthread_mutex_destroy(&pci->lock);
	pthread_mutex_destroy(&pci->cfg_lock);
	free(pci);
}

static const struct device_ops pci_ops = {
	.kind = "pci-host",
	.reset = pci_reset,
	.save = pci_save,
	.restore = pci_restore,
	.free = pci_free,
};

struct device *
pci_device(struct pci *pci)
{
	return &pci->dev;
}

/* A bus with the host bridge: Red Hat's QEMU PCIe host bridge IDs
 * (1b36:0008), which no guest applies chipset quirks to (Linux's 440FX ones
 * cost ~20 ms of guest time). */
struct pci *
pci_new(const struct pci_host_config *cfg)
{
	struct pci *pci = calloc(1, sizeof(*pci));
	struct pci_function *hb;

	if (!pci)
		return NULL;
	device_init(&pci->dev, &pci_ops, "pci");
	pthread_mutex_init(&pci->cfg_lock, NULL);
	pthread_mutex_init(&pci->lock, NULL);
	pci->host = *cfg;
	pci->mmio_next = cfg->mmio_start;
	pci->io_next = cfg->io_start;
	hb = &pci->fn[0];
	hb->pci = pci;
	hb->present = true;
	hb->name = "pci-host";
	pci_put16(&hb->cfg[0x00], PCI_HOST_VENDOR);
	pci_put16(&hb->cfg[0x02], PCI_HOST_DEVICE);
	pci_put16(&hb->cfg[0x04], 0x0006); /* command: memory, master */
	hb->cfg[0x08] = 0x02;              /* revision */
	hb->cfg[0x0b] = 0x06;              /* class: bridge */
	hb->cfg[0x0a] = 0x00;              /* subclass: host */
	hb->wmask[0x04] = 0x06;
	hb->wmask[0x0d] = 0xff; /* latency timer */
	memcpy(hb->cfg_reset, hb->cfg, PCI_CFG_SIZE);
	return pci;
}
