/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_create.c: xm create and xm new: the config is evaluated by xm-config
 * (cfg_main.c, libxmcfg) as the calling user, then handed to xmd. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rpc.h"
#include "util.h"
#include "xm.h"

#define CREATE_MAX_VARS 256
/* The descriptor on which xm-config hands back the domain XML. */
#define CREATE_XML_FD 3

/* What the command line asked for. */
struct create_opts {
	const char *file; /* config name or path */
	const char *vars[CREATE_MAX_VARS];
	size_t nvars;
	const char *path; /* --path=DIR:DIR */
	bool dryrun;
	bool xml; /* --xml / -x: domain XML instead of SXP */
	bool console;
	bool paused;
	bool quiet;
};

enum {
	CREATE_OPT_PATH = 0x100,
	CREATE_OPT_XML,
};

static const struct option create_longopts[] = {
	{"console_autoconnect", no_argument, NULL, 'c'},
	{"paused", no_argument, NULL, 'p'},
	{"dryrun", no_argument, NULL, 'n'},
	{"xmldryrun", no_argument, NULL, 'x'},
	{"xml", no_argument, NULL, CREATE_OPT_XML},
	{"quiet", no_argument, NULL, 'q'},
	{"defconfig", required_argument, NULL, 'f'},
	{"config", required_argument, NULL, 'F'},
	{"path", required_argument, NULL, CREATE_OPT_PATH},
	{"skipdtd", no_argument, NULL, 's'},
	{NULL, 0, NULL, 0},
};

/* Options anywhere (GNU getopt permutes), VAR=VALUE anywhere, the first
 * other word is the config unless -f named it. Returns 0 or -EINVAL after
 * printing the reason. */
static int
create_parse(int argc, char **argv, bool allow_console, struct create_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:cpnxqf:F:s", create_longopts,
				NULL)) != -1 ||
	       optind < argc) {
		if (c == -1) {
			/* a non-option word: take it, then go on parsing */
			const char *w = argv[optind++];

			if (strchr(w, '=') != NULL) {
				if (o->nvars == CREATE_MAX_VARS) {
					xm_err("too many VAR=VALUE arguments");
					return -EINVAL;
				}
				o->vars[o->nvars++] = w;
			} else if (o->file == NULL) {
				o->file = w;
			} else {
				xm_err("Invalid argument: %s", w);
				return -EINVAL;
			}
			continue;
		}
		switch (c) {
		case 'c':
			if (!allow_console)
				goto bad;
			o->console = true;
			break;
		case 'p':
			if (!allow_console)
				goto bad;
			o->paused = true;
			break;
		case 'n':
			o->dryrun = true;
			break;
		case 'x':
		case CREATE_OPT_XML:
			o->dryrun = c == 'x' ? true : o->dryrun;
			o->xml = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'f':
		case 'F':
			if (o->file != NULL && strcmp(o->file, optarg) != 0) {
				xm_err("two config files given: %s and %s",
				       o->file, optarg);
				return -EINVAL;
			}
			o->file = optarg;
			break;
		case CREATE_OPT_PATH:
			o->path = optarg;
			break;
		case 's':
			break; /* xm's --skipdtd: there is no DTD step here */
		case ':':
			xm_err("option %s requires an argument",
			       argv[optind - 1]);
			return -EINVAL;
		default:
			goto bad;
		}
	}
	if (o->file == NULL) {
		xm_err("No configuration file given");
		return -EINVAL;
	}
	return 0;
bad:
	xm_err("option %s not recognized", argv[optind - 1]);
	return -EINVAL;
}

/* Where xm-config is: beside this xm (a build tree), else installed. */
static int
create_helper(char *buf, size_t size)
{
	return util_helper_path("xm-config", XM_LIBEXECDIR, "xm-config", buf,
				size);
}

/* Run xm-config on the config: it prints "Using config file", warnings
 * and errors itself. With xml_out NULL (dry run) xm becomes xm-config
 * (exec, no return on success); otherwise the domain XML comes back on a
 * pipe into *xml_out (malloc'd). Returns an exit status. */
