/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xml_read_dev.c: the devices of libvirt-style domain XML read back into a
 * domain: libvirt's <disk> and <interface> turned into xm disk and vif
 * specs when our metadata is absent, and the specs parsed as a config's. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "internal.h"
#include "util.h"
#include "xml_read_int.h"

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

/* libvirt's <devices> as disk and vif specs, when our metadata (which has
 * them as written) is absent. */
int
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
int
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
