/* SPDX-License-Identifier: GPL-2.0-or-later */
/* adapt.c: xm-adapt-image CONFIG, what virt-v2v does for Xen-to-KVM on
 * our users' images, without booting or mounting them: for each disk of
 * the config (ext2/3/4 images and volumes, opened with libext2fs), lists
 * and on request fixes /etc/fstab and boot configs naming Xen's disks,
 * gettys on xvc0/hvc0 (inittab and systemd); says which generic kernel to
 * install beside a Xen-only one and how to rebuild an initrd that lacks
 * virtio_blk or virtio_pci. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootdisk.h"
#include "ext4w.h"
#include "storage.h"
#include "textfix.h"
#include "util.h"
#include "vbdlist.h"

#define PROG "xm-adapt-image"
#define ADAPT_PARTS 16 /* partitions 1..15 of a disk, 0 the whole */

/* One ext2/3/4 filesystem found on a disk of the config. */
struct fsys {
	size_t vbd;
	unsigned part;
	struct ext4w *w;
};

struct run {
	int dry, uuid;
	int changes, advice, errors;
	struct vbd vbd[VBD_MAX];
	size_t nvbd;
	/* each filesystem's UUID, by disk and partition (0: the whole
	 * disk), for --uuid */
	char uuids[VBD_MAX][ADAPT_PARTS][37];
	struct devmap map[VBD_MAX * 16];
	char mapbuf[VBD_MAX * 16][2][64];
	size_t nmap;
	const char *disk; /* the one being looked at, for messages */
};

