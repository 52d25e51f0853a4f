/* SPDX-License-Identifier: GPL-2.0-or-later */
/* notes.c: what xm create -n says about a config beyond its values: the
 * keys understood but not acted on (settings), and the notes on what
 * xmtools does with the rest, among them why it cannot run a config yet
 * (an HVM guest only an emulated PC can run, a bootloader other than
 * pygrub, image formats other than raw, block scripts, ...). Built from the domain's fields, so a domain
 * from XML gets the same reasons; xm create and xmd refuse on them. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define NOTE_MSG 1024
#define SETTING_MAX_TEXT 1024 /* longer values are cut with "..." */

/* Append a note. Returns 0 or -ENOMEM. */
int
xmnote_add(struct xmcfg_domain *dom, enum xmcfg_note_level level,
	   const char *key, int line, const char *fmt, ...)
{
	struct xmcfg_note *n;
	char msg[NOTE_MSG];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = realloc(dom->notes, (dom->nnotes + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	dom->notes = n;
	n = &dom->notes[dom->nnotes];
	n->level = level;
	n->line = line;
	n->key = xm_strdup(key);
	n->message = xm_strdup(msg);
	if (!n->key || !n->message) {
		free(n->key);
		free(n->message);
		return -ENOMEM;
	}
	dom->nnotes++;
	return 0;
}

/* Drop every note (before they are built again). */
void
xmnotes_clear(struct xmcfg_domain *dom)
{
	size_t i;

	for (i = 0; i < dom->nnotes; i++) {
		free(dom->notes[i].key);
		free(dom->notes[i].message);
	}
	free(dom->notes);
	dom->notes = NULL;
	dom->nnotes = 0;
}

/* Append a setting (value copied); a key set again replaces its value.
 * Returns 0 or -ENOMEM. */
int
xmsetting_add(struct xmcfg_domain *dom, const char *key, const char *value,
	      int line, enum xmcfg_setting_kind kind)
{
	struct xmcfg_setting *s;
	char *k, *v;
	size_t i;

	v = xm_strdup(value);
	if (!v)
		return -ENOMEM;
	for (i = 0; i < dom->nsettings; i++)
		if (!strcmp(dom->settings[i].key, key)) {
			free(dom->settings[i].value);
			dom->settings[i].value = v;
			dom->settings[i].line = line;
			return 0;
		}
	k = xm_strdup(key);
	s = k ? realloc(dom->settings, (dom->nsettings + 1) * sizeof(*s))
	      : NULL;
	if (!s) {
		free(k);
		free(v);
		return -ENOMEM;
	}
	dom->settings = s;
	s[dom->nsettings].key = k;
	s[dom->nsettings].value = v;
	s[dom->nsettings].line = line;
	s[dom->nsettings].kind = kind;
	dom->nsettings++;
	return 0;
}

static void
setting_text(struct xmbuf *b, const struct xmval *v, int depth)
{
	size_t i;

	if (b->len > SETTING_MAX_TEXT)
		return;
	switch (v->type) {
	case XMVAL_NONE:
		xmbuf_put(b, "None", 4);
		break;
	case XMVAL_BOOL:
		xmbuf_put(b, v->b ? "1" : "0", 1);
		break;
	case XMVAL_INT:
		xmbuf_printf(b, "%lld", (long long)v->i);
		break;
	case XMVAL_FLOAT:
		xmbuf_printf(b, "%g", v->f);
		break;
	case XMVAL_BIGINT:
	case XMVAL_STR:
		xmbuf_put(b, v->str, strnlen(v->str, v->len));
		break;
	case XMVAL_LIST:
	case XMVAL_DICT:
		if (depth > 4) {
			xmbuf_put(b, "...", 3);
			break;
		}
		xmbuf_put(b, v->type == XMVAL_LIST ? "[" : "{", 1);
		for (i = 0; i < (v->type == XMVAL_LIST ? v->n : 2 * v->n);
		     i++) {
			if (i)
				xmbuf_put(b,
					  v->type == XMVAL_DICT && i % 2 ? ": "
									 : ", ",
					  2);
			setting_text(b, &v->items[i], depth + 1);
		}
		xmbuf_put(b, v->type == XMVAL_LIST ? "]" : "}", 1);
		break;
	case XMVAL_OTHER:
		xmbuf_printf(b, "<%s>", xmval_type_name(v));
		break;
	}
}

/* A value as setting text (see struct xmcfg_setting), malloc'd, NULL on
 * allocation failure; long values end in "...". Control characters become
 * '?': the text ends up in SXP and XML. */
char *
xmval_text(const struct xmval *v)
{
	struct xmbuf b = {0};
	size_t i;

	setting_text(&b, v, 0);
	if (b.len > SETTING_MAX_TEXT) {
		b.len = SETTING_MAX_TEXT;
		xmbuf_put(&b, "...", 3);
	}
	xmbuf_put(&b, "", 1);
	if (b.failed) {
		xmbuf_free(&b);
		return NULL;
	}
	for (i = 0; i + 1 < b.len; i++)
		if ((unsigned char)b.data[i] < 0x20 || b.data[i] == 0x7f)
			b.data[i] = '?';
	return b.data;
}

/* Basename of a path. */
static const char *
notes_base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* PV-GRUB and PvGRUB2: Xen PV programs that read the guest's grub config
 * (pv-grub.gz, grub-x86_64-xen.bin, grub-i386-xen_pvh.bin). */
static bool
notes_pvgrub(const char *kernel)
{
	const char *b = notes_base(kernel);

	return !strncmp(b, "pv-grub", 7) || !strncmp(b, "pvgrub", 6) ||
	       (!strncmp(b, "grub-", 5) && strstr(b, "-xen"));
}

/* pygrub, by any path (bootdisk_wanted in xmd says the same). */
static bool
notes_pygrub(const char *bootloader)
{
	return strstr(notes_base(bootloader), "pygrub") != NULL;
}

/* Is kernel (of an HVM config) a Linux kernel rather than Xen's firmware
 * loader? Anything but hvmloader is taken as one; xmd checks its header. */
static bool
notes_linux_kernel(const char *kernel)
{
	return kernel && kernel[0] &&
	       strncmp(notes_base(kernel), "hvmloader", 9) != 0;
}

/* The vdev of the disk a boot entry is read from: the first that is not
 * a CD-ROM and has a medium; NULL: none. */
static const char *
notes_boot_disk(const struct xmcfg_domain *dom)
{
	size_t i;

	for (i = 0; i < dom->ndisks; i++)
		if (!dom->disks[i].cdrom && dom->disks[i].source)
			return dom->disks[i].vdev ? dom->disks[i].vdev : "?";
	return NULL;
}

/* The value of a setting (an HVM key kept as text), or NULL. */
static const char *
notes_setting(const struct xmcfg_domain *dom, const char *key)
{
	size_t i;

	for (i = 0; i < dom->nsettings; i++)
		if (!strcmp(dom->settings[i].key, key))
			return dom->settings[i].value;
	return NULL;
}

/* The settings of some kinds as "a, b, c" (NULL: none; -1 on ENOMEM). */
static int
notes_keys(const struct xmcfg_domain *dom, unsigned kinds, char **out)
{
	struct xmbuf b = {0};
	size_t i;

	*out = NULL;
	for (i = 0; i < dom->nsettings; i++)
		if (kinds & 1u << dom->settings[i].kind)
			xmbuf_printf(&b, "%s%s", b.len ? ", " : "",
				     dom->settings[i].key);
	if (!b.len)
		return 0;
	*out = xmbuf_finish(&b);
	return *out ? 0 : -1;
}

static int
notes_disks(struct xmcfg_domain *dom, int (*line_of)(void *, const char *),
	    void *ctx)
{
	const struct xmcfg_disk *d;
	char key[32];
	int line = line_of ? line_of(ctx, "disk") : 0, rc = 0;
	size_t i;

	for (i = 0; i < dom->ndisks && rc == 0; i++) {
		d = &dom->disks[i];
		snprintf(key, sizeof(key), "disk[%zu]", i);
		if (d->format && strcmp(d->format, "raw") &&
		    strcmp(d->format, "empty"))
			rc = xmnote_add(dom, XMCFG_NOTE_BLOCKER, key, line,
					"%s: %s image %s: xmhv serves raw "
					"images only (qemu-img convert -O "
					"raw)",
					key, d->format,
					d->source ? d->source : "");
		if (rc == 0 && d->xl && d->source &&
		    !strncmp(d->source, "rbd:", 4))
			rc = xmnote_add(dom, XMCFG_NOTE_BLOCKER, key, line,
					"%s: a Ceph RBD image (%.200s): xmhv "
					"opens local files and block devices "
					"only",
					key, d->source);
		if (rc == 0 && d->script)
			rc = xmnote_add(dom, XMCFG_NOTE_BLOCKER, key, line,
					"%s: %s is not run: xmtools runs no "
					"block scripts; give the device it "
					"sets up (phy:/dev/...)",
					key, d->script);
		if (rc == 0 && d->ignored)
			rc = xmnote_add(dom, XMCFG_NOTE_INFO, key, line,
					"%s: %s: Xen-only options, ignored",
					key, d->ignored);
	}
	return rc;
}

/* xl's cmdline= replaces what xm built from these keys: say which. */
static int
notes_cmdline(struct xmcfg_domain *dom, int line)
{
	const struct {
		const char *key;
		bool set;
	} keys[] = {
		{"root", dom->root},
		{"extra", dom->extra},
		{"ip", dom->ip || (dom->dhcp && strcmp(dom->dhcp, "off"))},
		{"nfs_root", dom->nfs_root},
	};
	char list[64] = "";
	size_t i, n = 0;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].set)
			snprintf(list + strlen(list),
				 sizeof(list) - strlen(list), "%s%s",
				 n++ ? ", " : "", keys[i].key);
	if (!n)
		return 0;
	return xmnote_add(dom, XMCFG_NOTE_INFO, "cmdline", line,
			  "cmdline: the whole kernel command line (as in xl): "
			  "%s not used",
			  list);
}

