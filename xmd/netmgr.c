/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netmgr.c: managed NAT networks (<etc>/networks/NAME.conf): a bridge of
 * xmd's own with the first address of a subnet unused on the host, DHCP
 * and DNS by a dnsmasq that xmd runs and restarts, NAT in an nftables
 * table of its own, IPv4 forwarding. Started when a vif names the network
 * (or by xm network-start); stopping restores the host as it was: the
 * bridge (when xmd made it), the table, dnsmasq, net.ipv4.ip_forward.
 * This file is the start and stop; what it probes and changes on the host
 * is netmgr_host.c, the take-over after an xmd restart netmgr_adopt.c,
 * dnsmasq and the reservations netdnsmasq.c. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "net.h"
#include "netdom.h"
#include "netmgr_int.h"
#include "nettap.h"
#include "util.h"

struct xmd *netmgr_x;
struct netmgr_net *netmgr_nets[NETMGR_MAX];

static struct netmgr_net *
netmgr_running(const char *name)
{
	size_t i;

	for (i = 0; i < NETMGR_MAX; i++)
		if (netmgr_nets[i] &&
		    (!strcmp(netmgr_nets[i]->cfg.name, name) ||
		     !strcmp(netmgr_nets[i]->cfg.bridge, name)))
			return netmgr_nets[i];
	return NULL;
}

/* Load <etc>/networks/FILE.conf. 0, -ENOENT, or -EINVAL with msg. */
static int
netmgr_load_file(const char *file, struct net_config *cfg, char *msg,
		 size_t msglen)
{
	char path[PATH_MAX + 64], base[NET_NAME_MAX + 8], why[512];
	char *text = NULL;
	size_t len;
	int rc;

	if (strlen(file) >= sizeof(base) || strchr(file, '/'))
		return -ENOENT;
	if (util_snprintf(path, sizeof(path), "%s/networks/%s.conf",
			  netmgr_x->etc_dir, file) < 0)
		return -ENOENT;
	rc = util_read_file(path, 64 << 10, &text, &len);
	if (rc < 0)
		return rc == -ENOENT ? rc
				     : (snprintf(msg, msglen, "%s: %s", path,
						 strerror(-rc)),
					rc);
	rc = net_config_parse(text, len, file, cfg, why, sizeof(why));
	if (rc < 0)
		snprintf(msg, msglen, "%s:%s", path, why);
	free(text);
	return rc;
}

/* The config of network name (by its name or its bridge). */
int
netmgr_load(const char *name, struct net_config *cfg, char *msg, size_t msglen)
{
	char dir[PATH_MAX + 16], file[NET_NAME_MAX + 8];
	struct dirent *de;
	DIR *dp;
	int rc = netmgr_load_file(name, cfg, msg, msglen);
	size_t n;

	if (rc != -ENOENT)
		return rc;
	snprintf(dir, sizeof(dir), "%s/networks", netmgr_x->etc_dir);
	dp = opendir(dir);
	if (!dp)
		return -ENOENT;
	while ((de = readdir(dp)) != NULL) {
		n = strlen(de->d_name);
		if (n <= 5 || n - 5 >= sizeof(file) ||
		    strcmp(de->d_name + n - 5, ".conf"))
			continue;
		memcpy(file, de->d_name, n - 5);
		file[n - 5] = '\0';
		if (netmgr_load_file(file, cfg, msg, msglen) == 0 &&
		    !strcmp(cfg->bridge, name)) {
			closedir(dp);
			return 0;
		}
	}
	closedir(dp);
	return -ENOENT;
}

int
netmgr_bridge_of(const char *name, char out[IFNAMSIZ])
{
	struct netmgr_net *n = netmgr_running(name);
	struct net_config cfg;
	char msg[64];

	if (n) {
		memmove(out, n->cfg.bridge, IFNAMSIZ);
		return 0;
	}
	if (!netmgr_x || netmgr_load(name, &cfg, msg, sizeof(msg)) < 0)
		return -ENOENT;
	memmove(out, cfg.bridge, IFNAMSIZ);
	return 0;
}

void
netmgr_path(const struct netmgr_net *n, const char *file, char *buf,
	    size_t size)
{
	(void)!util_snprintf(buf, size, "%s/%s", n->dir, file);
}

