/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netcfg.c: a guest's network configuration in its distribution's
 * format: ifupdown, systemd-networkd, Red Hat ifcfg. Pure. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>

#include "textbuf.h"
#include "textfix.h"

int
netcfg_prefix(const char *netmask)
{
	struct in_addr a;
	uint32_t m;
	int p = 0;

	if (!netmask || inet_pton(AF_INET, netmask, &a) != 1)
		return -1;
	m = ntohl(a.s_addr);
	while (m & 0x80000000u) {
		p++;
		m <<= 1;
	}
	return m ? -1 : p;
}

static int
check(const struct netcfg *n)
{
	if (n->dhcp)
		return 0;
	if (!n->ip ||
	    netcfg_prefix(n->netmask ? n->netmask : "255.255.255.0") < 0)
		return -EINVAL;
	return 0;
}

int
netcfg_interfaces(const struct netcfg *n, char **out)
{
	struct textbuf b = {0};

	if (check(n) < 0)
		return -EINVAL;
	tb_str(&b, "# /etc/network/interfaces: written by xm-create-image\n"
		   "auto lo\niface lo inet loopback\n\n");
	tb_printf(&b, "auto %s\n", n->ifname);
	if (n->dhcp) {
		tb_printf(&b, "iface %s inet dhcp\n", n->ifname);
	} else {
		tb_printf(&b,
			  "iface %s inet static\n\taddress %s\n"
			  "\tnetmask %s\n",
			  n->ifname, n->ip,
			  n->netmask ? n->netmask : "255.255.255.0");
		if (n->gateway)
			tb_printf(&b, "\tgateway %s\n", n->gateway);
	}
	return tb_finish(&b, out);
}

int
netcfg_networkd(const struct netcfg *n, char **out)
{
	struct textbuf b = {0};

	if (check(n) < 0)
		return -EINVAL;
	tb_printf(&b,
		  "# written by xm-create-image\n[Match]\nName=%s\n\n"
		  "[Network]\n",
		  n->ifname);
	if (n->dhcp) {
		tb_str(&b, "DHCP=yes\n");
	} else {
		tb_printf(&b, "Address=%s/%d\n", n->ip,
			  netcfg_prefix(n->netmask ? n->netmask
						   : "255.255.255.0"));
		if (n->gateway)
			tb_printf(&b, "Gateway=%s\n", n->gateway);
	}
	return tb_finish(&b, out);
}

int
netcfg_ifcfg(const struct netcfg *n, char **out)
{
	struct textbuf b = {0};

	if (check(n) < 0)
		return -EINVAL;
	tb_printf(&b, "# written by xm-create-image\nDEVICE=%s\nONBOOT=yes\n",
		  n->ifname);
	if (n->dhcp) {
		tb_str(&b, "BOOTPROTO=dhcp\n");
	} else {
		tb_printf(&b, "BOOTPROTO=none\nIPADDR=%s\nNETMASK=%s\n", n->ip,
			  n->netmask ? n->netmask : "255.255.255.0");
		if (n->gateway)
			tb_printf(&b, "GATEWAY=%s\n", n->gateway);
	}
	return tb_finish(&b, out);
}
