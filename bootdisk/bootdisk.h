/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bootdisk.h: reading a guest's boot configuration from its disk image
 * (pygrub's job): the disk layout, ext2/3/4 files, and the boot menus of
 * grub2, grub-legacy, extlinux and BLS. Every function here is pure over a
 * read callback and bounded; the image is untrusted (it is the guest's),
 * so any input is an error with a message, never a crash. The helper
 * program xm-bootloader runs these in a sandbox; nothing here logs. */
#ifndef XM_BOOTDISK_H
#define XM_BOOTDISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WUR_BD __attribute__((warn_unused_result))

/* Read len bytes at off of the image into buf. Returns 0 or -errno (a
 * short read is -EIO). */
typedef int (*bd_read_fn)(void *ctx, uint64_t off, void *buf, size_t len);

/* Take the next len bytes of a file being read (bd_ext_copy). Returns 0
 * or -errno, which stops the copy. */
typedef int (*bd_sink_fn)(void *ctx, const void *buf, size_t len);

/* ---- layout.c: where the filesystems are ---- */

#define BD_MAX_PARTS 64

enum bd_table { BD_TABLE_NONE, BD_TABLE_MBR, BD_TABLE_GPT };

struct bd_part {
	unsigned number; /* 0: the whole disk (no table); else 1.. as Linux
			  * numbers them (logical MBR partitions from 5) */
	uint64_t off, size;
};

struct bd_layout {
	enum bd_table table;
	size_t nparts;
	struct bd_part parts[BD_MAX_PARTS];
};

/* The partitions of a disk of disk_size bytes: a filesystem at offset 0
 * (part 0), an MBR with its logical partitions, or a GPT. Partitions
 * outside the disk, empty ones and extended containers are left out.
 * Returns 0 or -errno with err set. */
int bd_layout_probe(bd_read_fn rd, void *ctx, uint64_t disk_size,
		    struct bd_layout *out, char *err, size_t errlen) WUR_BD;

/* ---- ext.c, ext_map.c, ext_dir.c: ext2/3/4, read-only ---- */

#define BD_EXT_MAX_SYMLINKS 8
#define BD_EXT_MAX_DIR (16u << 20) /* directory bytes read, at most */
#define BD_EXT_MAX_NAMES 4096      /* names listed from one directory */

struct bd_ext;

/* Open the ext2/3/4 filesystem of size bytes at off. Refuses features
 * it does not read (inline data, encryption, ...) and absurd geometry.
 * Returns 0 and *fs_out (bd_ext_close) or -errno with err set (-ENODEV:
 * not ext2/3/4). */
int bd_ext_open(bd_read_fn rd, void *ctx, uint64_t off, uint64_t size,
		struct bd_ext **fs_out, char *err, size_t errlen) WUR_BD;
void bd_ext_close(struct bd_ext *fs);

/* Copy the regular file at path (absolute; symlinks followed, at most
 * BD_EXT_MAX_SYMLINKS) to sink, refusing files over max bytes (-EFBIG).
 * *size_out is the file's size. Returns 0 or -errno with err set
 * (-ENOENT: no such file). */
int bd_ext_copy(struct bd_ext *fs, const char *path, uint64_t max,
		bd_sink_fn sink, void *sctx, uint64_t *size_out, char *err,
		size_t errlen) WUR_BD;

/* The file at path into *data_out (malloc'd, NUL-terminated). */
int bd_ext_read(struct bd_ext *fs, const char *path, size_t max,
		char **data_out, size_t *len_out, char *err,
		size_t errlen) WUR_BD;

/* The names of the regular files (and symlinks) of directory path,
 * sorted, without "." and "..": *names_out is a malloc'd array of
 * malloc'd strings (bd_names_free). Returns 0 or -errno with err. */
int bd_ext_list(struct bd_ext *fs, const char *path, char ***names_out,
		size_t *n_out, char *err, size_t errlen) WUR_BD;
void bd_names_free(char **names, size_t n);

/* ---- initrd.c: what an initramfs carries ---- */

struct bd_initrd {
	bool virtio_blk, virtio_pci; /* a module of that name is in it */
	bool complete;               /* every archive in it was read */
	const char *unreadable;      /* a compression not read ("lz4"), or
				      * NULL */
};

/* Scan the size bytes of an initramfs (newc cpio archives, each maybe
 * gzip, xz/lzma or zstd compressed) for virtio_blk.ko* and
 * virtio_pci.ko*, decompressing at most max_out bytes. Returns 0 (*out
 * says what was seen; complete false when it stopped early) or -errno
 * (-EINVAL: a broken archive, -EFBIG: more than max_out). */
int bd_initrd_scan(bd_read_fn rd, void *ctx, uint64_t size, uint64_t max_out,
		   struct bd_initrd *out) WUR_BD;

/* ---- menu.c: boot configurations ---- */

#define BD_MAX_ENTRIES 256
#define BD_MAX_CONFIG (1u << 20) /* a boot configuration, at most */
#define BD_MAX_ARGS 4096         /* an entry's arguments, at most */

enum bd_dialect {
	BD_GRUB2,    /* grub.cfg */
	BD_GRUB1,    /* grub-legacy menu.lst / grub.conf */
	BD_EXTLINUX, /* extlinux.conf, syslinux.cfg */
	BD_BLS,      /* /boot/loader/entries/NAME.conf */
};

struct bd_entry {
	char *title;  /* as written (may hold any byte but NUL) */
	char *pos;    /* its place: "N", or "S>N" in grub2's submenu S */
	char *id;     /* grub2: --id; BLS: file stem; extlinux: the label;
		       * NULL: none */
	char *tpath;  /* grub2 in a submenu: "SUBMENU TITLE>TITLE"; NULL */
	char *kernel; /* path on the filesystem, device prefix removed, or
		       * NULL (a Xen multiboot entry has none) */
	char *initrd; /* NULL: none; several files (grub2, BLS) are
		       * separated by '\n', to be concatenated */
	char *args;   /* "" when none */
	bool xen;     /* a Xen-only kernel (-xen, -xenU, kernel-xen, xen.gz) */
};

struct bd_menu {
	enum bd_dialect dialect;
	struct bd_entry *entries;
	size_t n;
	char *def;   /* the default as the config names it (index, title,
		      * id or label), NULL: the first */
	bool blscfg; /* grub2: the config runs blscfg (read BLS entries) */
};

/* Parse a boot configuration of dialect d (len bytes, any content) into
 * *m (bd_menu_free). env is grubenv's text or NULL (saved_entry,
 * next_entry, kernelopts, ...). Returns 0 or -errno with err: a menu
 * with no entries is -ENOENT. */
int bd_menu_parse(enum bd_dialect d, const char *text, size_t len,
		  const char *env, struct bd_menu *m, char *err,
		  size_t errlen) WUR_BD;

/* Add one BLS entry file (name is its file name) to *m (dialect BD_BLS;
 * zeroed before the first). Returns 0 or -errno with err. */
int bd_menu_add_bls(struct bd_menu *m, const char *name, const char *text,
		    size_t len, const char *env, char *err,
		    size_t errlen) WUR_BD;

/* Sort BLS entries as grub's blscfg does (newest version first), then
 * set m->def from env's saved_entry. Returns 0 or -ENOENT (no entry). */
int bd_menu_finish_bls(struct bd_menu *m, const char *env) WUR_BD;

/* The entry to boot: want (a place, an id, a title or a label; NULL:
 * the menu's default), skipping Xen-only and kernel-less entries when
 * want is NULL, with why (may be NULL) saying what was skipped. Returns
 * the index or -errno with err (-ENOENT: nothing bootable or want not
 * found). */
int bd_menu_select(const struct bd_menu *m, const char *want, char *why,
		   size_t whylen, char *err, size_t errlen) WUR_BD;

void bd_menu_free(struct bd_menu *m);

/* Is this kernel file name a Xen-only kernel (vmlinuz-2.6.18-xen,
 * -xenU, kernel-xen, xen.gz, xen-4.x.gz)? */
bool bd_kernel_is_xen(const char *path);

/* Write s escaped into out (outlen bytes, always terminated): printable
 * ASCII as is but backslash, everything else as \xHH. Returns 0 or
 * -ENAMETOOLONG when cut. */
int bd_escape(const char *s, char *out, size_t outlen) WUR_BD;

/* Undo bd_escape in place. Returns 0 or -EINVAL on a bad escape. */
int bd_unescape(char *s) WUR_BD;

#endif
