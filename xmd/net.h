/* SPDX-License-Identifier: GPL-2.0-or-later */
/* net.h: xmd's networking: the pure functions (names, MACs, managed network
 * configs, dnsmasq and nftables text, the xenstore shim's store, vif script
 * arguments), the host side (taps, bridges), the per-domain hooks and the
 * managed NAT networks. Main thread unless a comment says otherwise. */
#ifndef XMD_NET_H
#define XMD_NET_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xmcfg.h"
#include "xmhv.h"

#define NET_WUR __attribute__((warn_unused_result))

/* Xen's default bridge, and the tap's host-side MAC (Xen's vif-bridge
 * setup_bridge_port: the numerically largest non-broadcast address, so
 * a Linux bridge never takes it as its own). */
#define NET_DEFAULT_BRIDGE "xenbr0"
#define NET_VHOST_DEV "/dev/vhost-net" /* the kernel's virtio-net datapath */
#define NET_TAP_HOST_MAC                                                       \
	{                                                                      \
		0xfe, 0xff, 0xff, 0xff, 0xff, 0xff                             \
	}
/* Xen's hotplug timeout (libxl: LIBXL_HOTPLUG_TIMEOUT). */
#define NET_SCRIPT_TIMEOUT_MS 40000
#define NET_NAME_MAX 16 /* a managed network's name, NUL included */

/* ---- netcfg.c: pure ---- */

/* The guest MAC of vif devid of the domain with uuid: 00:16:3e (Xen's OUI)
 * and 23 bits of FNV-1a over the uuid and the devid (the fourth byte below
 * 0x80, as xm's randomMAC), so a domain keeps its MAC, and its DHCP lease,
 * across restarts. */
void net_vif_mac(const uint8_t uuid[16], uint32_t devid, uint8_t mac_out[6]);
/* "00:16:3e:01:02:03" into buf[18]. */
const char *net_mac_string(const uint8_t mac[6], char buf[18]);
/* The devid of vif index i of cfg: its devid= (xl) or its position. */
uint32_t net_vif_devid(const struct xmcfg_domain *cfg, size_t i);
/* The tap of a vif: its vifname= or "vif<domid>.<devid>" (xm's name).
 * 0, or -ENAMETOOLONG when it does not fit IFNAMSIZ. */
int net_tap_name(const struct xmcfg_vif *v, xmhv_domid_t domid, uint32_t devid,
		 char buf[IFNAMSIZ]) NET_WUR;
/* The MAC a vif gets: mac= or net_vif_mac. 0, or -EINVAL (msg) for a
 * multicast address, which no NIC may have. */
int net_vif_guest_mac(const struct xmcfg_domain *cfg, const uint8_t uuid[16],
		      size_t i, uint8_t mac_out[6], char *msg,
		      size_t msglen) NET_WUR;
/* Whether s is a Linux interface name (1..15 bytes, no '/', ':', space,
 * control character, not "." or ".."). */
bool net_ifname_valid(const char *s);

/* An IPv4 subnet, host byte order. */
struct net_subnet {
	uint32_t addr; /* network address (host bits zero) */
	unsigned prefix;
};

/* "192.0.2.0/24" (host bits must be zero; prefix 8..29). 0 or -EINVAL. */
int net_subnet_parse(const char *s, struct net_subnet *out) NET_WUR;
/* "a.b.c.d" into buf[16]. */
const char *net_ip_string(uint32_t addr, char buf[16]);
/* A dotted quad, 0 or -EINVAL. */
int net_ip_parse(const char *s, uint32_t *out) NET_WUR;
bool net_subnet_overlaps(const struct net_subnet *a,
			 const struct net_subnet *b);
/* The first candidate that overlaps none of used[0..nused): its index, or
 * -EADDRINUSE. */
int net_subnet_pick(const struct net_subnet *cand, size_t ncand,
		    const struct net_subnet *used, size_t nused) NET_WUR;

/* ---- netconfig.c: managed network configs (pure) ---- */

/* A managed NAT network, from <etc>/xen/networks/NAME.conf. */
#define NET_MAX_POOL 64
struct net_config {
	char name[NET_NAME_MAX];
	char bridge[IFNAMSIZ];
	bool subnet_auto;                     /* subnet = "auto [CIDR...]" */
	struct net_subnet pool[NET_MAX_POOL]; /* auto: the candidates */
	size_t npool;
	struct net_subnet subnet;       /* fixed (or picked) */
	uint32_t dhcp_first, dhcp_last; /* 0: the whole subnet but .1 */
	bool dhcp;                      /* dhcp = "off" clears it */
	bool nat;                       /* nat = "off": routed, isolated */
	char domain[64];                /* DNS domain of the guests */
};

/* Parse a network config of len bytes (no NUL needed after them):
 * `key = value` lines (value optionally in quotes), '#' comments; keys
 * name, bridge, subnet, dhcp, nat, domain. name defaults to dflt_name (the
 * file's). 0, or -EINVAL with msg "LINE: message". Pure; bounded by the
 * sizes above. */
int net_config_parse(const char *text, size_t len, const char *dflt_name,
		     struct net_config *out, char *msg, size_t msglen) NET_WUR;
/* The DHCP range of cfg with subnet s: [first, last], host order. */
void net_config_range(const struct net_config *cfg, const struct net_subnet *s,
		      uint32_t *first, uint32_t *last);

/* ---- nettext.c: text for dnsmasq and nftables (pure) ---- */

