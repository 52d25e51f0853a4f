/* SPDX-License-Identifier: GPL-2.0-or-later */
/* control.c: xmhv in toolstack mode: builds the VM libxmhv asked for and
 * serves its control socket (requests, events) and console. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
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
#include "control.h"
#include "control_int.h"
#include "creation.h"
#include "log.h"
#include "loop.h"
#include "proto.h"
#include "sandbox.h"
#include "util.h"
#include "vm.h"

void
control_errmsg(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

const char *
control_name(const struct control *ctl)
{
	return ctl->c.cfg.name[0] ? ctl->c.cfg.name : "(unnamed)";
}

typedef int (*control_handler)(struct control *ctl, struct control_client *cl,
			       union control_answer *ans);

/* SIGTERM/SIGINT/SIGHUP: destroy the domain as DESTROY would (the toolstack
 * sees it gone, not crashed). The handler only sets a flag and wakes the
 * loop through the state eventfd. */
static volatile sig_atomic_t control_term;
static int control_term_fd = -1;

static void
control_signal(int sig)
{
	uint64_t one = 1;
	int saved = errno;

	(void)sig;
	control_term = 1;
	if (control_term_fd >= 0)
		(void)!write(control_term_fd, &one, sizeof(one));
	errno = saved;
}

static void
control_catch_signals(int fd)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = control_signal;
	sigemptyset(&sa.sa_mask);
	control_term_fd = fd;
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		(void)sigaction(sigs[i], &sa, NULL);
}

static void
control_state_cb(void *opaque, uint32_t state, enum xmhv_shutdown_reason reason)
{
	struct control *ctl = opaque;
	struct control_evq *q = &ctl->evq;
	uint64_t one = 1;

	pthread_mutex_lock(&q->lock);
	if (q->head - q->tail < CONTROL_EVQ) {
		q->ev[q->head % CONTROL_EVQ].state = state;
		q->ev[q->head % CONTROL_EVQ].reason = reason;
		q->head++;
	} else {
		/* Full: keep the newest, which is what watchers need most. */
		q->ev[(q->head - 1) % CONTROL_EVQ].state = state;
		q->ev[(q->head - 1) % CONTROL_EVQ].reason = reason;
	}
	pthread_mutex_unlock(&q->lock);
	(void)!write(q->fd, &one, sizeof(one));
}

/* A device needs this thread (vm_service): wake the loop. */
static void
control_wake(void *opaque)
{
	struct control *ctl = opaque;
	uint64_t one = 1;

	atomic_store(&ctl->service, true);
	(void)!write(ctl->evq.fd, &one, sizeof(one));
}

static void
control_console_out(void *opaque, const uint8_t *buf, size_t len)
{
	struct control *ctl = opaque;

	console_output(ctl->console, buf, len);
}

static size_t
control_console_input(void *opaque, const uint8_t *buf, size_t len)
{
	return vm_console_input(opaque, buf, len);
}

/* Push one event to every watcher. A watcher whose socket is full loses
 * the event rather than stalling the monitor. */
static void
control_push_event(struct control *ctl, uint32_t state, uint32_t reason)
{
	struct proto_event ev = {
		.domid = ctl->c.domid, .state = state, .reason = reason};
	struct xmhv_dominfo info;
	struct {
		struct proto_hdr hdr;
		struct proto_event ev;
	} m;
	int i;

	/* Why the monitor paused the domain itself travels in the event's
	 * last word (zero in monitors before disks, so old peers ignore it). */
	if ((state & XMHV_STATE_PAUSED) && ctl->vm) {
		memset(&info, 0, sizeof(info));
		vm_getinfo(ctl->vm, &info);
		ev.pause_reason = info.pause_reason;
	}
	if ((state & CONTROL_EVENT_BITS) == (ctl->state & CONTROL_EVENT_BITS) &&
	    reason == ctl->reason && ev.pause_reason == ctl->pause_reason)
		return;
	ctl->state = state;
	ctl->reason = reason;
	ctl->pause_reason = ev.pause_reason;
	proto_hdr_init(&m.hdr, XMHV_INTERFACE_VERSION, PROTO_EVENT, sizeof(ev),
		       0);
	m.ev = ev;
	log_info("domain %s: state %s%s%s%s", control_name(ctl),
		 xmhv_state_string(state, (char[7]){0}),
		 reason ? ", reason " : "",
		 reason ? xmhv_reason_name(reason) : "",
		 ev.pause_reason ? ", paused: no space left on a disk" : "");
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct control_client *cl = &ctl->clients[i];

		if (cl->fd >= 0 && cl->watch)
			(void)!send(cl->fd, &m, sizeof(m),
				    MSG_DONTWAIT | MSG_NOSIGNAL);
	}
}

