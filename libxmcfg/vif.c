/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vif.c: xm vif specs "mac=...,bridge=...,ip=...,..." ('' = one default). */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define VIF_MAX_SPEC 4096

enum vif_kind {
	VIF_STR,     /* a string member at off */
	VIF_MAC,     /* mac= */
	VIF_MTU,     /* xl mtu= */
	VIF_DEVID,   /* xl devid= */
	VIF_IGNORED, /* no meaning without Xen: kept in ignored */
};

/* Keys xm and xl accepted; off is the string member for VIF_STR. */
static const struct {
	const char *key;
	enum vif_kind kind;
	size_t off;
} vif_keys[] = {
	{"mac", VIF_MAC, 0},
	{"bridge", VIF_STR, offsetof(struct xmcfg_vif, bridge)},
	{"ip", VIF_STR, offsetof(struct xmcfg_vif, ip)},
	{"script", VIF_STR, offsetof(struct xmcfg_vif, script)},
	{"vifname", VIF_STR, offsetof(struct xmcfg_vif, vifname)},
	{"model", VIF_STR, offsetof(struct xmcfg_vif, model)},
	{"type", VIF_STR, offsetof(struct xmcfg_vif, type)},
	{"rate", VIF_STR, offsetof(struct xmcfg_vif, rate)},
	{"datapath", VIF_STR, offsetof(struct xmcfg_vif, datapath)},
	{"mtu", VIF_MTU, 0},
	{"vlan", VIF_STR, offsetof(struct xmcfg_vif, vlan)},
	{"devid", VIF_DEVID, 0},
	{"gatewaydev", VIF_STR, offsetof(struct xmcfg_vif, gatewaydev)},
	{"netdev", VIF_STR, offsetof(struct xmcfg_vif, gatewaydev)}, /* xl */
	{"backend", VIF_IGNORED, 0}, /* driver domain: always the host here */
	{"accel", VIF_IGNORED, 0},
	{"policy", VIF_IGNORED, 0},
	{"label", VIF_IGNORED, 0},
	{"forwarddev", VIF_IGNORED, 0}, /* xl COLO */
	{NULL, VIF_STR, 0},
};

/* The string members, for dispose and dup. */
static const size_t vif_strings[] = {
	offsetof(struct xmcfg_vif, spec),
	offsetof(struct xmcfg_vif, bridge),
	offsetof(struct xmcfg_vif, ip),
	offsetof(struct xmcfg_vif, script),
	offsetof(struct xmcfg_vif, vifname),
	offsetof(struct xmcfg_vif, model),
	offsetof(struct xmcfg_vif, type),
	offsetof(struct xmcfg_vif, rate),
	offsetof(struct xmcfg_vif, datapath),
	offsetof(struct xmcfg_vif, vlan),
	offsetof(struct xmcfg_vif, gatewaydev),
	offsetof(struct xmcfg_vif, ignored),
};

void
xmvif_dispose(struct xmcfg_vif *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < sizeof(vif_strings) / sizeof(vif_strings[0]); i++)
		free(*(char **)((char *)v + vif_strings[i]));
	memset(v, 0, sizeof(*v));
}

/* Copy of src's strings into dst (a byte copy of src). Returns 0 or -1
 * (out of memory; dst can be disposed). */
int
xmvif_dup(struct xmcfg_vif *dst, const struct xmcfg_vif *src)
{
	const char *s;
	char **p;
	size_t i;
	int rc = 0;

	*dst = *src;
	for (i = 0; i < sizeof(vif_strings) / sizeof(vif_strings[0]); i++)
		*(char **)((char *)dst + vif_strings[i]) = NULL;
	for (i = 0; i < sizeof(vif_strings) / sizeof(vif_strings[0]); i++) {
		p = (char **)((char *)dst + vif_strings[i]);
		s = *(char *const *)((const char *)src + vif_strings[i]);
		if (s && !(*p = xm_strdup(s)))
			rc = -1;
	}
	return rc;
}