void
netmgr_forget(struct netmgr_net *n)
{
	size_t i;

	for (i = 0; i < NETMGR_MAX; i++)
		if (netmgr_nets[i] == n)
			netmgr_nets[i] = NULL;
	free(n);
}

/* Undo what n did to the host, in reverse order, and forget it. */
static void
netmgr_teardown(struct netmgr_net *n)
{
	char table[48], path[PATH_MAX + 32];
	char *del[] = {"nft", "delete", "table", "ip", table, NULL};
	size_t i;
	bool other_nat = false;

	netmgr_dnsmasq_stop(n);
	net_nft_table(&n->cfg, table);
	(void)netmgr_cmd(del, NULL, 0);
	if (n->bridge_created && nettap_bridge_delete(n->cfg.bridge) < 0)
		log_warn("network %s: cannot delete bridge %s", n->cfg.name,
			 n->cfg.bridge);
	for (i = 0; i < NETMGR_MAX; i++)
		if (netmgr_nets[i] && netmgr_nets[i] != n &&
		    netmgr_nets[i]->cfg.nat)
			other_nat = true;
	if (n->forward_prev == 0 && !other_nat)
		(void)netmgr_forward_write(0);
	for (i = 0; i < 6; i++) {
		static const char *const files[] = {"state",  "dnsmasq.conf",
						    "hosts",  "addnhosts",
						    "leases", "nft.rules"};

		netmgr_path(n, files[i], path, sizeof(path));
		(void)unlink(path);
	}
	(void)rmdir(n->dir);
	netmgr_forget(n);
}

struct netmgr_net *
netmgr_new(const struct net_config *cfg)
{
	struct netmgr_net *n;
	size_t i;

	for (i = 0; i < NETMGR_MAX && netmgr_nets[i]; i++)
		;
	if (i == NETMGR_MAX || !(n = calloc(1, sizeof(*n))))
		return NULL;
	n->cfg = *cfg;
	n->forward_prev = -1;
	n->pidfd = -1;
	(void)!util_snprintf(n->dir, sizeof(n->dir), "%s/net/%s",
			     netmgr_x->run_dir, cfg->name);
	netmgr_nets[i] = n;
	return n;
}

/* Start network cfg. 0 or -errno with msg. */
static int
netmgr_start_cfg(const struct net_config *cfg, char *msg, size_t msglen)
{
	char table[48], rules[PATH_MAX + 32], out[2048], a[16];
	char *nft[] = {"nft", "-f", rules, NULL};
	char *list[] = {"nft", "list", "chains", NULL};
	struct netmgr_net *n;
	int rc, fwd;

	if (nettap_exists(cfg->bridge)) {
		snprintf(msg, msglen,
			 "network %s: bridge %s exists and xmd did not make "
			 "it: name another bridge in %s/networks/%s.conf",
			 cfg->name, cfg->bridge, netmgr_x->etc_dir, cfg->name);
		return -EEXIST;
	}
	n = netmgr_new(cfg);
	if (!n) {
		snprintf(msg, msglen, "network %s: too many networks",
			 cfg->name);
		return -ENOMEM;
	}
	rc = netmgr_pick(n, msg, msglen);
	if (rc < 0)
		goto fail;
	rc = util_mkdir_p(n->dir, 0755);
	if (rc == 0)
		rc = nettap_bridge_create(cfg->bridge);
	if (rc < 0) {
		snprintf(msg, msglen, "network %s: bridge %s: %s", cfg->name,
			 cfg->bridge, strerror(-rc));
		goto fail;
	}
	n->bridge_created = true;
	netmgr_state_write(n);
	rc = nettap_set_addr(cfg->bridge, n->subnet.addr + 1, n->subnet.prefix);
	if (rc == 0)
		rc = nettap_set_up(cfg->bridge, true);
	if (rc < 0) {
		snprintf(msg, msglen, "network %s: bridge %s address: %s",
			 cfg->name, cfg->bridge, strerror(-rc));
		goto fail;
	}
	netmgr_path(n, "nft.rules", rules, sizeof(rules));
	rc = netmgr_put(n, "nft.rules", net_nft_ruleset(cfg, &n->subnet));
	if (rc >= 0)
		rc = netmgr_cmd(nft, out, sizeof(out));
	if (rc != 0) {
		snprintf(msg, msglen, "network %s: nft -f %s: %s", cfg->name,
			 rules, rc < 0 ? strerror(-rc) : out);
		rc = rc < 0 ? rc : -EIO;
		goto fail;
	}
	if (netmgr_cmd(list, out, sizeof(out)) == 0 &&
	    net_nft_foreign_drop(out, net_nft_table(cfg, table), a,
				 sizeof(a)) &&
	    cfg->nat)
		log_warn(
			"network %s: a forward chain with policy drop of "
			"another firewall (Docker, firewalld: %s...) will drop "
			"this network's traffic to the outside unless it "
			"accepts bridge %s",
			cfg->name, a, cfg->bridge);
	fwd = netmgr_forward_read();
	if (cfg->nat && fwd == 0) {
		rc = netmgr_forward_write(1);
		if (rc < 0) {
			snprintf(msg, msglen, "network %s: %s: %s", cfg->name,
				 NETMGR_FORWARD, strerror(-rc));
			goto fail;
		}
		n->forward_prev = 0;
	}
	netmgr_state_write(n);
	rc = netmgr_dnsmasq_start(n);
	if (rc < 0) {
		snprintf(msg, msglen,
			 "network %s: dnsmasq: %s (install "
			 "dnsmasq-base)",
			 cfg->name, strerror(-rc));
		goto fail;
	}
	netmgr_state_write(n);
	log_info("network %s: started: bridge %s, %s/%u", cfg->name,
		 cfg->bridge, net_ip_string(n->subnet.addr + 1, a),
		 n->subnet.prefix);
	return 0;
fail:
	netmgr_teardown(n);
	return rc;
}

