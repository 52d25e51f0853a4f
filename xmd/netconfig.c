/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netconfig.c: the parser of managed network configs
 * (<etc>/networks/NAME.conf) and the DHCP range they give. Pure: no I/O;
 * unit-tested (tests/unit/xmd_net.c). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "netcfg_int.h"
#include "util.h"

/* Split "a-b" into two addresses inside nothing in particular. */
static int
net_range_parse(const char *s, uint32_t *first, uint32_t *last)
{
	char a[16];
	const char *dash = strchr(s, '-');

	if (!dash || (size_t)(dash - s) >= sizeof(a))
		return -EINVAL;
	memcpy(a, s, (size_t)(dash - s));
	a[dash - s] = '\0';
	if (net_ip_parse(a, first) < 0 || net_ip_parse(dash + 1, last) < 0 ||
	    *first > *last)
		return -EINVAL;
	return 0;
}

/* "auto [CIDR ...]": the candidates; without any, 192.168.122.0/24 and up
 * to 192.168.254.0/24 (libvirt's default network starts at .122). */
static int
net_pool_parse(char *val, struct net_config *c)
{
	char *tok, *save = NULL;
	unsigned k;

	c->subnet_auto = true;
	c->npool = 0;
	strtok_r(val, " \t", &save); /* "auto" */
	while ((tok = strtok_r(NULL, " \t", &save)) != NULL) {
		if (c->npool == NET_MAX_POOL ||
		    net_subnet_parse(tok, &c->pool[c->npool]) < 0)
			return -EINVAL;
		c->npool++;
	}
	if (c->npool == 0)
		for (k = 122; k <= 254 && c->npool < NET_MAX_POOL; k++) {
			c->pool[c->npool].addr = 0xc0a80000u | k << 8;
			c->pool[c->npool++].prefix = 24;
		}
	return 0;
}

static bool
net_bool(const char *v, bool *out)
{
	static const char *const yes[] = {"yes", "on", "1", "true"};
	static const char *const no[] = {"no", "off", "0", "false"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(v, yes[i]))
			return *out = true;
		if (!strcasecmp(v, no[i])) {
			*out = false;
			return true;
		}
	}
	return false;
}

