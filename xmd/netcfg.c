/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netcfg.c: the pure side of xmd's networking: vif MACs and tap names,
 * IPv4 subnets and the pick of a free one, managed network configs, and
 * the text given to dnsmasq and nftables. No I/O; unit-tested
 * (tests/unit/xmd_net.c). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
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

static uint32_t
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

/* ---- network configs ---- */

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
		n = strcspn(text + pos, "\n");
		if (pos + n > len)
			n = len - pos;
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

/* ---- dnsmasq ---- */

void
net_host_label(const char *name, char buf[64])
{
	size_t o = 0;

	for (; *name && o < 63; name++) {
		unsigned char c = (unsigned char)tolower((unsigned char)*name);

		buf[o++] = isalnum(c) && c < 0x80 ? (char)c : '-';
	}
	buf[o] = '\0';
	while (o > 0 && buf[o - 1] == '-')
		buf[--o] = '\0';
	o = strspn(buf, "-");
	memmove(buf, buf + o, strlen(buf + o) + 1);
}

char *
net_dnsmasq_conf(const struct net_config *cfg, const struct net_subnet *s,
		 const char *hostsfile, const char *addnhosts,
		 const char *leasefile, const char *user)
{
	char first[16], last[16], mask[16], gw[16];
	uint32_t f, l;
	char *out = NULL;
	int n;

	net_config_range(cfg, s, &f, &l);
	net_ip_string(f, first);
	net_ip_string(l, last);
	net_ip_string(net_mask(s->prefix), mask);
	net_ip_string(s->addr + 1, gw);
	/* libvirt's choices: bind-dynamic on the bridge alone (not
	 * bind-interfaces: CVE-2012-3411), strict-order, the guests' names
	 * answered locally. */
	n = asprintf(&out,
		     "# written by xmd for network %s: do not edit\n"
		     "strict-order\n"
		     "bind-dynamic\n"
		     "interface=%s\n"
		     "except-interface=lo\n"
		     "listen-address=%s\n"
		     "user=%s\n"
		     "domain=%s\n"
		     "local=/%s/\n"
		     "expand-hosts\n"
		     "addn-hosts=%s\n"
		     "%s%s%s%s%s%s%s%s%s%s%s%s",
		     cfg->name, cfg->bridge, gw, user, cfg->domain, cfg->domain,
		     addnhosts, cfg->dhcp ? "dhcp-range=" : "",
		     cfg->dhcp ? first : "", cfg->dhcp ? "," : "",
		     cfg->dhcp ? last : "", cfg->dhcp ? "," : "",
		     cfg->dhcp ? mask : "", cfg->dhcp ? ",1h\n" : "",
		     cfg->dhcp ? "dhcp-no-override\ndhcp-authoritative\n"
				 "dhcp-hostsfile="
			       : "",
		     cfg->dhcp ? hostsfile : "",
		     cfg->dhcp ? "\ndhcp-leasefile=" : "",
		     cfg->dhcp ? leasefile : "", cfg->dhcp ? "\n" : "");
	if (n < 0)
		return NULL;
	if (!cfg->nat) {
		char *more = NULL;

		/* routed and isolated: no default route handed out */
		n = asprintf(&more, "%sdhcp-option=3\nno-resolv\n", out);
		free(out);
		return n < 0 ? NULL : more;
	}
	return out;
}

static bool
net_in_subnet(uint32_t ip, const struct net_subnet *s)
{
	return ((ip ^ s->addr) & net_mask(s->prefix)) == 0;
}

/* One growing buffer of lines. */
struct net_text {
	char *s;
	size_t len, cap;
	bool failed;
};

static void net_text_add(struct net_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
net_text_add(struct net_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->s ? t->s + t->len : NULL,
			      t->s ? t->cap - t->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->failed = true;
			return;
		}
		if (t->s && t->len + (size_t)n < t->cap) {
			t->len += (size_t)n;
			return;
		}
		char *grown = realloc(t->s, t->cap + (size_t)n + 256);

		if (!grown) {
			t->failed = true;
			return;
		}
		t->s = grown;
		t->cap += (size_t)n + 256;
		t->s[t->len] = '\0';
	}
}

static char *
net_text_done(struct net_text *t)
{
	net_text_add(t, "%s", "");
	if (t->failed) {
		free(t->s);
		return NULL;
	}
	return t->s;
}