int
netmgr_resolve(struct xmd *x, const char *name, char out[IFNAMSIZ], char *msg,
	       size_t msglen)
{
	struct netmgr_net *n = netmgr_running(name);
	struct net_config cfg;
	int rc;

	if (n) {
		memmove(out, n->cfg.bridge, IFNAMSIZ);
		return 0;
	}
	rc = netmgr_load(name, &cfg, msg, msglen);
	if (rc == 0) {
		rc = netmgr_start_cfg(&cfg, msg, msglen);
		if (rc == 0)
			memmove(out, cfg.bridge, IFNAMSIZ);
		return rc;
	}
	if (rc != -ENOENT)
		return rc;
	if (nettap_is_bridge(name))
		return util_strlcpy(out, name, IFNAMSIZ);
	snprintf(msg, msglen,
		 "bridge %s %s: make it (ip link add %s type bridge; ip link "
		 "set %s up; then add your uplink to it, e.g. in "
		 "/etc/network/interfaces: xmtools never touches the host's "
		 "uplink), or use the managed NAT network: bridge=default "
		 "(%s/networks/default.conf, xmd(8))",
		 name,
		 nettap_exists(name) ? "is not a bridge" : "does not exist",
		 name, name, x->etc_dir);
	return -ENODEV;
}

int
netmgr_start(struct xmd *x, const char *name, char *msg, size_t msglen)
{
	struct net_config cfg;
	int rc;

	if (netmgr_running(name))
		return 0;
	rc = netmgr_load(name, &cfg, msg, msglen);
	if (rc == -ENOENT)
		snprintf(msg, msglen, "network %s: no %s/networks/%s.conf",
			 name, x->etc_dir, name);
	return rc < 0 ? rc : netmgr_start_cfg(&cfg, msg, msglen);
}

/* The running domains with a vif on n, as "a, b" into buf; their count. */
static int
netmgr_users(struct netmgr_net *n, char *buf, size_t size)
{
	struct xmd_domain *d;
	char br[IFNAMSIZ];
	size_t i;
	int k = 0;

	buf[0] = '\0';
	TAILQ_FOREACH(d, &netmgr_x->domains, link)
	{
		if (d->phase == XMD_PHASE_STOPPED || !d->cfg)
			continue;
		for (i = 0; i < d->cfg->nvifs; i++) {
			const struct xmcfg_vif *v = &d->cfg->vifs[i];

			XMD_STRLCPY(br,
				    v->bridge ? v->bridge : NET_DEFAULT_BRIDGE);
			if (netmgr_bridge_of(br, br) == 0 &&
			    !strcmp(br, n->cfg.bridge)) {
				snprintf(buf + strlen(buf), size - strlen(buf),
					 "%s%s", k ? ", " : "", d->name);
				k++;
				break;
			}
		}
	}
	return k;
}

