/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_net.c: the virtio-net device (virtio_net.h): its transport, its
 * configuration (the NIC's MAC, link up), the tap (12-byte headers, the
 * offloads the driver negotiated) and the queue thread that serves both
 * queues off the vCPU threads: it sleeps on the two kick eventfds, the
 * tap (while receive buffers wait for a packet) and a timer (while
 * rate= holds a packet back), and runs the datapath (virtio_net_io.c)
 * round by round. A chain that breaks virtio's rules puts this device
 * into "needs reset" and nothing else. With a vhost fd the kernel
 * serves the queues instead whenever it can (virtio_net_vhost.c). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "pci.h"
#include "vhost_net.h"
#include "virtio_net_int.h"

#define VNET_CLASS 0x020000 /* network, Ethernet */
#define VNET_DEVICE_ID 1

struct device *
vnet_device(struct vnet *n)
{
	return &n->dev;
}

const uint8_t *
vnet_mac(const struct vnet *n)
{
	return n->mac;
}

const char *
vnet_tap(const struct vnet *n)
{
	return n->tap;
}

unsigned
vnet_slot(const struct vnet *n)
{
	return pci_function_slot(virtio_pci_function(n->vp));
}

static uint64_t
vnet_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
vnet_notify(void *opaque, unsigned queue)
{
	return virtio_pci_interrupt(((struct vnet *)opaque)->vp, queue);
}

/* ---- the queue thread ---- */

enum vnet_want
vnet_wanted(struct vnet *n)
{
	enum vnet_want w;

	pthread_mutex_lock(&n->lock);
	w = n->want;
	pthread_mutex_unlock(&n->lock);
	return w;
}

/* Paused: receive buffers given back, then nothing until told. */
void
vnet_paused(struct vnet *n)
{
	vnet_rx_giveback(&n->path);
	pthread_mutex_lock(&n->lock);
	n->parked_ack = true;
	pthread_cond_broadcast(&n->cond);
	while (n->want == VNET_PAUSE)
		pthread_cond_wait(&n->cond, &n->lock);
	n->parked_ack = false;
	pthread_mutex_unlock(&n->lock);
}

static void
vnet_arm_timer(struct vnet *n, uint64_t ns)
{
	struct itimerspec its = {{0, 0}, {0, 0}};

	its.it_value.tv_sec = (time_t)(ns / 1000000000u);
	its.it_value.tv_nsec = (long)(ns % 1000000000u);
	if (!ns)
		its.it_value.tv_nsec = 1;
	(void)timerfd_settime(n->timer_fd, 0, &its, NULL);
}

/* One round of both queues: what to wait for next in *rx, *tx. */
static void
vnet_round(struct vnet *n, enum vnet_wait *rx, enum vnet_wait *tx)
{
	const char *why = NULL;

	if (*tx != VNET_WAIT_TIME &&
	    vnet_tx_round(&n->path, vnet_now(), tx, &why) < 0)
		goto broken;
	if (*tx == VNET_WAIT_TIME)
		vnet_arm_timer(n, n->path.wait_ns);
	if (vnet_rx_round(&n->path, rx, &why) < 0)
		goto broken;
	return;
broken:
	n->broken = true;
	vnet_rx_giveback(&n->path);
	virtio_pci_needs_reset(n->vp, why);
}

