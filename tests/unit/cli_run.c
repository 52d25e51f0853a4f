/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli_run.c: runs the built xm binary for the xm unit tests (xm_cli,
 * xm_help): arguments, XMD_ROOT and stdin in, stdout and stderr out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_run.h"
#include "util.h"

char cli_tmp[256];
char cli_out[CLI_OUT_MAX], cli_err[CLI_OUT_MAX];
const char *cli_stdin = "/dev/null";

/* Run xm with args, XMD_ROOT=root (NULL: unset) and cli_stdin, in
 * cli_tmp; stdout and stderr into cli_out and cli_err. The exit status or
 * -1. */
int
cli_run(const char *root, const char *const *args)
{
	char outp[512], errp[512];
	const char *argv[32];
	size_t n = 0, len;
	char *data;
	pid_t pid;
	int st;

	argv[n++] = XM_BINARY;
	while (*args != NULL && n < 31)
		argv[n++] = *args++;
	argv[n] = NULL;
	snprintf(outp, sizeof(outp), "%s/out", cli_tmp);
	snprintf(errp, sizeof(errp), "%s/err", cli_tmp);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		FILE *i = freopen(cli_stdin, "r", stdin);
		FILE *o = freopen(outp, "w", stdout);
		FILE *e = freopen(errp, "w", stderr);

		if (i == NULL || o == NULL || e == NULL)
			_exit(127);
		if (chdir(cli_tmp) < 0)
			_exit(127);
		if (root != NULL)
			setenv("XMD_ROOT", root, 1);
		else
			unsetenv("XMD_ROOT");
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -1;
	cli_out[0] = cli_err[0] = '\0';
	if (util_read_file(outp, sizeof(cli_out) - 1, &data, &len) == 0) {
		memcpy(cli_out, data, len + 1);
		free(data);
	}
	if (util_read_file(errp, sizeof(cli_err) - 1, &data, &len) == 0) {
		memcpy(cli_err, data, len + 1);
		free(data);
	}
	return WEXITSTATUS(st);
}

/* Write text to cli_tmp/name, creating directories. 0 or -errno. */
int
cli_write(const char *name, const char *text)
{
	char path[512], *slash;

	snprintf(path, sizeof(path), "%s/%s", cli_tmp, name);
	slash = strrchr(path, '/');
	*slash = '\0';
	if (util_mkdir_p(path, 0755) < 0)
		return -1;
	*slash = '/';
	return util_write_file_atomic(path, text, strlen(text), 0644);
}
