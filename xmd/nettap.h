/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nettap.h: taps and bridges in xmd's network namespace (nettap.c). Every
 * function returns 0 (or the value said) or a negative errno; any thread. */
#ifndef XMD_NETTAP_H
#define XMD_NETTAP_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

/* A new non-persistent tap (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR) named
 * pattern ("xmtap%d": the kernel picks the number); its name into
 * name_out. Returns the fd (O_CLOEXEC; the tap lives as long as some copy
 * of it), or -errno. */
int nettap_create(const char *pattern, char name_out[IFNAMSIZ]);
/* Rename a down interface. */
int nettap_rename(const char *from, const char *to);
int nettap_set_mac(const char *name, const uint8_t mac[6]);
int nettap_get_mac(const char *name, uint8_t mac_out[6]);
/* The MTU, or -errno. */
int nettap_get_mtu(const char *name);
int nettap_set_mtu(const char *name, int mtu);
int nettap_set_up(const char *name, bool up);
bool nettap_exists(const char *name);
bool nettap_is_bridge(const char *name);
/* The bridge name is a port of, into buf (-ENOENT: none). */
int nettap_master(const char *name, char buf[IFNAMSIZ]);
int nettap_bridge_add_port(const char *bridge, const char *port);
/* A bridge without STP or forward delay, down. */
int nettap_bridge_create(const char *name);
/* Down, then deleted. */
int nettap_bridge_delete(const char *name);
/* Its IPv4 address and prefix (host byte order). */
int nettap_set_addr(const char *name, uint32_t addr, unsigned prefix);

#endif
