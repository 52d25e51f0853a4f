/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_net_int.h: what the parts of virtio-net share: the features and
 * configuration space and their pure rules (virtio_net_io.c), the
 * datapath between the two queues and the tap (virtio_net_io.c: readv and
 * writev straight between guest buffers and the tap, the transmit token
 * bucket), and the device with its queue thread (virtio_net.c) and its
 * kernel datapath (virtio_net_vhost.c). Not for other files. */
#ifndef XMHV_VIRTIO_NET_INT_H
#define XMHV_VIRTIO_NET_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "virtio_net.h"

/* Feature bits (5.1.3). */
#define VNET_F_CSUM 0
#define VNET_F_GUEST_CSUM 1
#define VNET_F_MAC 5
#define VNET_F_GUEST_TSO4 7
#define VNET_F_GUEST_TSO6 8
#define VNET_F_GUEST_ECN 9
#define VNET_F_HOST_TSO4 11
#define VNET_F_HOST_TSO6 12
#define VNET_F_HOST_ECN 13
#define VNET_F_MRG_RXBUF 15
#define VNET_F_STATUS 16

#define VNET_S_LINK_UP 1u
#define VNET_HDR_LEN 12 /* struct virtio_net_hdr with num_buffers */
#define VNET_HDR_NUM_BUFFERS 10
#define VNET_CONFIG_LEN 10 /* mac, status, max_virtqueue_pairs */
#define VNET_QUEUE_SIZE 256
#define VNET_RX 0
#define VNET_TX 1
#define VNET_SEG_MAX 32     /* per chain: Linux uses MAX_SKB_FRAGS + 2 */
#define VNET_FRAME_MAX 9018 /* a jumbo frame (MTU 9000), VLAN tag */
#define VNET_GSO_MAX 65550  /* a TSO frame: 64 KiB of IP + Ethernet */
#define VNET_BUDGET 64      /* packets per queue per round */
#define VNET_IOV_MAX 1024   /* UIO_MAXIOV */

/* The features offered. Pure. */
uint64_t vnet_features(void);
/* Does a driver's choice keep 5.1.3.1's dependencies (TSO with its
 * checksum offload, ECN with TSO)? Pure. */
bool vnet_features_ok(uint64_t features);
/* The TUNSETOFFLOAD flags for negotiated features: what the tap may hand
 * the guest (partial checksums, TSO frames). Pure. */
unsigned vnet_tap_offloads(uint64_t features);
/* The configuration space (5.1.4) into cfg[VNET_CONFIG_LEN]. Pure. */
void vnet_config_image(const uint8_t mac[6], bool link_up, uint8_t *cfg);
/* Receive space a packet may need (header included) for the features. */
uint32_t vnet_rx_need(uint64_t features);

/* The transmit token bucket (rate=, as xm's netback credit scheduler):
 * rate bytes per second, credit replenished continuously up to burst
 * bytes (the credit of one interval, at least one TSO frame). */
struct vnet_bucket {
	uint64_t rate, burst, tokens, last_ns;
};
/* rate 0: unlimited. interval_us 0: Xen's default, 50 ms. Pure. */
void vnet_bucket_init(struct vnet_bucket *b, uint64_t rate,
		      uint32_t interval_us, uint64_t now_ns);
/* May len bytes go now? 0 (taken), or the nanoseconds to wait. Pure. */
uint64_t vnet_bucket_take(struct vnet_bucket *b, uint64_t len, uint64_t now_ns);

/* ---- the datapath ---- */

enum vnet_wait {
	VNET_WAIT_NONE, /* the budget ran out: go round again */
	VNET_WAIT_KICK, /* the driver's next buffers (a kick) */
	VNET_WAIT_TAP,  /* receive: the tap's next packet (POLLIN) */
	VNET_WAIT_TIME, /* transmit: the token bucket (wait_ns) */
};

/* One device's datapath: its queues, the tap, the receive buffers taken
 * ahead (a ring of chains with their own segments) and the counters. One
 * thread uses it (the queue thread; tests). */
