/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libxmhv_nic.c: NIC hot-plug through the hypercall interface (xmhv.h
 * xmhv_domain_nic_attach and _detach, xm network-attach and
 * network-detach): NIC_ATTACH with the tap's fd (the caller's, or the tap
 * attached here by name as a create attaches it) and NIC_DETACH by MAC,
 * answered once the guest ejected the NIC, each on a connection of its
 * own. A monitor of interface version 1, or one of version 2 started
 * before NIC hot-plug (it closes the connection on a type it does not
 * know, and still answers a ping), is -EOPNOTSUPP with a message saying
 * so. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libxmhv_int.h"
#include "proto.h"

#define NIC_TIMEOUT_MS (PROTO_DETACH_WAIT_MS + 10000)

static void
nic_old_monitor(struct xmhv *h, xmhv_domid_t domid, char *errmsg, size_t errlen)
{
	(void)snprintf(errmsg, errlen,
		       "domain %u: its monitor was started before network "
		       "hot-plug (restart the domain to attach or detach "
		       "network interfaces)",
		       domid);
	(void)snprintf(h->error, sizeof(h->error), "%s", errmsg);
}

/* One message with payload p (and fd, or -1) on sock, and its REPLY (or
 * a transport error). */
static int
nic_exchange(struct xmhv *h, int sock, enum proto_type type, const void *p,
	     uint32_t len, int fd, struct proto_msg *ans)
{
	uint32_t seq = libxmhv_next_seq(h);
	int r;

	r = proto_send(sock, XMHV_INTERFACE_VERSION, type, seq, p, len, fd);
	if (r == 0)
		r = proto_recv(sock, XMHV_INTERFACE_VERSION, NIC_TIMEOUT_MS,
			       ans, NULL, 0);
	if (r == 0 && (ans->hdr.type != PROTO_REPLY || ans->hdr.seq != seq))
		r = -EBADMSG;
	return r;
}

/* One request with payload p (and fd, or -1) on a new connection to
 * domid's monitor, and its REPLY; first, when vhost_fd >= 0, the NIC's
 * vhost fd (NIC_VHOST for mac) on the same connection. */
static int
nic_request(struct xmhv *h, xmhv_domid_t domid, enum proto_type type,
	    const void *p, uint32_t len, int fd, int vhost_fd,
	    const uint8_t *mac, char *errmsg, size_t errlen)
{
	struct proto_nic_detach vh;
	struct proto_msg *ans = NULL;
	int sock, r;

	h->error[0] = '\0';
	if (libxmhv_is_v1(h, domid)) {
		nic_old_monitor(h, domid, errmsg, errlen);
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
	if (r == 0 && vhost_fd >= 0) {
		r = proto_nic_vhost_encode(mac, &vh, errmsg, errlen);
		if (r == 0)
			r = nic_exchange(h, sock, PROTO_NIC_VHOST, &vh,
					 sizeof(vh), vhost_fd, ans);
		if (r == 0 && ans->p.reply.err < 0)
			r = 1; /* refused: answered below */
	}
	if (r == 0)
		r = nic_exchange(h, sock, type, p, len, fd, ans);
	if (r == 1)
		r = 0;
	close(sock);
	if (((r == -EPIPE || r == -ECONNRESET) &&
	     libxmhv_ping(h, domid) == 0) ||
	    r == -EPROTONOSUPPORT) {
		nic_old_monitor(h, domid, errmsg, errlen);
		r = -EOPNOTSUPP;
	} else if (r == -EBADMSG) {
		(void)snprintf(errmsg, errlen, "domain %u: unexpected answer",
			       domid);
	} else if (r < 0) {
		(void)snprintf(errmsg, errlen, "domain %u: %s", domid,
			       strerror(-r));
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

/* Attach to the existing tap n->tap with virtio-net headers (what a
 * create does for a NIC without an fd). */
static int
nic_open_tap(const struct xmhv_nic_config *n, int *fd_out, char *errmsg,
	     size_t errlen)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		(void)snprintf(errmsg, errlen, "nic %s: /dev/net/tun: %s",
			       n->tap, strerror(errno));
		return -errno;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	memcpy(ifr.ifr_name, n->tap,
	       sizeof(n->tap) < IFNAMSIZ ? sizeof(n->tap) : IFNAMSIZ);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		(void)snprintf(errmsg, errlen,
			       "nic %s: cannot attach to the tap: %s", n->tap,
			       strerror(errno));
		close(fd);
		return -errno;
	}
	*fd_out = fd;
	return 0;
}

/* xmhv.h: hot-plug a NIC. */
int
xmhv_domain_nic_attach(struct xmhv *h, xmhv_domid_t domid,
		       const struct xmhv_nic_config *nic, char *errmsg,
		       size_t errlen)
{
	struct proto_nic m;
	int fd = nic->fd, r;

	if (errmsg && errlen)
		errmsg[0] = '\0';
	r = proto_nic_encode(nic, &m, errmsg, errlen);
	if (r == 0 && fd < 0)
		r = nic_open_tap(nic, &fd, errmsg, errlen);
	if (r == 0)
		r = nic_request(h, domid, PROTO_NIC_ATTACH, &m,
				proto_nic_len(&m), fd, nic->vhost_fd, nic->mac,
				errmsg, errlen);
	if (fd >= 0 && nic->fd < 0)
		close(fd); /* the monitor holds its own copy */
	return r;
}

/* xmhv.h: unplug a NIC (the guest ejects it). */
int
xmhv_domain_nic_detach(struct xmhv *h, xmhv_domid_t domid, const uint8_t mac[6],
		       unsigned flags, char *errmsg, size_t errlen)
{
	struct proto_nic_detach m;
	int r;

	if (errmsg && errlen)
		errmsg[0] = '\0';
	if (flags & ~XMHV_DETACH_FORCE) {
		(void)snprintf(errmsg, errlen, "nic detach: unknown flags %#x",
			       flags);
		return -EINVAL;
	}
	r = proto_nic_detach_encode(
		mac, flags & XMHV_DETACH_FORCE ? PROTO_DETACH_FORCE : 0, &m,
		errmsg, errlen);
	if (r == 0)
		r = nic_request(h, domid, PROTO_NIC_DETACH, &m, sizeof(m), -1,
				-1, mac, errmsg, errlen);
	return r;
}
