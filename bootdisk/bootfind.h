/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bootfind.h: from a disk image to the entry to boot (find.c). */
#ifndef XM_BOOTFIND_H
#define XM_BOOTFIND_H

#include "bootdisk.h"

struct bd_boot {
	struct bd_layout layout;
	unsigned part;      /* the partition the config is on (0: the disk) */
	const char *config; /* its path there (a static string) */
	struct bd_ext *fs;
	struct bd_menu menu;
	int entry;      /* the chosen entry of menu */
	char why[1024]; /* entries skipped on the way, or "" */
};

/* Find the boot configuration on the disk and choose its entry (want:
 * see bd_menu_select). Returns 0 with *b filled (bd_boot_dispose) or
 * -errno with err naming what was looked at. */
int bd_boot_find(bd_read_fn rd, void *ctx, uint64_t disk_size, const char *want,
		 struct bd_boot *b, char *err, size_t errlen) WUR_BD;

/* Copy the file path of the chosen filesystem (relative paths are the
 * config's directory's; a path missing at / is tried under /boot). */
int bd_boot_copy(struct bd_boot *b, const char *path, uint64_t max,
		 bd_sink_fn sink, void *sctx, uint64_t *size_out, char *err,
		 size_t errlen) WUR_BD;

void bd_boot_dispose(struct bd_boot *b);

#endif
