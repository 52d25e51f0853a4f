/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pci_int.h: the PCI core's own structures, shared by pci.c (config
 * space, functions, the device ops), pci_bar.c (BARs on the buses),
 * pci_cap.c (capability lists) and msix.c (MSI-X). Not for device models.
 *
 * Locks: cfg_lock serialises configuration transactions (guest config
 * accesses, build, reset, restore) and guards the config bytes and BAR
 * placement; the device models' moved and access callbacks run under it.
 * lock (taken inside cfg_lock, never the other way) guards what device
 * threads touch: MSI-X state, INTx levels. The BAR io path takes neither
 * for its own dispatch (it reads the BAR's placement atomically). */
#ifndef XMHV_PCI_INT_H
#define XMHV_PCI_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "pci.h"

#define PCI_SLOTS 32
#define PCI_CFG_SIZE 256
#define PCI_CAPS_MAX 16

/* Config space registers and bits (PCI Local Bus 3.0 chapter 6). */
#define PCI_COMMAND 0x04
#define PCI_CMD_IO 0x0001
#define PCI_CMD_MEMORY 0x0002
#define PCI_CMD_MASTER 0x0004
#define PCI_CMD_PARITY 0x0040
#define PCI_CMD_SERR 0x0100
#define PCI_CMD_INTX_DISABLE 0x0400
#define PCI_STATUS 0x06
#define PCI_STATUS_INTX 0x0008
#define PCI_STATUS_CAP_LIST 0x0010
#define PCI_BAR0 0x10
#define PCI_CAP_PTR 0x34
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d
#define PCI_CAP_START 0x40
#define PCI_CAP_ID_MSIX 0x11

struct pci_function;

struct pci_bar {
	struct pci_function *fn;
	unsigned index;
	enum pci_bar_kind kind; /* 0: no BAR, or upper */
	bool upper;             /* the upper dword of BAR index - 1 */
	bool prefetchable;
	uint64_t size;
	io_fn io;
	pci_bar_moved_fn moved;
	void *opaque;
	/* Where it is claimed on the bus, or PCI_BAR_UNMAPPED. Written under
	 * cfg_lock, read by the io path without it. */
	_Atomic uint64_t mapped;
};

struct pci_cap_ent {
	uint8_t off, len;
	void (*access)(void *opaque, uint8_t *cap, unsigned off, unsigned size,
		       bool write);
	void *opaque;
};

/* One MSI-X table entry as the guest sees it. */
struct msix_entry {
	uint32_t addr_lo, addr_hi, data, ctrl;
};
#define MSIX_ENTRY_SIZE 16
#define MSIX_CTRL_MASK 1u
#define MSIX_MAX_VECTORS 2048

struct msix_vec {
	struct msix_entry e;
	bool pending;  /* signalled while masked */
	bool attached; /* efd attached to gsi */
	bool routed;   /* gsi's route carries e's message */
	int gsi;       /* -1: none yet */
	int efd;       /* the device model's, or -1 */
};

struct msix {
	uint16_t nvec;
	uint8_t cap;
	uint8_t table_bar, pba_bar;
	uint32_t table_off, pba_off;
	bool enabled, fmask; /* mirrors of the message control register */
	struct msix_vec *v;
};

struct pci_function {
	struct pci *pci;
	bool present;
	unsigned slot;
	const char *name;
	uint8_t cfg[PCI_CFG_SIZE];
	uint8_t wmask[PCI_CFG_SIZE];
	uint8_t cfg_reset[PCI_CFG_SIZE]; /* power-on: as xmhv placed it */
	struct pci_bar bar[PCI_BARS];
	struct pci_cap_ent caps[PCI_CAPS_MAX];
	unsigned ncaps;
	struct msix *msix;
	int intx_level;     /* the device's INTx input, under lock */
	bool intx_disabled; /* command bit 10's mirror, under lock */
};

struct pci {
	struct device dev;
	struct pci_host_config host;
	pthread_mutex_t cfg_lock, lock;
	uint32_t addr;               /* 0xcf8 latch */
	uint64_t mmio_next, io_next; /* BAR placement cursors */
	uint32_t gsi_level[8];       /* per INTx GSI: slots asserting it */
	uint32_t reserved;           /* slots pci_function_add skips */
	struct pci_function fn[PCI_SLOTS];
};

/* Little-endian config space fields. Pure. */
static inline uint16_t
pci_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t
pci_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}
static inline void
pci_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static inline void
pci_put32(uint8_t *p, uint32_t v)
{
	pci_put16(p, (uint16_t)v);
	pci_put16(p + 2, (uint16_t)(v >> 16));
}

/* pci_bar.c: the BAR's address as programmed in cfg, or PCI_BAR_UNMAPPED
 * when decoding is off or the address cannot be decoded (0, all-ones
 * sizing pattern, past 4 GiB for 32-bit, past 64 KiB for I/O). Pure. */
uint64_t pci_bar_decode(const uint8_t *cfg, const struct pci_bar *b);
/* Claim, move or release every BAR range of f so that it matches f's
 * config space, telling the device model. Caller holds cfg_lock. */
void pci_bars_sync(struct pci_function *f);
/* Release every range of f (the host is going away or resets). Caller
 * holds cfg_lock. */
void pci_bars_unmap(struct pci_function *f);

/* pci_cap.c: pci_cap_add with cfg_lock held. */
int pci_cap_add_locked(struct pci_function *f, const struct pci_cap *c);

/* msix.c. Caller holds cfg_lock; they take lock themselves. */
/* The guest wrote the message control register: enable, function mask. */
void msix_control_written(struct pci_function *f);
/* A BAR access at off inside bar: true when it was the MSI-X table's or
 * the PBA's (handled). vCPU threads, no lock held. */
bool msix_bar_io(struct pci_function *f, unsigned bar, uint64_t off,
		 uint8_t *data, uint32_t size, bool write);
/* Back to power-on: every vector masked, MSI-X off, nothing pending. */
void msix_reset(struct pci_function *f);
void msix_free(struct msix *m);
/* f is unplugged: detach every irqfd, delete the routes, free f->msix.
 * Caller holds cfg_lock. */
void msix_release(struct pci_function *f);
void msix_save(struct pci_function *f, struct dstate *out);
/* Read f's part of a saved stream: check it (apply false) or load it;
 * msix_control_written then makes the vectors follow. 0 or -EINVAL (a
 * vector count that is not the function's, a short stream). */
int msix_restore(struct pci_function *f, struct dstate *in, bool apply);
/* The guest's view of the vector table of nvec vectors: read size bytes
 * at off (0 past the end), or write them; a write counts only as a
 * naturally aligned dword or qword inside the table (else -1) and returns
 * the vector it changed. Pure. */
void msix_table_read(const struct msix_vec *v, unsigned nvec, uint64_t off,
		     uint8_t *data, uint32_t size);
int msix_table_write(struct msix_vec *v, unsigned nvec, uint64_t off,
		     const uint8_t *data, uint32_t size);

/* pci.c: recompute f's INTx pin after its level, INTx-disable or MSI-X
 * enable changed. Caller holds lock. */
void pci_intx_update_locked(struct pci_function *f);

#endif
