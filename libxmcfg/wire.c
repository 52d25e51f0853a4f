/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wire.c: the length-prefixed encoding of evaluated values (child -> parent). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

char *
xm_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

char *
xm_strndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
xmbuf_put(struct xmbuf *b, const void *p, size_t n)
{
	if (b->failed || n == 0)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *d;

		while (cap < b->len + n)
			cap *= 2;
		d = realloc(b->data, cap);
		if (!d) {
			b->failed = true;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void
xmbuf_u8(struct xmbuf *b, uint8_t v)
{
	xmbuf_put(b, &v, 1);
}

void
xmbuf_u32(struct xmbuf *b, uint32_t v)
{
	uint8_t p[4] = {v, v >> 8, v >> 16, v >> 24};

	xmbuf_put(b, p, 4);
}

void
xmbuf_u64(struct xmbuf *b, uint64_t v)
{
	xmbuf_u32(b, (uint32_t)v);
	xmbuf_u32(b, (uint32_t)(v >> 32));
}

void
xmbuf_str(struct xmbuf *b, const char *s, size_t n)
{
	xmbuf_u32(b, (uint32_t)n);
	xmbuf_put(b, s, n);
}

void
xmbuf_printf(struct xmbuf *b, const char *fmt, ...)
{
	va_list ap;
	char tmp[512], *big;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		xmbuf_put(b, tmp, (size_t)n);
		return;
	}
	big = malloc((size_t)n + 1);
	if (!big) {
		b->failed = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	xmbuf_put(b, big, (size_t)n);
	free(big);
}

void
xmbuf_free(struct xmbuf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

char *
xmbuf_finish(struct xmbuf *b)
{
	char *text;

	xmbuf_put(b, "", 1);
	if (b->failed) {
		xmbuf_free(b);
		return NULL;
	}
	text = b->data;
	memset(b, 0, sizeof(*b));
	return text;
}

void
xmval_dispose(struct xmval *v)
{
	size_t i, n;

	if (!v)
		return;
	n = v->type == XMVAL_DICT ? 2 * v->n : v->n;
	if (v->items)
		for (i = 0; i < n; i++)
			xmval_dispose(&v->items[i]);
	free(v->items);
	free(v->str);
	memset(v, 0, sizeof(*v));
}

void
xmbindings_dispose(struct xmbindings *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		free(b->v[i].name);
		xmval_dispose(&b->v[i].val);
	}
	free(b->v);
	b->v = NULL;
	b->n = 0;
}

const char *
xmval_type_name(const struct xmval *v)
{
	static const char *const names[] = {
		[XMVAL_NONE] = "None",    [XMVAL_BOOL] = "bool",
		[XMVAL_INT] = "int",      [XMVAL_BIGINT] = "int",
		[XMVAL_FLOAT] = "float",  [XMVAL_STR] = "str",
		[XMVAL_LIST] = "list",    [XMVAL_DICT] = "dict",
		[XMVAL_OTHER] = "object",
	};

	if (v->type == XMVAL_OTHER && v->str)
		return v->str;
	return names[v->type];
}

struct rd {
	const unsigned char *p;
	size_t len, off;
};

static int
rd_u8(struct rd *r, uint8_t *v)
{
	if (r->len - r->off < 1)
		return -1;
	*v = r->p[r->off++];
	return 0;
}

static int
rd_u32(struct rd *r, uint32_t *v)
{
	const unsigned char *p;

	if (r->len - r->off < 4)
		return -1;
	p = r->p + r->off;
	*v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	     (uint32_t)p[3] << 24;
	r->off += 4;
	return 0;
}

static int
rd_u64(struct rd *r, uint64_t *v)
{
	uint32_t lo, hi;

	if (rd_u32(r, &lo) < 0 || rd_u32(r, &hi) < 0)
		return -1;
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

static int
rd_str(struct rd *r, char **s_out, size_t *len_out)
{
	uint32_t n;
	char *s;

	if (rd_u32(r, &n) < 0 || r->len - r->off < n)
		return -1;
	s = xm_strndup((const char *)r->p + r->off, n);
	if (!s)
		return -1;
	r->off += n;
	*s_out = s;
	if (len_out)
		*len_out = n;
	return 0;
}

static int
rd_val(struct rd *r, struct xmval *v, int depth)
{
	uint8_t tag;
	uint32_t n;
	uint64_t u;
	size_t i, cnt;

	memset(v, 0, sizeof(*v));
	if (depth > XMWIRE_MAX_DEPTH || rd_u8(r, &tag) < 0)
		return -1;
	switch (tag) {
	case 'N':
		v->type = XMVAL_NONE;
		return 0;
	case 'T':
	case 'F':
		v->type = XMVAL_BOOL;
		v->b = tag == 'T';
		return 0;
	case 'i':
		v->type = XMVAL_INT;
		if (rd_u64(r, &u) < 0)
			return -1;
		v->i = (int64_t)u;
		return 0;
	case 'f':
		v->type = XMVAL_FLOAT;
		if (rd_u64(r, &u) < 0)
			return -1;
		memcpy(&v->f, &u, sizeof(v->f));
		return 0;
	case 'I':
	case 's':
	case 'o':
		v->type = tag == 's'   ? XMVAL_STR
			  : tag == 'I' ? XMVAL_BIGINT
				       : XMVAL_OTHER;
		return rd_str(r, &v->str, &v->len);
	case 'l':
	case 'd':
		v->type = tag == 'l' ? XMVAL_LIST : XMVAL_DICT;
		if (rd_u32(r, &n) < 0)
			return -1;
		cnt = tag == 'l' ? n : 2 * (size_t)n;
		/* each item takes at least one byte: bound before allocating */
		if (cnt > r->len - r->off)
			return -1;
		v->items = calloc(cnt ? cnt : 1, sizeof(*v->items));
		if (!v->items)
			return -1;
		v->n = n;
		for (i = 0; i < cnt; i++)
			if (rd_val(r, &v->items[i], depth + 1) < 0)
				return -1;
		return 0;
	default:
		return -1;
	}
}

int
xmwire_decode(const char *data, size_t len, struct xmbindings *b,
	      struct xmcfg_error *err, size_t *used_out)
{
	struct rd r = {(const unsigned char *)data, len, 0};
	struct xmbindings nb = {NULL, 0};
	uint32_t n, code, line;
	uint8_t tag, decl;
	char *msg = NULL;
	size_t i;
	int rc = -1;

	if (rd_u8(&r, &tag) < 0)
		goto out;
	if (tag == 'E') {
		if (rd_u32(&r, &code) < 0 || rd_u32(&r, &line) < 0 ||
		    rd_str(&r, &msg, NULL) < 0)
			goto out;
		if (code > XMCFG_EINTERNAL || line > 100000000)
			goto out;
		err->code = (enum xmcfg_errcode)code;
		err->line = (int)line;
		snprintf(err->message, sizeof(err->message), "%s", msg);
		rc = 1;
		goto out;
	}
	if (tag != 'O' || rd_u32(&r, &n) < 0 || n > r.len - r.off)
		goto out;
	nb.v = calloc(n ? n : 1, sizeof(*nb.v));
	if (!nb.v)
		goto out;
	for (i = 0; i < n; i++) {
		struct xmbinding *e = &nb.v[i];

		nb.n = i + 1;
		if (rd_str(&r, &e->name, NULL) < 0 || rd_u32(&r, &line) < 0 ||
		    rd_u8(&r, &decl) < 0 || rd_val(&r, &e->val, 0) < 0)
			goto out;
		e->line = (int)line;
		e->declared = decl != 0;
	}
	*b = nb;
	nb.v = NULL;
	nb.n = 0;
	rc = 0;
out:
	if (rc >= 0)
		*used_out = r.off;
	xmbindings_dispose(&nb);
	free(msg);
	return rc;
}
