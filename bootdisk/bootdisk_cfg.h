/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bootdisk_cfg.h: a domain config's side of booting from its disk
 * (bootcmd.c), shared by xmd and xm-config. */
#ifndef XM_BOOTDISK_CFG_H
#define XM_BOOTDISK_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "xmcfg.h"

/* Does cfg boot from its disk (pygrub, PV-GRUB, HVM without a Linux
 * kernel=)? */
bool bootdisk_cfg_wanted(const struct xmcfg_domain *cfg);

/* The index in cfg->disks of the disk read (the first that is not a
 * CD-ROM and has a medium), or -1. */
int bootdisk_cfg_disk(const struct xmcfg_domain *cfg);

/* The entry bootloader_args asks for (pygrub's --entry=E / --entry E /
 * -e E) into out. Returns 1 (one given), 0 (none) or -EINVAL. */
int bootdisk_cfg_entry(const struct xmcfg_domain *cfg, char *out,
		       size_t outlen);

/* The kernel command line: args (the entry's) then cfg's root= and extra
 * (not PV-GRUB's extra, which names its menu), /dev/xvdXN, hdXN and sdXN
 * rewritten to the virtio disk of the same letter in cfg's mapping, and
 * console=ttyS0 appended unless it is already the last console=. Returns
 * 0 or -E2BIG. */
int bootdisk_cfg_cmdline(const struct xmcfg_domain *cfg, const char *args,
			 char *out, size_t outlen);

/* The dry run's notes on out: the boot entry read from cfg's disk and
 * its command line, or why it could not be read. Nothing when cfg does
 * not boot from its disk. */
void bootdisk_dry_run(const struct xmcfg_domain *cfg, FILE *out);

#endif
