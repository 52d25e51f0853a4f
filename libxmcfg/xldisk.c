/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xldisk.c: xl's disk grammar (xl-disk-configuration(5)): positional
 * TARGET,FORMAT,VDEV,ACCESS, key=value parameters, flags, the deprecated
 * "prefix:" forms, and target= which takes the rest of the entry. Token by
 * token as xl's scanner (libxlu_disk_l.l) matches them. Pure. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Positional slots in the order xl fills them. */
enum xl_slot { XL_TARGET, XL_FORMAT, XL_VDEV, XL_ACCESS, XL_NSLOTS };

struct xl_ctx {
	struct xmcfg_disk *d;
	char *slot[XL_NSLOTS]; /* positional and key=value values */
	bool had_prefix;       /* a deprecated prefix: no FORMAT slot */
	bool phy_prefix;       /* "phy:": a relative target is under /dev */
	bool format_set, access_set, devtype_set;
	char *msg;
	size_t msglen;
};

/* Key=value parameters that stop at the next comma; slot >= 0 fills a
 * positional slot, otherwise field is the string member of the disk. */
static const struct {
	const char *key;
	int slot;
	size_t field;
} xl_keys[] = {
	{"format", XL_FORMAT, 0},
	{"vdev", XL_VDEV, 0},
	{"access", XL_ACCESS, 0},
	{"backend", -1, offsetof(struct xmcfg_disk, backend)},
	{"backendtype", -1, offsetof(struct xmcfg_disk, backendtype)},
	{"script", -1, offsetof(struct xmcfg_disk, script)},
	{"specification", -1, offsetof(struct xmcfg_disk, specification)},
	{"devtype", -2, 0},
	{"colo-host", -3, 0},
	{"colo-port", -3, 0},
	{"colo-export", -3, 0},
	{"active-disk", -3, 0},
	{"hidden-disk", -3, 0},
	{NULL, 0, 0},
};

/* Flags (words without '='); what -3 rows and "ignored" mean: recorded in
 * d->ignored, no effect without Xen. */
enum xl_flag {
	XL_F_CDROM,
	XL_F_DIO,
	XL_F_DISCARD,
	XL_F_NODISCARD,
	XL_F_TRUSTED,
	XL_F_UNTRUSTED,
	XL_F_IGNORED
};

static const struct {
	const char *word;
	enum xl_flag flag;
} xl_flags[] = {
	{"cdrom", XL_F_CDROM},
	{"direct-io-safe", XL_F_DIO},
	{"discard", XL_F_DISCARD},
	{"no-discard", XL_F_NODISCARD},
	{"trusted", XL_F_TRUSTED},
	{"untrusted", XL_F_UNTRUSTED},
	{"colo", XL_F_IGNORED},
	{"no-colo", XL_F_IGNORED},
	{"grant_usage=0", XL_F_IGNORED},
	{"grant_usage=1", XL_F_IGNORED},
	{NULL, XL_F_IGNORED},
};

/* Deprecated prefixes: a format, a block script, or nothing. */
static const struct {
	const char *prefix;
	const char *format, *script;
} xl_prefixes[] = {
	{"raw", "raw", NULL},
	{"qcow", "qcow", NULL},
	{"qcow2", "qcow2", NULL},
	{"vhd", "vhd", NULL},
	{"iscsi", NULL, "block-iscsi"},
	{"nbd", NULL, "block-nbd"},
	{"enbd", NULL, "block-enbd"},
	{"drbd", NULL, "block-drbd"},
	{"tapdisk", NULL, NULL},
	{"tap", NULL, NULL},
	{"tap2", NULL, NULL},
	{"aio", NULL, NULL},
	{"ioemu", NULL, NULL},
	{"file", NULL, NULL},
	{"phy", NULL, NULL},
	{NULL, NULL, NULL},
};

static const char *const xl_formats[] = {"raw",   "qcow", "qcow2", "vhd",
					 "empty", "qed",  NULL};
static const char *const xl_backendtypes[] = {"phy", "tap", "qdisk",
					      "standalone", NULL};
static const char *const xl_specifications[] = {"xen", "virtio", NULL};

static int xl_fail(struct xl_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
xl_fail(struct xl_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->msg, c->msglen, fmt, ap);
	va_end(ap);
	return -1;
}

