/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bootcmd.c: what a config says about booting from its disk, shared by
 * xmd (which boots it) and xm-config (whose dry run shows it): whether it
 * does, which disk is read, which entry bootloader_args asks for, and the
 * kernel command line: the entry's arguments with Xen's disk names
 * rewritten to the virtio disks, the config's root= and extra, and the
 * serial console. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootdisk_client.h"
#include "bootdisk_cfg.h"

/* See bootdisk_cfg.h. */
bool
bootdisk_cfg_wanted(const struct xmcfg_domain *cfg)
{
	return bootdisk_wanted(cfg->bootloader, cfg->kernel,
			       cfg->type == XMCFG_GUEST_HVM);
}

/* See bootdisk_cfg.h. */
int
bootdisk_cfg_disk(const struct xmcfg_domain *cfg)
{
	size_t i;

	for (i = 0; i < cfg->ndisks; i++)
		if (!cfg->disks[i].cdrom && cfg->disks[i].source)
			return (int)i;
	return -1;
}

/* See bootdisk_cfg.h. */
int
bootdisk_cfg_entry(const struct xmcfg_domain *cfg, char *out, size_t outlen)
{
	const char *p = cfg->bootargs, *v = NULL;
	size_t n;

	out[0] = '\0';
	while (p && *p) {
		p += strspn(p, " \t");
		if (!strncmp(p, "--entry=", 8) || !strncmp(p, "-e=", 3)) {
			v = strchr(p, '=') + 1;
		} else if (!strncmp(p, "--entry ", 8) ||
			   !strncmp(p, "-e ", 3)) {
			v = p + strcspn(p, " ");
			v += strspn(v, " ");
		}
		if (v)
			break;
		p += strcspn(p, " \t");
	}
	if (!v)
		return 0;
	n = strcspn(v, " \t");
	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		v++;
		n -= 2;
	}
	if (n == 0 || n >= outlen)
		return -EINVAL;
	memcpy(out, v, n);
	out[n] = '\0';
	return 1;
}

/* The letter index of a Xen disk name ("xvda" 0, "hdb" 1, "sdaa" 26)
 * and the partition digits after it; -1 when it is not one. */
static int
bootcmd_disk_index(const char *name, size_t n, size_t *letters_end)
{
	size_t i = 0, pre;
	int idx = -1;

	if (n >= 3 && !strncmp(name, "xvd", 3))
		pre = 3;
	else if (n >= 2 && (!strncmp(name, "hd", 2) || !strncmp(name, "sd", 2)))
		pre = 2;
	else
		return -1;
	for (i = pre; i < n && name[i] >= 'a' && name[i] <= 'z'; i++) {
		if (idx > 10000)
			return -1;
		idx = (idx + 1) * 26 + (name[i] - 'a');
	}
	if (i == pre)
		return -1;
	*letters_end = i;
	return idx;
}

/* "/dev/xvda1" (n bytes at s) -> "/dev/vda1" per cfg's disks, into b. */
static bool
bootcmd_map(const struct xmcfg_domain *cfg, const char *s, size_t n, char *b,
	    size_t blen)
{
	size_t le, dle, i;
	int idx, didx;

	if (n <= 5 || strncmp(s, "/dev/", 5))
		return false;
	idx = bootcmd_disk_index(s + 5, n - 5, &le);
	if (idx < 0)
		return false;
	for (i = 5 + le; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	/* a partition given as a disk (xen-tools: xvda2 = an image) */
	for (i = 0; i < cfg->ndisks; i++)
		if (cfg->disks[i].vdev && cfg->disks[i].guest_dev[0] &&
		    strlen(cfg->disks[i].vdev) == n - 5 &&
		    !strncmp(cfg->disks[i].vdev, s + 5, n - 5)) {
			snprintf(b, blen, "/dev/%s", cfg->disks[i].guest_dev);
			return true;
		}
	for (i = 0; i < cfg->ndisks; i++) {
		const char *v = cfg->disks[i].vdev;

		if (!v || !cfg->disks[i].guest_dev[0])
			continue;
		didx = bootcmd_disk_index(v, strlen(v), &dle);
		if (didx == idx && v[dle] == '\0') {
			snprintf(b, blen, "/dev/%s%.*s",
				 cfg->disks[i].guest_dev, (int)(n - 5 - le),
				 s + 5 + le);
			return true;
		}
	}
	return false;
}

static int
bootcmd_add(char *out, size_t outlen, const char *s, size_t n)
{
	size_t len = strlen(out);

	if (len + n + 2 > outlen)
		return -E2BIG;
	if (len)
		out[len++] = ' ';
	memcpy(out + len, s, n);
	out[len + n] = '\0';
	return 0;
}

/* Append the words of s, each /dev/ name (alone or after '=') mapped. */
static int
bootcmd_words(const struct xmcfg_domain *cfg, const char *s, char *out,
	      size_t outlen)
{
	char word[1024], mapped[1100];
	const char *eq;
	size_t n, pre;
	int rc = 0;

	while (rc == 0 && s && *s) {
		s += strspn(s, " \t");
		n = strcspn(s, " \t");
		if (!n)
			break;
		eq = memchr(s, '=', n);
		pre = eq ? (size_t)(eq - s) + 1 : 0;
		if (n < sizeof(word) &&
		    bootcmd_map(cfg, s + pre, n - pre, mapped + pre,
				sizeof(mapped) - pre)) {
			memcpy(mapped, s, pre);
			rc = bootcmd_add(out, outlen, mapped, strlen(mapped));
		} else {
			rc = bootcmd_add(out, outlen, s, n);
		}
		s += n;
	}
	return rc;
}

/* The last console= of out, or NULL. */
static const char *
bootcmd_last_console(const char *out)
{
	const char *p = out, *last = NULL;

	while ((p = strstr(p, "console=")) != NULL) {
		if (p == out || p[-1] == ' ')
			last = p + 8;
		p += 8;
	}
	return last;
}

/* See bootdisk_cfg.h. */
int
bootdisk_cfg_cmdline(const struct xmcfg_domain *cfg, const char *args,
		     char *out, size_t outlen)
{
	const char *con;
	bool pvgrub = cfg->kernel && !cfg->bootloader &&
		      bootdisk_wanted(NULL, cfg->kernel, false);
	char root[1100];
	int rc;

	if (!outlen)
		return -E2BIG;
	out[0] = '\0';
	rc = bootcmd_words(cfg, args, out, outlen);
	if (rc == 0 && cfg->root && cfg->root[0]) {
		snprintf(root, sizeof(root), "root=%s", cfg->root);
		rc = bootcmd_words(cfg, root, out, outlen);
	}
	/* PV-GRUB's extra names its menu ("(hd0,0)/boot/grub/menu.lst") */
	if (rc == 0 && cfg->extra && !pvgrub)
		rc = bootcmd_words(cfg, cfg->extra, out, outlen);
	con = bootcmd_last_console(out);
	if (rc == 0 && (!con || strncmp(con, "ttyS0", 5) ||
			(con[5] && con[5] != ',' && con[5] != ' ')))
		rc = bootcmd_add(out, outlen, "console=ttyS0", 13);
	return rc;
}
