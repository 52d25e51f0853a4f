/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xm_help.c: what the built xm says on its own, without a daemon: every
 * command's help from the command table, and the no-daemon message. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli_run.h"
#include "tap.h"
#include "util.h"

/* Every command's help, from the command table: the usage, then one row
 * per option xm(1) lists ("|"-separated first columns), the same for `xm
 * help CMD` and `xm CMD --help`; no row for what the command refuses. */
static const struct {
	const char *cmd;
	const char *opts;
} cli_help[] = {
	{"console", "-q, --quiet"},
	{"create", "-c, --console_autoconnect|-p, --paused|-n, --dryrun|"
		   "-x, --xmldryrun|--xml|-f FILE, --defconfig=FILE|"
		   "-F FILE, --config=FILE|--path=DIR:DIR|-q, --quiet|"
		   "-s, --skipdtd"},
	{"new", "-n, --dryrun|-x, --xmldryrun|--xml|-f FILE, --defconfig=FILE|"
		"-F FILE, --config=FILE|--path=DIR:DIR|-q, --quiet|"
		"-s, --skipdtd"},
	{"delete", ""},
	{"destroy", ""},
	{"domid", ""},
	{"domname", ""},
	{"help", ""},
	{"list", "-l, --long|-x, --xml|--state=STATE"},
	{"mem-set", ""},
	{"pause", ""},
	{"reboot", "-w, --wait|-a, --all"},
	{"rename", ""},
	{"shutdown", "-w, --wait|-a, --all|-R, --reboot|-H, --halt"},
	{"start", "-p, --paused|-c, --console_autoconnect"},
	{"trigger", ""},
	{"unpause", ""},
	{"uptime", "-s"},
	{"vcpu-list", ""},
	{"vcpu-set", ""},
	{"dmesg", "-c, --clear"},
	{"info", ""},
	{"log", ""},
	{"block-list", "-l, --long"},
	{"network-list", "-l, --long"},
};

/* Whether out has the option rows of opts and no other, all within 80
 * columns. */
static bool
cli_help_rows(const char *out, const char *opts)
{
	char want[512], row[128], *tok, *save = NULL;
	size_t rows = 0, n = 0, len;
	const char *p;

	for (p = out; (p = strstr(p, "\n  -")) != NULL; p++)
		rows++;
	for (p = out; *p != '\0'; p += len + (p[len] != '\0')) {
		len = strcspn(p, "\n");
		if (len > 80)
			return false;
	}
	snprintf(want, sizeof(want), "%s", opts);
	for (tok = strtok_r(want, "|", &save); tok != NULL;
	     tok = strtok_r(NULL, "|", &save), n++) {
		snprintf(row, sizeof(row), "\n  %s ", tok);
		if (strstr(out, row) == NULL)
			return false;
	}
	return rows == n && (n > 0) == (strstr(out, "\nOptions:\n") != NULL);
}

static void
test_help(const char *empty)
{
	char first[sizeof(cli_out)], head[64];
	size_t i;
	bool same = true, rows = true;

	for (i = 0; i < ARRAY_SIZE(cli_help); i++) {
		snprintf(head, sizeof(head), "Usage: xm %s ", cli_help[i].cmd);
		if (RUN(empty, "help", cli_help[i].cmd) != 0 ||
		    strncmp(cli_out, head, strlen(head)) != 0 ||
		    !cli_help_rows(cli_out, cli_help[i].opts)) {
			tap_diag("xm help %s:\n%s", cli_help[i].cmd, cli_out);
			rows = false;
		}
		memcpy(first, cli_out, sizeof(first));
		if (RUN(empty, cli_help[i].cmd, "--help") != 0 ||
		    strcmp(first, cli_out) != 0) {
			tap_diag("xm %s --help differs", cli_help[i].cmd);
			same = false;
		}
	}
	tap_ok(rows,
	       "xm help CMD: the usage and every option xm(1) lists, "
	       "for all %zu commands",
	       ARRAY_SIZE(cli_help));
	tap_ok(same, "xm CMD --help prints the same");
	tap_is_int(RUN(empty, "create", "-h"), 0, "xm create -h exits 0");
	tap_ok(strstr(cli_out,
		      "\n  -c, --console_autoconnect      Attach the "
		      "console: the domain is created\n"
		      "                                 paused,") != NULL,
	       "an option row: names in 30 columns, its text wrapped at 76");
	tap_is_int(RUN(empty, "help", "nosuchcmd"), 0,
		   "xm help of an unknown command: the short help, 0");
	tap_ok(strstr(cli_out, "Common 'xm' commands") != NULL,
	       "... as before");
}

