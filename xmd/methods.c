/* SPDX-License-Identifier: GPL-2.0-or-later */
/* methods.c: the XML-RPC method table of xmd (doc/PROTOCOL.md) and the
 * domain-level handlers. Node-level methods live in node.c. */
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

/* Fetch parameter i as a string / bool / int, or answer fault 6. */
static bool
m_str(struct control_req *req, const struct xmlrpc_value *params, size_t i,
      const char **out)
{
	if (xmlrpc_get_string(xmlrpc_array_get(params, i), out) == 0)
		return true;
	control_fault(req, XMLRPC_FAULT_INVALID,
		      "parameter %zu must be a string", i + 1);
	return false;
}

static bool
m_bool(struct control_req *req, const struct xmlrpc_value *params, size_t i,
       bool dflt, bool *out)
{
	const struct xmlrpc_value *v = xmlrpc_array_get(params, i);

	if (!v) {
		*out = dflt;
		return true;
	}
	if (xmlrpc_get_bool(v, out) == 0)
		return true;
	control_fault(req, XMLRPC_FAULT_INVALID,
		      "parameter %zu must be a boolean", i + 1);
	return false;
}

static bool
m_int(struct control_req *req, const struct xmlrpc_value *params, size_t i,
      int64_t *out)
{
	const struct xmlrpc_value *v = xmlrpc_array_get(params, i);
	const char *s;
	uint64_t u;

	if (xmlrpc_get_int(v, out) == 0)
		return true;
	/* xm of old sent numbers as strings at times. */
	if (xmlrpc_get_string(v, &s) == 0 &&
	    util_parse_u64(s, INT32_MAX, &u) == 0) {
		*out = (int64_t)u;
		return true;
	}
	control_fault(req, XMLRPC_FAULT_INVALID,
		      "parameter %zu must be an integer", i + 1);
	return false;
}

static struct xmd_domain *m_dom(struct xmd *x, struct control_req *req,
				const struct xmlrpc_value *params,
				bool need_active);

static bool
m_is_dom0(const char *dom)
{
	return strcmp(dom, "0") == 0 || strcmp(dom, "Domain-0") == 0 ||
	       strcmp(dom, "00000000-0000-0000-0000-000000000000") == 0;
}

/* xmd.h: parameter i as a string, or fault 6. */
bool
methods_str(struct control_req *req, const struct xmlrpc_value *params,
	    size_t i, const char **out)
{
	return m_str(req, params, i, out);
}

/* The domain named by parameter 0, or NULL after a fault (3, or 6 for
 * Domain-0 when modifying). With need_active, a stopped domain is 3. */
struct xmd_domain *
methods_dom(struct xmd *x, struct control_req *req,
	    const struct xmlrpc_value *params, bool need_active)
{
	return m_dom(x, req, params, need_active);
}

static struct xmd_domain *
m_dom(struct xmd *x, struct control_req *req, const struct xmlrpc_value *params,
      bool need_active)
{
	struct xmd_domain *d;
	const char *dom;

	if (!m_str(req, params, 0, &dom))
		return NULL;
	if (m_is_dom0(dom)) {
		control_fault(req, XMLRPC_FAULT_INVALID,
			      "Domain-0 cannot be changed");
		return NULL;
	}
	d = domains_find(x, dom);
	if (!d || d->phase == XMD_PHASE_CREATING ||
	    (need_active && d->phase != XMD_PHASE_ACTIVE)) {
		control_fault(req, XMLRPC_FAULT_NOSUCHDOMAIN,
			      "Domain '%s' does not exist.", dom);
		return NULL;
	}
	return d;
}

static struct xmlrpc_value *
m_zero(void)
{
	return xmlrpc_int(0);
}

static const char *const m_mode_names[] = {
	[XMCFG_DISK_RO] = "r",
	[XMCFG_DISK_RW] = "w",
	[XMCFG_DISK_SHARED] = "w!",
};

