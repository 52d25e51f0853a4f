/* SPDX-License-Identifier: GPL-2.0-or-later */
/* control_conn.c: the control socket and the limits that keep it
 * answering (admission.h): connection caps with a share reserved for root,
 * deadlines for a request's head and body, rate-limited log lines, and no
 * accept loop spinning when the process is out of file descriptors. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "admission.h"
#include "control_int.h"
#include "log.h"
#include "util.h"

#define CONTROL_RESUME_S 1 /* out of fds: try accepting again after */
#define CONTROL_NOTE_S 10  /* at most one log line per kind and period */

static struct evconnlistener *control_listener;
static struct admission control_adm;
static struct event *control_resume_ev;
static bool control_listening;
static bool control_out_of_fds;

/* Rate-limited log lines: the first of a kind, then a count per period. */
enum control_note_kind {
	NOTE_REFUSED,
	NOTE_HEAD_TIMEOUT,
	NOTE_BODY_TIMEOUT,
	NOTE_ACCEPT_ERROR,
	NOTE_KINDS,
};
static struct {
	uint64_t last_ns;
	unsigned unlogged;
} control_notes[NOTE_KINDS];

static void control_note(enum control_note_kind k, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
control_note(enum control_note_kind k, const char *fmt, ...)
{
	uint64_t now = util_now_ns();
	char msg[512];
	va_list ap;

	if (control_notes[k].last_ns &&
	    now - control_notes[k].last_ns < CONTROL_NOTE_S * 1000000000ull) {
		control_notes[k].unlogged++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (control_notes[k].unlogged)
		log_warn("control: %s (and %u more like it in the last %d s)",
			 msg, control_notes[k].unlogged, CONTROL_NOTE_S);
	else
		log_warn("control: %s", msg);
	control_notes[k].last_ns = now;
	control_notes[k].unlogged = 0;
}

/* Accept while there is room and file descriptors; log each change. */
static void
control_listen_update(void)
{
	bool want = !control_out_of_fds &&
		    control_adm.total < control_adm.lim.max_conns;

	if (!control_listener || want == control_listening)
		return;
	if (want) {
		evconnlistener_enable(control_listener);
		log_info("control: accepting connections again (%u open)",
			 control_adm.total);
	} else {
		evconnlistener_disable(control_listener);
		if (!control_out_of_fds)
			log_warn("control: %u connections open, the limit "
				 "(--max-connections): new ones wait",
				 control_adm.total);
	}
	control_listening = want;
}

/* The client's fd goes: its slot is free, accepting may resume. */
void
control_drop_bev(struct control_req *req)
{
	if (req->bev)
		bufferevent_free(req->bev);
	req->bev = NULL;
	if (req->counted)
		admission_release(&control_adm, req->access == CONTROL_FULL,
				  req->uid);
	req->counted = false;
	control_out_of_fds = false;
	control_listen_update();
}

void
control_free(struct control_req *req)
{
	control_drop_bev(req);
	if (req->deadline)
		event_free(req->deadline);
	free(req);
}

/* A client that has not sent its whole request by its deadline (a head
 * within head_timeout_s of the accept, the body within request_timeout_s)
 * is dropped, however slowly it trickles. */
static void
control_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct control_req *req = arg;

	(void)fd;
	(void)what;
	if (req->pending || req->answered)
		return;
	if (req->have_head)
		control_note(NOTE_BODY_TIMEOUT,
			     "uid %u (pid %d): request body not complete "
			     "within %u s: dropped",
			     (unsigned)req->uid, (int)req->pid,
			     control_adm.lim.request_timeout_s);
	else
		control_note(NOTE_HEAD_TIMEOUT,
			     "uid %u (pid %d): request head not complete "
			     "within %u s: dropped",
			     (unsigned)req->uid, (int)req->pid,
			     control_adm.lim.head_timeout_s);
	control_free(req);
}

void
control_arm_deadline(struct control_req *req, bool body)
{
	unsigned secs = body ? control_adm.lim.request_timeout_s
			     : control_adm.lim.head_timeout_s;
	uint64_t due = req->accepted_ns + secs * 1000000000ull;
	uint64_t now = util_now_ns();
	uint64_t left = due > now ? due - now : 0;
	struct timeval tv = {
		.tv_sec = (time_t)(left / 1000000000ull),
		.tv_usec = (suseconds_t)(left % 1000000000ull / 1000)};

	event_add(req->deadline, &tv);
}

struct event *
control_deadline_new(struct control_req *req)
{
	return event_new(req->x->base, -1, 0, control_deadline_cb, req);
}

bool
control_admit(struct control_req *req)
{
	enum admission_verdict verdict;

	verdict = admission_check(&control_adm, req->access == CONTROL_FULL,
				  req->uid);
	if (verdict != ADMIT_OK ||
	    admission_take(&control_adm, req->access == CONTROL_FULL,
			   req->uid) < 0) {
		control_note(NOTE_REFUSED, "uid %u (pid %d) refused: %s",
			     (unsigned)req->uid, (int)req->pid,
			     admission_reason(verdict));
		req->refused = true;
		control_fault(req, XMLRPC_FAULT_GENERIC,
			      "xmd is busy: %s; try again",
			      admission_reason(verdict));
		return false;
	}
	req->counted = true;
	control_listen_update();
	control_arm_deadline(req, false);
	return true;
}

static void
control_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	control_out_of_fds = false;
	control_listen_update();
}

