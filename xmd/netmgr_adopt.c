/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netmgr_adopt.c: managed networks across xmd restarts: the state file
 * that records what a running network changed on the host, taking over the
 * networks a previous xmd left running, the xenstore shim links made at
 * start and the table freed at exit. Main thread. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "net.h"
#include "netmgr_int.h"
#include "util.h"

/* <dir>/state: what this network changed on the host. */
void
netmgr_state_write(struct netmgr_net *n)
{
	char path[PATH_MAX + 16], buf[256], a[16];

	snprintf(buf, sizeof(buf),
		 "subnet=%s/%u\nbridge_created=%d\nforward_prev=%d\n"
		 "dnsmasq=%d\n",
		 net_ip_string(n->subnet.addr, a), n->subnet.prefix,
		 n->bridge_created, n->forward_prev, (int)n->dnsmasq);
	(void)!util_snprintf(path, sizeof(path), "%s/state", n->dir);
	if (util_write_file_atomic(path, buf, strlen(buf), 0644) < 0)
		log_warn("network %s: cannot write %s", n->cfg.name, path);
}

/* Take over the network whose state is in <run>/net/name. */
static void
netmgr_adopt(const char *name)
{
	char path[PATH_MAX + 64], msg[512], cmd[PATH_MAX + 64];
	struct net_config cfg;
	struct netstore s;
	struct netmgr_net *n;
	char *text = NULL;
	const char *v;
	size_t len;
	uint64_t u;

	if (netmgr_load(name, &cfg, msg, sizeof(msg)) < 0 ||
	    !(n = netmgr_new(&cfg)))
		return;
	snprintf(path, sizeof(path), "%s/state", n->dir);
	if (util_read_file(path, 4096, &text, &len) < 0 ||
	    netstore_parse(text, len, &s) < 0) {
		log_warn("network %s: %s unreadable: not taken over", name,
			 path);
		free(text);
		netmgr_forget(n);
		return;
	}
	free(text);
	if ((v = netstore_get(&s, "subnet")))
		(void)!net_subnet_parse(v, &n->subnet);
	n->bridge_created =
		(v = netstore_get(&s, "bridge_created")) && v[0] == '1';
	n->forward_prev =
		(v = netstore_get(&s, "forward_prev")) && !strcmp(v, "0") ? 0
									  : -1;
	if ((v = netstore_get(&s, "dnsmasq")) &&
	    util_parse_u64(v, INT32_MAX, &u) == 0 && u > 0) {
		char *cl = NULL;

		snprintf(cmd, sizeof(cmd), "/proc/%llu/cmdline",
			 (unsigned long long)u);
		if (util_read_file(cmd, 8192, &cl, &len) == 0 && len &&
		    memmem(cl, len, n->dir, strlen(n->dir)))
			n->dnsmasq = (pid_t)u;
		free(cl);
	}
	netstore_dispose(&s);
	if (n->dnsmasq > 0 && netmgr_watch(n) == 0)
		log_info("network %s: re-adopted (bridge %s, dnsmasq pid %d)",
			 name, cfg.bridge, (int)n->dnsmasq);
	else if (netmgr_dnsmasq_start(n) == 0)
		log_info("network %s: re-adopted, dnsmasq restarted", name);
	netmgr_state_write(n);
}

void
netmgr_init(struct xmd *x)
{
	static const char *const shims[] = {
		"xenstore-read", "xenstore-write", "xenstore-exists",
		"xenstore-rm",   "xenstore-list",  "xenstore-chmod"};
	char path[PATH_MAX + 64], self[PATH_MAX], target[PATH_MAX + 32];
	struct net_paths p;
	struct dirent *de;
	ssize_t k;
	DIR *dp;
	size_t i;

	netmgr_x = x;
	snprintf(path, sizeof(path), "%s/net", x->run_dir);
	dp = opendir(path);
	while (dp && (de = readdir(dp)) != NULL)
		if (de->d_name[0] != '.')
			netmgr_adopt(de->d_name);
	if (dp)
		closedir(dp);
	/* The shims: links to xmd-xenstore (beside xmd in a build tree,
	 * else in libexecdir), in a directory of their own for PATH. */
	if (net_paths(x, &p) < 0 || util_mkdir_p(p.shim_dir, 0755) < 0 ||
	    util_mkdir_p(p.store_dir, 0700) < 0)
		return;
	k = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[k > 0 ? k : 0] = '\0';
	if (k > 0 && strrchr(self, '/'))
		*strrchr(self, '/') = '\0';
	snprintf(target, sizeof(target), "%s/xmd-xenstore", self);
	if (access(target, X_OK) < 0)
		snprintf(target, sizeof(target), "%s/xmd-xenstore",
			 XM_LIBEXECDIR);
	for (i = 0; i < ARRAY_SIZE(shims); i++) {
		snprintf(path, sizeof(path), "%s/%s", p.shim_dir, shims[i]);
		(void)unlink(path);
		if (symlink(target, path) < 0)
			log_warn("%s: %s", path, strerror(errno));
	}
}

void
netmgr_dispose(struct xmd *x)
{
	size_t i;

	for (i = 0; i < NETMGR_MAX; i++) {
		struct netmgr_net *n = netmgr_nets[i];

		if (!n)
			continue;
		if (n->ev)
			event_free(n->ev);
		if (n->pidfd >= 0)
			close(n->pidfd);
		free(n);
		netmgr_nets[i] = NULL;
	}
}
