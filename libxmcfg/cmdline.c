/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmdline.c: the kernel command line exactly as xend composed it, with the
 * root device rewritten to the virtio disk it maps to and, when nothing
 * names a console, console=ttyS0 added (a Xen PV guest had its console
 * without asking; xmhv's console is the first serial port). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* "/dev/hda1" -> the guest_dev of the disk entry for it ("/dev/vda"), or for
 * its whole disk plus the partition ("/dev/vda1"). NULL when unmapped. */
static char *
cmdline_map_dev(const struct xmcfg_domain *dom, const char *dev, size_t n)
{
	char name[64], out[80];
	unsigned idx, part, didx, dpart;
	size_t i;

	if (n <= 5 || n - 5 >= sizeof(name) || strncmp(dev, "/dev/", 5))
		return NULL;
	memcpy(name, dev + 5, n - 5);
	name[n - 5] = '\0';
	if (!strncmp(name, "vd", 2) || xmdisk_vdev_index(name, &idx, &part) < 0)
		return NULL;
	for (i = 0; i < dom->ndisks; i++)
		if (!strcmp(dom->disks[i].vdev, name)) {
			snprintf(out, sizeof(out), "/dev/%s",
				 dom->disks[i].guest_dev);
			return xm_strdup(out);
		}
	for (i = 0; i < dom->ndisks; i++) {
		const char *v = dom->disks[i].vdev;

		if (xmdisk_vdev_index(v, &didx, &dpart) == 0 && dpart == 0 &&
		    didx == idx && strspn(v, "xhsd") == strspn(name, "xhsd") &&
		    !strncmp(v, name, strspn(v, "xhsd"))) {
			snprintf(out, sizeof(out), "/dev/%s%u",
				 dom->disks[i].guest_dev, part);
			return xm_strdup(out);
		}
	}
	return NULL;
}

/* Rewrite the device at the start of a root value ("/dev/hda1 ro"). */
static char *
cmdline_rewrite_root(const struct xmcfg_domain *dom, const char *root)
{
	size_t n = strcspn(root, " \t");
	char *dev = cmdline_map_dev(dom, root, n), *out;
	size_t len;

	if (!dev)
		return NULL;
	len = strlen(dev) + strlen(root + n) + 1;
	out = malloc(len);
	if (out)
		snprintf(out, len, "%s%s", dev, root + n);
	free(dev);
	return out;
}

/* Rewrite every "KEY=/dev/X" word of a command line whose X is a disk of
 * the config (root=, resume=, ...). */
static char *
cmdline_rewrite_tokens(const struct xmcfg_domain *dom, const char *s)
{
	struct xmbuf b = {0};
	const char *p = s, *tok, *word;
	char *dev;
	size_t n;

	while (*p) {
		tok = strstr(p, "=/dev/");
		word = tok;
		while (word && word > s && word[-1] != ' ' && word[-1] != '\t')
			word--;
		if (!tok || word == tok) {
			size_t skip = tok ? (size_t)(tok - p) + 1 : strlen(p);

			xmbuf_put(&b, p, skip);
			p += skip;
			continue;
		}
		xmbuf_put(&b, p, (size_t)(tok - p) + 1);
		tok += 1;
		n = strcspn(tok, " \t");
		dev = cmdline_map_dev(dom, tok, n);
		if (dev)
			xmbuf_put(&b, dev, strlen(dev));
		else
			xmbuf_put(&b, tok, n);
		free(dev);
		p = tok + n;
	}
	return xmbuf_finish(&b);
}

/* Does command line s name a console (a "console=" word)? */
static bool
cmdline_has_console(const char *s)
{
	const char *p = s;

	while ((p = strstr(p, "console=")) != NULL) {
		if (p == s || p[-1] == ' ' || p[-1] == '\t')
			return true;
		p += 8;
	}
	return false;
}

/* Xen's PV console names ("console=hvc0", "console=xvc0") become the
 * serial port: the guest has no Xen console here. A new string in *s. */
static int
cmdline_map_console(struct xmcfg_domain *dom, char **s)
{
	static const char *const xen[] = {"console=hvc0", "console=xvc0"};
	struct xmbuf b = {0};
	const char *p = *s;
	size_t i;

	while (*p) {
		for (i = 0; i < sizeof(xen) / sizeof(xen[0]); i++)
			if (!strncmp(p, xen[i], 12) &&
			    (p == *s || p[-1] == ' ' || p[-1] == '\t') &&
			    (!p[12] || p[12] == ' ' || p[12] == ','))
				break;
		if (i < sizeof(xen) / sizeof(xen[0])) {
			xmbuf_put(&b, "console=ttyS0", 13);
			dom->console_mapped = true;
			p += 12;
		} else {
			xmbuf_put(&b, p++, 1);
		}
	}
	xmbuf_put(&b, "", 1);
	if (b.failed) {
		xmbuf_free(&b);
		return -ENOMEM;
	}
	free(*s);
	*s = b.data;
	return 0;
}

/* Add " console=ttyS0" to *cmdline when it names no console, and say so
 * in dom->console_added; Xen's console names become ttyS0. Only for a
 * kernel the config names: a boot entry from the guest's disk brings its
 * own arguments. */
static int
cmdline_add_console(struct xmcfg_domain *dom, char **cmdline)
{
	struct xmbuf b = {0};
	const char *s = *cmdline ? *cmdline : "";
	size_t n = strlen(s);

	dom->console_added = false;
	dom->console_mapped = false;
	if (!dom->kernel || dom->type == XMCFG_GUEST_HVM ||
	    dom->cmdline_foreign)
		return 0;
	if (*cmdline && cmdline_map_console(dom, cmdline) < 0)
		return -ENOMEM;
	s = *cmdline ? *cmdline : "";
	n = strlen(s);
	/* Nothing is added that would pass the limit (key_check_lengths
	 * measures the user's own command line then). */
	if (cmdline_has_console(s) || n + 14 > XMCFG_CMDLINE_LEN_MAX)
		return 0;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	xmbuf_put(&b, s, n);
	xmbuf_printf(&b, "%sconsole=ttyS0", n ? " " : "");
	xmbuf_put(&b, "", 1);
	if (b.failed) {
		xmbuf_free(&b);
		return -ENOMEM;
	}
	free(*cmdline);
	*cmdline = b.data;
	dom->console_added = true;
	return 0;
}

/* The address of the first vif with ip= (its first one, without a
 * /PREFIX, which becomes the netmask), for the kernel's ip= when the
 * config has no top-level ip: written once, in the vif. The interface is
 * ethN, N the vif's position (virtio-net functions in config order).
 * Empty strings when there is none, or when the command line is another
 * tool's (domain XML without our metadata: taken as it is). */
static void
cmdline_vif_ip(const struct xmcfg_domain *dom, char *ip, size_t iplen,
	       char *mask, size_t masklen, char *dev, size_t devlen)
{
	unsigned a, b, c, d, prefix;
	char tail;
	size_t i, n;

	ip[0] = mask[0] = '\0';
	snprintf(dev, devlen, "eth0");
	for (i = 0; !dom->cmdline_foreign && i < dom->nvifs; i++) {
		const char *s = dom->vifs[i].ip;

		if (!s || !*s)
			continue;
		s += strspn(s, " ");
		n = strcspn(s, " /");
		if (n == 0 || n >= iplen ||
		    sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) < 4 ||
		    a > 255 || b > 255 || c > 255 || d > 255)
			return;
		memcpy(ip, s, n);
		ip[n] = '\0';
		if (s[n] == '/' && sscanf(s + n + 1, "%u", &prefix) == 1 &&
		    prefix >= 1 && prefix <= 32) {
			uint32_t m = 0xffffffffu << (32 - prefix);

			snprintf(mask, masklen, "%u.%u.%u.%u", m >> 24,
				 (m >> 16) & 0xff, (m >> 8) & 0xff, m & 0xff);
		}
		snprintf(dev, devlen, "eth%u", (unsigned)(i & 0xff));
		return;
	}
}

