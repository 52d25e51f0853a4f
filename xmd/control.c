/* SPDX-License-Identifier: GPL-2.0-or-later */
/* control.c: xmd's XML-RPC server: HTTP/1.1 POST /RPC2 on a unix socket,
 * one request per connection, peer credentials, method dispatch, and the
 * limits that keep it answering (admission.h): connection caps with a
 * share reserved for root, deadlines for a request's head and body, and
 * no accept loop spinning when the process is out of file descriptors. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "admission.h"
#include "log.h"
#include "util.h"
#include "xmd.h"

#define CONTROL_TIMEOUT_S 60
#define CONTROL_LINGER_S 5
#define CONTROL_LINGER_BYTES (64u << 20)
#define CONTROL_RESUME_S 1 /* out of fds: try accepting again after */
#define CONTROL_NOTE_S 10  /* at most one log line per kind and period */

enum control_access {
	CONTROL_DENIED,
	CONTROL_READONLY,
	CONTROL_FULL,
};

/* One client connection (= one request). */
struct control_req {
	struct xmd *x;
	struct bufferevent *bev;
	enum control_access access;
	pid_t pid;
	uid_t uid;
	bool have_head;
	bool have_body;
	bool lingering; /* answered early: draining the rest */
	size_t drained;
	bool answered;
	bool pending; /* a worker holds the request */
	bool dead;    /* the client went away while pending */
	bool counted; /* holds an admission slot */
	bool refused; /* answered at once: close after the answer */
	struct event *deadline;
	uint64_t accepted_ns;
	size_t body_len;
	char method[64];
};

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
static void
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

static void
control_free(struct control_req *req)
{
	control_drop_bev(req);
	if (req->deadline)
		event_free(req->deadline);
	free(req);
}