/* accept(2) failed. Out of file descriptors (or memory): stop accepting
 * until a connection closes or CONTROL_RESUME_S passes, instead of being
 * called again at once, forever (the pending connection stays in the
 * backlog). */
static void
control_accept_error(struct evconnlistener *l, void *arg)
{
	int err = EVUTIL_SOCKET_ERROR();
	struct timeval tv = {.tv_sec = CONTROL_RESUME_S};

	(void)l;
	(void)arg;
	control_note(NOTE_ACCEPT_ERROR,
		     "accept: %s, with %u connections open%s", strerror(err),
		     control_adm.total,
		     err == EMFILE || err == ENFILE || err == ENOBUFS ||
				     err == ENOMEM
			     ? ": not accepting until one closes"
			     : "");
	if (err != EMFILE && err != ENFILE && err != ENOBUFS && err != ENOMEM)
		return;
	control_out_of_fds = true;
	control_listen_update();
	event_add(control_resume_ev, &tv);
}

int
control_init(struct xmd *x)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = -1, rc;
	mode_t old;

	control_adm.lim = x->limits;
	rc = util_strlcpy(sa.sun_path, x->sock_path, sizeof(sa.sun_path));
	if (rc < 0)
		goto fail;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		rc = -errno;
		goto fail;
	}
	(void)unlink(x->sock_path);
	old = umask(0117);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? -errno : 0;
	umask(old);
	if (rc < 0)
		goto fail;
	if (chmod(x->sock_path, 0660) < 0 ||
	    (x->has_ro_group &&
	     chown(x->sock_path, (uid_t)-1, x->ro_gid) < 0)) {
		rc = -errno;
		goto fail;
	}
	control_listener = evconnlistener_new(
		x->base, control_accept_cb, x,
		LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 64, fd);
	control_resume_ev = event_new(x->base, -1, 0, control_resume_cb, x);
	if (!control_listener || !control_resume_ev) {
		rc = -ENOMEM;
		goto fail;
	}
	evconnlistener_set_error_cb(control_listener, control_accept_error);
	control_listening = true;
	x->listen_fd = fd;
	return 0;
fail:
	if (control_listener) {
		evconnlistener_free(control_listener); /* closes fd */
		control_listener = NULL;
		fd = -1;
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

void
control_dispose(struct xmd *x)
{
	if (control_listener)
		evconnlistener_free(control_listener);
	control_listener = NULL;
	if (control_resume_ev)
		event_free(control_resume_ev);
	control_resume_ev = NULL;
	admission_dispose(&control_adm);
	x->listen_fd = -1;
}
