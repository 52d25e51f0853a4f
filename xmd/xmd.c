/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmd.c: the domain-management daemon: options, paths under --root,
 * daemonizing, the pid lock, signals and the libevent main loop. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "util.h"
#include "netdom.h"
#include "xmd.h"

static const char xmd_usage[] =
	"Usage: xmd [OPTION]...\n"
	"The xmtools domain-management daemon: serves xm's XML-RPC requests\n"
	"on <root>/run/xmd/xmlrpc.sock and runs each domain in its own xmhv.\n"
	"\n"
	"  -d, --foreground       stay in the foreground, log to stderr too\n"
	"  -r, --root DIR         relocate every path under DIR (default /,\n"
	"                         or $XMD_ROOT): DIR/etc/xen, DIR/run/xmd,\n"
	"                         DIR/var/lib/xmd, DIR/var/log/xmd\n"
	"  -g, --ro-group GROUP   let members of GROUP use read-only methods\n"
	"  -a, --autostart        start the domains in <root>/etc/xen/auto\n"
	"  -x, --xmhv PATH        the xmhv monitor binary (default "
	"$XMHV_PATH,\n"
	"                         then the installed one)\n"
	"      --restart-guard S  seconds within which a restarted domain is\n"
	"                         not restarted again (default 60, as xend)\n"
	"      --max-connections N           control connections in all\n"
	"                                    (default 256)\n"
	"      --reserved-connections N      of them, kept for root's and\n"
	"                                    xmd's own uid (default 32)\n"
	"      --max-connections-per-user N  one other uid's share (default\n"
	"                                    32)\n"
	"      --head-timeout S   a request's head must arrive within S s of\n"
	"                         the connection (default 10)\n"
	"      --request-timeout S  and its body within S s (default 30)\n"
	"  -v, --verbose          log debug messages\n"
	"  -h, --help             show this help\n"
	"  -V, --version          show the version\n";

static const struct option xmd_options[] = {
	{"foreground", no_argument, NULL, 'd'},
	{"root", required_argument, NULL, 'r'},
	{"ro-group", required_argument, NULL, 'g'},
	{"autostart", no_argument, NULL, 'a'},
	{"xmhv", required_argument, NULL, 'x'},
	{"restart-guard", required_argument, NULL, 'G'},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{"max-connections", required_argument, NULL, 'M'},
	{"reserved-connections", required_argument, NULL, 'R'},
	{"max-connections-per-user", required_argument, NULL, 'U'},
	{"head-timeout", required_argument, NULL, 'H'},
	{"request-timeout", required_argument, NULL, 'T'},
	{NULL, 0, NULL, 0},
};

/* Paths under the root, as a table: member, relative path, mode (0: none
 * created). */
static const struct {
	size_t offset;
	const char *rel;
	mode_t mode;
} xmd_paths[] = {
	{offsetof(struct xmd, etc_dir), "/etc/xen", 0},
	{offsetof(struct xmd, run_dir), "/run/xmd", 0755},
	{offsetof(struct xmd, dom_dir), "/run/xmd/dom", 0700},
	{offsetof(struct xmd, sock_path), "/run/xmd/xmlrpc.sock", 0},
	{offsetof(struct xmd, lib_dir), "/var/lib/xmd/domains", 0700},
	{offsetof(struct xmd, log_dir), "/var/log/xmd", 0750},
	{offsetof(struct xmd, log_path), "/var/log/xmd/xmd.log", 0},
	{offsetof(struct xmd, console_dir), "/var/log/xmd/console", 0750},
};

