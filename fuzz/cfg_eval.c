/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cfg_eval.c: fuzz target for the sandboxed config evaluator: the input
 * bytes choose a hostile config from a grammar of escape attempts (dunder
 * and frame attributes reached directly, through str.format fields,
 * format_map, the unbound method, format strings built at run time,
 * nested specs, map(), f-strings; forbidden builtins; wrapped in try,
 * def, lambda, comprehensions), which runs through the real child
 * (xmpy_run) and key validation. The finding is a crash, or a value that
 * shows what only an escape reaches: a module, a frame, the evaluator's
 * globals or its functions. Built as a libFuzzer target by `make fuzz-xl`,
 * with a replay main() for make check. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "cfg_eval.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* What the generated config starts from. */
static const char *const eval_targets[] = {
	"xm_vars",         "''",          "0",   "[]",   "{}",   "(lambda: 0)",
	"(x for x in [])", "Exception()", "str", "dict", "len",  "xm_vars.var",
	"xm_vars.check",   "range(1)",    "1.5", "None", "(1,)", "ValueError",
	"KeyError('k')",
};

/* Attribute chains: escapes, and a few harmless ones. */
static const char *const eval_chains[] = {
	".__class__",
	".__class__.__base__",
	".__class__.__mro__",
	".__init__.__globals__",
	".__class__.__init__.__globals__",
	".__globals__",
	".__builtins__",
	".__dict__",
	".__self__",
	".__func__.__globals__",
	".__code__.co_consts",
	".gi_frame.f_back",
	".gi_frame.f_globals",
	".gi_code",
	".__traceback__.tb_frame",
	".__class__.__subclasses__",
	"._g",
	"._decl",
	".f_locals",
	".__closure__",
	".cr_frame",
	".func_globals",
	".mro",
	".real",
	".imag",
	".var",
	".__doc__",
};

/* Names the sandbox refuses, called on the target. */
static const char *const eval_banned[] = {
	"getattr(T, '__class__')",
	"vars(T)",
	"dir(T)",
	"type(T)",
	"globals()",
	"locals()",
	"__import__('os')",
	"open('/etc/passwd')",
	"exec('y = 1')",
	"eval('T')",
	"compile('1', '', 'eval')",
	"id(T)",
	"object()",
	"super()",
};

/* What a value may never show: reachable only through an escape. */
static const char *const eval_markers[] = {
	"<module ",         "<class '__main__.",   "<class 'type'>",
	"<class 'object'>", "<function _run",      "<function _check",
	"<function _scan",  "<function _finish",   "<function _where",
	"<function _fmt",   "<code object",        "<frame ",
	"<traceback ",      "mappingproxy(",       "<slot wrapper",
	"<method-wrapper",  "<attribute '",        "<member '",
	"_OPMAP",           "<built-in method __", "<cell at",
	"<class '_frozen",
};

/* Objects a config never holds unless it escaped. */
static const char *const eval_types[] = {
	"module",
	"frame",
	"code",
	"traceback",
	"mappingproxy",
	"cell",
	"getset_descriptor",
	"member_descriptor",
	"wrapper_descriptor",
	"method-wrapper",
};

struct eval_gen {
	const uint8_t *p;
	size_t n, i;
	struct xmbuf out;
};

static unsigned
eval_pick(struct eval_gen *g, unsigned k)
{
	return g->i < g->n ? g->p[g->i++] % k : 0;
}

static void
eval_puts(struct xmbuf *b, const char *s)
{
	xmbuf_put(b, s, strlen(s));
}

/* A chain for a format field: no call. */
static void
eval_field(struct xmbuf *b, const char *chain)
{
	xmbuf_put(b, chain, strlen(chain));
}

