/* SPDX-License-Identifier: GPL-2.0-or-later */
/* imgcfg.c: the config xm-create-image writes, and reading back its own
 * lines (name, memory, vcpus, MAC, address, what it made). Pure. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imgcfg.h"
#include "textbuf.h"

#define MARK "# xm-create-image:"

/* A Python string literal for s (double quotes), or -EINVAL. */
static int
py_str(struct textbuf *b, const char *s)
{
	const char *p;

	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return -EINVAL;
	tb_str(b, "\"");
	for (p = s; *p; p++) {
		if (*p == '"' || *p == '\\')
			tb_str(b, "\\");
		tb_add(b, p, 1);
	}
	tb_str(b, "\"");
	return 0;
}

int
imgcfg_write(const struct imgcfg *c, char **out)
{
	struct textbuf b = {0};
	size_t i;
	int bad = 0;

	tb_printf(&b, "# /etc/xen/%s: written by xm-create-image from %s.\n",
		  c->name, c->source ? c->source : "a root filesystem");
	tb_str(&b, "#\n#     xm create -c NAME        # boot it and watch "
		   "(CTRL-] leaves the console)\n"
		   "#     xm shutdown -w NAME      # power it off\n"
		   "#     xm-delete-image NAME     # remove it, its disks "
		   "and this file\n"
		   "# This file is Python, evaluated by xm in a sandbox.\n\n");
	if (c->kernel) {
		tb_str(&b, "# The kernel to boot, a path on the host (xmhv "
			   "boots it directly),\n# and its initrd (it loads "
			   "virtio_blk and mounts root=).\nkernel = ");
		bad |= py_str(&b, c->kernel);
		tb_str(&b, "\n");
		if (c->ramdisk) {
			tb_str(&b, "ramdisk = ");
			bad |= py_str(&b, c->ramdisk);
			tb_str(&b, "\n");
		}
	} else {
		tb_str(&b, "# Boot the kernel and initrd of the guest's own "
			   "boot menu (pygrub's job).\n"
			   "bootloader = \"pygrub\"\n");
	}
	tb_printf(&b,
		  "\n# Memory in MiB and the number of virtual CPUs.\n"
		  "memory = %u\nvcpus = %u\n",
		  c->memory, c->vcpus);
	tb_str(&b, "name = ");
	bad |= py_str(&b, c->name);
	tb_str(&b, "          # the name xm list shows\n");
	if (c->uuid)
		tb_printf(&b, "uuid = \"%s\"\n", c->uuid);
	tb_str(&b, "\n# One network interface; its MAC stays the same at "
		   "every create\n# (and so does its DHCP lease).\nvif = [ '");
	{
		struct textbuf v = {0};
		char *vs = NULL;

		tb_printf(&v, "mac=%s", c->mac);
		if (c->bridge)
			tb_printf(&v, ", bridge=%s", c->bridge);
		if (tb_finish(&v, &vs) < 0)
			return -ENOMEM;
		if (strpbrk(vs, "'\\\n"))
			bad = -EINVAL;
		tb_str(&b, vs);
		free(vs);
	}
	tb_str(&b, "' ]\n");
	tb_str(&b, "\n# The disks, in order the guest's /dev/vda, /dev/vdb "
		   "(virtio),\n# whatever name is written here.\ndisk = [ ");
	for (i = 0; i < c->ndisks; i++) {
		const struct imgcfg_disk *d = &c->disks[i];
		struct textbuf e = {0};
		char *es = NULL;

		tb_printf(&e, "%s,%s,w", d->target, d->vdev);
		if (tb_finish(&e, &es) < 0)
			return -ENOMEM;
		if (strpbrk(es, "'\\\n"))
			bad = -EINVAL;
		tb_printf(&b, "%s'%s'%s   # %s\n", i ? "         " : "", es,
			  i + 1 < c->ndisks ? "," : " ]", d->what);
		free(es);
	}
	if (!c->ndisks)
		tb_str(&b, "]\n");
	if (c->root) {
		tb_str(&b, "\n# The root device as Xen named it: xm rewrites "
			   "it to the virtio name.\nroot = ");
		bad |= py_str(&b, c->root);
		tb_str(&b, "\n");
	}
	tb_str(&b, "# More kernel arguments: the console is the first "
		   "serial port.\nextra = ");
	bad |= py_str(&b, c->extra ? c->extra : "console=ttyS0");
	tb_str(&b, "\n\n# What to do when the guest powers off, reboots or "
		   "crashes.\non_poweroff = 'destroy'\non_reboot   = "
		   "'restart'\non_crash    = 'restart'\n\n");
	tb_printf(&b, MARK " network %s\n", c->ip ? c->ip : "dhcp");
	for (i = 0; i < c->ndisks; i++)
		if (c->disks[i].made)
			tb_printf(&b, MARK " made %s\n", c->disks[i].made);
	if (bad) {
		free(b.s);
		return -EINVAL;
	}
	return tb_finish(&b, out);
}

