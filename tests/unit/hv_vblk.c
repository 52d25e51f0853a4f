/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hv_vblk.c: virtio-blk's pure parts and its engine without KVM: requests
 * parsed from crafted chains (any framing of the header, directions per
 * type, whole sectors, the range inside the disk, read-only, discard and
 * write-zeroes ranges, unknown types), the features and configuration
 * space offered, and requests run on a temporary file (read, write,
 * write-zeroes, discard, flush and its sticky failure), and the engine
 * with an O_DIRECT file: its io_uring (batches read back, a read across
 * the end, a refused write, a flush beside them on the workers) and its
 * fallback to the threads where io_uring is refused. TAP. */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "devices/virtio_blk_int.h"
#include "mem.h"
#include "tap.h"

#define HDR 0x10000ULL
#define DATA 0x20000ULL
#define ST 0x30000ULL

static struct mem mem;
static struct virtq_seg segs[16], data[16];
static struct virtq_chain c = {.seg = segs, .max = 16};
static const struct vblk_geom geom = {2048, 512, false, 2};
static const struct vblk_geom geom_ro = {2048, 512, true, 1};

static void
hdr(uint32_t type, uint64_t sector)
{
	uint8_t h[16] = {0};

	memcpy(h, &type, 4);
	memcpy(h + 8, &sector, 8);
	(void)!mem_write(&mem, HDR, h, 16);
}

/* A chain of n segments {gpa, len, write}. */
static void
chain(unsigned n, const struct virtq_seg *s)
{
	unsigned i;

	c.nseg = n;
	c.nread = 0;
	c.read_len = c.write_len = 0;
	for (i = 0; i < n; i++) {
		segs[i] = s[i];
		if (s[i].write)
			c.write_len += s[i].len;
		else {
			c.nread++;
			c.read_len += s[i].len;
		}
	}
}

static int
parse(const struct vblk_geom *g, struct vblk_parsed *p, const char **why)
{
	*why = "";
	return vblk_parse(&mem, &c, g, data, 16, p, why);
}

