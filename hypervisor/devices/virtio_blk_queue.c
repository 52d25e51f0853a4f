/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_blk_queue.c: virtio-blk's queue thread, which serves every queue
 * of the disk off the vCPU threads: it sleeps on the queues' kick
 * eventfds, takes all that is available (EVENT_IDX: re-arming before it
 * sleeps), parses each chain (virtio_blk_req.c), hands the batch to the
 * I/O workers (virtio_blk_io.c) and answers what they finished, one
 * interrupt per queue per batch. A chain that breaks virtio's rules puts
 * this device into "needs reset" and nothing else. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "virtio_blk_int.h"

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

void *
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
void
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