static void
control_send(struct control_req *req, int status, const char *reason,
	     const char *body, size_t len)
{
	struct evbuffer *out;

	req->answered = true;
	req->pending = false;
	if (req->dead) {
		control_free(req);
		return;
	}
	out = bufferevent_get_output(req->bev);
	evbuffer_add_printf(out,
			    "HTTP/1.1 %d %s\r\nServer: xmd\r\n"
			    "Content-Type: text/xml\r\n"
			    "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			    status, reason, len);
	evbuffer_add(out, body, len);
	bufferevent_disable(req->bev, EV_READ);
	bufferevent_enable(req->bev, EV_WRITE);
}

void
control_reply(struct control_req *req, struct xmlrpc_value *value)
{
	size_t len;
	char *doc;

	doc = xmlrpc_format_response(value, &len);
	xmlrpc_free(value);
	if (!doc) {
		control_fault(req, XMLRPC_FAULT_GENERIC, "out of memory");
		return;
	}
	control_send(req, 200, "OK", doc, len);
	free(doc);
}

void
control_fault(struct control_req *req, int code, const char *fmt, ...)
{
	char msg[2048];
	size_t len;
	va_list ap;
	char *doc;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	doc = xmlrpc_format_fault(code, msg, &len);
	if (!doc) {
		control_send(req, 500, "Internal Server Error", "", 0);
		return;
	}
	control_send(req, 200, "OK", doc, len);
	free(doc);
}

static void
control_http_error(struct control_req *req, int status, const char *reason)
{
	control_send(req, status, reason, "", 0);
}

static void
control_dispatch(struct control_req *req, const char *body, size_t len)
{
	const struct control_method *m;
	struct xmlrpc_call *call = NULL;
	struct xmlrpc_value *result;
	bool pending = false;
	uint64_t t0;
	char err[256];
	int rc;

	rc = xmlrpc_parse_call(body, len, &call, err, sizeof(err));
	if (rc < 0) {
		control_fault(req, XMLRPC_FAULT_INVALID, "bad request: %s",
			      err);
		return;
	}
	XMD_STRLCPY(req->method, call->method);
	m = methods_find(call->method);
	if (!m) {
		control_fault(req, XMLRPC_FAULT_GENERIC, "Unknown method %s",
			      call->method);
		goto out;
	}
	if (req->access == CONTROL_READONLY && !m->readonly) {
		control_fault(req, XMLRPC_FAULT_PERM,
			      "Permission denied: %s needs root", m->name);
		goto out;
	}
	t0 = util_now_ns();
	result = m->fn(req->x, req, call->params, &pending);
	if (pending) {
		req->pending = true;
	} else if (result) {
		control_reply(req, result);
	} else if (!req->answered) {
		control_fault(req, XMLRPC_FAULT_GENERIC, "%s failed", m->name);
	}
	log_debug("control: %s from uid %u: %.2f ms%s", m->name,
		  (unsigned)req->uid, (double)(util_now_ns() - t0) / 1e6,
		  pending ? " (pending)" : "");
out:
	xmlrpc_call_free(call);
}

/* Parse the request head; returns 0 when complete and valid, 1 when more
 * bytes are needed, -1 after answering an error. */
static int
control_parse_head(struct control_req *req, struct evbuffer *in)
{
	struct evbuffer_ptr end;
	char *head, *line, *save, *colon;
	unsigned long long clen = 0;
	bool have_len = false;
	size_t hlen;

	end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
	if (end.pos < 0) {
		if (evbuffer_get_length(in) > XMLRPC_MAX_HEADER) {
			control_http_error(req, 431, "Header Too Large");
			return -1;
		}
		return 1;
	}
	hlen = (size_t)end.pos + 4;
	if (hlen > XMLRPC_MAX_HEADER) {
		control_http_error(req, 431, "Header Too Large");
		return -1;
	}
	head = malloc(hlen + 1);
	if (!head) {
		control_http_error(req, 500, "Internal Server Error");
		return -1;
	}
	evbuffer_remove(in, head, hlen);
	head[hlen] = '\0';
	line = strtok_r(head, "\r\n", &save);
	if (!line || strncmp(line, "POST ", 5) != 0) {
		free(head);
		control_http_error(req, 405, "Method Not Allowed");
		return -1;
	}
	if (strncmp(line + 5, "/RPC2 ", 6) != 0 &&
	    strncmp(line + 5, "/ ", 2) != 0) {
		free(head);
		control_http_error(req, 404, "Not Found");
		return -1;
	}
	while ((line = strtok_r(NULL, "\r\n", &save)) != NULL) {
		colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		if (strcasecmp(line, "Content-Length") == 0) {
			char *endp;

			clen = strtoull(colon + 1, &endp, 10);
			have_len = endp != colon + 1 && *endp == '\0';
		} else if (strcasecmp(line, "Transfer-Encoding") == 0) {
			have_len = false;
			break;
		}
	}
	free(head);
	if (!have_len) {
		control_http_error(req, 411, "Length Required");
		return -1;
	}
	if (clen > XMLRPC_MAX_REQUEST) {
		control_fault(req, XMLRPC_FAULT_INVALID,
			      "request of %llu bytes is over the limit of %d",
			      clen, XMLRPC_MAX_REQUEST);
		return -1;
	}
	req->body_len = (size_t)clen;
	req->have_head = true;
	return 0;
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

/* Arm req's deadline secs after its accept. */
static void
control_arm_deadline(struct control_req *req, unsigned secs)
{
	uint64_t due = req->accepted_ns + secs * 1000000000ull;
	uint64_t now = util_now_ns();
	uint64_t left = due > now ? due - now : 0;
	struct timeval tv = {
		.tv_sec = (time_t)(left / 1000000000ull),
		.tv_usec = (suseconds_t)(left % 1000000000ull / 1000)};

	event_add(req->deadline, &tv);
}

static void
control_read_cb(struct bufferevent *bev, void *arg)
{
	struct control_req *req = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	char *body;

	if (req->lingering) {
		req->drained += evbuffer_get_length(in);
		evbuffer_drain(in, evbuffer_get_length(in));
		if (req->drained > CONTROL_LINGER_BYTES)
			control_free(req);
		return;
	}
	if (req->answered || req->pending)
		return;
	if (!req->have_head) {
		if (control_parse_head(req, in) != 0)
			return;
		control_arm_deadline(req, control_adm.lim.request_timeout_s);
	}
	if (evbuffer_get_length(in) < req->body_len)
		return;
	body = malloc(req->body_len + 1);
	if (!body) {
		control_http_error(req, 500, "Internal Server Error");
		return;
	}
	evbuffer_remove(in, body, req->body_len);
	body[req->body_len] = '\0';
	req->have_body = true;
	event_del(req->deadline);
	bufferevent_disable(bev, EV_READ);
	control_dispatch(req, body, req->body_len);
	free(body);
}

static void
control_write_cb(struct bufferevent *bev, void *arg)
{
	struct timeval tv = {.tv_sec = CONTROL_LINGER_S};
	struct control_req *req = arg;

	if (!req->answered || evbuffer_get_length(bufferevent_get_output(bev)))
		return;
	if (!req->have_body && !req->refused) {
		/* Answered before the whole request arrived (too large, bad
		 * header): close our side but drain what the client still
		 * sends, so that it gets to read the answer instead of a
		 * reset. Bounded by CONTROL_LINGER_S. */
		req->lingering = true;
		(void)shutdown(bufferevent_getfd(bev), SHUT_WR);
		bufferevent_disable(bev, EV_WRITE);
		bufferevent_set_timeouts(bev, &tv, NULL);
		bufferevent_setwatermark(bev, EV_READ, 0, 0);
		bufferevent_enable(bev, EV_READ);
		return;
	}
	control_free(req);
}

static void
control_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct control_req *req = arg;

	if (req->pending) {
		/* A worker answers later; drop the connection now. */
		control_drop_bev(req);
		req->dead = true;
		return;
	}
	control_free(req);
}

static bool
control_in_group(uid_t uid, gid_t gid, gid_t want)
{
	struct passwd pw, *res = NULL;
	gid_t groups[256];
	int n = (int)ARRAY_SIZE(groups), i;
	char buf[4096];

	if (gid == want)
		return true;
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) != 0 || !res)
		return false;
	if (getgrouplist(pw.pw_name, gid, groups, &n) < 0)
		return false;
	for (i = 0; i < n; i++)
		if (groups[i] == want)
			return true;
	return false;
}

