/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_devices.c: xm block-list, block-attach, block-detach and
 * network-list. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "rpc.h"
#include "sxp.h"
#include "util.h"
#include "xm.h"

/* One column of a device table: struct field, header, width. */
struct devices_col {
	const char *field;
	const char *title;
	int width;
};

static const struct devices_col devices_block_cols[] = {
	{"vdev", "Vdev", 8},
	{"guest_dev", "Guest", 6},
	{"mode", "Mode", 4},
	{"uname", "Uname", 0},
};

static const struct devices_col devices_net_cols[] = {
	{"vifname", "Vifname", 12},
	{"mac", "Mac", 17},
	{"bridge", "Bridge", 10},
	{"model", "Model", 10},
	{"ip", "IP", 0},
};

/* The kinds: table, domain struct array, SXP name, and a field the long
 * form shows when the daemon sends it (a vif's datapath: vhost-net or
 * user, for a running domain). */
static const struct {
	const char *cmd;
	const char *array;
	const char *sxp;
	const struct devices_col *cols;
	size_t ncols;
	const char *long_extra;
} devices_kinds[] = {
	{"block-list", "disks", "vbd", devices_block_cols,
	 ARRAY_SIZE(devices_block_cols), NULL},
	{"network-list", "vifs", "vif", devices_net_cols,
	 ARRAY_SIZE(devices_net_cols), "datapath"},
};

static void
devices_row(const struct devices_col *cols, size_t ncols,
	    const struct xmlrpc_value *dev, size_t idx)
{
	size_t c;

	if (dev == NULL)
		printf("%-4s", "Idx");
	else
		printf("%-4zu", idx);
	for (c = 0; c < ncols; c++) {
		const char *s = dev == NULL ? cols[c].title
					    : rpc_str(dev, cols[c].field, "");

		if (s[0] == '\0')
			s = "-";
		if (cols[c].width > 0)
			printf(" %-*s", cols[c].width, s);
		else
			printf(" %s", s);
	}
	putchar('\n');
}

static int
devices_list(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"long", no_argument, NULL, 'l'},
		{NULL, 0, NULL, 0},
	};
	struct xmlrpc_value *d = NULL;
	const struct xmlrpc_value *arr;
	struct sxp_writer w;
	bool lng = false;
	size_t k, i, c;
	int opt, rc;

	for (k = 0; k < ARRAY_SIZE(devices_kinds); k++)
		if (strcmp(devices_kinds[k].cmd, argv[0]) == 0)
			break;
	if (k == ARRAY_SIZE(devices_kinds))
		return xm_usage(NULL);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "l", longopts, NULL)) != -1) {
		if (opt != 'l') {
			xm_err("option %s not recognized", argv[optind - 1]);
			return xm_usage(argv[0]);
		}
		lng = true;
	}
	if (optind + 1 != argc) {
		xm_err("'xm %s' requires 1 argument.\n", argv[0]);
		return xm_usage(argv[0]);
	}
	rc = rpc_call(&d, "xend.domain", "s", argv[optind]);
	if (rc != XM_EXIT_OK)
		return rc;
	arr = xmlrpc_struct_get(d, devices_kinds[k].array);
	sxp_init(&w, stdout);
	if (!lng)
		devices_row(devices_kinds[k].cols, devices_kinds[k].ncols, NULL,
			    0);
	for (i = 0; i < xmlrpc_array_len(arr); i++) {
		const struct xmlrpc_value *dev = xmlrpc_array_get(arr, i);

		if (!lng) {
			devices_row(devices_kinds[k].cols,
				    devices_kinds[k].ncols, dev, i);
			continue;
		}
		sxp_open(&w, devices_kinds[k].sxp);
		sxp_leaf_int(&w, "idx", (long long)i);
		for (c = 0; c < devices_kinds[k].ncols; c++)
			sxp_leaf(&w, devices_kinds[k].cols[c].field,
				 rpc_str(dev, devices_kinds[k].cols[c].field,
					 ""));
		if (devices_kinds[k].long_extra &&
		    rpc_str(dev, devices_kinds[k].long_extra, "")[0])
			sxp_leaf(&w, devices_kinds[k].long_extra,
				 rpc_str(dev, devices_kinds[k].long_extra, ""));
		sxp_close(&w);
	}
	xmlrpc_free(d);
	return XM_EXIT_OK;
}

int
cmd_block_list(int argc, char **argv)
{
	return devices_list(argc, argv);
}

int
cmd_network_list(int argc, char **argv)
{
	return devices_list(argc, argv);
}

/* xm block-attach DOM BACKDEV FRONTDEV MODE [BACKDOMAIN]: as Xen's xm,
 * xend.domain.device_create(dom, [vbd, [uname, ..], [dev, ..],
 * [mode, ..]]) (class tap or tap2 for such unames). */
int
cmd_block_attach(int argc, char **argv)
{
	static const char *const keys[] = {"uname", "dev", "mode"};
	struct xmlrpc_value *vbd, *pair;
	const char *cls = "vbd";
	int i, rc = 0;

	if (argc < 5 || argc > 6) {
		xm_err("'xm block-attach' requires between 4 and 5 "
		       "arguments.\n");
		return xm_usage(argv[0]);
	}
	if (argc == 6 && strcmp(argv[5], "0") != 0 &&
	    strcmp(argv[5], "Domain-0") != 0) {
		xm_err("block-attach: the backend domain is always Domain-0 "
		       "here, not %s",
		       argv[5]);
		return XM_EXIT_ERR;
	}
	if (strncmp(argv[2], "tap2:", 5) == 0)
		cls = "tap2";
	else if (strncmp(argv[2], "tap:", 4) == 0)
		cls = "tap";
	vbd = xmlrpc_array();
	rc |= xmlrpc_array_append(vbd, xmlrpc_string(cls));
	for (i = 0; i < 3; i++) {
		pair = xmlrpc_array();
		rc |= xmlrpc_array_append(pair, xmlrpc_string(keys[i]));
		rc |= xmlrpc_array_append(pair, xmlrpc_string(argv[2 + i]));
		rc |= xmlrpc_array_append(vbd, pair);
	}
	if (rc) {
		xmlrpc_free(vbd);
		xm_err("out of memory");
		return XM_EXIT_ERR;
	}
	return rpc_call(NULL, "xend.domain.device_create", "sv", argv[1], vbd);
}

/* xm block-detach DOM DEVID [-f|--force]: as Xen's xm,
 * xend.domain.destroyDevice(dom, class, dev, force, rm_cfg). */
int
cmd_block_detach(int argc, char **argv)
{
	bool force = false;

	if (argc < 3 || argc > 4) {
		xm_err("'xm block-detach' requires between 2 and 3 "
		       "arguments.\n");
		return xm_usage(argv[0]);
	}
	if (argc == 4) {
		force = strcmp(argv[3], "-f") == 0 ||
			strcmp(argv[3], "--force") == 0;
		if (!force)
			printf("Ignoring option %s\n", argv[3]);
	}
	return rpc_call(NULL, "xend.domain.destroyDevice", "sssbb", argv[1],
			"vbd", argv[2], (int)force, 1);
}
