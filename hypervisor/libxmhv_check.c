/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libxmhv_check.c: what a domain needs, checked before it is built: a
 * configuration within xmhv's limits (xmhv_limits.h), the KVM device, and
 * the kernel and ramdisk files. The one place of these messages: xmhv
 * prints them, xmd logs them and returns them to xm. Built into xmhv's
 * machine (libxmhvcore.a) and into libxmhv.a. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdbool.h>
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

/* Is s, an array of size bytes, a string (NUL-terminated within it)? */
static bool
check_terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* A Xen cpuid mask register: empty (untouched), or 32 of 0 1 x k s. */
static bool
check_cpuid_reg(const char *reg, size_t size)
{
	size_t n;

	if (!check_terminated(reg, size))
		return false;
	n = strlen(reg);
	return n == 0 || (n == 32 && strspn(reg, "01xks") == 32);
}

/* The strings of cfg outside the device arrays, with their keys. */
static int
check_config_strings(const struct xmhv_domain_config *cfg, char *errmsg,
		     size_t errlen)
{
	const struct {
		const char *key;
		const char *s;
		size_t size;
	} strs[] = {
		{"name", cfg->name, sizeof(cfg->name)},
		{"kernel", cfg->kernel, sizeof(cfg->kernel)},
		{"ramdisk", cfg->ramdisk, sizeof(cfg->ramdisk)},
		{"cmdline", cfg->cmdline, sizeof(cfg->cmdline)},
		{"console log", cfg->console_log, sizeof(cfg->console_log)},
	};
	size_t i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (!check_terminated(strs[i].s, strs[i].size)) {
			(void)snprintf(errmsg, errlen,
				       "%s: longer than %zu bytes", strs[i].key,
				       strs[i].size - 1);
			return -EINVAL;
		}
	if (!cfg->kernel[0]) {
		(void)snprintf(errmsg, errlen, "kernel: no file given");
		return -EINVAL;
	}
	return 0;
}

/* Disks, NICs and cpuid masks: counts, then each entry's strings. */
static int
check_config_devices(const struct xmhv_domain_config *cfg, char *errmsg,
		     size_t errlen)
{
	static const char *const regs[] = {"eax", "ebx", "ecx", "edx"};
	const struct {
		const char *key;
		uint32_t n, max;
	} counts[] = {
		{"disk", cfg->ndisks, XMHV_MAX_DISKS},
		{"vif", cfg->nnics, XMHV_MAX_NICS},
		{"cpuid", cfg->ncpuid, XMHV_MAX_CPUID},
	};
	uint32_t i, r;

	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		if (counts[i].n > counts[i].max) {
			(void)snprintf(
				errmsg, errlen, "%s: %u entries, at most %u",
				counts[i].key, counts[i].n, counts[i].max);
			return -EINVAL;
		}
	for (i = 0; i < cfg->ndisks; i++)
		if (!check_terminated(cfg->disks[i].path,
				      sizeof(cfg->disks[i].path)) ||
		    !check_terminated(cfg->disks[i].serial,
				      sizeof(cfg->disks[i].serial))) {
			(void)snprintf(
				errmsg, errlen,
				"disk[%u]: path or serial not terminated", i);
			return -EINVAL;
		}
	for (i = 0; i < cfg->nnics; i++)
		if (!check_terminated(cfg->nics[i].tap,
				      sizeof(cfg->nics[i].tap))) {
			(void)snprintf(errmsg, errlen,
				       "vif[%u]: tap name not terminated", i);
			return -EINVAL;
		}
	for (i = 0; i < cfg->ncpuid; i++)
		for (r = 0; r < 4; r++)
			if (!check_cpuid_reg(cfg->cpuid[i].reg[r],
					     sizeof(cfg->cpuid[i].reg[r]))) {
				(void)snprintf(errmsg, errlen,
					       "cpuid[%u]: %s is not 32 of 0, "
					       "1, x, k, s",
					       i, regs[r]);
				return -EINVAL;
			}
	return 0;
}

/* xmhv.h: does cfg fit what xmhv can build? 0, or -EINVAL with errmsg
 * naming the key. Pure; any thread. */
int
xmhv_check_config(const struct xmhv_domain_config *cfg, char *errmsg,
		  size_t errlen)
{
	if (cfg->memory_mib < XMHV_MEMORY_MIN_MIB ||
	    cfg->memory_mib > XMHV_MEMORY_MAX_MIB) {
		(void)snprintf(errmsg, errlen,
			       "memory %llu MiB: out of range (%llu MiB..%llu "
			       "TiB)",
			       (unsigned long long)cfg->memory_mib,
			       (unsigned long long)XMHV_MEMORY_MIN_MIB,
			       (unsigned long long)(XMHV_MEMORY_MAX_MIB >> 20));
		return -EINVAL;
	}
	if (cfg->max_vcpus < 1 || cfg->max_vcpus > XMHV_MAX_VCPUS) {
		(void)snprintf(errmsg, errlen, "vcpus %u: out of range (1..%d)",
			       cfg->max_vcpus, XMHV_MAX_VCPUS);
		return -EINVAL;
	}
	if (cfg->vcpus_online > cfg->max_vcpus) {
		(void)snprintf(errmsg, errlen,
			       "vcpus %u: more than maxvcpus (%u)",
			       cfg->vcpus_online, cfg->max_vcpus);
		return -EINVAL;
	}
	if (check_config_strings(cfg, errmsg, errlen) < 0 ||
	    check_config_devices(cfg, errmsg, errlen) < 0)
		return -EINVAL;
	return 0;
}

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