/* One expression that tries to reach chain from target t. */
static void
eval_expr(struct eval_gen *g, const char *t)
{
	const char *c = eval_chains[eval_pick(g, ARRAY_LEN(eval_chains))];
	struct xmbuf *b = &g->out;
	size_t k;

	switch (eval_pick(g, 12)) {
	case 0: /* direct */
		xmbuf_printf(b, "(%s)%s%s", t, c, eval_pick(g, 2) ? "()" : "");
		break;
	case 1: /* a format field */
		eval_puts(b, "\"{0");
		eval_field(b, c);
		xmbuf_printf(b, "}\".format(%s)", t);
		break;
	case 2:
		eval_puts(b, "\"{v");
		eval_field(b, c);
		xmbuf_printf(b, "}\".format_map({'v': %s})", t);
		break;
	case 3: /* the unbound method */
		eval_puts(b, "str.format(\"{0");
		eval_field(b, c);
		xmbuf_printf(b, "}\", %s)", t);
		break;
	case 4: /* a format string built at run time */
		k = eval_pick(g, (unsigned)strlen(c) + 1);
		xmbuf_printf(b,
			     "(\"{0\" + \"%.*s\" + \"%s\" + \"}\").format(%s)",
			     (int)k, c, c + k, t);
		break;
	case 5: /* in a nested format spec */
		eval_puts(b, "\"{0:{1");
		eval_field(b, c);
		xmbuf_printf(b, "}}\".format(1, %s)", t);
		break;
	case 6: /* through map() */
		eval_puts(b, "list(map(str.format, [\"{0");
		eval_field(b, c);
		xmbuf_printf(b, "}\"], [%s]))", t);
		break;
	case 7: /* an f-string */
		xmbuf_printf(b, "f\"{(%s)%s}\"", t, c);
		break;
	case 8: /* a forbidden builtin */
	{
		const char *s =
			eval_banned[eval_pick(g, ARRAY_LEN(eval_banned))];

		for (; *s; s++)
			if (*s == 'T')
				xmbuf_put(b, t, strlen(t));
			else
				xmbuf_put(b, s, 1);
		break;
	}
	case 9:
		xmbuf_printf(b, "str(%s)", t);
		break;
	case 10:
		xmbuf_printf(b, "\"%%s\" %% (%s,)", t);
		break;
	default:
		xmbuf_printf(b, "repr(%s)", t);
		break;
	}
}

/* One statement binding name, in a wrapper. */
static void
eval_stmt(struct eval_gen *g, const char *name)
{
	const char *t = eval_targets[eval_pick(g, ARRAY_LEN(eval_targets))];
	struct xmbuf *b = &g->out;

	switch (eval_pick(g, 7)) {
	case 0:
		xmbuf_printf(b, "%s = ", name);
		eval_expr(g, t);
		break;
	case 1: /* an ordinary exception handler */
		xmbuf_printf(b, "try:\n    %s = ", name);
		eval_expr(g, t);
		xmbuf_printf(b, "\nexcept Exception as e:\n    %s = str(e)",
			     name);
		break;
	case 2: /* one that catches everything */
		xmbuf_printf(b, "try:\n    %s = ", name);
		eval_expr(g, t);
		xmbuf_printf(b, "\nexcept:\n    %s = 'caught'", name);
		break;
	case 3: /* inside a function */
		eval_puts(b, "def g(a):\n    return ");
		eval_expr(g, "a");
		xmbuf_printf(b, "\n%s = g(%s)", name, t);
		break;
	case 4:
		xmbuf_printf(b, "%s = (lambda a: ", name);
		eval_expr(g, "a");
		xmbuf_printf(b, ")(%s)", t);
		break;
	case 5:
		xmbuf_printf(b, "%s = [", name);
		eval_expr(g, t);
		eval_puts(b, " for _i in range(1)]");
		break;
	default: /* an alias of the method */
		xmbuf_printf(b, "f = str.format\n%s = f(\"{0", name);
		eval_field(b,
			   eval_chains[eval_pick(g, ARRAY_LEN(eval_chains))]);
		xmbuf_printf(b, "}\", %s)", t);
		break;
	}
	eval_puts(b, "\n");
}

/* Whether v shows an escape; what it shows into why. */
static bool
eval_leak_val(const struct xmval *v, int depth, char *why, size_t len)
{
	size_t i;

	if (depth > XMWIRE_MAX_DEPTH)
		return false;
	if (v->type == XMVAL_STR)
		for (i = 0; i < ARRAY_LEN(eval_markers); i++)
			if (strstr(v->str, eval_markers[i])) {
				snprintf(why, len, "a value shows %s: %.300s",
					 eval_markers[i], v->str);
				return true;
			}
	if (v->type == XMVAL_OTHER && v->str)
		for (i = 0; i < ARRAY_LEN(eval_types); i++)
			if (!strcmp(v->str, eval_types[i])) {
				snprintf(why, len, "a %s object", v->str);
				return true;
			}
	if (v->type == XMVAL_LIST || v->type == XMVAL_DICT)
		for (i = 0; i < (v->type == XMVAL_DICT ? 2 * v->n : v->n); i++)
			if (eval_leak_val(&v->items[i], depth + 1, why, len))
				return true;
	return false;
}

