/* SPDX-License-Identifier: GPL-2.0-or-later */
/* textbuf.h: a growing string for the text fixers (textfix.h). */
#ifndef XM_TEXTBUF_H
#define XM_TEXTBUF_H

#include <stddef.h>

struct textbuf {
	char *s;
	size_t len, cap;
	int oom;
};

/* Append n bytes / a string / printf output; on allocation failure oom is
 * set and later appends do nothing. */
void tb_add(struct textbuf *b, const char *p, size_t n);
void tb_str(struct textbuf *b, const char *s);
void tb_printf(struct textbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Hand over the string (0) or free it and return -ENOMEM. */
int tb_finish(struct textbuf *b, char **out);

/* The next line of in[*pos..len) without its newline: returns its start,
 * sets *n, advances *pos; NULL at the end. */
const char *tb_line(const char *in, size_t len, size_t *pos, size_t *n);

#endif
