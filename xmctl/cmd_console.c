/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_console.c: xm console: a raw-terminal client of the console socket a
 * domain's xmhv serves; CTRL-] detaches; follows the domain across
 * reboots. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "rpc.h"
#include "util.h"
#include "xm.h"

#define CONSOLE_ESCAPE 0x1d /* CTRL-] */
#define CONSOLE_BUF 4096
/* After the console stream ends: how long to look for the next incarnation
 * (restart policies), and how long a live domain with the same id may stay
 * before we conclude another client took the console over. A takeover
 * normally says so (CONSOLE_TAKEOVER_MARK); the timeout is for a lost
 * message, and must outlast xmd noticing a rebooted monitor on a loaded
 * host (1.5 s did not: a console lost its domain across `xm reboot`). */
#define CONSOLE_RESTART_WAIT_NS (30ull * 1000 * 1000 * 1000)
#define CONSOLE_GONE_WAIT_NS (1ull * 1000 * 1000 * 1000)
#define CONSOLE_TAKEOVER_NS (10ull * 1000 * 1000 * 1000)
#define CONSOLE_POLL_NS (100ull * 1000 * 1000)
/* What xmhv writes to a client before closing it for a newer one
 * (CONSOLE_TAKEOVER_MSG in hypervisor/console.h). */
#define CONSOLE_TAKEOVER_MARK "console taken over by another client]"
#define CONSOLE_TAIL 64

static volatile sig_atomic_t console_signalled;

static void
console_on_signal(int sig)
{
	console_signalled = sig;
}

static int
console_dial(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (util_strlcpy(sa.sun_path, path, sizeof(sa.sun_path)) < 0)
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

int
console_connect(const char *dom, bool quiet_nodom, int *fd_out,
		long long *domid_out)
{
	struct xmlrpc_value *c = NULL;
	const char *path;
	int rc, fd;

	rc = rpc_call_q(quiet_nodom, &c, "xend.domain.console", "s", dom);
	if (rc != XM_EXIT_OK)
		return rc;
	path = rpc_str(c, "path", "");
	fd = console_dial(path);
	if (fd < 0) {
		xm_err("domain %s: console %s: %s", dom, path, strerror(-fd));
		xmlrpc_free(c);
		return XM_EXIT_ERR;
	}
	*fd_out = fd;
	*domid_out = rpc_int(c, "domid", -1);
	xmlrpc_free(c);
	return XM_EXIT_OK;
}

static void
console_sleep(uint64_t ns)
{
	struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000ull),
			      .tv_nsec = (long)(ns % 1000000000ull)};

	nanosleep(&ts, NULL);
}

/* Does the domain's policy for why it stopped bring it back? */
static bool
console_will_restart(const struct xmlrpc_value *d)
{
	const char *why = rpc_str(d, "shutdown_reason", "");
	const char *policy;

	if (strcmp(why, "reboot") == 0)
		policy = rpc_str(d, "on_reboot", "restart");
	else if (strcmp(why, "crash") == 0)
		policy = rpc_str(d, "on_crash", "restart");
	else
		policy = rpc_str(d, "on_poweroff", "destroy");
	return strstr(policy, "restart") != NULL;
}

/* The console stream of incarnation old_id ended: find the next one.
 * Returns 1 with *fd_out and *domid_out connected to the new incarnation, or 0
 * when there is none to follow (gone, stopped, or taken over). */
static int
console_follow(const char *name, long long old_id, int *fd_out,
	       long long *domid_out)
{
	uint64_t start = util_now_ns(), live_since = 0;

	while (!console_signalled) {
		uint64_t now = util_now_ns();
		struct xmlrpc_value *d = NULL;
		long long id;
		int rc;

		rc = rpc_call_q(true, &d, "xend.domain", "s", name);
		if (rc == XM_EXIT_NODOM) {
			if (now - start > CONSOLE_GONE_WAIT_NS)
				return 0;
		} else if (rc != XM_EXIT_OK) {
			return 0;
		} else {
			const char *st = rpc_str(d, "state", "------");

			id = rpc_int(d, "domid", -1);
			if (id >= 0 && id != old_id &&
			    strpbrk(st, "scd") == NULL) {
				xmlrpc_free(d);
				if (console_connect(name, true, fd_out,
						    domid_out) == XM_EXIT_OK)
					return 1;
				d = NULL;
			} else if (id < 0) {
				xmlrpc_free(d);
				return 0; /* a managed domain, stopped */
			} else if (id == old_id && strpbrk(st, "scd") != NULL) {
				bool back = console_will_restart(d);

				xmlrpc_free(d);
				if (!back ||
				    now - start > CONSOLE_RESTART_WAIT_NS)
					return 0;
				d = NULL;
			} else if (id == old_id) {
				/* still running under the same id: someone
				 * else has the console now */
				if (live_since == 0)
					live_since = now;
				if (now - live_since > CONSOLE_TAKEOVER_NS) {
					xmlrpc_free(d);
					return 0;
				}
			}
			xmlrpc_free(d);
		}
		if (now - start > CONSOLE_RESTART_WAIT_NS)
			return 0;
		console_sleep(CONSOLE_POLL_NS);
	}
	return 0;
}

