/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xm.c: the xm command line: command table, unique-prefix lookup, help. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xm.h"

static int cmd_help(int argc, char **argv);

/* The command table, in the order `xm help` lists it (xm's all_commands). */
static const struct xm_cmd xm_cmds[] = {
	{"console", cmd_console, "[-q|--quiet] <Domain>",
	 "Attach to <Domain>'s console.", true},
	{"create", cmd_create, "<ConfigFile> [options] [vars]",
	 "Create a domain based on <ConfigFile>.", true},
	{"new", cmd_new, "<ConfigFile> [options] [vars]",
	 "Adds a domain to Xend domain management", true},
	{"delete", cmd_delete, "<DomainName>",
	 "Remove a domain from Xend domain management.", true},
	{"destroy", cmd_destroy, "<Domain>", "Terminate a domain immediately.",
	 true},
	{"domid", cmd_domid, "<DomainName>",
	 "Convert a domain name to domain id.", false},
	{"domname", cmd_domname, "<DomId>",
	 "Convert a domain id to domain name.", false},
	{"help", cmd_help, "", "Display this message.", true},
	{"list", cmd_list, "[options] [Domain, ...]",
	 "List information about all/some domains.", true},
	{"mem-set", cmd_mem_set, "<Domain> <Mem>",
	 "Set the current memory usage for a domain.", true},
	{"pause", cmd_pause, "<Domain>", "Pause execution of a domain.", true},
	{"reboot", cmd_reboot, "<Domain> [-wa]", "Reboot a domain.", true},
	{"rename", cmd_rename, "<Domain> <NewDomainName>", "Rename a domain.",
	 false},
	{"shutdown", cmd_shutdown, "<Domain> [-waRH]", "Shutdown a domain.",
	 true},
	{"start", cmd_start, "<DomainName>", "Start a Xend managed domain",
	 true},
	{"trigger", cmd_trigger, "<Domain> <power|nmi|reset|init> [<VCPU>]",
	 "Send a trigger to a domain.", false},
	{"unpause", cmd_unpause, "<Domain>", "Unpause a paused domain.", true},
	{"uptime", cmd_uptime, "[-s] <Domain>", "Print uptime for a domain.",
	 true},
	{"vcpu-list", cmd_vcpu_list, "[<Domain>]",
	 "List the VCPUs for a domain or all domains.", false},
	{"vcpu-set", cmd_vcpu_set, "<Domain> <vCPUs>",
	 "Set the number of active VCPUs for allowed for the domain.", true},
	{"dmesg", cmd_dmesg, "[-c|--clear]",
	 "Read and/or clear Xend's message buffer.", false},
	{"info", cmd_info, "", "Get information about Xen host.", false},
	{"log", cmd_log, "", "Print Xend log", false},
	{"block-list", cmd_block_list, "<Domain> [--long]",
	 "List virtual block devices for a domain.", false},
	{"network-list", cmd_network_list, "<Domain> [--long]",
	 "List virtual network interfaces for a domain.", false},
};

/* xm's aliases (old command names kept working). */
static const struct {
	const char *alias;
	const char *name;
} xm_aliases[] = {
	{"balloon", "mem-set"},
	{"set-vcpus", "vcpu-set"},
	{"vif-list", "network-list"},
	{"vbd-list", "block-list"},
};

static const struct xm_cmd *
xm_find_exact(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(xm_cmds); i++)
		if (strcmp(xm_cmds[i].name, name) == 0)
			return &xm_cmds[i];
	return NULL;
}

/* xm_lookup_cmd: exact name, alias, then a prefix (two characters or more)
 * that matches exactly one command. */
static const struct xm_cmd *
xm_lookup(const char *name)
{
	const struct xm_cmd *found = xm_find_exact(name);
	size_t i, len = strlen(name);

	if (found != NULL)
		return found;
	for (i = 0; i < ARRAY_SIZE(xm_aliases); i++)
		if (strcmp(xm_aliases[i].alias, name) == 0)
			return xm_find_exact(xm_aliases[i].name);
	if (len < 2)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(xm_cmds); i++) {
		if (strncmp(xm_cmds[i].name, name, len) != 0)
			continue;
		if (found != NULL)
			return NULL; /* ambiguous */
		found = &xm_cmds[i];
	}
	return found;
}

static void
xm_print_list(bool common_only)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(xm_cmds); i++)
		if (!common_only || xm_cmds[i].common)
			printf(" %-20s %s\n", xm_cmds[i].name, xm_cmds[i].desc);
	printf("\n<Domain> can either be the Domain Name or Id.\n"
	       "For more help on 'xm' see the xm(1) man page.\n"
	       "For more help on 'xm create' see the xmdomain.cfg(5)  man "
	       "page.\n");
}

static void
xm_short_help(void)
{
	printf("Usage: xm <subcommand> [args]\n\n"
	       "Control, list, and manipulate Xen guest instances.\n\n"
	       "Common 'xm' commands:\n\n");
	xm_print_list(true);
	printf("For a complete list of subcommands run 'xm help'.\n");
}

static void
xm_long_help(void)
{
	printf("Usage: xm <subcommand> [args]\n\n"
	       "Control, list, and manipulate Xen guest instances.\n\n"
	       "xm full list of subcommands:\n\n");
	xm_print_list(false);
}

/* Usage of one command; the per-command options are in xm(1). */
static void
xm_cmd_help(const struct xm_cmd *cmd)
{
	printf("Usage: xm %s %s\n\n%s\n", cmd->name, cmd->args, cmd->desc);
}

int
xm_usage(const char *name)
{
	const struct xm_cmd *cmd = name != NULL ? xm_lookup(name) : NULL;

	if (cmd != NULL)
		xm_cmd_help(cmd);
	else
		xm_short_help();
	return XM_EXIT_USAGE;
}

static int
cmd_help(int argc, char **argv)
{
	const struct xm_cmd *cmd;

	if (argc < 2) {
		xm_long_help();
		return XM_EXIT_OK;
	}
	cmd = xm_lookup(argv[1]);
	if (cmd == NULL) {
		xm_short_help();
		return XM_EXIT_OK;
	}
	xm_cmd_help(cmd);
	return XM_EXIT_OK;
}

int
main(int argc, char **argv)
{
	const struct xm_cmd *cmd;

	if (argc < 2) {
		xm_short_help();
		return XM_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		xm_long_help();
		return XM_EXIT_OK;
	}
	cmd = xm_lookup(argv[1]);
	if (cmd == NULL) {
		xm_err("Subcommand %s not found!", argv[1]);
		xm_short_help();
		return XM_EXIT_USAGE;
	}
	if (argc == 3 &&
	    (strcmp(argv[2], "-h") == 0 || strcmp(argv[2], "--help") == 0)) {
		xm_cmd_help(cmd);
		return XM_EXIT_OK;
	}
	argv[1] = (char *)cmd->name;
	return cmd->run(argc - 1, argv + 1);
}