static struct xmlrpc_value *
m_disks(const struct xmcfg_domain *cfg)
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
		rc |= xmlrpc_struct_set(st, "mode",
					xmlrpc_string(m_mode_names[k->mode]));
		rc |= xmlrpc_array_append(arr, st);
	}
	if (rc) {
		xmlrpc_free(arr);
		return NULL;
	}
	return arr;
}

static double
m_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Why the monitor paused the domain itself, "" when it did not. */
static const char *
m_pause_reason(const struct xmd_domain *d, bool live, char *buf, size_t len)
{
	if (!live || !(d->info.state & XMHV_STATE_PAUSED) ||
	    d->info.pause_reason != XMHV_PAUSE_ENOSPC)
		return "";
	snprintf(buf, len, "no space left on device (disk %s)",
		 d->info.pause_device[0] ? d->info.pause_device : "?");
	return buf;
}

struct xmlrpc_value *
methods_domain_struct(struct xmd *x, struct xmd_domain *d, bool detail)
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
	rc |= xmlrpc_struct_set(st, "uptime",
				xmlrpc_double(d->phase == XMD_PHASE_ACTIVE
						      ? m_now() - d->start_time
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
		xmlrpc_string(m_pause_reason(d, live, why, sizeof(why))));
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
	rc |= xmlrpc_struct_set(st, "disks", m_disks(cfg));
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
m_domain_brief(struct xmd *x, struct xmd_domain *d)
{
	static const char *const keys[] = {"domid",  "name",    "uuid",
					   "memory", "vcpus",   "online_vcpus",
					   "state",  "cpu_time"};
	struct xmlrpc_value *full = methods_domain_struct(x, d, false);
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
static struct xmlrpc_value *
m_domains(M_ARGS)
{
	struct xmlrpc_value *arr = xmlrpc_array(), *dom0;
	struct xmd_domain *d, **sorted = NULL;
	bool detail, all, brief;
	size_t n = 0, i, j;
	int rc = 0;

	if (!m_bool(req, params, 0, false, &detail) ||
	    !m_bool(req, params, 1, false, &all) ||
	    !m_bool(req, params, 2, false, &brief)) {
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
			arr, brief && !detail ? m_domain_brief(x, sorted[i])
					      : methods_domain_struct(
							x, sorted[i], detail));
	}
	free(sorted);
	if (rc) {
		xmlrpc_free(arr);
		return NULL;
	}
	return arr;
}

static struct xmlrpc_value *
m_domain(M_ARGS)
{
	struct xmd_domain *d;
	const char *dom;

	if (!m_str(req, params, 0, &dom))
		return NULL;
	if (m_is_dom0(dom))
		return node_dom0_struct(x);
	d = domains_find(x, dom);
	if (!d || d->phase == XMD_PHASE_CREATING) {
		control_fault(req, XMLRPC_FAULT_NOSUCHDOMAIN,
			      "Domain '%s' does not exist.", dom);
		return NULL;
	}
	(void)domains_refresh(x, d);
	return methods_domain_struct(x, d, true);
}

/* Parse domain XML of parameter 0 into *cfg_out, or fault 6. */
static bool
m_cfg(struct control_req *req, const struct xmlrpc_value *params,
      struct xmcfg_domain **cfg_out)
{
	struct xmcfg_error err;
	const struct xmlrpc_value *v = xmlrpc_array_get(params, 0);
	char buf[2048];

	if (!v || v->type != XMLRPC_STRING) {
		control_fault(req, XMLRPC_FAULT_INVALID,
			      "parameter 1 must be the domain XML");
		return false;
	}
	if (xmcfg_from_xml(v->u.str.s, v->u.str.len, cfg_out, &err) < 0) {
		control_fault(req, XMLRPC_FAULT_INVALID, "%s",
			      xmcfg_error_format(&err, buf, sizeof(buf)));
		return false;
	}
	if (!(*cfg_out)->name || !(*cfg_out)->name[0]) {
		xmcfg_domain_free(*cfg_out);
		control_fault(req, XMLRPC_FAULT_INVALID, "domain has no name");
		return false;
	}
	return true;
}

static struct xmlrpc_value *
m_create(M_ARGS)
{
	struct xmcfg_domain *cfg;
	char msg[1024];
	bool paused;
	int code;

	if (!m_bool(req, params, 1, false, &paused) ||
	    !m_cfg(req, params, &cfg))
		return NULL;
	code = domains_create(x, cfg, paused, false, req, msg, sizeof(msg));
	if (code) {
		control_fault(req, code, "%s", msg);
		return NULL;
	}
	*pending = true;
	return NULL;
}

static struct xmlrpc_value *
m_destroy(M_ARGS)
{
	struct xmd_domain *d = m_dom(x, req, params, false);
	int rc;

	if (!d)
		return NULL;
	rc = domains_destroy(x, d, NULL);
	if (rc < 0) {
		control_fault(req, XMLRPC_FAULT_GENERIC,
			      "domain %s: destroy failed: %s", d->name,
			      strerror(-rc));
		return NULL;
	}
	return m_zero();
}

static struct xmlrpc_value *
m_do_shutdown(struct xmd *x, struct control_req *req, struct xmd_domain *d,
	      enum xmhv_shutdown_reason reason)
{
	int rc;

	(void)domains_refresh(x, d);
	if (d->info.state & (XMHV_STATE_SHUTDOWN | XMHV_STATE_CRASHED))
		return m_zero(); /* already down (preserved) */
	rc = xmhv_domain_shutdown(x->hv, d->domid, reason);
	if (rc == 0 && reason == XMHV_SHUTDOWN_REBOOT)
		d->reboot_requested = true;
	if (rc < 0) {
		control_fault(req, XMLRPC_FAULT_GENERIC,
			      "domain %s: shutdown failed: %s", d->name,
			      strerror(-rc));
		return NULL;
	}
	log_info("domain %s (id %u): %s requested", d->name, d->domid,
		 reason == XMHV_SHUTDOWN_REBOOT ? "reboot" : "shutdown");
	return m_zero();
}

static struct xmlrpc_value *
m_shutdown(M_ARGS)
{
	struct xmd_domain *d = m_dom(x, req, params, true);
	const char *reason = "poweroff";

	if (!d)
		return NULL;
	if (xmlrpc_array_get(params, 1) && !m_str(req, params, 1, &reason))
		return NULL;
	if (strcmp(reason, "reboot") == 0)
		return m_do_shutdown(x, req, d, XMHV_SHUTDOWN_REBOOT);
	if (strcmp(reason, "poweroff") == 0 || strcmp(reason, "halt") == 0)
		return m_do_shutdown(x, req, d, XMHV_SHUTDOWN_POWEROFF);
	control_fault(req, XMLRPC_FAULT_INVALID,
		      "xend.domain.shutdown: reason must be poweroff, reboot "
		      "or halt");
	return NULL;
}

static struct xmlrpc_value *
m_pause_common(struct xmd *x, struct control_req *req,
	       const struct xmlrpc_value *params, bool pause)
{
	struct xmd_domain *d = m_dom(x, req, params, true);
	int rc;

	if (!d)
		return NULL;
	rc = pause ? xmhv_domain_pause(x->hv, d->domid)
		   : xmhv_domain_unpause(x->hv, d->domid);
	if (rc < 0) {
		control_fault(req, XMLRPC_FAULT_GENERIC, "domain %s: %s: %s",
			      d->name, pause ? "pause" : "unpause",
			      strerror(-rc));
		return NULL;
	}
	(void)domains_refresh(x, d);
	log_info("domain %s (id %u): %s", d->name, d->domid,
		 pause ? "paused" : "unpaused");
	return m_zero();
}

static struct xmlrpc_value *
m_pause(M_ARGS)
{
	return m_pause_common(x, req, params, true);
}

static struct xmlrpc_value *
m_unpause(M_ARGS)
{
	return m_pause_common(x, req, params, false);
}

static struct xmlrpc_value *
m_set_memory(M_ARGS)
{
	struct xmd_domain *d = m_dom(x, req, params, true);
	int64_t mib, cur;

	if (!d || !m_int(req, params, 1, &mib))
		return NULL;
	(void)domains_refresh(x, d);
	cur = d->info_valid && d->info.memory_kib
		      ? (int64_t)(d->info.memory_kib / 1024)
		      : (int64_t)d->cfg->memory_mib;
	if (mib == cur)
		return m_zero();
	control_fault(req, XMLRPC_FAULT_GENERIC,
		      "domain %s: memory ballooning is not supported (%lld "
		      "MiB requested, %lld MiB fixed)",
		      d->name, (long long)mib, (long long)cur);
	return NULL;
}

static struct xmlrpc_value *
m_set_vcpus(M_ARGS)
{
	struct xmd_domain *d = m_dom(x, req, params, true);
	uint32_t max;
	int64_t n;
	int rc;

	if (!d || !m_int(req, params, 1, &n))
		return NULL;
	max = d->cfg->maxvcpus > d->cfg->vcpus ? d->cfg->maxvcpus
					       : d->cfg->vcpus;
	if (n < 1 || n > max) {
		control_fault(req, XMLRPC_FAULT_INVALID,
			      "domain %s: vcpus must be 1..%u", d->name, max);
		return NULL;
	}
	rc = xmhv_domain_set_vcpus(x->hv, d->domid, (uint32_t)n);
	if (rc < 0) {
		control_fault(req, XMLRPC_FAULT_GENERIC,
			      "domain %s: cannot set %lld vCPUs online: %s",
			      d->name, (long long)n, strerror(-rc));
		return NULL;
	}
	log_info("domain %s (id %u): %lld vCPUs online", d->name, d->domid,
		 (long long)n);
	return m_zero();
}

static struct xmlrpc_value *
m_rename(M_ARGS)
{
	struct xmd_domain *d = m_dom(x, req, params, false);
	const char *name;
	char *copy;

	if (!d || !m_str(req, params, 1, &name))
		return NULL;
	if (!name[0] || strlen(name) >= XMHV_NAME_MAX || m_is_dom0(name) ||
	    strspn(name, "0123456789") == strlen(name)) {
		control_fault(req, XMLRPC_FAULT_INVALID,
			      "invalid domain name '%s'", name);
		return NULL;
	}
	if (domains_find_name(x, name)) {
		control_fault(req, XMLRPC_FAULT_EXISTS,
			      "Domain '%s' already exists", name);
		return NULL;
	}
	copy = strdup(name);
	if (!copy)
		return NULL;
	log_info("domain %s (id %u): renamed to %s", d->name, d->domid, name);
	free(d->cfg->name);
	d->cfg->name = copy;
	XMD_STRLCPY(d->name, name);
	(void)record_write(x, d);
	return m_zero();
}

static struct xmlrpc_value *
m_console(M_ARGS)
{
	struct xmd_domain *d = m_dom(x, req, params, true);
	struct xmlrpc_value *st;
	char path[PATH_MAX];

	if (!d)
		return NULL;
	if (util_snprintf(path, sizeof(path), "%s/%u.console", x->dom_dir,
			  d->domid) < 0)
		return NULL;
	st = xmlrpc_struct();
	if (xmlrpc_struct_set(st, "path", xmlrpc_string(path)) < 0 ||
	    xmlrpc_struct_set(st, "domid", xmlrpc_int(d->domid)) < 0) {
		xmlrpc_free(st);
		return NULL;
	}
	return st;
}

static struct xmlrpc_value *
m_trigger(M_ARGS)
{
	struct xmd_domain *d = m_dom(x, req, params, true);
	const char *trigger;

	if (!d || !m_str(req, params, 1, &trigger))
		return NULL;
	if (strcmp(trigger, "power") == 0)
		return m_do_shutdown(x, req, d, XMHV_SHUTDOWN_POWEROFF);
	control_fault(req, XMLRPC_FAULT_INVALID,
		      "domain %s: trigger '%s' is not supported", d->name,
		      trigger);
	return NULL;
}

static struct xmlrpc_value *
m_new(M_ARGS)
{
	struct xmcfg_domain *cfg;
	struct xmlrpc_value *st;
	struct xmd_domain *d;

	if (!m_cfg(req, params, &cfg))
		return NULL;
	if (domains_find_name(x, cfg->name)) {
		control_fault(req, XMLRPC_FAULT_EXISTS,
			      "Domain '%s' already exists", cfg->name);
		xmcfg_domain_free(cfg);
		return NULL;
	}
	d = domains_insert(x, cfg, true);
	if (!d)
		return NULL;
	d->phase = XMD_PHASE_STOPPED;
	if (record_write(x, d) < 0) {
		control_fault(req, XMLRPC_FAULT_GENERIC,
			      "domain %s: cannot store its record", d->name);
		domains_forget(x, d, true);
		return NULL;
	}
	log_info("domain %s: defined (managed)", d->name);
	st = xmlrpc_struct();
	if (xmlrpc_struct_set(st, "name", xmlrpc_string(d->name)) < 0 ||
	    xmlrpc_struct_set(st, "uuid", xmlrpc_string(d->uuid_str)) < 0) {
		xmlrpc_free(st);
		return NULL;
	}
	return st;
}

static struct xmd_domain *
m_managed(struct xmd *x, struct control_req *req,
	  const struct xmlrpc_value *params)
{
	struct xmd_domain *d;
	const char *name;

	if (!m_str(req, params, 0, &name))
		return NULL;
	d = domains_find(x, name);
	if (!d || !d->managed) {
		control_fault(req, XMLRPC_FAULT_NOSUCHDOMAIN,
			      "Domain '%s' does not exist.", name);
		return NULL;
	}
	return d;
}

static struct xmlrpc_value *
m_start(M_ARGS)
{
	struct xmd_domain *d = m_managed(x, req, params);
	char msg[1024];
	bool paused;
	int code;

	if (!d || !m_bool(req, params, 1, false, &paused))
		return NULL;
	code = domains_start(x, d, paused, req, msg, sizeof(msg));
	if (code) {
		control_fault(req, code, "%s", msg);
		return NULL;
	}
	*pending = true;
	return NULL;
}

static struct xmlrpc_value *
m_delete(M_ARGS)
{
	struct xmd_domain *d = m_managed(x, req, params);

	if (!d)
		return NULL;
	if (d->phase != XMD_PHASE_STOPPED) {
		control_fault(req, XMLRPC_FAULT_GENERIC,
			      "Domain '%s' is running; destroy it first",
			      d->name);
		return NULL;
	}
	log_info("domain %s: deleted", d->name);
	domains_forget(x, d, false);
	return m_zero();
}

static struct xmlrpc_value *
m_autostart(M_ARGS)
{
	struct xmlrpc_value *arr = xmlrpc_array();

	if (arr)
		autostart_run(x, arr);
	return arr;
}

static const struct control_method methods_table[] = {
	{"xend.node.info", node_info, true},
	{"xend.node.log", node_log, true},
	{"xend.domains", m_domains, true},
	{"xend.domain", m_domain, true},
	{"xend.domain.create", m_create, false},
	{"xend.domain.destroy", m_destroy, false},
	{"xend.domain.shutdown", m_shutdown, false},
	{"xend.domain.pause", m_pause, false},
	{"xend.domain.unpause", m_unpause, false},
	{"xend.domain.setMemoryTarget", m_set_memory, false},
	{"xend.domain.setVCpuCount", m_set_vcpus, false},
	{"xend.domain.rename", m_rename, false},
	{"xend.domain.console", m_console, false},
	{"xend.domain.trigger", m_trigger, false},
	{"xend.domain.new", m_new, false},
	{"xend.domain.start", m_start, false},
	{"xend.domain.delete", m_delete, false},
	{"xend.domain.autostart", m_autostart, false},
	{"xend.domain.device_create", devices_create, false},
	{"xend.domain.destroyDevice", devices_destroy, false},
	{"xend.domain.getBlockDeviceClass", devices_block_class, true},
	{"xend.network.list", net_m_list, true},
	{"xend.network.start", net_m_start, false},
	{"xend.network.stop", net_m_stop, false},
};

const struct control_method *
methods_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(methods_table); i++)
		if (strcmp(methods_table[i].name, name) == 0)
			return &methods_table[i];
	return NULL;
}
