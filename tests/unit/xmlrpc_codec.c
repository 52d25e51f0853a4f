/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmlrpc_codec.c: unit tests of the XML-RPC codec (parse, format, limits). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "xmlrpc.h"

static const char call_doc[] =
	"<?xml version='1.0'?>\n<methodCall>\n"
	"<methodName>xend.domain.create</methodName>\n<params>\n"
	"<param><value><string>&lt;domain/&gt; &amp; "
	"x</string></value></param>\n"
	"<param><value><boolean>1</boolean></value></param>\n"
	"<param><value>bare</value></param>\n"
	"<param><value><i4>-7</i4></value></param>\n"
	"<param><value><i8>8589934592</i8></value></param>\n"
	"<param><value><double>1.5</double></value></param>\n"
	"<param><value><array><data><value><int>1</int></value>"
	"<value><struct><member><name>k</name><value><nil/></value></member>"
	"</struct></value></data></array></value></param>\n"
	"<param><value><string><![CDATA[<raw>]]></string></value></param>\n"
	"</params></methodCall>\n";

struct bad_case {
	const char *doc;
	int rc;
	const char *what;
};

static const struct bad_case bad_cases[] = {
	{"<!DOCTYPE x [<!ENTITY a 'aaaa'>]><methodCall><methodName>a"
	 "</methodName><params><param><value>&a;</value></param></params>"
	 "</methodCall>",
	 -EINVAL, "DOCTYPE/ENTITY refused"},
	{"<methodCall><methodName>a</methodName>", -EINVAL, "truncated"},
	{"<methodResponse/>", -EINVAL, "wrong root"},
	{"<methodCall><methodName>a b</methodName></methodCall>", -EINVAL,
	 "bad method name"},
	{"<methodCall><methodName>a</methodName><params><param><value><int>"
	 "99999999999</int></value></param></params></methodCall>",
	 -EINVAL, "int overflow"},
	{"<methodCall><methodName>a</methodName><params><param><value>"
	 "<base64>AA==</base64></value></param></params></methodCall>",
	 -EINVAL, "base64 unsupported"},
	{"<methodCall><methodName>a</methodName><params><param><value>"
	 "<boolean>2</boolean></value></param></params></methodCall>",
	 -EINVAL, "bad boolean"},
	{"<methodCall><methodName>a</methodName><params><param><value>x"
	 "<int>1</int></value></param></params></methodCall>",
	 -EINVAL, "mixed content"},
	{"<methodCall><methodName>a</methodName><params><param><value>"
	 "<struct><member><value><int>1</int></value></member></struct>"
	 "</value></param></params></methodCall>",
	 -EINVAL, "member without name"},
};

static char *
nested(int depth)
{
	size_t cap = (size_t)depth * 50 + 200, len = 0;
	char *s = malloc(cap);
	int i;

	len += (size_t)sprintf(s + len, "<methodCall><methodName>a</methodName>"
					"<params><param>");
	for (i = 0; i < depth; i++)
		len += (size_t)sprintf(s + len, "<value><array><data>");
	for (i = 0; i < depth; i++)
		len += (size_t)sprintf(s + len, "</data></array></value>");
	sprintf(s + len, "</param></params></methodCall>");
	return s;
}

static void
test_call(void)
{
	struct xmlrpc_call *call = NULL;
	struct xmlrpc_value *p, *a;
	const char *s;
	int64_t i;
	double d;
	bool b;
	char err[256];
	int rc;

	rc = xmlrpc_parse_call(call_doc, strlen(call_doc), &call, err,
			       sizeof(err));
	if (!tap_ok(rc == 0, "parse a methodCall with every type"))
		tap_diag("  %s", err);
	if (rc < 0)
		return;
	p = call->params;
	tap_ok(strcmp(call->method, "xend.domain.create") == 0, "method name");
	tap_is_int(xmlrpc_array_len(p), 8, "8 params");
	tap_ok(xmlrpc_get_string(xmlrpc_array_get(p, 0), &s) == 0 &&
		       strcmp(s, "<domain/> & x") == 0,
	       "escaped string");
	tap_ok(xmlrpc_get_bool(xmlrpc_array_get(p, 1), &b) == 0 && b,
	       "boolean");
	tap_ok(xmlrpc_get_string(xmlrpc_array_get(p, 2), &s) == 0 &&
		       strcmp(s, "bare") == 0,
	       "bare value is a string");
	tap_ok(xmlrpc_get_int(xmlrpc_array_get(p, 3), &i) == 0 && i == -7,
	       "i4");
	tap_ok(xmlrpc_get_int(xmlrpc_array_get(p, 4), &i) == 0 &&
		       i == 8589934592LL,
	       "i8");
	tap_ok(xmlrpc_get_double(xmlrpc_array_get(p, 5), &d) == 0 && d == 1.5,
	       "double");
	a = xmlrpc_array_get(p, 6);
	tap_ok(xmlrpc_array_len(a) == 2 &&
		       xmlrpc_struct_get(xmlrpc_array_get(a, 1), "k") &&
		       xmlrpc_struct_get(xmlrpc_array_get(a, 1), "k")->type ==
			       XMLRPC_NIL,
	       "array with struct with nil");
	tap_ok(xmlrpc_get_string(xmlrpc_array_get(p, 7), &s) == 0 &&
		       strcmp(s, "<raw>") == 0,
	       "CDATA string");
	xmlrpc_call_free(call);
}

