/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libxmhv_open.c: open the files of a domain being created, in the
 * caller's process with the caller's permissions, for the creation
 * sequence to hand to the monitor: the kernel and ramdisk read-only, the
 * console log for appending, each disk as its mode says (and locked in
 * QEMU's image-locking protocol), each tap. The monitor opens none of them. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "imagelock.h"
#include "libxmhv_int.h"
#include "util.h"

#define OPEN_TUN_DEVICE "/dev/net/tun"

static void open_msg(char *errmsg, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
open_msg(char *errmsg, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!errmsg || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(errmsg, errlen, fmt, ap);
	va_end(ap);
}

/* An fd the caller gave: never a standard stream (a configuration that
 * did not start from xmhv_domain_config_init has fds 0). */
static int
open_given(struct libxmhv_files *f, int slot, int fd, const char *what,
	   const char *name, char *errmsg, size_t errlen)
{
	struct stat st;

	if (fd <= STDERR_FILENO || fstat(fd, &st) < 0) {
		open_msg(errmsg, errlen,
			 "%s %s: fd %d is not an open file (start from "
			 "xmhv_domain_config_init)",
			 what, name, fd);
		return -EBADF;
	}
	f->fd[slot] = fd;
	return 0;
}

/* Append to the console log, creating it (0640) when missing; a file
 * created here is removed again when the create fails. */
static int
open_log(struct libxmhv_files *f, const char *path, char *errmsg, size_t errlen)
{
	int fd;

	fd = open(path,
		  O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY,
		  0640);
	if (fd >= 0)
		f->log_created = util_strlcpy(f->log_path, path,
					      sizeof(f->log_path)) == 0;
	else if (errno == EEXIST)
		fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		open_msg(errmsg, errlen, "console log %s: %s", path,
			 strerror(errno));
		return -errno;
	}
	f->fd[LIBXMHV_F_LOG] = fd;
	f->owned[LIBXMHV_F_LOG] = true;
	return 0;
}

/* A disk: read-only or read-write as its mode says, a regular file or a
 * block device, locked in QEMU's byte protocol (imagelock.c; the locks
 * live as long as the monitor's copy of the fd). */
static int
open_disk(struct libxmhv_files *f, int slot, const struct xmhv_disk_config *d,
	  char *errmsg, size_t errlen)
{
	int fd = -1, r;

	r = libxmhv_disk_open(d, &fd, errmsg, errlen);
	if (r == 0) {
		f->fd[slot] = fd;
		f->owned[slot] = true;
	}
	return r;
}

/* libxmhv_int.h: a disk opened and locked as its mode says. */
int
libxmhv_disk_open(const struct xmhv_disk_config *d, int *fd_out, char *errmsg,
		  size_t errlen)
{
	bool ro = d->readonly || d->cdrom;
	enum imagelock_mode mode = ro          ? IMAGELOCK_R
				   : d->shared ? IMAGELOCK_SHARED
					       : IMAGELOCK_W;
	char why[160];
	struct stat st;
	int fd, r;

	fd = open(d->path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOCTTY |
				   O_NONBLOCK | (d->direct ? O_DIRECT : 0));
	if (fd < 0 && errno == EINVAL && d->direct) {
		open_msg(errmsg, errlen,
			 "disk %s: its filesystem cannot do O_DIRECT (which "
			 "tap:aio: and phy: ask for): use file: or "
			 "tap:sync: (buffered)",
			 d->path);
		return -EINVAL;
	}
	if (fd < 0) {
		open_msg(errmsg, errlen, "disk %s: %s", d->path,
			 strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) < 0 ||
	    !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
		open_msg(errmsg, errlen,
			 "disk %s: not a regular file or block device",
			 d->path);
		close(fd);
		return -EINVAL;
	}
	r = util_set_nonblock(fd, false);
	if (r == 0) {
		why[0] = '\0';
		r = imagelock_take(fd, mode, why, sizeof(why));
		if (r == -EBUSY)
			open_msg(errmsg, errlen,
				 "disk %s: in use (mode %s): %s; is a QEMU, "
				 "qemu-img or another domain using the "
				 "image?",
				 d->path,
				 mode == IMAGELOCK_R   ? "r"
				 : mode == IMAGELOCK_W ? "w"
						       : "w!",
				 why);
		else if (r < 0)
			open_msg(errmsg, errlen, "disk %s: %s", d->path, why);
	} else {
		open_msg(errmsg, errlen, "disk %s: %s", d->path, strerror(-r));
	}
	if (r < 0)
		close(fd);
	else
		*fd_out = fd;
	return r;
}

/* Attach to the existing tap n->tap (the toolstack made it and put it on
 * its bridge), with a virtio-net header. */
static int
open_tap(struct libxmhv_files *f, int slot, const struct xmhv_nic_config *n,
	 char *errmsg, size_t errlen)
{
	struct ifreq ifr;
	int fd;

	if (!n->tap[0] || if_nametoindex(n->tap) == 0) {
		open_msg(errmsg, errlen, "nic %s: no such network interface",
			 n->tap[0] ? n->tap : "(no tap name)");
		return -ENODEV;
	}
	fd = open(OPEN_TUN_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		open_msg(errmsg, errlen, "nic %s: %s: %s", n->tap,
			 OPEN_TUN_DEVICE, strerror(errno));
		return -errno;
	}
	f->fd[slot] = fd;
	f->owned[slot] = true;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	memcpy(ifr.ifr_name, n->tap,
	       sizeof(n->tap) < IFNAMSIZ ? sizeof(n->tap) : IFNAMSIZ);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		open_msg(errmsg, errlen, "nic %s: cannot attach to the tap: %s",
			 n->tap, strerror(errno));
		return -errno;
	}
	return 0;
}

