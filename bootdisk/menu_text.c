/* SPDX-License-Identifier: GPL-2.0-or-later */
/* menu_text.c: the line-oriented boot configurations: grub-legacy's
 * menu.lst/grub.conf, extlinux.conf/syslinux.cfg, and one BLS entry file
 * (/boot/loader/entries/NAME.conf, Fedora 30+ and EL8+). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "menu_int.h"

#define LINE_MAX_ 8192

struct lines {
	const char *p, *end;
	char buf[LINE_MAX_ + 1];
};

/* The next line, blanks trimmed at both ends; NULL at the end. A line
 * longer than LINE_MAX_ is cut. */
static char *
lines_next(struct lines *l)
{
	const char *nl;
	size_t n;
	char *s, *e;

	if (l->p >= l->end)
		return NULL;
	nl = memchr(l->p, '\n', (size_t)(l->end - l->p));
	if (!nl)
		nl = l->end;
	n = (size_t)(nl - l->p);
	if (n > LINE_MAX_)
		n = LINE_MAX_;
	memcpy(l->buf, l->p, n);
	l->buf[n] = '\0';
	l->p = nl + 1;
	for (s = l->buf; *s == ' ' || *s == '\t'; s++)
		;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Split "KEY rest" (KEY ends at a blank, or '=' when eq): *rest_out. */
static char *
lines_key(char *s, bool eq, char **rest_out)
{
	char *k = s;

	while (*s && *s != ' ' && *s != '\t' && !(eq && *s == '='))
		s++;
	if (*s) {
		*s++ = '\0';
		while (*s == ' ' || *s == '\t' || (eq && *s == '='))
			s++;
	}
	*rest_out = s;
	return k;
}

static int
text_pos(struct bd_entry *e, size_t idx)
{
	char pos[24];

	snprintf(pos, sizeof(pos), "%zu", idx);
	return menu_set(&e->pos, pos, strlen(pos));
}

/* "PATH ARGS" -> kernel and args. */
static int
text_kernel(struct bd_entry *e, const char *rest)
{
	size_t n = strcspn(rest, " \t");
	const char *path;
	char *p;
	int rc;

	p = strndup(rest, n);
	if (!p)
		return -ENOMEM;
	path = menu_strip_device(p);
	rc = menu_set(&e->kernel, path, strlen(path));
	free(p);
	rest += n;
	rest += strspn(rest, " \t");
	if (rc == 0 && strlen(rest) > BD_MAX_ARGS)
		rc = -E2BIG;
	if (rc == 0)
		rc = menu_set(&e->args, rest, strlen(rest));
	return rc;
}

/* menu_int.h: grub-legacy. */
int
menu_parse_grub1(const char *text, size_t len, struct bd_menu *m, char *err,
		 size_t errlen)
{
	struct lines *l = calloc(1, sizeof(*l));
	struct bd_entry *e = NULL;
	char *s, *k, *rest;
	int rc = 0;

	if (!l)
		return -ENOMEM;
	l->p = text;
	l->end = text + len;
	while (rc == 0 && (s = lines_next(l)) != NULL) {
		if (!*s || *s == '#')
			continue;
		k = lines_key(s, true, &rest);
		if (!strcmp(k, "title")) {
			e = menu_entry_add(m, err, errlen);
			if (!e)
				rc = -E2BIG;
			else if (strlen(rest) > MENU_MAX_TITLE)
				rc = menu_fail(err, errlen, -E2BIG,
					       "menu.lst: a title is too "
					       "long");
			else if ((rc = menu_set(&e->title, rest,
						strlen(rest))) == 0)
				rc = text_pos(e, m->n - 1);
		} else if (!strcmp(k, "default") && !e) {
			if (strcmp(rest, "saved"))
				rc = menu_set(&m->def, rest,
					      strcspn(rest, " "));
		} else if (e && !strcmp(k, "kernel")) {
			rc = text_kernel(e, rest);
		} else if (e && !strcmp(k, "initrd")) {
			const char *p;

			rest[strcspn(rest, " \t")] = '\0';
			p = menu_strip_device(rest);
			rc = menu_set(&e->initrd, p, strlen(p));
		} else if (e && !strcmp(k, "chainloader")) {
			free(e->kernel);
			e->kernel = NULL;
		}
	}
	free(l);
	if (rc == -E2BIG && err && !err[0])
		menu_fail(err, errlen, rc, "menu.lst: a line is too long");
	return rc;
}

/* APPEND's initrd=A,B: moved to e->initrd (A\nB). */
static int
text_append(struct bd_entry *e, const char *rest)
{
	const char *p = rest;
	char *args = NULL, *tok;
	size_t n;
	int rc = 0;

	if (!strcmp(rest, "-"))
		return menu_set(&e->args, "", 0);
	while (rc == 0 && *p) {
		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		if (!n)
			break;
		tok = strndup(p, n);
		if (!tok)
			return -ENOMEM;
		if (!strncmp(tok, "initrd=", 7)) {
			char *c;

			for (c = tok + 7; *c; c++)
				if (*c == ',')
					*c = '\n';
			rc = menu_set(&e->initrd, tok + 7, strlen(tok + 7));
		} else {
			rc = menu_append(&args, tok, " ", BD_MAX_ARGS);
		}
		free(tok);
		p += n;
	}
	if (rc == 0) {
		free(e->args);
		e->args = args ? args : strdup("");
		return e->args ? 0 : -ENOMEM;
	}
	free(args);
	return rc;
}

/* menu_int.h: extlinux/syslinux. */
int
menu_parse_extlinux(const char *text, size_t len, struct bd_menu *m, char *err,
		    size_t errlen)
{
	struct lines *l = calloc(1, sizeof(*l));
	struct bd_entry *e = NULL;
	char *s, *k, *rest, *k2, *rest2, *c;
	int rc = 0;

	if (!l)
		return -ENOMEM;
	l->p = text;
	l->end = text + len;
	while (rc == 0 && (s = lines_next(l)) != NULL) {
		if (!*s || *s == '#')
			continue;
		k = lines_key(s, false, &rest);
		if (!strcasecmp(k, "label")) {
			e = menu_entry_add(m, err, errlen);
			if (!e)
				rc = -E2BIG;
			else if (strlen(rest) > MENU_MAX_TITLE)
				rc = -E2BIG;
			else if ((rc = menu_set(&e->title, rest,
						strlen(rest))) == 0 &&
				 (rc = menu_set(&e->id, rest, strlen(rest))) ==
					 0)
				rc = text_pos(e, m->n - 1);
		} else if (!strcasecmp(k, "default")) {
			rc = menu_set(&m->def, rest, strcspn(rest, " \t"));
		} else if (!strcasecmp(k, "menu")) {
			k2 = lines_key(rest, false, &rest2);
			if (e && !strcasecmp(k2, "label") &&
			    strlen(rest2) <= MENU_MAX_TITLE) {
				while ((c = strchr(rest2, '^')) != NULL)
					memmove(c, c + 1, strlen(c));
				rc = menu_set(&e->title, rest2, strlen(rest2));
			} else if (e && !strcasecmp(k2, "default")) {
				rc = menu_set(&m->def, e->id, strlen(e->id));
			}
		} else if (e && (!strcasecmp(k, "kernel") ||
				 !strcasecmp(k, "linux"))) {
			rest[strcspn(rest, " \t")] = '\0';
			rc = menu_set(&e->kernel, rest, strlen(rest));
			if (rc == 0 && !e->args)
				rc = menu_set(&e->args, "", 0);
		} else if (e && (!strcasecmp(k, "initrd"))) {
			rest[strcspn(rest, " \t")] = '\0';
			for (c = rest; *c; c++)
				if (*c == ',')
					*c = '\n';
			rc = menu_set(&e->initrd, rest, strlen(rest));
		} else if (e && !strcasecmp(k, "append")) {
			rc = text_append(e, rest);
		} else if (e && (!strcasecmp(k, "com32") ||
				 !strcasecmp(k, "localboot"))) {
			free(e->kernel);
			e->kernel = NULL;
		}
	}
	free(l);
	if (rc == -E2BIG && err && !err[0])
		menu_fail(err, errlen, rc, "extlinux.conf: a line is too long");
	return rc;
}

/* $NAME and ${NAME} in s replaced by v's values (BLS options). */
static int
text_expand(const struct menu_vars *v, const char *s, char **out)
{
	char name[64], *o = NULL, one[2] = {0, 0};
	const char *val;
	size_t n;
	int rc = 0;

	while (rc == 0 && *s) {
		if (*s != '$') {
			one[0] = *s++;
			rc = menu_append(&o, one, "", BD_MAX_ARGS);
			continue;
		}
		s++;
		n = 0;
		if (*s == '{') {
			s++;
			while (*s && *s != '}' && n + 1 < sizeof(name))
				name[n++] = *s++;
			if (*s == '}')
				s++;
		} else {
			while ((isalnum((unsigned char)*s) || *s == '_') &&
			       n + 1 < sizeof(name))
				name[n++] = *s++;
		}
		name[n] = '\0';
		val = menu_vars_get(v, name);
		if (val)
			rc = menu_append(&o, val, "", BD_MAX_ARGS);
	}
	if (rc < 0) {
		free(o);
		return rc;
	}
	*out = o ? o : strdup("");
	return *out ? 0 : -ENOMEM;
}

/* See bootdisk.h. */
int
bd_menu_add_bls(struct bd_menu *m, const char *name, const char *text,
		size_t len, const char *env, char *err, size_t errlen)
{
	struct menu_vars v = {0};
	struct lines *l;
	struct bd_entry *e;
	char *s, *k, *rest, *opts = NULL, *x;
	size_t stem = strlen(name);
	int rc = 0;

	m->dialect = BD_BLS;
	if (len > BD_MAX_CONFIG)
		return menu_fail(err, errlen, -EFBIG, "%s: too large", name);
	if (stem > 5 && !strcmp(name + stem - 5, ".conf"))
		stem -= 5;
	e = menu_entry_add(m, err, errlen);
	if (!e)
		return -E2BIG;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->p = text;
	l->end = text + len;
	menu_vars_load_env(&v, env);
	rc = menu_set(&e->id, name, stem);
	while (rc == 0 && (s = lines_next(l)) != NULL) {
		if (!*s || *s == '#')
			continue;
		k = lines_key(s, false, &rest);
		if (!strcmp(k, "title") && strlen(rest) <= MENU_MAX_TITLE)
			rc = menu_set(&e->title, rest, strlen(rest));
		else if (!strcmp(k, "linux"))
			rc = menu_set(&e->kernel, rest, strlen(rest));
		else if (!strcmp(k, "initrd"))
			rc = menu_append(&e->initrd, rest, "\n", BD_MAX_ARGS);
		else if (!strcmp(k, "options"))
			rc = menu_append(&opts, rest, " ", BD_MAX_ARGS);
	}
	if (rc == 0 && !e->title)
		rc = menu_set(&e->title, e->id, strlen(e->id));
	if (rc == 0) {
		rc = text_expand(&v, opts ? opts : "", &x);
		if (rc == 0) {
			free(e->args);
			e->args = x;
		}
	}
	if (rc == 0 && e->kernel && bd_kernel_is_xen(e->kernel))
		e->xen = true;
	free(opts);
	free(l);
	menu_vars_free(&v);
	if (rc < 0 && err && !err[0])
		menu_fail(err, errlen, rc, "%s: %s", name,
			  rc == -E2BIG ? "a line is too long" : strerror(-rc));
	return rc;
}
