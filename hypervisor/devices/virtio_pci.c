/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_pci.c: the modern virtio-pci transport (virtio.h, virtio 1.x
 * section 4.1): the function with its capabilities and BARs, the common
 * configuration registers (feature negotiation, device status and reset,
 * queue setup), ISR, device configuration, the PCI configuration access
 * window, kicks through one eventfd per queue (a KVM ioeventfd at the
 * queue's notification address that follows BAR 4), and interrupts
 * through MSI-X (one vector for the configuration, one per queue) or
 * INTx. Modern only: a driver that does not accept VERSION_1 is refused
 * at FEATURES_OK. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "pci.h"
#include "virtio.h"

#define VP_CAP_LEN 16
#define VP_NOTIFY_CAP_LEN 20
#define VP_PCI_CFG_CAP_LEN 20
#define VP_MSIX_PBA 0x800u
#define VP_MSIX_BAR_SIZE 0x1000u

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

static void
vp_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
vp_put32(uint8_t *p, uint32_t v)
{
	vp_put16(p, (uint16_t)v);
	vp_put16(p + 2, (uint16_t)(v >> 16));
}

static void
vp_put64(uint8_t *p, uint64_t v)
{
	vp_put32(p, (uint32_t)v);
	vp_put32(p + 4, (uint32_t)(v >> 32));
}

static void
vp_intx(struct virtio_pci *vp)
{
	struct irq_line l = pci_intx_line(vp->f);

	(void)irq_line_set(&l, atomic_load(&vp->isr) != 0);
}

/* Interrupt through vector vec, or INTx with ISR bit isr_bit when MSI-X
 * is off. A vector of NO_VECTOR while MSI-X is on means no interrupt. */
static int
vp_signal(struct virtio_pci *vp, uint16_t vec, uint8_t isr_bit)
{
	int r;

	if (vec < vp->nvec) {
		r = msi_vector_notify(&vp->vec[vec]);
		if (r != -ENOTCONN)
			return r < 0 ? r : 0;
	} else if (pci_msix_enabled(vp->f)) {
		return 0;
	}
	atomic_fetch_or(&vp->isr, isr_bit);
	vp_intx(vp);
	return 0;
}

int
virtio_pci_interrupt(struct virtio_pci *vp, unsigned i)
{
	if (i >= vp->d.nqueues)
		return -EINVAL;
	return vp_signal(vp, atomic_load(&vp->q[i].msix), 1);
}

void
virtio_pci_config_changed(struct virtio_pci *vp)
{
	(void)vp_signal(vp, atomic_load(&vp->config_msix), 2);
}

void
virtio_pci_needs_reset(struct virtio_pci *vp, const char *why)
{
	if (atomic_exchange(&vp->needs_reset, true))
		return;
	log_warn("domain %s: %s: the driver broke a virtio rule (%s): device "
		 "needs reset",
		 vp->env.domain, vp->name, why);
	virtio_pci_config_changed(vp);
}

int
virtio_pci_call_fd(struct virtio_pci *vp, unsigned i)
{
	uint16_t vec;

	if (i >= vp->d.nqueues || !pci_msix_enabled(vp->f))
		return -ENOTCONN;
	vec = atomic_load(&vp->q[i].msix);
	return vec < vp->nvec ? vp->vec_fd[vec] : -1;
}

struct pci_function *
virtio_pci_function(struct virtio_pci *vp)
{
	return vp->f;
}

struct virtq *
virtio_pci_queue(struct virtio_pci *vp, unsigned i)
{
	return i < vp->d.nqueues ? &vp->q[i].vq : NULL;
}

bool
virtio_pci_queue_enabled(struct virtio_pci *vp, unsigned i)
{
	return i < vp->d.nqueues && vp->q[i].enabled;
}

int
virtio_pci_kick_fd(struct virtio_pci *vp, unsigned i)
{
	return i < vp->d.nqueues ? vp->q[i].kick_fd : -1;
}

uint64_t
virtio_pci_features(struct virtio_pci *vp)
{
	return vp->guest_features;
}

/* ---- the common configuration ---- */

/* Back to the state after power-on: the device model stopped first.
 * Caller holds lock. */
static void
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
static bool
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

static uint16_t
vp_vector(const struct virtio_pci *vp, uint16_t v)
{
	return v < vp->nvec ? v : VIRTIO_MSI_NO_VECTOR;
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
static void
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

/* ---- save and restore ---- */

#define VP_SAVE_VERSION 1

void
virtio_pci_save(struct virtio_pci *vp, struct dstate *out)
{
	const struct vp_queue *q;
	unsigned i;

	pthread_mutex_lock(&vp->lock);
	dstate_put_u32(out, VP_SAVE_VERSION);
	dstate_put_u32(out, vp->d.nqueues);
	dstate_put_u32(out, vp->status);
	dstate_put_u32(out, vp->dfselect);
	dstate_put_u32(out, vp->gfselect);
	dstate_put_u64(out, vp->guest_features);
	dstate_put_u32(out, atomic_load(&vp->config_msix));
	dstate_put_u32(out, vp->qsel);
	dstate_put_u32(out,
		       atomic_load(&vp->isr) |
			       (atomic_load(&vp->needs_reset) ? 0x100 : 0));
	for (i = 0; i < vp->d.nqueues; i++) {
		q = &vp->q[i];
		dstate_put_u32(out, q->size | (uint32_t)q->enabled << 16);
		dstate_put_u32(out, atomic_load(&q->msix));
		dstate_put_u64(out, q->vq.desc_gpa);
		dstate_put_u64(out, q->vq.avail_gpa);
		dstate_put_u64(out, q->vq.used_gpa);
		dstate_put_u32(out, q->vq.last_avail | (uint32_t)q->vq.used_idx
							       << 16);
		dstate_put_u32(out,
			       q->vq.signalled | (uint32_t)q->vq.signalled_valid
							 << 16);
	}
	pthread_mutex_unlock(&vp->lock);
}

/* One queue's part of the stream into q (checked against d). */
static bool
vp_restore_queue(const struct virtio_pci *vp, struct dstate *in,
		 struct vp_queue *q)
{
	uint32_t se = dstate_get_u32(in), msix = dstate_get_u32(in), idx, sig;

	q->vq.desc_gpa = dstate_get_u64(in);
	q->vq.avail_gpa = dstate_get_u64(in);
	q->vq.used_gpa = dstate_get_u64(in);
	idx = dstate_get_u32(in);
	sig = dstate_get_u32(in);
	q->size = (uint16_t)se;
	q->enabled = (se >> 16) & 1;
	atomic_store(&q->msix, vp_vector(vp, (uint16_t)msix));
	memset(q->vq.inflight, 0, sizeof(q->vq.inflight));
	q->vq.ninflight = 0;
	q->vq.last_avail = (uint16_t)idx;
	q->vq.used_idx = (uint16_t)(idx >> 16);
	q->vq.signalled = (uint16_t)sig;
	q->vq.signalled_valid = (sig >> 16) & 1;
	return q->size && q->size <= vp->d.queue_size &&
	       !(q->size & (q->size - 1));
}

int
virtio_pci_restore(struct virtio_pci *vp, struct dstate *in)
{
	struct vp_queue *q = calloc(VIRTIO_PCI_QUEUES_MAX, sizeof(*q));
	uint32_t status, dfs, gfs, cmsix, qsel, isr, i;
	uint64_t gf;
	bool good;
	int rc = -EINVAL;

	if (!q)
		return -ENOMEM;
	good = dstate_get_u32(in) == VP_SAVE_VERSION &&
	       dstate_get_u32(in) == vp->d.nqueues;
	status = dstate_get_u32(in);
	dfs = dstate_get_u32(in);
	gfs = dstate_get_u32(in);
	gf = dstate_get_u64(in);
	cmsix = dstate_get_u32(in);
	qsel = dstate_get_u32(in);
	isr = dstate_get_u32(in);
	for (i = 0; good && i < vp->d.nqueues; i++) {
		q[i] = vp->q[i];
		good = vp_restore_queue(vp, in, &q[i]);
	}
	if (!good || dstate_status(in) < 0 || (gf & ~vp->d.features))
		goto out;
	pthread_mutex_lock(&vp->lock);
	vp_reset_locked(vp);
	vp->dfselect = dfs;
	vp->gfselect = gfs;
	vp->guest_features = gf;
	vp->qsel = (uint16_t)qsel;
	atomic_store(&vp->config_msix, vp_vector(vp, (uint16_t)cmsix));
	for (i = 0; i < vp->d.nqueues; i++)
		vp->q[i] = q[i];
	vp->status = (uint8_t)status;
	atomic_store(&vp->isr, (uint8_t)isr);
	atomic_store(&vp->needs_reset, (isr & 0x100) != 0);
	rc = 0;
	if ((status & VIRTIO_S_DRIVER_OK) && !(isr & 0x100) &&
	    vp_features_ok(vp)) {
		for (i = 0; i < vp->d.nqueues; i++) {
			vp->q[i].vq.size = vp->q[i].size;
			vp->q[i].vq.event_idx =
				gf & VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
			vp->q[i].vq.indirect =
				gf & VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC);
		}
		rc = vp->d.ops->start(vp->d.opaque);
		vp->started = rc == 0;
	}
	vp_intx(vp);
	pthread_mutex_unlock(&vp->lock);
out:
	free(q);
	return rc;
}

/* ---- the capabilities ---- */

/* The VIRTIO_PCI_CAP_PCI_CFG window (4.1.4.8): the driver writes a BAR,
 * an offset and a length into the capability, then reads or writes its
 * data field, which is that access to BAR 4. Under cfg_lock. */
static void
vp_cfg_window(void *opaque, uint8_t *cap, unsigned off, unsigned size,
	      bool write)
{
	struct virtio_pci *vp = opaque;
	uint32_t boff, len;

	if (off + size <= 16)
		return; /* the data field was not touched */
	boff = (uint32_t)cap[8] | (uint32_t)cap[9] << 8 |
	       (uint32_t)cap[10] << 16 | (uint32_t)cap[11] << 24;
	len = (uint32_t)cap[12] | (uint32_t)cap[13] << 8 |
	      (uint32_t)cap[14] << 16 | (uint32_t)cap[15] << 24;
	if (cap[4] != VIRTIO_PCI_BAR || (len != 1 && len != 2 && len != 4) ||
	    boff >= VIRTIO_PCI_BAR_SIZE || boff % len) {
		if (!write)
			memset(cap + 16, 0, 4);
		return;
	}
	if (!write)
		memset(cap + 16, 0, 4);
	virtio_pci_bar_io(vp, boff, cap + 16, len, write);
}

static int
vp_cap(struct virtio_pci *vp, uint8_t type, uint32_t off, uint32_t len)
{
	uint8_t c[VP_NOTIFY_CAP_LEN] = {0x09, 0, 0, type, VIRTIO_PCI_BAR};
	uint8_t wm[VP_PCI_CFG_CAP_LEN] = {0};
	struct pci_cap cap = {c, NULL, VP_CAP_LEN, NULL, NULL};

	vp_put32(c + 8, off);
	vp_put32(c + 12, len);
	if (type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
		cap.len = VP_NOTIFY_CAP_LEN;
		vp_put32(c + 16, VIRTIO_PCI_NOTIFY_MULT);
	} else if (type == VIRTIO_PCI_CAP_PCI_CFG) {
		/* bar, offset, length and data are the driver's */
		cap.len = VP_PCI_CFG_CAP_LEN;
		memset(c + 8, 0, 8);
		wm[4] = 0xff;
		memset(wm + 8, 0xff, 12);
		cap.wmask = wm;
		cap.access = vp_cfg_window;
		cap.opaque = vp;
	}
	c[2] = (uint8_t)cap.len;
	return pci_cap_add(vp->f, &cap);
}

static int
vp_plug(struct virtio_pci *vp)
{
	const struct pci_function_desc fd = {
		VIRTIO_PCI_VENDOR, VIRTIO_PCI_DEVICE_BASE + vp->d.device_id,
		VIRTIO_PCI_VENDOR, 0x1100,
		vp->d.class_code,  1, /* revision 1: modern */
		vp->name};
	const struct pci_bar_desc msix = {
		PCI_BAR_MEM32, VP_MSIX_BAR_SIZE, false, NULL, NULL, vp};
	const struct pci_bar_desc regs = {PCI_BAR_MEM64, VIRTIO_PCI_BAR_SIZE,
					  false,         virtio_pci_bar_io,
					  vp_bar_moved,  vp};
	struct pci_msix_desc md = {(uint16_t)vp->nvec,  VIRTIO_PCI_MSIX_BAR,
				   VIRTIO_PCI_MSIX_BAR, 0,
				   VP_MSIX_PBA,         vp->vec_fd};
	unsigned i;
	int r;

	r = pci_function_add(vp->env.pci, &fd, &vp->f);
	if (r == 0)
		r = pci_bar_add(vp->f, VIRTIO_PCI_MSIX_BAR, &msix);
	if (r == 0)
		r = pci_bar_add(vp->f, VIRTIO_PCI_BAR, &regs);
	if (r == 0)
		r = vp_cap(vp, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_COMMON,
			   VIRTIO_PCI_COMMON_LEN);
	if (r >= 0)
		r = vp_cap(vp, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_NOTIFY,
			   vp->d.nqueues * VIRTIO_PCI_NOTIFY_MULT);
	if (r >= 0)
		r = vp_cap(vp, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_ISR, 1);
	if (r >= 0 && vp->d.config_len)
		r = vp_cap(vp, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_DEVCFG,
			   vp->d.config_len);
	if (r >= 0)
		r = vp_cap(vp, VIRTIO_PCI_CAP_PCI_CFG, 0, 0);
	if (r >= 0)
		r = pci_msix_add(vp->f, &md);
	if (r < 0)
		return r;
	for (i = 0; i < vp->nvec; i++)
		vp->vec[i] = pci_msix_vector(vp->f, i);
	return 0;
}

static bool
vp_desc_ok(const struct virtio_pci_desc *d)
{
	return d->nqueues >= 1 && d->nqueues <= VIRTIO_PCI_QUEUES_MAX &&
	       d->queue_size >= 1 && d->queue_size <= VIRTQ_SIZE_MAX &&
	       !(d->queue_size & (d->queue_size - 1)) &&
	       d->config_len <= VIRTIO_PCI_REGION && d->ops &&
	       (d->features & VIRTIO_BIT(VIRTIO_F_VERSION_1));
}

int
virtio_pci_new(const struct virtio_pci_env *env,
	       const struct virtio_pci_desc *d, struct virtio_pci **vp_out,
	       char *errmsg, size_t errlen)
{
	struct virtio_pci *vp;
	unsigned i;
	int r;

	if (!vp_desc_ok(d)) {
		snprintf(errmsg, errlen, "%s: bad virtio device description",
			 d->name);
		return -EINVAL;
	}
	vp = calloc(1, sizeof(*vp));
	if (!vp) {
		snprintf(errmsg, errlen, "%s: out of memory", d->name);
		return -ENOMEM;
	}
	vp->env = *env;
	vp->d = *d;
	snprintf(vp->name, sizeof(vp->name), "%s", d->name);
	vp->d.name = vp->name;
	pthread_mutex_init(&vp->lock, NULL);
	vp->nvec = 1u + d->nqueues;
	for (i = 0; i < VIRTIO_PCI_QUEUES_MAX + 1; i++)
		vp->vec_fd[i] = -1;
	for (i = 0; i < VIRTIO_PCI_QUEUES_MAX; i++) {
		vp->q[i].kick_fd = -1;
		vp->q[i].ioev_gpa = PCI_BAR_UNMAPPED;
		vp->q[i].size = d->queue_size;
		atomic_init(&vp->q[i].msix, VIRTIO_MSI_NO_VECTOR);
	}
	atomic_init(&vp->config_msix, VIRTIO_MSI_NO_VECTOR);
	vp->bar_gpa = PCI_BAR_UNMAPPED;
	r = 0;
	for (i = 0; i < d->nqueues && r == 0; i++)
		if ((vp->q[i].kick_fd =
			     eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
			r = -errno;
	for (i = 0; i < vp->nvec && r == 0; i++)
		if ((vp->vec_fd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) <
		    0)
			r = -errno;
	if (r == 0)
		r = vp_plug(vp);
	if (r < 0) {
		snprintf(errmsg, errlen, "%s: PCI function: %s", d->name,
			 strerror(-r));
		virtio_pci_free(vp);
		return r;
	}
	*vp_out = vp;
	return 0;
}

void
virtio_pci_free(struct virtio_pci *vp)
{
	const struct ioevent_router *io;
	unsigned i;

	if (!vp)
		return;
	io = &vp->env.ioevent;
	if (vp->f)
		pci_function_remove(vp->f);
	for (i = 0; i < VIRTIO_PCI_QUEUES_MAX; i++) {
		struct vp_queue *q = &vp->q[i];

		if (io->set && q->ioev_gpa != PCI_BAR_UNMAPPED)
			(void)!io->set(io->opaque, q->kick_fd, q->ioev_gpa,
				       q->ioev_len, false, false);
		if (q->kick_fd >= 0)
			close(q->kick_fd);
	}
	for (i = 0; i < VIRTIO_PCI_QUEUES_MAX + 1; i++)
		if (vp->vec_fd[i] >= 0)
			close(vp->vec_fd[i]);
	pthread_mutex_destroy(&vp->lock);
	free(vp);
}
