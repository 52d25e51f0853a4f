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
	event_base_loopbreak(x->base);
}

static int
xmd_parse_args(struct xmd *x, int argc, char **argv, const char **root)
{
	struct group *gr;
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
	return -1;
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
	rc = xmd_parse_args(x, argc, argv, &root);
	if (rc >= 0)
		return rc;
	x->self_uid = geteuid();
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