/* Re-read the VM state after a request and tell watchers if it moved. */
static void
control_sync_state(struct control *ctl)
{
	struct xmhv_dominfo info;

	memset(&info, 0, sizeof(info));
	vm_getinfo(ctl->vm, &info);
	control_push_event(ctl, info.state, info.shutdown_reason);
}

static void
control_drain_events(struct control *ctl)
{
	struct control_evq *q = &ctl->evq;
	uint64_t v;

	(void)!read(q->fd, &v, sizeof(v));
	for (;;) {
		uint32_t state, reason;

		pthread_mutex_lock(&q->lock);
		if (q->tail == q->head) {
			pthread_mutex_unlock(&q->lock);
			break;
		}
		state = q->ev[q->tail % CONTROL_EVQ].state;
		reason = q->ev[q->tail % CONTROL_EVQ].reason;
		q->tail++;
		pthread_mutex_unlock(&q->lock);
		control_push_event(ctl, state, reason);
	}
}

static int
control_do_ping(struct control *ctl, struct control_client *cl,
		union control_answer *ans)
{
	return 0;
}

int
control_check_alive(struct control *ctl, union control_answer *ans)
{
	if (!(ctl->state & (XMHV_STATE_SHUTDOWN | XMHV_STATE_CRASHED)))
		return 0;
	control_errmsg(ans->reply.msg, sizeof(ans->reply.msg),
		       "domain %s has shut down (%s)", control_name(ctl),
		       xmhv_reason_name(ctl->reason));
	return -EINVAL;
}

static int
control_do_unpause(struct control *ctl, struct control_client *cl,
		   union control_answer *ans)
{
	int r = control_check_alive(ctl, ans);

	if (r == 0)
		r = vm_unpause(ctl->vm);

	control_sync_state(ctl);
	return r;
}

static int
control_do_pause(struct control *ctl, struct control_client *cl,
		 union control_answer *ans)
{
	int r = control_check_alive(ctl, ans);

	if (r == 0)
		r = vm_pause(ctl->vm);

	control_sync_state(ctl);
	return r;
}

static int
control_do_shutdown(struct control *ctl, struct control_client *cl,
		    union control_answer *ans)
{
	int r = control_check_alive(ctl, ans);

	return r < 0 ? r : vm_request_shutdown(ctl->vm, cl->msg->u32.value);
}

static int
control_do_set_vcpus(struct control *ctl, struct control_client *cl,
		     union control_answer *ans)
{
	if (cl->msg->u32.value > ctl->c.cfg.max_vcpus) {
		control_errmsg(ans->reply.msg, sizeof(ans->reply.msg),
			       "domain %s has at most %u vcpus",
			       control_name(ctl), ctl->c.cfg.max_vcpus);
		return -EINVAL;
	}
	return vm_set_vcpus(ctl->vm, cl->msg->u32.value);
}

static int
control_do_watch(struct control *ctl, struct control_client *cl,
		 union control_answer *ans)
{
	cl->watch = true;
	return 0;
}

static int
control_do_destroy(struct control *ctl, struct control_client *cl,
		   union control_answer *ans)
{
	/* Watchers learn that the EOF which follows is a destroy. */
	control_push_event(ctl, ctl->state | XMHV_STATE_DYING, ctl->reason);
	ctl->destroyed = true;
	loop_stop(ctl->loop);
	return 0;
}

static int
control_do_getinfo(struct control *ctl, struct control_client *cl,
		   union control_answer *ans)
{
	struct xmhv_dominfo *info = &ans->info.info;

