/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vhost_net.h: the kernel's virtio-net datapath (/dev/vhost-net) under a
 * virtio-net device: the toolstack opened the fd (xmhv opens nothing);
 * the device hands it the guest's RAM, its two rings with their kick
 * ioeventfds and MSI-X irqfds, and the tap. The control path (features,
 * configuration, reset) stays with the device. */
#ifndef XMHV_VHOST_NET_H
#define XMHV_VHOST_NET_H

#include <stddef.h>
#include <stdint.h>

#include "hv.h"

struct mem;
struct virtq;
struct vhost_net;

/* One ring as vhost is to serve it: the driver's rings and indexes, the
 * eventfd a kick arrives on, the one that raises its interrupt (-1:
 * none). */
struct vhost_net_ring {
	struct virtq *vq;
	int kick_fd, call_fd;
};

/* The ring feature bits the kernel datapath implements for us (the rest
 * are the device's: checksum and TSO offloads are the tap's). Pure. */
uint64_t vhost_net_ring_mask(void);

/* Take a copy of fd (/dev/vhost-net), become its owner, read its
 * features and give it guest RAM (mem's slots). 0 with *out, or -errno
 * with why naming the step. Main thread. */
int vhost_net_open(int fd, const struct mem *mem, struct vhost_net **out,
		   char *why, size_t whylen) HV_WUR;
/* Serve rings r[0] (receive) and r[1] (transmit) from their current
 * indexes with the negotiated features, over tap_fd: -EOPNOTSUPP when
 * the driver negotiated a ring feature vhost lacks, -errno of the ioctl
 * that failed (why says which); nothing left running on failure. */
int vhost_net_start(struct vhost_net *v, uint64_t features,
		    const struct vhost_net_ring r[2], int tap_fd, char *why,
		    size_t whylen) HV_WUR;
/* Stop serving (the backend detached, the kernel's worker flushed: no
 * more guest memory writes) and write each ring's next available index
 * back into its virtq, its used index from guest memory, so the rings can
 * be saved or served again. Nothing when not started. */
void vhost_net_stop(struct vhost_net *v);
/* Is it serving now? */
int vhost_net_started(const struct vhost_net *v);
/* The eventfd vhost signals when it meets a broken ring (ring i). */
int vhost_net_err_fd(const struct vhost_net *v, unsigned i);
/* Stop and close (accepts NULL). */
void vhost_net_close(struct vhost_net *v);

#endif
