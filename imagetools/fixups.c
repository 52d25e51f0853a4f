/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fixups.c: the guide's edits applied to an image through the ext4
 * writer: fstab, hostname, network, serial getty, root's password or SSH
 * key, /lib/tls on Red Hat-like systems. */
#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixups.h"

static int
exists(struct ext4w *w, const char *p)
{
	mode_t m;

	return ext4w_lstat(w, p, &m) == 0;
}

void
fixups_probe(struct ext4w *w, struct guestinfo *g)
{
	char target[256];

	memset(g, 0, sizeof(*g));
	g->redhat = exists(w, "etc/redhat-release") ||
		    exists(w, "etc/sysconfig/network-scripts");
	g->systemd = exists(w, "lib/systemd/systemd") ||
		     exists(w, "usr/lib/systemd/systemd");
	g->inittab = exists(w, "etc/inittab");
	g->busybox_init =
		ext4w_readlink(w, "sbin/init", target, sizeof(target)) == 0 &&
		strstr(target, "busybox");
	g->udev_renames =
		exists(w, "lib/udev/rules.d/80-net-setup-link.rules") ||
		exists(w, "usr/lib/udev/rules.d/80-net-setup-link.rules");
	if (exists(w, "etc/network/interfaces") || exists(w, "sbin/ifup") ||
	    exists(w, "usr/sbin/ifup"))
		g->net = NET_IFUPDOWN;
	else if (g->redhat)
		g->net = NET_IFCFG;
	else if (g->systemd)
		g->net = NET_NETWORKD;
	else
		g->net = NET_IFUPDOWN;
}

/* Read path (absent: empty), run fix over it, write it back. */
static int
edit(struct ext4w *w, const char *path, char **old, size_t *oldlen, char *msg,
     size_t len)
{
	int r = ext4w_read(w, path, TEXTFIX_MAX, old, oldlen);

	if (r < 0) {
		snprintf(msg, len, "%s", ext4w_error(w));
		return -1;
	}
	if (r == 1) {
		*old = strdup("");
		*oldlen = 0;
		if (!*old) {
			snprintf(msg, len, "out of memory");
			return -1;
		}
		return 1;
	}
	return 0;
}

static int
put(struct ext4w *w, const char *path, const char *text, mode_t mode, char *msg,
    size_t len)
{
	if (ext4w_write(w, path, text, strlen(text), mode) < 0) {
		snprintf(msg, len, "%s", ext4w_error(w));
		return -1;
	}
	return 0;
}

int
fix_fstab(struct ext4w *w, const struct fstab_map *m, char *msg, size_t len)
{
	char *old = NULL, *new = NULL;
	size_t n;
	int changes = 0, absent, rc = -1;

	absent = edit(w, "etc/fstab", &old, &n, msg, len);
	if (absent < 0)
		return -1;
	if (fstab_rewrite(old, n, m, &new, &changes) < 0) {
		snprintf(msg, len, "/etc/fstab: too large or out of memory");
		goto out;
	}
	if (put(w, "etc/fstab", new, 0644, msg, len) < 0)
		goto out;
	snprintf(msg, len, "%sroot %s%s%s, %d line%s changed",
		 absent ? "written: " : "", m->root_dev,
		 m->swap_dev ? ", swap " : "", m->swap_dev ? m->swap_dev : "",
		 changes, changes == 1 ? "" : "s");
	rc = 0;
out:
	free(old);
	free(new);
	return rc;
}

