/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_pci_save.c: the virtio-pci transport's state in a saved domain:
 * the registers and every queue's rings and indices, and back. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "virtio_pci_int.h"

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
