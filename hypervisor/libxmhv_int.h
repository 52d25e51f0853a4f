/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libxmhv_int.h: helpers shared by the libxmhv_*.c files (not installed). */
#ifndef XMHV_LIBXMHV_INT_H
#define XMHV_LIBXMHV_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <sys/types.h>

#include "proto.h"
#include "xmhv.h"

#define LIBXMHV_REQ_TIMEOUT_MS 30000

struct xmhv_watchconn;

/* The handle (xmhv.h): shared by the libxmhv_*.c files. */
struct xmhv {
	char run_dir[XMHV_PATH_MAX];
	char xmhv_path[XMHV_PATH_MAX];
	int epfd;
	uint32_t seq;
	struct xmhv_watchconn *watches;
	xmhv_domid_t *v1; /* domains whose monitors speak version 1 */
	size_t nv1, cap_v1;
	char error[PROTO_ERRMSG_MAX]; /* xmhv_error */
};

/* A request/answer exchange with one monitor. */
struct xmhv_call {
	enum proto_type type;
	struct proto_u32 arg;
	struct proto_msg *ans; /* the answer, malloc'd by libxmhv_exchange */
};

/* One request (c->type, c->arg) and its answer on fd within timeout_ms,
 * in interface version (XMHV_INTERFACE_VERSION or PROTO_VERSION_1). The
 * answer must be a REPLY or, for GETINFO, an INFO with our sequence
 * number; a REPLY's err is returned and its message copied to errmsg (may
 * be NULL). c->ans is allocated here; the caller frees it. 0 or -errno
 * (-ESRCH when the monitor is gone; -EPROTONOSUPPORT when it speaks
 * another version: c->ans->hdr.version says which). */
int libxmhv_exchange(struct xmhv *h, int fd, uint16_t version,
		     struct xmhv_call *c, int timeout_ms, char *errmsg,
		     size_t errlen) XMHV_WUR;

/* Connect to domid's control socket and make the exchange c there, in the
 * version its monitor speaks: XMHV_INTERFACE_VERSION, or version 1 for a
 * monitor started before an upgrade (it refuses version 2 naming version
 * 1; the handle remembers it and asks in version 1 from then on: the
 * runtime messages have one layout in both). Another version is
 * -EPROTONOSUPPORT with xmhv_error naming both and what to do. With fd_out
 * the connection stays open on success (*fd_out, its version in
 * *version_out); else it is closed. A REPLY's message goes to xmhv_error.
 * c->ans as for libxmhv_exchange. */
int libxmhv_request(struct xmhv *h, xmhv_domid_t domid, struct xmhv_call *c,
		    int timeout_ms, int *fd_out,
		    uint16_t *version_out) XMHV_WUR;

/* The fds a create hands to the monitor, one slot per file. */
enum {
	LIBXMHV_F_KERNEL,
	LIBXMHV_F_RAMDISK,
	LIBXMHV_F_LOG,
	LIBXMHV_F_DISK0,
	LIBXMHV_F_NIC0 = LIBXMHV_F_DISK0 + XMHV_MAX_DISKS,
	LIBXMHV_F_MAX = LIBXMHV_F_NIC0 + XMHV_MAX_NICS
};
struct libxmhv_files {
	int fd[LIBXMHV_F_MAX];     /* -1: no such file */
	bool owned[LIBXMHV_F_MAX]; /* opened by libxmhv_files_open */
	bool log_created;          /* the console log file was created */
	char log_path[XMHV_PATH_MAX];
};

/* Open every file of cfg in the calling process, with its permissions:
 * the kernel and ramdisk read-only (checked as xmhv checks them), the
 * console log for appending (created 0640 when missing), each disk
 * read-only or read-write (O_DIRECT when it says direct) and locked in
 * QEMU's byte protocol (imagelock.h: r, w, w!), each tap attached by name (IFF_TAP, IFF_NO_PI, IFF_VNET_HDR). Fds
 * the caller gave in cfg are used as they are. All O_CLOEXEC. Returns 0,
 * or -errno with errmsg naming the file ("disk PATH: reason"); nothing is
 * left open (or created) then. Any thread. */
int libxmhv_files_open(const struct xmhv_domain_config *cfg,
		       struct libxmhv_files *f, char *errmsg,
		       size_t errlen) XMHV_WUR;
/* Open disk d as libxmhv_files_open does (read-only or read-write,
 * O_DIRECT when d->direct, O_CLOEXEC, locked as imagelock.h says for its
 * mode). 0 with *fd_out, or -errno with errmsg ("disk PATH: reason"):
 * -EBUSY when another process (QEMU, qemu-img, another domain) holds the
 * image against the mode. */
int libxmhv_disk_open(const struct xmhv_disk_config *d, int *fd_out,
		      char *errmsg, size_t errlen) XMHV_WUR;

/* Does domid's monitor speak interface version 1 (remembered)? */
bool libxmhv_is_v1(const struct xmhv *h, xmhv_domid_t domid);

/* Close the fds opened here (the monitor holds its own copies); when the
 * create failed, also remove a console log created here. */
void libxmhv_files_close(struct libxmhv_files *f, bool failed);

/* Close every watch connection of h (xmhv_close). */
void libxmhv_watch_free_all(struct xmhv *h);

/* Path "<run_dir>/<domid><suffix>" into buf. 0 or -ENAMETOOLONG. */
int libxmhv_path(const struct xmhv *h, xmhv_domid_t domid, const char *suffix,
		 char *buf, size_t size) XMHV_WUR;

/* Remove "<domid>.sock", ".console", ".pid" and ".building" from run_dir. */
void libxmhv_remove_files(const struct xmhv *h, xmhv_domid_t domid);

/* Connect to the domain's control (".sock") or console (".console")
 * socket. Returns a CLOEXEC fd or -errno (-ESRCH: nobody listens). */
int libxmhv_connect(const struct xmhv *h, xmhv_domid_t domid,
		    const char *suffix) XMHV_WUR;

/* PING the monitor (short timeout). 0 when it answers, -errno. */
int libxmhv_ping(struct xmhv *h, xmhv_domid_t domid) XMHV_WUR;

/* The pid in "<domid>.pid", 0 when there is none. */
pid_t libxmhv_read_pid(const struct xmhv *h, xmhv_domid_t domid);

/* Has pid not exited yet (a zombie counts as exited)? */
bool libxmhv_pid_alive(pid_t pid);

/* Wait up to timeout_ms for pid (pidfd when >= 0) to exit, then SIGKILL
 * it and wait again. 0 once gone, -ETIMEDOUT. */
int libxmhv_wait_gone(pid_t pid, int pidfd, int timeout_ms) XMHV_WUR;

/* The monitor binary this handle spawns. */
const char *libxmhv_monitor_path(const struct xmhv *h);
const char *libxmhv_run_dir(const struct xmhv *h);

/* Adopt fd (the create socketpair, past START) as the event connection of
 * domid: sends WATCH (version 2). Takes ownership of fd. */
int libxmhv_watch_fd(struct xmhv *h, xmhv_domid_t domid, int fd) XMHV_WUR;

/* Next request sequence number of the handle. */
uint32_t libxmhv_next_seq(struct xmhv *h);

#endif
