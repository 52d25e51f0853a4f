/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netscript.c: run a user's Xen vif script (script=) as Xen ran it: argv
 * "online|offline type_if=vif", Xen's environment, and xenstore-* shims
 * first on PATH that answer from a store file written here from the
 * domain's record (netstore.c). "online" is waited for (Xen's 40 s) and
 * judged as libxl did: exit status 0 and no hotplug-status "error";
 * "offline" is started and left to finish on its own. Output is appended
 * to <log>/hotplug.log. Any thread: no logging, messages are returned. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net.h"
#include "util.h"

/* Write the store of a run to a->store_path. */
static int
netscript_write_store(const struct net_script_args *a)
{
	struct netstore s;
	char *text;
	int rc;

	rc = net_script_store(a, &s);
	if (rc < 0)
		return rc;
	text = netstore_format(&s);
	netstore_dispose(&s);
	if (!text)
		return -ENOMEM;
	rc = util_write_file_atomic(a->store_path, text, strlen(text), 0600);
	free(text);
	return rc;
}

static int netscript_wait(pid_t pid, int timeout_ms, int *status_out);

/* An "offline" run: waited for (and killed after the timeout) by a
 * detached thread, so that nobody waits and no zombie stays. */
static void *
netscript_reaper(void *arg)
{
	pid_t pid = (pid_t)(intptr_t)arg;
	int st;

	(void)netscript_wait(pid, NET_SCRIPT_TIMEOUT_MS, &st);
	return NULL;
}

static int
netscript_reap_later(pid_t pid)
{
	pthread_attr_t attr;
	pthread_t tid;
	int rc;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = -pthread_create(&tid, &attr, netscript_reaper,
			     (void *)(intptr_t)pid);
	pthread_attr_destroy(&attr);
	if (rc < 0) { /* wait here rather than leave a zombie */
		int st;

		(void)netscript_wait(pid, NET_SCRIPT_TIMEOUT_MS, &st);
	}
	return 0;
}

/* Wait for pid at most timeout_ms; kill its process group after. */
static int
netscript_wait(pid_t pid, int timeout_ms, int *status_out)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), rc;
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	bool timed_out = false;

	if (pidfd >= 0) {
		do
			rc = poll(&p, 1, timeout_ms);
		while (rc < 0 && errno == EINTR);
		timed_out = rc == 0;
		close(pidfd);
	}
	if (timed_out)
		(void)kill(-pid, SIGKILL);
	while (waitpid(pid, status_out, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return timed_out ? -ETIMEDOUT : 0;
}

int
netscript_run(const struct net_script_args *a, const char *log_path, bool wait,
	      char *msg, size_t msglen)
{
	char buf[16384], *argv[4], *envp[NET_SCRIPT_ENV_MAX];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	struct netstore s;
	char *text = NULL;
	size_t len;
	pid_t pid;
	int rc, st = 0;

	rc = net_script_argv(a, buf, sizeof(buf), argv, envp);
	if (rc == 0)
		rc = netscript_write_store(a);
	if (rc < 0) {
		snprintf(msg, msglen, "vif %s: script %s: %s", a->tap,
			 a->script, strerror(-rc));
		return rc;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
					 O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log_path,
					 O_WRONLY | O_APPEND | O_CREAT, 0640);
	posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP |
					      POSIX_SPAWN_SETSIGMASK |
					      POSIX_SPAWN_SETSIGDEF);
	{
		sigset_t none, all;

		sigemptyset(&none);
		sigfillset(&all);
		posix_spawnattr_setsigmask(&at, &none);
		posix_spawnattr_setsigdefault(&at, &all);
	}
	rc = -posix_spawn(&pid, argv[0], &fa, &at, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc < 0) {
		snprintf(msg, msglen, "vif %s: script %s: %s", a->tap,
			 a->script, strerror(-rc));
		return rc;
	}
	if (!wait)
		return netscript_reap_later(pid);
	rc = netscript_wait(pid, NET_SCRIPT_TIMEOUT_MS, &st);
	if (rc == -ETIMEDOUT) {
		snprintf(msg, msglen,
			 "vif %s: script %s %s: no answer in %d s (killed)",
			 a->tap, a->script, a->action,
			 NET_SCRIPT_TIMEOUT_MS / 1000);
		return rc;
	}
	/* Xen's fatal(): hotplug-status error and hotplug-error MESSAGE. */
	netstore_init(&s);
	if (util_read_file(a->store_path, 1 << 20, &text, &len) == 0 &&
	    netstore_parse(text, len, &s) == 0) {
		char k[96];
		const char *status, *err;

		snprintf(k, sizeof(k), "backend/vif/%u/%u/hotplug-status",
			 a->domid, a->devid);
		status = netstore_get(&s, k);
		snprintf(k, sizeof(k), "backend/vif/%u/%u/hotplug-error",
			 a->domid, a->devid);
		err = netstore_get(&s, k);
		if ((status && !strcmp(status, "error")) || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0) {
			snprintf(msg, msglen, "vif %s: script %s %s failed%s%s",
				 a->tap, a->script, a->action, err ? ": " : "",
				 err ? err : "");
			if (!err && WIFEXITED(st))
				snprintf(msg + strlen(msg),
					 msglen - strlen(msg),
					 " (exit status %d)", WEXITSTATUS(st));
			else if (!err)
				snprintf(
					msg + strlen(msg), msglen - strlen(msg),
					" (killed by signal %d)", WTERMSIG(st));
			rc = -EIO;
		}
	} else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		snprintf(msg, msglen, "vif %s: script %s %s failed", a->tap,
			 a->script, a->action);
		rc = -EIO;
	}
	netstore_dispose(&s);
	free(text);
	(void)unlink(a->store_path);
	return rc;
}
