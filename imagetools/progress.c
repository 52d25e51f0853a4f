/* SPDX-License-Identifier: GPL-2.0-or-later */
/* progress.c: step lines and the terminal's progress bar. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"
#include "util.h"

void
progress_init(struct progress *p, const char *prog, int steps, int verbose)
{
	memset(p, 0, sizeof(*p));
	p->prog = prog;
	p->steps = steps;
	p->verbose = verbose;
	p->tty = isatty(STDERR_FILENO);
}

void
progress_begin(struct progress *p, const char *what)
{
	p->step++;
	p->what = what;
	p->bar_shown = 0;
	p->last_ns = 0;
	if (p->tty) {
		fprintf(stderr, "\r\033[K[%d/%d] %s ...", p->step, p->steps,
			what);
		fflush(stderr);
	}
}

int
progress_update(void *ctx, uint64_t done, uint64_t total)
{
	struct progress *p = ctx;
	uint64_t now;
	char bar[31];
	int i, fill;

	if (p->stop && *p->stop)
		return 1;
	if (!p->tty)
		return 0;
	now = util_now_ns();
	if (now - p->last_ns < 100000000ull)
		return 0;
	p->last_ns = now;
	p->bar_shown = 1;
	if (!total) {
		fprintf(stderr, "\r\033[K[%d/%d] %s ... %llu", p->step,
			p->steps, p->what, (unsigned long long)done);
	} else {
		fill = (int)(done >= total ? 30 : done * 30 / total);
		for (i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[30] = 0;
		fprintf(stderr, "\r\033[K[%d/%d] %s [%s] %3d%%", p->step,
			p->steps, p->what, bar,
			(int)(done >= total ? 100 : done * 100 / total));
	}
	fflush(stderr);
	return 0;
}

void
progress_end(struct progress *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s[%d/%d] %s: %s\n", p->tty ? "\r\033[K" : "", p->step,
		p->steps, p->what, msg);
}

void
progress_verbose(struct progress *p, const char *fmt, ...)
{
	va_list ap;

	if (!p->verbose)
		return;
	if (p->tty)
		fputs("\r\033[K", stderr);
	fputs("  ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