	memset(info, 0, sizeof(*info));
	vm_getinfo(ctl->vm, info);
	info->domid = ctl->c.domid;
	memcpy(info->name, ctl->c.cfg.name, sizeof(info->name));
	memcpy(info->uuid, ctl->c.cfg.uuid, sizeof(info->uuid));
	info->pid = getpid();
	if (info->uptime_ns == 0)
		info->uptime_ns = util_now_ns() - ctl->created_ns;
	if (ctl->destroyed)
		info->state |= XMHV_STATE_DYING;
	return 0;
}

static int
control_do_create_again(struct control *ctl, struct control_client *cl,
			union control_answer *ans)
{
	control_errmsg(ans->reply.msg, sizeof(ans->reply.msg),
		       "domain %u is already built", ctl->c.domid);
	return -EEXIST;
}

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
static void
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

static int
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

/* Everything after vm_create that can fail: pid file, sockets (the
 * monitor's own files in run_dir). The console log is the fd the
 * toolstack sent. On failure errmsg says what and the caller removes what
 * was made. */
static int
control_publish(struct control *ctl, char *errmsg, size_t errlen)
{
	const char *dir = ctl->c.run_dir;
	xmhv_domid_t id = ctl->c.domid;
	char path[XMHV_PATH_MAX], pid[32];
	int r;

	if (ctl->c.cfg.console_log_fd >= 0) {
		console_set_log(ctl->console, ctl->c.cfg.console_log_fd);
		ctl->c.cfg.console_log_fd = -1;
	}
	r = util_snprintf(ctl->pid_path, sizeof(ctl->pid_path), "%s/%u.pid",
			  dir, id);
	if (r == 0)
		r = util_snprintf(ctl->sock_path, sizeof(ctl->sock_path),
				  "%s/%u.sock", dir, id);
	if (r == 0)
		r = util_snprintf(path, sizeof(path), "%s/%u.console", dir, id);
	if (r < 0) {
		control_errmsg(errmsg, errlen, "%s: path too long", dir);
		return r;
	}
	control_errmsg(pid, sizeof(pid), "%d\n", (int)getpid());
	/* pid first: a socket without a pid file is a dead monitor's. */
	r = util_write_file_atomic(ctl->pid_path, pid, strlen(pid), 0600);
	if (r == 0)
		r = control_listen(ctl);
	if (r == 0)
		r = console_listen(ctl->console, path);
	if (r < 0)
		control_errmsg(errmsg, errlen, "%s: %s", dir, strerror(-r));
	return r;
}

static void
control_unpublish(struct control *ctl)
{
	if (ctl->listen_fd >= 0) {
		loop_del(ctl->loop, ctl->listen_fd);
		close(ctl->listen_fd);
		ctl->listen_fd = -1;
		(void)unlink(ctl->sock_path);
	}
	if (ctl->pid_path[0])
		(void)unlink(ctl->pid_path);
}

/* Receive the creation sequence, build and publish the domain, answer
 * START (or the message refused). */
static int
control_build(struct control *ctl, int ctl_fd)
{
	struct vm_callbacks cb = {.state = control_state_cb,
				  .console_out = control_console_out,
				  .wake = control_wake,
				  .opaque = ctl};
	char errmsg[PROTO_ERRMSG_MAX] = "";
	int r;

	r = creation_receive(ctl_fd, CONTROL_CREATE_TIMEOUT_MS, &ctl->c, errmsg,
			     sizeof(errmsg));
	if (r < 0)
		goto out;
	r = vm_create(&ctl->c.cfg, &cb, &ctl->vm, errmsg, sizeof(errmsg));
	creation_close_boot(&ctl->c); /* loaded into guest memory, or not */
	if (r == 0)
		creation_close_disks(&ctl->c); /* the disks hold their own */
	if (r < 0) {
		if (!errmsg[0])
			control_errmsg(errmsg, sizeof(errmsg), "%s: %s",
				       ctl->c.cfg.kernel, strerror(-r));
		goto out;
	}
	console_set_input(ctl->console, control_console_input, ctl->vm);
	r = control_publish(ctl, errmsg, sizeof(errmsg));
	if (r < 0)
		goto out;
	ctl->created_ns = util_now_ns();
	/* Everything that needs open/bind is done: give up the rest before
	 * the first guest instruction (unpause). */
	r = sandbox_enter(NULL, 0);
	if (r < 0) {
		/* Never run a guest unconfined: the domain is not started. */
		control_errmsg(errmsg, sizeof(errmsg),
			       "cannot confine the monitor (sandbox): %s",
			       strerror(-r));
		goto out;
	}
	creation_log(&ctl->c);
	control_sync_state(ctl);
	log_info("domain %s: id %u built", control_name(ctl), ctl->c.domid);
out:
	if (r < 0)
		log_err("domain %s: %s", control_name(ctl), errmsg);
	if (control_reply(ctl_fd, ctl->c.seq, r, r < 0 ? errmsg : NULL) < 0 &&
	    r == 0)
		r = -EPIPE;
	return r;
}

