/* SPDX-License-Identifier: GPL-2.0-or-later */
/* create_kernel.c: xm-create-image's choice of the kernel the domain boots
 * (--kernel, the image's own, the host's) and the copy of its modules into
 * the image. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "ext4w.h"
#include "fixups.h"
#include "progress.h"
#include "source.h"
#include "create_int.h"

/* Which kernel the domain boots: --kernel, else the image's own (a
 * bootloader config), else the host's running one. */
static void
has_vmlinuz(void *ctx, const char *name, mode_t mode)
{
	if (!strncmp(name, "vmlinuz", 7))
		*(int *)ctx = 1;
}

int
pick_kernel(struct plan *pl, struct ext4w *w, char *msg, size_t len)
{
	struct utsname u;
	unsigned char *hdr = NULL;
	char *buf = NULL;
	size_t n;
	int own = 0, r;

	if (!pl->o.kernel) {
		if (ext4w_list(w, "boot", has_vmlinuz, &own) < 0)
			own = 0;
		if (own) {
			pl->bootloader = 1;
			snprintf(msg, len,
				 "the image's own kernel (/boot), "
				 "booted through its boot menu");
			return 0;
		}
		uname(&u);
		snprintf(pl->kernel, sizeof(pl->kernel), "/boot/vmlinuz-%s",
			 u.release);
		snprintf(pl->initrd, sizeof(pl->initrd), "/boot/initrd.img-%s",
			 u.release);
		if (access(pl->kernel, R_OK) < 0) {
			snprintf(msg, len,
				 "the image has no /boot/vmlinuz* "
				 "and %s is not readable: give "
				 "--kernel",
				 pl->kernel);
			return -1;
		}
		if (access(pl->initrd, R_OK) < 0)
			pl->initrd[0] = 0;
	} else {
		if (abs_path(pl->o.kernel, pl->kernel, sizeof(pl->kernel)) <
			    0 ||
		    (pl->o.initrd && abs_path(pl->o.initrd, pl->initrd,
					      sizeof(pl->initrd)) < 0)) {
			snprintf(msg, len, "--kernel/--initrd: path too long");
			return -1;
		}
	}
	r = util_read_file(pl->kernel, 64 << 20, &buf, &n);
	if (r < 0) {
		snprintf(msg, len, "%s: %s", pl->kernel, strerror(-r));
		return -1;
	}
	hdr = (unsigned char *)buf;
	if (kernel_version(hdr, n, pl->kver, sizeof(pl->kver)) < 0)
		pl->kver[0] = 0;
	free(buf);
	if (pl->initrd[0] && access(pl->initrd, R_OK) < 0) {
		snprintf(msg, len, "%s: %s", pl->initrd, strerror(errno));
		return -1;
	}
	snprintf(msg, len, "%s%s%s%s%s", pl->kernel,
		 pl->initrd[0] ? " with " : "", pl->initrd,
		 pl->kver[0] ? ", version " : "", pl->kver);
	return 0;
}

int
copy_modules(struct plan *pl, struct ext4w *w, struct progress *p, char *msg,
	     size_t len)
{
	char dest[256];
	struct stat st;
	long n;

	if (pl->bootloader) {
		snprintf(msg, len, "skipped: the guest boots its own kernel");
		return 0;
	}
	if (!pl->kver[0]) {
		snprintf(msg, len,
			 "skipped: %s names no version (not a "
			 "bzImage)",
			 pl->kernel);
		return 0;
	}
	if (pl->o.modules)
		snprintf(pl->moddir, sizeof(pl->moddir), "%s", pl->o.modules);
	else
		snprintf(pl->moddir, sizeof(pl->moddir), "/lib/modules/%s",
			 pl->kver);
	if (stat(pl->moddir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		if (pl->o.modules) {
			snprintf(msg, len, "--modules %s: not a directory",
				 pl->o.modules);
			return -1;
		}
		snprintf(msg, len,
			 "skipped: no %s on this host (the guest "
			 "gets no modules of %s)",
			 pl->moddir, pl->kver);
		return 0;
	}
	snprintf(dest, sizeof(dest), "lib/modules/%s", pl->kver);
	n = source_copy(w, pl->moddir, dest, 1, progress_update, p, msg, len);
	if (n < 0)
		return -1;
	snprintf(msg, len, "%ld files from %s into /%s", n, pl->moddir, dest);
	return 0;
}