static int
notes_boot(struct xmcfg_domain *dom, int (*line_of)(void *, const char *),
	   void *ctx)
{
	const char *tkey = dom->type_given ? "type" : "builder";
	const char *disk = notes_boot_disk(dom), *boot;
	bool hvm = dom->type == XMCFG_GUEST_HVM;
	int rc = 0;

#define LINE(k) (line_of ? line_of(ctx, (k)) : 0)
	if (hvm && notes_linux_kernel(dom->kernel))
		rc = xmnote_add(dom, XMCFG_NOTE_INFO, tkey, LINE(tkey),
				"%s: 'hvm': xmtools has no firmware or device "
				"model; kernel = %s is booted directly, as "
				"for 'pv'",
				tkey, dom->kernel);
	else if (hvm && !disk)
		rc = xmnote_add(dom, XMCFG_NOTE_BLOCKER, tkey, LINE(tkey),
				"%s: 'hvm' with no Linux kernel= and no disk: "
				"only an emulated PC (firmware and a device "
				"model) can run it, which xmtools does not "
				"have",
				tkey);
	else if (hvm && (boot = notes_setting(dom, "boot")) != NULL &&
		 boot[0] == 'd')
		rc = xmnote_add(dom, XMCFG_NOTE_BLOCKER, "boot", LINE("boot"),
				"boot: '%s' starts from the CD-ROM (an "
				"installer): only an emulated PC (firmware "
				"and a device model) can run that, which "
				"xmtools does not have; install the guest "
				"elsewhere, then boot it from its disk",
				boot);
	else if (hvm)
		rc = xmnote_add(dom, XMCFG_NOTE_INFO, tkey, LINE(tkey),
				"%s: 'hvm': xmtools has no firmware or device "
				"model; a Linux guest boots directly, with "
				"the kernel, initrd and arguments its disk "
				"(%s) names in its boot configuration, read "
				"by xm-bootloader; a guest whose disk has "
				"none (Windows, an installer) is refused by "
				"xm create",
				tkey, disk);
	else if (dom->type == XMCFG_GUEST_PVH)
		rc = xmnote_add(dom, XMCFG_NOTE_INFO, "type", LINE("type"),
				"type: 'pvh': the kernel is booted directly, "
				"as for 'pv' (xmhv takes a bzImage, an ELF or "
				"an ELF with a PVH note)");
	if (rc == 0 && !hvm && dom->kernel && notes_pvgrub(dom->kernel))
		rc = disk ? xmnote_add(dom, XMCFG_NOTE_INFO, "kernel",
				       LINE("kernel"),
				       "kernel: %s is PV-GRUB, a Xen program "
				       "that cannot run under KVM: xmtools "
				       "boots the entry of the guest's grub "
				       "config itself, read from its disk "
				       "(%s) by xm-bootloader",
				       dom->kernel, disk)
			  : xmnote_add(dom, XMCFG_NOTE_BLOCKER, "kernel",
				       LINE("kernel"),
				       "kernel: %s is PV-GRUB, which boots "
				       "from the guest's disk, and the "
				       "config has no disk",
				       dom->kernel);
	if (rc == 0 && !hvm && dom->bootloader && dom->bootloader[0] &&
	    !dom->kernel && !notes_pygrub(dom->bootloader))
		rc = xmnote_add(dom, XMCFG_NOTE_BLOCKER, "bootloader",
				LINE("bootloader"),
				"bootloader: %s is not run: xmtools does "
				"pygrub's job itself (bootloader = "
				"\"pygrub\"), no other; set kernel= (and "
				"ramdisk=) to a kernel on the host",
				dom->bootloader);
	else if (rc == 0 && !hvm && dom->bootloader && dom->bootloader[0] &&
		 !dom->kernel && !disk)
		rc = xmnote_add(dom, XMCFG_NOTE_BLOCKER, "bootloader",
				LINE("bootloader"),
				"bootloader: %s reads the guest's disk, and "
				"the config has no disk",
				dom->bootloader);
	else if (rc == 0 && !hvm && dom->bootloader && dom->bootloader[0] &&
		 !dom->kernel)
		rc = xmnote_add(dom, XMCFG_NOTE_INFO, "bootloader",
				LINE("bootloader"),
				"bootloader: %s is not run: xmtools reads "
				"the boot entry from the guest's disk (%s) "
				"itself, in a sandbox (xm-bootloader)",
				dom->bootloader, disk);
	else if (rc == 0 && !hvm && dom->bootloader && dom->bootloader[0])
		rc = xmnote_add(dom, XMCFG_NOTE_WARNING, "bootloader",
				LINE("bootloader"),
				"bootloader: %s is not run: xmhv boots kernel "
				"= %s directly",
				dom->bootloader, dom->kernel);
	if (rc == 0 && dom->xl_cmdline)
		rc = notes_cmdline(dom, LINE("cmdline"));
	if (rc == 0 && dom->xl_cmdline && dom->cmdline &&
	    strcmp(dom->xl_cmdline, dom->cmdline))
		rc = xmnote_add(dom, XMCFG_NOTE_INFO, "cmdline",
				LINE("cmdline"),
				"cmdline: '%.300s' is '%.300s' in the guest "
				"(disks are named vda, vdb, ... in config "
				"order)",
				dom->xl_cmdline, dom->cmdline);
	if (rc == 0 && dom->console_added)
		rc = xmnote_add(dom, XMCFG_NOTE_INFO, "console", 0,
				"console=ttyS0 added to the kernel command "
				"line: %s no console (a Xen PV guest had "
				"one without asking; xm console is xmhv's "
				"first serial port)",
				dom->xl_cmdline ? "cmdline names"
						: "root and extra name");
	if (rc == 0 && dom->console_mapped)
		rc = xmnote_add(dom, XMCFG_NOTE_INFO, "console", 0,
				"console=hvc0 (Xen's console) is "
				"console=ttyS0 in the guest: xm console is "
				"xmhv's first serial port");
	if (rc == 0 && dom->cpuid_xl)
		rc = xmnote_add(dom, XMCFG_NOTE_BLOCKER, "cpuid", LINE("cpuid"),
				"cpuid: xl's feature list '%.200s' is not "
				"applied yet: write xm's \"LEAF:REG=BITS\" "
				"entries",
				dom->cpuid_xl);
	if (rc == 0 && dom->cpus_nodes)
		rc = xmnote_add(dom, XMCFG_NOTE_BLOCKER, "cpus", LINE("cpus"),
				"cpus: '%.200s' names NUMA nodes, which "
				"xmtools does not resolve yet: list the host "
				"CPUs (\"0-7\")",
				dom->cpus ? dom->cpus : "");
#undef LINE
	return rc;
}

