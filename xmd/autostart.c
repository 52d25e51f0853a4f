/* SPDX-License-Identifier: GPL-2.0-or-later */
/* autostart.c: xendomains-style auto-start of the configs in
 * <root>/etc/xen/auto. Each config is evaluated by xm-config, the helper
 * xm create runs (libxmcfg with its sandboxed CPython child), in a process
 * of its own: Python is never loaded into xmd, and a threaded daemon
 * never forks without exec. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "util.h"
#include "xmd.h"

/* The descriptor on which xm-config hands back the domain XML (-o). */
#define AUTOSTART_XML_FD 3
/* What we read of its output: the XML (libxmcfg's own bound on domain
 * XML) and its diagnostics. */
#define AUTOSTART_XML_MAX (16u << 20)
#define AUTOSTART_ERR_MAX 65536

extern char **environ;

/* Bytes read from xm-config, NUL-terminated; beyond max they are
 * drained and dropped. */
struct autostart_buf {
	char *data;
	size_t len, cap, max;
};

static int
autostart_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
autostart_result(struct xmlrpc_value *result, const char *file,
		 const char *name, const char *error)
{
	struct xmlrpc_value *st;

	if (!result)
		return;
	st = xmlrpc_struct();
	if (xmlrpc_struct_set(st, "file", xmlrpc_string(file)) < 0 ||
	    xmlrpc_struct_set(st, "name", xmlrpc_string(name)) < 0 ||
	    xmlrpc_struct_set(st, "error", xmlrpc_string(error)) < 0 ||
	    xmlrpc_array_append(result, st) < 0)
		log_err("autostart: out of memory");
}

/* xm-config: the build tree's (xmctl/xm-config beside this xmd/xmd), so
 * a build tree evaluates with its own libxmcfg, else the installed one in
 * $(libexecdir), where xm finds it too. */
static int
autostart_helper(char *buf, size_t size)
{
	return util_helper_path("../xmctl/xm-config", XM_LIBEXECDIR,
				"xm-config", buf, size);
}

/* A CLOEXEC pipe whose ends are above the descriptors the child gets
 * (0-3), so that each dup2 in the child is a real one (it clears
 * CLOEXEC). Returns 0 or -errno. */
static int
autostart_pipe(int fds[2])
{
	int i, fd;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	for (i = 0; i < 2; i++) {
		if (fds[i] > AUTOSTART_XML_FD)
			continue;
		fd = fcntl(fds[i], F_DUPFD_CLOEXEC, AUTOSTART_XML_FD + 1);
		if (fd < 0) {
			fd = -errno;
			close(fds[0]);
			close(fds[1]);
			return fd;
		}
		close(fds[i]);
		fds[i] = fd;
	}
	return 0;
}

/* Read what is there on fd into b. Returns 1 while open, 0 at EOF,
 * -errno. */
static int
autostart_read(int fd, struct autostart_buf *b)
{
	char drop[4096], *dst = drop, *grown;
	size_t room = sizeof(drop);
	ssize_t r;

	if (b->len < b->max) {
		if (b->cap - b->len < sizeof(drop) + 1) {
			grown = realloc(b->data, b->cap + 65536);
			if (!grown)
				return -ENOMEM;
			b->data = grown;
			b->cap += 65536;
		}
		dst = b->data + b->len;
		room = b->cap - b->len - 1;
		if (room > b->max - b->len)
			room = b->max - b->len;
	}
	r = read(fd, dst, room);
	if (r < 0)
		return errno == EINTR ? 1 : -errno;
	if (r == 0)
		return 0;
	if (dst != drop) {
		b->len += (size_t)r;
		b->data[b->len] = '\0';
	}
	return 1;
}

/* Collect the XML and the diagnostics until xm-config closes both. */
static int
autostart_collect(int xml_fd, int err_fd, struct autostart_buf *xml,
		  struct autostart_buf *err)
{
	struct pollfd pfd[2] = {{xml_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
	struct autostart_buf *bufs[2] = {xml, err};
	int i, rc;

	while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			rc = autostart_read(pfd[i].fd, bufs[i]);
			if (rc < 0)
				return rc;
			if (rc == 0)
				pfd[i].fd = -1; /* poll skips it */
		}
	}
	return 0;
}

/* Run xm-config on path (its search path: <root>/etc/xen), stdout to
 * /dev/null, the XML on AUTOSTART_XML_FD, diagnostics on stderr. Returns
 * its wait status, or -errno with msg. */
static int
autostart_run_helper(struct xmd *x, const char *path,
		     struct autostart_buf *xml_out,
		     struct autostart_buf *err_out, char *msg, size_t msglen)
{
	char helper[PATH_MAX], fdarg[16];
	char *argv[] = {helper, "-q", "-p",         x->etc_dir, "-o",
			fdarg,  "--", (char *)path, NULL};
	int xml[2] = {-1, -1}, err[2] = {-1, -1}, st = 0, rc, i;
	posix_spawn_file_actions_t fa;
	bool fa_ok = false;
	pid_t pid = -1;

