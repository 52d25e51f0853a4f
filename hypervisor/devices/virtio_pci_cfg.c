/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_pci_cfg.c: the virtio-pci transport's registers: the common
 * configuration (feature negotiation, device status and reset, queue
 * setup, virtio 1.x 4.1.4.3) and BAR 4 (common, ISR, device
 * configuration, notifications) with the ioeventfds that follow it. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "pci.h"
#include "virtio_pci_int.h"

/* ---- the common configuration ---- */

/* Back to the state after power-on: the device model stopped first.
 * Caller holds lock. */
void
vp_reset_locked(struct virtio_pci *vp)
{
	unsigned i;

	if (vp->started || vp->status)
		vp->d.ops->stop(vp->d.opaque);
	vp->started = false;
	vp->status = 0;
	vp->dfselect = vp->gfselect = 0;
	vp->guest_features = 0;
	vp->qsel = 0;
	atomic_store(&vp->config_msix, VIRTIO_MSI_NO_VECTOR);
	for (i = 0; i < vp->d.nqueues; i++) {
		struct vp_queue *q = &vp->q[i];

		memset(&q->vq, 0, sizeof(q->vq));
		q->size = vp->d.queue_size;
		q->enabled = false;
		atomic_store(&q->msix, VIRTIO_MSI_NO_VECTOR);
	}
	atomic_store(&vp->isr, 0);
	atomic_store(&vp->needs_reset, false);
	vp_intx(vp);
}

/* FEATURES_OK: the driver's features must be offered and modern. */
bool
vp_features_ok(struct virtio_pci *vp)
{
	uint64_t g = vp->guest_features;

	if ((g & ~vp->d.features) || !(g & VIRTIO_BIT(VIRTIO_F_VERSION_1)))
		return false;
	return vp->d.ops->set_features(vp->d.opaque, g) == 0;
}

/* DRIVER_OK: every enabled queue's rings usable, then the device starts. */
static void
vp_start(struct virtio_pci *vp)
{
	const char *why = NULL;
	unsigned i;

	for (i = 0; i < vp->d.nqueues; i++) {
		struct vp_queue *q = &vp->q[i];

		if (!q->enabled)
			continue;
		q->vq.size = q->size;
		q->vq.event_idx =
			vp->guest_features & VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
		q->vq.indirect =
			vp->guest_features & VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC);
		virtq_reset(&q->vq);
		if (virtq_check(&q->vq, vp->env.mem, &why) < 0) {
			virtio_pci_needs_reset(vp, why);
			return;
		}
	}
	if (vp->d.ops->start(vp->d.opaque) < 0) {
		virtio_pci_needs_reset(vp, "the device could not start");
		return;
	}
	vp->started = true;
}

static void
vp_status_write(struct virtio_pci *vp, uint8_t v)
{
	uint8_t old = vp->status;

	if (v == 0) {
		vp_reset_locked(vp);
		return;
	}
	if ((v & VIRTIO_S_FEATURES_OK) && !(old & VIRTIO_S_FEATURES_OK) &&
	    !vp_features_ok(vp))
		v &= (uint8_t)~VIRTIO_S_FEATURES_OK;
	vp->status = v & (uint8_t)~VIRTIO_S_NEEDS_RESET;
	if ((v & VIRTIO_S_DRIVER_OK) && !(old & VIRTIO_S_DRIVER_OK) &&
	    !vp->started) {
		if (v & VIRTIO_S_FEATURES_OK)
			vp_start(vp);
		else
			virtio_pci_needs_reset(vp, "DRIVER_OK without "
						   "FEATURES_OK");
	}
}

