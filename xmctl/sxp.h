/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sxp.h: writing xend's S-expressions the way xend's PrettyPrint did
 * (one child per line, four spaces per level). */
#ifndef XM_SXP_H
#define XM_SXP_H

#include <stdio.h>

/* A tiny writer: open "(name", then leaves "(key value)" on their own lines,
 * then close ")". Depth is tracked for the indentation. */
struct sxp_writer {
	FILE *out;
	int depth;
};

/* Start a writer on out (borrowed). */
void sxp_init(struct sxp_writer *w, FILE *out);
/* "(name" on its own line, one level deeper from now on. */
void sxp_open(struct sxp_writer *w, const char *name);
/* ")" closing the innermost open list. */
void sxp_close(struct sxp_writer *w);
/* "(key value)" with value quoted as sxp.show quoted atoms; NULL value
 * prints "(key )" as xend did for empty values. */
void sxp_leaf(struct sxp_writer *w, const char *key, const char *value);
void sxp_leaf_int(struct sxp_writer *w, const char *key, long long value);
void sxp_leaf_double(struct sxp_writer *w, const char *key, double value);

/* Quote one atom into buf (sxp.show rules: bare when it only holds safe
 * characters, else single-quoted with backslash escapes). Returns buf. */
char *sxp_quote(const char *atom, char *buf, size_t size);

#endif
