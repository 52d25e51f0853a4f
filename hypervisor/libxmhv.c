/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libxmhv.c: the hypercall interface (xmhv.h) over per-domain unix sockets. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "libxmhv_int.h"
#include "proto.h"
#include "util.h"

#define LIBXMHV_PING_TIMEOUT_MS 2000

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
	static const char *const suffixes[] = {".sock", ".console", ".pid",
					       ".building"};
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

/* xmhv.h: close watch connections and free the handle (NULL ok). */
void
xmhv_close(struct xmhv *h)
{
	if (!h)
		return;
	libxmhv_watch_free_all(h);
	if (h->epfd >= 0)
		close(h->epfd);
	free(h->v1);
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

/* libxmhv_int.h: one request and its answer on fd, in version. */
int
libxmhv_exchange(struct xmhv *h, int fd, uint16_t version, struct xmhv_call *c,
		 int timeout_ms, char *errmsg, size_t errlen)
{
	uint32_t seq = libxmhv_next_seq(h), len;
	int r;

	c->ans = malloc(sizeof(*c->ans));
	if (!c->ans)
		return -ENOMEM;
	len = c->type == PROTO_SHUTDOWN || c->type == PROTO_SET_VCPUS
		      ? sizeof(c->arg)
		      : 0;
	r = proto_send(fd, version, c->type, seq, &c->arg, len, -1);
	if (r < 0)
		return r == -EPIPE ? -ESRCH : r;
	r = proto_recv(fd, version, timeout_ms, c->ans, NULL, 0);
	if (r == -EPIPE || r == -ECONNRESET)
		return -ESRCH;
	if (r < 0) /* -EPROTONOSUPPORT: c->ans->hdr has the peer's version */
		return r;
	if (c->ans->hdr.seq != seq)
		return -EBADMSG;
	if (c->ans->hdr.type == PROTO_REPLY) {
		libxmhv_errmsg(errmsg, errlen, "%s", c->ans->p.reply.msg);
		return c->ans->p.reply.err;
	}
	if (c->ans->hdr.type != PROTO_INFO || c->type != PROTO_GETINFO)
		return -EBADMSG;
	return 0;
}

/* Is domid's monitor one of version 1 (it said so once)? */
bool
libxmhv_is_v1(const struct xmhv *h, xmhv_domid_t domid)
{
	size_t i;

	for (i = 0; i < h->nv1; i++)
		if (h->v1[i] == domid)
			return true;
	return false;
}

/* Remember that domid's monitor speaks version 1. Domain ids are not
 * reused while run_dir exists, so the entry never goes stale. */
static void
libxmhv_remember_v1(struct xmhv *h, xmhv_domid_t domid)
{
	xmhv_domid_t *grown;

	if (libxmhv_is_v1(h, domid))
		return;
	if (h->nv1 == h->cap_v1) {
		grown = realloc(h->v1, (h->cap_v1 ? h->cap_v1 * 2 : 8) *
					       sizeof(*grown));
		if (!grown)
			return; /* then it is asked again next time */
		h->v1 = grown;
		h->cap_v1 = h->cap_v1 ? h->cap_v1 * 2 : 8;
	}
	h->v1[h->nv1++] = domid;
}

/* libxmhv_int.h: connect and exchange in the monitor's version. */
int
libxmhv_request(struct xmhv *h, xmhv_domid_t domid, struct xmhv_call *c,
		int timeout_ms, int *fd_out, uint16_t *version_out)
{
	uint16_t version = libxmhv_is_v1(h, domid) ? PROTO_VERSION_1
						   : XMHV_INTERFACE_VERSION;
	uint16_t peer = 0;
	int fd, r;

	h->error[0] = '\0';
	fd = libxmhv_connect(h, domid, ".sock");
	if (fd < 0)
		return fd;
	r = libxmhv_exchange(h, fd, version, c, timeout_ms, h->error,
			     sizeof(h->error));
	if (r == -EPROTONOSUPPORT)
		peer = c->ans->hdr.version;
	if (r == -EPROTONOSUPPORT && peer == PROTO_VERSION_1 &&
	    version != PROTO_VERSION_1) {
		/* A monitor started before an upgrade: its runtime messages
		 * are ours, in version 1. It closed this connection. */
		libxmhv_remember_v1(h, domid);
		close(fd);
		free(c->ans);
		c->ans = NULL;
		version = PROTO_VERSION_1;
		fd = libxmhv_connect(h, domid, ".sock");
		if (fd < 0)
			return fd;
		r = libxmhv_exchange(h, fd, version, c, timeout_ms, h->error,
				     sizeof(h->error));
		if (r == -EPROTONOSUPPORT)
			peer = c->ans->hdr.version;
	}
	if (r == -EPROTONOSUPPORT)
		libxmhv_errmsg(h->error, sizeof(h->error),
			       "domain %u: its monitor speaks interface "
			       "version %u, this toolstack versions %u and "
			       "%u: manage it with the xmtools that started "
			       "it, or destroy it (its monitor is killed)",
			       domid, peer, PROTO_VERSION_1,
			       XMHV_INTERFACE_VERSION);
	if (r == 0 && fd_out) {
		*fd_out = fd;
		*version_out = version;
	} else {
		close(fd);
	}
	return r;
}

/* Connect, exchange, close. */
static int
libxmhv_call(struct xmhv *h, xmhv_domid_t domid, struct xmhv_call *c,
	     int timeout_ms)
{
	return libxmhv_request(h, domid, c, timeout_ms, NULL, NULL);
}

/* xmhv.h: what the last failed call said, "" when it said nothing. */
const char *
xmhv_error(const struct xmhv *h)
{
	return h->error;
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
	if (r == 0) {
		/* An INFO of a monitor before disks is shorter: zeros. */
		memset(c.ans->p.bytes + c.ans->hdr.length, 0,
		       sizeof(c.ans->p.info) - c.ans->hdr.length);
		*info_out = c.ans->p.info.info;
	}
	free(c.ans);
	return r;
}

/* xmhv.h: a stream fd on the domain console (caller closes). */
int
xmhv_console_open(struct xmhv *h, xmhv_domid_t domid)
{
	return libxmhv_connect(h, domid, ".console");
}
