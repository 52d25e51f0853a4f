/* SPDX-License-Identifier: GPL-2.0-or-later */
/* keyval.c: evaluated values into the C types of config keys (strings
 * checked as text, integers in range, lists of strings, UUIDs), and the
 * error that names the key and its line. Pure. */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "keys.h"

/* See keys.h: the message with the key's line, "(command line)" for a
 * VAR=VALUE. Returns -1. */
int
keyval_fail(struct key_ctx *c, const char *fmt, ...)
{
	va_list ap;
	char msg[KEY_MSG + 32];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	xmerr_set(c->err, XMCFG_EVALUE, c->path, c->cur ? c->cur->line : 0,
		  "%s%s", msg,
		  c->cur && c->cur->line == 0 ? " (command line)" : "");
	return -1;
}

/* Strings end up in XML, SXP and command lines: valid UTF-8, and no control
 * characters but tab. */
bool
keyval_text_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n, i;

	while (*p) {
		if (*p < 0x80) {
			if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
				return false;
			p++;
			continue;
		}
		n = (*p & 0xe0) == 0xc0   ? 1
		    : (*p & 0xf0) == 0xe0 ? 2
		    : (*p & 0xf8) == 0xf0 ? 3
					  : -1;
		if (n < 0 || *p == 0xc0 || *p == 0xc1 || *p > 0xf4)
			return false;
		for (i = 1; i <= n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return false;
		/* no overlong forms, no surrogates, nothing above U+10FFFF */
		if ((p[0] == 0xe0 && p[1] < 0xa0) ||
		    (p[0] == 0xed && p[1] > 0x9f) ||
		    (p[0] == 0xf0 && p[1] < 0x90) ||
		    (p[0] == 0xf4 && p[1] > 0x8f) ||
		    (p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe))
			return false; /* U+FFFE, U+FFFF: not XML characters */
		p += n + 1;
	}
	return true;
}

/* A value as a string: str as is, int in decimal (xm's str() of it). */
int
keyval_str(struct key_ctx *c, const char *what, const struct xmval *v,
	   char **out)
{
	char tmp[32];

	if (v->type == XMVAL_STR) {
		if (strlen(v->str) != v->len)
			return keyval_fail(c, "%s: contains a NUL character",
					   what);
		if (!keyval_text_ok(v->str))
			return keyval_fail(
				c,
				"%s: contains a control character or "
				"invalid UTF-8",
				what);
		*out = xm_strdup(v->str);
	} else if (v->type == XMVAL_INT) {
		snprintf(tmp, sizeof(tmp), "%lld", (long long)v->i);
		*out = xm_strdup(tmp);
	} else {
		return keyval_fail(c, "%s: expected a string, got %s", what,
				   xmval_type_name(v));
	}
	if (!*out)
		return keyval_fail(c, "%s: out of memory", what);
	return 0;
}

/* An unsigned integer from an int, an integral float or a digit string. */
int
keyval_u64(struct key_ctx *c, const char *what, const struct xmval *v,
	   uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t x;
	char *s, *e;

	switch (v->type) {
	case XMVAL_INT:
		if (v->i < 0)
			goto range;
		x = (uint64_t)v->i;
		break;
	case XMVAL_BIGINT:
		goto range;
	case XMVAL_FLOAT:
		if (!(v->f >= 0 && v->f <= 1e15) ||
		    v->f != (double)(uint64_t)v->f)
			return keyval_fail(c, "%s: %g is not a whole number",
					   what, v->f);
		x = (uint64_t)v->f;
		break;
	case XMVAL_STR:
		s = v->str;
		while (isspace((unsigned char)*s))
			s++;
		e = s + strlen(s);
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (e == s || e - s > 18 ||
		    strspn(s, "0123456789") != (size_t)(e - s))
			return keyval_fail(c, "%s: '%.100s' is not an integer",
					   what, v->str);
		x = strtoull(s, NULL, 10);
		break;
	default:
		return keyval_fail(c, "%s: expected an integer, got %s", what,
				   xmval_type_name(v));
	}
	if (x < min || x > max) {
		return keyval_fail(c, "%s: %llu is not in %llu..%llu", what,
				   (unsigned long long)x,
				   (unsigned long long)min,
				   (unsigned long long)max);
	}
	*out = x;
	return 0;
range:
	return keyval_fail(c, "%s: %s is not in %llu..%llu", what,
			   v->type == XMVAL_BIGINT ? "value" : "negative value",
			   (unsigned long long)min, (unsigned long long)max);
}

/* A list of strings; a single string is a one-entry list (VAR=VALUE). */
int
keyval_list(struct key_ctx *c, const char *what, const struct xmval *v,
	    const struct xmval **items, size_t *n)
{
	size_t i;

	if (v->type == XMVAL_STR) {
		if (!keyval_text_ok(v->str) || strlen(v->str) != v->len)
			return keyval_fail(
				c,
				"%s: contains a control character or "
				"invalid UTF-8",
				what);
		*items = v;
		*n = 1;
		return 0;
	}
	if (v->type != XMVAL_LIST)
		return keyval_fail(c, "%s: expected a list of strings, got %s",
				   what, xmval_type_name(v));
	for (i = 0; i < v->n; i++)
		if (v->items[i].type != XMVAL_STR)
			return keyval_fail(
				c, "%s[%zu]: expected a string, got %s", what,
				i, xmval_type_name(&v->items[i]));
		else if (!keyval_text_ok(v->items[i].str) ||
			 strlen(v->items[i].str) != v->items[i].len)
			return keyval_fail(
				c,
				"%s[%zu]: contains a control character "
				"or invalid UTF-8",
				what, i);
	*items = v->items;
	*n = v->n;
	return 0;
}

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" into dom->uuid. */
int
keyval_uuid(struct key_ctx *c, const char *s)
{
	static const int groups[] = {8, 4, 4, 4, 12};
	const char *p = s;
	size_t g, k, b = 0;
	int hi, lo;

	for (g = 0; g < 5; g++) {
		if (g && *p++ != '-')
			goto bad;
		for (k = 0; k < (size_t)groups[g]; k += 2) {
			hi = isxdigit((unsigned char)p[0]) ? p[0] : -1;
			lo = hi >= 0 && isxdigit((unsigned char)p[1]) ? p[1]
								      : -1;
			if (lo < 0)
				goto bad;
			hi = isdigit(hi) ? hi - '0' : tolower(hi) - 'a' + 10;
			lo = isdigit(lo) ? lo - '0' : tolower(lo) - 'a' + 10;
			c->dom->uuid[b++] = (uint8_t)(hi << 4 | lo);
			p += 2;
		}
	}
	if (*p)
		goto bad;
	c->dom->has_uuid = true;
	return 0;
bad:
	return keyval_fail(c,
			   "uuid: '%.100s' is not a UUID "
			   "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
			   s);
}
