/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cfg_sandbox.c: the config evaluator really is confined: while a busy
 * config runs, its process (a child of ours) shows a seccomp filter,
 * no-new-privs, no core dumps, a CPU limit and, when we are root, the
 * nobody user; and the hostile configs end with their error classes. */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xmcfg.h"
#include "tap.h"

static char cfgpath[] = "/tmp/xmcfg-sandbox.XXXXXX";
static struct xmcfg_error load_err;
static int load_rc;

static void *
sandbox_load(void *arg)
{
	struct xmcfg_domain *dom = NULL;

	(void)arg;
	load_rc = xmcfg_load(cfgpath, NULL, 0, NULL, &dom, &load_err);
	xmcfg_domain_free(dom);
	return NULL;
}

/* The pid of a child of ours, or 0. */
static pid_t
sandbox_child(void)
{
	char path[300], buf[512], *p;
	struct dirent *e;
	pid_t found = 0;
	DIR *d = opendir("/proc");
	FILE *f;
	int ppid;

	while (d && (e = readdir(d)) && !found) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) &&
		    sscanf(p + 2, "%*c %d", &ppid) == 1 && ppid == getpid())
			found = atoi(e->d_name);
		fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

static int
status_field(pid_t pid, const char *key, char *out, size_t outlen)
{
	char path[64], line[256];
	size_t n = strlen(key);
	FILE *f;
	int rc = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			snprintf(out, outlen, "%s", line + n + 1);
			out[strcspn(out, "\n")] = '\0';
			rc = 0;
			break;
		}
	if (f)
		fclose(f);
	return rc;
}

int
main(void)
{
	char v[128], path[64], limits[4096];
	pthread_t th;
	pid_t child = 0;
	FILE *f;
	int fd, i;
	size_t n;

	fd = mkstemp(cfgpath);
	if (fd < 0 ||
	    write(fd, "name = 'spin'\nwhile True:\n    pass\n", 35) != 35)
		tap_skip_all("cannot write a temporary config");
	close(fd);
	if (pthread_create(&th, NULL, sandbox_load, NULL) != 0)
		tap_skip_all("pthread_create failed");
	/* wait (up to ~5 s) until the child is confined and running */
	for (i = 0; i < 500 && !child; i++) {
		usleep(10000);
		child = sandbox_child();
		if (child &&
		    (status_field(child, "Seccomp", v, sizeof(v)) < 0 ||
		     !strstr(v, "2")))
			child = 0;
	}
	tap_ok(child > 0, "evaluator child found, in seccomp filter mode");
	if (child > 0) {
		tap_ok(status_field(child, "NoNewPrivs", v, sizeof(v)) == 0 &&
			       strstr(v, "1"),
		       "no-new-privs set");
		if (geteuid() == 0)
			tap_ok(status_field(child, "Uid", v, sizeof(v)) == 0 &&
				       !strstr(v, "\t0\t"),
			       "root dropped for the evaluation (Uid:%s)", v);
		else
			tap_skip("not root: no privileges to drop");
		snprintf(path, sizeof(path), "/proc/%d/limits", (int)child);
		f = fopen(path, "r");
		n = f ? fread(limits, 1, sizeof(limits) - 1, f) : 0;
		limits[n] = '\0';
		if (f)
			fclose(f);
		tap_ok(strstr(limits, "Max core file size        0") != NULL,
		       "no core dumps");
		tap_ok(strstr(limits, "Max cpu time              unlimited") ==
			       NULL,
		       "CPU time limited");
	}
	pthread_join(th, NULL);
	tap_ok(load_rc < 0 && load_err.code == XMCFG_ELIMIT,
	       "busy config ends with ELIMIT: %s", load_err.message);
	unlink(cfgpath);
	return tap_done();
}
