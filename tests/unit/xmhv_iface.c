/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmhv_iface.c: kvm-tier test of the hypercall interface: libxmhv drives
 * real xmhv monitors booting the test guest (needs root and /dev/kvm). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto.h"
#include "tap.h"
#include "util.h"
#include "xmhv.h"

/* Bounds so that a broken monitor fails the test instead of hanging it;
 * nothing is asserted about how long things take. */
#define IFACE_WAIT_MS 60000

static char iface_dir[64];
static char iface_kernel[4096];

static void
iface_config(struct xmhv_domain_config *cfg, const char *name)
{
	xmhv_domain_config_init(cfg);
	(void)!util_strlcpy(cfg->name, name, sizeof(cfg->name));
	(void)!util_strlcpy(cfg->kernel, iface_kernel, sizeof(cfg->kernel));
	(void)!util_strlcpy(cfg->cmdline, "console=ttyS0",
			    sizeof(cfg->cmdline));
	cfg->memory_mib = 32;
	cfg->max_vcpus = 1;
	cfg->uuid[0] = 0x42;
}

/* Read the console until needle appears (or EOF/bound). Returns true when
 * seen; the text read so far (last part) is left in buf. */
static bool
iface_expect(int fd, const char *needle, char *buf, size_t size)
{
	uint64_t end = util_now_ns() + (uint64_t)IFACE_WAIT_MS * 1000000;
	size_t len = 0;

	buf[0] = '\0';
	while (util_now_ns() < end) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if (len + 1 >= size) {
			/* Keep the tail: the needle may straddle. */
			memmove(buf, buf + size / 2, len - size / 2);
			len -= size / 2;
		}
		n = read(fd, buf + len, size - 1 - len);
		if (n <= 0)
			return false;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, needle))
			return true;
	}
	return false;
}

/* Is anything readable within ms? */
static bool
iface_quiet(int fd, int ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	return poll(&pfd, 1, ms) == 0;
}

/* Read and drop whatever output is pending (waiting up to ms for it). */
static void
iface_drain(int fd, int ms)
{
	char junk[4096];

	while (!iface_quiet(fd, ms) && read(fd, junk, sizeof(junk)) > 0)
		;
}

static bool
iface_send(int fd, const char *s)
{
	return util_write_all(fd, s, strlen(s)) == 0;
}

/* Wait for an event of domid matching: gone, or state bits in mask. */
static bool
iface_event(struct xmhv *h, xmhv_domid_t domid, bool gone, uint32_t mask,
	    struct xmhv_event *ev_out)
{
	uint64_t end = util_now_ns() + (uint64_t)IFACE_WAIT_MS * 1000000;
	struct xmhv_event ev;

	while (util_now_ns() < end) {
		struct pollfd pfd = {.fd = xmhv_event_fd(h), .events = POLLIN};
		int r;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		while ((r = xmhv_event_read(h, &ev)) == 1) {
			if (ev.domid != domid)
				continue;
			if ((gone && ev.gone) ||
			    (!gone && !ev.gone && (ev.state & mask))) {
				*ev_out = ev;
				return true;
			}
		}
		if (r < 0)
			return false;
	}
	return false;
}

/* Has pid exited (a zombie waiting for init counts)? Waits a bounded
 * time: exit is asynchronous to the socket EOF. */
static bool
iface_gone(pid_t pid)
{
	struct pollfd pfd = {.events = POLLIN};
	bool gone;

	if (pid <= 0)
		return false;
	pfd.fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd.fd < 0)
		return errno == ESRCH;
	gone = poll(&pfd, 1, IFACE_WAIT_MS) == 1;
	close(pfd.fd);
	return gone;
}

static bool
iface_file(xmhv_domid_t id, const char *suffix)
{
	char path[256];

	(void)snprintf(path, sizeof(path), "%s/run/%u%s", iface_dir, id,
		       suffix);
	return access(path, F_OK) == 0;
}