/* The register file as the driver reads it. Caller holds lock. */
static void
vp_common_image(struct virtio_pci *vp, uint8_t *img)
{
	const struct vp_queue *q =
		vp->qsel < vp->d.nqueues ? &vp->q[vp->qsel] : NULL;
	uint32_t df =
		vp->dfselect < 2
			? (uint32_t)(vp->d.features >> (32 * vp->dfselect))
			: 0;
	uint32_t gf =
		vp->gfselect < 2
			? (uint32_t)(vp->guest_features >> (32 * vp->gfselect))
			: 0;
	uint16_t v16;

	memset(img, 0, VIRTIO_PCI_COMMON_LEN);
	vp_put32(img + VIRTIO_PCI_DFSELECT, vp->dfselect);
	vp_put32(img + VIRTIO_PCI_DF, df);
	vp_put32(img + VIRTIO_PCI_GFSELECT, vp->gfselect);
	vp_put32(img + VIRTIO_PCI_GF, gf);
	vp_put16(img + VIRTIO_PCI_MSIX_CONFIG, atomic_load(&vp->config_msix));
	vp_put16(img + VIRTIO_PCI_NUM_QUEUES, vp->d.nqueues);
	img[VIRTIO_PCI_STATUS] =
		(uint8_t)(vp->status |
			  (atomic_load(&vp->needs_reset) ? VIRTIO_S_NEEDS_RESET
							 : 0));
	img[VIRTIO_PCI_CFG_GENERATION] = 0;
	vp_put16(img + VIRTIO_PCI_Q_SELECT, vp->qsel);
	if (!q)
		return; /* a queue that does not exist reads size 0 */
	vp_put16(img + VIRTIO_PCI_Q_SIZE, q->size);
	v16 = atomic_load(&q->msix);
	vp_put16(img + VIRTIO_PCI_Q_MSIX, v16);
	vp_put16(img + VIRTIO_PCI_Q_ENABLE, q->enabled);
	vp_put16(img + VIRTIO_PCI_Q_NOFF, vp->qsel);
	vp_put64(img + VIRTIO_PCI_Q_DESC, q->vq.desc_gpa);
	vp_put64(img + VIRTIO_PCI_Q_AVAIL, q->vq.avail_gpa);
	vp_put64(img + VIRTIO_PCI_Q_USED, q->vq.used_gpa);
}

/* A 64-bit register written whole or as one of its 32-bit halves. */
static void
vp_set64(uint64_t *reg, unsigned half_off, const uint8_t *data, uint32_t size)
{
	uint64_t v = 0;
	uint32_t i;

	for (i = 0; i < size; i++)
		v |= (uint64_t)data[i] << (8 * i);
	if (size == 8)
		*reg = v;
	else if (half_off == 0)
		*reg = (*reg & ~0xffffffffULL) | v;
	else
		*reg = (*reg & 0xffffffffULL) | v << 32;
}

/* A queue register may change only before DRIVER_OK. */
static struct vp_queue *
vp_setup_queue(struct virtio_pci *vp)
{
	if (vp->qsel >= vp->d.nqueues || (vp->status & VIRTIO_S_DRIVER_OK))
		return NULL;
	return &vp->q[vp->qsel];
}

/* A write of the driver: only whole registers (and halves of the 64-bit
 * ones) count, as 4.1.3.1 requires of drivers. Caller holds lock. */
static void
vp_common_write(struct virtio_pci *vp, unsigned off, const uint8_t *data,
		uint32_t size)
{
	uint32_t v = 0, i;
	struct vp_queue *q;

	for (i = 0; i < size && i < 4; i++)
		v |= (uint32_t)data[i] << (8 * i);
	if (off >= VIRTIO_PCI_Q_DESC && off < VIRTIO_PCI_COMMON_LEN) {
		unsigned base = off & ~7u;

		q = vp_setup_queue(vp);
		if (!q || (size != 4 && size != 8) || (off & (size - 1)))
			return;
		vp_set64(base == VIRTIO_PCI_Q_DESC    ? &q->vq.desc_gpa
			 : base == VIRTIO_PCI_Q_AVAIL ? &q->vq.avail_gpa
						      : &q->vq.used_gpa,
			 off & 4, data, size);
		return;
	}
	switch (off | size << 8) {
	case VIRTIO_PCI_DFSELECT | 4 << 8:
		vp->dfselect = v;
		break;
	case VIRTIO_PCI_GFSELECT | 4 << 8:
		vp->gfselect = v;
		break;
	case VIRTIO_PCI_GF | 4 << 8:
		if (vp->gfselect < 2 && !(vp->status & VIRTIO_S_FEATURES_OK)) {
			unsigned sh = 32 * vp->gfselect;

			vp->guest_features =
				(vp->guest_features & ~(0xffffffffULL << sh)) |
				(uint64_t)v << sh;
		}
		break;
	case VIRTIO_PCI_MSIX_CONFIG | 2 << 8:
		atomic_store(&vp->config_msix, vp_vector(vp, (uint16_t)v));
		break;
	case VIRTIO_PCI_STATUS | 1 << 8:
		vp_status_write(vp, (uint8_t)v);
		break;
	case VIRTIO_PCI_Q_SELECT | 2 << 8:
		vp->qsel = (uint16_t)v;
		break;
	case VIRTIO_PCI_Q_SIZE | 2 << 8:
		q = vp_setup_queue(vp);
		if (q && v && v <= vp->d.queue_size)
			q->size = (uint16_t)v;
		break;
	case VIRTIO_PCI_Q_MSIX | 2 << 8:
		if (vp->qsel < vp->d.nqueues)
			atomic_store(&vp->q[vp->qsel].msix,
				     vp_vector(vp, (uint16_t)v));
		break;
	case VIRTIO_PCI_Q_ENABLE | 2 << 8:
		q = vp_setup_queue(vp);
		if (q && v == 1)
			q->enabled = true;
		break;
	default:
		break; /* read-only, reserved, or not a whole register */
	}
}

