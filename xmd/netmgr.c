/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netmgr.c: managed NAT networks (<etc>/networks/NAME.conf): a bridge of
 * xmd's own with the first address of a subnet unused on the host, DHCP
 * and DNS by a dnsmasq that xmd runs and restarts, NAT in an nftables
 * table of its own, IPv4 forwarding. Started when a vif names the network
 * (or by xm network-start); stopping restores the host as it was: the
 * bridge (when xmd made it), the table, dnsmasq, net.ipv4.ip_forward.
 * What a running network changed is kept in <run>/net/NAME/state, so an
 * xmd restarted after kill -9 takes it over. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <arpa/inet.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "net.h"
#include "netdom.h"
#include "netmgr_int.h"
#include "nettap.h"
#include "util.h"

#define NETMGR_FORWARD "/proc/sys/net/ipv4/ip_forward"

struct xmd *netmgr_x;
struct netmgr_net *netmgr_nets[NETMGR_MAX];

static void netmgr_forget(struct netmgr_net *n);

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
static int
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

/* Run argv (PATH searched), its stdout into out (may be NULL). Returns the
 * exit status, or -errno. */
static int
netmgr_cmd(char *const argv[], char *out, size_t outlen)
{
	posix_spawn_file_actions_t fa;
	int p[2], st = 0, rc;
	size_t o = 0;
	ssize_t r;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
					 O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDERR_FILENO);
	rc = -posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (rc == 0) {
		char sink[512];

		for (;;) {
			bool keep = out && o + 1 < outlen;

			r = read(p[0], keep ? out + o : sink,
				 keep ? outlen - o - 1 : sizeof(sink));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			if (keep)
				o += (size_t)r;
		}
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	}
	if (out && outlen)
		out[o] = '\0';
	close(p[0]);
	return rc;
}

/* Every IPv4 subnet the host has on an interface or in its routes (the
 * default route aside). */
static size_t
netmgr_host_subnets(struct net_subnet *used, size_t max)
{
	struct ifaddrs *ifa = NULL, *i;
	unsigned dest, mask;
	size_t n = 0;
	char line[256];
	FILE *f;

	if (getifaddrs(&ifa) == 0) {
		for (i = ifa; i && n < max; i = i->ifa_next) {
			if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET ||
			    !i->ifa_netmask)
				continue;
			mask = ntohl(((struct sockaddr_in *)i->ifa_netmask)
					     ->sin_addr.s_addr);
			dest = ntohl(((struct sockaddr_in *)i->ifa_addr)
					     ->sin_addr.s_addr);
			used[n].prefix = (unsigned)__builtin_popcount(mask);
			used[n++].addr = dest & mask;
		}
		freeifaddrs(ifa);
	}
	f = fopen("/proc/net/route", "re");
	while (f && n < max && fgets(line, sizeof(line), f)) {
		char ifname[32];
		unsigned flags;

		if (sscanf(line, "%31s %x %*x %x %*d %*d %*d %x", ifname, &dest,
			   &flags, &mask) != 4 ||
		    mask == 0)
			continue;
		used[n].prefix = (unsigned)__builtin_popcount(mask);
		used[n++].addr = ntohl(dest) & ntohl(mask);
	}
	if (f)
		fclose(f);
	return n;
}

/* The subnet of n: its own, or the first free one of its pool (the one
 * it had last time first). 0 or -EADDRINUSE with msg. */
static int
netmgr_pick(struct netmgr_net *n, char *msg, size_t msglen)
{
	struct net_subnet used[256], cand[NET_MAX_POOL + 1];
	size_t nused = netmgr_host_subnets(used, ARRAY_SIZE(used)), nc = 0, i;
	char path[PATH_MAX + 64], a[16], *text = NULL;
	size_t len;
	int k;

	if (!n->cfg.subnet_auto) {
		cand[nc++] = n->cfg.subnet;
	} else {
		snprintf(path, sizeof(path), "%s/networks/%s.subnet",
			 netmgr_x->lib_dir, n->cfg.name);
		if (util_read_file(path, 64, &text, &len) == 0) {
			text[strcspn(text, "\n")] = '\0';
			if (net_subnet_parse(text, &cand[nc]) == 0)
				nc++;
			free(text);
		}
		for (i = 0; i < n->cfg.npool; i++)
			cand[nc++] = n->cfg.pool[i];
	}
	k = net_subnet_pick(cand, nc, used, nused);
	if (k < 0) {
		if (n->cfg.subnet_auto)
			snprintf(msg, msglen,
				 "network %s: every subnet of its pool is in "
				 "use on this host: give one with subnet = in "
				 "its config",
				 n->cfg.name);
		else
			snprintf(msg, msglen,
				 "network %s: subnet %s/%u is in use on this "
				 "host: choose another in its config",
				 n->cfg.name, net_ip_string(cand[0].addr, a),
				 cand[0].prefix);
		return -EADDRINUSE;
	}
	n->subnet = cand[k];
	if (n->cfg.subnet_auto) {
		char text2[32];

		snprintf(text2, sizeof(text2), "%s/%u\n",
			 net_ip_string(n->subnet.addr, a), n->subnet.prefix);
		snprintf(path, sizeof(path), "%s/networks", netmgr_x->lib_dir);
		(void)!util_mkdir_p(path, 0755);
		snprintf(path, sizeof(path), "%s/networks/%s.subnet",
			 netmgr_x->lib_dir, n->cfg.name);
		(void)!util_write_file_atomic(path, text2, strlen(text2), 0644);
	}
	return 0;
}

static int
netmgr_forward_read(void)
{
	char *t = NULL;
	size_t len;
	int v = -1;

	if (util_read_file(NETMGR_FORWARD, 16, &t, &len) == 0)
		v = t[0] == '1';
	free(t);
	return v;
}

static int
netmgr_forward_write(int v)
{
	int fd = open(NETMGR_FORWARD, O_WRONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, v ? "1\n" : "0\n", 2) != 2)
		rc = -errno;
	close(fd);
	return rc;
}

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

void
netmgr_path(const struct netmgr_net *n, const char *file, char *buf,
	    size_t size)
{
	(void)!util_snprintf(buf, size, "%s/%s", n->dir, file);
}

static void
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

static struct netmgr_net *
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
