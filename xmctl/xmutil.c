/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmutil.c: helpers shared by xm and its config evaluator xm-config:
 * xm's error line and paths relocated by XMD_ROOT. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xm.h"

void
xm_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("Error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
xm_root_path(char *buf, size_t size, const char *rel)
{
	const char *root = getenv("XMD_ROOT");

	if (root == NULL || root[0] == '\0')
		root = "/";
	while (rel[0] == '/')
		rel++;
	return util_snprintf(buf, size, "%s%s%s", root,
			     root[strlen(root) - 1] == '/' ? "" : "/", rel);
}
