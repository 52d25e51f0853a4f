/* SPDX-License-Identifier: GPL-2.0-or-later */
/* domains.c: the daemon's domain table: lookup by xm's designators, the
 * cached getinfo of each domain, entries added and removed. Transitions are
 * domains_lifecycle.c, the take-over at xmd start domains_adopt.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uuid/uuid.h>

#include "domains_int.h"
#include "util.h"
#include "xmd.h"

double
domains_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int
domains_console_log(struct xmd *x, const char *name, char *buf, size_t len)
{
	return util_snprintf(buf, len, "%s/%s.log", x->console_dir, name);
}

struct xmd_domain *
domains_find_domid(struct xmd *x, xmhv_domid_t domid)
{
	struct xmd_domain *d;

	TAILQ_FOREACH(d, &x->domains, link)
	{
		if (domid != 0 && d->domid == domid &&
		    d->phase == XMD_PHASE_ACTIVE)
			return d;
	}
	return NULL;
}

struct xmd_domain *
domains_find_name(struct xmd *x, const char *name)
{
	struct xmd_domain *d;

	TAILQ_FOREACH(d, &x->domains, link)
	{
		if (strcmp(d->name, name) == 0)
			return d;
	}
	return NULL;
}

struct xmd_domain *
domains_find(struct xmd *x, const char *designator)
{
	struct xmd_domain *d;
	uint64_t id;

	if (util_parse_u64(designator, UINT32_MAX, &id) == 0 && id != 0) {
		d = domains_find_domid(x, (xmhv_domid_t)id);
		if (d)
			return d;
	}
	d = domains_find_name(x, designator);
	if (d)
		return d;
	TAILQ_FOREACH(d, &x->domains, link)
	{
		if (strcasecmp(d->uuid_str, designator) == 0)
			return d;
	}
	return NULL;
}

const char *
domains_state_string(const struct xmd_domain *d, char buf[7])
{
	if (d->phase != XMD_PHASE_ACTIVE || !d->info_valid) {
		memcpy(buf, "------", 7);
		return buf;
	}
	return xmhv_state_string(d->info.state, buf);
}

void
domains_info_store(struct xmd_domain *d, const struct xmhv_dominfo *info)
{
	d->info = *info;
	d->info.domid = d->domid;
	d->info_valid = true;
	d->info_gen++;
	d->info_time_ns = util_now_ns();
}

int
domains_refresh(struct xmd *x, struct xmd_domain *d)
{
	struct xmhv_dominfo info;
	int rc;

	if (d->phase != XMD_PHASE_ACTIVE)
		return -ESRCH;
	rc = xmhv_domain_getinfo(x->hv, d->domid, &info);
	if (rc < 0)
		return rc;
	domains_info_store(d, &info);
	return 0;
}

struct xmd_domain *
domains_insert(struct xmd *x, struct xmcfg_domain *cfg, bool managed)
{
	struct xmd_domain *d;

	d = calloc(1, sizeof(*d));
	if (!d) {
		xmcfg_domain_free(cfg);
		return NULL;
	}
	d->cfg = cfg;
	d->managed = managed;
	XMD_STRLCPY(d->name, cfg->name);
	if (!cfg->has_uuid) {
		uuid_generate(cfg->uuid);
		cfg->has_uuid = true;
	}
	memcpy(d->uuid, cfg->uuid, sizeof(d->uuid));
	uuid_unparse_lower(d->uuid, d->uuid_str);
	TAILQ_INSERT_TAIL(&x->domains, d, link);
	return d;
}

void
domains_forget(struct xmd *x, struct xmd_domain *d, bool keep_record)
{
	if (!keep_record)
		record_remove(x, d);
	TAILQ_REMOVE(&x->domains, d, link);
	xmcfg_domain_free(d->cfg);
	free(d);
}
