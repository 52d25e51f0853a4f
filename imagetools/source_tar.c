/* SPDX-License-Identifier: GPL-2.0-or-later */
/* source_tar.c: a tar archive (any compression libarchive reads) into the
 * ext4 writer, entry by entry, owners and modes from the headers. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "source.h"

struct tar_data {
	struct archive *a;
	int err;
};

static ssize_t
tar_read(void *ctx, const void **buf)
{
	struct tar_data *d = ctx;
	size_t len = 0;
	la_int64_t off;
	int r = archive_read_data_block(d->a, buf, &len, &off);

	if (r == ARCHIVE_EOF)
		return 0;
	if (r < ARCHIVE_WARN) {
		d->err = 1;
		return -EIO;
	}
	/* sparse holes arrive as offsets: ext4w writes sequentially, so
	 * sparse members are refused rather than written wrong */
	return (ssize_t)len;
}

long
source_tar(struct ext4w *w, const char *file, source_progress_fn pr,
	   void *prctx, char *err, size_t errlen)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ent;
	struct stat st;
	uint64_t total = 0;
	long n = 0;
	int r;

	if (!a) {
		snprintf(err, errlen, "%s: out of memory", file);
		return -1;
	}
	if (stat(file, &st) == 0)
		total = (uint64_t)st.st_size;
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_filename(a, file, 1 << 16) != ARCHIVE_OK) {
		snprintf(err, errlen, "%s: %s", file, archive_error_string(a));
		goto fail;
	}
	while ((r = archive_read_next_header(a, &ent)) != ARCHIVE_EOF) {
		struct ext4w_entry e = {0};
		struct tar_data d = {a, 0};
		const char *path;

		if (r < ARCHIVE_WARN) {
			snprintf(err, errlen, "%s: %s", file,
				 archive_error_string(a));
			goto fail;
		}
		path = archive_entry_pathname(ent);
		if (!path) {
			snprintf(err, errlen, "%s: an entry without a name",
				 file);
			goto fail;
		}
		if (archive_entry_sparse_count(ent) > 0) {
			snprintf(err, errlen,
				 "%s: %s: sparse members are not "
				 "supported",
				 file, path);
			goto fail;
		}
		e.path = path;
		e.mode = archive_entry_mode(ent);
		e.uid = (uid_t)archive_entry_uid(ent);
		e.gid = (gid_t)archive_entry_gid(ent);
		e.mtime = archive_entry_mtime(ent);
		e.size = (uint64_t)archive_entry_size(ent);
		e.link = archive_entry_symlink(ent);
		e.hardlink = archive_entry_hardlink(ent);
		e.rdev_major = (unsigned)archive_entry_rdevmajor(ent);
		e.rdev_minor = (unsigned)archive_entry_rdevminor(ent);
		if (ext4w_add(w, &e, S_ISREG(e.mode) ? tar_read : NULL, &d) <
		    0) {
			snprintf(err, errlen, "%s: %s", file,
				 d.err ? archive_error_string(a)
				       : ext4w_error(w));
			goto fail;
		}
		n++;
		if (pr &&
		    pr(prctx, (uint64_t)archive_filter_bytes(a, -1), total)) {
			snprintf(err, errlen, "%s: interrupted", file);
			goto fail;
		}
	}
	if (pr)
		(void)pr(prctx, total, total);
	archive_read_free(a);
	return n;
fail:
	archive_read_free(a);
	return -1;
}
