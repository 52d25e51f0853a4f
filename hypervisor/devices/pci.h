/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pci.h: PCI bus 0 behind configuration mechanism #1, with the host
 * bridge, and what a device model plugs into it: a function, its BARs
 * (memory 32/64-bit or I/O, following the guest's programming on the
 * machine's buses), capabilities, MSI-X vectors and an INTx line. */
#ifndef XMHV_PCI_H
#define XMHV_PCI_H

#include "bus.h"
#include "device.h"
#include "hv.h"

/* I/O BARs come from here, inside the DSDT's WordIO 0x0d00..0xffff. */
#define PCI_IO_START 0xc000u
#define PCI_IO_SIZE 0x4000u

/* What the machine gives the PCI host: no struct vm. */
struct pci_host_config {
	struct bus *mmio, *pio; /* where BAR ranges are claimed */
	/* INTx: intx.set(opaque, pci_slot_gsi(slot), level); gsi unused. */
	struct irq_line intx;
	struct msi_router msi; /* ops NULL: MSI-X vectors never deliver */
	uint64_t mmio_start, mmio_size; /* memory BARs are placed here */
	uint32_t io_start, io_size;     /* and I/O BARs here */
};

struct pci;
/* A bus with the host bridge at 00:00.0. NULL on allocation failure. Main
 * thread, build time. */
struct pci *pci_new(const struct pci_host_config *cfg);
struct device *pci_device(struct pci *pci);
/* Ports 0xcf8 (address, dword) and 0xcfc..0xcff (data) (vCPU threads). */
void pci_io(void *opaque, uint64_t port, uint8_t *data, uint32_t size,
	    bool write);
/* The IOAPIC input of a slot's INTA (the DSDT's _PRT agrees). Pure. */
uint32_t pci_slot_gsi(unsigned slot);

/* ---- for device models; build time (main thread, before vCPUs run)
 * unless said otherwise ---- */
struct pci_function;
struct pci_function_desc {
	uint16_t vendor, device, subsys_vendor, subsys;
	uint32_t class_code; /* class << 16 | subclass << 8 | prog-if */
	uint8_t revision;
	const char *name; /* for the bus ranges' owner, kept by reference */
};
/* Plug a function into the next free slot of bus 0 (function 0), with
 * INTA wired to pci_slot_gsi(slot). 0 (*f_out set) or -ENOSPC. The PCI
 * host owns it (freed with the host). */
int pci_function_add(struct pci *pci, const struct pci_function_desc *d,
		     struct pci_function **f_out) HV_WUR;
unsigned pci_function_slot(const struct pci_function *f);
/* Keep slot out of pci_function_add's reach (a function removed without
 * the guest's knowledge, until the guest lets it go), or give it back. */
void pci_slot_reserve(struct pci *pci, unsigned slot, bool reserve);
/* Unplug f (hot-plug, or a device model that failed to build): its BARs
 * leave the buses, its MSI-X routes and irqfds go, INTx drops, the slot is
 * free again. The device model is told nothing (moved is not called).
 * Main thread, vCPUs parked. */
void pci_function_remove(struct pci_function *f);

enum pci_bar_kind { PCI_BAR_MEM32 = 1, PCI_BAR_MEM64, PCI_BAR_IO };
#define PCI_BARS 6
#define PCI_BAR_UNMAPPED UINT64_MAX
/* The guest moved a BAR: it was decoded at old_gpa (PCI_BAR_UNMAPPED:
 * not decoded) and now is at new_gpa (active) or nowhere (!active,
 * new_gpa PCI_BAR_UNMAPPED). A port number for I/O BARs. Called on the
 * vCPU thread of the config write with the configuration lock held: it
 * may set its INTx line or notify its MSI-X vectors, never call
 * pci_function_add and the like. ioeventfds follow the BAR here. */
typedef void (*pci_bar_moved_fn)(void *opaque, unsigned bar, uint64_t old_gpa,
				 uint64_t new_gpa, bool active);
struct pci_bar_desc {
	enum pci_bar_kind kind;
	uint64_t size; /* power of two: >= 16 (memory), 4..256 (I/O) */
	bool prefetchable;
	io_fn io; /* called with the offset into the BAR (vCPU threads) */
	pci_bar_moved_fn moved; /* may be NULL */
	void *opaque;
};
/* Give the function BAR bar (a 64-bit one takes bar and bar + 1), placed
 * by xmhv (no firmware): memory BARs naturally aligned in the 32-bit PCI
 * window, I/O BARs in [io_start, +io_size), decoding on, so moved is
 * called once (active) before this returns. -EINVAL (bad index, kind or
 * size, index taken), -ENOSPC (window full), -EEXIST (bus clash). */
int pci_bar_add(struct pci_function *f, unsigned bar,
		const struct pci_bar_desc *d) HV_WUR;
/* Where the guest has BAR bar decoded now, or PCI_BAR_UNMAPPED. Any
 * thread. */
uint64_t pci_bar_gpa(struct pci_function *f, unsigned bar);

/* A capability in the function's config space. data[0] is its ID, data[1]
 * (the next pointer) is filled in; wmask has the bits the guest may write
 * (NULL: none). access, when set, is called around guest accesses that
 * touch the capability (for a read before the bytes are copied out, for a
 * write after the writable bits landed) with cap pointing at the
 * capability in config space and off/size the part touched, under the
 * configuration lock (as pci_bar_moved_fn). */
struct pci_cap {
	const uint8_t *data, *wmask;
	size_t len; /* 2..192 bytes */
	void (*access)(void *opaque, uint8_t *cap, unsigned off, unsigned size,
		       bool write);
	void *opaque;
};
/* Append the capability to the list (chained from 0x34, status bit 4
 * set): its offset in config space (dword aligned, >= 0x40), or -ENOSPC,
 * -EINVAL. */
int pci_cap_add(struct pci_function *f, const struct pci_cap *c) HV_WUR;

/* MSI-X: the table and the PBA live inside the function's memory BARs
 * (added before), emulated by the PCI core (the BAR's io never sees those
 * accesses). efds[i] (the device model's eventfd of vector i, or -1; NULL:
 * all -1) is attached to its vector's route while the vector is live
 * (enabled, neither it nor the function masked): the device may write it
 * directly (vhost does); while masked the write waits in the eventfd and
 * shows in the PBA. A vector without an eventfd is sent by
 * msi_vector_notify through KVM_SIGNAL_MSI. */
struct pci_msix_desc {
	uint16_t nvec; /* 1..2048 */
	uint8_t table_bar, pba_bar;
	uint32_t table_off, pba_off; /* 8-byte aligned */
	const int *efds;
};
/* Add the MSI-X capability: its offset, or -EINVAL (a region outside its
 * BAR, overlapping, misaligned), -ENOSPC, -EEXIST (already added),
 * -ENOMEM. */
int pci_msix_add(struct pci_function *f, const struct pci_msix_desc *d) HV_WUR;
/* Is MSI-X enabled by the guest (its control register)? Any thread. */
bool pci_msix_enabled(struct pci_function *f);
/* The handle of vector vec (notify NULL when there is no such vector). */
struct msi_vector pci_msix_vector(struct pci_function *f, unsigned vec);

/* INTA of the function as an interrupt line (level, from any thread):
 * sets the status register's interrupt bit; the pin is asserted unless
 * the command register's INTx-disable bit is set or MSI-X is on. Slots
 * sharing a GSI are wire-ORed. */
struct irq_line pci_intx_line(struct pci_function *f);

#endif
