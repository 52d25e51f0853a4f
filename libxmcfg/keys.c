/* SPDX-License-Identifier: GPL-2.0-or-later */
/* keys.c: the table of config keys xm accepted for PV Linux guests, and the
 * validation of evaluated values into struct xmcfg_domain. */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define KEY_MSG 512

enum key_kind {
	KEY_STR,         /* char * at off */
	KEY_U64,         /* uint64_t at off, [min, max] */
	KEY_U32,         /* uint32_t at off, [min, max] */
	KEY_BOOL,        /* bool at off */
	KEY_ACTION,      /* enum xmcfg_action at off */
	KEY_UUID,        /* uuid + has_uuid */
	KEY_CPUS,        /* string or per-vCPU list */
	KEY_CPU,         /* deprecated cpu=N, folded into cpus */
	KEY_RESTART,     /* deprecated restart=, mapped to on_* */
	KEY_DISK,        /* list of disk specs */
	KEY_VIF,         /* list of vif specs */
	KEY_CPUID,       /* list of cpuid entries */
	KEY_BUILDER,     /* only 'linux' */
	KEY_UNSUPPORTED, /* xm knew it; xmtools ignores it with a warning */
};

struct key_def {
	const char *name;
	enum key_kind kind;
	size_t off;
	uint64_t min, max;
	const char *doc;
};

#define D(f) offsetof(struct xmcfg_domain, f)

