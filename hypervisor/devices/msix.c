/* SPDX-License-Identifier: GPL-2.0-or-later */
/* msix.c: MSI-X for PCI functions (PCI Local Bus 3.0 section 6.8.2): the
 * capability, the vector table and the pending bit array emulated inside
 * the function's BARs, and each vector's delivery: a KVM route per vector
 * (msi_router) with the device model's eventfd attached as an irqfd while
 * the vector is live, detached while it or the function is masked (a
 * signal then waits as a pending bit and is sent at unmask). */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pci_int.h"

#define MSIX_CTL_ENABLE 0x8000u
#define MSIX_CTL_FMASK 0x4000u
#define MSIX_CAP_LEN 12

void
msix_table_read(const struct msix_vec *v, unsigned nvec, uint64_t off,
		uint8_t *data, uint32_t size)
{
	uint32_t i, w, word;
	uint64_t at;

	for (i = 0; i < size; i++) {
		at = off + i;
		if (at / MSIX_ENTRY_SIZE >= nvec) {
			data[i] = 0;
			continue;
		}
		w = (uint32_t)(at % MSIX_ENTRY_SIZE) / 4;
		word = w == 0   ? v[at / MSIX_ENTRY_SIZE].e.addr_lo
		       : w == 1 ? v[at / MSIX_ENTRY_SIZE].e.addr_hi
		       : w == 2 ? v[at / MSIX_ENTRY_SIZE].e.data
				: v[at / MSIX_ENTRY_SIZE].e.ctrl;
		data[i] = (uint8_t)(word >> (8 * (at % 4)));
	}
}

int
msix_table_write(struct msix_vec *v, unsigned nvec, uint64_t off,
		 const uint8_t *data, uint32_t size)
{
	struct msix_entry *e;
	uint32_t w, n, i, val;

	/* The spec allows naturally aligned dwords and qwords only. */
	if ((size != 4 && size != 8) || off % size ||
	    off / MSIX_ENTRY_SIZE >= nvec)
		return -1;
	e = &v[off / MSIX_ENTRY_SIZE].e;
	w = (uint32_t)(off % MSIX_ENTRY_SIZE) / 4;
	for (n = 0; n < size / 4; n++, w++) {
		val = 0;
		for (i = 0; i < 4; i++)
			val |= (uint32_t)data[4 * n + i] << (8 * i);
		if (w == 0)
			e->addr_lo = val;
		else if (w == 1)
			e->addr_hi = val;
		else if (w == 2)
			e->data = val;
		else
			e->ctrl = val & MSIX_CTRL_MASK; /* the rest reserved */
	}
	return (int)(off / MSIX_ENTRY_SIZE);
}

static uint64_t
msix_addr(const struct msix_entry *e)
{
	return (uint64_t)e->addr_hi << 32 | e->addr_lo;
}

/* Caller holds lock. */
static bool
msix_live(const struct msix *m, const struct msix_vec *v)
{
	return m->enabled && !m->fmask && !(v->e.ctrl & MSIX_CTRL_MASK);
}

/* Send vector v's message now. Caller holds lock. */
static int
msix_send(const struct msi_router *r, struct msix_vec *v)
{
	uint64_t one = 1;

	if (v->attached)
		return write(v->efd, &one, sizeof(one)) == sizeof(one) ? 0
								       : -errno;
	if (!r->ops)
		return -ENODEV;
	return r->ops->signal(r->opaque, msix_addr(&v->e), v->e.data);
}

/* Make vectors [first, end) follow their entries and masks: routes for
 * the live ones with an eventfd (one commit), irqfds attached exactly to
 * the live ones, pending messages of newly live vectors sent. Caller holds
 * lock. */
