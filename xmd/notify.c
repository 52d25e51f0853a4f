/* SPDX-License-Identifier: GPL-2.0-or-later */
/* notify.c: systemd's readiness protocol (sd_notify) written by hand: one
 * datagram of "KEY=VALUE" lines to the unix socket named by $NOTIFY_SOCKET
 * (a path, or an abstract name after '@'), so xmd needs no libsystemd. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util.h"
#include "xmd.h"

/* $NOTIFY_SOCKET as read at startup; "" when xmd is not a notify service. */
static char notify_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

void
notify_init(void)
{
	const char *env = getenv("NOTIFY_SOCKET");

	notify_path[0] = '\0';
	if (env && (env[0] == '/' || env[0] == '@') &&
	    util_strlcpy(notify_path, env, sizeof(notify_path)) < 0)
		notify_path[0] = '\0';
	/* The monitors, xm-config and dnsmasq are not the service: none of
	 * them may speak for it. */
	(void)unsetenv("NOTIFY_SOCKET");
}

int
notify_send(const char *state)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	socklen_t len;
	size_t n;
	ssize_t w;
	int fd, rc = 0;

	if (!notify_path[0])
		return 0;
	n = strlen(notify_path);
	memcpy(sun.sun_path, notify_path, n);
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0'; /* abstract namespace */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	w = sendto(fd, state, strlen(state), MSG_NOSIGNAL,
		   (struct sockaddr *)&sun, len);
	if (w < 0)
		rc = -errno;
	else if ((size_t)w != strlen(state))
		rc = -EMSGSIZE;
	close(fd);
	return rc;
}