/* Build dom->notes from its fields and settings (after validation, or
 * after reading domain XML). line_of(ctx, key) gives the line of a key
 * (NULL: lines unknown). Returns 0 or -ENOMEM. */
int
xmnotes_build(struct xmcfg_domain *dom, int (*line_of)(void *, const char *),
	      void *ctx)
{
	/* an HVM guest's devices are the device model's; a pv guest has a
	 * warning for each (keys.c) */
	static const struct {
		unsigned kinds; /* bits 1 << enum xmcfg_setting_kind */
		int hvm;        /* -1: any guest; 0, 1: only for (not) HVM */
		const char *why;
	} groups[] = {
		{1u << XMCFG_SETTING_HVM | 1u << XMCFG_SETTING_DEVICE, 1,
		 "HVM firmware, device model and device settings with no "
		 "effect (xmtools has no firmware or device model: the "
		 "guest sees virtio disks, a serial console, no display)"},
		{1u << XMCFG_SETTING_HVM, 0,
		 "settings for HVM guests only, ignored (as xl ignores them "
		 "for pv and pvh)"},
		{1u << XMCFG_SETTING_XEN, -1,
		 "Xen hypervisor settings with no meaning under KVM, ignored"},
	};
	char *keys;
	size_t i;
	int rc, hvm = dom->type == XMCFG_GUEST_HVM;

	xmnotes_clear(dom);
	rc = notes_boot(dom, line_of, ctx);
	if (rc == 0)
		rc = notes_disks(dom, line_of, ctx);
	for (i = 0; rc == 0 && i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (groups[i].hvm >= 0 && groups[i].hvm != hvm)
			continue;
		if (notes_keys(dom, groups[i].kinds, &keys) < 0)
			return -ENOMEM;
		if (keys)
			rc = xmnote_add(dom,
					groups[i].hvm == 1 ? XMCFG_NOTE_WARNING
							   : XMCFG_NOTE_INFO,
					keys, 0, "%s: %s", keys, groups[i].why);
		free(keys);
	}
	return rc;
}

