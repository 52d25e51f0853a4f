/* SPDX-License-Identifier: GPL-2.0-or-later */
/* record.c: domain records <root>/var/lib/xmd/domains/<uuid>.xml: the
 * domain XML of libxmcfg plus a <runtime> element, written atomically. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <uuid/uuid.h>

#include "log.h"
#include "util.h"
#include "xmd.h"

#define RECORD_MAX_BYTES (1024 * 1024)

static const char *const record_phase_names[] = {
	[XMD_PHASE_CREATING] = "creating",
	[XMD_PHASE_ACTIVE] = "active",
	[XMD_PHASE_STOPPED] = "stopped",
};

static int
record_path(struct xmd *x, const char *uuid_str, char *buf, size_t len)
{
	return util_snprintf(buf, len, "%s/%s.xml", x->lib_dir, uuid_str);
}

static void
record_set_num(xmlNode *n, const char *attr, int decimals, double v)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	xmlNewProp(n, BAD_CAST attr, BAD_CAST buf);
}

/* The record document of d (NULL on ENOMEM). */
static xmlDoc *
record_build(const struct xmd_domain *d)
{
	xmlDoc *doc = NULL, *cfgdoc = NULL;
	xmlNode *root, *rt, *copy;
	char *cfgxml = NULL;

	doc = xmlNewDoc(BAD_CAST "1.0");
	if (!doc)
		return NULL;
	root = xmlNewNode(NULL, BAD_CAST "xmdrecord");
	xmlDocSetRootElement(doc, root);
	xmlNewProp(root, BAD_CAST "version", BAD_CAST "1");
	rt = xmlNewChild(root, NULL, BAD_CAST "runtime", NULL);
	xmlNewProp(rt, BAD_CAST "name", BAD_CAST d->name);
	xmlNewProp(rt, BAD_CAST "uuid", BAD_CAST d->uuid_str);
	xmlNewProp(rt, BAD_CAST "phase", BAD_CAST record_phase_names[d->phase]);
	record_set_num(rt, "domid", 0, (double)d->domid);
	record_set_num(rt, "managed", 0, d->managed);
	record_set_num(rt, "start_time", 3, d->start_time);
	record_set_num(rt, "first_start_time", 3, d->first_start_time);
	record_set_num(rt, "restart_count", 0, d->restart_count);
	record_set_num(rt, "auto_restarted", 0, d->auto_restarted);
	record_set_num(rt, "policy_done", 0, d->policy_done);
	/* an administrator's xm reboot is not a reboot loop, after an xmd
	 * restart too */
	record_set_num(rt, "reboot_requested", 0, d->reboot_requested);
	record_set_num(rt, "shutdown_reason", 0,
		       d->info_valid ? d->info.shutdown_reason : 0);
	/* which vifs xmd gave a vhost-net fd, for network-list after an xmd
	 * restart */
	record_set_num(rt, "datapath_known", 0, d->datapath_known);
	record_set_num(rt, "vhost_devids", 0, d->vhost_devids);
	cfgxml = d->cfg->kernel || bootdisk_needed(d->cfg)
			 ? xmcfg_to_xml(d->cfg)
			 : NULL;
	if (cfgxml)
		cfgdoc = xmlReadMemory(cfgxml, (int)strlen(cfgxml),
				       "domain.xml", NULL,
				       XML_PARSE_NONET | XML_PARSE_NOERROR |
					       XML_PARSE_NOWARNING);
	if (cfgdoc && xmlDocGetRootElement(cfgdoc)) {
		copy = xmlDocCopyNode(xmlDocGetRootElement(cfgdoc), doc, 1);
		if (copy)
			xmlAddChild(root, copy);
	}
	if (cfgdoc)
		xmlFreeDoc(cfgdoc);
	free(cfgxml);
	return doc;
}

int
record_write(struct xmd *x, const struct xmd_domain *d)
{
	char path[PATH_MAX];
	xmlChar *mem = NULL;
	xmlDoc *doc;
	int len = 0, rc;

	rc = record_path(x, d->uuid_str, path, sizeof(path));
	if (rc < 0)
		return rc;
	doc = record_build(d);
	if (doc)
		xmlDocDumpFormatMemory(doc, &mem, &len, 1);
	if (!mem) {
		rc = -ENOMEM;
	} else {
		rc = util_write_file_atomic(path, mem, (size_t)len, 0600);
	}
	if (rc < 0)
		log_err("domain %s: record %s: %s", d->name, path,
			strerror(-rc));
	xmlFree(mem);
	xmlFreeDoc(doc);
	return rc;
}

void
record_remove(struct xmd *x, const struct xmd_domain *d)
{
	char path[PATH_MAX];

	if (record_path(x, d->uuid_str, path, sizeof(path)) == 0 &&
	    unlink(path) < 0 && errno != ENOENT)
		log_err("domain %s: record %s: %s", d->name, path,
			strerror(errno));
}

static double
record_num(xmlNode *n, const char *attr)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST attr);
	double r = v ? strtod((const char *)v, NULL) : 0;

	xmlFree(v);
	return r;
}

/* A config good enough to list and destroy a domain whose record has no
 * usable domain XML. */
static struct xmcfg_domain *
record_minimal_cfg(const char *name, const uint8_t uuid[16])
{
	struct xmcfg_domain *cfg = calloc(1, sizeof(*cfg));

	if (!cfg || !(cfg->name = strdup(name))) {
		free(cfg);
		return NULL;
	}
	memcpy(cfg->uuid, uuid, 16);
	cfg->has_uuid = true;
	cfg->vcpus = cfg->maxvcpus = 1;
	cfg->on_poweroff = cfg->on_reboot = cfg->on_crash =
		XMCFG_ACTION_DESTROY;
	return cfg;
}

