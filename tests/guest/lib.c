/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib.c: the few C library routines the freestanding guest needs, and CRC32. */
#include "guest.h"

/* The IEEE 802.3 CRC32 (zlib's crc32), reflected polynomial 0xedb88320, in
 * slicing-by-8 tables computed by the assembler (crc32_table.S):
 * lib_crc32_slice[k][i] updates the state for byte i followed by k zero
 * bytes. 8 bytes then cost ~30 instructions instead of ~64. */
extern const uint32_t lib_crc32_slice[8][256];

/* memcpy: the compiler may emit calls to it; byte copy is enough here. */
void *
memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

/* memset: as above. */
void *
memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;

	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

/* memcmp: returns <0, 0, >0 like the C library's. */
int
memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

/* strlen: length of a NUL-terminated string. */
size_t
strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* lib_strncmp: strncmp. */
int
lib_strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (uint8_t)*a - (uint8_t)*b;
		if (!*a)
			break;
	}
	return 0;
}

/* lib_crc32: continues crc over buf (start with 0), returns the new value;
 * lib_crc32(0, buf, len) equals zlib's crc32(0, buf, len). Any CPU. */
uint32_t
lib_crc32(uint32_t crc, const void *buf, uint64_t len)
{
	const uint8_t *p = buf;
	const uint32_t(*t)[256] = lib_crc32_slice;

	crc = ~crc;
	for (; len && ((uintptr_t)p & 7); len--)
		crc = t[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	for (; len >= 8; len -= 8, p += 8) {
		uint64_t w = *(const uint64_t *)(const void *)p;
		uint32_t lo = (uint32_t)w ^ crc, hi = (uint32_t)(w >> 32);

		crc = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^
		      t[5][(lo >> 16) & 0xff] ^ t[4][lo >> 24] ^
		      t[3][hi & 0xff] ^ t[2][(hi >> 8) & 0xff] ^
		      t[1][(hi >> 16) & 0xff] ^ t[0][hi >> 24];
	}
	for (; len; len--)
		crc = t[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* lib_parse_uint: decimal string to number; 0 on success, -1 if s is not
 * a plain decimal number. *out is written only on success. */
int
lib_parse_uint(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000000ULL)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}
