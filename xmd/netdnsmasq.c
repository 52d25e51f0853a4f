/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netdnsmasq.c: a managed network's dnsmasq: its configuration, the
 * reservations (dhcp-hostsfile and addn-hosts from every vif on the
 * network, rewritten and reloaded with SIGHUP when they change), the
 * process started, watched through a pidfd and restarted (at most
 * NETMGR_RESTARTS times a minute), taken over after an xmd restart. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "netmgr_int.h"
#include "util.h"

/* The reservations of n from the domains xmd knows. */
static size_t
netmgr_hosts(struct netmgr_net *n, const struct xmd_domain *leaving,
	     struct net_host *hosts, size_t max)
{
	struct xmd_domain *d;
	char br[IFNAMSIZ], why[128];
	size_t i, k = 0;

	TAILQ_FOREACH(d, &netmgr_x->domains, link)
	{
		bool named = false;

		if (d == leaving || !d->cfg)
			continue;
		for (i = 0; i < d->cfg->nvifs && k < max; i++) {
			const struct xmcfg_vif *v = &d->cfg->vifs[i];
			struct net_host *h = &hosts[k];
			char ip[32];

			XMD_STRLCPY(br,
				    v->bridge ? v->bridge : NET_DEFAULT_BRIDGE);
			if (netmgr_bridge_of(br, br) < 0 ||
			    strcmp(br, n->cfg.bridge))
				continue;
			memset(h, 0, sizeof(*h));
			if (net_vif_guest_mac(d->cfg, d->uuid, i, h->mac, why,
					      sizeof(why)) < 0)
				continue;
			if (v->ip) {
				snprintf(ip, sizeof(ip), "%.*s",
					 (int)strcspn(v->ip, " /"), v->ip);
				if (net_ip_parse(ip, &h->ip) < 0)
					h->ip = 0;
			}
			if (!named)
				net_host_label(d->name, h->name);
			named = true;
			k++;
		}
	}
	return k;
}

/* Write file under n->dir when its text changed; 1 when written. */
int
netmgr_put(struct netmgr_net *n, const char *file, char *text)
{
	char path[PATH_MAX + 32], *old = NULL;
	size_t len;
	int rc = 0;

	if (!text)
		return -ENOMEM;
	netmgr_path(n, file, path, sizeof(path));
	if (util_read_file(path, 1 << 22, &old, &len) == 0 &&
	    len == strlen(text) && !memcmp(old, text, len))
		goto out;
	rc = util_write_file_atomic(path, text, strlen(text), 0644);
	if (rc == 0)
		rc = 1;
out:
	free(old);
	free(text);
	return rc;
}

int
netmgr_write_hosts(struct netmgr_net *n, const struct xmd_domain *leaving)
{
	struct net_host *hosts = calloc(1024, sizeof(*hosts));
	size_t k;
	int a, b;

	if (!hosts)
		return -ENOMEM;
	k = netmgr_hosts(n, leaving, hosts, 1024);
	a = netmgr_put(n, "hosts", net_dnsmasq_hosts(hosts, k, &n->subnet));
	b = netmgr_put(
		n, "addnhosts",
		net_dnsmasq_addnhosts(hosts, k, &n->subnet, n->cfg.domain));
	free(hosts);
	return a < 0 ? a : b < 0 ? b : a || b;
}

void
netmgr_sync_hosts(struct xmd *x, const struct xmd_domain *leaving)
{
	size_t i;

	for (i = 0; i < NETMGR_MAX; i++) {
		struct netmgr_net *n = netmgr_nets[i];

		if (n && netmgr_write_hosts(n, leaving) > 0 && n->dnsmasq > 0 &&
		    kill(n->dnsmasq, SIGHUP) == 0)
			log_info("network %s: reservations reloaded",
				 n->cfg.name);
	}
}

