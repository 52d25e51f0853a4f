/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio.h: the virtio core a device model (virtio-blk, virtio-net) is
 * built on: the modern virtio-pci transport (virtio 1.x section 4.1:
 * capabilities, common configuration, notifications through an ioeventfd
 * per queue that follows the BAR, ISR, device configuration, the PCI
 * configuration access window), feature negotiation, device status and
 * reset ("needs reset" when the driver breaks a rule), MSI-X vectors
 * (configuration + one per queue) and the split virtqueues (virtq.h). The
 * transport owns the registers and the queues; the device model owns what
 * it does with them, through virtio_dev_ops. */
#ifndef XMHV_VIRTIO_H
#define XMHV_VIRTIO_H

#include "device.h"
#include "virtq.h"

/* Feature bits (virtio 1.x section 6), device-independent. */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_BIT(n) (1ULL << (n))

/* Device status bits (2.1). */
#define VIRTIO_S_ACKNOWLEDGE 1u
#define VIRTIO_S_DRIVER 2u
#define VIRTIO_S_DRIVER_OK 4u
#define VIRTIO_S_FEATURES_OK 8u
#define VIRTIO_S_NEEDS_RESET 64u
#define VIRTIO_S_FAILED 128u

#define VIRTIO_MSI_NO_VECTOR 0xffffu
#define VIRTIO_PCI_VENDOR 0x1af4
#define VIRTIO_PCI_DEVICE_BASE 0x1040 /* + the virtio device id */

/* The BAR layout of a virtio-pci function (both BARs memory): the MSI-X
 * table and PBA in BAR 1; common configuration, ISR, device configuration
 * and notifications in the 64-bit BAR 4, a 4 KiB page each, queue n's
 * notification at VIRTIO_PCI_NOTIFY + n * VIRTIO_PCI_NOTIFY_MULT. */
#define VIRTIO_PCI_MSIX_BAR 1
#define VIRTIO_PCI_BAR 4
#define VIRTIO_PCI_BAR_SIZE 0x4000u
#define VIRTIO_PCI_COMMON 0x0000u
#define VIRTIO_PCI_ISR 0x1000u
#define VIRTIO_PCI_DEVCFG 0x2000u
#define VIRTIO_PCI_NOTIFY 0x3000u
#define VIRTIO_PCI_NOTIFY_MULT 4u
#define VIRTIO_PCI_REGION 0x1000u
#define VIRTIO_PCI_QUEUES_MAX 64 /* MSI-X: 1 + 64 vectors in BAR 1 */

/* Common configuration registers (4.1.4.3). */
#define VIRTIO_PCI_DFSELECT 0x00
#define VIRTIO_PCI_DF 0x04
#define VIRTIO_PCI_GFSELECT 0x08
#define VIRTIO_PCI_GF 0x0c
#define VIRTIO_PCI_MSIX_CONFIG 0x10
#define VIRTIO_PCI_NUM_QUEUES 0x12
#define VIRTIO_PCI_STATUS 0x14
#define VIRTIO_PCI_CFG_GENERATION 0x15
#define VIRTIO_PCI_Q_SELECT 0x16
#define VIRTIO_PCI_Q_SIZE 0x18
#define VIRTIO_PCI_Q_MSIX 0x1a
#define VIRTIO_PCI_Q_ENABLE 0x1c
#define VIRTIO_PCI_Q_NOFF 0x1e
#define VIRTIO_PCI_Q_DESC 0x20
#define VIRTIO_PCI_Q_AVAIL 0x28
#define VIRTIO_PCI_Q_USED 0x30
#define VIRTIO_PCI_COMMON_LEN 0x38

/* Capability types (4.1.4). */
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG 3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4
#define VIRTIO_PCI_CAP_PCI_CFG 5

struct virtio_pci;

/* What the transport asks of its device model. Called on the thread of
 * the register access (a vCPU thread) with the transport's lock held, or
 * on the machine's main thread (unplug, pause); never while the device's
 * own I/O threads could be waiting for the transport. */
struct virtio_dev_ops {
	/* The device configuration: size bytes at off (inside config_len). */
	void (*config_read)(void *opaque, uint32_t off, uint8_t *data,
			    uint32_t size);
	void (*config_write)(void *opaque, uint32_t off, const uint8_t *data,
			     uint32_t size);
	/* The driver set FEATURES_OK with these features (a subset of the
	 * offer, VERSION_1 among them): 0, or -EINVAL to refuse. */
	int (*set_features)(void *opaque, uint64_t features);
	/* DRIVER_OK: serve the enabled queues. 0 or -errno (needs reset). */
	int (*start)(void *opaque);
	/* A reset (status 0, needs reset, unplug): stop serving the queues
	 * and drop what is in flight; returns once nothing of the device
	 * touches guest memory or the queues any more. */
	void (*stop)(void *opaque);
};

