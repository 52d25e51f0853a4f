/* SPDX-License-Identifier: GPL-2.0-or-later */
/* replay.c: replays every file of fuzz/corpus/REPLAY_CORPUS through the
 * target's LLVMFuzzerTestOneInput (built with the normal compiler and linked
 * with one target's entry file; a TAP test in make check). With
 * REPLAY_BATCH defined, all the files go to that function at once instead
 * (a target whose inputs can share one expensive setup). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "util.h"

#ifndef REPLAY_CORPUS
#error "REPLAY_CORPUS (the corpus directory name) must be defined"
#endif
#ifndef REPLAY_MAX
#error "REPLAY_MAX (the largest corpus file read, in bytes) must be defined"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#ifdef REPLAY_BATCH
int REPLAY_BATCH(const uint8_t *const *data, const size_t *size, size_t n);
#endif

int
main(int argc, char **argv)
{
	const char *top = getenv("top_srcdir");
	char dir[4096], path[8192];
	struct dirent **ents = NULL;
	char *data;
	size_t len;
	int n, i, count = 0;
#ifdef REPLAY_BATCH
	const uint8_t **all = NULL;
	size_t *sizes = NULL;
#endif

	snprintf(dir, sizeof(dir), "%s/fuzz/corpus/" REPLAY_CORPUS,
		 argc > 1 ? argv[1]
		 : top    ? top
			  : ".");
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0)
		tap_skip_all("no corpus at %s", dir);
#ifdef REPLAY_BATCH
	all = calloc((size_t)n + 1, sizeof(*all));
	sizes = calloc((size_t)n + 1, sizeof(*sizes));
	if (!all || !sizes)
		tap_skip_all("out of memory");
#endif
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir,
				 ents[i]->d_name);
			if (util_read_file(path, REPLAY_MAX, &data, &len) ==
			    0) {
#ifdef REPLAY_BATCH
				all[count] = (const uint8_t *)data;
				sizes[count] = len;
#else
				LLVMFuzzerTestOneInput((const uint8_t *)data,
						       len);
				free(data);
#endif
				count++;
			}
		}
		free(ents[i]);
	}
	free(ents);
#ifdef REPLAY_BATCH
	REPLAY_BATCH(all, sizes, (size_t)count);
	for (i = 0; i < count; i++)
		free((void *)all[i]);
	free(all);
	free(sizes);
#endif
	tap_ok(count > 0, "replayed %d corpus files without a crash", count);
	return tap_done();
}
