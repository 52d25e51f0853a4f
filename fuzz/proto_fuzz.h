/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proto_fuzz.h: the libxmhv <-> xmhv frame fuzz entry shared by the
 * libFuzzer target and the corpus replayer. */
#ifndef XM_PROTO_FUZZ_H
#define XM_PROTO_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Feed one byte stream of frames to the checks; aborts when a check
 * accepts what its bounds refuse or a decoded message does not encode
 * back to itself. */
void proto_fuzz_one(const uint8_t *data, size_t size);

#endif
