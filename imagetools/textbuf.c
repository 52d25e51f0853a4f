/* SPDX-License-Identifier: GPL-2.0-or-later */
/* textbuf.c: a growing string for the text fixers. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textbuf.h"

void
tb_add(struct textbuf *b, const char *p, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *s;

		while (cap < b->len + n + 1)
			cap *= 2;
		s = realloc(b->s, cap);
		if (!s) {
			b->oom = 1;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = 0;
}

void
tb_str(struct textbuf *b, const char *s)
{
	tb_add(b, s, strlen(s));
}

void
tb_printf(struct textbuf *b, const char *fmt, ...)
{
	char small[512], *big = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = 1;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		tb_add(b, small, (size_t)n);
		return;
	}
	va_start(ap, fmt);
	n = vasprintf(&big, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = 1;
		return;
	}
	tb_add(b, big, (size_t)n);
	free(big);
}

int
tb_finish(struct textbuf *b, char **out)
{
	if (!b->oom && !b->s)
		tb_add(b, "", 0);
	if (b->oom) {
		free(b->s);
		b->s = NULL;
		return -ENOMEM;
	}
	*out = b->s;
	b->s = NULL;
	return 0;
}

const char *
tb_line(const char *in, size_t len, size_t *pos, size_t *n)
{
	const char *start, *nl;

	if (*pos >= len)
		return NULL;
	start = in + *pos;
	nl = memchr(start, '\n', len - *pos);
	*n = nl ? (size_t)(nl - start) : len - *pos;
	*pos += *n + (nl ? 1 : 0);
	return start;
}