/* ---- BAR 4 ---- */

static void
vp_kick(int fd, uint64_t one)
{
	if (write(fd, &one, sizeof(one)) < 0)
		return; /* the counter is full: kicked anyway */
}

void
virtio_pci_bar_io(void *opaque, uint64_t off, uint8_t *data, uint32_t size,
		  bool write)
{
	struct virtio_pci *vp = opaque;
	uint8_t img[VIRTIO_PCI_COMMON_LEN];
	uint64_t one = 1, r = off & (VIRTIO_PCI_REGION - 1);
	unsigned qi;

	if (!write)
		memset(data, 0, size);
	switch (off & ~(uint64_t)(VIRTIO_PCI_REGION - 1)) {
	case VIRTIO_PCI_COMMON:
		if (r >= VIRTIO_PCI_COMMON_LEN ||
		    size > VIRTIO_PCI_COMMON_LEN - r)
			return;
		pthread_mutex_lock(&vp->lock);
		if (write) {
			vp_common_write(vp, (unsigned)r, data, size);
		} else {
			vp_common_image(vp, img);
			memcpy(data, img + r, size);
		}
		pthread_mutex_unlock(&vp->lock);
		return;
	case VIRTIO_PCI_ISR:
		if (!write && r == 0) {
			data[0] = atomic_exchange(&vp->isr, 0);
			vp_intx(vp);
		}
		return;
	case VIRTIO_PCI_DEVCFG:
		if (r >= vp->d.config_len || size > vp->d.config_len - r)
			return;
		pthread_mutex_lock(&vp->lock);
		if (write)
			vp->d.ops->config_write(vp->d.opaque, (uint32_t)r, data,
						size);
		else
			vp->d.ops->config_read(vp->d.opaque, (uint32_t)r, data,
					       size);
		pthread_mutex_unlock(&vp->lock);
		return;
	case VIRTIO_PCI_NOTIFY:
		/* Reached only when no ioeventfd took the write. */
		qi = (unsigned)(r / VIRTIO_PCI_NOTIFY_MULT);
		if (write && qi < vp->d.nqueues)
			vp_kick(vp->q[qi].kick_fd, one);
		return;
	default:
		return;
	}
}

/* BAR 4 moved: every queue's ioeventfd follows it. Under cfg_lock. */
void
vp_bar_moved(void *opaque, unsigned bar, uint64_t old_gpa, uint64_t new_gpa,
	     bool active)
{
	struct virtio_pci *vp = opaque;
	const struct ioevent_router *io = &vp->env.ioevent;
	struct vp_queue *q;
	uint64_t a;
	unsigned i;

	(void)bar;
	(void)old_gpa;
	vp->bar_gpa = active ? new_gpa : PCI_BAR_UNMAPPED;
	for (i = 0; io->set && i < vp->d.nqueues; i++) {
		q = &vp->q[i];
		if (q->ioev_gpa != PCI_BAR_UNMAPPED)
			(void)!io->set(io->opaque, q->kick_fd, q->ioev_gpa,
				       q->ioev_len, false, false);
		q->ioev_gpa = PCI_BAR_UNMAPPED;
		if (!active)
			continue;
		a = new_gpa + VIRTIO_PCI_NOTIFY + i * VIRTIO_PCI_NOTIFY_MULT;
		/* Any width first (KVM_CAP_IOEVENTFD_ANY_LENGTH), else the
		 * 16-bit writes drivers make. */
		if (io->set(io->opaque, q->kick_fd, a, 0, false, true) == 0) {
			q->ioev_gpa = a;
			q->ioev_len = 0;
		} else if (io->set(io->opaque, q->kick_fd, a, 2, false, true) ==
			   0) {
			q->ioev_gpa = a;
			q->ioev_len = 2;
		}
	}
}
