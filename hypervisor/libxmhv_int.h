/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libxmhv_int.h: helpers shared by the libxmhv_*.c files (not installed). */
#ifndef XMHV_LIBXMHV_INT_H
#define XMHV_LIBXMHV_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <sys/types.h>

#include "xmhv.h"

/* Path "<run_dir>/<domid><suffix>" into buf. 0 or -ENAMETOOLONG. */
int libxmhv_path(const struct xmhv *h, xmhv_domid_t domid, const char *suffix,
		 char *buf, size_t size) XMHV_WUR;

/* Remove "<domid>.sock", ".console" and ".pid" from run_dir. */
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

/* Adopt fd (the create socketpair, already past CREATE) as the event
 * connection of domid: sends WATCH. Takes ownership of fd. */
int libxmhv_watch_fd(struct xmhv *h, xmhv_domid_t domid, int fd) XMHV_WUR;

/* Next request sequence number of the handle. */
uint32_t libxmhv_next_seq(struct xmhv *h);

#endif
