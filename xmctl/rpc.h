/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rpc.h: xm's calls to xmd (XML-RPC on the unix socket) and helpers to
 * read the domain structs it returns. */
#ifndef XM_RPC_H
#define XM_RPC_H

#include <stdbool.h>
#include <stdint.h>

#include "xmlrpc.h"

/* Call method on xmd with parameters described by fmt: one character per
 * argument, 's' const char *, 'i' int64_t, 'b' int (boolean), 'v' struct
 * xmlrpc_value * (taken, e.g. an array). On success
 * returns 0 and *result_out (caller frees; may be NULL when not wanted).
 * On failure prints "Error: ..." (unless quiet_nodom and the fault is
 * "no such domain") and returns the exit status: XM_EXIT_NODOM for fault 3,
 * XM_EXIT_ERR otherwise. */
int rpc_call(struct xmlrpc_value **result_out, const char *method,
	     const char *fmt, ...) __attribute__((warn_unused_result));

/* Same, with a caller-chosen behaviour for the "no such domain" fault:
 * when quiet_nodom it prints nothing for it. */
int rpc_call_q(bool quiet_nodom, struct xmlrpc_value **result_out,
	       const char *method, const char *fmt, ...)
	__attribute__((warn_unused_result));

/* Struct member readers with defaults (wrong type or absent: default). */
const char *rpc_str(const struct xmlrpc_value *st, const char *name,
		    const char *dflt);
int64_t rpc_int(const struct xmlrpc_value *st, const char *name, int64_t dflt);
double rpc_double(const struct xmlrpc_value *st, const char *name, double dflt);
bool rpc_bool(const struct xmlrpc_value *st, const char *name, bool dflt);

/* xend's numeric domain status (XendConstants DOM_STATE_*) for a domain
 * struct: halted 0, paused 1, running 2, suspended 3, shutdown 4,
 * crashed 5. */
int rpc_dom_status(const struct xmlrpc_value *dom);

#endif
