/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pci.c: enumerates bus 0 through configuration mechanism #1 and prints one
 * "pci:" line per function; the place where virtio-pci drivers will hook in. */
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
