/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_network.c: xm network-attach and network-detach (xm's syntax), and
 * the managed NAT networks: network-show, network-start, network-stop. */
#include <stdio.h>
#include <string.h>

#include "rpc.h"
#include "util.h"
#include "xm.h"

/* The keys xm network-attach took. */
static const char *const network_keys[] = {
	"type",    "mac",  "bridge", "ip",    "script", "backend",
	"vifname", "rate", "model",  "accel", "mtu",    "devid",
};

int
cmd_network_attach(int argc, char **argv)
{
	char spec[4096];
	size_t o = 0, k;
	int i, n;

	if (argc < 2) {
		xm_err("'xm network-attach' requires at least 1 argument.\n");
		return xm_usage(argv[0]);
	}
	spec[0] = '\0';
	for (i = 2; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');

		for (k = 0; eq && k < ARRAY_SIZE(network_keys); k++)
			if (strlen(network_keys[k]) == (size_t)(eq - argv[i]) &&
			    !strncmp(network_keys[k], argv[i],
				     (size_t)(eq - argv[i])))
				break;
		if (!eq || !eq[1] || k == ARRAY_SIZE(network_keys) ||
		    strchr(argv[i], ',')) {
			xm_err("Invalid argument: %s", argv[i]);
			return xm_usage(argv[0]);
		}
		n = snprintf(spec + o, sizeof(spec) - o, "%s%s", o ? "," : "",
			     argv[i]);
		if (n < 0 || (size_t)n >= sizeof(spec) - o) {
			xm_err("arguments too long");
			return XM_EXIT_ERR;
		}
		o += (size_t)n;
	}
	return rpc_call(NULL, "xend.domain.device_create", "ss", argv[1], spec);
}

int
cmd_network_detach(int argc, char **argv)
{
	bool force = argc == 4 &&
		     (!strcmp(argv[3], "-f") || !strcmp(argv[3], "--force"));

	if (argc != 3 && !force) {
		xm_err("'xm network-detach' requires 2 arguments.\n");
		return xm_usage(argv[0]);
	}
	return rpc_call(NULL, "xend.domain.destroyDevice", "sssb", argv[1],
			"vif", argv[2], force);
}

int
cmd_network_show(int argc, char **argv)
{
	struct xmlrpc_value *nets = NULL;
	size_t i;
	int rc;

	if (argc > 2) {
		xm_err("'xm network-show' takes at most 1 argument.\n");
		return xm_usage(argv[0]);
	}
	rc = rpc_call(&nets, "xend.network.list", "");
	if (rc != XM_EXIT_OK)
		return rc;
	printf("%-12s %-10s %-18s %-8s %-5s %s\n", "Name", "Bridge", "Subnet",
	       "State", "NAT", "Domains");
	for (i = 0; i < xmlrpc_array_len(nets); i++) {
		const struct xmlrpc_value *n = xmlrpc_array_get(nets, i);
		const char *name = rpc_str(n, "name", "");

		if (argc == 2 && strcmp(argv[1], name))
			continue;
		if (!strcmp(rpc_str(n, "state", ""), "invalid")) {
			printf("%-12s invalid: %s\n", name,
			       rpc_str(n, "error", ""));
			continue;
		}
		printf("%-12s %-10s %-18s %-8s %-5s %s\n", name,
		       rpc_str(n, "bridge", ""), rpc_str(n, "subnet", ""),
		       rpc_str(n, "state", ""),
		       rpc_bool(n, "nat", false) ? "yes" : "no",
		       rpc_str(n, "domains", "")[0] ? rpc_str(n, "domains", "")
						    : "-");
	}
	xmlrpc_free(nets);
	return XM_EXIT_OK;
}

static int
network_startstop(int argc, char **argv, const char *method)
{
	if (argc != 2) {
		xm_err("'xm %s' requires 1 argument.\n", argv[0]);
		return xm_usage(argv[0]);
	}
	return rpc_call(NULL, method, "s", argv[1]);
}

int
cmd_network_start(int argc, char **argv)
{
	return network_startstop(argc, argv, "xend.network.start");
}

int
cmd_network_stop(int argc, char **argv)
{
	return network_startstop(argc, argv, "xend.network.stop");
}
