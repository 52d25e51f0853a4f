/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cfg_hostile.c: the evaluator against every hostile config of the
 * cfg_eval fuzzer's grammar that tries one escape: each attribute chain
 * reached each way (directly, a str.format field, format_map, the unbound
 * method, a format string built at run time, a nested spec, map(), an
 * f-string), in each wrapper (try, def, lambda, a comprehension, an alias
 * of the method), from each starting object. All run in one sandbox: an
 * escape chain is refused (EFORBIDDEN), unless a bare except swallowed
 * the refusal, and no value ever shows what only an escape reaches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_eval.h"
#include "tap.h"

#define HOSTILE_MAX 1024
#define WAYS 12       /* ways of reaching a chain (cfg_eval.c) */
#define WAYS_ESCAPE 9 /* the first 9 reach it; the rest only print */
#define WRAPPERS 7
#define TARGETS 19
#define WRAP_BARE_EXCEPT 2
#define CHAIN_GLOBALS 4 /* ".__init__.__globals__" */

struct hostile {
	char *text;
	size_t chain;
	unsigned way, wrapper;
};

static struct hostile cases[HOSTILE_MAX];
static size_t ncases;

static void
hostile_add(unsigned target, unsigned wrapper, size_t chain, unsigned way)
{
	const uint8_t bytes[] = {0,
				 0,
				 (uint8_t)target,
				 (uint8_t)wrapper,
				 (uint8_t)chain,
				 (uint8_t)way,
				 0};
	char *text;

	if (ncases == HOSTILE_MAX)
		return;
	text = cfg_eval_text(bytes, sizeof(bytes));
	if (!text)
		return;
	cases[ncases].text = text;
	cases[ncases].chain = chain;
	cases[ncases].way = way;
	cases[ncases].wrapper = wrapper;
	ncases++;
}

/* A diagnostic naming a config on one line. */
static void
hostile_diag(const char *what, const char *text)
{
	char line[1024];
	size_t i;

	snprintf(line, sizeof(line), "%s", text);
	for (i = 0; line[i]; i++)
		if (line[i] == '\n')
			line[i] = '|';
	tap_diag("%s: %s", what, line);
}

/* A chain only an escape may follow: the sandbox's rule for names. */
static bool
hostile_escape(const char *chain)
{
	static const char *const bad[] = {"._",   ".gi_", ".cr_",   ".f_",
					  ".tb_", ".co_", ".func_", ".mro"};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!strncmp(chain, bad[i], strlen(bad[i])))
			return true;
	return false;
}

int
main(void)
{
	const struct xmcfg_options opts = {.cpu_seconds = 2};
	struct xmsrc *srcs = NULL;
	struct xmbuf out = {0};
	struct xmcfg_error err;
	size_t nchains, i, off = 0, refused = 0, leaks = 0, wrong = 0;
	unsigned w, t, x;
	char why[512];

	for (nchains = 0; cfg_eval_chain(nchains); nchains++)
		;
	/* every chain every way; every wrapper; every starting object */
	for (i = 0; i < nchains; i++)
		for (w = 0; w < WAYS; w++)
			hostile_add(0, 0, i, w);
	for (x = 1; x < WRAPPERS; x++)
		for (w = 0; w < WAYS; w++)
			hostile_add(0, x, CHAIN_GLOBALS, w);
	for (t = 1; t < TARGETS; t++)
		for (w = 0; w < WAYS_ESCAPE; w++)
			hostile_add(t, 0, CHAIN_GLOBALS, w);
	srcs = calloc(ncases ? ncases : 1, sizeof(*srcs));
	if (!srcs)
		tap_skip_all("out of memory");
	for (i = 0; i < ncases; i++) {
		srcs[i].path = "hostile.cfg";
		srcs[i].text = cases[i].text;
		srcs[i].len = strlen(cases[i].text);
	}
	memset(&err, 0, sizeof(err));
	tap_ok(xmpy_run(srcs, ncases, NULL, 0, &opts, &out, &err) == 0,
	       "%zu hostile configs evaluated in one sandbox%s%s", ncases,
	       err.message[0] ? ": " : "", err.message);
	for (i = 0; i < ncases; i++) {
		struct xmbindings b = {NULL, 0};
		const unsigned char *d = (const unsigned char *)out.data + off;
		size_t len, used;
		bool must_refuse;
		int rc;

		if (out.len - off < 4)
			break;
		len = (size_t)d[0] | (size_t)d[1] << 8 | (size_t)d[2] << 16 |
		      (size_t)d[3] << 24;
		if (len > out.len - off - 4)
			break;
		memset(&err, 0, sizeof(err));
		rc = xmwire_decode((const char *)d + 4, len, &b, &err, &used);
		off += 4 + len;
		/* a bare except may catch a refusal made at run time */
		must_refuse = (cases[i].way < WAYS_ESCAPE &&
			       hostile_escape(cfg_eval_chain(cases[i].chain)) &&
			       cases[i].wrapper != WRAP_BARE_EXCEPT) ||
			      cases[i].way == 8; /* a forbidden builtin */
		if (rc == 1 && err.code == XMCFG_EFORBIDDEN)
			refused++;
		else if (must_refuse) {
			wrong++;
			hostile_diag(err.message[0] ? err.message
						    : "not refused",
				     cases[i].text);
		}
		if (rc == 0 && cfg_eval_leak(&b, why, sizeof(why))) {
			leaks++;
			hostile_diag(why, cases[i].text);
		}
		xmbindings_dispose(&b);
	}
	tap_is_int(i, ncases, "a result for each config");
	tap_ok(wrong == 0, "every escape refused (%zu refusals, %zu missed)",
	       refused, wrong);
	tap_ok(leaks == 0, "no value shows a module, frame or the evaluator");
	for (i = 0; i < ncases; i++)
		free(cases[i].text);
	free(srcs);
	xmbuf_free(&out);
	return tap_done();
}
