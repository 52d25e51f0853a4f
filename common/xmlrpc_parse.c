/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmlrpc_parse.c: the hardened XML-RPC parser (libxml2, no entities, limits
 * on size, depth and items) for methodCall and methodResponse. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "xmlrpc.h"
#include "xmlrpc_int.h"

struct xmlrpc_parse {
	size_t items;
	char *err;
	size_t errlen;
};

static int __attribute__((format(printf, 3, 4)))
xmlrpc_fail(struct xmlrpc_parse *p, int rc, const char *fmt, ...)
{
	va_list ap;

	if (p->err && p->errlen && !p->err[0]) {
		va_start(ap, fmt);
		vsnprintf(p->err, p->errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static bool
xmlrpc_is(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE &&
	       strcmp((const char *)n->name, name) == 0;
}

/* The next element sibling starting at n; -EINVAL if non-blank text
 * stands in between (mixed content is not XML-RPC). */
static int
xmlrpc_next_elem(struct xmlrpc_parse *p, xmlNode *n, xmlNode **out)
{
	for (; n; n = n->next) {
		if (n->type == XML_ELEMENT_NODE) {
			*out = n;
			return 0;
		}
		if (n->type == XML_TEXT_NODE ||
		    n->type == XML_CDATA_SECTION_NODE) {
			const char *s = (const char *)n->content;

			for (; s && *s; s++)
				if (!strchr(" \t\r\n", *s))
					return xmlrpc_fail(p, -EINVAL,
							   "unexpected text");
		} else if (n->type != XML_COMMENT_NODE &&
			   n->type != XML_PI_NODE) {
			return xmlrpc_fail(p, -EINVAL, "unexpected node");
		}
	}
	*out = NULL;
	return 0;
}

/* Concatenated text of an element (text and CDATA children only). */
static int
xmlrpc_text(struct xmlrpc_parse *p, const xmlNode *e, char **s_out,
	    size_t *len_out)
{
	const xmlNode *c;
	size_t len = 0, n;
	char *s;

	for (c = e->children; c; c = c->next) {
		if (c->type == XML_TEXT_NODE ||
		    c->type == XML_CDATA_SECTION_NODE)
			len += strlen((const char *)c->content);
		else if (c->type == XML_ELEMENT_NODE)
			return xmlrpc_fail(p, -EINVAL, "<%s> inside <%s>",
					   (const char *)c->name,
					   (const char *)e->name);
	}
	s = malloc(len + 1);
	if (!s)
		return xmlrpc_fail(p, -ENOMEM, "out of memory");
	len = 0;
	for (c = e->children; c; c = c->next) {
		if (c->type != XML_TEXT_NODE &&
		    c->type != XML_CDATA_SECTION_NODE)
			continue;
		n = strlen((const char *)c->content);
		memcpy(s + len, c->content, n);
		len += n;
	}
	s[len] = '\0';
	*s_out = s;
	if (len_out)
		*len_out = len;
	return 0;
}

static const char *
xmlrpc_trim(char *s)
{
	char *end;

	while (*s && strchr(" \t\r\n", *s))
		s++;
	end = s + strlen(s);
	while (end > s && strchr(" \t\r\n", end[-1]))
		*--end = '\0';
	return s;
}

static int xmlrpc_parse_value(struct xmlrpc_parse *p, xmlNode *value, int depth,
			      struct xmlrpc_value **out);

static int
xmlrpc_parse_scalar(struct xmlrpc_parse *p, xmlNode *t,
		    struct xmlrpc_value **out)
{
	const char *name = (const char *)t->name, *s;
	struct xmlrpc_value *v = NULL;
	char *text = NULL, *end;
	size_t len;
	long long ll;
	double d;
	int rc;

	rc = xmlrpc_text(p, t, &text, &len);
	if (rc < 0)
		return rc;
	if (strcmp(name, "string") == 0) {
		v = xmlrpc_string_n(text, len);
		goto done;
	}
	s = xmlrpc_trim(text);
	if (strcmp(name, "int") == 0 || strcmp(name, "i4") == 0 ||
	    strcmp(name, "i8") == 0) {
		errno = 0;
		ll = strtoll(s, &end, 10);
		if (!*s || *end || errno ||
		    (name[1] != '8' && (ll < INT32_MIN || ll > INT32_MAX))) {
			rc = xmlrpc_fail(p, -EINVAL, "bad <%s> value", name);
			goto out;
		}
		v = xmlrpc_alloc(name[1] == '8' ? XMLRPC_I8 : XMLRPC_INT);
		if (v)
			v->u.i = ll;
	} else if (strcmp(name, "boolean") == 0) {
		if (strcmp(s, "0") != 0 && strcmp(s, "1") != 0) {
			rc = xmlrpc_fail(p, -EINVAL, "bad <boolean> value");
			goto out;
		}
		v = xmlrpc_bool(s[0] == '1');
	} else if (strcmp(name, "double") == 0) {
		errno = 0;
		d = strtod(s, &end);
		if (!*s || *end || errno || !isfinite(d)) {
			rc = xmlrpc_fail(p, -EINVAL, "bad <double> value");
			goto out;
		}
		v = xmlrpc_double(d);
	} else if (strcmp(name, "nil") == 0) {
		if (*s) {
			rc = xmlrpc_fail(p, -EINVAL, "text inside <nil>");
			goto out;
		}
		v = xmlrpc_nil();
	} else {
		rc = xmlrpc_fail(p, -EINVAL, "unsupported type <%s>", name);
		goto out;
	}
done:
	if (!v) {
		rc = xmlrpc_fail(p, -ENOMEM, "out of memory");
		goto out;
	}
	*out = v;
	rc = 0;
out:
	free(text);
	return rc;
}

static int
xmlrpc_parse_array(struct xmlrpc_parse *p, xmlNode *t, int depth,
		   struct xmlrpc_value **out)
{
	struct xmlrpc_value *arr = NULL, *item;
	xmlNode *data, *n, *extra;
	int rc;

	rc = xmlrpc_next_elem(p, t->children, &data);
	if (rc < 0)
		return rc;
	if (!xmlrpc_is(data, "data"))
		return xmlrpc_fail(p, -EINVAL, "<array> without <data>");
	rc = xmlrpc_next_elem(p, data->next, &extra);
	if (rc < 0)
		return rc;
	if (extra)
		return xmlrpc_fail(p, -EINVAL, "junk after <data>");
	arr = xmlrpc_array();
	if (!arr)
		return xmlrpc_fail(p, -ENOMEM, "out of memory");
	for (n = data->children;; n = n->next) {
		rc = xmlrpc_next_elem(p, n, &n);
		if (rc < 0)
			goto fail;
		if (!n)
			break;
		if (!xmlrpc_is(n, "value")) {
			rc = xmlrpc_fail(p, -EINVAL, "<%s> inside <data>",
					 (const char *)n->name);
			goto fail;
		}
		rc = xmlrpc_parse_value(p, n, depth + 1, &item);
		if (rc < 0)
			goto fail;
		rc = xmlrpc_array_append(arr, item);
		if (rc < 0) {
			rc = xmlrpc_fail(p, rc, "out of memory");
			goto fail;
		}
	}
	*out = arr;
	return 0;
fail:
	xmlrpc_free(arr);
	return rc;
}

static int
xmlrpc_parse_member(struct xmlrpc_parse *p, xmlNode *m, int depth,
		    struct xmlrpc_value *st)
{
	xmlNode *name, *value, *extra;
	struct xmlrpc_value *item;
	char *key = NULL;
	int rc;

	rc = xmlrpc_next_elem(p, m->children, &name);
	if (rc < 0)
		return rc;
	if (!xmlrpc_is(name, "name"))
		return xmlrpc_fail(p, -EINVAL, "<member> without <name>");
	rc = xmlrpc_next_elem(p, name->next, &value);
	if (rc < 0)
		return rc;
	if (!xmlrpc_is(value, "value"))
		return xmlrpc_fail(p, -EINVAL, "<member> without <value>");
	rc = xmlrpc_next_elem(p, value->next, &extra);
	if (rc < 0)
		return rc;
	if (extra)
		return xmlrpc_fail(p, -EINVAL, "junk in <member>");
	rc = xmlrpc_text(p, name, &key, NULL);
	if (rc < 0)
		return rc;
	rc = xmlrpc_parse_value(p, value, depth + 1, &item);
	if (rc == 0) {
		rc = xmlrpc_struct_set(st, key, item);
		if (rc < 0)
			rc = xmlrpc_fail(p, rc, "out of memory");
	}
	free(key);
	return rc;
}

static int
xmlrpc_parse_struct(struct xmlrpc_parse *p, xmlNode *t, int depth,
		    struct xmlrpc_value **out)
{
	struct xmlrpc_value *st;
	xmlNode *n;
	int rc;

	st = xmlrpc_struct();
	if (!st)
		return xmlrpc_fail(p, -ENOMEM, "out of memory");
	for (n = t->children;; n = n->next) {
		rc = xmlrpc_next_elem(p, n, &n);
		if (rc < 0)
			goto fail;
		if (!n)
			break;
		if (!xmlrpc_is(n, "member")) {
			rc = xmlrpc_fail(p, -EINVAL, "<%s> inside <struct>",
					 (const char *)n->name);
			goto fail;
		}
		rc = xmlrpc_parse_member(p, n, depth, st);
		if (rc < 0)
			goto fail;
	}
	*out = st;
	return 0;
fail:
	xmlrpc_free(st);
	return rc;
}

/* Parse one <value> element. depth counts nested containers. */
static int
xmlrpc_parse_value(struct xmlrpc_parse *p, xmlNode *value, int depth,
		   struct xmlrpc_value **out)
{
	xmlNode *t, *extra;
	char *text;
	size_t len;
	int rc;

	if (depth > XMLRPC_MAX_DEPTH)
		return xmlrpc_fail(p, -E2BIG, "values nested deeper than %d",
				   XMLRPC_MAX_DEPTH);
	if (++p->items > XMLRPC_MAX_ITEMS)
		return xmlrpc_fail(p, -E2BIG, "more than %d values",
				   XMLRPC_MAX_ITEMS);
	for (t = value->children; t && t->type != XML_ELEMENT_NODE;)
		t = t->next;
	if (t) {
		rc = xmlrpc_next_elem(p, value->children, &t);
		if (rc < 0)
			return rc;
	} else {
		/* <value>text</value> is a string. */
		rc = xmlrpc_text(p, value, &text, &len);
		if (rc < 0)
			return rc;
		*out = xmlrpc_string_n(text, len);
		free(text);
		return *out ? 0 : xmlrpc_fail(p, -ENOMEM, "out of memory");
	}
	rc = xmlrpc_next_elem(p, t->next, &extra);
	if (rc < 0)
		return rc;
	if (extra)
		return xmlrpc_fail(p, -EINVAL, "two types in one <value>");
	if (xmlrpc_is(t, "array"))
		return xmlrpc_parse_array(p, t, depth, out);
	if (xmlrpc_is(t, "struct"))
		return xmlrpc_parse_struct(p, t, depth, out);
	return xmlrpc_parse_scalar(p, t, out);
}

/* Refuse anything that could declare or expand entities, before libxml2
 * sees the document: "<!" may only start a comment or a CDATA section. */
static int
xmlrpc_prescan(struct xmlrpc_parse *p, const char *buf, size_t len)
{
	const char *s = buf, *end = buf + len;

	if (memchr(buf, '\0', len))
		return xmlrpc_fail(p, -EINVAL, "NUL byte in document");
	while ((s = memchr(s, '<', (size_t)(end - s))) != NULL) {
		if (end - s >= 2 && s[1] == '!' &&
		    !(end - s >= 4 && memcmp(s, "<!--", 4) == 0) &&
		    !(end - s >= 9 && memcmp(s, "<![CDATA[", 9) == 0))
			return xmlrpc_fail(
				p, -EINVAL,
				"DOCTYPE and ENTITY are not allowed");
		s++;
	}
	return 0;
}

static int
xmlrpc_read_doc(struct xmlrpc_parse *p, const char *buf, size_t len, size_t max,
		const char *root, xmlDoc **doc_out, xmlNode **out)
{
	xmlDoc *doc;
	xmlNode *r;
	int rc;

	if (len > max)
		return xmlrpc_fail(p, -E2BIG,
				   "document of %zu bytes (limit %zu)", len,
				   max);
	rc = xmlrpc_prescan(p, buf, len);
	if (rc < 0)
		return rc;
	doc = xmlReadMemory(buf, (int)len, "rpc.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
				    XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	if (!doc)
		return xmlrpc_fail(p, -EINVAL, "malformed XML");
	if (doc->intSubset || doc->extSubset) {
		xmlFreeDoc(doc);
		return xmlrpc_fail(p, -EINVAL, "DTD not allowed");
	}
	r = xmlDocGetRootElement(doc);
	if (!xmlrpc_is(r, root)) {
		xmlFreeDoc(doc);
		return xmlrpc_fail(p, -EINVAL, "root element is not <%s>",
				   root);
	}
	*doc_out = doc;
	*out = r;
	return 0;
}

/* <params><param><value>...</value></param>...</params> into an array. */
static int
xmlrpc_parse_params(struct xmlrpc_parse *p, xmlNode *params,
		    struct xmlrpc_value *arr, size_t max)
{
	struct xmlrpc_value *item;
	xmlNode *n, *v, *extra;
	size_t count = 0;
	int rc;

	for (n = params->children;; n = n->next) {
		rc = xmlrpc_next_elem(p, n, &n);
		if (rc < 0)
			return rc;
		if (!n)
			return 0;
		if (!xmlrpc_is(n, "param"))
			return xmlrpc_fail(p, -EINVAL, "<%s> inside <params>",
					   (const char *)n->name);
		if (++count > max)
			return xmlrpc_fail(p, -EINVAL, "too many <param>");
		rc = xmlrpc_next_elem(p, n->children, &v);
		if (rc < 0)
			return rc;
		if (!xmlrpc_is(v, "value"))
			return xmlrpc_fail(p, -EINVAL,
					   "<param> without <value>");
		rc = xmlrpc_next_elem(p, v->next, &extra);
		if (rc < 0)
			return rc;
		if (extra)
			return xmlrpc_fail(p, -EINVAL, "junk in <param>");
		rc = xmlrpc_parse_value(p, v, 1, &item);
		if (rc < 0)
			return rc;
		rc = xmlrpc_array_append(arr, item);
		if (rc < 0)
			return xmlrpc_fail(p, rc, "out of memory");
	}
}

int
xmlrpc_parse_call(const char *buf, size_t len, struct xmlrpc_call **call_out,
		  char *err, size_t errlen)
{
	struct xmlrpc_parse p = {.err = err, .errlen = errlen};
	struct xmlrpc_call *call = NULL;
	xmlNode *root = NULL, *name, *params = NULL;
	xmlDoc *doc = NULL;
	char *method = NULL;
	const char *s;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	rc = xmlrpc_read_doc(&p, buf, len, XMLRPC_MAX_REQUEST, "methodCall",
			     &doc, &root);
	if (rc < 0)
		goto out;
	rc = xmlrpc_next_elem(&p, root->children, &name);
	if (rc < 0)
		goto out;
	if (!xmlrpc_is(name, "methodName")) {
		rc = xmlrpc_fail(&p, -EINVAL, "no <methodName>");
		goto out;
	}
	rc = xmlrpc_text(&p, name, &method, NULL);
	if (rc < 0)
		goto out;
	for (s = method; *s; s++) {
		if (!strchr("abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:/",
			    *s))
			break;
	}
	if (!method[0] || *s || s - method > 128) {
		rc = xmlrpc_fail(&p, -EINVAL, "bad method name");
		goto out;
	}
	rc = xmlrpc_next_elem(&p, name->next, &params);
	if (rc < 0)
		goto out;
	if (params && !xmlrpc_is(params, "params")) {
		rc = xmlrpc_fail(&p, -EINVAL, "<%s> in <methodCall>",
				 (const char *)params->name);
		goto out;
	}
	call = calloc(1, sizeof(*call));
	if (!call || !(call->params = xmlrpc_array())) {
		rc = xmlrpc_fail(&p, -ENOMEM, "out of memory");
		goto out;
	}
	if (params) {
		xmlNode *extra;

		rc = xmlrpc_parse_params(&p, params, call->params,
					 XMLRPC_MAX_ITEMS);
		if (rc < 0)
			goto out;
		rc = xmlrpc_next_elem(&p, params->next, &extra);
		if (rc == 0 && extra)
			rc = xmlrpc_fail(&p, -EINVAL, "junk after <params>");
		if (rc < 0)
			goto out;
	}
	call->method = method;
	method = NULL;
	*call_out = call;
	call = NULL;
out:
	free(method);
	xmlrpc_call_free(call);
	if (doc)
		xmlFreeDoc(doc);
	return rc;
}

static int
xmlrpc_parse_fault(struct xmlrpc_parse *p, xmlNode *fault,
		   struct xmlrpc_response *resp)
{
	struct xmlrpc_value *v = NULL;
	const char *s;
	xmlNode *value;
	int64_t code;
	int rc;

	rc = xmlrpc_next_elem(p, fault->children, &value);
	if (rc < 0)
		return rc;
	if (!xmlrpc_is(value, "value"))
		return xmlrpc_fail(p, -EINVAL, "<fault> without <value>");
	rc = xmlrpc_parse_value(p, value, 1, &v);
	if (rc < 0)
		return rc;
	if (xmlrpc_get_int(xmlrpc_struct_get(v, "faultCode"), &code) < 0 ||
	    xmlrpc_get_string(xmlrpc_struct_get(v, "faultString"), &s) < 0 ||
	    code < INT32_MIN || code > INT32_MAX) {
		xmlrpc_free(v);
		return xmlrpc_fail(p, -EINVAL, "malformed fault");
	}
	resp->fault = true;
	resp->fault_code = (int)code;
	resp->fault_string = strdup(s);
	xmlrpc_free(v);
	if (!resp->fault_string)
		return xmlrpc_fail(p, -ENOMEM, "out of memory");
	return 0;
}

int
xmlrpc_parse_response(const char *buf, size_t len,
		      struct xmlrpc_response **resp_out, char *err,
		      size_t errlen)
{
	struct xmlrpc_parse p = {.err = err, .errlen = errlen};
	struct xmlrpc_response *resp = NULL;
	struct xmlrpc_value *arr = NULL;
	xmlNode *root = NULL, *n, *extra;
	xmlDoc *doc = NULL;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	rc = xmlrpc_read_doc(&p, buf, len, XMLRPC_MAX_RESPONSE,
			     "methodResponse", &doc, &root);
	if (rc < 0)
		goto out;
	resp = calloc(1, sizeof(*resp));
	arr = xmlrpc_array();
	if (!resp || !arr) {
		rc = xmlrpc_fail(&p, -ENOMEM, "out of memory");
		goto out;
	}
	rc = xmlrpc_next_elem(&p, root->children, &n);
	if (rc < 0)
		goto out;
	if (xmlrpc_is(n, "fault")) {
		rc = xmlrpc_parse_fault(&p, n, resp);
	} else if (xmlrpc_is(n, "params")) {
		rc = xmlrpc_parse_params(&p, n, arr, 1);
		if (rc == 0 && xmlrpc_array_len(arr) != 1)
			rc = xmlrpc_fail(&p, -EINVAL, "response without value");
		if (rc == 0) {
			resp->value = arr->u.arr.items[0];
			arr->u.arr.n = 0;
		}
	} else {
		rc = xmlrpc_fail(&p, -EINVAL, "no <params> or <fault>");
	}
	if (rc < 0)
		goto out;
	rc = xmlrpc_next_elem(&p, n->next, &extra);
	if (rc == 0 && extra)
		rc = xmlrpc_fail(&p, -EINVAL, "junk in <methodResponse>");
	if (rc < 0)
		goto out;
	*resp_out = resp;
	resp = NULL;
out:
	xmlrpc_free(arr);
	xmlrpc_response_free(resp);
	if (doc)
		xmlFreeDoc(doc);
	return rc;
}
