/* SPDX-License-Identifier: GPL-2.0-or-later */
/* control.h: the toolstack mode of xmhv, driven by libxmhv over a socket. */
#ifndef XMHV_CONTROL_H
#define XMHV_CONTROL_H

/* The main loop of xmhv in toolstack mode
 * (`xmhv --control-fd N --run-dir DIR --domid ID`; main.c may ignore
 * --run-dir and --domid: the CREATE message carries both, they are on the
 * command line so that ps(1) shows which domain a monitor runs).
 * Receives the creation sequence from ctl_fd (creation.c: CREATE to START,
 * with the fds of the kernel, ramdisk, console log, disks and taps; the
 * monitor opens none of them), builds the VM (vm_create), writes
 * "<run_dir>/<domid>.pid", binds "<run_dir>/<domid>.sock" and
 * "<run_dir>/<domid>.console", enters the sandbox, answers START, then
 * serves requests and pushes events until destroyed. Takes ownership of
 * ctl_fd. Returns the process exit status: 0 after a destroy, non-zero
 * when the domain could not be built (the sequence refused, or the build
 * failed: nothing is left in run_dir then). Main thread only; call it once, with
 * logging already initialised (log_init). */
int control_main(int ctl_fd);

#endif
