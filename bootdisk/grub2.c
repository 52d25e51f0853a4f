/* SPDX-License-Identifier: GPL-2.0-or-later */
/* grub2.c: grub.cfg, the subset pygrub reads: menuentry and submenu
 * blocks, linux/linux16/linuxefi and initrd in them, set default, set
 * NAME=VALUE, grubenv's saved_entry and next_entry, blscfg. grub's shell
 * quoting ('...', "...", backslashes, $VAR and ${VAR}) is honoured;
 * everything else (if, functions, search, insmod) is not run: nothing in
 * the file is executed or evaluated. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "menu_int.h"

#define G2_MAX_WORDS 128
#define G2_MAX_WORD 8192
#define G2_MAX_DEPTH 16

struct g2 {
	const char *p, *end;
	struct menu_vars vars;
	char *w[G2_MAX_WORDS];
	size_t nw;
};

struct g2_level {
	enum { LV_TOP, LV_MENU, LV_ENTRY, LV_SKIP } kind;
	unsigned count;    /* entries seen at this level */
	char *pos, *title; /* of the submenu */
	struct bd_entry *entry;
};

struct g2_word {
	char *s;
	size_t len;
	bool quoted;
};

static int
g2_putc(struct g2_word *w, char c)
{
	char *grown;

	if (w->len + 2 > G2_MAX_WORD)
		return -E2BIG;
	grown = realloc(w->s, w->len + 2);
	if (!grown)
		return -ENOMEM;
	w->s = grown;
	w->s[w->len++] = c;
	w->s[w->len] = '\0';
	return 0;
}

/* $NAME or ${NAME} at g->p (after the '$'): append its value. */
static int
g2_expand(struct g2 *g, struct g2_word *w)
{
	char name[64];
	size_t n = 0;
	const char *v;
	bool brace = g->p < g->end && *g->p == '{';
	int rc = 0;

	if (brace)
		g->p++;
	while (g->p < g->end && (isalnum((unsigned char)*g->p) ||
				 *g->p == '_' || (brace && *g->p != '}'))) {
		if (n + 1 < sizeof(name))
			name[n++] = *g->p;
		g->p++;
	}
	if (brace && g->p < g->end)
		g->p++; /* the '}' */
	name[n] = '\0';
	if (!n && !brace)
		return g2_putc(w, '$');
	v = menu_vars_get(&g->vars, name);
	for (; v && *v && rc == 0; v++)
		rc = g2_putc(w, *v);
	return rc;
}

/* One word at g->p; stops before a blank, newline or ';'. */
static int
g2_word(struct g2 *g, struct g2_word *w)
{
	int rc = 0;
	char c;

	while (rc == 0 && g->p < g->end) {
		c = *g->p;
		if (c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '\r')
			break;
		g->p++;
		if (c == '\'') {
			w->quoted = true;
			while (rc == 0 && g->p < g->end && *g->p != '\'')
				rc = g2_putc(w, *g->p++);
			if (g->p < g->end)
				g->p++;
		} else if (c == '"') {
			w->quoted = true;
			while (rc == 0 && g->p < g->end && *g->p != '"') {
				c = *g->p++;
				if (c == '\\' && g->p < g->end &&
				    strchr("$\"\\\n", *g->p))
					c = *g->p++;
				else if (c == '$') {
					rc = g2_expand(g, w);
					continue;
				}
				if (c != '\n' || g->p[-2] != '\\')
					rc = g2_putc(w, c);
			}
			if (g->p < g->end)
				g->p++;
		} else if (c == '\\' && g->p < g->end) {
			c = *g->p++;
			if (c != '\n')
				rc = g2_putc(w, c);
		} else if (c == '$') {
			rc = g2_expand(g, w);
		} else if (c != '\0') {
			rc = g2_putc(w, c);
		}
	}
	return rc;
}

static void
g2_clear(struct g2 *g)
{
	while (g->nw)
		free(g->w[--g->nw]);
}

/* The next command into g->w: returns 0 at the end of the text, 1 for
 * a command, '{' for a command that opens a block, '}' for a block's
 * end (no words), or -errno. */
