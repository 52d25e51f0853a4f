/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netmgr_int.h: a running managed network, shared by netmgr.c (start,
 * stop, take-over) and netdnsmasq.c (its dnsmasq and reservations). Main
 * thread. */
#ifndef XMD_NETMGR_INT_H
#define XMD_NETMGR_INT_H

#include <limits.h>
#include <sys/types.h>

#include "net.h"
#include "netdom.h"

#define NETMGR_MAX 16
#define NETMGR_RESTARTS 5 /* dnsmasq restarts within a minute */

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
