/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config-bench.c: configs evaluated per second by libxmcfg, one sandbox per
 * config (what `xm create -n` does) and many configs in one sandbox
 * (xmcfg_load_batch), beside Xen's own C parser libxlutil reading the same
 * files in the same run; optionally the wall time of `xm create -n` itself.
 * Usage: config-bench [--xm PATH] [--rounds N] FILE... ; prints a markdown
 * table. Not part of make check (no timed assertions there). */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libxlutil.h>

#include "util.h"
#include "xmcfg.h"

extern char **environ;

struct bench_row {
	const char *what;
	size_t n;
	uint64_t ns;
	size_t failed;
};

static bool
bench_xlu_one(const char *path)
{
	XLU_Config *c = xlu_cfg_init(stderr, path);
	const char *s;
	long l;
	bool ok;

	if (!c)
		return false;
	ok = xlu_cfg_readfile(c, path) == 0;
	/* read what xl reads first, as a toolstack would */
	if (ok) {
		(void)xlu_cfg_get_long(c, "memory", &l, 1);
		(void)xlu_cfg_get_string(c, "name", &s, 1);
		(void)xlu_cfg_get_string(c, "kernel", &s, 1);
	}
	xlu_cfg_destroy(c);
	return ok;
}

static int
bench_xm_one(const char *xm, const char *path)
{
	char *argv[] = {(char *)xm, "create", "-n", (char *)path, NULL};
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st = -1;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", 1, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", 1, 0);
	if (posix_spawn(&pid, xm, &fa, NULL, argv, environ) == 0)
		waitpid(pid, &st, 0);
	posix_spawn_file_actions_destroy(&fa);
	return st;
}

static void
bench_print(const struct bench_row *r, const struct bench_row *base)
{
	double per = r->n ? (double)r->ns / (double)r->n : 0;

	printf("| %s | %zu | %.1f | %.3f |", r->what, r->n,
	       per > 0 ? 1e9 / per : 0, per / 1e6);
	if (base && base->n && base->ns)
		printf(" %.1fx |", per / ((double)base->ns / (double)base->n));
	else
		printf(" |");
	if (r->failed)
		printf(" %zu failed", r->failed);
	printf("\n");
}

int
main(int argc, char **argv)
{
	const char *xm = NULL;
	const char **files, **batch;
	struct bench_row single = {"libxmcfg, one sandbox per config "
				   "(xmcfg_load)",
				   0, 0, 0},
			 many = {"libxmcfg, one sandbox for all "
				 "(xmcfg_load_batch)",
				 0, 0, 0},
			 xlu = {"libxlutil (xlu_cfg_readfile)", 0, 0, 0},
			 xmrow = {"`xm create -n` (process, wall)", 0, 0, 0};
	struct xmcfg_domain **doms;
	struct xmcfg_error *errs, err;
	size_t nfiles = 0, rounds = 20, i, r, nb;
	uint64_t t;
	int a;

	files = calloc((size_t)argc, sizeof(*files));
	if (!files)
		return 1;
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--xm") && a + 1 < argc)
			xm = argv[++a];
		else if (!strcmp(argv[a], "--rounds") && a + 1 < argc)
			rounds = (size_t)atoi(argv[++a]);
		else if (bench_xlu_one(argv[a]))
			files[nfiles++] =
				argv[a]; /* both parsers can read it */
		else
			fprintf(stderr,
				"# %s: libxlutil cannot parse it, "
				"left out\n",
				argv[a]);
	}
	if (!nfiles || !rounds) {
		fprintf(stderr, "usage: config-bench [--xm XM] [--rounds N] "
				"FILE...\n");
		return 2;
	}
	/* libxlutil */
	t = util_now_ns();
	for (r = 0; r < rounds * 10; r++)
		for (i = 0; i < nfiles; i++, xlu.n++)
			xlu.failed += !bench_xlu_one(files[i]);
	xlu.ns = util_now_ns() - t;
	/* one sandbox per config */
	t = util_now_ns();
	for (r = 0; r < rounds; r++)
		for (i = 0; i < nfiles; i++, single.n++) {
			struct xmcfg_domain *d = NULL;

			if (xmcfg_load(files[i], NULL, 0, NULL, &d, &err) < 0)
				single.failed++;
			xmcfg_domain_free(d);
		}
	single.ns = util_now_ns() - t;
	/* one sandbox for all */
	nb = nfiles * rounds * 10;
	batch = calloc(nb, sizeof(*batch));
	doms = calloc(nb, sizeof(*doms));
	errs = calloc(nb, sizeof(*errs));
	if (!batch || !doms || !errs)
		return 1;
	for (i = 0; i < nb; i++)
		batch[i] = files[i % nfiles];
	t = util_now_ns();
	many.n = nb;
	many.failed = nb - xmcfg_load_batch(batch, nb, NULL, doms, errs);
	many.ns = util_now_ns() - t;
	for (i = 0; i < nb; i++)
		xmcfg_domain_free(doms[i]);
	if (xm) {
		t = util_now_ns();
		for (r = 0; r < rounds; r++)
			for (i = 0; i < nfiles; i++, xmrow.n++)
				xmrow.failed += bench_xm_one(xm, files[i]) != 0;
		xmrow.ns = util_now_ns() - t;
	}
	printf("%zu config files (each readable by both parsers), %zu rounds; "
	       "host: %ld CPUs\n\n",
	       nfiles, rounds, sysconf(_SC_NPROCESSORS_ONLN));
	printf("| parser | configs | configs/s | ms per config | vs "
	       "libxlutil |\n|---|---|---|---|---|\n");
	bench_print(&xlu, NULL);
	bench_print(&many, &xlu);
	bench_print(&single, &xlu);
	if (xm)
		bench_print(&xmrow, &xlu);
	if (xlu.n && many.n) {
		double ratio = ((double)many.ns / (double)many.n) /
			       ((double)xlu.ns / (double)xlu.n);

		printf("\nbatch vs libxlutil per config: %.1fx (goal: within "
		       "10x: %s)\n",
		       ratio, ratio <= 10 ? "met" : "MISSED");
	}
	if (xm && xmrow.n) {
		double ms = (double)xmrow.ns / (double)xmrow.n / 1e6;

		printf("`xm create -n`: %.1f ms wall per config (goal: under "
		       "20 ms: %s)\n",
		       ms, ms < 20 ? "met" : "MISSED");
	}
	free(files);
	free(batch);
	free(doms);
	free(errs);
	return 0;
}
