/* SPDX-License-Identifier: GPL-2.0-or-later */
/* create.c: xm-create-image, the guide's installation as one command:
 * storage made, ext4 written from a tarball or a tree without mounting,
 * the guide's fixes applied, /etc/xen/NAME written; on any failure what
 * was made is removed and the failed step named. The kernel and its
 * modules are chosen and copied in create_kernel.c. */
#include <errno.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "dist.h"
#include "ext4w.h"
#include "fixups.h"
#include "imgcfg.h"
#include "mkopts.h"
#include "progress.h"
#include "source.h"
#include "storage.h"
#include "create_int.h"

#define PROG "xm-create-image"

/* An interrupt stops the step at its next entry, and the undo runs. */
static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	stop = sig;
}

static int
fail_step(struct progress *p, const char *msg)
{
	if (p->tty)
		fputs("\r\033[K", stderr);
	fprintf(stderr, "%s: step %d/%d failed: %s: %s\n", PROG, p->step,
		p->steps, p->what ? p->what : "checking", msg);
	return -1;
}

int
abs_path(const char *in, char *out, size_t size)
{
	char cwd[PATH_MAX];

	if (in[0] == '/')
		return util_strlcpy(out, in, size);
	if (!getcwd(cwd, sizeof(cwd)))
		return -errno;
	return util_snprintf(out, size, "%s/%s", cwd, in);
}

static void
random_mac(char out[18])
{
	unsigned char b[3] = {0};
	FILE *f = fopen("/dev/urandom", "rb");

	if (f) {
		if (fread(b, 1, 3, f) != 3)
			b[0] = b[1] = b[2] = 0;
		fclose(f);
	}
	/* Xen's OUI, as xen-create-image and xm chose */
	snprintf(out, 18, "00:16:3e:%02x:%02x:%02x", b[0] & 0x7f, b[1], b[2]);
}

/* The checks before anything is made: sources readable, nothing to be
 * made exists (unless --force). */
static int
check(struct plan *pl, char *msg, size_t len)
{
	struct mkopts *o = &pl->o;
	char root[PATH_MAX];
	const char *xr = getenv("XMD_ROOT");

	if (o->tar && access(o->tar, R_OK) < 0) {
		snprintf(msg, len, "--tar %s: %s", o->tar, strerror(errno));
		return -1;
	}
	if (o->copy && access(o->copy, R_OK | X_OK) < 0) {
		snprintf(msg, len, "--copy %s: %s", o->copy, strerror(errno));
		return -1;
	}
	if (o->output) {
		if (abs_path(o->output, pl->cfgdir, sizeof(pl->cfgdir)) < 0)
			goto toolong;
	} else {
		snprintf(root, sizeof(root), "%s", xr && *xr ? xr : "/");
		if (util_snprintf(pl->cfgdir, sizeof(pl->cfgdir), "%s%setc/xen",
				  root,
				  root[strlen(root) - 1] == '/' ? "" : "/") < 0)
			goto toolong;
	}
	if (util_snprintf(pl->cfgpath, sizeof(pl->cfgpath), "%s/%s", pl->cfgdir,
			  o->hostname) < 0)
		goto toolong;
	if (access(pl->cfgpath, F_OK) == 0 && !o->force) {
		snprintf(msg, len, "%s exists (--force replaces it)",
			 pl->cfgpath);
		return -1;
	}
	if (o->force) {
		/* --force replaces disks: never those of a running domain */
		char out[256], e2[256];
		char *argv[] = {"xm", "list", (char *)o->hostname, NULL};

		if (storage_run(argv, out, sizeof(out), e2, sizeof(e2)) == 0) {
			snprintf(msg, len,
				 "domain %s is running (xm list): "
				 "xm destroy %s first",
				 o->hostname, o->hostname);
			return -1;
		}
	}
	if (o->ssh_key && access(o->ssh_key, R_OK) < 0) {
		snprintf(msg, len, "--ssh-key %s: %s", o->ssh_key,
			 strerror(errno));
		return -1;
	}
	if (o->dir) {
		char d[PATH_MAX];

		if (abs_path(o->dir, d, sizeof(d)) < 0 ||
		    util_snprintf(pl->domdir, sizeof(pl->domdir),
				  "%s/domains/%s", d, o->hostname) < 0)
			goto toolong;
		if (asprintf(&pl->disk, "%s/disk.img", pl->domdir) < 0 ||
		    (o->swap &&
		     asprintf(&pl->swap, "%s/swap.img", pl->domdir) < 0)) {
			snprintf(msg, len, "out of memory");
			return -1;
		}
		if (!o->force && access(pl->disk, F_OK) == 0) {
			snprintf(msg, len, "%s exists (--force replaces it)",
				 pl->disk);
			return -1;
		}
	}
	if (o->mac)
		snprintf(pl->mac, sizeof(pl->mac), "%s", o->mac);
	else
		random_mac(pl->mac);
	{
		uuid_t u;

		uuid_generate(u);
		uuid_unparse_lower(u, pl->uuid);
	}
	{
		char src[PATH_MAX];

		if (o->dist)
			snprintf(src, sizeof(src), "%s", o->dist);
		else if (abs_path(o->tar ? o->tar : o->copy, src, sizeof(src)) <
			 0)
			goto toolong;
		snprintf(pl->source, sizeof(pl->source), "%s %s",
			 o->tar    ? "--tar"
			 : o->copy ? "--copy"
				   : "--dist",
			 src);
	}
	return 0;
toolong:
	snprintf(msg, len, "a path is too long");
	return -1;
}

