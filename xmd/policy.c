/* SPDX-License-Identifier: GPL-2.0-or-later */
/* policy.c: what happens when a domain shuts down: on_poweroff, on_reboot,
 * on_crash (destroy, restart, preserve, rename-restart) with xend's guard
 * against restart loops. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uuid/uuid.h>

#include "log.h"
#include "util.h"
#include "netdom.h"
#include "xmd.h"

static double
policy_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

enum xmcfg_action
policy_action(const struct xmd_domain *d, uint32_t reason)
{
	switch (reason) {
	case XMHV_SHUTDOWN_REBOOT:
		return d->cfg->on_reboot;
	case XMHV_SHUTDOWN_CRASH:
		return d->cfg->on_crash;
	default:
		return d->cfg->on_poweroff;
	}
}

/* rename-restart: the shut-down incarnation stays, preserved, as NAME-N
 * with a new uuid; d itself is restarted. Returns 0 or -errno. */
static int
policy_keep_renamed(struct xmd *x, struct xmd_domain *d)
{
	struct xmd_domain *old;
	struct xmcfg_domain *cfg;
	char name[XMHV_NAME_MAX];
	unsigned n;

	for (n = 1; n < 1000; n++) {
		if (util_snprintf(name, sizeof(name), "%.50s-%u", d->name, n) ==
			    0 &&
		    !domains_find_name(x, name))
			break;
	}
	cfg = xmcfg_domain_dup(d->cfg);
	old = calloc(1, sizeof(*old));
	if (!cfg || !old) {
		xmcfg_domain_free(cfg);
		free(old);
		return -ENOMEM;
	}
	free(cfg->name);
	cfg->name = strdup(name);
	if (!cfg->name) {
		xmcfg_domain_free(cfg);
		free(old);
		return -ENOMEM;
	}
	uuid_generate(cfg->uuid);
	cfg->on_poweroff = cfg->on_reboot = cfg->on_crash =
		XMCFG_ACTION_DESTROY;
	*old = *d;
	old->cfg = cfg;
	old->managed = false;
	old->waiting = NULL;
	old->policy_done = true;
	XMD_STRLCPY(old->name, name);
	memcpy(old->uuid, cfg->uuid, 16);
	uuid_unparse_lower(old->uuid, old->uuid_str);
	TAILQ_INSERT_TAIL(&x->domains, old, link);
	(void)record_write(x, old);
	log_info("domain %s (id %u): preserved as %s", d->name, d->domid, name);
	d->domid = 0;
	d->phase = XMD_PHASE_STOPPED;
	return 0;
}

void
policy_apply(struct xmd *x, struct xmd_domain *d, uint32_t reason)
{
	enum xmcfg_action action = policy_action(d, reason);
	const char *why = xmhv_reason_name(reason);
	bool live = d->phase == XMD_PHASE_ACTIVE;
	double up = policy_now() - d->start_time;
	int rc;

	d->policy_done = true;
	d->info.shutdown_reason = reason;
	/* The decision is recorded before it is carried out: an xmd killed
	 * in between finishes it on restart (domains_adopt_all) instead of
	 * taking the vanished monitor for a crash. */
	if (live)
		(void)record_write(x, d);
	if (live)
		log_info("domain %s (id %u): shut down: %s", d->name, d->domid,
			 why);
	else
		log_info("domain %s: shut down: %s", d->name, why);
	switch (action) {
	case XMCFG_ACTION_PRESERVE:
		if (live) {
			log_info(
				"domain %s (id %u): preserved (on_%s=preserve)",
				d->name, d->domid,
				reason == XMHV_SHUTDOWN_REBOOT  ? "reboot"
				: reason == XMHV_SHUTDOWN_CRASH ? "crash"
								: "poweroff");
			(void)record_write(x, d);
			return;
		}
		log_info("domain %s: no monitor left to preserve, destroying",
			 d->name);
		(void)domains_destroy(x, d, NULL);
		return;
	case XMCFG_ACTION_DESTROY:
		(void)domains_destroy(x, d, NULL);
		return;
	case XMCFG_ACTION_RESTART:
	case XMCFG_ACTION_RENAME_RESTART:
		break;
	}
	/* xend refused restarts within MINIMUM_RESTART_TIME of the start to
	 * stop crash/reboot loops; here the first restart and an
	 * administrator's xm reboot always go through, and the guard applies
	 * to a domain that already restarted by itself. */
	if (d->auto_restarted && up < x->restart_guard_s &&
	    !(reason == XMHV_SHUTDOWN_REBOOT && d->reboot_requested)) {
		log_err("domain %s: restarting too fast (%.0f s), not "
			"restarting",
			d->name, up);
		(void)domains_destroy(x, d, NULL);
		return;
	}
	if (live && action == XMCFG_ACTION_RENAME_RESTART &&
	    policy_keep_renamed(x, d) == 0)
		live = false;
	if (live) {
		d->destroying = true;
		rc = xmhv_domain_destroy(x->hv, d->domid);
		d->destroying = false;
		if (rc < 0 && rc != -ESRCH) {
			log_err("domain %s (id %u): cannot destroy for "
				"restart: "
				"%s",
				d->name, d->domid, strerror(-rc));
			return;
		}
		net_domain_down(x, d);
		d->domid = 0;
		d->phase = XMD_PHASE_STOPPED;
	}
	log_info("domain %s: restarting", d->name);
	if (domains_restart(x, d) < 0)
		(void)domains_destroy(x, d, NULL);
}
