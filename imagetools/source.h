/* SPDX-License-Identifier: GPL-2.0-or-later */
/* source.h: where a root filesystem's files come from (a tar archive read
 * with libarchive, a directory tree), written through the ext4 writer. */
#ifndef XM_SOURCE_H
#define XM_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "ext4w.h"

/* Called after each entry with how far a long step is (done of total, in
 * any unit; total 0 when unknown). Nonzero stops the step (an interrupt):
 * the source then fails with "interrupted". */
typedef int (*source_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/* Write every entry of the tar archive file (.tar, .tar.gz, .tar.xz,
 * .tar.zst, ...) into w with the archive's owners, modes, links and
 * devices. Returns the number of entries, or -1 with the reason in err
 * (naming the entry). */
long source_tar(struct ext4w *w, const char *file, source_progress_fn pr,
		void *prctx, char *err, size_t errlen);

/* Write the tree under dir into w below dest ("" for the root; e.g.
 * "lib/modules/6.1.0-9-amd64"), keeping owners unless as_root (then
 * everything is root:root), hard links kept. Returns the number of
 * entries or -1 with the reason in err. */
long source_copy(struct ext4w *w, const char *dir, const char *dest,
		 int as_root, source_progress_fn pr, void *prctx, char *err,
		 size_t errlen);

#endif
