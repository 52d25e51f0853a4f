/* SPDX-License-Identifier: GPL-2.0-or-later */
/* suggest.c: "did you mean" for a misspelt key: the closest name of a key
 * table by edit distance, offered only when it is close enough to be a
 * typo. Pure functions with hard bounds (the word comes from a config). */
#include <ctype.h>
#include <limits.h>
#include <stddef.h>
#include <string.h>

#include "internal.h"

/* Longer words are never compared (every key is far shorter). */
#define SUGGEST_MAX_LEN 64

/* Edit distance between a and b, ASCII case folded: insertions,
 * deletions, substitutions and swaps of two neighbours ("memroy" is one
 * swap from "memory"), each 1 (optimal string alignment). UINT_MAX when
 * either is longer than SUGGEST_MAX_LEN. Pure. */
unsigned
xmsuggest_distance(const char *a, const char *b)
{
	unsigned d[SUGGEST_MAX_LEN + 1][SUGGEST_MAX_LEN + 1], v;
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN)
		return UINT_MAX;
	for (i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);

			v = d[i - 1][j - 1] + (ca != cb);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 &&
			    ca == tolower((unsigned char)b[j - 2]) &&
			    cb == tolower((unsigned char)a[i - 2]) &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

/* The name in table closest to word, when it is a likely misspelling of
 * it: at distance 1 for names or words of up to 4 characters, 2 for
 * longer ones, and never more than a third of the word ("i" is no typo of
 * "ip"). table is rows of stride bytes whose first member is the name
 * (const char *), ended by a NULL name; ties go to the earlier row.
 * Returns a name of the table or NULL. Pure. */
const char *
xmsuggest(const char *word, const void *table, size_t stride)
{
	const char *best = NULL, *name;
	unsigned dist, best_dist = UINT_MAX, limit;
	size_t i, shorter;

	for (i = 0;; i++) {
		name = *(
			const char *const *)(const void *)((const char *)table +
							   i * stride);
		if (!name)
			break;
		dist = xmsuggest_distance(word, name);
		if (dist == 0 && strcmp(word, name) == 0)
			continue; /* the word itself: nothing to suggest */
		if (dist >= best_dist)
			continue;
		shorter = strlen(word) < strlen(name) ? strlen(word)
						      : strlen(name);
		limit = shorter <= 4 ? 1 : 2;
		if (dist > limit || 3 * (size_t)dist > strlen(word))
			continue;
		best = name;
		best_dist = dist;
	}
	return best;
}