static void
test_parse(void)
{
	struct vblk_parsed p;
	const char *why = "";
	uint8_t range[16] = {0};
	uint32_t v;
	int r;

	hdr(VBLK_T_IN, 8);
	chain(3, (struct virtq_seg[]){
			 {HDR, 16, false}, {DATA, 4096, true}, {ST, 1, true}});
	tap_ok(parse(&geom, &p, &why) == 0 && p.status == VBLK_S_OK &&
		       p.type == VBLK_T_IN && p.sector == 8 &&
		       p.nsectors == 8 && p.ndata == 1 && data[0].gpa == DATA &&
		       p.status_gpa == ST,
	       "IN: 8 sectors at sector 8 into one buffer");
	chain(3, (struct virtq_seg[]){{HDR, 10, false},
				      {HDR + 10, 6, false},
				      {DATA, 513, true}});
	tap_ok(parse(&geom, &p, &why) == 0 && p.status == VBLK_S_OK &&
		       p.sector == 8 && p.ndata == 1 && data[0].len == 512 &&
		       p.status_gpa == DATA + 512,
	       "the header split over two descriptors, the status byte after "
	       "the data in the same one");
	hdr(VBLK_T_OUT, 0);
	chain(3, (struct virtq_seg[]){{HDR, 16 + 1024, false},
				      {DATA, 512, false},
				      {ST, 1, true}});
	tap_ok(parse(&geom, &p, &why) == 0 && p.status == VBLK_S_OK &&
		       p.ndata == 2 && data[0].gpa == HDR + 16 &&
		       data[0].len == 1024 && p.data_len == 1536,
	       "OUT: data after the header in the same descriptor");
	tap_ok(parse(&geom_ro, &p, &why) == 0 && p.status == VBLK_S_IOERR,
	       "OUT to a read-only disk: IOERR");
	hdr(VBLK_T_OUT, 2047);
	tap_ok(parse(&geom, &p, &why) == 0 && p.status == VBLK_S_IOERR,
	       "OUT of 3 sectors at 2047 of 2048: IOERR");
	hdr(VBLK_T_OUT, UINT64_MAX - 1);
	tap_ok(parse(&geom, &p, &why) == 0 && p.status == VBLK_S_IOERR,
	       "a sector that overflows: IOERR");
	hdr(VBLK_T_IN, 0);
	chain(3, (struct virtq_seg[]){
			 {HDR, 16, false}, {DATA, 100, true}, {ST, 1, true}});
	tap_ok(parse(&geom, &p, &why) == 0 && p.status == VBLK_S_IOERR,
	       "IN of 100 bytes (not whole sectors): IOERR");
	chain(3, (struct virtq_seg[]){
			 {HDR, 16, false}, {DATA, 512, false}, {ST, 1, true}});
	tap_ok(parse(&geom, &p, &why) == 0 && p.status == VBLK_S_IOERR,
	       "IN with device-readable data: IOERR");
	hdr(99, 0);
	tap_ok(parse(&geom, &p, &why) == 0 && p.status == VBLK_S_UNSUPP,
	       "type 99: UNSUPP");
	hdr(VBLK_T_FLUSH, 0);
	chain(2, (struct virtq_seg[]){{HDR, 16, false}, {ST, 1, true}});
	tap_ok(parse(&geom_ro, &p, &why) == 0 && p.status == VBLK_S_OK,
	       "FLUSH of a read-only disk: allowed (firmware flushes)");
	hdr(VBLK_T_GET_ID, 0);
	chain(3, (struct virtq_seg[]){
			 {HDR, 16, false}, {DATA, 20, true}, {ST, 1, true}});
	tap_ok(parse(&geom_ro, &p, &why) == 0 && p.status == VBLK_S_OK &&
		       p.data_len == 20,
	       "GET_ID: 20 bytes");
	chain(2, (struct virtq_seg[]){{HDR, 12, false}, {ST, 1, true}});
	r = parse(&geom, &p, &why);
	tap_is_int(r, -EINVAL,
		   "a 12-byte header: the device needs a reset (%s)", why);
	chain(1, (struct virtq_seg[]){{HDR, 16, false}});
	r = parse(&geom, &p, &why);
	tap_is_int(r, -EINVAL, "no status byte: the device needs a reset (%s)",
		   why);
	hdr(VBLK_T_WRITE_ZEROES, 0);
	v = 100;
	memcpy(range + 8, &v, 4);
	v = VBLK_WZ_UNMAP;
	memcpy(range + 12, &v, 4);
	(void)!mem_write(&mem, DATA, range, 16);
	chain(3, (struct virtq_seg[]){
			 {HDR, 16, false}, {DATA, 16, false}, {ST, 1, true}});
	tap_ok(parse(&geom, &p, &why) == 0 && p.status == VBLK_S_OK &&
		       p.nsectors == 100 && p.unmap,
	       "WRITE_ZEROES of 100 sectors, unmap allowed");
	hdr(VBLK_T_DISCARD, 0);
	tap_ok(parse(&geom, &p, &why) == 0 && p.status == VBLK_S_UNSUPP,
	       "DISCARD with the unmap flag: UNSUPP");
	chain(3, (struct virtq_seg[]){
			 {HDR, 16, false}, {DATA, 32, false}, {ST, 1, true}});
	tap_ok(parse(&geom, &p, &why) == 0 && p.status == VBLK_S_UNSUPP,
	       "DISCARD of two ranges (max_discard_seg 1): UNSUPP");
	hdr(VBLK_T_WRITE_ZEROES, 0);
	v = 4096;
	memcpy(range + 8, &v, 4);
	(void)!mem_write(&mem, DATA, range, 16);
	chain(3, (struct virtq_seg[]){
			 {HDR, 16, false}, {DATA, 16, false}, {ST, 1, true}});
	tap_ok(parse(&geom, &p, &why) == 0 && p.status == VBLK_S_IOERR,
	       "WRITE_ZEROES of 4096 sectors of 2048: IOERR");
	tap_ok(parse(&geom_ro, &p, &why) == 0 && p.status == VBLK_S_IOERR,
	       "WRITE_ZEROES to a read-only disk: IOERR");
}

