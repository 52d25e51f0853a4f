/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sxp.c: the S-expression `xm create -n` printed (xend's sxp.show and
 * PrettyPrint layout: one child per line, 4-space indent, devices on one
 * line), plus xmtools' virtio mapping as (guest_dev ...) entries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* xend printed atoms bare when they were plain words, else Python-quoted. */
static void
sxp_atom(struct xmbuf *b, const char *s)
{
	const char *p;
	bool bare = *s != '\0';

	for (p = s; *p && bare; p++)
		bare = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		       (*p >= '0' && *p <= '9') || strchr("_-./:@,=+!^", *p);
	if (bare) {
		xmbuf_put(b, s, strlen(s));
		return;
	}
	xmbuf_put(b, "'", 1);
	for (p = s; *p; p++) {
		if (*p == '\'' || *p == '\\')
			xmbuf_put(b, "\\", 1);
		if ((unsigned char)*p < 0x20)
			xmbuf_printf(b, "\\x%02x", (unsigned char)*p);
		else
			xmbuf_put(b, p, 1);
	}
	xmbuf_put(b, "'", 1);
}

static void
sxp_pair(struct xmbuf *b, const char *key, const char *val)
{
	xmbuf_put(b, "(", 1);
	xmbuf_put(b, key, strlen(key));
	xmbuf_put(b, " ", 1);
	sxp_atom(b, val);
	xmbuf_put(b, ")", 1);
}

static void
sxp_line(struct xmbuf *b, int indent, const char *key, const char *val)
{
	if (!val)
		return;
	xmbuf_printf(b, "%*s", indent, "");
	sxp_pair(b, key, val);
	xmbuf_put(b, "\n", 1);
}

static void
sxp_num(struct xmbuf *b, int indent, const char *key, unsigned long long v)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%llu", v);
	sxp_line(b, indent, key, tmp);
}

static const char *const sxp_modes[] = {
	[XMCFG_DISK_RO] = "r",
	[XMCFG_DISK_RW] = "w",
	[XMCFG_DISK_SHARED] = "w!",
};

/* An xl disk: its parameters by name (xl's grammar has no uname). */
static void
sxp_disk_xl(struct xmbuf *b, const struct xmcfg_disk *d)
{
	static const char *const tristate[] = {"0", "1"};
	char dev[80];
	const struct {
		const char *key;
		const char *val;
	} f[] = {
		{"format", d->format},
		{"backendtype", d->backendtype},
		{"backend", d->backend},
		{"script", d->script},
		{"specification", d->specification},
		{"discard", d->discard >= 0 ? tristate[d->discard] : NULL},
		{"trusted", d->trusted >= 0 ? tristate[d->trusted] : NULL},
		{"direct-io-safe", d->direct_io_safe ? "1" : NULL},
		{"ignored", d->ignored},
		{"guest_dev", d->guest_dev},
	};
	size_t i;

	snprintf(dev, sizeof(dev), "%s%s", d->vdev, d->cdrom ? ":cdrom" : "");
	xmbuf_put(b, "    (device (vbd ", 17);
	if (d->source) {
		sxp_pair(b, "target", d->source);
		xmbuf_put(b, " ", 1);
	}
	sxp_pair(b, "dev", dev);
	xmbuf_put(b, " ", 1);
	sxp_pair(b, "mode", sxp_modes[d->mode]);
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (f[i].val) {
			xmbuf_put(b, " ", 1);
			sxp_pair(b, f[i].key, f[i].val);
		}
	xmbuf_put(b, "))\n", 3);
}

