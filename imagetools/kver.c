/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kver.c: the version string a Linux bzImage announces in its setup
 * header (kernel_version), read from untrusted bytes. Pure. */
#include <string.h>

#include "fixups.h"

int
kernel_version(const unsigned char *buf, size_t len, char *out, size_t size)
{
	size_t off, i;

	if (len < 0x210 || memcmp(buf + 0x202, "HdrS", 4))
		return -1;
	off = (size_t)(buf[0x20e] | buf[0x20f] << 8) + 0x200;
	if (off >= len || size == 0)
		return -1;
	for (i = 0; off + i < len && i + 1 < size; i++) {
		char c = (char)buf[off + i];

		if (c == ' ' || c == 0)
			break;
		if (c < 0x21 || c > 0x7e || c == '/')
			return -1;
		out[i] = c;
	}
	out[i] = 0;
	return i ? 0 : -1;
}
