/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_blk_run.c: one virtio-blk request run against the backend on the
 * calling thread (vblk_io_run): preadv/pwritev straight between the
 * backend and guest memory (no bounce buffer), fdatasync with its sticky
 * failure, and fallocate or the block device ioctls for discard and
 * write-zeroes. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "mem.h"
#include "virtio_blk_int.h"

#define VBLK_ZERO_CHUNK 65536

static const uint8_t vblk_zeros[VBLK_ZERO_CHUNK];

/* Transfer len bytes between the request's buffers and the backend at
 * r->offset, as many system calls as it takes. A read past the end of the
 * backend reads zeros. 0 or -errno. */
static int
vblk_xfer(const struct vblk_backend *be, struct vblk_req *r, bool write)
{
	struct iovec *iov = r->iov, saved;
	uint64_t done = 0, skip = 0;
	unsigned i = 0, n;
	ssize_t got;

	while (done < r->len && i < r->niov) {
		n = r->niov - i < IOV_MAX ? r->niov - i : IOV_MAX;
		saved = iov[i];
		iov[i].iov_base = (uint8_t *)iov[i].iov_base + skip;
		iov[i].iov_len -= skip;
		got = write ? pwritev(be->fd, &iov[i], (int)n,
				      (off_t)(r->offset + done))
			    : preadv(be->fd, &iov[i], (int)n,
				     (off_t)(r->offset + done));
		iov[i] = saved;
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (got == 0 && write)
			return -EIO;
		if (got == 0) { /* the end of the backend: zeros */
			for (; i < r->niov; i++, skip = 0)
				memset((uint8_t *)iov[i].iov_base + skip, 0,
				       iov[i].iov_len - skip);
			return 0;
		}
		done += (uint64_t)got;
		skip += (uint64_t)got;
		while (i < r->niov && skip >= iov[i].iov_len)
			skip -= iov[i++].iov_len;
	}
	return 0;
}

/* Mark the guest pages a read wrote (the dirty log of migration). */
void
vblk_dirty(const struct vblk_backend *be, const struct vblk_req *r)
{
	const uint64_t *gpa = (const uint64_t *)(r->iov + r->niov);
	unsigned i;

	for (i = 0; i < r->niov; i++)
		(void)!mem_dirty(be->mem, gpa[i], r->iov[i].iov_len);
}

/* Zeros written the slow way (a filesystem without ZERO_RANGE). */
static int
vblk_write_zeros(const struct vblk_backend *be, uint64_t off, uint64_t len)
{
	ssize_t got;
	size_t n;

	while (len) {
		n = len < sizeof(vblk_zeros) ? (size_t)len : sizeof(vblk_zeros);
		got = pwrite(be->fd, vblk_zeros, n, (off_t)off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return got < 0 ? -errno : -EIO;
		off += (uint64_t)got;
		len -= (uint64_t)got;
	}
	return 0;
}

/* DISCARD (punch a hole; a backend that cannot is not an error: discard
 * is a hint) and WRITE_ZEROES (zero the range, deallocating it when the
 * driver allows). */
static int
vblk_range(const struct vblk_backend *be, const struct vblk_req *r)
{
	uint64_t range[2] = {r->offset, r->len};
	int mode, rc;

	if (be->blockdev) {
		if (r->type == VBLK_T_DISCARD)
			rc = ioctl(be->fd, BLKDISCARD, range) < 0 ? -errno : 0;
		else
			rc = ioctl(be->fd, BLKZEROOUT, range) < 0 ? -errno : 0;
	} else {
		mode = r->type == VBLK_T_DISCARD || r->unmap
			       ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
			       : FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;
		rc = fallocate(be->fd, mode, (off_t)r->offset, (off_t)r->len) <
				     0
			     ? -errno
			     : 0;
	}
	if (rc == -EOPNOTSUPP || rc == -ENOTTY || rc == -EINVAL) {
		if (r->type == VBLK_T_DISCARD)
			return 0;
		rc = vblk_write_zeros(be, r->offset, r->len);
	}
	return rc;
}

int
vblk_io_run(const struct vblk_backend *be, struct vblk_req *r,
	    _Atomic bool *flush_failed)
{
	int rc;

	switch (r->type) {
	case VBLK_T_IN:
		rc = vblk_xfer(be, r, false);
		if (rc == 0)
			vblk_dirty(be, r);
		break;
	case VBLK_T_OUT:
		rc = vblk_xfer(be, r, true);
		break;
	case VBLK_T_FLUSH:
		rc = atomic_load(flush_failed) ? -EIO : 0;
		if (rc == 0 && fdatasync(be->fd) < 0)
			rc = -errno;
		if (rc < 0)
			atomic_store(flush_failed, true);
		break;
	case VBLK_T_DISCARD:
	case VBLK_T_WRITE_ZEROES:
		rc = vblk_range(be, r);
		break;
	default:
		rc = -EOPNOTSUPP;
		break;
	}
	if (rc == -EDQUOT)
		rc = -ENOSPC;
	if (rc == -ENOSPC && r->type == VBLK_T_FLUSH)
		rc = -EIO;
	if (rc != -ENOSPC)
		r->status = rc < 0 ? VBLK_S_IOERR : VBLK_S_OK;
	return rc;
}