static void
sxp_disk(struct xmbuf *b, const struct xmcfg_disk *d)
{
	char uname[4200], dev[80];
	const char *comma = strchr(d->spec, ',');

	const char *u = d->spec;
	size_t n = comma ? (size_t)(comma - d->spec) : strlen(d->spec);

	if (d->xl) {
		sxp_disk_xl(b, d);
		return;
	}

	/* uname as written (xm kept it verbatim), without spaces around it */
	while (n && (*u == ' ' || *u == '\t')) {
		u++;
		n--;
	}
	while (n && (u[n - 1] == ' ' || u[n - 1] == '\t'))
		n--;
	snprintf(uname, sizeof(uname), "%.*s", (int)n, u);
	snprintf(dev, sizeof(dev), "%s%s", d->vdev, d->cdrom ? ":cdrom" : "");
	xmbuf_put(b, "    (device (vbd ", 17);
	if (uname[0]) {
		sxp_pair(b, "uname", uname);
		xmbuf_put(b, " ", 1);
	}
	sxp_pair(b, "dev", dev);
	xmbuf_put(b, " ", 1);
	sxp_pair(b, "mode", sxp_modes[d->mode]);
	if (d->backend) {
		xmbuf_put(b, " ", 1);
		sxp_pair(b, "backend", d->backend);
	}
	xmbuf_put(b, " ", 1);
	sxp_pair(b, "guest_dev", d->guest_dev);
	xmbuf_put(b, "))\n", 3);
}

static void
sxp_vif(struct xmbuf *b, const struct xmcfg_vif *v)
{
	char mac[24], mtu[16], devid[16];
	const struct {
		const char *key;
		const char *val;
	} f[] = {
		{"bridge", v->bridge},
		{"ip", v->ip},
		{"script", v->script},
		{"vifname", v->vifname},
		{"model", v->model},
		{"type", v->type},
		{"rate", v->rate},
		{"datapath", v->datapath},
		{"mtu", v->mtu ? mtu : NULL},
		{"vlan", v->vlan},
		{"devid", v->devid >= 0 ? devid : NULL},
		{"gatewaydev", v->gatewaydev},
		{"trusted", v->trusted >= 0 ? (v->trusted ? "1" : "0") : NULL},
		{"ignored", v->ignored},
		{NULL, NULL},
	};
	size_t i;

	snprintf(mtu, sizeof(mtu), "%u", v->mtu);
	snprintf(devid, sizeof(devid), "%d", (int)v->devid);

	xmbuf_put(b, "    (device (vif", 16);
	if (v->has_mac) {
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
			 v->mac[0], v->mac[1], v->mac[2], v->mac[3], v->mac[4],
			 v->mac[5]);
		xmbuf_put(b, " ", 1);
		sxp_pair(b, "mac", mac);
	}
	for (i = 0; f[i].key; i++)
		if (f[i].val) {
			xmbuf_put(b, " ", 1);
			sxp_pair(b, f[i].key, f[i].val);
		}
	xmbuf_put(b, "))\n", 3);
}

static void
sxp_cpuid(struct xmbuf *b, const struct xmcfg_domain *dom)
{
	static const char *const regs[] = {"eax", "ebx", "ecx", "edx"};
	size_t i, r;

	if (!dom->ncpuid)
		return;
	xmbuf_put(b, "    (cpuid", 10);
	for (i = 0; i < dom->ncpuid; i++) {
		const struct xmcfg_cpuid *c = &dom->cpuid[i];

		/* extended leaves read better in hex, as they are written */
		xmbuf_printf(b, c->leaf >= 0x80000000u ? " (0x%x" : " (%u",
			     c->leaf);
		if (c->has_subleaf)
			xmbuf_printf(b, ",%u", c->subleaf);
		for (r = 0; r < 4; r++)
			if (c->reg[r]) {
				xmbuf_put(b, " ", 1);
				sxp_pair(b, regs[r], c->reg[r]);
			}
		xmbuf_put(b, ")", 1);
	}
	xmbuf_put(b, ")\n", 2);
}

