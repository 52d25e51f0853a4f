/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xml.c: libvirt-style domain XML (libxml2) from a domain and back; what
 * libvirt has no element for lives under <metadata><xmtools:config>. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "internal.h"
#include "util.h"

#define XML_NS "https://xmtools.invalid/xmcfg/1"
#define XML_MAX (16u << 20)

static const char *const xml_regs[] = {"eax", "ebx", "ecx", "edx"};
static const char *const xml_kinds[] = {
	[XMCFG_SETTING_HVM] = "hvm",
	[XMCFG_SETTING_XEN] = "xen",
	[XMCFG_SETTING_DEVICE] = "device",
};

static xmlNodePtr
xml_child(xmlNodePtr parent, const char *name, const char *text)
{
	return xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST text);
}

static void
xml_prop(xmlNodePtr n, const char *name, const char *val)
{
	if (val)
		xmlNewProp(n, BAD_CAST name, BAD_CAST val);
}

static void
xml_propu(xmlNodePtr n, const char *name, unsigned long long v)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%llu", v);
	xmlNewProp(n, BAD_CAST name, BAD_CAST tmp);
}

static void
xml_opt(xmlNodePtr parent, const char *name, const char *text)
{
	if (text)
		xml_child(parent, name, text);
}

/* libvirt's bus for a disk: xen for pv guests and xvd*; else scsi for
 * sd*, ide for the rest (an HVM guest's emulated disks). */
static const char *
xml_disk_bus(const struct xmcfg_domain *dom, const struct xmcfg_disk *d)
{
	if (dom->type != XMCFG_GUEST_HVM || !strncmp(d->vdev, "xvd", 3))
		return "xen";
	return !strncmp(d->vdev, "sd", 2) ? "scsi" : "ide";
}

/* The driver libvirt names for a disk: xm's driver as written; for xl's
 * grammar its backendtype (phy, tap), qemu for qdisk or none (libvirt's
 * xen_xl.c). Whether it is a block disk. */
static const char *
xml_disk_driver(const struct xmcfg_disk *d, bool *block)
{
	if (!d->xl) {
		*block = !strcmp(d->driver, "phy");
		return d->driver;
	}
	*block = d->backendtype && !strcmp(d->backendtype, "phy");
	if (*block || (d->backendtype && !strcmp(d->backendtype, "tap")))
		return d->backendtype;
	return "qemu";
}

static void
xml_disk(const struct xmcfg_domain *dom, xmlNodePtr devs, xmlNodePtr meta,
	 const struct xmcfg_disk *d)
{
	bool block;
	const char *driver = xml_disk_driver(d, &block);
	xmlNodePtr n = xmlNewChild(devs, NULL, BAD_CAST "disk", NULL), c;

	char *rbd = NULL, **hosts = NULL;
	size_t nhosts = 0, i;
	bool net = d->xl && d->source &&
		   xmdisk_rbd(d->source, &rbd, &hosts, &nhosts) == 0;

	xml_prop(n, "type", net ? "network" : block ? "block" : "file");
	xml_prop(n, "device", d->cdrom ? "cdrom" : "disk");
	c = xmlNewChild(n, NULL, BAD_CAST "driver", NULL);
	xml_prop(c, "name", driver);
	xml_prop(c, "type", strcmp(d->format, "empty") ? d->format : "raw");
	if (net) { /* libvirt's network disk for qemu's rbd: targets */
		c = xmlNewChild(n, NULL, BAD_CAST "source", NULL);
		xml_prop(c, "protocol", "rbd");
		xml_prop(c, "name", rbd);
		for (i = 0; i < nhosts; i++) {
			xmlNodePtr h =
				xmlNewChild(c, NULL, BAD_CAST "host", NULL);

			xml_prop(h, "name", hosts[2 * i]);
			if (hosts[2 * i + 1][0])
				xml_prop(h, "port", hosts[2 * i + 1]);
		}
	} else if (d->source) {
		c = xmlNewChild(n, NULL, BAD_CAST "source", NULL);
		xml_prop(c, block ? "dev" : "file", d->source);
	}
	for (i = 0; i < 2 * nhosts; i++)
		free(hosts[i]);
	free(hosts);
	free(rbd);
	c = xmlNewChild(n, NULL, BAD_CAST "target", NULL);
	xml_prop(c, "dev", d->vdev);
	xml_prop(c, "bus", xml_disk_bus(dom, d));
	if (d->mode == XMCFG_DISK_RO)
		xmlNewChild(n, NULL, BAD_CAST "readonly", NULL);
	if (d->mode == XMCFG_DISK_SHARED)
		xmlNewChild(n, NULL, BAD_CAST "shareable", NULL);
	c = xmlNewChild(meta, NULL, BAD_CAST "disk", NULL);
	xml_prop(c, "spec", d->spec);
	xml_prop(c, "guest_dev", d->guest_dev);
	/* what the spec means beyond libvirt's elements (read: the spec) */
	xml_prop(c, "syntax", d->xl ? "xl" : "xm");
	xml_prop(c, "format", d->format);
	xml_prop(c, "script", d->script);
	if (d->discard >= 0)
		xml_propu(c, "discard", (unsigned)d->discard);
	if (d->trusted >= 0)
		xml_propu(c, "trusted", (unsigned)d->trusted);
}

