/* SPDX-License-Identifier: GPL-2.0-or-later */
/* menu.c: boot menus whatever their dialect: entries, grubenv, the
 * default and the choice of entry (Xen-only kernels skipped, as virt-v2v
 * does), BLS entries and their order, escaping for the helper's result. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "menu_int.h"

/* See menu_int.h. */
int
menu_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* See menu_int.h. */
int
menu_set(char **field, const char *s, size_t len)
{
	char *c = strndup(s, len);

	if (!c)
		return -ENOMEM;
	free(*field);
	*field = c;
	return 0;
}

/* See menu_int.h. */
int
menu_append(char **field, const char *s, const char *sep, size_t max)
{
	size_t old = *field ? strlen(*field) : 0, add = strlen(s);
	char *grown;

	if (!add)
		return 0;
	if (old + add + 2 > max)
		return -E2BIG;
	grown = realloc(*field, old + add + 2);
	if (!grown)
		return -ENOMEM;
	if (old)
		strcpy(grown + old, sep), old += strlen(sep);
	memcpy(grown + old, s, add + 1);
	*field = grown;
	return 0;
}

/* See menu_int.h. */
const char *
menu_strip_device(const char *p)
{
	const char *close;

	if (*p == '(' && (close = strchr(p, ')')) != NULL)
		return close + 1;
	return p;
}

/* See menu_int.h. */
struct bd_entry *
menu_entry_add(struct bd_menu *m, char *err, size_t errlen)
{
	struct bd_entry *grown;

	if (m->n >= BD_MAX_ENTRIES) {
		menu_fail(err, errlen, -E2BIG, "more than %d menu entries",
			  BD_MAX_ENTRIES);
		return NULL;
	}
	grown = realloc(m->entries, (m->n + 1) * sizeof(*grown));
	if (!grown) {
		menu_fail(err, errlen, -ENOMEM, "out of memory");
		return NULL;
	}
	m->entries = grown;
	memset(&grown[m->n], 0, sizeof(*grown));
	return &grown[m->n++];
}

/* See menu_int.h. */
int
menu_vars_set(struct menu_vars *v, const char *name, const char *value)
{
	size_t i;
	char *c;

	if (strlen(value) > MENU_MAX_VALUE)
		return -E2BIG;
	for (i = 0; i < v->n; i++)
		if (!strcmp(v->name[i], name)) {
			c = strdup(value);
			if (!c)
				return -ENOMEM;
			free(v->value[i]);
			v->value[i] = c;
			return 0;
		}
	if (v->n >= MENU_MAX_VARS)
		return -E2BIG;
	v->name[v->n] = strdup(name);
	v->value[v->n] = strdup(value);
	if (!v->name[v->n] || !v->value[v->n]) {
		free(v->name[v->n]);
		free(v->value[v->n]);
		return -ENOMEM;
	}
	v->n++;
	return 0;
}

/* See menu_int.h. */
const char *
menu_vars_get(const struct menu_vars *v, const char *name)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (!strcmp(v->name[i], name))
			return v->value[i];
	return NULL;
}

/* See menu_int.h. grubenv: "NAME=VALUE" lines, '#' padding. */
void
menu_vars_load_env(struct menu_vars *v, const char *env)
{
	const char *p = env, *eq, *nl;
	char name[64], value[MENU_MAX_VALUE + 1];
	size_t nlen, vlen, i, o;

	while (p && *p) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		eq = memchr(p, '=', (size_t)(nl - p));
		if (*p != '#' && eq && eq > p) {
			nlen = (size_t)(eq - p);
			vlen = (size_t)(nl - eq - 1);
			if (nlen < sizeof(name) && vlen <= MENU_MAX_VALUE) {
				memcpy(name, p, nlen);
				name[nlen] = '\0';
				/* grub-editenv escapes '\' and newlines */
				for (i = 0, o = 0; i < vlen; i++) {
					if (eq[1 + i] == '\\' && i + 1 < vlen)
						i++;
					value[o++] = eq[1 + i];
				}
				value[o] = '\0';
				(void)menu_vars_set(v, name, value);
			}
		}
		p = *nl ? nl + 1 : nl;
	}
}

/* See menu_int.h. */
void
menu_vars_free(struct menu_vars *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		free(v->name[i]);
		free(v->value[i]);
	}
	v->n = 0;
}

