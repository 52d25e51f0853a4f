/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_info.c: host-level commands: xm info, xm log, xm dmesg. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "rpc.h"
#include "util.h"
#include "xm.h"

/* The order xm info printed xend's node info in; any other field xmd sends
 * follows in its own order. */
static const char *const info_order[] = {
	"host",
	"release",
	"version",
	"machine",
	"nr_cpus",
	"nr_nodes",
	"cores_per_socket",
	"threads_per_core",
	"cpu_mhz",
	"hw_caps",
	"virt_caps",
	"total_memory",
	"free_memory",
	"node_to_cpu",
	"node_to_memory",
	"xen_major",
	"xen_minor",
	"xen_extra",
	"xen_caps",
	"xen_scheduler",
	"xen_pagesize",
	"platform_params",
	"xen_changeset",
	"cc_compiler",
	"cc_compile_by",
	"cc_compile_domain",
	"cc_compile_date",
	"xend_config_format",
};

static void
info_line(const char *key, const struct xmlrpc_value *v)
{
	char num[64];
	const char *s = num;

	switch (v->type) {
	case XMLRPC_INT:
	case XMLRPC_I8:
		snprintf(num, sizeof(num), "%lld", (long long)v->u.i);
		break;
	case XMLRPC_DOUBLE:
		snprintf(num, sizeof(num), "%g", v->u.d);
		break;
	case XMLRPC_BOOL:
		snprintf(num, sizeof(num), "%d", v->u.b ? 1 : 0);
		break;
	case XMLRPC_STRING:
		s = v->u.str.s;
		break;
	default:
		return; /* no nested values in xm info */
	}
	printf("%-23s: %s\n", key, s);
}

static bool
info_ordered(const char *key)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(info_order); i++)
		if (strcmp(info_order[i], key) == 0)
			return true;
	return false;
}

int
cmd_info(int argc, char **argv)
{
	struct xmlrpc_value *info = NULL, *v;
	size_t i;
	int rc;

	if (argc != 1) {
		xm_err("'xm info' requires 0 arguments.\n");
		return xm_usage(argv[0]);
	}
	rc = rpc_call(&info, "xend.node.info", "");
	if (rc != XM_EXIT_OK)
		return rc;
	if (info == NULL || info->type != XMLRPC_STRUCT) {
		xm_err("xmd: xend.node.info: unexpected answer");
		xmlrpc_free(info);
		return XM_EXIT_ERR;
	}
	for (i = 0; i < ARRAY_SIZE(info_order); i++) {
		v = xmlrpc_struct_get(info, info_order[i]);
		if (v != NULL)
			info_line(info_order[i], v);
	}
	for (i = 0; i < info->u.st.n; i++)
		if (!info_ordered(info->u.st.members[i].name))
			info_line(info->u.st.members[i].name,
				  info->u.st.members[i].value);
	xmlrpc_free(info);
	return XM_EXIT_OK;
}

static int
info_print_log(void)
{
	struct xmlrpc_value *log = NULL;
	const char *s;
	int rc;

	rc = rpc_call(&log, "xend.node.log", "");
	if (rc != XM_EXIT_OK)
		return rc;
	if (xmlrpc_get_string(log, &s) == 0) {
		fputs(s, stdout);
		if (s[0] != '\0' && s[strlen(s) - 1] != '\n')
			putchar('\n');
	}
	xmlrpc_free(log);
	return XM_EXIT_OK;
}

int
cmd_log(int argc, char **argv)
{
	if (argc != 1) {
		xm_err("'xm log' requires 0 arguments.\n");
		return xm_usage(argv[0]);
	}
	return info_print_log();
}

/* Xen's dmesg was the hypervisor's message buffer; here the hypervisor
 * layer is the per-domain monitors, whose events xmd logs, so dmesg shows
 * that log. Clearing it is not offered. */
int
cmd_dmesg(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"clear", no_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "c", longopts, NULL)) != -1) {
		if (c == 'c') {
			xm_err("xm dmesg --clear is not supported: the "
			       "messages are xmd's log file");
			return XM_EXIT_ERR;
		}
		xm_err("option %s not recognized", argv[optind - 1]);
		return xm_usage(argv[0]);
	}
	if (optind != argc)
		return xm_usage(argv[0]);
	return info_print_log();
}