static int
g2_next(struct g2 *g)
{
	struct g2_word w;
	int rc;

	g2_clear(g);
	while (g->p < g->end) {
		char c = *g->p;

		if (c == ' ' || c == '\t' || c == '\r' || c == '\0') {
			g->p++;
			continue;
		}
		if (c == '\\' && g->p + 1 < g->end && g->p[1] == '\n') {
			g->p += 2;
			continue;
		}
		if (c == '\n' || c == ';') {
			g->p++;
			if (g->nw)
				return 1;
			continue;
		}
		if (c == '#') {
			while (g->p < g->end && *g->p != '\n')
				g->p++;
			continue;
		}
		if ((c == '{' || c == '}') &&
		    (g->p + 1 == g->end || strchr(" \t\r\n;", g->p[1]))) {
			if (c == '}' && g->nw) /* "cmd }": end the command */
				return 1;
			g->p++;
			return c == '{' ? '{' : '}';
		}
		memset(&w, 0, sizeof(w));
		rc = g2_word(g, &w);
		if (rc < 0) {
			free(w.s);
			return rc;
		}
		if (!w.len && !w.quoted) {
			free(w.s);
			continue; /* an empty expansion is no word */
		}
		if (g->nw >= G2_MAX_WORDS) {
			free(w.s);
			return -E2BIG;
		}
		g->w[g->nw++] = w.s ? w.s : strdup("");
		if (!g->w[g->nw - 1])
			return -ENOMEM;
	}
	return g->nw ? 1 : 0;
}

static int
g2_entry_cmd(struct g2 *g, struct bd_entry *e, size_t first)
{
	const char *cmd = g->w[first];
	size_t i;
	int rc = 0;

	if (!strcmp(cmd, "linux") || !strcmp(cmd, "linux16") ||
	    !strcmp(cmd, "linuxefi")) {
		if (first + 1 >= g->nw)
			return 0;
		rc = menu_set(&e->kernel, menu_strip_device(g->w[first + 1]),
			      strlen(menu_strip_device(g->w[first + 1])));
		free(e->args);
		e->args = NULL;
		for (i = first + 2; rc == 0 && i < g->nw; i++)
			rc = menu_append(&e->args, g->w[i], " ", BD_MAX_ARGS);
	} else if (!strcmp(cmd, "initrd") || !strcmp(cmd, "initrd16") ||
		   !strcmp(cmd, "initrdefi")) {
		free(e->initrd);
		e->initrd = NULL;
		for (i = first + 1; rc == 0 && i < g->nw; i++)
			rc = menu_append(&e->initrd, menu_strip_device(g->w[i]),
					 "\n", BD_MAX_ARGS);
	} else if (!strcmp(cmd, "multiboot") || !strcmp(cmd, "multiboot2")) {
		e->xen = true;
	}
	return rc;
}

static int
g2_open(struct g2 *g, struct g2_level *lv, int *depth, struct bd_menu *m,
	char *err, size_t errlen)
{
	struct g2_level *up = &lv[*depth], *down;
	char pos[256];
	const char *title = g->nw > 1 ? g->w[1] : "";
	bool entry = g->nw && !strcmp(g->w[0], "menuentry"),
	     menu = g->nw && !strcmp(g->w[0], "submenu");
	struct bd_entry *e;
	size_t i;

	if (*depth + 1 >= G2_MAX_DEPTH)
		return menu_fail(err, errlen, -E2BIG,
				 "grub.cfg: blocks nested too deep");
	down = &lv[++*depth];
	memset(down, 0, sizeof(*down));
	down->kind = LV_SKIP;
	if ((!entry && !menu) || (up->kind != LV_TOP && up->kind != LV_MENU))
		return 0;
	if (strlen(title) > MENU_MAX_TITLE)
		return menu_fail(err, errlen, -E2BIG,
				 "grub.cfg: a menu title is too long");
	snprintf(pos, sizeof(pos), "%s%s%u", up->pos ? up->pos : "",
		 up->pos ? ">" : "", up->count++);
	if (menu) {
		down->kind = LV_MENU;
		down->pos = strdup(pos);
		down->title = strdup(title);
		return down->pos && down->title ? 0 : -ENOMEM;
	}
	e = menu_entry_add(m, err, errlen);
	if (!e)
		return -E2BIG;
	down->kind = LV_ENTRY;
	down->entry = e;
	if (menu_set(&e->title, title, strlen(title)) < 0 ||
	    menu_set(&e->pos, pos, strlen(pos)) < 0)
		return -ENOMEM;
	if (up->title) {
		e->tpath = malloc(strlen(up->title) + strlen(title) + 2);
		if (!e->tpath)
			return -ENOMEM;
		sprintf(e->tpath, "%s>%s", up->title, title);
	}
	for (i = 2; i + 1 < g->nw; i++)
		if (!strcmp(g->w[i], "--id") &&
		    menu_set(&e->id, g->w[i + 1], strlen(g->w[i + 1])) < 0)
			return -ENOMEM;
	return 0;
}

