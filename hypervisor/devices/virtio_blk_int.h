/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_blk_int.h: what the parts of virtio-blk share: the request
 * format (virtio 1.x 5.2.6) and its pure parser (virtio_blk_req.c), the
 * I/O engine (virtio_blk_io.c: worker threads running requests with
 * preadv/pwritev in virtio_blk_run.c, and io_uring for O_DIRECT backends
 * in virtio_blk_uring.c), and the device (virtio_blk.c) with its queue
 * thread (virtio_blk_queue.c). Not for other files. */
#ifndef XMHV_VIRTIO_BLK_INT_H
#define XMHV_VIRTIO_BLK_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/uio.h>

#include "virtio_blk.h"

/* Feature bits (5.2.3). */
#define VBLK_F_SEG_MAX 2
#define VBLK_F_RO 5
#define VBLK_F_BLK_SIZE 6
#define VBLK_F_FLUSH 9
#define VBLK_F_MQ 12
#define VBLK_F_DISCARD 13
#define VBLK_F_WRITE_ZEROES 14

/* Request types and status (5.2.6). */
#define VBLK_T_IN 0
#define VBLK_T_OUT 1
#define VBLK_T_FLUSH 4
#define VBLK_T_GET_ID 8
#define VBLK_T_DISCARD 11
#define VBLK_T_WRITE_ZEROES 13
#define VBLK_S_OK 0
#define VBLK_S_IOERR 1
#define VBLK_S_UNSUPP 2

#define VBLK_HDR_LEN 16
#define VBLK_ID_LEN 20
#define VBLK_SECTOR 512u
#define VBLK_RANGE_LEN 16 /* struct virtio_blk_discard_write_zeroes */
#define VBLK_WZ_UNMAP 1u
#define VBLK_QUEUE_SIZE 256
#define VBLK_SEG_MAX (VBLK_QUEUE_SIZE - 2)
#define VBLK_MAX_RANGE_SECTORS 0x3fffffu /* 2 GiB per discard or zeroing */
#define VBLK_CONFIG_LEN 60

/* What the parser needs to know of the disk. */
struct vblk_geom {
	uint64_t capacity; /* 512-byte sectors */
	uint32_t blk_size;
	bool ro;
	uint16_t nqueues;
};

/* One request as parsed out of a chain: what to do, or (status not OK)
 * the answer to give at once. data[] holds the data buffers (the chain's
 * segments with the header and the status byte cut off). */
struct vblk_parsed {
	uint32_t type;
	uint8_t status;
	uint64_t sector;
	uint64_t nsectors; /* IN/OUT: data_len / 512; DISCARD, WRITE_ZEROES */
	bool unmap;
	uint64_t data_len;
	uint64_t status_gpa;
	unsigned ndata;
};

/* Parse chain c (as virtq_pop returned it) against g: 0 with *out (its
 * status says whether there is work; data[0..ndata) the data buffers, at
 * most max), or -EINVAL with *why when the chain cannot be a request at
 * all (no 16-byte device-readable header, no device-writable status
 * byte): the device then needs a reset. Pure (reads guest memory for the
 * header and ranges). */
int vblk_parse(const struct mem *mem, const struct virtq_chain *c,
	       const struct vblk_geom *g, struct virtq_seg *data, unsigned max,
	       struct vblk_parsed *out, const char **why) HV_WUR;

/* The device configuration space (5.2.4) for g into cfg[VBLK_CONFIG_LEN].
 * Pure. */
void vblk_config_image(const struct vblk_geom *g, uint8_t *cfg);

/* The features offered for g. Pure. */
uint64_t vblk_features(const struct vblk_geom *g);

/* ---- the I/O engine ---- */

/* A request on its way through the engine. */
struct vblk_req {
	struct vblk_req *next;
	uint16_t queue, head;
	uint8_t type, status;
	bool unmap;
	uint64_t offset; /* bytes */
	uint64_t len;    /* bytes of data (IN, OUT, ranges) */
	uint64_t status_gpa;
	uint32_t used_len;
	unsigned niov;
	struct iovec *iov; /* niov, then niov guest addresses (uint64_t) */
};