/* Every key, its type, limits and meaning. */
static const struct key_def key_table[] = {
	{"name", KEY_STR, D(name), 0, 0, "domain name (default: file name)"},
	{"uuid", KEY_UUID, 0, 0, 0, "domain UUID"},
	{"kernel", KEY_STR, D(kernel), 0, 0, "kernel image on the host"},
	{"ramdisk", KEY_STR, D(ramdisk), 0, 0, "initrd image on the host"},
	{"root", KEY_STR, D(root), 0, 0, "root= of the kernel command line"},
	{"extra", KEY_STR, D(extra), 0, 0, "rest of the kernel command line"},
	{"bootloader", KEY_STR, D(bootloader), 0, 0, "bootloader (parsed)"},
	{"bootargs", KEY_STR, D(bootargs), 0, 0, "bootloader arguments"},
	{"memory", KEY_U64, D(memory_mib), XMCFG_MEMORY_MIN_MIB,
	 XMCFG_MEMORY_MAX_MIB, "memory in MiB"},
	{"maxmem", KEY_U64, D(maxmem_mib), XMCFG_MEMORY_MIN_MIB,
	 XMCFG_MEMORY_MAX_MIB, "maximum memory, MiB"},
	{"vcpus", KEY_U32, D(vcpus), 1, XMCFG_MAX_VCPUS, "number of vCPUs"},
	{"maxvcpus", KEY_U32, D(maxvcpus), 1, XMCFG_MAX_VCPUS, "vCPU limit"},
	{"cpus", KEY_CPUS, 0, 0, 0, "host CPUs for the vCPUs"},
	{"cpu", KEY_CPU, 0, 0, XMCFG_MAX_HOST_CPUS - 1, "deprecated: CPU"},
	{"on_poweroff", KEY_ACTION, D(on_poweroff), 0, 0, "after poweroff"},
	{"on_reboot", KEY_ACTION, D(on_reboot), 0, 0, "after reboot"},
	{"on_crash", KEY_ACTION, D(on_crash), 0, 0, "after a crash"},
	{"restart", KEY_RESTART, 0, 0, 0, "deprecated: on_* policy"},
	{"ip", KEY_STR, D(ip), 0, 0, "guest IP (kernel ip=)"},
	{"netmask", KEY_STR, D(netmask), 0, 0, "netmask (kernel ip=)"},
	{"gateway", KEY_STR, D(gateway), 0, 0, "gateway (kernel ip=)"},
	{"hostname", KEY_STR, D(hostname), 0, 0, "host name (kernel ip=)"},
	{"dhcp", KEY_STR, D(dhcp), 0, 0, "'dhcp' or 'off' (kernel ip=)"},
	{"interface", KEY_STR, D(interface), 0, 0, "interface (kernel ip=)"},
	{"nfs_server", KEY_STR, D(nfs_server), 0, 0, "NFS server address"},
	{"nfs_root", KEY_STR, D(nfs_root), 0, 0, "NFS root path"},
	{"localtime", KEY_BOOL, D(localtime), 0, 0, "RTC in local time"},
	{"cpuid", KEY_CPUID, 0, 0, 0, "Xen-style cpuid masks"},
	{"disk", KEY_DISK, 0, 0, 0, "disks: UNAME,VDEV,MODE"},
	{"vif", KEY_VIF, 0, 0, 0, "network interfaces"},
	{"builder", KEY_BUILDER, 0, 0, 0, "'linux' (paravirtualized)"},
	{"vfb", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"vnc", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"vncunused", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"vncdisplay", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"vnclisten", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"vncpasswd", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"vncconsole", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"sdl", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"display", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"xauthority", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"pci", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"irq", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"ioports", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"usb", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"usbdevice", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"vtpm", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"vscsi", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"serial", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"shadow_memory", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"cpu_weight", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"cpu_cap", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"on_xend_start", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"on_xend_stop", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"blkif", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"netif", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"tpmif", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"nics", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"features", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"vcpu_avail", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"machine_address_size", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"suppress_spurious_page_faults", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"security", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"access_control", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"keymap", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"extid", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"s3_integrity", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{"cpuid_check", KEY_UNSUPPORTED, 0, 0, 0, NULL},
	{NULL, KEY_STR, 0, 0, 0, NULL},
};

struct key_ctx {
	const struct xmbindings *b;
	struct xmcfg_domain *dom;
	const char *path;
	struct xmcfg_error *err;
	const struct xmbinding *cur;
	bool set_action[3];
	bool has_cpu;
	uint32_t cpu;
	const struct xmval *cpus_list; /* per-vCPU form, checked at the end */
	int cpus_line;
};

static int key_fail(struct key_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
key_fail(struct key_ctx *c, const char *fmt, ...)
{
	va_list ap;
	char msg[KEY_MSG + 32];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	xmerr_set(c->err, XMCFG_EVALUE, c->path, c->cur ? c->cur->line : 0,
		  "%s%s", msg,
		  c->cur && c->cur->line == 0 ? " (command line)" : "");
	return -1;
}

static int key_warn(struct xmcfg_domain *dom, const char *path, int line,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
key_warn(struct xmcfg_domain *dom, const char *path, int line, const char *fmt,
	 ...)
{
	char msg[KEY_MSG], full[KEY_MSG + 4200];
	char **w;
	va_list ap;

	if (dom->nwarnings >= XMCFG_MAX_WARNINGS)
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(full, sizeof(full), "%s:%d: %s", path, line, msg);
	else
		snprintf(full, sizeof(full), "%s: %s", path, msg);
	w = realloc(dom->warnings, (dom->nwarnings + 1) * sizeof(*w));
	if (!w)
		return -ENOMEM;
	dom->warnings = w;
	w[dom->nwarnings] = xm_strdup(full);
	if (!w[dom->nwarnings])
		return -ENOMEM;
	dom->nwarnings++;
	return 0;
}

/* Strings end up in XML, SXP and command lines: valid UTF-8, and no control
 * characters but tab. */
static bool
key_text_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n, i;

	while (*p) {
		if (*p < 0x80) {
			if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
				return false;
			p++;
			continue;
		}
		n = (*p & 0xe0) == 0xc0   ? 1
		    : (*p & 0xf0) == 0xe0 ? 2
		    : (*p & 0xf8) == 0xf0 ? 3
					  : -1;
		if (n < 0 || *p == 0xc0 || *p == 0xc1 || *p > 0xf4)
			return false;
		for (i = 1; i <= n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return false;
		/* no overlong forms, no surrogates, nothing above U+10FFFF */
		if ((p[0] == 0xe0 && p[1] < 0xa0) ||
		    (p[0] == 0xed && p[1] > 0x9f) ||
		    (p[0] == 0xf0 && p[1] < 0x90) ||
		    (p[0] == 0xf4 && p[1] > 0x8f) ||
		    (p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe))
			return false; /* U+FFFE, U+FFFF: not XML characters */
		p += n + 1;
	}
	return true;
}

/* A value as a string: str as is, int in decimal (xm's str() of it). */
static int
key_as_str(struct key_ctx *c, const char *what, const struct xmval *v,
	   char **out)
{
	char tmp[32];

	if (v->type == XMVAL_STR) {
		if (strlen(v->str) != v->len)
			return key_fail(c, "%s: contains a NUL character",
					what);
		if (!key_text_ok(v->str))
			return key_fail(c,
					"%s: contains a control character or "
					"invalid UTF-8",
					what);
		*out = xm_strdup(v->str);
	} else if (v->type == XMVAL_INT) {
		snprintf(tmp, sizeof(tmp), "%lld", (long long)v->i);
		*out = xm_strdup(tmp);
	} else {
		return key_fail(c, "%s: expected a string, got %s", what,
				xmval_type_name(v));
	}
	if (!*out)
		return key_fail(c, "%s: out of memory", what);
	return 0;
}

/* An unsigned integer from an int, an integral float or a digit string. */
static int
key_as_u64(struct key_ctx *c, const char *what, const struct xmval *v,
	   uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t x;
	char *s, *e;

	switch (v->type) {
	case XMVAL_INT:
		if (v->i < 0)
			goto range;
		x = (uint64_t)v->i;
		break;
	case XMVAL_BIGINT:
		goto range;
	case XMVAL_FLOAT:
		if (!(v->f >= 0 && v->f <= 1e15) ||
		    v->f != (double)(uint64_t)v->f)
			return key_fail(c, "%s: %g is not a whole number", what,
					v->f);
		x = (uint64_t)v->f;
		break;
	case XMVAL_STR:
		s = v->str;
		while (isspace((unsigned char)*s))
			s++;
		e = s + strlen(s);
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (e == s || e - s > 18 ||
		    strspn(s, "0123456789") != (size_t)(e - s))
			return key_fail(c, "%s: '%.100s' is not an integer",
					what, v->str);
		x = strtoull(s, NULL, 10);
		break;
	default:
		return key_fail(c, "%s: expected an integer, got %s", what,
				xmval_type_name(v));
	}
	if (x < min || x > max) {
		return key_fail(c, "%s: %llu is not in %llu..%llu", what,
				(unsigned long long)x, (unsigned long long)min,
				(unsigned long long)max);
	}
	*out = x;
	return 0;
range:
	return key_fail(c, "%s: %s is not in %llu..%llu", what,
			v->type == XMVAL_BIGINT ? "value" : "negative value",
			(unsigned long long)min, (unsigned long long)max);
}

/* A list of strings; a single string is a one-entry list (VAR=VALUE). */
static int
key_as_list(struct key_ctx *c, const char *what, const struct xmval *v,
	    const struct xmval **items, size_t *n)
{
	size_t i;

	if (v->type == XMVAL_STR) {
		if (!key_text_ok(v->str) || strlen(v->str) != v->len)
			return key_fail(c,
					"%s: contains a control character or "
					"invalid UTF-8",
					what);
		*items = v;
		*n = 1;
		return 0;
	}
	if (v->type != XMVAL_LIST)
		return key_fail(c, "%s: expected a list of strings, got %s",
				what, xmval_type_name(v));
	for (i = 0; i < v->n; i++)
		if (v->items[i].type != XMVAL_STR)
			return key_fail(c, "%s[%zu]: expected a string, got %s",
					what, i, xmval_type_name(&v->items[i]));
		else if (!key_text_ok(v->items[i].str) ||
			 strlen(v->items[i].str) != v->items[i].len)
			return key_fail(c,
					"%s[%zu]: contains a control character "
					"or invalid UTF-8",
					what, i);
	*items = v->items;
	*n = v->n;
	return 0;
}

static int
key_uuid(struct key_ctx *c, const char *s)
{
	static const int groups[] = {8, 4, 4, 4, 12};
	const char *p = s;
	size_t g, k, b = 0;
	int hi, lo;

	for (g = 0; g < 5; g++) {
		if (g && *p++ != '-')
			goto bad;
		for (k = 0; k < (size_t)groups[g]; k += 2) {
			hi = isxdigit((unsigned char)p[0]) ? p[0] : -1;
			lo = hi >= 0 && isxdigit((unsigned char)p[1]) ? p[1]
								      : -1;
			if (lo < 0)
				goto bad;
			hi = isdigit(hi) ? hi - '0' : tolower(hi) - 'a' + 10;
			lo = isdigit(lo) ? lo - '0' : tolower(lo) - 'a' + 10;
			c->dom->uuid[b++] = (uint8_t)(hi << 4 | lo);
			p += 2;
		}
	}
	if (*p)
		goto bad;
	c->dom->has_uuid = true;
	return 0;
bad:
	return key_fail(c,
			"uuid: '%.100s' is not a UUID "
			"(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
			s);
}

static int
key_disks(struct key_ctx *c, const struct xmval *v)
{
	const struct xmval *items;
	struct xmcfg_disk *d;
	char msg[KEY_MSG];
	size_t n, i, j;

	if (key_as_list(c, "disk", v, &items, &n) < 0)
		return -1;
	if (n > XMCFG_MAX_DISKS)
		return key_fail(c, "disk: %zu disks, at most %d", n,
				XMCFG_MAX_DISKS);
	for (i = 0; i < c->dom->ndisks; i++)
		xmdisk_dispose(&c->dom->disks[i]);
	free(c->dom->disks);
	c->dom->ndisks = 0;
	c->dom->disks = calloc(n ? n : 1, sizeof(*d));
	if (!c->dom->disks)
		return key_fail(c, "disk: out of memory");
	for (i = 0; i < n; i++) {
		d = &c->dom->disks[i];
		if (xmdisk_parse(items[i].str, d, msg, sizeof(msg)) < 0)
			return key_fail(c, "disk[%zu]: %s", i, msg);
		c->dom->ndisks = i + 1;
		xmdisk_set_guest_dev(d, i);
		for (j = 0; j < i; j++)
			if (!strcmp(c->dom->disks[j].vdev, d->vdev))
				return key_fail(
					c,
					"disk[%zu]: vdev '%s' is already "
					"used by disk[%zu]",
					i, d->vdev, j);
	}
	return 0;
}

static int
key_vifs(struct key_ctx *c, const struct xmval *v)
{
	const struct xmval *items;
	char msg[KEY_MSG];
	size_t n, i;

	if (key_as_list(c, "vif", v, &items, &n) < 0)
		return -1;
	if (n > XMCFG_MAX_VIFS)
		return key_fail(c, "vif: %zu interfaces, at most %d", n,
				XMCFG_MAX_VIFS);
	for (i = 0; i < c->dom->nvifs; i++)
		xmvif_dispose(&c->dom->vifs[i]);
	free(c->dom->vifs);
	c->dom->nvifs = 0;
	c->dom->vifs = calloc(n ? n : 1, sizeof(*c->dom->vifs));
	if (!c->dom->vifs)
		return key_fail(c, "vif: out of memory");
	for (i = 0; i < n; i++) {
		if (xmvif_parse(items[i].str, &c->dom->vifs[i], msg,
				sizeof(msg)) < 0)
			return key_fail(c, "vif[%zu]: %s", i, msg);
		c->dom->nvifs = i + 1;
	}
	return 0;
}

static int
key_cpuids(struct key_ctx *c, const struct xmval *v)
{
	const struct xmval *items;
	char msg[KEY_MSG];
	size_t n, i;

	if (key_as_list(c, "cpuid", v, &items, &n) < 0)
		return -1;
	if (n > XMCFG_MAX_CPUID)
		return key_fail(c, "cpuid: %zu entries, at most %d", n,
				XMCFG_MAX_CPUID);
	for (i = 0; i < c->dom->ncpuid; i++)
		xmcpuid_dispose(&c->dom->cpuid[i]);
	free(c->dom->cpuid);
	c->dom->ncpuid = 0;
	c->dom->cpuid = calloc(n ? n : 1, sizeof(*c->dom->cpuid));
	if (!c->dom->cpuid)
		return key_fail(c, "cpuid: out of memory");
	for (i = 0; i < n; i++) {
		if (xmcpuid_parse(items[i].str, &c->dom->cpuid[i], msg,
				  sizeof(msg)) < 0)
			return key_fail(c, "cpuid[%zu]: %s", i, msg);
		c->dom->ncpuid = i + 1;
	}
	return 0;
}

/* xmexample1's restart= mapping onto the on_* keys not set explicitly. */
static int
key_restart(struct key_ctx *c, const char *s)
{
	static const struct {
		const char *name;
		enum xmcfg_action act[3];
	} map[] = {
		{"onreboot",
		 {XMCFG_ACTION_DESTROY, XMCFG_ACTION_RESTART,
		  XMCFG_ACTION_DESTROY}},
		{"always",
		 {XMCFG_ACTION_RESTART, XMCFG_ACTION_RESTART,
		  XMCFG_ACTION_RESTART}},
		{"never",
		 {XMCFG_ACTION_DESTROY, XMCFG_ACTION_DESTROY,
		  XMCFG_ACTION_DESTROY}},
		{NULL, {0, 0, 0}},
	};
	enum xmcfg_action *f[3] = {&c->dom->on_poweroff, &c->dom->on_reboot,
				   &c->dom->on_crash};
	size_t i, k;

	for (i = 0; map[i].name; i++)
		if (!strcmp(map[i].name, s))
			break;
	if (!map[i].name)
		return key_fail(c,
				"restart: '%.100s' is not onreboot, always "
				"or never",
				s);
	for (k = 0; k < 3; k++)
		if (!c->set_action[k])
			*f[k] = map[i].act[k];
	return 0;
}

static int
key_apply_one(struct key_ctx *c, const struct key_def *k, const struct xmval *v)
{
	struct xmcfg_domain *dom = c->dom;
	char msg[KEY_MSG], *s = NULL;
	uint64_t x;
	int rc = -1;

	switch (k->kind) {
	case KEY_STR:
		if (key_as_str(c, k->name, v, &s) < 0)
			return -1;
		free(*(char **)((char *)dom + k->off));
		*(char **)((char *)dom + k->off) = s;
		return 0;
	case KEY_U64:
	case KEY_U32:
		if (key_as_u64(c, k->name, v, k->min, k->max, &x) < 0)
			return -1;
		if (k->kind == KEY_U64)
			*(uint64_t *)((char *)dom + k->off) = x;
		else
			*(uint32_t *)((char *)dom + k->off) = (uint32_t)x;
		return 0;
	case KEY_BOOL:
		if (v->type == XMVAL_BOOL)
			x = v->b;
		else if (key_as_u64(c, k->name, v, 0, 1, &x) < 0)
			return -1;
		*(bool *)((char *)dom + k->off) = x != 0;
		return 0;
	case KEY_ACTION:
		if (key_as_str(c, k->name, v, &s) < 0)
			return -1;
		if (xmcfg_action_parse(s, (enum xmcfg_action *)((char *)dom +
								k->off)) < 0) {
			key_fail(c,
				 "%s: '%.100s' is not destroy, restart, "
				 "preserve or rename-restart",
				 k->name, s);
			break;
		}
		c->set_action[k->off == D(on_poweroff) ? 0
			      : k->off == D(on_reboot) ? 1
						       : 2] = true;
		rc = 0;
		break;
	case KEY_UUID:
		if (key_as_str(c, k->name, v, &s) < 0)
			return -1;
		rc = key_uuid(c, s);
		break;
	case KEY_RESTART:
		if (key_as_str(c, k->name, v, &s) < 0)
			return -1;
		rc = key_restart(c, s);
		break;
	case KEY_CPU:
		if (key_as_u64(c, k->name, v, k->min, k->max, &x) < 0)
			return -1;
		c->has_cpu = true;
		c->cpu = (uint32_t)x;
		return 0;
	case KEY_CPUS:
		if (v->type == XMVAL_LIST) {
			const struct xmval *items;
			size_t n;

			if (key_as_list(c, "cpus", v, &items, &n) < 0)
				return -1;
			/* cpus = [] (as Ganeti writes it): no pinning */
			c->cpus_list = n ? v : NULL;
			c->cpus_line = c->cur->line;
			free(dom->cpus);
			dom->cpus = NULL;
			dom->has_cpus = n > 0;
			return 0;
		}
		if (key_as_str(c, k->name, v, &s) < 0)
			return -1;
		if (xmcpus_parse(s, &dom->cpus_all, msg, sizeof(msg)) < 0) {
			key_fail(c, "cpus: %s", msg);
			break;
		}
		c->cpus_list = NULL;
		free(dom->cpus);
		dom->cpus = s;
		dom->has_cpus = s[0] != '\0';
		return 0;
	case KEY_DISK:
		return key_disks(c, v);
	case KEY_VIF:
		return key_vifs(c, v);
	case KEY_CPUID:
		return key_cpuids(c, v);
	case KEY_BUILDER:
		if (key_as_str(c, k->name, v, &s) < 0)
			return -1;
		if (strcmp(s, "linux")) {
			key_fail(c,
				 "builder: '%.100s' is not supported "
				 "(xmtools runs paravirtualized Linux "
				 "guests: builder='linux')",
				 s);
			break;
		}
		rc = 0;
		break;
	case KEY_UNSUPPORTED:
		return key_warn(dom, c->path, c->cur->line,
				"key '%s' is not supported by xmtools, ignored",
				k->name);
	}
	free(s);
	return rc;
}

static const struct key_def *
key_find(const char *name)
{
	const struct key_def *k;

	for (k = key_table; k->name; k++)
		if (!strcmp(k->name, name))
			return k;
	return NULL;
}

/* Point errors of key_finish at the assignment of key (or at no line). */
static void
key_at(struct key_ctx *c, const char *key)
{
	size_t i;

	c->cur = NULL;
	for (i = 0; i < c->b->n; i++)
		if (!strcmp(c->b->v[i].name, key))
			c->cur = &c->b->v[i];
}

/* The first string of dom longer than xmhv takes (the arrays of struct
 * xmhv_domain_config): fills msg and returns the key to point at, else
 * NULL. The command line is root, extra and the ip settings together;
 * extra is where it usually grows. */
static const char *
key_check_lengths(const struct xmcfg_domain *dom, char *msg, size_t msglen)
{
	const struct {
		const char *key, *what, *val;
		size_t max;
	} strs[] = {
		{"kernel", "kernel: the path", dom->kernel, XMCFG_PATH_LEN_MAX},
		{"ramdisk", "ramdisk: the path", dom->ramdisk,
		 XMCFG_PATH_LEN_MAX},
		{"extra", "extra: the kernel command line (with root= and ip=)",
		 dom->cmdline, XMCFG_CMDLINE_LEN_MAX},
	};
	size_t i, len;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		len = strs[i].val ? strlen(strs[i].val) : 0;
		if (len > strs[i].max) {
			snprintf(msg, msglen, "%s is %zu bytes, at most %zu",
				 strs[i].what, len, strs[i].max);
			return strs[i].key;
		}
	}
	for (i = 0; i < dom->ndisks; i++) {
		len = dom->disks[i].source ? strlen(dom->disks[i].source) : 0;
		if (len > XMCFG_PATH_LEN_MAX) {
			snprintf(msg, msglen,
				 "disk[%zu]: the path is %zu bytes, at most %d",
				 i, len, XMCFG_PATH_LEN_MAX);
			return "disk";
		}
	}
	return NULL;
}

/* Checks that need several keys: per-vCPU cpus, cpu=, memory limits,
 * defaults, name, kernel, the root mapping and the command line. */
static int
key_finish(struct key_ctx *c)
{
	struct xmcfg_domain *dom = c->dom;
	char msg[KEY_MSG], *base, *tmp, *s;
	const char *at;
	size_t i, len;

	c->cur = NULL;
	if (!dom->name) {
		tmp = xm_strdup(c->path);
		if (!tmp)
			return key_fail(c, "out of memory");
		base = basename(tmp);
		dom->name = xm_strdup(base);
		free(tmp);
		if (!dom->name)
			return key_fail(c, "out of memory");
	}
	key_at(c, "name");
	if (!dom->name[0] || strlen(dom->name) > XMCFG_NAME_LEN_MAX ||
	    strchr(dom->name, '/'))
		return key_fail(c,
				"name: '%.100s' must be 1-%d characters "
				"without '/'",
				dom->name, XMCFG_NAME_LEN_MAX);
	for (s = dom->name; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == ' ')
			return key_fail(c,
					"name: '%.100s' contains a space or "
					"control character",
					dom->name);
	if (!dom->memory_mib)
		dom->memory_mib = 128;
	if (!dom->maxmem_mib)
		dom->maxmem_mib = dom->memory_mib;
	key_at(c, "maxmem");
	if (dom->maxmem_mib < dom->memory_mib)
		return key_fail(c,
				"maxmem: %llu MiB is less than memory "
				"(%llu MiB)",
				(unsigned long long)dom->maxmem_mib,
				(unsigned long long)dom->memory_mib);
	if (!dom->vcpus)
		dom->vcpus = 1;
	if (!dom->maxvcpus)
		dom->maxvcpus = dom->vcpus;
	key_at(c, "maxvcpus");
	if (dom->maxvcpus < dom->vcpus)
		return key_fail(c, "maxvcpus: %u is less than vcpus (%u)",
				dom->maxvcpus, dom->vcpus);
	if (c->cpus_list) {
		const struct xmval *v = c->cpus_list;

		if (v->n != dom->vcpus) {
			xmerr_set(c->err, XMCFG_EVALUE, c->path, c->cpus_line,
				  "cpus: %zu entries for %u vCPUs (one string "
				  "per vCPU)",
				  v->n, dom->vcpus);
			return -1;
		}
		dom->cpus_per_vcpu =
			calloc(v->n ? v->n : 1, sizeof(*dom->cpus_per_vcpu));
		if (!dom->cpus_per_vcpu)
			return key_fail(c, "out of memory");
		for (i = 0; i < v->n; i++)
			if (xmcpus_parse(v->items[i].str,
					 &dom->cpus_per_vcpu[i], msg,
					 sizeof(msg)) < 0) {
				xmerr_set(c->err, XMCFG_EVALUE, c->path,
					  c->cpus_line, "cpus[%zu]: %s", i,
					  msg);
				return -1;
			}
	}
	key_at(c, "cpu");
	if (c->has_cpu) {
		/* xend: cpu=N is folded in as "N,<cpus>" */
		len = (dom->cpus ? strlen(dom->cpus) : 0) + 16;
		tmp = malloc(len);
		if (!tmp)
			return key_fail(c, "out of memory");
		if (dom->cpus && dom->cpus[0])
			snprintf(tmp, len, "%u,%s", c->cpu, dom->cpus);
		else
			snprintf(tmp, len, "%u", c->cpu);
		free(dom->cpus);
		dom->cpus = tmp;
		if (xmcpus_parse(tmp, &dom->cpus_all, msg, sizeof(msg)) < 0)
			return key_fail(c, "cpu: %s", msg);
		dom->has_cpus = true;
	}
	c->cur = NULL;
	if (!dom->kernel && !dom->bootloader)
		return key_fail(c, "no kernel specified (kernel = "
				   "\"/boot/vmlinuz-...\")");
	key_at(c, "dhcp");
	if (dom->dhcp && strcmp(dom->dhcp, "off") && strcmp(dom->dhcp, "dhcp"))
		return key_fail(c, "dhcp: '%.100s' is not 'dhcp' or 'off'",
				dom->dhcp);
	key_at(c, "nfs_root");
	if (dom->nfs_root && !dom->nfs_server)
		return key_fail(c, "nfs_root needs nfs_server");
	c->cur = NULL;
	if (xmcmdline_build(dom) < 0)
		return key_fail(c, "out of memory");
	at = key_check_lengths(dom, msg, sizeof(msg));
	if (at) {
		key_at(c, at);
		return key_fail(c, "%s", msg);
	}
	if (xmkeys_check(dom, msg, sizeof(msg)) < 0)
		return key_fail(c, "%s", msg);
	return 0;
}

/* The rules every domain obeys, whatever it came from (a config through
 * xmkeys_apply, or domain XML sent to xmd): names, text, ranges. Returns 0
 * or -1 with msg. */
int
xmkeys_check(const struct xmcfg_domain *dom, char *msg, size_t msglen)
{
	const struct {
		const char *key;
		const char *val;
	} strs[] = {
		{"name", dom->name},
		{"kernel", dom->kernel},
		{"ramdisk", dom->ramdisk},
		{"root", dom->root},
		{"extra", dom->extra},
		{"cmdline", dom->cmdline},
		{"bootloader", dom->bootloader},
		{"bootargs", dom->bootargs},
		{"cpus", dom->cpus},
		{"ip", dom->ip},
		{"netmask", dom->netmask},
		{"gateway", dom->gateway},
		{"hostname", dom->hostname},
		{"dhcp", dom->dhcp},
		{"interface", dom->interface},
		{"nfs_server", dom->nfs_server},
		{"nfs_root", dom->nfs_root},
	};
	const char *s;
	size_t i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (strs[i].val && !key_text_ok(strs[i].val)) {
			snprintf(msg, msglen,
				 "%s: contains a control character or invalid "
				 "UTF-8",
				 strs[i].key);
			return -1;
		}
	if (!dom->name || !dom->name[0] ||
	    strlen(dom->name) > XMCFG_NAME_LEN_MAX || strchr(dom->name, '/') ||
	    !strcmp(dom->name, ".") || !strcmp(dom->name, "..")) {
		snprintf(msg, msglen,
			 "name: '%.100s' must be 1-%d characters without '/'",
			 dom->name ? dom->name : "", XMCFG_NAME_LEN_MAX);
		return -1;
	}
	for (s = dom->name; *s; s++)
		if (*s == ' ' || *s == '\t') {
			snprintf(msg, msglen,
				 "name: '%.100s' contains a space or control "
				 "character",
				 dom->name);
			return -1;
		}
	if (dom->memory_mib < XMCFG_MEMORY_MIN_MIB ||
	    dom->memory_mib > XMCFG_MEMORY_MAX_MIB ||
	    dom->maxmem_mib < dom->memory_mib ||
	    dom->maxmem_mib > XMCFG_MEMORY_MAX_MIB) {
		snprintf(msg, msglen,
			 "memory %llu MiB / maxmem %llu MiB: not in %llu..%llu "
			 "with maxmem >= memory",
			 (unsigned long long)dom->memory_mib,
			 (unsigned long long)dom->maxmem_mib,
			 (unsigned long long)XMCFG_MEMORY_MIN_MIB,
			 (unsigned long long)XMCFG_MEMORY_MAX_MIB);
		return -1;
	}
	if (dom->vcpus < 1 || dom->maxvcpus < dom->vcpus ||
	    dom->maxvcpus > XMCFG_MAX_VCPUS) {
		snprintf(msg, msglen,
			 "vcpus %u / maxvcpus %u: not in 1..%d with maxvcpus "
			 ">= vcpus",
			 dom->vcpus, dom->maxvcpus, XMCFG_MAX_VCPUS);
		return -1;
	}
	if (!dom->kernel && !dom->bootloader) {
		snprintf(msg, msglen, "no kernel specified");
		return -1;
	}
	if (key_check_lengths(dom, msg, msglen))
		return -1;
	if (dom->ndisks > XMCFG_MAX_DISKS || dom->nvifs > XMCFG_MAX_VIFS ||
	    dom->ncpuid > XMCFG_MAX_CPUID) {
		snprintf(msg, msglen, "too many devices");
		return -1;
	}
	return 0;
}

/* Validate the bindings of one evaluated file into dom (zeroed by the
 * caller). Returns 0 or -1 with err; dom may then hold partial values and
 * must be freed, never used. */
int
xmkeys_apply(const struct xmbindings *b, const char *path,
	     struct xmcfg_domain *dom, struct xmcfg_error *err)
{
	struct key_ctx c = {.b = b, .dom = dom, .path = path, .err = err};
	const struct key_def *k;
	size_t i;

	dom->on_poweroff = XMCFG_ACTION_DESTROY;
	dom->on_reboot = XMCFG_ACTION_RESTART;
	dom->on_crash = XMCFG_ACTION_RESTART;
	/* restart= must see which on_* were set explicitly: do it last */
	for (i = 0; i < b->n; i++) {
		c.cur = &b->v[i];
		if (c.cur->val.type == XMVAL_NONE)
			continue; /* xm: None is the same as not set */
		k = key_find(c.cur->name);
		if (!k) {
			const char *near =
				c.cur->declared
					? NULL
					: xmsuggest(c.cur->name, key_table,
						    sizeof(key_table[0]));

			if (!c.cur->declared &&
			    key_warn(dom, path, c.cur->line,
				     "unknown key '%s' ignored%s%s%s",
				     c.cur->name,
				     near ? "; did you mean '" : "",
				     near ? near : "", near ? "'?" : "") < 0)
				return key_fail(&c, "out of memory");
			continue;
		}
		if (k->kind == KEY_RESTART)
			continue;
		if (key_apply_one(&c, k, &c.cur->val) < 0)
			return -1;
	}
	for (i = 0; i < b->n; i++) {
		c.cur = &b->v[i];
		k = key_find(c.cur->name);
		if (k && k->kind == KEY_RESTART &&
		    c.cur->val.type != XMVAL_NONE &&
		    key_apply_one(&c, k, &c.cur->val) < 0)
			return -1;
	}
	return key_finish(&c);
}

/* Apply "VAR=VALUE" arguments: each replaces (or adds) a binding with the
 * string VALUE, typed later by the key table as xm's create.py did. */
int
xmkeys_override(struct xmbindings *b, const char *const *overrides, size_t n,
		struct xmcfg_error *err)
{
	const char *eq;
	char *name, *val;
	size_t i, j, klen;
	struct xmbinding *nv;

	for (i = 0; i < n; i++) {
		eq = strchr(overrides[i], '=');
		if (!eq || eq == overrides[i]) {
			xmerr_set(err, XMCFG_EVALUE, NULL, 0,
				  "'%s' is not VAR=VALUE", overrides[i]);
			return -1;
		}
		klen = (size_t)(eq - overrides[i]);
		while (klen && isspace((unsigned char)overrides[i][klen - 1]))
			klen--;
		name = xm_strndup(overrides[i], klen);
		eq++;
		while (isspace((unsigned char)*eq))
			eq++;
		val = xm_strdup(eq);
		if (!name || !val) {
			free(name);
			free(val);
			xmerr_set(err, XMCFG_EINTERNAL, NULL, 0,
				  "out of memory");
			return -1;
		}
		for (j = strlen(val); j && isspace((unsigned char)val[j - 1]);
		     j--)
			val[j - 1] = '\0';
		for (j = 0; j < b->n; j++)
			if (!strcmp(b->v[j].name, name))
				break;
		if (j == b->n) {
			nv = realloc(b->v, (b->n + 1) * sizeof(*nv));
			if (!nv) {
				free(name);
				free(val);
				xmerr_set(err, XMCFG_EINTERNAL, NULL, 0,
					  "out of memory");
				return -1;
			}
			b->v = nv;
			memset(&b->v[j], 0, sizeof(b->v[j]));
			b->n++;
			b->v[j].name = name;
		} else {
			free(name);
			xmval_dispose(&b->v[j].val);
		}
		b->v[j].line = 0;
		b->v[j].val.type = XMVAL_STR;
		b->v[j].val.str = val;
		b->v[j].val.len = strlen(val);
	}
	return 0;
}

/* Name of an action as xm printed it. */
const char *
xmcfg_action_name(enum xmcfg_action action)
{
	static const char *const names[] = {
		[XMCFG_ACTION_DESTROY] = "destroy",
		[XMCFG_ACTION_RESTART] = "restart",
		[XMCFG_ACTION_PRESERVE] = "preserve",
		[XMCFG_ACTION_RENAME_RESTART] = "rename-restart",
	};

	if ((unsigned)action >= (sizeof(names) / sizeof(names[0])))
		return "destroy";
	return names[action];
}

/* Parse an on_* value. Returns 0 or -1 (unknown name). */
int
xmcfg_action_parse(const char *s, enum xmcfg_action *action_out)
{
	enum xmcfg_action a;

	for (a = XMCFG_ACTION_DESTROY; a <= XMCFG_ACTION_RENAME_RESTART; a++)
		if (!strcmp(s, xmcfg_action_name(a))) {
			*action_out = a;
			return 0;
		}
	return -1;
}