/* See bootdisk.h. */
bool
bd_kernel_is_xen(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (!strncmp(base, "xen.gz", 6) || !strncmp(base, "xen-", 4) ||
	    !strncmp(base, "kernel-xen", 10) || strstr(base, "-xenU") ||
	    strstr(base, ".xenU"))
		return true;
	return (n > 4 && !strcmp(base + n - 4, "-xen")) ||
	       (n > 4 && !strcmp(base + n - 4, ".xen")) ||
	       strstr(base, "-xen-");
}

/* See bootdisk.h. */
int
bd_menu_parse(enum bd_dialect d, const char *text, size_t len, const char *env,
	      struct bd_menu *m, char *err, size_t errlen)
{
	size_t i;
	int rc;

	memset(m, 0, sizeof(*m));
	m->dialect = d;
	if (len > BD_MAX_CONFIG)
		return menu_fail(err, errlen, -EFBIG,
				 "the boot configuration is too large (%zu "
				 "bytes)",
				 len);
	switch (d) {
	case BD_GRUB2:
		rc = menu_parse_grub2(text, len, env, m, err, errlen);
		break;
	case BD_GRUB1:
		rc = menu_parse_grub1(text, len, m, err, errlen);
		break;
	case BD_EXTLINUX:
		rc = menu_parse_extlinux(text, len, m, err, errlen);
		break;
	default:
		rc = menu_fail(err, errlen, -EINVAL, "no such dialect");
	}
	for (i = 0; rc == 0 && i < m->n; i++)
		if (m->entries[i].kernel &&
		    bd_kernel_is_xen(m->entries[i].kernel))
			m->entries[i].xen = true;
	if (rc == 0 && m->n == 0 && !m->blscfg)
		rc = menu_fail(err, errlen, -ENOENT, "no menu entries");
	if (rc < 0)
		bd_menu_free(m);
	return rc;
}

/* rpm's version comparison, as grub's blscfg sorts entries. */
static int
menu_vercmp(const char *a, const char *b)
{
	while (*a || *b) {
		const char *sa, *sb;
		int num;
		size_t la, lb;
		int c;

		while (*a && !isalnum((unsigned char)*a))
			a++;
		while (*b && !isalnum((unsigned char)*b))
			b++;
		if (!*a || !*b)
			break;
		num = isdigit((unsigned char)*a);
		if (num != !!isdigit((unsigned char)*b))
			return num ? 1 : -1; /* a number is newer */
		sa = a;
		sb = b;
		if (num) {
			while (*a == '0')
				a++;
			while (*b == '0')
				b++;
			sa = a;
			sb = b;
			while (isdigit((unsigned char)*a))
				a++;
			while (isdigit((unsigned char)*b))
				b++;
		} else {
			while (isalpha((unsigned char)*a))
				a++;
			while (isalpha((unsigned char)*b))
				b++;
		}
		la = (size_t)(a - sa);
		lb = (size_t)(b - sb);
		if (num && la != lb)
			return la < lb ? -1 : 1;
		c = strncmp(sa, sb, la < lb ? la : lb);
		if (c)
			return c < 0 ? -1 : 1;
		if (la != lb)
			return la < lb ? -1 : 1;
	}
	return (*a != 0) - (*b != 0);
}

static int
menu_bls_cmp(const void *x, const void *y)
{
	const struct bd_entry *a = x, *b = y;

	return -menu_vercmp(a->id ? a->id : "", b->id ? b->id : "");
}

/* See bootdisk.h. */
int
bd_menu_finish_bls(struct bd_menu *m, const char *env)
{
	struct menu_vars v = {0};
	const char *saved;
	char pos[24];
	size_t i;

	m->dialect = BD_BLS;
	if (!m->n)
		return -ENOENT;
	qsort(m->entries, m->n, sizeof(*m->entries), menu_bls_cmp);
	for (i = 0; i < m->n; i++) {
		snprintf(pos, sizeof(pos), "%zu", i);
		if (menu_set(&m->entries[i].pos, pos, strlen(pos)) < 0)
			return -ENOMEM;
	}
	menu_vars_load_env(&v, env);
	saved = menu_vars_get(&v, "saved_entry");
	if (saved && *saved && menu_set(&m->def, saved, strlen(saved)) < 0) {
		menu_vars_free(&v);
		return -ENOMEM;
	}
	menu_vars_free(&v);
	return 0;
}

