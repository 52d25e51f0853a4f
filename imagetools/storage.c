/* SPDX-License-Identifier: GPL-2.0-or-later */
/* storage.c: image files, LVM volumes (LVM's own tools), mke2fs, the swap
 * signature, and the undo list. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "storage.h"

extern char **environ;

int
undo_add(struct undo *u, int kind, const char *what)
{
	if (u->n >= UNDO_MAX)
		return -ENOSPC;
	u->what[u->n] = strdup(what);
	if (!u->what[u->n])
		return -ENOMEM;
	u->kind[u->n++] = kind;
	return 0;
}

void
undo_run(struct undo *u, const char *prog)
{
	char err[256];

	while (u->n > 0) {
		int k = --u->n;
		const char *w = u->what[k];

		fprintf(stderr, "%s: removing %s\n", prog, w);
		if (u->kind[k] == 'f' && unlink(w) < 0 && errno != ENOENT)
			fprintf(stderr, "%s: %s: %s\n", prog, w,
				strerror(errno));
		if (u->kind[k] == 'd' && rmdir(w) < 0 && errno != ENOENT)
			fprintf(stderr, "%s: %s: %s\n", prog, w,
				strerror(errno));
		if (u->kind[k] == 'l' &&
		    storage_lv_remove(w, err, sizeof(err)) < 0)
			fprintf(stderr, "%s: %s\n", prog, err);
		free(u->what[k]);
	}
}

void
undo_forget(struct undo *u)
{
	while (u->n > 0)
		free(u->what[--u->n]);
}

int
storage_run(char *const argv[], char *out, size_t outlen, char *err,
	    size_t errlen)
{
	posix_spawn_file_actions_t fa;
	int epipe[2] = {-1, -1}, opipe[2] = {-1, -1};
	char ebuf[4096];
	size_t elen = 0, olen = 0;
	pid_t pid;
	int st = -1, rc;

	if (err && errlen)
		err[0] = 0;
	if (pipe2(epipe, O_CLOEXEC) < 0 || pipe2(opipe, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (out)
		posix_spawn_file_actions_adddup2(&fa, opipe[1], 1);
	else
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY,
						 0);
	posix_spawn_file_actions_adddup2(&fa, epipe[1], 2);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(epipe[1]);
	close(opipe[1]);
	epipe[1] = opipe[1] = -1;
	if (rc) {
		snprintf(err, errlen, "%s: %s", argv[0], strerror(rc));
		goto out;
	}
	for (;;) {
		struct pollfd p[2] = {{epipe[0], POLLIN, 0},
				      {opipe[0], POLLIN, 0}};
		char tmp[1024];
		ssize_t n;
		int open_fds = 0;

		if (p[0].fd >= 0)
			open_fds++;
		if (p[1].fd >= 0)
			open_fds++;
		if (!open_fds)
			break;
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents) {
			n = read(epipe[0], tmp, sizeof(tmp));
			if (n <= 0) {
				close(epipe[0]);
				epipe[0] = -1;
			} else {
				size_t m = (size_t)n;

				if (elen + m >= sizeof(ebuf)) {
					elen = 0;
				}
				memcpy(ebuf + elen, tmp, m);
				elen += m;
			}
		}
		if (p[1].revents) {
			n = read(opipe[0], tmp, sizeof(tmp));
			if (n <= 0) {
				close(opipe[0]);
				opipe[0] = -1;
			} else if (out) {
				size_t m = (size_t)n;

				if (olen + m >= outlen)
					m = outlen - olen - 1;
				memcpy(out + olen, tmp, m);
				olen += m;
			}
		}
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	st = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (out)
		out[olen] = 0;
	if (err && errlen) {
		char *last;

		while (elen &&
		       (ebuf[elen - 1] == '\n' || ebuf[elen - 1] == ' '))
			elen--;
		ebuf[elen] = 0;
		last = strrchr(ebuf, '\n');
		snprintf(err, errlen, "%s: %s", argv[0],
			 elen ? (last ? last + 1 : ebuf)
			      : (st ? "failed" : "ok"));
	}
out:
	if (epipe[0] >= 0)
		close(epipe[0]);
	if (opipe[0] >= 0)
		close(opipe[0]);
	if (epipe[1] >= 0)
		close(epipe[1]);
	if (opipe[1] >= 0)
		close(opipe[1]);
	return st;
}

int
storage_file(const char *path, uint64_t size, int force, char *err,
	     size_t errlen)
{
	int fd = open(path,
		      O_WRONLY | O_CREAT | O_CLOEXEC |
			      (force ? O_TRUNC : O_EXCL),
		      0600);

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s%s", path, strerror(errno),
			 errno == EEXIST ? " (--force replaces it)" : "");
		return -1;
	}
	if (ftruncate(fd, (off_t)size) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
storage_lv_exists(const char *vg, const char *name)
{
	char vl[512], out[256], err[256];
	char *argv[] = {"lvs", "--noheadings", "-o", "lv_name", vl, NULL};
	int st;

	snprintf(vl, sizeof(vl), "%s/%s", vg, name);
	st = storage_run(argv, out, sizeof(out), err, sizeof(err));
	if (st == 0)
		return 1;
	return strstr(err, "Failed to find") || strstr(err, "not found") ? 0
									 : -1;
}

int
storage_lv(const char *vg, const char *name, uint64_t size, int force,
	   char **dev_out, char *err, size_t errlen)
{
	char vl[512], sz[32];
	char *argv[] = {"lvcreate",   "-q", "-y", "-W",       "y", "-n",
			(char *)name, "-L", sz,   (char *)vg, NULL};
	int ex = storage_lv_exists(vg, name);

	snprintf(vl, sizeof(vl), "%s/%s", vg, name);
	if (ex < 0) {
		snprintf(err, errlen,
			 "volume group %s: lvs failed (is it "
			 "there? vgs lists them)",
			 vg);
		return -1;
	}
	if (ex && !force) {
		snprintf(err, errlen,
			 "logical volume %s exists (--force "
			 "replaces it)",
			 vl);
		return -1;
	}
	if (ex && storage_lv_remove(vl, err, errlen) < 0)
		return -1;
	snprintf(sz, sizeof(sz), "%llub", (unsigned long long)size);
	if (storage_run(argv, NULL, 0, err, errlen) != 0)
		return -1;
	if (asprintf(dev_out, "/dev/%s/%s", vg, name) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int
storage_lv_remove(const char *vg_lv, char *err, size_t errlen)
{
	char *argv[] = {"lvremove", "-q", "-f", (char *)vg_lv, NULL};

	return storage_run(argv, NULL, 0, err, errlen) == 0 ? 0 : -1;
}

int
storage_mkfs(const char *path, const char *label, char *err, size_t errlen)
{
	char lab[17];
	char *argv[] = {"mke2fs",         "-q",         "-F", "-t",
			"ext4",           "-L",         lab,  "-E",
			"root_owner=0:0", (char *)path, NULL};

	snprintf(lab, sizeof(lab), "%s", label);
	return storage_run(argv, NULL, 0, err, errlen) == 0 ? 0 : -1;
}

void
storage_swap_header(unsigned char page[4096], uint64_t size,
		    const unsigned char uuid[16])
{
	uint32_t version = 1, last = (uint32_t)(size / 4096 - 1);

	memset(page, 0, 4096);
	/* union swap_header's info: after 1024 bytes of boot bits */
	memcpy(page + 1024, &version, 4);
	memcpy(page + 1028, &last, 4);
	memcpy(page + 1036, uuid, 16);
	memcpy(page + 4096 - 10, "SWAPSPACE2", 10);
}