static void
msix_sync_locked(struct pci_function *f, unsigned first, unsigned end)
{
	const struct msi_router *r = &f->pci->host.msi;
	struct msix *m = f->msix;
	struct msix_vec *v;
	bool commit = false;
	unsigned i;
	int gsi;

	for (i = first; r->ops && i < end; i++) {
		v = &m->v[i];
		if (!msix_live(m, v) || v->efd < 0 || v->routed)
			continue;
		if (v->gsi < 0) {
			gsi = r->ops->route_add(r->opaque, msix_addr(&v->e),
						v->e.data);
			if (gsi < 0)
				continue; /* sent by KVM_SIGNAL_MSI instead */
			v->gsi = gsi;
		} else if (r->ops->route_set(r->opaque, (uint32_t)v->gsi,
					     msix_addr(&v->e), v->e.data) < 0) {
			continue;
		}
		v->routed = commit = true;
	}
	if (commit && r->ops->commit(r->opaque) < 0)
		for (i = first; i < end; i++)
			m->v[i].routed = false;
	for (i = first; r->ops && i < end; i++) {
		v = &m->v[i];
		if (msix_live(m, v) && !v->attached && v->routed &&
		    r->ops->irqfd(r->opaque, v->efd, (uint32_t)v->gsi, true) ==
			    0)
			v->attached = true;
		else if (!msix_live(m, v) && v->attached &&
			 r->ops->irqfd(r->opaque, v->efd, (uint32_t)v->gsi,
				       false) == 0)
			v->attached = false;
	}
	for (i = first; i < end; i++) {
		v = &m->v[i];
		if (v->pending && msix_live(m, v)) {
			v->pending = false;
			(void)msix_send(r, v);
		}
	}
}

void
msix_control_written(struct pci_function *f)
{
	struct msix *m = f->msix;
	uint16_t ctl = pci_get16(&f->cfg[m->cap + 2]);

	pthread_mutex_lock(&f->pci->lock);
	m->enabled = ctl & MSIX_CTL_ENABLE;
	m->fmask = ctl & MSIX_CTL_FMASK;
	msix_sync_locked(f, 0, m->nvec);
	pci_intx_update_locked(f);
	pthread_mutex_unlock(&f->pci->lock);
}