	if (autostart_helper(helper, sizeof(helper)) < 0) {
		snprintf(msg, msglen, "xm-config: path too long");
		return -ENAMETOOLONG;
	}
	snprintf(fdarg, sizeof(fdarg), "%d", AUTOSTART_XML_FD);
	rc = autostart_pipe(xml);
	if (rc == 0)
		rc = autostart_pipe(err);
	if (rc == 0) {
		rc = -posix_spawn_file_actions_init(&fa);
		fa_ok = rc == 0;
	}
	if (rc == 0)
		rc = -posix_spawn_file_actions_addopen(
			&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	if (rc == 0)
		rc = -posix_spawn_file_actions_addopen(
			&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	if (rc == 0)
		rc = -posix_spawn_file_actions_adddup2(&fa, err[1],
						       STDERR_FILENO);
	if (rc == 0)
		rc = -posix_spawn_file_actions_adddup2(&fa, xml[1],
						       AUTOSTART_XML_FD);
	if (rc == 0)
		rc = -posix_spawn(&pid, helper, &fa, NULL, argv, environ);
	if (rc < 0) {
		snprintf(msg, msglen, "%s: %s", helper, strerror(-rc));
		pid = -1;
		goto out;
	}
	close(xml[1]);
	close(err[1]);
	xml[1] = err[1] = -1;
	rc = autostart_collect(xml[0], err[0], xml_out, err_out);
	if (rc < 0)
		snprintf(msg, msglen, "%s: reading its output: %s", helper,
			 strerror(-rc));
out:
	if (fa_ok)
		posix_spawn_file_actions_destroy(&fa);
	for (i = 0; i < 2; i++) {
		if (xml[i] >= 0)
			close(xml[i]);
		if (err[i] >= 0)
			close(err[i]);
	}
	/* closed our ends first: a helper blocked on a full pipe ends */
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return rc < 0 ? rc : st;
}

/* Log xm-config's warnings (err is cut into lines) and copy the text of
 * its first "Error: " line (FILE:LINE: message) into msg. Returns
 * whether there was one. */
static bool
autostart_diagnostics(char *err, char *msg, size_t msglen)
{
	char *line, *save = NULL;
	bool found = false;

	for (line = err ? strtok_r(err, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "Error: ", 7) && !found) {
			snprintf(msg, msglen, "%s", line + 7);
			found = true;
		} else if (!strncmp(line, "Warning: ", 9)) {
			log_warn("autostart: %s", line + 9);
		}
	}
	return found;
}

/* Evaluate the config at path: 0 with *cfg_out (the domain its XML
 * describes), or -1 with msg ("FILE:LINE: message" when the config is
 * at fault). */
static int
autostart_eval(struct xmd *x, const char *path, struct xmcfg_domain **cfg_out,
	       char *msg, size_t msglen)
{
	struct autostart_buf xml = {.max = AUTOSTART_XML_MAX};
	struct autostart_buf err = {.max = AUTOSTART_ERR_MAX};
	struct xmcfg_error xerr;
	bool found;
	int st, rc = -1;

	st = autostart_run_helper(x, path, &xml, &err, msg, msglen);
	if (st < 0)
		goto out;
	found = autostart_diagnostics(err.data, msg, msglen);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		/* its "Error: " line says it all; else say how it ended */
		if (!found && WIFEXITED(st))
			snprintf(msg, msglen,
				 "%s: xm-config exited with status %d", path,
				 WEXITSTATUS(st));
		else if (!found)
			snprintf(msg, msglen,
				 "%s: xm-config was killed by signal %d", path,
				 WIFSIGNALED(st) ? WTERMSIG(st) : 0);
		goto out;
	}
	if (xmcfg_from_xml(xml.data ? xml.data : "", xml.len, cfg_out, &xerr) <
	    0) {
		snprintf(msg, msglen, "%s: xm-config's domain XML: %s", path,
			 xerr.message);
		goto out;
	}
	rc = 0;
out:
	free(xml.data);
	free(err.data);
	return rc;
}

static void
autostart_one(struct xmd *x, const char *path, struct xmlrpc_value *result)
{
	struct xmcfg_domain *cfg = NULL;
	char msg[PATH_MAX + 2048], name[XMHV_NAME_MAX];
	int code;

	if (autostart_eval(x, path, &cfg, msg, sizeof(msg)) < 0) {
		log_err("autostart: %s", msg);
		autostart_result(result, path, "", msg);
		return;
	}
	XMD_STRLCPY(name, cfg->name ? cfg->name : "");
	if (domains_find_name(x, name)) {
		log_info("autostart: domain %s already exists", name);
		xmcfg_domain_free(cfg);
		autostart_result(result, path, name, "");
		return;
	}
	code = domains_create(x, cfg, false, false, NULL, msg, sizeof(msg));
	if (code) {
		log_err("autostart: %s", msg);
		autostart_result(result, path, name, msg);
		return;
	}
	log_info("autostart: domain %s: starting (%s)", name, path);
	autostart_result(result, path, name, "");
}

void
autostart_run(struct xmd *x, struct xmlrpc_value *result)
{
	char dir[PATH_MAX], path[PATH_MAX], **names = NULL, **nn;
	size_t n = 0, i;
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (util_snprintf(dir, sizeof(dir), "%s/auto", x->etc_dir) < 0)
		return;
	d = opendir(dir);
	if (!d) {
		if (errno != ENOENT)
			log_err("autostart: %s: %s", dir, strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || n >= 4096)
			continue;
		nn = realloc(names, (n + 1) * sizeof(*names));
		if (!nn)
			break;
		names = nn;
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), autostart_cmp);
	for (i = 0; i < n; i++) {
		if (util_snprintf(path, sizeof(path), "%s/%s", dir, names[i]) ==
			    0 &&
		    stat(path, &st) == 0 && S_ISREG(st.st_mode))
			autostart_one(x, path, result);
		free(names[i]);
	}
	free(names);
}
