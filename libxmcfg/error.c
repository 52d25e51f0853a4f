/* SPDX-License-Identifier: GPL-2.0-or-later */
/* error.c: filling and formatting struct xmcfg_error. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

void
xmerr_vset(struct xmcfg_error *err, enum xmcfg_errcode code, const char *file,
	   int line, const char *fmt, va_list ap)
{
	if (!err)
		return;
	err->code = code;
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	err->line = line;
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
}

void
xmerr_set(struct xmcfg_error *err, enum xmcfg_errcode code, const char *file,
	  int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xmerr_vset(err, code, file, line, fmt, ap);
	va_end(ap);
}

/* "FILE:LINE: message", "FILE: message" or "message" into buf; returns buf. */
const char *
xmcfg_error_format(const struct xmcfg_error *err, char *buf, size_t buflen)
{
	if (!buf || buflen == 0)
		return "";
	if (err->file[0] && err->line > 0)
		snprintf(buf, buflen, "%s:%d: %s", err->file, err->line,
			 err->message);
	else if (err->file[0])
		snprintf(buf, buflen, "%s: %s", err->file, err->message);
	else
		snprintf(buf, buflen, "%s", err->message);
	return buf;
}
