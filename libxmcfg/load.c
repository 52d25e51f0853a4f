/* SPDX-License-Identifier: GPL-2.0-or-later */
/* load.c: libxmcfg's evaluating entry points: find a config, load one file
 * or a batch in one sandbox (py.c, embedded CPython in a child). Only
 * programs that evaluate configs pull this in, and with it libpython;
 * the domain, its XML and its checks (xmcfg.c, xml_write.c, xml_read.c, keys.c) do not. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "util.h"

#define XMCFG_MAX_FILE (1u << 20)
#define XMCFG_MAX_PATH 16 /* directories taken from XM_CONFIG_PATH */

static bool
xmcfg_is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* Resolve a config name as xm did: the name itself, then each directory of
 * the search path ('.', then $XEN_CONFIG_DIR or /etc/xen). */
int
xmcfg_find(const char *name_or_path, const struct xmcfg_options *opts,
	   char *buf, size_t buflen, struct xmcfg_error *err)
{
	const char *defaults[XMCFG_MAX_PATH + 3] = {"", ".", NULL};
	const char *const *path = opts ? opts->search_path : NULL;
	char cand[PATH_MAX + 8], list[PATH_MAX], *save = NULL, *d;
	const char *dir;
	size_t i, n = 2;

	if (!name_or_path || !*name_or_path) {
		xmerr_set(err, XMCFG_ENOENT, NULL, 0, "no config file given");
		return -1;
	}
	if (!path) {
		/* XM_CONFIG_PATH (DIR:DIR...) replaces the configuration
		 * directory; XEN_CONFIG_DIR moves it */
		dir = getenv("XM_CONFIG_PATH");
		if (dir && *dir && util_strlcpy(list, dir, sizeof(list)) == 0) {
			for (d = strtok_r(list, ":", &save);
			     d && n < XMCFG_MAX_PATH + 2;
			     d = strtok_r(NULL, ":", &save))
				defaults[n++] = d;
		} else {
			dir = getenv("XEN_CONFIG_DIR");
			defaults[n++] = dir && *dir ? dir : "/etc/xen";
		}
		defaults[n] = NULL;
		path = defaults;
	}
	for (i = 0; path[i]; i++) {
		if (name_or_path[0] == '/') {
			if (util_snprintf(cand, sizeof(cand), "%s",
					  name_or_path) < 0)
				break;
		} else if (!path[i][0] || !strcmp(path[i], ".")) {
			if (util_snprintf(cand, sizeof(cand), "%s%s",
					  strncmp(name_or_path, "./", 2) &&
							  strncmp(name_or_path,
								  "../", 3)
						  ? "./"
						  : "",
					  name_or_path) < 0)
				continue;
		} else if (util_snprintf(cand, sizeof(cand), "%s/%s", path[i],
					 name_or_path) < 0) {
			continue;
		}
		if (xmcfg_is_file(cand)) {
			if (util_strlcpy(buf, cand, buflen) < 0) {
				xmerr_set(err, XMCFG_ENOENT, name_or_path, 0,
					  "path too long");
				return -1;
			}
			return 0;
		}
		if (name_or_path[0] == '/')
			break;
	}
	xmerr_set(err, XMCFG_ENOENT, NULL, 0, "Unable to open config file: %s",
		  name_or_path);
	return -1;
}

static int
xmcfg_read(const char *path, char **text, size_t *len, struct xmcfg_error *err)
{
	int rc = util_read_file(path, XMCFG_MAX_FILE, text, len);

	if (rc < 0) {
		xmerr_set(err, XMCFG_EIO, path, 0, "cannot read: %s",
			  rc == -EFBIG ? "larger than 1 MiB" : strerror(-rc));
		return -1;
	}
	return 0;
}

/* Take the next "u32 len, record" frame off buf at *off. Returns 1 when a
 * whole frame is there (payload in *p, *n), 0 otherwise. */
static int
xmcfg_frame(const struct xmbuf *buf, size_t *off, const char **p, size_t *n)
{
	const unsigned char *d = (const unsigned char *)buf->data + *off;
	size_t left = buf->len - *off, len;

	if (left < 4)
		return 0;
	len = (size_t)d[0] | (size_t)d[1] << 8 | (size_t)d[2] << 16 |
	      (size_t)d[3] << 24;
	if (left - 4 < len)
		return 0;
	*p = (const char *)d + 4;
	*n = len;
	*off += 4 + len;
	return 1;
}

/* dir + "/" + path without a leading "./"; malloc'd or NULL. */
static char *
xm_strdup_path(const char *dir, const char *path)
{
	size_t len;
	char *s;

	while (!strncmp(path, "./", 2))
		path += 2;
	len = strlen(dir) + strlen(path) + 2;
	s = malloc(len);
	if (s)
		snprintf(s, len, "%s%s%s", dir,
			 dir[strlen(dir) - 1] == '/' ? "" : "/", path);
	return s;
}

/* Turn one record into a domain. Returns 0, or -1 with err. */
static int
xmcfg_build(const char *rec, size_t len, const char *path,
	    const char *const *overrides, size_t noverrides, bool dry_run,
	    struct xmcfg_domain **dom_out, struct xmcfg_error *err)
{
	const struct xmcfg_note *blocker;
	struct xmbindings b = {NULL, 0};
	struct xmcfg_domain *dom = NULL;
	char real[PATH_MAX];
	size_t used;
	int rc;

