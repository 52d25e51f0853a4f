/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pci.h: PCI bus 0 behind configuration mechanism #1, with the host
 * bridge, and what a device plugs into it. */
#ifndef XMHV_PCI_H
#define XMHV_PCI_H

#include "bus.h"
#include "device.h"
#include "hv.h"

struct pci;
/* A bus with the host bridge at 00:00.0. NULL on allocation failure. */
struct pci *pci_new(void);
struct device *pci_device(struct pci *pci);
/* Ports 0xcf8 (address, dword) and 0xcfc..0xcff (data) (vCPU threads). */
void pci_io(void *opaque, uint64_t port, uint8_t *data, uint32_t size,
	    bool write);
/* MMIO handler for the PCI window [XMHV_PCI_MMIO_START, +SIZE). */
void pci_mmio(void *opaque, uint64_t addr, uint8_t *data, uint32_t size,
	      bool write);
/* What a device plugs into bus 0 (see pci.c): IDs, class, BAR0. */
struct pci_function_desc {
	uint16_t vendor, device, subsys_vendor, subsys;
	uint32_t class_code; /* class << 16 | subclass << 8 | prog-if */
	uint8_t revision;
	uint32_t bar0_size; /* power of two, 4 KiB..1 MiB; 0: no BAR */
	io_fn bar0_fn;      /* called with the offset into BAR0 */
	void *bar0_opaque;
};
int pci_add_function(struct pci *pci, const struct pci_function_desc *d,
		     unsigned *slot_out, uint32_t *gsi_out) HV_WUR;
uint8_t *pci_config_space(struct pci *pci, unsigned slot);
/* The IOAPIC input of a slot's INTA (the DSDT's _PRT agrees). Pure. */
uint32_t pci_slot_gsi(unsigned slot);

#endif
