/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmlrpc.c: XML-RPC value tree, hardened parser (libxml2) and serialiser. */
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

/* ---- value tree ---- */

static struct xmlrpc_value *
xmlrpc_alloc(enum xmlrpc_type type)
{
	struct xmlrpc_value *v = calloc(1, sizeof(*v));

	if (v)
		v->type = type;
	return v;
}

struct xmlrpc_value *
xmlrpc_nil(void)
{
	return xmlrpc_alloc(XMLRPC_NIL);
}

struct xmlrpc_value *
xmlrpc_int(int64_t i)
{
	struct xmlrpc_value *v;

	v = xmlrpc_alloc(i >= INT32_MIN && i <= INT32_MAX ? XMLRPC_INT
							  : XMLRPC_I8);
	if (v)
		v->u.i = i;
	return v;
}

struct xmlrpc_value *
xmlrpc_bool(bool b)
{
	struct xmlrpc_value *v = xmlrpc_alloc(XMLRPC_BOOL);

	if (v)
		v->u.b = b;
	return v;
}

struct xmlrpc_value *
xmlrpc_double(double d)
{
	struct xmlrpc_value *v = xmlrpc_alloc(XMLRPC_DOUBLE);

	if (v)
		v->u.d = d;
	return v;
}

struct xmlrpc_value *
xmlrpc_string_n(const char *s, size_t len)
{
	struct xmlrpc_value *v = xmlrpc_alloc(XMLRPC_STRING);

	if (!v)
		return NULL;
	v->u.str.s = malloc(len + 1);
	if (!v->u.str.s) {
		free(v);
		return NULL;
	}
	if (len)
		memcpy(v->u.str.s, s, len);
	v->u.str.s[len] = '\0';
	v->u.str.len = len;
	return v;
}

struct xmlrpc_value *
xmlrpc_string(const char *s)
{
	return xmlrpc_string_n(s ? s : "", s ? strlen(s) : 0);
}

struct xmlrpc_value *
xmlrpc_array(void)
{
	return xmlrpc_alloc(XMLRPC_ARRAY);
}

struct xmlrpc_value *
xmlrpc_struct(void)
{
	return xmlrpc_alloc(XMLRPC_STRUCT);
}

void
xmlrpc_free(struct xmlrpc_value *v)
{
	size_t i;

	if (!v)
		return;
	switch (v->type) {
	case XMLRPC_STRING:
		free(v->u.str.s);
		break;
	case XMLRPC_ARRAY:
		for (i = 0; i < v->u.arr.n; i++)
			xmlrpc_free(v->u.arr.items[i]);
		free(v->u.arr.items);
		break;
	case XMLRPC_STRUCT:
		for (i = 0; i < v->u.st.n; i++) {
			free(v->u.st.members[i].name);
			xmlrpc_free(v->u.st.members[i].value);
		}
		free(v->u.st.members);
		break;
	default:
		break;
	}
	free(v);
}

int
xmlrpc_array_append(struct xmlrpc_value *arr, struct xmlrpc_value *item)
{
	struct xmlrpc_value **items;
	size_t cap;

	if (!arr || !item || arr->type != XMLRPC_ARRAY) {
		xmlrpc_free(item);
		return -EINVAL;
	}
	if (arr->u.arr.n == arr->u.arr.cap) {
		cap = arr->u.arr.cap ? arr->u.arr.cap * 2 : 8;
		items = reallocarray(arr->u.arr.items, cap, sizeof(*items));
		if (!items) {
			xmlrpc_free(item);
			return -ENOMEM;
		}
		arr->u.arr.items = items;
		arr->u.arr.cap = cap;
	}
	arr->u.arr.items[arr->u.arr.n++] = item;
	return 0;
}

int
xmlrpc_struct_set(struct xmlrpc_value *st, const char *name,
		  struct xmlrpc_value *item)
{
	struct xmlrpc_member *m;
	size_t i, cap;
	char *copy;

	if (!st || !item || !name || st->type != XMLRPC_STRUCT) {
		xmlrpc_free(item);
		return -EINVAL;
	}
	for (i = 0; i < st->u.st.n; i++) {
		if (strcmp(st->u.st.members[i].name, name) == 0) {
			xmlrpc_free(st->u.st.members[i].value);
			st->u.st.members[i].value = item;
			return 0;
		}
	}
	copy = strdup(name);
	if (!copy) {
		xmlrpc_free(item);
		return -ENOMEM;
	}
	if (st->u.st.n == st->u.st.cap) {
		cap = st->u.st.cap ? st->u.st.cap * 2 : 8;
		m = reallocarray(st->u.st.members, cap, sizeof(*m));
		if (!m) {
			free(copy);
			xmlrpc_free(item);
			return -ENOMEM;
		}
		st->u.st.members = m;
		st->u.st.cap = cap;
	}
	st->u.st.members[st->u.st.n].name = copy;
	st->u.st.members[st->u.st.n].value = item;
	st->u.st.n++;
	return 0;
}

struct xmlrpc_value *
xmlrpc_struct_get(const struct xmlrpc_value *st, const char *name)
{
	size_t i;

	if (!st || st->type != XMLRPC_STRUCT)
		return NULL;
	for (i = 0; i < st->u.st.n; i++)
		if (strcmp(st->u.st.members[i].name, name) == 0)
			return st->u.st.members[i].value;
	return NULL;
}

struct xmlrpc_value *
xmlrpc_array_get(const struct xmlrpc_value *arr, size_t i)
{
	if (!arr || arr->type != XMLRPC_ARRAY || i >= arr->u.arr.n)
		return NULL;
	return arr->u.arr.items[i];
}

size_t
xmlrpc_array_len(const struct xmlrpc_value *arr)
{
	if (!arr || arr->type != XMLRPC_ARRAY)
		return 0;
	return arr->u.arr.n;
}

int
xmlrpc_get_int(const struct xmlrpc_value *v, int64_t *out)
{
	if (!v || (v->type != XMLRPC_INT && v->type != XMLRPC_I8))
		return -EINVAL;
	*out = v->u.i;
	return 0;
}

int
xmlrpc_get_bool(const struct xmlrpc_value *v, bool *out)
{
	if (!v)
		return -EINVAL;
	/* Python's xmlrpc.client and old xm sent ints for flags at times. */
	if (v->type == XMLRPC_INT || v->type == XMLRPC_I8) {
		*out = v->u.i != 0;
		return 0;
	}
	if (v->type != XMLRPC_BOOL)
		return -EINVAL;
	*out = v->u.b;
	return 0;
}

int
xmlrpc_get_double(const struct xmlrpc_value *v, double *out)
{
	if (!v)
		return -EINVAL;
	if (v->type == XMLRPC_INT || v->type == XMLRPC_I8) {
		*out = (double)v->u.i;
		return 0;
	}
	if (v->type != XMLRPC_DOUBLE)
		return -EINVAL;
	*out = v->u.d;
	return 0;
}

int
xmlrpc_get_string(const struct xmlrpc_value *v, const char **s_out)
{
	if (!v || v->type != XMLRPC_STRING)
		return -EINVAL;
	*s_out = v->u.str.s;
	return 0;
}

void
xmlrpc_call_free(struct xmlrpc_call *call)
{
	if (!call)
		return;
	free(call->method);
	xmlrpc_free(call->params);
	free(call);
}

void
xmlrpc_response_free(struct xmlrpc_response *resp)
{
	if (!resp)
		return;
	free(resp->fault_string);
	xmlrpc_free(resp->value);
	free(resp);
}

/* ---- parser ---- */

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

/* ---- serialiser ---- */

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
