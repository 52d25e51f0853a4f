/* SPDX-License-Identifier: GPL-2.0-or-later */
/* storage_probe.c: pure helpers of storage.c: the image format a disk's
 * first bytes announce (xmhv serves raw only), how an `lvs` answer
 * explains a logical volume device-mapper does not have, and whether two
 * disk modes can share an image (QEMU's lock permissions, imagelock.h). */
#include <string.h>

#include "hypervisor/imagelock.h"
#include "storage_probe.h"

static const struct {
	const char *magic;
	size_t off, len;
	const char *format;
} probe_magics[] = {
	{"QFI\xfb", 0, 4, "qcow2"}, /* qcow (v1) too: same magic */
	{"QED\0", 0, 4, "qed"},
	{"conectix", 0, 8, "vhd"}, /* dynamic VHD: the footer copy first */
	{"vhdxfile", 0, 8, "vhdx"},
	{"KDMV", 0, 4, "vmdk"},
	{"COWD", 0, 4, "vmdk"},
	{"<<< ", 0, 4, "vdi"}, /* "<<< Oracle VM VirtualBox Disk Image >>>" */
};

/* storage_probe.h */
const char *
storage_probe_format(const unsigned char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(probe_magics) / sizeof(probe_magics[0]); i++)
		if (len >= probe_magics[i].off + probe_magics[i].len &&
		    memcmp(buf + probe_magics[i].off, probe_magics[i].magic,
			   probe_magics[i].len) == 0)
			return probe_magics[i].format;
	return NULL;
}

/* storage_probe.h */
enum storage_lv_state
storage_probe_lvs(int status, const char *out)
{
	const char *p = out;

	if (strstr(out, "/dev/mapper/control") ||
	    strstr(out, "kernel device-mapper driver"))
		return STORAGE_LV_NO_DM;
	if (strstr(out, "Volume group") && strstr(out, "not found"))
		return STORAGE_LV_NO_VG;
	if (strstr(out, "Failed to find logical volume"))
		return STORAGE_LV_NO_LV;
	if (status != 0)
		return STORAGE_LV_UNKNOWN;
	/* lv_attr "-wi-a-----": the fifth character is the state, 'a'
	 * active; the first line that looks like one counts. */
	while (*p) {
		p += strspn(p, " \t\r\n");
		if (strlen(p) >= 5 && strchr("-mMoOrRsSvVtTiIlLcCe", p[0]) &&
		    strchr("rw", p[1]) && p[4] != ' ' && p[4] != '\n')
			return p[4] == 'a' ? STORAGE_LV_ACTIVE
					   : STORAGE_LV_INACTIVE;
		p += strcspn(p, "\n");
	}
	return STORAGE_LV_UNKNOWN;
}

static enum imagelock_mode
probe_lock_mode(enum xmcfg_disk_mode m, bool cdrom)
{
	if (cdrom || m == XMCFG_DISK_RO)
		return IMAGELOCK_R;
	return m == XMCFG_DISK_SHARED ? IMAGELOCK_SHARED : IMAGELOCK_W;
}

/* storage_probe.h */
bool
storage_probe_conflict(enum xmcfg_disk_mode a, bool a_cdrom,
		       enum xmcfg_disk_mode b, bool b_cdrom)
{
	uint32_t pa, sa, pb, sb;

	imagelock_perms(probe_lock_mode(a, a_cdrom), &pa, &sa);
	imagelock_perms(probe_lock_mode(b, b_cdrom), &pb, &sb);
	return (pa & ~sb) != 0 || (pb & ~sa) != 0;
}
