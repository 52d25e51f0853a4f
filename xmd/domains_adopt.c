/* SPDX-License-Identifier: GPL-2.0-or-later */
/* domains_adopt.c: the domain table at xmd start: the records on disk
 * matched against the live monitors, what was in flight when the previous
 * xmd stopped finished or undone. Main thread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domains_int.h"
#include "log.h"
#include "netdom.h"
#include "util.h"
#include "xmd.h"

/* How long xmd's start waits for creates its predecessor left running. */
#define DOMAINS_ADOPT_WAIT_MS 30000

/* Adopt a live monitor that has no record, from what getinfo says. */
static void
domains_adopt_unknown(struct xmd *x, xmhv_domid_t domid)
{
	struct xmhv_dominfo info;
	struct xmcfg_domain *cfg;
	struct xmd_domain *d;
	char name[XMHV_NAME_MAX];

	if (xmhv_domain_getinfo(x->hv, domid, &info) < 0)
		return;
	XMD_STRLCPY(name, info.name);
	if (!name[0] || domains_find_name(x, name))
		snprintf(name, sizeof(name), "Domain-%u", domid);
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg || !(cfg->name = strdup(name))) {
		free(cfg);
		return;
	}
	memcpy(cfg->uuid, info.uuid, 16);
	cfg->has_uuid = true;
	cfg->memory_mib = info.max_memory_kib / 1024;
	cfg->maxmem_mib = cfg->memory_mib;
	cfg->vcpus = info.online_vcpus;
	cfg->maxvcpus = info.max_vcpus;
	cfg->on_poweroff = XMCFG_ACTION_DESTROY;
	cfg->on_reboot = XMCFG_ACTION_DESTROY; /* no config to restart from */
	cfg->on_crash = XMCFG_ACTION_DESTROY;
	d = domains_insert(x, cfg, false);
	if (!d)
		return;
	d->domid = domid;
	d->phase = XMD_PHASE_ACTIVE;
	domains_info_store(d, &info);
	d->start_time = domains_now() - info.uptime_ns / 1e9;
	d->first_start_time = d->start_time;
	if (xmhv_watch(x->hv, domid) < 0)
		log_warn("domain %s (id %u): cannot watch", d->name, domid);
	log_warn("domain %s (id %u): live monitor without a record adopted "
		 "(policies: destroy)",
		 d->name, domid);
	(void)record_write(x, d);
}

/* A live monitor whose record says "creating": xmd was killed between
 * building it and recording its id. A policy restart is completed; a
 * create that no client saw finish is undone. Returns whether domid was
 * claimed. */
static bool
domains_adopt_creating(struct xmd *x, xmhv_domid_t domid)
{
	struct xmhv_dominfo info;
	struct xmd_domain *d;

	if (xmhv_domain_getinfo(x->hv, domid, &info) < 0)
		return false;
	TAILQ_FOREACH(d, &x->domains, link)
	{
		if (d->phase == XMD_PHASE_CREATING &&
		    memcmp(d->uuid, info.uuid, 16) == 0)
			break;
	}
	if (!d)
		return false;
	d->domid = domid;
	d->phase = XMD_PHASE_ACTIVE;
	domains_info_store(d, &info);
	d->start_time = domains_now() - info.uptime_ns / 1e9;
	if (xmhv_watch(x->hv, domid) < 0)
		log_warn("domain %s (id %u): cannot watch", d->name, domid);
	if (!d->auto_restarted) {
		(void)domains_destroy(
			x, d, "its create was interrupted by an xmd restart");
		return true;
	}
	if ((info.state & XMHV_STATE_PAUSED) &&
	    xmhv_domain_unpause(x->hv, domid) < 0)
		log_warn("domain %s (id %u): cannot unpause", d->name, domid);
	log_info("domain %s (id %u): restart completed after an xmd restart",
		 d->name, domid);
	(void)record_write(x, d);
	return true;
}

/* "creating" records without a monitor: restart what was restarting,
 * drop what was being created. */
