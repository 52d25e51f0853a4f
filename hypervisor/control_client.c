/* SPDX-License-Identifier: GPL-2.0-or-later */
/* control_client.c: the connections to xmhv's control socket in toolstack
 * mode: accepting them, reading each message (header checked before the
 * payload is allocated), dispatching it through the table of handlers and
 * answering it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control_int.h"
#include "log.h"
#include "loop.h"
#include "proto.h"
#include "util.h"

typedef int (*control_handler)(struct control *ctl, struct control_client *cl,
			       union control_answer *ans);

static const struct {
	control_handler fn;
	enum proto_type answer;
} control_handlers[PROTO_TYPE_MAX] = {
	[PROTO_CREATE] = {control_do_create_again, PROTO_REPLY},
	[PROTO_KERNEL] = {control_do_create_again, PROTO_REPLY},
	[PROTO_RAMDISK] = {control_do_create_again, PROTO_REPLY},
	[PROTO_CONSOLE_LOG] = {control_do_create_again, PROTO_REPLY},
	[PROTO_DISK] = {control_do_create_again, PROTO_REPLY},
	[PROTO_NIC] = {control_do_create_again, PROTO_REPLY},
	[PROTO_START] = {control_do_create_again, PROTO_REPLY},
	[PROTO_PING] = {control_do_ping, PROTO_REPLY},
	[PROTO_UNPAUSE] = {control_do_unpause, PROTO_REPLY},
	[PROTO_PAUSE] = {control_do_pause, PROTO_REPLY},
	[PROTO_SHUTDOWN] = {control_do_shutdown, PROTO_REPLY},
	[PROTO_DESTROY] = {control_do_destroy, PROTO_REPLY},
	[PROTO_GETINFO] = {control_do_getinfo, PROTO_INFO},
	[PROTO_SET_VCPUS] = {control_do_set_vcpus, PROTO_REPLY},
	[PROTO_WATCH] = {control_do_watch, PROTO_REPLY},
	[PROTO_DISK_ATTACH] = {control_do_disk_attach, PROTO_REPLY},
	[PROTO_DISK_DETACH] = {control_do_disk_detach, PROTO_REPLY},
	[PROTO_NIC_ATTACH] = {control_do_nic_attach, PROTO_REPLY},
	[PROTO_NIC_DETACH] = {control_do_nic_detach, PROTO_REPLY},
	[PROTO_NIC_VHOST] = {control_do_nic_vhost, PROTO_REPLY},
};

void
control_client_close(struct control *ctl, struct control_client *cl)
{
	unsigned i;

	for (i = 0; i < CONTROL_DETACHES; i++)
		if (ctl->detaches[i].cl == cl)
			ctl->detaches[i].cl = NULL;
	if (cl->fd >= 0) {
		loop_del(ctl->loop, cl->fd);
		close(cl->fd);
	}
	if (cl->msg_fd >= 0)
		close(cl->msg_fd);
	if (cl->vhost_fd >= 0)
		close(cl->vhost_fd);
	free(cl->msg);
	memset(cl, 0, sizeof(*cl));
	cl->fd = -1;
	cl->msg_fd = -1;
	cl->vhost_fd = -1;
}

int
control_reply(int fd, uint32_t seq, int err, const char *msg)
{
	struct proto_reply rep = {.err = err, .pid = getpid()};

	if (msg)
		(void)!util_strlcpy(rep.msg, msg, sizeof(rep.msg));
	else if (err < 0)
		(void)!util_strlcpy(rep.msg, strerror(-err), sizeof(rep.msg));
	return proto_send(fd, XMHV_INTERFACE_VERSION, PROTO_REPLY, seq, &rep,
			  sizeof(rep), -1);
}

/* Run a complete request and answer it. */
static void
control_dispatch(struct control *ctl, struct control_client *cl)
{
	enum proto_type type = cl->hdr.type;
	union control_answer *ans = calloc(1, sizeof(*ans));
	char why[128] = "";
	bool attach;
	int r;

	if (!ans) {
		control_client_close(ctl, cl);
		return;
	}
	r = proto_payload_check(type, cl->msg, cl->hdr.length, why,
				sizeof(why));
	if (r == 0 && !control_handlers[type].fn) {
		r = -EBADMSG;
		control_errmsg(why, sizeof(why), "%s is not a request",
			       proto_type_name(type));
	}
	/* A built domain takes an fd with DISK_ATTACH and NIC_ATTACH only
	 * (the creation messages are refused below, their fds closed
	 * unused). */
	attach = type == PROTO_DISK_ATTACH || type == PROTO_NIC_ATTACH ||
		 type == PROTO_NIC_VHOST;
	if (r == 0 && attach && cl->nfds != 1) {
		r = -EBADF;
		control_errmsg(why, sizeof(why), "%s carries %s fd",
			       proto_type_name(type),
			       cl->nfds ? "more than one" : "no");
	}
	if (!attach || r < 0) {
		if (cl->msg_fd >= 0)
			close(cl->msg_fd);
		cl->msg_fd = -1;
	}
	if (r == 0 && cl->nfds > 0 && type < PROTO_CREATE) {
		r = -EBADF;
		control_errmsg(why, sizeof(why), "%s carries an fd, takes none",
			       proto_type_name(type));
	}
	cl->nfds = 0;
	if (r < 0) {
		(void)!control_reply(cl->fd, cl->hdr.seq, r,
				     why[0] ? why : NULL);
		control_client_close(ctl, cl);
		goto out;
	}
	r = control_handlers[type].fn(ctl, cl, ans);
	if (cl->msg_fd >= 0) /* the handler made its own copy */
		close(cl->msg_fd);
	cl->msg_fd = -1;
	if (r == CONTROL_LATER)
		goto out;
	if (r == 0 && control_handlers[type].answer == PROTO_INFO)
		r = proto_send(cl->fd, XMHV_INTERFACE_VERSION, PROTO_INFO,
			       cl->hdr.seq, &ans->info, sizeof(ans->info), -1);
	else
		r = control_reply(cl->fd, cl->hdr.seq, r,
				  ans->reply.msg[0] ? ans->reply.msg : NULL);
	if (r < 0)
		control_client_close(ctl, cl);
out:
	free(ans);
}

