/* SPDX-License-Identifier: GPL-2.0-or-later */
/* creation.c: the monitor's side of the creation sequence (creation.h):
 * receive CREATE, KERNEL, [RAMDISK], [CONSOLE_LOG], DISK*, NIC*, START and
 * keep the fds they carry. The monitor opens no file of the guest's: what
 * it gets is what the toolstack opened with its own permissions. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "check.h"
#include "creation.h"
#include "log.h"
#include "proto.h"

static void creation_msg(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Messages name a path of up to PATH_MAX: truncation is acceptable. */
static void
creation_msg(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

/* See creation.h. */
void
creation_init(struct creation *c)
{
	memset(c, 0, sizeof(*c));
	xmhv_domain_config_init(&c->cfg);
}

static int
creation_accmode(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : (fl & O_ACCMODE);
}

/* A kernel or ramdisk: what xmhv_check_boot_fd accepts, read-only. */
static int
creation_check_boot(enum xmhv_boot_file kind, int fd, const char *name,
		    char *errmsg, size_t errlen)
{
	int r;

	r = xmhv_check_boot_fd(kind, fd, name, errmsg, errlen);
	if (r == 0 && creation_accmode(fd) != O_RDONLY) {
		creation_msg(errmsg, errlen,
			     "%s %s: the fd is writable (boot files are "
			     "sent read-only)",
			     kind == XMHV_BOOT_KERNEL ? "kernel" : "ramdisk",
			     name);
		r = -EBADF;
	}
	return r;
}

/* The console log: a file (or a character device such as /dev/null)
 * open for writing. */
static int
creation_check_log(int fd, const char *name, char *errmsg, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) < 0 ||
	    !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode)) ||
	    creation_accmode(fd) == O_RDONLY) {
		creation_msg(errmsg, errlen,
			     "console log %s: the fd is not a file open for "
			     "writing",
			     name);
		return -EBADF;
	}
	return 0;
}

/* See creation.h. */
int
creation_check_disk_fd(const struct xmhv_disk_config *d, int fd, char *errmsg,
		       size_t errlen)
{
	int want = d->readonly ? O_RDONLY : O_RDWR;
	struct stat st;

	if (fstat(fd, &st) < 0 ||
	    !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
		creation_msg(errmsg, errlen,
			     "disk %s: the fd is not a regular file or block "
			     "device",
			     d->path);
		return -EBADF;
	}
	if (creation_accmode(fd) != want) {
		creation_msg(errmsg, errlen,
			     "disk %s: the fd is %s, the disk %s", d->path,
			     want == O_RDONLY ? "writable" : "not read-write",
			     d->readonly ? "read-only" : "writable");
		return -EBADF;
	}
	return 0;
}

/* See creation.h. */
int
creation_check_nic_fd(const struct xmhv_nic_config *n, int fd, char *errmsg,
		      size_t errlen)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr) < 0 || !(ifr.ifr_flags & IFF_TAP)) {
		creation_msg(errmsg, errlen, "nic %s: the fd is not a tap",
			     n->tap);
		return -EBADF;
	}
	if (strncmp(ifr.ifr_name, n->tap, IFNAMSIZ) != 0) {
		creation_msg(errmsg, errlen, "nic %s: the fd is tap %.16s",
			     n->tap, ifr.ifr_name);
		return -EBADF;
	}
	return 0;
}

/* See creation.h. */
int
creation_check_vhost_fd(const struct xmhv_nic_config *n, int fd, char *errmsg,
			size_t errlen)
{
	struct stat st;

	/* /dev/vhost-net: misc device 10, minor 238 (VHOST_NET_MINOR) */
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) ||
	    major(st.st_rdev) != 10 || minor(st.st_rdev) != 238 ||
	    creation_accmode(fd) != O_RDWR) {
		creation_msg(errmsg, errlen,
			     "nic %s: the vhost fd is not /dev/vhost-net open "
			     "for reading and writing",
			     n->tap);
		return -EBADF;
	}
	return 0;
}

/* NIC_VHOST: the fd of the NIC just received, once. */
static int
creation_take_vhost(struct xmhv_domain_config *cfg, struct proto_msg *m,
		    char *errmsg, size_t errlen)
{
	struct xmhv_nic_config *n =
		cfg->nnics ? &cfg->nics[cfg->nnics - 1] : NULL;
	int r;

	if (!n || n->vhost_fd >= 0 ||
	    memcmp(n->mac, m->p.nic_detach.mac, 6) != 0) {
		creation_msg(errmsg, errlen,
			     "nic_vhost does not follow the nic it names");
		return -EPROTO;
	}
	r = creation_check_vhost_fd(n, m->fd, errmsg, errlen);
	if (r == 0)
		n->vhost_fd = m->fd;
	return r;
}

