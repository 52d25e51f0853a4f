/* SPDX-License-Identifier: GPL-2.0-or-later */
/* loop.h: the one event loop of an xmhv process (epoll). The front end
 * (main.c or control.c), the console and every device register their fds
 * here; other threads wake it through an eventfd they register. */
#ifndef XMHV_LOOP_H
#define XMHV_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#define LOOP_WUR __attribute__((warn_unused_result))

struct loop;

/* Called on the loop's thread with the epoll events (EPOLLIN, ...) that
 * fd reported. May add, change or remove any registration, its own too. */
typedef void (*loop_fn)(void *opaque, int fd, uint32_t events);

/* A new loop. 0 or -errno. */
int loop_new(struct loop **loop_out) LOOP_WUR;
/* Free the loop (accepts NULL); the fds stay open (their owners close
 * them). */
void loop_free(struct loop *loop);

/* Watch fd for events (EPOLLIN/EPOLLOUT; level-triggered). One
 * registration per fd: -EEXIST for a second. 0 or -errno. Loop thread. */
int loop_add(struct loop *loop, int fd, uint32_t events, loop_fn fn,
	     void *opaque) LOOP_WUR;
/* Change the events of a registered fd (0: keep it, watch nothing). */
int loop_mod(struct loop *loop, int fd, uint32_t events) LOOP_WUR;
/* Forget fd (before it is closed). Accepts an fd never added. */
void loop_del(struct loop *loop, int fd);

/* A one-shot timer: fn(opaque, -1, 0) runs on the loop thread ms from
 * now; re-arming replaces the previous deadline, ms < 0 disarms. At most
 * one timer per (fn, opaque). 0 or -errno. */
int loop_timer(struct loop *loop, int ms, loop_fn fn, void *opaque) LOOP_WUR;

/* Dispatch events until loop_stop; returns 0, or -errno when epoll
 * failed. loop_stop may be called from a callback (loop thread). */
int loop_run(struct loop *loop) LOOP_WUR;
void loop_stop(struct loop *loop);
/* One round: wait at most timeout_ms (or until the next timer) and
 * dispatch what arrived. 0 or -errno. For tests and nested loops. */
int loop_run_once(struct loop *loop, int timeout_ms) LOOP_WUR;
bool loop_stopped(const struct loop *loop);

#endif
