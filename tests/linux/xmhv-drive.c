/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmhv-drive.c: runs one domain through the hypercall interface (libxmhv)
 * for the real-Linux tier: create, console to stdout, press the power button
 * once the guest prints a marker, and report the shutdown reason. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "xmhv.h"

#define DRIVE_MARK_MAX 128

/* Exit status per shutdown reason, as stand-alone xmhv uses them. */
static const int drive_status[] = {
	[XMHV_SHUTDOWN_NONE] = 1,   [XMHV_SHUTDOWN_POWEROFF] = 0,
	[XMHV_SHUTDOWN_REBOOT] = 2, [XMHV_SHUTDOWN_CRASH] = 3,
	[XMHV_SHUTDOWN_HALT] = 4,
};

struct drive_opts {
	const char *run_dir;
	const char *xmhv;
	const char *press_on; /* NULL: never press the power button */
};

/* The console scanner: the last bytes seen, to find the marker across
 * read boundaries. */
struct drive_scan {
	char buf[2 * DRIVE_MARK_MAX + 1];
	size_t len;
};

static bool
drive_scan_feed(struct drive_scan *s, const char *mark, const char *data,
		size_t len)
{
	size_t keep = strlen(mark);

	while (len > 0) {
		size_t n = sizeof(s->buf) - 1 - s->len;

		if (n > len)
			n = len;
		memcpy(s->buf + s->len, data, n);
		s->len += n;
		s->buf[s->len] = '\0';
		data += n;
		len -= n;
		if (memmem(s->buf, s->len, mark, keep))
			return true;
		if (s->len >= keep) {
			memmove(s->buf, s->buf + s->len - keep + 1, keep - 1);
			s->len = keep - 1;
		}
	}
	return false;
}

static void
drive_usage(void)
{
	fprintf(stderr,
		"usage: xmhv-drive --run-dir DIR [--xmhv PATH] --kernel FILE\n"
		"       [--ramdisk FILE] [--cmdline TEXT] --memory MIB\n"
		"       --vcpus N [--press-on TEXT]\n");
}

static int
drive_parse(int argc, char **argv, struct drive_opts *o,
	    struct xmhv_domain_config *cfg)
{
	static const struct option longopts[] = {
		{"run-dir", required_argument, NULL, 'd'},
		{"xmhv", required_argument, NULL, 'x'},
		{"kernel", required_argument, NULL, 'k'},
		{"ramdisk", required_argument, NULL, 'r'},
		{"cmdline", required_argument, NULL, 'c'},
		{"memory", required_argument, NULL, 'm'},
		{"vcpus", required_argument, NULL, 'v'},
		{"press-on", required_argument, NULL, 'p'},
		{NULL, 0, NULL, 0},
	};
	uint64_t v;
	int c, r = 0;

	while (r == 0 &&
	       (c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->run_dir = optarg;
			break;
		case 'x':
			o->xmhv = optarg;
			break;
		case 'k':
			r = util_strlcpy(cfg->kernel, optarg,
					 sizeof(cfg->kernel));
			break;
		case 'r':
			r = util_strlcpy(cfg->ramdisk, optarg,
					 sizeof(cfg->ramdisk));
			break;
		case 'c':
			r = util_strlcpy(cfg->cmdline, optarg,
					 sizeof(cfg->cmdline));
			break;
		case 'm':
			r = util_parse_u64(optarg, 1u << 20, &v);
			cfg->memory_mib = v;
			break;
		case 'v':
			r = util_parse_u64(optarg, XMHV_MAX_VCPUS, &v);
			cfg->max_vcpus = (uint32_t)v;
			break;
		case 'p':
			o->press_on = optarg;
			if (strlen(optarg) == 0 ||
			    strlen(optarg) > DRIVE_MARK_MAX)
				r = -EINVAL;
			break;
		default:
			r = -EINVAL;
			break;
		}
	}
	if (r == 0 && (!o->run_dir || !cfg->kernel[0] || !cfg->memory_mib ||
		       !cfg->max_vcpus))
		r = -EINVAL;
	if (r < 0)
		drive_usage();
	return r;
}

/* Copy console output to stdout; press the button when the marker shows.
 * Returns 0, or -EPIPE once the console is closed. */