struct vblk_io;
/* What the engine calls back: a request finished (worker threads: put it
 * on the done list and wake the queue thread), space ran out (ENOSPC on a
 * write: the request waits, the domain should pause). */
struct vblk_io_hooks {
	void (*enospc)(void *opaque);
	void *opaque;
};

struct vblk_backend {
	int fd;
	bool blockdev;
	const struct mem *mem;
	const char *domain, *serial, *path; /* for log lines */
	bool no_uring; /* worker threads even with O_DIRECT */
};

/* Start nworkers threads, and an io_uring for reads and writes when the
 * fd is O_DIRECT (unless be->no_uring; a ring that cannot be set up is
 * logged and the threads do everything). 0 or -errno. Main thread. */
int vblk_io_new(const struct vblk_backend *be, unsigned nworkers,
		const struct vblk_io_hooks *hooks,
		struct vblk_io **io_out) HV_WUR;
/* Stop the workers once they are idle and free (accepts NULL). */
void vblk_io_free(struct vblk_io *io);
/* Hand a list of requests to the workers (one lock, one wake-up). */
void vblk_io_submit(struct vblk_io *io, struct vblk_req *list);
/* The eventfd that becomes readable when requests are done. */
int vblk_io_done_fd(struct vblk_io *io);
/* Take every finished request (clears the eventfd). */
struct vblk_req *vblk_io_take_done(struct vblk_io *io);
/* Requests submitted and neither done nor waiting for space. */
unsigned vblk_io_busy(struct vblk_io *io);
/* Requests waiting for space (ENOSPC), and: submit them again / drop
 * them (a reset: returned as a list for the caller to free). */
unsigned vblk_io_parked(struct vblk_io *io);
void vblk_io_retry(struct vblk_io *io);
struct vblk_req *vblk_io_drop_parked(struct vblk_io *io);
/* "io_uring" or "threads": what runs reads and writes. */
const char *vblk_io_engine(const struct vblk_io *io);
/* The sticky flush failure (save and restore). */
bool vblk_io_flush_failed(struct vblk_io *io);
void vblk_io_set_flush_failed(struct vblk_io *io, bool failed);
/* Run one request now on the calling thread (the workers; tests): 0
 * (r->status OK), -ENOSPC (no space for a write: status untouched, the
 * request must wait), or another -errno (r->status IOERR). A failed flush
 * sets *flush_failed, and a set one fails every later flush. */
int vblk_io_run(const struct vblk_backend *be, struct vblk_req *r,
		_Atomic bool *flush_failed) HV_WUR;
/* virtio_blk_run.c: mark the guest pages a read wrote (the dirty log of
 * migration). Any thread. */
void vblk_dirty(const struct vblk_backend *be, const struct vblk_req *r);

/* ---- io_uring (virtio_blk_uring.c) ---- */

struct vblk_uring;
/* A ring of entries for fd that signals done_fd on completion, restricted
 * to readv/writev of fd (the contract in virtio_blk_uring.c). 0, or
 * -errno with *why naming the step that failed. */
int vblk_uring_new(int fd, int done_fd, unsigned entries,
		   struct vblk_uring **out, const char **why) HV_WUR;
void vblk_uring_free(struct vblk_uring *u); /* nothing may be in flight */
/* Prepare r (IN or OUT) on the ring: false when it cannot go there. */
bool vblk_uring_queue(struct vblk_uring *u, struct vblk_req *r);
/* Submit what was prepared (one system call). 0 or -errno. */
int vblk_uring_submit(struct vblk_uring *u);
/* fn for each completion (res: bytes or -errno); how many. */
unsigned vblk_uring_reap(struct vblk_uring *u,
			 void (*fn)(void *opaque, struct vblk_req *r, int res),
			 void *opaque);

/* ---- the device and its queue thread (virtio_blk_queue.c) ---- */

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

/* virtio_blk_queue.c: the queue thread (arg: the struct vblk), started at
 * DRIVER_OK and ended by vblk_tell(VBLK_STOP) and a join. */
void *vblk_thread(void *arg);
/* Tell the queue thread what to do now. Main or vCPU thread. */
void vblk_tell(struct vblk *b, enum vblk_want w);

#endif
