/* SPDX-License-Identifier: GPL-2.0-or-later */
/* io_engine.c: which I/O engine virtio-blk should use, measured on this
 * machine: the device's own engine (virtio_blk_io.c: worker threads with
 * preadv/pwritev, 1, 4 and 8 workers) against io_uring (raw system calls,
 * no liburing, one submitting thread, what Cloud Hypervisor and
 * Firecracker's Async engine do) and against one thread doing one
 * request at a time (Firecracker's Sync engine), with the same requests
 * kept in flight, between a file and buffers in "guest memory"; with
 * O_DIRECT also the device's io_uring engine (virtio_blk_uring.c behind
 * the same vblk_io_* calls). Prints a
 * table: IOPS, MiB/s, host CPU per request. Not a test: `make bench-io`. */
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "devices/virtio_blk_int.h"
#include "mem.h"
#include "util.h"

#define IO_FILE_MIB 256
#define IO_SECONDS 2
#define IO_QD_MAX 64

struct io_load {
	const char *name;
	uint32_t bs;
	unsigned qd;
	bool write, random;
};

static const struct io_load io_loads[] = {
	{"4k randread qd32", 4096, 32, false, true},
	{"4k randwrite qd32", 4096, 32, true, true},
	{"128k seqread qd8", 131072, 8, false, false},
	{"4k randread qd1", 4096, 1, false, true},
};

static struct mem io_mem;
static uint64_t io_rng = 88172645463325252ULL;
static uint64_t io_seq;

static uint64_t
io_offset(const struct io_load *l)
{
	uint64_t blocks = ((uint64_t)IO_FILE_MIB << 20) / l->bs;

	if (!l->random)
		return (io_seq++ % blocks) * l->bs;
	io_rng ^= io_rng << 13;
	io_rng ^= io_rng >> 7;
	io_rng ^= io_rng << 17;
	return (io_rng % blocks) * l->bs;
}

static double
io_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

struct io_result {
	uint64_t n;
	double secs, cpu;
};

/* A request's buffer: slot i of guest memory. */
static uint8_t *
io_buf(unsigned i, uint32_t bs)
{
	return io_mem.base + 0x100000 + (uint64_t)i * bs;
}

/* One request at a time on this thread. */
static struct io_result
io_sync(int fd, const struct io_load *l)
{
	uint64_t end = util_now_ns() + IO_SECONDS * 1000000000ULL, t0;
	struct io_result r = {0};
	double c0 = io_cpu_s();
	ssize_t got;

	t0 = util_now_ns();
	while (util_now_ns() < end) {
		got = l->write ? pwrite(fd, io_buf(0, l->bs), l->bs,
					(off_t)io_offset(l))
			       : pread(fd, io_buf(0, l->bs), l->bs,
				       (off_t)io_offset(l));
		if (got != (ssize_t)l->bs)
			break;
		r.n++;
	}
	r.secs = (util_now_ns() - t0) / 1e9;
	r.cpu = io_cpu_s() - c0;
	return r;
}

/* The device's engine with nworkers threads (and its io_uring when
 * uring and fd is O_DIRECT), qd requests in flight. */
static struct io_result
io_engine(int fd, const struct io_load *l, unsigned nworkers, bool uring)
{
	struct vblk_backend be = {fd,      false, &io_mem, "bench",
				  "bench", "-",   !uring};
	struct vblk_io_hooks hooks = {NULL, NULL};
	static struct vblk_req reqs[IO_QD_MAX];
	static struct {
		struct iovec iov;
		uint64_t gpa;
	} v[IO_QD_MAX];
	struct vblk_req *list = NULL, *r, *next;
	struct io_result res = {0};
	struct vblk_io *io = NULL;
	uint64_t end, t0;
	struct pollfd p;
	double c0;
	unsigned i;

	if (vblk_io_new(&be, nworkers, &hooks, &io) < 0 ||
	    (uring && strcmp(vblk_io_engine(io), "io_uring") != 0)) {
		vblk_io_free(io);
		res.n = UINT64_MAX; /* n/a */
		return res;
	}
	for (i = 0; i < l->qd; i++) {
		r = &reqs[i];
		memset(r, 0, sizeof(*r));
		v[i].iov.iov_base = io_buf(i, l->bs);
		v[i].iov.iov_len = l->bs;
		v[i].gpa = 0x100000 + (uint64_t)i * l->bs;
		r->iov = &v[i].iov;
		r->niov = 1;
		r->len = l->bs;
		r->type = l->write ? VBLK_T_OUT : VBLK_T_IN;
		r->offset = io_offset(l);
		r->next = list;
		list = r;
	}
	c0 = io_cpu_s();
	t0 = util_now_ns();
	end = t0 + IO_SECONDS * 1000000000ULL;
	vblk_io_submit(io, list);
	p = (struct pollfd){vblk_io_done_fd(io), POLLIN, 0};
	while (util_now_ns() < end) {
		(void)poll(&p, 1, 100);
		list = vblk_io_take_done(io);
		for (r = list; r; r = next) {
			next = r->next;
			res.n++;
			r->offset = io_offset(l);
		}
		vblk_io_submit(io, list); /* one batch, as the queue thread */
	}
	res.secs = (util_now_ns() - t0) / 1e9;
	while (vblk_io_busy(io))
		(void)vblk_io_take_done(io);
	res.cpu = io_cpu_s() - c0;
	vblk_io_free(io);
	return res;
}

