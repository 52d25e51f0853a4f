/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netmethods.c: the XML-RPC methods of networking: xm network-attach and
 * network-detach on a running domain (xend's device_create and
 * destroyDevice for class "vif"), and the managed networks' list, start
 * and stop. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "net.h"
#include "netdom.h"
#include "nettap.h"
#include "util.h"

/* The running domain named by parameter 0, or NULL after a fault. */
static struct xmd_domain *
net_m_dom(struct xmd *x, struct control_req *req,
	  const struct xmlrpc_value *params)
{
	const char *dom = NULL;
	struct xmd_domain *d;

	if (xmlrpc_get_string(xmlrpc_array_get(params, 0), &dom) < 0) {
		control_fault(req, XMLRPC_FAULT_INVALID,
			      "parameter 1 must be a string");
		return NULL;
	}
	d = domains_find(x, dom);
	if (!d || d->phase != XMD_PHASE_ACTIVE) {
		control_fault(req, XMLRPC_FAULT_NOSUCHDOMAIN,
			      "Domain '%s' does not exist.", dom);
		return NULL;
	}
	return d;
}

/* xend's device SXP ["vif", ["mac", "..."], ...] as a vif spec
 * "mac=...,bridge=..." into buf. 0, or -EINVAL with msg. */
static int
net_m_spec(const struct xmlrpc_value *sxp, char *buf, size_t size, char *msg,
	   size_t msglen)
{
	const char *cls = NULL, *k, *v;
	size_t i, o = 0;

	/* xm sends "key=value,..."; xend's clients sent the SXP */
	if (xmlrpc_get_string(sxp, &v) == 0)
		return util_strlcpy(buf, v, size) < 0
			       ? (snprintf(msg, msglen, "vif too long"), -E2BIG)
			       : 0;
	if (xmlrpc_get_string(xmlrpc_array_get(sxp, 0), &cls) < 0 ||
	    strcmp(cls, "vif")) {
		snprintf(msg, msglen, "only vif devices can be attached here");
		return -EINVAL;
	}
	buf[0] = '\0';
	for (i = 1; i < xmlrpc_array_len(sxp); i++) {
		const struct xmlrpc_value *kv = xmlrpc_array_get(sxp, i);

		if (xmlrpc_array_len(kv) != 2 ||
		    xmlrpc_get_string(xmlrpc_array_get(kv, 0), &k) < 0 ||
		    xmlrpc_get_string(xmlrpc_array_get(kv, 1), &v) < 0 ||
		    strchr(v, ',')) {
			snprintf(msg, msglen,
				 "vif parameter %zu: not [key, "
				 "value] (no comma in a value)",
				 i);
			return -EINVAL;
		}
		if (!strcmp(k, "backend") && strcmp(v, "0")) {
			snprintf(msg, msglen,
				 "backend=%s: the backend is the "
				 "host (0) here",
				 v);
			return -EINVAL;
		}
		int n = snprintf(buf + o, size - o, "%s%s=%s", o ? "," : "", k,
				 v);

		if (n < 0 || (size_t)n >= size - o) {
			snprintf(msg, msglen, "vif parameters too long");
			return -E2BIG;
		}
		o += (size_t)n;
	}
	return 0;
}

/* Force: xm sent true, or "-f"/"--force" (xend's string form). */
static bool
net_m_force(const struct xmlrpc_value *v)
{
	const char *s;
	bool b;

	if (xmlrpc_get_bool(v, &b) == 0)
		return b;
	return xmlrpc_get_string(v, &s) == 0 &&
	       (!strcmp(s, "--force") || !strcmp(s, "-f") || !strcmp(s, "1"));
}

/* The next free devid of d. */
static uint32_t
net_m_devid(const struct xmd_domain *d)
{
	uint32_t id = 0, k;
	size_t i;

	for (i = 0; i < d->cfg->nvifs; i++) {
		k = net_vif_devid(d->cfg, i);
		if (k >= id)
			id = k + 1;
	}
	return id;
}

