/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vbdlist.c: the disks of `xm create -n`'s SXP, read back. Pure. */
#include <stdio.h>
#include <string.h>

#include "vbdlist.h"

/* The value after "(key " up to the closing ')', unquoting '...'. */
static int
field(const char *p, const char *end, const char *key, char *dst, size_t size)
{
	char pat[40];
	size_t pl, k = 0;
	const char *s;

	pl = (size_t)snprintf(pat, sizeof(pat), "(%s ", key);
	for (s = p; s + pl <= end; s++)
		if (!memcmp(s, pat, pl))
			break;
	if (s + pl > end)
		return -1;
	s += pl;
	if (s < end && *s == '\'') {
		for (s++; s < end && *s != '\''; s++) {
			if (*s == '\\' && s + 1 < end)
				s++;
			if (k + 1 >= size)
				return -1;
			dst[k++] = *s;
		}
	} else {
		for (; s < end && *s != ')' && *s != ' '; s++) {
			if (k + 1 >= size)
				return -1;
			dst[k++] = *s;
		}
	}
	dst[k] = 0;
	return k ? 0 : -1;
}

size_t
vbdlist_parse(const char *text, size_t len, struct vbd *out, size_t max)
{
	const char *p = text, *end = text + len;
	size_t n = 0;

	while (n < max && p < end) {
		const char *s = NULL, *e;
		const char *q;

		for (q = p; q + 12 <= end; q++)
			if (!memcmp(q, "(device (vbd", 12)) {
				s = q;
				break;
			}
		if (!s)
			break;
		e = memchr(s, '\n', (size_t)(end - s));
		if (!e)
			e = end;
		memset(&out[n], 0, sizeof(out[n]));
		if (field(s, e, "uname", out[n].uname, sizeof(out[n].uname)) ==
			    0 &&
		    field(s, e, "dev", out[n].dev, sizeof(out[n].dev)) == 0 &&
		    field(s, e, "guest_dev", out[n].guest,
			  sizeof(out[n].guest)) == 0)
			n++;
		p = e;
	}
	return n;
}

int
vbdlist_path(const struct vbd *v, char *buf, size_t size)
{
	static const char *const pre[] = {
		"file:", "tap:aio:", "tap2:aio:", "tap:tapdisk:aio:"};
	size_t i;
	int n;

	for (i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
		if (!strncmp(v->uname, pre[i], strlen(pre[i]))) {
			n = snprintf(buf, size, "%s",
				     v->uname + strlen(pre[i]));
			return n > 0 && (size_t)n < size ? 0 : -1;
		}
	if (!strncmp(v->uname, "phy:", 4)) {
		const char *d = v->uname + 4;

		n = snprintf(buf, size, "%s%s", d[0] == '/' ? "" : "/dev/", d);
		return n > 0 && (size_t)n < size ? 0 : -1;
	}
	return -1;
}