static int
xmd_setup_paths(struct xmd *x, const char *root)
{
	char real[PATH_MAX];
	size_t i;
	int rc;

	if (root && *root && strcmp(root, "/") != 0) {
		rc = util_mkdir_p(root, 0755);
		if (rc < 0 || !realpath(root, real)) {
			fprintf(stderr, "xmd: --root %s: %s\n", root,
				strerror(rc < 0 ? -rc : errno));
			return -EINVAL;
		}
		if (util_strlcpy(x->root, real, sizeof(x->root)) < 0)
			return -ENAMETOOLONG;
	}
	for (i = 0; i < ARRAY_SIZE(xmd_paths); i++) {
		char *dst = (char *)x + xmd_paths[i].offset;

		rc = util_snprintf(dst, PATH_MAX, "%s%s", x->root,
				   xmd_paths[i].rel);
		if (rc == 0 && xmd_paths[i].mode)
			rc = util_mkdir_p(dst, xmd_paths[i].mode);
		if (rc < 0) {
			fprintf(stderr, "xmd: %s: %s\n", dst, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/* The xmhv binary: --xmhv, else $XMHV_PATH / installed (libxmhv's own
 * choice), else the build tree's hypervisor/xmhv beside xmd/xmd. */
static void
xmd_find_xmhv(struct xmd *x)
{
	char self[PATH_MAX], cand[PATH_MAX];
	const char *env = getenv("XMHV_PATH");
	ssize_t n;
	char *slash;

	if (x->xmhv_path[0] || (env && *env))
		return;
	if (util_snprintf(cand, sizeof(cand), "%s/xmhv", XM_SBINDIR) == 0 &&
	    access(cand, X_OK) == 0)
		return;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return;
	*slash = '\0';
	if (util_snprintf(cand, sizeof(cand), "%s/../hypervisor/xmhv", self) ==
		    0 &&
	    access(cand, X_OK) == 0)
		XMD_STRLCPY(x->xmhv_path, cand);
}

/* The state of the KVM device, logged once at start: xmd serves list, info
 * and dry runs either way; creating a domain needs a device that works. */
static void
xmd_log_kvm(void)
{
	char msg[512];

	if (xmhv_check_kvm(msg, sizeof(msg)) == 0)
		log_info("%s: usable, domains can be created",
			 xmhv_check_kvm_device());
	else
		log_warn("%s (xmd runs on; domains cannot be created until "
			 "this is fixed)",
			 msg);
}

/* One xmd per root: an flock'ed pid file. Returns the fd or -errno. */
static int
xmd_lock(struct xmd *x)
{
	char path[PATH_MAX], pid[32];
	int fd, rc;

	rc = util_snprintf(path, sizeof(path), "%s/xmd.pid", x->run_dir);
	if (rc < 0)
		return rc;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		rc = -errno;
		close(fd);
		return rc == -EWOULDBLOCK ? -EBUSY : rc;
	}
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, strlen(pid), 0) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

/* Tell a Type=notify service manager that the socket accepts requests
 * (the domains are re-adopted by now). */
static void
xmd_notify_ready(const struct xmd *x)
{
	char msg[PATH_MAX + 64];
	int rc;

	snprintf(msg, sizeof(msg), "READY=1\nMAINPID=%d\nSTATUS=serving %s",
		 (int)getpid(), x->sock_path);
	rc = notify_send(msg);
	if (rc < 0)
		log_warn("NOTIFY_SOCKET: READY=1 not sent: %s", strerror(-rc));
}

static void
xmd_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct xmd *x = arg;

	if (sig == SIGHUP) {
		if (log_set_file(x->log_path) < 0)
			log_warn("cannot reopen %s", x->log_path);
		log_info("log reopened");
		return;
	}
	log_info("signal %d: exiting; domains keep running", (int)sig);
	if (notify_send("STOPPING=1") < 0)
		log_warn("NOTIFY_SOCKET: STOPPING=1 not sent");
	event_base_loopbreak(x->base);
}

/* A positive count option into *out; false (said on stderr) if it is not
 * one. */
static bool
xmd_count_arg(const char *opt, const char *arg, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || v == 0 || v > 1000000 ||
	    arg[0] == '-') {
		fprintf(stderr,
			"xmd: --%s %s: not a number from 1 to 1000000\n", opt,
			arg);
		return false;
	}
	*out = (unsigned)v;
	return true;
}

static int
xmd_parse_args(struct xmd *x, int argc, char **argv, const char **root)
{
	struct admission_limits *lim = &x->limits;
	struct group *gr;
	char msg[256];
	int c;

	while ((c = getopt_long(argc, argv, "dr:g:ax:vhV", xmd_options,
				NULL)) != -1) {
		switch (c) {
		case 'd':
			x->foreground = true;
			break;
		case 'r':
			*root = optarg;
			break;
		case 'g':
			gr = getgrnam(optarg);
			if (!gr) {
				fprintf(stderr, "xmd: no group '%s'\n", optarg);
				return 2;
			}
			x->has_ro_group = true;
			x->ro_gid = gr->gr_gid;
			break;
		case 'a':
			x->autostart = true;
			break;
		case 'x':
			if (util_strlcpy(x->xmhv_path, optarg,
					 sizeof(x->xmhv_path)) < 0)
				return 2;
			break;
		case 'G':
			x->restart_guard_s = strtod(optarg, NULL);
			break;
		case 'v':
			log_set_max_level(LOG_LEVEL_DEBUG);
			break;
		case 'M':
		case 'R':
		case 'U':
		case 'H':
		case 'T':
			if (!xmd_count_arg(
				    c == 'M'   ? "max-connections"
				    : c == 'R' ? "reserved-connections"
				    : c == 'U' ? "max-connections-per-user"
				    : c == 'H' ? "head-timeout"
					       : "request-timeout",
				    optarg,
				    c == 'M'   ? &lim->max_conns
				    : c == 'R' ? &lim->reserved_full
				    : c == 'U' ? &lim->max_per_uid
				    : c == 'H' ? &lim->head_timeout_s
					       : &lim->request_timeout_s))
				return 2;
			break;
		case 'h':
			fputs(xmd_usage, stdout);
			return 0;
		case 'V':
			printf("xmd (xmtools) %s\n", PACKAGE_VERSION);
			return 0;
		default:
			fputs(xmd_usage, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "xmd: unexpected argument '%s'\n",
			argv[optind]);
		return 2;
	}
	if (admission_check_limits(lim, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "xmd: %s\n", msg);
		return 2;
	}
	return -1;
}

/* File descriptors: the connection cap, plus room for the domains'
 * monitor sockets, console logs, taps and disks. The soft limit is raised
 * toward the hard one; when even that is too low, the cap becomes half the
 * limit (and the reserve a quarter of the cap at most), and the log says
 * so. A full table never means a spinning accept: control.c pauses
 * accepting on EMFILE. */
#define XMD_FDS_BESIDES_CONNECTIONS 512

static void
xmd_raise_nofile(struct xmd *x)
{
	rlim_t want = (rlim_t)x->limits.max_conns + XMD_FDS_BESIDES_CONNECTIONS;
	struct admission_limits *lim = &x->limits;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur >= want)
		return;
	lim->max_conns = rl.rlim_cur / 2 > 2 ? (unsigned)(rl.rlim_cur / 2) : 2;
	if (lim->reserved_full > lim->max_conns / 4)
		lim->reserved_full =
			lim->max_conns / 4 ? lim->max_conns / 4 : 1;
	log_warn("the file descriptor limit (%llu) is below what the "
		 "connection limit needs (%llu): serving %u connections, %u "
		 "of them kept for root (raise LimitNOFILE or ulimit -n)",
		 (unsigned long long)rl.rlim_cur, (unsigned long long)want,
		 lim->max_conns, lim->reserved_full);
}

static int
xmd_events(struct xmd *x)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
	struct event *ev;
	size_t i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(sigs) && i < ARRAY_SIZE(x->sig_events);
	     i++) {
		ev = evsignal_new(x->base, sigs[i], xmd_signal_cb, x);
		x->sig_events[i] = ev;
		if (!ev || evsignal_add(ev, NULL) < 0)
			return -ENOMEM;
	}
	if (pipe2(x->job_pipe, O_CLOEXEC) < 0)
		return -errno;
	x->job_event = event_new(x->base, x->job_pipe[0], EV_READ | EV_PERSIST,
				 domains_job_cb, x);
	if (!x->job_event || event_add(x->job_event, NULL) < 0)
		return -ENOMEM;
	fd = xmhv_event_fd(x->hv);
	if (fd < 0)
		return fd;
	x->hv_event = event_new(x->base, fd, EV_READ | EV_PERSIST,
				domains_event_cb, x);
	if (!x->hv_event || event_add(x->hv_event, NULL) < 0)
		return -ENOMEM;
	return 0;
}

