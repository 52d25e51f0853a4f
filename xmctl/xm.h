/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xm.h: shared declarations of the xm command line (command table, errors,
 * paths relocated by XMD_ROOT). */
#ifndef XM_XM_H
#define XM_XM_H

#include <stdbool.h>
#include <stddef.h>

/* Exit statuses, as xm used them. */
enum {
	XM_EXIT_OK = 0,
	XM_EXIT_ERR = 1,
	XM_EXIT_USAGE = 1,
	XM_EXIT_NODOM = 3, /* "Domain 'X' does not exist." */
};

/* One option of a subcommand, as its help lists it (xm's
 * SUBCOMMAND_OPTIONS rows). Either name may be NULL. */
struct xm_opt {
	const char *shortopt; /* "-c", "-f FILE" */
	const char *longopt;  /* "--console_autoconnect", "--path=DIR:DIR" */
	const char *desc;     /* wrapped by the help */
};

/* One subcommand: handlers get argv with argv[0] = the full command name
 * and return the process exit status. */
struct xm_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *args;          /* usage synopsis after the name */
	const char *desc;          /* one line */
	bool common;               /* listed by the short help */
	const struct xm_opt *opts; /* NULL, or rows ended by a NULL desc */
};

/* Print "Error: <message>" on stderr (xm's err()). */
void xm_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print the usage of one command (or the short help for NULL) on stdout
 * and return XM_EXIT_USAGE, as xm's usage() did. */
int xm_usage(const char *cmd);

/* Build "<XMD_ROOT>/<rel>" (XMD_ROOT defaults to "/") into buf. Returns 0
 * or -ENAMETOOLONG. */
int xm_root_path(char *buf, size_t size, const char *rel)
	__attribute__((warn_unused_result));

/* Ask xmd for dom's console socket and connect to it. Returns XM_EXIT_OK
 * with *fd_out (caller closes) and the domain id, or an exit status after
 * printing the error (nothing for a missing domain when quiet_nodom). */
int console_connect(const char *dom, bool quiet_nodom, int *fd_out,
		    long long *domid_out) __attribute__((warn_unused_result));

/* Run an attached console on fd (owned, closed on return) for the domain
 * called name: raw terminal when stdin is one, CTRL-] detaches, follows
 * the domain to its next id across restarts. Returns an exit status. */
int console_session(const char *name, int fd, long long domid);

/* For create -c / start -c on a domain created paused: attach first so no
 * output is missed, then unpause it (unless keep_paused), then run the
 * session. Returns an exit status. */
int console_boot(const char *name, bool keep_paused);

/* Subcommand handlers, one file per family. */
int cmd_create(int argc, char **argv);  /* cmd_create.c */
int cmd_new(int argc, char **argv);     /* cmd_create.c */
int cmd_list(int argc, char **argv);    /* cmd_list.c */
int cmd_destroy(int argc, char **argv); /* cmd_domain.c */
int cmd_shutdown(int argc, char **argv);
int cmd_reboot(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_unpause(int argc, char **argv);
int cmd_rename(int argc, char **argv);
int cmd_domname(int argc, char **argv);
int cmd_domid(int argc, char **argv);
int cmd_trigger(int argc, char **argv);
int cmd_mem_set(int argc, char **argv);
int cmd_vcpu_set(int argc, char **argv);
int cmd_vcpu_list(int argc, char **argv);
int cmd_uptime(int argc, char **argv);
int cmd_start(int argc, char **argv); /* cmd_managed.c */
int cmd_delete(int argc, char **argv);
int cmd_console(int argc, char **argv);        /* cmd_console.c */
int cmd_info(int argc, char **argv);           /* cmd_info.c */
int cmd_log(int argc, char **argv);            /* cmd_info.c */
int cmd_dmesg(int argc, char **argv);          /* cmd_info.c */
int cmd_block_list(int argc, char **argv);     /* cmd_devices.c */
int cmd_network_list(int argc, char **argv);   /* cmd_devices.c */
int cmd_network_attach(int argc, char **argv); /* cmd_network.c */
int cmd_network_detach(int argc, char **argv);
int cmd_network_show(int argc, char **argv);
int cmd_network_start(int argc, char **argv);
int cmd_network_stop(int argc, char **argv);
int cmd_block_attach(int argc, char **argv); /* cmd_devices.c */
int cmd_block_detach(int argc, char **argv); /* cmd_devices.c */

#endif
