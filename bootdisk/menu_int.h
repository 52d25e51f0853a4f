/* SPDX-License-Identifier: GPL-2.0-or-later */
/* menu_int.h: what the boot configuration parsers (grub2.c, menu_text.c)
 * share with menu.c: building entries, grubenv variables, messages. */
#ifndef XM_BOOTDISK_MENU_INT_H
#define XM_BOOTDISK_MENU_INT_H

#include "bootdisk.h"

#define MENU_MAX_TITLE 512
#define MENU_MAX_VARS 64
#define MENU_MAX_VALUE 4096

/* Variables: grubenv's, then grub.cfg's set commands. */
struct menu_vars {
	size_t n;
	char *name[MENU_MAX_VARS];
	char *value[MENU_MAX_VARS];
};

void menu_vars_load_env(struct menu_vars *v, const char *env);
int menu_vars_set(struct menu_vars *v, const char *name, const char *value);
const char *menu_vars_get(const struct menu_vars *v, const char *name);
void menu_vars_free(struct menu_vars *v);

/* A new zeroed entry at the end of m (NULL: the table is full or no
 * memory; err set). */
struct bd_entry *menu_entry_add(struct bd_menu *m, char *err, size_t errlen);

/* Set *field to a copy of s (len bytes), freeing the old value. */
int menu_set(char **field, const char *s, size_t len);

/* Append " s" (or "s" to an empty one) to *field, bounded by max. */
int menu_append(char **field, const char *s, const char *sep, size_t max);

/* A path as grub writes it without its device: "(hd0,1)/boot/x" ->
 * "/boot/x". Returns a pointer into p. */
const char *menu_strip_device(const char *p);

/* Set the message in err; returns rc. */
int menu_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

int menu_parse_grub2(const char *text, size_t len, const char *env,
		     struct bd_menu *m, char *err, size_t errlen);
int menu_parse_grub1(const char *text, size_t len, struct bd_menu *m, char *err,
		     size_t errlen);
int menu_parse_extlinux(const char *text, size_t len, struct bd_menu *m,
			char *err, size_t errlen);

#endif