/* Make DIR/domains/NAME (recording each directory made) and the files. */
static int
make_storage(struct plan *pl, struct undo *u, char *msg, size_t len)
{
	struct mkopts *o = &pl->o;

	if (o->partition) {
		if (storage_partition(o->partition, o->force, msg, len) < 0)
			return -1;
		pl->disk = strdup(o->partition);
		if (!pl->disk)
			goto oom;
		/* nothing made: xm-delete-image leaves the partition alone */
		snprintf(msg, len, "%s (formatted next: its contents go)",
			 o->partition);
		return 0;
	}
	if (o->lvm) {
		char lv[300];

		snprintf(lv, sizeof(lv), "%s-disk", o->hostname);
		if (storage_lv(o->lvm, lv, o->size, o->force, &pl->disk, msg,
			       len) < 0)
			return -1;
		snprintf(pl->made_disk, sizeof(pl->made_disk), "lv %s/%s",
			 o->lvm, lv);
		if (undo_add(u, 'l', pl->made_disk + 3) < 0)
			goto oom;
		if (o->swap) {
			snprintf(lv, sizeof(lv), "%s-swap", o->hostname);
			if (storage_lv(o->lvm, lv, o->swap, o->force, &pl->swap,
				       msg, len) < 0)
				return -1;
			snprintf(pl->made_swap, sizeof(pl->made_swap),
				 "lv %s/%s", o->lvm, lv);
			if (undo_add(u, 'l', pl->made_swap + 3) < 0)
				goto oom;
		}
		snprintf(msg, len, "logical volumes %s%s%s", pl->disk,
			 pl->swap ? " and " : "", pl->swap ? pl->swap : "");
		return 0;
	}
	{
		/* DIR, DIR/domains, DIR/domains/NAME: those made are undone */
		char d[PATH_MAX];
		char *cut[3];
		int i;

		snprintf(d, sizeof(d), "%s", pl->domdir);
		cut[2] = d + strlen(d);
		cut[1] = strrchr(d, '/');
		*cut[1] = 0;
		cut[0] = strrchr(d, '/');
		*cut[1] = '/';
		for (i = 0; i < 3; i++) {
			char saved = *cut[i];

			*cut[i] = 0;
			if (mkdir(d, 0755) == 0) {
				if (undo_add(u, 'd', d) < 0)
					goto oom;
			} else if (errno != EEXIST) {
				snprintf(msg, len, "%s: %s", d,
					 strerror(errno));
				return -1;
			}
			*cut[i] = saved;
		}
	}
	if (storage_file(pl->disk, o->size, o->force, msg, len) < 0)
		return -1;
	if (undo_add(u, 'f', pl->disk) < 0)
		goto oom;
	snprintf(pl->made_disk, sizeof(pl->made_disk), "file %s", pl->disk);
	if (pl->swap) {
		if (storage_file(pl->swap, o->swap, o->force, msg, len) < 0)
			return -1;
		if (undo_add(u, 'f', pl->swap) < 0)
			goto oom;
		snprintf(pl->made_swap, sizeof(pl->made_swap), "file %s",
			 pl->swap);
	}
	snprintf(msg, len, "%s (%llu MiB)%s%s", pl->disk,
		 (unsigned long long)(o->size >> 20), pl->swap ? " and " : "",
		 pl->swap ? pl->swap : "");
	return 0;
oom:
	snprintf(msg, len, "out of memory");
	return -1;
}

