/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmd_admission.c: unit tests of xmd's connection limits (admission.c):
 * the total cap, the share kept for full-access clients, the per-uid cap,
 * release, and the checks of the limits themselves. */
#include <stdio.h>

#include "admission.h"
#include "tap.h"

static void
test_limits(void)
{
	struct admission_limits lim;
	char msg[256];

	admission_defaults(&lim);
	tap_ok(admission_check_limits(&lim, msg, sizeof(msg)) == 0,
	       "the defaults are valid");
	lim.reserved_full = lim.max_conns;
	tap_ok(admission_check_limits(&lim, msg, sizeof(msg)) < 0,
	       "a reserve as large as the total is refused: %s", msg);
	admission_defaults(&lim);
	lim.head_timeout_s = 40;
	tap_ok(admission_check_limits(&lim, msg, sizeof(msg)) < 0,
	       "a head timeout beyond the request timeout is refused: %s", msg);
}

static void
test_shares(void)
{
	struct admission a = {0};
	unsigned i, took = 0;

	admission_defaults(&a.lim);
	a.lim.max_conns = 10;
	a.lim.reserved_full = 3;
	a.lim.max_per_uid = 4;
	for (i = 0; i < 6; i++)
		if (admission_check(&a, false, 1000) == ADMIT_OK &&
		    admission_take(&a, false, 1000) == 0)
			took++;
	tap_is_int(took, 4, "one uid gets max_per_uid connections");
	tap_is_int(admission_check(&a, false, 1000), ADMIT_UID,
		   "its next one: ADMIT_UID");
	for (i = 0; i < 6; i++)
		if (admission_check(&a, false, 1001) == ADMIT_OK &&
		    admission_take(&a, false, 1001) == 0)
			took++;
	tap_is_int(took, 7,
		   "a second uid gets what is left of the shared "
		   "part (10 - 3 - 4)");
	tap_is_int(admission_check(&a, false, 1002), ADMIT_SHARE,
		   "a third uid: ADMIT_SHARE");
	tap_is_int(admission_check(&a, true, 0), ADMIT_OK,
		   "root still gets in");
	for (i = 0; i < 3; i++)
		(void)admission_take(&a, true, 0);
	tap_is_int(admission_check(&a, true, 0), ADMIT_TOTAL,
		   "at max_conns even root waits: ADMIT_TOTAL");
	admission_release(&a, true, 0);
	tap_is_int(admission_check(&a, false, 1002), ADMIT_SHARE,
		   "a root connection closed: the total has room, the shared "
		   "part still has none");
	admission_release(&a, false, 1000);
	tap_is_int(admission_check(&a, false, 1002), ADMIT_OK,
		   "one shared connection closed: uid 1002 gets it");
	tap_is_int(admission_check(&a, false, 1000), ADMIT_OK,
		   "and uid 1000 is under its cap again");
	while (a.total)
		admission_release(&a, a.others == 0, a.others ? 1001 : 0);
	tap_is_int(a.others, 0, "everything released: no other left");
	admission_dispose(&a);
}

int
main(void)
{
	test_limits();
	test_shares();
	return tap_done();
}