static void
test_roundtrip(void)
{
	struct xmlrpc_value *params = xmlrpc_array(), *st = xmlrpc_struct(), *v;
	struct xmlrpc_response *resp = NULL;
	struct xmlrpc_call *call = NULL;
	const char *s;
	char *doc, err[256];
	int64_t i;
	size_t len;
	int rc = 0;

	rc |= xmlrpc_struct_set(st, "name", xmlrpc_string("web<1>\r\n"));
	rc |= xmlrpc_struct_set(st, "domid", xmlrpc_int(3));
	rc |= xmlrpc_struct_set(st, "big", xmlrpc_int(1LL << 40));
	rc |= xmlrpc_struct_set(st, "domid", xmlrpc_int(4));
	rc |= xmlrpc_array_append(params, st);
	tap_ok(rc == 0, "build a tree");
	doc = xmlrpc_format_call("xend.x", params, &len);
	rc = xmlrpc_parse_call(doc, len, &call, err, sizeof(err));
	tap_ok(rc == 0, "formatted call parses back");
	if (rc == 0) {
		v = xmlrpc_array_get(call->params, 0);
		tap_ok(xmlrpc_get_string(xmlrpc_struct_get(v, "name"), &s) ==
				       0 &&
			       strcmp(s, "web<1>\r\n") == 0,
		       "string with markup and CR survives");
		tap_ok(xmlrpc_get_int(xmlrpc_struct_get(v, "domid"), &i) == 0 &&
			       i == 4 && v->u.st.n == 3,
		       "struct_set replaces a member");
		tap_ok(xmlrpc_struct_get(v, "big")->type == XMLRPC_I8,
		       "64-bit value sent as i8");
	}
	xmlrpc_call_free(call);
	free(doc);

	doc = xmlrpc_format_response(params, &len);
	rc = xmlrpc_parse_response(doc, len, &resp, err, sizeof(err));
	tap_ok(rc == 0 && !resp->fault && xmlrpc_array_len(resp->value) == 1,
	       "response round trip");
	xmlrpc_response_free(resp);
	resp = NULL;
	free(doc);

	doc = xmlrpc_format_fault(3, "Domain 'x' does not exist.", &len);
	rc = xmlrpc_parse_response(doc, len, &resp, err, sizeof(err));
	tap_ok(rc == 0 && resp->fault && resp->fault_code == 3 &&
		       strcmp(resp->fault_string,
			      "Domain 'x' does not exist.") == 0,
	       "fault round trip");
	xmlrpc_response_free(resp);
	free(doc);
	xmlrpc_free(params);

	tap_ok(xmlrpc_array_append(NULL, xmlrpc_int(1)) == -EINVAL,
	       "append to NULL frees the item and fails");
}

static void
test_limits(void)
{
	struct xmlrpc_call *call = NULL;
	char err[256], *doc;
	size_t i, len;
	int rc;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		rc = xmlrpc_parse_call(bad_cases[i].doc,
				       strlen(bad_cases[i].doc), &call, err,
				       sizeof(err));
		tap_ok(rc == bad_cases[i].rc && err[0], "rejected: %s (%s)",
		       bad_cases[i].what, err);
	}
	doc = nested(XMLRPC_MAX_DEPTH - 1);
	rc = xmlrpc_parse_call(doc, strlen(doc), &call, err, sizeof(err));
	tap_ok(rc == 0, "nesting %d accepted", XMLRPC_MAX_DEPTH - 1);
	xmlrpc_call_free(call);
	call = NULL;
	free(doc);
	doc = nested(XMLRPC_MAX_DEPTH + 8);
	rc = xmlrpc_parse_call(doc, strlen(doc), &call, err, sizeof(err));
	tap_ok(rc == -E2BIG, "nesting %d refused (%s)", XMLRPC_MAX_DEPTH + 8,
	       err);
	free(doc);
	doc = nested(5000);
	rc = xmlrpc_parse_call(doc, strlen(doc), &call, err, sizeof(err));
	tap_ok(rc < 0, "nesting 5000 refused (%s)", err);
	free(doc);

	len = XMLRPC_MAX_REQUEST + 1;
	doc = malloc(len);
	memset(doc, ' ', len);
	rc = xmlrpc_parse_call(doc, len, &call, err, sizeof(err));
	tap_ok(rc == -E2BIG, "oversized request refused before parsing");
	free(doc);
}

static void
test_take(void)
{
	struct xmlrpc_value *st = xmlrpc_struct(), *v;
	int64_t i = 0;

	tap_ok(st && xmlrpc_struct_set(st, "a", xmlrpc_int(1)) == 0 &&
		       xmlrpc_struct_set(st, "b", xmlrpc_int(2)) == 0 &&
		       xmlrpc_struct_set(st, "c", xmlrpc_int(3)) == 0,
	       "a struct of three");
	v = xmlrpc_struct_take(st, "b");
	tap_ok(v && xmlrpc_get_int(v, &i) == 0 && i == 2,
	       "take gives the member's value");
	tap_ok(!xmlrpc_struct_get(st, "b") && xmlrpc_struct_get(st, "a") &&
		       xmlrpc_struct_get(st, "c"),
	       "and removes it, the others stay");
	tap_ok(!xmlrpc_struct_take(st, "b"), "taking it again: NULL");
	xmlrpc_free(v);
	xmlrpc_free(st);
}

int
main(void)
{
	test_call();
	test_roundtrip();
	test_limits();
	test_take();
	return tap_done();
}
