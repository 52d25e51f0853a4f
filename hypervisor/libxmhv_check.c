/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libxmhv_check.c: what a domain needs from the host, checked before it is
 * built: the KVM device, and the kernel and ramdisk files. The one place
 * of these messages: xmhv prints them, xmd logs them and returns them to
 * xm. Built into xmhv's machine (libxmhvcore.a) and into libxmhv.a. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

/* The bytes a format check reads: the bzImage setup header ("HdrS" at
 * 0x202) lies inside them; an ELF file starts with its magic. */
#define CHECK_HEADER_BYTES 1024
#define CHECK_BZIMAGE_MAGIC_OFF 0x202

/* xmhv.h: $XMHV_KVM_DEVICE (tests point it elsewhere to play a host
 * without KVM), else /dev/kvm. Any thread. */
const char *
xmhv_check_kvm_device(void)
{
	const char *dev = getenv("XMHV_KVM_DEVICE");

	return dev && dev[0] ? dev : "/dev/kvm";
}

/* Why opening the KVM device dev failed with errno err, and the fix. */
static void
check_kvm_explain(const char *dev, int err, char *errmsg, size_t errlen)
{
	switch (err) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		(void)snprintf(errmsg, errlen,
			       "this host has no %s (no hardware "
			       "virtualization, or the kvm module is not "
			       "loaded): modprobe kvm_intel (or kvm_amd), and "
			       "enable VT-x/AMD-V in the firmware setup if it "
			       "is off; on a machine without hardware "
			       "virtualization, run under scripts/with-kvm "
			       "from the xmtools source tree",
			       dev);
		break;
	case EACCES:
	case EPERM:
		(void)snprintf(errmsg, errlen,
			       "%s: permission denied: join the kvm group "
			       "(and log in again) or run as root",
			       dev);
		break;
	default:
		(void)snprintf(errmsg, errlen, "%s: %s", dev, strerror(err));
		break;
	}
}

/* hv.h: open the KVM device and check its API version. Returns the fd or
 * -errno with errmsg saying what is missing and how to fix it. */
int
xmhv_check_kvm_open(char *errmsg, size_t errlen)
{
	const char *dev = xmhv_check_kvm_device();
	int fd, version, rc;

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		check_kvm_explain(dev, -rc, errmsg, errlen);
		return rc;
	}
	version = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (version < 0) {
		rc = -errno;
		(void)snprintf(errmsg, errlen,
			       "%s: not a KVM device (KVM_GET_API_VERSION: %s)",
			       dev, strerror(-rc));
		close(fd);
		return rc == -ENOTTY ? -ENODEV : rc;
	}
	if (version != KVM_API_VERSION) {
		(void)snprintf(errmsg, errlen,
			       "%s: KVM API version %d, need %d", dev, version,
			       KVM_API_VERSION);
		close(fd);
		return -ENOTSUP;
	}
	return fd;
}

/* xmhv.h: can this host run a domain? Opens the KVM device and creates
 * (and drops) a VM. 0, or -errno with errmsg as xmhv would report it. Any
 * thread; costs a VM creation (milliseconds). */
int
xmhv_check_kvm(char *errmsg, size_t errlen)
{
	int fd, vm, rc = 0;

	fd = xmhv_check_kvm_open(errmsg, errlen);
	if (fd < 0)
		return fd;
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	if (vm < 0) {
		rc = -errno;
		(void)snprintf(errmsg, errlen,
			       "%s: cannot create a VM (KVM_CREATE_VM: %s)",
			       xmhv_check_kvm_device(), strerror(-rc));
	} else {
		close(vm);
	}
	close(fd);
	return rc;
}

/* hv.h: which loader takes the kernel file path of file_len bytes, from
 * its first len bytes in buf (at least CHECK_HEADER_BYTES when the file
 * has them). Returns the format or -ENOEXEC with errmsg. Pure. */
int
xmhv_check_kernel_format(const char *path, const uint8_t *buf, size_t len,
			 uint64_t file_len, char *errmsg, size_t errlen)
{
	if (len >= 4 && memcmp(buf, "\177ELF", 4) == 0)
		return XMHV_KERNEL_ELF;
	if (len >= CHECK_BZIMAGE_MAGIC_OFF + 4 &&
	    memcmp(buf + CHECK_BZIMAGE_MAGIC_OFF, "HdrS", 4) == 0)
		return XMHV_KERNEL_BZIMAGE;
	(void)snprintf(errmsg, errlen,
		       "kernel %s: not a kernel (no bzImage \"HdrS\" setup "
		       "header and no ELF magic)%s",
		       path,
		       file_len < CHECK_HEADER_BYTES ? " (or truncated)" : "");
	return -ENOEXEC;
}

/* check.h: is fd (the file path) usable as the domain's kernel (a regular
 * file that is a bzImage or an ELF) or ramdisk (a regular file)? 0, or
 * -errno with errmsg "kernel PATH: reason" / "ramdisk PATH: reason". Reads
 * the first KiB with pread (the offset is left alone). Any thread. */
int
xmhv_check_boot_fd(enum xmhv_boot_file kind, int fd, const char *path,
		   char *errmsg, size_t errlen)
{
	const char *key = kind == XMHV_BOOT_RAMDISK ? "ramdisk" : "kernel";
	uint8_t buf[CHECK_HEADER_BYTES];
	struct stat st;
	ssize_t n;
	int rc;

	if (fstat(fd, &st) < 0) {
		rc = -errno;
		(void)snprintf(errmsg, errlen, "%s %s: %s", key, path,
			       strerror(-rc));
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		(void)snprintf(errmsg, errlen, "%s %s: %s", key, path,
			       S_ISDIR(st.st_mode) ? strerror(EISDIR)
						   : "not a regular file");
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	if (kind != XMHV_BOOT_KERNEL)
		return 0;
	n = pread(fd, buf, sizeof(buf), 0);
	if (n < 0) {
		rc = -errno;
		(void)snprintf(errmsg, errlen, "%s %s: %s", key, path,
			       strerror(-rc));
		return rc;
	}
	rc = xmhv_check_kernel_format(path, buf, (size_t)n,
				      (uint64_t)st.st_size, errmsg, errlen);
	return rc > 0 ? 0 : rc;
}

/* check.h: open path read-only as the caller (never blocking on a FIFO)
 * and check it as xmhv_check_boot_fd does. The fd (O_CLOEXEC) or -errno
 * with errmsg "kernel PATH: reason". Any thread. */
int
xmhv_check_open_boot_file(enum xmhv_boot_file kind, const char *path,
			  char *errmsg, size_t errlen)
{
	const char *key = kind == XMHV_BOOT_RAMDISK ? "ramdisk" : "kernel";
	int fd, rc;

	if (!path || !path[0]) {
		(void)snprintf(errmsg, errlen, "%s: no file given", key);
		return -EINVAL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		rc = -errno;
		(void)snprintf(errmsg, errlen, "%s %s: %s", key, path,
			       strerror(-rc));
		return rc;
	}
	rc = xmhv_check_boot_fd(kind, fd, path, errmsg, errlen);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

/* xmhv.h: is path usable as the domain's kernel (a readable regular file
 * that is a bzImage or an ELF) or ramdisk (a readable regular file)? 0, or
 * -errno with errmsg "kernel PATH: reason" / "ramdisk PATH: reason". Never
 * blocks on a FIFO. Any thread. */
int
xmhv_check_boot_file(enum xmhv_boot_file kind, const char *path, char *errmsg,
		     size_t errlen)
{
	int fd = xmhv_check_open_boot_file(kind, path, errmsg, errlen);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}
