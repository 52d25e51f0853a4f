/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netdom.h: the networking hooks of a domain's lifecycle (netdom.c,
 * netattach.c) and the managed NAT networks (netmgr*.c). Main thread unless
 * a comment says otherwise. */
#ifndef XMD_NETDOM_H
#define XMD_NETDOM_H

#include <limits.h>
#include <net/if.h>

#include "xmd.h"

struct net_job;

/* Where vif scripts and their stores live (<run>/xenstore-bin,
 * <run>/hotplug, <log>/hotplug.log, <etc>/scripts). */
struct net_paths {
	char shim_dir[PATH_MAX];
	char store_dir[PATH_MAX];
	char log_path[PATH_MAX];
	char script_dir[PATH_MAX];
};
int net_paths(struct xmd *x, struct net_paths *p) XMD_WUR;

/* ---- netdom.c ---- */

/* Before the monitor starts: a tap per vif of d (under a temporary name),
 * hv->nics filled with their MACs and fds, the bridges checked (a managed
 * network started when a vif names it). *job_out (NULL without vifs)
 * goes to the worker. 0, or -errno with msg naming the domain and vif;
 * then nothing is left. */
int net_domain_prepare(struct xmd *x, const struct xmd_domain *d,
		       struct xmhv_domain_config *hv, struct net_job **job_out,
		       char *msg, size_t msglen) XMD_WUR;
/* Worker thread, once the domain is built (paused) with id domid: name
 * each tap vifDOMID.DEVID (or vifname=) and attach it (built in, or its
 * script online). 0, or -errno with msg; then the scripts that ran get
 * "offline" and the caller destroys the domain. Never logs. */
int net_job_attach(struct net_job *job, xmhv_domid_t domid, char *msg,
		   size_t msglen) XMD_WUR;
/* Any thread: run "offline" for the vifs whose script ran "online". */
void net_job_offline(struct net_job *job, xmhv_domid_t domid);
/* Any thread: close xmd's copies of the taps (the monitor holds its own;
 * after a failed create this removes them). */
void net_job_close(struct net_job *job);
/* The name of tap i of an attached job. */
const char *net_job_tap(const struct net_job *job, size_t i);
/* Log the vifs of a domain that now runs. */
void net_job_log(const struct net_job *job, xmhv_domid_t domid);
/* Free a job (closing what is still open); NULL is fine. */
void net_job_free(struct net_job *job);
/* The devids (below 32) of the job's vifs given /dev/vhost-net. */
uint32_t net_job_vhost_devids(const struct net_job *job);
/* The monitor of d is gone or destroyed (d->domid still its id): the taps
 * went with it; scripts get "offline", reservations follow. */
void net_domain_down(struct xmd *x, struct xmd_domain *d);
/* After an xmd restart: find d's taps by name again (logged). */
void net_domain_adopt(struct xmd *x, struct xmd_domain *d);
/* The vifs of d for xm network-list (doc/PROTOCOL.md). NULL: ENOMEM. */
struct xmlrpc_value *net_vif_list(struct xmd *x, const struct xmd_domain *d);

/* ---- netmethods.c: the XML-RPC methods of networking ---- */

/* xend.domain.device_create(dom, ["vif", [k, v]...]) (xm network-attach),
 * xend.domain.destroyDevice(dom, "vif", devid|mac, force) (network-detach),
 * xend.network.list(), xend.network.start(name), xend.network.stop(name). */
struct xmlrpc_value *net_m_attach(struct xmd *x, struct control_req *req,
				  const struct xmlrpc_value *params,
				  bool *pending);
struct xmlrpc_value *net_m_detach(struct xmd *x, struct control_req *req,
				  const struct xmlrpc_value *params,
				  bool *pending);
struct xmlrpc_value *net_m_list(struct xmd *x, struct control_req *req,
				const struct xmlrpc_value *params,
				bool *pending);
struct xmlrpc_value *net_m_start(struct xmd *x, struct control_req *req,
				 const struct xmlrpc_value *params,
				 bool *pending);
struct xmlrpc_value *net_m_stop(struct xmd *x, struct control_req *req,
				const struct xmlrpc_value *params,
				bool *pending);

/* ---- netmgr*.c: managed NAT networks ---- */

/* Take over the networks a previous xmd left running (<run>/net/NAME),
 * and make the xenstore shims' directory. */
void netmgr_init(struct xmd *x);
/* Stop supervising (the networks keep running; a new xmd adopts them). */
void netmgr_dispose(struct xmd *x);
/* The bridge a vif's bridge= means: a managed network's (by its name or
 * its bridge; started if it is not running), or an existing host bridge.
 * 0, or -errno with a message that says how to make the bridge or how to
 * use the managed network. */
int netmgr_resolve(struct xmd *x, const char *name, char out[IFNAMSIZ],
		   char *msg, size_t msglen) XMD_WUR;
/* The bridge of a network named name into out; 0 or -ENOENT (out
 * untouched). No side effects. */
int netmgr_bridge_of(const char *name, char out[IFNAMSIZ]);
/* Rewrite each running network's reservations from the domains xmd knows
 * (leaving: one that is going away, left out) and SIGHUP dnsmasq when they
 * changed. */
void netmgr_sync_hosts(struct xmd *x, const struct xmd_domain *leaving);
/* Start (0 when it runs already) or stop a network by name; stop refuses
 * while a running domain has a vif on it. 0, or -errno with msg. */
int netmgr_start(struct xmd *x, const char *name, char *msg,
		 size_t msglen) XMD_WUR;
int netmgr_stop(struct xmd *x, const char *name, char *msg,
		size_t msglen) XMD_WUR;
/* The networks of <etc>/networks for xend.network.list. NULL: ENOMEM. */
struct xmlrpc_value *netmgr_list(struct xmd *x);

#endif
