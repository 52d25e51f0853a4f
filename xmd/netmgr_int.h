/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netmgr_int.h: a running managed network, shared by netmgr.c (start,
 * stop), netmgr_host.c (what it probes and changes on the host),
 * netmgr_adopt.c (take-over after an xmd restart) and netdnsmasq.c (its
 * dnsmasq and reservations). Main thread. */
#ifndef XMD_NETMGR_INT_H
#define XMD_NETMGR_INT_H

#include <limits.h>
#include <sys/types.h>

#include "net.h"
#include "netdom.h"

#define NETMGR_MAX 16
#define NETMGR_RESTARTS 5 /* dnsmasq restarts within a minute */
#define NETMGR_FORWARD "/proc/sys/net/ipv4/ip_forward"

struct netmgr_net {
	struct net_config cfg;
	struct net_subnet subnet;
	bool bridge_created;
	int forward_prev; /* -1: not changed by us */
	pid_t dnsmasq;
	bool child; /* dnsmasq is our child (reap it) */
	int pidfd;
	struct event *ev;
	double restart_t[NETMGR_RESTARTS];
	char dir[PATH_MAX];
};

extern struct xmd *netmgr_x;
extern struct netmgr_net *netmgr_nets[NETMGR_MAX];

/* <dir>/FILE into buf. */
void netmgr_path(const struct netmgr_net *n, const char *file, char *buf,
		 size_t size);
/* The config of network name (by its name or its bridge) from
 * <etc>/networks. 0, -ENOENT, or -EINVAL with msg. */
int netmgr_load(const char *name, struct net_config *cfg, char *msg,
		size_t msglen);
/* A new entry for cfg in netmgr_nets (nothing on the host yet), or NULL
 * when the table is full or out of memory. */
struct netmgr_net *netmgr_new(const struct net_config *cfg);
/* Drop n from netmgr_nets and free it (the host is left as it is). */
void netmgr_forget(struct netmgr_net *n);

/* ---- netmgr_host.c ---- */

/* Run argv (PATH searched), its stdout and stderr into out (may be NULL).
 * Returns the exit status, or -errno. */
int netmgr_cmd(char *const argv[], char *out, size_t outlen);
/* Set n->subnet: its own, or the first of its pool free on the host (the
 * one it had last time first, remembered in <lib>/networks/NAME.subnet).
 * 0 or -EADDRINUSE with msg. */
int netmgr_pick(struct netmgr_net *n, char *msg, size_t msglen);
/* net.ipv4.ip_forward: 1, 0, or -1 when unreadable. */
int netmgr_forward_read(void);
/* Set net.ipv4.ip_forward to v. 0 or -errno. */
int netmgr_forward_write(int v);

/* ---- netmgr_adopt.c ---- */

/* Write <dir>/state (what n changed on the host). */
void netmgr_state_write(struct netmgr_net *n);

/* ---- netdnsmasq.c ---- */

/* Write <dir>/FILE when text (taken) differs: 1 written, 0 the same,
 * -errno. */
int netmgr_put(struct netmgr_net *n, const char *file, char *text);
/* The reservation files of n (leaving: a domain left out). As above. */
int netmgr_write_hosts(struct netmgr_net *n, const struct xmd_domain *leaving);
/* Write dnsmasq.conf and the reservations, start dnsmasq on the bridge
 * and watch it (restarted when it exits). 0 or -errno. */
int netmgr_dnsmasq_start(struct netmgr_net *n);
/* Watch an adopted dnsmasq (n->dnsmasq). 0 or -errno. */
int netmgr_watch(struct netmgr_net *n);
/* Stop it (SIGTERM, SIGKILL after 5 s) and stop watching. */
void netmgr_dnsmasq_stop(struct netmgr_net *n);

#endif
