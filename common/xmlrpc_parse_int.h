/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmlrpc_parse_int.h: what the XML-RPC parser's files (xmlrpc_parse.c:
 * documents; xmlrpc_parse_value.c: values) share. */
#ifndef XM_XMLRPC_PARSE_INT_H
#define XM_XMLRPC_PARSE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "xmlrpc.h"

/* One parse: values counted against XMLRPC_MAX_ITEMS, the caller's
 * message buffer. */
struct xmlrpc_parse {
	size_t items;
	char *err;
	size_t errlen;
};

/* Set p's message from fmt unless one is set already (the first error
 * wins). Returns rc. */
int xmlrpc_fail(struct xmlrpc_parse *p, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Is n an element named name? */
bool xmlrpc_is(const xmlNode *n, const char *name);

/* The next element sibling starting at n into *out (NULL: none); -EINVAL
 * if non-blank text stands in between (mixed content is not XML-RPC). */
int xmlrpc_next_elem(struct xmlrpc_parse *p, xmlNode *n, xmlNode **out);

/* Concatenated text of element e (text and CDATA children only) into a
 * malloc'd *s_out and its length into *len_out (if not NULL). Returns 0,
 * -EINVAL (a child element) or -ENOMEM, with p's message set. */
int xmlrpc_text(struct xmlrpc_parse *p, const xmlNode *e, char **s_out,
		size_t *len_out);

/* Parse one <value> element into *out (xmlrpc_free). depth counts nested
 * containers. Returns 0 or -errno (-E2BIG past a limit, -EINVAL malformed,
 * -ENOMEM) with p's message set. */
int xmlrpc_parse_value(struct xmlrpc_parse *p, xmlNode *value, int depth,
		       struct xmlrpc_value **out);

#endif
