/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libxmhv.c: the hypercall interface (xmhv.h) over per-domain unix sockets. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libxmhv_int.h"
#include "proto.h"
#include "util.h"

#define LIBXMHV_REQ_TIMEOUT_MS 30000
#define LIBXMHV_CREATE_TIMEOUT_MS 120000
#define LIBXMHV_PING_TIMEOUT_MS 2000
#define LIBXMHV_EXIT_TIMEOUT_MS 5000

/* A watched domain: the connection on which xmhv pushes EVENT messages. */
struct xmhv_watchconn {
	xmhv_domid_t domid;
	int fd;
	bool dying;      /* xmhv announced DYING: its EOF is a destroy */
	uint32_t reason; /* last reason seen */
	size_t have;     /* bytes of the current message in buf */
	uint8_t buf[PROTO_HDR_SIZE + sizeof(struct proto_event)];
	struct xmhv_watchconn *next;
};

struct xmhv {
	char run_dir[XMHV_PATH_MAX];
	char xmhv_path[XMHV_PATH_MAX];
	int epfd;
	uint32_t seq;
	struct xmhv_watchconn *watches;
};

/* A request/answer exchange with one monitor. */
struct xmhv_call {
	enum proto_type type;
	struct proto_u32 arg;
	struct proto_hdr hdr;
	union proto_payload *ans; /* malloc'd by xmhv_call */
};

static void libxmhv_errmsg(char *errmsg, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
libxmhv_errmsg(char *errmsg, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!errmsg || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(errmsg, errlen, fmt, ap);
	va_end(ap);
}

/* Build "<run_dir>/<domid><suffix>"; 0 or -ENAMETOOLONG. */
int
libxmhv_path(const struct xmhv *h, xmhv_domid_t domid, const char *suffix,
	     char *buf, size_t size)
{
	return util_snprintf(buf, size, "%s/%u%s", h->run_dir, domid, suffix);
}

/* The next request sequence number of this handle. */
uint32_t
libxmhv_next_seq(struct xmhv *h)
{
	return ++h->seq;
}

/* The monitor binary create spawns (owned by the handle). */
const char *
libxmhv_monitor_path(const struct xmhv *h)
{
	return h->xmhv_path;
}

/* The run directory of the handle (owned by the handle). */
const char *
libxmhv_run_dir(const struct xmhv *h)
{
	return h->run_dir;
}

/* Remove what a monitor leaves in run_dir. */
/* Unlink a domain's socket, console socket and pid file. */
void
libxmhv_remove_files(const struct xmhv *h, xmhv_domid_t domid)
{
	static const char *const suffixes[] = {".sock", ".console", ".pid"};
	char path[XMHV_PATH_MAX];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(suffixes); i++) {
		if (libxmhv_path(h, domid, suffixes[i], path, sizeof(path)) ==
		    0)
			(void)unlink(path);
	}
}

static void
libxmhv_find_monitor(struct xmhv *h, const char *xmhv_path)
{
	const char *env = getenv("XMHV_PATH");
	char self[PATH_MAX];
	ssize_t n;

	if (xmhv_path && *xmhv_path) {
		(void)!util_strlcpy(h->xmhv_path, xmhv_path,
				    sizeof(h->xmhv_path));
		return;
	}
	if (env && *env) {
		(void)!util_strlcpy(h->xmhv_path, env, sizeof(h->xmhv_path));
		return;
	}
	(void)!util_snprintf(h->xmhv_path, sizeof(h->xmhv_path), "%s/xmhv",
			     XM_SBINDIR);
	if (access(h->xmhv_path, X_OK) == 0)
		return;
	/* Not installed: an xmhv next to the calling program (build tree). */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		char *slash;

		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			char cand[XMHV_PATH_MAX];

			*slash = '\0';
			if (util_snprintf(cand, sizeof(cand), "%s/xmhv",
					  self) == 0 &&
			    access(cand, X_OK) == 0)
				(void)!util_strlcpy(h->xmhv_path, cand,
						    sizeof(h->xmhv_path));
		}
	}
}