static enum control_access
control_access_of(struct xmd *x, int fd, struct control_req *req)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return CONTROL_DENIED;
	req->pid = cred.pid;
	req->uid = cred.uid;
	if (cred.uid == 0 || cred.uid == x->self_uid)
		return CONTROL_FULL;
	if (x->has_ro_group && control_in_group(cred.uid, cred.gid, x->ro_gid))
		return CONTROL_READONLY;
	return CONTROL_DENIED;
}

static void
control_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
		  struct sockaddr *sa, int salen, void *arg)
{
	struct timeval tv = {.tv_sec = CONTROL_TIMEOUT_S};
	struct xmd *x = arg;
	enum admission_verdict verdict;
	struct control_req *req;

	(void)l;
	(void)sa;
	(void)salen;
	req = calloc(1, sizeof(*req));
	if (!req) {
		close(fd);
		return;
	}
	req->x = x;
	req->accepted_ns = util_now_ns();
	req->deadline = event_new(x->base, -1, 0, control_deadline_cb, req);
	req->bev = bufferevent_socket_new(x->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!req->bev || !req->deadline) {
		if (!req->bev)
			close(fd);
		control_free(req);
		return;
	}
	bufferevent_setcb(req->bev, control_read_cb, control_write_cb,
			  control_event_cb, req);
	bufferevent_set_timeouts(req->bev, &tv, &tv);
	bufferevent_setwatermark(req->bev, EV_READ, 0,
				 XMLRPC_MAX_REQUEST + XMLRPC_MAX_HEADER);
	req->access = control_access_of(x, fd, req);
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
		return;
	}
	req->counted = true;
	control_listen_update();
	control_arm_deadline(req, control_adm.lim.head_timeout_s);
	if (req->access == CONTROL_DENIED) {
		log_warn("control: uid %u (pid %d) refused", (unsigned)req->uid,
			 (int)req->pid);
		control_fault(req, XMLRPC_FAULT_PERM, "Permission denied");
		return;
	}
	bufferevent_enable(req->bev, EV_READ);
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