/* Connect to the domain's control socket as a raw peer. */
static int
iface_raw(xmhv_domid_t id)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	(void)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/run/%u.sock",
		       iface_dir, id);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Hostile and outdated peers: the monitor refuses them and keeps going. */
static void
iface_hostile(struct xmhv *h, xmhv_domid_t id)
{
	struct proto_msg *msg = calloc(1, sizeof(*msg));
	struct xmhv_dominfo info;
	struct proto_hdr hdr;
	char junk[PROTO_HDR_SIZE], c;
	int fd, r;

	memset(junk, 0xa5, sizeof(junk));
	fd = iface_raw(id);
	r = fd >= 0 && util_write_all(fd, junk, sizeof(junk)) == 0
		    ? util_read_all(fd, &c, 1)
		    : 0;
	tap_ok(r == -EPIPE || r == -ECONNRESET,
	       "garbage: the monitor closes the connection");
	if (fd >= 0)
		close(fd);
	fd = iface_raw(id);
	proto_hdr_init(&hdr, XMHV_INTERFACE_VERSION, PROTO_PING, 0xffffffffu,
		       5);
	tap_ok(fd >= 0 && util_write_all(fd, &hdr, sizeof(hdr)) == 0 &&
		       util_read_all(fd, &c, 1) == -EPIPE,
	       "a 4 GiB length: refused before any allocation");
	if (fd >= 0)
		close(fd);
	fd = iface_raw(id);
	proto_hdr_init(&hdr, XMHV_INTERFACE_VERSION + 1, PROTO_PING, 0, 6);
	r = fd >= 0 && util_write_all(fd, &hdr, sizeof(hdr)) == 0
		    ? proto_recv(fd, XMHV_INTERFACE_VERSION, IFACE_WAIT_MS, msg,
				 NULL, 0)
		    : -EIO;
	tap_ok(r == 0 && msg->hdr.type == PROTO_REPLY &&
		       msg->p.reply.err == -EPROTONOSUPPORT &&
		       strstr(msg->p.reply.msg, "version") != NULL,
	       "another interface version: refused with \"%s\"",
	       r == 0 ? msg->p.reply.msg : "");
	if (fd >= 0)
		close(fd);
	fd = iface_raw(id);
	memset(msg, 0, sizeof(*msg));
	r = fd >= 0 && proto_send(fd, XMHV_INTERFACE_VERSION, PROTO_EVENT, 7,
				  &msg->p.event, sizeof(msg->p.event), -1) == 0
		    ? proto_recv(fd, XMHV_INTERFACE_VERSION, IFACE_WAIT_MS, msg,
				 NULL, 0)
		    : -EIO;
	tap_ok(r == 0 && msg->p.reply.err == -EBADMSG,
	       "an answer type sent as a request is refused");
	if (fd >= 0)
		close(fd);
	tap_ok(xmhv_domain_getinfo(h, id, &info) == 0,
	       "the monitor still answers");
	r = xmhv_domain_set_vcpus(h, id, 1);
	tap_ok(r == 0 || r == -EOPNOTSUPP, "set_vcpus 1: %s",
	       r ? strerror(-r) : "ok");
	tap_is_int(xmhv_domain_set_vcpus(h, id, 2), -EINVAL,
		   "set_vcpus beyond max_vcpus refused");
	free(msg);
}

/* Create + unpause + console at the prompt. Returns the console fd. */
static int
iface_boot(struct xmhv *h, const char *name, xmhv_domid_t *id)
{
	struct xmhv_domain_config *cfg = calloc(1, sizeof(*cfg));
	char err[512], buf[4096];
	int fd = -1;

	iface_config(cfg, name);
	if (!tap_ok(xmhv_domain_create(h, cfg, id, err, sizeof(err)) == 0,
		    "%s: create (%s)", name, err))
		goto out;
	if (!tap_ok(xmhv_domain_unpause(h, *id) == 0, "%s: unpause", name))
		goto out;
	fd = xmhv_console_open(h, *id);
	if (!tap_ok(fd >= 0, "%s: console", name))
		goto out;
	if (!tap_ok(iface_expect(fd, "xmguest# ", buf, sizeof(buf)),
		    "%s: prompt", name)) {
		tap_diag("console: %s", buf);
		close(fd);
		fd = -1;
	}
out:
	free(cfg);
	return fd;
}