/* Take one checked message into c; on success its fd is c's. */
static int
creation_take(struct creation *c, struct proto_msg *m, char *errmsg,
	      size_t errlen)
{
	struct xmhv_domain_config *cfg = &c->cfg;
	size_t len = m->hdr.length;
	struct xmhv_disk_config *d;
	struct xmhv_nic_config *n;
	int r = 0;

	switch ((enum proto_type)m->hdr.type) {
	case PROTO_CREATE:
		proto_create_decode(&m->p, len, cfg, &c->domid, c->run_dir);
		return 0;
	case PROTO_KERNEL:
		memcpy(cfg->kernel, m->p.bytes, len);
		r = creation_check_boot(XMHV_BOOT_KERNEL, m->fd, cfg->kernel,
					errmsg, errlen);
		if (r == 0)
			cfg->kernel_fd = m->fd;
		break;
	case PROTO_RAMDISK:
		memcpy(cfg->ramdisk, m->p.bytes, len);
		r = creation_check_boot(XMHV_BOOT_RAMDISK, m->fd, cfg->ramdisk,
					errmsg, errlen);
		if (r == 0)
			cfg->ramdisk_fd = m->fd;
		break;
	case PROTO_CONSOLE_LOG:
		memcpy(cfg->console_log, m->p.bytes, len);
		r = creation_check_log(m->fd, cfg->console_log, errmsg, errlen);
		if (r == 0)
			cfg->console_log_fd = m->fd;
		break;
	case PROTO_DISK:
		d = &cfg->disks[cfg->ndisks];
		proto_disk_decode(&m->p, len, d);
		r = creation_check_disk_fd(d, m->fd, errmsg, errlen);
		if (r == 0) {
			d->fd = m->fd;
			cfg->ndisks++;
		}
		break;
	case PROTO_NIC:
		n = &cfg->nics[cfg->nnics];
		proto_nic_decode(&m->p.nic, m->hdr.length, n);
		r = creation_check_nic_fd(n, m->fd, errmsg, errlen);
		if (r == 0) {
			n->fd = m->fd;
			cfg->nnics++;
		}
		break;
	case PROTO_NIC_VHOST:
		r = creation_take_vhost(cfg, m, errmsg, errlen);
		break;
	default: /* START */
		return 0;
	}
	if (r == 0)
		m->fd = -1; /* c's now */
	return r;
}

/* See creation.h. */
int
creation_receive(int sock, int timeout_ms, struct creation *c, char *errmsg,
		 size_t errlen)
{
	struct proto_msg *m = malloc(sizeof(*m));
	struct proto_seq seq;
	char why[256] = "";
	int r;

	if (!m) {
		creation_msg(errmsg, errlen, "out of memory");
		return -ENOMEM;
	}
	memset(&seq, 0, sizeof(seq));
	m->fd = -1;
	do {
		r = proto_recv(sock, XMHV_INTERFACE_VERSION, timeout_ms, m, why,
			       sizeof(why));
		if (r == -EPIPE)
			r = proto_seq_eof(&seq, why, sizeof(why));
		if (m->hdr.magic == PROTO_MAGIC)
			c->seq = m->hdr.seq; /* the REPLY answers it */
		if (r == -EPROTONOSUPPORT) {
			creation_msg(errmsg, errlen,
				     "xmhv speaks interface version %u, the "
				     "peer version %u",
				     XMHV_INTERFACE_VERSION, m->hdr.version);
			break;
		}
		if (r == 0)
			r = proto_seq_next(&seq, m->hdr.type, why, sizeof(why));
		if (r < 0) {
			creation_msg(errmsg, errlen,
				     "xmhv (interface version %u): create "
				     "sequence refused: %s",
				     XMHV_INTERFACE_VERSION, why);
			break;
		}
		r = creation_take(c, m, errmsg, errlen);
		if (m->fd >= 0)
			close(m->fd);
		m->fd = -1;
	} while (r == 0 && !seq.closed);
	if (m->fd >= 0)
		close(m->fd);
	free(m);
	if (r < 0)
		creation_dispose(c);
	return r;
}

static void
creation_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* See creation.h. */
void
creation_close_boot(struct creation *c)
{
	creation_close(&c->cfg.kernel_fd);
	creation_close(&c->cfg.ramdisk_fd);
}

/* See creation.h. */
void
creation_close_disks(struct creation *c)
{
	uint32_t i;

	for (i = 0; i < XMHV_MAX_DISKS; i++)
		creation_close(&c->cfg.disks[i].fd);
	for (i = 0; i < XMHV_MAX_NICS; i++) {
		creation_close(&c->cfg.nics[i].fd);
		creation_close(&c->cfg.nics[i].vhost_fd);
	}
}

/* See creation.h. */
void
creation_log(const struct creation *c)
{
	const struct xmhv_domain_config *cfg = &c->cfg;
	uint32_t i;

	for (i = 0; i < cfg->nnics; i++) {
		const struct xmhv_nic_config *n = &cfg->nics[i];

		log_info("domain %s: nic %u %s "
			 "(%02x:%02x:%02x:%02x:%02x:%02x): its tap is held by "
			 "its virtio-net device",
			 cfg->name, i, n->tap, n->mac[0], n->mac[1], n->mac[2],
			 n->mac[3], n->mac[4], n->mac[5]);
	}
}

/* See creation.h. */
void
creation_dispose(struct creation *c)
{
	uint32_t i;

	creation_close_boot(c);
	creation_close(&c->cfg.console_log_fd);
	for (i = 0; i < XMHV_MAX_DISKS; i++)
		creation_close(&c->cfg.disks[i].fd);
	for (i = 0; i < XMHV_MAX_NICS; i++) {
		creation_close(&c->cfg.nics[i].fd);
		creation_close(&c->cfg.nics[i].vhost_fd);
	}
	c->cfg.ndisks = c->cfg.nnics = 0;
}