static void
test_offer(void)
{
	uint8_t cfg[VBLK_CONFIG_LEN];
	uint64_t f = vblk_features(&geom), fro = vblk_features(&geom_ro);
	uint64_t cap;
	uint32_t seg;
	uint16_t nq;

	tap_ok((f & VIRTIO_BIT(VIRTIO_F_VERSION_1)) &&
		       (f & VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC)) &&
		       (f & VIRTIO_BIT(VIRTIO_F_EVENT_IDX)) &&
		       (f & VIRTIO_BIT(VBLK_F_SEG_MAX)) &&
		       (f & VIRTIO_BIT(VBLK_F_FLUSH)) &&
		       (f & VIRTIO_BIT(VBLK_F_BLK_SIZE)) &&
		       (f & VIRTIO_BIT(VBLK_F_MQ)) &&
		       (f & VIRTIO_BIT(VBLK_F_DISCARD)) &&
		       (f & VIRTIO_BIT(VBLK_F_WRITE_ZEROES)) &&
		       !(f & VIRTIO_BIT(VBLK_F_RO)),
	       "a writable disk: VERSION_1, INDIRECT, EVENT_IDX, SEG_MAX, "
	       "FLUSH, BLK_SIZE, MQ, DISCARD, WRITE_ZEROES");
	tap_ok((fro & VIRTIO_BIT(VBLK_F_RO)) &&
		       !(fro & VIRTIO_BIT(VBLK_F_DISCARD)) &&
		       !(fro & VIRTIO_BIT(VBLK_F_WRITE_ZEROES)),
	       "a read-only disk: RO, neither DISCARD nor WRITE_ZEROES");
	vblk_config_image(&geom, cfg);
	memcpy(&cap, cfg, 8);
	memcpy(&seg, cfg + 12, 4);
	memcpy(&nq, cfg + 34, 2);
	tap_ok(cap == 2048 && seg == VBLK_QUEUE_SIZE - 2 && nq == 2,
	       "config: capacity 2048, seg_max 254 (queue size - 2), 2 "
	       "queues");
}

/* One request on the file through the engine's run function. */
static int
run(const struct vblk_backend *be, uint8_t type, uint64_t off, void *buf,
    uint64_t len, _Atomic bool *ff, uint8_t *status)
{
	struct iovec iov[2];
	uint64_t gpa[1] = {DATA};
	struct {
		struct iovec iov;
		uint64_t gpa;
	} one;
	struct vblk_req r;
	int rc;

	(void)iov;
	(void)gpa;
	memset(&r, 0, sizeof(r));
	one.iov.iov_base = buf;
	one.iov.iov_len = len;
	one.gpa = DATA;
	r.type = type;
	r.offset = off;
	r.len = len;
	r.niov = buf ? 1 : 0;
	r.iov = &one.iov;
	r.status = 0xff;
	rc = vblk_io_run(be, &r, ff);
	*status = r.status;
	return rc;
}

static void
test_io(void)
{
	char path[] = "/tmp/hv_vblk.XXXXXX";
	uint8_t *buf = mem_gpa_to_hva(&mem, DATA, 8192), st = 0;
	_Atomic bool ff = false;
	struct vblk_backend be = {-1, false, &mem, "test", "hda1", path, false};
	unsigned i;
	bool zero = true;

	be.fd = mkstemp(path);
	if (be.fd < 0 || ftruncate(be.fd, 1 << 20) < 0) {
		tap_skip("no temporary file");
		return;
	}
	memset(buf, 0x5a, 4096);
	tap_ok(run(&be, VBLK_T_OUT, 4096, buf, 4096, &ff, &st) == 0 &&
		       st == VBLK_S_OK,
	       "write 4 KiB at 4 KiB");
	memset(buf, 0, 4096);
	tap_ok(run(&be, VBLK_T_IN, 4096, buf, 4096, &ff, &st) == 0 &&
		       st == VBLK_S_OK && buf[0] == 0x5a && buf[4095] == 0x5a,
	       "read it back");
	tap_ok(run(&be, VBLK_T_WRITE_ZEROES, 4096, NULL, 4096, &ff, &st) == 0 &&
		       run(&be, VBLK_T_IN, 4096, buf, 4096, &ff, &st) == 0,
	       "write zeroes");
	for (i = 0; i < 4096; i++)
		zero &= buf[i] == 0;
	tap_ok(zero, "the range reads zeros after write zeroes");
	tap_ok(run(&be, VBLK_T_DISCARD, 0, NULL, 65536, &ff, &st) == 0 &&
		       st == VBLK_S_OK,
	       "discard (a hole is punched)");
	tap_ok(run(&be, VBLK_T_IN, (1 << 20) - 512, buf, 4096, &ff, &st) == 0 &&
		       st == VBLK_S_OK && buf[4095] == 0,
	       "a read past the end of the file reads zeros");
	tap_ok(run(&be, VBLK_T_FLUSH, 0, NULL, 0, &ff, &st) == 0 &&
		       st == VBLK_S_OK && !ff,
	       "flush: fdatasync");
	ff = true;
	tap_ok(run(&be, VBLK_T_FLUSH, 0, NULL, 0, &ff, &st) == -EIO &&
		       st == VBLK_S_IOERR,
	       "after a failed flush every flush fails (IOERR)");
	ff = false;
	close(be.fd);
	be.fd = open(path, O_RDONLY);
	tap_ok(run(&be, VBLK_T_OUT, 0, buf, 512, &ff, &st) < 0 &&
		       st == VBLK_S_IOERR,
	       "a write the backend refuses (EBADF): IOERR, not a pause");
	close(be.fd);
	unlink(path);
}

