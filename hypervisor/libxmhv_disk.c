/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libxmhv_disk.c: disk hot-plug through the hypercall interface (xmhv.h
 * xmhv_domain_disk_attach and _detach): DISK_ATTACH with the disk's fd
 * (opened here with the caller's permissions and locks, as a create
 * opens it) and DISK_DETACH, each on a connection of its own. A monitor
 * of interface version 1, or one of version 2 started before disk
 * hot-plug (it closes the connection on a type it does not know, and
 * still answers a ping), is -EOPNOTSUPP with a message saying so. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libxmhv_int.h"
#include "proto.h"

#define DISK_TIMEOUT_MS (PROTO_DETACH_WAIT_MS + 10000)

static void
disk_old_monitor(struct xmhv *h, xmhv_domid_t domid, char *errmsg,
		 size_t errlen)
{
	(void)snprintf(errmsg, errlen,
		       "domain %u: its monitor was started before disk "
		       "hot-plug (restart the domain to attach or detach "
		       "disks)",
		       domid);
	(void)snprintf(h->error, sizeof(h->error), "%s", errmsg);
}

/* One request with payload p (and fd, or -1) on a new connection to
 * domid's monitor, and its REPLY. */
static int
disk_request(struct xmhv *h, xmhv_domid_t domid, enum proto_type type,
	     const void *p, uint32_t len, int fd, char *errmsg, size_t errlen)
{
	struct proto_msg *ans = NULL;
	uint32_t seq;
	int sock = -1, r;

	h->error[0] = '\0';
	if (libxmhv_is_v1(h, domid)) {
		disk_old_monitor(h, domid, errmsg, errlen);
		return -EOPNOTSUPP;
	}
	sock = libxmhv_connect(h, domid, ".sock");
	if (sock < 0) {
		(void)snprintf(errmsg, errlen, "domain %u: %s", domid,
			       strerror(-sock));
		return sock;
	}
	ans = malloc(sizeof(*ans));
	r = ans ? 0 : -ENOMEM;
	seq = libxmhv_next_seq(h);
	if (r == 0)
		r = proto_send(sock, XMHV_INTERFACE_VERSION, type, seq, p, len,
			       fd);
	if (r == 0)
		r = proto_recv(sock, XMHV_INTERFACE_VERSION, DISK_TIMEOUT_MS,
			       ans, NULL, 0);
	close(sock);
	sock = -1;
	if ((r == -EPIPE || r == -ECONNRESET) && libxmhv_ping(h, domid) == 0) {
		disk_old_monitor(h, domid, errmsg, errlen);
		r = -EOPNOTSUPP;
	} else if (r == -EPROTONOSUPPORT) {
		disk_old_monitor(h, domid, errmsg, errlen);
		r = -EOPNOTSUPP;
	} else if (r < 0) {
		(void)snprintf(errmsg, errlen, "domain %u: %s", domid,
			       strerror(-r));
	} else if (ans->hdr.type != PROTO_REPLY || ans->hdr.seq != seq) {
		r = -EBADMSG;
		(void)snprintf(errmsg, errlen, "domain %u: unexpected answer",
			       domid);
	} else {
		r = ans->p.reply.err;
		if (r < 0)
			(void)snprintf(errmsg, errlen, "%s",
				       ans->p.reply.msg[0] ? ans->p.reply.msg
							   : strerror(-r));
	}
	if (r < 0 && errmsg && !h->error[0])
		(void)snprintf(h->error, sizeof(h->error), "%s", errmsg);
	free(ans);
	return r;
}

/* xmhv.h: hot-plug a disk. */
int
xmhv_domain_disk_attach(struct xmhv *h, xmhv_domid_t domid,
			const struct xmhv_disk_config *disk, char *errmsg,
			size_t errlen)
{
	uint8_t *buf = malloc(sizeof(struct proto_disk) + XMHV_PATH_MAX);
	int fd = disk->fd, r;
	uint32_t len = 0;

	if (errmsg && errlen)
		errmsg[0] = '\0';
	r = buf ? 0 : -ENOMEM;
	if (r == 0 && !disk->serial[0]) {
		(void)snprintf(errmsg, errlen, "disk %s: no name (serial)",
			       disk->path);
		r = -EINVAL;
	}
	if (r == 0)
		r = proto_disk_encode(disk, buf,
				      sizeof(struct proto_disk) + XMHV_PATH_MAX,
				      &len, errmsg, errlen);
	if (r == 0 && fd < 0)
		r = libxmhv_disk_open(disk, &fd, errmsg, errlen);
	if (r == 0)
		r = disk_request(h, domid, PROTO_DISK_ATTACH, buf, len, fd,
				 errmsg, errlen);
	if (fd >= 0 && disk->fd < 0)
		close(fd); /* the monitor holds its own copy (and the lock) */
	free(buf);
	return r;
}

/* xmhv.h: unplug a disk. */
int
xmhv_domain_disk_detach(struct xmhv *h, xmhv_domid_t domid,
			const char *vdev_or_serial, unsigned flags,
			char *errmsg, size_t errlen)
{
	struct proto_disk_detach m;
	int r;

	if (errmsg && errlen)
		errmsg[0] = '\0';
	r = proto_detach_encode(vdev_or_serial,
				flags & XMHV_DETACH_FORCE ? PROTO_DETACH_FORCE
							  : 0,
				&m, errmsg, errlen);
	if (r == 0)
		r = disk_request(h, domid, PROTO_DISK_DETACH, &m, sizeof(m), -1,
				 errmsg, errlen);
	return r;
}
