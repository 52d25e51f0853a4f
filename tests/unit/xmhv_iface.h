/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmhv_iface.h: what the kvm-tier interface test's files (xmhv_iface.c,
 * xmhv_iface_fault.c, xmhv_iface_lib.c) share. */
#ifndef XM_TESTS_XMHV_IFACE_H
#define XM_TESTS_XMHV_IFACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "xmhv.h"

/* Bounds so that a broken monitor fails the test instead of hanging it;
 * nothing is asserted about how long things take. */
#define IFACE_WAIT_MS 60000

/* The test's directory (run/ under it is libxmhv's run_dir) and the test
 * guest's kernel; main sets both before any test runs. */
extern char iface_dir[64];
extern char iface_kernel[4096];

/* cfg reset to a 32 MiB, 1-vCPU domain name booting the test guest. */
void iface_config(struct xmhv_domain_config *cfg, const char *name);
/* Read the console until needle appears (or EOF/bound). Returns true when
 * seen; the text read so far (last part) is left in buf. */
bool iface_expect(int fd, const char *needle, char *buf, size_t size);
/* Is nothing readable on fd within ms? */
bool iface_quiet(int fd, int ms);
/* Read and drop whatever output is pending (waiting up to ms for it). */
void iface_drain(int fd, int ms);
/* Write all of s to fd; true on success. */
bool iface_send(int fd, const char *s);
/* Wait (bounded) for an event of domid matching: gone, or state bits in
 * mask, into *ev_out. Returns true when one came. */
bool iface_event(struct xmhv *h, xmhv_domid_t domid, bool gone, uint32_t mask,
		 struct xmhv_event *ev_out);
/* Has pid exited (a zombie waiting for init counts)? Waits a bounded
 * time: exit is asynchronous to the socket EOF. */
bool iface_gone(pid_t pid);
/* Does run/<id><suffix> exist? */
bool iface_file(xmhv_domid_t id, const char *suffix);
/* A raw connection to the domain's control socket, or -1. */
int iface_raw(xmhv_domid_t id);
/* Create + unpause + console at the prompt, each a check. Returns the
 * console fd (the caller closes it) or -1; *id is set once created. */
int iface_boot(struct xmhv *h, const char *name, xmhv_domid_t *id);

/* The faults (xmhv_iface_fault.c), each a group of checks on h: hostile
 * peers of the running domain id, then one domain each of its own. */
void iface_hostile(struct xmhv *h, xmhv_domid_t id);
void iface_paused_destroy(struct xmhv *h);
void iface_killed(struct xmhv *h);
void iface_term(struct xmhv *h);
void iface_orphan(struct xmhv *h);
void iface_bad_kernel(struct xmhv *h);

#endif
