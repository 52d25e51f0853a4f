/* SPDX-License-Identifier: GPL-2.0-or-later */
/* imagelock.c: disk image locks in QEMU's image-locking byte protocol
 * (block/file-posix.c raw_apply_lock_bytes, raw_check_lock_bytes), so
 * that QEMU, qemu-img, libvirt and other xmtools domains see an image a
 * domain uses as busy, and a domain refuses theirs. Compatible with QEMU:
 * open file description locks (F_OFD_SETLK), always shared (F_RDLCK) and
 * one byte long: byte 100 + i for each permission bit i held, byte
 * 200 + i for each permission not shared; a conflict is found by asking
 * (F_OFD_GETLK with F_WRLCK) whether another open file description holds
 * byte 200 + i of a permission wanted, or byte 100 + i of a permission not
 * shared. Xen's modes map as: r holds read and shares neither write nor
 * resize; w holds read, write, write-unchanged and shares read and
 * write-unchanged (QEMU's default for a writable drive, less resize); w!
 * holds the same and shares everything (QEMU's share-rw=on). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "imagelock.h"

static const char *const imagelock_perm_names[] = {
	"consistent read",
	"write",
	"write unchanged",
	"resize",
};

/* imagelock.h */
void
imagelock_perms(enum imagelock_mode mode, uint32_t *perm_out,
		uint32_t *shared_out)
{
	switch (mode) {
	case IMAGELOCK_R:
		*perm_out = IMAGELOCK_PERM_READ;
		*shared_out =
			IMAGELOCK_PERM_READ | IMAGELOCK_PERM_WRITE_UNCHANGED;
		break;
	case IMAGELOCK_W:
		*perm_out = IMAGELOCK_PERM_READ | IMAGELOCK_PERM_WRITE |
			    IMAGELOCK_PERM_WRITE_UNCHANGED;
		*shared_out =
			IMAGELOCK_PERM_READ | IMAGELOCK_PERM_WRITE_UNCHANGED;
		break;
	case IMAGELOCK_SHARED:
	default:
		*perm_out = IMAGELOCK_PERM_READ | IMAGELOCK_PERM_WRITE |
			    IMAGELOCK_PERM_WRITE_UNCHANGED;
		*shared_out = IMAGELOCK_PERM_ALL;
		break;
	}
}

/* One byte: F_RDLCK or F_UNLCK. 0 or -errno (EAGAIN/EACCES: someone holds
 * a write lock over it: libvirt's virtlockd, Cloud Hypervisor). */
static int
imagelock_byte(int fd, int off, short type)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = off;
	fl.l_len = 1;
	return fcntl(fd, F_OFD_SETLK, &fl) < 0 ? -errno : 0;
}

/* Does another open file description hold byte off? 1 yes, 0 no, or
 * -errno. */
static int
imagelock_held(int fd, int off)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = off;
	fl.l_len = 1;
	if (fcntl(fd, F_OFD_GETLK, &fl) < 0)
		return -errno;
	return fl.l_type != F_UNLCK;
}

static void
imagelock_unlock_all(int fd)
{
	int i;

	for (i = 0; i < 4; i++) {
		(void)imagelock_byte(fd, IMAGELOCK_PERM_BASE + i, F_UNLCK);
		(void)imagelock_byte(fd, IMAGELOCK_SHARED_BASE + i, F_UNLCK);
	}
}

static int
imagelock_errno(int r, int off, const char *verb, char *why, size_t whylen)
{
	if (r == -EAGAIN || r == -EACCES) {
		(void)snprintf(why, whylen,
			       "another process holds a write lock over byte "
			       "%d (libvirt's virtlockd, cloud-hypervisor)",
			       off);
		return -EBUSY;
	}
	(void)snprintf(why, whylen, "cannot %s byte %d: %s", verb, off,
		       strerror(-r));
	return r;
}

/* imagelock.h */
int
imagelock_test(int fd, enum imagelock_mode mode, char *why, size_t whylen)
{
	uint32_t perm, shared;
	int i, off, r;

	imagelock_perms(mode, &perm, &shared);
	for (i = 0; i < 4; i++) {
		if (!(perm & 1u << i))
			continue;
		off = IMAGELOCK_SHARED_BASE + i;
		r = imagelock_held(fd, off);
		if (r < 0)
			return imagelock_errno(r, off, "test", why, whylen);
		if (r) {
			(void)snprintf(why, whylen,
				       "another process does not share '%s' "
				       "(QEMU's lock byte %d)",
				       imagelock_perm_names[i], off);
			return -EBUSY;
		}
	}
	for (i = 0; i < 4; i++) {
		if (shared & 1u << i)
			continue;
		off = IMAGELOCK_PERM_BASE + i;
		r = imagelock_held(fd, off);
		if (r < 0)
			return imagelock_errno(r, off, "test", why, whylen);
		if (r) {
			(void)snprintf(why, whylen,
				       "another process holds '%s' (QEMU's "
				       "lock byte %d)",
				       imagelock_perm_names[i], off);
			return -EBUSY;
		}
	}
	return 0;
}

/* imagelock.h */
int
imagelock_take(int fd, enum imagelock_mode mode, char *why, size_t whylen)
{
	uint32_t perm, shared;
	int i, off, r = 0;

	imagelock_perms(mode, &perm, &shared);
	/* Take first, then test, as QEMU does: of two racing openers at
	 * least one sees the other. */
	for (i = 0; r == 0 && i < 4; i++) {
		off = IMAGELOCK_PERM_BASE + i;
		if (perm & 1u << i) {
			r = imagelock_byte(fd, off, F_RDLCK);
			if (r < 0)
				r = imagelock_errno(r, off, "lock", why,
						    whylen);
		}
	}
	for (i = 0; r == 0 && i < 4; i++) {
		off = IMAGELOCK_SHARED_BASE + i;
		if (!(shared & 1u << i)) {
			r = imagelock_byte(fd, off, F_RDLCK);
			if (r < 0)
				r = imagelock_errno(r, off, "lock", why,
						    whylen);
		}
	}
	if (r == 0)
		r = imagelock_test(fd, mode, why, whylen);
	if (r < 0)
		imagelock_unlock_all(fd);
	return r;
}
