/* SPDX-License-Identifier: GPL-2.0-or-later */
/* disk.c: xm disk specs "UNAME,VDEV[:cdrom],MODE[,BACKEND[,PROTOCOL]]", and
 * which of xm's and xl's grammars (xldisk.c) reads an entry. */
#include <errno.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define DISK_MAX_SPEC 4096

struct disk_mode_name {
	const char *name;
	enum xmcfg_disk_mode mode;
};

static const struct disk_mode_name disk_modes[] = {
	{"r", XMCFG_DISK_RO},     {"ro", XMCFG_DISK_RO},
	{"w", XMCFG_DISK_RW},     {"w!", XMCFG_DISK_SHARED},
	{"!", XMCFG_DISK_SHARED}, {NULL, XMCFG_DISK_RO},
};

/* Drivers xm knew for PV Linux guests; tap and tap2 carry a subtype; the
 * others name the block script xend ran (/etc/xen/scripts/block-NAME). */
static const struct {
	const char *name;
	const char *script;
} disk_drivers[] = {
	{"phy", NULL},        {"file", NULL},         {"tap", NULL},
	{"tap2", NULL},       {"drbd", "block-drbd"}, {"iscsi", "block-iscsi"},
	{"nbd", "block-nbd"}, {"enbd", "block-enbd"}, {NULL, NULL},
};

/* tap subtypes and the image format they mean ("" strips one more level). */
static const struct {
	const char *subtype, *format;
} disk_tap_subtypes[] = {
	{"aio", "raw"},     {"sync", "raw"}, {"qcow", "qcow"},
	{"qcow2", "qcow2"}, {"vhd", "vhd"},  {"ram", "raw"},
	{"tapdisk", ""},    {"ioemu", ""},   {NULL, NULL},
};

/* Split "hda1"/"sdb"/"xvdc12" into the disk index (a=0, z=25, aa=26) and
 * partition (0 = whole disk). Returns 0 or -1 when not such a name. */
int
xmdisk_vdev_index(const char *vdev, unsigned *index_out, unsigned *part_out)
{
	static const char *const prefixes[] = {"xvd", "hd", "sd", "vd", NULL};
	const char *p = NULL;
	unsigned idx = 0, part = 0, letters = 0;
	size_t i;

	for (i = 0; prefixes[i]; i++)
		if (!strncmp(vdev, prefixes[i], strlen(prefixes[i]))) {
			p = vdev + strlen(prefixes[i]);
			break;
		}
	if (!p)
		return -1;
	for (; *p >= 'a' && *p <= 'z'; p++) {
		if (++letters > 2)
			return -1;
		idx = (letters == 1 ? 0 : (idx + 1) * 26) +
		      (unsigned)(*p - 'a');
	}
	if (!letters)
		return -1;
	if (*p) {
		if (*p == '0' || strlen(p) > 3)
			return -1;
		for (; *p; p++) {
			if (!isdigit((unsigned char)*p))
				return -1;
			part = part * 10 + (unsigned)(*p - '0');
		}
	}
	*index_out = idx;
	*part_out = part;
	return 0;
}

void
xmdisk_dispose(struct xmcfg_disk *d)
{
	if (!d)
		return;
	free(d->spec);
	free(d->driver);
	free(d->subtype);
	free(d->format);
	free(d->source);
	free(d->vdev);
	free(d->backend);
	free(d->backendtype);
	free(d->script);
	free(d->specification);
	free(d->ignored);
	memset(d, 0, sizeof(*d));
}

