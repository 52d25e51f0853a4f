/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libxmhv_creates.c: xmhv_wait_creates, what xmd's start does about the
 * monitors its killed predecessor was creating: the "<id>.building" marker
 * of a dead monitor is dropped at once, a live monitor that does not answer
 * yet is waited for (up to the bound, marker kept), and the wait ends when
 * it exits. Monitors are played by child processes. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "util.h"
#include "xmhv.h"

static void
mark(const char *run, xmhv_domid_t id, pid_t pid)
{
	char path[128], buf[32];

	(void)snprintf(path, sizeof(path), "%s/%u.building", run, id);
	(void)snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	(void)!util_write_file_atomic(path, buf, strlen(buf), 0600);
}

static bool
marked(const char *run, xmhv_domid_t id)
{
	char path[128];

	(void)snprintf(path, sizeof(path), "%s/%u.building", run, id);
	return access(path, F_OK) == 0;
}

/* A child that lives until killed (a monitor still building). */
static pid_t
sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

int
main(void)
{
	char dir[] = "/tmp/libxmhv-creates-XXXXXX", run[64], cmd[96];
	struct xmhv *h;
	pid_t dead, live;
	uint64_t t0;
	int r;

	if (!mkdtemp(dir))
		tap_skip_all("mkdtemp: %s", strerror(errno));
	(void)snprintf(run, sizeof(run), "%s/run", dir);
	h = xmhv_open(run, "/nonexistent/xmhv");
	if (!tap_ok(h != NULL, "xmhv_open"))
		return tap_done();
	tap_ok(xmhv_wait_creates(h, 1000) == 0, "nothing being created: 0");

	dead = sleeper();
	(void)kill(dead, SIGKILL);
	(void)waitpid(dead, NULL, 0);
	mark(run, 5, dead);
	r = xmhv_wait_creates(h, 1000);
	tap_ok(r == 0 && !marked(run, 5),
	       "the marker of a monitor that exited is dropped at once (%d)",
	       r);

	live = sleeper();
	mark(run, 6, live);
	t0 = util_now_ns();
	r = xmhv_wait_creates(h, 300);
	tap_ok(r == -ETIMEDOUT && util_now_ns() - t0 >= 300000000ull &&
		       marked(run, 6),
	       "a live monitor that does not answer yet is waited for up to "
	       "the bound, its marker kept (%d)",
	       r);
	if (fork() == 0) { /* it exits while the next call waits */
		(void)usleep(200000);
		(void)kill(live, SIGKILL);
		_exit(0);
	}
	r = xmhv_wait_creates(h, 10000);
	tap_ok(r == 1 && !marked(run, 6),
	       "and the wait ends when it exits: 1 waited for, marker gone "
	       "(%d)",
	       r);
	(void)waitpid(live, NULL, 0);
	while (wait(NULL) > 0)
		;
	xmhv_close(h);
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)!system(cmd); /* test scratch only */
	return tap_done();
}
