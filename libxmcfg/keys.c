/* SPDX-License-Identifier: GPL-2.0-or-later */
/* keys.c: the validation of an evaluated config (its bindings, VAR=VALUE
 * overrides applied) into struct xmcfg_domain, key by key through the
 * table of keytab.c, then the checks that need several keys. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <libgen.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "keys.h"

static int key_warn(struct key_ctx *c, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
key_warn(struct key_ctx *c, int line, const char *fmt, ...)
{
	struct xmcfg_domain *dom = c->dom;
	char msg[KEY_MSG], full[KEY_MSG + 4200];
	char **w;
	va_list ap;

	if (dom->nwarnings >= XMCFG_MAX_WARNINGS)
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(full, sizeof(full), "%s:%d: %s", c->path, line, msg);
	else
		snprintf(full, sizeof(full), "%s: %s", c->path, msg);
	w = realloc(dom->warnings, (dom->nwarnings + 1) * sizeof(*w));
	if (!w)
		return -ENOMEM;
	dom->warnings = w;
	w[dom->nwarnings] = xm_strdup(full);
	if (!w[dom->nwarnings])
		return -ENOMEM;
	c->wline[dom->nwarnings++] = line;
	return 0;
}

/* Overrides (line 0) come after the file. */
static unsigned
key_order(int line)
{
	return line > 0 ? (unsigned)line : UINT_MAX;
}

/* Warnings in line order (a stable sort: those added at the end, for the
 * devices of a pv guest, go to the lines of their keys). */
static void
key_sort_warnings(struct key_ctx *c)
{
	char **w = c->dom->warnings, *t;
	size_t i, j;
	int l;

	for (i = 1; i < c->dom->nwarnings; i++)
		for (j = i; j > 0 &&
			    key_order(c->wline[j - 1]) > key_order(c->wline[j]);
		     j--) {
			t = w[j];
			w[j] = w[j - 1];
			w[j - 1] = t;
			l = c->wline[j];
			c->wline[j] = c->wline[j - 1];
			c->wline[j - 1] = l;
		}
}