/* One DHCP/DNS reservation of a managed network. */
struct net_host {
	uint8_t mac[6];
	uint32_t ip;   /* 0: any address of the range */
	char name[64]; /* "" : none */
};

/* A DNS label from a domain name: [a-z0-9-], lower-cased, others become
 * '-', at most 63 bytes, no leading or trailing '-'; "" when nothing is
 * left. */
void net_host_label(const char *name, char buf[64]);
/* dnsmasq's configuration for network cfg on subnet s, into a malloc'd
 * string (NULL: ENOMEM). files: hostsfile, addn-hosts file, lease file. */
char *net_dnsmasq_conf(const struct net_config *cfg, const struct net_subnet *s,
		       const char *hostsfile, const char *addnhosts,
		       const char *leasefile, const char *user);
/* dhcp-hostsfile ("MAC[,IP][,NAME]" lines) and addn-hosts ("IP NAME.DOMAIN
 * NAME" for hosts with an address) of hosts[0..n); malloc'd, NULL:
 * ENOMEM. Entries whose address is outside s are left out. */
char *net_dnsmasq_hosts(const struct net_host *hosts, size_t n,
			const struct net_subnet *s);
char *net_dnsmasq_addnhosts(const struct net_host *hosts, size_t n,
			    const struct net_subnet *s, const char *domain);
/* The nftables table of network cfg ("ip xmtools_NAME"), its name into
 * buf, and the script that creates it (malloc'd, NULL: ENOMEM): forward
 * accepts for the bridge (replies in, everything out, bridge to bridge),
 * drops for the rest of the bridge's traffic, masquerade out of the
 * subnet when nat. */
const char *net_nft_table(const struct net_config *cfg, char buf[48]);
char *net_nft_ruleset(const struct net_config *cfg, const struct net_subnet *s);
/* From `nft list chains` output: the first base chain on the forward hook
 * with policy drop outside table own (Docker's, firewalld's), as "table
 * FAMILY NAME chain CHAIN" into buf. true when found. */
bool net_nft_foreign_drop(const char *listing, const char *own, char *buf,
			  size_t buflen);

/* ---- netstore.c: the xenstore of a vif script (pure) ---- */

/* A small store of path -> value, as the xenstore-* shims see it: one line
 * per key, "PATH=VALUE" with '\\' and newlines escaped in VALUE. */
#define NETSTORE_MAX_KEYS 128
#define NETSTORE_MAX_VALUE 1024
struct netstore {
	size_t n;
	char *key[NETSTORE_MAX_KEYS];
	char *val[NETSTORE_MAX_KEYS];
};

void netstore_init(struct netstore *s);
void netstore_dispose(struct netstore *s);
/* Set (replace) key; a key has no '=' or control character, at most 256
 * bytes, values at most NETSTORE_MAX_VALUE. 0, -EINVAL, -E2BIG, -ENOMEM. */
int netstore_set(struct netstore *s, const char *key, const char *val) NET_WUR;
const char *netstore_get(const struct netstore *s, const char *key);
int netstore_rm(struct netstore *s, const char *key); /* 0 or -ENOENT */
/* Serialise (malloc'd, NULL: ENOMEM) and parse (0, -EINVAL, -E2BIG). */
char *netstore_format(const struct netstore *s);
int netstore_parse(const char *text, size_t len, struct netstore *s) NET_WUR;

/* What a vif script is run with (Xen's vif scripts: libxl's
 * get_hotplug_env and xend's store keys). */
struct net_script_args {
	const char *script; /* the resolved path */
	const char *action; /* "online" or "offline" */
	const char *tap;
	const char *domname;
	const char *uuid_str;
	xmhv_domid_t domid;
	uint32_t devid;
	uint8_t mac[6];
	const struct xmcfg_vif *vif;
	const char *bridge;   /* resolved (a managed network's bridge) */
	const char *shim_dir; /* the xenstore-* shims, first on PATH */
	const char *store_path;
};

#define NET_SCRIPT_ENV_MAX 16
/* argv (script, action, "type_if=vif") and envp of a run, in the strings
 * of buf (size bytes); NULL-terminated arrays. 0 or -E2BIG. Pure. */
int net_script_argv(const struct net_script_args *a, char *buf, size_t size,
		    char *argv[4], char *envp[NET_SCRIPT_ENV_MAX]) NET_WUR;
/* The store the script sees (backend/vif/D/N/..., the frontend, the
 * domain's name and vm path). 0 or -errno. Pure. */
int net_script_store(const struct net_script_args *a,
		     struct netstore *s) NET_WUR;
/* The script of a vif: an absolute path as is, else <script_dir>/NAME.
 * *builtin true when it names Xen's vif-bridge and no such file exists
 * (xmd's own attach does the same). 0 or -ENAMETOOLONG. */
int net_script_path(const char *script, const char *script_dir, char *buf,
		    size_t size, bool *builtin) NET_WUR;

/* ---- netscript.c ---- */

/* Run a vif script (a->action "online" or "offline") with its store in
 * a->store_path and its output appended to log_path. wait: for "online",
 * wait (NET_SCRIPT_TIMEOUT_MS) and judge it: 0, or -errno with msg naming
 * the vif, the script and its hotplug-error; otherwise return once it is
 * started (a thread reaps it). Any thread; never logs. */
int netscript_run(const struct net_script_args *a, const char *log_path,
		  bool wait, char *msg, size_t msglen) NET_WUR;

#endif