static int
vif_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int
vif_mac(const char *s, uint8_t mac[6])
{
	int i, h, l;

	for (i = 0; i < 6; i++) {
		h = vif_hex((unsigned char)s[0]);
		l = h < 0 ? -1 : vif_hex((unsigned char)s[1]);
		if (l < 0)
			return -1;
		mac[i] = (uint8_t)(h << 4 | l);
		s += 2;
		if (i < 5 && *s++ != ':')
			return -1;
	}
	return *s ? -1 : 0;
}

/* "10Mb/s@20ms", "1GB/s", "100Kb/s@50000us": decimal units and the limits
 * of xl's xlu_vif_parse_rate (the number fits 32 bits, the interval is
 * 1..UINT32_MAX us, and the bytes per interval are 1..UINT32_MAX). */
static int
vif_rate(const char *s, uint64_t *bps, uint32_t *interval_us)
{
	static const struct {
		char c;
		uint64_t mul;
	} units[] = {{'K', 1000}, {'M', 1000000}, {'G', 1000000000}, {0, 0}};
	uint64_t n = 0, mul = 1, iv = 50000, per;
	const char *p = s;
	size_t i;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		n = n * 10 + (uint64_t)(*p - '0');
		if (n > UINT32_MAX)
			return -1;
	}
	for (i = 0; units[i].c; i++)
		if (*p == units[i].c) {
			mul = units[i].mul;
			p++;
			break;
		}
	if (*p != 'b' && *p != 'B')
		return -1;
	n *= mul; /* < 2^32 * 10^9: no overflow */
	if (*p == 'b')
		n /= 8;
	p++;
	if (strncmp(p, "/s", 2))
		return -1;
	p += 2;
	if (*p == '@') {
		uint64_t t = 0;

		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		for (; isdigit((unsigned char)*p); p++) {
			t = t * 10 + (uint64_t)(*p - '0');
			if (t > UINT32_MAX)
				return -1;
		}
		if (!strcmp(p, "us"))
			iv = t;
		else if (!strcmp(p, "ms"))
			iv = t * 1000;
		else if (!strcmp(p, "s"))
			iv = t * 1000000;
		else
			return -1;
		if (iv == 0 || iv > UINT32_MAX)
			return -1;
	} else if (*p) {
		return -1;
	}
	if (n && UINT64_MAX / n < iv)
		return -1;
	per = n * iv / 1000000;
	if (per == 0 || per > UINT32_MAX)
		return -1;
	*bps = n;
	*interval_us = (uint32_t)iv;
	return 0;
}

/* Whether s is a decimal number in [min, max]; the number in *out. */
static bool
vif_num(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long n = 0;

	if (!isdigit((unsigned char)*s))
		return false;
	for (; isdigit((unsigned char)*s); s++) {
		n = n * 10 + (unsigned long)(*s - '0');
		if (n > max)
			return false;
	}
	*out = n;
	return !*s && n >= min;
}

/* One VLAN ID (1..4094) at *pp. */
static bool
vif_vlan_id(const char **pp, unsigned long *out)
{
	const char *p = *pp;
	unsigned long n = 0;

	if (!isdigit((unsigned char)*p))
		return false;
	for (; isdigit((unsigned char)*p); p++) {
		n = n * 10 + (unsigned long)(*p - '0');
		if (n > 4094)
			return false;
	}
	*pp = p;
	*out = n;
	return n >= 1;
}

/* xl's vlan= (xl-network-configuration(5)): terms separated by '/', each
 * ID[p|u], ID-ID[u] or ID+STEPxCOUNT[u], IDs 1..4094, at most one PVID
 * (p); several VLANs need one. Returns 0 or -1 with msg. Pure. */
