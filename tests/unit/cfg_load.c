/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cfg_load.c: libxmcfg's entry points from a caller's side: the search path
 * (XEN_CONFIG_DIR, XM_CONFIG_PATH), VAR=VALUE overrides, the error
 * structure, warnings, and a batch that outlives a config killing its
 * sandbox. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xmcfg.h"
#include "tap.h"

static char tmpdir[] = "/tmp/xmcfg-test.XXXXXX";

static const char *
put(const char *name, const char *text)
{
	static char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		tap_skip_all("cannot write %s", path);
	return path;
}

static void
test_find(void)
{
	struct xmcfg_error err;
	char buf[PATH_MAX], want[PATH_MAX + 16];
	int rc;

	put("guest1", "kernel = '/k'\n");
	setenv("XEN_CONFIG_DIR", tmpdir, 1);
	unsetenv("XM_CONFIG_PATH");
	rc = xmcfg_find("guest1", NULL, buf, sizeof(buf), &err);
	snprintf(want, sizeof(want), "%s/guest1", tmpdir);
	tap_ok(rc == 0 && !strcmp(buf, want),
	       "bare name found in XEN_CONFIG_DIR: %s", rc ? err.message : buf);
	rc = xmcfg_find("nosuch", NULL, buf, sizeof(buf), &err);
	tap_ok(rc < 0 && err.code == XMCFG_ENOENT &&
		       strstr(err.message, "nosuch"),
	       "missing config: ENOENT naming it (%s)", err.message);
	setenv("XM_CONFIG_PATH", "/nonexistent:", 1);
	rc = xmcfg_find("guest1", NULL, buf, sizeof(buf), &err);
	tap_ok(rc < 0, "XM_CONFIG_PATH replaces the configuration directory");
	setenv("XM_CONFIG_PATH", tmpdir, 1);
	rc = xmcfg_find("guest1", NULL, buf, sizeof(buf), &err);
	tap_ok(rc == 0 && !strcmp(buf, want), "found through XM_CONFIG_PATH");
	unsetenv("XM_CONFIG_PATH");
	if (chdir(tmpdir) == 0) {
		rc = xmcfg_find("guest1", NULL, buf, sizeof(buf), &err);
		tap_ok(rc == 0 && !strcmp(buf, "./guest1"),
		       "the current directory comes first, as ./NAME (%s)",
		       rc ? err.message : buf);
	} else {
		tap_skip("cannot chdir to %s", tmpdir);
	}
}

static void
test_overrides(void)
{
	const char *ov[] = {"memory=512", "disk=phy:/dev/x,xvdb,r", "vcpus = 2",
			    "newkey=1"};
	const char *bad[] = {"memory"};
	struct xmcfg_domain *dom = NULL;
	struct xmcfg_error err;
	const char *p;
	int rc;

	p = put("ovr", "kernel = '/k'\nmemory = 128\n"
		       "disk = ['phy:/dev/a,xvda,w', 'phy:/dev/b,xvdc,w']\n");
	rc = xmcfg_load(p, ov, 4, NULL, &dom, &err);
	tap_ok(rc == 0, "load with overrides: %s", rc ? err.message : "ok");
	if (rc == 0) {
		tap_ok(dom->memory_mib == 512 && dom->vcpus == 2,
		       "memory=512 and 'vcpus = 2' typed as integers");
		tap_ok(dom->ndisks == 1 &&
			       !strcmp(dom->disks[0].vdev, "xvdb") &&
			       dom->disks[0].mode == XMCFG_DISK_RO,
		       "disk=... replaces the whole list");
		tap_ok(dom->nwarnings == 1 &&
			       strstr(dom->warnings[0], "unknown key 'newkey'"),
		       "unknown override key is a warning");
		xmcfg_domain_free(dom);
	}
	dom = NULL;
	rc = xmcfg_load(p, bad, 1, NULL, &dom, &err);
	tap_ok(rc < 0 && err.code == XMCFG_EVALUE && !dom,
	       "override without '=' rejected, nothing returned");
}

static void
test_errors(void)
{
	struct xmcfg_domain *dom = NULL;
	struct xmcfg_error err;
	char buf[8192];
	const char *p;
	int rc;

	p = put("bad", "kernel = '/k'\nmemory = 64\n\nvif = ['mac=zz']\n");
	rc = xmcfg_load(p, NULL, 0, NULL, &dom, &err);
	tap_ok(rc < 0 && err.code == XMCFG_EVALUE && err.line == 4 &&
		       !strcmp(err.file, p) && !dom,
	       "bad value: EVALUE, file and line of the assignment");
	xmcfg_error_format(&err, buf, sizeof(buf));
	tap_ok(strstr(buf, ":4: vif[0]: mac 'zz'") != NULL, "formatted: %s",
	       buf);
	p = put("syn", "kernel = '/k'\nif True\n");
	rc = xmcfg_load(p, NULL, 0, NULL, &dom, &err);
	tap_ok(rc < 0 && err.code == XMCFG_ESYNTAX && err.line == 2,
	       "syntax error: ESYNTAX line 2");
	p = put("imp", "import os\n");
	rc = xmcfg_load(p, NULL, 0, NULL, &dom, &err);
	tap_ok(rc < 0 && err.code == XMCFG_EFORBIDDEN && err.line == 1,
	       "import: EFORBIDDEN line 1");
	p = put("rt", "kernel = '/k'\nx = {}['a']\n");
	rc = xmcfg_load(p, NULL, 0, NULL, &dom, &err);
	tap_ok(rc < 0 && err.code == XMCFG_ERUNTIME && err.line == 2,
	       "runtime exception: ERUNTIME line 2 (%s)", err.message);
}

static void
test_batch(void)
{
	const char *paths[4];
	char store[4][PATH_MAX];
	struct xmcfg_domain *doms[4];
	struct xmcfg_error errs[4];
	size_t n, i;

	snprintf(store[0], PATH_MAX, "%s", put("b0", "kernel = '/k'\n"));
	snprintf(store[1], PATH_MAX, "%s",
		 put("b1", "kernel = '/k'\ntry:\n    while True:\n"
			   "        try:\n            while True: pass\n"
			   "        except: pass\nexcept: pass\n"));
	snprintf(store[2], PATH_MAX, "%s",
		 put("b2", "kernel = '/k'\nvcpus=2\n"));
	snprintf(store[3], PATH_MAX, "%s/missing", tmpdir);
	for (i = 0; i < 4; i++)
		paths[i] = store[i];
	n = xmcfg_load_batch(paths, 4, NULL, doms, errs);
	tap_is_int(n, 2, "batch: 2 of 4 load");
	tap_ok(doms[0] && !doms[1] && doms[2] && !doms[3],
	       "the files after a sandbox-killing config still load");
	tap_ok(errs[1].code == XMCFG_ELIMIT,
	       "busy loop that swallows the "
	       "interrupt: ELIMIT (%s)",
	       errs[1].message);
	tap_ok(doms[2] && doms[2]->vcpus == 2, "third file's values");
	tap_ok(errs[3].code == XMCFG_EIO, "missing file: EIO");
	for (i = 0; i < 4; i++)
		xmcfg_domain_free(doms[i]);
}

int
main(void)
{
	char cmd[64];

	if (!mkdtemp(tmpdir))
		tap_skip_all("mkdtemp failed");
	test_find();
	test_overrides();
	test_errors();
	test_batch();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir); /* our own files */
	if (system(cmd) != 0)
		tap_diag("cleanup of %s failed", tmpdir);
	return tap_done();
}