	rc = xmwire_decode(rec, len, &b, err, &used);
	if (rc == 1) {
		snprintf(err->file, sizeof(err->file), "%s", path);
		return -1;
	}
	if (rc < 0 || used != len) {
		xmerr_set(err, XMCFG_EINTERNAL, path, 0,
			  "malformed result from the config evaluator");
		goto fail;
	}
	if (xmkeys_override(&b, overrides, noverrides, err) < 0) {
		snprintf(err->file, sizeof(err->file), "%s", path);
		goto fail;
	}
	dom = calloc(1, sizeof(*dom));
	if (!dom) {
		xmerr_set(err, XMCFG_EINTERNAL, path, 0, "out of memory");
		goto fail;
	}
	if (xmkeys_apply(&b, path, dom, err) < 0)
		goto fail;
	blocker = dry_run ? NULL : xmnotes_blocker(dom);
	if (blocker) {
		xmerr_set(err, XMCFG_EUNSUPPORTED, path, blocker->line, "%s",
			  blocker->message);
		goto fail;
	}
	/* absolute, without resolving links (no lstat per component) */
	if (path[0] == '/' || !getcwd(real, sizeof(real) - strlen(path) - 2))
		dom->config_path = xm_strdup(path);
	else
		dom->config_path = xm_strdup_path(real, path);
	if (!dom->config_path) {
		xmerr_set(err, XMCFG_EINTERNAL, path, 0, "out of memory");
		goto fail;
	}
	xmbindings_dispose(&b);
	*dom_out = dom;
	return 0;
fail:
	xmbindings_dispose(&b);
	xmcfg_domain_free(dom);
	return -1;
}

/* Evaluate and validate one config (see xmcfg.h). */
int
xmcfg_load(const char *name_or_path, const char *const *overrides,
	   size_t noverrides, const struct xmcfg_options *opts,
	   struct xmcfg_domain **dom_out, struct xmcfg_error *err)
{
	char path[PATH_MAX];
	struct xmbuf out = {0};
	struct xmsrc src;
	char *text = NULL;
	const char *rec;
	size_t len = 0, off = 0, n;
	int rc = -1;
	size_t i;

	memset(err, 0, sizeof(*err));
	for (i = 0; i < noverrides; i++)
		if (!strchr(overrides[i], '=') || overrides[i][0] == '=') {
			xmerr_set(err, XMCFG_EVALUE, NULL, 0,
				  "'%s' is not VAR=VALUE", overrides[i]);
			return -1;
		}
	if (xmcfg_find(name_or_path, opts, path, sizeof(path), err) < 0)
		return -1;
	if (xmcfg_read(path, &text, &len, err) < 0)
		return -1;
	src.path = path;
	src.text = text;
	src.len = len;
	if (xmpy_run(&src, 1, overrides, noverrides, opts, &out, err) < 0) {
		snprintf(err->file, sizeof(err->file), "%s", path);
		goto out;
	}
	if (!xmcfg_frame(&out, &off, &rec, &n)) {
		xmerr_set(err, XMCFG_EINTERNAL, path, 0,
			  "the config evaluator returned nothing");
		goto out;
	}
	rc = xmcfg_build(rec, n, path, overrides, noverrides,
			 opts && opts->dry_run, dom_out, err);
out:
	xmbuf_free(&out);
	free(text);
	return rc;
}

/* Evaluate many files in as few sandboxes as possible (one, unless one
 * file kills its sandbox; the rest then continue in a new one). */
size_t
xmcfg_load_batch(const char *const *paths, size_t npaths,
		 const struct xmcfg_options *opts,
		 struct xmcfg_domain **results, struct xmcfg_error *errors)
{
	struct xmsrc *srcs = NULL;
	size_t *idx = NULL, nsrc = 0, i, done = 0, ok = 0, off, n;
	char **texts = NULL;
	struct xmbuf out = {0};
	const char *rec;
	int rc;

	for (i = 0; i < npaths; i++) {
		results[i] = NULL;
		memset(&errors[i], 0, sizeof(errors[i]));
	}
	srcs = calloc(npaths ? npaths : 1, sizeof(*srcs));
	idx = calloc(npaths ? npaths : 1, sizeof(*idx));
	texts = calloc(npaths ? npaths : 1, sizeof(*texts));
	if (!srcs || !idx || !texts) {
		for (i = 0; i < npaths; i++)
			xmerr_set(&errors[i], XMCFG_EINTERNAL, paths[i], 0,
				  "out of memory");
		goto out;
	}
	for (i = 0; i < npaths; i++) {
		size_t len;

		if (xmcfg_read(paths[i], &texts[i], &len, &errors[i]) < 0)
			continue;
		srcs[nsrc].path = paths[i];
		srcs[nsrc].text = texts[i];
		srcs[nsrc].len = len;
		idx[nsrc++] = i;
	}
	while (done < nsrc) {
		out.len = 0;
		rc = xmpy_run(srcs + done, nsrc - done, NULL, 0, opts, &out,
			      &errors[idx[done]]);
		off = 0;
		while (done < nsrc && xmcfg_frame(&out, &off, &rec, &n)) {
			i = idx[done++];
			if (xmcfg_build(rec, n, paths[i], NULL, 0,
					opts && opts->dry_run, &results[i],
					&errors[i]) == 0)
				ok++;
		}
		if (done < nsrc) {
			/* the sandbox died on this file: it gets the error */
			i = idx[done++];
			if (rc == 0)
				xmerr_set(&errors[i], XMCFG_EINTERNAL, NULL, 0,
					  "the config evaluator stopped");
			snprintf(errors[i].file, sizeof(errors[i].file), "%s",
				 paths[i]);
		}
	}
out:
	if (texts)
		for (i = 0; i < npaths; i++)
			free(texts[i]);
	free(texts);
	free(srcs);
	free(idx);
	xmbuf_free(&out);
	return ok;
}