/* <source bridge=...>. Xen's vif-openvswitch reads VLANs from the bridge
 * name: BRIDGE.TAG is an access port, BRIDGE:TAG:TAG a trunk (libvirt's
 * <vlan> and <virtualport type='openvswitch'/>). */
static void
xml_vif_bridge(xmlNodePtr n, const struct xmcfg_vif *v)
{
	const char *base = v->script ? strrchr(v->script, '/') : NULL;
	size_t len = strlen(v->bridge);
	const char *p, *tags = NULL;
	xmlNodePtr vlan = NULL, t;
	char *br;

	base = base ? base + 1 : v->script;
	if (base && !strcmp(base, "vif-openvswitch")) {
		len = strcspn(v->bridge, ".:");
		tags = v->bridge[len] ? v->bridge + len : NULL;
	}
	br = xm_strndup(v->bridge, len);
	xml_prop(xmlNewChild(n, NULL, BAD_CAST "source", NULL), "bridge",
		 br ? br : v->bridge);
	free(br);
	if (base && !strcmp(base, "vif-openvswitch"))
		xml_prop(xmlNewChild(n, NULL, BAD_CAST "virtualport", NULL),
			 "type", "openvswitch");
	for (p = tags; p && *p; p += 1 + strcspn(p + 1, ":")) {
		if (!vlan) {
			vlan = xmlNewChild(n, NULL, BAD_CAST "vlan", NULL);
			if (*p == ':')
				xml_prop(vlan, "trunk", "yes");
		}
		br = xm_strndup(p + 1, strcspn(p + 1, ":"));
		t = xmlNewChild(vlan, NULL, BAD_CAST "tag", NULL);
		xml_prop(t, "id", br ? br : "");
		free(br);
	}
}

static void
xml_vif(xmlNodePtr devs, xmlNodePtr meta, const struct xmcfg_vif *v)
{
	xmlNodePtr n = xmlNewChild(devs, NULL, BAD_CAST "interface", NULL), c;
	bool bridge =
		v->bridge || (v->script && (strstr(v->script, "vif-bridge") ||
					    strstr(v->script, "vif-vnic")));
	char mac[24], *ips, *save = NULL, *ip;

	xml_prop(n, "type", bridge ? "bridge" : "ethernet");
	if (v->has_mac) {
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
			 v->mac[0], v->mac[1], v->mac[2], v->mac[3], v->mac[4],
			 v->mac[5]);
		c = xmlNewChild(n, NULL, BAD_CAST "mac", NULL);
		xml_prop(c, "address", mac);
	}
	if (v->bridge)
		xml_vif_bridge(n, v);
	if (v->script)
		xml_prop(xmlNewChild(n, NULL, BAD_CAST "script", NULL), "path",
			 v->script);
	if (v->vifname)
		xml_prop(xmlNewChild(n, NULL, BAD_CAST "target", NULL), "dev",
			 v->vifname);
	if (v->ip && (ips = xm_strdup(v->ip))) {
		for (ip = strtok_r(ips, " ", &save); ip;
		     ip = strtok_r(NULL, " ", &save))
			xml_prop(xmlNewChild(n, NULL, BAD_CAST "ip", NULL),
				 "address", ip);
		free(ips);
	}
	if (v->model || (v->type && strcmp(v->type, "ioemu")))
		xml_prop(xmlNewChild(n, NULL, BAD_CAST "model", NULL), "type",
			 v->model ? v->model : "netfront");
	if (v->mtu)
		xml_propu(xmlNewChild(n, NULL, BAD_CAST "mtu", NULL), "size",
			  v->mtu);
	if (v->rate) {
		c = xmlNewChild(n, NULL, BAD_CAST "bandwidth", NULL);
		c = xmlNewChild(c, NULL, BAD_CAST "outbound", NULL);
		xml_propu(c, "average", v->rate_bytes_per_sec / 1000);
	}
	c = xmlNewChild(meta, NULL, BAD_CAST "vif", NULL);
	xml_prop(c, "spec", v->spec);
	if (v->trusted >= 0)
		xml_propu(c, "trusted", (unsigned)v->trusted);
	if (v->rate) {
		xml_propu(c, "rate_bytes_per_sec", v->rate_bytes_per_sec);
		xml_propu(c, "rate_interval_us", v->rate_interval_us);
	}
}

