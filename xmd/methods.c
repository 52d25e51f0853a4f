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

/* xmd.h: parameter i as a bool (dflt when absent), or fault 6. */
bool
methods_bool(struct control_req *req, const struct xmlrpc_value *params,
	     size_t i, bool dflt, bool *out)
{
	return m_bool(req, params, i, dflt, out);
}

/* xmd.h: whether a designator names Domain-0. */
bool
methods_is_dom0(const char *dom)
{
	return m_is_dom0(dom);
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
	/* Recorded before it is asked: an xmd killed in between still
	 * knows, on restart, that this reboot is the administrator's. */
	if (reason == XMHV_SHUTDOWN_REBOOT && !d->reboot_requested) {
		d->reboot_requested = true;
		(void)record_write(x, d);
	}
	rc = xmhv_domain_shutdown(x->hv, d->domid, reason);
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
	{"xend.domains", domview_list, true},
	{"xend.domain", domview_one, true},
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
