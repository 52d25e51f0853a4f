/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libxmhv_create.c: xmhv_domain_create: domain ids and the detached monitor. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libxmhv_int.h"
#include "proto.h"
#include "util.h"

#define CREATE_TIMEOUT_MS 120000
#define CREATE_EXIT_TIMEOUT_MS 5000
#define CREATE_CTL_FD 3

/* Allocate the next domain id: a counter in "<run_dir>/domid.next" under
 * flock on "<run_dir>/domid.lock", counting up from 1, skipping ids that
 * still have files (never reused while run_dir exists). */
static int
create_alloc_domid(struct xmhv *h, xmhv_domid_t *domid_out)
{
	char lock[XMHV_PATH_MAX], next[XMHV_PATH_MAX], sock[XMHV_PATH_MAX];
	char *data = NULL, buf[32];
	uint64_t id = 1;
	size_t len;
	int fd = -1, r;

	r = util_snprintf(lock, sizeof(lock), "%s/domid.lock",
			  libxmhv_run_dir(h));
	if (r == 0)
		r = util_snprintf(next, sizeof(next), "%s/domid.next",
				  libxmhv_run_dir(h));
	if (r < 0)
		goto out;
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			r = -errno;
			goto out;
		}
	}
	r = util_read_file(next, 64, &data, &len);
	if (r == 0) {
		data[strcspn(data, "\n")] = '\0';
		if (util_parse_u64(data, UINT32_MAX - 1, &id) < 0 || id == 0)
			id = 1;
	} else if (r != -ENOENT) {
		goto out;
	}
	for (;; id++) {
		struct stat st;

		if (id >= UINT32_MAX) {
			r = -ENOSPC;
			goto out;
		}
		r = libxmhv_path(h, (xmhv_domid_t)id, ".sock", sock,
				 sizeof(sock));
		if (r < 0)
			goto out;
		if (stat(sock, &st) < 0 &&
		    libxmhv_read_pid(h, (xmhv_domid_t)id) == 0)
			break;
	}
	r = util_snprintf(buf, sizeof(buf), "%llu\n",
			  (unsigned long long)id + 1);
	if (r == 0)
		r = util_write_file_atomic(next, buf, strlen(buf), 0600);
	if (r == 0)
		*domid_out = (xmhv_domid_t)id;
out:
	free(data);
	if (fd >= 0)
		close(fd); /* drops the flock */
	return r;
}

/* In the grandchild: become the monitor. Only async-signal-safe calls. */
static void __attribute__((noreturn))
create_exec_monitor(int sock, const char *path, char *const argv[])
{
	sigset_t all;
	int null;

	sigemptyset(&all);
	(void)sigprocmask(SIG_SETMASK, &all, NULL);
	if (sock != CREATE_CTL_FD) {
		if (dup2(sock, CREATE_CTL_FD) < 0)
			_exit(127);
	} else if (fcntl(sock, F_SETFD, 0) < 0) {
		_exit(127);
	}
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		(void)dup2(null, STDIN_FILENO);
		(void)dup2(null, STDOUT_FILENO);
	}
	/* Nothing of the caller (daemon sockets, files) leaks into it. */
	(void)syscall(SYS_close_range, CREATE_CTL_FD + 1, ~0u, 0);
	execv(path, argv);
	_exit(127);
}

/* Start the monitor detached from the caller: double fork + setsid, so it
 * is re-parented to init and survives the caller (even kill -9). The
 * monitor's pid comes back through a pipe. Returns 0 or -errno. */
static int
create_spawn(const char *path, char *const argv[], int sock, pid_t *pid_out)
{
	int pfd[2] = {-1, -1}, status, r = 0;
	pid_t child, mon = -1;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	child = fork();
	if (child < 0) {
		r = -errno;
		goto out;
	}
	if (child == 0) {
		pid_t gc;

		(void)setsid();
		gc = fork();
		if (gc == 0)
			create_exec_monitor(sock, path, argv);
		(void)!write(pfd[1], &gc, sizeof(gc));
		_exit(gc < 0 ? 1 : 0);
	}
	close(pfd[1]);
	pfd[1] = -1;
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	r = util_read_all(pfd[0], &mon, sizeof(mon));
	if (r == 0 && mon <= 0)
		r = -EAGAIN;
	if (r == 0)
		*pid_out = mon;
out:
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	return r;
}

/* xmhv.h: allocate an id, spawn the detached monitor, send CREATE, wait
 * for the VM to be built, watch it. On failure the monitor is gone and its
 * files removed before this returns; errmsg says why. */