static int
write_config(struct plan *pl, char *msg, size_t len)
{
	struct imgcfg c = {0};
	char disk[PATH_MAX + 8], swap[PATH_MAX + 8], extra[1024];
	char *text = NULL;
	int r;

	c.name = pl->o.hostname;
	c.memory = pl->o.memory;
	c.vcpus = pl->o.vcpus;
	if (!pl->bootloader) {
		c.kernel = pl->kernel;
		c.ramdisk = pl->initrd[0] ? pl->initrd : NULL;
		c.root = "/dev/xvda1 ro";
	}
	/* net.ifnames=0: eth0 stays eth0 from the initramfs on, as the
	 * ifupdown or ifcfg file written for it says */
	snprintf(extra, sizeof(extra), "%s%s",
		 pl->o.extra ? pl->o.extra : "console=ttyS0",
		 pl->ifnames0 ? " net.ifnames=0" : "");
	c.extra = extra;
	snprintf(disk, sizeof(disk), "%s:%s",
		 pl->o.lvm || pl->o.partition ? "phy" : "file", pl->disk);
	c.disks[0] = (struct imgcfg_disk){
		disk, "xvda1", "the root filesystem (/dev/vda)",
		pl->made_disk[0] ? pl->made_disk : NULL};
	c.ndisks = 1;
	if (pl->swap) {
		snprintf(swap, sizeof(swap), "%s:%s",
			 pl->o.lvm ? "phy" : "file", pl->swap);
		c.disks[1] = (struct imgcfg_disk){
			swap, "xvda2", "swap (/dev/vdb)", pl->made_swap};
		c.ndisks = 2;
	}
	c.uuid = pl->uuid;
	c.mac = pl->mac;
	c.bridge = pl->o.bridge;
	c.ip = pl->o.ip;
	c.source = pl->source;
	r = imgcfg_write(&c, &text);
	if (r < 0) {
		snprintf(msg, len, "the config: %s",
			 r == -EINVAL
				 ? "a value with control characters or quotes"
				 : strerror(-r));
		return -1;
	}
	if (util_mkdir_p(pl->cfgdir, 0755) < 0 ||
	    util_write_file_atomic(pl->cfgpath, text, strlen(text), 0644) < 0) {
		snprintf(msg, len, "%s: %s", pl->cfgpath, strerror(errno));
		free(text);
		return -1;
	}
	free(text);
	snprintf(msg, len, "%s (vif mac=%s%s%s)", pl->cfgpath, pl->mac,
		 pl->o.ip ? ", " : ", DHCP", pl->o.ip ? pl->o.ip : "");
	return 0;
}

#define STEP(what)                                                             \
	do {                                                                   \
		if (stop) {                                                    \
			snprintf(msg, sizeof(msg), "interrupted");             \
			goto fail;                                             \
		}                                                              \
		progress_begin(&p, what);                                      \
		msg[0] = 0;                                                    \
	} while (0)
#define DONE(ok)                                                               \
	do {                                                                   \
		if ((ok) < 0)                                                  \
			goto fail;                                             \
		progress_end(&p, "%s", msg);                                   \
	} while (0)

