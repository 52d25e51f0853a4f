/* SPDX-License-Identifier: GPL-2.0-or-later */
/* loop.c: the epoll event loop of an xmhv process (implements loop.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "util.h"

#define LOOP_MAX_WATCHES 256
#define LOOP_MAX_TIMERS 16

struct loop_watch {
	int fd; /* -1: free */
	loop_fn fn;
	void *opaque;
	uint64_t gen; /* a slot reused in one batch is not the old watch */
};

struct loop_timer {
	loop_fn fn; /* NULL: free */
	void *opaque;
	uint64_t deadline_ns;
};

struct loop {
	int epfd;
	bool stop;
	uint64_t gen;
	struct loop_watch watch[LOOP_MAX_WATCHES];
	struct loop_timer timer[LOOP_MAX_TIMERS];
};

int
loop_new(struct loop **loop_out)
{
	struct loop *loop = calloc(1, sizeof(*loop));
	size_t i;

	if (!loop)
		return -ENOMEM;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		int r = -errno;

		free(loop);
		return r;
	}
	for (i = 0; i < LOOP_MAX_WATCHES; i++)
		loop->watch[i].fd = -1;
	*loop_out = loop;
	return 0;
}

void
loop_free(struct loop *loop)
{
	if (!loop)
		return;
	close(loop->epfd);
	free(loop);
}

static struct loop_watch *
loop_find(struct loop *loop, int fd)
{
	size_t i;

	for (i = 0; i < LOOP_MAX_WATCHES; i++)
		if (loop->watch[i].fd == fd)
			return &loop->watch[i];
	return NULL;
}

/* epoll's cookie: the slot index and the registration's generation. */
static uint64_t
loop_key(const struct loop *loop, const struct loop_watch *w, uint64_t gen)
{
	return gen << 16 | (uint64_t)(w - loop->watch);
}

int
loop_add(struct loop *loop, int fd, uint32_t events, loop_fn fn, void *opaque)
{
	struct epoll_event ev = {.events = events};
	struct loop_watch *w;

	if (fd < 0 || !fn)
		return -EINVAL;
	if (loop_find(loop, fd))
		return -EEXIST;
	w = loop_find(loop, -1);
	if (!w)
		return -ENOSPC;
	ev.data.u64 = loop_key(loop, w, ++loop->gen);
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	*w = (struct loop_watch){fd, fn, opaque, loop->gen};
	return 0;
}

int
loop_mod(struct loop *loop, int fd, uint32_t events)
{
	struct loop_watch *w = fd >= 0 ? loop_find(loop, fd) : NULL;
	struct epoll_event ev = {.events = events};

	if (!w)
		return -ENOENT;
	ev.data.u64 = loop_key(loop, w, w->gen);
	return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

void
loop_del(struct loop *loop, int fd)
{
	struct loop_watch *w = fd >= 0 ? loop_find(loop, fd) : NULL;

	if (!w)
		return;
	(void)epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	w->fd = -1;
	w->fn = NULL;
}

int
loop_timer(struct loop *loop, int ms, loop_fn fn, void *opaque)
{
	struct loop_timer *t = NULL, *free_t = NULL;
	size_t i;

	for (i = 0; i < LOOP_MAX_TIMERS; i++) {
		if (loop->timer[i].fn == fn && loop->timer[i].opaque == opaque)
			t = &loop->timer[i];
		else if (!loop->timer[i].fn && !free_t)
			free_t = &loop->timer[i];
	}
	if (ms < 0) {
		if (t)
			t->fn = NULL;
		return 0;
	}
	if (!t)
		t = free_t;
	if (!t)
		return -ENOSPC;
	*t = (struct loop_timer){fn, opaque,
				 util_now_ns() + (uint64_t)ms * 1000000ULL};
	return 0;
}

/* ms until the earliest timer (-1: none), and fire the expired ones. */
static int
loop_timers(struct loop *loop)
{
	uint64_t now = util_now_ns(), next = UINT64_MAX;
	struct loop_timer *t;
	loop_fn fn;
	size_t i;

	for (i = 0; i < LOOP_MAX_TIMERS; i++) {
		t = &loop->timer[i];
		if (!t->fn)
			continue;
		if (t->deadline_ns <= now) {
			fn = t->fn;
			t->fn = NULL; /* one-shot; fn may re-arm it */
			fn(t->opaque, -1, 0);
			now = util_now_ns();
		}
	}
	for (i = 0; i < LOOP_MAX_TIMERS; i++) {
		t = &loop->timer[i];
		if (t->fn && t->deadline_ns < next)
			next = t->deadline_ns;
	}
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (int)((next - now + 999999) / 1000000);
}

int
loop_run_once(struct loop *loop, int timeout_ms)
{
	struct epoll_event ev[32];
	struct loop_watch *w;
	int n, i, timeout;

	timeout = loop_timers(loop);
	if (loop->stop)
		return 0;
	if (timeout < 0 || (timeout_ms >= 0 && timeout_ms < timeout))
		timeout = timeout_ms;
	n = epoll_wait(loop->epfd, ev, 32, timeout);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (i = 0; i < n && !loop->stop; i++) {
		w = &loop->watch[ev[i].data.u64 & 0xffff];
		/* A callback before may have removed this watch (and another
		 * may have taken its slot). */
		if (w->fd >= 0 && w->fn && w->gen == ev[i].data.u64 >> 16)
			w->fn(w->opaque, w->fd, ev[i].events);
	}
	return 0;
}

int
loop_run(struct loop *loop)
{
	int r = 0;

	while (!loop->stop && r == 0)
		r = loop_run_once(loop, -1);
	return r;
}

void
loop_stop(struct loop *loop)
{
	loop->stop = true;
}

bool
loop_stopped(const struct loop *loop)
{
	return loop->stop;
}
