/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_blk.c: the virtio-blk device (virtio_blk.h): its transport, its
 * configuration, and the queue thread that serves every queue of the disk
 * off the vCPU threads: it sleeps on the queues' kick eventfds, takes all
 * that is available (EVENT_IDX: re-arming before it sleeps), parses each
 * chain (virtio_blk_req.c), hands the batch to the I/O workers
 * (virtio_blk_io.c) and answers what they finished, one interrupt per
 * queue per batch. A chain that breaks virtio's rules puts this device
 * into "needs reset" and nothing else. */
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

enum vblk_want { VBLK_RUN, VBLK_PAUSE, VBLK_STOP };

struct vblk_queue {
	struct virtq *vq;
	int kick_fd;
	bool active, touched;
	struct vblk_req *reqs, *free;
};

struct vblk {
	struct device dev;
	struct virtio_pci *vp;
	struct virtio_pci_env env;
	struct domain_hooks hooks;
	char serial[VBLK_ID_LEN + 1];
	char path[256];
	int fd;
	struct vblk_backend be;
	struct vblk_geom geom;
	struct vblk_io *io;
	unsigned nqueues;
	struct vblk_queue q[VIRTIO_PCI_QUEUES_MAX];
	/* The queue thread and what the machine or the driver wants of it. */
	pthread_t thread;
	bool running;
	int ctl_fd;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum vblk_want want;
	bool parked_ack; /* the thread is paused (nothing in flight) */
	bool dev_paused; /* the machine paused the device */
	bool broken;     /* needs reset: take nothing more */
	struct virtq_seg seg[VBLK_QUEUE_SIZE], data[VBLK_QUEUE_SIZE];
};

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

/* ---- answering ---- */

/* Answer the finished requests in list: status byte, used ring, one
 * interrupt per queue that needs one. Queue thread. */
static void
vblk_complete(struct vblk *b, struct vblk_req *list)
{
	struct vblk_req *r, *next;
	struct vblk_queue *q;
	unsigned i;

	for (r = list; r; r = next) {
		next = r->next;
		q = &b->q[r->queue];
		if (r->status == VBLK_S_OK && r->type == VBLK_T_IN)
			r->used_len = (uint32_t)r->len + 1;
		(void)!mem_write(b->be.mem, r->status_gpa, &r->status, 1);
		if (virtq_push(q->vq, b->be.mem, r->head, r->used_len) < 0)
			log_err("domain %s: disk %s: answer to head %u lost",
				b->env.domain, b->serial, r->head);
		q->touched = true;
		free(r->iov);
		r->iov = NULL;
		r->next = q->free;
		q->free = r;
	}
	for (i = 0; i < b->nqueues; i++) {
		q = &b->q[i];
		if (!q->touched)
			continue;
		q->touched = false;
		(void)!virtq_publish(q->vq, b->be.mem);
		if (virtq_should_notify(q->vq, b->be.mem))
			(void)!virtio_pci_interrupt(b->vp, i);
	}
}

/* GET_ID: the serial, NUL-padded, into the data buffers. */
static void
vblk_get_id(struct vblk *b, const struct vblk_parsed *p, struct vblk_req *r)
{
	uint8_t id[VBLK_ID_LEN] = {0};
	uint64_t done = 0, n;
	unsigned i;

	memcpy(id, b->serial, strnlen(b->serial, VBLK_ID_LEN));
	for (i = 0; i < p->ndata && done < VBLK_ID_LEN; i++) {
		n = b->data[i].len < VBLK_ID_LEN - done ? b->data[i].len
							: VBLK_ID_LEN - done;
		(void)!mem_write(b->be.mem, b->data[i].gpa, id + done, n);
		done += n;
	}
	r->used_len = (uint32_t)done + 1;
}

/* The host buffers of a parsed request (guest RAM, no copy). */
static int
vblk_req_iov(struct vblk *b, const struct vblk_parsed *p, struct vblk_req *r)
{
	uint64_t *gpa;
	unsigned i;

	r->niov = p->ndata;
	if (!p->ndata)
		return 0;
	r->iov = malloc(p->ndata * (sizeof(struct iovec) + sizeof(uint64_t)));
	if (!r->iov)
		return -ENOMEM;
	gpa = (uint64_t *)(r->iov + p->ndata);
	for (i = 0; i < p->ndata; i++) {
		r->iov[i].iov_base = mem_gpa_to_hva(b->be.mem, b->data[i].gpa,
						    b->data[i].len);
		r->iov[i].iov_len = b->data[i].len;
		gpa[i] = b->data[i].gpa;
		if (!r->iov[i].iov_base)
			return -EFAULT;
	}
	return 0;
}

/* Chain c of queue qi into a request: for the workers (*work), or
 * answered at once (*now). -EINVAL: the device needs a reset. */
static int
vblk_take(struct vblk *b, unsigned qi, const struct virtq_chain *c,
	  struct vblk_req ***work, struct vblk_req ***now, const char **why)
{
	struct vblk_queue *q = &b->q[qi];
	struct vblk_parsed p;
	struct vblk_req *r = q->free;