/* Copy stdin to the socket up to CTRL-]; returns 1 on detach, 0, or
 * -errno. *eof set when stdin ended. */
static int
console_from_user(int sock, bool *eof)
{
	char buf[CONSOLE_BUF];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
	char *esc;

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -errno;
	if (n == 0) {
		*eof = true;
		return 0;
	}
	esc = memchr(buf, CONSOLE_ESCAPE, (size_t)n);
	if (esc != NULL)
		n = esc - buf;
	if (n > 0 && util_write_all(sock, buf, (size_t)n) < 0)
		return 0; /* the stream ended; the read side will see it */
	return esc != NULL ? 1 : 0;
}

/* Keep the last CONSOLE_TAIL bytes of output (NUL-free) in tail. */
static void
console_tail(char *tail, size_t *tlen, const char *buf, size_t n)
{
	size_t i = n > CONSOLE_TAIL ? n - CONSOLE_TAIL : 0;

	for (; i < n; i++) {
		if (buf[i] == '\0')
			continue;
		if (*tlen == CONSOLE_TAIL) {
			memmove(tail, tail + 1, CONSOLE_TAIL - 1);
			(*tlen)--;
		}
		tail[(*tlen)++] = buf[i];
	}
	tail[*tlen] = '\0';
}

int
console_session(const char *name, int fd, long long domid)
{
	struct termios saved, raw;
	struct sigaction sa, old_term, old_hup, old_int, old_pipe;
	bool tty = isatty(STDIN_FILENO), in_eof = false;
	char tail[CONSOLE_TAIL + 1] = "";
	size_t tlen = 0;
	int rc = XM_EXIT_OK;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = console_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	sigaction(SIGINT, &sa, &old_int);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &old_pipe);
	if (tty && tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0)
			tty = false;
	} else {
		tty = false;
	}
	while (!console_signalled) {
		struct pollfd p[2] = {
			{.fd = fd, .events = POLLIN},
			{.fd = in_eof ? -1 : STDIN_FILENO, .events = POLLIN},
		};
		char buf[CONSOLE_BUF];
		ssize_t n;
		int r;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = XM_EXIT_ERR;
			break;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			r = console_from_user(fd, &in_eof);
			if (r == 1)
				break; /* CTRL-] */
			if (r < 0)
				in_eof = true;
		}
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n > 0) {
			if (util_write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
				break; /* nobody reads our output any more */
			console_tail(tail, &tlen, buf, (size_t)n);
			continue;
		}
		/* the stream ended: reboot, shutdown or a takeover */
		close(fd);
		fd = -1;
		if (strstr(tail, CONSOLE_TAKEOVER_MARK) != NULL)
			break;
		if (console_follow(name, domid, &fd, &domid) != 1)
			break;
	}
	if (fd >= 0)
		close(fd);
	if (tty)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	return rc;
}

int
console_boot(const char *name, bool keep_paused)
{
	long long domid;
	int fd = -1, rc, urc = XM_EXIT_OK;

	rc = console_connect(name, false, &fd, &domid);
	if (!keep_paused)
		urc = rpc_call(NULL, "xend.domain.unpause", "s", name);
	if (rc != XM_EXIT_OK) {
		return rc;
	}
	if (urc != XM_EXIT_OK) {
		close(fd);
		return urc;
	}
	return console_session(name, fd, domid);
}

int
cmd_console(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"quiet", no_argument, NULL, 'q'},
		{NULL, 0, NULL, 0},
	};
	struct xmlrpc_value *d = NULL;
	bool quiet = false;
	long long domid;
	char *name = NULL;
	int c, fd = -1, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "q", longopts, NULL)) != -1) {
		if (c != 'q') {
			xm_err("option %s not recognized", argv[optind - 1]);
			return xm_usage(argv[0]);
		}
		quiet = true;
	}
	if (optind + 1 != argc) {
		xm_err("'xm console' requires 1 argument.\n");
		return xm_usage(argv[0]);
	}
	/* follow the domain by name: its id changes across reboots */
	rc = rpc_call_q(quiet, &d, "xend.domain", "s", argv[optind]);
	if (rc != XM_EXIT_OK)
		return rc;
	name = strdup(rpc_str(d, "name", argv[optind]));
	xmlrpc_free(d);
	if (name == NULL)
		return XM_EXIT_ERR;
	rc = console_connect(name, quiet, &fd, &domid);
	if (rc == XM_EXIT_OK)
		rc = console_session(name, fd, domid);
	free(name);
	return rc;
}
