/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_list.c: xm list: xm's table, xend's SXP (--long), and XML (--xml). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "rpc.h"
#include "sxp.h"
#include "xm.h"

/* xm list --state=NAME: the state letter each name selects. */
static const struct {
	const char *name;
	char letter;
} list_states[] = {
	{"running", 'r'},  {"blocked", 'b'}, {"paused", 'p'},
	{"shutdown", 's'}, {"crashed", 'c'}, {"dying", 'd'},
};

struct list_opts {
	bool lng;
	bool xml;
	const char *state;
};

/* Does dom match a designator: name, decimal id or uuid (xmd's order). */
static bool
list_matches(const struct xmlrpc_value *dom, const char *want)
{
	char id[32];

	snprintf(id, sizeof(id), "%lld", (long long)rpc_int(dom, "domid", -1));
	return strcmp(want, id) == 0 ||
	       strcmp(want, rpc_str(dom, "name", "")) == 0 ||
	       strcmp(want, rpc_str(dom, "uuid", "")) == 0;
}

static bool
list_state_ok(const struct xmlrpc_value *dom, const char *state)
{
	const char *s = rpc_str(dom, "state", "------");
	size_t i;

	if (state == NULL || strcmp(state, "all") == 0)
		return true;
	if (strcmp(state, "halted") == 0)
		return rpc_int(dom, "domid", -1) < 0;
	for (i = 0; i < sizeof(list_states) / sizeof(list_states[0]); i++)
		if (strcmp(list_states[i].name, state) == 0)
			return strchr(s, list_states[i].letter) != NULL;
	return false;
}

/* The rows of xm_brief_list, format string as in xm's main.py. */
static void
list_brief(const struct xmlrpc_value **doms, size_t n)
{
	char id[32];
	size_t i;

	printf("%-40s %5s %5s %5s %10s %9s\n", "Name", "ID", "Mem", "VCPUs",
	       "State", "Time(s)");
	for (i = 0; i < n; i++) {
		const struct xmlrpc_value *d = doms[i];
		int64_t vcpus = rpc_int(d, "online_vcpus", -1);

		if (vcpus <= 0 || rpc_int(d, "domid", -1) < 0)
			vcpus = rpc_int(d, "vcpus", 0);
		snprintf(id, sizeof(id), "%lld",
			 (long long)rpc_int(d, "domid", -1));
		printf("%-40s %5s %5d %5d %10s %8.1f\n",
		       rpc_str(d, "name", "??"), id,
		       (int)rpc_int(d, "memory", 0), (int)vcpus,
		       rpc_str(d, "state", "------"),
		       rpc_double(d, "cpu_time", 0.0));
	}
}

/* Text of the first element called name below n (depth first), or NULL;
 * free with xmlFree. */
static xmlChar *
list_xml_find(xmlNode *n, const char *name)
{
	xmlChar *found;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrcmp(n->name, BAD_CAST name) == 0)
			return xmlNodeGetContent(n);
		found = list_xml_find(n->children, name);
		if (found != NULL)
			return found;
	}
	return NULL;
}

/* (image (linux ...)) from the domain XML the daemon returns with detail
 * (libxmcfg's format: os/kernel, os/initrd, os/cmdline, metadata root and
 * extra), read with libxml2 so xm does not need libxmcfg. */
static void
list_long_image(struct sxp_writer *w, const struct xmlrpc_value *d)
{
	static const struct {
		const char *element;
		const char *sxp;
	} fields[] = {
		{"kernel", "kernel"}, {"initrd", "ramdisk"},  {"root", "root"},
		{"extra", "args"},    {"cmdline", "cmdline"},
	};
	const char *xml = rpc_str(d, "config", NULL);
	xmlDoc *doc;
	size_t i;

	if (xml == NULL || xml[0] == '\0')
		return;
	doc = xmlReadMemory(xml, (int)strlen(xml), "config.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
				    XML_PARSE_NOWARNING);
	if (doc == NULL)
		return;
	sxp_open(w, "image");
	sxp_open(w, "linux");
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		xmlChar *v = list_xml_find(xmlDocGetRootElement(doc),
					   fields[i].element);

		if (v != NULL)
			sxp_leaf(w, fields[i].sxp, (const char *)v);
		xmlFree(v);
	}
	sxp_close(w);
	sxp_close(w);
	xmlFreeDoc(doc);
}

