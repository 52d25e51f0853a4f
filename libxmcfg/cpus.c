/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpus.c: CPU lists ("0-3,^1,5") and Xen-style cpuid masks. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int
cpus_num(const char **pp, unsigned *out)
{
	const char *p = *pp;
	unsigned n = 0;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		n = n * 10 + (unsigned)(*p - '0');
		if (n >= XMCFG_MAX_HOST_CPUS)
			return -2;
	}
	*pp = p;
	*out = n;
	return 0;
}

static void
cpus_setbit(struct xmcfg_cpuset *set, unsigned i, bool on)
{
	if (on)
		set->bits[i / 64] |= 1ull << (i % 64);
	else
		set->bits[i / 64] &= ~(1ull << (i % 64));
}

/* Parse xm's CPU list syntax into *set: items in order, "N" and "N-M" add,
 * "^N" and "^N-M" remove, so "0-3,^1,1" is 0-3 as in xend's XendConfig;
 * "" is the empty set; xl's "all" is every CPU. Returns 0, -1 with msg,
 * or -2 with msg when the list is well formed but names NUMA nodes (xl's
 * "node:N", "nodes:N-M"), which need the host's topology. Pure. */
int
xmcpus_parse(const char *s, struct xmcfg_cpuset *set, char *msg, size_t msglen)
{
	struct xmcfg_cpuset out;
	const char *p = s;
	unsigned a = 0, b = 0, i;
	bool neg, nodes = false;
	int rc;

	memset(&out, 0, sizeof(out));
	while (isspace((unsigned char)*p))
		p++;
	while (*p) {
		while (isspace((unsigned char)*p))
			p++;
		neg = *p == '^';
		if (neg)
			p++;
		if (!strncmp(p, "all", 3) && !neg) {
			p += 3;
			memset(&out, 0xff, sizeof(out));
			rc = 1;
		} else if (!strncmp(p, "nodes:", 6) ||
			   !strncmp(p, "node:", 5)) {
			p += p[4] == 's' ? 6 : 5;
			nodes = true;
			rc = cpus_num(&p, &a);
			b = a;
			if (rc == 0 && *p == '-') {
				p++;
				rc = cpus_num(&p, &b);
			}
			if (rc == 0 && b < a)
				rc = -1;
			if (rc == 0)
				rc = 1;
		} else {
			rc = cpus_num(&p, &a);
		}
		if (rc == 1)
			goto next;
		b = a;
		if (rc == 0 && *p == '-') {
			p++;
			rc = cpus_num(&p, &b);
		}
		if (rc == -2) {
			snprintf(msg, msglen, "'%s': CPU number above %d", s,
				 XMCFG_MAX_HOST_CPUS - 1);
			return -1;
		}
		if (rc < 0 || b < a) {
			snprintf(msg, msglen,
				 "'%s' is not a CPU list like \"0-3,^1,5\"", s);
			return -1;
		}
		for (i = a; i <= b; i++)
			cpus_setbit(&out, i, !neg);
	next:
		while (isspace((unsigned char)*p))
			p++;
		if (*p == ',') {
			p++;
		} else if (*p) {
			snprintf(msg, msglen,
				 "'%s' is not a CPU list like \"0-3,^1,5\"", s);
			return -1;
		}
	}
	if (nodes) {
		snprintf(msg, msglen, "'%s' names NUMA nodes", s);
		return -2;
	}
	*set = out;
	return 0;
}

/* Ranges form of a set, e.g. "0,2-3,5"; "" when empty. malloc'd or NULL. */
char *
xmcpus_format(const struct xmcfg_cpuset *set)
{
	struct xmbuf b = {0};
	unsigned i, j;
	bool first = true;

	for (i = 0; i < XMCFG_MAX_HOST_CPUS; i++) {
		if (!(set->bits[i / 64] >> (i % 64) & 1))
			continue;
		j = i;
		while (j + 1 < XMCFG_MAX_HOST_CPUS &&
		       (set->bits[(j + 1) / 64] >> ((j + 1) % 64) & 1))
			j++;
		if (!first)
			xmbuf_put(&b, ",", 1);
		first = false;
		if (j == i)
			xmbuf_printf(&b, "%u", i);
		else
			xmbuf_printf(&b, "%u-%u", i, j);
		i = j;
	}
	return xmbuf_finish(&b);
}

void
xmcpuid_dispose(struct xmcfg_cpuid *c)
{
	int i;

	if (!c)
		return;
	for (i = 0; i < 4; i++)
		free(c->reg[i]);
	memset(c, 0, sizeof(*c));
}

static int
cpuid_u32(const char *s, size_t n, uint32_t *out)
{
	char tmp[24];
	char *end;
	unsigned long long v;

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (!isdigit((unsigned char)tmp[0]))
		return -1;
	v = strtoull(tmp, &end, 0);
	if (*end || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* xend's cpuid entry "LEAF[,SUBLEAF]:eax=MASK,ebx=...,ecx=...,edx=..."
 * with 32-character masks of 0 1 x k s. Returns 0 or -1 with msg. */
int
xmcpuid_parse(const char *s, struct xmcfg_cpuid *c, char *msg, size_t msglen)
{
	static const char *const regs[] = {"eax", "ebx", "ecx", "edx"};
	const char *colon = strchr(s, ':'), *comma, *p, *end;
	size_t i, n;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	if (!colon) {
		snprintf(msg, msglen,
			 "'%.80s' is not LEAF[,SUBLEAF]:REG=MASK,...", s);
		goto out;
	}
	comma = memchr(s, ',', (size_t)(colon - s));
	if (cpuid_u32(s, (size_t)((comma ? comma : colon) - s), &c->leaf) < 0 ||
	    (comma && cpuid_u32(comma + 1, (size_t)(colon - comma - 1),
				&c->subleaf) < 0)) {
		snprintf(msg, msglen, "'%.80s': bad leaf number", s);
		goto out;
	}
	c->has_subleaf = comma != NULL;
	for (p = colon + 1; *p; p = *end ? end + 1 : end) {
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		for (i = 0; i < 4; i++)
			if (!strncmp(p, regs[i], 3) && p[3] == '=')
				break;
		if (i == 4) {
			snprintf(
				msg, msglen,
				"'%.80s': register is not eax, ebx, ecx or edx",
				s);
			goto out;
		}
		n = (size_t)(end - p - 4);
		if (n != 32 || strspn(p + 4, "01xks") < 32) {
			snprintf(msg, msglen,
				 "'%.80s': %s mask is not 32 of 0 1 x k s", s,
				 regs[i]);
			goto out;
		}
		free(c->reg[i]);
		c->reg[i] = xm_strndup(p + 4, 32);
		if (!c->reg[i]) {
			snprintf(msg, msglen, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	if (rc < 0)
		xmcpuid_dispose(c);
	return rc;
}
