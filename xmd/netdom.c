/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netdom.c: a domain's vifs on the host, in the order of a create: taps
 * made by xmd before the monitor starts (under a temporary name, their fds
 * handed to the monitor), named vifDOMID.DEVID once the domain has its id,
 * then attached (built in: host MAC fe:ff:ff:ff:ff:ff, the bridge's MTU,
 * a port of the bridge, up; or the user's script= online) while the
 * domain is still paused, as xend attached vifs before it unpaused. A tap
 * dies with the monitor's fd, so destroy, a crash or kill -9 of the
 * monitor and a failed create leave no interface; scripts get "offline".
 * After an xmd restart the taps are found again by name. Each vif gets
 * /dev/vhost-net too (the kernel's datapath) unless it asks for user
 * space (datapath=user), has rate= (a token bucket in the device), or the
 * host has no usable vhost-net: the reason is logged. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "net.h"
#include "netdom.h"
#include "nettap.h"
#include "util.h"

/* One vif of a create, copied out of the config for the worker thread. */
struct net_nic {
	char tmp[IFNAMSIZ];
	char tap[IFNAMSIZ];
	char vifname[IFNAMSIZ]; /* vifname= or "" */
	char bridge[IFNAMSIZ];  /* resolved; "" with a script and none */
	char script[PATH_MAX];  /* "": the built-in attach */
	uint32_t devid;
	uint32_t mtu; /* mtu= or 0: the bridge's */
	uint8_t mac[6];
	struct xmcfg_vif vif; /* the strings a script's store shows */
	bool online;          /* its script ran "online" */
	int fd;
	int vhost_fd; /* /dev/vhost-net, or -1: the user-space datapath */
	bool vhost;   /* it was given one (the fd closes once handed over) */
};

struct net_job {
	char domname[XMHV_NAME_MAX];
	char uuid_str[37];
	char shim_dir[PATH_MAX];
	char store_dir[PATH_MAX];
	char log_path[PATH_MAX];
	size_t n;
	struct net_nic nic[XMHV_MAX_NICS];
};

static const uint8_t net_host_mac[6] = NET_TAP_HOST_MAC;

static void
net_vif_copy_dispose(struct xmcfg_vif *v)
{
	free(v->ip);
	free(v->type);
	free(v->rate);
	free(v->model);
	free(v->gatewaydev);
	memset(v, 0, sizeof(*v));
}

static int
net_vif_copy(struct xmcfg_vif *dst, const struct xmcfg_vif *src)
{
	const char *const from[] = {src->ip, src->type, src->rate, src->model,
				    src->gatewaydev};
	char **to[] = {&dst->ip, &dst->type, &dst->rate, &dst->model,
		       &dst->gatewaydev};
	size_t i;

	memset(dst, 0, sizeof(*dst));
	dst->mtu = src->mtu;
	for (i = 0; i < ARRAY_SIZE(to); i++)
		if (from[i] && !(*to[i] = strdup(from[i])))
			return -ENOMEM;
	return 0;
}

void
net_job_free(struct net_job *job)
{
	size_t i;

	if (!job)
		return;
	for (i = 0; i < job->n; i++) {
		if (job->nic[i].fd >= 0)
			close(job->nic[i].fd);
		if (job->nic[i].vhost_fd >= 0)
			close(job->nic[i].vhost_fd);
		net_vif_copy_dispose(&job->nic[i].vif);
	}
	free(job);
}

/* /dev/vhost-net for vif i of domain name, or -1 with the reason logged
 * (the user-space datapath serves it). */
static int
net_vhost_open(const char *name, size_t i, const struct xmcfg_vif *v)
{
	int fd;

	if (v->datapath && !strcmp(v->datapath, "user")) {
		log_info("domain %s: vif[%zu]: user-space datapath "
			 "(datapath=user)",
			 name, i);
		return -1;
	}
	if (v->rate_bytes_per_sec) {
		log_info("domain %s: vif[%zu]: user-space datapath (rate= is "
			 "a token bucket in the device, vhost-net has none)",
			 name, i);
		return -1;
	}
	fd = open(NET_VHOST_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		log_info("domain %s: vif[%zu]: user-space datapath (%s: %s)",
			 name, i, NET_VHOST_DEV, strerror(errno));
	return fd;
}

uint32_t
net_job_vhost_devids(const struct net_job *job)
{
	uint32_t m = 0;
	size_t i;

	for (i = 0; job && i < job->n; i++)
		if (job->nic[i].vhost && job->nic[i].devid < 32)
			m |= 1u << job->nic[i].devid;
	return m;
}

int
net_paths(struct xmd *x, struct net_paths *p)
{
	int rc;

	rc = util_snprintf(p->shim_dir, sizeof(p->shim_dir), "%s/xenstore-bin",
			   x->run_dir);
	if (rc == 0)
		rc = util_snprintf(p->store_dir, sizeof(p->store_dir),
				   "%s/hotplug", x->run_dir);
	if (rc == 0)
		rc = util_snprintf(p->log_path, sizeof(p->log_path),
				   "%s/hotplug.log", x->log_dir);
	if (rc == 0)
		rc = util_snprintf(p->script_dir, sizeof(p->script_dir),
				   "%s/scripts", x->etc_dir);
	return rc;
}

/* The bridge and script of vif i into nic. 0 or -errno with msg. */
static int
net_nic_plan(struct xmd *x, const struct xmcfg_domain *cfg, size_t i,
	     const struct net_paths *p, struct net_nic *nic, char *msg,
	     size_t msglen)
{
	const struct xmcfg_vif *v = &cfg->vifs[i];
	bool builtin = false;
	char why[512];
	int rc;

	if (v->script) {
		rc = net_script_path(v->script, p->script_dir, nic->script,
				     sizeof(nic->script), &builtin);
		if (rc < 0) {
			snprintf(msg, msglen, "vif[%zu]: script path too long",
				 i);
			return rc;
		}
		if (builtin) {
			nic->script[0] = '\0';
		} else if (access(nic->script, X_OK) < 0) {
			rc = -errno;
			snprintf(msg, msglen, "vif[%zu]: script %s: %s", i,
				 nic->script, strerror(errno));
			return rc;
		}
	}
	rc = netmgr_resolve(x, v->bridge ? v->bridge : NET_DEFAULT_BRIDGE,
			    nic->bridge, why, sizeof(why));
	if (rc < 0 && nic->script[0]) {
		/* a script of one's own may route, not bridge */
		XMD_STRLCPY(nic->bridge, v->bridge ? v->bridge : "");
		rc = 0;
	}
	if (rc < 0)
		snprintf(msg, msglen, "vif[%zu]: %s", i, why);
	return rc;
}

int
net_domain_prepare(struct xmd *x, const struct xmd_domain *d,
		   struct xmhv_domain_config *hv, struct net_job **job_out,
		   char *msg, size_t msglen)
{
	const struct xmcfg_domain *cfg = d->cfg;
	struct net_paths p;
	struct net_job *job;
	struct net_nic *nic;
	char why[1024];
	size_t i;
	int rc = 0;

	*job_out = NULL;
	hv->nnics = 0;
	if (cfg->nvifs == 0)
		return 0;
	if (cfg->nvifs > XMHV_MAX_NICS) {
		snprintf(msg, msglen, "domain %s: more than %d vifs", d->name,
			 XMHV_MAX_NICS);
		return -E2BIG;
	}
	job = calloc(1, sizeof(*job));
	if (!job || net_paths(x, &p) < 0) {
		free(job);
		snprintf(msg, msglen, "domain %s: out of memory", d->name);
		return -ENOMEM;
	}
	XMD_STRLCPY(job->domname, d->name);
	XMD_STRLCPY(job->uuid_str, d->uuid_str);
	XMD_STRLCPY(job->shim_dir, p.shim_dir);
	XMD_STRLCPY(job->store_dir, p.store_dir);
	XMD_STRLCPY(job->log_path, p.log_path);
	for (i = 0; i < cfg->nvifs && rc == 0; i++) {
		nic = &job->nic[job->n++];
		nic->fd = nic->vhost_fd = -1;
		nic->devid = net_vif_devid(cfg, i);
		nic->mtu = cfg->vifs[i].mtu;
		if (cfg->vifs[i].vifname)
			XMD_STRLCPY(nic->vifname, cfg->vifs[i].vifname);
		rc = net_vif_guest_mac(cfg, d->uuid, i, nic->mac, why,
				       sizeof(why));
		if (rc == 0)
			rc = net_nic_plan(x, cfg, i, &p, nic, why, sizeof(why));
		if (rc == 0 && net_vif_copy(&nic->vif, &cfg->vifs[i]) < 0) {
			snprintf(why, sizeof(why), "out of memory");
			rc = -ENOMEM;
		}
		if (rc < 0)
			break;
		nic->fd = nettap_create("xmtap%d", nic->tmp);
		if (nic->fd < 0) {
			rc = nic->fd;
			snprintf(why, sizeof(why),
				 "vif[%zu]: cannot create a tap: %s", i,
				 strerror(-rc));
			break;
		}
		rc = nettap_set_mac(nic->tmp, net_host_mac);
		if (rc < 0) {
			snprintf(why, sizeof(why), "vif[%zu]: tap %s: MAC: %s",
				 i, nic->tmp, strerror(-rc));
			break;
		}
		memcpy(hv->nics[i].mac, nic->mac, 6);
		XMD_STRLCPY(hv->nics[i].tap, nic->tmp);
		hv->nics[i].fd = nic->fd;
		nic->vhost_fd = net_vhost_open(d->name, i, &cfg->vifs[i]);
		nic->vhost = nic->vhost_fd >= 0;
		hv->nics[i].vhost_fd = nic->vhost_fd;
		/* rate= for the device's token bucket (xm's netback) */
		hv->nics[i].rate_bytes_per_sec =
			cfg->vifs[i].rate_bytes_per_sec;
		hv->nics[i].rate_interval_us = cfg->vifs[i].rate_interval_us;
		hv->nnics = (uint32_t)i + 1;
	}
	if (rc < 0) {
		snprintf(msg, msglen, "domain %s: %s", d->name, why);
		hv->nnics = 0;
		net_job_free(job); /* closing the fds removes the taps */
		return rc;
	}
	netmgr_sync_hosts(x, NULL);
	*job_out = job;
	return 0;
}

/* The built-in attach, Xen's vif-bridge: the host-side MAC was set at
 * creation; the MTU (mtu= or the bridge's) before the port joins, so the
 * bridge does not lower its own; then up. */
static int
net_nic_attach(struct net_nic *nic, char *msg, size_t msglen)
{
	int mtu = nic->mtu ? (int)nic->mtu : nettap_get_mtu(nic->bridge);
	int rc = mtu < 0 ? mtu : nettap_set_mtu(nic->tap, mtu);
	const char *step = "MTU";

	if (rc == 0) {
		step = "bridge port";
		rc = nettap_bridge_add_port(nic->bridge, nic->tap);
	}
	if (rc == 0) {
		step = "up";
		rc = nettap_set_up(nic->tap, true);
	}
	if (rc < 0)
		snprintf(msg, msglen, "vif %s on bridge %s: %s: %s", nic->tap,
			 nic->bridge, step, strerror(-rc));
	return rc;
}

static void
net_nic_args(const struct net_job *job, const struct net_nic *nic,
	     xmhv_domid_t domid, const char *action, struct net_script_args *a,
	     char *store, size_t storelen)
{
	snprintf(store, storelen, "%s/%s.%s", job->store_dir, nic->tap, action);
	memset(a, 0, sizeof(*a));
	a->script = nic->script;
	a->action = action;
	a->tap = nic->tap;
	a->domname = job->domname;
	a->uuid_str = job->uuid_str;
	a->domid = domid;
	a->devid = nic->devid;
	memcpy(a->mac, nic->mac, 6);
	a->vif = &nic->vif;
	a->bridge = nic->bridge;
	a->shim_dir = job->shim_dir;
	a->store_path = store;
}

int
net_job_attach(struct net_job *job, xmhv_domid_t domid, char *msg,
	       size_t msglen)
{
	struct net_script_args a;
	char store[PATH_MAX + 64];
	struct net_nic *nic;
	size_t i;
	int rc = 0;

	for (i = 0; job && i < job->n && rc == 0; i++) {
		nic = &job->nic[i];
		rc = net_tap_name(
			&(struct xmcfg_vif){.vifname = nic->vifname[0]
							       ? nic->vifname
							       : NULL},
			domid, nic->devid, nic->tap);
		if (rc < 0) {
			snprintf(msg, msglen, "vif %u: tap name too long",
				 nic->devid);
			break;
		}
		rc = nettap_rename(nic->tmp, nic->tap);
		if (rc < 0) {
			snprintf(msg, msglen, "vif %s: %s", nic->tap,
				 rc == -EEXIST ? "a network interface of that "
						 "name exists"
					       : strerror(-rc));
			break;
		}
		if (!nic->script[0]) {
			rc = net_nic_attach(nic, msg, msglen);
			continue;
		}
		net_nic_args(job, nic, domid, "online", &a, store,
			     sizeof(store));
		rc = netscript_run(&a, job->log_path, true, msg, msglen);
		nic->online = rc == 0;
	}
	if (rc < 0)
		net_job_offline(job, domid);
	return rc;
}

void
net_job_offline(struct net_job *job, xmhv_domid_t domid)
{
	struct net_script_args a;
	char store[PATH_MAX + 64], why[256];
	size_t i;

	for (i = 0; job && i < job->n; i++) {
		if (!job->nic[i].online)
			continue;
		net_nic_args(job, &job->nic[i], domid, "offline", &a, store,
			     sizeof(store));
		if (netscript_run(&a, job->log_path, false, why, sizeof(why)) <
		    0) {
			/* not started: nothing to undo */
		}
		job->nic[i].online = false;
	}
}

void
net_job_close(struct net_job *job)
{
	size_t i;

	for (i = 0; job && i < job->n; i++) {
		if (job->nic[i].fd >= 0)
			close(job->nic[i].fd);
		if (job->nic[i].vhost_fd >= 0)
			close(job->nic[i].vhost_fd);
		job->nic[i].fd = job->nic[i].vhost_fd = -1;
	}
}

const char *
net_job_tap(const struct net_job *job, size_t i)
{
	return job && i < job->n ? job->nic[i].tap : "";
}

void
net_job_log(const struct net_job *job, xmhv_domid_t domid)
{
	char mac[18];
	size_t i;

	for (i = 0; job && i < job->n; i++)
		log_info("domain %s (id %u): vif %s (%s) %s %s%s", job->domname,
			 domid, job->nic[i].tap,
			 net_mac_string(job->nic[i].mac, mac),
			 job->nic[i].script[0] ? "set up by" : "on bridge",
			 job->nic[i].script[0] ? job->nic[i].script
					       : job->nic[i].bridge,
			 job->nic[i].script[0] ? " (online)" : "");
}

/* A job for the vifs of an existing domain (teardown, offline scripts):
 * the same plan as a create, without taps. NULL on failure. */
static struct net_job *
net_job_existing(struct xmd *x, const struct xmd_domain *d)
{
	const struct xmcfg_domain *cfg = d->cfg;
	struct net_paths p;
	struct net_job *job;
	size_t i;

	if (!cfg || cfg->nvifs == 0 || cfg->nvifs > XMHV_MAX_NICS ||
	    net_paths(x, &p) < 0)
		return NULL;
	job = calloc(1, sizeof(*job));
	if (!job)
		return NULL;
	XMD_STRLCPY(job->domname, d->name);
	XMD_STRLCPY(job->uuid_str, d->uuid_str);
	XMD_STRLCPY(job->shim_dir, p.shim_dir);
	XMD_STRLCPY(job->store_dir, p.store_dir);
	XMD_STRLCPY(job->log_path, p.log_path);
	for (i = 0; i < cfg->nvifs; i++) {
		struct net_nic *nic = &job->nic[job->n++];
		const struct xmcfg_vif *v = &cfg->vifs[i];
		bool builtin = false;
		char msg[64];

		nic->fd = nic->vhost_fd = -1;
		nic->devid = net_vif_devid(cfg, i);
		if (net_vif_guest_mac(cfg, d->uuid, i, nic->mac, msg,
				      sizeof(msg)) < 0 ||
		    net_tap_name(v, d->domid, nic->devid, nic->tap) < 0)
			nic->tap[0] = '\0';
		XMD_STRLCPY(nic->bridge,
			    v->bridge ? v->bridge : NET_DEFAULT_BRIDGE);
		(void)netmgr_bridge_of(nic->bridge, nic->bridge);
		if (v->script &&
		    (net_script_path(v->script, p.script_dir, nic->script,
				     sizeof(nic->script), &builtin) < 0 ||
		     builtin))
			nic->script[0] = '\0';
		nic->online = nic->script[0] && nic->tap[0];
		if (net_vif_copy(&nic->vif, v) < 0) {
			net_job_free(job);
			return NULL;
		}
	}
	return job;
}

void
net_domain_down(struct xmd *x, struct xmd_domain *d)
{
	struct net_job *job;

	if (d->domid == 0 || !d->cfg || d->cfg->nvifs == 0)
		return;
	job = net_job_existing(x, d);
	if (job) {
		/* the taps went with the monitor's fds */
		net_job_offline(job, d->domid);
		net_job_free(job);
	}
	netmgr_sync_hosts(x, d->managed ? NULL : d);
}

void
net_domain_adopt(struct xmd *x, struct xmd_domain *d)
{
	struct net_job *job = net_job_existing(x, d);
	char master[IFNAMSIZ];
	size_t i;

	for (i = 0; job && i < job->n; i++) {
		struct net_nic *nic = &job->nic[i];

		if (!nic->tap[0] || !nettap_exists(nic->tap)) {
			log_warn("domain %s (id %u): vif %s is gone", d->name,
				 d->domid, nic->tap);
			continue;
		}
		if (nettap_master(nic->tap, master) < 0)
			master[0] = '\0';
		log_info("domain %s (id %u): vif %s re-adopted%s%s", d->name,
			 d->domid, nic->tap, master[0] ? " on bridge " : "",
			 master);
	}
	net_job_free(job);
}

struct xmlrpc_value *
net_vif_list(struct xmd *x, const struct xmd_domain *d)
{
	const struct xmcfg_domain *cfg = d->cfg;
	struct xmlrpc_value *arr = xmlrpc_array(), *st;
	bool live = d->phase == XMD_PHASE_ACTIVE;
	char mac[18], tap[IFNAMSIZ], br[IFNAMSIZ], why[128];
	uint8_t m[6];
	size_t i;
	int rc = 0;

	for (i = 0; arr && i < cfg->nvifs; i++) {
		const struct xmcfg_vif *v = &cfg->vifs[i];
		uint32_t devid = net_vif_devid(cfg, i);
		const char *state = "";

		if (net_vif_guest_mac(cfg, d->uuid, i, m, why, sizeof(why)) < 0)
			memcpy(m, v->mac, 6);
		if (!live || net_tap_name(v, d->domid, devid, tap) < 0)
			XMD_STRLCPY(tap, v->vifname ? v->vifname : "");
		XMD_STRLCPY(br, v->bridge ? v->bridge : NET_DEFAULT_BRIDGE);
		(void)netmgr_bridge_of(br, br);
		if (live)
			state = tap[0] && nettap_exists(tap) ? "connected"
							     : "gone";
		st = xmlrpc_struct();
		rc |= xmlrpc_struct_set(st, "devid", xmlrpc_int(devid));
		rc |= xmlrpc_struct_set(st, "mac",
					xmlrpc_string(net_mac_string(m, mac)));
		rc |= xmlrpc_struct_set(st, "bridge", xmlrpc_string(br));
		rc |= xmlrpc_struct_set(st, "vifname", xmlrpc_string(tap));
		rc |= xmlrpc_struct_set(st, "ip", xmlrpc_string(v->ip));
		rc |= xmlrpc_struct_set(st, "script", xmlrpc_string(v->script));
		rc |= xmlrpc_struct_set(st, "model", xmlrpc_string(v->model));
		rc |= xmlrpc_struct_set(st, "rate", xmlrpc_string(v->rate));
		rc |= xmlrpc_struct_set(st, "state", xmlrpc_string(state));
		/* what xmd gave the monitor (from the record after an xmd
		 * restart; unknown for records older than that) */
		if (live && d->datapath_known)
			rc |= xmlrpc_struct_set(
				st, "datapath",
				xmlrpc_string(devid < 32 && (d->vhost_devids &
							     (1u << devid))
						      ? "vhost-net"
						      : "user"));
		rc |= xmlrpc_array_append(arr, st);
	}
	if (rc) {
		xmlrpc_free(arr);
		return NULL;
	}
	return arr;
}