static void
netmgr_dnsmasq_cb(int fd, short what, void *arg)
{
	struct netmgr_net *n = arg;
	double now = util_now_ns() / 1e9;
	int st = 0;

	if (n->child)
		(void)waitpid(n->dnsmasq, &st, WNOHANG);
	event_free(n->ev);
	n->ev = NULL;
	close(n->pidfd);
	n->pidfd = -1;
	log_warn("network %s: dnsmasq (pid %d) exited", n->cfg.name,
		 (int)n->dnsmasq);
	n->dnsmasq = 0;
	if (n->restart_t[0] && now - n->restart_t[0] < 60) {
		log_err("network %s: dnsmasq exited %d times in a minute; not "
			"restarting it (see %s/dnsmasq-%s.log)",
			n->cfg.name, NETMGR_RESTARTS, netmgr_x->log_dir,
			n->cfg.name);
		return;
	}
	memmove(n->restart_t, n->restart_t + 1,
		sizeof(n->restart_t) - sizeof(n->restart_t[0]));
	n->restart_t[NETMGR_RESTARTS - 1] = now;
	if (netmgr_dnsmasq_start(n) == 0)
		netmgr_state_write(n);
}

/* Watch dnsmasq's pid (our child or adopted). */
int
netmgr_watch(struct netmgr_net *n)
{
	n->pidfd = (int)syscall(SYS_pidfd_open, n->dnsmasq, 0);
	if (n->pidfd < 0)
		return -errno;
	n->ev = event_new(netmgr_x->base, n->pidfd, EV_READ, netmgr_dnsmasq_cb,
			  n);
	if (!n->ev || event_add(n->ev, NULL) < 0)
		return -ENOMEM;
	return 0;
}

int
netmgr_dnsmasq_start(struct netmgr_net *n)
{
	char conf[PATH_MAX + 32], hosts[PATH_MAX + 32], addn[PATH_MAX + 32];
	char lease[PATH_MAX + 32], confarg[PATH_MAX + 48], log[PATH_MAX + 64];
	const char *user = getpwnam("dnsmasq") ? "dnsmasq" : "nobody";
	char *argv[] = {"dnsmasq", "--keep-in-foreground", confarg,
			"--log-facility=-", NULL};
	posix_spawn_file_actions_t fa;
	int rc;

	netmgr_path(n, "dnsmasq.conf", conf, sizeof(conf));
	netmgr_path(n, "hosts", hosts, sizeof(hosts));
	netmgr_path(n, "addnhosts", addn, sizeof(addn));
	netmgr_path(n, "leases", lease, sizeof(lease));
	snprintf(confarg, sizeof(confarg), "--conf-file=%s", conf);
	snprintf(log, sizeof(log), "%s/dnsmasq-%s.log", netmgr_x->log_dir,
		 n->cfg.name);
	rc = netmgr_put(n, "dnsmasq.conf",
			net_dnsmasq_conf(&n->cfg, &n->subnet, hosts, addn,
					 lease, user));
	if (rc >= 0)
		rc = netmgr_write_hosts(n, NULL);
	if (rc < 0)
		return rc;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
					 O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log,
					 O_WRONLY | O_APPEND | O_CREAT, 0640);
	posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
	rc = -posix_spawnp(&n->dnsmasq, "dnsmasq", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc < 0) {
		n->dnsmasq = 0;
		return rc;
	}
	n->child = true;
	log_info("network %s: dnsmasq started (pid %d)", n->cfg.name,
		 (int)n->dnsmasq);
	return netmgr_watch(n);
}

void
netmgr_dnsmasq_stop(struct netmgr_net *n)
{
	int st;

	if (n->ev)
		event_free(n->ev);
	n->ev = NULL;
	if (n->dnsmasq > 0 && kill(n->dnsmasq, SIGTERM) == 0) {
		struct timespec ts = {0, 20 * 1000 * 1000};
		int i;

		for (i = 0; i < 250 && kill(n->dnsmasq, 0) == 0; i++) {
			if (n->child &&
			    waitpid(n->dnsmasq, &st, WNOHANG) == n->dnsmasq)
				break;
			nanosleep(&ts, NULL);
		}
		if (i == 250)
			(void)kill(n->dnsmasq, SIGKILL);
		if (n->child)
			(void)waitpid(n->dnsmasq, &st, 0);
	}
	if (n->pidfd >= 0)
		close(n->pidfd);
	n->pidfd = -1;
	n->dnsmasq = 0;
}
