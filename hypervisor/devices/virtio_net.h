/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_net.h: a virtio-net device (virtio 1.x section 5.1) on the
 * modern virtio-pci transport, over a tap the toolstack opened with
 * IFF_VNET_HDR: what the machine calls to plug, find and unplug one. */
#ifndef XMHV_VIRTIO_NET_H
#define XMHV_VIRTIO_NET_H

#include "virtio.h"

struct vnet;

struct vnet_config {
	struct virtio_pci_env env;
	const struct xmhv_nic_config *nic; /* its fd is duplicated */
};

/* Plug a virtio-net function for cfg->nic (the next free PCI slot): the
 * tap's fd is duplicated (the caller keeps its own) and checked to carry
 * virtio-net headers (IFF_VNET_HDR), the header set to 12 bytes, the
 * offloads off until the driver negotiates them. 0 with *out, or -errno
 * with errmsg naming the tap. Main thread (build, or hot-plug with vCPUs
 * parked). */
int vnet_new(const struct vnet_config *cfg, struct vnet **out, char *errmsg,
	     size_t errlen) HV_WUR;
/* The device (ops: pause parks the queue thread and gives back receive
 * buffers taken ahead, free unplugs). */
struct device *vnet_device(struct vnet *n);
/* The datapath it was given: "vhost-net" (the kernel's, whenever the
 * driver's setup allows) or "user". */
const char *vnet_datapath(const struct vnet *n);
/* The NIC's MAC, tap name and PCI slot. */
const uint8_t *vnet_mac(const struct vnet *n);
const char *vnet_tap(const struct vnet *n);
unsigned vnet_slot(const struct vnet *n);

#endif
