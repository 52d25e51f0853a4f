/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmlrpc_replay.c: replays every file of fuzz/corpus/xmlrpc through the
 * XML-RPC fuzz entry (a TAP test in make check, normal compiler). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "util.h"
#include "xmlrpc_fuzz.h"

int
main(int argc, char **argv)
{
	const char *top = getenv("top_srcdir");
	char dir[4096], path[8192];
	struct dirent **ents = NULL;
	char *data;
	size_t len;
	int n, i, count = 0;

	snprintf(dir, sizeof(dir), "%s/fuzz/corpus/xmlrpc",
		 argc > 1 ? argv[1]
		 : top    ? top
			  : ".");
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0)
		tap_skip_all("no corpus at %s", dir);
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir,
				 ents[i]->d_name);
			if (util_read_file(path, 4 << 20, &data, &len) == 0) {
				xmlrpc_fuzz_one((const uint8_t *)data, len);
				free(data);
				count++;
			}
		}
		free(ents[i]);
	}
	free(ents);
	tap_ok(count > 0, "replayed %d corpus files without a crash", count);
	return tap_done();
}
