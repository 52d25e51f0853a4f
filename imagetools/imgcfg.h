/* SPDX-License-Identifier: GPL-2.0-or-later */
/* imgcfg.h: the domain config xm-create-image writes (/etc/xen/NAME),
 * and reading back what xm-list-images and xm-delete-image need from one
 * (its name, memory, MAC, address and the files and volumes it made). */
#ifndef XM_IMGCFG_H
#define XM_IMGCFG_H

#include <stddef.h>

#include "util.h"

#define IMGCFG_MAX_DISKS 2

struct imgcfg_disk {
	const char *target; /* "file:/srv/x/disk.img", "phy:/dev/vg/lv" */
	const char *vdev;   /* "xvda1" */
	const char *what;   /* comment: "the root filesystem", "swap" */
	const char *made;   /* what delete removes: "file /srv/..",
			       "lv vg/lv", or NULL (not ours) */
};

struct imgcfg {
	const char *name;
	unsigned memory, vcpus;
	const char *kernel, *ramdisk; /* NULL: boot from the disk */
	const char *root, *extra;
	struct imgcfg_disk disks[IMGCFG_MAX_DISKS];
	size_t ndisks;
	const char *uuid, *mac, *bridge;
	const char *ip;     /* NULL: DHCP */
	const char *source; /* "--tar /srv/x.tar.gz": a comment */
};

/* The config's text (Python, commented like the guide's example). 0 or
 * -ENOMEM, -EINVAL when a value cannot be written as a Python string
 * (control characters). */
int imgcfg_write(const struct imgcfg *c, char **out) WUR;

/* What a config written by imgcfg_write says, read back without
 * evaluating it (untrusted text; strings point into info->buf). */
struct imgcfg_info {
	char name[128], memory[32], vcpus[32], mac[32], ip[64], source[256];
	char made[8][512]; /* "file PATH" or "lv VG/LV" */
	int nmade;
	int ours; /* the xm-create-image marker line was seen */
};

/* Fill info from text. Pure; never fails (fields it cannot find stay
 * empty). */
void imgcfg_read(const char *text, size_t len, struct imgcfg_info *info);

#endif
