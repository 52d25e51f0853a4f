/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netconfig_fuzz.c: the managed network config fuzz target: the input is
 * an <etc>/networks/NAME.conf; it goes through net_config_parse (given an
 * exact-size copy with no NUL after it, so a read past len is caught by
 * ASan), and a config that
 * passes must be whole (name, bridge, a subnet) and render into the DHCP
 * range, dnsmasq's configuration and reservation files and the nftables
 * ruleset. Built as a libFuzzer target and as the corpus replayer. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Render what xmd derives from a parsed config on subnet s. */
static void
netconfig_fuzz_render(const struct net_config *c, const struct net_subnet *s)
{
	struct net_host h = {{0x00, 0x16, 0x3e, 1, 2, 3}, 0, ""};
	char table[48];
	uint32_t first, last;
	char *t;

	net_config_range(c, s, &first, &last);
	h.ip = first;
	net_host_label(c->name, h.name);
	free(net_dnsmasq_conf(c, s, "/run/xmd/net/n/hosts",
			      "/run/xmd/net/n/addnhosts",
			      "/run/xmd/net/n/leases", "nobody"));
	free(net_dnsmasq_hosts(&h, 1, s));
	free(net_dnsmasq_addnhosts(&h, 1, s, c->domain));
	if (strncmp(net_nft_table(c, table), "xmtools_", 8))
		abort();
	t = net_nft_ruleset(c, s);
	if (t && !strstr(t, table))
		abort();
	free(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct net_config c;
	char msg[512];
	char *text;
	int rc;

	if (size > (64 << 10) || !(text = malloc(size ? size : 1)))
		return 0;
	memcpy(text, data, size);
	msg[0] = '\0';
	rc = net_config_parse(text, size, "fuzz", &c, msg, sizeof(msg));
	free(text);
	if (rc < 0) {
		if (rc != -EINVAL || !msg[0])
			abort();
		return 0;
	}
	if (rc != 0 || !c.name[0] || !memchr(c.name, '\0', sizeof(c.name)) ||
	    !c.bridge[0] || !memchr(c.bridge, '\0', sizeof(c.bridge)) ||
	    !memchr(c.domain, '\0', sizeof(c.domain)) ||
	    c.npool > NET_MAX_POOL ||
	    (c.subnet_auto ? c.npool == 0 : c.subnet.prefix == 0))
		abort();
	netconfig_fuzz_render(&c, c.subnet_auto ? &c.pool[0] : &c.subnet);
	return 0;
}
