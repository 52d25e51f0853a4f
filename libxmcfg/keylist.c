/* SPDX-License-Identifier: GPL-2.0-or-later */
/* keylist.c: the config keys with a grammar of their own: disk and vif
 * lists, cpuid (xm's list or xl's string), restart=, builder= and type=,
 * and the bootloader arguments. Pure. */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "keys.h"

/* disk = [...]: each entry parsed (xm's or xl's grammar), numbered for
 * the guest (vda, vdb, ...), no vdev twice. */
int
keylist_disks(struct key_ctx *c, const struct xmval *v)
{
	const struct xmval *items;
	struct xmcfg_disk *d;
	char msg[KEY_MSG];
	size_t n, i, j;

	if (keyval_list(c, "disk", v, &items, &n) < 0)
		return -1;
	if (n > XMCFG_MAX_DISKS)
		return keyval_fail(c, "disk: %zu disks, at most %d", n,
				   XMCFG_MAX_DISKS);
	for (i = 0; i < c->dom->ndisks; i++)
		xmdisk_dispose(&c->dom->disks[i]);
	free(c->dom->disks);
	c->dom->ndisks = 0;
	c->dom->disks = calloc(n ? n : 1, sizeof(*d));
	if (!c->dom->disks)
		return keyval_fail(c, "disk: out of memory");
	for (i = 0; i < n; i++) {
		d = &c->dom->disks[i];
		if (xmdisk_parse(items[i].str, d, msg, sizeof(msg)) < 0)
			return keyval_fail(c, "disk[%zu]: %s", i, msg);
		c->dom->ndisks = i + 1;
		xmdisk_set_guest_dev(d, i);
		for (j = 0; j < i; j++)
			if (!strcmp(c->dom->disks[j].vdev, d->vdev))
				return keyval_fail(
					c,
					"disk[%zu]: vdev '%s' is already "
					"used by disk[%zu]",
					i, d->vdev, j);
	}
	return 0;
}

/* vif = [...]: each entry parsed. */
int
keylist_vifs(struct key_ctx *c, const struct xmval *v)
{
	const struct xmval *items;
	char msg[KEY_MSG];
	size_t n, i;

	if (keyval_list(c, "vif", v, &items, &n) < 0)
		return -1;
	if (n > XMCFG_MAX_VIFS)
		return keyval_fail(c, "vif: %zu interfaces, at most %d", n,
				   XMCFG_MAX_VIFS);
	for (i = 0; i < c->dom->nvifs; i++)
		xmvif_dispose(&c->dom->vifs[i]);
	free(c->dom->vifs);
	c->dom->nvifs = 0;
	c->dom->vifs = calloc(n ? n : 1, sizeof(*c->dom->vifs));
	if (!c->dom->vifs)
		return keyval_fail(c, "vif: out of memory");
	for (i = 0; i < n; i++) {
		if (xmvif_parse(items[i].str, &c->dom->vifs[i], msg,
				sizeof(msg)) < 0)
			return keyval_fail(c, "vif[%zu]: %s", i, msg);
		c->dom->nvifs = i + 1;
	}
	return 0;
}

/* xl's cpuid string: "host,tm=0,sse3=1,family=6": an optional policy
 * first, then NAME=VALUE with VALUE one of 0 1 x k s or a number. Checked
 * and kept; not applied (a note says so). */
static int
keylist_cpuid_xl(struct key_ctx *c, const struct xmval *v)
{
	const char *p = v->str, *e;
	size_t n;

	if (!keyval_text_ok(v->str) || strlen(v->str) != v->len)
		return keyval_fail(c, "cpuid: contains a control character or "
				      "invalid UTF-8");
	while (*p) {
		e = p + strcspn(p, ",");
		n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_");
		if (n == 4 && p == v->str && !strncmp(p, "host", 4) &&
		    p + n == e) {
			p = *e ? e + 1 : e;
			continue;
		}
		if (!n || p[n] != '=' || p + n + 1 == e ||
		    (strspn(p + n + 1, "01xks") != (size_t)(e - p - n - 1) &&
		     strspn(p + n + 1, "0123456789") !=
			     (size_t)(e - p - n - 1)))
			return keyval_fail(
				c,
				"cpuid: '%.100s' is not xl's "
				"\"host,FEATURE=0|1|x|k|s,...\" nor a "
				"list of xm's \"LEAF:REG=BITS\"",
				v->str);
		p = *e ? e + 1 : e;
	}
	free(c->dom->cpuid_xl);
	c->dom->cpuid_xl = xm_strdup(v->str);
	return c->dom->cpuid_xl ? 0 : keyval_fail(c, "cpuid: out of memory");
}

