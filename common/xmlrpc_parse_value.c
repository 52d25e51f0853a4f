/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmlrpc_parse_value.c: the hardened XML-RPC parser's element helpers and
 * its <value> parser (scalars, arrays, structs; limits on depth and
 * items), shared by methodCall and methodResponse (xmlrpc_parse.c). */
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
#include "xmlrpc_parse_int.h"

int
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

bool
xmlrpc_is(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE &&
	       strcmp((const char *)n->name, name) == 0;
}

/* The next element sibling starting at n; -EINVAL if non-blank text
 * stands in between (mixed content is not XML-RPC). */
int
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
int
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
int
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