/* n requests of 4 KiB at 4 KiB * i (type; st[i] their status) through
 * the engine, waited for. How many came back. */
static unsigned
engine_batch(struct vblk_io *io, uint8_t type, unsigned n, uint64_t base,
	     uint8_t *st)
{
	static struct vblk_req reqs[16];
	static struct {
		struct iovec iov;
		uint64_t gpa;
	} v[16];
	struct vblk_req *list = NULL, *r;
	struct pollfd p = {vblk_io_done_fd(io), POLLIN, 0};
	unsigned i, got = 0, tries = 0;

	for (i = n; i-- > 0;) {
		r = &reqs[i];
		memset(r, 0, sizeof(*r));
		v[i].gpa = DATA + i * 4096ULL;
		v[i].iov.iov_base = mem_gpa_to_hva(&mem, v[i].gpa, 4096);
		v[i].iov.iov_len = 4096;
		r->type = type;
		r->offset = base + i * 4096ULL;
		r->len = type == VBLK_T_FLUSH ? 0 : 4096;
		r->niov = type == VBLK_T_FLUSH ? 0 : 1;
		r->iov = &v[i].iov;
		r->head = (uint16_t)i;
		r->status = 0xff;
		r->next = list;
		list = r;
	}
	vblk_io_submit(io, list);
	while (got < n && tries++ < 50) {
		(void)poll(&p, 1, 100);
		for (r = vblk_io_take_done(io); r; r = r->next, got++)
			st[r->head] = r->status;
	}
	return got;
}

