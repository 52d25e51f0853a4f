/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmlrpc_value.c: the XML-RPC value tree: constructors, accessors, free. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xmlrpc.h"
#include "xmlrpc_int.h"

/* xmlrpc_int.h: a zeroed node of the given type, or NULL. */
struct xmlrpc_value *
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
xmlrpc_struct_take(struct xmlrpc_value *st, const char *name)
{
	struct xmlrpc_value *v;
	size_t i;

	if (!st || st->type != XMLRPC_STRUCT)
		return NULL;
	for (i = 0; i < st->u.st.n; i++) {
		if (strcmp(st->u.st.members[i].name, name) != 0)
			continue;
		v = st->u.st.members[i].value;
		free(st->u.st.members[i].name);
		memmove(&st->u.st.members[i], &st->u.st.members[i + 1],
			(st->u.st.n - i - 1) * sizeof(st->u.st.members[0]));
		st->u.st.n--;
		return v;
	}
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
