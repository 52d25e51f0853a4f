/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmlrpc_write.c: the XML-RPC serialiser (methodCall, methodResponse,
 * fault) of a value tree. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmlrpc.h"

struct xmlrpc_buf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void
xmlrpc_put(struct xmlrpc_buf *b, const char *s, size_t n)
{
	size_t cap;
	char *ns;

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		ns = realloc(b->s, cap);
		if (!ns) {
			b->oom = true;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
xmlrpc_puts(struct xmlrpc_buf *b, const char *s)
{
	xmlrpc_put(b, s, strlen(s));
}

/* Escape text for element content; control characters XML 1.0 cannot
 * carry are replaced by '?'. */
static void
xmlrpc_put_escaped(struct xmlrpc_buf *b, const char *s, size_t n)
{
	size_t i, start = 0;
	const char *rep;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '&':
			rep = "&amp;";
			break;
		case '\r':
			rep = "&#13;";
			break;
		default:
			rep = (c < 0x20 && c != '\t' && c != '\n') ? "?" : NULL;
			break;
		}
		if (!rep)
			continue;
		xmlrpc_put(b, s + start, i - start);
		xmlrpc_puts(b, rep);
		start = i + 1;
	}
	xmlrpc_put(b, s + start, n - start);
}

static bool
xmlrpc_put_value(struct xmlrpc_buf *b, const struct xmlrpc_value *v, int depth)
{
	char num[64];
	size_t i;

	if (!v || depth > XMLRPC_MAX_DEPTH)
		return false;
	xmlrpc_puts(b, "<value>");
	switch (v->type) {
	case XMLRPC_NIL:
		xmlrpc_puts(b, "<nil/>");
		break;
	case XMLRPC_INT:
	case XMLRPC_I8:
		snprintf(num, sizeof(num),
			 v->type == XMLRPC_INT ? "<int>%" PRId64 "</int>"
					       : "<i8>%" PRId64 "</i8>",
			 v->u.i);
		xmlrpc_puts(b, num);
		break;
	case XMLRPC_BOOL:
		xmlrpc_puts(b, v->u.b ? "<boolean>1</boolean>"
				      : "<boolean>0</boolean>");
		break;
	case XMLRPC_DOUBLE:
		snprintf(num, sizeof(num), "<double>%.17g</double>",
			 isfinite(v->u.d) ? v->u.d : 0.0);
		xmlrpc_puts(b, num);
		break;
	case XMLRPC_STRING:
		xmlrpc_puts(b, "<string>");
		xmlrpc_put_escaped(b, v->u.str.s, v->u.str.len);
		xmlrpc_puts(b, "</string>");
		break;
	case XMLRPC_ARRAY:
		xmlrpc_puts(b, "<array><data>");
		for (i = 0; i < v->u.arr.n; i++)
			if (!xmlrpc_put_value(b, v->u.arr.items[i], depth + 1))
				return false;
		xmlrpc_puts(b, "</data></array>");
		break;
	case XMLRPC_STRUCT:
		xmlrpc_puts(b, "<struct>");
		for (i = 0; i < v->u.st.n; i++) {
			xmlrpc_puts(b, "<member><name>");
			xmlrpc_put_escaped(b, v->u.st.members[i].name,
					   strlen(v->u.st.members[i].name));
			xmlrpc_puts(b, "</name>");
			if (!xmlrpc_put_value(b, v->u.st.members[i].value,
					      depth + 1))
				return false;
			xmlrpc_puts(b, "</member>");
		}
		xmlrpc_puts(b, "</struct>");
		break;
	default:
		return false;
	}
	xmlrpc_puts(b, "</value>");
	return true;
}

static char *
xmlrpc_finish(struct xmlrpc_buf *b, bool ok, size_t *len_out)
{
	if (!ok || b->oom) {
		free(b->s);
		return NULL;
	}
	if (len_out)
		*len_out = b->len;
	return b->s;
}

char *
xmlrpc_format_call(const char *method, const struct xmlrpc_value *params,
		   size_t *len_out)
{
	struct xmlrpc_buf b = {0};
	bool ok = true;
	size_t i;

	if (!method || (params && params->type != XMLRPC_ARRAY))
		return NULL;
	xmlrpc_puts(&b, "<?xml version=\"1.0\"?>\n<methodCall><methodName>");
	xmlrpc_put_escaped(&b, method, strlen(method));
	xmlrpc_puts(&b, "</methodName><params>");
	for (i = 0; ok && params && i < params->u.arr.n; i++) {
		xmlrpc_puts(&b, "<param>");
		ok = xmlrpc_put_value(&b, params->u.arr.items[i], 1);
		xmlrpc_puts(&b, "</param>");
	}
	xmlrpc_puts(&b, "</params></methodCall>\n");
	return xmlrpc_finish(&b, ok, len_out);
}

char *
xmlrpc_format_response(const struct xmlrpc_value *value, size_t *len_out)
{
	struct xmlrpc_buf b = {0};
	bool ok;

	xmlrpc_puts(&b, "<?xml version=\"1.0\"?>\n"
			"<methodResponse><params><param>");
	ok = xmlrpc_put_value(&b, value, 1);
	xmlrpc_puts(&b, "</param></params></methodResponse>\n");
	return xmlrpc_finish(&b, ok, len_out);
}

char *
xmlrpc_format_fault(int code, const char *message, size_t *len_out)
{
	struct xmlrpc_buf b = {0};
	char num[32];

	snprintf(num, sizeof(num), "%d", code);
	xmlrpc_puts(&b, "<?xml version=\"1.0\"?>\n<methodResponse><fault>"
			"<value><struct><member><name>faultCode</name>"
			"<value><int>");
	xmlrpc_puts(&b, num);
	xmlrpc_puts(&b, "</int></value></member><member><name>faultString"
			"</name><value><string>");
	message = message ? message : "";
	xmlrpc_put_escaped(&b, message, strlen(message));
	xmlrpc_puts(&b, "</string></value></member></struct></value>"
			"</fault></methodResponse>\n");
	return xmlrpc_finish(&b, true, len_out);
}
