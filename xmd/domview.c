/* SPDX-License-Identifier: GPL-2.0-or-later */
/* domview.c: what xmd shows of a domain: the struct of xend.domain and
 * xend.domains (whole, or brief for xm's list), its disks as the guest
 * sees them, why the monitor paused it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "netdom.h"
#include "util.h"
#include "xmd.h"

#define M_ARGS                                                                 \
	struct xmd *x, struct control_req *req,                                \
		const struct xmlrpc_value *params, bool *pending

static const char *const domview_mode_names[] = {
	[XMCFG_DISK_RO] = "r",
	[XMCFG_DISK_RW] = "w",
	[XMCFG_DISK_SHARED] = "w!",
};

static struct xmlrpc_value *
domview_disks(const struct xmcfg_domain *cfg)
{
	struct xmlrpc_value *arr = xmlrpc_array(), *st;
	char uname[XMHV_PATH_MAX + 16];
	size_t i;
	int rc = 0;

	for (i = 0; arr && i < cfg->ndisks; i++) {
		const struct xmcfg_disk *k = &cfg->disks[i];

		snprintf(uname, sizeof(uname), "%s:%s",
			 k->driver ? k->driver : "file",
			 k->source ? k->source : "");
		st = xmlrpc_struct();
		rc |= xmlrpc_struct_set(st, "vdev", xmlrpc_string(k->vdev));
		rc |= xmlrpc_struct_set(st, "guest_dev",
					xmlrpc_string(k->guest_dev));
		rc |= xmlrpc_struct_set(st, "uname", xmlrpc_string(uname));
		rc |= xmlrpc_struct_set(
			st, "mode", xmlrpc_string(domview_mode_names[k->mode]));
		rc |= xmlrpc_array_append(arr, st);
	}
	if (rc) {
		xmlrpc_free(arr);
		return NULL;
	}
	return arr;
}

static double
domview_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Why the monitor paused the domain itself, "" when it did not. */
static const char *
domview_pause_reason(const struct xmd_domain *d, bool live, char *buf,
		     size_t len)
{
	if (!live || !(d->info.state & XMHV_STATE_PAUSED) ||
	    d->info.pause_reason != XMHV_PAUSE_ENOSPC)
		return "";
	snprintf(buf, len, "no space left on device (disk %s)",
		 d->info.pause_device[0] ? d->info.pause_device : "?");
	return buf;
}

struct xmlrpc_value *
domview_struct(struct xmd *x, struct xmd_domain *d, bool detail)
{
	char why[64];
	const struct xmcfg_domain *cfg = d->cfg;
	bool live = d->phase == XMD_PHASE_ACTIVE && d->info_valid;
	struct xmlrpc_value *st = xmlrpc_struct();
	char state[7], log[PATH_MAX];
	char *xml;
	int rc = 0;

	domains_state_string(d, state);
	(void)domains_console_log(x, d->name, log, sizeof(log));
	rc |= xmlrpc_struct_set(st, "domid",
				xmlrpc_int(d->phase == XMD_PHASE_ACTIVE
						   ? (int64_t)d->domid
						   : -1));
	rc |= xmlrpc_struct_set(st, "name", xmlrpc_string(d->name));
	rc |= xmlrpc_struct_set(st, "uuid", xmlrpc_string(d->uuid_str));
	rc |= xmlrpc_struct_set(
		st, "memory",
		xmlrpc_int(live && d->info.memory_kib
				   ? (int64_t)(d->info.memory_kib / 1024)
				   : (int64_t)cfg->memory_mib));
	rc |= xmlrpc_struct_set(
		st, "maxmem",
		xmlrpc_int((int64_t)(cfg->maxmem_mib > cfg->memory_mib
					     ? cfg->maxmem_mib
					     : cfg->memory_mib)));
	rc |= xmlrpc_struct_set(st, "vcpus",
				xmlrpc_int(cfg->maxvcpus > cfg->vcpus
						   ? cfg->maxvcpus
						   : cfg->vcpus));
	rc |= xmlrpc_struct_set(
		st, "online_vcpus",
		xmlrpc_int(live ? d->info.online_vcpus
				: (d->phase == XMD_PHASE_ACTIVE ? cfg->vcpus
								: 0)));
	rc |= xmlrpc_struct_set(st, "state", xmlrpc_string(state));
	rc |= xmlrpc_struct_set(
		st, "cpu_time",
		xmlrpc_double(live ? d->info.cpu_time_ns / 1e9 : 0.0));
	rc |= xmlrpc_struct_set(st, "start_time",
				xmlrpc_double(d->phase == XMD_PHASE_ACTIVE
						      ? d->start_time
						      : 0.0));
	rc |= xmlrpc_struct_set(
		st, "uptime",
		xmlrpc_double(d->phase == XMD_PHASE_ACTIVE
				      ? domview_now() - d->start_time
				      : 0.0));
	rc |= xmlrpc_struct_set(
		st, "shutdown_reason",
		xmlrpc_string(
			live && (d->info.state &
				 (XMHV_STATE_SHUTDOWN | XMHV_STATE_CRASHED))
				? xmhv_reason_name(d->info.shutdown_reason)
				: ""));
	rc |= xmlrpc_struct_set(
		st, "pause_reason",
		xmlrpc_string(domview_pause_reason(d, live, why, sizeof(why))));
	rc |= xmlrpc_struct_set(
		st, "on_poweroff",
		xmlrpc_string(xmcfg_action_name(cfg->on_poweroff)));
	rc |= xmlrpc_struct_set(
		st, "on_reboot",
		xmlrpc_string(xmcfg_action_name(cfg->on_reboot)));
	rc |= xmlrpc_struct_set(
		st, "on_crash",
		xmlrpc_string(xmcfg_action_name(cfg->on_crash)));
	rc |= xmlrpc_struct_set(st, "managed", xmlrpc_bool(d->managed));
	rc |= xmlrpc_struct_set(st, "restart_count",
				xmlrpc_int(d->restart_count));
	rc |= xmlrpc_struct_set(st, "console_log", xmlrpc_string(log));
	rc |= xmlrpc_struct_set(st, "disks", domview_disks(cfg));
	rc |= xmlrpc_struct_set(st, "vifs", net_vif_list(x, d));
	if (detail) {
		xml = cfg->kernel || bootdisk_needed(cfg) ? xmcfg_to_xml(cfg)
							  : NULL;
		rc |= xmlrpc_struct_set(st, "config", xmlrpc_string(xml));
		free(xml);
	}
	if (rc) {
		xmlrpc_free(st);
		return NULL;
	}
	return st;
}