	if (!r) {
		*why = "more requests in flight than the queue holds";
		return -EINVAL;
	}
	if (vblk_parse(b->be.mem, c, &b->geom, b->data, VBLK_QUEUE_SIZE, &p,
		       why) < 0)
		return -EINVAL;
	q->free = r->next;
	memset(r, 0, sizeof(*r));
	r->queue = (uint16_t)qi;
	r->head = c->head;
	r->type = (uint8_t)p.type;
	r->status = p.status;
	r->status_gpa = p.status_gpa;
	r->used_len = 1;
	r->unmap = p.unmap;
	r->offset = p.sector * VBLK_SECTOR;
	r->len = p.type == VBLK_T_IN || p.type == VBLK_T_OUT
			 ? p.data_len
			 : p.nsectors * VBLK_SECTOR;
	if (p.status == VBLK_S_OK && p.type == VBLK_T_GET_ID)
		vblk_get_id(b, &p, r);
	else if (p.status == VBLK_S_OK && vblk_req_iov(b, &p, r) < 0)
		r->status = VBLK_S_IOERR;
	else if (p.status == VBLK_S_OK) {
		**work = r;
		*work = &r->next;
		return 0;
	}
	**now = r;
	*now = &r->next;
	return 0;
}

/* Take what queue qi has (at most its size per round, then re-arm). */
static int
vblk_drain(struct vblk *b, unsigned qi, struct vblk_req ***work,
	   struct vblk_req ***now, const char **why)
{
	struct vblk_queue *q = &b->q[qi];
	struct virtq_chain c = {.seg = b->seg, .max = VBLK_QUEUE_SIZE};
	int r;

	do {
		while ((r = virtq_pop(q->vq, b->be.mem, &c, why)) == 1)
			if (vblk_take(b, qi, &c, work, now, why) < 0)
				return -EINVAL;
		if (r < 0)
			return r;
	} while (virtq_arm(q->vq, b->be.mem));
	return 0;
}

/* One round: everything available on every queue to the workers in one
 * batch; what needs no I/O answered. */
static void
vblk_round(struct vblk *b)
{
	struct vblk_req *work = NULL, *now = NULL;
	struct vblk_req **wt = &work, **nt = &now;
	const char *why = NULL;
	unsigned i;

	for (i = 0; i < b->nqueues && !b->broken; i++) {
		if (!b->q[i].active)
			continue;
		if (vblk_drain(b, i, &wt, &nt, &why) < 0) {
			b->broken = true;
			virtio_pci_needs_reset(b->vp, why);
		}
	}
	*wt = NULL;
	*nt = NULL;
	vblk_io_submit(b->io, work);
	if (now)
		vblk_complete(b, now);
}

/* Give back requests without answering them (a reset). */
static void
vblk_forget(struct vblk *b, struct vblk_req *list)
{
	struct vblk_req *r, *next;

	for (r = list; r; r = next) {
		next = r->next;
		free(r->iov);
		r->iov = NULL;
		r->next = b->q[r->queue].free;
		b->q[r->queue].free = r;
	}
}

static void
vblk_wait_done(struct vblk *b, bool answer)
{
	struct pollfd p = {vblk_io_done_fd(b->io), POLLIN, 0};
	struct vblk_req *list;

	while (vblk_io_busy(b->io) > 0) {
		(void)poll(&p, 1, 100);
		list = vblk_io_take_done(b->io);
		if (answer)
			vblk_complete(b, list);
		else
			vblk_forget(b, list);
	}
	list = vblk_io_take_done(b->io);
	if (answer)
		vblk_complete(b, list);
	else
		vblk_forget(b, list);
}

static enum vblk_want
vblk_wanted(struct vblk *b)
{
	enum vblk_want w;

	pthread_mutex_lock(&b->lock);
	w = b->want;
	pthread_mutex_unlock(&b->lock);
	return w;
}

/* Paused: what is in flight answered, then nothing until told. */
static void
vblk_paused(struct vblk *b)
{
	vblk_wait_done(b, true);
	pthread_mutex_lock(&b->lock);
	b->parked_ack = true;
	pthread_cond_broadcast(&b->cond);
	while (b->want == VBLK_PAUSE)
		pthread_cond_wait(&b->cond, &b->lock);
	b->parked_ack = false;
	pthread_mutex_unlock(&b->lock);
}

static void *
vblk_thread(void *arg)
{
	struct vblk *b = arg;
	struct pollfd p[2 + VIRTIO_PCI_QUEUES_MAX];
	unsigned n = 0, i;
	uint64_t v;

	p[n++] = (struct pollfd){b->ctl_fd, POLLIN, 0};
	p[n++] = (struct pollfd){vblk_io_done_fd(b->io), POLLIN, 0};
	for (i = 0; i < b->nqueues; i++)
		if (b->q[i].active)
			p[n++] = (struct pollfd){b->q[i].kick_fd, POLLIN, 0};
	if (vblk_wanted(b) == VBLK_RUN)
		vblk_round(b); /* buffers made available before DRIVER_OK */
	for (;;) {
		switch (vblk_wanted(b)) {
		case VBLK_STOP:
			vblk_wait_done(b, false);
			vblk_forget(b, vblk_io_drop_parked(b->io));
			return NULL;
		case VBLK_PAUSE:
			vblk_paused(b);
			if (vblk_wanted(b) == VBLK_RUN && !b->broken)
				vblk_round(b);
			continue;
		case VBLK_RUN:
			break;
		}
		if (poll(p, n, -1) < 0)
			continue;
		for (i = 0; i < n; i++)
			if (i != 1 && (p[i].revents & POLLIN) &&
			    read(p[i].fd, &v, sizeof(v)) < 0)
				continue;
		if (p[1].revents & POLLIN)
			vblk_complete(b, vblk_io_take_done(b->io));
		if (!b->broken)
			vblk_round(b);
	}
}

/* Tell the queue thread what to do now. */
static void
vblk_tell(struct vblk *b, enum vblk_want w)
{
	uint64_t one = 1;

	pthread_mutex_lock(&b->lock);
	b->want = w;
	pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->lock);
	if (write(b->ctl_fd, &one, sizeof(one)) < 0)
		return;
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
