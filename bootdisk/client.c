/* SPDX-License-Identifier: GPL-2.0-or-later */
/* client.c: run xm-bootloader on one read-only fd of a guest's disk and
 * take its answer: one message with the escaped result and two memfds.
 * The helper is bounded in time here too (killed past the timeout); an
 * answer that is malformed, unsealed or carries control characters in
 * the arguments is refused. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bootdisk.h"
#include "bootdisk_client.h"
#include "util.h"

#ifndef XM_LIBEXECDIR
#define XM_LIBEXECDIR "/usr/local/libexec"
#endif

/* See bootdisk_client.h. */
int
bootdisk_helper_path(char *buf, size_t size)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	static const char *const rel[] = {"xm-bootloader",
					  "../bootdisk/xm-bootloader",
					  "../../bootdisk/xm-bootloader"};
	char *slash;
	size_t i;

	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			for (i = 0; i < 3; i++)
				if (util_snprintf(buf, size, "%s/%s", self,
						  rel[i]) == 0 &&
				    access(buf, X_OK) == 0)
					return 0;
		}
	}
	return util_snprintf(buf, size, "%s/xm-bootloader", XM_LIBEXECDIR);
}

/* See bootdisk_client.h. */
bool
bootdisk_wanted(const char *bootloader, const char *kernel, bool hvm)
{
	const char *b;

	if (bootloader && *bootloader && (!kernel || !*kernel)) {
		b = strrchr(bootloader, '/');
		b = b ? b + 1 : bootloader;
		if (strstr(b, "pygrub"))
			return true; /* with kernel= too, xmhv boots that */
	}
	if (kernel) {
		b = strrchr(kernel, '/');
		b = b ? b + 1 : kernel;
		if (!strncmp(b, "pv-grub", 7) || !strncmp(b, "pvgrub", 6) ||
		    (!strncmp(b, "grub-", 5) && strstr(b, "-xen")))
			return true;
		if (hvm && !strncmp(b, "hvmloader", 9))
			return true;
	}
	return hvm && (!kernel || !*kernel);
}

/* See bootdisk_client.h. */
void
bootdisk_result_close(struct bootdisk_result *r)
{
	if (r->kernel_fd >= 0)
		close(r->kernel_fd);
	if (r->initrd_fd >= 0)
		close(r->initrd_fd);
	r->kernel_fd = r->initrd_fd = -1;
}

static int
client_field(char *dst, size_t size, const char *value, bool escaped)
{
	if (strlen(value) >= size)
		return -E2BIG;
	strcpy(dst, value);
	return escaped ? 0 : bd_unescape(dst);
}

/* Parse the helper's "key=value" lines into r. */
static int
client_parse(char *text, struct bootdisk_result *r, char *msg, size_t msglen)
{
	char *line, *save = NULL, *eq, num[32];
	const unsigned char *c;
	int rc = 0;

	for (line = strtok_r(text, "\n", &save); rc == 0 && line;
	     line = strtok_r(NULL, "\n", &save)) {
		eq = strchr(line, '=');
		if (!eq)
			return -EPROTO;
		*eq++ = '\0';
		if (!strcmp(line, "error")) {
			snprintf(msg, msglen, "%s", eq); /* escaped */
			return -ENOENT;
		}
		if (!strcmp(line, "title")) {
			rc = client_field(r->title_esc, sizeof(r->title_esc),
					  eq, true);
			if (rc == 0)
				rc = client_field(r->title, sizeof(r->title),
						  eq, false);
		} else if (!strcmp(line, "entry"))
			rc = client_field(r->entry, sizeof(r->entry), eq,
					  false);
		else if (!strcmp(line, "config"))
			rc = client_field(r->config, sizeof(r->config), eq,
					  false);
		else if (!strcmp(line, "partition")) {
			rc = client_field(num, sizeof(num), eq, false);
			r->partition = (unsigned)strtoul(num, NULL, 10);
		} else if (!strcmp(line, "kernel"))
			rc = client_field(r->kernel, sizeof(r->kernel), eq,
					  false);
		else if (!strcmp(line, "initrd"))
			rc = client_field(r->initrd, sizeof(r->initrd), eq,
					  false);
		else if (!strcmp(line, "args"))
			rc = client_field(r->args, sizeof(r->args), eq, false);
		else if (!strcmp(line, "skipped"))
			rc = client_field(r->skipped, sizeof(r->skipped), eq,
					  true);
		else if (!strcmp(line, "warning"))
			rc = client_field(r->warning, sizeof(r->warning), eq,
					  true);
	}
	if (rc < 0) {
		snprintf(msg, msglen, "xm-bootloader: a malformed answer");
		return -EPROTO;
	}
	for (c = (const unsigned char *)r->args; *c; c++)
		if (*c < 0x20 || *c == 0x7f) {
			snprintf(msg, msglen,
				 "the boot entry's arguments hold control "
				 "characters");
			return -EINVAL;
		}
	return 0;
}

