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

/* The options of each command, as xm(1) lists them: what the command's
 * own parser accepts (cmd_*.c). xm new takes create's but the first two
 * (-c, -p). */
static const struct xm_opt xm_opts_create[] = {
	{"-c", "--console_autoconnect",
	 "Attach the console: the domain is created paused, the console "
	 "attached, then the domain unpaused, so no output is missed."},
	{"-p", "--paused", "Leave the domain paused (see unpause)."},
	{"-n", "--dryrun",
	 "Do not start anything: print the normalised configuration as "
	 "xend's S-expression. No daemon is needed."},
	{"-x", "--xmldryrun",
	 "Do not start anything: print the domain XML the daemon would "
	 "receive."},
	{NULL, "--xml", "With -n: print the domain XML, not SXP."},
	{"-f FILE", "--defconfig=FILE",
	 "The configuration file, as an option."},
	{"-F FILE", "--config=FILE", "The same as -f."},
	{NULL, "--path=DIR:DIR",
	 "Search these directories for a bare config name."},
	{"-q", "--quiet", "Do not print the config file and started lines."},
	{"-s", "--skipdtd", "Accepted and ignored (there is no DTD)."},
	{NULL, NULL, NULL},
};
#define XM_OPTS_NEW (xm_opts_create + 2)

static const struct xm_opt xm_opts_start[] = {
	{"-p", "--paused", "Do not unpause the domain after starting it."},
	{"-c", "--console_autoconnect",
	 "Attach the console from the first byte of output."},
	{NULL, NULL, NULL},
};

static const struct xm_opt xm_opts_console[] = {
	{"-q", "--quiet", "Print nothing when the domain does not exist."},
	{NULL, NULL, NULL},
};

static const struct xm_opt xm_opts_shutdown[] = {
	{"-w", "--wait",
	 "Wait until the domain no longer runs (a preserved domain counts "
	 "as stopped)."},
	{"-a", "--all", "Shut down every domain."},
	{"-R", "--reboot", "Reboot instead."},
	{"-H", "--halt", "Halt (shut down without reboot)."},
	{NULL, NULL, NULL},
};

static const struct xm_opt xm_opts_reboot[] = {
	{"-w", "--wait",
	 "Wait for the reboot (under on_reboot='restart' the domain comes "
	 "back with a new id)."},
	{"-a", "--all", "Reboot every domain."},
	{NULL, NULL, NULL},
};

static const struct xm_opt xm_opts_list[] = {
	{"-l", "--long", "Print each domain as xend's S-expression (SXP)."},
	{"-x", "--xml", "Print the same information as XML."},
	{NULL, "--state=STATE",
	 "Only domains in STATE: running, blocked, paused, shutdown, "
	 "crashed, dying, halted or all."},
	{NULL, NULL, NULL},
};

static const struct xm_opt xm_opts_uptime[] = {
	{"-s", NULL, "Short output, one line per domain as uptime(1)."},
	{NULL, NULL, NULL},
};

static const struct xm_opt xm_opts_dmesg[] = {
	{"-c", "--clear",
	 "Refused: the messages are xmd's log file, which is not cleared."},
	{NULL, NULL, NULL},
};

static const struct xm_opt xm_opts_devices[] = {
	{"-l", "--long", "List the devices as SXP."},
	{NULL, NULL, NULL},
};

