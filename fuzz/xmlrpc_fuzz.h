/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmlrpc_fuzz.h: the XML-RPC parser fuzz entry shared by the libFuzzer
 * target and the corpus replayer. */
#ifndef XM_XMLRPC_FUZZ_H
#define XM_XMLRPC_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Feed one input to the parsers; aborts when a parsed tree does not
 * serialise and parse back to itself. */
void xmlrpc_fuzz_one(const uint8_t *data, size_t size);

#endif
