/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cfg_eval.h: the hostile-config generator of the cfg_eval fuzzer, shared
 * with its replay test and tests/unit/cfg_hostile.c. */
#ifndef XM_FUZZ_CFG_EVAL_H
#define XM_FUZZ_CFG_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

/* The config the input chooses, byte by byte: the number of statements
 * less one, then per statement its name, target, wrapper (0: none),
 * attribute chain, way of reaching it (0: directly) and extra choices.
 * A malloc'd NUL-terminated text, or NULL. Pure. */
char *cfg_eval_text(const uint8_t *data, size_t size);

/* Attribute chain i of the generator (".__class__", ...), NULL past the
 * last. */
const char *cfg_eval_chain(size_t i);

/* Whether a value of b shows what only an escape reaches (a module, a
 * frame, the evaluator's globals or functions); what, into why. */
bool cfg_eval_leak(const struct xmbindings *b, char *why, size_t len);

/* Build one config from the input and evaluate it. */
int cfg_eval_one(const uint8_t *data, size_t size);

/* The same for n inputs, evaluated in one sandbox (the corpus replay). */
int cfg_eval_batch(const uint8_t *const *data, const size_t *size, size_t n);

#endif
