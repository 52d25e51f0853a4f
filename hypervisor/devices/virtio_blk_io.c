/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_blk_io.c: the virtio-blk I/O engine: a few worker threads per
 * disk take batches of requests from the queue thread and run them
 * (vblk_io_run, virtio_blk_run.c: preadv/pwritev straight between the
 * backend and guest memory, fdatasync, fallocate or the block device
 * ioctls for discard and write-zeroes). With an O_DIRECT backend, reads
 * and writes go to an io_uring instead (virtio_blk_uring.c), submitted in
 * the queue thread's batch and reaped by it from the same eventfd; the
 * workers keep the rest, and everything when the ring cannot be had.
 * Why: bench/README.md (the measurement). A write that finds no space
 * (ENOSPC, EDQUOT) waits here, unanswered, and the domain is paused;
 * vblk_io_retry runs it again. A failed flush stays failed: fsync(2)
 * reports a writeback error once, so after one every later flush fails
 * too (QEMU's rule). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <limits.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "virtio_blk_int.h"

#define VBLK_IO_LOG_MAX 8 /* I/O errors logged per disk */

struct vblk_io {
	struct vblk_backend be;
	struct vblk_io_hooks hooks;
	pthread_mutex_t lock;
	pthread_cond_t work;
	struct vblk_req *todo, **todo_tail, *done, **done_tail, *parked;
	unsigned busy, nparked;
	bool stopping;
	unsigned nworkers;
	pthread_t *threads;
	int done_fd;
	bool nowait; /* page-cache reads inline (not with O_DIRECT) */
	struct vblk_uring *ring;   /* O_DIRECT reads and writes, or NULL */
	pthread_mutex_t ring_lock; /* queue thread; main thread's retry */
	bool ring_err_logged;
	_Atomic bool flush_failed;
	_Atomic unsigned nerrors;
};

static const char *
vblk_io_what(uint8_t type)
{
	switch (type) {
	case VBLK_T_IN:
		return "read";
	case VBLK_T_OUT:
		return "write";
	case VBLK_T_FLUSH:
		return "flush";
	case VBLK_T_DISCARD:
		return "discard";
	default:
		return "write zeroes";
	}
}

/* One request on a worker: done (the queue thread answers it), or parked
 * until space is freed. */
static void
vblk_io_finish(struct vblk_io *io, struct vblk_req *r, int rc, bool signal)
{
	bool wake = false, first_park = false;
	uint64_t one = 1;

	if (rc < 0 && rc != -ENOSPC &&
	    atomic_fetch_add(&io->nerrors, 1) < VBLK_IO_LOG_MAX)
		log_warn("domain %s: disk %s (%s): %s at byte %llu: %s%s",
			 io->be.domain, io->be.serial, io->be.path,
			 vblk_io_what(r->type), (unsigned long long)r->offset,
			 strerror(-rc),
			 atomic_load(&io->nerrors) == VBLK_IO_LOG_MAX
				 ? " (further errors not logged)"
				 : "");
	pthread_mutex_lock(&io->lock);
	io->busy--;
	if (rc == -ENOSPC) {
		r->next = io->parked;
		io->parked = r;
		first_park = io->nparked++ == 0;
	} else {
		r->next = NULL;
		wake = io->done == NULL;
		*io->done_tail = r;
		io->done_tail = &r->next;
	}
	pthread_mutex_unlock(&io->lock);
	if (first_park) {
		log_warn("domain %s: disk %s (%s): %s at byte %llu: %s: the "
			 "domain pauses until there is space (then xm "
			 "unpause)",
			 io->be.domain, io->be.serial, io->be.path,
			 vblk_io_what(r->type), (unsigned long long)r->offset,
			 strerror(ENOSPC));
		if (io->hooks.enospc)
			io->hooks.enospc(io->hooks.opaque);
	}
	if (signal && wake && write(io->done_fd, &one, sizeof(one)) < 0)
		return;
}

/* A completion from the ring (the queue thread, in vblk_io_take_done,
 * which takes the done list next: no wake-up). A short transfer (the end
 * of the backend) or -EAGAIN goes to the workers, which redo it whole. */
static void
vblk_io_ring_done(void *opaque, struct vblk_req *r, int res)
{
	struct vblk_io *io = opaque;

	if (res >= 0 && (uint64_t)res == r->len) {
		if (r->type == VBLK_T_IN)
			vblk_dirty(&io->be, r);
		r->status = VBLK_S_OK;
		vblk_io_finish(io, r, 0, false);
		return;
	}
	if (res >= 0 || res == -EAGAIN || res == -EINTR) {
		r->next = NULL;
		pthread_mutex_lock(&io->lock);
		*io->todo_tail = r;
		io->todo_tail = &r->next;
		pthread_cond_signal(&io->work);
		pthread_mutex_unlock(&io->lock);
		return;
	}
	if (res == -EDQUOT)
		res = -ENOSPC;
	if (res != -ENOSPC)
		r->status = VBLK_S_IOERR;
	vblk_io_finish(io, r, res, false);
}

static void *
vblk_io_worker(void *arg)
{
	struct vblk_io *io = arg;
	struct vblk_req *r;
	int rc;

	for (;;) {
		pthread_mutex_lock(&io->lock);
		while (!io->todo && !io->stopping)
			pthread_cond_wait(&io->work, &io->lock);
		r = io->todo;
		if (!r) {
			pthread_mutex_unlock(&io->lock);
			return NULL;
		}
		io->todo = r->next;
		if (!io->todo)
			io->todo_tail = &io->todo;
		pthread_mutex_unlock(&io->lock);
		rc = vblk_io_run(&io->be, r, &io->flush_failed);
		vblk_io_finish(io, r, rc, true);
	}
}

/* The ring for an O_DIRECT backend; without it, the threads. */
static void
vblk_io_ring_new(struct vblk_io *io)
{
	const char *why = "";
	int rc;

	rc = vblk_uring_new(io->be.fd, io->done_fd, VBLK_QUEUE_SIZE, &io->ring,
			    &why);
	if (rc < 0)
		log_warn("domain %s: disk %s (%s): no io_uring (%s: %s): "
			 "reads and writes on worker threads",
			 io->be.domain, io->be.serial, io->be.path, why,
			 strerror(-rc));
}

int
vblk_io_new(const struct vblk_backend *be, unsigned nworkers,
	    const struct vblk_io_hooks *hooks, struct vblk_io **io_out)
{
	struct vblk_io *io = calloc(1, sizeof(*io));
	sigset_t all, old;
	unsigned i;
	int rc = 0;

	if (!io)
		return -ENOMEM;
	io->be = *be;
	io->hooks = *hooks;
	pthread_mutex_init(&io->lock, NULL);
	pthread_cond_init(&io->work, NULL);
	pthread_mutex_init(&io->ring_lock, NULL);
	io->todo_tail = &io->todo;
	io->done_tail = &io->done;
	io->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	io->nowait = !(fcntl(be->fd, F_GETFL) & O_DIRECT);
	io->threads = calloc(nworkers, sizeof(*io->threads));
	if (io->done_fd < 0 || !io->threads) {
		vblk_io_free(io);
		return io->done_fd < 0 ? -errno : -ENOMEM;
	}
	if (!io->nowait && !be->no_uring)
		vblk_io_ring_new(io);
	/* Workers take no signal (the vCPU kick signal is per thread). */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < nworkers; i++) {
		rc = -pthread_create(&io->threads[i], NULL, vblk_io_worker, io);
		if (rc < 0)
			break;
		pthread_setname_np(io->threads[i], "vblk-io");
		io->nworkers++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc < 0) {
		vblk_io_free(io);
		return rc;
	}
	*io_out = io;
	return 0;
}

