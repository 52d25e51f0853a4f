/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_pci_int.h: the virtio-pci transport's own structure, shared by
 * virtio_pci.c (the function, its capabilities, interrupts, lifecycle),
 * virtio_pci_cfg.c (the common configuration and BAR 4) and
 * virtio_pci_save.c (save and restore). Not for other files: they use
 * virtio.h. */
#ifndef XMHV_VIRTIO_PCI_INT_H
#define XMHV_VIRTIO_PCI_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "pci.h"
#include "virtio.h"

struct vp_queue {
	struct virtq vq;
	uint16_t size; /* as the driver set it */
	_Atomic uint16_t msix;
	bool enabled;
	int kick_fd;
	uint64_t ioev_gpa; /* where its ioeventfd is, or PCI_BAR_UNMAPPED */
	uint32_t ioev_len;
};

struct virtio_pci {
	struct virtio_pci_env env;
	struct virtio_pci_desc d;
	char name[24];
	struct pci_function *f;
	pthread_mutex_t lock; /* the registers below; vCPU threads */
	uint32_t dfselect, gfselect;
	uint64_t guest_features;
	uint8_t status;
	bool started;
	_Atomic uint16_t config_msix;
	uint16_t qsel;
	struct vp_queue q[VIRTIO_PCI_QUEUES_MAX];
	unsigned nvec;
	int vec_fd[VIRTIO_PCI_QUEUES_MAX + 1];
	struct msi_vector vec[VIRTIO_PCI_QUEUES_MAX + 1];
	_Atomic uint8_t isr;
	_Atomic bool needs_reset;
	uint64_t bar_gpa; /* BAR 4 as decoded now, under cfg_lock */
};

static inline void
vp_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void
vp_put32(uint8_t *p, uint32_t v)
{
	vp_put16(p, (uint16_t)v);
	vp_put16(p + 2, (uint16_t)(v >> 16));
}

static inline void
vp_put64(uint8_t *p, uint64_t v)
{
	vp_put32(p, (uint32_t)v);
	vp_put32(p + 4, (uint32_t)(v >> 32));
}

static inline void
vp_intx(struct virtio_pci *vp)
{
	struct irq_line l = pci_intx_line(vp->f);

	(void)irq_line_set(&l, atomic_load(&vp->isr) != 0);
}

static inline uint16_t
vp_vector(const struct virtio_pci *vp, uint16_t v)
{
	return v < vp->nvec ? v : VIRTIO_MSI_NO_VECTOR;
}

/* virtio_pci_cfg.c: back to the state after power-on, the device model
 * stopped first. Caller holds lock. */
void vp_reset_locked(struct virtio_pci *vp);
/* virtio_pci_cfg.c: FEATURES_OK: the driver's features must be offered
 * and modern (and the device model takes them). Caller holds lock. */
bool vp_features_ok(struct virtio_pci *vp);
/* virtio_pci_cfg.c: BAR 4 moved: every queue's ioeventfd follows it (the
 * pci_bar_desc moved hook). Under cfg_lock. */
void vp_bar_moved(void *opaque, unsigned bar, uint64_t old_gpa,
		  uint64_t new_gpa, bool active);

#endif