/* Copy a quoted or bare value after "key =" into dst. */
static void
value(const char *p, size_t n, char *dst, size_t size)
{
	size_t i = 0, k = 0;
	char q = 0;

	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (i < n && (p[i] == '"' || p[i] == '\''))
		q = p[i++];
	while (i < n && k + 1 < size) {
		if (q ? p[i] == q : (p[i] == ' ' || p[i] == '#'))
			break;
		if (q && p[i] == '\\' && i + 1 < n)
			i++;
		dst[k++] = p[i++];
	}
	dst[k] = 0;
}

static int
key_is(const char *line, size_t n, const char *key, size_t *after)
{
	size_t kl = strlen(key), i;

	if (n <= kl || memcmp(line, key, kl))
		return 0;
	for (i = kl; i < n && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	if (i >= n || line[i] != '=')
		return 0;
	*after = i + 1;
	return 1;
}

void
imgcfg_read(const char *text, size_t len, struct imgcfg_info *info)
{
	const char *line;
	size_t pos = 0, n, a;
	const size_t ml = strlen(MARK);

	memset(info, 0, sizeof(*info));
	while ((line = tb_line(text, len, &pos, &n))) {
		if (key_is(line, n, "name", &a)) {
			value(line + a, n - a, info->name, sizeof(info->name));
		} else if (key_is(line, n, "memory", &a)) {
			value(line + a, n - a, info->memory,
			      sizeof(info->memory));
		} else if (key_is(line, n, "vcpus", &a)) {
			value(line + a, n - a, info->vcpus,
			      sizeof(info->vcpus));
		} else if (key_is(line, n, "vif", &a)) {
			const char *m = NULL;
			size_t i;

			for (i = a; i + 4 <= n; i++)
				if (!memcmp(line + i, "mac=", 4)) {
					m = line + i + 4;
					break;
				}
			if (m)
				value(m, n - (size_t)(m - line), info->mac,
				      sizeof(info->mac));
			info->mac[strcspn(info->mac, ",'\" ")] = 0;
		} else if (n > ml && !memcmp(line, MARK, ml)) {
			const char *p = line + ml;
			size_t r = n - ml;

			info->ours = 1;
			if (r > 9 && !memcmp(p, " network ", 9)) {
				value(p + 9, r - 9, info->ip, sizeof(info->ip));
			} else if (r > 6 && !memcmp(p, " made ", 6) &&
				   info->nmade < 8 && r - 6 < 512) {
				memcpy(info->made[info->nmade], p + 6, r - 6);
				info->made[info->nmade][r - 6] = 0;
				if (strlen(info->made[info->nmade]) == r - 6)
					info->nmade++;
			}
		} else if (n > 11 && !memcmp(line, "# /etc/xen/", 11)) {
			const char *f = memmem(line, n, "from ", 5);

			if (f && !info->source[0]) {
				size_t k = n - (size_t)(f + 5 - line);

				if (k >= sizeof(info->source))
					k = sizeof(info->source) - 1;
				memcpy(info->source, f + 5, k);
				info->source[k] = 0;
				if (k && info->source[k - 1] == '.')
					info->source[k - 1] = 0;
			}
		}
	}
}
