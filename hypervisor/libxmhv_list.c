/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libxmhv_list.c: monitor processes: pid files, waiting for an exit,
 * destroy, the list of live domains, and the creates a killed caller left. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "libxmhv_int.h"
#include "proto.h"
#include "util.h"

#define LIBXMHV_EXIT_TIMEOUT_MS 5000

/* Wait for pid to exit (pidfd when >= 0), SIGKILL it after
 * timeout_ms, wait again. 0 once gone, -ETIMEDOUT. */
int
libxmhv_wait_gone(pid_t pid, int pidfd, int timeout_ms)
{
	uint64_t deadline = util_now_ns() + (uint64_t)timeout_ms * 1000000;
	bool killed = false;

	if (pid <= 0)
		return 0;
	for (;;) {
		struct pollfd pfd = {.fd = pidfd, .events = POLLIN};

		if (pidfd >= 0) {
			if (poll(&pfd, 1, 10) > 0)
				return 0;
		} else {
			if (kill(pid, 0) < 0 && errno == ESRCH)
				return 0;
			(void)usleep(2000);
		}
		if (util_now_ns() < deadline)
			continue;
		if (killed)
			return -ETIMEDOUT;
		if (pidfd >= 0)
			(void)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL,
				      NULL, 0);
		else
			(void)kill(pid, SIGKILL);
		killed = true;
		deadline = util_now_ns() + 5000000000ull;
	}
}

/* The pid in "<domid><suffix>", 0 when missing or unreadable. */
static pid_t
libxmhv_read_pid_file(const struct xmhv *h, xmhv_domid_t domid,
		      const char *suffix)
{
	char path[XMHV_PATH_MAX], *data = NULL;
	uint64_t v = 0;
	size_t len;

	if (libxmhv_path(h, domid, suffix, path, sizeof(path)) < 0)
		return 0;
	if (util_read_file(path, 64, &data, &len) < 0)
		return 0;
	data[strcspn(data, "\n")] = '\0';
	if (util_parse_u64(data, INT_MAX, &v) < 0)
		v = 0;
	free(data);
	return (pid_t)v;
}

/* The pid in "<domid>.pid", 0 when missing or unreadable. */
pid_t
libxmhv_read_pid(const struct xmhv *h, xmhv_domid_t domid)
{
	return libxmhv_read_pid_file(h, domid, ".pid");
}

/* Has pid not exited yet? A zombie counts as exited. */
bool
libxmhv_pid_alive(pid_t pid)
{
	struct pollfd pfd = {.events = POLLIN};
	bool alive;

	if (pid <= 0)
		return false;
	/* A pidfd is readable once the process exited, even while it is a
	 * zombie that kill(pid, 0) still finds. */
	pfd.fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd.fd < 0)
		return errno == ESRCH ? false
				      : kill(pid, 0) == 0 || errno == EPERM;
	alive = poll(&pfd, 1, 0) == 0;
	close(pfd.fd);
	return alive;
}

/* xmhv.h: tell the monitor to exit, wait until it is gone (SIGKILL
 * after a bound), remove its files. -ESRCH when there was no such domain. */
int
xmhv_domain_destroy(struct xmhv *h, xmhv_domid_t domid)
{
	struct xmhv_call c = {.type = PROTO_DESTROY};
	pid_t pid;
	int pidfd = -1, r;

	pid = libxmhv_read_pid(h, domid);
	if (pid > 0)
		pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pid > 0 && pidfd < 0 && errno == ESRCH)
		pid = 0; /* stale pid file of a dead monitor */
	r = libxmhv_request(h, domid, &c, LIBXMHV_REQ_TIMEOUT_MS, NULL, NULL);
	if (!c.ans && pid <= 0) { /* nobody listens */
		char path[XMHV_PATH_MAX];
		struct stat st;

		/* No monitor: clean what a dead one left, if anything. */
		r = -ESRCH;
		if (libxmhv_path(h, domid, ".sock", path, sizeof(path)) == 0 &&
		    stat(path, &st) == 0)
			r = 0;
		libxmhv_remove_files(h, domid);
		goto out;
	}
	if (r == 0 && pid <= 0) {
		pid = c.ans->p.reply.pid;
		pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	}
	/* Whether or not it answered, it must be gone before we return. */
	r = libxmhv_wait_gone(pid, pidfd, LIBXMHV_EXIT_TIMEOUT_MS);
	libxmhv_remove_files(h, domid);
out:
	if (pidfd >= 0)
		close(pidfd);
	free(c.ans);
	return r;
}

/* Is "<domid>.sock" a live monitor? 1 yes, 0 no (stale files removed),
 * -EBUSY alive but not answering (left alone). */