static bool
menu_matches(const struct bd_entry *e, const char *want)
{
	return (e->pos && !strcmp(e->pos, want)) ||
	       (e->id && !strcmp(e->id, want)) ||
	       (e->title && !strcmp(e->title, want)) ||
	       (e->tpath && !strcmp(e->tpath, want));
}

static int
menu_find(const struct bd_menu *m, const char *want)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (menu_matches(&m->entries[i], want))
			return (int)i;
	/* grub2: "1" names a submenu; its first entry "1>0" */
	for (i = 0; i < m->n; i++)
		if (m->entries[i].pos &&
		    !strncmp(m->entries[i].pos, want, strlen(want)) &&
		    m->entries[i].pos[strlen(want)] == '>')
			return (int)i;
	return -1;
}

static const char *
menu_unusable(const struct bd_entry *e)
{
	if (!e->kernel)
		return "it boots no Linux kernel (a Xen multiboot entry or "
		       "a chainloader)";
	if (e->xen)
		return "a Xen-only kernel, which runs only as a Xen guest";
	return NULL;
}

/* See bootdisk.h. */
int
bd_menu_select(const struct bd_menu *m, const char *want, char *why,
	       size_t whylen, char *err, size_t errlen)
{
	const char *bad;
	int idx;
	size_t i, k;

	if (why && whylen)
		why[0] = '\0';
	if (m->n == 0)
		return menu_fail(err, errlen, -ENOENT, "no menu entries");
	if (want) {
		idx = menu_find(m, want);
		if (idx < 0)
			return menu_fail(err, errlen, -ENOENT,
					 "no menu entry '%.200s'", want);
		bad = menu_unusable(&m->entries[idx]);
		if (bad)
			return menu_fail(err, errlen, -EINVAL,
					 "menu entry '%.200s': %s",
					 m->entries[idx].title, bad);
		return idx;
	}
	idx = m->def ? menu_find(m, m->def) : 0;
	if (idx < 0)
		idx = 0; /* grub falls back to the first entry */
	for (k = 0; k < m->n; k++) {
		i = ((size_t)idx + k) % m->n;
		bad = menu_unusable(&m->entries[i]);
		if (!bad)
			return (int)i;
		if (why && strlen(why) + 64 < whylen)
			snprintf(why + strlen(why), whylen - strlen(why),
				 "%sskipped entry '%.100s': %s",
				 why[0] ? "; " : "", m->entries[i].title, bad);
	}
	return menu_fail(err, errlen, -ENOENT,
			 "no menu entry boots a Linux kernel that runs "
			 "under KVM");
}

/* See bootdisk.h. */
void
bd_menu_free(struct bd_menu *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->entries[i].title);
		free(m->entries[i].pos);
		free(m->entries[i].id);
		free(m->entries[i].tpath);
		free(m->entries[i].kernel);
		free(m->entries[i].initrd);
		free(m->entries[i].args);
	}
	free(m->entries);
	free(m->def);
	memset(m, 0, sizeof(*m));
}

/* See bootdisk.h. */
int
bd_escape(const char *s, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	unsigned char c;

	if (!outlen)
		return -ENAMETOOLONG;
	for (; *s; s++) {
		c = (unsigned char)*s;
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			if (o + 1 >= outlen)
				goto cut;
			out[o++] = (char)c;
		} else {
			if (o + 4 >= outlen)
				goto cut;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return 0;
cut:
	out[o] = '\0';
	return -ENAMETOOLONG;
}

static int
menu_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* See bootdisk.h. */
int
bd_unescape(char *s)
{
	char *o = s;
	int hi, lo;

	while (*s) {
		if (*s != '\\') {
			*o++ = *s++;
			continue;
		}
		if (s[1] != 'x' || (hi = menu_hexval(s[2])) < 0 ||
		    (lo = menu_hexval(s[3])) < 0 || (hi == 0 && lo == 0))
			return -EINVAL;
		*o++ = (char)(hi << 4 | lo);
		s += 4;
	}
	*o = '\0';
	return 0;
}