static struct xmcfg_domain *
record_cfg(xmlDoc *doc, xmlNode *root, const char *name, const uint8_t *uuid,
	   const char *path)
{
	struct xmcfg_domain *cfg = NULL;
	struct xmcfg_error err;
	xmlBuffer *buf;
	xmlNode *n;

	for (n = root->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)n->name, "runtime") != 0)
			break;
	buf = n ? xmlBufferCreate() : NULL;
	if (buf && xmlNodeDump(buf, doc, n, 0, 0) > 0 &&
	    xmcfg_from_xml((const char *)xmlBufferContent(buf),
			   (size_t)xmlBufferLength(buf), &cfg, &err) == 0) {
		xmlBufferFree(buf);
		return cfg;
	}
	if (buf)
		xmlBufferFree(buf);
	log_warn("record %s: no usable domain configuration; keeping %s "
		 "with default policies",
		 path, name);
	return record_minimal_cfg(name, uuid);
}

static void
record_load_one(struct xmd *x, const char *path)
{
	xmlChar *name = NULL, *uuid = NULL, *phase = NULL;
	struct xmcfg_domain *cfg;
	struct xmd_domain *d;
	xmlNode *root, *rt = NULL;
	xmlDoc *doc = NULL;
	uint8_t u[16];
	char *data = NULL;
	size_t len;
	int rc;

	rc = util_read_file(path, RECORD_MAX_BYTES, &data, &len);
	if (rc < 0) {
		log_err("record %s: %s", path, strerror(-rc));
		return;
	}
	doc = xmlReadMemory(data, (int)len, path, NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
				    XML_PARSE_NOWARNING);
	root = doc ? xmlDocGetRootElement(doc) : NULL;
	for (rt = root ? root->children : NULL; rt; rt = rt->next)
		if (rt->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)rt->name, "runtime") == 0)
			break;
	if (rt) {
		name = xmlGetProp(rt, BAD_CAST "name");
		uuid = xmlGetProp(rt, BAD_CAST "uuid");
		phase = xmlGetProp(rt, BAD_CAST "phase");
	}
	if (!name || !uuid || !phase || uuid_parse((const char *)uuid, u) < 0) {
		log_err("record %s: malformed, ignored", path);
		goto out;
	}
	if (domains_find_name(x, (const char *)name)) {
		log_err("record %s: duplicate domain %s, ignored", path, name);
		goto out;
	}
	cfg = record_cfg(doc, root, (const char *)name, u, path);
	if (!cfg)
		goto out;
	free(cfg->name);
	cfg->name = strdup((const char *)name); /* renamed domains */
	memcpy(cfg->uuid, u, 16);
	cfg->has_uuid = true;
	d = cfg->name ? domains_insert(x, cfg, record_num(rt, "managed") != 0)
		      : NULL;
	if (!cfg->name)
		xmcfg_domain_free(cfg);
	if (!d)
		goto out;
	/* "creating": a create or policy restart was under way when xmd
	 * stopped; domains_adopt_all settles it before anything else runs. */
	d->phase = strcmp((const char *)phase, "active") == 0 ? XMD_PHASE_ACTIVE
		   : strcmp((const char *)phase, "creating") == 0
			   ? XMD_PHASE_CREATING
			   : XMD_PHASE_STOPPED;
	d->domid = (xmhv_domid_t)record_num(rt, "domid");
	d->start_time = record_num(rt, "start_time");
	d->first_start_time = record_num(rt, "first_start_time");
	d->restart_count = (unsigned)record_num(rt, "restart_count");
	d->auto_restarted = record_num(rt, "auto_restarted") != 0;
	d->policy_done = record_num(rt, "policy_done") != 0;
	d->reboot_requested = record_num(rt, "reboot_requested") != 0;
	/* the shutdown being handled when xmd stopped (policy_done) */
	d->info.shutdown_reason = (uint32_t)record_num(rt, "shutdown_reason");
	d->datapath_known = record_num(rt, "datapath_known") != 0;
	d->vhost_devids = (uint32_t)record_num(rt, "vhost_devids");
	if (d->phase == XMD_PHASE_STOPPED && !d->managed) {
		log_warn("domain %s: stopped record of an unmanaged domain "
			 "removed",
			 d->name);
		domains_forget(x, d, false);
	}
out:
	xmlFree(name);
	xmlFree(uuid);
	xmlFree(phase);
	if (doc)
		xmlFreeDoc(doc);
	free(data);
}

void
record_load_all(struct xmd *x)
{
	char path[PATH_MAX];
	struct dirent *de;
	size_t n;
	DIR *dir;

	dir = opendir(x->lib_dir);
	if (!dir) {
		log_err("records %s: %s", x->lib_dir, strerror(errno));
		return;
	}
	while ((de = readdir(dir)) != NULL) {
		n = strlen(de->d_name);
		/* UUID.xml.tmp.PID: a write that an earlier xmd did not
		 * finish (util_write_file renames it into place when done) */
		if (n > 45 && strncmp(de->d_name + 36, ".xml.tmp.", 9) == 0 &&
		    util_snprintf(path, sizeof(path), "%s/%s", x->lib_dir,
				  de->d_name) == 0) {
			log_info("record %s: left half-written by an earlier "
				 "xmd, removed",
				 de->d_name);
			(void)unlink(path);
			continue;
		}
		if (n != 40 || strcmp(de->d_name + 36, ".xml") != 0)
			continue;
		if (util_snprintf(path, sizeof(path), "%s/%s", x->lib_dir,
				  de->d_name) == 0)
			record_load_one(x, path);
	}
	closedir(dir);
}
