/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmlrpc_fuzz.c: the XML-RPC parser fuzz target: parse as a methodCall and
 * as a methodResponse; whatever parses must serialise and parse back to
 * the same tree. Built as a libFuzzer target and as the corpus replayer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmlrpc.h"
#include "xmlrpc_fuzz.h"

static bool
xmlrpc_fuzz_equal(const struct xmlrpc_value *a, const struct xmlrpc_value *b)
{
	size_t i;

	if (a->type != b->type)
		return false;
	switch (a->type) {
	case XMLRPC_NIL:
		return true;
	case XMLRPC_INT:
	case XMLRPC_I8:
		return a->u.i == b->u.i;
	case XMLRPC_BOOL:
		return a->u.b == b->u.b;
	case XMLRPC_DOUBLE:
		return a->u.d == b->u.d;
	case XMLRPC_STRING:
		/* The serialiser replaces control characters XML cannot
		 * carry; compare lengths only. */
		return a->u.str.len == b->u.str.len;
	case XMLRPC_ARRAY:
		if (a->u.arr.n != b->u.arr.n)
			return false;
		for (i = 0; i < a->u.arr.n; i++)
			if (!xmlrpc_fuzz_equal(a->u.arr.items[i],
					       b->u.arr.items[i]))
				return false;
		return true;
	case XMLRPC_STRUCT:
		if (a->u.st.n != b->u.st.n)
			return false;
		for (i = 0; i < a->u.st.n; i++)
			if (!xmlrpc_fuzz_equal(a->u.st.members[i].value,
					       b->u.st.members[i].value))
				return false;
		return true;
	}
	return false;
}

void
xmlrpc_fuzz_one(const uint8_t *data, size_t size)
{
	struct xmlrpc_call *call = NULL, *call2 = NULL;
	struct xmlrpc_response *resp = NULL;
	char err[256], *doc;
	size_t len;

	if (xmlrpc_parse_call((const char *)data, size, &call, err,
			      sizeof(err)) == 0) {
		doc = xmlrpc_format_call(call->method, call->params, &len);
		if (!doc ||
		    xmlrpc_parse_call(doc, len, &call2, err, sizeof(err)) !=
			    0 ||
		    strcmp(call->method, call2->method) != 0 ||
		    !xmlrpc_fuzz_equal(call->params, call2->params))
			abort();
		free(doc);
		xmlrpc_call_free(call2);
		xmlrpc_call_free(call);
	}
	if (xmlrpc_parse_response((const char *)data, size, &resp, err,
				  sizeof(err)) == 0) {
		doc = resp->fault
			      ? xmlrpc_format_fault(resp->fault_code,
						    resp->fault_string, &len)
			      : xmlrpc_format_response(resp->value, &len);
		if (!doc)
			abort();
		free(doc);
		xmlrpc_response_free(resp);
	}
}

/* The libFuzzer entry; fuzz/replay.c calls it for each corpus file. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	xmlrpc_fuzz_one(data, size);
	return 0;
}
