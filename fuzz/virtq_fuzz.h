/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtq_fuzz.h: the virtqueue walker fuzz entry shared by the libFuzzer
 * target and the corpus replayer. */
#ifndef XM_VIRTQ_FUZZ_H
#define XM_VIRTQ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Take chains from the queue and guest RAM the bytes describe, as a
 * device does; aborts when a promise of the walker is broken. */
void virtq_fuzz_one(const uint8_t *data, size_t size);

#endif