/* What a device model tells the transport about itself. */
struct virtio_pci_desc {
	const char *name;    /* the function's name (bus owner, log lines) */
	uint16_t device_id;  /* virtio device id: 1 net, 2 block */
	uint32_t class_code; /* PCI class */
	uint64_t features;   /* offered, VERSION_1 included */
	uint16_t nqueues;    /* 1..VIRTIO_PCI_QUEUES_MAX */
	uint16_t queue_size; /* maximum (and default) size, power of two */
	uint32_t config_len; /* device configuration bytes (<= 4 KiB) */
	const struct virtio_dev_ops *ops;
	void *opaque;
};

/* What the machine gives the transport. */
struct virtio_pci_env {
	struct pci *pci;
	const struct mem *mem;
	struct ioevent_router ioevent; /* set NULL: kicks always exit */
	const char *domain;            /* for log lines */
};

struct pci;
/* Plug a virtio-pci function (the next free slot) with BAR 1 (MSI-X) and
 * BAR 4 (the virtio registers), its capabilities, one eventfd per queue
 * for kicks (an ioeventfd at the queue's notification address, moved with
 * BAR 4) and one per MSI-X vector. 0 with *vp_out, or -errno with errmsg.
 * Main thread (build or hot-plug, vCPUs parked). */
int virtio_pci_new(const struct virtio_pci_env *env,
		   const struct virtio_pci_desc *d, struct virtio_pci **vp_out,
		   char *errmsg, size_t errlen) HV_WUR;
/* Unplug and free (accepts NULL): the device model stopped first. Main
 * thread, vCPUs parked. */
void virtio_pci_free(struct virtio_pci *vp);

/* The PCI function (slot, INTx) of a transport. */
struct pci_function *virtio_pci_function(struct virtio_pci *vp);
/* Queue i (its rings as the driver set them, once DRIVER_OK). */
struct virtq *virtio_pci_queue(struct virtio_pci *vp, unsigned i);
/* Did the driver enable queue i? */
bool virtio_pci_queue_enabled(struct virtio_pci *vp, unsigned i);
/* The eventfd a kick of queue i arrives on (read it to clear). */
int virtio_pci_kick_fd(struct virtio_pci *vp, unsigned i);
/* The eventfd that raises queue i's MSI-X vector (attached to it as an
 * irqfd while the vector is live, pending while masked): what a kernel
 * datapath (vhost) signals. -1 when the queue has no vector, -ENOTCONN
 * when MSI-X is off (INTx needs the ISR: no eventfd does it). */
int virtio_pci_call_fd(struct virtio_pci *vp, unsigned i);
/* The negotiated features (valid from FEATURES_OK). */
uint64_t virtio_pci_features(struct virtio_pci *vp);
/* Interrupt the driver for queue i (its MSI-X vector, or INTx with ISR
 * bit 0). Any thread. 0 or -errno. */
int virtio_pci_interrupt(struct virtio_pci *vp, unsigned i);
/* The device configuration changed (config vector, or INTx with ISR bit
 * 1). Any thread. */
void virtio_pci_config_changed(struct virtio_pci *vp);
/* The driver broke a rule (why: a static string): DEVICE_NEEDS_RESET, a
 * configuration interrupt and one log line; the device model stops using
 * its queues until the driver resets it. Any thread, never blocks. */
void virtio_pci_needs_reset(struct virtio_pci *vp, const char *why);

/* The transport's state for a paused domain (nothing in flight): its
 * registers, the negotiated features, vectors, each queue's rings and
 * indexes. Main thread. */
void virtio_pci_save(struct virtio_pci *vp, struct dstate *out);
/* Back from virtio_pci_save's stream: -EINVAL when it does not fit this
 * function (another queue count, a queue size it does not offer); the
 * device model is stopped first and started again when the driver had set
 * DRIVER_OK. Main thread, a paused domain. */
int virtio_pci_restore(struct virtio_pci *vp, struct dstate *in) HV_WUR;

/* The transport's register handler for an offset of BAR 4 (tests; the
 * bus calls it). */
void virtio_pci_bar_io(void *opaque, uint64_t off, uint8_t *data, uint32_t size,
		       bool write);

#endif
