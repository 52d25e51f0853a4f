/* SPDX-License-Identifier: GPL-2.0-or-later */
/* aml.c: a tiny AML assembler (aml.h) for the DSDT: bytes, named objects,
 * package lengths filled in when a body closes. */
#include <errno.h>
#include <string.h>

#include "aml.h"

void
aml_bytes(struct aml *a, const void *p, size_t n)
{
	if (a->err || n > a->max - a->len) {
		a->err = -ENOSPC;
		return;
	}
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

void
aml_byte(struct aml *a, uint8_t b)
{
	aml_bytes(a, &b, 1);
}

/* Open a PkgLength-prefixed body: returns where it starts. */
size_t
aml_open(struct aml *a)
{
	return a->len;
}

/* Close the body opened at start: insert its PkgLength in front. */
void
aml_close(struct aml *a, size_t start)
{
	size_t body = a->len - start, total, nlen;
	uint8_t enc[4];

	if (a->err)
		return;
	for (nlen = 1; nlen <= 4; nlen++) {
		total = body + nlen;
		if ((nlen == 1 && total < 0x40) ||
		    (nlen > 1 && total < (1u << (4 + 8 * (nlen - 1)))))
			break;
	}
	if (nlen > 4 || nlen > a->max - a->len) {
		a->err = -ENOSPC;
		return;
	}
	if (nlen == 1) {
		enc[0] = (uint8_t)total;
	} else {
		enc[0] = (uint8_t)(((nlen - 1) << 6) | (total & 0x0f));
		for (size_t i = 1; i < nlen; i++)
			enc[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
	}
	memmove(a->buf + start + nlen, a->buf + start, body);
	memcpy(a->buf + start, enc, nlen);
	a->len += nlen;
}

void
aml_name_eisaid(struct aml *a, const char *name, const char id[7])
{
	uint32_t v = ((uint32_t)(id[0] - 0x40) << 26) |
		     ((uint32_t)(id[1] - 0x40) << 21) |
		     ((uint32_t)(id[2] - 0x40) << 16);
	uint8_t b[5];
	unsigned i, x;

	for (i = 3; i < 7; i++) {
		x = (unsigned)(id[i] <= '9' ? id[i] - '0' : id[i] - 'A' + 10);
		v |= x << (4 * (6 - i));
	}
	b[0] = 0x0c; /* DWordPrefix, stored big-endian as EISAID does */
	b[1] = (uint8_t)(v >> 24);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 8);
	b[4] = (uint8_t)v;
	aml_byte(a, 0x08); /* NameOp */
	aml_bytes(a, name, 4);
	aml_bytes(a, b, 5);
}

void
aml_name_byte(struct aml *a, const char *name, uint8_t v)
{
	aml_byte(a, 0x08);
	aml_bytes(a, name, 4);
	aml_byte(a, 0x0a); /* BytePrefix */
	aml_byte(a, v);
}

void
aml_name_string(struct aml *a, const char *name, const char *str)
{
	aml_byte(a, 0x08);
	aml_bytes(a, name, 4);
	aml_byte(a, 0x0d); /* StringPrefix */
	aml_bytes(a, str, strlen(str) + 1);
}

/* Name(name, ResourceTemplate() { res }) with the end tag appended. */
void
aml_name_resources(struct aml *a, const char *name, const uint8_t *res,
		   size_t len)
{
	static const uint8_t end[2] = {0x79, 0x00};
	size_t start;

	aml_byte(a, 0x08);
	aml_bytes(a, name, 4);
	aml_byte(a, 0x11); /* BufferOp */
	start = aml_open(a);
	aml_byte(a, 0x0a);
	aml_byte(a, (uint8_t)(len + 2));
	aml_bytes(a, res, len);
	aml_bytes(a, end, 2);
	aml_close(a, start);
}