/* The guest ends itself (or is asked to) with reason want. */
static void
iface_ending(struct xmhv *h, const char *name, const char *cmd,
	     enum xmhv_shutdown_reason want)
{
	struct xmhv_dominfo info;
	struct xmhv_event ev;
	xmhv_domid_t id = 0;
	uint32_t state = want == XMHV_SHUTDOWN_CRASH ? XMHV_STATE_CRASHED
						     : XMHV_STATE_SHUTDOWN;
	int fd;

	fd = iface_boot(h, name, &id);
	if (fd >= 0) {
		if (cmd)
			tap_ok(iface_send(fd, cmd), "%s: send %s", name, cmd);
		else
			tap_ok(xmhv_domain_shutdown(h, id, want) == 0,
			       "%s: shutdown request (%s)", name,
			       xmhv_reason_name(want));
		tap_ok(iface_event(h, id, false, state, &ev) &&
			       ev.reason == want,
		       "%s: event %s", name, xmhv_reason_name(want));
		tap_ok(xmhv_domain_getinfo(h, id, &info) == 0 &&
			       (info.state & state) &&
			       info.shutdown_reason == want,
		       "%s: getinfo says %s", name, xmhv_reason_name(want));
		close(fd);
	}
	if (id)
		tap_ok(xmhv_domain_destroy(h, id) == 0, "%s: destroy", name);
}

static uint64_t
iface_ticks(int fd)
{
	char buf[4096], *p;

	if (!iface_send(fd, "ticks\r") ||
	    !iface_expect(fd, "xmguest# ", buf, sizeof(buf)))
		return 0;
	/* The guest answers "ticks=N". */
	p = strstr(buf, "ticks=");
	if (!p) {
		tap_diag("no ticks in: %s", buf);
		return 0;
	}
	return strtoull(p + 6, NULL, 10);
}