/* What xm's brief list prints of a domain (xend.domains with brief):
 * about a tenth of the whole struct, so a list of many domains stays
 * small to send and to parse. */
static struct xmlrpc_value *
domview_brief(struct xmd *x, struct xmd_domain *d)
{
	static const char *const keys[] = {"domid",  "name",    "uuid",
					   "memory", "vcpus",   "online_vcpus",
					   "state",  "cpu_time"};
	struct xmlrpc_value *full = domview_struct(x, d, false);
	struct xmlrpc_value *st = xmlrpc_struct();
	size_t i;
	int rc = !full || !st;

	for (i = 0; !rc && i < ARRAY_SIZE(keys); i++)
		rc |= xmlrpc_struct_set(st, keys[i],
					xmlrpc_struct_take(full, keys[i]));
	xmlrpc_free(full);
	if (rc) {
		xmlrpc_free(st);
		return NULL;
	}
	return st;
}

/* xend.domains(detail, all[, brief]): Domain-0 and the domains, by id. */
struct xmlrpc_value *
domview_list(M_ARGS)
{
	struct xmlrpc_value *arr = xmlrpc_array(), *dom0;
	struct xmd_domain *d, **sorted = NULL;
	bool detail, all, brief;
	size_t n = 0, i, j;
	int rc = 0;

	if (!methods_bool(req, params, 0, false, &detail) ||
	    !methods_bool(req, params, 1, false, &all) ||
	    !methods_bool(req, params, 2, false, &brief)) {
		xmlrpc_free(arr);
		return NULL;
	}
	dom0 = node_dom0_struct(x);
	rc |= xmlrpc_array_append(arr, dom0);
	TAILQ_FOREACH(d, &x->domains, link)
	n++;
	sorted = calloc(n + 1, sizeof(*sorted));
	if (!sorted) {
		xmlrpc_free(arr);
		return NULL;
	}
	n = 0;
	TAILQ_FOREACH(d, &x->domains, link)
	{
		if (d->phase == XMD_PHASE_ACTIVE ||
		    (all && d->phase == XMD_PHASE_STOPPED))
			sorted[n++] = d;
	}
	/* By domid, stopped (no id) last: insertion sort, n is small. */
	for (i = 1; i < n; i++) {
		for (j = i; j > 0; j--) {
			uint64_t a = sorted[j - 1]->phase == XMD_PHASE_ACTIVE
					     ? sorted[j - 1]->domid
					     : UINT64_MAX;
			uint64_t b = sorted[j]->phase == XMD_PHASE_ACTIVE
					     ? sorted[j]->domid
					     : UINT64_MAX;

			if (a <= b)
				break;
			d = sorted[j];
			sorted[j] = sorted[j - 1];
			sorted[j - 1] = d;
		}
	}
	for (i = 0; i < n; i++) {
		if (sorted[i]->phase == XMD_PHASE_ACTIVE &&
		    !info_fresh(sorted[i]))
			(void)domains_refresh(x, sorted[i]);
		rc |= xmlrpc_array_append(
			arr, brief && !detail
				     ? domview_brief(x, sorted[i])
				     : domview_struct(x, sorted[i], detail));
	}
	free(sorted);
	if (rc) {
		xmlrpc_free(arr);
		return NULL;
	}
	return arr;
}

struct xmlrpc_value *
domview_one(M_ARGS)
{
	struct xmd_domain *d;
	const char *dom;

	if (!methods_str(req, params, 0, &dom))
		return NULL;
	if (methods_is_dom0(dom))
		return node_dom0_struct(x);
	d = domains_find(x, dom);
	if (!d || d->phase == XMD_PHASE_CREATING) {
		control_fault(req, XMLRPC_FAULT_NOSUCHDOMAIN,
			      "Domain '%s' does not exist.", dom);
		return NULL;
	}
	(void)domains_refresh(x, d);
	return domview_struct(x, d, true);
}