struct xmlrpc_value *
net_m_attach(struct xmd *x, struct control_req *req,
	     const struct xmlrpc_value *params, bool *pending)
{
	struct xmd_domain *d = net_m_dom(x, req, params);
	char spec[2048], full[2200], msg[1024], mac[18];
	struct xmhv_domain_config *hv = NULL;
	struct net_job *job = NULL;
	struct xmcfg_vif v, *grown;
	struct xmcfg_domain tmp;
	uint32_t devid;
	int rc;

	if (!d)
		return NULL;
	if (net_m_spec(xmlrpc_array_get(params, 1), spec, sizeof(spec), msg,
		       sizeof(msg)) < 0) {
		control_fault(req, XMLRPC_FAULT_INVALID, "%s", msg);
		return NULL;
	}
	if (d->cfg->nvifs >= XMHV_MAX_NICS) {
		control_fault(req, XMLRPC_FAULT_INVALID,
			      "domain %s: it has %d vifs already", d->name,
			      XMHV_MAX_NICS);
		return NULL;
	}
	if (xmcfg_vif_parse(spec, &v, msg, sizeof(msg)) < 0) {
		control_fault(req, XMLRPC_FAULT_INVALID, "vif: %s", msg);
		return NULL;
	}
	devid = v.devid >= 0 ? (uint32_t)v.devid : net_m_devid(d);
	if (!v.has_mac)
		net_vif_mac(d->uuid, devid, v.mac);
	/* The record keeps what was made up: its MAC and its devid. */
	snprintf(full, sizeof(full), "%s%smac=%s,devid=%u", spec,
		 spec[0] ? "," : "", net_mac_string(v.mac, mac), devid);
	xmcfg_vif_dispose(&v);
	if (xmcfg_vif_parse(full, &v, msg, sizeof(msg)) < 0) {
		control_fault(req, XMLRPC_FAULT_INVALID, "vif: %s", msg);
		return NULL;
	}
	/* A one-vif view of d to prepare, attach and plug it. */
	tmp = *d->cfg;
	tmp.vifs = &v;
	tmp.nvifs = 1;
	hv = calloc(1, sizeof(*hv));
	rc = hv ? 0 : -ENOMEM;
	if (rc == 0) {
		struct xmd_domain view = *d;

		xmhv_domain_config_init(hv);
		view.cfg = &tmp;
		rc = net_domain_prepare(x, &view, hv, &job, msg, sizeof(msg));
	}
	if (rc == 0)
		rc = net_job_attach(job, d->domid, msg, sizeof(msg));
	if (rc == 0 && devid < 32) {
		d->vhost_devids &= ~(1u << devid);
		d->vhost_devids |= net_job_vhost_devids(job);
	}
	if (rc == 0) {
		XMD_STRLCPY(hv->nics[0].tap, net_job_tap(job, 0));
		hv->nics[0].rate_bytes_per_sec = v.rate_bytes_per_sec;
		hv->nics[0].rate_interval_us = v.rate_interval_us;
		rc = xmhv_domain_nic_attach(x->hv, d->domid, &hv->nics[0], msg,
					    sizeof(msg));
		if (rc < 0)
			net_job_offline(job, d->domid);
	}
	net_job_free(job); /* the monitor has its copy, or the tap goes */
	free(hv);
	if (rc < 0) {
		xmcfg_vif_dispose(&v);
		log_err("domain %s (id %u): network-attach: %s", d->name,
			d->domid, msg);
		control_fault(req, XMLRPC_FAULT_GENERIC, "%s", msg);
		return NULL;
	}
	grown = realloc(d->cfg->vifs, (d->cfg->nvifs + 2) * sizeof(*grown));
	if (!grown) {
		xmcfg_vif_dispose(&v);
		control_fault(req, XMLRPC_FAULT_GENERIC, "out of memory");
		return NULL;
	}
	d->cfg->vifs = grown;
	d->cfg->vifs[d->cfg->nvifs++] = v;
	memset(&d->cfg->vifs[d->cfg->nvifs], 0, sizeof(v));
	(void)record_write(x, d);
	log_info("domain %s (id %u): vif %u attached (%s)", d->name, d->domid,
		 devid, mac);
	return xmlrpc_int(0);
}

