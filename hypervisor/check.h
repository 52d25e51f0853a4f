/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check.h: the checks before a build (libxmhv_check.c, also in libxmhv.a). */
#ifndef XMHV_CHECK_H
#define XMHV_CHECK_H

#include "hv.h"

/* Open the KVM device (xmhv_check_kvm_device) and check its API version.
 * Returns the fd or -errno with errmsg naming the device and the fix. */
int xmhv_check_kvm_open(char *errmsg, size_t errlen) HV_WUR;
enum xmhv_kernel_format { XMHV_KERNEL_ELF, XMHV_KERNEL_BZIMAGE };
/* The loader for the kernel file path (file_len bytes) from its first len
 * bytes (1 KiB when it has them): the format, or -ENOEXEC with errmsg
 * "kernel PATH: not a kernel (...)". Pure. */
int xmhv_check_kernel_format(const char *path, const uint8_t *buf, size_t len,
			     uint64_t file_len, char *errmsg,
			     size_t errlen) HV_WUR;

/* Is fd (named path in messages) usable as the kernel (a regular file
 * that is a bzImage or an ELF) or the ramdisk (a regular file)? 0, or
 * -errno with errmsg "kernel PATH: reason". Reads with pread. Any thread. */
int xmhv_check_boot_fd(enum xmhv_boot_file kind, int fd, const char *path,
		       char *errmsg, size_t errlen) HV_WUR;
/* Open path read-only (O_CLOEXEC, never blocking on a FIFO) with the
 * caller's permissions and check it (xmhv_check_boot_fd). Returns the fd
 * or -errno with errmsg "kernel PATH: reason". Any thread. */
int xmhv_check_open_boot_file(enum xmhv_boot_file kind, const char *path,
			      char *errmsg, size_t errlen) HV_WUR;

#endif