/* ---- io_uring without liburing ---- */

struct io_ring {
	int fd;
	unsigned *sq_head, *sq_tail, *sq_mask, *sq_array;
	unsigned *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	void *sq_ptr, *cq_ptr;
	size_t sq_len, cq_len, sqe_len;
};

static int
io_ring_init(struct io_ring *r, unsigned entries)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	memset(r, 0, sizeof(*r));
	r->fd = (int)syscall(__NR_io_uring_setup, entries, &p);
	if (r->fd < 0)
		return -errno;
	r->sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	r->cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	r->sqe_len = p.sq_entries * sizeof(struct io_uring_sqe);
	r->sq_ptr = mmap(NULL, r->sq_len, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	r->cq_ptr = mmap(NULL, r->cq_len, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, r->sqe_len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (r->sq_ptr == MAP_FAILED || r->cq_ptr == MAP_FAILED ||
	    r->sqes == MAP_FAILED)
		return -ENOMEM;
	r->sq_head = (unsigned *)((char *)r->sq_ptr + p.sq_off.head);
	r->sq_tail = (unsigned *)((char *)r->sq_ptr + p.sq_off.tail);
	r->sq_mask = (unsigned *)((char *)r->sq_ptr + p.sq_off.ring_mask);
	r->sq_array = (unsigned *)((char *)r->sq_ptr + p.sq_off.array);
	r->cq_head = (unsigned *)((char *)r->cq_ptr + p.cq_off.head);
	r->cq_tail = (unsigned *)((char *)r->cq_ptr + p.cq_off.tail);
	r->cq_mask = (unsigned *)((char *)r->cq_ptr + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)((char *)r->cq_ptr + p.cq_off.cqes);
	return 0;
}

static void
io_ring_free(struct io_ring *r)
{
	if (r->sq_ptr && r->sq_ptr != MAP_FAILED)
		munmap(r->sq_ptr, r->sq_len);
	if (r->cq_ptr && r->cq_ptr != MAP_FAILED)
		munmap(r->cq_ptr, r->cq_len);
	if (r->sqes && r->sqes != MAP_FAILED)
		munmap(r->sqes, r->sqe_len);
	if (r->fd >= 0)
		close(r->fd);
}

static void
io_ring_prep(struct io_ring *r, int fd, const struct io_load *l, unsigned i)
{
	unsigned tail = *r->sq_tail, idx = tail & *r->sq_mask;
	struct io_uring_sqe *e = &r->sqes[idx];

	memset(e, 0, sizeof(*e));
	e->opcode = l->write ? IORING_OP_WRITE : IORING_OP_READ;
	e->fd = fd;
	e->addr = (uint64_t)(uintptr_t)io_buf(i, l->bs);
	e->len = l->bs;
	e->off = io_offset(l);
	e->user_data = i;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
}

/* qd requests in flight from one thread: a batch submitted, at least one
 * reaped, each reaped one replaced. */
static struct io_result
io_uring(int fd, const struct io_load *l)
{
	struct io_result res = {0};
	struct io_ring r;
	unsigned i, head, n = l->qd;
	uint64_t end, t0;
	double c0;

	if (io_ring_init(&r, IO_QD_MAX) < 0) {
		io_ring_free(&r);
		res.n = UINT64_MAX;
		return res;
	}
	for (i = 0; i < l->qd; i++)
		io_ring_prep(&r, fd, l, i);
	c0 = io_cpu_s();
	t0 = util_now_ns();
	end = t0 + IO_SECONDS * 1000000000ULL;
	while (util_now_ns() < end) {
		if (syscall(__NR_io_uring_enter, r.fd, n, 1,
			    IORING_ENTER_GETEVENTS, NULL, 0) < 0 &&
		    errno != EINTR)
			break;
		n = 0;
		head = *r.cq_head;
		while (head != __atomic_load_n(r.cq_tail, __ATOMIC_ACQUIRE)) {
			struct io_uring_cqe *c = &r.cqes[head & *r.cq_mask];

			if (c->res != (int)l->bs) {
				res.n = UINT64_MAX;
				goto out;
			}
			io_ring_prep(&r, fd, l, (unsigned)c->user_data);
			head++;
			n++;
			res.n++;
		}
		__atomic_store_n(r.cq_head, head, __ATOMIC_RELEASE);
	}
out:
	res.secs = (util_now_ns() - t0) / 1e9;
	res.cpu = io_cpu_s() - c0;
	io_ring_free(&r);
	return res;
}

static void
io_row(const char *engine, const struct io_load *l, struct io_result r)
{
	if (r.n == UINT64_MAX || r.secs <= 0) {
		printf("| %-18s | %-16s | %10s | %8s | %10s |\n", l->name,
		       engine, "n/a", "", "");
		return;
	}
	printf("| %-18s | %-16s | %10.0f | %8.1f | %10.2f |\n", l->name, engine,
	       r.n / r.secs, r.n * (double)l->bs / r.secs / (1 << 20),
	       r.n ? r.cpu * 1e6 / r.n : 0.0);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	char path[4096];
	size_t i;
	int fd, direct;

	if (mem_init(&io_mem, 64ULL << 20) < 0) {
		fprintf(stderr, "io_engine: no memory\n");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/xm-bench-io.XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0 || ftruncate(fd, (off_t)IO_FILE_MIB << 20) < 0) {
		perror(path);
		return 1;
	}
	unlink(path);
	/* Written once: every block exists (reads hit the page cache). */
	for (i = 0; i < ((size_t)IO_FILE_MIB << 20) / 65536; i++)
		if (pwrite(fd, io_mem.base, 65536, (off_t)i * 65536) != 65536)
			return 1;
	(void)fdatasync(fd);
	printf("file %d MiB in %s (page cache), %d s per row; CPU us per "
	       "request: the whole process\n\n",
	       IO_FILE_MIB, dir, IO_SECONDS);
	printf("| %-18s | %-16s | %10s | %8s | %10s |\n", "load", "engine",
	       "IOPS", "MiB/s", "CPU us/req");
	printf("|--------------------|------------------|------------|---------"
	       "-"
	       "|------------|\n");
	for (i = 0; i < sizeof(io_loads) / sizeof(io_loads[0]); i++) {
		const struct io_load *l = &io_loads[i];

		io_row("sync (1 thread)", l, io_sync(fd, l));
		io_row("workers x1", l, io_engine(fd, l, 1, false));
		io_row("workers x4", l, io_engine(fd, l, 4, false));
		io_row("workers x8", l, io_engine(fd, l, 8, false));
		io_row("io_uring", l, io_uring(fd, l));
	}
	close(fd);
	snprintf(path, sizeof(path), "%s/xm-bench-io.XXXXXX", dir);
	fd = mkstemp(path);
	direct = fd >= 0 ? open(path, O_RDWR | O_DIRECT) : -1;
	if (fd >= 0)
		unlink(path);
	if (direct < 0) {
		printf("\nO_DIRECT: not supported in %s\n", dir);
		return 0;
	}
	if (ftruncate(direct, (off_t)IO_FILE_MIB << 20) < 0)
		return 1;
	for (i = 0; i < ((size_t)IO_FILE_MIB << 20) / 65536; i++)
		if (pwrite(direct, io_mem.base, 65536, (off_t)i * 65536) !=
		    65536)
			return 1;
	printf("\nthe same with O_DIRECT (no page cache)\n\n");
	for (i = 0; i < sizeof(io_loads) / sizeof(io_loads[0]); i++) {
		const struct io_load *l = &io_loads[i];

		io_row("sync (1 thread)", l, io_sync(direct, l));
		io_row("workers x4", l, io_engine(direct, l, 4, false));
		io_row("workers x8", l, io_engine(direct, l, 8, false));
		io_row("io_uring", l, io_uring(direct, l));
		io_row("device io_uring", l, io_engine(direct, l, 4, true));
	}
	close(direct);
	close(fd);
	mem_dispose(&io_mem);
	return 0;
}