struct xmlrpc_value *
net_m_detach(struct xmd *x, struct control_req *req,
	     const struct xmlrpc_value *params, bool *pending)
{
	struct xmd_domain *d = net_m_dom(x, req, params);
	bool force = net_m_force(xmlrpc_array_get(params, 3));
	const char *cls = NULL, *dev = NULL;
	char msg[512], s[18];
	uint32_t devid = 0;
	uint8_t mac[6];
	size_t i;
	int rc;

	if (!d)
		return NULL;
	if (xmlrpc_get_string(xmlrpc_array_get(params, 1), &cls) < 0 ||
	    xmlrpc_get_string(xmlrpc_array_get(params, 2), &dev) < 0 ||
	    strcmp(cls, "vif")) {
		control_fault(req, XMLRPC_FAULT_INVALID,
			      "xend.domain.destroyDevice: (dom, \"vif\", devid "
			      "or mac[, force])");
		return NULL;
	}
	for (i = 0; i < d->cfg->nvifs; i++) {
		char id[16];

		if (net_vif_guest_mac(d->cfg, d->uuid, i, mac, msg,
				      sizeof(msg)) < 0)
			continue;
		devid = net_vif_devid(d->cfg, i);
		snprintf(id, sizeof(id), "%u", devid);
		if (!strcmp(id, dev) ||
		    !strcasecmp(net_mac_string(mac, s), dev))
			break;
	}
	if (i == d->cfg->nvifs) {
		control_fault(req, XMLRPC_FAULT_INVALID,
			      "Cannot find device '%s' in domain '%s'", dev,
			      d->name);
		return NULL;
	}
	rc = xmhv_domain_nic_detach(x->hv, d->domid, mac,
				    force ? XMHV_DETACH_FORCE : 0, msg,
				    sizeof(msg));
	if (rc < 0) {
		control_fault(req, XMLRPC_FAULT_GENERIC, "%s", msg);
		return NULL;
	}
	/* The monitor closed its tap: it is gone; its script gets offline. */
	{
		struct xmcfg_domain one = *d->cfg;
		struct xmd_domain view = *d;

		one.vifs = &d->cfg->vifs[i];
		one.nvifs = 1;
		view.cfg = &one;
		view.managed = true; /* reservations: synced below */
		net_domain_down(x, &view);
	}
	xmcfg_vif_dispose(&d->cfg->vifs[i]);
	memmove(&d->cfg->vifs[i], &d->cfg->vifs[i + 1],
		(d->cfg->nvifs - i) * sizeof(d->cfg->vifs[0]));
	d->cfg->nvifs--;
	if (devid < 32)
		d->vhost_devids &= ~(1u << devid);
	(void)record_write(x, d);
	netmgr_sync_hosts(x, NULL);
	log_info("domain %s (id %u): vif %s detached%s", d->name, d->domid, s,
		 force ? " (forced)" : "");
	return xmlrpc_int(0);
}

struct xmlrpc_value *
net_m_list(struct xmd *x, struct control_req *req,
	   const struct xmlrpc_value *params, bool *pending)
{
	return netmgr_list(x);
}

static struct xmlrpc_value *
net_m_startstop(struct xmd *x, struct control_req *req,
		const struct xmlrpc_value *params, bool start)
{
	const char *name = NULL;
	char msg[1024];
	int rc;

	if (xmlrpc_get_string(xmlrpc_array_get(params, 0), &name) < 0) {
		control_fault(req, XMLRPC_FAULT_INVALID,
			      "parameter 1 must be a network name");
		return NULL;
	}
	rc = start ? netmgr_start(x, name, msg, sizeof(msg))
		   : netmgr_stop(x, name, msg, sizeof(msg));
	if (rc < 0) {
		log_err("%s", msg);
		control_fault(req,
			      rc == -ENOENT || rc == -ESRCH
				      ? XMLRPC_FAULT_INVALID
				      : XMLRPC_FAULT_GENERIC,
			      "%s", msg);
		return NULL;
	}
	return xmlrpc_int(0);
}

struct xmlrpc_value *
net_m_start(struct xmd *x, struct control_req *req,
	    const struct xmlrpc_value *params, bool *pending)
{
	return net_m_startstop(x, req, params, true);
}

struct xmlrpc_value *
net_m_stop(struct xmd *x, struct control_req *req,
	   const struct xmlrpc_value *params, bool *pending)
{
	return net_m_startstop(x, req, params, false);
}