/* Build dom->cmdline as xend did: start from extra (with "nfsroot=S:R "
 * prepended for nfs_root), prepend "ip=..." when ip is set or dhcp is not
 * off and extra has no ip=, then "root=R " when extra has no "root=";
 * append "console=ttyS0" when it names no console (and there is a
 * kernel=).
 * xl's cmdline= is the whole command line instead (root, extra and the ip
 * settings are not used, as in xl). */
int
xmcmdline_build(struct xmcfg_domain *dom)
{
	struct xmbuf b = {0};
	const char *dhcp = dom->dhcp ? dom->dhcp : "off";
	const char *root = dom->root;
	char *rw = NULL, *extra = NULL, *out = NULL;
	struct xmbuf ip = {0};
	char vip[16], vmask[16], vdev[16];
	int rc = -ENOMEM;

	free(dom->root_rewritten);
	dom->root_rewritten = NULL;
	if (dom->xl_cmdline) {
		out = cmdline_rewrite_tokens(dom, dom->xl_cmdline);
		if (!out || cmdline_add_console(dom, &out) < 0) {
			free(out);
			return -ENOMEM;
		}
		free(dom->cmdline);
		dom->cmdline = out;
		return 0;
	}
	if (root) {
		if (!strncmp(root, "root=", 5))
			root += 5;
		rw = cmdline_rewrite_root(dom, root);
		if (rw) {
			dom->root_rewritten = xm_strdup(rw);
			if (!dom->root_rewritten)
				goto out;
			root = rw;
		}
	}
	if (dom->nfs_root)
		xmbuf_printf(&b, "nfsroot=%s:%s ",
			     dom->nfs_server ? dom->nfs_server : "",
			     dom->nfs_root);
	if (dom->extra)
		xmbuf_put(&b, dom->extra, strlen(dom->extra));
	xmbuf_put(&b, "", 1);
	if (b.failed)
		goto out;
	extra = b.data;
	b = (struct xmbuf){0};
	cmdline_vif_ip(dom, vip, sizeof(vip), vmask, sizeof(vmask), vdev,
		       sizeof(vdev));
	if ((dom->ip || vip[0] || strcmp(dhcp, "off")) &&
	    !strstr(extra, "ip=")) {
		xmbuf_printf(
			&ip, "ip=%s:%s:%s:%s:%s:%s:%s ",
			dom->ip ? dom->ip : vip,
			dom->nfs_server ? dom->nfs_server : "127.0.255.255",
			dom->gateway ? dom->gateway : "",
			dom->netmask ? dom->netmask
			: dom->ip    ? ""
				     : vmask,
			dom->hostname ? dom->hostname : "",
			dom->interface ? dom->interface : (dom->ip ? "eth0" : vdev),
			dhcp);
	}
	xmbuf_put(&ip, "", 1);
	if (ip.failed)
		goto out;
	if (root && !strstr(ip.data, "root=") && !strstr(extra, "root=")) {
		xmbuf_put(&b, "root=", 5);
		xmbuf_put(&b, root, strlen(root));
		xmbuf_put(&b, " ", 1);
	}
	xmbuf_put(&b, ip.data, strlen(ip.data));
	xmbuf_put(&b, extra, strlen(extra));
	xmbuf_put(&b, "", 1);
	if (b.failed)
		goto out;
	/* root= inside extra is the user's; map it too */
	out = cmdline_rewrite_tokens(dom, b.data);
	if (!out || cmdline_add_console(dom, &out) < 0) {
		free(out);
		goto out;
	}
	free(dom->cmdline);
	dom->cmdline = out;
	rc = 0;
out:
	xmbuf_free(&b);
	xmbuf_free(&ip);
	free(extra);
	free(rw);
	return rc;
}
