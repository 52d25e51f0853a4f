/* SPDX-License-Identifier: GPL-2.0-or-later */
/* find.c: from a disk image to the entry to boot: each partition's ext
 * filesystem, the boot configurations pygrub looks for (and BLS entries,
 * which it does not read), the default or asked-for entry, then its
 * files. Pure over the read callback, as the parsers it calls. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootdisk.h"
#include "bootfind.h"

static const struct {
	enum bd_dialect d;
	const char *path;
} find_configs[] = {
	{BD_GRUB2, "/boot/grub/grub.cfg"},
	{BD_GRUB2, "/boot/grub2/grub.cfg"},
	{BD_GRUB2, "/grub/grub.cfg"},
	{BD_GRUB2, "/grub2/grub.cfg"},
	{BD_GRUB1, "/boot/grub/menu.lst"},
	{BD_GRUB1, "/boot/grub/grub.conf"},
	{BD_GRUB1, "/grub/menu.lst"},
	{BD_GRUB1, "/grub/grub.conf"},
	{BD_EXTLINUX, "/boot/extlinux/extlinux.conf"},
	{BD_EXTLINUX, "/boot/extlinux.conf"},
	{BD_EXTLINUX, "/extlinux/extlinux.conf"},
	{BD_EXTLINUX, "/extlinux.conf"},
	{BD_EXTLINUX, "/boot/syslinux/syslinux.cfg"},
	{BD_EXTLINUX, "/syslinux/syslinux.cfg"},
	{BD_BLS, "/boot/loader/entries"},
	{BD_BLS, "/loader/entries"},
};

/* What a partition that is not ext2/3/4 holds, by its signature (so the
 * message says "XFS", not only "not ext"), or NULL. */
static const char *
find_other_fs(bd_read_fn rd, void *ctx, const struct bd_part *part)
{
	static const struct {
		uint64_t off;
		const char *magic;
		size_t len;
		const char *name;
	} sigs[] = {
		{0, "XFSB", 4, "XFS"},
		{0x10040, "_BHRfS_M", 8, "btrfs"},
		{512, "LABELONE", 8, "an LVM physical volume"},
		{0, "LUKS\xba\xbe", 6, "LUKS encryption"},
		{4086, "SWAPSPACE2", 10, "swap"},
		{0x8001, "CD001", 5, "ISO 9660 (a CD image)"},
		{3, "NTFS    ", 8, "NTFS"},
		{0x52, "FAT32   ", 8, "FAT32"},
	};
	char buf[16];
	size_t i;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigs[i].off + sigs[i].len <= part->size &&
		    rd(ctx, part->off + sigs[i].off, buf, sigs[i].len) == 0 &&
		    !memcmp(buf, sigs[i].magic, sigs[i].len))
			return sigs[i].name;
	return NULL;
}

/* Append "A: B" to the notes in err. */
static void
find_note(char *err, size_t errlen, const char *a, const char *b)
{
	size_t n = strlen(err);

	if (n + 8 < errlen)
		snprintf(err + n, errlen - n, "%s%s: %s", n ? "; " : "", a, b);
}

/* The BLS entries of directory dir into b->menu. */
static int
find_bls(struct bd_boot *b, const char *dir, const char *env, char *err,
	 size_t errlen)
{
	char **names = NULL, path[512], *text;
	size_t n = 0, i, len, nl;
	int rc;

	rc = bd_ext_list(b->fs, dir, &names, &n, err, errlen);
	if (rc < 0)
		return rc;
	memset(&b->menu, 0, sizeof(b->menu));
	for (i = 0; rc == 0 && i < n; i++) {
		nl = strlen(names[i]);
		if (nl < 6 || strcmp(names[i] + nl - 5, ".conf") ||
		    snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >=
			    (int)sizeof(path))
			continue;
		if (bd_ext_read(b->fs, path, BD_MAX_CONFIG, &text, &len, err,
				errlen) < 0)
			continue; /* a dangling link: grub skips it too */
		rc = bd_menu_add_bls(&b->menu, names[i], text, len, env, err,
				     errlen);
		free(text);
	}
	bd_names_free(names, n);
	if (rc == 0 && bd_menu_finish_bls(&b->menu, env) < 0)
		rc = -ENOENT;
	if (rc < 0)
		bd_menu_free(&b->menu);
	return rc;
}

