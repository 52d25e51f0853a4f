/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sxp.c: xend-style S-expression output for xm list --long and friends. */
#include <stdio.h>
#include <string.h>

#include "sxp.h"

void
sxp_init(struct sxp_writer *w, FILE *out)
{
	w->out = out;
	w->depth = 0;
}

static void
sxp_indent(struct sxp_writer *w)
{
	int i;

	for (i = 0; i < w->depth; i++)
		fputs("    ", w->out);
}

void
sxp_open(struct sxp_writer *w, const char *name)
{
	sxp_indent(w);
	fprintf(w->out, "(%s\n", name);
	w->depth++;
}

void
sxp_close(struct sxp_writer *w)
{
	if (w->depth > 0)
		w->depth--;
	sxp_indent(w);
	fputs(")\n", w->out);
}

/* Characters sxp.show printed without quotes. */
static int
sxp_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("-_./:@+,=%~*", c) != NULL;
}

char *
sxp_quote(const char *atom, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p;
	size_t n = 0;
	int bare = 1;

	if (size == 0)
		return buf;
	for (p = (const unsigned char *)atom; *p != '\0'; p++)
		if (!sxp_safe(*p))
			bare = 0;
	if (bare) {
		snprintf(buf, size, "%s", atom);
		return buf;
	}
#define SXP_PUT(ch)                                                            \
	do {                                                                   \
		if (n + 1 < size)                                              \
			buf[n++] = (ch);                                       \
	} while (0)
	SXP_PUT('\'');
	for (p = (const unsigned char *)atom; *p != '\0'; p++) {
		if (*p == '\'' || *p == '\\') {
			SXP_PUT('\\');
			SXP_PUT(*p);
		} else if (*p == '\n') {
			SXP_PUT('\\');
			SXP_PUT('n');
		} else if (*p < 0x20 || *p == 0x7f) {
			SXP_PUT('\\');
			SXP_PUT('x');
			SXP_PUT(hex[*p >> 4]);
			SXP_PUT(hex[*p & 15]);
		} else {
			SXP_PUT(*p);
		}
	}
	SXP_PUT('\'');
#undef SXP_PUT
	buf[n] = '\0';
	return buf;
}

void
sxp_leaf(struct sxp_writer *w, const char *key, const char *value)
{
	char q[8192];

	sxp_indent(w);
	if (value == NULL || value[0] == '\0')
		fprintf(w->out, "(%s )\n", key);
	else
		fprintf(w->out, "(%s %s)\n", key,
			sxp_quote(value, q, sizeof(q)));
}

void
sxp_leaf_int(struct sxp_writer *w, const char *key, long long value)
{
	sxp_indent(w);
	fprintf(w->out, "(%s %lld)\n", key, value);
}

void
sxp_leaf_double(struct sxp_writer *w, const char *key, double value)
{
	sxp_indent(w);
	fprintf(w->out, "(%s %.3f)\n", key, value);
}
