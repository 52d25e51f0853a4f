/* SPDX-License-Identifier: GPL-2.0-or-later */
/* storage.c: check and resolve a domain's disks: file: images, phy: block
 * devices, and /dev/VG/LV volumes through libdevmapper (with `lvs` asked
 * why when device-mapper has no such volume); refuse image formats xmhv
 * cannot serve; name the domain that holds an image a create found
 * locked. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libdevmapper.h>

#include "storage_probe.h"
#include "util.h"
#include "xmd.h"

#define STORAGE_LVS_OUT 4096

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

/* Run `lvm lvs --noheadings -o lv_attr VG/LV` (posix_spawn: xmd never
 * forks without exec) and say what its answer means. */
static enum storage_lv_state
storage_lvs(const char *vglv)
{
	static const char *const lvm_paths[] = {"/usr/sbin/lvm", "/sbin/lvm"};
	char *const envp[] = {"LVM_SUPPRESS_FD_WARNINGS=1", "LC_ALL=C",
			      "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
	char out[STORAGE_LVS_OUT];
	posix_spawn_file_actions_t fa;
	const char *lvm = NULL;
	char *argv[7];
	int p[2] = {-1, -1}, status = -1;
	size_t len = 0;
	ssize_t n;
	pid_t pid;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lvm_paths) && !lvm; i++)
		if (access(lvm_paths[i], X_OK) == 0)
			lvm = lvm_paths[i];
	if (!lvm || pipe2(p, O_CLOEXEC) < 0)
		return STORAGE_LV_UNKNOWN;
	argv[0] = "lvm";
	argv[1] = "lvs";
	argv[2] = "--noheadings";
	argv[3] = "-o";
	argv[4] = "lv_attr";
	argv[5] = (char *)vglv;
	argv[6] = NULL;
	if (posix_spawn_file_actions_init(&fa) != 0) {
		close(p[0]);
		close(p[1]);
		return STORAGE_LV_UNKNOWN;
	}
	if (posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY,
					     0) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, p[1], 1) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, p[1], 2) != 0 ||
	    posix_spawn(&pid, lvm, &fa, NULL, argv, envp) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	while (pid > 0 && len + 1 < sizeof(out) &&
	       (n = read(p[0], out + len, sizeof(out) - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		len += (size_t)n;
	}
	close(p[0]);
	out[len] = '\0';
	if (pid < 0)
		return STORAGE_LV_UNKNOWN;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return storage_probe_lvs(WIFEXITED(status) ? WEXITSTATUS(status) : -1,
				 out);
}

/* The message for a volume device-mapper does not have, naming it and the
 * command that fixes it. */
static void
storage_lv_msg(const char *domname, const char *source, const char *vglv,
	       const char *dm_why, char *msg, size_t msglen)
{
	char vg[256];
	size_t n = strcspn(vglv, "/");
	enum storage_lv_state st;
	int dm_errno = 0, fd;

	/* A control node without the driver (a container, a kernel without
	 * dm-mod) fails to open with ENODEV; lvs would only say the group
	 * is not found. */
	fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		dm_errno = errno;
	else
		close(fd);
	snprintf(vg, sizeof(vg), "%.*s", (int)(n < sizeof(vg) ? n : 0), vglv);
	st = dm_errno == ENOENT || dm_errno == ENODEV || dm_errno == ENXIO
		     ? STORAGE_LV_NO_DM
		     : storage_lvs(vglv);
	switch (st) {
	case STORAGE_LV_NO_DM:
		snprintf(msg, msglen,
			 "domain %s: disk %s: logical volume %s: this "
			 "kernel has no device-mapper (/dev/mapper/control: "
			 "%s): load it with `modprobe dm-mod`, then "
			 "`vgchange -ay %s`",
			 domname, source, vglv,
			 strerror(dm_errno ? dm_errno : ENODEV), vg);
		break;
	case STORAGE_LV_INACTIVE:
		snprintf(msg, msglen,
			 "domain %s: disk %s: logical volume %s is not "
			 "active: activate it with `lvchange -ay %s`",
			 domname, source, vglv, vglv);
		break;
	case STORAGE_LV_NO_VG:
		snprintf(msg, msglen,
			 "domain %s: disk %s: volume group %s not found "
			 "(`vgs` lists those there are; `vgscan` and "
			 "`vgchange -ay %s` once its disks are attached)",
			 domname, source, vg, vg);
		break;
	case STORAGE_LV_NO_LV:
		snprintf(msg, msglen,
			 "domain %s: disk %s: volume group %s has no logical "
			 "volume %s (`lvs %s` lists them)",
			 domname, source, vg, vglv + n + (vglv[n] ? 1 : 0), vg);
		break;
	case STORAGE_LV_ACTIVE:
	case STORAGE_LV_UNKNOWN:
	default:
		snprintf(msg, msglen,
			 "domain %s: disk %s: logical volume %s has no "
			 "device-mapper device%s%s (is it active? "
			 "`lvchange -ay %s`; `lvs %s` shows it)",
			 domname, source, vglv, dm_why[0] ? ": " : "", dm_why,
			 vglv, vg);
		break;
	}
}

/* Resolve an LVM volume through device-mapper into /dev/mapper/NAME. */
static int
storage_dm_resolve(const char *domname, const char *source, char *out,
		   size_t outlen, char *msg, size_t msglen)
{
	struct dm_task *dmt = NULL;
	struct dm_info info;
	char name[256];
	const char *vglv = source + 5; /* "VG/LV" of "/dev/VG/LV" */
	int rc;

	rc = storage_dm_name(source, name, sizeof(name));
	if (rc < 0) {
		snprintf(msg, msglen,
			 "domain %s: disk %s: no such block device (nor a "
			 "logical volume /dev/VG/LV)",
			 domname, source);
		return -ENODEV;
	}
	storage_dm_error[0] = '\0';
	dm_log_with_errno_init(storage_dm_log);
	dmt = dm_task_create(DM_DEVICE_INFO);
	if (!dmt || !dm_task_set_name(dmt, name) || !dm_task_run(dmt)) {
		storage_lv_msg(domname, source, vglv, storage_dm_error, msg,
			       msglen);
		rc = -ENODEV;
		goto out;
	}
	if (!dm_task_get_info(dmt, &info) || !info.exists) {
		storage_lv_msg(domname, source, vglv, "", msg, msglen);
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
	dm_log_with_errno_init(NULL);
	return rc;
}

/* Refuse an image whose first bytes announce a format xmhv cannot serve
 * (it would hand the guest the container, not the disk). */
static int
storage_check_format(const char *domname, const char *path, char *msg,
		     size_t msglen)
{
	unsigned char head[512];
	const char *fmt;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return 0; /* the open proper says why */
	n = pread(fd, head, sizeof(head), 0);
	close(fd);
	fmt = n > 0 ? storage_probe_format(head, (size_t)n) : NULL;
	if (!fmt)
		return 0;
	snprintf(msg, msglen,
		 "domain %s: disk %s: a %s image (its header says so): xmhv "
		 "serves raw images only; convert it with `qemu-img convert "
		 "-O raw %s IMAGE.raw`",
		 domname, path, fmt, path);
	return -EINVAL;
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
	return storage_check_format(domname, path, msg, msglen);
}

/* O_DIRECT backends: phy: devices and tap:aio: (blktap's AIO was direct
 * I/O); file: and tap:sync: go through the host's page cache. */
static bool
storage_direct(const struct xmcfg_disk *disk)
{
	if (!disk->driver)
		return false;
	if (strcmp(disk->driver, "phy") == 0)
		return true;
	return (strcmp(disk->driver, "tap") == 0 ||
		strcmp(disk->driver, "tap2") == 0) &&
	       disk->subtype && strcmp(disk->subtype, "aio") == 0;
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
		out->direct = storage_direct(disk);
		out->fd = -1; /* libxmhv opens the path, as xmd */
		XMD_STRLCPY(out->serial, disk->vdev ? disk->vdev : "");
	}
	return 0;
}

/* The object behind a path: a block device's number, or a file's. */
static bool
storage_same(const char *a, const struct stat *sb)
{
	struct stat sa;

	if (stat(a, &sa) < 0)
		return false;
	if (S_ISBLK(sa.st_mode) && S_ISBLK(sb->st_mode))
		return sa.st_rdev == sb->st_rdev;
	return S_ISREG(sa.st_mode) && S_ISREG(sb->st_mode) &&
	       sa.st_dev == sb->st_dev && sa.st_ino == sb->st_ino;
}

bool
storage_name_holder(struct xmd *x, const char *name,
		    const struct xmhv_domain_config *hv, char *msg,
		    size_t msglen)
{
	const struct xmcfg_disk *k;
	struct xmd_domain *d;
	struct stat st;
	uint32_t i;
	size_t j;

	for (i = 0; i < hv->ndisks; i++) {
		enum xmcfg_disk_mode mine =
			hv->disks[i].readonly ? XMCFG_DISK_RO
			: hv->disks[i].shared ? XMCFG_DISK_SHARED
					      : XMCFG_DISK_RW;

		if (stat(hv->disks[i].path, &st) < 0)
			continue;
		TAILQ_FOREACH(d, &x->domains, link)
		{
			if (d->phase == XMD_PHASE_STOPPED ||
			    (name && strcmp(d->name, name) == 0))
				continue;
			for (j = 0; j < d->cfg->ndisks; j++) {
				k = &d->cfg->disks[j];
				if (!k->source ||
				    !storage_probe_conflict(
					    mine, false, k->mode, k->cdrom) ||
				    !storage_same(k->source, &st))
					continue;
				snprintf(msg, msglen,
					 "disk %s: in use by domain %s (its "
					 "disk %s, mode %s)",
					 hv->disks[i].path, d->name,
					 k->vdev ? k->vdev : "?",
					 k->cdrom || k->mode == XMCFG_DISK_RO
						 ? "r"
					 : k->mode == XMCFG_DISK_SHARED ? "w!"
									: "w");
				return true;
			}
		}
	}
	return false;
}
