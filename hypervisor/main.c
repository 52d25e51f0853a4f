/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c: the xmhv program: stand-alone mode (one domain on the terminal)
 * or control mode (--control-fd, driven by libxmhv through control.c). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <termios.h>
#include <unistd.h>

#include "check.h"
#include "log.h"
#include "loop.h"
#include "sandbox.h"
#include "util.h"
#include "vm.h"

#define MAIN_ESCAPE 0x1d /* CTRL-] */

/* control.c (the control-socket mode), when linked in. */
int control_main(int ctl_fd) __attribute__((weak));

struct main_event {
	uint32_t state;
	uint32_t reason;
};

static int main_event_pipe[2] = {-1, -1};
static struct vm_options main_opts;

static const char *const main_reason_names[] = {
	[XMHV_SHUTDOWN_NONE] = "none",
	[XMHV_SHUTDOWN_POWEROFF] = "poweroff",
	[XMHV_SHUTDOWN_REBOOT] = "reboot",
	[XMHV_SHUTDOWN_CRASH] = "crash",
	[XMHV_SHUTDOWN_HALT] = "halt",
};

/* Exit status per reason: 0 for poweroff, as a shell expects. */
static const int main_reason_status[] = {
	[XMHV_SHUTDOWN_NONE] = 1,   [XMHV_SHUTDOWN_POWEROFF] = 0,
	[XMHV_SHUTDOWN_REBOOT] = 2, [XMHV_SHUTDOWN_CRASH] = 3,
	[XMHV_SHUTDOWN_HALT] = 4,
};

static void
main_state(void *opaque, uint32_t state, enum xmhv_shutdown_reason reason)
{
	struct main_event ev = {state, reason};

	(void)opaque;
	/* A pipe write of 8 bytes is atomic; never blocks (O_NONBLOCK). */
	if (write(main_event_pipe[1], &ev, sizeof(ev)) < 0)
		return;
}

static void
main_console_out(void *opaque, const uint8_t *buf, size_t len)
{
	(void)opaque;
	if (util_write_all(STDOUT_FILENO, buf, len) < 0)
		return;
}

/* SIGTERM presses the power button (a clean shutdown, as `xm shutdown`);
 * SIGINT (when stdin is no terminal) and SIGHUP destroy the domain. */
static void
main_signal(int sig)
{
	struct main_event ev = {XMHV_STATE_DYING, XMHV_SHUTDOWN_NONE};

	if (sig == SIGTERM)
		ev = (struct main_event){0, XMHV_SHUTDOWN_POWEROFF};
	if (write(main_event_pipe[1], &ev, sizeof(ev)) < 0)
		return;
}

static void
main_usage(FILE *f)
{
	fprintf(f,
		"usage: xmhv --kernel FILE [--ramdisk FILE] [--cmdline TEXT]\n"
		"            --memory MIB --vcpus N [--cpus LIST] [--name "
		"NAME]\n"
		"            [--localtime] [--no-pvh] [--console stdio]\n"
		"       xmhv --control-fd FD\n"
		"Stand-alone: runs one domain on this terminal; CTRL-] "
		"destroys it; SIGTERM presses its power button.\n"
		"Exit status: 0 poweroff, 2 reboot, 3 crash, 1 error.\n");
}

/* Xen's cpus= syntax: "0-3,6,^2" (ranges, single CPUs, ^ excludes) or
 * "all", for every vCPU. Returns 0 or -EINVAL. */
static int
main_parse_cpus(const char *s, struct xmhv_domain_config *cfg)
{
	uint64_t set[XMHV_MAX_HOST_CPUS / 64] = {0};
	unsigned long a, b, c;
	bool exclude;
	char *end;
	uint32_t v;

	if (strcmp(s, "all") == 0)
		s = "0-1023";
	while (*s) {
		exclude = *s == '^';
		s += exclude;
		a = strtoul(s, &end, 10);
		if (end == s)
			return -EINVAL;
		b = a;
		if (*end == '-') {
			s = end + 1;
			b = strtoul(s, &end, 10);
			if (end == s)
				return -EINVAL;
		}
		if (b < a || b >= XMHV_MAX_HOST_CPUS)
			return -EINVAL;
		for (c = a; c <= b; c++) {
			if (exclude)
				set[c / 64] &= ~(1ULL << (c % 64));
			else
				set[c / 64] |= 1ULL << (c % 64);
		}
		if (*end == ',')
			end++;
		else if (*end)
			return -EINVAL;
		s = end;
	}
	for (v = 0; v < XMHV_MAX_VCPUS; v++)
		memcpy(cfg->cpu_affinity[v], set, sizeof(set));
	cfg->pin_vcpus = 1;
	return 0;
}

