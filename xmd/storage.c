/* SPDX-License-Identifier: GPL-2.0-or-later */
/* storage.c: check and resolve a domain's disks: file: images, phy: block
 * devices, and /dev/VG/LV volumes through libdevmapper. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libdevmapper.h>

#include "util.h"
#include "xmd.h"

static __thread char storage_dm_error[256];

/* libdevmapper reports through a log callback; keep its last error. */
static void
storage_dm_log(int level, const char *file, int line, int dm_errno,
	       const char *fmt, ...)
{
	va_list ap;

	if (level > 3) /* _LOG_ERR */
		return;
	va_start(ap, fmt);
	vsnprintf(storage_dm_error, sizeof(storage_dm_error), fmt, ap);
	va_end(ap);
}

/* "/dev/VG/LV" -> device-mapper name "VG-LV" ('-' doubled, as LVM does). */
static int
storage_dm_name(const char *path, char *buf, size_t size)
{
	const char *vg, *lv;
	size_t o = 0;
	const char *p;

	if (strncmp(path, "/dev/", 5) != 0)
		return -EINVAL;
	vg = path + 5;
	lv = strchr(vg, '/');
	if (!lv || lv == vg || strchr(lv + 1, '/') || !lv[1])
		return -EINVAL;
	for (p = vg; *p; p++) {
		if (o + 3 >= size)
			return -ENAMETOOLONG;
		if (p == lv) {
			buf[o++] = '-';
			continue;
		}
		if (*p == '-')
			buf[o++] = '-';
		buf[o++] = *p;
	}
	buf[o] = '\0';
	return 0;
}

/* Resolve an LVM volume through device-mapper into /dev/mapper/NAME. */
static int
storage_dm_resolve(const char *domname, const char *source, char *out,
		   size_t outlen, char *msg, size_t msglen)
{
	struct dm_task *dmt = NULL;
	struct dm_info info;
	char name[256];
	int rc;

	rc = storage_dm_name(source, name, sizeof(name));
	if (rc < 0) {
		snprintf(msg, msglen, "domain %s: disk %s: No such device",
			 domname, source);
		return -ENODEV;
	}
	storage_dm_error[0] = '\0';
	dm_log_with_errno_init(storage_dm_log);
	dmt = dm_task_create(DM_DEVICE_INFO);
	if (!dmt || !dm_task_set_name(dmt, name) || !dm_task_run(dmt)) {
		int e = access("/dev/mapper/control", R_OK | W_OK) < 0 ? errno
								       : 0;

		snprintf(msg, msglen,
			 "domain %s: disk %s: logical volume %s unavailable: "
			 "device-mapper %s%s%s%s",
			 domname, source, name,
			 e ? "is not usable on this host (/dev/mapper/control: "
			   : "failed",
			 e ? strerror(e) : "", e ? ")" : "",
			 storage_dm_error[0] ? ": " : "");
		if (storage_dm_error[0] && strlen(msg) + 1 < msglen)
			strncat(msg, storage_dm_error,
				msglen - strlen(msg) - 1);
		rc = -ENODEV;
		goto out;
	}
	if (!dm_task_get_info(dmt, &info) || !info.exists) {
		snprintf(msg, msglen,
			 "domain %s: disk %s: no such logical volume", domname,
			 source);
		rc = -ENOENT;
		goto out;
	}
	rc = util_snprintf(out, outlen, "/dev/mapper/%s", name);
	if (rc < 0)
		snprintf(msg, msglen, "domain %s: disk %s: name too long",
			 domname, source);
out:
	if (dmt)
		dm_task_destroy(dmt);
	return rc;
}

static int
storage_check_access(const char *domname, const struct xmcfg_disk *disk,
		     const char *path, bool want_block, char *msg,
		     size_t msglen)
{
	bool ro = disk->mode == XMCFG_DISK_RO || disk->cdrom;
	struct stat st;

	if (stat(path, &st) < 0 || access(path, ro ? R_OK : R_OK | W_OK) < 0) {
		snprintf(msg, msglen, "domain %s: disk %s: %s", domname, path,
			 strerror(errno));
		return -errno;
	}
	if (want_block ? !S_ISBLK(st.st_mode) : !S_ISREG(st.st_mode)) {
		snprintf(msg, msglen, "domain %s: disk %s: not a %s", domname,
			 path, want_block ? "block device" : "regular file");
		return -EINVAL;
	}
	return 0;
}

int
storage_prepare(const struct xmcfg_domain *cfg, struct xmhv_domain_config *hv,
		char *msg, size_t msglen)
{
	struct xmhv_disk_config *out;
	const struct xmcfg_disk *disk;
	char path[XMHV_PATH_MAX];
	struct stat st;
	size_t i;
	int rc;

	hv->ndisks = 0;
	for (i = 0; i < cfg->ndisks; i++) {
		disk = &cfg->disks[i];
		if (!disk->source)
			continue; /* empty cdrom drive */
		if (hv->ndisks >= XMHV_MAX_DISKS) {
			snprintf(msg, msglen, "domain %s: more than %d disks",
				 cfg->name, XMHV_MAX_DISKS);
			return -E2BIG;
		}
		if (util_strlcpy(path, disk->source, sizeof(path)) < 0) {
			snprintf(msg, msglen, "domain %s: disk path too long",
				 cfg->name);
			return -ENAMETOOLONG;
		}
		if (disk->driver && strcmp(disk->driver, "phy") == 0) {
			if (stat(path, &st) < 0 || !S_ISBLK(st.st_mode)) {
				rc = storage_dm_resolve(cfg->name, disk->source,
							path, sizeof(path), msg,
							msglen);
				if (rc < 0)
					return rc;
			}
			rc = storage_check_access(cfg->name, disk, path, true,
						  msg, msglen);
		} else {
			rc = storage_check_access(cfg->name, disk, path, false,
						  msg, msglen);
		}
		if (rc < 0)
			return rc;
		out = &hv->disks[hv->ndisks++];
		memset(out, 0, sizeof(*out));
		XMD_STRLCPY(out->path, path);
		out->readonly = disk->mode == XMCFG_DISK_RO || disk->cdrom;
		out->cdrom = disk->cdrom;
		out->shared = disk->mode == XMCFG_DISK_SHARED;
		out->fd = -1; /* libxmhv opens the path, as xmd */
		XMD_STRLCPY(out->serial, disk->vdev ? disk->vdev : "");
	}
	return 0;
}