int
storage_mkswap(const char *path, uint64_t size, char *err, size_t errlen)
{
	unsigned char page[4096], uuid[16];
	int fd = -1, rc = -1;

	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || util_read_all(fd, uuid, sizeof(uuid)) < 0) {
		snprintf(err, errlen, "/dev/urandom: %s", strerror(errno));
		goto out;
	}
	close(fd);
	uuid[6] = (uuid[6] & 0x0f) | 0x40;
	uuid[8] = (uuid[8] & 0x3f) | 0x80;
	storage_swap_header(page, size, uuid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || util_write_all(fd, page, sizeof(page)) < 0 ||
	    fsync(fd) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

int
storage_partition(const char *dev, int force, char *err, size_t errlen)
{
	char out[128], e2[256];
	char *argv[] = {"blkid", "-p",   "-o",        "value",
			"-s",    "TYPE", (char *)dev, NULL};
	struct stat st;
	int r;

	if (stat(dev, &st) < 0) {
		snprintf(err, errlen, "%s: %s", dev, strerror(errno));
		return -1;
	}
	if (!S_ISBLK(st.st_mode)) {
		snprintf(err, errlen, "%s: not a block device", dev);
		return -1;
	}
	r = storage_run(argv, out, sizeof(out), e2, sizeof(e2));
	out[strcspn(out, "\n")] = 0;
	if (r == 0 && out[0] && !force) {
		snprintf(err, errlen,
			 "%s holds a %s filesystem (--force "
			 "formats it)",
			 dev, out);
		return -1;
	}
	if (r != 0 && r != 2) { /* 2: no signature found */
		snprintf(err, errlen, "%s: %s", dev, e2);
		return -1;
	}
	return 0;
}
