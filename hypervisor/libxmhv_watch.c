/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libxmhv_watch.c: watch connections and the events monitors push on them
 * (xmhv_watch, xmhv_event_fd, xmhv_event_read). */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "libxmhv_int.h"
#include "proto.h"
#include "util.h"

/* A watched domain: the connection on which xmhv pushes EVENT messages. */
struct xmhv_watchconn {
	xmhv_domid_t domid;
	int fd;
	uint16_t version; /* the monitor's interface version */
	bool dying;       /* xmhv announced DYING: its EOF is a destroy */
	uint32_t reason;  /* last reason seen */
	size_t have;      /* bytes of the current message in buf */
	uint8_t buf[PROTO_HDR_SIZE + sizeof(struct proto_event)];
	struct xmhv_watchconn *next;
};

static void
libxmhv_watch_free(struct xmhv *h, struct xmhv_watchconn *w)
{
	struct xmhv_watchconn **pp;

	for (pp = &h->watches; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	}
	if (w->fd >= 0) {
		(void)epoll_ctl(h->epfd, EPOLL_CTL_DEL, w->fd, NULL);
		close(w->fd);
	}
	free(w);
}

/* Register fd (speaking version) as the event connection of domid
 * (takes ownership). */
static int
libxmhv_watch_add(struct xmhv *h, xmhv_domid_t domid, int fd, uint16_t version)
{
	struct epoll_event ev = {.events = EPOLLIN};
	struct xmhv_watchconn *w;
	int r;

	w = calloc(1, sizeof(*w));
	if (!w) {
		close(fd);
		return -ENOMEM;
	}
	w->domid = domid;
	w->fd = fd;
	w->version = version;
	r = util_set_nonblock(fd, true);
	ev.data.ptr = w;
	if (r == 0 && epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		r = -errno;
	if (r < 0) {
		close(fd);
		free(w);
		return r;
	}
	w->next = h->watches;
	h->watches = w;
	return 0;
}

static struct xmhv_watchconn *
libxmhv_watch_find(struct xmhv *h, xmhv_domid_t domid)
{
	struct xmhv_watchconn *w;

	for (w = h->watches; w; w = w->next) {
		if (w->domid == domid)
			return w;
	}
	return NULL;
}

/* libxmhv_int.h: close every watch connection of h. */
void
libxmhv_watch_free_all(struct xmhv *h)
{
	while (h->watches)
		libxmhv_watch_free(h, h->watches);
}

/* Send WATCH on fd and keep it as the event connection of domid.
 * Takes ownership of fd. 0 or -errno. */
int
libxmhv_watch_fd(struct xmhv *h, xmhv_domid_t domid, int fd)
{
	struct xmhv_call c = {.type = PROTO_WATCH};
	int r;

	r = libxmhv_exchange(h, fd, XMHV_INTERFACE_VERSION, &c,
			     LIBXMHV_REQ_TIMEOUT_MS, NULL, 0);
	free(c.ans);
	if (r < 0) {
		close(fd);
		return r;
	}
	return libxmhv_watch_add(h, domid, fd, XMHV_INTERFACE_VERSION);
}

/* xmhv.h: subscribe to state changes of domid (idempotent). */
int
xmhv_watch(struct xmhv *h, xmhv_domid_t domid)
{
	struct xmhv_call c = {.type = PROTO_WATCH};
	uint16_t version = XMHV_INTERFACE_VERSION;
	int fd = -1, r;

	if (libxmhv_watch_find(h, domid))
		return 0;
	r = libxmhv_request(h, domid, &c, LIBXMHV_REQ_TIMEOUT_MS, &fd,
			    &version);
	free(c.ans);
	return r < 0 ? r : libxmhv_watch_add(h, domid, fd, version);
}

/* xmhv.h: the epoll fd over the watch connections (owned by h). */
int
xmhv_event_fd(struct xmhv *h)
{
	return h->epfd;
}

/* Read what is available of w's current message; 1 with *ev_out when an
 * event is complete, 0 when more bytes are needed, -errno. On EOF the
 * domain is gone: the event says so and w is freed. */
static int
libxmhv_watch_read(struct xmhv *h, struct xmhv_watchconn *w,
		   struct xmhv_event *ev_out)
{
	const struct proto_hdr *hdr = (const struct proto_hdr *)w->buf;
	const struct proto_event *pe =
		(const struct proto_event *)(w->buf + PROTO_HDR_SIZE);
	struct xmhv_event ev = {.domid = w->domid};
	ssize_t n;
	int r;

	/* Exactly one message at a time, so that a second one stays in the
	 * socket and keeps the epoll fd readable. */
	n = read(w->fd, w->buf + w->have, sizeof(w->buf) - w->have);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		ev.gone = true;
		ev.state = w->dying ? XMHV_STATE_DYING : XMHV_STATE_CRASHED;
		ev.reason = w->dying ? w->reason : XMHV_SHUTDOWN_CRASH;
		libxmhv_watch_free(h, w);
		*ev_out = ev;
		return 1;
	}
	w->have += (size_t)n;
	if (w->have < sizeof(w->buf))
		return 0;
	w->have = 0;
	r = proto_hdr_check(hdr, w->version, NULL, 0);
	if (r == 0 && hdr->type != PROTO_EVENT)
		r = -EBADMSG;
	if (r == 0)
		r = proto_payload_check(PROTO_EVENT, pe, sizeof(*pe), NULL, 0);
	if (r < 0) {
		libxmhv_watch_free(h, w);
		return r;
	}
	if (pe->state & XMHV_STATE_DYING)
		w->dying = true;
	if (pe->reason != XMHV_SHUTDOWN_NONE)
		w->reason = pe->reason;
	ev.state = pe->state;
	ev.reason = pe->reason;
	ev.pause_reason = pe->pause_reason;
	*ev_out = ev;
	return 1;
}

/* xmhv.h: one pending event (1), none (0) or -errno. Reads one
 * message per call, so a level-triggered poller wakes again for the next. */
int
xmhv_event_read(struct xmhv *h, struct xmhv_event *ev_out)
{
	struct epoll_event ev;
	int n, tries, r;

	for (tries = 0; tries < 64; tries++) {
		n = epoll_wait(h->epfd, &ev, 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		r = libxmhv_watch_read(h, ev.data.ptr, ev_out);
		if (r != 0)
			return r;
	}
	return 0;
}
