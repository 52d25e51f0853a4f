/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dist.c: debootstrap of a suite into a staging tree, kept as a tarball
 * in the cache ($XM_IMAGE_CACHE, default /var/cache/xmtools-images). The
 * tree is only ever read back through the tarball and libarchive, as any
 * --tar is. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dist.h"
#include "storage.h"

int
dist_is_ubuntu(const char *suite)
{
	static const char *const u[] = {"bionic", "focal",    "jammy", "mantic",
					"noble",  "oracular", "plucky"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(u); i++)
		if (!strcmp(suite, u[i]))
			return 1;
	return 0;
}

static int
good_uri(const char *p, size_t n, int ubuntu)
{
	char u[512];

	if (n == 0 || n >= sizeof(u))
		return 0;
	memcpy(u, p, n);
	u[n] = 0;
	if (strncmp(u, "http://", 7) && strncmp(u, "https://", 8))
		return 0;
	if (strstr(u, "security") || strstr(u, "-updates") ||
	    strstr(u, "backports"))
		return 0;
	return ubuntu ? !!strstr(u, "ubuntu") : !!strstr(u, "/debian");
}

int
dist_mirror(const char *text, size_t len, int ubuntu, char *out, size_t size)
{
	size_t pos = 0;

	while (pos < len) {
		const char *line = text + pos, *nl;
		size_t n, i = 0, s;

		nl = memchr(line, '\n', len - pos);
		n = nl ? (size_t)(nl - line) : len - pos;
		pos += n + 1;
		while (i < n && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (n - i > 4 && !memcmp(line + i, "deb ", 4)) {
			i += 4;
			while (i < n && line[i] == ' ')
				i++;
			if (i < n && line[i] == '[') { /* deb [opts] URL */
				while (i < n && line[i] != ']')
					i++;
				i++;
				while (i < n && line[i] == ' ')
					i++;
			}
		} else if (n - i > 5 && !memcmp(line + i, "URIs:", 5)) {
			i += 5;
			while (i < n && line[i] == ' ')
				i++;
		} else {
			continue;
		}
		s = i;
		while (i < n && line[i] != ' ' && line[i] != '\t')
			i++;
		if (good_uri(line + s, i - s, ubuntu) && i - s < size) {
			memcpy(out, line + s, i - s);
			out[i - s] = 0;
			return 0;
		}
	}
	return -1;
}

/* The host's sources, appended into one buffer. */
static char *
read_sources(size_t *len)
{
	static const char *const dirs[] = {"/etc/apt/sources.list.d"};
	char *all = NULL, *data;
	size_t n, total = 0;
	struct dirent *d;
	DIR *dir;

	if (util_read_file("/etc/apt/sources.list", 1 << 20, &all, &total) <
	    0) {
		all = strdup("");
		total = 0;
	}
	dir = all ? opendir(dirs[0]) : NULL;
	while (dir && (d = readdir(dir))) {
		char path[512];
		char *grown;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dirs[0], d->d_name);
		if (util_read_file(path, 1 << 20, &data, &n) < 0)
			continue;
		grown = realloc(all, total + n + 2);
		if (grown) {
			all = grown;
			all[total++] = '\n';
			memcpy(all + total, data, n);
			total += n;
			all[total] = 0;
		}
		free(data);
	}
	if (dir)
		closedir(dir);
	*len = total;
	return all;
}

int
dist_tarball(const char *suite, const char *mirror, char *path, size_t size,
	     int *made, char *err, size_t errlen)
{
	const char *cache = getenv("XM_IMAGE_CACHE");
	char url[512], stage[512], tmp[600] = "", include[256];
	int ubuntu = dist_is_ubuntu(suite), rc = -1;
	size_t n;

	*made = 0;
	if (!cache || !*cache)
		cache = "/var/cache/xmtools-images";
	if (util_snprintf(path, size, "%s/%s-amd64.tar.gz", cache, suite) < 0) {
		snprintf(err, errlen, "the cache path is too long");
		return -1;
	}
	if (access(path, R_OK) == 0)
		return 0;
	if (geteuid() != 0) {
		snprintf(err, errlen,
			 "no %s yet, and debootstrap needs root "
			 "(run once as root, or give --tar)",
			 path);
		return -1;
	}
	if (mirror) {
		snprintf(url, sizeof(url), "%s", mirror);
	} else {
		char *src = read_sources(&n);

		if (!src || dist_mirror(src, n, ubuntu, url, sizeof(url)) < 0) {
			free(src);
			snprintf(err, errlen,
				 "no %s archive in the host's APT "
				 "sources: give --mirror URL",
				 ubuntu ? "Ubuntu" : "Debian");
			return -1;
		}
		free(src);
	}
	if (util_mkdir_p(cache, 0755) < 0) {
		snprintf(err, errlen, "%s: %s", cache, strerror(errno));
		return -1;
	}
	snprintf(stage, sizeof(stage), "%s/%s.stage.XXXXXX", cache, suite);
	if (!mkdtemp(stage)) {
		snprintf(err, errlen, "%s: %s", cache, strerror(errno));
		return -1;
	}
	/* a kernel and initramfs inside: the guest boots its own */
	snprintf(include, sizeof(include),
		 "%s,initramfs-tools,ifupdown,isc-dhcp-client,systemd-sysv,"
		 "udev,openssh-server",
		 ubuntu ? "linux-image-generic" : "linux-image-amd64");
	{
		char *argv[] = {"debootstrap", "--variant=minbase",
				"--include",   include,
				(char *)suite, stage,
				url,           NULL};

		if (storage_run(argv, NULL, 0, err, errlen) != 0)
			goto out;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	{
		char *argv[] = {
			"tar", "--numeric-owner", "-C", stage, "-czf", tmp, ".",
			NULL};

		if (storage_run(argv, NULL, 0, err, errlen) != 0)
			goto out;
	}
	if (rename(tmp, path) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	*made = 1;
	rc = 0;
out:
	if (tmp[0])
		unlink(tmp);
	{
		char e2[256];
		char *argv[] = {"rm", "-rf", "--one-file-system", stage, NULL};

		(void)storage_run(argv, NULL, 0, e2, sizeof(e2));
	}
	return rc;
}