static void
domains_settle_creating(struct xmd *x)
{
	struct xmd_domain *d, *next;

	for (d = TAILQ_FIRST(&x->domains); d; d = next) {
		next = TAILQ_NEXT(d, link);
		if (d->phase != XMD_PHASE_CREATING)
			continue;
		d->phase = XMD_PHASE_STOPPED;
		if (d->auto_restarted) {
			log_warn("domain %s: its restart was interrupted by an "
				 "xmd restart; restarting",
				 d->name);
			d->restart_count--;
			if (domains_restart(x, d) == 0)
				continue;
		} else {
			log_warn("domain %s: its create was interrupted by an "
				 "xmd restart",
				 d->name);
		}
		if (d->managed)
			(void)record_write(x, d);
		else
			domains_forget(x, d, false);
	}
}

void
domains_adopt_all(struct xmd *x)
{
	xmhv_domid_t ids[1024];
	struct xmd_domain *d, *next;
	uint32_t reason;
	bool found;
	int n, i;

	record_load_all(x);
	/* A monitor the previous xmd was creating when it was killed
	 * finishes first: it lives (and is adopted below) or exits and drops
	 * its image locks before anything here restarts its domain. */
	n = xmhv_wait_creates(x->hv, DOMAINS_ADOPT_WAIT_MS);
	if (n > 0)
		log_info("waited for %d monitor(s) the previous xmd was "
			 "creating",
			 n);
	else if (n < 0)
		log_warn("monitors still being created after %d s: %s",
			 DOMAINS_ADOPT_WAIT_MS / 1000, strerror(-n));
	n = xmhv_domain_list(x->hv, ids, (int)ARRAY_SIZE(ids));
	if (n < 0) {
		log_err("cannot list live domains: %s", strerror(-n));
		n = 0;
	}
	/* Records of creates and restarts in flight first: what the loop
	 * below restarts is CREATING too, and must not be taken for one. */
	for (i = 0; i < n; i++)
		if (!domains_find_domid(x, ids[i]) &&
		    !domains_adopt_creating(x, ids[i]))
			domains_adopt_unknown(x, ids[i]);
	domains_settle_creating(x);
	for (d = TAILQ_FIRST(&x->domains); d; d = next) {
		next = TAILQ_NEXT(d, link);
		if (d->phase != XMD_PHASE_ACTIVE)
			continue;
		found = false;
		for (i = 0; i < n; i++)
			if (ids[i] == d->domid)
				found = true;
		if (found && domains_refresh(x, d) == 0 &&
		    memcmp(d->info.uuid, d->uuid, 16) == 0) {
			if (xmhv_watch(x->hv, d->domid) < 0)
				log_warn("domain %s (id %u): cannot watch",
					 d->name, d->domid);
			log_info("domain %s (id %u): re-adopted", d->name,
				 d->domid);
			net_domain_adopt(x, d);
			reason = d->info.state & XMHV_STATE_CRASHED
					 ? XMHV_SHUTDOWN_CRASH
					 : d->info.shutdown_reason;
			/* not handled yet, or decided and not carried out
			 * (xmd stopped in between): anything but preserve */
			if ((d->info.state &
			     (XMHV_STATE_SHUTDOWN | XMHV_STATE_CRASHED)) &&
			    (!d->policy_done ||
			     policy_action(d, reason) != XMCFG_ACTION_PRESERVE))
				policy_apply(x, d, reason);
			continue;
		}
		reason = d->policy_done ? d->info.shutdown_reason
					: XMHV_SHUTDOWN_CRASH;
		if (d->policy_done)
			log_info("domain %s (id %u): its %s was being handled "
				 "when xmd stopped; finishing it",
				 d->name, d->domid, xmhv_reason_name(reason));
		else
			log_warn("domain %s (id %u): monitor died while xmd "
				 "was down",
				 d->name, d->domid);
		net_domain_down(x, d);
		d->domid = 0;
		d->phase = XMD_PHASE_STOPPED;
		d->info_valid = false;
		policy_apply(x, d, reason);
	}
}
