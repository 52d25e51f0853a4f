/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_blk.c: the virtio-blk device (virtio_blk.h): its transport, its
 * configuration and features, the backing file or block device, and what
 * the transport and the machine ask of it (start, stop, pause, save). The
 * queue thread that serves requests is virtio_blk_queue.c. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "pci.h"
#include "virtio_blk_int.h"

#define VBLK_WORKERS_DEFAULT 4
#define VBLK_CLASS 0x018000 /* mass storage, other */
#define VBLK_DEVICE_ID 2

struct device *
vblk_device(struct vblk *b)
{
	return &b->dev;
}

const char *
vblk_serial(const struct vblk *b)
{
	return b->serial;
}

unsigned
vblk_slot(const struct vblk *b)
{
	return pci_function_slot(virtio_pci_function(b->vp));
}

/* ---- what the transport asks (vCPU threads, or the main thread) ---- */

static void
vblk_config_read(void *opaque, uint32_t off, uint8_t *data, uint32_t size)
{
	struct vblk *b = opaque;
	uint8_t img[VBLK_CONFIG_LEN];

	vblk_config_image(&b->geom, img);
	if (off < sizeof(img))
		memcpy(data, img + off,
		       size < sizeof(img) - off ? size : sizeof(img) - off);
}

static void
vblk_config_write(void *opaque, uint32_t off, const uint8_t *data,
		  uint32_t size)
{
	(void)opaque;
	(void)off;
	(void)data;
	(void)size; /* nothing writable: CONFIG_WCE is not offered */
}

static int
vblk_set_features(void *opaque, uint64_t features)
{
	(void)opaque;
	(void)features;
	return 0;
}

static void
vblk_queues_free(struct vblk *b)
{
	unsigned i;

	for (i = 0; i < b->nqueues; i++) {
		free(b->q[i].reqs);
		b->q[i] = (struct vblk_queue){.kick_fd = -1};
	}
}

/* DRIVER_OK: the enabled queues get their requests and the thread. */
static int
vblk_start(void *opaque)
{
	struct vblk *b = opaque;
	struct vblk_queue *q;
	sigset_t all, old;
	unsigned i, k;
	int rc;

	for (i = 0; i < b->nqueues; i++) {
		q = &b->q[i];
		q->vq = virtio_pci_queue(b->vp, i);
		q->kick_fd = virtio_pci_kick_fd(b->vp, i);
		q->active = virtio_pci_queue_enabled(b->vp, i);
		if (!q->active)
			continue;
		q->reqs = calloc(q->vq->size, sizeof(*q->reqs));
		if (!q->reqs) {
			vblk_queues_free(b);
			return -ENOMEM;
		}
		for (k = 0; k < q->vq->size; k++) {
			q->reqs[k].next = q->free;
			q->free = &q->reqs[k];
		}
	}
	b->broken = false;
	b->want = b->dev_paused ? VBLK_PAUSE : VBLK_RUN;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = -pthread_create(&b->thread, NULL, vblk_thread, b);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc < 0) {
		vblk_queues_free(b);
		return rc;
	}
	pthread_setname_np(b->thread, "vblk-queue");
	b->running = true;
	return 0;
}

static void
vblk_stop(void *opaque)
{
	struct vblk *b = opaque;

	if (!b->running)
		return;
	vblk_tell(b, VBLK_STOP);
	pthread_join(b->thread, NULL);
	b->running = false;
	vblk_queues_free(b);
}

static const struct virtio_dev_ops vblk_virtio_ops = {
	vblk_config_read, vblk_config_write, vblk_set_features,
	vblk_start,       vblk_stop,
};

/* ---- what the machine asks (main thread) ---- */

static int
vblk_pause(struct device *dev)
{
	struct vblk *b = (struct vblk *)dev;

	b->dev_paused = true;
	if (!b->running)
		return 0;
	vblk_tell(b, VBLK_PAUSE);
	pthread_mutex_lock(&b->lock);
	while (!b->parked_ack)
		pthread_cond_wait(&b->cond, &b->lock);
	pthread_mutex_unlock(&b->lock);
	return 0;
}

static int
vblk_resume(struct device *dev)
{
	struct vblk *b = (struct vblk *)dev;

	b->dev_paused = false;
	if (!b->running)
		return 0;
	vblk_io_retry(b->io); /* what waited for space */
	vblk_tell(b, VBLK_RUN);
	return 0;
}

