/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vif.c: xm vif specs "mac=...,bridge=...,ip=...,..." ('' = one default). */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define VIF_MAX_SPEC 4096

/* Keys xm accepted; off is the string field, or -1 for handled/ignored. */
static const struct {
	const char *key;
	ptrdiff_t off;
} vif_keys[] = {
	{"mac", -1},
	{"bridge", offsetof(struct xmcfg_vif, bridge)},
	{"ip", offsetof(struct xmcfg_vif, ip)},
	{"script", offsetof(struct xmcfg_vif, script)},
	{"vifname", offsetof(struct xmcfg_vif, vifname)},
	{"model", offsetof(struct xmcfg_vif, model)},
	{"type", offsetof(struct xmcfg_vif, type)},
	{"rate", offsetof(struct xmcfg_vif, rate)},
	{"backend", -1}, /* driver domain: always the host here */
	{"accel", -1},
	{"policy", -1},
	{"label", -1},
	{NULL, 0},
};

void
xmvif_dispose(struct xmcfg_vif *v)
{
	size_t i;

	if (!v)
		return;
	free(v->spec);
	for (i = 0; vif_keys[i].key; i++)
		if (vif_keys[i].off >= 0)
			free(*(char **)((char *)v + vif_keys[i].off));
	memset(v, 0, sizeof(*v));
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

/* Parse one vif spec into *v (zeroed first). Returns 0, or -1 with msg
 * set (the caller prefixes "vif[N]: "). */
int
xmvif_parse(const char *spec, struct xmcfg_vif *v, char *msg, size_t msglen)
{
	char *copy = NULL, *item, *save = NULL, *eq, *k, *val, **field;
	size_t i;
	int rc = -1;

	memset(v, 0, sizeof(*v));
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
		if (!*item)
			continue;
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
		for (eq = val + strlen(val);
		     eq > val && isspace((unsigned char)eq[-1]);)
			*--eq = '\0';
		for (i = 0; vif_keys[i].key; i++)
			if (!strcmp(vif_keys[i].key, k))
				break;
		if (!vif_keys[i].key) {
			const char *near =
				xmsuggest(k, vif_keys, sizeof(vif_keys[0]));

			snprintf(msg, msglen,
				 "unknown key '%s' (mac, bridge, ip, script, "
				 "vifname, model, type, rate)%s%s%s",
				 k, near ? "; did you mean '" : "",
				 near ? near : "", near ? "'?" : "");
			goto out;
		}
		if (!strcmp(k, "mac")) {
			if (vif_mac(val, v->mac) < 0) {
				snprintf(msg, msglen,
					 "mac '%s' is not six hex bytes "
					 "(00:16:3e:01:02:03)",
					 val);
				goto out;
			}
			v->has_mac = true;
			continue;
		}
		if (vif_keys[i].off < 0)
			continue;
		field = (char **)((char *)v + vif_keys[i].off);
		free(*field);
		*field = xm_strdup(val);
		if (!*field) {
			snprintf(msg, msglen, "out of memory");
			goto out;
		}
	}
	if (v->type && strcmp(v->type, "netfront") &&
	    strcmp(v->type, "ioemu") && strcmp(v->type, "vif")) {
		snprintf(msg, msglen, "type '%s' is not netfront, ioemu or vif",
			 v->type);
		goto out;
	}
	if (v->rate && vif_rate(v->rate, &v->rate_bytes_per_sec,
				&v->rate_interval_us) < 0) {
		snprintf(msg, msglen,
			 "rate '%s' is not NUM[KMG](b|B)/s[@NUM(us|ms|s)]",
			 v->rate);
		goto out;
	}
	if (v->vifname &&
	    (strlen(v->vifname) >= 16 || strchr(v->vifname, '/') ||
	     strchr(v->vifname, ' '))) {
		snprintf(msg, msglen,
			 "vifname '%s' is not a valid interface name",
			 v->vifname);
		goto out;
	}
	if (v->bridge && (strlen(v->bridge) >= 16 || strchr(v->bridge, '/') ||
			  strchr(v->bridge, ' '))) {
		snprintf(msg, msglen,
			 "bridge '%s' is not a valid interface name",
			 v->bridge);
		goto out;
	}
	rc = 0;
out:
	free(copy);
	if (rc < 0)
		xmvif_dispose(v);
	return rc;
}
