/* SPDX-License-Identifier: GPL-2.0-or-later */
/* textfix.h: the guide's edits to a guest's files as pure functions over
 * their text (fstab, device names in boot configs, inittab, shadow,
 * hostname and hosts, network configuration). Each takes untrusted bytes
 * (len may include NULs, treated as text), returns 0 with a malloc'd,
 * NUL-terminated result in *out, or -ENOMEM / -EFBIG (input past 1 MiB). */
#ifndef XM_TEXTFIX_H
#define XM_TEXTFIX_H

#include <stddef.h>

#include "util.h"

#define TEXTFIX_MAX (1u << 20)

/* The devices an image's fstab must name: the root (e.g. /dev/vda, ext4)
 * and the swap (NULL when the domain has none). */
struct fstab_map {
	const char *root_dev;
	const char *root_type;
	const char *swap_dev;
};

/* /etc/fstab for the domain: the "/" line's device and type replaced,
 * swap lines pointed at swap_dev (commented out without one), other
 * local disk mounts (/dev/..., UUID=, LABEL=, PARTUUID=) commented out
 * with a note, virtual and network filesystems kept; a root (and swap)
 * line appended when missing. *changes counts the lines changed. */
int fstab_rewrite(const char *in, size_t len, const struct fstab_map *m,
		  char **out, int *changes) WUR;

/* One device rename: "/dev/xvda1" -> "/dev/vda". */
struct devmap {
	const char *from;
	const char *to;
};

/* Every /dev/NAME word of text whose NAME is a key of map (whole word:
 * /dev/xvda1 does not match /dev/xvda10) replaced. *changes counts them. */
int devname_remap(const char *in, size_t len, const struct devmap *map,
		  size_t nmap, char **out, int *changes) WUR;

/* Xen device names (/dev/xvdX, /dev/hdX, /dev/sdX...) the text still
 * names after remapping: appended to *list as "name " words (deduplicated);
 * returns how many. *list is malloc'd (NULL when none). */
int devname_xen_left(const char *in, size_t len, char **list) WUR;

/* Every console=xvc0 / console=hvc0 word (a Xen guest's console on a
 * kernel command line in a boot config) made console=ttyS0. */
int console_remap(const char *in, size_t len, char **out, int *changes) WUR;

/* inittab: a getty on ttyS0 added when none runs there (sysvinit and
 * busybox syntax), and a getty on xvc0/hvc0 moved to ttyS0. *changes: 0
 * when the file already had one. */
int inittab_serial(const char *in, size_t len, char **out, int *changes) WUR;

/* /etc/shadow with root's password field set to hash (a root line added
 * when missing). */
int shadow_set_root(const char *in, size_t len, const char *hash,
		    char **out) WUR;

/* /etc/hosts with a "127.0.1.1 NAME" line (replacing one for 127.0.1.1). */
int hosts_set_name(const char *in, size_t len, const char *name,
		   char **out) WUR;

/* A guest's network settings for one interface (eth0). */
struct netcfg {
	const char *ifname;
	int dhcp;
	const char *ip, *netmask, *gateway; /* when !dhcp */
	const char *hostname;
};

/* ifupdown's /etc/network/interfaces, systemd-networkd's .network file,
 * Red Hat's ifcfg-IFNAME. 0 or -ENOMEM/-EINVAL (static without ip). */
int netcfg_interfaces(const struct netcfg *n, char **out) WUR;
int netcfg_networkd(const struct netcfg *n, char **out) WUR;
int netcfg_ifcfg(const struct netcfg *n, char **out) WUR;

/* Dotted netmask -> prefix length (-1 when not a contiguous mask). */
int netcfg_prefix(const char *netmask);

#endif
