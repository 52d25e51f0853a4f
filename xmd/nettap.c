/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nettap.c: the host side of a vif and of a managed network's bridge, with
 * ioctls in xmd's own network namespace: non-persistent taps (they die
 * with their last fd, so a monitor's exit removes its taps), renaming,
 * the host-side MAC and MTU, bridge ports, bridges and their address. Any
 * thread. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nettap.h"
#include "util.h"

#define NETTAP_TUN "/dev/net/tun"

/* An AF_INET datagram socket for the interface ioctls. */
static int
nettap_sock(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	return fd < 0 ? -errno : fd;
}

static int
nettap_ioctl(unsigned long req, struct ifreq *ifr)
{
	int fd = nettap_sock(), rc = 0;

	if (fd < 0)
		return fd;
	if (ioctl(fd, req, ifr) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

static void
nettap_ifr(struct ifreq *ifr, const char *name)
{
	memset(ifr, 0, sizeof(*ifr));
	(void)!util_strlcpy(ifr->ifr_name, name, IFNAMSIZ);
}

int
nettap_create(const char *pattern, char name_out[IFNAMSIZ])
{
	struct ifreq ifr;
	int fd, rc;

	fd = open(NETTAP_TUN, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	nettap_ifr(&ifr, pattern);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	/* TUNSETPERSIST is never set: the tap goes with its last fd. */
	memcpy(name_out, ifr.ifr_name, IFNAMSIZ);
	name_out[IFNAMSIZ - 1] = '\0';
	return fd;
}

int
nettap_rename(const char *from, const char *to)
{
	struct ifreq ifr;

	nettap_ifr(&ifr, from);
	(void)!util_strlcpy(ifr.ifr_newname, to, IFNAMSIZ);
	return nettap_ioctl(SIOCSIFNAME, &ifr);
}

int
nettap_set_mac(const char *name, const uint8_t mac[6])
{
	struct ifreq ifr;

	nettap_ifr(&ifr, name);
	ifr.ifr_hwaddr.sa_family = 1; /* ARPHRD_ETHER */
	memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
	return nettap_ioctl(SIOCSIFHWADDR, &ifr);
}

int
nettap_get_mac(const char *name, uint8_t mac_out[6])
{
	struct ifreq ifr;
	int rc;

	nettap_ifr(&ifr, name);
	rc = nettap_ioctl(SIOCGIFHWADDR, &ifr);
	if (rc == 0)
		memcpy(mac_out, ifr.ifr_hwaddr.sa_data, 6);
	return rc;
}

int
nettap_get_mtu(const char *name)
{
	struct ifreq ifr;
	int rc;

	nettap_ifr(&ifr, name);
	rc = nettap_ioctl(SIOCGIFMTU, &ifr);
	return rc < 0 ? rc : ifr.ifr_mtu;
}

int
nettap_set_mtu(const char *name, int mtu)
{
	struct ifreq ifr;

	nettap_ifr(&ifr, name);
	ifr.ifr_mtu = mtu;
	return nettap_ioctl(SIOCSIFMTU, &ifr);
}

int
nettap_set_up(const char *name, bool up)
{
	struct ifreq ifr;
	int rc;

	nettap_ifr(&ifr, name);
	rc = nettap_ioctl(SIOCGIFFLAGS, &ifr);
	if (rc < 0)
		return rc;
	if (up)
		ifr.ifr_flags |= IFF_UP;
	else
		ifr.ifr_flags &= ~IFF_UP;
	return nettap_ioctl(SIOCSIFFLAGS, &ifr);
}

bool
nettap_exists(const char *name)
{
	return if_nametoindex(name) != 0;
}

bool
nettap_is_bridge(const char *name)
{
	char path[128];
	struct stat st;

	if (snprintf(path, sizeof(path), "/sys/class/net/%s/bridge", name) >=
	    (int)sizeof(path))
		return false;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int
nettap_master(const char *name, char buf[IFNAMSIZ])
{
	char path[128], link[256];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/net/%s/master", name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	base = strrchr(link, '/');
	return util_strlcpy(buf, base ? base + 1 : link, IFNAMSIZ);
}

int
nettap_bridge_add_port(const char *bridge, const char *port)
{
	struct ifreq ifr;
	unsigned idx = if_nametoindex(port);

	if (idx == 0)
		return -ENODEV;
	nettap_ifr(&ifr, bridge);
	ifr.ifr_ifindex = (int)idx;
	return nettap_ioctl(SIOCBRADDIF, &ifr);
}

int
nettap_bridge_create(const char *name)
{
	char path[128];
	int fd = nettap_sock(), rc = 0, sys;

	if (fd < 0)
		return fd;
	if (ioctl(fd, SIOCBRADDBR, name) < 0)
		rc = -errno;
	close(fd);
	if (rc < 0)
		return rc;
	/* Ports forward at once (STP is off on a new bridge; no forward
	 * delay either, as Xen's create_bridge). */
	snprintf(path, sizeof(path), "/sys/class/net/%s/bridge/forward_delay",
		 name);
	sys = open(path, O_WRONLY | O_CLOEXEC);
	if (sys >= 0) {
		(void)!write(sys, "0", 1);
		close(sys);
	}
	return 0;
}

int
nettap_bridge_delete(const char *name)
{
	int fd, rc = 0;

	(void)nettap_set_up(name, false);
	fd = nettap_sock();
	if (fd < 0)
		return fd;
	if (ioctl(fd, SIOCBRDELBR, name) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int
nettap_set_addr(const char *name, uint32_t addr, unsigned prefix)
{
	struct sockaddr_in *sin;
	struct ifreq ifr;
	int rc;

	nettap_ifr(&ifr, name);
	sin = (struct sockaddr_in *)&ifr.ifr_addr;
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(addr);
	rc = nettap_ioctl(SIOCSIFADDR, &ifr);
	if (rc < 0)
		return rc;
	nettap_ifr(&ifr, name);
	sin = (struct sockaddr_in *)&ifr.ifr_netmask;
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(prefix ? 0xffffffffu << (32 - prefix) : 0);
	return nettap_ioctl(SIOCSIFNETMASK, &ifr);
}