static void
iface_lifecycle(struct xmhv *h)
{
	struct xmhv_domain_config *cfg = calloc(1, sizeof(*cfg));
	struct xmhv_dominfo info, info2;
	struct xmhv_event ev;
	xmhv_domid_t id = 0, ids[16];
	char err[512], buf[8192], logp[128], *log = NULL;
	struct stat st;
	uint64_t t1, t2;
	size_t len;
	int fd = -1, fd2, n, i, r;
	bool listed = false;
	struct xmhv *h2 = NULL;
	char run[128];

	(void)snprintf(run, sizeof(run), "%s/run", iface_dir);
	memset(&info, 0, sizeof(info));
	iface_config(cfg, "life");
	(void)snprintf(logp, sizeof(logp), "%s/life.log", iface_dir);
	(void)!util_strlcpy(cfg->console_log, logp, sizeof(cfg->console_log));
	if (!tap_ok(xmhv_domain_create(h, cfg, &id, err, sizeof(err)) == 0,
		    "create (%s)", err))
		goto out;
	tap_ok(id >= 1, "domain id %u", id);
	tap_ok(iface_file(id, ".pid") && iface_file(id, ".console"),
	       "pid file and console socket");
	(void)snprintf(buf, sizeof(buf), "%s/run/%u.sock", iface_dir, id);
	tap_ok(stat(buf, &st) == 0 && (st.st_mode & 0777) == 0600,
	       "control socket is 0600");
	r = xmhv_domain_getinfo(h, id, &info);
	tap_ok(r == 0 && (info.state & XMHV_STATE_PAUSED) &&
		       info.memory_kib == 32 * 1024 && info.max_vcpus == 1 &&
		       info.domid == id && strcmp(info.name, "life") == 0 &&
		       info.pid > 0 && info.uuid[0] == 0x42,
	       "getinfo: paused, 32 MiB, 1 vcpu (state %s)",
	       xmhv_state_string(info.state, (char[7]){0}));
	n = xmhv_domain_list(h, ids, 16);
	for (i = 0; i < n; i++)
		listed |= ids[i] == id;
	tap_ok(listed, "listed");
	tap_ok(xmhv_domain_unpause(h, id) == 0, "unpause");
	tap_ok(iface_event(h, id, false, XMHV_STATE_RUNNING, &ev),
	       "running event");
	fd = xmhv_console_open(h, id);
	tap_ok(fd >= 0, "console open");
	if (fd < 0)
		goto destroy;
	if (!tap_ok(iface_expect(fd, "xmguest# ", buf, sizeof(buf)),
		    "guest prompt"))
		tap_diag("console: %s", buf);
	t1 = iface_ticks(fd);

	/* Pause: the guest makes no progress at all. */
	iface_drain(fd, 200);
	tap_ok(xmhv_domain_pause(h, id) == 0, "pause");
	tap_ok(iface_event(h, id, false, XMHV_STATE_PAUSED, &ev),
	       "paused event");
	tap_ok(xmhv_domain_getinfo(h, id, &info) == 0 &&
		       (info.state & XMHV_STATE_PAUSED),
	       "getinfo: paused");
	tap_ok(iface_send(fd, "ticks\r"), "type while paused");
	if (!tap_ok(iface_quiet(fd, 500), "a paused guest does not answer")) {
		ssize_t k = read(fd, buf, sizeof(buf) - 1);

		buf[k > 0 ? k : 0] = '\0';
		tap_diag("got: %s", buf);
	}
	tap_ok(xmhv_domain_unpause(h, id) == 0, "unpause again");
	tap_ok(iface_expect(fd, "xmguest# ", buf, sizeof(buf)),
	       "the guest answers once unpaused");
	t2 = iface_ticks(fd);
	tap_ok(t2 >= t1, "ticks %llu then %llu", (unsigned long long)t1,
	       (unsigned long long)t2);

	/* A busy guest, paused, uses (next to) no CPU; a 10x margin keeps
	 * this about pausing, not about speed. */
	tap_ok(iface_send(fd, "spin 1\r") &&
		       iface_expect(fd, "spin 1", buf, sizeof(buf)),
	       "guest spins");
	(void)iface_quiet(fd, 100);
	tap_ok(xmhv_domain_pause(h, id) == 0, "pause a busy guest");
	tap_ok(xmhv_domain_getinfo(h, id, &info) == 0, "getinfo");
	(void)iface_quiet(fd, 500);
	r = xmhv_domain_getinfo(h, id, &info2);
	tap_ok(r == 0 && info2.cpu_time_ns - info.cpu_time_ns < 50000000,
	       "a paused guest uses no CPU time (%lld ns in 500 ms)",
	       (long long)(info2.cpu_time_ns - info.cpu_time_ns));
	tap_ok(xmhv_domain_unpause(h, id) == 0 &&
		       iface_expect(fd, "xmguest# ", buf, sizeof(buf)) &&
		       strstr(buf, "spin: done") != NULL,
	       "the spin completes once unpaused");

	/* A second console client takes over. */
	fd2 = xmhv_console_open(h, id);
	tap_ok(fd2 >= 0 && iface_expect(fd, "taken over", buf, sizeof(buf)),
	       "a second console client takes over");
	close(fd);
	fd = fd2;

	iface_hostile(h, id);
	/* A second toolstack handle (xmd restarted) watches too. */
	h2 = xmhv_open(run, NULL);
	tap_ok(h2 && xmhv_watch(h2, id) == 0, "a second handle watches");
	tap_ok(iface_send(fd, "poweroff\r"), "send poweroff");
	tap_ok(iface_event(h, id, false, XMHV_STATE_SHUTDOWN, &ev) &&
		       ev.reason == XMHV_SHUTDOWN_POWEROFF,
	       "event: shutdown, reason poweroff");
	tap_ok(h2 && iface_event(h2, id, false, XMHV_STATE_SHUTDOWN, &ev) &&
		       ev.reason == XMHV_SHUTDOWN_POWEROFF,
	       "the second handle sees it too");
	r = xmhv_domain_getinfo(h, id, &info);
	tap_ok(r == 0 && (info.state & XMHV_STATE_SHUTDOWN) &&
		       info.shutdown_reason == XMHV_SHUTDOWN_POWEROFF,
	       "getinfo: shut down (%s), reason poweroff",
	       xmhv_state_string(info.state, (char[7]){0}));
	tap_ok(kill(info.pid, 0) == 0, "the monitor stays until destroy");
destroy:
	tap_ok(xmhv_domain_destroy(h, id) == 0, "destroy");
	tap_ok(iface_gone(info.pid), "monitor gone");
	tap_ok(!iface_file(id, ".sock") && !iface_file(id, ".pid") &&
		       !iface_file(id, ".console"),
	       "its files are gone");
	memset(&ev, 0, sizeof(ev));
	r = iface_event(h, id, true, 0, &ev) ? 0 : -1;
	tap_ok(r == 0 && ev.reason != XMHV_SHUTDOWN_CRASH,
	       "gone event, not a crash (reason %s)",
	       xmhv_reason_name(ev.reason));
	tap_ok(h2 && iface_event(h2, id, true, 0, &ev) &&
		       ev.reason == XMHV_SHUTDOWN_POWEROFF,
	       "the second handle sees it gone, not crashed");
	xmhv_close(h2);
	h2 = NULL;
	tap_is_int(xmhv_domain_destroy(h, id), -ESRCH, "destroy again: ESRCH");
	tap_ok(util_read_file(logp, 1 << 20, &log, &len) == 0 &&
		       strstr(log, "xmguest# ") != NULL,
	       "console log has the guest output");
	free(log);
out:
	xmhv_close(h2);
	if (fd >= 0)
		close(fd);
	free(cfg);
}