/* State changes from vCPU threads, and the signals that destroy. */
static void
control_on_events(void *opaque, int fd, uint32_t events)
{
	struct control *ctl = opaque;

	(void)fd;
	(void)events;
	control_drain_events(ctl);
	if (ctl->vm && atomic_exchange(&ctl->service, false)) {
		vm_service(ctl->vm, control_device_removed, ctl);
		control_sync_state(ctl);
	}
	if (control_term && !ctl->destroyed) {
		log_info("domain %s: signal: destroying", control_name(ctl));
		control_push_event(ctl, ctl->state | XMHV_STATE_DYING,
				   ctl->reason);
		ctl->destroyed = true;
		loop_stop(ctl->loop);
	}
}

/* See control.h: build, publish, serve until destroy. Main thread. */
int
control_main(int ctl_fd)
{
	struct control *ctl = calloc(1, sizeof(*ctl));
	int i, r, status = 1;

	if (!ctl) {
		close(ctl_fd);
		return 1;
	}
	(void)signal(SIGPIPE, SIG_IGN);
	ctl->listen_fd = -1;
	creation_init(&ctl->c);
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		ctl->clients[i].fd = ctl->clients[i].msg_fd =
			ctl->clients[i].vhost_fd = -1;
	pthread_mutex_init(&ctl->evq.lock, NULL);
	ctl->evq.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	r = ctl->evq.fd < 0 ? -errno : loop_new(&ctl->loop);
	if (r == 0)
		r = loop_add(ctl->loop, ctl->evq.fd, EPOLLIN, control_on_events,
			     ctl);
	if (r == 0)
		r = console_new(ctl->loop, &ctl->console);
	if (r < 0) {
		log_err("xmhv: %s", strerror(-r));
		goto out;
	}
	r = control_build(ctl, ctl_fd);
	if (r < 0)
		goto out;
	ctl->built = true;
	control_catch_signals(ctl->evq.fd);
	/* The creating connection stays: libxmhv watches events on it. */
	if (util_set_nonblock(ctl_fd, true) == 0) {
		control_client_add(ctl, 0, ctl_fd);
		ctl_fd = -1;
	}
	r = loop_run(ctl->loop);
	status = r < 0 ? 1 : 0;
	if (r < 0)
		log_err("domain %s: %s", control_name(ctl), strerror(-r));
out:
	/* Files first, so that the domain is gone from listings at once. */
	control_unpublish(ctl);
	vm_destroy(ctl->vm); /* no vCPU thread writes to the console after */
	console_free(ctl->console);
	creation_dispose(&ctl->c); /* the disks and taps the domain held */
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		control_client_close(ctl, &ctl->clients[i]);
	if (ctl_fd >= 0)
		close(ctl_fd);
	control_term_fd = -1;
	if (ctl->evq.fd >= 0) {
		if (ctl->loop)
			loop_del(ctl->loop, ctl->evq.fd);
		close(ctl->evq.fd);
	}
	pthread_mutex_destroy(&ctl->evq.lock);
	loop_free(ctl->loop);
	free(ctl);
	return status;
}
