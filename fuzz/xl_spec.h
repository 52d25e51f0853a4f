/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xl_spec.h: the entry shared by the xl_spec fuzzer and its replay test. */
#ifndef XM_FUZZ_XL_SPEC_H
#define XM_FUZZ_XL_SPEC_H

#include <stddef.h>
#include <stdint.h>

/* Run one fuzz input through the parser its first byte selects. */
int xl_spec_one(const uint8_t *data, size_t size);

#endif