/* See cfg_eval.h. */
bool
cfg_eval_leak(const struct xmbindings *b, char *why, size_t len)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (eval_leak_val(&b->v[i].val, 0, why, len))
			return true;
	return false;
}

/* See cfg_eval.h. */
const char *
cfg_eval_chain(size_t i)
{
	return i < ARRAY_LEN(eval_chains) ? eval_chains[i] : NULL;
}

/* Check the record at out[*off] of the config srcs: abort on a value that
 * shows an escape, else validate it. Returns 0, or -1 when there is no
 * whole record. */
static int
eval_record(const struct xmbuf *out, size_t *off, const struct xmsrc *src)
{
	const unsigned char *d = (const unsigned char *)out->data + *off;
	struct xmbindings b = {NULL, 0};
	struct xmcfg_domain *dom = NULL;
	struct xmcfg_error err;
	size_t used, rlen;
	char why[512];

	if (out->len - *off < 4)
		return -1;
	rlen = (size_t)d[0] | (size_t)d[1] << 8 | (size_t)d[2] << 16 |
	       (size_t)d[3] << 24;
	if (rlen > out->len - *off - 4)
		return -1;
	*off += 4 + rlen;
	memset(&err, 0, sizeof(err));
	if (xmwire_decode((const char *)d + 4, rlen, &b, &err, &used) != 0)
		return 0;
	if (cfg_eval_leak(&b, why, sizeof(why))) {
		fprintf(stderr, "cfg_eval: %s in:\n%.*s\n", why, (int)src->len,
			src->text);
		abort();
	}
	dom = calloc(1, sizeof(*dom));
	if (dom && xmkeys_apply(&b, "fuzz.cfg", dom, &err) == 0) {
		free(xmcfg_format_sxp(dom));
		free(xmcfg_to_xml(dom));
	}
	xmcfg_domain_free(dom);
	xmbindings_dispose(&b);
	return 0;
}

/* Evaluate n texts in one sandbox and check what comes back. */
static void
eval_run(const struct xmsrc *srcs, size_t n)
{
	const struct xmcfg_options opts = {.cpu_seconds = 1, .dry_run = true};
	struct xmbuf out = {0};
	struct xmcfg_error err;
	size_t off = 0, i;

	memset(&err, 0, sizeof(err));
	if (xmpy_run(srcs, n, NULL, 0, &opts, &out, &err) == 0)
		for (i = 0; i < n && eval_record(&out, &off, &srcs[i]) == 0;
		     i++)
			;
	xmbuf_free(&out);
}

/* See cfg_eval.h. */
char *
cfg_eval_text(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"extra", "x", "name",
					    "root",  "y", "disk"};
	struct eval_gen g = {data, size, 0, {0}};
	unsigned n, k;

	eval_puts(&g.out, "kernel = '/k'\n");
	n = 1 + eval_pick(&g, 4);
	for (k = 0; k < n; k++)
		eval_stmt(&g, names[eval_pick(&g, ARRAY_LEN(names))]);
	xmbuf_put(&g.out, "", 1);
	if (g.out.failed) {
		xmbuf_free(&g.out);
		return NULL;
	}
	return g.out.data;
}

/* Build one config from the input and evaluate it. Never fails: a crash, a
 * sanitizer report or an abort() is the finding. */
int
cfg_eval_one(const uint8_t *data, size_t size)
{
	struct xmsrc src = {"fuzz.cfg", cfg_eval_text(data, size), 0};

	if (src.text) {
		src.len = strlen(src.text);
		eval_run(&src, 1);
	}
	free((char *)src.text);
	return 0;
}

/* See cfg_eval.h. */
int
cfg_eval_batch(const uint8_t *const *data, const size_t *size, size_t n)
{
	struct xmsrc *srcs = calloc(n ? n : 1, sizeof(*srcs));
	size_t i, k = 0;

	for (i = 0; srcs && i < n; i++) {
		srcs[k].path = "fuzz.cfg";
		srcs[k].text = cfg_eval_text(data[i], size[i]);
		if (srcs[k].text) {
			srcs[k].len = strlen(srcs[k].text);
			k++;
		}
	}
	if (srcs)
		eval_run(srcs, k);
	for (i = 0; srcs && i < k; i++)
		free((char *)srcs[i].text);
	free(srcs);
	return 0;
}

/* The libFuzzer entry; fuzz/replay.c calls it for each corpus file. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return cfg_eval_one(data, size);
}
