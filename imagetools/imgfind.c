/* SPDX-License-Identifier: GPL-2.0-or-later */
/* imgfind.c: where xm-create-image's configs are, and reading one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imgfind.h"
#include "util.h"

int
imgfind_dir(const char *output, char *buf, size_t size)
{
	const char *root = getenv("XMD_ROOT");

	if (output)
		return util_strlcpy(buf, output, size);
	if (!root || !*root)
		root = "/";
	return util_snprintf(buf, size, "%s%setc/xen", root,
			     root[strlen(root) - 1] == '/' ? "" : "/");
}

int
imgfind_read(const char *dir, const char *name, struct imgcfg_info *info)
{
	char path[4096], *text = NULL;
	size_t len;
	int r;

	if (util_snprintf(path, sizeof(path), "%s/%s", dir, name) < 0)
		return -ENAMETOOLONG;
	r = util_read_file(path, 1 << 20, &text, &len);
	if (r < 0)
		return r;
	imgcfg_read(text, len, info);
	free(text);
	return 0;
}