enum {
	OPT_KERNEL = 256,
	OPT_RAMDISK,
	OPT_CMDLINE,
	OPT_MEMORY,
	OPT_VCPUS,
	OPT_CPUS,
	OPT_LOCALTIME,
	OPT_CONSOLE,
	OPT_CONTROL_FD,
	OPT_NAME,
	OPT_RUN_DIR,
	OPT_DOMID,
	OPT_NO_PVH,
	OPT_HELP
};

static const struct option main_options[] = {
	{"kernel", required_argument, NULL, OPT_KERNEL},
	{"ramdisk", required_argument, NULL, OPT_RAMDISK},
	{"cmdline", required_argument, NULL, OPT_CMDLINE},
	{"memory", required_argument, NULL, OPT_MEMORY},
	{"vcpus", required_argument, NULL, OPT_VCPUS},
	{"cpus", required_argument, NULL, OPT_CPUS},
	{"localtime", no_argument, NULL, OPT_LOCALTIME},
	{"console", required_argument, NULL, OPT_CONSOLE},
	{"control-fd", required_argument, NULL, OPT_CONTROL_FD},
	{"name", required_argument, NULL, OPT_NAME},
	{"run-dir", required_argument, NULL, OPT_RUN_DIR},
	{"domid", required_argument, NULL, OPT_DOMID},
	{"no-pvh", no_argument, NULL, OPT_NO_PVH},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

/* Parse argv into cfg; *ctl_fd_out is set for --control-fd. Returns 0,
 * 1 for --help, or -EINVAL after printing why. */
static int
main_parse(int argc, char **argv, struct xmhv_domain_config *cfg,
	   int *ctl_fd_out)
{
	uint64_t v;
	int opt, rc = 0;

	cfg->max_vcpus = 1;
	cfg->memory_mib = 128;
	while ((opt = getopt_long(argc, argv, "", main_options, NULL)) != -1) {
		switch (opt) {
		case OPT_KERNEL:
			rc = util_strlcpy(cfg->kernel, optarg,
					  sizeof(cfg->kernel));
			break;
		case OPT_RAMDISK:
			rc = util_strlcpy(cfg->ramdisk, optarg,
					  sizeof(cfg->ramdisk));
			break;
		case OPT_CMDLINE:
			rc = util_strlcpy(cfg->cmdline, optarg,
					  sizeof(cfg->cmdline));
			break;
		case OPT_NAME:
			rc = util_strlcpy(cfg->name, optarg, sizeof(cfg->name));
			break;
		case OPT_MEMORY:
			rc = util_parse_u64(optarg, XMHV_MEMORY_MAX_MIB, &v);
			cfg->memory_mib = v;
			break;
		case OPT_VCPUS:
			rc = util_parse_u64(optarg, XMHV_MAX_VCPUS, &v);
			cfg->max_vcpus = (uint32_t)v;
			break;
		case OPT_CPUS:
			rc = main_parse_cpus(optarg, cfg);
			break;
		case OPT_LOCALTIME:
			cfg->localtime = 1;
			break;
		case OPT_CONSOLE:
			rc = strcmp(optarg, "stdio") ? -EINVAL : 0;
			break;
		case OPT_CONTROL_FD:
			rc = util_parse_u64(optarg, 65535, &v);
			*ctl_fd_out = (int)v;
			break;
		case OPT_RUN_DIR:
		case OPT_DOMID:
			/* For ps(1) only: the CREATE message carries both. */
			break;
		case OPT_NO_PVH:
			main_opts.no_pvh = true;
			break;
		case OPT_HELP:
			main_usage(stdout);
			return 1;
		default:
			main_usage(stderr);
			return -EINVAL;
		}
		if (rc < 0) {
			fprintf(stderr, "xmhv: --%s %s: invalid value\n",
				main_options[opt - OPT_KERNEL].name, optarg);
			return rc;
		}
	}
	if (optind != argc || (*ctl_fd_out < 0 && !cfg->kernel[0])) {
		main_usage(stderr);
		return -EINVAL;
	}
	if (!cfg->name[0])
		memcpy(cfg->name, "xmhv", 5);
	return 0;
}

#define MAIN_RETRY_MS 5

/* The stand-alone session: the terminal in, the domain's events out. */
struct main_session {
	struct loop *loop;
	struct vm *vm;
	uint8_t in[256];
	size_t inlen;
	bool stdin_open;
	int status;
};

static void main_on_stdin(void *opaque, int fd, uint32_t events);

/* Watch stdin while there is room for input. */
static void
main_stdin_events(struct main_session *m)
{
	if (m->stdin_open)
		(void)!loop_mod(m->loop, STDIN_FILENO,
				m->inlen < sizeof(m->in) ? EPOLLIN : 0);
}

static void
main_end(struct main_session *m, int status)
{
	m->status = status;
	loop_stop(m->loop);
}

/* Feed pending console input (the UART FIFO may take part of it: the rest
 * is retried); CTRL-] destroys the domain. */
static void
main_feed(void *opaque, int fd, uint32_t events)
{
	struct main_session *m = opaque;
	size_t n;

	(void)fd;
	(void)events;
	if (memchr(m->in, MAIN_ESCAPE, m->inlen)) {
		fprintf(stderr, "\r\nxmhv: CTRL-]: domain destroyed\r\n");
		main_end(m, 1);
		return;
	}
	n = vm_console_input(m->vm, m->in, m->inlen);
	memmove(m->in, m->in + n, m->inlen - n);
	m->inlen -= n;
	(void)!loop_timer(m->loop, m->inlen ? MAIN_RETRY_MS : -1, main_feed, m);
	main_stdin_events(m);
}

static void
main_on_stdin(void *opaque, int fd, uint32_t events)
{
	struct main_session *m = opaque;
	ssize_t n;

	(void)events;
	n = read(fd, m->in + m->inlen, sizeof(m->in) - m->inlen);
	if (n <= 0) {
		if (n < 0 && errno == EINTR)
			return;
		m->stdin_open = false;
		loop_del(m->loop, fd);
		return;
	}
	m->inlen += (size_t)n;
	main_feed(m, -1, 0);
}

static void
main_on_event(void *opaque, int fd, uint32_t events)
{
	struct main_session *m = opaque;
	struct main_event ev;

	(void)events;
	while (read(fd, &ev, sizeof(ev)) == sizeof(ev)) {
		if (ev.state == 0 &&
		    vm_request_shutdown(m->vm, ev.reason) < 0) {
			main_end(m, 1);
			return;
		}
		if (ev.state == XMHV_STATE_DYING) {
			fprintf(stderr, "\r\nxmhv: signal: domain "
					"destroyed\r\n");
			main_end(m, 1);
			return;
		}
		if ((ev.state & (XMHV_STATE_SHUTDOWN | XMHV_STATE_CRASHED)) &&
		    ev.reason < ARRAY_SIZE(main_reason_names)) {
			fprintf(stderr, "\r\nxmhv: domain shut down: %s\r\n",
				main_reason_names[ev.reason]);
			main_end(m, main_reason_status[ev.reason]);
			return;
		}
	}
}

/* The stand-alone loop: terminal in, events out. Returns the exit status. */
static int
main_loop(struct vm *vm)
{
	struct main_session m = {.vm = vm, .stdin_open = true, .status = 1};
	int r;

	r = loop_new(&m.loop);
	if (r == 0)
		r = loop_add(m.loop, main_event_pipe[0], EPOLLIN, main_on_event,
			     &m);
	/* stdin may be a file or /dev/null (epoll refuses those): then what
	 * it holds is read once, as input typed before the guest started. */
	if (r == 0 &&
	    loop_add(m.loop, STDIN_FILENO, EPOLLIN, main_on_stdin, &m) < 0) {
		m.stdin_open = false;
		ssize_t n = read(STDIN_FILENO, m.in, sizeof(m.in));

		if (n > 0) {
			m.inlen = (size_t)n;
			main_feed(&m, -1, 0);
		}
	}
	if (r == 0)
		r = loop_run(m.loop);
	if (r < 0)
		fprintf(stderr, "xmhv: event loop: %s\n", strerror(-r));
	loop_free(m.loop);
	return m.status;
}

/* Stand-alone mode opens its own kernel and ramdisk, as the caller and
 * before the sandbox; the machine reads the fds. 0 or -errno with errmsg
 * "kernel PATH: reason". */
static int
main_open_boot_files(struct xmhv_domain_config *cfg, char *errmsg,
		     size_t errlen)
{
	int fd;

	fd = xmhv_check_open_boot_file(XMHV_BOOT_KERNEL, cfg->kernel, errmsg,
				       errlen);
	if (fd < 0)
		return fd;
	cfg->kernel_fd = fd;
	if (!cfg->ramdisk[0])
		return 0;
	fd = xmhv_check_open_boot_file(XMHV_BOOT_RAMDISK, cfg->ramdisk, errmsg,
				       errlen);
	if (fd < 0)
		return fd;
	cfg->ramdisk_fd = fd;
	return 0;
}

static void
main_close_boot_files(struct xmhv_domain_config *cfg)
{
	if (cfg->kernel_fd >= 0)
		close(cfg->kernel_fd);
	if (cfg->ramdisk_fd >= 0)
		close(cfg->ramdisk_fd);
	cfg->kernel_fd = cfg->ramdisk_fd = -1;
}

static int
main_standalone(struct xmhv_domain_config *cfg)
{
	struct vm_callbacks cb = {.state = main_state,
				  .console_out = main_console_out};
	struct termios saved, raw;
	bool tty = isatty(STDIN_FILENO);
	struct sigaction sa;
	struct vm *vm = NULL;
	char errmsg[512];
	int rc, status = 1;

	if (pipe2(main_event_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		fprintf(stderr, "xmhv: pipe: %s\n", strerror(errno));
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = main_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a closed stdout must not kill the guest */
	if (!tty)
		sigaction(SIGINT, &sa, NULL);
	rc = main_open_boot_files(cfg, errmsg, sizeof(errmsg));
	if (rc == 0)
		rc = vm_create_with(cfg, &main_opts, &cb, &vm, errmsg,
				    sizeof(errmsg));
	main_close_boot_files(cfg); /* loaded into guest memory, or failed */
	if (rc < 0) {
		fprintf(stderr, "xmhv: %s\n", errmsg);
		goto out;
	}
	rc = sandbox_enter(NULL, 0);
	if (rc < 0) {
		/* Never run a guest unconfined. */
		fprintf(stderr,
			"xmhv: cannot confine the monitor (sandbox): %s\n",
			strerror(-rc));
		goto out;
	}
	if (tty && tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		raw.c_oflag |= OPOST | ONLCR;
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	} else {
		tty = false;
	}
	rc = vm_unpause(vm);
	if (rc == 0)
		status = main_loop(vm);
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
out:
	vm_destroy(vm);
	return status;
}

int
main(int argc, char **argv)
{
	struct xmhv_domain_config *cfg;
	uint64_t t_main = util_now_ns();
	int ctl_fd = -1, rc, status;

	log_init("xmhv", true);
	if (getenv("XMHV_BENCH"))
		log_info("main entered at %llu ns (CLOCK_MONOTONIC)",
			 (unsigned long long)t_main);
	cfg = malloc(sizeof(*cfg));
	if (!cfg)
		return 1;
	xmhv_domain_config_init(cfg);
	rc = main_parse(argc, argv, cfg, &ctl_fd);
	if (rc != 0) {
		free(cfg);
		return rc > 0 ? 0 : 1;
	}
	rc = sandbox_close_inherited(&ctl_fd, ctl_fd >= 0 ? 1 : 0);
	if (rc < 0) {
		fprintf(stderr, "xmhv: startup: %s\n", strerror(-rc));
		free(cfg);
		return 1;
	}
	if (ctl_fd >= 0) {
		free(cfg);
		if (!control_main) {
			fprintf(stderr, "xmhv: control mode is not built in\n");
			return 1;
		}
		return control_main(ctl_fd);
	}
	status = main_standalone(cfg);
	free(cfg);
	return status;
}