static void
vblk_free(struct device *dev)
{
	struct vblk *b = (struct vblk *)dev;

	vblk_stop(b);
	virtio_pci_free(b->vp);
	vblk_io_free(b->io);
	if (b->fd >= 0)
		close(b->fd);
	if (b->ctl_fd >= 0)
		close(b->ctl_fd);
	pthread_cond_destroy(&b->cond);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

/* A paused domain's disk: its transport and its sticky flush failure.
 * Writes still waiting for space cannot be saved (free space, unpause). */
static int
vblk_save(struct device *dev, struct dstate *out)
{
	struct vblk *b = (struct vblk *)dev;

	if (vblk_io_busy(b->io) || vblk_io_parked(b->io))
		return -EBUSY;
	virtio_pci_save(b->vp, out);
	dstate_put_u32(out, vblk_io_flush_failed(b->io));
	return dstate_status(out);
}

static int
vblk_restore(struct device *dev, struct dstate *in)
{
	struct vblk *b = (struct vblk *)dev;
	int rc = virtio_pci_restore(b->vp, in);
	uint32_t ff = dstate_get_u32(in);

	if (rc == 0 && (dstate_status(in) < 0 || ff > 1))
		rc = -EINVAL;
	if (rc == 0)
		vblk_io_set_flush_failed(b->io, ff);
	return rc;
}

static const struct device_ops vblk_ops = {
	.kind = "virtio-blk",
	.pause = vblk_pause,
	.resume = vblk_resume,
	.save = vblk_save,
	.restore = vblk_restore,
	.free = vblk_free,
};

static void
vblk_enospc(void *opaque)
{
	struct vblk *b = opaque;

	if (b->hooks.io_pause)
		b->hooks.io_pause(b->hooks.opaque, XMHV_PAUSE_ENOSPC,
				  b->serial);
}

/* Copy a string, cut to fit (names in log lines). */
static void
vblk_copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The disk's size in sectors, logical block size and kind. */
static int
vblk_probe(struct vblk *b, char *errmsg, size_t errlen)
{
	uint64_t bytes = 0;
	struct stat st;
	int ssz = 512;

	if (fstat(b->fd, &st) < 0)
		goto fail;
	b->be.blockdev = S_ISBLK(st.st_mode);
	if (b->be.blockdev) {
		if (ioctl(b->fd, BLKGETSIZE64, &bytes) < 0 ||
		    ioctl(b->fd, BLKSSZGET, &ssz) < 0)
			goto fail;
	} else if (S_ISREG(st.st_mode)) {
		bytes = (uint64_t)st.st_size;
	} else {
		errno = EINVAL;
		goto fail;
	}
	b->geom.capacity = bytes / VBLK_SECTOR;
	b->geom.blk_size = ssz >= 512 && ssz <= 65536 ? (uint32_t)ssz : 512;
	if ((fcntl(b->fd, F_GETFL) & O_ACCMODE) == O_RDONLY)
		b->geom.ro = true;
	return 0;
fail:
	snprintf(errmsg, errlen, "disk %s: %s", b->path, strerror(errno));
	return -errno;
}

int
vblk_new(const struct vblk_config *cfg, struct vblk **out, char *errmsg,
	 size_t errlen)
{
	const struct xmhv_disk_config *d = cfg->disk;
	struct vblk_io_hooks ioh;
	struct virtio_pci_desc vd;
	struct vblk *b;
	char name[24];
	int rc;

	b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(errmsg, errlen, "disk %s: out of memory", d->path);
		return -ENOMEM;
	}
	b->fd = b->ctl_fd = -1;
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->cond, NULL);
	b->env = cfg->env;
	b->hooks = cfg->hooks;
	vblk_copy(b->serial, sizeof(b->serial), d->serial);
	vblk_copy(b->path, sizeof(b->path), d->path);
	b->nqueues = cfg->nqueues < 1 ? 1
		     : cfg->nqueues > VIRTIO_PCI_QUEUES_MAX
			     ? VIRTIO_PCI_QUEUES_MAX
			     : cfg->nqueues;
	device_init(&b->dev, &vblk_ops, "virtio-blk");
	rc = -EBADF;
	b->fd = fcntl(d->fd, F_DUPFD_CLOEXEC, 3);
	b->ctl_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (b->fd < 0 || b->ctl_fd < 0) {
		rc = -errno;
		snprintf(errmsg, errlen, "disk %s: %s", d->path,
			 strerror(errno));
		goto fail;
	}
	b->geom.ro = d->readonly || d->cdrom;
	b->geom.nqueues = (uint16_t)b->nqueues;
	rc = vblk_probe(b, errmsg, errlen);
	if (rc < 0)
		goto fail;
	b->be = (struct vblk_backend){
		b->fd,     b->be.blockdev, cfg->env.mem, cfg->env.domain,
		b->serial, b->path,        false};
	/* XMHV_BLK_ENGINE=threads: no io_uring (bench/linux-io.py compares) */
	b->be.no_uring = getenv("XMHV_BLK_ENGINE") &&
			 strcmp(getenv("XMHV_BLK_ENGINE"), "threads") == 0;
	ioh = (struct vblk_io_hooks){vblk_enospc, b};
	rc = vblk_io_new(&b->be,
			 cfg->nworkers ? cfg->nworkers : VBLK_WORKERS_DEFAULT,
			 &ioh, &b->io);
	if (rc < 0) {
		snprintf(errmsg, errlen, "disk %s: I/O threads: %s", d->path,
			 strerror(-rc));
		goto fail;
	}
	snprintf(name, sizeof(name), "vblk-%.18s", b->serial);
	vd = (struct virtio_pci_desc){name,
				      VBLK_DEVICE_ID,
				      VBLK_CLASS,
				      vblk_features(&b->geom),
				      (uint16_t)b->nqueues,
				      VBLK_QUEUE_SIZE,
				      VBLK_CONFIG_LEN,
				      &vblk_virtio_ops,
				      b};
	rc = virtio_pci_new(&cfg->env, &vd, &b->vp, errmsg, errlen);
	if (rc < 0)
		goto fail;
	snprintf(b->dev.name, sizeof(b->dev.name), "virtio-blk@%02x",
		 vblk_slot(b));
	log_info("domain %s: disk %s (%s): virtio-blk at 00:%02x.0, %llu "
		 "sectors of %u bytes, %s, %u queue%s, I/O on %s",
		 cfg->env.domain, b->serial, b->path, vblk_slot(b),
		 (unsigned long long)b->geom.capacity, b->geom.blk_size,
		 b->geom.ro ? "read-only" : "writable", b->nqueues,
		 b->nqueues == 1 ? "" : "s", vblk_io_engine(b->io));
	*out = b;
	return 0;
fail:
	vblk_free(&b->dev);
	return rc;
}
