/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tap.c: a minimal TAP producer for the C tests. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static int tap_count;
static int tap_failed;
static bool tap_planned;

void
tap_plan(int n)
{
	printf("1..%d\n", n);
	fflush(stdout);
	tap_planned = true;
}

bool
tap_ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

void
tap_skip(const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("ok %d # SKIP ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* How many checks tests/check-counts ($XM_CHECK_COUNTS) says this program
 * runs (its line's path is a suffix of the invoked name), or 0. */
static int
tap_planned_checks(void)
{
	const char *file = getenv("XM_CHECK_COUNTS");
	const char *self = program_invocation_name;
	size_t self_len = strlen(self);
	char line[256], name[200];
	int count, found = 0;
	FILE *f;

	if (file == NULL || (f = fopen(file, "r")) == NULL)
		return 0;
	while (found == 0 && fgets(line, sizeof(line), f) != NULL) {
		size_t n;

		if (line[0] == '#' ||
		    sscanf(line, "%199s %d", name, &count) != 2)
			continue;
		n = strlen(name);
		if (n <= self_len && strcmp(self + self_len - n, name) == 0 &&
		    (n == self_len || self[self_len - n - 1] == '/'))
			found = count;
	}
	fclose(f);
	return found;
}

void
tap_skip_all(const char *fmt, ...)
{
	const char *extra = getenv("XM_KVM_SKIP_REASON");
	char why[512];
	va_list ap;
	int i, n;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	n = tap_planned_checks();
	/* A whole program not run still counts each of its checks. */
	for (i = 1; i <= n; i++)
		printf("ok %d - check %d of %d not run # SKIP %s\n", i, i, n,
		       extra != NULL ? extra : why);
	if (n > 0)
		printf("1..%d\n", n);
	else
		printf("1..0 # SKIP %s\n", extra != NULL ? extra : why);
	fflush(stdout);
	exit(0);
}

void
tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

int
tap_done(void)
{
	if (!tap_planned)
		printf("1..%d\n", tap_count);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}
