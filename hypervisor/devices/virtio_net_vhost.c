/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_net_vhost.c: a virtio-net device on the kernel's datapath
 * (vhost_net.c): whether a NIC gets it (a vhost fd from the toolstack, no
 * rate=), starting it at DRIVER_OK when the driver's setup allows (both
 * queues, MSI-X, ring features vhost has; else the user-space datapath,
 * the reason logged) and the queue thread that then only watches vhost's
 * ring errors. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "log.h"
#include "vhost_net.h"
#include "virtio_net_int.h"

/* The queue thread while vhost serves the queues: its ring errors, and
 * what the machine wants. */
void *
vnet_vhost_thread(void *arg)
{
	struct vnet *n = arg;
	struct pollfd p[3];
	uint64_t v;
	unsigned i;

	p[0] = (struct pollfd){n->ctl_fd, POLLIN, 0};
	p[1] = (struct pollfd){vhost_net_err_fd(n->vhost, 0), POLLIN, 0};
	p[2] = (struct pollfd){vhost_net_err_fd(n->vhost, 1), POLLIN, 0};
	for (;;) {
		switch (vnet_wanted(n)) {
		case VNET_STOP:
			return NULL;
		case VNET_PAUSE:
			vnet_paused(n);
			continue;
		case VNET_RUN:
			break;
		}
		if (poll(p, 3, -1) < 0)
			continue;
		for (i = 0; i < 3; i++)
			if ((p[i].revents & POLLIN) &&
			    read(p[i].fd, &v, sizeof(v)) < 0)
				continue;
		if ((p[1].revents | p[2].revents) & POLLIN)
			virtio_pci_needs_reset(n->vp,
					       "vhost-net: a ring is broken");
	}
}

/* The kernel serves both queues from where they are: 0, or -errno with
 * why (the user-space datapath serves them instead). */
int
vnet_vhost_go(struct vnet *n, char *why, size_t whylen)
{
	struct vhost_net_ring r[2];
	unsigned i;

	for (i = 0; i < 2; i++) {
		r[i].vq = virtio_pci_queue(n->vp, i);
		r[i].kick_fd = virtio_pci_kick_fd(n->vp, i);
		r[i].call_fd = virtio_pci_call_fd(n->vp, i);
		if (r[i].call_fd == -ENOTCONN) {
			snprintf(why, whylen,
				 "MSI-X is off (INTx needs the user-space "
				 "datapath)");
			return -ENOTCONN;
		}
	}
	return vhost_net_start(n->vhost, n->features, r, n->fd, why, whylen);
}

/* DRIVER_OK with a vhost fd: the kernel's datapath if it takes the
 * queues as the driver set them (both enabled, MSI-X on, ring features it
 * has), else false with a logged reason. While the device is paused the
 * kernel starts at resume. */
bool
vnet_vhost_start(struct vnet *n)
{
	char why[160];

	if (!virtio_pci_queue_enabled(n->vp, VNET_RX) ||
	    !virtio_pci_queue_enabled(n->vp, VNET_TX))
		return false;
	if (n->dev_paused) {
		if (virtio_pci_call_fd(n->vp, VNET_RX) == -ENOTCONN)
			return false;
		return true;
	}
	if (vnet_vhost_go(n, why, sizeof(why)) == 0) {
		log_info("domain %s: nic %s: vhost-net datapath", n->env.domain,
			 n->tap);
		return true;
	}
	log_warn("domain %s: nic %s: user-space datapath: %s", n->env.domain,
		 n->tap, why);
	return false;
}

/* The kernel's datapath when the toolstack gave a vhost fd and nothing
 * needs user space (rate=: the token bucket is the device's); else the
 * user-space datapath, the reason logged. */
void
vnet_vhost_open(struct vnet *n, const struct xmhv_nic_config *nic,
		const struct mem *mem)
{
	char why[160];

	if (nic->vhost_fd < 0)
		return;
	if (n->rate) {
		log_info("domain %s: nic %s: user-space datapath: rate= is a "
			 "token bucket in the device, vhost-net has none",
			 n->env.domain, n->tap);
		return;
	}
	if (vhost_net_open(nic->vhost_fd, mem, &n->vhost, why, sizeof(why)) < 0)
		log_warn("domain %s: nic %s: user-space datapath: %s",
			 n->env.domain, n->tap, why);
}

const char *
vnet_datapath(const struct vnet *n)
{
	return n->vhost ? "vhost-net" : "user";
}