static void *
vnet_thread(void *arg)
{
	struct vnet *n = arg;
	enum vnet_wait rx = VNET_WAIT_NONE, tx = VNET_WAIT_NONE;
	struct pollfd p[5];
	unsigned i;
	uint64_t v;
	int timeout;

	p[0] = (struct pollfd){n->ctl_fd, POLLIN, 0};
	p[1] = (struct pollfd){virtio_pci_kick_fd(n->vp, VNET_RX), POLLIN, 0};
	p[2] = (struct pollfd){virtio_pci_kick_fd(n->vp, VNET_TX), POLLIN, 0};
	p[3] = (struct pollfd){n->fd, POLLIN, 0};
	p[4] = (struct pollfd){n->timer_fd, POLLIN, 0};
	for (;;) {
		switch (vnet_wanted(n)) {
		case VNET_STOP:
			vnet_rx_giveback(&n->path);
			return NULL;
		case VNET_PAUSE:
			vnet_paused(n);
			rx = tx = VNET_WAIT_NONE; /* look again */
			continue;
		case VNET_RUN:
			break;
		}
		if (!n->broken)
			vnet_round(n, &rx, &tx);
		timeout = !n->broken && (rx == VNET_WAIT_NONE ||
					 tx == VNET_WAIT_NONE)
				  ? 0
				  : -1;
		p[3].fd = !n->broken && rx == VNET_WAIT_TAP ? n->fd : -1;
		if (poll(p, 5, timeout) < 0)
			continue;
		for (i = 0; i < 5; i++)
			if (i != 3 && (p[i].revents & POLLIN) &&
			    read(p[i].fd, &v, sizeof(v)) < 0)
				continue;
		if (p[4].revents & POLLIN)
			tx = VNET_WAIT_NONE;
		if (p[2].revents & POLLIN && tx == VNET_WAIT_KICK)
			tx = VNET_WAIT_NONE;
	}
}

/* Tell the queue thread what to do now. */
static void
vnet_tell(struct vnet *n, enum vnet_want w)
{
	uint64_t one = 1;

	pthread_mutex_lock(&n->lock);
	n->want = w;
	pthread_cond_broadcast(&n->cond);
	pthread_mutex_unlock(&n->lock);
	if (write(n->ctl_fd, &one, sizeof(one)) < 0)
		return;
}

/* ---- what the transport asks (vCPU threads, or the main thread) ---- */

static void
vnet_config_read(void *opaque, uint32_t off, uint8_t *data, uint32_t size)
{
	struct vnet *n = opaque;
	uint8_t img[VNET_CONFIG_LEN];

	vnet_config_image(n->mac, true, img);
	if (off < sizeof(img))
		memcpy(data, img + off,
		       size < sizeof(img) - off ? size : sizeof(img) - off);
}

static void
vnet_config_write(void *opaque, uint32_t off, const uint8_t *data,
		  uint32_t size)
{
	(void)opaque;
	(void)off;
	(void)data;
	(void)size; /* the MAC is read-only in virtio 1.x */
}

/* The tap hands the guest only what it negotiated. */
static int
vnet_set_offloads(struct vnet *n, unsigned offloads)
{
	if (ioctl(n->fd, TUNSETOFFLOAD, (unsigned long)offloads) < 0) {
		log_err("domain %s: nic %s: TUNSETOFFLOAD %#x: %s",
			n->env.domain, n->tap, offloads, strerror(errno));
		return -errno;
	}
	n->offloads = offloads;
	return 0;
}

static int
vnet_set_features(void *opaque, uint64_t features)
{
	struct vnet *n = opaque;

	if (!vnet_features_ok(features))
		return -EINVAL;
	n->features = features;
	return vnet_set_offloads(n, vnet_tap_offloads(features));
}

/* DRIVER_OK: the datapath on the two queues, and the thread. */
static int
vnet_start(void *opaque)
{
	struct vnet *n = opaque;
	struct vnet_path *p = &n->path;
	void *(*fn)(void *) = vnet_thread;
	sigset_t all, old;
	int rc;

	if (!virtio_pci_queue_enabled(n->vp, VNET_RX) ||
	    !virtio_pci_queue_enabled(n->vp, VNET_TX))
		log_warn("domain %s: nic %s: the driver enabled only some of "
			 "the queues",
			 n->env.domain, n->tap);
	p->rxq = virtio_pci_queue(n->vp, VNET_RX);
	p->txq = virtio_pci_queue(n->vp, VNET_TX);
	p->mrg = n->features & (1ULL << VNET_F_MRG_RXBUF);
	p->rx_need = vnet_rx_need(n->features);
	p->nheld = p->held_first = 0;
	p->held_space = 0;
	vnet_bucket_init(&p->bucket, n->rate, n->interval_us, vnet_now());
	n->broken = !virtio_pci_queue_enabled(n->vp, VNET_RX) ||
		    !virtio_pci_queue_enabled(n->vp, VNET_TX);
	n->want = n->dev_paused ? VNET_PAUSE : VNET_RUN;
	n->vhost_on = n->vhost && vnet_vhost_start(n);
	if (n->vhost_on)
		fn = vnet_vhost_thread;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = -pthread_create(&n->thread, NULL, fn, n);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc < 0) {
		vhost_net_stop(n->vhost);
		n->vhost_on = false;
		return rc;
	}
	pthread_setname_np(n->thread, "vnet-queue");
	n->running = true;
	return 0;
}