int
netmgr_stop(struct xmd *x, const char *name, char *msg, size_t msglen)
{
	struct netmgr_net *n = netmgr_running(name);
	char users[512];

	if (!n) {
		snprintf(msg, msglen, "network %s is not running", name);
		return -ESRCH;
	}
	if (netmgr_users(n, users, sizeof(users)) > 0) {
		snprintf(msg, msglen,
			 "network %s is used by %s: destroy or shut them down "
			 "first",
			 n->cfg.name, users);
		return -EBUSY;
	}
	log_info("network %s: stopped", n->cfg.name);
	netmgr_teardown(n);
	return 0;
}

struct xmlrpc_value *
netmgr_list(struct xmd *x)
{
	struct xmlrpc_value *arr = xmlrpc_array(), *st;
	char dir[PATH_MAX + 16], file[NET_NAME_MAX + 8], sub[32], a[16];
	char users[512], msg[256];
	struct net_config cfg;
	struct dirent *de;
	DIR *dp;
	size_t n;
	int rc = 0;

	snprintf(dir, sizeof(dir), "%s/networks", x->etc_dir);
	dp = opendir(dir);
	while (arr && dp && (de = readdir(dp)) != NULL) {
		struct netmgr_net *r;

		n = strlen(de->d_name);
		if (n <= 5 || n - 5 >= sizeof(file) ||
		    strcmp(de->d_name + n - 5, ".conf"))
			continue;
		memcpy(file, de->d_name, n - 5);
		file[n - 5] = '\0';
		msg[0] = '\0';
		if (netmgr_load_file(file, &cfg, msg, sizeof(msg)) < 0) {
			st = xmlrpc_struct();
			rc |= xmlrpc_struct_set(st, "name",
						xmlrpc_string(file));
			rc |= xmlrpc_struct_set(st, "state",
						xmlrpc_string("invalid"));
			rc |= xmlrpc_struct_set(st, "error",
						xmlrpc_string(msg));
			rc |= xmlrpc_array_append(arr, st);
			continue;
		}
		r = netmgr_running(cfg.name);
		if (r)
			snprintf(sub, sizeof(sub), "%s/%u",
				 net_ip_string(r->subnet.addr, a),
				 r->subnet.prefix);
		else if (cfg.subnet_auto)
			snprintf(sub, sizeof(sub), "auto");
		else
			snprintf(sub, sizeof(sub), "%s/%u",
				 net_ip_string(cfg.subnet.addr, a),
				 cfg.subnet.prefix);
		users[0] = '\0';
		if (r)
			(void)netmgr_users(r, users, sizeof(users));
		st = xmlrpc_struct();
		rc |= xmlrpc_struct_set(st, "name", xmlrpc_string(cfg.name));
		rc |= xmlrpc_struct_set(st, "bridge",
					xmlrpc_string(cfg.bridge));
		rc |= xmlrpc_struct_set(st, "subnet", xmlrpc_string(sub));
		rc |= xmlrpc_struct_set(st, "nat", xmlrpc_bool(cfg.nat));
		rc |= xmlrpc_struct_set(st, "dhcp", xmlrpc_bool(cfg.dhcp));
		rc |= xmlrpc_struct_set(
			st, "state", xmlrpc_string(r ? "running" : "stopped"));
		rc |= xmlrpc_struct_set(st, "dnsmasq_pid",
					xmlrpc_int(r ? r->dnsmasq : 0));
		rc |= xmlrpc_struct_set(st, "domains", xmlrpc_string(users));
		rc |= xmlrpc_array_append(arr, st);
	}
	if (dp)
		closedir(dp);
	if (rc) {
		xmlrpc_free(arr);
		return NULL;
	}
	return arr;
}