void
vblk_io_free(struct vblk_io *io)
{
	unsigned i;

	if (!io)
		return;
	pthread_mutex_lock(&io->lock);
	io->stopping = true;
	pthread_cond_broadcast(&io->work);
	pthread_mutex_unlock(&io->lock);
	for (i = 0; i < io->nworkers; i++)
		pthread_join(io->threads[i], NULL);
	vblk_uring_free(io->ring); /* nothing in flight: busy is 0 */
	if (io->done_fd >= 0)
		close(io->done_fd);
	pthread_mutex_destroy(&io->ring_lock);
	pthread_cond_destroy(&io->work);
	pthread_mutex_destroy(&io->lock);
	free(io->threads);
	free(io);
}

/* A read the page cache holds whole, done here without blocking
 * (preadv2 with RWF_NOWAIT): a thread hand-off costs more than such a
 * read (bench/README.md, queue depth 1). Anything else (not cached, short,
 * an error) goes to the workers. */
static bool
vblk_io_nowait(const struct vblk_io *io, struct vblk_req *r)
{
	const struct vblk_backend *be = &io->be;
	ssize_t got;

	/* With O_DIRECT a read without waiting is still a device read. */
	if (!io->nowait || r->type != VBLK_T_IN || !r->niov ||
	    r->niov > IOV_MAX)
		return false;
	got = preadv2(be->fd, r->iov, (int)r->niov, (off_t)r->offset,
		      RWF_NOWAIT);
	if (got < 0 || (uint64_t)got != r->len)
		return false;
	vblk_dirty(be, r);
	r->status = VBLK_S_OK;
	return true;
}

/* Submit what is prepared on the ring. What the kernel cannot take now
 * (EBUSY, EAGAIN: its completion queue is full) stays prepared, and the
 * queue thread is woken to reap and submit again. Ring lock held. */
static int
vblk_io_ring_kick(struct vblk_io *io)
{
	uint64_t one = 1;
	int rc = vblk_uring_submit(io->ring);

	if (rc == -EBUSY || rc == -EAGAIN)
		(void)!write(io->done_fd, &one, sizeof(one));
	return rc;
}

/* Reads and writes of list onto the ring, one submission; what cannot go
 * there is returned for the workers. */
