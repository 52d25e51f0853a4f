/* SPDX-License-Identifier: GPL-2.0-or-later */
/* console.c: a domain's console: ring buffer, log file and one client. */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "console.h"
#include "loop.h"
#include "util.h"

#define CONSOLE_IN_MAX 4096
#define CONSOLE_RETRY_MS 10

struct console {
	struct loop *loop;
	pthread_mutex_t lock; /* guards ring */
	struct console_ring ring;
	atomic_bool wake_pending;
	int wake_fd; /* eventfd: output arrived */

	int log_fd;
	uint64_t log_pos;

	int listen_fd;
	char sock_path[108];
	int client_fd;
	uint64_t client_pos;

	console_input_fn input;
	void *input_opaque;
	uint8_t in[CONSOLE_IN_MAX];
	size_t in_len;
};

static void console_on_listen(void *opaque, int fd, uint32_t events);
static void console_on_client(void *opaque, int fd, uint32_t events);
static void console_on_retry(void *opaque, int fd, uint32_t events);
static void console_client_events(struct console *c);
static bool console_client_pending(struct console *c);

/* See console.h. */
void
console_ring_append(struct console_ring *ring, const uint8_t *buf, size_t len)
{
	size_t off, n;

	if (len > CONSOLE_RING_SIZE) {
		ring->head += len - CONSOLE_RING_SIZE;
		buf += len - CONSOLE_RING_SIZE;
		len = CONSOLE_RING_SIZE;
	}
	while (len > 0) {
		off = (size_t)(ring->head & (CONSOLE_RING_SIZE - 1));
		n = CONSOLE_RING_SIZE - off;
		if (n > len)
			n = len;
		memcpy(ring->buf + off, buf, n);
		ring->head += n;
		buf += n;
		len -= n;
	}
}

/* See console.h. */
uint64_t
console_ring_tail(const struct console_ring *ring)
{
	return ring->head > CONSOLE_RING_SIZE ? ring->head - CONSOLE_RING_SIZE
					      : 0;
}

/* See console.h. */
size_t
console_ring_read(const struct console_ring *ring, uint64_t *pos, uint8_t *out,
		  size_t len, uint64_t *lost_out)
{
	uint64_t tail = console_ring_tail(ring), lost = 0, p = *pos;
	size_t done = 0, off, n;

	if (p < tail) {
		lost = tail - p;
		p = tail;
	}
	if (p > ring->head)
		p = ring->head; /* a position from the future: clamp */
	while (done < len && p < ring->head) {
		off = (size_t)(p & (CONSOLE_RING_SIZE - 1));
		n = CONSOLE_RING_SIZE - off;
		if (n > len - done)
			n = len - done;
		if (n > ring->head - p)
			n = (size_t)(ring->head - p);
		memcpy(out + done, ring->buf + off, n);
		done += n;
		p += n;
	}
	*pos = p;
	if (lost_out)
		*lost_out = lost;
	return done;
}

/* See console.h. */
static void console_on_wake(void *opaque, int fd, uint32_t events);

int
console_new(struct loop *loop, struct console **console_out)
{
	struct console *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	c->loop = loop;
	c->log_fd = c->listen_fd = c->client_fd = -1;
	c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->wake_fd < 0) {
		r = -errno;
		free(c);
		return r;
	}
	r = loop_add(loop, c->wake_fd, EPOLLIN, console_on_wake, c);
	if (r < 0) {
		close(c->wake_fd);
		free(c);
		return r;
	}
	pthread_mutex_init(&c->lock, NULL);
	atomic_init(&c->wake_pending, false);
	*console_out = c;
	return 0;
}

static void
console_client_close(struct console *c)
{
	if (c->client_fd >= 0) {
		loop_del(c->loop, c->client_fd);
		close(c->client_fd);
	}
	c->client_fd = -1;
	c->in_len = 0;
	(void)!loop_timer(c->loop, -1, console_on_retry, c);
}

