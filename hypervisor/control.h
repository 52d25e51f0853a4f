/* SPDX-License-Identifier: GPL-2.0-or-later */
/* control.h: the toolstack mode of xmhv, driven by libxmhv over a socket. */
#ifndef XMHV_CONTROL_H
#define XMHV_CONTROL_H

#include "xmhv.h"

/* Options of toolstack mode, from main.c's command line
 * (`xmhv --control-fd N --run-dir DIR --domid ID`). */
struct control_options {
	int ctl_fd;	     /* connected stream socket from libxmhv */
	const char *run_dir; /* where "<domid>.sock", ".console", ".pid" go */
	xmhv_domid_t domid;
};

/* The main loop of xmhv in toolstack mode. Reads the CREATE message from
 * ctl_fd, builds the VM (vm_create), binds "<run_dir>/<domid>.sock" and
 * "<run_dir>/<domid>.console", writes "<run_dir>/<domid>.pid", replies, then
 * serves requests and pushes events until destroyed. Takes ownership of
 * ctl_fd. Returns the process exit status (0 after a destroy, non-zero when
 * the domain could not be built; nothing is left in run_dir then). Main
 * thread only; call it once. */
int control_main(const struct control_options *opts);

#endif
