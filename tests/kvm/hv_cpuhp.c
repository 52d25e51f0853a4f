/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hv_cpuhp.c: kvm tier: ACPI CPU hotplug through libxmhv: the test guest
 * (max 4 vCPUs, 2 online) follows xmhv_domain_set_vcpus up, down and up
 * again, and getinfo's online_vcpus agrees. TAP. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "util.h"
#include "xmhv.h"

#define CPUHP_WAIT_MS 60000 /* emulated KVM is slow; never a timing test */

struct cpuhp_console {
	int fd;
	char buf[65536];
	size_t len, seen; /* seen: where the next search starts */
};

/* Read the console until text appears after con->seen (then move seen past
 * it) or the wait ends. Returns true when found. */
static bool
cpuhp_expect(struct cpuhp_console *con, const char *text)
{
	uint64_t end = util_now_ns() + CPUHP_WAIT_MS * 1000000ULL;
	struct pollfd pfd = {con->fd, POLLIN, 0};
	char *hit;
	ssize_t n;

	for (;;) {
		con->buf[con->len] = '\0';
		hit = strstr(con->buf + con->seen, text);
		if (hit) {
			con->seen = (size_t)(hit - con->buf) + strlen(text);
			return true;
		}
		if (util_now_ns() > end || con->len + 1 >= sizeof(con->buf))
			return false;
		if (poll(&pfd, 1, 500) <= 0)
			continue;
		n = read(con->fd, con->buf + con->len,
			 sizeof(con->buf) - 1 - con->len);
		if (n <= 0)
			return false;
		con->len += (size_t)n;
	}
}

static uint32_t
cpuhp_online(struct xmhv *h, xmhv_domid_t domid)
{
	struct xmhv_dominfo info;

	if (xmhv_domain_getinfo(h, domid, &info) < 0)
		return UINT32_MAX;
	return info.online_vcpus;
}

/* set_vcpus(n), then the guest's "cpus: n online" and getinfo's count. */
static void
cpuhp_step(struct xmhv *h, xmhv_domid_t domid, struct cpuhp_console *con,
	   uint32_t n)
{
	char want[32];
	int r = xmhv_domain_set_vcpus(h, domid, n);

	tap_ok(r == 0, "set_vcpus(%u): %s", n, r < 0 ? strerror(-r) : "ok");
	snprintf(want, sizeof(want), "cpus: %u online", n);
	if (!tap_ok(cpuhp_expect(con, want), "guest reports \"%s\"", want))
		tap_diag("console tail: %s",
			 con->buf + (con->len > 600 ? con->len - 600 : 0));
	tap_is_int(cpuhp_online(h, domid), n, "getinfo online_vcpus = %u", n);
}

int
main(void)
{
	static struct xmhv_domain_config cfg;
	static struct cpuhp_console con;
	char dir[] = "/tmp/hv_cpuhp.XXXXXX", errmsg[512] = "";
	const char *top = getenv("top_builddir");
	char xmhv[PATH_MAX];
	struct xmhv *h = NULL;
	xmhv_domid_t domid = 0;
	struct xmhv_dominfo info;
	int r;

	if (access("/dev/kvm", R_OK | W_OK) != 0)
		tap_skip_all("no usable /dev/kvm");
	if (geteuid() != 0)
		tap_skip_all("needs root");
	if (!top)
		top = ".";
	snprintf(xmhv, sizeof(xmhv), "%s/hypervisor/xmhv", top);
	xmhv_domain_config_init(&cfg);
	snprintf(cfg.kernel, sizeof(cfg.kernel), "%s/tests/guest/guest.bzImage",
		 top);
	if (access(xmhv, X_OK) != 0 || access(cfg.kernel, R_OK) != 0)
		tap_skip_all("needs %s and %s (make)", xmhv, cfg.kernel);
	snprintf(cfg.name, sizeof(cfg.name), "cpuhp");
	snprintf(cfg.cmdline, sizeof(cfg.cmdline), "xmtest=cpuhp");
	cfg.memory_mib = 32;
	cfg.max_vcpus = 4;
	cfg.vcpus_online = 2;
	con.fd = -1;
	tap_plan(16);
	if (!mkdtemp(dir) || !(h = xmhv_open(dir, xmhv)))
		tap_skip_all("run dir %s: %s", dir, strerror(errno));
	r = xmhv_domain_create(h, &cfg, &domid, errmsg, sizeof(errmsg));
	if (!tap_ok(r == 0, "create max 4 / online 2: %s", errmsg))
		goto out;
	con.fd = xmhv_console_open(h, domid);
	r = xmhv_domain_unpause(h, domid);
	tap_ok(con.fd >= 0 && r == 0, "console and unpause");
	if (con.fd < 0)
		goto out;
	tap_ok(cpuhp_expect(&con, "cpus: 2 online") &&
		       cpuhp_expect(&con, "xmguest# "),
	       "guest boots with 2 CPUs online");
	tap_ok(xmhv_domain_getinfo(h, domid, &info) == 0 &&
		       info.max_vcpus == 4 && info.online_vcpus == 2,
	       "getinfo: max 4, online 2");
	cpuhp_step(h, domid, &con, 4);
	cpuhp_step(h, domid, &con, 1);
	cpuhp_step(h, domid, &con, 3);
	tap_ok(xmhv_domain_set_vcpus(h, domid, 5) < 0, "set_vcpus(5) > max");
	tap_ok(xmhv_domain_set_vcpus(h, domid, 0) < 0, "set_vcpus(0)");
	r = xmhv_domain_destroy(h, domid);
	domid = 0;
	tap_ok(r == 0, "destroy");
out:
	if (domid && xmhv_domain_destroy(h, domid) < 0)
		tap_diag("destroy of domain %u failed", domid);
	if (con.fd >= 0)
		close(con.fd);
	xmhv_close(h);
	return tap_done();
}
