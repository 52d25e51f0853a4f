/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vbdlist.h: a domain's disks as `xm create -n` (xm-config -n) prints
 * them: (device (vbd (uname file:PATH) (dev xvda1) (mode w)
 * (guest_dev vda))), parsed by a pure function. */
#ifndef XM_VBDLIST_H
#define XM_VBDLIST_H

#include <stddef.h>

#define VBD_MAX 16

struct vbd {
	char uname[1024]; /* "file:/srv/x.img", "phy:/dev/vg/lv" */
	char dev[32];     /* the config's name: "xvda1" */
	char guest[32];   /* what the guest sees: "vda" */
};

/* Fill out[0..max) from the SXP text; returns how many vbds were read. */
size_t vbdlist_parse(const char *text, size_t len, struct vbd *out, size_t max);

/* The host path of a vbd's uname (file:, tap:aio:, tap2:aio:, phy: with
 * /dev/ added to a VG/LV name) into buf; 0, or -1 when it is none of
 * those (qcow2, nbd, ...). */
int vbdlist_path(const struct vbd *v, char *buf, size_t size);

#endif
