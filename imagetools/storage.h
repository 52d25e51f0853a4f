/* SPDX-License-Identifier: GPL-2.0-or-later */
/* storage.h: the disks xm-create-image makes (image files, LVM logical
 * volumes made with LVM's own tools), formatted with mke2fs or as swap,
 * and the undo list that removes them again when a later step fails. */
#ifndef XM_STORAGE_H
#define XM_STORAGE_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define UNDO_MAX 16

/* What was made, newest last: removed in reverse by undo_run. */
struct undo {
	int n;
	int kind[UNDO_MAX]; /* 'f' file, 'd' directory, 'l' volume VG/LV */
	char *what[UNDO_MAX];
};

/* Record something made (copied). 0 or -ENOMEM/-ENOSPC. */
int undo_add(struct undo *u, int kind, const char *what) WUR;

/* Remove everything recorded, newest first; says what it removes on
 * stderr. Frees the list. */
void undo_run(struct undo *u, const char *prog);

/* Forget the list without removing anything (success). */
void undo_forget(struct undo *u);

/* A sparse image file of size bytes at path (O_EXCL unless force, then
 * truncated). Returns 0 or -1 with the reason in err. */
int storage_file(const char *path, uint64_t size, int force, char *err,
		 size_t errlen) WUR;

/* lvcreate -n NAME -L SIZE VG (an existing volume: an error, unless
 * force: then lvremove'd first). *dev_out: "/dev/VG/NAME" (malloc'd).
 * 0 or -1 with the reason (LVM's message) in err. */
int storage_lv(const char *vg, const char *name, uint64_t size, int force,
	       char **dev_out, char *err, size_t errlen) WUR;

/* lvremove -f VG/NAME. 0 or -1 with the reason in err. */
int storage_lv_remove(const char *vg_lv, char *err, size_t errlen) WUR;

/* 1 when VG/NAME exists (lvs), 0 when not, -1 when lvs fails. */
int storage_lv_exists(const char *vg, const char *name);

/* An existing block device to format: 0 when it is one and holds no
 * filesystem or swap signature (blkid -p), or force; -1 with the reason
 * (naming what it holds) in err. */
int storage_partition(const char *dev, int force, char *err, size_t errlen) WUR;

/* mke2fs -t ext4 (root directory owned by root, label) on path. 0 or -1
 * with mke2fs's message in err. */
int storage_mkfs(const char *path, const char *label, char *err,
		 size_t errlen) WUR;

/* A Linux swap signature (SWAPSPACE2, version 1) over the first page of
 * path, size bytes long. 0 or -1 with the reason in err. */
int storage_mkswap(const char *path, uint64_t size, char *err,
		   size_t errlen) WUR;

/* The first page of a swap area of size bytes (pure; page 4096 bytes). */
void storage_swap_header(unsigned char page[4096], uint64_t size,
			 const unsigned char uuid[16]);

/* Run argv (argv[0] looked up in PATH), stderr captured into err (its
 * last line), stdout to /dev/null unless out != NULL (then captured, up
 * to outlen). Returns the exit status, or -1 when it could not run. */
int storage_run(char *const argv[], char *out, size_t outlen, char *err,
		size_t errlen);

#endif