/* An eventfd that holds a signal (written while detached). */
static bool
msix_efd_pending(int efd)
{
	struct pollfd p = {.fd = efd, .events = POLLIN};

	return efd >= 0 && poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

/* Read of the PBA: a bit per vector, set while a signal waits. Caller
 * holds lock. */
static void
msix_pba_read(const struct msix *m, uint64_t off, uint8_t *data, uint32_t size)
{
	const struct msix_vec *v;
	uint32_t i, b;
	uint64_t vec;

	memset(data, 0, size);
	for (i = 0; i < size; i++) {
		for (b = 0; b < 8; b++) {
			vec = (off + i) * 8 + b;
			if (vec >= m->nvec)
				break;
			v = &m->v[vec];
			if (v->pending ||
			    (!v->attached && msix_efd_pending(v->efd)))
				data[i] |= (uint8_t)(1u << b);
		}
	}
}

bool
msix_bar_io(struct pci_function *f, unsigned bar, uint64_t off, uint8_t *data,
	    uint32_t size, bool write)
{
	struct msix *m = f->msix;
	uint64_t tlen = (uint64_t)m->nvec * MSIX_ENTRY_SIZE;
	uint64_t plen = ((uint64_t)m->nvec + 63) / 64 * 8;
	struct msix_entry old;
	int vec;

	if (bar == m->table_bar && off >= m->table_off &&
	    off - m->table_off < tlen) {
		off -= m->table_off;
		pthread_mutex_lock(&f->pci->lock);
		if (!write) {
			msix_table_read(m->v, m->nvec, off, data, size);
		} else {
			vec = (int)(off / MSIX_ENTRY_SIZE);
			old = m->v[vec].e;
			vec = msix_table_write(m->v, m->nvec, off, data, size);
			if (vec >= 0) {
				/* A new message needs the route updated. */
				if (old.addr_lo != m->v[vec].e.addr_lo ||
				    old.addr_hi != m->v[vec].e.addr_hi ||
				    old.data != m->v[vec].e.data)
					m->v[vec].routed = false;
				msix_sync_locked(f, (unsigned)vec,
						 (unsigned)vec + 1);
			}
		}
		pthread_mutex_unlock(&f->pci->lock);
		return true;
	}
	if (bar == m->pba_bar && off >= m->pba_off && off - m->pba_off < plen) {
		if (!write) {
			pthread_mutex_lock(&f->pci->lock);
			msix_pba_read(m, off - m->pba_off, data, size);
			pthread_mutex_unlock(&f->pci->lock);
		}
		return true; /* the PBA is read-only */
	}
	return false;
}

static int
msix_notify(void *opaque, uint32_t vec)
{
	struct pci_function *f = opaque;
	struct msix *m = f->msix;
	int rc;

	pthread_mutex_lock(&f->pci->lock);
	if (vec >= m->nvec) {
		rc = -EINVAL;
	} else if (!m->enabled) {
		rc = -ENOTCONN;
	} else if (!msix_live(m, &m->v[vec])) {
		m->v[vec].pending = true;
		rc = 0;
	} else {
		rc = msix_send(&f->pci->host.msi, &m->v[vec]);
		rc = rc < 0 ? rc : 1;
	}
	pthread_mutex_unlock(&f->pci->lock);
	return rc;
}

bool
pci_msix_enabled(struct pci_function *f)
{
	bool on;

	pthread_mutex_lock(&f->pci->lock);
	on = f->msix && f->msix->enabled;
	pthread_mutex_unlock(&f->pci->lock);
	return on;
}

struct msi_vector
pci_msix_vector(struct pci_function *f, unsigned vec)
{
	if (!f->msix || vec >= f->msix->nvec)
		return (struct msi_vector){NULL, NULL, 0};
	return (struct msi_vector){msix_notify, f, vec};
}

/* [off, off + len) inside memory BAR bar of f. */
static bool
msix_region_ok(const struct pci_function *f, unsigned bar, uint64_t off,
	       uint64_t len)
{
	const struct pci_bar *b;

	if (bar >= PCI_BARS || off % 8)
		return false;
	b = &f->bar[bar];
	return (b->kind == PCI_BAR_MEM32 || b->kind == PCI_BAR_MEM64) &&
	       off < b->size && len <= b->size - off;
}

int
pci_msix_add(struct pci_function *f, const struct pci_msix_desc *d)
{
	uint64_t tlen = (uint64_t)d->nvec * MSIX_ENTRY_SIZE;
	uint64_t plen = ((uint64_t)d->nvec + 63) / 64 * 8;
	uint8_t cap[MSIX_CAP_LEN] = {PCI_CAP_ID_MSIX},
		wmask[MSIX_CAP_LEN] = {0};
	struct pci_cap c = {cap, wmask, sizeof(cap), NULL, NULL};
	struct msix *m = NULL;
	unsigned i;
	int rc;

	pthread_mutex_lock(&f->pci->cfg_lock);
	rc = -EEXIST;
	if (f->msix)
		goto out;
	rc = -EINVAL;
	if (d->nvec < 1 || d->nvec > MSIX_MAX_VECTORS ||
	    !msix_region_ok(f, d->table_bar, d->table_off, tlen) ||
	    !msix_region_ok(f, d->pba_bar, d->pba_off, plen) ||
	    (d->table_bar == d->pba_bar && d->table_off < d->pba_off + plen &&
	     d->pba_off < d->table_off + tlen))
		goto out;
	rc = -ENOMEM;
	m = calloc(1, sizeof(*m));
	if (!m || !(m->v = calloc(d->nvec, sizeof(m->v[0]))))
		goto out;
	m->nvec = d->nvec;
	m->table_bar = d->table_bar;
	m->pba_bar = d->pba_bar;
	m->table_off = d->table_off;
	m->pba_off = d->pba_off;
	for (i = 0; i < d->nvec; i++) {
		m->v[i].e.ctrl = MSIX_CTRL_MASK;
		m->v[i].gsi = -1;
		m->v[i].efd = d->efds ? d->efds[i] : -1;
	}
	pci_put16(&cap[2], (uint16_t)(d->nvec - 1));
	pci_put32(&cap[4], d->table_off | d->table_bar);
	pci_put32(&cap[8], d->pba_off | d->pba_bar);
	wmask[3] = (MSIX_CTL_ENABLE | MSIX_CTL_FMASK) >> 8;
	rc = pci_cap_add_locked(f, &c);
	if (rc < 0)
		goto out;
	m->cap = (uint8_t)rc;
	pthread_mutex_lock(&f->pci->lock);
	f->msix = m;
	pthread_mutex_unlock(&f->pci->lock);
	m = NULL;
out:
	pthread_mutex_unlock(&f->pci->cfg_lock);
	msix_free(m);
	return rc;
}

void
msix_reset(struct pci_function *f)
{
	struct msix *m = f->msix;
	uint64_t drop;
	unsigned i;

	pthread_mutex_lock(&f->pci->lock);
	m->enabled = m->fmask = false;
	for (i = 0; i < m->nvec; i++) {
		m->v[i].e = (struct msix_entry){0, 0, 0, MSIX_CTRL_MASK};
		m->v[i].pending = m->v[i].routed = false;
	}
	msix_sync_locked(f, 0, m->nvec); /* detaches every irqfd */
	for (i = 0; i < m->nvec; i++)    /* signals from before the reset */
		if (msix_efd_pending(m->v[i].efd) &&
		    read(m->v[i].efd, &drop, sizeof(drop)) < 0)
			continue;
	pthread_mutex_unlock(&f->pci->lock);
}

void
msix_free(struct msix *m)
{
	if (!m)
		return;
	free(m->v);
	free(m);
}

void
msix_release(struct pci_function *f)
{
	const struct msi_router *r = &f->pci->host.msi;
	struct msix *m = f->msix;
	struct msix_vec *v;
	unsigned i;

	pthread_mutex_lock(&f->pci->lock);
	for (i = 0; r->ops && i < m->nvec; i++) {
		v = &m->v[i];
		if (v->attached)
			(void)!r->ops->irqfd(r->opaque, v->efd,
					     (uint32_t)v->gsi, false);
		if (v->gsi >= 0)
			r->ops->route_del(r->opaque, (uint32_t)v->gsi);
	}
	if (r->ops)
		(void)!r->ops->commit(r->opaque);
	f->msix = NULL;
	pthread_mutex_unlock(&f->pci->lock);
	msix_free(m);
}

void
msix_save(struct pci_function *f, struct dstate *out)
{
	struct msix *m = f->msix;
	const struct msix_vec *v;
	unsigned i;

	dstate_put_u32(out, m ? m->nvec : 0);
	if (!m)
		return;
	pthread_mutex_lock(&f->pci->lock);
	for (i = 0; i < m->nvec; i++) {
		v = &m->v[i];
		dstate_put_u32(out, v->e.addr_lo);
		dstate_put_u32(out, v->e.addr_hi);
		dstate_put_u32(out, v->e.data);
		dstate_put_u32(out, v->e.ctrl);
		dstate_put_u32(out,
			       (v->pending ? 1u : 0u) |
				       (msix_efd_pending(v->efd) ? 2u : 0u));
	}
	pthread_mutex_unlock(&f->pci->lock);
}

int
msix_restore(struct pci_function *f, struct dstate *in, bool apply)
{
	struct msix *m = f->msix;
	struct msix_entry e;
	uint32_t n = dstate_get_u32(in), pend;
	unsigned i;

	if (dstate_status(in) < 0 || n != (m ? m->nvec : 0u))
		return -EINVAL;
	if (apply)
		pthread_mutex_lock(&f->pci->lock);
	for (i = 0; i < n; i++) {
		e.addr_lo = dstate_get_u32(in);
		e.addr_hi = dstate_get_u32(in);
		e.data = dstate_get_u32(in);
		e.ctrl = dstate_get_u32(in) & MSIX_CTRL_MASK;
		pend = dstate_get_u32(in);
		if (!apply)
			continue;
		m->v[i].e = e;
		/* A signal that waited in the eventfd waits as a bit now. */
		m->v[i].pending = pend != 0;
		m->v[i].routed = false;
	}
	if (apply)
		pthread_mutex_unlock(&f->pci->lock);
	return dstate_status(in) < 0 ? -EINVAL : 0;
}