int
main(int argc, char **argv)
{
	static struct plan pl;
	struct undo u = {0};
	struct progress p;
	struct ext4w *w = NULL;
	struct guestinfo g;
	char msg[3 * PATH_MAX], what[PATH_MAX + 64];
	int steps;

	if (mkopts_parse(argc, argv, &pl.o, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "%s: %s\n%s", PROG, msg, mkopts_usage);
		return 2;
	}
	if (pl.o.help) {
		fputs(mkopts_usage, stdout);
		return 0;
	}
	steps = 13 + (pl.o.swap ? 1 : 0) + (pl.o.password ? 1 : 0) +
		(pl.o.ssh_key ? 1 : 0) + (pl.o.dist ? 1 : 0);
	progress_init(&p, PROG, steps, pl.o.verbose);
	p.stop = &stop;
	{
		struct sigaction sa = {.sa_handler = on_signal};
		int sigs[] = {SIGINT, SIGTERM, SIGHUP};
		size_t k;

		sigemptyset(&sa.sa_mask);
		for (k = 0; k < ARRAY_SIZE(sigs); k++)
			sigaction(sigs[k], &sa, NULL);
	}
	STEP("checking");
	if (check(&pl, msg, sizeof(msg)) < 0)
		goto fail;
	progress_end(&p, "%s, %s, nothing in the way%s", pl.source,
		     pl.o.lvm         ? "LVM"
		     : pl.o.partition ? "a partition"
				      : "image files",
		     pl.o.force ? " (--force)" : "");
	if (pl.o.dist) {
		int made = 0;

		snprintf(what, sizeof(what), "debootstrap %s", pl.o.dist);
		STEP(what);
		if (dist_tarball(pl.o.dist, pl.o.mirror, pl.disttar,
				 sizeof(pl.disttar), &made, msg,
				 sizeof(msg)) < 0)
			goto fail;
		/* from here on, the cached tarball is the --tar */
		pl.o.tar = pl.disttar;
		progress_end(&p, "%s %s", made ? "made" : "cached", pl.disttar);
	}
	STEP(pl.o.lvm         ? "creating the logical volumes"
	     : pl.o.partition ? "checking the partition"
			      : "creating the image files");
	DONE(make_storage(&pl, &u, msg, sizeof(msg)));
	snprintf(what, sizeof(what), "formatting %s as ext4", pl.disk);
	STEP(what);
	DONE(storage_mkfs(pl.disk, pl.o.hostname, msg, sizeof(msg)) < 0
		     ? -1
		     : (snprintf(msg, sizeof(msg), "mke2fs -t ext4"), 0));
	snprintf(what, sizeof(what), "%s %s",
		 pl.o.tar ? "unpacking" : "copying",
		 pl.o.tar ? pl.o.tar : pl.o.copy);
	STEP(what);
	if (ext4w_open(pl.disk, &w, msg, sizeof(msg)) < 0)
		goto fail;
	{
		long n = pl.o.tar ? source_tar(w, pl.o.tar, progress_update, &p,
					       msg, sizeof(msg))
				  : source_copy(w, pl.o.copy, "", 0,
						progress_update, &p, msg,
						sizeof(msg));

		if (n >= 0)
			snprintf(msg, sizeof(msg),
				 "%ld entries, owners and "
				 "modes from the %s",
				 n, pl.o.tar ? "archive" : "tree");
		DONE(n < 0 ? -1 : 0);
	}
	fixups_probe(w, &g);
	pl.ifnames0 = g.udev_renames && g.net != NET_NETWORKD;
	progress_verbose(
		&p, "the image: %s%s%s%s", g.redhat ? "Red Hat-like, " : "",
		g.systemd ? "systemd, " : "", g.inittab ? "inittab, " : "",
		g.net == NET_IFCFG      ? "ifcfg"
		: g.net == NET_NETWORKD ? "systemd-networkd"
					: "ifupdown");
	STEP("choosing the kernel");
	DONE(pick_kernel(&pl, w, msg, sizeof(msg)));
	if (pl.bootloader) {
		char menu[512];

		if (fix_bootmenu(w, "/dev/vda", menu, sizeof(menu)) < 0) {
			snprintf(msg, sizeof(msg), "%s", menu);
			goto fail;
		}
		progress_verbose(&p, "boot menu: %s", menu);
	}
	STEP("copying the kernel's modules");
	DONE(copy_modules(&pl, w, &p, msg, sizeof(msg)));
	STEP("/lib/tls");
	DONE(fix_tls(w, &g, msg, sizeof(msg)));
	STEP("/etc/fstab");
	{
		struct fstab_map m = {"/dev/vda", "ext4",
				      pl.swap ? "/dev/vdb" : NULL};

		DONE(fix_fstab(w, &m, msg, sizeof(msg)));
	}
	STEP("hostname");
	DONE(fix_hostname(w, &g, pl.o.hostname, msg, sizeof(msg)));
	STEP("network");
	{
		struct netcfg n = {"eth0",       pl.o.dhcp,    pl.o.ip,
				   pl.o.netmask, pl.o.gateway, pl.o.hostname};

		DONE(fix_network(w, &g, &n, msg, sizeof(msg)));
	}
	STEP("a getty on the serial console");
	DONE(fix_getty(w, &g, msg, sizeof(msg)));
	if (pl.o.password) {
		STEP("root's password");
		DONE(fix_password(w, pl.o.password, msg, sizeof(msg)));
	}
	if (pl.o.ssh_key) {
		STEP("root's SSH key");
		DONE(fix_ssh_key(w, pl.o.ssh_key, msg, sizeof(msg)));
	}
	STEP("writing the filesystem");
	{
		int r = ext4w_close(w, msg, sizeof(msg));

		w = NULL;
		if (r == 0)
			snprintf(msg, sizeof(msg), "%s", pl.disk);
		DONE(r);
	}
	if (pl.swap) {
		STEP("swap");
		DONE(storage_mkswap(pl.swap, pl.o.swap, msg, sizeof(msg)) < 0
			     ? -1
			     : (snprintf(msg, sizeof(msg), "%s (%llu MiB)",
					 pl.swap,
					 (unsigned long long)(pl.o.swap >> 20)),
				0));
	}
	STEP("writing the config");
	DONE(write_config(&pl, msg, sizeof(msg)));
	undo_forget(&u);
	printf("%s: done; start it with: xm create -c %s\n", PROG,
	       pl.o.hostname);
	free(pl.disk);
	free(pl.swap);
	return 0;
fail:
	fail_step(&p, msg);
	if (w) {
		char e2[256];

		ext4w_close(w, e2, sizeof(e2));
	}
	undo_run(&u, PROG);
	free(pl.disk);
	free(pl.swap);
	return 1;
}