struct vnet_path {
	const struct mem *mem;
	struct virtq *rxq, *txq;
	int fd;
	bool mrg;         /* MRG_RXBUF: a packet may span chains */
	uint32_t rx_need; /* vnet_rx_need */
	int (*notify)(void *opaque, unsigned queue); /* interrupt */
	void *opaque;
	struct vnet_bucket bucket;
	uint64_t wait_ns; /* VNET_WAIT_TIME: how long */
	unsigned held_first, nheld;
	uint64_t held_space;
	struct virtq_chain held[VNET_QUEUE_SIZE];
	uint16_t heads[VNET_QUEUE_SIZE];
	struct virtq_seg held_seg[VNET_QUEUE_SIZE][VNET_SEG_MAX];
	struct virtq_seg tx_seg[VNET_SEG_MAX];
	struct iovec iov[VNET_IOV_MAX];
	uint8_t spill[VNET_HDR_LEN + VNET_GSO_MAX];
	uint64_t rx_packets, rx_bytes, rx_dropped;
	uint64_t tx_packets, tx_bytes, tx_errors;
};

/* Receive what the tap has into the receive queue, up to VNET_BUDGET
 * packets: packets delivered (*wait says what to wait for), or -EINVAL
 * and friends with *why when the driver broke a rule (needs reset). */
int vnet_rx_round(struct vnet_path *p, enum vnet_wait *wait,
		  const char **why) HV_WUR;
/* Send what the transmit queue has to the tap, up to VNET_BUDGET packets
 * (the bucket allowing): packets sent, or -errno with *why. */
int vnet_tx_round(struct vnet_path *p, uint64_t now_ns, enum vnet_wait *wait,
		  const char **why) HV_WUR;
/* Give back the receive buffers taken ahead (before a pause or stop). */
void vnet_rx_giveback(struct vnet_path *p);

/* ---- the device (virtio_net.c) and its kernel datapath
 * (virtio_net_vhost.c) ---- */

struct vhost_net;
enum vnet_want { VNET_RUN, VNET_PAUSE, VNET_STOP };

struct vnet {
	struct device dev;
	struct virtio_pci *vp;
	struct virtio_pci_env env;
	char tap[16];
	uint8_t mac[6];
	uint64_t rate;
	uint32_t interval_us;
	int fd, ctl_fd, timer_fd;
	unsigned offloads; /* TUNSETOFFLOAD now */
	uint64_t features; /* negotiated */
	/* The queue thread and what the machine or the driver wants of it. */
	pthread_t thread;
	bool running;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum vnet_want want;
	bool parked_ack; /* the thread is paused (buffers given back) */
	bool dev_paused; /* the machine paused the device */
	bool broken;     /* needs reset: take nothing more */
	struct vnet_path path;
	/* The kernel's datapath: usable (vhost), serving since DRIVER_OK
	 * (vhost_on; stopped while the device is paused). */
	struct vhost_net *vhost;
	bool vhost_on;
};

/* What the machine or the driver wants of the queue thread now. */
enum vnet_want vnet_wanted(struct vnet *n);
/* The queue thread parks (receive buffers given back) until told. */
void vnet_paused(struct vnet *n);

/* Give n the kernel's datapath when nic has a vhost fd and no rate=, else
 * log why not (virtio_net_vhost.c). */
void vnet_vhost_open(struct vnet *n, const struct xmhv_nic_config *nic,
		     const struct mem *mem);
/* DRIVER_OK with n->vhost: true when the kernel serves the queues (or
 * will at resume), false (the reason logged) for the user-space path. */
bool vnet_vhost_start(struct vnet *n);
/* Start the kernel's datapath from the queues' indexes: 0 or -errno with
 * why. */
int vnet_vhost_go(struct vnet *n, char *why, size_t whylen);
/* The queue thread while the kernel serves the queues. */
void *vnet_vhost_thread(void *arg);

#endif
