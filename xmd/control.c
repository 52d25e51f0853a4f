/* SPDX-License-Identifier: GPL-2.0-or-later */
/* control.c: xmd's XML-RPC server: HTTP/1.1 POST /RPC2 on a unix socket,
 * one request per connection, peer credentials, method dispatch. The
 * socket, its listener and the limits on connections: control_conn.c. */
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

#include "control_int.h"
#include "log.h"
#include "util.h"
#include "xmd.h"

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
		control_arm_deadline(req, true);
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

void
control_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
		  struct sockaddr *sa, int salen, void *arg)
{
	struct timeval tv = {.tv_sec = CONTROL_TIMEOUT_S};
	struct xmd *x = arg;
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
	req->deadline = control_deadline_new(req);
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
	if (!control_admit(req))
		return;
	if (req->access == CONTROL_DENIED) {
		log_warn("control: uid %u (pid %d) refused", (unsigned)req->uid,
			 (int)req->pid);
		control_fault(req, XMLRPC_FAULT_PERM, "Permission denied");
		return;
	}
	bufferevent_enable(req->bev, EV_READ);
}