/* The command table, in the order `xm help` lists it (xm's all_commands). */
static const struct xm_cmd xm_cmds[] = {
	{"console", cmd_console, "[-q|--quiet] <Domain>",
	 "Attach to <Domain>'s console.", true, xm_opts_console},
	{"create", cmd_create, "<ConfigFile> [options] [vars]",
	 "Create a domain based on <ConfigFile>.", true, xm_opts_create},
	{"new", cmd_new, "<ConfigFile> [options] [vars]",
	 "Adds a domain to Xend domain management", true, XM_OPTS_NEW},
	{"delete", cmd_delete, "<DomainName>",
	 "Remove a domain from Xend domain management.", true, NULL},
	{"destroy", cmd_destroy, "<Domain>", "Terminate a domain immediately.",
	 true, NULL},
	{"domid", cmd_domid, "<DomainName>",
	 "Convert a domain name to domain id.", false, NULL},
	{"domname", cmd_domname, "<DomId>",
	 "Convert a domain id to domain name.", false, NULL},
	{"help", cmd_help, "", "Display this message.", true, NULL},
	{"list", cmd_list, "[options] [Domain, ...]",
	 "List information about all/some domains.", true, xm_opts_list},
	{"mem-set", cmd_mem_set, "<Domain> <Mem>",
	 "Set the current memory usage for a domain.", true, NULL},
	{"pause", cmd_pause, "<Domain>", "Pause execution of a domain.", true,
	 NULL},
	{"reboot", cmd_reboot, "<Domain> [-wa]", "Reboot a domain.", true,
	 xm_opts_reboot},
	{"rename", cmd_rename, "<Domain> <NewDomainName>", "Rename a domain.",
	 false, NULL},
	{"shutdown", cmd_shutdown, "<Domain> [-waRH]", "Shutdown a domain.",
	 true, xm_opts_shutdown},
	{"start", cmd_start, "[-p] [-c] <DomainName>",
	 "Start a Xend managed domain", true, xm_opts_start},
	{"trigger", cmd_trigger, "<Domain> <power|nmi|reset|init> [<VCPU>]",
	 "Send a trigger to a domain.", false, NULL},
	{"unpause", cmd_unpause, "<Domain>", "Unpause a paused domain.", true,
	 NULL},
	{"uptime", cmd_uptime, "[-s] <Domain>", "Print uptime for a domain.",
	 true, xm_opts_uptime},
	{"vcpu-list", cmd_vcpu_list, "[<Domain>]",
	 "List the VCPUs for a domain or all domains.", false, NULL},
	{"vcpu-set", cmd_vcpu_set, "<Domain> <vCPUs>",
	 "Set the number of active VCPUs for allowed for the domain.", true,
	 NULL},
	{"dmesg", cmd_dmesg, "[-c|--clear]",
	 "Read and/or clear Xend's message buffer.", false, xm_opts_dmesg},
	{"info", cmd_info, "", "Get information about Xen host.", false, NULL},
	{"log", cmd_log, "", "Print Xend log", false, NULL},
	{"block-attach", cmd_block_attach,
	 "<Domain> <BackDev> <FrontDev> <Mode> [BackDomain]",
	 "Create a new virtual block device.", true, NULL},
	{"block-detach", cmd_block_detach, "<Domain> <DevId> [-f|--force]",
	 "Destroy a domain's virtual block device.", true, NULL},
	{"block-list", cmd_block_list, "<Domain> [--long]",
	 "List virtual block devices for a domain.", false, xm_opts_devices},
	{"network-list", cmd_network_list, "<Domain> [--long]",
	 "List virtual network interfaces for a domain.", false,
	 xm_opts_devices},
	{"network-attach", cmd_network_attach,
	 "<Domain> [type=<type>] [mac=<mac>] [bridge=<bridge>] [ip=<ip>] "
	 "[script=<script>] [backend=<BackDomain>] [vifname=<name>] "
	 "[rate=<rate>] [model=<model>] [accel=<accel>]",
	 "Create a new virtual network device.", false, NULL},
	{"network-detach", cmd_network_detach,
	 "<Domain> <DevId|mac> [-f|--force]",
	 "Destroy a domain's virtual network device.", false, NULL},
	{"network-show", cmd_network_show, "[<Network>]",
	 "List the managed networks (/etc/xen/networks).", false, NULL},
	{"network-start", cmd_network_start, "<Network>",
	 "Start a managed network.", false, NULL},
	{"network-stop", cmd_network_stop, "<Network>",
	 "Stop a managed network and restore the host.", false, NULL},
};

/* xm's aliases (old command names kept working). */
static const struct {
	const char *alias;
	const char *name;
} xm_aliases[] = {
	{"balloon", "mem-set"},         {"set-vcpus", "vcpu-set"},
	{"vif-list", "network-list"},   {"vbd-list", "block-list"},
	{"vbd-create", "block-attach"}, {"vbd-destroy", "block-detach"},
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

/* Print text from column 33 up to column 76, wrapped at spaces, as xm's
 * cmdHelp wrapped option descriptions (textwrap.wrap(desc, 43)); the first
 * line continues the current one. */
static void
xm_wrap(const char *text)
{
	const int width = 43;
	int len, line = 0;

	while (*text != '\0') {
		len = (int)strcspn(text, " ");
		if (line > 0 && line + 1 + len > width) {
			printf("\n%33s", "");
			line = 0;
		} else if (line > 0) {
			putchar(' ');
			line++;
		}
		printf("%.*s", len, text);
		line += len;
		text += len;
		text += strspn(text, " ");
	}
	putchar('\n');
}

/* Usage of one command and its options, as xm's cmdHelp printed them:
 * "  -c, --console_autoconnect      Attach ..." */
static void
xm_cmd_help(const struct xm_cmd *cmd)
{
	const struct xm_opt *o;
	char names[64];

	printf("Usage: xm %s %s\n\n%s\n", cmd->name, cmd->args, cmd->desc);
	if (cmd->opts == NULL)
		return;
	printf("\nOptions:\n");
	for (o = cmd->opts; o->desc != NULL; o++) {
		snprintf(names, sizeof(names), "%s%s%s",
			 o->shortopt != NULL ? o->shortopt : "",
			 o->shortopt != NULL && o->longopt != NULL ? ", " : "",
			 o->longopt != NULL ? o->longopt : "");
		if (strlen(names) > 30)
			printf("  %s\n%33s", names, "");
		else
			printf("  %-30s ", names);
		xm_wrap(o->desc);
	}
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
