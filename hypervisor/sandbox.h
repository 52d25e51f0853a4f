/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sandbox.h: what xmhv gives up before the first guest instruction
 * (inherited fds, privileges, system calls). */
#ifndef XMHV_SANDBOX_H
#define XMHV_SANDBOX_H

#include <stddef.h>

/* Close every fd >= 3 that is not in keep_fds. Call at process start,
 * before opening anything (it cannot know the process's own fds later).
 * Returns 0 or -errno. Main thread, no other threads yet. */
int sandbox_close_inherited(const int *keep_fds, size_t nkeep)
	__attribute__((warn_unused_result));

/* Enter the sandbox for the rest of the process's life: close the fds in
 * close_fds (may be NULL), drop capabilities (when root), set no_new_privs,
 * and install a seccomp allow-list (ioctl, read/write, poll, futex, socket
 * I/O on existing sockets, timers, memory management, thread exit; no
 * open, exec, new sockets, ptrace). Every thread created afterwards
 * inherits it; threads that exist already are covered too (TSYNC).
 * Seccomp is left out in sanitizer builds (XM_SANITIZERS: ASan needs
 * more system calls). Returns 0 or -errno. */
int sandbox_enter(const int *close_fds, size_t nclose)
	__attribute__((warn_unused_result));

/* Drop every capability of the calling thread (capabilities are per
 * thread: xmhv's vCPU threads call it for themselves). 0 or -errno. */
int sandbox_drop_caps(void) __attribute__((warn_unused_result));

#endif