int
main(int argc, char **argv)
{
	static struct xmd xmd = {
		.listen_fd = -1,
		.job_pipe = {-1, -1},
		.restart_guard_s = XMD_RESTART_GUARD_S,
	};
	struct xmd *x = &xmd;
	const char *root = getenv("XMD_ROOT");
	struct xmd_domain *d;
	int rc, lock_fd = -1, status = 1;
	size_t i;

	TAILQ_INIT(&x->domains);
	admission_defaults(&x->limits);
	rc = xmd_parse_args(x, argc, argv, &root);
	if (rc >= 0)
		return rc;
	x->self_uid = geteuid();
	notify_init();
	signal(SIGPIPE, SIG_IGN);
	if (xmd_setup_paths(x, root) < 0)
		return 1;
	log_init("xmd", x->foreground);
	rc = log_set_file(x->log_path);
	if (rc < 0)
		fprintf(stderr, "xmd: %s: %s\n", x->log_path, strerror(-rc));
	/* Lock before detaching, so that a second xmd says so on the
	 * terminal; the forked daemon keeps the lock (same open file). */
	lock_fd = xmd_lock(x);
	if (lock_fd < 0) {
		log_err("%s/xmd.pid: %s", x->run_dir,
			lock_fd == -EBUSY ? "another xmd runs on this root"
					  : strerror(-lock_fd));
		if (!x->foreground)
			fprintf(stderr, "xmd: %s\n",
				lock_fd == -EBUSY
					? "another xmd runs on this root"
					: strerror(-lock_fd));
		return 1;
	}
	if (!x->foreground) {
		char pid[32];

		if (daemon(0, 0) < 0) {
			log_err("daemon: %s", strerror(errno));
			return 1;
		}
		snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
		if (ftruncate(lock_fd, 0) < 0 ||
		    pwrite(lock_fd, pid, strlen(pid), 0) < 0)
			log_warn("%s/xmd.pid: %s", x->run_dir, strerror(errno));
	}
	xmd_find_xmhv(x);
	xmd_raise_nofile(x);
	x->base = event_base_new();
	x->hv = xmhv_open(x->dom_dir, x->xmhv_path[0] ? x->xmhv_path : NULL);
	if (!x->base || !x->hv) {
		log_err("%s: %s", x->dom_dir, strerror(errno));
		goto out;
	}
	rc = xmd_events(x);
	if (rc < 0) {
		log_err("event loop setup: %s", strerror(-rc));
		goto out;
	}
	rc = info_init(x);
	if (rc < 0) {
		log_err("info cache: %s", strerror(-rc));
		goto out;
	}
	netmgr_init(x);
	domains_adopt_all(x);
	rc = control_init(x);
	if (rc < 0) {
		log_err("%s: %s", x->sock_path, strerror(-rc));
		goto out;
	}
	log_info("xmd %s started (pid %d) on %s%s", PACKAGE_VERSION,
		 (int)getpid(), x->sock_path,
		 x->foreground ? ", foreground" : "");
	xmd_log_kvm();
	if (x->autostart)
		autostart_run(x, NULL);
	xmd_notify_ready(x);
	event_base_dispatch(x->base);
	status = 0;
out:
	control_dispose(x);
	info_dispose();
	netmgr_dispose(x);
	if (status == 0) /* the socket is ours */
		(void)unlink(x->sock_path);
	while ((d = TAILQ_FIRST(&x->domains)) != NULL) {
		TAILQ_REMOVE(&x->domains, d, link);
		xmcfg_domain_free(d->cfg);
		free(d);
	}
	for (i = 0; i < ARRAY_SIZE(x->sig_events); i++)
		if (x->sig_events[i])
			event_free(x->sig_events[i]);
	if (x->hv_event)
		event_free(x->hv_event);
	if (x->job_event)
		event_free(x->job_event);
	xmhv_close(x->hv);
	if (x->base)
		event_base_free(x->base);
	if (lock_fd >= 0)
		close(lock_fd);
	return status;
}