static void
xml_vcpu(xmlNodePtr root, const struct xmcfg_domain *dom)
{
	char tmp[16], *s;
	xmlNodePtr n, t;
	uint32_t i;

	snprintf(tmp, sizeof(tmp), "%u", dom->maxvcpus);
	n = xml_child(root, "vcpu", tmp);
	xml_prop(n, "placement", "static");
	if (dom->has_cpus && !dom->cpus_per_vcpu &&
	    (s = xmcpus_format(&dom->cpus_all))) {
		xml_prop(n, "cpuset", s);
		free(s);
	}
	if (dom->maxvcpus != dom->vcpus)
		xml_propu(n, "current", dom->vcpus);
	if (!dom->cpus_per_vcpu)
		return;
	t = xmlNewChild(root, NULL, BAD_CAST "cputune", NULL);
	for (i = 0; i < dom->vcpus; i++) {
		n = xmlNewChild(t, NULL, BAD_CAST "vcpupin", NULL);
		xml_propu(n, "vcpu", i);
		s = xmcpus_format(&dom->cpus_per_vcpu[i]);
		xml_prop(n, "cpuset", s ? s : "");
		free(s);
	}
}

/* Serialise a domain to libvirt-style XML; malloc'd string or NULL. */
char *
xmcfg_to_xml(const struct xmcfg_domain *dom)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root, n, meta, devs;
	xmlNsPtr ns;
	xmlChar *mem = NULL;
	char tmp[64], *out = NULL;
	const uint8_t *u = dom->uuid;
	size_t i, r;
	int len = 0;

	if (!doc)
		return NULL;
	root = xmlNewNode(NULL, BAD_CAST "domain");
	xmlDocSetRootElement(doc, root);
	xml_prop(root, "type", "kvm");
	xml_child(root, "name", dom->name);
	if (dom->has_uuid) {
		snprintf(tmp, sizeof(tmp),
			 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x"
			 "%02x%02x%02x%02x",
			 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8],
			 u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
		xml_child(root, "uuid", tmp);
	}
	snprintf(tmp, sizeof(tmp), "%llu",
		 (unsigned long long)dom->maxmem_mib * 1024);
	xml_prop(xml_child(root, "memory", tmp), "unit", "KiB");
	snprintf(tmp, sizeof(tmp), "%llu",
		 (unsigned long long)dom->memory_mib * 1024);
	xml_prop(xml_child(root, "currentMemory", tmp), "unit", "KiB");
	xml_vcpu(root, dom);
	xml_opt(root, "bootloader", dom->bootloader);
	xml_opt(root, "bootloader_args", dom->bootargs);
	n = xmlNewChild(root, NULL, BAD_CAST "os", NULL);
	if (dom->type == XMCFG_GUEST_HVM)
		xml_prop(xml_child(n, "type", "hvm"), "machine", "xenfv");
	else if (dom->type == XMCFG_GUEST_PVH)
		xml_child(n, "type", "xenpvh");
	else
		xml_prop(xml_child(n, "type", "linux"), "machine", "xenpv");
	/* xm's HVM kernel= is the firmware loader (libvirt's <loader>) */
	if (dom->type == XMCFG_GUEST_HVM && dom->kernel &&
	    !strcmp(strrchr(dom->kernel, '/') ? strrchr(dom->kernel, '/') + 1
					      : dom->kernel,
		    "hvmloader"))
		xml_child(n, "loader", dom->kernel);
	else
		xml_opt(n, "kernel", dom->kernel);
	xml_opt(n, "initrd", dom->ramdisk);
	xml_opt(n, "cmdline", dom->cmdline);
	xml_prop(xmlNewChild(root, NULL, BAD_CAST "clock", NULL), "offset",
		 dom->localtime ? "localtime" : "utc");
	xml_child(root, "on_poweroff", xmcfg_action_name(dom->on_poweroff));
	xml_child(root, "on_reboot", xmcfg_action_name(dom->on_reboot));
	xml_child(root, "on_crash", xmcfg_action_name(dom->on_crash));
	devs = xmlNewChild(root, NULL, BAD_CAST "devices", NULL);
	n = xmlNewChild(root, NULL, BAD_CAST "metadata", NULL);
	meta = xmlNewChild(n, NULL, BAD_CAST "config", NULL);
	ns = xmlNewNs(meta, BAD_CAST XML_NS, BAD_CAST "xmtools");
	xmlSetNs(meta, ns);
	xml_opt(meta, "config_path", dom->config_path);
	xml_opt(meta, "builder", dom->builder);
	if (dom->type_given)
		xml_child(meta, "type", xmcfg_guest_type_name(dom->type));
	xml_opt(meta, "cmdline", dom->xl_cmdline);
	xml_opt(meta, "cpuid_xl", dom->cpuid_xl);
	xml_opt(meta, "root", dom->root);
	xml_opt(meta, "extra", dom->extra);
	xml_opt(meta, "root_rewritten", dom->root_rewritten);
	xml_opt(meta, "cpus", dom->cpus);
	xml_opt(meta, "ip", dom->ip);
	xml_opt(meta, "netmask", dom->netmask);
	xml_opt(meta, "gateway", dom->gateway);
	xml_opt(meta, "hostname", dom->hostname);
	xml_opt(meta, "dhcp", dom->dhcp);
	xml_opt(meta, "interface", dom->interface);
	xml_opt(meta, "nfs_server", dom->nfs_server);
	xml_opt(meta, "nfs_root", dom->nfs_root);
	for (i = 0; i < dom->ncpuid; i++) {
		n = xmlNewChild(meta, NULL, BAD_CAST "cpuid", NULL);
		xml_propu(n, "leaf", dom->cpuid[i].leaf);
		if (dom->cpuid[i].has_subleaf)
			xml_propu(n, "subleaf", dom->cpuid[i].subleaf);
		for (r = 0; r < 4; r++)
			xml_prop(n, xml_regs[r], dom->cpuid[i].reg[r]);
	}
	for (i = 0; i < dom->nsettings; i++) {
		n = xml_child(meta, "setting", dom->settings[i].value);
		xml_prop(n, "key", dom->settings[i].key);
		xml_prop(n, "kind", xml_kinds[dom->settings[i].kind]);
		if (dom->settings[i].line > 0)
			xml_propu(n, "line", (unsigned)dom->settings[i].line);
	}
	for (i = 0; i < dom->ndisks; i++)
		xml_disk(dom, devs, meta, &dom->disks[i]);
	for (i = 0; i < dom->nvifs; i++)
		xml_vif(devs, meta, &dom->vifs[i]);
	xmlDocDumpFormatMemoryEnc(doc, &mem, &len, "UTF-8", 1);
	if (mem) {
		/* drop the XML declaration line, as libvirt's files have none */
		const char *p = (const char *)mem;

		if (!strncmp(p, "<?xml", 5) && strchr(p, '\n'))
			p = strchr(p, '\n') + 1;
		out = xm_strdup(p);
		xmlFree(mem);
	}
	xmlFreeDoc(doc);
	return out;
}