static void
iface_paused_destroy(struct xmhv *h)
{
	struct xmhv_domain_config *cfg = calloc(1, sizeof(*cfg));
	struct xmhv_dominfo info;
	char err[512];
	xmhv_domid_t id = 0;

	uint64_t t0, t1, t2;

	iface_config(cfg, "paused");
	t0 = util_now_ns();
	if (tap_ok(xmhv_domain_create(h, cfg, &id, err, sizeof(err)) == 0,
		   "paused: create (%s)", err) &&
	    tap_ok(xmhv_domain_getinfo(h, id, &info) == 0, "paused: getinfo")) {
		t1 = util_now_ns();
		tap_ok(xmhv_domain_destroy(h, id) == 0, "paused: destroy");
		t2 = util_now_ns();
		/* Informational only: no timed assertions in make check. */
		tap_diag("create (spawn to built, 32 MiB): %.2f ms, destroy: "
			 "%.2f ms",
			 (double)(t1 - t0) / 1e6, (double)(t2 - t1) / 1e6);
		tap_ok(iface_gone(info.pid), "paused: monitor gone");
	}
	free(cfg);
}

static void
iface_killed(struct xmhv *h)
{
	struct xmhv_dominfo info;
	struct xmhv_event ev;
	xmhv_domid_t id = 0, ids[16];
	int fd;

	fd = iface_boot(h, "killed", &id);
	if (fd < 0)
		return;
	close(fd);
	if (!tap_ok(xmhv_domain_getinfo(h, id, &info) == 0, "killed: getinfo"))
		return;
	tap_ok(info.pid > 0 && kill(info.pid, SIGKILL) == 0,
	       "killed: kill -9 the monitor");
	tap_ok(iface_event(h, id, true, 0, &ev) &&
		       ev.reason == XMHV_SHUTDOWN_CRASH &&
		       (ev.state & XMHV_STATE_CRASHED),
	       "killed: gone event with reason crash");
	tap_ok(iface_gone(info.pid), "killed: monitor gone");
	tap_ok(xmhv_domain_list(h, ids, 16) == 0, "killed: not listed");
	tap_ok(!iface_file(id, ".sock") && !iface_file(id, ".pid"),
	       "killed: stale files removed");
}