static struct vblk_req *
vblk_io_ring_submit(struct vblk_io *io, struct vblk_req *list)
{
	struct vblk_req *r, *next, *rest = NULL, **rt = &rest;
	unsigned n = 0;
	int rc;

	pthread_mutex_lock(&io->ring_lock);
	for (r = list; r; r = next) {
		next = r->next;
		r->next = NULL;
		if (vblk_uring_queue(io->ring, r)) {
			n++;
			continue;
		}
		*rt = r;
		rt = &r->next;
	}
	if (n) {
		/* Counted before the kernel sees them: the queue thread may
		 * reap them while this is the main thread (a retry). */
		pthread_mutex_lock(&io->lock);
		io->busy += n;
		pthread_mutex_unlock(&io->lock);
	}
	rc = vblk_io_ring_kick(io);
	if (rc < 0 && !io->ring_err_logged) {
		io->ring_err_logged = true;
		log_warn(
			"domain %s: disk %s (%s): io_uring_enter: %s (retried)",
			io->be.domain, io->be.serial, io->be.path,
			strerror(-rc));
	}
	pthread_mutex_unlock(&io->ring_lock);
	return rest;
}

void
vblk_io_submit(struct vblk_io *io, struct vblk_req *list)
{
	struct vblk_req *r, *next, *now = NULL, **nt = &now, *work = NULL,
				   **wt = &work;
	unsigned n = 0;
	uint64_t one = 1;
	bool wake;

	for (r = list; r; r = next) {
		next = r->next;
		r->next = NULL;
		if (vblk_io_nowait(io, r)) {
			*nt = r;
			nt = &r->next;
		} else {
			*wt = r;
			wt = &r->next;
		}
	}
	if (now) {
		pthread_mutex_lock(&io->lock);
		wake = io->done == NULL;
		*io->done_tail = now;
		io->done_tail = nt;
		pthread_mutex_unlock(&io->lock);
		if (wake)
			(void)!write(io->done_fd, &one, sizeof(one));
	}
	list = work;
	if (io->ring && list)
		list = vblk_io_ring_submit(io, list);
	if (!list)
		return;
	for (r = list; r->next; r = r->next)
		n++;
	pthread_mutex_lock(&io->lock);
	*io->todo_tail = list;
	io->todo_tail = &r->next;
	io->busy += n + 1;
	if (n)
		pthread_cond_broadcast(&io->work);
	else
		pthread_cond_signal(&io->work);
	pthread_mutex_unlock(&io->lock);
}

int
vblk_io_done_fd(struct vblk_io *io)
{
	return io->done_fd;
}

struct vblk_req *
vblk_io_take_done(struct vblk_io *io)
{
	struct vblk_req *list;
	uint64_t v;

	/* Clear first: a request finished after this wakes the thread. */
	if (read(io->done_fd, &v, sizeof(v)) < 0)
		v = 0;
	if (io->ring) {
		pthread_mutex_lock(&io->ring_lock);
		vblk_uring_reap(io->ring, vblk_io_ring_done, io);
		(void)!vblk_io_ring_kick(io); /* what was left, if any */
		pthread_mutex_unlock(&io->ring_lock);
	}
	pthread_mutex_lock(&io->lock);
	list = io->done;
	io->done = NULL;
	io->done_tail = &io->done;
	pthread_mutex_unlock(&io->lock);
	return list;
}

unsigned
vblk_io_busy(struct vblk_io *io)
{
	unsigned n;

	pthread_mutex_lock(&io->lock);
	n = io->busy;
	pthread_mutex_unlock(&io->lock);
	return n;
}

unsigned
vblk_io_parked(struct vblk_io *io)
{
	unsigned n;

	pthread_mutex_lock(&io->lock);
	n = io->nparked;
	pthread_mutex_unlock(&io->lock);
	return n;
}

void
vblk_io_retry(struct vblk_io *io)
{
	struct vblk_req *list;

	pthread_mutex_lock(&io->lock);
	list = io->parked;
	io->parked = NULL;
	io->nparked = 0;
	pthread_mutex_unlock(&io->lock);
	if (list)
		log_info("domain %s: disk %s (%s): retrying the writes that "
			 "waited for space",
			 io->be.domain, io->be.serial, io->be.path);
	vblk_io_submit(io, list);
}

struct vblk_req *
vblk_io_drop_parked(struct vblk_io *io)
{
	struct vblk_req *list;

	pthread_mutex_lock(&io->lock);
	list = io->parked;
	io->parked = NULL;
	io->nparked = 0;
	pthread_mutex_unlock(&io->lock);
	return list;
}

const char *
vblk_io_engine(const struct vblk_io *io)
{
	return io->ring ? "io_uring" : "threads";
}

bool
vblk_io_flush_failed(struct vblk_io *io)
{
	return atomic_load(&io->flush_failed);
}

void
vblk_io_set_flush_failed(struct vblk_io *io, bool failed)
{
	atomic_store(&io->flush_failed, failed);
}
