/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nettext.c: the text xmd gives dnsmasq (its configuration, the
 * reservation files) and nftables (a managed network's table). Pure: no
 * I/O; unit-tested (tests/unit/xmd_net.c). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "netcfg_int.h"
#include "util.h"

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
