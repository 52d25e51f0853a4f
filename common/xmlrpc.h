/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmlrpc.h: the XML-RPC codec and unix-socket client shared by xm and xmd
 * (value tree, methodCall/methodResponse parse and serialise, hard limits). */
#ifndef XM_XMLRPC_H
#define XM_XMLRPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XMLRPC_WUR __attribute__((warn_unused_result))

/* Hard limits, checked before and during parsing. */
#define XMLRPC_MAX_REQUEST (1024 * 1024)       /* bytes of a methodCall */
#define XMLRPC_MAX_RESPONSE (32 * 1024 * 1024) /* bytes of a methodResponse */
#define XMLRPC_MAX_DEPTH 32                    /* nested arrays/structs */
#define XMLRPC_MAX_ITEMS 100000                /* values in one document */
#define XMLRPC_MAX_HEADER 8192                 /* HTTP header block */

/* Fault codes (doc/PROTOCOL.md). xm exits 3 on XMLRPC_FAULT_NOSUCHDOMAIN. */
enum xmlrpc_fault_code {
	XMLRPC_FAULT_GENERIC = 1,
	XMLRPC_FAULT_NOSUCHDOMAIN = 3,
	XMLRPC_FAULT_EXISTS = 4,
	XMLRPC_FAULT_PERM = 5,
	XMLRPC_FAULT_INVALID = 6,
};

enum xmlrpc_type {
	XMLRPC_NIL,
	XMLRPC_INT, /* <int>/<i4>: 32-bit */
	XMLRPC_I8,  /* <i8>: 64-bit */
	XMLRPC_BOOL,
	XMLRPC_STRING,
	XMLRPC_DOUBLE,
	XMLRPC_ARRAY,
	XMLRPC_STRUCT,
};

struct xmlrpc_value;

struct xmlrpc_member {
	char *name;
	struct xmlrpc_value *value;
};

/* A value tree node; owns everything below it. */
struct xmlrpc_value {
	enum xmlrpc_type type;
	union {
		int64_t i; /* INT, I8 */
		bool b;
		double d;
		struct {
			char *s; /* NUL-terminated; len excludes the NUL */
			size_t len;
		} str;
		struct {
			struct xmlrpc_value **items;
			size_t n, cap;
		} arr;
		struct {
			struct xmlrpc_member *members;
			size_t n, cap;
		} st;
	} u;
};

/* Constructors: return a new value (caller owns it) or NULL on ENOMEM.
 * xmlrpc_int picks INT when v fits in 32 bits and I8 otherwise. A NULL
 * string makes an empty string. */
struct xmlrpc_value *xmlrpc_nil(void);
struct xmlrpc_value *xmlrpc_int(int64_t v);
struct xmlrpc_value *xmlrpc_bool(bool v);
struct xmlrpc_value *xmlrpc_double(double v);
struct xmlrpc_value *xmlrpc_string(const char *s);
struct xmlrpc_value *xmlrpc_string_n(const char *s, size_t len);
struct xmlrpc_value *xmlrpc_array(void);
struct xmlrpc_value *xmlrpc_struct(void);

/* Free a value and everything below it. Accepts NULL. */
void xmlrpc_free(struct xmlrpc_value *v);

/* Append item to an array / set a struct member (replacing one of the same
 * name). Ownership of item passes to the container in every case: on failure
 * (-ENOMEM, -EINVAL for a wrong container type or NULL item) it is freed.
 * So chains like xmlrpc_struct_set(st, "a", xmlrpc_int(1)) need one check. */
int xmlrpc_array_append(struct xmlrpc_value *arr,
			struct xmlrpc_value *item) XMLRPC_WUR;
int xmlrpc_struct_set(struct xmlrpc_value *st, const char *name,
		      struct xmlrpc_value *item) XMLRPC_WUR;

/* Lookups (borrowed pointers, NULL when absent or wrong type). */
struct xmlrpc_value *xmlrpc_struct_get(const struct xmlrpc_value *st,
				       const char *name);
struct xmlrpc_value *xmlrpc_array_get(const struct xmlrpc_value *arr, size_t i);
/* Remove the member name from st and return it (the caller owns it), or
 * NULL when absent. */
struct xmlrpc_value *xmlrpc_struct_take(struct xmlrpc_value *st,
					const char *name);
size_t xmlrpc_array_len(const struct xmlrpc_value *arr);

/* Typed accessors: 0 on success, -EINVAL on type mismatch (INT and I8 are
 * both integers; a string is not converted). *s_out is borrowed. */
int xmlrpc_get_int(const struct xmlrpc_value *v, int64_t *out) XMLRPC_WUR;
int xmlrpc_get_bool(const struct xmlrpc_value *v, bool *out) XMLRPC_WUR;
int xmlrpc_get_double(const struct xmlrpc_value *v, double *out) XMLRPC_WUR;
int xmlrpc_get_string(const struct xmlrpc_value *v,
		      const char **s_out) XMLRPC_WUR;

/* A parsed methodCall: params is always an ARRAY (possibly empty). */
struct xmlrpc_call {
	char *method;
	struct xmlrpc_value *params;
};

/* A parsed methodResponse: either value (fault false) or a fault. */
struct xmlrpc_response {
	bool fault;
	int fault_code;
	char *fault_string;
	struct xmlrpc_value *value;
};

void xmlrpc_call_free(struct xmlrpc_call *call);
void xmlrpc_response_free(struct xmlrpc_response *resp);

/* Parse an untrusted methodCall of at most XMLRPC_MAX_REQUEST bytes.
 * Rejects DOCTYPE/ENTITY declarations, network access, nesting past
 * XMLRPC_MAX_DEPTH and more than XMLRPC_MAX_ITEMS values. Returns 0 and
 * *call_out (caller frees), or -EINVAL/-E2BIG/-ENOMEM with a one-line
 * reason in err. Pure; any thread. */
int xmlrpc_parse_call(const char *buf, size_t len,
		      struct xmlrpc_call **call_out, char *err,
		      size_t errlen) XMLRPC_WUR;

/* Same for a methodResponse (limit XMLRPC_MAX_RESPONSE). A well-formed
 * fault response is success (return 0) with resp->fault set. */
int xmlrpc_parse_response(const char *buf, size_t len,
			  struct xmlrpc_response **resp_out, char *err,
			  size_t errlen) XMLRPC_WUR;

/* Serialisers: return a malloc'd NUL-terminated document (length in
 * *len_out when non-NULL) or NULL on ENOMEM/bad tree. params must be an
 * ARRAY or NULL (no parameters). Pure; any thread. */
char *xmlrpc_format_call(const char *method, const struct xmlrpc_value *params,
			 size_t *len_out);
char *xmlrpc_format_response(const struct xmlrpc_value *value, size_t *len_out);
char *xmlrpc_format_fault(int code, const char *message, size_t *len_out);

/* Blocking client: POST /RPC2 on the unix socket at sock_path with
 * method(params...) (params ARRAY or NULL; borrowed), wait at most
 * timeout_ms (0: no limit) for the whole exchange. Returns 0 with
 * *resp_out (which may be a fault; caller frees), or -errno (-ENOENT,
 * -ECONNREFUSED: no daemon; -EACCES; -ETIMEDOUT; -EPROTO: bad answer) with
 * a reason in err. */
int xmlrpc_client_call(const char *sock_path, const char *method,
		       const struct xmlrpc_value *params, int timeout_ms,
		       struct xmlrpc_response **resp_out, char *err,
		       size_t errlen) XMLRPC_WUR;

#endif
