/* SPDX-License-Identifier: GPL-2.0-or-later */
/* source_copy.c: a directory tree into the ext4 writer (lstat's owners,
 * modes, symlinks, devices; hard links kept by inode number). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "source.h"

struct seen {
	dev_t dev;
	ino_t ino;
	char *path;
};

struct walk {
	struct ext4w *w;
	int as_root;
	source_progress_fn pr;
	void *prctx;
	long n;
	struct seen *seen;
	size_t nseen, cap;
	char *err;
	size_t errlen;
	char buf[1 << 16];
	int fd;
};

static ssize_t
fd_read(void *ctx, const void **buf)
{
	struct walk *k = ctx;
	ssize_t n;

	do {
		n = read(k->fd, k->buf, sizeof(k->buf));
	} while (n < 0 && errno == EINTR);
	*buf = k->buf;
	return n < 0 ? -errno : n;
}

static const char *
seen_find(struct walk *k, const struct stat *st)
{
	size_t i;

	for (i = 0; i < k->nseen; i++)
		if (k->seen[i].dev == st->st_dev &&
		    k->seen[i].ino == st->st_ino)
			return k->seen[i].path;
	return NULL;
}

static int
seen_add(struct walk *k, const struct stat *st, const char *path)
{
	if (k->nseen == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 64;
		struct seen *s = realloc(k->seen, cap * sizeof(*s));

		if (!s)
			return -1;
		k->seen = s;
		k->cap = cap;
	}
	k->seen[k->nseen].path = strdup(path);
	if (!k->seen[k->nseen].path)
		return -1;
	k->seen[k->nseen].dev = st->st_dev;
	k->seen[k->nseen].ino = st->st_ino;
	k->nseen++;
	return 0;
}

static int
walk_one(struct walk *k, const char *src, const char *dst)
{
	struct ext4w_entry e = {0};
	char target[4096];
	struct stat st;
	int rc;

	if (lstat(src, &st) < 0) {
		snprintf(k->err, k->errlen, "%s: %s", src, strerror(errno));
		return -1;
	}
	e.path = dst;
	e.mode = st.st_mode;
	e.uid = k->as_root ? 0 : st.st_uid;
	e.gid = k->as_root ? 0 : st.st_gid;
	e.mtime = st.st_mtime;
	e.size = (uint64_t)st.st_size;
	e.rdev_major = major(st.st_rdev);
	e.rdev_minor = minor(st.st_rdev);
	if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
		e.hardlink = seen_find(k, &st);
		if (!e.hardlink && seen_add(k, &st, dst) < 0) {
			snprintf(k->err, k->errlen, "out of memory");
			return -1;
		}
	}
	if (S_ISLNK(st.st_mode) && !e.hardlink) {
		ssize_t n = readlink(src, target, sizeof(target) - 1);

		if (n < 0) {
			snprintf(k->err, k->errlen, "%s: %s", src,
				 strerror(errno));
			return -1;
		}
		target[n] = 0;
		e.link = target;
	}
	k->fd = -1;
	if (S_ISREG(st.st_mode) && !e.hardlink) {
		k->fd = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (k->fd < 0) {
			snprintf(k->err, k->errlen, "%s: %s", src,
				 strerror(errno));
			return -1;
		}
	}
	rc = ext4w_add(k->w, &e, k->fd >= 0 ? fd_read : NULL, k);
	if (k->fd >= 0)
		close(k->fd);
	if (rc < 0) {
		snprintf(k->err, k->errlen, "%s: %s", src, ext4w_error(k->w));
		return -1;
	}
	k->n++;
	if (k->pr && k->pr(k->prctx, (uint64_t)k->n, 0)) {
		snprintf(k->err, k->errlen, "%s: interrupted", src);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		struct dirent **names = NULL;
		int i, m = scandir(src, &names, NULL, alphasort);

		if (m < 0) {
			snprintf(k->err, k->errlen, "%s: %s", src,
				 strerror(errno));
			return -1;
		}
		rc = 0;
		for (i = 0; i < m; i++) {
			const char *nm = names[i]->d_name;
			char *s = NULL, *d = NULL;

			if (rc == 0 && strcmp(nm, ".") && strcmp(nm, "..")) {
				if (asprintf(&s, "%s/%s", src, nm) < 0 ||
				    asprintf(&d, "%s%s%s", dst, *dst ? "/" : "",
					     nm) < 0) {
					snprintf(k->err, k->errlen,
						 "out of memory");
					rc = -1;
				} else {
					rc = walk_one(k, s, d);
				}
				free(s);
				free(d);
			}
			free(names[i]);
		}
		free(names);
		return rc;
	}
	return 0;
}

long
source_copy(struct ext4w *w, const char *dir, const char *dest, int as_root,
	    source_progress_fn pr, void *prctx, char *err, size_t errlen)
{
	struct walk *k = calloc(1, sizeof(*k));
	long n = -1;
	size_t i;

	if (!k) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	k->w = w;
	k->as_root = as_root;
	k->pr = pr;
	k->prctx = prctx;
	k->err = err;
	k->errlen = errlen;
	if (walk_one(k, dir, dest) == 0)
		n = k->n;
	for (i = 0; i < k->nseen; i++)
		free(k->seen[i].path);
	free(k->seen);
	free(k);
	return n;
}
