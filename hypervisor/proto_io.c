/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proto_io.c: send and receive whole libxmhv <-> xmhv messages, with the
 * one fd a message may carry (SCM_RIGHTS). */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto.h"
#include "util.h"

#define PROTO_SEND_TIMEOUT_MS 30000
/* Room for more fds than a message may carry, so that a sender of several
 * is seen (and they are closed) rather than truncated away. */
#define PROTO_FDS_ROOM 4

static void io_why(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
io_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!why || whylen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* Wait until sock is readable or writable; 0, -ETIMEDOUT or -errno. */
static int
io_wait(int sock, short events, int timeout_ms)
{
	struct pollfd pfd = {.fd = sock, .events = events};
	int n;

	do {
		n = poll(&pfd, 1, timeout_ms);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == 0 ? -ETIMEDOUT : 0;
}

/* Write buf; the first chunk carries fd (when >= 0). */
static int
io_write(int sock, const uint8_t *buf, size_t len, int fd)
{
	union {
		struct cmsghdr hdr;
		uint8_t room[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov;
	struct msghdr mh;
	struct cmsghdr *cm;
	ssize_t n;
	int r;

	while (len > 0) {
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = (void *)buf;
		iov.iov_len = len;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		if (fd >= 0) {
			memset(&ctl, 0, sizeof(ctl));
			mh.msg_control = ctl.room;
			mh.msg_controllen = sizeof(ctl.room);
			cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &fd, sizeof(int));
		}
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			r = io_wait(sock, POLLOUT, PROTO_SEND_TIMEOUT_MS);
			if (r < 0)
				return r;
			continue;
		}
		if (n < 0)
			return errno == ECONNRESET ? -EPIPE : -errno;
		fd = -1; /* sent with the first byte */
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* proto.h: one whole message with its fd. */
int
proto_send(int sock, uint16_t version, enum proto_type type, uint32_t seq,
	   const void *payload, uint32_t len, int fd)
{
	struct proto_hdr hdr;
	uint8_t small[PROTO_HDR_SIZE + 64];
	int r;

	proto_hdr_init(&hdr, version, type, len, seq);
	/* Header and a small payload in one write: one segment, one wake-up
	 * of the reader. */
	if (len <= sizeof(small) - PROTO_HDR_SIZE) {
		memcpy(small, &hdr, PROTO_HDR_SIZE);
		if (len)
			memcpy(small + PROTO_HDR_SIZE, payload, len);
		return io_write(sock, small, PROTO_HDR_SIZE + len, fd);
	}
	r = io_write(sock, (const uint8_t *)&hdr, PROTO_HDR_SIZE, fd);
	if (r == 0)
		r = io_write(sock, payload, len, -1);
	return r;
}

/* proto.h: one recvmsg, keeping the first fd that came. */
ssize_t
proto_read(int sock, void *buf, size_t len, int *fd_io, unsigned *nfds_io)
{
	union {
		struct cmsghdr hdr;
		uint8_t room[CMSG_SPACE(PROTO_FDS_ROOM * sizeof(int))];
	} ctl;
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *cm;
	ssize_t n;
	size_t i, k;
	int fd;

	mh.msg_control = ctl.room;
	mh.msg_controllen = sizeof(ctl.room);
	n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k; i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
			       sizeof(int));
			if (*fd_io < 0)
				*fd_io = fd;
			else
				close(fd);
			(*nfds_io)++;
		}
	}
	if (mh.msg_flags & MSG_CTRUNC)
		*nfds_io += PROTO_FDS_ROOM; /* more than we took: refused */
	return n;
}

/* Read exactly len bytes, collecting fds; *got_io counts bytes read. */
static int
io_read(int sock, void *buf, size_t len, int timeout_ms, int *fd_io,
	unsigned *nfds_io, size_t *got_io)
{
	uint8_t *p = buf;
	ssize_t n;
	int r;

	while (len > 0) {
		n = proto_read(sock, p, len, fd_io, nfds_io);
		if (n == -EINTR)
			continue;
		if (n == -EAGAIN || n == -EWOULDBLOCK) {
			r = io_wait(sock, POLLIN, timeout_ms);
			if (r < 0)
				return r;
			continue;
		}
		if (n == -ECONNRESET || n == 0)
			return -EPIPE;
		if (n < 0)
			return (int)n;
		p += n;
		len -= (size_t)n;
		*got_io += (size_t)n;
	}
	return 0;
}

/* The fd rules: one fd when the type takes one, none otherwise. */
static int
io_check_fds(enum proto_type type, int fd, unsigned nfds, char *why,
	     size_t whylen)
{
	const char *name = proto_type_name(type);

	if (nfds > 1) {
		io_why(why, whylen, "%s: carries %u fds, at most one", name,
		       nfds);
		return -EBADF;
	}
	if (proto_type_takes_fd(type) && fd < 0) {
		io_why(why, whylen, "%s: carries no fd", name);
		return -EBADF;
	}
	if (!proto_type_takes_fd(type) && fd >= 0) {
		io_why(why, whylen, "%s: carries an fd, takes none", name);
		return -EBADF;
	}
	return 0;
}

/* proto.h: read and check one whole message and its fd. */
int
proto_recv(int sock, uint16_t version, int timeout_ms, struct proto_msg *msg,
	   char *why, size_t whylen)
{
	size_t got = 0;
	unsigned nfds = 0;
	int fd = -1, r;

	msg->fd = -1;
	memset(&msg->hdr, 0, sizeof(msg->hdr));
	r = io_wait(sock, POLLIN, timeout_ms);
	if (r == 0)
		r = io_read(sock, &msg->hdr, sizeof(msg->hdr), timeout_ms, &fd,
			    &nfds, &got);
	if (r == -EPIPE && got > 0) {
		io_why(why, whylen, "truncated header (%zu of %d bytes)", got,
		       PROTO_HDR_SIZE);
		r = -EBADMSG;
	} else if (r == -EPIPE) {
		io_why(why, whylen, "connection closed");
	} else if (r < 0) {
		io_why(why, whylen, "%s", strerror(-r));
	}
	if (r == 0)
		r = proto_hdr_check(&msg->hdr, version, why, whylen);
	if (r == 0 && msg->hdr.length > 0) {
		got = 0;
		r = io_read(sock, &msg->p, msg->hdr.length, timeout_ms, &fd,
			    &nfds, &got);
		if (r == -EPIPE) {
			io_why(why, whylen, "%s: truncated (%zu of %u bytes)",
			       proto_type_name(msg->hdr.type), got,
			       msg->hdr.length);
			r = -EBADMSG;
		} else if (r < 0) {
			io_why(why, whylen, "%s: %s",
			       proto_type_name(msg->hdr.type), strerror(-r));
		}
	}
	if (r == 0)
		r = io_check_fds(msg->hdr.type, fd, nfds, why, whylen);
	if (r == 0)
		r = proto_payload_check(msg->hdr.type, &msg->p, msg->hdr.length,
					why, whylen);
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		return r;
	}
	msg->fd = fd;
	return 0;
}