static int
create_eval(const struct create_opts *o, char **xml_out)
{
	const char *argv[CREATE_MAX_VARS + 16];
	char helper[PATH_MAX], fdarg[16];
	int pfd[2] = {-1, -1}, st, rc = XM_EXIT_ERR;
	size_t n = 0, i, len = 0, cap = 0;
	char *xml = NULL;
	pid_t pid;

	if (create_helper(helper, sizeof(helper)) < 0) {
		xm_err("xm-config: path too long");
		return XM_EXIT_ERR;
	}
	argv[n++] = helper;
	if (o->quiet)
		argv[n++] = "-q";
	if (o->dryrun)
		argv[n++] = "-n";
	if (o->xml)
		argv[n++] = "-x";
	if (o->path != NULL) {
		argv[n++] = "-p";
		argv[n++] = o->path;
	}
	if (xml_out != NULL) {
		if (pipe2(pfd, O_CLOEXEC) < 0) {
			xm_err("pipe: %s", strerror(errno));
			return XM_EXIT_ERR;
		}
		snprintf(fdarg, sizeof(fdarg), "%d", CREATE_XML_FD);
		argv[n++] = "-o";
		argv[n++] = fdarg;
	}
	argv[n++] = "--";
	argv[n++] = o->file;
	for (i = 0; i < o->nvars; i++)
		argv[n++] = o->vars[i];
	argv[n] = NULL;
	fflush(stdout);
	if (xml_out == NULL) {
		/* a dry run is all xm-config's: become it */
		execv(helper, (char *const *)argv);
		xm_err("%s: %s", helper, strerror(errno));
		return XM_EXIT_ERR;
	}
	pid = fork();
	if (pid < 0) {
		xm_err("fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		if (pfd[1] == CREATE_XML_FD)
			(void)!util_set_cloexec(pfd[1], false);
		else if (pfd[1] >= 0 && dup2(pfd[1], CREATE_XML_FD) < 0)
			_exit(XM_EXIT_ERR);
		execv(helper, (char *const *)argv);
		fprintf(stderr, "Error: %s: %s\n", helper, strerror(errno));
		_exit(XM_EXIT_ERR);
	}
	if (pfd[1] >= 0) {
		close(pfd[1]);
		pfd[1] = -1;
	}
	while (pfd[0] >= 0) {
		ssize_t r;

		if (len + 4096 + 1 > cap) {
			char *grown = realloc(xml, cap + 65536);

			if (grown == NULL)
				break;
			xml = grown;
			cap += 65536;
		}
		r = read(pfd[0], xml + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		rc = WIFEXITED(st) ? WEXITSTATUS(st) : XM_EXIT_ERR;
		goto out;
	}
	if (xml_out != NULL) {
		if (xml == NULL || len == 0) {
			xm_err("xm-config returned no configuration");
			goto out;
		}
		xml[len] = '\0';
		*xml_out = xml;
		xml = NULL;
	}
	rc = XM_EXIT_OK;
out:
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	free(xml);
	return rc;
}

/* Hand the domain to xmd: created paused when a console must attach from
 * the first byte (or -p), then attached and unpaused. */
static int
create_start(const struct create_opts *o, const char *xml)
{
	struct xmlrpc_value *res = NULL;
	char *name = NULL;
	int rc;

	rc = rpc_call(&res, "xend.domain.create", "sb", xml,
		      (int)(o->paused || o->console));
	if (rc != XM_EXIT_OK)
		goto out;
	name = strdup(rpc_str(res, "name", ""));
	if (name == NULL) {
		rc = XM_EXIT_ERR;
		goto out;
	}
	if (!o->quiet && rpc_str(res, "boot_entry", "")[0]) {
		/* "ENTRY" or "ENTRY\nWarning: WHY" (xmd/bootdisk.c) */
		const char *b = rpc_str(res, "boot_entry", "");
		const char *w = strstr(b, "\nWarning: ");

		printf("Booting %.*s\n", w ? (int)(w - b) : (int)strlen(b), b);
		if (w)
			fprintf(stderr, "%s\n", w + 1);
	}
	if (!o->quiet)
		printf("Started domain %s (id=%lld)\n", name,
		       (long long)rpc_int(res, "domid", -1));
	fflush(stdout);
	if (o->console)
		rc = console_boot(name, o->paused);
out:
	free(name);
	xmlrpc_free(res);
	return rc;
}

int
cmd_create(int argc, char **argv)
{
	struct create_opts o;
	char *xml = NULL;
	int rc;

	if (create_parse(argc, argv, true, &o) < 0)
		return xm_usage("create");
	rc = create_eval(&o, o.dryrun ? NULL : &xml);
	if (rc == XM_EXIT_OK && !o.dryrun)
		rc = create_start(&o, xml);
	free(xml);
	return rc;
}

/* xm new: store the config in xmd as a managed domain. */
int
cmd_new(int argc, char **argv)
{
	struct create_opts o;
	char *xml = NULL;
	int rc;

	if (create_parse(argc, argv, false, &o) < 0)
		return xm_usage("new");
	rc = create_eval(&o, o.dryrun ? NULL : &xml);
	if (rc == XM_EXIT_OK && !o.dryrun)
		rc = rpc_call(NULL, "xend.domain.new", "s", xml);
	free(xml);
	return rc;
}
