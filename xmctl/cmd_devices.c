/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_devices.c: xm block-list and xm network-list. */
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

/* The kinds: table, domain struct array, SXP name. */
static const struct {
	const char *cmd;
	const char *array;
	const char *sxp;
	const struct devices_col *cols;
	size_t ncols;
} devices_kinds[] = {
	{"block-list", "disks", "vbd", devices_block_cols,
	 ARRAY_SIZE(devices_block_cols)},
	{"network-list", "vifs", "vif", devices_net_cols,
	 ARRAY_SIZE(devices_net_cols)},
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