static int
vif_vlan(const char *s, char *msg, size_t msglen)
{
	const char *p = s;
	unsigned long a, b, step, count, nvlans = 0, npvid = 0;

	for (;;) {
		if (!vif_vlan_id(&p, &a))
			goto bad;
		b = a;
		if (*p == '-') {
			p++;
			if (!vif_vlan_id(&p, &b) || b < a)
				goto bad;
		} else if (*p == '+') {
			p++;
			if (!vif_vlan_id(&p, &step) || *p++ != 'x' ||
			    !vif_vlan_id(&p, &count) || a + step * count > 4094)
				goto bad;
			b = a + count; /* counts VLANs: 1 + count of them */
		}
		nvlans += b - a + 1;
		if (*p == 'p' && b == a) {
			npvid++;
			p++;
		} else if (*p == 'u') {
			p++;
		}
		if (!*p)
			break;
		if (*p++ != '/')
			goto bad;
	}
	if (npvid > 1 || (nvlans > 1 && npvid == 0)) {
		snprintf(msg, msglen,
			 "vlan '%s': %s VLAN must be the PVID (suffix p)", s,
			 npvid ? "only one" : "one");
		return -1;
	}
	return 0;
bad:
	snprintf(msg, msglen,
		 "vlan '%s' is not IDs 1-4094 as ID[p|u], ID-ID[u] or "
		 "ID+STEPxCOUNT[u] separated by '/'",
		 s);
	return -1;
}

static int
vif_ignore(struct xmcfg_vif *v, const char *k, const char *val)
{
	size_t old = v->ignored ? strlen(v->ignored) : 0;
	size_t n = strlen(k) + strlen(val) + 3;
	char *s = realloc(v->ignored, old + n);

	if (!s)
		return -1;
	snprintf(s + old, n, "%s%s=%s", old ? "," : "", k, val);
	v->ignored = s;
	return 0;
}

/* Check the values of one parsed vif. Returns 0 or -1 with msg. */
static int
vif_check(struct xmcfg_vif *v, char *msg, size_t msglen)
{
	const struct {
		const char *what;
		const char *name;
	} ifnames[] = {
		{"vifname", v->vifname},
		{"bridge", v->bridge},
		{"gatewaydev", v->gatewaydev},
	};
	size_t i;

	if (v->type && strcmp(v->type, "netfront") &&
	    strcmp(v->type, "ioemu") && strcmp(v->type, "vif")) {
		snprintf(msg, msglen, "type '%s' is not netfront, ioemu or vif",
			 v->type);
		return -1;
	}
	if (v->rate && vif_rate(v->rate, &v->rate_bytes_per_sec,
				&v->rate_interval_us) < 0) {
		snprintf(msg, msglen,
			 "rate '%s' is not NUM[KMG](b|B)/s[@NUM(us|ms|s)]",
			 v->rate);
		return -1;
	}
	if (v->datapath && strcmp(v->datapath, "vhost") &&
	    strcmp(v->datapath, "user")) {
		snprintf(msg, msglen, "datapath '%s' is not vhost or user",
			 v->datapath);
		return -1;
	}
	if (v->vlan && vif_vlan(v->vlan, msg, msglen) < 0)
		return -1;
	for (i = 0; i < sizeof(ifnames) / sizeof(ifnames[0]); i++)
		if (ifnames[i].name &&
		    (!ifnames[i].name[0] || strlen(ifnames[i].name) >= 16 ||
		     strchr(ifnames[i].name, '/') ||
		     strchr(ifnames[i].name, ' '))) {
			snprintf(msg, msglen,
				 "%s '%s' is not a valid interface name",
				 ifnames[i].what, ifnames[i].name);
			return -1;
		}
	return 0;
}

/* Parse one vif spec into *v (zeroed first): comma-separated key=value
 * (xm's keys and xl's), and xl's trusted/untrusted flags. Returns 0, or -1
 * with msg set (the caller prefixes "vif[N]: "). Pure. */
