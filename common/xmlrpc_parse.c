/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmlrpc_parse.c: the hardened XML-RPC parser (libxml2, no entities, limits
 * on size, depth and items) for methodCall and methodResponse: the
 * document and its envelopes here, values in xmlrpc_parse_value.c. */
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