/* One "key = value" of a network config. 0 or -EINVAL with msg. */
static int
net_config_key(struct net_config *c, const char *k, char *v, char *msg,
	       size_t msglen)
{
	if (!strcmp(k, "name") || !strcmp(k, "bridge")) {
		char *dst = k[0] == 'n' ? c->name : c->bridge;
		size_t size = k[0] == 'n' ? sizeof(c->name) : sizeof(c->bridge);

		if (!net_ifname_valid(v) ||
		    strspn(v, "abcdefghijklmnopqrstuvwxyz"
			      "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			      "0123456789_-.") != strlen(v) ||
		    util_strlcpy(dst, v, size) < 0) {
			snprintf(msg, msglen,
				 "%s '%s': 1 to 15 letters, digits, '_', '-' "
				 "or '.'",
				 k, v);
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(k, "subnet")) {
		if (!strncmp(v, "auto", 4) &&
		    (!v[4] || isspace((unsigned char)v[4])))
			return net_pool_parse(v, c) < 0
				       ? (snprintf(msg, msglen,
						   "subnet '%s': auto, then "
						   "CIDR subnets (/8../29)",
						   v),
					  -EINVAL)
				       : 0;
		c->subnet_auto = false;
		if (net_subnet_parse(v, &c->subnet) == 0)
			return 0;
		snprintf(msg, msglen,
			 "subnet '%s' is not auto or A.B.C.D/PREFIX (8..29, "
			 "host bits zero)",
			 v);
		return -EINVAL;
	}
	if (!strcmp(k, "dhcp")) {
		if (net_bool(v, &c->dhcp)) {
			c->dhcp_first = c->dhcp_last = 0;
			return 0;
		}
		c->dhcp = true;
		if (net_range_parse(v, &c->dhcp_first, &c->dhcp_last) == 0)
			return 0;
		snprintf(msg, msglen,
			 "dhcp '%s' is not on, off or FIRST-LAST addresses", v);
		return -EINVAL;
	}
	if (!strcmp(k, "nat")) {
		if (net_bool(v, &c->nat))
			return 0;
		snprintf(msg, msglen, "nat '%s' is not on or off", v);
		return -EINVAL;
	}
	if (!strcmp(k, "domain")) {
		char label[64];

		net_host_label(v, label);
		if (strcmp(label, v) || !label[0] ||
		    util_strlcpy(c->domain, v, sizeof(c->domain)) < 0) {
			snprintf(msg, msglen,
				 "domain '%s' is not one DNS label "
				 "([a-z0-9-])",
				 v);
			return -EINVAL;
		}
		return 0;
	}
	snprintf(msg, msglen,
		 "unknown key '%s' (name, bridge, subnet, dhcp, nat, domain)",
		 k);
	return -EINVAL;
}

int
net_config_parse(const char *text, size_t len, const char *dflt_name,
		 struct net_config *out, char *msg, size_t msglen)
{
	struct net_config c;
	char line[200], *k, *v, *eq, *end;
	const char *eol;
	size_t pos = 0, n;
	int lineno = 0, rc = 0;
	char why[256];

	memset(&c, 0, sizeof(c));
	c.dhcp = c.nat = true;
	memcpy(c.domain, "xm", 3);
	if (net_config_key(&c, "name", (char *)dflt_name, why, sizeof(why)) < 0)
		c.name[0] = '\0';
	while (pos < len && rc == 0) {
		lineno++;
		/* bounded by len: text need not end in a NUL */
		eol = memchr(text + pos, '\n', len - pos);
		n = eol ? (size_t)(eol - (text + pos)) : len - pos;
		if (n >= sizeof(line) || memchr(text + pos, '\0', n)) {
			snprintf(why, sizeof(why), "line too long or binary");
			rc = -EINVAL;
			break;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + 1;
		if ((k = strchr(line, '#')) != NULL)
			*k = '\0';
		for (k = line; isspace((unsigned char)*k); k++)
			;
		if (!*k)
			continue;
		eq = strchr(k, '=');
		if (!eq) {
			snprintf(why, sizeof(why), "'%s' is not key = value",
				 k);
			rc = -EINVAL;
			break;
		}
		for (end = eq; end > k && isspace((unsigned char)end[-1]);
		     end--)
			;
		*end = '\0';
		for (v = eq + 1; isspace((unsigned char)*v); v++)
			;
		for (end = v + strlen(v);
		     end > v && isspace((unsigned char)end[-1]);)
			*--end = '\0';
		if (end - v >= 2 && (*v == '"' || *v == '\'') &&
		    end[-1] == *v) {
			end[-1] = '\0';
			v++;
		}
		rc = net_config_key(&c, k, v, why, sizeof(why));
	}
	if (rc == 0 && !c.name[0]) {
		snprintf(why, sizeof(why), "no valid name");
		rc = -EINVAL;
		lineno = 0;
	}
	if (rc == 0 && !c.bridge[0]) {
		snprintf(why, sizeof(why), "no bridge given");
		rc = -EINVAL;
		lineno = 0;
	}
	if (rc == 0 && !c.subnet_auto && c.subnet.prefix == 0) {
		snprintf(why, sizeof(why), "no subnet given (auto or CIDR)");
		rc = -EINVAL;
		lineno = 0;
	}
	if (rc == 0 && !c.subnet_auto && c.dhcp_first &&
	    (!net_subnet_overlaps(&c.subnet,
				  &(struct net_subnet){c.dhcp_first, 32}) ||
	     !net_subnet_overlaps(&c.subnet,
				  &(struct net_subnet){c.dhcp_last, 32}))) {
		snprintf(why, sizeof(why),
			 "the dhcp range is not in the subnet");
		rc = -EINVAL;
		lineno = 0;
	}
	if (rc < 0) {
		snprintf(msg, msglen, "%d: %s", lineno, why);
		return rc;
	}
	*out = c;
	return 0;
}

void
net_config_range(const struct net_config *cfg, const struct net_subnet *s,
		 uint32_t *first, uint32_t *last)
{
	uint32_t bcast = s->addr | ~net_mask(s->prefix);

	if (cfg->dhcp_first && cfg->dhcp_first > s->addr + 1 &&
	    cfg->dhcp_last < bcast &&
	    ((cfg->dhcp_first ^ s->addr) & net_mask(s->prefix)) == 0) {
		*first = cfg->dhcp_first;
		*last = cfg->dhcp_last;
		return;
	}
	*first = s->addr + 2; /* .1 is the host's address on the bridge */
	*last = bcast - 1;
}
