/* SPDX-License-Identifier: GPL-2.0-or-later */
/* control_int.h: what control.c (HTTP, XML-RPC, dispatch) and
 * control_conn.c (the socket, admission, deadlines) share: one client
 * connection and the calls between the two. */
#ifndef XMD_CONTROL_INT_H
#define XMD_CONTROL_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "xmd.h"

#define CONTROL_TIMEOUT_S 60
#define CONTROL_LINGER_S 5
#define CONTROL_LINGER_BYTES (64u << 20)

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

/* control.c: a new connection on the listener. */
void control_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
		       struct sockaddr *sa, int salen, void *arg);

/* control_conn.c */
/* The deadline timer of req (NULL: ENOMEM); armed by control_arm_deadline:
 * the head's (head_timeout_s after the accept), or with body the whole
 * request's (request_timeout_s). At the deadline req is dropped. */
struct event *control_deadline_new(struct control_req *req);
void control_arm_deadline(struct control_req *req, bool body);
/* Count req (access and uid known) against the limits and arm its head
 * deadline; false after answering "xmd is busy" (req then goes once the
 * answer is written). */
bool control_admit(struct control_req *req);
/* Close req's connection (its admission slot is freed, accepting may
 * resume); req itself stays for a worker that still holds it. */
void control_drop_bev(struct control_req *req);
/* Close the connection and free req. */
void control_free(struct control_req *req);

#endif