/* SIGTERM to a monitor is a destroy: gone, not crashed. */
static void
iface_term(struct xmhv *h)
{
	struct xmhv_domain_config *cfg = calloc(1, sizeof(*cfg));
	struct xmhv_dominfo info;
	struct xmhv_event ev;
	xmhv_domid_t id = 0, ids[16];
	char err[512];
	bool seen;

	iface_config(cfg, "term");
	if (tap_ok(xmhv_domain_create(h, cfg, &id, err, sizeof(err)) == 0,
		   "term: create (%s)", err) &&
	    tap_ok(xmhv_domain_getinfo(h, id, &info) == 0 && info.pid > 0,
		   "term: getinfo")) {
		tap_ok(kill(info.pid, SIGTERM) == 0,
		       "term: SIGTERM the monitor");
		memset(&ev, 0, sizeof(ev));
		seen = iface_event(h, id, true, 0, &ev);
		tap_ok(seen && (ev.state & XMHV_STATE_DYING) &&
			       ev.reason != XMHV_SHUTDOWN_CRASH,
		       "term: gone as destroyed, not crashed (%s)",
		       xmhv_reason_name(ev.reason));
		tap_ok(iface_gone(info.pid), "term: monitor gone");
		tap_ok(xmhv_domain_list(h, ids, 16) == 0 &&
			       !iface_file(id, ".sock") &&
			       !iface_file(id, ".pid"),
		       "term: no files left after a listing");
	}
	free(cfg);
}

/* The caller dies (kill -9) right after create: the monitor lives on, is
 * not its child, and a new handle adopts it. */
static void
iface_orphan(struct xmhv *h)
{
	struct xmhv_dominfo info;
	xmhv_domid_t id = 0, ids[16];
	char path[64], *stat = NULL;
	int pfd[2], n, i;
	bool listed = false;
	pid_t child, ppid = 0;
	size_t len;

	if (pipe(pfd) < 0) {
		tap_ok(false, "pipe: %s", strerror(errno));
		return;
	}
	child = fork();
	if (child == 0) {
		struct xmhv_domain_config *cfg = calloc(1, sizeof(*cfg));
		char run[128], err[256];
		struct xmhv *ch;

		(void)snprintf(run, sizeof(run), "%s/run", iface_dir);
		ch = xmhv_open(run, NULL);
		iface_config(cfg, "orphan");
		if (!ch || xmhv_domain_create(ch, cfg, &id, err, sizeof(err)))
			id = 0;
		(void)!write(pfd[1], &id, sizeof(id));
		pause();
		_exit(0);
	}
	close(pfd[1]);
	if (child < 0 || util_read_all(pfd[0], &id, sizeof(id)) < 0)
		id = 0;
	close(pfd[0]);
	if (!tap_ok(id > 0, "orphan: a child process created domain %u", id))
		goto out;
	(void)kill(child, SIGKILL);
	(void)waitpid(child, NULL, 0);
	child = -1;
	n = xmhv_domain_list(h, ids, 16);
	for (i = 0; i < n; i++)
		listed |= ids[i] == id;
	tap_ok(listed, "orphan: alive and listed after its creator died");
	tap_ok(xmhv_watch(h, id) == 0 && xmhv_domain_getinfo(h, id, &info) == 0,
	       "orphan: adopted by another handle");
	(void)snprintf(path, sizeof(path), "/proc/%d/stat", (int)info.pid);
	if (util_read_file(path, 4096, &stat, &len) == 0 && strrchr(stat, ')'))
		(void)sscanf(strrchr(stat, ')') + 2, "%*c %d", &ppid);
	free(stat);
	tap_ok(ppid > 0 && ppid != getpid(),
	       "orphan: the monitor is not our child (parent %d)", (int)ppid);
	tap_ok(xmhv_domain_destroy(h, id) == 0, "orphan: destroy");
out:
	if (child > 0) {
		(void)kill(child, SIGKILL);
		(void)waitpid(child, NULL, 0);
	}
}