static void
vnet_stop(void *opaque)
{
	struct vnet *n = opaque;

	if (!n->running)
		return;
	vnet_tell(n, VNET_STOP);
	pthread_join(n->thread, NULL);
	n->running = false;
	vhost_net_stop(n->vhost); /* the rings' indexes back in the queues */
	n->vhost_on = false;
	if (n->offloads)
		(void)vnet_set_offloads(n, 0);
}

static const struct virtio_dev_ops vnet_virtio_ops = {
	vnet_config_read, vnet_config_write, vnet_set_features,
	vnet_start,       vnet_stop,
};

/* ---- what the machine asks (main thread) ---- */

static int
vnet_pause(struct device *dev)
{
	struct vnet *n = (struct vnet *)dev;

	n->dev_paused = true;
	if (!n->running)
		return 0;
	vnet_tell(n, VNET_PAUSE);
	pthread_mutex_lock(&n->lock);
	while (!n->parked_ack)
		pthread_cond_wait(&n->cond, &n->lock);
	pthread_mutex_unlock(&n->lock);
	if (n->vhost_on) /* the kernel writes no guest memory from here */
		vhost_net_stop(n->vhost);
	return 0;
}

static int
vnet_resume(struct device *dev)
{
	struct vnet *n = (struct vnet *)dev;

	char why[160];

	n->dev_paused = false;
	if (n->running && n->vhost_on && !n->broken &&
	    !vhost_net_started(n->vhost) &&
	    vnet_vhost_go(n, why, sizeof(why)) < 0) {
		log_warn("domain %s: nic %s: vhost-net at resume: %s",
			 n->env.domain, n->tap, why);
		n->broken = true;
		virtio_pci_needs_reset(n->vp, "vhost-net did not resume");
	}
	if (n->running)
		vnet_tell(n, VNET_RUN);
	return 0;
}

static void
vnet_free(struct device *dev)
{
	struct vnet *n = (struct vnet *)dev;

	vnet_stop(n);
	vhost_net_close(n->vhost);
	virtio_pci_free(n->vp);
	if (n->fd >= 0)
		close(n->fd);
	if (n->ctl_fd >= 0)
		close(n->ctl_fd);
	if (n->timer_fd >= 0)
		close(n->timer_fd);
	pthread_cond_destroy(&n->cond);
	pthread_mutex_destroy(&n->lock);
	free(n);
}

#define VNET_SAVE_VERSION 1

/* A paused domain's NIC: its transport (receive buffers taken ahead were
 * given back at the pause, so the rings say everything). */
static int
vnet_save(struct device *dev, struct dstate *out)
{
	struct vnet *n = (struct vnet *)dev;

	dstate_put_u32(out, VNET_SAVE_VERSION);
	virtio_pci_save(n->vp, out);
	return dstate_status(out);
}

static int
vnet_restore(struct device *dev, struct dstate *in)
{
	struct vnet *n = (struct vnet *)dev;

	if (dstate_get_u32(in) != VNET_SAVE_VERSION)
		return -EINVAL;
	return virtio_pci_restore(n->vp, in);
}

static const struct device_ops vnet_ops = {
	.kind = "virtio-net",
	.pause = vnet_pause,
	.resume = vnet_resume,
	.save = vnet_save,
	.restore = vnet_restore,
	.free = vnet_free,
};

/* The tap: virtio-net headers of 12 bytes, no offload yet, non-blocking,
 * no send buffer limit (as QEMU sets it: a full socket buffer would hold
 * back the transmit queue, vhost-net's or ours). */
