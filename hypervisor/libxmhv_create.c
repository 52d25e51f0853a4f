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

/* "<domid>.building": the pid of a monitor still being created. */
static int
create_mark_building(struct xmhv *h, xmhv_domid_t domid, pid_t pid)
{
	char path[XMHV_PATH_MAX], buf[32];
	int r;

	r = libxmhv_path(h, domid, ".building", path, sizeof(path));
	if (r < 0)
		return r;
	(void)snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	return util_write_file_atomic(path, buf, strlen(buf), 0600);
}

static void
create_unmark_building(struct xmhv *h, xmhv_domid_t domid)
{
	char path[XMHV_PATH_MAX];

	if (libxmhv_path(h, domid, ".building", path, sizeof(path)) == 0)
		(void)unlink(path);
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

/* Check what can be checked of cfg before anything is opened or spent:
 * every message of the sequence encodes. buf: PROTO_PAYLOAD_MAX bytes. */
static int
create_check(const struct xmhv_domain_config *cfg, const char *run_dir,
	     uint8_t *buf, char *errmsg, size_t errlen)
{
	struct proto_nic nic;
	uint32_t len, i;
	int r;

	r = proto_create_encode(cfg, UINT32_MAX, run_dir, buf,
				PROTO_PAYLOAD_MAX, &len, errmsg, errlen);
	if (r == 0 && cfg->ndisks > XMHV_MAX_DISKS) {
		(void)snprintf(errmsg, errlen, "more than %d disks",
			       XMHV_MAX_DISKS);
		r = -E2BIG;
	}
	if (r == 0 && cfg->nnics > XMHV_MAX_NICS) {
		(void)snprintf(errmsg, errlen, "more than %d nics",
			       XMHV_MAX_NICS);
		r = -E2BIG;
	}
	for (i = 0; r == 0 && i < cfg->ndisks; i++)
		r = proto_disk_encode(&cfg->disks[i], buf, PROTO_PAYLOAD_MAX,
				      &len, errmsg, errlen);
	for (i = 0; r == 0 && i < cfg->nnics; i++)
		r = proto_nic_encode(&cfg->nics[i], &nic, errmsg, errlen);
	return r;
}

/* One message of the sequence; *last_seq_io is its sequence number. */
static int
create_msg(struct xmhv *h, int sock, enum proto_type type, const void *p,
	   uint32_t len, int fd, uint32_t *last_seq_io)
{
	*last_seq_io = libxmhv_next_seq(h);
	return proto_send(sock, XMHV_INTERFACE_VERSION, type, *last_seq_io, p,
			  len, fd);
}

/* KERNEL, RAMDISK, CONSOLE_LOG: the path names the fd. */
static int
create_file(struct xmhv *h, int sock, enum proto_type type, const char *path,
	    int fd, uint32_t *last_seq_io)
{
	return create_msg(h, sock, type, path, (uint32_t)strlen(path) + 1, fd,
			  last_seq_io);
}

/* The creation sequence after CREATE, up to START (proto.h). buf:
 * PROTO_PAYLOAD_MAX bytes of scratch. */
static int
create_send_files(struct xmhv *h, int sock,
		  const struct xmhv_domain_config *cfg,
		  const struct libxmhv_files *f, uint8_t *buf,
		  uint32_t *last_seq_io)
{
	struct proto_nic_detach vh;
	struct proto_nic nic;
	uint32_t len, i;
	int r;

	r = create_file(h, sock, PROTO_KERNEL, cfg->kernel,
			f->fd[LIBXMHV_F_KERNEL], last_seq_io);
	if (r == 0 && f->fd[LIBXMHV_F_RAMDISK] >= 0)
		r = create_file(h, sock, PROTO_RAMDISK, cfg->ramdisk,
				f->fd[LIBXMHV_F_RAMDISK], last_seq_io);
	if (r == 0 && f->fd[LIBXMHV_F_LOG] >= 0)
		r = create_file(h, sock, PROTO_CONSOLE_LOG, cfg->console_log,
				f->fd[LIBXMHV_F_LOG], last_seq_io);
	for (i = 0; r == 0 && i < cfg->ndisks; i++) {
		r = proto_disk_encode(&cfg->disks[i], buf, PROTO_PAYLOAD_MAX,
				      &len, NULL, 0);
		if (r == 0)
			r = create_msg(h, sock, PROTO_DISK, buf, len,
				       f->fd[LIBXMHV_F_DISK0 + i], last_seq_io);
	}
	for (i = 0; r == 0 && i < cfg->nnics; i++) {
		r = proto_nic_encode(&cfg->nics[i], &nic, NULL, 0);
		if (r == 0)
			r = create_msg(h, sock, PROTO_NIC, &nic,
				       proto_nic_len(&nic),
				       f->fd[LIBXMHV_F_NIC0 + i], last_seq_io);
		if (r == 0 && cfg->nics[i].vhost_fd >= 0)
			r = proto_nic_vhost_encode(cfg->nics[i].mac, &vh, NULL,
						   0);
		if (r == 0 && cfg->nics[i].vhost_fd >= 0)
			r = create_msg(h, sock, PROTO_NIC_VHOST, &vh,
				       sizeof(vh), cfg->nics[i].vhost_fd,
				       last_seq_io);
	}
	if (r == 0)
		r = create_msg(h, sock, PROTO_START, NULL, 0, -1, last_seq_io);
	return r;
}

/* The monitor's answer to the sequence: to START, or to the message it
 * refused (it sends that REPLY and exits, so a send may have failed
 * meanwhile). first..last: the sequence numbers sent. */
static int
create_answer(int sock, const char *path, uint32_t first, uint32_t last,
	      struct proto_msg *ans, char *errmsg, size_t errlen)
{
	char why[256] = "";
	int r;

	r = proto_recv(sock, XMHV_INTERFACE_VERSION, CREATE_TIMEOUT_MS, ans,
		       why, sizeof(why));
	if (r == -EPROTONOSUPPORT) {
		(void)snprintf(errmsg, errlen,
			       "monitor %s speaks interface version %u, this "
			       "toolstack version %u: install the xmhv of "
			       "this xmtools",
			       path, ans->hdr.version, XMHV_INTERFACE_VERSION);
	} else if (r == -EPIPE || r == -ECONNRESET) {
		r = -EIO;
		(void)snprintf(errmsg, errlen,
			       "monitor %s exited before the domain was built",
			       path);
	} else if (r < 0) {
		(void)snprintf(errmsg, errlen, "monitor %s: %s", path, why);
	} else if (ans->hdr.type != PROTO_REPLY || ans->hdr.seq < first ||
		   ans->hdr.seq > last) {
		r = -EBADMSG;
		(void)snprintf(errmsg, errlen, "monitor %s: unexpected %s",
			       path, proto_type_name(ans->hdr.type));
	} else if (ans->p.reply.err < 0) {
		r = ans->p.reply.err;
		(void)snprintf(errmsg, errlen, "%s", ans->p.reply.msg);
	}
	return r;
}

/* xmhv.h: open the domain's files, allocate an id, spawn the detached
 * monitor, send the creation sequence, wait for the VM to be built, watch
 * it. On failure the monitor is gone and its files (and a console log
 * created here) removed before this returns; errmsg says why. */
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
	struct libxmhv_files files;
	struct proto_msg *ans = NULL;
	uint8_t *buf = NULL;
	xmhv_domid_t domid = 0;
	uint32_t len, first = 0, last = 0;
	int sp[2] = {-1, -1}, pidfd = -1, r, rs;
	pid_t pid = 0;

	if (errmsg && errlen)
		errmsg[0] = '\0';
	memset(&files, 0, sizeof(files));
	for (len = 0; len < LIBXMHV_F_MAX; len++)
		files.fd[len] = -1;
	if (access(path, X_OK) < 0) {
		r = -errno;
		(void)snprintf(errmsg, errlen, "monitor %s: %s", path,
			       strerror(-r));
		goto out;
	}
	buf = malloc(PROTO_PAYLOAD_MAX);
	ans = malloc(sizeof(*ans));
	if (!buf || !ans) {
		r = -ENOMEM;
		goto out;
	}
	(void)!util_strlcpy(rundir, libxmhv_run_dir(h), sizeof(rundir));
	/* Checked before an id, a process or a file is spent on it. */
	r = create_check(cfg, rundir, buf, errmsg, errlen);
	if (r == 0)
		r = libxmhv_files_open(cfg, &files, errmsg, errlen);
	if (r < 0)
		goto out;
	r = create_alloc_domid(h, &domid);
	if (r < 0) {
		(void)snprintf(errmsg, errlen, "%s: domain id: %s",
			       libxmhv_run_dir(h), strerror(-r));
		goto out;
	}
	r = proto_create_encode(cfg, domid, rundir, buf, PROTO_PAYLOAD_MAX,
				&len, errmsg, errlen);
	if (r < 0)
		goto out;
	(void)snprintf(fdarg, sizeof(fdarg), "%d", CREATE_CTL_FD);
	(void)snprintf(idarg, sizeof(idarg), "%u", domid);
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
	/* Until it answers: a caller killed from here on leaves the marker
	 * for the next one (xmhv_wait_creates). */
	(void)create_mark_building(h, domid, pid);
	rs = create_msg(h, sp[0], PROTO_CREATE, buf, len, -1, &first);
	last = first;
	if (rs == 0)
		rs = create_send_files(h, sp[0], cfg, &files, buf, &last);
	/* A monitor that refused a message answered it before it exited:
	 * its REPLY says more than our failed send. */
	r = create_answer(sp[0], path, first, last, ans, errmsg, errlen);
	if (r == 0 && rs < 0)
		r = rs;
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
	if (pid > 0)
		create_unmark_building(h, domid);
	/* The monitor holds its own copies (and with them the locks). */
	libxmhv_files_close(&files, r < 0);
	if (sp[0] >= 0)
		close(sp[0]);
	if (pidfd >= 0)
		close(pidfd);
	free(buf);
	free(ans);
	return r;
}