int
fix_hostname(struct ext4w *w, const struct guestinfo *g, const char *name,
	     char *msg, size_t len)
{
	char *old = NULL, *new = NULL, line[300];
	size_t n;
	int rc = -1;

	snprintf(line, sizeof(line), "%s\n", name);
	if (put(w, "etc/hostname", line, 0644, msg, len) < 0)
		return -1;
	if (edit(w, "etc/hosts", &old, &n, msg, len) < 0)
		return -1;
	if (hosts_set_name(old, n, name, &new) < 0) {
		snprintf(msg, len, "/etc/hosts: too large or out of memory");
		goto out;
	}
	if (put(w, "etc/hosts", new, 0644, msg, len) < 0)
		goto out;
	if (g->redhat) {
		snprintf(line, sizeof(line), "NETWORKING=yes\nHOSTNAME=%s\n",
			 name);
		if (put(w, "etc/sysconfig/network", line, 0644, msg, len) < 0)
			goto out;
	}
	snprintf(msg, len, "%s in /etc/hostname and /etc/hosts%s", name,
		 g->redhat ? " and /etc/sysconfig/network" : "");
	rc = 0;
out:
	free(old);
	free(new);
	return rc;
}

int
fix_network(struct ext4w *w, const struct guestinfo *g, const struct netcfg *n,
	    char *msg, size_t len)
{
	struct netcfg nd = *n;
	const char *path, *names = "";
	char *text = NULL;
	int rc;

	switch (g->net) {
	case NET_IFCFG:
		path = "etc/sysconfig/network-scripts/ifcfg-eth0";
		rc = netcfg_ifcfg(n, &text);
		break;
	case NET_NETWORKD:
		path = "etc/systemd/network/20-xm-eth0.network";
		nd.ifname = "eth0 en*";
		rc = netcfg_networkd(&nd, &text);
		break;
	default:
		path = "etc/network/interfaces";
		rc = netcfg_interfaces(n, &text);
		break;
	}
	if (rc < 0) {
		snprintf(msg, len, "the network settings: %s", strerror(-rc));
		return -1;
	}
	rc = put(w, path, text, 0644, msg, len);
	free(text);
	if (rc < 0)
		return -1;
	if (g->net == NET_NETWORKD) {
		struct ext4w_entry e = {
			.path = "etc/systemd/system/multi-user.target.wants/"
				"systemd-networkd.service",
			.mode = S_IFLNK | 0777,
			.link = "/lib/systemd/system/systemd-networkd.service",
		};

		if (!exists(w, e.path) && ext4w_add(w, &e, NULL, NULL) < 0) {
			snprintf(msg, len, "%s", ext4w_error(w));
			return -1;
		}
	}
	/* ifupdown and ifcfg name eth0: keep udev from renaming it (its
	 * documented switch: 99-default.link masked; an initramfs made
	 * before that still renames, which the config's net.ifnames=0
	 * stops: create.c adds it) */
	if (g->net != NET_NETWORKD && g->udev_renames &&
	    !exists(w, "etc/systemd/network/99-default.link")) {
		struct ext4w_entry e = {
			.path = "etc/systemd/network/99-default.link",
			.mode = S_IFLNK | 0777,
			.link = "/dev/null",
		};

		if (ext4w_add(w, &e, NULL, NULL) < 0) {
			snprintf(msg, len, "%s", ext4w_error(w));
			return -1;
		}
		names = ", eth0 kept (99-default.link masked)";
	}
	snprintf(msg, len, "/%s (%s): %s%s%s%s", path,
		 g->net == NET_IFCFG      ? "ifcfg"
		 : g->net == NET_NETWORKD ? "systemd-networkd"
					  : "ifupdown",
		 n->dhcp ? "DHCP" : n->ip, n->dhcp ? "" : " netmask ",
		 n->dhcp ? "" : (n->netmask ? n->netmask : "255.255.255.0"),
		 names);
	return 0;
}