static int
drive_console(struct xmhv *h, xmhv_domid_t domid, int fd,
	      const struct drive_opts *o, struct drive_scan *scan,
	      bool *pressed)
{
	char buf[4096];
	ssize_t n;
	int r;

	n = read(fd, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return -EPIPE;
	if (util_write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
		return -EPIPE;
	if (o->press_on && !*pressed &&
	    drive_scan_feed(scan, o->press_on, buf, (size_t)n)) {
		r = xmhv_domain_shutdown(h, domid, XMHV_SHUTDOWN_POWEROFF);
		fprintf(stderr, "xmhv-drive: domain %u: power button: %s\n",
			domid, r < 0 ? strerror(-r) : "pressed");
		*pressed = true;
	}
	return 0;
}

/* Run the domain until it shuts down. Returns the exit status. */
static int
drive_run(struct xmhv *h, const struct drive_opts *o,
	  const struct xmhv_domain_config *cfg)
{
	struct drive_scan scan = {.len = 0};
	struct xmhv_dominfo info;
	struct xmhv_event ev;
	xmhv_domid_t domid = 0;
	bool pressed = false, created = false;
	int con = -1, status = 1, reason = -1, r;
	char errmsg[512] = "";
	struct pollfd pfd[2];

	r = xmhv_domain_create(h, cfg, &domid, errmsg, sizeof(errmsg));
	if (r < 0) {
		fprintf(stderr, "xmhv-drive: create: %s: %s\n", strerror(-r),
			errmsg);
		goto out;
	}
	created = true;
	if (xmhv_domain_getinfo(h, domid, &info) == 0)
		fprintf(stderr, "xmhv-drive: domain %u: monitor pid %d\n",
			domid, info.pid);
	con = xmhv_console_open(h, domid);
	if (con < 0) {
		fprintf(stderr, "xmhv-drive: console: %s\n", strerror(-con));
		goto out;
	}
	r = xmhv_domain_unpause(h, domid);
	if (r < 0) {
		fprintf(stderr, "xmhv-drive: unpause: %s\n", strerror(-r));
		goto out;
	}
	while (reason < 0) {
		pfd[0] = (struct pollfd){xmhv_event_fd(h), POLLIN, 0};
		pfd[1] = (struct pollfd){con, POLLIN, 0};
		if (poll(pfd, con >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (con >= 0 && (pfd[1].revents & (POLLIN | POLLHUP)) &&
		    drive_console(h, domid, con, o, &scan, &pressed) < 0) {
			close(con);
			con = -1;
		}
		while (reason < 0 && (r = xmhv_event_read(h, &ev)) > 0) {
			if (ev.gone || (ev.state & (XMHV_STATE_SHUTDOWN |
						    XMHV_STATE_CRASHED)))
				reason = (int)ev.reason;
			if (ev.gone)
				created = false;
		}
		if (r < 0)
			break;
	}
	/* Drain what the guest said last. */
	while (con >= 0 && poll(&(struct pollfd){con, POLLIN, 0}, 1, 200) > 0 &&
	       drive_console(h, domid, con, o, &scan, &pressed) == 0)
		;
	if (reason >= 0 && (size_t)reason < ARRAY_SIZE(drive_status)) {
		fprintf(stderr, "xmhv-drive: domain %u: shut down: %s\n", domid,
			xmhv_reason_name((enum xmhv_shutdown_reason)reason));
		status = drive_status[reason];
	}
out:
	if (con >= 0)
		close(con);
	if (created && xmhv_domain_destroy(h, domid) < 0)
		fprintf(stderr, "xmhv-drive: destroy domain %u failed\n",
			domid);
	return status;
}

int
main(int argc, char **argv)
{
	struct drive_opts o = {NULL, NULL, NULL};
	struct xmhv_domain_config *cfg;
	struct xmhv *h = NULL;
	int status = 1;

	cfg = malloc(sizeof(*cfg));
	if (!cfg)
		return 1;
	xmhv_domain_config_init(cfg);
	if (util_strlcpy(cfg->name, "l2", sizeof(cfg->name)) < 0 ||
	    drive_parse(argc, argv, &o, cfg) < 0)
		goto out;
	cfg->vcpus_online = cfg->max_vcpus;
	h = xmhv_open(o.run_dir, o.xmhv);
	if (!h) {
		fprintf(stderr, "xmhv-drive: %s: %s\n", o.run_dir,
			strerror(errno));
		goto out;
	}
	setvbuf(stderr, NULL, _IONBF, 0);
	status = drive_run(h, &o, cfg);
out:
	xmhv_close(h);
	free(cfg);
	return status;
}
