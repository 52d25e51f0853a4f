/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cfg-dump.c: prints what `xm create -n [--xml] FILE [VAR=VALUE...]` prints,
 * straight from libxmcfg (golden tests run it when xmctl/xm is not built;
 * --create refuses what xm create refuses);
 * --roundtrip prints the SXP of to_xml -> from_xml, --batch loads every
 * file argument in one sandbox and prints one line per file. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmcfg.h"

static int
dump_batch(int argc, char **argv)
{
	struct xmcfg_domain **doms = calloc((size_t)argc + 1, sizeof(*doms));
	struct xmcfg_error *errs = calloc((size_t)argc + 1, sizeof(*errs));
	char msg[8192];
	size_t n, i;

	if (!doms || !errs)
		return 1;
	n = xmcfg_load_batch((const char *const *)argv, (size_t)argc, NULL,
			     doms, errs);
	for (i = 0; i < (size_t)argc; i++) {
		if (doms[i])
			printf("%s: ok %s\n", argv[i], doms[i]->name);
		else
			printf("%s: Error: %s\n", argv[i],
			       xmcfg_error_format(&errs[i], msg, sizeof(msg)));
		xmcfg_domain_free(doms[i]);
	}
	free(doms);
	free(errs);
	return n == (size_t)argc ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct xmcfg_options opts = {.dry_run = true};
	struct xmcfg_domain *dom = NULL, *back = NULL;
	struct xmcfg_error err;
	char found[PATH_MAX], msg[8192], *text = NULL;
	bool xml = false, roundtrip = false;
	int i = 1, rc = 1;
	size_t w;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-n"))
			continue;
		else if (!strcmp(argv[i], "--create"))
			opts.dry_run = false;
		else if (!strcmp(argv[i], "--xml"))
			xml = true;
		else if (!strcmp(argv[i], "--roundtrip"))
			roundtrip = true;
		else if (!strcmp(argv[i], "--batch"))
			return dump_batch(argc - i - 1, argv + i + 1);
		else
			break;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: cfg-dump [-n] [--create] "
				"[--xml|--roundtrip] FILE "
				"[VAR=VALUE...]\n");
		return 2;
	}
	memset(&err, 0, sizeof(err));
	if (xmcfg_find(argv[i], NULL, found, sizeof(found), &err) < 0)
		goto fail;
	printf("Using config file \"%s\".\n", found);
	fflush(stdout);
	if (xmcfg_load(found, (const char *const *)argv + i + 1,
		       (size_t)(argc - i - 1), &opts, &dom, &err) < 0)
		goto fail;
	for (w = 0; w < dom->nwarnings; w++)
		fprintf(stderr, "Warning: %s\n", dom->warnings[w]);
	for (w = 0; w < dom->nnotes; w++) {
		const struct xmcfg_note *n = &dom->notes[w];

		if (n->line > 0)
			snprintf(msg, sizeof(msg), "%s:%d", found, n->line);
		else
			snprintf(msg, sizeof(msg), "%s", found);
		fprintf(stderr, "%s: %s: %s%s\n",
			n->level == XMCFG_NOTE_INFO ? "Note" : "Warning", msg,
			n->message,
			n->level == XMCFG_NOTE_BLOCKER
				? " (xm create refuses this config)"
				: "");
	}
	if (roundtrip) {
		text = xmcfg_to_xml(dom);
		if (!text ||
		    xmcfg_from_xml(text, strlen(text), &back, &err) < 0)
			goto fail;
		free(text);
		text = xmcfg_format_sxp(back);
	} else {
		text = xml ? xmcfg_to_xml(dom) : xmcfg_format_sxp(dom);
	}
	if (!text) {
		fprintf(stderr, "Error: out of memory\n");
		goto out;
	}
	fputs(text, stdout);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "Error: %s\n",
		xmcfg_error_format(&err, msg, sizeof(msg)));
out:
	free(text);
	xmcfg_domain_free(dom);
	xmcfg_domain_free(back);
	return rc;
}
