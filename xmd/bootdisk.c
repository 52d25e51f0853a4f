/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bootdisk.c: booting a domain from its own disk (bootloader = pygrub,
 * kernel = PV-GRUB, HVM without a Linux kernel=): xm-bootloader gets one
 * read-only fd of the boot disk and answers with the kernel and initrd
 * as sealed memfds; xmd checks the kernel's header and size as xmhv
 * would, and hands both to libxmhv as given fds (the monitor opens no
 * file of the guest's). The image is the guest's: a crafted one can
 * make the helper fail, not xmd. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../hypervisor/check.h"
#include "bootdisk_cfg.h"
#include "bootdisk_client.h"
#include "log.h"
#include "util.h"
#include "xmd.h"

/* See xmd.h. */
bool
bootdisk_needed(const struct xmcfg_domain *cfg)
{
	return bootdisk_cfg_wanted(cfg);
}

/* The boot disk's path in hv (storage_prepare resolved it): the first
 * disk that is not a CD-ROM. */
static const struct xmhv_disk_config *
bootdisk_hv_disk(const struct xmhv_domain_config *hv)
{
	uint32_t i;

	for (i = 0; i < hv->ndisks; i++)
		if (!hv->disks[i].cdrom)
			return &hv->disks[i];
	return NULL;
}

/* A returned file is a regular (memory) file of at most max bytes. */
static int
bootdisk_check_size(int fd, uint64_t max, const char *what, char *why,
		    size_t whylen)
{
	struct stat st;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "xm-bootloader: the %s is not a file",
			 what);
		return -EINVAL;
	}
	if ((uint64_t)st.st_size > max || st.st_size == 0) {
		snprintf(why, whylen,
			 "the %s is %lld bytes (limit %llu, and not empty)",
			 what, (long long)st.st_size, (unsigned long long)max);
		return -EFBIG;
	}
	return 0;
}

/* See xmd.h. */
int
bootdisk_prepare(const struct xmcfg_domain *cfg, struct xmhv_domain_config *hv,
		 char *boot, size_t bootlen, char *msg, size_t msglen)
{
	const struct xmhv_disk_config *disk = bootdisk_hv_disk(hv);
	const char *vdev = "", *hvm_why = "";
	struct bootdisk_result r;
	char helper[PATH_MAX], want[256], why[XMHV_PATH_MAX + 256];
	char part[32] = "";
	int fd, rc, k = bootdisk_cfg_disk(cfg);

	if (k >= 0 && cfg->disks[k].vdev)
		vdev = cfg->disks[k].vdev;
	if (cfg->type == XMCFG_GUEST_HVM)
		hvm_why = " (an HVM guest without a Linux boot entry on its "
			  "disk needs an emulated PC: firmware and a device "
			  "model, which xmtools does not have)";
	if (!disk) {
		snprintf(msg, msglen,
			 "domain %s: no disk to read the boot entry from%s",
			 cfg->name, hvm_why);
		return -ENOENT;
	}
	rc = bootdisk_cfg_entry(cfg, want, sizeof(want));
	if (rc < 0) {
		snprintf(msg, msglen, "domain %s: bootloader_args: bad --entry",
			 cfg->name);
		return rc;
	}
	if (bootdisk_helper_path(helper, sizeof(helper)) < 0) {
		snprintf(msg, msglen, "domain %s: xm-bootloader: path too long",
			 cfg->name);
		return -ENAMETOOLONG;
	}
	fd = open(disk->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		rc = -errno;
		snprintf(msg, msglen, "domain %s: disk %s (%s): %s", cfg->name,
			 vdev, disk->path, strerror(errno));
		return rc;
	}
	rc = bootdisk_run(helper, fd, rc == 1 ? want : NULL, &r, why,
			  sizeof(why));
	close(fd);
	if (rc < 0) {
		snprintf(msg, msglen, "domain %s: disk %s (%s): %.1500s%s",
			 cfg->name, vdev, disk->path, why, hvm_why);
		return rc;
	}
	/* the kernel as xmhv takes it: a bzImage or an ELF, bounded (the
	 * helper's word on sizes is not taken) */
	snprintf(hv->kernel, sizeof(hv->kernel), "%s:%s", vdev, r.kernel);
	rc = bootdisk_check_size(r.kernel_fd, BOOTDISK_KERNEL_MAX, "kernel",
				 why, sizeof(why));
	if (rc == 0 && r.initrd_fd >= 0)
		rc = bootdisk_check_size(r.initrd_fd, BOOTDISK_INITRD_MAX,
					 "initrd", why, sizeof(why));
	if (rc == 0)
		rc = xmhv_check_boot_fd(XMHV_BOOT_KERNEL, r.kernel_fd,
					hv->kernel, why, sizeof(why));
	if (rc < 0) {
		snprintf(msg, msglen, "domain %s: disk %s: %s%s", cfg->name,
			 vdev, why, hvm_why);
		goto fail;
	}
	rc = bootdisk_cfg_cmdline(cfg, r.args, hv->cmdline,
				  sizeof(hv->cmdline));
	if (rc < 0) {
		snprintf(msg, msglen,
			 "domain %s: the command line of boot entry '%s' is "
			 "too long",
			 cfg->name, r.title_esc);
		goto fail;
	}
	hv->ramdisk[0] = '\0';
	if (r.initrd_fd >= 0)
		snprintf(hv->ramdisk, sizeof(hv->ramdisk), "%s:%.1000s", vdev,
			 r.initrd);
	hv->kernel_fd = r.kernel_fd;
	hv->ramdisk_fd = r.initrd_fd;
	if (r.partition)
		snprintf(part, sizeof(part), ", partition %u", r.partition);
	snprintf(boot, bootlen, "'%s' (entry %s of %s on %s%s): %s%s%s",
		 r.title_esc, r.entry, r.config, vdev, part, r.kernel,
		 r.skipped[0] ? "; " : "", r.skipped);
	log_info("domain %s: booting %s, command line: %s", cfg->name, boot,
		 hv->cmdline);
	if (r.warning[0]) {
		log_warn("domain %s: boot entry '%s': %s", cfg->name,
			 r.title_esc, r.warning);
		snprintf(boot + strlen(boot), bootlen - strlen(boot),
			 "\nWarning: %s", r.warning);
	}
	return 0;
fail:
	bootdisk_result_close(&r);
	return rc;
}

/* See xmd.h. */
void
bootdisk_release(struct xmhv_domain_config *hv)
{
	if (!hv)
		return;
	if (hv->kernel_fd >= 0)
		close(hv->kernel_fd);
	if (hv->ramdisk_fd >= 0)
		close(hv->ramdisk_fd);
	hv->kernel_fd = hv->ramdisk_fd = -1;
}
