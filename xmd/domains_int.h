/* SPDX-License-Identifier: GPL-2.0-or-later */
/* domains_int.h: what domains.c shares with domains_lifecycle.c and
 * domains_adopt.c beyond xmd.h. Main thread. */
#ifndef XMD_DOMAINS_INT_H
#define XMD_DOMAINS_INT_H

/* Wall-clock time in seconds (start times shown by xm list/uptime). */
double domains_now(void);

#endif