/* The first blocking note of dom, or NULL. */
const struct xmcfg_note *
xmnotes_blocker(const struct xmcfg_domain *dom)
{
	size_t i;

	for (i = 0; i < dom->nnotes; i++)
		if (dom->notes[i].level == XMCFG_NOTE_BLOCKER)
			return &dom->notes[i];
	return NULL;
}

/* See xmcfg.h. */
int
xmcfg_check_runnable(const struct xmcfg_domain *dom, struct xmcfg_error *err)
{
	const struct xmcfg_note *n = xmnotes_blocker(dom);

	if (!n)
		return 0;
	xmerr_set(err, XMCFG_EUNSUPPORTED, dom->config_path, n->line, "%s",
		  n->message);
	return -1;
}

/* See xmcfg.h. */
const char *
xmcfg_guest_type_name(enum xmcfg_guest_type type)
{
	switch (type) {
	case XMCFG_GUEST_PVH:
		return "pvh";
	case XMCFG_GUEST_HVM:
		return "hvm";
	case XMCFG_GUEST_PV:
		break;
	}
	return "pv";
}

/* Free settings and notes (xmcfg_domain_free). */
void
xmnotes_dispose(struct xmcfg_domain *dom)
{
	size_t i;

	xmnotes_clear(dom);
	for (i = 0; i < dom->nsettings; i++) {
		free(dom->settings[i].key);
		free(dom->settings[i].value);
	}
	free(dom->settings);
	dom->settings = NULL;
	dom->nsettings = 0;
}

/* Copy src's settings and notes into dst, whose arrays are taken as not
 * its own. Returns 0 or -ENOMEM (dst then holds what was copied). */
int
xmnotes_dup(struct xmcfg_domain *dst, const struct xmcfg_domain *src)
{
	size_t i;

	dst->settings = NULL;
	dst->nsettings = 0;
	dst->notes = NULL;
	dst->nnotes = 0;
	for (i = 0; i < src->nsettings; i++)
		if (xmsetting_add(dst, src->settings[i].key,
				  src->settings[i].value, src->settings[i].line,
				  src->settings[i].kind) < 0)
			return -ENOMEM;
	for (i = 0; i < src->nnotes; i++)
		if (xmnote_add(dst, src->notes[i].level, src->notes[i].key,
			       src->notes[i].line, "%s",
			       src->notes[i].message) < 0)
			return -ENOMEM;
	return 0;
}