/* grub.cfg's own entries after the BLS ones blscfg adds (grub.cfg runs
 * blscfg first; memtest or a custom entry may follow): *cfg's entries,
 * renumbered, are appended to b->menu, whose default the grub.cfg's
 * "set default" overrides. Frees *cfg. Returns 0 or -ENOMEM. */
static int
find_merge_bls(struct bd_boot *b, struct bd_menu *cfg)
{
	struct bd_entry *grown;
	char pos[64];
	size_t i, nbls = b->menu.n;
	unsigned long top;
	char *rest;

	if (cfg->n + nbls > BD_MAX_ENTRIES) {
		bd_menu_free(cfg);
		return -E2BIG;
	}
	grown = realloc(b->menu.entries, (nbls + cfg->n) * sizeof(*grown));
	if (!grown && cfg->n) {
		bd_menu_free(cfg);
		return -ENOMEM;
	}
	if (grown)
		b->menu.entries = grown;
	for (i = 0; i < cfg->n; i++) {
		struct bd_entry *e = &b->menu.entries[nbls + i];

		*e = cfg->entries[i];
		top = strtoul(e->pos ? e->pos : "0", &rest, 10);
		snprintf(pos, sizeof(pos), "%lu%s", top + nbls, rest);
		free(e->pos);
		e->pos = strdup(pos);
	}
	b->menu.n = nbls + cfg->n;
	if (cfg->def) {
		free(b->menu.def);
		b->menu.def = cfg->def;
		cfg->def = NULL;
	}
	free(cfg->entries);
	cfg->entries = NULL;
	cfg->n = 0;
	bd_menu_free(cfg);
	return 0;
}

/* A config of dialect d at path in b->fs: parsed into b->menu. */
static int
find_config(struct bd_boot *b, enum bd_dialect d, const char *path, char *err,
	    size_t errlen)
{
	char envpath[256], *text = NULL, *env = NULL, *slash;
	size_t len, elen;
	int rc;

	snprintf(envpath, sizeof(envpath), "%s", path);
	slash = strrchr(envpath, '/');
	if (slash)
		strcpy(slash, "/grubenv");
	if (d == BD_BLS) {
		snprintf(envpath, sizeof(envpath), "%s",
			 strncmp(path, "/boot/", 6) ? "/grub2/grubenv"
						    : "/boot/grub2/grubenv");
		if (bd_ext_read(b->fs, envpath, 65536, &env, &elen, err,
				errlen) < 0)
			env = NULL;
		err[0] = '\0';
		rc = find_bls(b, path, env, err, errlen);
		free(env);
		return rc;
	}
	rc = bd_ext_read(b->fs, path, BD_MAX_CONFIG, &text, &len, err, errlen);
	if (rc < 0)
		return rc;
	if (d == BD_GRUB2 &&
	    bd_ext_read(b->fs, envpath, 65536, &env, &elen, err, errlen) < 0)
		env = NULL;
	err[0] = '\0';
	rc = bd_menu_parse(d, text, len, env, &b->menu, err, errlen);
	if (rc == 0 && d == BD_GRUB2 && b->menu.blscfg) {
		/* Fedora's grub.cfg: its entries are BLS files */
		struct bd_menu cfg = b->menu;

		memset(&b->menu, 0, sizeof(b->menu));
		snprintf(envpath, sizeof(envpath), "%s",
			 strncmp(path, "/boot/", 6) ? "/loader/entries"
						    : "/boot/loader/entries");
		rc = find_bls(b, envpath, env, err, errlen);
		if (rc == 0)
			rc = find_merge_bls(b, &cfg);
		else if (cfg.n) { /* no BLS entries: grub.cfg's own */
			b->menu = cfg;
			rc = 0;
		} else {
			bd_menu_free(&cfg);
		}
	}
	free(text);
	free(env);
	return rc;
}

