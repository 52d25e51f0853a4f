/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmdline.c: the kernel command line exactly as xend composed it, with the
 * root device rewritten to the virtio disk it maps to. */
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

/* Rewrite every "root=/dev/X" token of a command line. */
static char *
cmdline_rewrite_tokens(const struct xmcfg_domain *dom, const char *s)
{
	struct xmbuf b = {0};
	const char *p = s, *tok;
	char *dev;
	size_t n;

	while (*p) {
		tok = strstr(p, "root=/dev/");
		if (!tok || (tok > s && tok[-1] != ' ')) {
			size_t skip = tok ? (size_t)(tok - p) + 5 : strlen(p);

			xmbuf_put(&b, p, skip);
			p += skip;
			continue;
		}
		xmbuf_put(&b, p, (size_t)(tok - p) + 5);
		tok += 5;
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

/* Build dom->cmdline as xend did: start from extra (with "nfsroot=S:R "
 * prepended for nfs_root), prepend "ip=..." when ip is set or dhcp is not
 * off and extra has no ip=, then "root=R " when extra has no "root=".
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
	int rc = -ENOMEM;

	free(dom->root_rewritten);
	dom->root_rewritten = NULL;
	if (dom->xl_cmdline) {
		out = cmdline_rewrite_tokens(dom, dom->xl_cmdline);
		if (!out)
			return -ENOMEM;
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
	if ((dom->ip || strcmp(dhcp, "off")) && !strstr(extra, "ip=")) {
		xmbuf_printf(
			&ip, "ip=%s:%s:%s:%s:%s:%s:%s ", dom->ip ? dom->ip : "",
			dom->nfs_server ? dom->nfs_server : "127.0.255.255",
			dom->gateway ? dom->gateway : "",
			dom->netmask ? dom->netmask : "",
			dom->hostname ? dom->hostname : "",
			dom->interface ? dom->interface : "eth0", dhcp);
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
	if (!out)
		goto out;
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