static int
vnet_tap_setup(struct vnet *n, char *errmsg, size_t errlen)
{
	struct ifreq ifr;
	int sz = VNET_HDR_LEN, sndbuf = INT_MAX, fl;

	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(n->fd, TUNGETIFF, &ifr) < 0)
		goto fail;
	if (!(ifr.ifr_flags & IFF_TAP) || !(ifr.ifr_flags & IFF_VNET_HDR)) {
		snprintf(errmsg, errlen,
			 "nic %s: the tap was not opened with IFF_TAP and "
			 "IFF_VNET_HDR",
			 n->tap);
		return -EINVAL;
	}
	fl = fcntl(n->fd, F_GETFL);
	if (ioctl(n->fd, TUNSETVNETHDRSZ, &sz) < 0 ||
	    ioctl(n->fd, TUNSETSNDBUF, &sndbuf) < 0 ||
	    ioctl(n->fd, TUNSETOFFLOAD, 0UL) < 0 || fl < 0 ||
	    fcntl(n->fd, F_SETFL, fl | O_NONBLOCK) < 0)
		goto fail;
	return 0;
fail:
	snprintf(errmsg, errlen, "nic %s: %s", n->tap, strerror(errno));
	return -errno;
}

int
vnet_new(const struct vnet_config *cfg, struct vnet **out, char *errmsg,
	 size_t errlen)
{
	const struct xmhv_nic_config *nic = cfg->nic;
	struct virtio_pci_desc vd;
	struct vnet *n;
	char name[24];
	int rc;

	n = calloc(1, sizeof(*n));
	if (!n) {
		snprintf(errmsg, errlen, "nic %s: out of memory", nic->tap);
		return -ENOMEM;
	}
	n->fd = n->ctl_fd = n->timer_fd = -1;
	pthread_mutex_init(&n->lock, NULL);
	pthread_cond_init(&n->cond, NULL);
	n->env = cfg->env;
	memcpy(n->tap, nic->tap, sizeof(n->tap));
	n->tap[sizeof(n->tap) - 1] = '\0';
	memcpy(n->mac, nic->mac, 6);
	n->rate = nic->rate_bytes_per_sec;
	n->interval_us = nic->rate_interval_us;
	device_init(&n->dev, &vnet_ops, "virtio-net");
	n->fd = fcntl(nic->fd, F_DUPFD_CLOEXEC, 3);
	n->ctl_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	n->timer_fd =
		timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (n->fd < 0 || n->ctl_fd < 0 || n->timer_fd < 0) {
		rc = -errno;
		snprintf(errmsg, errlen, "nic %s: %s", n->tap, strerror(errno));
		goto fail;
	}
	rc = vnet_tap_setup(n, errmsg, errlen);
	if (rc < 0)
		goto fail;
	n->path = (struct vnet_path){.mem = cfg->env.mem,
				     .fd = n->fd,
				     .notify = vnet_notify,
				     .opaque = n};
	snprintf(name, sizeof(name), "vnet-%.16s", n->tap);
	vd = (struct virtio_pci_desc){
		name, VNET_DEVICE_ID,  VNET_CLASS,      vnet_features(),
		2,    VNET_QUEUE_SIZE, VNET_CONFIG_LEN, &vnet_virtio_ops,
		n};
	rc = virtio_pci_new(&cfg->env, &vd, &n->vp, errmsg, errlen);
	if (rc < 0)
		goto fail;
	vnet_vhost_open(n, nic, cfg->env.mem);
	snprintf(n->dev.name, sizeof(n->dev.name), "virtio-net@%02x",
		 vnet_slot(n));
	log_info("domain %s: nic %s: virtio-net at 00:%02x.0, "
		 "%02x:%02x:%02x:%02x:%02x:%02x, %s datapath%s",
		 cfg->env.domain, n->tap, vnet_slot(n), n->mac[0], n->mac[1],
		 n->mac[2], n->mac[3], n->mac[4], n->mac[5], vnet_datapath(n),
		 n->rate ? ", rate-limited" : "");
	*out = n;
	return 0;
fail:
	vnet_free(&n->dev);
	return rc;
}