/* cpuid: xm's list of "LEAF:REG=BITS" entries, or xl's string. */
int
keylist_cpuids(struct key_ctx *c, const struct xmval *v)
{
	const struct xmval *items;
	char msg[KEY_MSG];
	size_t n, i;

	if (v->type == XMVAL_STR && isalpha((unsigned char)v->str[0]))
		return keylist_cpuid_xl(c, v);
	if (keyval_list(c, "cpuid", v, &items, &n) < 0)
		return -1;
	if (n > XMCFG_MAX_CPUID)
		return keyval_fail(c, "cpuid: %zu entries, at most %d", n,
				   XMCFG_MAX_CPUID);
	for (i = 0; i < c->dom->ncpuid; i++)
		xmcpuid_dispose(&c->dom->cpuid[i]);
	free(c->dom->cpuid);
	c->dom->ncpuid = 0;
	c->dom->cpuid = calloc(n ? n : 1, sizeof(*c->dom->cpuid));
	if (!c->dom->cpuid)
		return keyval_fail(c, "cpuid: out of memory");
	for (i = 0; i < n; i++) {
		if (xmcpuid_parse(items[i].str, &c->dom->cpuid[i], msg,
				  sizeof(msg)) < 0)
			return keyval_fail(c, "cpuid[%zu]: %s", i, msg);
		c->dom->ncpuid = i + 1;
	}
	return 0;
}

/* xmexample1's restart= mapping onto the on_* keys not set explicitly. */
int
keylist_restart(struct key_ctx *c, const char *s)
{
	static const struct {
		const char *name;
		enum xmcfg_action act[3];
	} map[] = {
		{"onreboot",
		 {XMCFG_ACTION_DESTROY, XMCFG_ACTION_RESTART,
		  XMCFG_ACTION_DESTROY}},
		{"always",
		 {XMCFG_ACTION_RESTART, XMCFG_ACTION_RESTART,
		  XMCFG_ACTION_RESTART}},
		{"never",
		 {XMCFG_ACTION_DESTROY, XMCFG_ACTION_DESTROY,
		  XMCFG_ACTION_DESTROY}},
		{NULL, {0, 0, 0}},
	};
	enum xmcfg_action *f[3] = {&c->dom->on_poweroff, &c->dom->on_reboot,
				   &c->dom->on_crash};
	size_t i, k;

	for (i = 0; map[i].name; i++)
		if (!strcmp(map[i].name, s))
			break;
	if (!map[i].name)
		return keyval_fail(c,
				   "restart: '%.100s' is not onreboot, always "
				   "or never",
				   s);
	for (k = 0; k < 3; k++)
		if (!c->set_action[k])
			*f[k] = map[i].act[k];
	return 0;
}

/* builder= (xm: 'linux', 'hvm'; xl: 'generic', 'hvm') and xl's type=
 * ('pv', 'pvh', 'hvm'), which wins; xl refuses the two when they differ. */
int
keylist_type(struct key_ctx *c, const struct xmkey_def *k,
	     const struct xmval *v)
{
	static const struct {
		const char *name;
		bool builder; /* a builder= value, else a type= value */
		enum xmcfg_guest_type type;
	} names[] = {
		{"linux", true, XMCFG_GUEST_PV},
		{"generic", true, XMCFG_GUEST_PV},
		{"hvm", true, XMCFG_GUEST_HVM},
		{"pv", false, XMCFG_GUEST_PV},
		{"pvh", false, XMCFG_GUEST_PVH},
		{"hvm", false, XMCFG_GUEST_HVM},
		{NULL, false, XMCFG_GUEST_PV},
	};
	bool builder = k->kind == KEY_BUILDER;
	char *s = NULL;
	size_t i;

	if (keyval_str(c, k->name, v, &s) < 0)
		return -1;
	for (i = 0; names[i].name; i++)
		if (names[i].builder == builder && !strcmp(names[i].name, s))
			break;
	if (!names[i].name) {
		keyval_fail(c, "%s: '%.100s' is not %s", k->name, s,
			    builder ? "'linux', 'generic' or 'hvm'"
				    : "'pv', 'pvh' or 'hvm'");
		free(s);
		return -1;
	}
	if (builder) {
		free(c->dom->builder);
		c->dom->builder = s;
		c->builder_type = (int)names[i].type;
	} else {
		free(s);
		c->dom->type = names[i].type;
		c->dom->type_given = true;
	}
	return 0;
}

/* xm's bootargs (a string) and xl's bootloader_args (a list, or a
 * string): the arguments as one string, separated by spaces. */
int
keylist_bootargs(struct key_ctx *c, const struct xmval *v)
{
	const struct xmval *items;
	struct xmbuf b = {0};
	size_t n, i;

	if (v->type == XMVAL_STR || v->type == XMVAL_INT) {
		char *s;

		if (keyval_str(c, c->cur->name, v, &s) < 0)
			return -1;
		free(c->dom->bootargs);
		c->dom->bootargs = s;
		return 0;
	}
	if (keyval_list(c, c->cur->name, v, &items, &n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (i)
			xmbuf_put(&b, " ", 1);
		xmbuf_put(&b, items[i].str, strlen(items[i].str));
	}
	xmbuf_put(&b, "", 1);
	if (b.failed) {
		xmbuf_free(&b);
		return keyval_fail(c, "%s: out of memory", c->cur->name);
	}
	free(c->dom->bootargs);
	c->dom->bootargs = b.data;
	return 0;
}
