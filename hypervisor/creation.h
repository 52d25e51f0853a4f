/* SPDX-License-Identifier: GPL-2.0-or-later */
/* creation.h: the monitor's side of the creation sequence: CREATE to START
 * with the fds they carry, into a domain configuration. */
#ifndef XMHV_CREATION_H
#define XMHV_CREATION_H

#include <stddef.h>
#include <stdint.h>

#include "xmhv.h"

/* What the sequence delivered. The fds in cfg (kernel_fd, ramdisk_fd,
 * console_log_fd, disks[].fd, nics[].fd) were received and are owned
 * here; the paths and tap names only name them. */
struct creation {
	struct xmhv_domain_config cfg;
	char run_dir[XMHV_PATH_MAX]; /* where the monitor publishes itself */
	uint32_t domid;
	uint32_t seq; /* of the last message received: START's when done */
};

/* An empty creation (every fd -1). */
void creation_init(struct creation *c);

/* Receive the sequence on sock (blocking, timeout_ms per message) up to
 * and including START: each message checked (proto_recv), in its place in
 * the order (proto_seq_next), its fd of the right kind (a boot file
 * read-only, a disk a regular file or block device open as its mode says,
 * a NIC a tap). Opens nothing. Returns 0, or -errno with errmsg saying
 * which message was refused and why; then every fd received is closed.
 * Main thread. */
int creation_receive(int sock, int timeout_ms, struct creation *c, char *errmsg,
		     size_t errlen) __attribute__((warn_unused_result));

/* A disk's fd: a regular file or block device, open read-write exactly
 * when the disk is writable. 0, or -EBADF with errmsg. (Also for disks
 * hot-plugged later.) */
int creation_check_disk_fd(const struct xmhv_disk_config *d, int fd,
			   char *errmsg, size_t errlen)
	__attribute__((warn_unused_result));
/* A NIC's fd: a tap (TUNGETIFF answers IFF_TAP) of the name it is sent
 * with. 0, or -EBADF with errmsg. (Also for NICs hot-plugged later.) */
int creation_check_nic_fd(const struct xmhv_nic_config *n, int fd, char *errmsg,
			  size_t errlen) __attribute__((warn_unused_result));
/* A NIC's vhost fd: /dev/vhost-net, open read-write. 0, or -EBADF with
 * errmsg. */
int creation_check_vhost_fd(const struct xmhv_nic_config *n, int fd,
			    char *errmsg, size_t errlen)
	__attribute__((warn_unused_result));

/* Close the kernel and ramdisk fds (once the guest is loaded). */
void creation_close_boot(struct creation *c);

/* Close the disks' and NICs' fds (the machine's virtio-blk and
 * virtio-net devices hold their own copies, and with them the locks). */
void creation_close_disks(struct creation *c);

/* Say in the log which NIC of the sequence became which tap's device. */
void creation_log(const struct creation *c);

/* Close every fd still held (the domain is destroyed). Accepts a creation
 * that was only initialised. */
void creation_dispose(struct creation *c);

#endif