int
xmvif_parse(const char *spec, struct xmcfg_vif *v, char *msg, size_t msglen)
{
	char *copy = NULL, *item, *save = NULL, *eq, *k, *val, **field;
	unsigned long n;
	size_t i;
	int rc = -1;

	memset(v, 0, sizeof(*v));
	v->devid = -1;
	v->trusted = -1;
	if (strlen(spec) > VIF_MAX_SPEC) {
		snprintf(msg, msglen, "spec is longer than %d characters",
			 VIF_MAX_SPEC);
		goto out;
	}
	for (k = (char *)spec; *k; k++)
		if ((unsigned char)*k < 0x20 || *k == 0x7f) {
			snprintf(msg, msglen, "control character in spec");
			goto out;
		}
	copy = xm_strdup(spec);
	v->spec = xm_strdup(spec);
	if (!copy || !v->spec) {
		snprintf(msg, msglen, "out of memory");
		goto out;
	}
	for (item = strtok_r(copy, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		while (isspace((unsigned char)*item))
			item++;
		for (eq = item + strlen(item);
		     eq > item && isspace((unsigned char)eq[-1]);)
			*--eq = '\0';
		if (!*item)
			continue;
		if (!strcmp(item, "trusted") || !strcmp(item, "untrusted")) {
			v->trusted = item[0] == 't';
			continue;
		}
		eq = strchr(item, '=');
		if (!eq) {
			snprintf(msg, msglen, "'%s' is not key=value", item);
			goto out;
		}
		*eq = '\0';
		k = item;
		val = eq + 1;
		for (eq = k + strlen(k);
		     eq > k && isspace((unsigned char)eq[-1]);)
			*--eq = '\0';
		while (isspace((unsigned char)*val))
			val++;
		for (i = 0; vif_keys[i].key; i++)
			if (!strcmp(vif_keys[i].key, k))
				break;
		if (!vif_keys[i].key && !strncmp(k, "colo_", 5)) {
			if (vif_ignore(v, k, val) < 0)
				goto nomem;
			continue;
		}
		if (!vif_keys[i].key) {
			const char *near =
				xmsuggest(k, vif_keys, sizeof(vif_keys[0]));

			snprintf(msg, msglen,
				 "unknown key '%s' (mac, bridge, ip, script, "
				 "vifname, model, type, rate, mtu, vlan, ...)"
				 "%s%s%s",
				 k, near ? "; did you mean '" : "",
				 near ? near : "", near ? "'?" : "");
			goto out;
		}
		switch (vif_keys[i].kind) {
		case VIF_MAC:
			if (vif_mac(val, v->mac) < 0) {
				snprintf(msg, msglen,
					 "mac '%s' is not six hex bytes "
					 "(00:16:3e:01:02:03)",
					 val);
				goto out;
			}
			v->has_mac = true;
			break;
		case VIF_MTU:
			if (!vif_num(val, 68, 65535, &n)) {
				snprintf(msg, msglen,
					 "mtu '%s' is not a number in "
					 "68..65535",
					 val);
				goto out;
			}
			v->mtu = (uint32_t)n;
			break;
		case VIF_DEVID:
			if (!vif_num(val, 0, 65535, &n)) {
				snprintf(msg, msglen,
					 "devid '%s' is not a number in "
					 "0..65535",
					 val);
				goto out;
			}
			v->devid = (int32_t)n;
			break;
		case VIF_IGNORED:
			if (vif_ignore(v, k, val) < 0)
				goto nomem;
			break;
		case VIF_STR:
			field = (char **)((char *)v + vif_keys[i].off);
			free(*field);
			*field = xm_strdup(val);
			if (!*field)
				goto nomem;
			break;
		}
	}
	rc = vif_check(v, msg, msglen);
	goto out;
nomem:
	snprintf(msg, msglen, "out of memory");
out:
	free(copy);
	if (rc < 0)
		xmvif_dispose(v);
	return rc;
}

/* xmcfg.h: the public names of the two above. */
int
xmcfg_vif_parse(const char *spec, struct xmcfg_vif *v, char *msg, size_t msglen)
{
	return xmvif_parse(spec, v, msg, msglen);
}

void
xmcfg_vif_dispose(struct xmcfg_vif *v)
{
	xmvif_dispose(v);
}
