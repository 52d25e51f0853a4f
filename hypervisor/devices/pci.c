/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pci.c: PCI configuration mechanism #1 (0xcf8/0xcfc) with the host
 * bridge at 00:00.0, and the plumbing devices plug into: one function per
 * slot on bus 0, a 32-bit memory BAR0 in the PCI window (sized and moved
 * by the guest, its MMIO dispatched here), INTA routed to IOAPIC pin
 * 16 + (slot % 8) as the DSDT's _PRT says. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pci.h"

#define PCI_MAX_DEVS 32
#define PCI_CFG_SIZE 256
#define PCI_COMMAND 0x04
#define PCI_CMD_MEMORY 0x02
#define PCI_BAR0 0x10
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d
#define PCI_BAR_MIN 4096u
#define PCI_BAR_MAX (1u << 20) /* one default window per slot */

struct pci_function {
	bool present;
	uint8_t cfg[PCI_CFG_SIZE];
	uint8_t wmask[PCI_CFG_SIZE]; /* writable bits */
	uint32_t bar_size;
	io_fn bar_fn;
	void *bar_opaque;
};

struct pci {
	struct device dev;
	pthread_mutex_t lock;
	uint32_t addr;
	struct pci_function fn[PCI_MAX_DEVS]; /* bus 0, function 0 only */
};

static void
pci_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
pci_put32(uint8_t *p, uint32_t v)
{
	pci_put16(p, (uint16_t)v);
	pci_put16(p + 2, (uint16_t)(v >> 16));
}

static uint32_t
pci_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

#define PCI_HOST_VENDOR 0x1b36 /* Red Hat, Inc. */
#define PCI_HOST_DEVICE 0x0008 /* QEMU PCIe host bridge */

/* See pci.h. */
uint32_t
pci_slot_gsi(unsigned slot)
{
	return XMHV_PCI_IRQ_BASE + (slot & 7);
}

/* The config access at the latched address: device, or NULL. */
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

/* Ports 0xcf8 (address, dword) and 0xcfc..0xcff (data). */
void
pci_io(void *opaque, uint64_t port, uint8_t *data, uint32_t size, bool write)
{
	struct pci *pci = opaque;
	struct pci_function *f;
	unsigned reg = 0, off, i;

	pthread_mutex_lock(&pci->lock);
	if (port == XMHV_PCI_CONFIG_ADDR && size == 4) {
		if (write)
			memcpy(&pci->addr, data, 4);
		else
			memcpy(data, &pci->addr, 4);
		goto out;
	}
	if (port < XMHV_PCI_CONFIG_DATA) {
		if (!write)
			memset(data, 0xff, size);
		goto out;
	}
	off = (unsigned)(port - XMHV_PCI_CONFIG_DATA);
	f = pci_target(pci, &reg);
	for (i = 0; i < size && off + i < 4; i++) {
		unsigned r = reg + off + i;

		if (!f) {
			if (!write)
				data[i] = 0xff;
		} else if (write) {
			f->cfg[r] = (uint8_t)((f->cfg[r] & ~f->wmask[r]) |
					      (data[i] & f->wmask[r]));
		} else {
			data[i] = f->cfg[r];
		}
	}
out:
	pthread_mutex_unlock(&pci->lock);
}

/* MMIO in the PCI window: to the function whose enabled BAR0 holds addr,
 * with the offset into the BAR. Unclaimed reads see all ones. */
void
pci_mmio(void *opaque, uint64_t addr, uint8_t *data, uint32_t size, bool write)
{
	struct pci *pci = opaque;
	struct pci_function *f;
	io_fn fn = NULL;
	void *fn_opaque = NULL;
	uint64_t base = 0;
	unsigned i;

	pthread_mutex_lock(&pci->lock);
	for (i = 1; i < PCI_MAX_DEVS; i++) {
		f = &pci->fn[i];
		if (!f->present || !f->bar_size ||
		    !(f->cfg[PCI_COMMAND] & PCI_CMD_MEMORY))
			continue;
		base = pci_get32(&f->cfg[PCI_BAR0]) & ~(uint32_t)0xf;
		if (addr >= base && addr - base < f->bar_size) {
			fn = f->bar_fn;
			fn_opaque = f->bar_opaque;
			break;
		}
	}
	pthread_mutex_unlock(&pci->lock);
	if (fn)
		fn(fn_opaque, addr - base, data, size, write);
	else if (!write)
		memset(data, 0xff, size);
}

/* Plug a function into the next free slot (build time, before vCPUs
 * run). Its BAR0 starts at the slot's 1 MiB of the PCI window. Returns 0
 * with the slot and INTA's GSI, -EINVAL for a bad BAR size, -ENOSPC. */