static int
g2_top_cmd(struct g2 *g, size_t first, struct bd_menu *m)
{
	const char *cmd = g->w[first], *eq;
	char name[64];
	size_t n;
	int rc;

	if (!strcmp(cmd, "blscfg")) {
		m->blscfg = true;
		return 0;
	}
	/* "set NAME=VALUE", or grub's bare "NAME=VALUE" */
	if (!strcmp(cmd, "set") && first + 1 < g->nw)
		first++;
	else if (strcmp(cmd, "set") && strchr(cmd, '='))
		;
	else
		return 0;
	eq = strchr(g->w[first], '=');
	if (!eq)
		return 0;
	n = (size_t)(eq - g->w[first]);
	if (n == 0 || n >= sizeof(name) ||
	    strspn(g->w[first],
		   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
		   "vwxyz0123456789_") != n)
		return 0;
	memcpy(name, g->w[first], n);
	name[n] = '\0';
	/* grub.cfg sets it to "--id" or "" by a feature test this reader
	 * does not run: keep "--id" (every grub that writes it has it) */
	if (!strcmp(name, "menuentry_id_option"))
		return 0;
	rc = menu_vars_set(&g->vars, name, eq + 1);
	if (rc == -E2BIG)
		rc = 0;
	if (rc == 0 && !strcmp(name, "default") && eq[1])
		rc = menu_set(&m->def, eq + 1, strlen(eq + 1));
	return rc;
}

/* menu_int.h: parse grub.cfg into m. */
int
menu_parse_grub2(const char *text, size_t len, const char *env,
		 struct bd_menu *m, char *err, size_t errlen)
{
	static const char *const keywords[] = {"then", "else", "do"};
	struct g2_level lv[G2_MAX_DEPTH];
	struct g2 g = {.p = text, .end = text + len};
	int depth = 0, rc, i;
	size_t first;

	memset(lv, 0, sizeof(lv));
	lv[0].kind = LV_TOP;
	menu_vars_load_env(&g.vars, env);
	(void)menu_vars_set(&g.vars, "menuentry_id_option", "--id");
	while ((rc = g2_next(&g)) > 0) {
		if (rc == '}') {
			if (depth > 0) {
				free(lv[depth].pos);
				free(lv[depth].title);
				depth--;
			}
			continue;
		}
		if (rc == '{') {
			rc = g2_open(&g, lv, &depth, m, err, errlen);
			if (rc < 0)
				break;
			continue;
		}
		first = 0;
		for (i = 0; i < 3 && first + 1 < g.nw; i++)
			if (!strcmp(g.w[first], keywords[i])) {
				first++;
				i = -1;
			}
		if (lv[depth].kind == LV_ENTRY)
			rc = g2_entry_cmd(&g, lv[depth].entry, first);
		else if (lv[depth].kind != LV_SKIP)
			rc = g2_top_cmd(&g, first, m);
		else
			rc = 0;
		if (rc < 0)
			break;
	}
	g2_clear(&g);
	while (depth > 0) {
		free(lv[depth].pos);
		free(lv[depth].title);
		depth--;
	}
	menu_vars_free(&g.vars);
	if (rc == -E2BIG && err && !err[0])
		menu_fail(err, errlen, rc, "grub.cfg: a line is too long");
	else if (rc < 0 && err && !err[0])
		menu_fail(err, errlen, rc, "grub.cfg: %s", strerror(-rc));
	return rc < 0 ? rc : 0;
}
