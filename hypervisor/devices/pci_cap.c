/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pci_cap.c: a PCI function's capability list: capabilities appended
 * dword aligned from 0x40, chained from the capabilities pointer (0x34),
 * each with the bits the guest may write. */
#include <errno.h>
#include <string.h>

#include "pci_int.h"

/* Put the capability at off into config image c and link it after the
 * one at last (0: first). */
static void
pci_cap_put(uint8_t *c, unsigned off, unsigned last, const struct pci_cap *cap)
{
	memcpy(&c[off], cap->data, cap->len);
	c[off + 1] = 0; /* the end of the list */
	c[last ? last + 1 : PCI_CAP_PTR] = (uint8_t)off;
	pci_put16(&c[PCI_STATUS],
		  (uint16_t)(pci_get16(&c[PCI_STATUS]) | PCI_STATUS_CAP_LIST));
}

int
pci_cap_add_locked(struct pci_function *f, const struct pci_cap *c)
{
	const struct pci_cap_ent *last;
	unsigned off;

	if (!c->data || c->len < 2 || c->len > PCI_CFG_SIZE - PCI_CAP_START)
		return -EINVAL;
	if (f->ncaps == PCI_CAPS_MAX)
		return -ENOSPC;
	last = f->ncaps ? &f->caps[f->ncaps - 1] : NULL;
	off = last ? (last->off + last->len + 3u) & ~3u : PCI_CAP_START;
	if (off + c->len > PCI_CFG_SIZE)
		return -ENOSPC;
	/* Live and power-on images alike: build time, or hot-plug later. */
	pci_cap_put(f->cfg, off, last ? last->off : 0, c);
	pci_cap_put(f->cfg_reset, off, last ? last->off : 0, c);
	if (c->wmask)
		memcpy(&f->wmask[off], c->wmask, c->len);
	else
		memset(&f->wmask[off], 0, c->len);
	f->wmask[off] = f->wmask[off + 1] = 0; /* ID and next: read-only */
	f->caps[f->ncaps++] = (struct pci_cap_ent){
		(uint8_t)off, (uint8_t)c->len, c->access, c->opaque};
	return (int)off;
}

int
pci_cap_add(struct pci_function *f, const struct pci_cap *c)
{
	int rc;

	pthread_mutex_lock(&f->pci->cfg_lock);
	rc = pci_cap_add_locked(f, c);
	pthread_mutex_unlock(&f->pci->cfg_lock);
	return rc;
}
