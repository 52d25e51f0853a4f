/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_managed.c: xm start and xm delete for managed domains (xm new is in
 * cmd_create.c beside xm create). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc.h"
#include "xm.h"

/* xm start [-p] [-c] NAME. */
int
cmd_start(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"paused", no_argument, NULL, 'p'},
		{"console_autoconnect", no_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	struct xmlrpc_value *res = NULL;
	bool paused = false, console = false;
	char *name = NULL;
	int c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "pc", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			paused = true;
			break;
		case 'c':
			console = true;
			break;
		default:
			xm_err("option %s not recognized", argv[optind - 1]);
			return xm_usage(argv[0]);
		}
	}
	if (optind + 1 != argc) {
		xm_err("'xm start' requires 1 argument.\n");
		return xm_usage(argv[0]);
	}
	rc = rpc_call(&res, "xend.domain.start", "sb", argv[optind],
		      (int)(paused || console));
	if (rc != XM_EXIT_OK)
		return rc;
	name = strdup(rpc_str(res, "name", argv[optind]));
	xmlrpc_free(res);
	if (name == NULL)
		return XM_EXIT_ERR;
	if (console)
		rc = console_boot(name, paused);
	free(name);
	return rc;
}

int
cmd_delete(int argc, char **argv)
{
	if (argc != 2) {
		xm_err("'xm delete' requires 1 argument.\n");
		return xm_usage(argv[0]);
	}
	return rpc_call(NULL, "xend.domain.delete", "s", argv[1]);
}