/* Read what the client sent: header, checked before the payload buffer is
 * allocated, then the payload. */
static void
control_client_read(struct control *ctl, struct control_client *cl)
{
	uint8_t *dst;
	size_t want;
	ssize_t n;
	int r;

	if (cl->have < sizeof(cl->hdr)) {
		dst = (uint8_t *)&cl->hdr + cl->have;
		want = sizeof(cl->hdr) - cl->have;
	} else {
		dst = (uint8_t *)cl->msg + (cl->have - sizeof(cl->hdr));
		want = sizeof(cl->hdr) + cl->hdr.length - cl->have;
	}
	n = proto_read(cl->fd, dst, want, &cl->msg_fd, &cl->nfds);
	if (n == -EAGAIN || n == -EINTR)
		return;
	if (n <= 0) {
		control_client_close(ctl, cl);
		return;
	}
	cl->have += (size_t)n;
	if (cl->have == sizeof(cl->hdr)) {
		r = proto_hdr_check(&cl->hdr, XMHV_INTERFACE_VERSION, NULL, 0);
		if (r == -EPROTONOSUPPORT) {
			char msg[128];

			control_errmsg(msg, sizeof(msg),
				       "xmhv speaks interface version %u, "
				       "the peer version %u",
				       XMHV_INTERFACE_VERSION, cl->hdr.version);
			log_warn("domain %s: %s", control_name(ctl), msg);
			(void)!control_reply(cl->fd, cl->hdr.seq, r, msg);
		}
		if (r < 0) {
			control_client_close(ctl, cl);
			return;
		}
		if (!cl->msg)
			cl->msg = calloc(1, sizeof(*cl->msg));
		if (!cl->msg) {
			control_client_close(ctl, cl);
			return;
		}
	}
	if (cl->have == sizeof(cl->hdr) + cl->hdr.length) {
		cl->have = 0;
		control_dispatch(ctl, cl);
	}
}

static void
control_on_client(void *opaque, int fd, uint32_t events)
{
	struct control_client *cl = opaque;

	(void)fd;
	(void)events;
	control_client_read(cl->ctl, cl);
}

/* Serve fd in client slot i; closed when the loop cannot watch it. */
void
control_client_add(struct control *ctl, int i, int fd)
{
	struct control_client *cl = &ctl->clients[i];

	cl->fd = fd;
	cl->ctl = ctl;
	if (loop_add(ctl->loop, fd, EPOLLIN, control_on_client, cl) < 0)
		control_client_close(ctl, cl);
}

static void
control_accept(struct control *ctl)
{
	int fd, i;

	fd = accept4(ctl->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		if (ctl->clients[i].fd < 0) {
			control_client_add(ctl, i, fd);
			return;
		}
	}
	close(fd); /* too many connections */
}

static void
control_on_listen(void *opaque, int fd, uint32_t events)
{
	(void)fd;
	(void)events;
	control_accept(opaque);
}

int
control_listen(struct control *ctl)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	mode_t old;
	int fd, r;

	memcpy(sa.sun_path, ctl->sock_path, sizeof(sa.sun_path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	(void)unlink(ctl->sock_path);
	old = umask(0177); /* the control socket is 0600: root/owner only */
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0 || listen(fd, 16) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	r = loop_add(ctl->loop, fd, EPOLLIN, control_on_listen, ctl);
	if (r < 0) {
		close(fd);
		return r;
	}
	ctl->listen_fd = fd;
	return 0;
}