int
xmhv_domain_create(struct xmhv *h, const struct xmhv_domain_config *cfg,
		   xmhv_domid_t *domid_out, char *errmsg, size_t errlen)
{
	const char *path = libxmhv_monitor_path(h);
	char fdarg[16], idarg[16], rundir[XMHV_PATH_MAX];
	/* run_dir and the id travel in CREATE; on the command line they only
	 * tell ps(1) which domain a monitor runs. */
	char *argv[] = {(char *)"xmhv", (char *)"--control-fd",
			fdarg,          (char *)"--run-dir",
			rundir,         (char *)"--domid",
			idarg,          NULL};
	struct proto_create *req = NULL;
	union proto_payload *ans = NULL;
	struct proto_hdr hdr;
	xmhv_domid_t domid = 0;
	int sp[2] = {-1, -1}, pidfd = -1, r;
	pid_t pid = 0;

	if (errmsg && errlen)
		errmsg[0] = '\0';
	if (access(path, X_OK) < 0) {
		r = -errno;
		(void)snprintf(errmsg, errlen, "monitor %s: %s", path,
			       strerror(-r));
		goto out;
	}
	req = calloc(1, sizeof(*req));
	ans = calloc(1, sizeof(*ans));
	if (!req || !ans) {
		r = -ENOMEM;
		goto out;
	}
	req->cfg = *cfg;
	req->domid = UINT32_MAX; /* checked before an id is spent on it */
	r = util_strlcpy(req->run_dir, libxmhv_run_dir(h),
			 sizeof(req->run_dir));
	if (r == 0)
		r = proto_payload_check(PROTO_CREATE, req, sizeof(*req), errmsg,
					errlen);
	if (r < 0) {
		r = r == -EBADMSG ? -EINVAL : r;
		goto out;
	}
	r = create_alloc_domid(h, &domid);
	if (r < 0) {
		(void)snprintf(errmsg, errlen, "%s: domain id: %s",
			       libxmhv_run_dir(h), strerror(-r));
		goto out;
	}
	req->domid = domid;
	(void)snprintf(fdarg, sizeof(fdarg), "%d", CREATE_CTL_FD);
	(void)snprintf(idarg, sizeof(idarg), "%u", domid);
	(void)!util_strlcpy(rundir, libxmhv_run_dir(h), sizeof(rundir));
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
		r = -errno;
		goto out;
	}
	r = create_spawn(path, argv, sp[1], &pid);
	close(sp[1]);
	sp[1] = -1;
	if (r < 0) {
		(void)snprintf(errmsg, errlen, "monitor %s: %s", path,
			       strerror(-r));
		goto out;
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	r = proto_send(sp[0], PROTO_CREATE, libxmhv_next_seq(h), req);
	if (r == 0)
		r = proto_recv(sp[0], CREATE_TIMEOUT_MS, &hdr, ans);
	if (r == -EPROTONOSUPPORT) {
		(void)snprintf(errmsg, errlen,
			       "monitor %s speaks interface version %u, "
			       "this toolstack version %u",
			       path, hdr.version, XMHV_INTERFACE_VERSION);
	} else if (r == -EPIPE || r == -ECONNRESET) {
		r = -EIO;
		(void)snprintf(errmsg, errlen,
			       "monitor %s exited before the domain was built",
			       path);
	} else if (r < 0) {
		(void)snprintf(errmsg, errlen, "monitor %s: %s", path,
			       strerror(-r));
	} else if (hdr.type != PROTO_REPLY) {
		r = -EBADMSG;
		(void)snprintf(errmsg, errlen, "monitor %s: unexpected %s",
			       path, proto_type_name(hdr.type));
	} else if (ans->reply.err < 0) {
		r = ans->reply.err;
		(void)snprintf(errmsg, errlen, "%s", ans->reply.msg);
	}
	if (r < 0)
		goto out;
	r = libxmhv_watch_fd(h, domid, sp[0]);
	sp[0] = -1;
	if (r < 0) {
		(void)snprintf(errmsg, errlen, "domain %u: watch: %s", domid,
			       strerror(-r));
		goto out;
	}
	*domid_out = domid;
out:
	if (r < 0 && pid > 0) {
		/* Nothing is left behind: no process, no files. */
		if (sp[0] >= 0)
			close(sp[0]);
		sp[0] = -1;
		(void)!libxmhv_wait_gone(pid, pidfd, CREATE_EXIT_TIMEOUT_MS);
		libxmhv_remove_files(h, domid);
	}
	if (sp[0] >= 0)
		close(sp[0]);
	if (pidfd >= 0)
		close(pidfd);
	free(req);
	free(ans);
	return r;
}
