/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pci.c: enumerates bus 0 through configuration mechanism #1 and prints one
 * "pci:" line per function, and the modern virtio-pci transport the
 * virtio drivers (blk.c, net.c) share: configuration space, BARs, the
 * virtio capabilities, MSI-X and feature negotiation. */
#include "guest.h"
#include "xmhv_platform.h"

static uint32_t
pci_read32(uint32_t bus, uint32_t dev, uint32_t fn, uint32_t off)
{
	outl(XMHV_PCI_CONFIG_ADDR,
	     0x80000000u | bus << 16 | dev << 11 | fn << 8 | (off & 0xfc));
	return inl(XMHV_PCI_CONFIG_DATA);
}

/* pci_scan: prints "pci: BB:DD.F VVVV:DDDD" for every function on bus 0.
 * BSP, at boot. */
void
pci_scan(void)
{
	uint32_t dev, fn;

	for (dev = 0; dev < 32; dev++) {
		for (fn = 0; fn < 8; fn++) {
			uint32_t id = pci_read32(0, dev, fn, 0);

			if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0) {
				if (fn == 0)
					break;
				continue;
			}
			console_printf("pci: 00:%02x.%u %04x:%04x\n", dev, fn,
				       id & 0xffff, id >> 16);
			if (fn == 0 &&
			    !(pci_read32(0, dev, 0, 0x0c) & 0x00800000))
				break;
		}
	}
}

uint32_t
pci_cfg32(unsigned slot, unsigned off)
{
	return pci_read32(0, slot, 0, off);
}

void
pci_cfg_w32(unsigned slot, unsigned off, uint32_t v)
{
	outl(XMHV_PCI_CONFIG_ADDR, 0x80000000u | slot << 11 | (off & 0xfc));
	outl(XMHV_PCI_CONFIG_DATA, v);
}

static uint8_t
pci_cfg8(unsigned slot, unsigned off)
{
	return (uint8_t)(pci_cfg32(slot, off) >> (8 * (off & 3)));
}

static uint64_t
pci_bar(unsigned slot, unsigned bar)
{
	uint32_t lo = pci_cfg32(slot, 0x10 + 4 * bar);
	uint64_t a = lo & ~0xfu;

	if ((lo & 6) == 4)
		a |= (uint64_t)pci_cfg32(slot, 0x14 + 4 * bar) << 32;
	return a;
}

int
vpci_map(struct vpci_dev *v)
{
	unsigned p = pci_cfg8(v->slot, 0x34), k;
	int found = 0;

	v->msix_table = 0;
	v->msix = 0;
	for (k = 0; p >= 0x40 && k < 48; k++, p = pci_cfg8(v->slot, p + 1)) {
		uint8_t id = pci_cfg8(v->slot, p),
			type = pci_cfg8(v->slot, p + 3);
		uint64_t a;

		if (id == 0x11) {
			uint32_t t = pci_cfg32(v->slot, p + 4);

			v->msix_table = pci_bar(v->slot, t & 7) + (t & ~7u);
			pci_cfg_w32(v->slot, p,
				    pci_cfg32(v->slot, p) | 1u << 31);
			v->msix = 1;
			continue;
		}
		if (id != 0x09 || type < 1 || type > 4)
			continue;
		a = pci_bar(v->slot, pci_cfg8(v->slot, p + 4)) +
		    pci_cfg32(v->slot, p + 8);
		if (type == 1)
			v->common = a;
		else if (type == 2) {
			v->notify = a;
			v->notify_mult = pci_cfg32(v->slot, p + 16);
		} else if (type == 3)
			v->isr = a;
		else
			v->devcfg = a;
		found |= 1 << type;
	}
	return found;
}

void
vpci_msix_route(const struct vpci_dev *v, unsigned entry, uint8_t vector)
{
	uint64_t e = v->msix_table + 16 * (uint64_t)entry;

	if (!v->msix)
		return;
	*(volatile uint32_t *)(uintptr_t)(e + 0) =
		0xfee00000u | intr_bsp_apic_id() << 12;
	*(volatile uint32_t *)(uintptr_t)(e + 4) = 0;
	*(volatile uint32_t *)(uintptr_t)(e + 8) = vector;
	*(volatile uint32_t *)(uintptr_t)(e + 12) = 0;
}

uint64_t
vpci_negotiate(const struct vpci_dev *v, uint64_t wanted, const char *who)
{
	volatile uint8_t *status =
		(volatile uint8_t *)(uintptr_t)(v->common + 0x14);
	volatile uint32_t *sel = (volatile uint32_t *)(uintptr_t)v->common;
	uint64_t offered, want;

	*status = 0;
	*status = 1 | 2;
	sel[0] = 0;
	offered = sel[1];
	sel[0] = 1;
	offered |= (uint64_t)sel[1] << 32;
	want = offered & wanted;
	sel[2] = 0;
	sel[3] = (uint32_t)want;
	sel[2] = 1;
	sel[3] = (uint32_t)(want >> 32);
	*status = 1 | 2 | 8;
	if (!(*status & 8) || !(want & VPCI_F_VERSION_1)) {
		console_printf("%s: 00:%02x.0: features refused\n", who,
			       v->slot);
		return 0;
	}
	return want;
}