/* See bootfind.h. */
int
bd_boot_find(bd_read_fn rd, void *ctx, uint64_t disk_size, const char *want,
	     struct bd_boot *b, char *err, size_t errlen)
{
	char one[512], notes[1024] = "";
	size_t p, c;
	int rc, sel;

	memset(b, 0, sizeof(*b));
	rc = bd_layout_probe(rd, ctx, disk_size, &b->layout, err, errlen);
	if (rc < 0)
		return rc;
	for (p = 0; p < b->layout.nparts; p++) {
		const struct bd_part *part = &b->layout.parts[p];
		char where[32];

		snprintf(where, sizeof(where),
			 part->number ? "partition %u" : "the disk",
			 part->number);
		one[0] = '\0';
		rc = bd_ext_open(rd, ctx, part->off, part->size, &b->fs, one,
				 sizeof(one));
		if (rc == -ENODEV && find_other_fs(rd, ctx, part))
			snprintf(one, sizeof(one),
				 "%s (not read: boot files are read from "
				 "ext2/3/4 only)",
				 find_other_fs(rd, ctx, part));
		if (rc < 0) {
			find_note(notes, sizeof(notes), where, one);
			continue;
		}
		for (c = 0; c < sizeof(find_configs) / sizeof(find_configs[0]);
		     c++) {
			one[0] = '\0';
			rc = find_config(b, find_configs[c].d,
					 find_configs[c].path, one,
					 sizeof(one));
			if (rc == -ENOENT &&
			    (!one[0] || strstr(one, "no such")))
				continue;
			if (rc < 0) {
				find_note(notes, sizeof(notes),
					  find_configs[c].path, one);
				continue;
			}
			b->part = part->number;
			b->config = find_configs[c].path;
			one[0] = '\0';
			sel = bd_menu_select(&b->menu, want, b->why,
					     sizeof(b->why), one, sizeof(one));
			if (sel < 0) {
				snprintf(err, errlen, "%s %s: %s", where,
					 b->config, one);
				bd_boot_dispose(b);
				return sel;
			}
			b->entry = sel;
			return 0;
		}
		bd_ext_close(b->fs);
		b->fs = NULL;
	}
	snprintf(err, errlen,
		 "no boot configuration found (grub.cfg, menu.lst, "
		 "extlinux.conf or /boot/loader/entries on an ext2/3/4 "
		 "filesystem)%s%s",
		 notes[0] ? ": " : "", notes);
	return -ENOENT;
}

/* See bootfind.h. */
int
bd_boot_copy(struct bd_boot *b, const char *path, uint64_t max, bd_sink_fn sink,
	     void *sctx, uint64_t *size_out, char *err, size_t errlen)
{
	char full[1024], *slash;
	int rc;

	if (path[0] != '/') { /* extlinux: relative to its directory */
		snprintf(full, sizeof(full), "%s", b->config);
		slash = strrchr(full, '/');
		if (slash)
			slash[1] = '\0';
		if (strlen(full) + strlen(path) >= sizeof(full))
			return -ENAMETOOLONG;
		strcat(full, path);
	} else if (snprintf(full, sizeof(full), "%s", path) >=
		   (int)sizeof(full)) {
		return -ENAMETOOLONG;
	}
	rc = bd_ext_copy(b->fs, full, max, sink, sctx, size_out, err, errlen);
	/* a grub root of a separate /boot seen on the root filesystem */
	if (rc == -ENOENT && full[0] == '/' && strncmp(full, "/boot/", 6) &&
	    strlen(full) + 6 < sizeof(full)) {
		memmove(full + 5, full, strlen(full) + 1);
		memcpy(full, "/boot", 5);
		rc = bd_ext_copy(b->fs, full, max, sink, sctx, size_out, err,
				 errlen);
	}
	return rc;
}

/* See bootfind.h. */
void
bd_boot_dispose(struct bd_boot *b)
{
	bd_menu_free(&b->menu);
	bd_ext_close(b->fs);
	b->fs = NULL;
}