/* No daemon: the socket is named once, and the fix is the xmd that xm
 * would talk to (on XMD_ROOT when it is set). */
static void
test_no_daemon(const char *empty)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char want[2048], root[512];
	int s;

	snprintf(want, sizeof(want),
		 "Error: Unable to connect to xmd: %s/run/xmd/xmlrpc.sock: No "
		 "such file or directory. Is xmd running? Start it with: xmd "
		 "--root %s\n",
		 empty, empty);
	tap_is_int(RUN(empty, "list"), 1, "no daemon: exit 1");
	if (!tap_ok(strcmp(cli_err, want) == 0,
		    "no daemon: the socket once, and `xmd --root $XMD_ROOT`"))
		tap_diag("got %s", cli_err);
	snprintf(root, sizeof(root), "%s/it's here", cli_tmp);
	RUN(root, "list");
	tap_ok(strstr(cli_err, "Start it with: xmd --root '") != NULL &&
		       strstr(cli_err, "/it'\\''s here'\n") != NULL,
	       "... XMD_ROOT quoted for the shell when it needs it");
	/* a socket nobody listens on: xmd died */
	snprintf(root, sizeof(root), "%s/stale", cli_tmp);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (util_snprintf(sa.sun_path, sizeof(sa.sun_path),
			  "%s/run/xmd/xmlrpc.sock", root) == 0 &&
	    util_snprintf(want, sizeof(want), "%s/run/xmd", root) == 0 &&
	    util_mkdir_p(want, 0755) == 0 && s >= 0 &&
	    bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		close(s);
		s = -1;
		snprintf(want, sizeof(want),
			 "Error: Unable to connect to xmd: %s: Connection "
			 "refused. Is xmd running? Start it with: xmd --root "
			 "%s\n",
			 sa.sun_path, root);
		tap_is_int(RUN(root, "list"), 1, "stale socket: exit 1");
		tap_ok(strcmp(cli_err, want) == 0,
		       "stale socket: named once, refused, the same fix");
	} else {
		tap_skip("cannot bind a socket: %s", strerror(errno));
		tap_skip("cannot bind a socket");
	}
	if (s >= 0)
		close(s);
	if (access("/run/xmd/xmlrpc.sock", F_OK) == 0) {
		tap_skip("this host runs an xmd on /run/xmd");
		return;
	}
	RUN(NULL, "list");
	tap_ok(strcmp(cli_err, "Error: Unable to connect to xmd: "
			       "/run/xmd/xmlrpc.sock: No such file or "
			       "directory. Is xmd running? Start it with: xmd "
			       "(or systemctl start xmd)\n") == 0,
	       "without XMD_ROOT: `xmd (or systemctl start xmd)`");
}

int
main(void)
{
	char empty[512], cmd[600];

	snprintf(cli_tmp, sizeof(cli_tmp), "/tmp/xm_help.XXXXXX");
	if (mkdtemp(cli_tmp) == NULL)
		tap_skip_all("mkdtemp: %s", strerror(errno));
	if (access(XM_BINARY, X_OK) < 0)
		tap_skip_all("%s not built", XM_BINARY);
	snprintf(empty, sizeof(empty), "%s/empty", cli_tmp);
	test_help(empty);
	test_no_daemon(empty);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cli_tmp);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", cli_tmp);
	return tap_done();
}
