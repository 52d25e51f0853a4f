/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_blk.h: a virtio-blk device (virtio 1.x section 5.2) on the
 * modern virtio-pci transport, over an open file or block device: what the
 * machine calls to plug, find and unplug one. */
#ifndef XMHV_VIRTIO_BLK_H
#define XMHV_VIRTIO_BLK_H

#include "virtio.h"

struct vblk;

struct vblk_config {
	struct virtio_pci_env env;
	struct domain_hooks hooks;           /* io_pause on ENOSPC */
	const struct xmhv_disk_config *disk; /* its fd is duplicated */
	unsigned nqueues;                    /* 1..VIRTIO_PCI_QUEUES_MAX */
	unsigned nworkers;                   /* I/O threads; 0: the default */
};

/* Plug a virtio-blk function for cfg->disk (the next free PCI slot): the
 * disk's fd is duplicated (the caller keeps its own), its size and kind
 * read, features offered (RO when the disk is read-only, DISCARD and
 * WRITE_ZEROES when it is writable). 0 with *out, or -errno with errmsg
 * naming the disk. Main thread (build, or hot-plug with vCPUs parked). */
int vblk_new(const struct vblk_config *cfg, struct vblk **out, char *errmsg,
	     size_t errlen) HV_WUR;
/* The device (ops: pause parks the I/O, resume retries what waited for
 * space, free unplugs). */
struct device *vblk_device(struct vblk *b);
/* The disk's serial (its Xen name) and PCI slot. */
const char *vblk_serial(const struct vblk *b);
unsigned vblk_slot(const struct vblk *b);

#endif
