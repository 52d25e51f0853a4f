/* SPDX-License-Identifier: GPL-2.0-or-later */
/* delete.c: xm-delete-image NAME..., as xen-tools' xen-delete-image: the
 * disks xm-create-image made for the domain (image files and their
 * directory, or logical volumes) and its config. Only what the config's
 * own "made" lines name is removed; a running domain is refused. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imgfind.h"
#include "storage.h"
#include "util.h"

#define PROG "xm-delete-image"

static const char usage[] =
	"usage: xm-delete-image [--output DIR] [--dry-run] NAME...\n";

/* 1 when xm list NAME finds the domain running. */
static int
running(const char *name)
{
	char out[256], err[256];
	char *argv[] = {"xm", "list", (char *)name, NULL};

	return storage_run(argv, out, sizeof(out), err, sizeof(err)) == 0;
}

static int
delete_one(const char *dir, const char *name, int dry)
{
	struct imgcfg_info info;
	char path[4096], err[512];
	int r, i, rc = 0;

	r = imgfind_read(dir, name, &info);
	if (r < 0) {
		fprintf(stderr, "%s: %s/%s: %s\n", PROG, dir, name,
			strerror(-r));
		return 1;
	}
	if (!info.ours) {
		fprintf(stderr,
			"%s: %s/%s was not written by "
			"xm-create-image: nothing removed\n",
			PROG, dir, name);
		return 1;
	}
	if (running(name)) {
		fprintf(stderr,
			"%s: domain %s is running (xm list): "
			"xm destroy %s first\n",
			PROG, name, name);
		return 1;
	}
	for (i = 0; i < info.nmade; i++) {
		const char *m = info.made[i];

		if (!strncmp(m, "file /", 6)) {
			printf("%s %s\n", dry ? "would remove" : "removing",
			       m + 5);
			if (!dry && unlink(m + 5) < 0 && errno != ENOENT) {
				fprintf(stderr, "%s: %s: %s\n", PROG, m + 5,
					strerror(errno));
				rc = 1;
			}
			if (!dry) {
				/* DIR/domains/NAME, when now empty */
				snprintf(path, sizeof(path), "%s", m + 5);
				*strrchr(path, '/') = 0;
				if (strlen(path) > strlen(name) &&
				    !strcmp(path + strlen(path) - strlen(name),
					    name))
					rmdir(path);
			}
		} else if (!strncmp(m, "lv ", 3)) {
			printf("%s logical volume %s\n",
			       dry ? "would remove" : "removing", m + 3);
			if (!dry &&
			    storage_lv_remove(m + 3, err, sizeof(err)) < 0) {
				fprintf(stderr, "%s: %s\n", PROG, err);
				rc = 1;
			}
		}
	}
	if (util_snprintf(path, sizeof(path), "%s/%s", dir, name) < 0) {
		fprintf(stderr, "%s: %s/%s: path too long\n", PROG, dir, name);
		return 1;
	}
	printf("%s %s\n", dry ? "would remove" : "removing", path);
	if (!dry && rc == 0 && unlink(path) < 0) {
		fprintf(stderr, "%s: %s: %s\n", PROG, path, strerror(errno));
		rc = 1;
	}
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"output", required_argument, NULL, 'o'},
		{"dry-run", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *output = NULL;
	char dir[4096];
	int c, dry = 0, rc = 0;

	while ((c = getopt_long(argc, argv, "o:nh", lo, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'n':
			dry = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fputs(usage, stderr);
		return 2;
	}
	if (imgfind_dir(output, dir, sizeof(dir)) < 0) {
		fprintf(stderr, "%s: --output: too long\n", PROG);
		return 2;
	}
	for (; optind < argc; optind++) {
		if (strchr(argv[optind], '/') || argv[optind][0] == '.') {
			fprintf(stderr, "%s: %s: a domain name, not a path\n",
				PROG, argv[optind]);
			rc = 1;
			continue;
		}
		rc |= delete_one(dir, argv[optind], dry);
	}
	return rc;
}