/* See console.h. */
void
console_free(struct console *c)
{
	if (!c)
		return;
	console_client_close(c);
	if (c->listen_fd >= 0) {
		loop_del(c->loop, c->listen_fd);
		close(c->listen_fd);
		(void)unlink(c->sock_path);
	}
	if (c->log_fd >= 0) {
		console_flush(c);
		close(c->log_fd);
	}
	loop_del(c->loop, c->wake_fd);
	close(c->wake_fd);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* See console.h. */
void
console_output(void *opaque, const uint8_t *buf, size_t len)
{
	struct console *c = opaque;
	uint64_t one = 1;

	pthread_mutex_lock(&c->lock);
	console_ring_append(&c->ring, buf, len);
	pthread_mutex_unlock(&c->lock);
	/* One wake-up per batch the main loop has not seen yet: the guest
	 * writes a byte per exit, an eventfd write per byte would double it. */
	if (!atomic_exchange(&c->wake_pending, true))
		(void)!write(c->wake_fd, &one, sizeof(one));
}

/* See console.h. */
void
console_set_log(struct console *c, int fd)
{
	if (c->log_fd >= 0)
		close(c->log_fd);
	c->log_fd = fd;
	pthread_mutex_lock(&c->lock);
	c->log_pos = console_ring_tail(&c->ring);
	pthread_mutex_unlock(&c->lock);
}

/* See console.h. */
int
console_listen(struct console *c, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	mode_t old;
	int fd, r;

	r = util_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
	if (r < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	(void)unlink(path);
	old = umask(0177); /* the socket file is created 0600 */
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0 || listen(fd, 4) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	r = loop_add(c->loop, fd, EPOLLIN, console_on_listen, c);
	if (r < 0) {
		close(fd);
		(void)unlink(path);
		return r;
	}
	memcpy(c->sock_path, sa.sun_path, sizeof(c->sock_path));
	c->listen_fd = fd;
	return 0;
}

/* See console.h. */
void
console_set_input(struct console *c, console_input_fn fn, void *opaque)
{
	c->input = fn;
	c->input_opaque = opaque;
}

/* Push ring bytes from *pos to fd; false when fd failed (not EAGAIN). */
static bool
console_pump(struct console *c, int fd, uint64_t *pos)
{
	uint8_t buf[4096];

	for (;;) {
		uint64_t p = *pos;
		size_t n;
		ssize_t w;

		pthread_mutex_lock(&c->lock);
		n = console_ring_read(&c->ring, &p, buf, sizeof(buf), NULL);
		pthread_mutex_unlock(&c->lock);
		if (n == 0)
			return true;
		w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (w <= 0)
			return false;
		/* Restart from where the ring read started, plus what went. */
		*pos = p - n + (uint64_t)w;
	}
}

/* See console.h. */
void
console_flush(struct console *c)
{
	uint64_t v;

	atomic_store(&c->wake_pending, false);
	(void)!read(c->wake_fd, &v, sizeof(v));
	if (c->log_fd >= 0 && !console_pump(c, c->log_fd, &c->log_pos)) {
		/* A full disk must not stop the console: stop logging. */
		close(c->log_fd);
		c->log_fd = -1;
	}
	if (c->client_fd >= 0 && !console_pump(c, c->client_fd, &c->client_pos))
		console_client_close(c);
	console_client_events(c);
}

static bool
console_client_pending(struct console *c)
{
	bool pending;

	pthread_mutex_lock(&c->lock);
	pending = c->client_pos < c->ring.head;
	pthread_mutex_unlock(&c->lock);
	return pending;
}

/* A new client takes over: the old one is told and closed. It gets the
 * ring first, then live output. */
static void
console_accept(struct console *c)
{
	int fd;

	fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	if (c->client_fd >= 0) {
		(void)!write(c->client_fd, CONSOLE_TAKEOVER_MSG,
			     sizeof(CONSOLE_TAKEOVER_MSG) - 1);
		console_client_close(c);
	}
	if (loop_add(c->loop, fd, EPOLLIN, console_on_client, c) < 0) {
		close(fd);
		return;
	}
	c->client_fd = fd;
	pthread_mutex_lock(&c->lock);
	c->client_pos = console_ring_tail(&c->ring);
	pthread_mutex_unlock(&c->lock);
	if (!console_pump(c, fd, &c->client_pos))
		console_client_close(c);
	console_client_events(c);
}

/* Hand buffered input to the guest; what it does not take stays. */
static void
console_feed(struct console *c)
{
	size_t n;

	if (c->in_len == 0)
		return;
	if (!c->input) {
		c->in_len = 0;
		return;
	}
	n = c->input(c->input_opaque, c->in, c->in_len);
	if (n > c->in_len)
		n = c->in_len;
	memmove(c->in, c->in + n, c->in_len - n);
	c->in_len -= n;
	/* The UART FIFO was full: try the rest again shortly. */
	(void)!loop_timer(c->loop, c->in_len ? CONSOLE_RETRY_MS : -1,
			  console_on_retry, c);
	console_client_events(c);
}

static void
console_read_client(struct console *c)
{
	ssize_t n;

	n = read(c->client_fd, c->in + c->in_len, sizeof(c->in) - c->in_len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		console_client_close(c);
		return;
	}
	c->in_len += (size_t)n;
	console_feed(c);
}

/* What the client's fd is watched for: input while there is room for it,
 * output while the client is behind the ring. */
static void
console_client_events(struct console *c)
{
	uint32_t ev = 0;

	if (c->client_fd < 0)
		return;
	if (c->in_len < sizeof(c->in))
		ev |= EPOLLIN;
	if (console_client_pending(c))
		ev |= EPOLLOUT;
	(void)!loop_mod(c->loop, c->client_fd, ev);
}

static void
console_on_wake(void *opaque, int fd, uint32_t events)
{
	(void)fd;
	(void)events;
	console_flush(opaque);
}

static void
console_on_listen(void *opaque, int fd, uint32_t events)
{
	(void)fd;
	(void)events;
	console_accept(opaque);
}

static void
console_on_client(void *opaque, int fd, uint32_t events)
{
	struct console *c = opaque;

	(void)fd;
	if (events & EPOLLIN)
		console_read_client(c);
	else if (events & (EPOLLHUP | EPOLLERR))
		console_client_close(c);
	if (c->client_fd >= 0 && (events & EPOLLOUT) &&
	    !console_pump(c, c->client_fd, &c->client_pos))
		console_client_close(c);
	console_client_events(c);
}

static void
console_on_retry(void *opaque, int fd, uint32_t events)
{
	(void)fd;
	(void)events;
	console_feed(opaque);
}
