/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sysfiles.c: inittab's serial getty, root's shadow entry, /etc/hosts.
 * Pure functions over untrusted text (textfix.h). */
#include <errno.h>
#include <string.h>

#include "textbuf.h"
#include "textfix.h"

/* Whole-word occurrence of w in p[0..n). */
static const char *
find_word(const char *p, size_t n, const char *w)
{
	size_t wl = strlen(w), i;

	for (i = 0; i + wl <= n; i++) {
		if (memcmp(p + i, w, wl))
			continue;
		if ((i == 0 || !((p[i - 1] >= 'a' && p[i - 1] <= 'z') ||
				 (p[i - 1] >= '0' && p[i - 1] <= '9'))) &&
		    (i + wl == n || !((p[i + wl] >= 'a' && p[i + wl] <= 'z') ||
				      (p[i + wl] >= '0' && p[i + wl] <= '9'))))
			return p + i;
	}
	return NULL;
}

/* Copy line to b with each xvc0/hvc0 word replaced by ttyS0. */
static int
add_moved(struct textbuf *b, const char *line, size_t n)
{
	static const char *const xen[] = {"xvc0", "hvc0"};
	size_t i = 0;
	int moved = 0;

	while (i < n) {
		const char *hit = NULL;
		size_t k;

		for (k = 0; k < 2 && !hit; k++) {
			const char *h = find_word(line + i, n - i, xen[k]);

			if (h && (!hit || h < hit))
				hit = h;
		}
		if (!hit) {
			tb_add(b, line + i, n - i);
			break;
		}
		tb_add(b, line + i, (size_t)(hit - (line + i)));
		tb_str(b, "ttyS0");
		moved++;
		i = (size_t)(hit - line) + 4;
	}
	tb_str(b, "\n");
	return moved;
}

int
console_remap(const char *in, size_t len, char **out, int *changes)
{
	struct textbuf b = {0};
	size_t i = 0, start = 0;

	*changes = 0;
	if (len > TEXTFIX_MAX)
		return -EFBIG;
	while (i + 12 <= len) {
		if ((!memcmp(in + i, "console=hvc0", 12) ||
		     !memcmp(in + i, "console=xvc0", 12)) &&
		    (i == 0 || in[i - 1] == ' ' || in[i - 1] == '\t' ||
		     in[i - 1] == '"' || in[i - 1] == '\'') &&
		    (i + 12 == len ||
		     !((in[i + 12] >= '0' && in[i + 12] <= '9') ||
		       (in[i + 12] >= 'a' && in[i + 12] <= 'z')))) {
			tb_add(&b, in + start, i - start);
			tb_str(&b, "console=ttyS0");
			(*changes)++;
			i += 12;
			start = i;
			continue;
		}
		i++;
	}
	tb_add(&b, in + start, len - start);
	return tb_finish(&b, out);
}

int
inittab_serial(const char *in, size_t len, char **out, int *changes)
{
	struct textbuf b = {0};
	const char *line;
	size_t pos = 0, n;
	int serial = 0, busybox = 0, lines = 0;

	*changes = 0;
	if (len > TEXTFIX_MAX)
		return -EFBIG;
	while ((line = tb_line(in, len, &pos, &n))) {
		const char *c1 = memchr(line, ':', n);
		int getty = !!find_word(line, n, "getty") ||
			    !!find_word(line, n, "agetty") ||
			    !!find_word(line, n, "mingetty");

		if (n == 0 || line[0] == '#' || !c1) {
			tb_add(&b, line, n);
			tb_str(&b, "\n");
			continue;
		}
		lines++;
		if ((size_t)(c1 - line) + 1 < n && c1[1] == ':')
			busybox++;
		if (getty && find_word(line, n, "ttyS0"))
			serial = 1;
		if (getty && (find_word(line, n, "xvc0") ||
			      find_word(line, n, "hvc0"))) {
			tb_printf(&b, "# xm-create-image: was: %.*s\n", (int)n,
				  line);
			*changes += add_moved(&b, line, n) ? 1 : 0;
			serial = 1;
			continue;
		}
		tb_add(&b, line, n);
		tb_str(&b, "\n");
	}
	if (!serial) {
		tb_str(&b, "# xm-create-image: a login on the serial console "
			   "(xm console)\n");
		if (busybox && busybox * 2 >= lines)
			tb_str(&b, "ttyS0::respawn:/sbin/getty -L ttyS0 "
				   "115200 vt100\n");
		else
			tb_str(&b, "S0:2345:respawn:/sbin/getty -L ttyS0 "
				   "115200 vt100\n");
		(*changes)++;
	}
	return tb_finish(&b, out);
}

int
shadow_set_root(const char *in, size_t len, const char *hash, char **out)
{
	struct textbuf b = {0};
	const char *line;
	size_t pos = 0, n;
	int done = 0;

	if (len > TEXTFIX_MAX)
		return -EFBIG;
	while ((line = tb_line(in, len, &pos, &n))) {
		if (!done && n >= 5 && !memcmp(line, "root:", 5)) {
			const char *rest = memchr(line + 5, ':', n - 5);

			tb_printf(&b, "root:%s", hash);
			if (rest)
				tb_add(&b, rest, n - (size_t)(rest - line));
			else
				tb_str(&b, ":0:0:99999:7:::");
			tb_str(&b, "\n");
			done = 1;
			continue;
		}
		tb_add(&b, line, n);
		tb_str(&b, "\n");
	}
	if (!done)
		tb_printf(&b, "root:%s:0:0:99999:7:::\n", hash);
	return tb_finish(&b, out);
}

int
hosts_set_name(const char *in, size_t len, const char *name, char **out)
{
	struct textbuf b = {0};
	const char *line;
	size_t pos = 0, n;
	int done = 0;

	if (len > TEXTFIX_MAX)
		return -EFBIG;
	while ((line = tb_line(in, len, &pos, &n))) {
		if (n >= 10 && !memcmp(line, "127.0.1.1", 9) &&
		    (line[9] == ' ' || line[9] == '\t')) {
			if (!done)
				tb_printf(&b, "127.0.1.1\t%s\n", name);
			done = 1;
			continue;
		}
		tb_add(&b, line, n);
		tb_str(&b, "\n");
	}
	if (!done) {
		if (len == 0)
			tb_str(&b, "127.0.0.1\tlocalhost\n");
		tb_printf(&b, "127.0.1.1\t%s\n", name);
	}
	return tb_finish(&b, out);
}
