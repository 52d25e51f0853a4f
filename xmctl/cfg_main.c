/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cfg_main.c: xm-config, the part of xm create/new that evaluates a domain
 * config with libxmcfg (embedded CPython, in its sandboxed child). It is a
 * separate program so that every other xm command starts without loading
 * libpython. xm runs it as the calling user; its interface is internal:
 *
 *   xm-config [-q] [-n] [-x] [-p DIR:DIR] [-o FD] FILE [VAR=VALUE...]
 *
 * prints `Using config file "PATH".` (unless -q) and warnings, then with -n
 * the normalised config (SXP, or domain XML with -x) on stdout, and with
 * -o the domain XML on file descriptor FD. Errors: "Error: FILE:LINE:
 * message" on stderr, exit status 1. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bootdisk_cfg.h"
#include "util.h"
#include "xm.h"
#include "xmcfg.h"

#define CFG_MAX_PATH 64

struct cfg_opts {
	const char *file;
	const char *const *vars;
	size_t nvars;
	const char *path; /* -p DIR:DIR */
	bool quiet;
	bool dryrun;
	bool xml;
	int xml_fd; /* -o FD, or -1 */
};

/* The config search path: -p, else xm's default plus XMD_ROOT's etc/xen
 * when the daemon is relocated. Fills dirs (NULL-terminated) out of
 * storage; returns the array to pass, or NULL for the library default. */
static const char *const *
cfg_search_path(const struct cfg_opts *o, char *storage, size_t size,
		const char *dirs[CFG_MAX_PATH])
{
	size_t n = 0;
	char *p, *save = NULL;

	if (o->path != NULL) {
		if (util_strlcpy(storage, o->path, size) < 0)
			return NULL;
		dirs[n++] = "";
		for (p = strtok_r(storage, ":", &save);
		     p != NULL && n < CFG_MAX_PATH - 1;
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

/* What xmtools does with the config (libxmcfg's notes): "Note:" lines
 * (not with -q), "Warning:" lines, and in a dry run the reasons xm create
 * would refuse it. */
static void
cfg_notes(const struct cfg_opts *o, const char *file,
	  const struct xmcfg_domain *dom)
{
	const struct xmcfg_note *n;
	char where[PATH_MAX + 16];
	size_t i;

	for (i = 0; i < dom->nnotes; i++) {
		n = &dom->notes[i];
		if (n->level == XMCFG_NOTE_INFO && o->quiet)
			continue;
		if (n->line > 0)
			snprintf(where, sizeof(where), "%s:%d", file, n->line);
		else
			snprintf(where, sizeof(where), "%s", file);
		fprintf(stderr, "%s: %s: %s%s\n",
			n->level == XMCFG_NOTE_INFO ? "Note" : "Warning", where,
			n->message,
			n->level == XMCFG_NOTE_BLOCKER
				? " (xm create refuses this config)"
				: "");
	}
}

/* Evaluate the config; prints "Using config file" and warnings. Returns 0
 * and *dom_out, or -1 after printing "Error: FILE:LINE: message". */
static int
cfg_load(const struct cfg_opts *o, struct xmcfg_domain **dom_out)
{
	struct xmcfg_options opts = {0};
	struct xmcfg_error err;
	const char *dirs[CFG_MAX_PATH];
	char storage[PATH_MAX], found[PATH_MAX], msg[8192];
	struct xmcfg_domain *dom = NULL;
	size_t i;

	memset(&err, 0, sizeof(err));
	opts.search_path = cfg_search_path(o, storage, sizeof(storage), dirs);
	/* a dry run shows what cannot run yet; a create refuses it */
	opts.dry_run = o->dryrun;
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
	cfg_notes(o, found, dom);
	/* A dry run opens no files, as xm's did, but the source tree's demo
	 * config names a kernel that only `make install` creates: say which
	 * copy to use before the real create fails on it. */
	if (o->dryrun && dom->kernel != NULL &&
	    xmcfg_kernel_hint(dom->kernel) != NULL &&
	    access(dom->kernel, F_OK) < 0 && errno == ENOENT)
		fprintf(stderr, "Note: kernel %s does not exist: %s\n",
			dom->kernel, xmcfg_kernel_hint(dom->kernel));
	if (!o->quiet && dom->root_rewritten != NULL && dom->root != NULL)
		fprintf(stderr,
			"Note: root \"%s\" is \"%s\" in the guest (disks are "
			"virtio disks vda, vdb, ... in config order)\n",
			dom->root, dom->root_rewritten);
	*dom_out = dom;
	return 0;
}

static int
cfg_put(int fd, const char *text)
{
	size_t len = strlen(text);

	if (util_write_all(fd, text, len) < 0)
		return -1;
	if ((len == 0 || text[len - 1] != '\n') && util_write_all(fd, "\n", 1))
		return -1;
	return 0;
}

static int
cfg_parse(int argc, char **argv, struct cfg_opts *o)
{
	uint64_t fd;
	int c;

	memset(o, 0, sizeof(*o));
	o->xml_fd = -1;
	while ((c = getopt(argc, argv, "+qnxp:o:")) != -1) {
		switch (c) {
		case 'q':
			o->quiet = true;
			break;
		case 'n':
			o->dryrun = true;
			break;
		case 'x':
			o->xml = true;
			break;
		case 'p':
			o->path = optarg;
			break;
		case 'o':
			if (util_parse_u64(optarg, 1024, &fd) < 0)
				return -1;
			o->xml_fd = (int)fd;
			break;
		default:
			return -1;
		}
	}
	if (optind >= argc)
		return -1;
	o->file = argv[optind];
	o->vars = (const char *const *)argv + optind + 1;
	o->nvars = (size_t)(argc - optind - 1);
	return 0;
}

int
main(int argc, char **argv)
{
	struct xmcfg_domain *dom = NULL;
	struct cfg_opts o;
	char *text = NULL;
	int rc = XM_EXIT_ERR;

	if (cfg_parse(argc, argv, &o) < 0) {
		fprintf(stderr, "usage: xm-config [-q] [-n] [-x] [-p DIR:DIR] "
				"[-o FD] FILE [VAR=VALUE...] (run by xm "
				"create)\n");
		return XM_EXIT_USAGE;
	}
	if (cfg_load(&o, &dom) < 0)
		goto out;
	if (o.dryrun) {
		text = o.xml ? xmcfg_to_xml(dom) : xmcfg_format_sxp(dom);
		if (text == NULL || cfg_put(STDOUT_FILENO, text) < 0) {
			xm_err("cannot write the configuration");
			goto out;
		}
		free(text);
		text = NULL;
		if (!o.quiet) /* the entry pygrub would have chosen */
			bootdisk_dry_run(dom, stderr);
	}
	if (o.xml_fd >= 0) {
		text = xmcfg_to_xml(dom);
		if (text == NULL || cfg_put(o.xml_fd, text) < 0) {
			xm_err("cannot write the configuration");
			goto out;
		}
	}
	rc = XM_EXIT_OK;
out:
	free(text);
	xmcfg_domain_free(dom);
	return rc;
}