static void
test_ring(void)
{
	char path[] = "/tmp/hv_vblk_ring.XXXXXX";
	struct vblk_backend be = {-1, false, &mem, "test", "hda2", path, false};
	struct vblk_io_hooks hooks = {NULL, NULL};
	uint8_t *buf = mem_gpa_to_hva(&mem, DATA, 16 * 4096), st[16];
	struct vblk_io *io = NULL;
	unsigned i;
	bool ok = true;
	int fd = mkstemp(path);

	if (fd < 0 || ftruncate(fd, 1 << 20) < 0 ||
	    (be.fd = open(path, O_RDWR | O_DIRECT)) < 0) {
		tap_skip("io_uring engine: no O_DIRECT temporary file in /tmp");
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		return;
	}
	close(fd);
	if (vblk_io_new(&be, 2, &hooks, &io) < 0 ||
	    strcmp(vblk_io_engine(io), "io_uring") != 0) {
		tap_skip("io_uring engine: no io_uring here (%s)",
			 io ? vblk_io_engine(io) : "no engine");
		vblk_io_free(io);
		close(be.fd);
		unlink(path);
		return;
	}
	for (i = 0; i < 16 * 4096; i++)
		buf[i] = (uint8_t)(i * 7 + i / 4096);
	memset(st, 0xff, sizeof(st));
	tap_ok(engine_batch(io, VBLK_T_OUT, 16, 65536, st) == 16 &&
		       st[0] == VBLK_S_OK && st[15] == VBLK_S_OK,
	       "io_uring: a batch of 16 writes of 4 KiB, all OK");
	memset(buf, 0, 16 * 4096);
	memset(st, 0xff, sizeof(st));
	tap_ok(engine_batch(io, VBLK_T_IN, 16, 65536, st) == 16,
	       "io_uring: 16 reads back");
	for (i = 0; i < 16 * 4096; i++)
		ok &= buf[i] == (uint8_t)(i * 7 + i / 4096);
	tap_ok(ok && st[0] == VBLK_S_OK && st[15] == VBLK_S_OK,
	       "io_uring: what was read is what was written");
	memset(buf, 0x33, 8192);
	tap_ok(engine_batch(io, VBLK_T_IN, 2, (1 << 20) - 4096, st) == 2 &&
		       st[0] == VBLK_S_OK && st[1] == VBLK_S_OK &&
		       buf[0] == 0 && buf[4096] == 0 && buf[8191] == 0,
	       "io_uring: reads at and past the end read zeros (the short "
	       "one redone on a worker)");
	tap_ok(engine_batch(io, VBLK_T_FLUSH, 1, 0, st) == 1 &&
		       st[0] == VBLK_S_OK && vblk_io_busy(io) == 0,
	       "io_uring: a flush beside it (workers), nothing left busy");
	vblk_io_free(io);
	close(be.fd);
	be.fd = open(path, O_RDONLY | O_DIRECT);
	io = NULL;
	if (be.fd >= 0 && vblk_io_new(&be, 1, &hooks, &io) == 0) {
		memset(st, 0xff, sizeof(st));
		tap_ok(engine_batch(io, VBLK_T_OUT, 1, 0, st) == 1 &&
			       st[0] == VBLK_S_IOERR && vblk_io_busy(io) == 0,
		       "io_uring: a write the backend refuses (EBADF): IOERR");
	} else
		tap_ok(false, "io_uring: a read-only O_DIRECT engine");
	vblk_io_free(io);
	close(be.fd);
	unlink(path);
}

/* In a child that io_uring_setup fails for (EPERM: a container's seccomp
 * profile, kernel.io_uring_disabled): the threads, and they work. Its
 * exit status: 0 done, 2 no seccomp, else the step that failed. */
static int
ring_refused_child(int fd, const char *path)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_io_uring_setup, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {4, f};
	struct vblk_backend be = {fd, false, &mem, "test", "hda3", path, false};
	struct vblk_io_hooks hooks = {NULL, NULL};
	uint8_t *buf = mem_gpa_to_hva(&mem, DATA, 4096), st[1];
	struct vblk_io *io = NULL;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return 2;
	if (vblk_io_new(&be, 2, &hooks, &io) < 0)
		return 3;
	if (strcmp(vblk_io_engine(io), "threads") != 0)
		return 4;
	memset(buf, 0x77, 4096);
	if (engine_batch(io, VBLK_T_OUT, 1, 8192, st) != 1 ||
	    st[0] != VBLK_S_OK)
		return 5;
	memset(buf, 0, 4096);
	if (engine_batch(io, VBLK_T_IN, 1, 8192, st) != 1 ||
	    st[0] != VBLK_S_OK || buf[0] != 0x77 || buf[4095] != 0x77)
		return 6;
	vblk_io_free(io);
	return 0;
}

static void
test_ring_refused(void)
{
	char path[] = "/tmp/hv_vblk_refused.XXXXXX";
	int fd = mkstemp(path), direct = -1, status = 0;
	pid_t pid;

	if (fd < 0 || ftruncate(fd, 1 << 20) < 0 ||
	    (direct = open(path, O_RDWR | O_DIRECT)) < 0) {
		tap_skip(
			"io_uring refused: no O_DIRECT temporary file in /tmp");
	} else if ((pid = fork()) == 0) {
		_exit(ring_refused_child(direct, path));
	} else if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		tap_ok(false, "io_uring refused: fork");
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 2) {
		tap_skip("io_uring refused: no seccomp filter here");
	} else {
		tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		       "io_uring refused (EPERM): the engine says threads, and "
		       "a write and its read back work on them (status %#x)",
		       status);
	}
	if (direct >= 0)
		close(direct);
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
}

int
main(void)
{
	if (mem_init(&mem, 16ULL << 20) < 0)
		tap_skip_all("no memory");
	test_parse();
	test_offer();
	test_io();
	test_ring();
	test_ring_refused();
	mem_dispose(&mem);
	return tap_done();
}
