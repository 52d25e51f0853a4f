/* SPDX-License-Identifier: GPL-2.0-or-later */
/* storage_probe.h: pure helpers of xmd's storage code (storage_probe.c). */
#ifndef XMD_STORAGE_PROBE_H
#define XMD_STORAGE_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "xmcfg.h"

/* The image format buf (a disk's first len bytes) announces: "qcow2",
 * "qed", "vhd", "vhdx", "vmdk", "vdi", or NULL (raw, or nothing known). */
const char *storage_probe_format(const unsigned char *buf, size_t len);

/* What `lvs --noheadings -o lv_attr VG/LV` (exit status, its stdout and
 * stderr together in out) says of a volume. */
enum storage_lv_state {
	STORAGE_LV_UNKNOWN,  /* no answer we understand (or no lvs) */
	STORAGE_LV_ACTIVE,   /* active */
	STORAGE_LV_INACTIVE, /* exists, not active: lvchange -ay VG/LV */
	STORAGE_LV_NO_VG,    /* no such volume group */
	STORAGE_LV_NO_LV,    /* the group has no such volume */
	STORAGE_LV_NO_DM,    /* the kernel has no device-mapper */
};
enum storage_lv_state storage_probe_lvs(int status, const char *out);

/* Do disks in modes a and b exclude each other on one image (the locks
 * of imagelock.h: r+r and w!+w! share, anything with w does not, nor r
 * with w!)? */
bool storage_probe_conflict(enum xmcfg_disk_mode a, bool a_cdrom,
			    enum xmcfg_disk_mode b, bool b_cdrom);

#endif
