/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fixups.h: the guide's steps on an image being made, each done only when
 * it applies, each saying what it did (or why it did nothing). */
#ifndef XM_FIXUPS_H
#define XM_FIXUPS_H

#include <stddef.h>

#include "ext4w.h"
#include "textfix.h"

/* What the image looks like inside. */
struct guestinfo {
	int redhat;       /* /etc/redhat-release or sysconfig network-scripts */
	int systemd;      /* a systemd in /lib or /usr/lib */
	int inittab;      /* /etc/inittab */
	int busybox_init; /* /sbin/init is busybox (no inittab needed) */
	int udev_renames; /* udev's 80-net-setup-link.rules: eth0 renamed */
	enum { NET_IFUPDOWN, NET_NETWORKD, NET_IFCFG } net;
};

/* Look at the image. */
void fixups_probe(struct ext4w *w, struct guestinfo *g);

/* Each step: 0 with a one-line result in msg, or -1 with the reason in
 * msg. */
int fix_fstab(struct ext4w *w, const struct fstab_map *m, char *msg,
	      size_t len);
int fix_hostname(struct ext4w *w, const struct guestinfo *g, const char *name,
		 char *msg, size_t len);
int fix_network(struct ext4w *w, const struct guestinfo *g,
		const struct netcfg *n, char *msg, size_t len);
int fix_getty(struct ext4w *w, const struct guestinfo *g, char *msg,
	      size_t len);
int fix_password(struct ext4w *w, const char *password, char *msg, size_t len);
int fix_ssh_key(struct ext4w *w, const char *keyfile, char *msg, size_t len);
int fix_tls(struct ext4w *w, const struct guestinfo *g, char *msg, size_t len);

/* The boot menu xm-bootloader reads, when the guest boots its own kernel
 * and the image has none: /boot/grub/grub.cfg with the newest
 * /boot/vmlinuz-VERSION (not a -xen one), its initrd.img, root= and
 * console=ttyS0. */
int fix_bootmenu(struct ext4w *w, const char *root_dev, char *msg, size_t len);

/* The version a bzImage announces ("6.1.0-9-amd64", from its header's
 * kernel_version string); pure. 0 or -1 when buf is not one. */
int kernel_version(const unsigned char *buf, size_t len, char *out,
		   size_t size);

#endif
