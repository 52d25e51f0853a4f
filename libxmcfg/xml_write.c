/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xml_write.c: a domain as libvirt-style domain XML (libxml2); what
 * libvirt has no element for goes under <metadata><xmtools:config>. The
 * way back is xml_read.c. */
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