int
fix_getty(struct ext4w *w, const struct guestinfo *g, char *msg, size_t len)
{
	char *old = NULL, *new = NULL;
	size_t n;
	int changes = 0, rc = -1;
	const char *unit = "/lib/systemd/system/serial-getty@.service";
	const char *want = "etc/systemd/system/getty.target.wants/"
			   "serial-getty@ttyS0.service";

	if (g->systemd) {
		struct ext4w_entry e = {
			.path = want, .mode = S_IFLNK | 0777, .link = unit};

		if (!exists(w, unit) &&
		    exists(w, "usr/lib/systemd/system/serial-getty@.service"))
			e.link = unit = "/usr/lib/systemd/system/"
					"serial-getty@.service";
		if (exists(w, want)) {
			snprintf(msg, len,
				 "systemd: serial-getty@ttyS0 "
				 "already enabled");
			return 0;
		}
		if (ext4w_add(w, &e, NULL, NULL) < 0) {
			snprintf(msg, len, "%s", ext4w_error(w));
			return -1;
		}
		snprintf(msg, len, "systemd: serial-getty@ttyS0 enabled");
		return 0;
	}
	if (!g->inittab && !g->busybox_init) {
		snprintf(msg, len,
			 "skipped: no /etc/inittab and no systemd "
			 "(the image's init is left as it is)");
		return 0;
	}
	if (!g->inittab) {
		static const char bb[] =
			"# /etc/inittab: written by xm-create-image (busybox "
			"init)\n::sysinit:/etc/init.d/rcS\n"
			"ttyS0::respawn:/sbin/getty -L ttyS0 115200 vt100\n"
			"::ctrlaltdel:/sbin/reboot\n"
			"::shutdown:/bin/umount -a -r\n";

		if (put(w, "etc/inittab", bb, 0644, msg, len) < 0)
			return -1;
		snprintf(msg, len, "/etc/inittab (busybox): getty on ttyS0");
		return 0;
	}
	if (edit(w, "etc/inittab", &old, &n, msg, len) < 0)
		return -1;
	if (inittab_serial(old, n, &new, &changes) < 0) {
		snprintf(msg, len, "/etc/inittab: too large or out of memory");
		goto out;
	}
	if (changes && put(w, "etc/inittab", new, 0644, msg, len) < 0)
		goto out;
	snprintf(msg, len, "/etc/inittab: %s",
		 changes ? "getty on ttyS0" : "already has a getty on ttyS0");
	rc = 0;
out:
	free(old);
	free(new);
	return rc;
}

int
fix_password(struct ext4w *w, const char *password, char *msg, size_t len)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	char *old = NULL, *new = NULL, *hash;
	size_t n;
	int rc = -1;

	if (!cd) {
		snprintf(msg, len, "out of memory");
		return -1;
	}
	if (!crypt_gensalt_rn("$6$", 0, NULL, 0, salt, sizeof(salt)) ||
	    !(hash = crypt_r(password, salt, cd)) || hash[0] == '*') {
		snprintf(msg, len, "crypt(3) SHA-512: %s", strerror(errno));
		goto out;
	}
	if (edit(w, "etc/shadow", &old, &n, msg, len) < 0)
		goto out;
	if (shadow_set_root(old, n, hash, &new) < 0) {
		snprintf(msg, len, "/etc/shadow: too large or out of memory");
		goto out;
	}
	if (put(w, "etc/shadow", new, 0640, msg, len) < 0)
		goto out;
	snprintf(msg, len, "root's password set in /etc/shadow (SHA-512)");
	rc = 0;
out:
	free(old);
	free(new);
	free(cd);
	return rc;
}