static bool
xl_in(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

/* Store val (n bytes) into *dst: xl's "respecified" rule, an empty earlier
 * value may be overwritten. */
static int
xl_save(struct xl_ctx *c, char **dst, const char *what, const char *val,
	size_t n)
{
	if (*dst && **dst)
		return xl_fail(c, "%s given twice (at '%.*s')", what,
			       (int)(n > 60 ? 60 : n), val);
	free(*dst);
	*dst = xm_strndup(val, n);
	return *dst ? 0 : xl_fail(c, "out of memory");
}

static int
xl_ignore(struct xl_ctx *c, const char *tok, size_t n)
{
	size_t old = c->d->ignored ? strlen(c->d->ignored) : 0;
	char *s = realloc(c->d->ignored, old + n + 2);

	if (!s)
		return xl_fail(c, "out of memory");
	if (old)
		s[old++] = ',';
	memcpy(s + old, tok, n);
	s[old + n] = '\0';
	c->d->ignored = s;
	return 0;
}

static int
xl_flag(struct xl_ctx *c, enum xl_flag f, const char *tok, size_t n)
{
	switch (f) {
	case XL_F_CDROM:
		c->d->cdrom = true;
		c->devtype_set = true;
		return 0;
	case XL_F_DIO:
		c->d->direct_io_safe = true;
		return 0;
	case XL_F_DISCARD:
	case XL_F_NODISCARD:
		c->d->discard = f == XL_F_DISCARD;
		return 0;
	case XL_F_TRUSTED:
	case XL_F_UNTRUSTED:
		c->d->trusted = f == XL_F_TRUSTED;
		return 0;
	case XL_F_IGNORED:
		break;
	}
	return xl_ignore(c, tok, n);
}

/* "hdc:cdrom" in the VDEV slot (or in FORMAT after an empty target):
 * split off the device type. Returns 1 when it was VDEV:TYPE, 0 when there
 * is no ':', -1 on error. */
static int
xl_vdev_devtype(struct xl_ctx *c, const char *tok, size_t n)
{
	const char *colon = NULL, *p;

	for (p = tok; p < tok + n; p++)
		if (*p == ':')
			colon = p;
	if (!colon)
		return 0;
	if (xl_save(c, &c->slot[XL_VDEV], "vdev", tok, (size_t)(colon - tok)))
		return -1;
	p = colon + 1;
	if ((size_t)(tok + n - p) == 5 && !strncmp(p, "cdrom", 5))
		c->d->cdrom = true;
	else if ((size_t)(tok + n - p) == 4 && !strncmp(p, "disk", 4))
		c->d->cdrom = false;
	else
		return xl_fail(c,
			       "'%.*s': unknown device type '%.*s' (cdrom "
			       "or disk)",
			       (int)(n > 60 ? 60 : n), tok,
			       (int)(tok + n - p > 20 ? 20 : tok + n - p), p);
	return 1;
}

/* One positional word, into the next free slot. */
static int
xl_positional(struct xl_ctx *c, const char *tok, size_t n)
{
	int rc;

	if (!c->slot[XL_TARGET])
		return xl_save(c, &c->slot[XL_TARGET], "target", tok, n);
	if (!c->had_prefix && !c->format_set) {
		if (!c->slot[XL_TARGET][0]) {
			rc = xl_vdev_devtype(c, tok, n);
			if (rc < 0)
				return -1;
			if (rc > 0) { /* ",hdc:cdrom,r": xm's empty CD-ROM */
				c->format_set = true;
				return xl_save(c, &c->slot[XL_FORMAT], "format",
					       "empty", 5);
			}
		}
		c->format_set = true;
		return xl_save(c, &c->slot[XL_FORMAT], "format", tok, n);
	}
	if (!c->slot[XL_VDEV]) {
		rc = xl_vdev_devtype(c, tok, n);
		if (rc)
			return rc < 0 ? -1 : 0;
		return xl_save(c, &c->slot[XL_VDEV], "vdev", tok, n);
	}
	if (!c->access_set) {
		c->access_set = true;
		return xl_save(c, &c->slot[XL_ACCESS], "access", tok, n);
	}
	return xl_fail(c,
		       "too many positional parameters at '%.*s' (TARGET, "
		       "FORMAT, VDEV, ACCESS)",
		       (int)(n > 60 ? 60 : n), tok);
}

/* Length of a "word" a lowercase name followed by ':' at p (0: none). */
static size_t
xl_prefix_len(const char *p)
{
	size_t n = 0;

	if (*p < 'a' || *p > 'z')
		return 0;
	while ((p[n] >= 'a' && p[n] <= 'z') || isdigit((unsigned char)p[n]))
		n++;
	return p[n] == ':' ? n : 0;
}

/* A key=value parameter at p; returns its length (value up to the next
 * comma, and the comma), 0 when p is no known key, -1 on error. */
static long
xl_key(struct xl_ctx *c, const char *p)
{
	size_t i, k, v;
	const char *val;
	char **dst;

	for (i = 0; xl_keys[i].key; i++) {
		k = strlen(xl_keys[i].key);
		if (!strncmp(p, xl_keys[i].key, k) && p[k] == '=')
			break;
	}
	if (!xl_keys[i].key)
		return 0;
	val = p + k + 1;
	v = strcspn(val, ",");
	if (xl_keys[i].slot >= 0) {
		if (xl_keys[i].slot == XL_FORMAT)
			c->format_set = true;
		if (xl_keys[i].slot == XL_ACCESS)
			c->access_set = true;
		if (xl_save(c, &c->slot[xl_keys[i].slot], xl_keys[i].key, val,
			    v) < 0)
			return -1;
	} else if (xl_keys[i].slot == -1) {
		dst = (char **)((char *)c->d + xl_keys[i].field);
		if (xl_save(c, dst, xl_keys[i].key, val, v) < 0)
			return -1;
	} else if (xl_keys[i].slot == -2) {
		if (v == 5 && !strncmp(val, "cdrom", 5))
			c->d->cdrom = true;
		else if (v == 4 && !strncmp(val, "disk", 4))
			c->d->cdrom = false;
		else
			return xl_fail(c, "devtype '%.*s' is not cdrom or disk",
				       (int)(v > 40 ? 40 : v), val);
		c->devtype_set = true;
	} else if (xl_ignore(c, p, k + 1 + v) < 0) {
		return -1;
	}
	return (long)(k + 1 + v + (val[v] == ','));
}

/* One token at p; returns its length, or -1 with the message set. */
static long
xl_token(struct xl_ctx *c, const char *p)
{
	size_t i, n;
	long r;

	/* target= takes the rest, commas and all, but one trailing comma */
	if (!strncmp(p, "target=", 7)) {
		n = strlen(p + 7);
		if (xl_save(c, &c->slot[XL_TARGET], "target", p + 7,
			    n && p[7 + n - 1] == ',' ? n - 1 : n) < 0)
			return -1;
		return (long)(7 + n);
	}
	r = xl_key(c, p);
	if (r)
		return r;
	for (i = 0; xl_flags[i].word; i++) {
		n = strlen(xl_flags[i].word);
		/* a flag is a whole word: "cdromx" is a positional value */
		if (!strncmp(p, xl_flags[i].word, n) &&
		    (p[n] == ',' || !p[n])) {
			if (xl_flag(c, xl_flags[i].flag, p, n) < 0)
				return -1;
			return (long)(n + (p[n] == ','));
		}
	}
	n = xl_prefix_len(p);
	for (i = 0; n && xl_prefixes[i].prefix; i++)
		if (strlen(xl_prefixes[i].prefix) == n &&
		    !strncmp(p, xl_prefixes[i].prefix, n))
			break;
	/* an unknown "word:" is an error when the end or something that is
	 * no letter or digit follows; "hdc:cdrom" is a positional value */
	if (n && !xl_prefixes[i].prefix &&
	    (!p[n + 1] || (!isdigit((unsigned char)p[n + 1]) &&
			   (p[n + 1] < 'a' || p[n + 1] > 'z'))))
		return xl_fail(c, "unknown disk prefix '%.*s:'",
			       (int)(n > 40 ? 40 : n), p);
	if (n && xl_prefixes[i].prefix) {
		c->had_prefix = true;
		if (!strcmp(xl_prefixes[i].prefix, "phy"))
			c->phy_prefix = true;
		if (xl_prefixes[i].format) {
			c->format_set = true;
			if (xl_save(c, &c->slot[XL_FORMAT], "format",
				    xl_prefixes[i].format,
				    strlen(xl_prefixes[i].format)) < 0)
				return -1;
		}
		if (xl_prefixes[i].script &&
		    xl_save(c, &c->d->script, "script", xl_prefixes[i].script,
			    strlen(xl_prefixes[i].script)) < 0)
			return -1;
		return (long)(n + 1);
	}
	n = strcspn(p, "=,");
	if (p[n] == '=') {
		if (n && isalpha((unsigned char)*p))
			return xl_fail(c,
				       "unknown parameter '%.*s' (format, "
				       "vdev, access, devtype, backend, "
				       "backendtype, script, target, ...)",
				       (int)(n > 40 ? 40 : n), p);
		return xl_fail(c, "'=' where a value was expected, at '%.60s'",
			       p);
	}
	if (xl_positional(c, p, n) < 0)
		return -1;
	return (long)(n + (p[n] == ','));
}

/* The slots, checked, into the disk (xlu_disk_parse's defaults and rules,
 * plus what xmtools needs: a Xen disk name and a source unless a CD-ROM). */
static int
xl_finish(struct xl_ctx *c)
{
	struct xmcfg_disk *d = c->d;
	const char *fmt = c->slot[XL_FORMAT], *acc = c->slot[XL_ACCESS];
	const char *target = c->slot[XL_TARGET], *vdev = c->slot[XL_VDEV];
	unsigned idx, part;

	if (fmt && *fmt && !xl_in(xl_formats, fmt))
		return xl_fail(c,
			       "format '%.40s' is not raw, qcow, qcow2, vhd, "
			       "qed or empty (positional: TARGET,FORMAT,VDEV,"
			       "ACCESS)",
			       fmt);
	d->format = xm_strdup(fmt && *fmt ? fmt : "raw");
	if (!acc || !*acc || !strcmp(acc, "w") || !strcmp(acc, "rw"))
		d->mode = XMCFG_DISK_RW;
	else if (!strcmp(acc, "r") || !strcmp(acc, "ro"))
		d->mode = XMCFG_DISK_RO;
	else
		return xl_fail(c,
			       "access '%.40s' is not r, ro, w or rw (xl has "
			       "no w!)",
			       acc);
	if (d->backendtype && !xl_in(xl_backendtypes, d->backendtype))
		return xl_fail(c,
			       "backendtype '%.40s' is not phy, qdisk, tap or "
			       "standalone",
			       d->backendtype);
	if (d->specification && !xl_in(xl_specifications, d->specification))
		return xl_fail(c, "specification '%.40s' is not xen or virtio",
			       d->specification);
	if (d->cdrom) {
		d->mode = XMCFG_DISK_RO; /* xl: a CD-ROM is read-only */
		if (!target || !*target) {
			free(d->format);
			d->format = xm_strdup("empty");
		}
	}
	if (!vdev || !*vdev)
		return xl_fail(c, "no vdev (the guest's name for the disk, "
				  "vdev=xvda)");
	if (xmdisk_vdev_index(vdev, &idx, &part) < 0 || !strncmp(vdev, "vd", 2))
		return xl_fail(c,
			       "vdev '%.40s' is not hdX, sdX or xvdX (with an "
			       "optional partition number)",
			       vdev);
	if ((!target || !*target) && !d->cdrom)
		return xl_fail(c,
			       "no target for '%.40s' (only a CD-ROM drive "
			       "may be empty)",
			       vdev);
	if (!strcmp(d->format ? d->format : "", "empty") && !d->cdrom)
		return xl_fail(c, "format 'empty' is only for a CD-ROM drive");
	if (target && *target && !strcmp(d->format ? d->format : "", "empty"))
		return xl_fail(c, "format 'empty' with target '%.60s'", target);
	d->vdev = xm_strdup(vdev);
	if (target && *target && c->phy_prefix && *target != '/') {
		/* as xm's phy:VG/LV: a name under /dev */
		size_t len = strlen(target) + 6;

		d->source = malloc(len);
		if (d->source)
			snprintf(d->source, len, "/dev/%s", target);
	} else if (target && *target) {
		d->source = xm_strdup(target);
	}
	/* what xmd opens: xl's backend is phy for a block device, and the
	 * parser opens nothing, so a /dev/ target counts as one */
	d->driver = xm_strdup(
		(d->backendtype && !strcmp(d->backendtype, "phy")) ||
				(d->source && !strncmp(d->source, "/dev/", 5))
			? "phy"
			: "file");
	if (!d->format || !d->vdev || !d->driver ||
	    (target && *target && !d->source))
		return xl_fail(c, "out of memory");
	return 0;
}

/* Parse spec with xl's grammar into *d (d->spec already set by the
 * caller, the rest zeroed). Returns 0 or -1 with msg. */
int
xmdisk_parse_xl(const char *spec, struct xmcfg_disk *d, char *msg,
		size_t msglen)
{
	struct xl_ctx c = {.d = d, .msg = msg, .msglen = msglen};
	const char *p = spec;
	int rc = -1;
	long n;
	size_t i;

	d->xl = true;
	d->discard = -1;
	d->trusted = -1;
	while (*p) {
		/* whitespace before a parameter is no part of it */
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		n = xl_token(&c, p);
		if (n < 0)
			goto out;
		p += n;
	}
	rc = xl_finish(&c);
out:
	for (i = 0; i < XL_NSLOTS; i++)
		free(c.slot[i]);
	return rc;
}

/* The next ':'-separated field of an rbd: target at *p, with qemu's
 * escapes (\: \; \\) undone, into a malloc'd string. */
static char *
rbd_field(const char **p)
{
	struct xmbuf b = {0};
	const char *s = *p;

	for (; *s && *s != ':'; s++) {
		if (*s == '\\' && s[1])
			s++;
		xmbuf_put(&b, s, 1);
	}
	*p = *s ? s + 1 : s;
	return xmbuf_finish(&b);
}

/* A Ceph RBD target as qemu (and libvirt's xl reader) spell it,
 * "rbd:POOL/IMAGE[:KEY=VALUE]...", mon_host=HOST\:PORT\;HOST\:PORT: the
 * image into *name_out and the monitors into *hosts_out as HOST, PORT
 * pairs (2 * *nhosts_out malloc'd strings; PORT may be ""). Returns 0, 1
 * when target is no rbd: target, -1 when out of memory. Pure. */
int
xmdisk_rbd(const char *target, char **name_out, char ***hosts_out,
	   size_t *nhosts_out)
{
	const char *p = target + 4, *h, *colon;
	char *name = NULL, *opt = NULL, **hosts = NULL, **nh;
	size_t n = 0, i, len;
	int rc = -1;

	if (strncmp(target, "rbd:", 4))
		return 1;
	name = rbd_field(&p);
	while (name && *p) {
		free(opt);
		opt = rbd_field(&p);
		if (!opt)
			goto out;
		if (strncmp(opt, "mon_host=", 9))
			continue;
		for (h = opt + 9; *h; h += len + (h[len] == ';')) {
			len = strcspn(h, ";");

			/* HOST:PORT, [V6]:PORT */
			colon = NULL;
			for (i = 0; i < len; i++)
				if (h[i] == ':')
					colon = h + i;
			if (h[0] == '[' && colon && colon[-1] != ']')
				colon = NULL;
			nh = realloc(hosts, (n + 1) * 2 * sizeof(*hosts));
			if (!nh)
				goto out;
			hosts = nh;
			hosts[2 * n] = xm_strndup(h, colon ? (size_t)(colon - h)
							   : len);
			hosts[2 * n + 1] =
				colon ? xm_strndup(colon + 1,
						   len - (size_t)(colon - h) -
							   1)
				      : xm_strdup("");
			n++;
			if (!hosts[2 * n - 2] || !hosts[2 * n - 1])
				goto out;
		}
	}
	if (!name)
		goto out;
	*name_out = name;
	*hosts_out = hosts;
	*nhosts_out = n;
	name = NULL;
	hosts = NULL;
	n = 0;
	rc = 0;
out:
	for (i = 0; i < 2 * n; i++)
		free(hosts[i]);
	free(hosts);
	free(name);
	free(opt);
	return rc;
}