char *
net_dnsmasq_hosts(const struct net_host *hosts, size_t n,
		  const struct net_subnet *s)
{
	struct net_text t = {0};
	char mac[18], ip[16];
	size_t i;

	for (i = 0; i < n; i++) {
		const struct net_host *h = &hosts[i];

		if (h->ip && !net_in_subnet(h->ip, s))
			continue;
		net_text_add(&t, "%s%s%s%s%s\n", net_mac_string(h->mac, mac),
			     h->ip ? "," : "",
			     h->ip ? net_ip_string(h->ip, ip) : "",
			     h->name[0] ? "," : "", h->name);
	}
	return net_text_done(&t);
}

char *
net_dnsmasq_addnhosts(const struct net_host *hosts, size_t n,
		      const struct net_subnet *s, const char *domain)
{
	struct net_text t = {0};
	char ip[16];
	size_t i;

	for (i = 0; i < n; i++)
		if (hosts[i].ip && hosts[i].name[0] &&
		    net_in_subnet(hosts[i].ip, s))
			net_text_add(&t, "%s %s.%s %s\n",
				     net_ip_string(hosts[i].ip, ip),
				     hosts[i].name, domain, hosts[i].name);
	return net_text_done(&t);
}

/* ---- nftables ---- */

const char *
net_nft_table(const struct net_config *cfg, char buf[48])
{
	size_t i;

	snprintf(buf, 48, "xmtools_%s", cfg->name);
	for (i = 0; buf[i]; i++)
		if (!isalnum((unsigned char)buf[i]) && buf[i] != '_')
			buf[i] = '_';
	return buf;
}

char *
net_nft_ruleset(const struct net_config *cfg, const struct net_subnet *s)
{
	struct net_text t = {0};
	char table[48], net[16];
	const char *br = cfg->bridge;

	net_nft_table(cfg, table);
	net_ip_string(s->addr, net);
	/* A table of our own: deleting it undoes everything here, and no
	 * other table is read or written. An accept here does not override
	 * another table's drop (nftables runs every base chain of a hook). */
	net_text_add(&t, "table ip %s {\n", table);
	net_text_add(&t,
		     "\tchain forward {\n"
		     "\t\ttype filter hook forward priority filter; "
		     "policy accept;\n"
		     "\t\tiifname \"%s\" oifname \"%s\" accept\n",
		     br, br);
	if (cfg->nat)
		net_text_add(&t,
			     "\t\tiifname \"%s\" ip saddr %s/%u accept\n"
			     "\t\toifname \"%s\" ip daddr %s/%u ct state "
			     "established,related accept\n",
			     br, net, s->prefix, br, net, s->prefix);
	net_text_add(&t,
		     "\t\tiifname \"%s\" drop\n"
		     "\t\toifname \"%s\" drop\n"
		     "\t}\n",
		     br, br);
	if (cfg->nat)
		net_text_add(&t,
			     "\tchain postrouting {\n"
			     "\t\ttype nat hook postrouting priority srcnat; "
			     "policy accept;\n"
			     "\t\tip saddr %s/%u ip daddr 224.0.0.0/24 return\n"
			     "\t\tip saddr %s/%u ip daddr 255.255.255.255 "
			     "return\n"
			     "\t\tip saddr %s/%u ip daddr != %s/%u masquerade\n"
			     "\t}\n",
			     net, s->prefix, net, s->prefix, net, s->prefix,
			     net, s->prefix);
	net_text_add(&t, "}\n");
	return net_text_done(&t);
}

bool
net_nft_foreign_drop(const char *listing, const char *own, char *buf,
		     size_t buflen)
{
	char table[200] = "", tname[96] = "", chain[128] = "", line[512];
	const char *p = listing, *nl;
	size_t n;

	while (*p) {
		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		p += nl ? (size_t)(nl - p) + 1 : strlen(p);
		const char *l = line + strspn(line, " \t");
		char a[64], b[96];

		if (sscanf(l, "table %63s %95s {", a, b) == 2) {
			snprintf(table, sizeof(table), "table %s %s", a, b);
			memcpy(tname, b, sizeof(tname));
			chain[0] = '\0';
		} else if (sscanf(l, "chain %127s {", chain) == 1) {
			/* chain name kept */
		} else if (strstr(l, "hook forward") &&
			   strstr(l, "policy drop") && chain[0] &&
			   strcmp(tname, own) != 0) {
			snprintf(buf, buflen, "%s chain %s", table, chain);
			return true;
		}
	}
	return false;
}