static void
iface_bad_kernel(struct xmhv *h)
{
	struct xmhv_domain_config *cfg = calloc(1, sizeof(*cfg));
	char err[512] = "", path[128], logp[128], run[128];
	struct dirent *e;
	xmhv_domid_t id = 0;
	bool clean = true;
	DIR *d;
	int r;

	(void)snprintf(path, sizeof(path), "%s/not-a-kernel", iface_dir);
	(void)snprintf(logp, sizeof(logp), "%s/bad.log", iface_dir);
	(void)!util_write_file_atomic(path, "this is no kernel\n", 18, 0644);
	iface_config(cfg, "bad");
	(void)!util_strlcpy(cfg->kernel, path, sizeof(cfg->kernel));
	(void)!util_strlcpy(cfg->console_log, logp, sizeof(cfg->console_log));
	r = xmhv_domain_create(h, cfg, &id, err, sizeof(err));
	tap_ok(r < 0 && strstr(err, path) != NULL,
	       "bad kernel refused, naming the file: %s", err);
	(void)snprintf(run, sizeof(run), "%s/run", iface_dir);
	d = opendir(run);
	while (d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] >= '0' && e->d_name[0] <= '9') {
			tap_diag("left behind: %s", e->d_name);
			clean = false;
		}
	}
	if (d)
		closedir(d);
	tap_ok(clean, "bad kernel: nothing left in run_dir");
	tap_ok(access(logp, F_OK) < 0, "bad kernel: no console log");
	free(cfg);
}

int
main(void)
{
	const char *top = getenv("top_builddir"), *src = getenv("top_srcdir");
	char xmhv[4096], run[128];
	struct xmhv *h;
	int kvm;

	(void)signal(SIGPIPE, SIG_IGN); /* a refused peer must not kill us */
	if (geteuid() != 0)
		tap_skip_all("needs root");
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		tap_skip_all("/dev/kvm: %s", strerror(errno));
	close(kvm);
	if (!top)
		top = ".";
	(void)snprintf(xmhv, sizeof(xmhv), "%s/hypervisor/xmhv", top);
	if (access(xmhv, X_OK) < 0)
		tap_skip_all("%s not built yet", xmhv);
	(void)snprintf(iface_kernel, sizeof(iface_kernel),
		       "%s/tests/guest/guest.bzImage", top);
	if (access(iface_kernel, R_OK) < 0 && src)
		(void)snprintf(iface_kernel, sizeof(iface_kernel),
			       "%s/tests/guest/guest.bzImage", src);
	if (access(iface_kernel, R_OK) < 0)
		tap_skip_all("test guest tests/guest/guest.bzImage not built");
	(void)setenv("XMHV_PATH", xmhv, 1);
	(void)snprintf(iface_dir, sizeof(iface_dir), "/tmp/xmhv-iface-XXXXXX");
	if (!mkdtemp(iface_dir))
		tap_skip_all("mkdtemp: %s", strerror(errno));
	(void)snprintf(run, sizeof(run), "%s/run", iface_dir);
	h = xmhv_open(run, NULL);
	if (!tap_ok(h != NULL, "xmhv_open %s", run))
		return tap_done();
	iface_lifecycle(h);
	iface_ending(h, "button", NULL, XMHV_SHUTDOWN_POWEROFF);
	iface_ending(h, "xmreboot", NULL, XMHV_SHUTDOWN_REBOOT);
	iface_ending(h, "reboot", "reboot\r", XMHV_SHUTDOWN_REBOOT);
	iface_ending(h, "crash", "crash\r", XMHV_SHUTDOWN_CRASH);
	iface_paused_destroy(h);
	iface_killed(h);
	iface_term(h);
	iface_orphan(h);
	iface_bad_kernel(h);
	xmhv_close(h);
	(void)snprintf(xmhv, sizeof(xmhv), "rm -rf '%s'", iface_dir);
	(void)!system(xmhv);
	return tap_done();
}