static void
sxp_cpus(struct xmbuf *b, const struct xmcfg_domain *dom)
{
	char *s;
	uint32_t i;

	if (dom->cpus_nodes) { /* as written: not resolved */
		sxp_line(b, 4, "cpus", dom->cpus);
		return;
	}
	if (!dom->has_cpus)
		return;
	if (!dom->cpus_per_vcpu) {
		sxp_line(b, 4, "cpus", dom->cpus);
		return;
	}
	xmbuf_put(b, "    (cpus", 9);
	for (i = 0; i < dom->vcpus; i++) {
		s = xmcpus_format(&dom->cpus_per_vcpu[i]);
		if (!s) {
			b->failed = true;
			return;
		}
		xmbuf_put(b, " ", 1);
		sxp_atom(b, s);
		free(s);
	}
	xmbuf_put(b, ")\n", 2);
}

/* The normalised configuration as `xm create -n` printed it. */
char *
xmcfg_format_sxp(const struct xmcfg_domain *dom)
{
	struct xmbuf b = {0};
	char uuid[40];
	const uint8_t *u = dom->uuid;
	size_t i;

	xmbuf_put(&b, "(vm\n", 4);
	sxp_line(&b, 4, "name", dom->name);
	sxp_num(&b, 4, "memory", dom->memory_mib);
	if (dom->maxmem_mib != dom->memory_mib)
		sxp_num(&b, 4, "maxmem", dom->maxmem_mib);
	sxp_line(&b, 4, "on_poweroff", xmcfg_action_name(dom->on_poweroff));
	sxp_line(&b, 4, "on_reboot", xmcfg_action_name(dom->on_reboot));
	sxp_line(&b, 4, "on_crash", xmcfg_action_name(dom->on_crash));
	sxp_num(&b, 4, "vcpus", dom->vcpus);
	if (dom->maxvcpus != dom->vcpus)
		sxp_num(&b, 4, "maxvcpus", dom->maxvcpus);
	sxp_cpuid(&b, dom);
	sxp_line(&b, 4, "cpuid", dom->cpuid_xl);
	if (dom->has_uuid) {
		snprintf(uuid, sizeof(uuid),
			 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x"
			 "%02x%02x%02x%02x",
			 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8],
			 u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
		sxp_line(&b, 4, "uuid", uuid);
	}
	sxp_cpus(&b, dom);
	if (dom->localtime)
		sxp_line(&b, 4, "localtime", "1");
	sxp_line(&b, 4, "bootloader", dom->bootloader);
	sxp_line(&b, 4, "bootloader_args", dom->bootargs);
	/* what Xen tuned that KVM has no place for, as written */
	for (i = 0; i < dom->nsettings; i++)
		if (dom->settings[i].kind == XMCFG_SETTING_XEN)
			sxp_line(&b, 4, dom->settings[i].key,
				 dom->settings[i].value);
	/* xend's image: (linux ...) for pv, (hvm ...) with the device model
	 * settings for HVM; xl's pvh is its own */
	xmbuf_printf(&b, "    (image\n        (%s\n",
		     dom->type == XMCFG_GUEST_PV
			     ? "linux"
			     : xmcfg_guest_type_name(dom->type));
	sxp_line(&b, 12, "kernel", dom->kernel);
	sxp_line(&b, 12, "ramdisk", dom->ramdisk);
	sxp_line(&b, 12, "root", dom->root);
	sxp_line(&b, 12, "args", dom->extra);
	sxp_line(&b, 12, "guest_root", dom->root_rewritten);
	if (dom->cmdline && dom->cmdline[0])
		sxp_line(&b, 12, "cmdline", dom->cmdline);
	for (i = 0; dom->type == XMCFG_GUEST_HVM && i < dom->nsettings; i++)
		if (dom->settings[i].kind != XMCFG_SETTING_XEN)
			sxp_line(&b, 12, dom->settings[i].key,
				 dom->settings[i].value);
	xmbuf_put(&b, "        )\n    )\n", 16);
	for (i = 0; i < dom->ndisks; i++)
		sxp_disk(&b, &dom->disks[i]);
	for (i = 0; i < dom->nvifs; i++)
		sxp_vif(&b, &dom->vifs[i]);
	xmbuf_put(&b, ")\n", 3);
	if (b.failed) {
		xmbuf_free(&b);
		return NULL;
	}
	return b.data;
}