static void change(struct run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
change(struct run *r, const char *fmt, ...)
{
	va_list ap;

	r->changes++;
	printf("%s: %s ", r->disk, r->dry ? "would fix" : "fixed");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void advise(struct run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
advise(struct run *r, const char *fmt, ...)
{
	va_list ap;

	r->advice++;
	printf("%s: advice: ", r->disk);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static int
add_map(struct run *r, const char *from, const char *to)
{
	if (r->nmap >= VBD_MAX * 16)
		return -1;
	snprintf(r->mapbuf[r->nmap][0], 64, "/dev/%s", from);
	snprintf(r->mapbuf[r->nmap][1], 64, "%s", to);
	r->map[r->nmap].from = r->mapbuf[r->nmap][0];
	r->map[r->nmap].to = r->mapbuf[r->nmap][1];
	r->nmap++;
	return 0;
}

/* The renames the config implies: each vdev to its virtio name (or to
 * UUID= for fstab with --uuid), and for a whole-disk vdev (xvda) its
 * partitions (xvda1 -> vda1). */
static void
build_map(struct run *r, int for_fstab)
{
	size_t i;
	int p;

	r->nmap = 0;
	for (i = 0; i < r->nvbd; i++) {
		const char *v = r->vbd[i].dev;
		size_t l = strlen(v);
		char to[64], from[40];

		if (!strncmp(v, "vd", 2) || !l)
			continue;
		if (for_fstab && r->uuid && r->uuids[i][0][0])
			snprintf(to, sizeof(to), "UUID=%s", r->uuids[i][0]);
		else
			snprintf(to, sizeof(to), "/dev/%s", r->vbd[i].guest);
		(void)add_map(r, v, to);
		if (v[l - 1] >= '0' && v[l - 1] <= '9')
			continue;
		for (p = 1; p <= 15; p++) {
			snprintf(from, sizeof(from), "%s%d", v, p);
			if (for_fstab && r->uuid && r->uuids[i][p][0])
				snprintf(to, sizeof(to), "UUID=%s",
					 r->uuids[i][p]);
			else
				snprintf(to, sizeof(to), "/dev/%s%d",
					 r->vbd[i].guest, p);
			(void)add_map(r, from, to);
		}
	}
}

static void
remap_file(struct run *r, struct ext4w *w, const char *path, int fstab)
{
	char *old = NULL, *new = NULL, *left = NULL;
	size_t n;
	int ch = 0, cc = 0, k, rc = ext4w_read(w, path, TEXTFIX_MAX, &old, &n);

	if (rc == 1)
		return;
	if (rc < 0) {
		printf("%s: error: %s\n", r->disk, ext4w_error(w));
		r->errors++;
		return;
	}
	build_map(r, fstab);
	if (devname_remap(old, n, r->map, r->nmap, &new, &ch) < 0) {
		printf("%s: error: /%s: too large\n", r->disk, path);
		r->errors++;
		goto out;
	}
	if (!fstab) {
		char *con = NULL;

		if (console_remap(new, strlen(new), &con, &cc) < 0) {
			printf("%s: error: /%s: too large\n", r->disk, path);
			r->errors++;
			goto out;
		}
		free(new);
		new = con;
		ch += cc;
	}
	if (ch) {
		if (!r->dry &&
		    ext4w_write(w, path, new, strlen(new), 0644) < 0) {
			printf("%s: error: %s\n", r->disk, ext4w_error(w));
			r->errors++;
			goto out;
		}
		if (ch - cc)
			change(r, "/%s: %d Xen disk name%s renamed to %s", path,
			       ch - cc, ch - cc == 1 ? "" : "s",
			       fstab && r->uuid
				       ? "UUID= or the virtio names"
				       : "the virtio names (vda, vdb, ...)");
		if (cc)
			change(r,
			       "/%s: %d console=hvc0/xvc0 made console=ttyS0",
			       path, cc);
	}
	k = devname_xen_left(new, strlen(new), &left);
	if (k > 0)
		advise(r,
		       "/%s still names %s(no such disk in the config: "
		       "add it to disk= or edit the file)",
		       path, left);
out:
	free(old);
	free(new);
	free(left);
}

static void
fix_inittab(struct run *r, struct ext4w *w)
{
	char *old = NULL, *new = NULL;
	size_t n;
	int ch = 0;

	if (ext4w_read(w, "etc/inittab", TEXTFIX_MAX, &old, &n) != 0)
		return;
	if ((strstr(old, "hvc0") || strstr(old, "xvc0")) &&
	    inittab_serial(old, n, &new, &ch) == 0 && ch) {
		if (!r->dry &&
		    ext4w_write(w, "etc/inittab", new, strlen(new), 0644) < 0) {
			printf("%s: error: %s\n", r->disk, ext4w_error(w));
			r->errors++;
		} else {
			change(r, "/etc/inittab: the getty on xvc0/hvc0 moved "
				  "to ttyS0 (the domain's console)");
		}
	}
	free(old);
	free(new);
}

struct names {
	char list[64][256];
	int n;
};

static void
collect(void *ctx, const char *name, mode_t mode)
{
	struct names *ns = ctx;

	if (ns->n < 64)
		snprintf(ns->list[ns->n++], 256, "%s", name);
}

static void
fix_systemd_getty(struct run *r, struct ext4w *w)
{
	static const char dir[] = "etc/systemd/system/getty.target.wants";
	struct names ns = {.n = 0};
	int i;

	if (ext4w_list(w, dir, collect, &ns) != 0)
		return;
	for (i = 0; i < ns.n; i++) {
		const char *nm = ns.list[i];
		char from[512], to[512], target[512];
		struct ext4w_entry e = {.mode = S_IFLNK | 0777};

		if (strcmp(nm, "serial-getty@hvc0.service") &&
		    strcmp(nm, "serial-getty@xvc0.service") &&
		    strcmp(nm, "getty@hvc0.service") &&
		    strcmp(nm, "getty@xvc0.service"))
			continue;
		snprintf(from, sizeof(from), "%s/%s", dir, nm);
		snprintf(to, sizeof(to), "%s/serial-getty@ttyS0.service", dir);
		if (ext4w_readlink(w, from, target, sizeof(target)) != 0)
			snprintf(target, sizeof(target),
				 "/lib/systemd/system/serial-getty@.service");
		if (!strstr(target, "serial-getty@"))
			snprintf(target, sizeof(target),
				 "/lib/systemd/system/serial-getty@.service");
		if (!r->dry) {
			mode_t m;

			e.path = to;
			e.link = target;
			if (ext4w_unlink(w, from) < 0 ||
			    (ext4w_lstat(w, to, &m) == 1 &&
			     ext4w_add(w, &e, NULL, NULL) < 0)) {
				printf("%s: error: %s\n", r->disk,
				       ext4w_error(w));
				r->errors++;
				continue;
			}
		}
		change(r, "/%s: replaced by serial-getty@ttyS0.service", from);
	}
}

struct rd_ctx {
	char *data;
	size_t len;
};

static int
rd_mem(void *ctx, uint64_t off, void *buf, size_t len)
{
	struct rd_ctx *c = ctx;

	if (off > c->len || len > c->len - off)
		return -EIO;
	memcpy(buf, c->data + off, len);
	return 0;
}

/* The initrd of kernel version ver, if there is one: its virtio drivers,
 * or the modules being built into the kernel (modules.builtin). */
static void
check_initrd(struct run *r, struct ext4w *w, const char *ver)
{
	/* Debian's, Red Hat's (two ages) and SUSE's names */
	static const char *const pre[] = {"boot/initrd.img-", "boot/initramfs-",
					  "boot/initrd-", "boot/initrd-"};
	static const char *const suf[] = {"", ".img", ".img", ""};
	char path[512], *data = NULL, *builtin = NULL;
	struct bd_initrd st;
	size_t i, n, bn;
	int rc = 1, redhat;
	mode_t m;

	for (i = 0; i < 4 && rc == 1; i++) {
		snprintf(path, sizeof(path), "%s%s%s", pre[i], ver, suf[i]);
		rc = ext4w_read(w, path, 512u << 20, &data, &n);
	}
	if (rc != 0)
		return;
	snprintf(path + 256, 256, "lib/modules/%s/modules.builtin", ver);
	if (ext4w_read(w, path + 256, 4 << 20, &builtin, &bn) == 0 &&
	    strstr(builtin, "/virtio_blk.ko") &&
	    strstr(builtin, "/virtio_pci.ko")) {
		free(data);
		free(builtin);
		return;
	}
	{
		struct rd_ctx c = {data, n};

		if (bd_initrd_scan(rd_mem, &c, n, 512u << 20, &st) < 0) {
			advise(r, "/%s: not a readable initramfs", path);
			goto out;
		}
	}
	if (st.virtio_blk && st.virtio_pci)
		goto out;
	redhat = ext4w_lstat(w, "etc/redhat-release", &m) == 0;
	advise(r,
	       "/%s has no %s%s%s: the guest will not find its disk; "
	       "rebuild it in the guest %s",
	       path, st.virtio_blk ? "" : "virtio_blk",
	       !st.virtio_blk && !st.virtio_pci ? " and " : "",
	       st.virtio_pci ? "" : "virtio_pci",
	       redhat ? "with `dracut --add-drivers \"virtio_blk virtio_pci\" "
			"-f`"
		      : "after adding virtio_blk and virtio_pci to "
			"/etc/initramfs-tools/modules: `update-initramfs -u`");
out:
	free(data);
	free(builtin);
}

static void
check_kernels(struct run *r, struct ext4w *w)
{
	struct names ns = {.n = 0};
	const char *generic = NULL;
	int i, xen = 0;
	mode_t m;

	if (ext4w_list(w, "boot", collect, &ns) != 0)
		return;
	for (i = 0; i < ns.n; i++) {
		const char *nm = ns.list[i];

		if (strncmp(nm, "vmlinuz-", 8))
			continue;
		if (strstr(nm, "-xen") || strstr(nm, "xenU")) {
			xen++;
			advise(r,
			       "/boot/%s is a Xen-only kernel: it does not "
			       "boot on KVM",
			       nm);
		} else {
			generic = nm;
			check_initrd(r, w, nm + 8);
		}
	}
	if (!xen)
		return;
	if (generic)
		advise(r,
		       "boot /boot/%s instead (make it the boot menu's "
		       "default, or kernel= in the config)",
		       generic);
	else
		advise(r, "install a generic kernel in the guest: %s",
		       ext4w_lstat(w, "etc/redhat-release", &m) == 0
			       ? "`yum install kernel` (or dnf)"
			       : "`apt-get install linux-image-amd64` "
				 "(Debian; linux-image-generic on Ubuntu)");
}

/* Evaluate the config with xm-config (as xm create -n does) and read its
 * disks. */
static int
load_config(struct run *r, const char *cfg, char *err, size_t errlen)
{
	char helper[PATH_MAX];
	static char out[1 << 16];
	char *argv[] = {helper, "-q", "-n", (char *)cfg, NULL};

	if (util_helper_path("../xmctl/xm-config", XM_LIBEXECDIR, "xm-config",
			     helper, sizeof(helper)) < 0) {
		snprintf(err, errlen, "xm-config: path too long");
		return -1;
	}
	if (storage_run(argv, out, sizeof(out), err, errlen) != 0)
		return -1;
	r->nvbd = vbdlist_parse(out, strlen(out), r->vbd, VBD_MAX);
	if (!r->nvbd) {
		snprintf(err, errlen, "%s: no disks", cfg);
		return -1;
	}
	return 0;
}

static int
rd_fd(void *ctx, uint64_t off, void *buf, size_t len)
{
	ssize_t n = pread(*(int *)ctx, buf, len, (off_t)off);

	return n == (ssize_t)len ? 0 : -EIO;
}

/* The ext2/3/4 filesystems of disk i: the whole disk, or its MBR/GPT
 * partitions (bootdisk's layout probe, as xm-bootloader reads them). */
static void
open_disk(struct run *r, size_t i, const char *path, struct fsys *fs,
	  size_t *nfs)
{
	static struct bd_layout lay;
	char err[1024];
	off_t size;
	size_t p;
	int fd = open(path, O_RDONLY | O_CLOEXEC), found = 0;

	if (fd < 0) {
		printf("%s (%s): error: %s: %s\n", r->vbd[i].dev,
		       r->vbd[i].uname, path, strerror(errno));
		r->errors++;
		return;
	}
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || bd_layout_probe(rd_fd, &fd, (uint64_t)size, &lay, err,
					 sizeof(err)) < 0) {
		lay.table = BD_TABLE_NONE;
		lay.nparts = 1;
		lay.parts[0] = (struct bd_part){0, 0, (uint64_t)size};
	}
	close(fd);
	for (p = 0; p < lay.nparts; p++) {
		const struct bd_part *bp = &lay.parts[p];
		struct ext4w *w = NULL;

		if (bp->number >= ADAPT_PARTS)
			continue;
		if (ext4w_open_at(path, bp->off, &w, err, sizeof(err)) < 0)
			continue;
		ext4w_uuid(w, r->uuids[i][bp->number]);
		fs[*nfs] = (struct fsys){i, bp->number, w};
		(*nfs)++;
		found++;
	}
	if (!found)
		printf("%s (%s): skipped: no ext2/3/4 filesystem on it (swap, "
		       "or another filesystem)\n",
		       r->vbd[i].dev, r->vbd[i].uname);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"dry-run", no_argument, NULL, 'n'},
		{"uuid", no_argument, NULL, 'u'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char usage[] =
		"usage: xm-adapt-image [--dry-run] [--uuid] CONFIG\n";
	static struct run r;
	static struct fsys fs[VBD_MAX * ADAPT_PARTS];
	size_t nfs = 0, k;
	char err[1024], path[PATH_MAX], label[PATH_MAX + 64];
	size_t i;
	int c;

	while ((c = getopt_long(argc, argv, "nuh", lo, NULL)) != -1) {
		switch (c) {
		case 'n':
			r.dry = 1;
			break;
		case 'u':
			r.uuid = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fputs(usage, stderr);
		return 2;
	}
	if (load_config(&r, argv[optind], err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		return 1;
	}
	/* open every filesystem first: --uuid needs each one's UUID */
	for (i = 0; i < r.nvbd; i++) {
		if (vbdlist_path(&r.vbd[i], path, sizeof(path)) < 0) {
			printf("%s (%s): skipped: not a file or device\n",
			       r.vbd[i].dev, r.vbd[i].uname);
			continue;
		}
		open_disk(&r, i, path, fs, &nfs);
	}
	for (k = 0; k < nfs; k++) {
		const struct vbd *v = &r.vbd[fs[k].vbd];

		if (fs[k].part)
			snprintf(label, sizeof(label), "%s (%s) partition %u",
				 v->dev, v->uname, fs[k].part);
		else
			snprintf(label, sizeof(label), "%s (%s)", v->dev,
				 v->uname);
		r.disk = label;
		remap_file(&r, fs[k].w, "etc/fstab", 1);
		remap_file(&r, fs[k].w, "boot/grub/grub.cfg", 0);
		remap_file(&r, fs[k].w, "grub/grub.cfg", 0);
		remap_file(&r, fs[k].w, "boot/grub/menu.lst", 0);
		remap_file(&r, fs[k].w, "grub/menu.lst", 0);
		remap_file(&r, fs[k].w, "boot/grub/grub.conf", 0);
		remap_file(&r, fs[k].w, "etc/default/grub", 0);
		fix_inittab(&r, fs[k].w);
		fix_systemd_getty(&r, fs[k].w);
		check_kernels(&r, fs[k].w);
	}
	for (k = 0; k < nfs; k++)
		if (ext4w_close(fs[k].w, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s: %s: %s\n", PROG,
				r.vbd[fs[k].vbd].uname, err);
			r.errors++;
		}
	printf("%d change%s %s, %d advice\n", r.changes,
	       r.changes == 1 ? "" : "s",
	       r.dry ? "to make (run without --dry-run to make them)" : "made",
	       r.advice);
	return r.errors ? 1 : 0;
}
