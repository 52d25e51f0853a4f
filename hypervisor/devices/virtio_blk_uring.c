/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_blk_uring.c: the io_uring engine of the O_DIRECT backends (phy:,
 * tap:aio:). Reads and writes become IORING_OP_READV/WRITEV entries, one
 * batch per round of the queue thread (one io_uring_enter), and complete
 * on an eventfd registered with the ring: the one the queue thread
 * already polls (vblk_io_done_fd), which then reaps the completions.
 * virtio_blk_io.c decides what comes here; flush, discard, write-zeroes,
 * short transfers and retries stay on its worker threads.
 *
 * Sandbox contract (hypervisor/sandbox.c allows io_uring_setup, _enter
 * and _register): io_uring runs its operations in the kernel, past
 * seccomp, so the ring is made unable to do anything but what the filter
 * already allows. It is created disabled, the backend's fd (opened by
 * xmd) is its only registered file, and before it is enabled the kernel
 * is given its restrictions (IORING_REGISTER_RESTRICTIONS): the opcodes
 * READV and WRITEV only, IOSQE_FIXED_FILE required on every entry, no
 * register opcode. Whatever runs the ring reads and writes that one fd:
 * it opens, connects or registers nothing, and a ring the kernel cannot
 * restrict is not used (the worker threads are). */
#include <errno.h>
#include <limits.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "virtio_blk_int.h"

struct vblk_uring {
	struct io_uring ring;
};

/* io_uring_register(2) itself: Debian's liburing 2.3 does not export
 * io_uring_register_restrictions and io_uring_enable_rings. */
static int
vblk_uring_register(struct io_uring *ring, unsigned op, const void *arg,
		    unsigned n)
{
	return syscall(SYS_io_uring_register, ring->ring_fd, op, arg, n) < 0
		       ? -errno
		       : 0;
}

/* The ring's restrictions: the contract above. */
static int
vblk_uring_restrict(struct io_uring *ring)
{
	struct io_uring_restriction res[3];

	memset(res, 0, sizeof(res));
	res[0].opcode = IORING_RESTRICTION_SQE_OP;
	res[0].sqe_op = IORING_OP_READV;
	res[1].opcode = IORING_RESTRICTION_SQE_OP;
	res[1].sqe_op = IORING_OP_WRITEV;
	res[2].opcode = IORING_RESTRICTION_SQE_FLAGS_REQUIRED;
	res[2].sqe_flags = IOSQE_FIXED_FILE;
	return vblk_uring_register(ring, IORING_REGISTER_RESTRICTIONS, res, 3);
}

int
vblk_uring_new(int fd, int done_fd, unsigned entries, struct vblk_uring **out,
	       const char **why)
{
	struct io_uring_params p;
	struct vblk_uring *u = calloc(1, sizeof(*u));
	int rc;

	if (!u) {
		*why = "out of memory";
		return -ENOMEM;
	}
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_R_DISABLED | IORING_SETUP_CQSIZE;
	p.cq_entries = entries * 2;
	rc = io_uring_queue_init_params(entries, &u->ring, &p);
	if (rc < 0) {
		free(u);
		*why = "io_uring_setup";
		return rc;
	}
	if ((rc = io_uring_register_files(&u->ring, &fd, 1)) < 0)
		*why = "registering the backend";
	else if ((rc = io_uring_register_eventfd(&u->ring, done_fd)) < 0)
		*why = "registering the eventfd";
	else if ((rc = vblk_uring_restrict(&u->ring)) < 0)
		*why = "restricting the ring";
	else if ((rc = vblk_uring_register(
			  &u->ring, IORING_REGISTER_ENABLE_RINGS, NULL, 0)) < 0)
		*why = "enabling the ring";
	if (rc < 0) {
		io_uring_queue_exit(&u->ring);
		free(u);
		return rc;
	}
	*out = u;
	return 0;
}

void
vblk_uring_free(struct vblk_uring *u)
{
	if (!u)
		return;
	io_uring_queue_exit(&u->ring);
	free(u);
}

bool
vblk_uring_queue(struct vblk_uring *u, struct vblk_req *r)
{
	struct io_uring_sqe *sqe;

	if ((r->type != VBLK_T_IN && r->type != VBLK_T_OUT) || !r->niov ||
	    r->niov > IOV_MAX)
		return false;
	sqe = io_uring_get_sqe(&u->ring);
	if (!sqe && io_uring_submit(&u->ring) >= 0)
		sqe = io_uring_get_sqe(&u->ring);
	if (!sqe)
		return false;
	if (r->type == VBLK_T_IN)
		io_uring_prep_readv(sqe, 0, r->iov, r->niov, r->offset);
	else
		io_uring_prep_writev(sqe, 0, r->iov, r->niov, r->offset);
	sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_data(sqe, r);
	return true;
}

int
vblk_uring_submit(struct vblk_uring *u)
{
	int rc;

	if (!io_uring_sq_ready(&u->ring))
		return 0;
	do
		rc = io_uring_submit(&u->ring);
	while (rc == -EINTR);
	return rc < 0 ? rc : 0;
}

unsigned
vblk_uring_reap(struct vblk_uring *u,
		void (*fn)(void *opaque, struct vblk_req *r, int res),
		void *opaque)
{
	struct io_uring_cqe *cqe;
	unsigned head, n = 0;

	io_uring_for_each_cqe(&u->ring, head, cqe)
	{
		fn(opaque, io_uring_cqe_get_data(cqe), cqe->res);
		n++;
	}
	io_uring_cq_advance(&u->ring, n);
	return n;
}
