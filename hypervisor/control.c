/* SPDX-License-Identifier: GPL-2.0-or-later */
/* control.c: xmhv in toolstack mode: builds the VM libxmhv asked for,
 * publishes it, and runs the loop that serves its control socket
 * (control_client.c), events and console until destroy. */
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
void
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
void
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
