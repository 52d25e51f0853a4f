/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmhv_iface.c: kvm-tier test of the hypercall interface: libxmhv drives
 * real xmhv monitors booting the test guest (needs root and /dev/kvm).
 * Here the lifecycle and the guest's own endings; the faults are in
 * xmhv_iface_fault.c, the helpers in xmhv_iface_lib.c. */
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
#include "xmhv_iface.h"

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
