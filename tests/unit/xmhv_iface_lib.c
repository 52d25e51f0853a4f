/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmhv_iface_lib.c: what the kvm-tier interface test's parts share: a
 * domain's config, its console read with bounds, libxmhv events awaited,
 * the monitor's files and raw socket, and a guest booted to its prompt. */
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

char iface_dir[64];
char iface_kernel[4096];

void
iface_config(struct xmhv_domain_config *cfg, const char *name)
{
	xmhv_domain_config_init(cfg);
	(void)!util_strlcpy(cfg->name, name, sizeof(cfg->name));
	(void)!util_strlcpy(cfg->kernel, iface_kernel, sizeof(cfg->kernel));
	(void)!util_strlcpy(cfg->cmdline, "console=ttyS0",
			    sizeof(cfg->cmdline));
	cfg->memory_mib = 32;
	cfg->max_vcpus = 1;
	cfg->uuid[0] = 0x42;
}

/* Read the console until needle appears (or EOF/bound). Returns true when
 * seen; the text read so far (last part) is left in buf. */
bool
iface_expect(int fd, const char *needle, char *buf, size_t size)
{
	uint64_t end = util_now_ns() + (uint64_t)IFACE_WAIT_MS * 1000000;
	size_t len = 0;

	buf[0] = '\0';
	while (util_now_ns() < end) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if (len + 1 >= size) {
			/* Keep the tail: the needle may straddle. */
			memmove(buf, buf + size / 2, len - size / 2);
			len -= size / 2;
		}
		n = read(fd, buf + len, size - 1 - len);
		if (n <= 0)
			return false;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, needle))
			return true;
	}
	return false;
}

/* Is anything readable within ms? */
bool
iface_quiet(int fd, int ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	return poll(&pfd, 1, ms) == 0;
}

/* Read and drop whatever output is pending (waiting up to ms for it). */
void
iface_drain(int fd, int ms)
{
	char junk[4096];

	while (!iface_quiet(fd, ms) && read(fd, junk, sizeof(junk)) > 0)
		;
}

bool
iface_send(int fd, const char *s)
{
	return util_write_all(fd, s, strlen(s)) == 0;
}

/* Wait for an event of domid matching: gone, or state bits in mask. */
bool
iface_event(struct xmhv *h, xmhv_domid_t domid, bool gone, uint32_t mask,
	    struct xmhv_event *ev_out)
{
	uint64_t end = util_now_ns() + (uint64_t)IFACE_WAIT_MS * 1000000;
	struct xmhv_event ev;

	while (util_now_ns() < end) {
		struct pollfd pfd = {.fd = xmhv_event_fd(h), .events = POLLIN};
		int r;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		while ((r = xmhv_event_read(h, &ev)) == 1) {
			if (ev.domid != domid)
				continue;
			if ((gone && ev.gone) ||
			    (!gone && !ev.gone && (ev.state & mask))) {
				*ev_out = ev;
				return true;
			}
		}
		if (r < 0)
			return false;
	}
	return false;
}

/* Has pid exited (a zombie waiting for init counts)? Waits a bounded
 * time: exit is asynchronous to the socket EOF. */
bool
iface_gone(pid_t pid)
{
	struct pollfd pfd = {.events = POLLIN};
	bool gone;

	if (pid <= 0)
		return false;
	pfd.fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd.fd < 0)
		return errno == ESRCH;
	gone = poll(&pfd, 1, IFACE_WAIT_MS) == 1;
	close(pfd.fd);
	return gone;
}

bool
iface_file(xmhv_domid_t id, const char *suffix)
{
	char path[256];

	(void)snprintf(path, sizeof(path), "%s/run/%u%s", iface_dir, id,
		       suffix);
	return access(path, F_OK) == 0;
}

/* Connect to the domain's control socket as a raw peer. */
int
iface_raw(xmhv_domid_t id)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	(void)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/run/%u.sock",
		       iface_dir, id);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Create + unpause + console at the prompt. Returns the console fd. */
int
iface_boot(struct xmhv *h, const char *name, xmhv_domid_t *id)
{
	struct xmhv_domain_config *cfg = calloc(1, sizeof(*cfg));
	char err[512], buf[4096];
	int fd = -1;

	iface_config(cfg, name);
	if (!tap_ok(xmhv_domain_create(h, cfg, id, err, sizeof(err)) == 0,
		    "%s: create (%s)", name, err))
		goto out;
	if (!tap_ok(xmhv_domain_unpause(h, *id) == 0, "%s: unpause", name))
		goto out;
	fd = xmhv_console_open(h, *id);
	if (!tap_ok(fd >= 0, "%s: console", name))
		goto out;
	if (!tap_ok(iface_expect(fd, "xmguest# ", buf, sizeof(buf)),
		    "%s: prompt", name)) {
		tap_diag("console: %s", buf);
		close(fd);
		fd = -1;
	}
out:
	free(cfg);
	return fd;
}
