/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rpc.c: xm's client side of the xmd protocol (doc/PROTOCOL.md). */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc.h"
#include "xm.h"

/* Long enough for a create of a big guest; list/info answer in ms. */
#define RPC_TIMEOUT_MS (10 * 60 * 1000)

static struct xmlrpc_value *
rpc_build_params(const char *fmt, va_list ap)
{
	struct xmlrpc_value *params = xmlrpc_array();
	struct xmlrpc_value *item;

	if (params == NULL)
		return NULL;
	for (; *fmt != '\0'; fmt++) {
		switch (*fmt) {
		case 's':
			item = xmlrpc_string(va_arg(ap, const char *));
			break;
		case 'i':
			item = xmlrpc_int(va_arg(ap, int64_t));
			break;
		case 'b':
			item = xmlrpc_bool(va_arg(ap, int) != 0);
			break;
		case 'v': /* a value built by the caller, taken */
			item = va_arg(ap, struct xmlrpc_value *);
			break;
		default:
			item = NULL;
			break;
		}
		if (xmlrpc_array_append(params, item) < 0) {
			xmlrpc_free(params);
			return NULL;
		}
	}
	return params;
}

/* Characters a path may have unquoted on a shell command line. */
#define RPC_SHELL_SAFE                                                         \
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"       \
	"/._-+,:=@%"

/* Nobody answers on sock (connect failed with err): say so, naming the
 * socket once, and the command that starts the xmd this xm looks for (on
 * the root XMD_ROOT relocates it to, quoted for the shell if need be). */
static void
rpc_no_daemon(const char *sock, int err)
{
	const char *root = getenv("XMD_ROOT");
	char quoted[PATH_MAX * 4 + 3];
	size_t n = 0;

	if (root == NULL || root[0] == '\0' || strcmp(root, "/") == 0) {
		xm_err("Unable to connect to xmd: %s: %s. Is xmd running? "
		       "Start it with: xmd (or systemctl start xmd)",
		       sock, strerror(err));
		return;
	}
	if (root[strspn(root, RPC_SHELL_SAFE)] != '\0' &&
	    strlen(root) < PATH_MAX) {
		quoted[n++] = '\'';
		for (; *root != '\0'; root++) {
			if (*root == '\'') {
				memcpy(quoted + n, "'\\''", 4);
				n += 4;
			} else {
				quoted[n++] = *root;
			}
		}
		quoted[n++] = '\'';
		quoted[n] = '\0';
		root = quoted;
	}
	xm_err("Unable to connect to xmd: %s: %s. Is xmd running? Start it "
	       "with: xmd --root %s",
	       sock, strerror(err), root);
}

static int
rpc_vcall(bool quiet_nodom, struct xmlrpc_value **result_out,
	  const char *method, const char *fmt, va_list ap)
{
	struct xmlrpc_value *params = NULL;
	struct xmlrpc_response *resp = NULL;
	char sock[PATH_MAX], err[512];
	int r, rc = XM_EXIT_ERR;

	if (xm_root_path(sock, sizeof(sock), "run/xmd/xmlrpc.sock") < 0) {
		xm_err("XMD_ROOT is too long");
		goto out;
	}
	params = rpc_build_params(fmt, ap);
	if (params == NULL) {
		xm_err("%s", strerror(ENOMEM));
		goto out;
	}
	err[0] = '\0';
	r = xmlrpc_client_call(sock, method, params, RPC_TIMEOUT_MS, &resp, err,
			       sizeof(err));
	if (r == -ENOENT || r == -ECONNREFUSED) {
		rpc_no_daemon(sock, -r);
		goto out;
	}
	if (r == -EACCES || r == -EPERM) {
		xm_err("Unable to connect to xmd: %s: permission denied "
		       "(xm needs root, or xmd's read-only group for list "
		       "and info)",
		       sock);
		goto out;
	}
	if (r < 0) {
		xm_err("xmd: %s: %s", method,
		       err[0] != '\0' ? err : strerror(-r));
		goto out;
	}
	if (resp->fault) {
		rc = resp->fault_code == XMLRPC_FAULT_NOSUCHDOMAIN
			     ? XM_EXIT_NODOM
			     : XM_EXIT_ERR;
		if (rc != XM_EXIT_NODOM || !quiet_nodom)
			xm_err("%s", resp->fault_string != NULL
					     ? resp->fault_string
					     : "unknown fault");
		goto out;
	}
	if (result_out != NULL) {
		*result_out = resp->value;
		resp->value = NULL;
	}
	rc = XM_EXIT_OK;
out:
	xmlrpc_response_free(resp);
	xmlrpc_free(params);
	return rc;
}

int
rpc_call(struct xmlrpc_value **result_out, const char *method, const char *fmt,
	 ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = rpc_vcall(false, result_out, method, fmt, ap);
	va_end(ap);
	return rc;
}

int
rpc_call_q(bool quiet_nodom, struct xmlrpc_value **result_out,
	   const char *method, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = rpc_vcall(quiet_nodom, result_out, method, fmt, ap);
	va_end(ap);
	return rc;
}

const char *
rpc_str(const struct xmlrpc_value *st, const char *name, const char *dflt)
{
	const char *s;

	if (xmlrpc_get_string(xmlrpc_struct_get(st, name), &s) < 0)
		return dflt;
	return s;
}

int64_t
rpc_int(const struct xmlrpc_value *st, const char *name, int64_t dflt)
{
	int64_t v;
	double d;

	if (xmlrpc_get_int(xmlrpc_struct_get(st, name), &v) == 0)
		return v;
	if (xmlrpc_get_double(xmlrpc_struct_get(st, name), &d) == 0)
		return (int64_t)d;
	return dflt;
}

double
rpc_double(const struct xmlrpc_value *st, const char *name, double dflt)
{
	int64_t v;
	double d;

	if (xmlrpc_get_double(xmlrpc_struct_get(st, name), &d) == 0)
		return d;
	if (xmlrpc_get_int(xmlrpc_struct_get(st, name), &v) == 0)
		return (double)v;
	return dflt;
}

bool
rpc_bool(const struct xmlrpc_value *st, const char *name, bool dflt)
{
	bool b;

	if (xmlrpc_get_bool(xmlrpc_struct_get(st, name), &b) < 0)
		return dflt;
	return b;
}

int
rpc_dom_status(const struct xmlrpc_value *dom)
{
	/* XendDomainInfo: a shut-down or crashed domain reports that first,
	 * then paused, else running; a stopped managed domain is halted. */
	static const struct {
		char letter;
		int status;
	} order[] = {{'c', 5}, {'s', 4}, {'d', 4}, {'p', 1}};
	const char *state = rpc_str(dom, "state", "------");
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (strchr(state, order[i].letter) != NULL)
			return order[i].status;
	if (rpc_int(dom, "domid", -1) < 0)
		return 0;
	return 2;
}
