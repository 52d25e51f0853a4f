/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xenstore_shim.c: xmd-xenstore, run as xenstore-read, xenstore-write,
 * xenstore-exists, xenstore-rm, xenstore-list or xenstore-chmod (the
 * name it is called by) from the PATH xmd gives a vif script. It answers
 * from the store file in $XMD_XENSTORE (netstore.c's format, written by
 * xmd from the domain's record) under flock, so Xen's vif scripts
 * (xenstore_read_default, success(), fatal()) keep working without
 * XenStore. Exit 0, or 1 with a message as Xen's tools. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "net.h"
#include "util.h"

/* Load the store (locked: shared to read, exclusive to change). */
static int
shim_load(const char *path, bool write, int *lock_out, struct netstore *s)
{
	char *text = NULL;
	size_t len;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (flock(fd, write ? LOCK_EX : LOCK_SH) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	rc = util_read_file(path, 1 << 20, &text, &len);
	if (rc == 0)
		rc = netstore_parse(text, len, s);
	free(text);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	*lock_out = fd;
	return 0;
}

/* Write the store back in place (the lock is on the open file). */
static int
shim_save(const char *path, const struct netstore *s)
{
	char *text = netstore_format(s);
	int fd, rc = 0;

	if (!text)
		return -ENOMEM;
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0 || util_write_all(fd, text, strlen(text)) < 0)
		rc = -EIO;
	if (fd >= 0)
		close(fd);
	free(text);
	return rc;
}

/* A path without its leading '/' matches too ("backend/..." is what
 * XENBUS_PATH holds; scripts also use absolute /local/... paths). */
static const char *
shim_get(const struct netstore *s, const char *key)
{
	const char *v = netstore_get(s, key);

	if (!v && key[0] == '/')
		v = netstore_get(s, key + 1);
	return v;
}

int
main(int argc, char **argv)
{
	const char *self = strrchr(argv[0], '/'),
		   *path = getenv("XMD_XENSTORE");
	bool change;
	struct netstore s;
	int lock = -1, i, rc = 0, first = 1;

	self = self ? self + 1 : argv[0];
	if (!path) {
		fprintf(stderr,
			"%s: XMD_XENSTORE is not set (run by xmd for "
			"a vif script)\n",
			self);
		return 1;
	}
	while (first < argc && argv[first][0] == '-' && argv[first][1])
		first++; /* -s, -r, ...: one store, no transport */
	change =
		!strcmp(self, "xenstore-write") || !strcmp(self, "xenstore-rm");
	if (!strcmp(self, "xenstore-chmod"))
		return 0; /* one user: permissions mean nothing here */
	if (shim_load(path, change, &lock, &s) < 0) {
		fprintf(stderr, "%s: %s: %s\n", self, path, strerror(errno));
		return 1;
	}
	if (!strcmp(self, "xenstore-read") ||
	    !strcmp(self, "xenstore-exists")) {
		for (i = first; i < argc && rc == 0; i++) {
			const char *v = shim_get(&s, argv[i]);

			if (!v) {
				fprintf(stderr, "%s: couldn't read path %s\n",
					self, argv[i]);
				rc = 1;
			} else if (self[9] == 'r') {
				printf("%s\n", v);
			}
		}
	} else if (!strcmp(self, "xenstore-write")) {
		if ((argc - first) % 2 || argc == first) {
			fprintf(stderr, "usage: %s PATH VALUE...\n", self);
			rc = 1;
		}
		for (i = first; rc == 0 && i + 1 < argc; i += 2)
			if (netstore_set(
				    &s,
				    argv[i][0] == '/' &&
						    !shim_get(&s, argv[i]) &&
						    !strncmp(argv[i],
							     "/backend/", 9)
					    ? argv[i] + 1
					    : argv[i],
				    argv[i + 1]) < 0) {
				fprintf(stderr, "%s: could not write path %s\n",
					self, argv[i]);
				rc = 1;
			}
		if (rc == 0 && shim_save(path, &s) < 0)
			rc = 1;
	} else if (!strcmp(self, "xenstore-rm")) {
		for (i = first; i < argc; i++)
			if (netstore_rm(&s, argv[i]) < 0 && argv[i][0] == '/')
				(void)netstore_rm(&s, argv[i] + 1);
		if (shim_save(path, &s) < 0)
			rc = 1;
	} else if (!strcmp(self, "xenstore-list")) {
		size_t k, n;

		for (i = first; i < argc; i++) {
			const char *dir =
				argv[i][0] == '/' &&
						strncmp(argv[i], "/local", 6) &&
						strncmp(argv[i], "/vm", 3)
					? argv[i] + 1
					: argv[i];

			n = strlen(dir);
			for (k = 0; k < s.n; k++)
				if (!strncmp(s.key[k], dir, n) &&
				    s.key[k][n] == '/' &&
				    !strchr(s.key[k] + n + 1, '/'))
					printf("%s\n", s.key[k] + n + 1);
		}
	} else {
		fprintf(stderr, "%s: not a xenstore command\n", self);
		rc = 1;
	}
	netstore_dispose(&s);
	close(lock);
	return rc;
}
