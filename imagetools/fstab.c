/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fstab.c: /etc/fstab for a domain's disks, and device names in any text
 * (fstab, grub.cfg, menu.lst) renamed from Xen's to virtio's. Pure. */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "textbuf.h"
#include "textfix.h"

#define NFIELD 6

/* Split a line into at most NFIELD whitespace-separated fields (copied,
 * NUL-terminated, each cut at 255 bytes). Returns the count. */
static int
fields(const char *p, size_t n, char f[NFIELD][256])
{
	size_t i = 0;
	int k = 0;

	while (k < NFIELD) {
		size_t s, m;

		while (i < n && isspace((unsigned char)p[i]))
			i++;
		if (i >= n)
			break;
		s = i;
		while (i < n && !isspace((unsigned char)p[i]))
			i++;
		m = i - s < 255 ? i - s : 255;
		memcpy(f[k], p + s, m);
		f[k][m] = 0;
		if (memchr(f[k], 0, m))
			f[k][0] = '?';
		k++;
	}
	return k;
}

static int
is_local_disk(const char *dev)
{
	return !strncmp(dev, "/dev/", 5) || !strncmp(dev, "UUID=", 5) ||
	       !strncmp(dev, "LABEL=", 6) || !strncmp(dev, "PARTUUID=", 9) ||
	       !strncmp(dev, "PARTLABEL=", 10);
}

int
fstab_rewrite(const char *in, size_t len, const struct fstab_map *m, char **out,
	      int *changes)
{
	struct textbuf b = {0};
	const char *line;
	size_t pos = 0, n;
	int have_root = 0, have_swap = 0;

	*changes = 0;
	if (len > TEXTFIX_MAX)
		return -EFBIG;
	while ((line = tb_line(in, len, &pos, &n))) {
		char f[NFIELD][256];
		size_t skip = 0;
		int k;

		while (skip < n && isspace((unsigned char)line[skip]))
			skip++;
		k = fields(line, n, f);
		if (skip == n || line[skip] == '#' || k < 3) {
			tb_add(&b, line, n);
			tb_str(&b, "\n");
			continue;
		}
		if (!strcmp(f[1], "/") && !have_root) {
			have_root = 1;
			if (strcmp(f[0], m->root_dev) ||
			    strcmp(f[2], m->root_type)) {
				tb_printf(&b, "# xm-create-image: was: %.*s\n",
					  (int)n, line);
				(*changes)++;
			}
			tb_printf(&b, "%s\t/\t%s\t%s\t%s\t%s\n", m->root_dev,
				  m->root_type,
				  k > 3 ? f[3] : "errors=remount-ro",
				  k > 4 ? f[4] : "0", k > 5 ? f[5] : "1");
			continue;
		}
		if (!strcmp(f[2], "swap")) {
			if (m->swap_dev && !have_swap) {
				have_swap = 1;
				if (strcmp(f[0], m->swap_dev)) {
					tb_printf(&b,
						  "# xm-create-image: was: "
						  "%.*s\n",
						  (int)n, line);
					(*changes)++;
				}
				tb_printf(&b, "%s\tnone\tswap\t%s\t0\t0\n",
					  m->swap_dev, k > 3 ? f[3] : "sw");
				continue;
			}
			tb_printf(&b,
				  "# xm-create-image: no such swap in "
				  "the domain's config:\n#%.*s\n",
				  (int)n, line);
			(*changes)++;
			continue;
		}
		if (is_local_disk(f[0]) || !strcmp(f[1], "/")) {
			tb_printf(&b,
				  "# xm-create-image: this disk is not "
				  "in the domain's config (add it to "
				  "disk= and here):\n#%.*s\n",
				  (int)n, line);
			(*changes)++;
			continue;
		}
		tb_add(&b, line, n);
		tb_str(&b, "\n");
	}
	if (!have_root) {
		tb_printf(&b, "%s\t/\t%s\terrors=remount-ro\t0\t1\n",
			  m->root_dev, m->root_type);
		(*changes)++;
	}
	if (m->swap_dev && !have_swap) {
		tb_printf(&b, "%s\tnone\tswap\tsw\t0\t0\n", m->swap_dev);
		(*changes)++;
	}
	return tb_finish(&b, out);
}

static int
name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

int
devname_remap(const char *in, size_t len, const struct devmap *map, size_t nmap,
	      char **out, int *changes)
{
	struct textbuf b = {0};
	size_t i = 0, start = 0;

	*changes = 0;
	if (len > TEXTFIX_MAX)
		return -EFBIG;
	while (i + 5 <= len) {
		size_t j, e, k;

		if (memcmp(in + i, "/dev/", 5) ||
		    (i > 0 && (name_char(in[i - 1]) || in[i - 1] == '/'))) {
			i++;
			continue;
		}
		for (e = i + 5; e < len && name_char(in[e]); e++)
			;
		for (k = 0; k < nmap; k++) {
			j = strlen(map[k].from);
			if (j == e - i && !memcmp(in + i, map[k].from, j))
				break;
		}
		if (k < nmap) {
			tb_add(&b, in + start, i - start);
			tb_str(&b, map[k].to);
			(*changes)++;
			start = e;
		}
		i = e;
	}
	tb_add(&b, in + start, len - start);
	return tb_finish(&b, out);
}

/* /dev/xvdX, /dev/hdX, /dev/sdX (with a partition number or not). */
static int
xen_name(const char *p, size_t n)
{
	size_t pre = 0;

	if (n > 3 && !memcmp(p, "xvd", 3))
		pre = 3;
	else if (n > 2 && (!memcmp(p, "hd", 2) || !memcmp(p, "sd", 2)))
		pre = 2;
	else
		return 0;
	if (p[pre] < 'a' || p[pre] > 'z')
		return 0;
	for (pre++; pre < n; pre++)
		if (!isdigit((unsigned char)p[pre]) &&
		    !(p[pre] >= 'a' && p[pre] <= 'z'))
			return 0;
	return 1;
}

int
devname_xen_left(const char *in, size_t len, char **list)
{
	struct textbuf b = {0};
	size_t i = 0;
	int count = 0;

	*list = NULL;
	if (len > TEXTFIX_MAX)
		return -EFBIG;
	while (i + 5 <= len) {
		size_t e;

		if (memcmp(in + i, "/dev/", 5) ||
		    (i > 0 && (name_char(in[i - 1]) || in[i - 1] == '/'))) {
			i++;
			continue;
		}
		for (e = i + 5; e < len && name_char(in[e]); e++)
			;
		if (e - i < 64 && xen_name(in + i + 5, e - i - 5)) {
			char word[72];

			memcpy(word, in + i, e - i);
			word[e - i] = ' ';
			word[e - i + 1] = 0;
			if (!b.s || !strstr(b.s, word)) {
				tb_str(&b, word);
				count++;
			}
		}
		i = e;
	}
	if (!count)
		return 0;
	return tb_finish(&b, list) < 0 ? -ENOMEM : count;
}