static char *
disk_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Split the uname into driver/subtype/format/source as xm's blkif.py did. */
static int
disk_uname(struct xmcfg_disk *d, const char *uname, char *msg, size_t msglen)
{
	const char *colon = strchr(uname, ':'), *src = uname;
	char drv[32];
	size_t i, n;
	int level;
	static const char known[] =
		"phy, file, tap, tap2, drbd, iscsi, nbd or enbd";

	if (!colon) {
		d->driver = xm_strdup("phy");
	} else {
		n = (size_t)(colon - uname);
		if (n >= sizeof(drv)) {
			snprintf(msg, msglen, "driver '%.*s' is not %s",
				 (int)(n > 40 ? 40 : n), uname, known);
			return -1;
		}
		memcpy(drv, uname, n);
		drv[n] = '\0';
		for (i = 0; disk_drivers[i].name; i++)
			if (!strcmp(disk_drivers[i].name, drv))
				break;
		if (!disk_drivers[i].name) {
			snprintf(msg, msglen, "driver '%s' is not %s", drv,
				 known);
			return -1;
		}
		d->driver = xm_strdup(drv);
		if (disk_drivers[i].script) {
			d->script = xm_strdup(disk_drivers[i].script);
			if (!d->script) {
				snprintf(msg, msglen, "out of memory");
				return -1;
			}
		}
		src = colon + 1;
	}
	if (!strcmp(d->driver, "tap") || !strcmp(d->driver, "tap2")) {
		/* tap:aio:/f, tap:qcow:/f, tap2:tapdisk:aio:/f, tap:ioemu:... */
		for (level = 0; level < 2; level++) {
			colon = strchr(src, ':');
			if (!colon) {
				snprintf(msg, msglen,
					 "'%s' needs a subtype (tap:aio:PATH)",
					 uname);
				return -1;
			}
			n = (size_t)(colon - src);
			for (i = 0; disk_tap_subtypes[i].subtype; i++)
				if (strlen(disk_tap_subtypes[i].subtype) == n &&
				    !strncmp(src, disk_tap_subtypes[i].subtype,
					     n))
					break;
			if (!disk_tap_subtypes[i].subtype) {
				snprintf(msg, msglen,
					 "tap subtype '%.*s' is not aio, sync, "
					 "qcow, qcow2, vhd or ram",
					 (int)(n > 40 ? 40 : n), src);
				return -1;
			}
			src = colon + 1;
			if (disk_tap_subtypes[i].format[0]) {
				free(d->subtype);
				d->subtype = xm_strndup(colon - n, n);
				d->format =
					xm_strdup(disk_tap_subtypes[i].format);
				break;
			}
		}
		if (!d->format) {
			snprintf(msg, msglen, "'%s' needs a subtype", uname);
			return -1;
		}
	} else {
		d->format = xm_strdup("raw");
	}
	if (!*src) {
		d->source = NULL;
	} else if (!strcmp(d->driver, "phy") && src[0] != '/') {
		/* xm: phy:VG/LV and phy:hda1 are names under /dev */
		size_t len = strlen(src) + 6;

		d->source = malloc(len);
		if (d->source)
			snprintf(d->source, len, "/dev/%s", src);
	} else {
		d->source = xm_strdup(src);
	}
	if (!d->driver || !d->format || (*src && !d->source)) {
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	return 0;
}

void
xmdisk_set_guest_dev(struct xmcfg_disk *d, size_t index)
{
	snprintf(d->guest_dev, sizeof(d->guest_dev), "vd%c",
		 (char)('a' + index));
}

/* Whether spec has xm's shape and xm's parser reads it: no '=', 3 to 5
 * comma fields, an xm mode (r, ro, w, w!, !) third, and no prefix or an xm
 * driver prefix first. xl's grammar reads everything else; on the shape
 * they share (PREFIX:TARGET,VDEV[:cdrom],r|w) both give the same disk, and
 * xl has no w! and no 4th and 5th fields (backend, protocol). Pure. */
bool
xmdisk_is_xm_shape(const char *spec)
{
	static const char *const modes[] = {"r", "ro", "w", "w!", "!", NULL};
	const char *p = spec, *f[6], *e[6], *a, *b;
	size_t nf = 0, i, n;

	if (strchr(spec, '='))
		return false;
	for (;;) {
		if (nf == 6)
			return false;
		f[nf] = p;
		p += strcspn(p, ",");
		e[nf++] = p;
		if (!*p)
			break;
		p++;
	}
	if (nf < 3 || nf > 5)
		return false;
	for (a = f[2]; a < e[2] && isspace((unsigned char)*a);)
		a++;
	for (b = e[2]; b > a && isspace((unsigned char)b[-1]);)
		b--;
	for (i = 0; modes[i]; i++)
		if (strlen(modes[i]) == (size_t)(b - a) &&
		    !strncmp(a, modes[i], (size_t)(b - a)))
			break;
	if (!modes[i])
		return false;
	for (a = f[0]; a < e[0] && isspace((unsigned char)*a);)
		a++;
	for (n = 0; a + n < e[0] && ((a[n] >= 'a' && a[n] <= 'z') ||
				     isdigit((unsigned char)a[n]));)
		n++;
	if (!n || a + n == e[0] || a[n] != ':' || !(*a >= 'a' && *a <= 'z'))
		return true; /* no prefix (or none of xl's either) */
	for (i = 0; disk_drivers[i].name; i++)
		if (strlen(disk_drivers[i].name) == n &&
		    !strncmp(a, disk_drivers[i].name, n))
			return true;
	return false;
}

/* Parse one disk spec into *d (zeroed first, owned strings): xm's syntax
 * when xmdisk_is_xm_shape, else xl's. Returns 0, or -1 with msg set (no
 * file/line; the caller prefixes "disk[N]: "). */
int
xmdisk_parse(const char *spec, struct xmcfg_disk *d, char *msg, size_t msglen)
{
	char *copy = NULL, *f[6], *p, *vdev;
	unsigned idx, part;
	size_t nf = 0, i;
	int rc = -1;

	memset(d, 0, sizeof(*d));
	d->discard = -1;
	d->trusted = -1;
	if (strlen(spec) > DISK_MAX_SPEC) {
		snprintf(msg, msglen, "spec is longer than %d characters",
			 DISK_MAX_SPEC);
		goto out;
	}
	for (p = (char *)spec; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			snprintf(msg, msglen, "control character in spec");
			goto out;
		}
	d->spec = xm_strdup(spec);
	if (!d->spec) {
		snprintf(msg, msglen, "out of memory");
		goto out;
	}
	if (!xmdisk_is_xm_shape(spec)) {
		rc = xmdisk_parse_xl(spec, d, msg, msglen);
		goto out;
	}
	copy = xm_strdup(spec);
	if (!copy) {
		snprintf(msg, msglen, "out of memory");
		goto out;
	}
	for (p = copy; nf < (sizeof(f) / sizeof(f[0]));) {
		f[nf++] = p;
		p = strchr(p, ',');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (p || nf < 3 || nf > 5) {
		snprintf(msg, msglen,
			 "'%s' is not UNAME,VDEV,MODE (3 to 5 fields)", spec);
		goto out;
	}
	for (i = 0; i < nf; i++)
		f[i] = disk_trim(f[i]);
	if (disk_uname(d, f[0], msg, msglen) < 0)
		goto out;
	vdev = f[1];
	if (!strncmp(vdev, "ioemu:", 6))
		vdev += 6;
	p = strchr(vdev, ':');
	if (p) {
		if (strcmp(p, ":cdrom") && strcmp(p, ":disk")) {
			snprintf(
				msg, msglen,
				"vdev '%s' has an unknown suffix (only :cdrom)",
				f[1]);
			goto out;
		}
		d->cdrom = !strcmp(p, ":cdrom");
		*p = '\0';
	}
	if (xmdisk_vdev_index(vdev, &idx, &part) < 0 ||
	    !strncmp(vdev, "vd", 2)) {
		snprintf(msg, msglen,
			 "vdev '%s' is not hdX, sdX or xvdX (with an optional "
			 "partition number)",
			 f[1]);
		goto out;
	}
	d->vdev = xm_strdup(vdev);
	if (!d->source && !d->cdrom) {
		snprintf(msg, msglen,
			 "no source for '%s' (only a cdrom may be "
			 "empty)",
			 f[1]);
		goto out;
	}
	if (!d->source) { /* a drive without a medium, as xl names it */
		free(d->format);
		d->format = xm_strdup("empty");
		if (!d->format) {
			snprintf(msg, msglen, "out of memory");
			goto out;
		}
	}
	for (i = 0; disk_modes[i].name; i++)
		if (!strcmp(f[2], disk_modes[i].name))
			break;
	if (!disk_modes[i].name) {
		snprintf(msg, msglen, "mode '%s' is not r, w or w!", f[2]);
		goto out;
	}
	d->mode = disk_modes[i].mode;
	if (nf >= 4 && f[3][0])
		d->backend = xm_strdup(f[3]);
	if (!d->vdev || (nf >= 4 && f[3][0] && !d->backend)) {
		snprintf(msg, msglen, "out of memory");
		goto out;
	}
	rc = 0;
out:
	free(copy);
	if (rc < 0)
		xmdisk_dispose(d);
	return rc;
}

/* See xmcfg.h. */
int
xmcfg_disk_parse(const char *spec, struct xmcfg_disk *out, char *msg,
		 size_t msglen)
{
	return xmdisk_parse(spec, out, msg, msglen) < 0 ? -EINVAL : 0;
}

/* See xmcfg.h. */
void
xmcfg_disk_dispose(struct xmcfg_disk *d)
{
	xmdisk_dispose(d);
}
