/* SPDX-License-Identifier: GPL-2.0-or-later */
/* devices.c: xend's device methods for disks, as Xen's xm block-attach
 * and block-detach called them: xend.domain.device_create(dom, ['vbd',
 * ['uname', U], ['dev', D], ['mode', M]]) (also 'tap', 'tap2'),
 * xend.domain.destroyDevice(dom, class, dev, force, rm_cfg) and
 * xend.domain.getBlockDeviceClass(dom, dev). The disk is checked as a
 * config's disk is (libxmcfg, storage.c), hot-plugged through libxmhv
 * (xmhv_domain_disk_attach/_detach: ACPI PCI hot-plug in the guest), and
 * the domain record follows. A vif (class 'vif', or xm's "key=value"
 * string) is handed to the network methods (netmethods.c). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "netdom.h"
#include "util.h"
#include "xmd.h"

static const char *const devices_classes[] = {"vbd", "tap", "tap2"};

static void devices_msg(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Messages name a path: truncation is acceptable. */
static void
devices_msg(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

/* The value of [key, value] in an SXP-like list, or NULL. */
static const char *
devices_sxp(const struct xmlrpc_value *list, const char *key)
{
	const struct xmlrpc_value *e;
	const char *k, *v;
	size_t i;

	for (i = 1; i < xmlrpc_array_len(list); i++) {
		e = xmlrpc_array_get(list, i);
		if (xmlrpc_array_len(e) == 2 &&
		    xmlrpc_get_string(xmlrpc_array_get(e, 0), &k) == 0 &&
		    xmlrpc_get_string(xmlrpc_array_get(e, 1), &v) == 0 &&
		    strcmp(k, key) == 0)
			return v;
	}
	return NULL;
}

/* The index of d's disk named dev (its Xen name, or the virtio one,
 * with or without /dev/), or -1. */
static int
devices_find(const struct xmd_domain *d, const char *dev)
{
	size_t i;

	if (strncmp(dev, "/dev/", 5) == 0)
		dev += 5;
	for (i = 0; i < d->cfg->ndisks; i++) {
		const struct xmcfg_disk *k = &d->cfg->disks[i];

		if ((k->vdev && strcmp(k->vdev, dev) == 0) ||
		    strcmp(k->guest_dev, dev) == 0)
			return (int)i;
	}
	return -1;
}

/* The guest name a new disk gets: Linux's virtio_blk takes the lowest
 * free index, as this does. */
static void
devices_guest_dev(const struct xmd_domain *d, struct xmcfg_disk *k)
{
	char name[16];
	int i;

	for (i = 0; i < 26; i++) {
		snprintf(name, sizeof(name), "vd%c", 'a' + i);
		if (devices_find(d, name) < 0)
			break;
	}
	snprintf(k->guest_dev, sizeof(k->guest_dev), "vd%c", 'a' + i);
}

/* Parse and check spec as a disk of d: 0 with *k (owned), or a fault
 * code with msg. */
static int
devices_parse(struct xmd_domain *d, const char *spec, struct xmcfg_disk *k,
	      struct xmhv_disk_config *hd, char *msg, size_t msglen)
{
	struct xmhv_domain_config *hv = NULL;
	struct xmcfg_domain one;
	char why[512];
	int rc = XMLRPC_FAULT_INVALID;

	if (xmcfg_disk_parse(spec, k, why, sizeof(why)) < 0) {
		devices_msg(msg, msglen, "domain %s: disk %s: %s", d->name,
			    spec, why);
		return rc;
	}
	if (!k->source || (k->format && strcmp(k->format, "raw") != 0)) {
		devices_msg(msg, msglen,
			    "domain %s: disk %s: only raw images and devices "
			    "can be attached",
			    d->name, spec);
		goto fail;
	}
	if (devices_find(d, k->vdev) >= 0) {
		devices_msg(msg, msglen,
			    "domain %s: disk %s is already attached", d->name,
			    k->vdev);
		goto fail;
	}
	rc = XMLRPC_FAULT_GENERIC;
	hv = malloc(sizeof(*hv));
	if (!hv) {
		snprintf(msg, msglen, "out of memory");
		goto fail;
	}
	xmhv_domain_config_init(hv);
	memset(&one, 0, sizeof(one));
	one.name = d->name;
	one.disks = k;
	one.ndisks = 1;
	if (storage_prepare(&one, hv, msg, msglen) < 0 || hv->ndisks != 1)
		goto fail;
	*hd = hv->disks[0];
	free(hv);
	return 0;
fail:
	free(hv);
	xmcfg_disk_dispose(k);
	return rc;
}

/* xend.domain.device_create(dom, config) -> 0: xm block-attach. */
struct xmlrpc_value *
devices_create(struct xmd *x, struct control_req *req,
	       const struct xmlrpc_value *params, bool *pending)
{
	const struct xmlrpc_value *cfg = xmlrpc_array_get(params, 1);
	struct xmd_domain *d;
	struct xmhv_disk_config hd;
	struct xmcfg_disk k, *grown;
	const char *cls = "", *u, *dev, *mode;
	char spec[XMHV_PATH_MAX + 64], msg[XMHV_PATH_MAX + 512];
	size_t i;
	int rc;

	if (xmlrpc_get_string(cfg, &cls) == 0 ||
	    (xmlrpc_get_string(xmlrpc_array_get(cfg, 0), &cls) == 0 &&
	     strcmp(cls, "vif") == 0))
		return net_m_attach(x, req, params, pending);
	cls = "";
	d = methods_dom(x, req, params, true);
	if (!d)
		return NULL;
	(void)!xmlrpc_get_string(xmlrpc_array_get(cfg, 0), &cls);
	for (i = 0; i < ARRAY_SIZE(devices_classes); i++)
		if (strcmp(cls, devices_classes[i]) == 0)
			break;
	u = devices_sxp(cfg, "uname");
	dev = devices_sxp(cfg, "dev");
	mode = devices_sxp(cfg, "mode");
	if (i == ARRAY_SIZE(devices_classes) || !u || !dev || !mode) {
		control_fault(req, XMLRPC_FAULT_INVALID,
			      "xend.domain.device_create: a disk is [vbd, "
			      "[uname, U], [dev, D], [mode, M]] (class '%s')",
			      cls);
		return NULL;
	}
	devices_msg(spec, sizeof(spec), "%s,%s,%s", u, dev, mode);
	rc = devices_parse(d, spec, &k, &hd, msg, sizeof(msg));
	if (rc) {
		control_fault(req, rc, "%s", msg);
		return NULL;
	}
	grown = realloc(d->cfg->disks, (d->cfg->ndisks + 1) * sizeof(*grown));
	rc = grown ? xmhv_domain_disk_attach(x->hv, d->domid, &hd, msg,
					     sizeof(msg))
		   : -ENOMEM;
	if (grown)
		d->cfg->disks = grown;
	if (rc == -EBUSY) {
		struct xmhv_domain_config *one = malloc(sizeof(*one));

		if (one) {
			xmhv_domain_config_init(one);
			one->disks[0] = hd;
			one->ndisks = 1;
			(void)storage_name_holder(x, NULL, one, msg,
						  sizeof(msg));
		}
		free(one);
	}
	if (rc < 0) {
		control_fault(req, XMLRPC_FAULT_GENERIC, "domain %s: %s",
			      d->name, msg[0] ? msg : strerror(-rc));
		xmcfg_disk_dispose(&k);
		return NULL;
	}
	devices_guest_dev(d, &k);
	d->cfg->disks[d->cfg->ndisks++] = k;
	(void)record_write(x, d);
	log_info("domain %s (id %u): disk %s (%s) attached, the guest's %s",
		 d->name, d->domid, k.vdev, u, k.guest_dev);
	return xmlrpc_int(0);
}

/* Force: xm sent "--force" or "-f" (or a boolean true). */
static bool
devices_force(const struct xmlrpc_value *v)
{
	const char *s;
	bool b;

	if (xmlrpc_get_bool(v, &b) == 0)
		return b;
	return xmlrpc_get_string(v, &s) == 0 &&
	       (strcmp(s, "--force") == 0 || strcmp(s, "-f") == 0 ||
		strcmp(s, "1") == 0);
}

/* xend.domain.destroyDevice(dom, class, dev[, force[, rm_cfg]]) -> 0:
 * xm block-detach. */
struct xmlrpc_value *
devices_destroy(struct xmd *x, struct control_req *req,
		const struct xmlrpc_value *params, bool *pending)
{
	struct xmd_domain *d;
	bool force = devices_force(xmlrpc_array_get(params, 3));
	char msg[512], vdev[64];
	const char *cls, *dev;
	int i, rc;

	if (xmlrpc_get_string(xmlrpc_array_get(params, 1), &cls) == 0 &&
	    strcmp(cls, "vif") == 0)
		return net_m_detach(x, req, params, pending);
	d = methods_dom(x, req, params, true);
	if (!d || !methods_str(req, params, 1, &cls) ||
	    !methods_str(req, params, 2, &dev))
		return NULL;
	if (strcmp(cls, "vbd") && strcmp(cls, "tap") && strcmp(cls, "tap2")) {
		control_fault(req, XMLRPC_FAULT_INVALID,
			      "xend.domain.destroyDevice: device class %s: "
			      "only disks (vbd) are handled here",
			      cls);
		return NULL;
	}
	i = devices_find(d, dev);
	if (i < 0) {
		control_fault(req, XMLRPC_FAULT_GENERIC,
			      "Device %s not connected", dev);
		return NULL;
	}
	snprintf(vdev, sizeof(vdev), "%s", d->cfg->disks[i].vdev);
	rc = xmhv_domain_disk_detach(x->hv, d->domid, vdev,
				     force ? XMHV_DETACH_FORCE : 0, msg,
				     sizeof(msg));
	if (rc < 0 && rc != -ENOENT) {
		control_fault(req, XMLRPC_FAULT_GENERIC, "domain %s: %s",
			      d->name, msg[0] ? msg : strerror(-rc));
		return NULL;
	}
	/* -ENOENT: the monitor has no such disk (an empty cdrom drive, or
	 * it went already): the record follows all the same. */
	xmcfg_disk_dispose(&d->cfg->disks[i]);
	memmove(&d->cfg->disks[i], &d->cfg->disks[i + 1],
		(d->cfg->ndisks - (size_t)i - 1) * sizeof(d->cfg->disks[0]));
	d->cfg->ndisks--;
	(void)record_write(x, d);
	log_info("domain %s (id %u): disk %s detached%s", d->name, d->domid,
		 vdev, force ? " (forced)" : "");
	return xmlrpc_int(0);
}

/* xend.domain.getBlockDeviceClass(dom, dev) -> "vbd", "tap" or "tap2". */
struct xmlrpc_value *
devices_block_class(struct xmd *x, struct control_req *req,
		    const struct xmlrpc_value *params, bool *pending)
{
	struct xmd_domain *d = methods_dom(x, req, params, false);
	const char *dev, *drv;
	int i;

	(void)pending;
	if (!d || !methods_str(req, params, 1, &dev))
		return NULL;
	i = devices_find(d, dev);
	drv = i >= 0 ? d->cfg->disks[i].driver : NULL;
	return xmlrpc_string(
		drv && (strcmp(drv, "tap") == 0 || strcmp(drv, "tap2") == 0)
			? drv
			: "vbd");
}
