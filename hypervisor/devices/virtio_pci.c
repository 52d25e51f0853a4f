/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_pci.c: the modern virtio-pci transport (virtio.h, virtio 1.x
 * section 4.1): the function with its capabilities and BARs, the PCI
 * configuration access window, its lifecycle, the accessors device models
 * use, and interrupts through MSI-X (one vector for the configuration,
 * one per queue) or INTx. The common configuration registers and BAR 4
 * (kicks through one eventfd per queue: a KVM ioeventfd at the queue's
 * notification address that follows BAR 4) are in virtio_pci_cfg.c, save
 * and restore in virtio_pci_save.c. Modern only: a driver that does not
 * accept VERSION_1 is refused at FEATURES_OK. */
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
#include "virtio_pci_int.h"

#define VP_CAP_LEN 16
#define VP_NOTIFY_CAP_LEN 20
#define VP_PCI_CFG_CAP_LEN 20
#define VP_MSIX_PBA 0x800u
#define VP_MSIX_BAR_SIZE 0x1000u

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
