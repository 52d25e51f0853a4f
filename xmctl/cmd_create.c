/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_create.c: xm create and xm new: evaluate a config with libxmcfg as
 * the calling user, print it (dry run) or hand it to xmd. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc.h"
#include "util.h"
#include "xm.h"
#include "xmcfg.h"

#define CREATE_MAX_VARS 256
#define CREATE_MAX_PATH 64

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
	int c, i;

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
	for (i = optind; i < argc; i++) {
		xm_err("Invalid argument: %s", argv[i]);
		return -EINVAL;
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

/* The config search path: --path, else xm's default plus XMD_ROOT's
 * etc/xen when the daemon is relocated. Fills dirs (NULL-terminated) out
 * of storage; returns the array to pass or NULL for the library default. */
static const char *const *
create_search_path(const struct create_opts *o, char *storage, size_t size,
		   const char *dirs[CREATE_MAX_PATH])
{
	size_t n = 0;
	char *p, *save = NULL;

	if (o->path != NULL) {
		if (util_strlcpy(storage, o->path, size) < 0)
			return NULL;
		dirs[n++] = "";
		for (p = strtok_r(storage, ":", &save);
		     p != NULL && n < CREATE_MAX_PATH - 1;
		     p = strtok_r(NULL, ":", &save))
			dirs[n++] = p;
		dirs[n] = NULL;
		return dirs;
	}
	if (getenv("XMD_ROOT") == NULL)
		return NULL;
	if (xm_root_path(storage, size, "etc/xen") < 0)
		return NULL;
	dirs[n++] = "";
	dirs[n++] = ".";
	dirs[n++] = storage;
	dirs[n] = NULL;
	return dirs;
}

/* Evaluate the config; prints "Using config file" and warnings. Returns 0
 * and *dom_out, or -1 after printing "Error: FILE:LINE: message". */
static int
create_load(const struct create_opts *o, struct xmcfg_domain **dom_out)
{
	struct xmcfg_options opts = {0};
	struct xmcfg_error err;
	const char *dirs[CREATE_MAX_PATH];
	char storage[PATH_MAX], found[PATH_MAX], msg[8192];
	struct xmcfg_domain *dom = NULL;
	size_t i;

	memset(&err, 0, sizeof(err));
	opts.search_path =
		create_search_path(o, storage, sizeof(storage), dirs);
	if (xmcfg_find(o->file, &opts, found, sizeof(found), &err) < 0) {
		xm_err("%s", xmcfg_error_format(&err, msg, sizeof(msg)));
		return -1;
	}
	if (!o->quiet)
		printf("Using config file \"%s\".\n", found);
	fflush(stdout);
	if (xmcfg_load(found, o->vars, o->nvars, &opts, &dom, &err) < 0) {
		xm_err("%s", xmcfg_error_format(&err, msg, sizeof(msg)));
		return -1;
	}
	for (i = 0; i < dom->nwarnings; i++)
		fprintf(stderr, "Warning: %s\n", dom->warnings[i]);
	if (dom->root_rewritten != NULL && dom->root != NULL)
		fprintf(stderr,
			"Note: root \"%s\" is \"%s\" in the guest (virtio "
			"disks are vda, vdb, ... in config order)\n",
			dom->root, dom->root_rewritten);
	*dom_out = dom;
	return 0;
}

/* xm create -n: the normalised config as SXP (or domain XML). */
static int
create_dryrun(const struct create_opts *o, const struct xmcfg_domain *dom)
{
	char *text = o->xml ? xmcfg_to_xml(dom) : xmcfg_format_sxp(dom);
	size_t len;

	if (text == NULL) {
		xm_err("cannot format the configuration: %s", strerror(ENOMEM));
		return XM_EXIT_ERR;
	}
	len = strlen(text);
	fputs(text, stdout);
	if (len == 0 || text[len - 1] != '\n')
		putchar('\n');
	free(text);
	return XM_EXIT_OK;
}

/* Hand the domain to xmd: created paused when a console must attach from
 * the first byte (or -p), then attached and unpaused. */
static int
create_start(const struct create_opts *o, const struct xmcfg_domain *dom)
{
	struct xmlrpc_value *res = NULL;
	char *xml = xmcfg_to_xml(dom);
	char *name = NULL;
	int rc;

	if (xml == NULL) {
		xm_err("cannot serialise the configuration: %s",
		       strerror(ENOMEM));
		return XM_EXIT_ERR;
	}
	rc = rpc_call(&res, "xend.domain.create", "sb", xml,
		      (int)(o->paused || o->console));
	if (rc != XM_EXIT_OK)
		goto out;
	name = strdup(rpc_str(res, "name", dom->name != NULL ? dom->name : ""));
	if (name == NULL) {
		rc = XM_EXIT_ERR;
		goto out;
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
	free(xml);
	return rc;
}

int
cmd_create(int argc, char **argv)
{
	struct create_opts o;
	struct xmcfg_domain *dom = NULL;
	int rc = XM_EXIT_ERR;

	if (create_parse(argc, argv, true, &o) < 0)
		return xm_usage("create");
	if (create_load(&o, &dom) < 0)
		goto out;
	if (o.dryrun)
		rc = create_dryrun(&o, dom);
	else
		rc = create_start(&o, dom);
out:
	xmcfg_domain_free(dom);
	return rc;
}

/* xm new: store the config in xmd as a managed domain. */
int
cmd_new(int argc, char **argv)
{
	struct create_opts o;
	struct xmcfg_domain *dom = NULL;
	char *xml = NULL;
	int rc = XM_EXIT_ERR;

	if (create_parse(argc, argv, false, &o) < 0)
		return xm_usage("new");
	if (create_load(&o, &dom) < 0)
		goto out;
	if (o.dryrun) {
		rc = create_dryrun(&o, dom);
		goto out;
	}
	xml = xmcfg_to_xml(dom);
	if (xml == NULL) {
		xm_err("cannot serialise the configuration: %s",
		       strerror(ENOMEM));
		goto out;
	}
	rc = rpc_call(NULL, "xend.domain.new", "s", xml);
out:
	free(xml);
	xmcfg_domain_free(dom);
	return rc;
}