static int
key_apply_one(struct key_ctx *c, const struct xmkey_def *k,
	      const struct xmval *v)
{
	struct xmcfg_domain *dom = c->dom;
	char msg[KEY_MSG], *s = NULL;
	uint64_t x;
	int rc = -1;

	switch (k->kind) {
	case KEY_STR:
		if (keyval_str(c, k->name, v, &s) < 0)
			return -1;
		free(*(char **)((char *)dom + k->off));
		*(char **)((char *)dom + k->off) = s;
		return 0;
	case KEY_U64:
	case KEY_U32:
		if (keyval_u64(c, k->name, v, k->min, k->max, &x) < 0)
			return -1;
		if (k->kind == KEY_U64)
			*(uint64_t *)((char *)dom + k->off) = x;
		else
			*(uint32_t *)((char *)dom + k->off) = (uint32_t)x;
		return 0;
	case KEY_BOOL:
		if (v->type == XMVAL_BOOL)
			x = v->b;
		else if (keyval_u64(c, k->name, v, 0, 1, &x) < 0)
			return -1;
		*(bool *)((char *)dom + k->off) = x != 0;
		return 0;
	case KEY_ACTION:
		if (keyval_str(c, k->name, v, &s) < 0)
			return -1;
		if (xmcfg_action_parse(s, (enum xmcfg_action *)((char *)dom +
								k->off)) < 0) {
			keyval_fail(c,
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
		if (keyval_str(c, k->name, v, &s) < 0)
			return -1;
		rc = keyval_uuid(c, s);
		break;
	case KEY_RESTART:
		if (keyval_str(c, k->name, v, &s) < 0)
			return -1;
		rc = keylist_restart(c, s);
		break;
	case KEY_CPU:
		if (keyval_u64(c, k->name, v, k->min, k->max, &x) < 0)
			return -1;
		c->has_cpu = true;
		c->cpu = (uint32_t)x;
		return 0;
	case KEY_CPUS:
		if (v->type == XMVAL_LIST) {
			const struct xmval *items;
			size_t n;

			if (keyval_list(c, "cpus", v, &items, &n) < 0)
				return -1;
			/* cpus = [] (as Ganeti writes it): no pinning */
			c->cpus_list = n ? v : NULL;
			c->cpus_line = c->cur->line;
			free(dom->cpus);
			dom->cpus = NULL;
			dom->has_cpus = n > 0;
			return 0;
		}
		if (keyval_str(c, k->name, v, &s) < 0)
			return -1;
		rc = xmcpus_parse(s, &dom->cpus_all, msg, sizeof(msg));
		if (rc == -1) {
			keyval_fail(c, "cpus: %s", msg);
			break;
		}
		/* NUMA node names: kept, resolved by no one yet (a note) */
		dom->cpus_nodes = rc == -2;
		if (dom->cpus_nodes)
			memset(&dom->cpus_all, 0, sizeof(dom->cpus_all));
		c->cpus_list = NULL;
		free(dom->cpus);
		dom->cpus = s;
		dom->has_cpus = s[0] != '\0' && !dom->cpus_nodes;
		return 0;
	case KEY_DISK:
		return keylist_disks(c, v);
	case KEY_VIF:
		return keylist_vifs(c, v);
	case KEY_CPUID:
		return keylist_cpuids(c, v);
	case KEY_BUILDER:
	case KEY_TYPE:
		return keylist_type(c, k, v);
	case KEY_BOOTARGS:
		return keylist_bootargs(c, v);
	case KEY_UNSUPPORTED:
	case KEY_HVM:
	case KEY_XEN:
		s = xmval_text(v);
		if (!s || xmsetting_add(dom, k->name, s, c->cur->line,
					k->kind == KEY_HVM ? XMCFG_SETTING_HVM
					: k->kind == KEY_XEN
						? XMCFG_SETTING_XEN
						: XMCFG_SETTING_DEVICE) < 0)
			keyval_fail(c, "%s: out of memory", k->name);
		else
			rc = 0;
		break;
	}
	free(s);
	return rc;
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

/* The line of the last assignment of key (for notes), 0 when none. */
static int
key_line_of(void *ctx, const char *key)
{
	const struct key_ctx *c = ctx;
	int line = 0;
	size_t i;

	for (i = 0; i < c->b->n; i++)
		if (!strcmp(c->b->v[i].name, key))
			line = c->b->v[i].line;
	return line;
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
			return keyval_fail(c, "out of memory");
		base = basename(tmp);
		dom->name = xm_strdup(base);
		free(tmp);
		if (!dom->name)
			return keyval_fail(c, "out of memory");
	}
	key_at(c, "name");
	if (!dom->name[0] || strlen(dom->name) > XMCFG_NAME_LEN_MAX ||
	    strchr(dom->name, '/'))
		return keyval_fail(c,
				   "name: '%.100s' must be 1-%d characters "
				   "without '/'",
				   dom->name, XMCFG_NAME_LEN_MAX);
	for (s = dom->name; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == ' ')
			return keyval_fail(c,
					   "name: '%.100s' contains a space or "
					   "control character",
					   dom->name);
	if (!dom->memory_mib)
		dom->memory_mib = 128;
	if (!dom->maxmem_mib)
		dom->maxmem_mib = dom->memory_mib;
	key_at(c, "maxmem");
	if (dom->maxmem_mib < dom->memory_mib)
		return keyval_fail(c,
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
		return keyval_fail(c, "maxvcpus: %u is less than vcpus (%u)",
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
			return keyval_fail(c, "out of memory");
		for (i = 0; i < v->n; i++) {
			int rc = xmcpus_parse(v->items[i].str,
					      &dom->cpus_per_vcpu[i], msg,
					      sizeof(msg));

			if (rc == -2) {
				/* NUMA node names: kept, not resolved */
				free(dom->cpus_per_vcpu);
				dom->cpus_per_vcpu = NULL;
				dom->cpus = xmval_text(v);
				if (!dom->cpus)
					return keyval_fail(c, "out of memory");
				dom->cpus_nodes = true;
				dom->has_cpus = false;
				break;
			}
			if (rc < 0) {
				xmerr_set(c->err, XMCFG_EVALUE, c->path,
					  c->cpus_line, "cpus[%zu]: %s", i,
					  msg);
				return -1;
			}
		}
	}
	key_at(c, "cpu");
	if (c->has_cpu) {
		/* xend: cpu=N is folded in as "N,<cpus>" */
		len = (dom->cpus ? strlen(dom->cpus) : 0) + 16;
		tmp = malloc(len);
		if (!tmp)
			return keyval_fail(c, "out of memory");
		if (dom->cpus && dom->cpus[0])
			snprintf(tmp, len, "%u,%s", c->cpu, dom->cpus);
		else
			snprintf(tmp, len, "%u", c->cpu);
		free(dom->cpus);
		dom->cpus = tmp;
		if (xmcpus_parse(tmp, &dom->cpus_all, msg, sizeof(msg)) < 0)
			return keyval_fail(c, "cpu: %s", msg);
		dom->has_cpus = true;
	}
	key_at(c, "builder");
	if (c->builder_type >= 0 && dom->type_given &&
	    (int)dom->type != c->builder_type)
		return keyval_fail(c,
				   "builder: '%s' and type '%s' contradict "
				   "each other",
				   dom->builder,
				   xmcfg_guest_type_name(dom->type));
	if (c->builder_type >= 0 && !dom->type_given)
		dom->type = (enum xmcfg_guest_type)c->builder_type;
	c->cur = NULL;
	/* an HVM guest boots Xen's hvmloader unless it names a kernel */
	if (dom->type != XMCFG_GUEST_HVM && !dom->kernel && !dom->bootloader)
		return keyval_fail(c, "no kernel specified (kernel = "
				      "\"/boot/vmlinuz-...\")");
	key_at(c, "dhcp");
	if (dom->dhcp && strcmp(dom->dhcp, "off") && strcmp(dom->dhcp, "dhcp"))
		return keyval_fail(c, "dhcp: '%.100s' is not 'dhcp' or 'off'",
				   dom->dhcp);
	key_at(c, "nfs_root");
	if (dom->nfs_root && !dom->nfs_server)
		return keyval_fail(c, "nfs_root needs nfs_server");
	c->cur = NULL;
	if (xmcmdline_build(dom) < 0)
		return keyval_fail(c, "out of memory");
	at = key_check_lengths(dom, msg, sizeof(msg));
	if (at) {
		key_at(c, at);
		return keyval_fail(c, "%s", msg);
	}
	if (xmkeys_check(dom, msg, sizeof(msg)) < 0)
		return keyval_fail(c, "%s", msg);
	/* a pv guest without a device: one warning each (an HVM guest, which
	 * cannot run anyway, gets them in one note) */
	for (i = 0; dom->type != XMCFG_GUEST_HVM && i < dom->nsettings; i++)
		if (dom->settings[i].kind == XMCFG_SETTING_DEVICE &&
		    key_warn(c, dom->settings[i].line,
			     "key '%s' is not supported by xmtools, ignored",
			     dom->settings[i].key) < 0)
			return keyval_fail(c, "out of memory");
	key_sort_warnings(c);
	if (xmnotes_build(dom, key_line_of, c) < 0)
		return keyval_fail(c, "out of memory");
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
		{"cmdline", dom->xl_cmdline},
		{"builder", dom->builder},
		{"cpuid", dom->cpuid_xl},
	};
	const char *s;
	size_t i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (strs[i].val && !keyval_text_ok(strs[i].val)) {
			snprintf(msg, msglen,
				 "%s: contains a control character or invalid "
				 "UTF-8",
				 strs[i].key);
			return -1;
		}
	for (i = 0; i < dom->nsettings; i++)
		if (!keyval_text_ok(dom->settings[i].key) ||
		    !keyval_text_ok(dom->settings[i].value)) {
			snprintf(msg, msglen,
				 "%.64s: contains a control character or "
				 "invalid UTF-8",
				 dom->settings[i].key);
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
	if (dom->type != XMCFG_GUEST_HVM && !dom->kernel && !dom->bootloader) {
		snprintf(msg, msglen, "no kernel specified");
		return -1;
	}
	if ((unsigned)dom->type > XMCFG_GUEST_HVM) {
		snprintf(msg, msglen, "bad guest type");
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

/* The key a misspelt name probably meant, or NULL: a key xmtools only
 * records is no suggestion for a short word ("ram" is no typo of "rdm"). */
static const char *
key_suggest(const char *word)
{
	const char *near =
		xmsuggest(word, xmkeys_table, sizeof(xmkeys_table[0]));
	const struct xmkey_def *k = near ? xmkeys_find(near) : NULL;

	if (k && strlen(word) <= 4 &&
	    (k->kind == KEY_HVM || k->kind == KEY_XEN ||
	     k->kind == KEY_UNSUPPORTED))
		return NULL;
	return near;
}

/* Validate the bindings of one evaluated file into dom (zeroed by the
 * caller). Returns 0 or -1 with err; dom may then hold partial values and
 * must be freed, never used. */
int
xmkeys_apply(const struct xmbindings *b, const char *path,
	     struct xmcfg_domain *dom, struct xmcfg_error *err)
{
	struct key_ctx c = {.b = b,
			    .dom = dom,
			    .path = path,
			    .err = err,
			    .builder_type = -1};
	const struct xmkey_def *k;
	size_t i;

	dom->on_poweroff = XMCFG_ACTION_DESTROY;
	dom->on_reboot = XMCFG_ACTION_RESTART;
	dom->on_crash = XMCFG_ACTION_RESTART;
	/* restart= must see which on_* were set explicitly: do it last */
	for (i = 0; i < b->n; i++) {
		c.cur = &b->v[i];
		if (c.cur->val.type == XMVAL_NONE)
			continue; /* xm: None is the same as not set */
		k = xmkeys_find(c.cur->name);
		if (!k) {
			const char *near = c.cur->declared
						   ? NULL
						   : key_suggest(c.cur->name);

			if (!c.cur->declared &&
			    key_warn(&c, c.cur->line,
				     "unknown key '%s' ignored%s%s%s",
				     c.cur->name,
				     near ? "; did you mean '" : "",
				     near ? near : "", near ? "'?" : "") < 0)
				return keyval_fail(&c, "out of memory");
			continue;
		}
		if (k->kind == KEY_RESTART)
			continue;
		if (key_apply_one(&c, k, &c.cur->val) < 0)
			return -1;
	}
	for (i = 0; i < b->n; i++) {
		c.cur = &b->v[i];
		k = xmkeys_find(c.cur->name);
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
