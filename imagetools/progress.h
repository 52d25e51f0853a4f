/* SPDX-License-Identifier: GPL-2.0-or-later */
/* progress.h: what xm-create-image says while it works: one line per step
 * when stderr is not a terminal, a progress bar for long steps on one. */
#ifndef XM_PROGRESS_H
#define XM_PROGRESS_H

#include <signal.h>
#include <stdint.h>

struct progress {
	const char *prog;
	int tty, verbose;
	int step, steps;
	const char *what;
	uint64_t last_ns;
	int bar_shown;
	volatile sig_atomic_t *stop; /* SIGINT/SIGTERM/SIGHUP seen */
};

/* Set up for steps steps, writing to stderr. */
void progress_init(struct progress *p, const char *prog, int steps,
		   int verbose);

/* A step begins (what: "unpacking /srv/x.tar.gz"). */
void progress_begin(struct progress *p, const char *what);

/* source_progress_fn: done of total (total 0: a count). Draws the bar on
 * a terminal at most 10 times a second; prints nothing otherwise. Returns
 * nonzero once *stop (set by a signal handler) is. */
int progress_update(void *p, uint64_t done, uint64_t total);

/* The step ended: its one line, with the result ("1234 entries"). */
void progress_end(struct progress *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A detail line, only with --verbose. */
void progress_verbose(struct progress *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
