/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pci.c: PCI configuration mechanism #1 (0xcf8/0xcfc) with the host
 * bridge at 00:00.0; the place where virtio-pci functions will plug in. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hv.h"

#define PCI_MAX_DEVS 32
#define PCI_CFG_SIZE 256

struct pci_function {
	bool present;
	uint8_t cfg[PCI_CFG_SIZE];
	uint8_t wmask[PCI_CFG_SIZE]; /* writable bits */
};

struct pci {
	struct vm *vm;
	pthread_mutex_t lock;
	uint32_t addr;
	struct pci_function dev[PCI_MAX_DEVS]; /* bus 0, function 0 only */
};

static void
pci_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* The config access at the latched address: device, or NULL. */
static struct pci_function *
pci_target(struct pci *pci, unsigned *reg_out)
{
	uint32_t a = pci->addr;
	unsigned bus = (a >> 16) & 0xff, dev = (a >> 11) & 0x1f,
		 fn = (a >> 8) & 7;

	if (!(a & 0x80000000u) || bus || fn || !pci->dev[dev].present)
		return NULL;
	*reg_out = a & 0xfc;
	return &pci->dev[dev];
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

/* A bus with the host bridge (Intel 440FX IDs, as guests know them). */
struct pci *
pci_new(struct vm *vm)
{
	struct pci *pci = calloc(1, sizeof(*pci));
	struct pci_function *hb;

	if (!pci)
		return NULL;
	pci->vm = vm;
	pthread_mutex_init(&pci->lock, NULL);
	hb = &pci->dev[0];
	hb->present = true;
	pci_put16(&hb->cfg[0x00], 0x8086); /* vendor */
	pci_put16(&hb->cfg[0x02], 0x1237); /* device: 440FX */
	pci_put16(&hb->cfg[0x04], 0x0006); /* command: memory, master */
	hb->cfg[0x08] = 0x02;              /* revision */
	hb->cfg[0x0b] = 0x06;              /* class: bridge */
	hb->cfg[0x0a] = 0x00;              /* subclass: host */
	hb->wmask[0x04] = 0x06;
	hb->wmask[0x0d] = 0xff; /* latency timer */
	return pci;
}

void
pci_free(struct pci *pci)
{
	if (!pci)
		return;
	pthread_mutex_destroy(&pci->lock);
	free(pci);
}