/* (device (vbd ...)) and (device (vif ...)) from the struct's arrays. */
static void
list_long_devices(struct sxp_writer *w, const struct xmlrpc_value *d)
{
	const struct xmlrpc_value *a;
	size_t i;

	a = xmlrpc_struct_get(d, "disks");
	for (i = 0; i < xmlrpc_array_len(a); i++) {
		const struct xmlrpc_value *x = xmlrpc_array_get(a, i);

		sxp_open(w, "device");
		sxp_open(w, "vbd");
		sxp_leaf(w, "uname", rpc_str(x, "uname", ""));
		sxp_leaf(w, "dev", rpc_str(x, "vdev", ""));
		sxp_leaf(w, "mode", rpc_str(x, "mode", ""));
		sxp_leaf(w, "guest_dev", rpc_str(x, "guest_dev", ""));
		sxp_close(w);
		sxp_close(w);
	}
	a = xmlrpc_struct_get(d, "vifs");
	for (i = 0; i < xmlrpc_array_len(a); i++) {
		const struct xmlrpc_value *x = xmlrpc_array_get(a, i);
		static const char *const keys[] = {"mac", "bridge", "vifname",
						   "ip",  "script", "model"};
		size_t k;

		sxp_open(w, "device");
		sxp_open(w, "vif");
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (rpc_str(x, keys[k], "")[0] != '\0')
				sxp_leaf(w, keys[k], rpc_str(x, keys[k], ""));
		sxp_close(w);
		sxp_close(w);
	}
}

/* xend's XendDomainInfo.sxpr() as PrettyPrint showed it; the only line
 * containing "status" is (status N) (the ocf:heartbeat:Xen agent greps it). */
static void
list_long(const struct xmlrpc_value **doms, size_t n)
{
	struct sxp_writer w;
	size_t i;

	sxp_init(&w, stdout);
	for (i = 0; i < n; i++) {
		const struct xmlrpc_value *d = doms[i];

		sxp_open(&w, "domain");
		sxp_leaf_int(&w, "domid", rpc_int(d, "domid", -1));
		sxp_leaf(&w, "uuid", rpc_str(d, "uuid", ""));
		sxp_leaf_int(&w, "vcpus", rpc_int(d, "vcpus", 0));
		sxp_leaf_int(&w, "online_vcpus", rpc_int(d, "online_vcpus", 0));
		sxp_leaf(&w, "name", rpc_str(d, "name", ""));
		sxp_leaf_int(&w, "memory", rpc_int(d, "memory", 0));
		sxp_leaf_int(&w, "maxmem", rpc_int(d, "maxmem", 0));
		sxp_leaf(&w, "on_poweroff", rpc_str(d, "on_poweroff", ""));
		sxp_leaf(&w, "on_reboot", rpc_str(d, "on_reboot", ""));
		sxp_leaf(&w, "on_crash", rpc_str(d, "on_crash", ""));
		list_long_image(&w, d);
		list_long_devices(&w, d);
		sxp_leaf_int(&w, "status", rpc_dom_status(d));
		sxp_leaf(&w, "state", rpc_str(d, "state", "------"));
		sxp_leaf(&w, "shutdown_reason",
			 rpc_str(d, "shutdown_reason", ""));
		if (rpc_str(d, "pause_reason", "")[0])
			sxp_leaf(&w, "pause_reason",
				 rpc_str(d, "pause_reason", ""));
		sxp_leaf_double(&w, "cpu_time", rpc_double(d, "cpu_time", 0));
		sxp_leaf_double(&w, "start_time",
				rpc_double(d, "start_time", 0));
		sxp_leaf_double(&w, "up_time", rpc_double(d, "uptime", 0));
		sxp_leaf(&w, "console_log", rpc_str(d, "console_log", ""));
		sxp_leaf_int(&w, "managed", rpc_bool(d, "managed", false));
		sxp_close(&w);
	}
}

static void
list_xml_text(const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", stdout);
			break;
		case '>':
			fputs("&gt;", stdout);
			break;
		case '&':
			fputs("&amp;", stdout);
			break;
		case '"':
			fputs("&quot;", stdout);
			break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' ||
			    *s == '\t')
				putchar(*s);
			break;
		}
	}
}