static int
open_boot(struct libxmhv_files *f, int slot, enum xmhv_boot_file kind,
	  const char *path, int given, char *errmsg, size_t errlen)
{
	const char *what = kind == XMHV_BOOT_KERNEL ? "kernel" : "ramdisk";
	int fd;

	if (given >= 0) {
		fd = open_given(f, slot, given, what, path, errmsg, errlen);
		return fd < 0 ? fd
			      : xmhv_check_boot_fd(kind, given, path, errmsg,
						   errlen);
	}
	fd = xmhv_check_open_boot_file(kind, path, errmsg, errlen);
	if (fd < 0)
		return fd;
	f->fd[slot] = fd;
	f->owned[slot] = true;
	return 0;
}

/* libxmhv_int.h: every file of cfg, opened or taken as given. */
int
libxmhv_files_open(const struct xmhv_domain_config *cfg,
		   struct libxmhv_files *f, char *errmsg, size_t errlen)
{
	uint32_t i;
	int r;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < LIBXMHV_F_MAX; i++)
		f->fd[i] = -1;
	if (cfg->ndisks > XMHV_MAX_DISKS || cfg->nnics > XMHV_MAX_NICS) {
		open_msg(errmsg, errlen, "more than %d disks or %d nics",
			 XMHV_MAX_DISKS, XMHV_MAX_NICS);
		return -E2BIG;
	}
	r = open_boot(f, LIBXMHV_F_KERNEL, XMHV_BOOT_KERNEL, cfg->kernel,
		      cfg->kernel_fd, errmsg, errlen);
	if (r == 0 && (cfg->ramdisk_fd >= 0 || cfg->ramdisk[0]))
		r = open_boot(f, LIBXMHV_F_RAMDISK, XMHV_BOOT_RAMDISK,
			      cfg->ramdisk, cfg->ramdisk_fd, errmsg, errlen);
	if (r == 0 && cfg->console_log_fd >= 0)
		r = open_given(f, LIBXMHV_F_LOG, cfg->console_log_fd,
			       "console log", cfg->console_log, errmsg, errlen);
	else if (r == 0 && cfg->console_log[0])
		r = open_log(f, cfg->console_log, errmsg, errlen);
	for (i = 0; r == 0 && i < cfg->ndisks; i++) {
		const struct xmhv_disk_config *d = &cfg->disks[i];

		r = d->fd >= 0 ? open_given(f, LIBXMHV_F_DISK0 + i, d->fd,
					    "disk", d->path, errmsg, errlen)
			       : open_disk(f, LIBXMHV_F_DISK0 + i, d, errmsg,
					   errlen);
	}
	for (i = 0; r == 0 && i < cfg->nnics; i++) {
		const struct xmhv_nic_config *n = &cfg->nics[i];

		r = n->fd >= 0 ? open_given(f, LIBXMHV_F_NIC0 + i, n->fd, "nic",
					    n->tap, errmsg, errlen)
			       : open_tap(f, LIBXMHV_F_NIC0 + i, n, errmsg,
					  errlen);
	}
	if (r < 0)
		libxmhv_files_close(f, true);
	return r;
}

/* libxmhv_int.h: close what was opened here. */
void
libxmhv_files_close(struct libxmhv_files *f, bool failed)
{
	int i;

	for (i = 0; i < LIBXMHV_F_MAX; i++) {
		if (f->owned[i] && f->fd[i] >= 0)
			close(f->fd[i]);
		f->fd[i] = -1;
		f->owned[i] = false;
	}
	if (failed && f->log_created)
		(void)unlink(f->log_path);
	f->log_created = false;
}
