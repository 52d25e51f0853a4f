/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netmgr_host.c: what a managed network reads and changes on the host
 * beside its bridge: commands it runs (nft), the subnets the host already
 * uses and the one picked for a network, net.ipv4.ip_forward. Main
 * thread. */
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <arpa/inet.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net.h"
#include "netmgr_int.h"
#include "util.h"

/* Run argv (PATH searched), its stdout into out (may be NULL). Returns the
 * exit status, or -errno. */
int
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
int
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

int
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

int
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
