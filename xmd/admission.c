/* SPDX-License-Identifier: GPL-2.0-or-later */
/* admission.c: the connection limits of admission.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "admission.h"

void
admission_defaults(struct admission_limits *lim)
{
	lim->max_conns = ADMISSION_MAX_CONNS;
	lim->reserved_full = ADMISSION_RESERVED_FULL;
	lim->max_per_uid = ADMISSION_MAX_PER_UID;
	lim->head_timeout_s = ADMISSION_HEAD_TIMEOUT_S;
	lim->request_timeout_s = ADMISSION_REQUEST_TIMEOUT_S;
}

int
admission_check_limits(const struct admission_limits *lim, char *msg,
		       size_t msglen)
{
	if (lim->max_conns < 2)
		snprintf(msg, msglen, "max-connections %u: at least 2",
			 lim->max_conns);
	else if (lim->reserved_full == 0 ||
		 lim->reserved_full >= lim->max_conns)
		snprintf(msg, msglen,
			 "reserved-connections %u: from 1 to max-connections "
			 "- 1 (%u)",
			 lim->reserved_full, lim->max_conns - 1);
	else if (lim->max_per_uid == 0)
		snprintf(msg, msglen, "max-connections-per-user: at least 1");
	else if (lim->head_timeout_s == 0 || lim->request_timeout_s == 0)
		snprintf(msg, msglen, "request timeouts: at least 1 s");
	else if (lim->head_timeout_s > lim->request_timeout_s)
		snprintf(msg, msglen,
			 "head timeout %u s is longer than the request "
			 "timeout %u s",
			 lim->head_timeout_s, lim->request_timeout_s);
	else
		return 0;
	return -EINVAL;
}

static struct admission_uid *
admission_find(const struct admission *a, uid_t uid)
{
	size_t i;

	for (i = 0; i < a->nuids; i++)
		if (a->uids[i].uid == uid)
			return &a->uids[i];
	return NULL;
}

enum admission_verdict
admission_check(const struct admission *a, bool full, uid_t uid)
{
	const struct admission_uid *u;

	if (a->total >= a->lim.max_conns)
		return ADMIT_TOTAL;
	if (full)
		return ADMIT_OK;
	if (a->others >= a->lim.max_conns - a->lim.reserved_full)
		return ADMIT_SHARE;
	u = admission_find(a, uid);
	if (u && u->n >= a->lim.max_per_uid)
		return ADMIT_UID;
	return ADMIT_OK;
}

int
admission_take(struct admission *a, bool full, uid_t uid)
{
	struct admission_uid *u;

	if (!full) {
		u = admission_find(a, uid);
		if (!u) {
			if (a->nuids == a->cap) {
				size_t cap = a->cap ? 2 * a->cap : 8;

				u = realloc(a->uids, cap * sizeof(*u));
				if (!u)
					return -ENOMEM;
				a->uids = u;
				a->cap = cap;
			}
			u = &a->uids[a->nuids++];
			*u = (struct admission_uid){.uid = uid};
		}
		u->n++;
		a->others++;
	}
	a->total++;
	return 0;
}

void
admission_release(struct admission *a, bool full, uid_t uid)
{
	struct admission_uid *u;

	if (a->total)
		a->total--;
	if (full)
		return;
	if (a->others)
		a->others--;
	u = admission_find(a, uid);
	if (u && --u->n == 0)
		*u = a->uids[--a->nuids]; /* order does not matter */
}

const char *
admission_reason(enum admission_verdict v)
{
	switch (v) {
	case ADMIT_OK:
		return "admitted";
	case ADMIT_TOTAL:
		return "the connection limit is reached";
	case ADMIT_SHARE:
		return "the connections for non-root clients are all in use";
	case ADMIT_UID:
		return "this user holds its share of connections";
	}
	return "?";
}

void
admission_dispose(struct admission *a)
{
	free(a->uids);
	a->uids = NULL;
	a->nuids = a->cap = 0;
	a->total = a->others = 0;
}
