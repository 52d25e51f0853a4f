/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xm_sxp.c: unit test of xm's S-expression writer (xm list --long). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sxp.h"
#include "tap.h"

static void
test_quote(void)
{
	char buf[64];

	tap_ok(strcmp(sxp_quote("bar1", buf, sizeof(buf)), "bar1") == 0,
	       "plain atom stays bare");
	tap_ok(strcmp(sxp_quote("/dev/vda ro", buf, sizeof(buf)),
		      "'/dev/vda ro'") == 0,
	       "atom with a space is quoted");
	tap_ok(strcmp(sxp_quote("a'b\\c", buf, sizeof(buf)), "'a\\'b\\\\c'") ==
		       0,
	       "quote and backslash escaped");
	tap_ok(strcmp(sxp_quote("x\ny", buf, sizeof(buf)), "'x\\ny'") == 0,
	       "newline escaped");
	tap_ok(strcmp(sxp_quote("(evil)", buf, sizeof(buf)), "'(evil)'") == 0,
	       "parentheses quoted");
	sxp_quote("0123456789 0123456789", buf, 8);
	tap_ok(strlen(buf) == 7, "truncated into a small buffer");
}

static void
test_writer(void)
{
	static const char want[] = "(domain\n"
				   "    (domid 3)\n"
				   "    (name web1)\n"
				   "    (image\n"
				   "        (linux\n"
				   "            (kernel /boot/k)\n"
				   "            (args )\n"
				   "        )\n"
				   "    )\n"
				   "    (cpu_time 1.500)\n"
				   ")\n";
	struct sxp_writer w;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL) {
		tap_ok(false, "open_memstream");
		return;
	}
	sxp_init(&w, f);
	sxp_open(&w, "domain");
	sxp_leaf_int(&w, "domid", 3);
	sxp_leaf(&w, "name", "web1");
	sxp_open(&w, "image");
	sxp_open(&w, "linux");
	sxp_leaf(&w, "kernel", "/boot/k");
	sxp_leaf(&w, "args", NULL);
	sxp_close(&w);
	sxp_close(&w);
	sxp_leaf_double(&w, "cpu_time", 1.5);
	sxp_close(&w);
	fclose(f);
	if (!tap_ok(strcmp(text, want) == 0,
		    "one child per line, four spaces per level"))
		tap_diag("got:\n%s", text);
	free(text);
}

int
main(void)
{
	tap_plan(7);
	test_quote();
	test_writer();
	return tap_done();
}
