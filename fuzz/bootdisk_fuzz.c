/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bootdisk_fuzz.c: libFuzzer target of libbootdisk's parsers. The first
 * byte picks one: 0 grub.cfg, 1 menu.lst, 2 extlinux.conf, 3 a BLS entry
 * (each then chosen from with bd_menu_select), 5 an initramfs (cpio
 * archives, compressed or not), anything else the rest as a whole disk
 * image: layout, ext2/3/4, the boot configuration and the chosen kernel
 * read to a sink that counts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bootdisk.h"
#include "bootfind.h"

struct fz_disk {
	const uint8_t *data;
	size_t len;
};

static int
fz_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	const struct fz_disk *d = ctx;

	if (off > d->len || len > d->len - off)
		return -5;
	memcpy(buf, d->data + off, len);
	return 0;
}

static int
fz_sink(void *ctx, const void *buf, size_t len)
{
	(void)buf;
	*(uint64_t *)ctx += len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_disk d;
	struct bd_menu m;
	struct bd_boot b;
	char err[512], why[512], esc[256];
	uint64_t count = 0, got;
	char *text;

	if (size < 1)
		return 0;
	if (data[0] < 4) {
		text = malloc(size);
		if (!text)
			return 0;
		memcpy(text, data + 1, size - 1);
		text[size - 1] = '\0';
		if (data[0] == 3) {
			memset(&m, 0, sizeof(m));
			if (bd_menu_add_bls(&m, "x.conf", text, size - 1, text,
					    err, sizeof(err)) == 0)
				(void)!bd_menu_finish_bls(&m, text);
		} else if (bd_menu_parse((enum bd_dialect)data[0], text,
					 size - 1, text, &m, err,
					 sizeof(err)) < 0) {
			free(text);
			return 0;
		}
		(void)!bd_menu_select(&m, NULL, why, sizeof(why), err,
				      sizeof(err));
		if (m.n)
			(void)!bd_menu_select(&m, m.entries[0].title, why,
					      sizeof(why), err, sizeof(err));
		if (m.n && m.entries[0].title &&
		    bd_escape(m.entries[0].title, esc, sizeof(esc)) == 0)
			(void)!bd_unescape(esc);
		bd_menu_free(&m);
		free(text);
		return 0;
	}
	d.data = data + 1;
	d.len = size - 1;
	if (data[0] == 5) {
		struct bd_initrd in;

		(void)!bd_initrd_scan(fz_read, &d, d.len, 16u << 20, &in);
		return 0;
	}
	if (bd_boot_find(fz_read, &d, d.len, NULL, &b, err, sizeof(err)) < 0)
		return 0;
	(void)!bd_boot_copy(&b, b.menu.entries[b.entry].kernel, 1 << 24,
			    fz_sink, &count, &got, err, sizeof(err));
	bd_boot_dispose(&b);
	return 0;
}