/* xmhv.h: make run_dir (0700), pick the monitor binary. NULL + errno. */
struct xmhv *
xmhv_open(const char *run_dir, const char *xmhv_path)
{
	struct xmhv *h = NULL;
	int r;

	if (!run_dir || run_dir[0] != '/') {
		errno = EINVAL;
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->epfd = -1;
	r = util_strlcpy(h->run_dir, run_dir, sizeof(h->run_dir));
	if (r == 0)
		r = util_mkdir_p(run_dir, 0700);
	if (r < 0)
		goto fail;
	h->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (h->epfd < 0) {
		r = -errno;
		goto fail;
	}
	libxmhv_find_monitor(h, xmhv_path);
	return h;
fail:
	xmhv_close(h);
	errno = -r;
	return NULL;
}

static void
libxmhv_watch_free(struct xmhv *h, struct xmhv_watchconn *w)
{
	struct xmhv_watchconn **pp;

	for (pp = &h->watches; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	}
	if (w->fd >= 0) {
		(void)epoll_ctl(h->epfd, EPOLL_CTL_DEL, w->fd, NULL);
		close(w->fd);
	}
	free(w);
}

/* xmhv.h: close watch connections and free the handle (NULL ok). */
void
xmhv_close(struct xmhv *h)
{
	if (!h)
		return;
	while (h->watches)
		libxmhv_watch_free(h, h->watches);
	if (h->epfd >= 0)
		close(h->epfd);
	free(h);
}

/* Connect to a domain socket: a CLOEXEC fd, or -ESRCH when nobody
 * listens, -errno. */
int
libxmhv_connect(const struct xmhv *h, xmhv_domid_t domid, const char *suffix)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, r;

	if (domid == 0)
		return -ESRCH;
	r = libxmhv_path(h, domid, suffix, sa.sun_path, sizeof(sa.sun_path));
	if (r < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = errno == ENOENT || errno == ECONNREFUSED ? -ESRCH : -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* One request and its answer on fd. The answer must be want (REPLY or
 * INFO) with our sequence number; a REPLY's err is returned. */
static int
libxmhv_exchange(struct xmhv *h, int fd, struct xmhv_call *c, int timeout_ms,
		 char *errmsg, size_t errlen)
{
	uint32_t seq = libxmhv_next_seq(h);
	int r;

	c->ans = calloc(1, sizeof(*c->ans));
	if (!c->ans)
		return -ENOMEM;
	r = proto_send(fd, c->type, seq, &c->arg);
	if (r < 0)
		return r == -EPIPE ? -ESRCH : r;
	r = proto_recv(fd, timeout_ms, &c->hdr, c->ans);
	if (r == -EPROTONOSUPPORT) {
		libxmhv_errmsg(errmsg, errlen,
			       "xmhv speaks interface version %u, this "
			       "toolstack version %u",
			       c->hdr.version, XMHV_INTERFACE_VERSION);
		return r;
	}
	if (r == -EPIPE || r == -ECONNRESET)
		return -ESRCH;
	if (r < 0)
		return r;
	if (c->hdr.seq != seq)
		return -EBADMSG;
	if (c->hdr.type == PROTO_REPLY) {
		libxmhv_errmsg(errmsg, errlen, "%s", c->ans->reply.msg);
		return c->ans->reply.err;
	}
	if (c->hdr.type != PROTO_INFO || c->type != PROTO_GETINFO)
		return -EBADMSG;
	return 0;
}

/* Connect, exchange, close. */
static int
libxmhv_call(struct xmhv *h, xmhv_domid_t domid, struct xmhv_call *c,
	     int timeout_ms)
{
	int fd, r;

	fd = libxmhv_connect(h, domid, ".sock");
	if (fd < 0)
		return fd;
	r = libxmhv_exchange(h, fd, c, timeout_ms, NULL, 0);
	close(fd);
	return r;
}

static int
libxmhv_simple(struct xmhv *h, xmhv_domid_t domid, enum proto_type type,
	       uint32_t arg)
{
	struct xmhv_call c = {.type = type, .arg = {.value = arg}};
	int r;

	r = libxmhv_call(h, domid, &c, LIBXMHV_REQ_TIMEOUT_MS);
	free(c.ans);
	return r;
}

/* xmhv.h: run the vCPUs. 0 or -errno (-ESRCH: no such domain). */
int
xmhv_domain_unpause(struct xmhv *h, xmhv_domid_t domid)
{
	return libxmhv_simple(h, domid, PROTO_UNPAUSE, 0);
}

/* xmhv.h: stop the vCPUs; returns once they are out of KVM_RUN. */
int
xmhv_domain_pause(struct xmhv *h, xmhv_domid_t domid)
{
	return libxmhv_simple(h, domid, PROTO_PAUSE, 0);
}

/* xmhv.h: press the power button (reason poweroff or reboot). */
int
xmhv_domain_shutdown(struct xmhv *h, xmhv_domid_t domid,
		     enum xmhv_shutdown_reason reason)
{
	if (reason != XMHV_SHUTDOWN_POWEROFF && reason != XMHV_SHUTDOWN_REBOOT)
		return -EINVAL;
	return libxmhv_simple(h, domid, PROTO_SHUTDOWN, (uint32_t)reason);
}

/* xmhv.h: set the online vCPU count (-EOPNOTSUPP when the guest
 * cannot be told). */
int
xmhv_domain_set_vcpus(struct xmhv *h, xmhv_domid_t domid, uint32_t online)
{
	if (online == 0 || online > XMHV_MAX_VCPUS)
		return -EINVAL;
	return libxmhv_simple(h, domid, PROTO_SET_VCPUS, online);
}

/* PING with a short timeout: 0 when the monitor answers, -errno. */
int
libxmhv_ping(struct xmhv *h, xmhv_domid_t domid)
{
	struct xmhv_call c = {.type = PROTO_PING};
	int r;

	r = libxmhv_call(h, domid, &c, LIBXMHV_PING_TIMEOUT_MS);
	free(c.ans);
	return r;
}

/* xmhv.h: state, memory, vCPUs, CPU time, uptime, pid of a domain. */
int
xmhv_domain_getinfo(struct xmhv *h, xmhv_domid_t domid,
		    struct xmhv_dominfo *info_out)
{
	struct xmhv_call c = {.type = PROTO_GETINFO};
	int r;

	r = libxmhv_call(h, domid, &c, LIBXMHV_REQ_TIMEOUT_MS);
	if (r == 0)
		*info_out = c.ans->info.info;
	free(c.ans);
	return r;
}

/* xmhv.h: a stream fd on the domain console (caller closes). */
int
xmhv_console_open(struct xmhv *h, xmhv_domid_t domid)
{
	return libxmhv_connect(h, domid, ".console");
}

/* Register fd as the event connection of domid (takes ownership). */
static int
libxmhv_watch_add(struct xmhv *h, xmhv_domid_t domid, int fd)
{
	struct epoll_event ev = {.events = EPOLLIN};
	struct xmhv_watchconn *w;
	int r;

	w = calloc(1, sizeof(*w));
	if (!w) {
		close(fd);
		return -ENOMEM;
	}
	w->domid = domid;
	w->fd = fd;
	r = util_set_nonblock(fd, true);
	ev.data.ptr = w;
	if (r == 0 && epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		r = -errno;
	if (r < 0) {
		close(fd);
		free(w);
		return r;
	}
	w->next = h->watches;
	h->watches = w;
	return 0;
}

static struct xmhv_watchconn *
libxmhv_watch_find(struct xmhv *h, xmhv_domid_t domid)
{
	struct xmhv_watchconn *w;

	for (w = h->watches; w; w = w->next) {
		if (w->domid == domid)
			return w;
	}
	return NULL;
}

/* Send WATCH on fd and keep it as the event connection of domid.
 * Takes ownership of fd. 0 or -errno. */
int
libxmhv_watch_fd(struct xmhv *h, xmhv_domid_t domid, int fd)
{
	struct xmhv_call c = {.type = PROTO_WATCH};
	int r;

	r = libxmhv_exchange(h, fd, &c, LIBXMHV_REQ_TIMEOUT_MS, NULL, 0);
	free(c.ans);
	if (r < 0) {
		close(fd);
		return r;
	}
	return libxmhv_watch_add(h, domid, fd);
}

/* xmhv.h: subscribe to state changes of domid (idempotent). */
int
xmhv_watch(struct xmhv *h, xmhv_domid_t domid)
{
	int fd;

	if (libxmhv_watch_find(h, domid))
		return 0;
	fd = libxmhv_connect(h, domid, ".sock");
	if (fd < 0)
		return fd;
	return libxmhv_watch_fd(h, domid, fd);
}

/* xmhv.h: the epoll fd over the watch connections (owned by h). */
int
xmhv_event_fd(struct xmhv *h)
{
	return h->epfd;
}

/* Read what is available of w's current message; 1 with *ev_out when an
 * event is complete, 0 when more bytes are needed, -errno. On EOF the
 * domain is gone: the event says so and w is freed. */
static int
libxmhv_watch_read(struct xmhv *h, struct xmhv_watchconn *w,
		   struct xmhv_event *ev_out)
{
	const struct proto_hdr *hdr = (const struct proto_hdr *)w->buf;
	const struct proto_event *pe =
		(const struct proto_event *)(w->buf + PROTO_HDR_SIZE);
	struct xmhv_event ev = {.domid = w->domid};
	ssize_t n;
	int r;

	/* Exactly one message at a time, so that a second one stays in the
	 * socket and keeps the epoll fd readable. */
	n = read(w->fd, w->buf + w->have, sizeof(w->buf) - w->have);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		ev.gone = true;
		ev.state = w->dying ? XMHV_STATE_DYING : XMHV_STATE_CRASHED;
		ev.reason = w->dying ? w->reason : XMHV_SHUTDOWN_CRASH;
		libxmhv_watch_free(h, w);
		*ev_out = ev;
		return 1;
	}
	w->have += (size_t)n;
	if (w->have < sizeof(w->buf))
		return 0;
	w->have = 0;
	r = proto_hdr_check(hdr);
	if (r == 0 && hdr->type != PROTO_EVENT)
		r = -EBADMSG;
	if (r == 0)
		r = proto_payload_check(PROTO_EVENT, pe, sizeof(*pe), NULL, 0);
	if (r < 0) {
		libxmhv_watch_free(h, w);
		return r;
	}
	if (pe->state & XMHV_STATE_DYING)
		w->dying = true;
	if (pe->reason != XMHV_SHUTDOWN_NONE)
		w->reason = pe->reason;
	ev.state = pe->state;
	ev.reason = pe->reason;
	*ev_out = ev;
	return 1;
}

/* xmhv.h: one pending event (1), none (0) or -errno. Reads one
 * message per call, so a level-triggered poller wakes again for the next. */
int
xmhv_event_read(struct xmhv *h, struct xmhv_event *ev_out)
{
	struct epoll_event ev;
	int n, tries, r;

	for (tries = 0; tries < 64; tries++) {
		n = epoll_wait(h->epfd, &ev, 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		r = libxmhv_watch_read(h, ev.data.ptr, ev_out);
		if (r != 0)
			return r;
	}
	return 0;
}

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

/* The pid in "<domid>.pid", 0 when missing or unreadable. */
pid_t
libxmhv_read_pid(const struct xmhv *h, xmhv_domid_t domid)
{
	char path[XMHV_PATH_MAX], *data = NULL;
	uint64_t v = 0;
	size_t len;

	if (libxmhv_path(h, domid, ".pid", path, sizeof(path)) < 0)
		return 0;
	if (util_read_file(path, 64, &data, &len) < 0)
		return 0;
	data[strcspn(data, "\n")] = '\0';
	if (util_parse_u64(data, INT_MAX, &v) < 0)
		v = 0;
	free(data);
	return (pid_t)v;
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
	int pidfd = -1, fd, r;

	pid = libxmhv_read_pid(h, domid);
	if (pid > 0)
		pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pid > 0 && pidfd < 0 && errno == ESRCH)
		pid = 0; /* stale pid file of a dead monitor */
	fd = libxmhv_connect(h, domid, ".sock");
	if (fd < 0 && pid <= 0) {
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
	if (fd >= 0) {
		r = libxmhv_exchange(h, fd, &c, LIBXMHV_REQ_TIMEOUT_MS, NULL,
				     0);
		if (r == 0 && pid <= 0) {
			pid = c.ans->reply.pid;
			pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		}
		close(fd);
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
