/* SPDX-License-Identifier: GPL-2.0-or-later */
/* keys.h: what the files that validate config keys share (keys.c, keyval.c,
 * keylist.c): the validation context and the value conversions. */
#ifndef XMCFG_KEYS_H
#define XMCFG_KEYS_H

#include "internal.h"

#define KEY_MSG 512
#define D(f) offsetof(struct xmcfg_domain, f)

struct key_ctx {
	const struct xmbindings *b;
	struct xmcfg_domain *dom;
	const char *path;
	struct xmcfg_error *err;
	const struct xmbinding *cur;
	bool set_action[3];
	bool has_cpu;
	uint32_t cpu;
	const struct xmval *cpus_list; /* per-vCPU form, checked at the end */
	int cpus_line;
	int builder_type; /* -1: no builder=, else enum xmcfg_guest_type */
	int wline[XMCFG_MAX_WARNINGS]; /* the line of each warning */
};

/* Fail on the current key: err filled with its line (or "(command line)"
 * for a VAR=VALUE). Returns -1. */
int keyval_fail(struct key_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Text that may go into XML, SXP and command lines: valid UTF-8, no control
 * characters but tab. */
bool keyval_text_ok(const char *s);
/* A value as a string: str as is, int in decimal. 0 and *out (malloc'd),
 * or -1 with the error set. */
int keyval_str(struct key_ctx *c, const char *what, const struct xmval *v,
	       char **out);
/* An unsigned integer in [min, max] from an int, a whole float or digits. */
int keyval_u64(struct key_ctx *c, const char *what, const struct xmval *v,
	       uint64_t min, uint64_t max, uint64_t *out);
/* A list of strings (a string is a one-entry list): *items, *n. */
int keyval_list(struct key_ctx *c, const char *what, const struct xmval *v,
		const struct xmval **items, size_t *n);
/* A UUID into dom->uuid. */
int keyval_uuid(struct key_ctx *c, const char *s);

/* keylist.c: each sets its domain fields from v, 0 or -1 with the error. */
int keylist_disks(struct key_ctx *c, const struct xmval *v);
int keylist_vifs(struct key_ctx *c, const struct xmval *v);
int keylist_cpuids(struct key_ctx *c, const struct xmval *v);
int keylist_restart(struct key_ctx *c, const char *s);
int keylist_type(struct key_ctx *c, const struct xmkey_def *k,
		 const struct xmval *v);
int keylist_bootargs(struct key_ctx *c, const struct xmval *v);

#endif
