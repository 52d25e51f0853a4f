/* SPDX-License-Identifier: GPL-2.0-or-later */
/* imgfind.h: the configs xm-create-image wrote, found again (the config
 * directory as xm-create-image chose it: --output, else XMD_ROOT's
 * etc/xen, else /etc/xen). */
#ifndef XM_IMGFIND_H
#define XM_IMGFIND_H

#include <stddef.h>

#include "imgcfg.h"

/* The config directory into buf. 0 or -ENAMETOOLONG. */
int imgfind_dir(const char *output, char *buf, size_t size);

/* Read and parse dir/name. 0, or -errno (-ENOENT). */
int imgfind_read(const char *dir, const char *name, struct imgcfg_info *info);

#endif
