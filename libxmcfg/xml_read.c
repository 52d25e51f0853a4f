/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xml_read.c: libvirt-style domain XML back into a domain, our
 * <metadata><xmtools:config> first and libvirt's own elements for what it
 * lacks; the document is untrusted (a record on disk, a client's). The
 * domain-level elements are read here, the devices in xml_read_dev.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "internal.h"
#include "util.h"
#include "xml_int.h"
#include "xml_read_int.h"

#define XML_MAX (16u << 20)

xmlNodePtr
xml_find(xmlNodePtr parent, const char *name)
{
	xmlNodePtr c;

	if (!parent)
		return NULL;
	for (c = parent->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    !xmlStrcmp(c->name, BAD_CAST name))
			return c;
	return NULL;
}

/* malloc'd copy of the text of a child element, or NULL. */
char *
xml_text(xmlNodePtr parent, const char *name)
{
	xmlNodePtr n = xml_find(parent, name);
	xmlChar *t;
	char *s;

	if (!n)
		return NULL;
	t = xmlNodeGetContent(n);
	s = xm_strdup(t ? (const char *)t : "");
	xmlFree(t);
	return s;
}

char *
xml_attr(xmlNodePtr n, const char *name)
{
	xmlChar *t;
	char *s;

	if (!n)
		return NULL;
	t = xmlGetProp(n, BAD_CAST name);
	if (!t)
		return NULL;
	s = xm_strdup((const char *)t);
	xmlFree(t);
	return s;
}

static int
xml_u64(xmlNodePtr parent, const char *name, uint64_t div, uint64_t *out)
{
	char *s = xml_text(parent, name);
	uint64_t v;
	int rc;

	if (!s)
		return 1;
	rc = util_parse_u64(s, UINT64_MAX, &v);
	free(s);
	if (rc < 0)
		return -1;
	*out = v / div;
	return 0;
}

/* One <xmtools:setting key= kind= line=>value</xmtools:setting>. Returns
 * 0 (a malformed one is skipped) or -1 (out of memory). */
static int
xml_setting(struct xmcfg_domain *dom, xmlNodePtr c)
{
	char *key = xml_attr(c, "key"), *kind = xml_attr(c, "kind");
	char *line = xml_attr(c, "line");
	xmlChar *val = xmlNodeGetContent(c);
	uint64_t l = 0;
	size_t k;
	int rc = 0;

	for (k = 0; kind && k < sizeof(xml_kinds) / sizeof(xml_kinds[0]); k++)
		if (!strcmp(kind, xml_kinds[k]))
			break;
	if (line && util_parse_u64(line, INT32_MAX, &l) < 0)
		l = 0;
	if (key && kind && val && k < sizeof(xml_kinds) / sizeof(xml_kinds[0]))
		rc = xmsetting_add(dom, key, (const char *)val, (int)l,
				   (enum xmcfg_setting_kind)k);
	free(key);
	free(kind);
	free(line);
	xmlFree(val);
	return rc < 0 ? -1 : 0;
}

int
xml_push(struct xml_list *l, char *s)
{
	char **nv;

	if (!s)
		return -1;
	nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
	if (!nv) {
		free(s);
		return -1;
	}
	l->v = nv;
	l->v[l->n++] = s;
	return 0;
}

static void
xml_list_free(struct xml_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* Fill in->err (never with a file or line: XML has none we could name). */
int
xml_fail(struct xml_in *in, enum xmcfg_errcode code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xmerr_vset(in->err, code, NULL, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int
xml_nomem(struct xml_in *in)
{
	return xml_fail(in, XMCFG_EINTERNAL, "out of memory");
}

/* <name>: required. */
static int
xml_read_name(struct xml_in *in)
{
	in->dom->name = xml_text(in->root, "name");
	if (!in->dom->name || !in->dom->name[0])
		return xml_fail(in, XMCFG_EXML, "domain XML has no <name>");
	return 0;
}

/* <uuid>: optional. */
static int
xml_read_uuid(struct xml_in *in)
{
	char *s = xml_text(in->root, "uuid");
	unsigned b[16];
	size_t i;
	int n;

	if (!s)
		return 0;
	n = sscanf(s, "%2x%2x%2x%2x-%2x%2x-%2x%2x-%2x%2x-%2x%2x%2x%2x%2x%2x",
		   &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &b[6], &b[7],
		   &b[8], &b[9], &b[10], &b[11], &b[12], &b[13], &b[14],
		   &b[15]);
	if (n != 16) {
		xml_fail(in, XMCFG_EXML, "bad <uuid> '%.64s'", s);
		free(s);
		return -1;
	}
	for (i = 0; i < 16; i++)
		in->dom->uuid[i] = (uint8_t)b[i];
	in->dom->has_uuid = true;
	free(s);
	return 0;
}

/* <currentMemory>, <memory> and <vcpu [current=]>, with xm's defaults.
 * The ranges are xmkeys_check's, at the end. */
static int
xml_read_sizes(struct xml_in *in)
{
	struct xmcfg_domain *dom = in->dom;
	uint64_t v = 0;
	xmlNodePtr n;
	char *s;

	if (xml_u64(in->root, "currentMemory", 1024, &dom->memory_mib) < 0 ||
	    xml_u64(in->root, "memory", 1024, &dom->maxmem_mib) < 0 ||
	    xml_u64(in->root, "vcpu", 1, &v) < 0)
		return xml_fail(in, XMCFG_EXML, "bad memory or vcpu value");
	if (!dom->maxmem_mib)
		dom->maxmem_mib = dom->memory_mib;
	if (!dom->memory_mib)
		dom->memory_mib = dom->maxmem_mib ? dom->maxmem_mib : 128;
	if (!dom->maxmem_mib)
		dom->maxmem_mib = dom->memory_mib;
	/* Counts beyond xmhv's limit are refused, never truncated into it. */
	n = xml_find(in->root, "vcpu");
	dom->maxvcpus = !n ? 1 : v > XMCFG_MAX_VCPUS ? 0 : (uint32_t)v;
	dom->vcpus = dom->maxvcpus;
	s = xml_attr(n, "current");
	if (s && util_parse_u64(s, UINT64_MAX, &v) == 0)
		dom->vcpus = v > XMCFG_MAX_VCPUS ? 0 : (uint32_t)v;
	free(s);
	if (!dom->vcpus || dom->maxvcpus < dom->vcpus)
		return xml_fail(in, XMCFG_EXML,
				"bad vcpu count (1..%d with current <= the "
				"count)",
				XMCFG_MAX_VCPUS);
	return 0;
}

/* One <vcpupin vcpu= cpuset=> into dom->cpus_per_vcpu. */
static int
xml_read_vcpupin(struct xml_in *in, xmlNodePtr c)
{
	char *vc = xml_attr(c, "vcpu"), *set = xml_attr(c, "cpuset");
	char msg[512];
	uint64_t v;
	int rc = -1;

	if (vc && set && util_parse_u64(vc, UINT64_MAX, &v) == 0 &&
	    v < in->dom->vcpus)
		rc = xmcpus_parse(set, &in->dom->cpus_per_vcpu[v], msg,
				  sizeof(msg));
	free(vc);
	free(set);
	if (rc < 0)
		return xml_fail(in, XMCFG_EXML, "bad <vcpupin>");
	return 0;
}

/* cpus: the metadata's string as written, else <vcpu cpuset=>; per-vCPU
 * sets from <cputune><vcpupin>. */
static int
xml_read_pinning(struct xml_in *in)
{
	struct xmcfg_domain *dom = in->dom;
	xmlNodePtr n, c;
	char msg[512];

	dom->cpus = in->meta ? xml_text(in->meta, "cpus") : NULL;
	if (!dom->cpus)
		dom->cpus = xml_attr(xml_find(in->root, "vcpu"), "cpuset");
	if (dom->cpus) {
		int rc = xmcpus_parse(dom->cpus, &dom->cpus_all, msg,
				      sizeof(msg));

		if (rc == -1)
			return xml_fail(in, XMCFG_EXML, "cpuset: %s", msg);
		dom->cpus_nodes = rc == -2; /* node names: kept, a note */
		dom->has_cpus = dom->cpus[0] != '\0' && !dom->cpus_nodes;
	}
	n = xml_find(in->root, "cputune");
	if (!n || !xml_find(n, "vcpupin"))
		return 0;
	dom->cpus_per_vcpu = calloc(dom->vcpus, sizeof(*dom->cpus_per_vcpu));
	if (!dom->cpus_per_vcpu)
		return xml_nomem(in);
	for (c = n->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    !xmlStrcmp(c->name, BAD_CAST "vcpupin") &&
		    xml_read_vcpupin(in, c) < 0)
			return -1;
	dom->has_cpus = true;
	return 0;
}

/* Bootloader, <os> type, kernel (an HVM guest's <loader>) and initrd,
 * <clock offset=>. */
static int
xml_read_boot(struct xml_in *in)
{
	struct xmcfg_domain *dom = in->dom;
	char *s;

	dom->bootloader = xml_text(in->root, "bootloader");
	dom->bootargs = xml_text(in->root, "bootloader_args");
	s = xml_text(in->os, "type");
	dom->type = !s                     ? XMCFG_GUEST_PV
		    : !strcmp(s, "hvm")    ? XMCFG_GUEST_HVM
		    : !strcmp(s, "xenpvh") ? XMCFG_GUEST_PVH
					   : XMCFG_GUEST_PV;
	free(s);
	dom->kernel = xml_text(in->os, "kernel");
	if (!dom->kernel && dom->type == XMCFG_GUEST_HVM)
		dom->kernel = xml_text(in->os, "loader");
	dom->ramdisk = xml_text(in->os, "initrd");
	s = xml_attr(xml_find(in->root, "clock"), "offset");
	dom->localtime = s && !strcmp(s, "localtime");
	free(s);
	return 0;
}

/* <on_poweroff>, <on_reboot>, <on_crash>, with xm's defaults. */
static int
xml_read_actions(struct xml_in *in)
{
	static const struct {
		const char *elem;
		size_t off;
		enum xmcfg_action def;
	} acts[] = {
		{"on_poweroff", offsetof(struct xmcfg_domain, on_poweroff),
		 XMCFG_ACTION_DESTROY},
		{"on_reboot", offsetof(struct xmcfg_domain, on_reboot),
		 XMCFG_ACTION_RESTART},
		{"on_crash", offsetof(struct xmcfg_domain, on_crash),
		 XMCFG_ACTION_RESTART},
	};
	enum xmcfg_action *f;
	size_t i;
	char *s;

	for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		f = (enum xmcfg_action *)((char *)in->dom + acts[i].off);
		*f = acts[i].def;
		s = xml_text(in->root, acts[i].elem);
		if (s && xmcfg_action_parse(s, f) < 0) {
			xml_fail(in, XMCFG_EXML, "bad <%s> '%.64s'",
				 acts[i].elem, s);
			free(s);
			return -1;
		}
		free(s);
	}
	return 0;
}

/* One <xmtools:cpuid leaf= subleaf= eax= ...> (beyond the limit: ignored,
 * as the writer never writes more). */
static int
xml_read_cpuid(struct xml_in *in, xmlNodePtr c)
{
	struct xmcfg_domain *dom = in->dom;
	struct xmcfg_cpuid *cp, *nc;
	uint64_t v;
	size_t r;
	char *s;

	if (dom->ncpuid >= XMCFG_MAX_CPUID)
		return 0;
	nc = realloc(dom->cpuid, (dom->ncpuid + 1) * sizeof(*nc));
	if (!nc)
		return xml_nomem(in);
	dom->cpuid = nc;
	cp = &dom->cpuid[dom->ncpuid++];
	memset(cp, 0, sizeof(*cp));
	s = xml_attr(c, "leaf");
	if (s && util_parse_u64(s, UINT64_MAX, &v) == 0)
		cp->leaf = (uint32_t)v;
	free(s);
	s = xml_attr(c, "subleaf");
	if (s && util_parse_u64(s, UINT64_MAX, &v) == 0) {
		cp->subleaf = (uint32_t)v;
		cp->has_subleaf = true;
	}
	free(s);
	for (r = 0; r < 4; r++)
		cp->reg[r] = xml_attr(c, xml_regs[r]);
	return 0;
}

/* Our own metadata: the keys libvirt has no element for, the disk and vif
 * entries as written, the cpuid masks. Without it (XML written by another
 * tool), <os><cmdline> is the extra. */
static int
xml_read_meta(struct xml_in *in)
{
	static const struct {
		const char *name;
		size_t off;
	} strs[] = {
		{"config_path", offsetof(struct xmcfg_domain, config_path)},
		{"root", offsetof(struct xmcfg_domain, root)},
		{"extra", offsetof(struct xmcfg_domain, extra)},
		{"ip", offsetof(struct xmcfg_domain, ip)},
		{"netmask", offsetof(struct xmcfg_domain, netmask)},
		{"gateway", offsetof(struct xmcfg_domain, gateway)},
		{"hostname", offsetof(struct xmcfg_domain, hostname)},
		{"dhcp", offsetof(struct xmcfg_domain, dhcp)},
		{"interface", offsetof(struct xmcfg_domain, interface)},
		{"nfs_server", offsetof(struct xmcfg_domain, nfs_server)},
		{"nfs_root", offsetof(struct xmcfg_domain, nfs_root)},
		{"builder", offsetof(struct xmcfg_domain, builder)},
		{"cmdline", offsetof(struct xmcfg_domain, xl_cmdline)},
		{"cpuid_xl", offsetof(struct xmcfg_domain, cpuid_xl)},
	};
	xmlNodePtr c;
	size_t i;
	char *s;
	int rc = 0;

	if (!in->meta) {
		in->dom->extra = xml_text(in->os, "cmdline");
		in->dom->cmdline_foreign = true;
		return 0;
	}
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		*(char **)((char *)in->dom + strs[i].off) =
			xml_text(in->meta, strs[i].name);
	s = xml_text(in->meta, "type");
	for (i = 0; s && i <= XMCFG_GUEST_HVM; i++)
		if (!strcmp(s, xmcfg_guest_type_name(i))) {
			in->dom->type = (enum xmcfg_guest_type)i;
			in->dom->type_given = true;
		}
	free(s);
	for (c = in->meta->children; c && rc == 0; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!xmlStrcmp(c->name, BAD_CAST "setting"))
			rc = xml_setting(in->dom, c);
		else if (!xmlStrcmp(c->name, BAD_CAST "disk"))
			rc = xml_push(&in->disks, xml_attr(c, "spec"));
		else if (!xmlStrcmp(c->name, BAD_CAST "vif"))
			rc = xml_push(&in->vifs, xml_attr(c, "spec"));
		else if (!xmlStrcmp(c->name, BAD_CAST "cpuid"))
			rc = xml_read_cpuid(in, c);
	}
	if (rc < 0 && in->err->code == XMCFG_OK)
		return xml_nomem(in);
	return rc;
}

/* The command line from the parts, then the rules every domain obeys:
 * the XML may come from anyone who can reach xmd. */
static int
xml_finish(struct xml_in *in)
{
	char msg[512];

	if (xmcmdline_build(in->dom) < 0)
		return xml_nomem(in);
	if (xmkeys_check(in->dom, msg, sizeof(msg)) < 0)
		return xml_fail(in, XMCFG_EXML, "%s", msg);
	if (xmnotes_build(in->dom, NULL, NULL) < 0)
		return xml_nomem(in);
	return 0;
}

/* The parts of a domain, in the order they depend on each other (pinning
 * needs the vCPU count; the command line needs the disks). */
static int (*const xml_parts[])(struct xml_in *) = {
	xml_read_name,     xml_read_uuid,    xml_read_sizes, xml_read_pinning,
	xml_read_boot,     xml_read_actions, xml_read_meta,  xml_read_devices,
	xml_parse_devices, xml_finish,
};

/* Parse domain XML back into a domain (see xmcfg.h). */
int
xmcfg_from_xml(const char *xml, size_t len, struct xmcfg_domain **dom_out,
	       struct xmcfg_error *err)
{
	struct xml_in in = {.err = err};
	xmlDocPtr doc = NULL;
	xmlNodePtr n, c;
	size_t i;
	int rc = -1;

	memset(err, 0, sizeof(*err));
	if (len > XML_MAX || len > INT32_MAX) {
		xmerr_set(err, XMCFG_EXML, NULL, 0, "domain XML too large");
		goto out;
	}
	doc = xmlReadMemory(xml, (int)len, "domain.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
				    XML_PARSE_NOWARNING);
	in.root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!in.root || xmlStrcmp(in.root->name, BAD_CAST "domain")) {
		xmerr_set(err, XMCFG_EXML, NULL, 0,
			  "not a domain XML document (no <domain>)");
		goto out;
	}
	in.dom = calloc(1, sizeof(*in.dom));
	if (!in.dom) {
		xmerr_set(err, XMCFG_EINTERNAL, NULL, 0, "out of memory");
		goto out;
	}
	in.os = xml_find(in.root, "os");
	n = xml_find(in.root, "metadata");
	for (c = n ? n->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && c->ns &&
		    !xmlStrcmp(c->ns->href, BAD_CAST XML_NS))
			in.meta = c;
	rc = 0;
	for (i = 0; i < sizeof(xml_parts) / sizeof(xml_parts[0]) && rc == 0;
	     i++)
		rc = xml_parts[i](&in);
	if (rc == 0) {
		*dom_out = in.dom;
		in.dom = NULL;
	}
out:
	xml_list_free(&in.disks);
	xml_list_free(&in.vifs);
	xmcfg_domain_free(in.dom);
	if (doc)
		xmlFreeDoc(doc);
	return rc;
}
