/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netcfg.c: the pure side of xmd's networking: vif MACs and tap names,
 * IPv4 addresses, subnets and the pick of a free one. (Managed network
 * configs are netconfig.c, the text given to dnsmasq and nftables
 * nettext.c.) No I/O; unit-tested (tests/unit/xmd_net.c). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "netcfg_int.h"
#include "util.h"

void
net_vif_mac(const uint8_t uuid[16], uint32_t devid, uint8_t mac_out[6])
{
	uint32_t h = 2166136261u; /* FNV-1a, 32 bits */
	size_t i;

	for (i = 0; i < 16; i++)
		h = (h ^ uuid[i]) * 16777619u;
	for (i = 0; i < 4; i++)
		h = (h ^ ((devid >> (8 * i)) & 0xff)) * 16777619u;
	mac_out[0] = 0x00;
	mac_out[1] = 0x16;
	mac_out[2] = 0x3e;
	mac_out[3] = (uint8_t)((h >> 16) & 0x7f);
	mac_out[4] = (uint8_t)(h >> 8);
	mac_out[5] = (uint8_t)h;
}

const char *
net_mac_string(const uint8_t mac[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

uint32_t
net_vif_devid(const struct xmcfg_domain *cfg, size_t i)
{
	return cfg->vifs[i].devid >= 0 ? (uint32_t)cfg->vifs[i].devid
				       : (uint32_t)i;
}

bool
net_ifname_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == '/' || s[i] == ':' ||
		    s[i] == 0x7f)
			return false;
	return true;
}

int
net_tap_name(const struct xmcfg_vif *v, xmhv_domid_t domid, uint32_t devid,
	     char buf[IFNAMSIZ])
{
	if (v->vifname)
		return net_ifname_valid(v->vifname)
			       ? util_strlcpy(buf, v->vifname, IFNAMSIZ)
			       : -EINVAL;
	return util_snprintf(buf, IFNAMSIZ, "vif%u.%u", domid, devid);
}

int
net_vif_guest_mac(const struct xmcfg_domain *cfg, const uint8_t uuid[16],
		  size_t i, uint8_t mac_out[6], char *msg, size_t msglen)
{
	const struct xmcfg_vif *v = &cfg->vifs[i];
	char s[18];

	if (!v->has_mac) {
		net_vif_mac(uuid, net_vif_devid(cfg, i), mac_out);
		return 0;
	}
	if (v->mac[0] & 1) {
		snprintf(msg, msglen, "vif[%zu]: mac %s is a multicast address",
			 i, net_mac_string(v->mac, s));
		return -EINVAL;
	}
	memcpy(mac_out, v->mac, 6);
	return 0;
}

const char *
net_ip_string(uint32_t a, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
		 (a >> 8) & 0xff, a & 0xff);
	return buf;
}

int
net_ip_parse(const char *s, uint32_t *out)
{
	uint32_t a = 0, part;
	int i, digits;

	for (i = 0; i < 4; i++) {
		part = 0;
		for (digits = 0; isdigit((unsigned char)*s); s++, digits++) {
			part = part * 10 + (uint32_t)(*s - '0');
			if (digits >= 3 || part > 255)
				return -EINVAL;
		}
		if (digits == 0 || (i < 3 && *s++ != '.'))
			return -EINVAL;
		a = a << 8 | part;
	}
	if (*s)
		return -EINVAL;
	*out = a;
	return 0;
}

uint32_t
net_mask(unsigned prefix)
{
	return prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
}

int
net_subnet_parse(const char *s, struct net_subnet *out)
{
	char ip[16];
	const char *slash = strchr(s, '/');
	uint64_t prefix;
	uint32_t a;

	if (!slash || (size_t)(slash - s) >= sizeof(ip))
		return -EINVAL;
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = '\0';
	if (net_ip_parse(ip, &a) < 0 ||
	    util_parse_u64(slash + 1, 32, &prefix) < 0 || prefix < 8 ||
	    prefix > 29 || (a & ~net_mask((unsigned)prefix)))
		return -EINVAL;
	out->addr = a;
	out->prefix = (unsigned)prefix;
	return 0;
}

bool
net_subnet_overlaps(const struct net_subnet *a, const struct net_subnet *b)
{
	unsigned p = a->prefix < b->prefix ? a->prefix : b->prefix;

	return ((a->addr ^ b->addr) & net_mask(p)) == 0;
}

int
net_subnet_pick(const struct net_subnet *cand, size_t ncand,
		const struct net_subnet *used, size_t nused)
{
	size_t i, j;

	for (i = 0; i < ncand; i++) {
		for (j = 0; j < nused; j++)
			if (net_subnet_overlaps(&cand[i], &used[j]))
				break;
		if (j == nused)
			return (int)i;
	}
	return -EADDRINUSE;
}