int
pci_add_function(struct pci *pci, const struct pci_function_desc *d,
		 unsigned *slot_out, uint32_t *gsi_out)
{
	struct pci_function *f;
	unsigned slot;

	if (d->bar0_size &&
	    (d->bar0_size < PCI_BAR_MIN || d->bar0_size > PCI_BAR_MAX ||
	     (d->bar0_size & (d->bar0_size - 1)) || !d->bar0_fn))
		return -EINVAL;
	for (slot = 1; slot < PCI_MAX_DEVS && pci->fn[slot].present; slot++)
		;
	if (slot == PCI_MAX_DEVS)
		return -ENOSPC;
	f = &pci->fn[slot];
	memset(f, 0, sizeof(*f));
	f->present = true;
	pci_put16(&f->cfg[0x00], d->vendor);
	pci_put16(&f->cfg[0x02], d->device);
	f->cfg[0x08] = d->revision;
	f->cfg[0x09] = (uint8_t)d->class_code;
	f->cfg[0x0a] = (uint8_t)(d->class_code >> 8);
	f->cfg[0x0b] = (uint8_t)(d->class_code >> 16);
	pci_put16(&f->cfg[0x2c], d->subsys_vendor);
	pci_put16(&f->cfg[0x2e], d->subsys);
	f->wmask[PCI_COMMAND] = 0x06 | 0x40; /* memory, master, parity */
	f->wmask[PCI_COMMAND + 1] = 0x05;    /* SERR, INTx disable */
	f->cfg[PCI_INTERRUPT_PIN] = 1;       /* INTA */
	f->cfg[PCI_INTERRUPT_LINE] = (uint8_t)pci_slot_gsi(slot);
	f->wmask[PCI_INTERRUPT_LINE] = 0xff;
	if (d->bar0_size) {
		f->bar_size = d->bar0_size;
		f->bar_fn = d->bar0_fn;
		f->bar_opaque = d->bar0_opaque;
		pci_put32(&f->cfg[PCI_BAR0],
			  (uint32_t)XMHV_PCI_MMIO_START + slot * PCI_BAR_MAX);
		/* The guest sizes the BAR by writing ones: the low bits stay. */
		pci_put32(&f->wmask[PCI_BAR0], ~(d->bar0_size - 1));
	}
	*slot_out = slot;
	*gsi_out = pci_slot_gsi(slot);
	return 0;
}

/* A function's config space, for capability lists (build time only). */
uint8_t *
pci_config_space(struct pci *pci, unsigned slot)
{
	if (slot >= PCI_MAX_DEVS || !pci->fn[slot].present)
		return NULL;
	return pci->fn[slot].cfg;
}

/* Every function's configuration space (the BARs' handlers are the
 * device models' own state). */
static int
pci_save(struct device *dev, struct dstate *out)
{
	struct pci *pci = (struct pci *)dev;
	unsigned i;

	pthread_mutex_lock(&pci->lock);
	dstate_put_u32(out, pci->addr);
	for (i = 0; i < PCI_MAX_DEVS; i++)
		if (pci->fn[i].present)
			dstate_put(out, pci->fn[i].cfg, PCI_CFG_SIZE);
	pthread_mutex_unlock(&pci->lock);
	return dstate_status(out);
}

static int
pci_restore(struct device *dev, struct dstate *in)
{
	struct pci *pci = (struct pci *)dev;
	uint8_t cfg[PCI_CFG_SIZE];
	unsigned i;
	int rc = 0;

	pthread_mutex_lock(&pci->lock);
	pci->addr = dstate_get_u32(in);
	for (i = 0; i < PCI_MAX_DEVS && rc == 0; i++) {
		if (!pci->fn[i].present)
			continue;
		dstate_get(in, cfg, sizeof(cfg));
		/* IDs are the machine's, not the stream's. */
		if (memcmp(cfg, pci->fn[i].cfg, 4) != 0)
			rc = -EINVAL;
		else
			memcpy(pci->fn[i].cfg, cfg, sizeof(cfg));
	}
	pthread_mutex_unlock(&pci->lock);
	return rc < 0 ? rc : dstate_status(in) < 0 ? -EINVAL : 0;
}

static void
pci_free(struct device *dev)
{
	struct pci *pci = (struct pci *)dev;

	pthread_mutex_destroy(&pci->lock);
	free(pci);
}

static const struct device_ops pci_ops = {
	.kind = "pci-host",
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
pci_new(void)
{
	struct pci *pci = calloc(1, sizeof(*pci));
	struct pci_function *hb;

	if (!pci)
		return NULL;
	device_init(&pci->dev, &pci_ops, "pci");
	pthread_mutex_init(&pci->lock, NULL);
	hb = &pci->fn[0];
	hb->present = true;
	pci_put16(&hb->cfg[0x00], PCI_HOST_VENDOR);
	pci_put16(&hb->cfg[0x02], PCI_HOST_DEVICE);
	pci_put16(&hb->cfg[0x04], 0x0006); /* command: memory, master */
	hb->cfg[0x08] = 0x02;              /* revision */
	hb->cfg[0x0b] = 0x06;              /* class: bridge */
	hb->cfg[0x0a] = 0x00;              /* subclass: host */
	hb->wmask[0x04] = 0x06;
	hb->wmask[0x0d] = 0xff; /* latency timer */
	return pci;
}