/* A value as XML: struct members become elements, array items <item>. */
static void
list_xml_value(const char *tag, const struct xmlrpc_value *v, int depth)
{
	size_t i;

	printf("%*s<%s>", depth * 2, "", tag);
	switch (v->type) {
	case XMLRPC_INT:
	case XMLRPC_I8:
		printf("%lld", (long long)v->u.i);
		break;
	case XMLRPC_BOOL:
		printf("%d", v->u.b ? 1 : 0);
		break;
	case XMLRPC_DOUBLE:
		printf("%.3f", v->u.d);
		break;
	case XMLRPC_STRING:
		list_xml_text(v->u.str.s);
		break;
	case XMLRPC_STRUCT:
		putchar('\n');
		for (i = 0; i < v->u.st.n; i++)
			list_xml_value(v->u.st.members[i].name,
				       v->u.st.members[i].value, depth + 1);
		printf("%*s", depth * 2, "");
		break;
	case XMLRPC_ARRAY:
		putchar('\n');
		for (i = 0; i < v->u.arr.n; i++)
			list_xml_value("item", v->u.arr.items[i], depth + 1);
		printf("%*s", depth * 2, "");
		break;
	case XMLRPC_NIL:
		break;
	}
	printf("</%s>\n", tag);
}

static void
list_xml(const struct xmlrpc_value **doms, size_t n, bool lng)
{
	size_t i, k;

	printf("<?xml version=\"1.0\"?>\n<domains>\n");
	for (i = 0; i < n; i++) {
		const struct xmlrpc_value *d = doms[i];

		printf("  <domain>\n");
		for (k = 0; k < d->u.st.n; k++) {
			const char *name = d->u.st.members[k].name;

			if (!lng && strcmp(name, "config") == 0)
				continue;
			list_xml_value(name, d->u.st.members[k].value, 2);
		}
		printf("    <status>%d</status>\n", rpc_dom_status(d));
		printf("  </domain>\n");
	}
	printf("</domains>\n");
}

static int
list_parse(int argc, char **argv, struct list_opts *o)
{
	static const struct option longopts[] = {
		{"long", no_argument, NULL, 'l'},
		{"xml", no_argument, NULL, 'x'},
		{"state", required_argument, NULL, 's'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "lx", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			o->lng = true;
			break;
		case 'x':
			o->xml = true;
			break;
		case 's':
			o->state = optarg;
			break;
		default:
			xm_err("option %s not recognized", argv[optind - 1]);
			return -1;
		}
	}
	if (o->state != NULL && optind < argc) {
		xm_err("You may specify either a state or a particular VM, "
		       "but not both");
		return -1;
	}
	return 0;
}

int
cmd_list(int argc, char **argv)
{
	struct xmlrpc_value *all = NULL, *one = NULL;
	const struct xmlrpc_value **sel = NULL;
	struct list_opts o;
	size_t i, j, n = 0, total;
	int rc;

	if (list_parse(argc, argv, &o) < 0)
		return xm_usage("list");
	/* the brief list asks for the brief structs only (an xmd from before
	 * ignores the third parameter) */
	rc = rpc_call(&all, "xend.domains", "bbb", (int)o.lng, 1,
		      (int)(!o.lng && !o.xml));
	if (rc != XM_EXIT_OK)
		goto out;
	rc = XM_EXIT_ERR;
	if (all == NULL || all->type != XMLRPC_ARRAY) {
		xm_err("xmd: xend.domains: unexpected answer");
		goto out;
	}
	total = xmlrpc_array_len(all);
	sel = calloc(total + 1, sizeof(*sel));
	if (sel == NULL)
		goto out;
	if (optind >= argc) {
		for (i = 0; i < total; i++)
			if (list_state_ok(xmlrpc_array_get(all, i), o.state))
				sel[n++] = xmlrpc_array_get(all, i);
	}
	for (j = optind; j < (size_t)argc; j++) {
		bool found = false;

		for (i = 0; i < total && !found; i++) {
			if (list_matches(xmlrpc_array_get(all, i), argv[j])) {
				sel[n++] = xmlrpc_array_get(all, i);
				found = true;
			}
		}
		if (!found) {
			/* let xmd say it (fault 3 -> exit 3) */
			rc = rpc_call(&one, "xend.domain", "s", argv[j]);
			if (rc != XM_EXIT_OK)
				goto out;
			xm_err("Domain '%s' does not exist.", argv[j]);
			rc = XM_EXIT_NODOM;
			goto out;
		}
		if (n >= total)
			break;
	}
	if (o.xml)
		list_xml(sel, n, o.lng);
	else if (o.lng)
		list_long(sel, n);
	else
		list_brief(sel, n);
	rc = fflush(stdout) == 0 ? XM_EXIT_OK : XM_EXIT_ERR;
out:
	free(sel);
	xmlrpc_free(one);
	xmlrpc_free(all);
	return rc;
}
