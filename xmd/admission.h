/* SPDX-License-Identifier: GPL-2.0-or-later */
/* admission.h: who may hold one more control connection. Pure counting
 * (no sockets, no clock), so the rules are unit-tested as they are:
 * - at most max_conns connections in all;
 * - clients without full access (read-only or refused ones) share
 *   max_conns - reserved_full slots: root's xm always finds one free;
 * - one such uid holds at most max_per_uid of them.
 * Full-access clients (root, xmd's own uid) are bound by the total only. */
#ifndef XMD_ADMISSION_H
#define XMD_ADMISSION_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define ADMISSION_MAX_CONNS 256
#define ADMISSION_RESERVED_FULL 32
#define ADMISSION_MAX_PER_UID 32
#define ADMISSION_HEAD_TIMEOUT_S 10
#define ADMISSION_REQUEST_TIMEOUT_S 30

struct admission_limits {
	unsigned max_conns;
	unsigned reserved_full; /* < max_conns */
	unsigned max_per_uid;
	unsigned head_timeout_s;    /* accept -> end of the request head */
	unsigned request_timeout_s; /* accept -> end of the body */
};

struct admission_uid {
	uid_t uid;
	unsigned n;
};

struct admission {
	struct admission_limits lim;
	unsigned total;  /* open connections */
	unsigned others; /* of them, without full access */
	struct admission_uid *uids;
	size_t nuids, cap;
};

enum admission_verdict {
	ADMIT_OK,
	ADMIT_TOTAL, /* max_conns reached */
	ADMIT_SHARE, /* the non-root share is used up */
	ADMIT_UID,   /* this uid holds max_per_uid */
};

/* The defaults above. */
void admission_defaults(struct admission_limits *lim);
/* Fix what cannot work (0 connections, a reserve as large as the total):
 * returns 0, or -EINVAL with msg saying which limit and why. */
int admission_check_limits(const struct admission_limits *lim, char *msg,
			   size_t msglen);
/* May a client (full access or not, uid) open one more connection? */
enum admission_verdict admission_check(const struct admission *a, bool full,
				       uid_t uid);
/* Count a connection admitted by admission_check. 0 or -ENOMEM. */
int admission_take(struct admission *a, bool full, uid_t uid);
/* Uncount a connection counted by admission_take. */
void admission_release(struct admission *a, bool full, uid_t uid);
/* Why a verdict refused, for the log and the client. */
const char *admission_reason(enum admission_verdict v);
void admission_dispose(struct admission *a);

#endif
