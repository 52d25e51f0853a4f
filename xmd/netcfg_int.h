/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netcfg_int.h: what the pure networking files (netcfg.c, netconfig.c,
 * nettext.c) share beyond net.h. */
#ifndef XMD_NETCFG_INT_H
#define XMD_NETCFG_INT_H

#include <stdint.h>

/* The IPv4 netmask of prefix (0..32), host order. Pure. */
uint32_t net_mask(unsigned prefix);

#endif
