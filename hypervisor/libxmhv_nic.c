/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libxmhv_nic.c: NIC hot-plug on a running domain (xm network-attach,
 * network-detach). The monitor has no virtio-net device and no PCI
 * hot-plug request yet: both calls say so, so that xmd's side of the
 * commands is complete against the interface they will have. */
#include <errno.h>
#include <stdio.h>

#include "xmhv.h"

int
xmhv_domain_nic_attach(struct xmhv *h, xmhv_domid_t domid,
		       const struct xmhv_nic_config *nic, char *errmsg,
		       size_t errlen)
{
	(void)h;
	if (errmsg && errlen)
		(void)snprintf(errmsg, errlen,
			       "domain %u: nic %s: network hot-plug is not "
			       "supported yet (the monitor has no virtio-net "
			       "device)",
			       domid, nic && nic->tap[0] ? nic->tap : "?");
	return -EOPNOTSUPP;
}

int
xmhv_domain_nic_detach(struct xmhv *h, xmhv_domid_t domid, const uint8_t mac[6],
		       char *errmsg, size_t errlen)
{
	(void)h;
	if (errmsg && errlen)
		(void)snprintf(errmsg, errlen,
			       "domain %u: nic %02x:%02x:%02x:%02x:%02x:%02x: "
			       "network hot-unplug is not supported yet (the "
			       "monitor has no virtio-net device)",
			       domid, mac[0], mac[1], mac[2], mac[3], mac[4],
			       mac[5]);
	return -EOPNOTSUPP;
}
