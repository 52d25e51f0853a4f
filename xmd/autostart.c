/* SPDX-License-Identifier: GPL-2.0-or-later */
/* autostart.c: xendomains-style auto-start of the configs in
 * <root>/etc/xen/auto, evaluated by libxmcfg in its sandboxed child. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "util.h"
#include "xmd.h"

static int
autostart_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
autostart_result(struct xmlrpc_value *result, const char *file,
		 const char *name, const char *error)
{
	struct xmlrpc_value *st;

	if (!result)
		return;
	st = xmlrpc_struct();
	if (xmlrpc_struct_set(st, "file", xmlrpc_string(file)) < 0 ||
	    xmlrpc_struct_set(st, "name", xmlrpc_string(name)) < 0 ||
	    xmlrpc_struct_set(st, "error", xmlrpc_string(error)) < 0 ||
	    xmlrpc_array_append(result, st) < 0)
		log_err("autostart: out of memory");
}

static void
autostart_one(struct xmd *x, const char *path, struct xmlrpc_value *result)
{
	const char *const search[] = {x->etc_dir, NULL};
	struct xmcfg_options opts = {.search_path = search};
	struct xmcfg_domain *cfg = NULL;
	struct xmcfg_error err;
	char msg[2048], name[XMHV_NAME_MAX];
	int code;

	if (xmcfg_load(path, NULL, 0, &opts, &cfg, &err) < 0) {
		xmcfg_error_format(&err, msg, sizeof(msg));
		log_err("autostart: %s", msg);
		autostart_result(result, path, "", msg);
		return;
	}
	XMD_STRLCPY(name, cfg->name ? cfg->name : "");
	if (domains_find_name(x, name)) {
		log_info("autostart: domain %s already exists", name);
		xmcfg_domain_free(cfg);
		autostart_result(result, path, name, "");
		return;
	}
	code = domains_create(x, cfg, false, false, NULL, msg, sizeof(msg));
	if (code) {
		log_err("autostart: %s", msg);
		autostart_result(result, path, name, msg);
		return;
	}
	log_info("autostart: domain %s: starting (%s)", name, path);
	autostart_result(result, path, name, "");
}

void
autostart_run(struct xmd *x, struct xmlrpc_value *result)
{
	char dir[PATH_MAX], path[PATH_MAX], **names = NULL, **nn;
	size_t n = 0, i;
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (util_snprintf(dir, sizeof(dir), "%s/auto", x->etc_dir) < 0)
		return;
	d = opendir(dir);
	if (!d) {
		if (errno != ENOENT)
			log_err("autostart: %s: %s", dir, strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || n >= 4096)
			continue;
		nn = realloc(names, (n + 1) * sizeof(*names));
		if (!nn)
			break;
		names = nn;
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), autostart_cmp);
	for (i = 0; i < n; i++) {
		if (util_snprintf(path, sizeof(path), "%s/%s", dir, names[i]) ==
			    0 &&
		    stat(path, &st) == 0 && S_ISREG(st.st_mode))
			autostart_one(x, path, result);
		free(names[i]);
	}
	free(names);
}