/* ---- parsing ---- */

static xmlNodePtr
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
static char *
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

static char *
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

/* Build "driver:source,vdev[:cdrom],mode" from a libvirt <disk>. */
static char *
xml_disk_spec(xmlNodePtr d)
{
	xmlNodePtr drv = xml_find(d, "driver"), src = xml_find(d, "source");
	char *name = xml_attr(drv, "name"), *type = xml_attr(drv, "type");
	char *dev = xml_attr(xml_find(d, "target"), "dev");
	char *file = xml_attr(src, "dev"), *device = xml_attr(d, "device");
	const char *mode = xml_find(d, "readonly")    ? "r"
			   : xml_find(d, "shareable") ? "w!"
						      : "w";
	struct xmbuf b = {0};

	if (!file)
		file = xml_attr(src, "file");
	if (name && !strcmp(name, "qemu")) {
		/* libvirt's driver for xl's qdisk: xl's syntax, target last */
		xmbuf_printf(&b, "format=%s,vdev=%s,access=%s%s%s%s",
			     type ? type : "raw", dev ? dev : "",
			     mode[0] == 'r' ? "ro" : "rw",
			     device && !strcmp(device, "cdrom")
				     ? ",devtype=cdrom"
				     : "",
			     file ? ",target=" : "", file ? file : "");
	} else if (name && (!strcmp(name, "tap") || !strcmp(name, "tap2")))
		xmbuf_printf(&b, "%s:%s:", name,
			     type && strcmp(type, "raw") ? type : "aio");
	else if (name && file)
		xmbuf_printf(&b, "%s:", name);
	if (!name || strcmp(name, "qemu"))
		xmbuf_printf(&b, "%s,%s%s,%s", file ? file : "", dev ? dev : "",
			     device && !strcmp(device, "cdrom") ? ":cdrom" : "",
			     mode);
	xmbuf_put(&b, "", 1);
	free(name);
	free(type);
	free(dev);
	free(file);
	free(device);
	if (b.failed) {
		xmbuf_free(&b);
		return NULL;
	}
	return b.data;
}