/* A read-only open of memfd *fd in place of it (the monitor takes boot
 * files read-only). Returns 0 or -errno. */
static int
client_reopen_ro(int *fd)
{
	char path[64];
	int ro;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", *fd);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	if (ro < 0)
		return -errno;
	close(*fd);
	*fd = ro;
	return 0;
}

/* The memfd must be sealed: the helper cannot change it after the check. */
static int
client_sealed(int fd)
{
	int seals = fcntl(fd, F_GET_SEALS);

	return seals >= 0 && (seals & F_SEAL_WRITE) &&
	       (seals & F_SEAL_SHRINK) && (seals & F_SEAL_GROW);
}

static int
client_recv(int sock, struct bootdisk_result *r, char *msg, size_t msglen)
{
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	char *text;
	struct iovec iov;
	struct msghdr mh = {0};
	struct cmsghdr *c;
	struct pollfd p = {sock, POLLIN, 0};
	struct stat st;
	ssize_t n;
	int fds[2] = {-1, -1}, rc;

	text = malloc(BOOTDISK_RESULT_MAX + 1);
	if (!text)
		return -ENOMEM;
	rc = poll(&p, 1, BOOTDISK_TIMEOUT_MS);
	if (rc <= 0) {
		snprintf(msg, msglen, "xm-bootloader did not answer in %d s",
			 BOOTDISK_TIMEOUT_MS / 1000);
		free(text);
		return -ETIMEDOUT;
	}
	iov.iov_base = text;
	iov.iov_len = BOOTDISK_RESULT_MAX;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	for (c = n >= 0 ? CMSG_FIRSTHDR(&mh) : NULL; c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(fds)))
			memcpy(fds, CMSG_DATA(c), sizeof(fds));
	r->kernel_fd = fds[0];
	r->initrd_fd = fds[1];
	if (n <= 0 || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		snprintf(msg, msglen, "xm-bootloader ended without an answer");
		rc = -EPROTO;
		goto out;
	}
	text[n] = '\0';
	rc = client_parse(text, r, msg, msglen);
	if (rc == 0 &&
	    (r->kernel_fd < 0 || r->initrd_fd < 0 ||
	     !client_sealed(r->kernel_fd) || !client_sealed(r->initrd_fd))) {
		snprintf(msg, msglen, "xm-bootloader: no sealed kernel");
		rc = -EPROTO;
	}
	if (rc == 0 && (client_reopen_ro(&r->kernel_fd) < 0 ||
			client_reopen_ro(&r->initrd_fd) < 0)) {
		snprintf(msg, msglen, "cannot reopen the memfds read-only: %s",
			 strerror(errno));
		rc = -EIO;
	}
	if (rc == 0 && fstat(r->initrd_fd, &st) == 0)
		r->initrd_size = (uint64_t)st.st_size;
	if (rc == 0 && r->initrd_size == 0) {
		close(r->initrd_fd);
		r->initrd_fd = -1;
	}
out:
	if (rc < 0)
		bootdisk_result_close(r);
	free(text);
	return rc;
}

/* See bootdisk_client.h. */
int
bootdisk_run(const char *helper, int disk_fd, const char *want,
	     struct bootdisk_result *r, char *msg, size_t msglen)
{
	const char *argv[4] = {helper, NULL, NULL, NULL};
	int sv[2], st = 0, rc;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->kernel_fd = r->initrd_fd = -1;
	if (want) {
		argv[1] = "--entry";
		argv[2] = want;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		rc = -errno;
		snprintf(msg, msglen, "socketpair: %s", strerror(errno));
		return rc;
	}
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		snprintf(msg, msglen, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return rc;
	}
	if (pid == 0) {
		int d = fcntl(disk_fd, F_DUPFD_CLOEXEC, 10),
		    s = fcntl(sv[1], F_DUPFD_CLOEXEC, 10);

		if (d < 0 || s < 0 || dup2(d, 3) < 0 || dup2(s, 4) < 0)
			_exit(127);
		execv(helper, (char *const *)argv);
		_exit(127);
	}
	close(sv[1]);
	rc = client_recv(sv[0], r, msg, msglen);
	close(sv[0]);
	if (rc == -ETIMEDOUT)
		kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (rc == -EPROTO && WIFEXITED(st) && WEXITSTATUS(st) == 127)
		snprintf(msg, msglen, "cannot run %s", helper);
	else if (rc == -EPROTO && WIFSIGNALED(st))
		snprintf(msg, msglen, "xm-bootloader was killed by signal %d%s",
			 WTERMSIG(st),
			 WTERMSIG(st) == SIGSYS ? " (a system call outside "
						  "its allow-list)"
						: "");
	return rc;
}