static int
libxmhv_list_check(struct xmhv *h, xmhv_domid_t domid)
{
	bool alive = libxmhv_pid_alive(libxmhv_read_pid(h, domid));
	int r;

	r = libxmhv_ping(h, domid);
	if (r == 0)
		return 1;
	if (alive)
		return -EBUSY;
	if (r == -ESRCH)
		libxmhv_remove_files(h, domid);
	return 0;
}

/* Is name "<domid><suffix>" with a domid >= 1? */
static bool
libxmhv_list_name(const char *name, const char *suffix, xmhv_domid_t *id_out)
{
	size_t len = strlen(name), slen = strlen(suffix);
	char num[16];
	uint64_t id;

	if (len <= slen || len - slen >= sizeof(num) ||
	    strcmp(name + len - slen, suffix) != 0)
		return false;
	memcpy(num, name, len - slen);
	num[len - slen] = '\0';
	if (num[0] < '1' || num[0] > '9' ||
	    util_parse_u64(num, UINT32_MAX, &id) < 0)
		return false;
	*id_out = (xmhv_domid_t)id;
	return true;
}

static int
libxmhv_cmp_domid(const void *a, const void *b)
{
	xmhv_domid_t x = *(const xmhv_domid_t *)a, y = *(const xmhv_domid_t *)b;

	return x < y ? -1 : x > y;
}

/* xmhv.h: live domains sorted by id (at most max); removes files
 * of dead monitors. */
int
xmhv_domain_list(struct xmhv *h, xmhv_domid_t *domids, int max)
{
	xmhv_domid_t *all = NULL, *grown;
	size_t n = 0, cap = 0;
	DIR *d = NULL;
	struct dirent *e;
	int r;

	if (max < 0)
		return -EINVAL;
	d = opendir(h->run_dir);
	if (!d)
		return -errno;
	while ((e = readdir(d)) != NULL) {
		xmhv_domid_t id;

		if (libxmhv_list_name(e->d_name, ".pid", &id)) {
			/* A pid file alone: a monitor that died between
			 * writing it and binding its socket. */
			char sock[XMHV_PATH_MAX];

			if (libxmhv_path(h, id, ".sock", sock, sizeof(sock)) ==
				    0 &&
			    access(sock, F_OK) < 0 && errno == ENOENT &&
			    !libxmhv_pid_alive(libxmhv_read_pid(h, id)))
				libxmhv_remove_files(h, id);
			continue;
		}
		if (!libxmhv_list_name(e->d_name, ".sock", &id))
			continue;
		if (libxmhv_list_check(h, id) != 1)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			grown = realloc(all, cap * sizeof(*all));
			if (!grown) {
				r = -ENOMEM;
				goto out;
			}
			all = grown;
		}
		all[n++] = id;
	}
	if (n > 0)
		qsort(all, n, sizeof(*all), libxmhv_cmp_domid);
	if (n > (size_t)max)
		n = (size_t)max;
	if (n > 0)
		memcpy(domids, all, n * sizeof(*all));
	r = (int)n;
out:
	closedir(d);
	free(all);
	return r;
}

/* One "<id>.building" marker: 1 while its monitor is alive and not yet
 * answering, else 0 (the marker removed). */
static int
libxmhv_still_building(struct xmhv *h, xmhv_domid_t id)
{
	char path[XMHV_PATH_MAX];

	if (libxmhv_path(h, id, ".building", path, sizeof(path)) < 0)
		return 0;
	if (libxmhv_pid_alive(libxmhv_read_pid_file(h, id, ".building")) &&
	    libxmhv_ping(h, id) < 0)
		return 1;
	(void)unlink(path);
	return 0;
}

/* xmhv.h: wait for the monitors whose creator went away mid-create. */
int
xmhv_wait_creates(struct xmhv *h, int timeout_ms)
{
	uint64_t deadline = util_now_ns() + (uint64_t)timeout_ms * 1000000;
	int waited = 0, building;

	for (;;) {
		DIR *d = opendir(h->run_dir);
		struct dirent *e;

		if (!d)
			return errno == ENOENT ? waited : -errno;
		building = 0;
		while ((e = readdir(d)) != NULL) {
			xmhv_domid_t id;

			if (libxmhv_list_name(e->d_name, ".building", &id))
				building += libxmhv_still_building(h, id);
		}
		closedir(d);
		if (building == 0)
			return waited;
		if (waited == 0)
			waited = building;
		if (util_now_ns() >= deadline)
			return -ETIMEDOUT;
		(void)usleep(20000);
	}
}