int
fix_ssh_key(struct ext4w *w, const char *keyfile, char *msg, size_t len)
{
	struct ext4w_entry d = {.path = "root/.ssh", .mode = S_IFDIR | 0700};
	char *key = NULL, *old = NULL, *all = NULL;
	size_t klen, n;
	int rc = -1, r;

	r = util_read_file(keyfile, 64 << 10, &key, &klen);
	if (r < 0) {
		snprintf(msg, len, "%s: %s", keyfile, strerror(-r));
		return -1;
	}
	if (strncmp(key, "ssh-", 4) && strncmp(key, "ecdsa-", 6) &&
	    strncmp(key, "sk-", 3)) {
		snprintf(msg, len, "%s: not an OpenSSH public key", keyfile);
		goto out;
	}
	if (ext4w_add(w, &d, NULL, NULL) < 0 ||
	    edit(w, "root/.ssh/authorized_keys", &old, &n, msg, len) < 0) {
		snprintf(msg, len, "%s", ext4w_error(w));
		goto out;
	}
	if (asprintf(&all, "%s%s%s%s", old, n && old[n - 1] != '\n' ? "\n" : "",
		     key, klen && key[klen - 1] != '\n' ? "\n" : "") < 0) {
		all = NULL;
		snprintf(msg, len, "out of memory");
		goto out;
	}
	if (put(w, "root/.ssh/authorized_keys", all, 0600, msg, len) < 0)
		goto out;
	snprintf(msg, len, "%s added to /root/.ssh/authorized_keys", keyfile);
	rc = 0;
out:
	free(key);
	free(old);
	free(all);
	return rc;
}

int
fix_tls(struct ext4w *w, const struct guestinfo *g, char *msg, size_t len)
{
	mode_t m;

	if (!g->redhat) {
		snprintf(msg, len, "skipped: not a Red Hat-like system");
		return 0;
	}
	if (ext4w_lstat(w, "lib/tls", &m) != 0 || !S_ISDIR(m)) {
		snprintf(msg, len, "skipped: no /lib/tls");
		return 0;
	}
	if (ext4w_rename(w, "lib/tls", "lib/tls.disabled") < 0) {
		snprintf(msg, len, "%s", ext4w_error(w));
		return -1;
	}
	snprintf(msg, len, "/lib/tls moved to /lib/tls.disabled");
	return 0;
}

struct newest {
	char ver[200];
};

static void
newest_kernel(void *ctx, const char *name, mode_t mode)
{
	struct newest *n = ctx;

	if (strncmp(name, "vmlinuz-", 8) || strstr(name, "-xen") ||
	    strlen(name + 8) >= sizeof(n->ver))
		return;
	if (!n->ver[0] || strverscmp(name + 8, n->ver) > 0)
		snprintf(n->ver, sizeof(n->ver), "%s", name + 8);
}

int
fix_bootmenu(struct ext4w *w, const char *root_dev, char *msg, size_t len)
{
	struct newest n = {""};
	char initrd[300], *text = NULL;
	mode_t m;
	int rc;

	if (ext4w_lstat(w, "boot/grub/grub.cfg", &m) == 0) {
		snprintf(msg, len, "the image's /boot/grub/grub.cfg");
		return 0;
	}
	if (ext4w_list(w, "boot", newest_kernel, &n) < 0 || !n.ver[0]) {
		snprintf(msg, len, "no /boot/vmlinuz-VERSION in the image");
		return -1;
	}
	snprintf(initrd, sizeof(initrd), "boot/initrd.img-%s", n.ver);
	if (ext4w_lstat(w, initrd, &m) != 0)
		initrd[0] = 0;
	if (asprintf(&text,
		     "# /boot/grub/grub.cfg: written by xm-create-image, read "
		     "by xm-bootloader\n"
		     "set default=0\nset timeout=0\n"
		     "menuentry 'Linux %s' {\n"
		     "\tlinux /boot/vmlinuz-%s root=%s ro console=ttyS0\n"
		     "%s%s%s}\n",
		     n.ver, n.ver, root_dev, initrd[0] ? "\tinitrd /" : "",
		     initrd, initrd[0] ? "\n" : "") < 0) {
		snprintf(msg, len, "out of memory");
		return -1;
	}
	rc = put(w, "boot/grub/grub.cfg", text, 0644, msg, len);
	free(text);
	if (rc < 0)
		return -1;
	snprintf(msg, len, "/boot/grub/grub.cfg written: vmlinuz-%s%s%s", n.ver,
		 initrd[0] ? " with " : "", initrd[0] ? initrd + 5 : "");
	return 0;
}
