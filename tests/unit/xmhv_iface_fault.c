/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmhv_iface_fault.c: the kvm-tier interface test's faults: hostile and
 * outdated peers on a monitor's socket, a paused domain destroyed, a
 * monitor killed or sent SIGTERM, a caller dying after create, and a bad
 * kernel leaving nothing behind. */
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

/* Hostile and outdated peers: the monitor refuses them and keeps going. */
void
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

void
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

void
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
void
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
void
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

void
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
