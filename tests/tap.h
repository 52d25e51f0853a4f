/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tap.h: a minimal TAP producer for the C tests (automake tap-driver.sh). */
#ifndef XM_TAP_H
#define XM_TAP_H

#include <stdbool.h>

/* Print the plan "1..n". Call once, first (or use tap_done_testing). */
void tap_plan(int n);

/* Record one result; returns cond. The description is printf-formatted. */
bool tap_ok(bool cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A SKIP result with the reason (missing capability, never missing code). */
void tap_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Skip the whole program and exit 0: one SKIP per check tests/check-counts
 * gives it (else "1..0 # SKIP reason"); when the kvm tier could not start
 * at all, $XM_KVM_SKIP_REASON says why and replaces the reason. */
void tap_skip_all(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/* A "# ..." diagnostic line. */
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print the trailing plan when none was given; returns the exit status
 * (0 when every test passed). */
int tap_done(void);

#define tap_is_int(got, want, ...)                                             \
	tap_ok((long long)(got) == (long long)(want), __VA_ARGS__) ||          \
		(tap_diag("  got %lld, want %lld", (long long)(got),           \
			  (long long)(want)),                                  \
		 false)

#endif