static char *
xml_vif_spec(xmlNodePtr n)
{
	static const struct {
		const char *elem, *attr, *key;
	} map[] = {
		{"mac", "address", "mac"},    {"source", "bridge", "bridge"},
		{"script", "path", "script"}, {"target", "dev", "vifname"},
		{"model", "type", "model"},   {NULL, NULL, NULL},
	};
	struct xmbuf b = {0};
	xmlNodePtr c;
	char *v;
	size_t i;
	bool ip = false;

	for (i = 0; map[i].elem; i++) {
		v = xml_attr(xml_find(n, map[i].elem), map[i].attr);
		if (v)
			xmbuf_printf(&b, "%s%s=%s", b.len ? "," : "",
				     map[i].key, v);
		free(v);
	}
	for (c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE ||
		    xmlStrcmp(c->name, BAD_CAST "ip"))
			continue;
		v = xml_attr(c, "address");
		if (v)
			xmbuf_printf(&b, "%s%s",
				     ip      ? " "
				     : b.len ? ",ip="
					     : "ip=",
				     v);
		ip = true;
		free(v);
	}
	return xmbuf_finish(&b);
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

struct xml_list {
	char **v;
	size_t n;
};

static int
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

/* What the parts of xmcfg_from_xml share: the document's landmarks, the
 * domain being filled and the device specs collected for the end. */
struct xml_in {
	xmlNodePtr root;
	xmlNodePtr os;
	xmlNodePtr meta; /* <xmtools:config> under <metadata>, or NULL */
	struct xmcfg_domain *dom;
	struct xml_list disks, vifs;
	struct xmcfg_error *err;
};

static int xml_fail(struct xml_in *in, enum xmcfg_errcode code, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));

/* Fill in->err (never with a file or line: XML has none we could name). */
static int
xml_fail(struct xml_in *in, enum xmcfg_errcode code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xmerr_vset(in->err, code, NULL, 0, fmt, ap);
	va_end(ap);
	return -1;
}

static int
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

/* libvirt's <devices> as disk and vif specs, when our metadata (which has
 * them as written) is absent. */
static int
xml_read_devices(struct xml_in *in)
{
	xmlNodePtr n = xml_find(in->root, "devices"), c;

	if (in->meta || !n)
		return 0;
	for (c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!xmlStrcmp(c->name, BAD_CAST "disk") &&
		    xml_push(&in->disks, xml_disk_spec(c)) < 0)
			return xml_nomem(in);
		if (!xmlStrcmp(c->name, BAD_CAST "interface") &&
		    xml_push(&in->vifs, xml_vif_spec(c)) < 0)
			return xml_nomem(in);
	}
	return 0;
}

/* The collected disk and vif specs, parsed as a config's would be. */
static int
xml_parse_devices(struct xml_in *in)
{
	struct xmcfg_domain *dom = in->dom;
	char msg[512];
	size_t i;

	if (in->disks.n > XMCFG_MAX_DISKS || in->vifs.n > XMCFG_MAX_VIFS)
		return xml_fail(in, XMCFG_EXML, "too many devices");
	dom->disks = calloc(in->disks.n + 1, sizeof(*dom->disks));
	dom->vifs = calloc(in->vifs.n + 1, sizeof(*dom->vifs));
	if (!dom->disks || !dom->vifs)
		return xml_nomem(in);
	for (i = 0; i < in->disks.n; i++) {
		if (xmdisk_parse(in->disks.v[i], &dom->disks[i], msg,
				 sizeof(msg)) < 0)
			return xml_fail(in, XMCFG_EXML, "disk[%zu]: %s", i,
					msg);
		dom->ndisks = i + 1;
		xmdisk_set_guest_dev(&dom->disks[i], i);
	}
	for (i = 0; i < in->vifs.n; i++) {
		if (xmvif_parse(in->vifs.v[i], &dom->vifs[i], msg,
				sizeof(msg)) < 0)
			return xml_fail(in, XMCFG_EXML, "vif[%zu]: %s", i, msg);
		dom->nvifs = i + 1;
	}
	return 0;
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
