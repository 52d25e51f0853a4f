/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xml_read_int.h: what the domain XML reader's parts (xml_read.c: the
 * domain's own elements; xml_read_dev.c: its devices) share. */
#ifndef XMCFG_XML_READ_INT_H
#define XMCFG_XML_READ_INT_H

#include <stddef.h>

#include <libxml/tree.h>

#include "internal.h"

/* malloc'd strings collected in order (xml_push). */
struct xml_list {
	char **v;
	size_t n;
};

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

/* The first child element of parent named name, or NULL (parent NULL
 * too). */
xmlNodePtr xml_find(xmlNodePtr parent, const char *name);

/* malloc'd copy of the text of parent's child element name, or NULL (no
 * such element, out of memory). */
char *xml_text(xmlNodePtr parent, const char *name);

/* malloc'd copy of n's attribute name, or NULL (n NULL, no such
 * attribute, out of memory). */
char *xml_attr(xmlNodePtr n, const char *name);

/* Append s (owned from here on; NULL: an allocation that failed) to l.
 * Returns 0 or -1 (out of memory; s freed). */
int xml_push(struct xml_list *l, char *s);

/* Fill in->err (never with a file or line: XML has none we could name).
 * Returns -1. */
int xml_fail(struct xml_in *in, enum xmcfg_errcode code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* in->err set to out of memory. Returns -1. */
int xml_nomem(struct xml_in *in);

/* libvirt's <devices> as disk and vif specs into in->disks and in->vifs,
 * when our metadata (which has them as written) is absent. Returns 0 or
 * -1 with in->err set. */
int xml_read_devices(struct xml_in *in);

/* The collected disk and vif specs parsed into in->dom's disks and vifs
 * as a config's would be. Returns 0 or -1 with in->err set. */
int xml_parse_devices(struct xml_in *in);

#endif
