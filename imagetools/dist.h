/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dist.h: --dist SUITE: a fresh Debian or Ubuntu system made by
 * debootstrap from the host's configured archive, kept as a tarball in a
 * cache so later images of the same suite start from it at once. */
#ifndef XM_DIST_H
#define XM_DIST_H

#include <stddef.h>

#include "util.h"

/* The archive for suite from the host's APT sources (one-line "deb URL
 * SUITE ..." or deb822 "URIs:"): the first Debian one (Ubuntu's for an
 * Ubuntu suite), not a -security or -updates archive. Pure. 0 or -1
 * when there is none. */
int dist_mirror(const char *text, size_t len, int ubuntu, char *out,
		size_t size) WUR;

/* 1 when suite is one of Ubuntu's (focal, jammy, noble, ...). */
int dist_is_ubuntu(const char *suite);

/* The cached tarball of suite into path (made by debootstrap first when
 * missing: needs root and the archive; *made says whether it ran).
 * mirror NULL: from the host's APT sources. 0 or -1 with err. */
int dist_tarball(const char *suite, const char *mirror, char *path, size_t size,
		 int *made, char *err, size_t errlen) WUR;

#endif
