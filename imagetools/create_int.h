/* SPDX-License-Identifier: GPL-2.0-or-later */
/* create_int.h: what xm-create-image's files (create.c: the steps;
 * create_kernel.c: the kernel and its modules) share. */
#ifndef XM_IMAGETOOLS_CREATE_INT_H
#define XM_IMAGETOOLS_CREATE_INT_H

#include <limits.h>
#include <stddef.h>

#include "ext4w.h"
#include "mkopts.h"
#include "progress.h"

/* What one run makes, filled in by the checks and the steps. */
struct plan {
	struct mkopts o;
	char cfgdir[PATH_MAX], cfgpath[PATH_MAX];
	char domdir[PATH_MAX];
	char *disk, *swap; /* image file or /dev/VG/LV */
	char kernel[PATH_MAX], initrd[PATH_MAX], kver[128], moddir[PATH_MAX];
	int bootloader;
	int ifnames0; /* the guest's udev would rename eth0 */
	char mac[18], uuid[37], source[PATH_MAX + 8];
	char disttar[PATH_MAX]; /* --dist's cached tarball */
	char made_disk[PATH_MAX + 8], made_swap[PATH_MAX + 8];
};

/* in made absolute (against the working directory) into out. Returns 0 or
 * a negative errno (-ENAMETOOLONG: out too small). */
int abs_path(const char *in, char *out, size_t size);

/* Which kernel the domain boots: --kernel, else the image's own (a
 * bootloader config in w's /boot), else the host's running one; into pl,
 * with what was chosen in msg. Returns 0 or -1 with msg saying why. */
int pick_kernel(struct plan *pl, struct ext4w *w, char *msg, size_t len);

/* The chosen kernel's modules (--modules, else the host's
 * /lib/modules/VERSION) copied into w, or skipped, saying why, in msg.
 * Returns 0 or -1 with msg saying why. */
int copy_modules(struct plan *pl, struct ext4w *w, struct progress *p,
		 char *msg, size_t len);

#endif
