/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmd_net.c: unit tests of xmd's pure networking functions: MAC
 * derivation, tap names, subnets and the pick of a free /24, managed
 * network configs, dnsmasq configuration and reservations, the nftables
 * ruleset and the foreign forward-drop check, the vif script's store,
 * argv and environment. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "tap.h"
#include "util.h"

static const uint8_t uuid_a[16] = {1, 2,  3,  4,  5,  6,  7,  8,
				   9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t uuid_b[16] = {1, 2,  3,  4,  5,  6,  7,  8,
				   9, 10, 11, 12, 13, 14, 15, 17};

static void
test_mac(void)
{
	uint8_t m1[6], m2[6], m3[6], m4[6];
	char s[18];
	uint32_t i;
	int multicast = 0, high = 0;

	net_vif_mac(uuid_a, 0, m1);
	net_vif_mac(uuid_a, 0, m2);
	net_vif_mac(uuid_a, 1, m3);
	net_vif_mac(uuid_b, 0, m4);
	tap_ok(!memcmp(m1, m2, 6), "the same uuid and devid give the same MAC");
	tap_ok(memcmp(m1, m3, 6) != 0, "another devid, another MAC");
	tap_ok(memcmp(m1, m4, 6) != 0, "another uuid, another MAC");
	tap_ok(!memcmp(m1, "\x00\x16\x3e", 3), "in Xen's OUI 00:16:3e (%s)",
	       net_mac_string(m1, s));
	for (i = 0; i < 4096; i++) {
		net_vif_mac(uuid_a, i, m1);
		multicast += m1[0] & 1;
		high += m1[3] >= 0x80;
	}
	tap_ok(!multicast && !high,
	       "4096 devids: unicast, fourth byte below 0x80 (xm's range)");
	net_mac_string((const uint8_t *)"\x00\x16\x3e\x0a\xbb\x01", s);
	tap_ok(!strcmp(s, "00:16:3e:0a:bb:01"), "MAC text: %s", s);
}

static void
test_names(void)
{
	struct xmcfg_vif v = {0}, named = {.vifname = "web1.0"},
			 bad = {.vifname = "a/b"};
	struct xmcfg_vif vifs[3] = {{.devid = -1}, {.devid = 7}, {.devid = -1}};
	struct xmcfg_domain cfg = {.vifs = vifs, .nvifs = 3};
	char buf[IFNAMSIZ];
	uint8_t mac[6];
	char msg[128];

	tap_ok(net_tap_name(&v, 3, 0, buf) == 0 && !strcmp(buf, "vif3.0"),
	       "tap of domain 3 vif 0: vif3.0");
	tap_ok(net_tap_name(&v, 123456, 7, buf) == 0 &&
		       !strcmp(buf, "vif123456.7"),
	       "vif123456.7");
	tap_ok(net_tap_name(&v, 4000000000u, 65535, buf) == -ENAMETOOLONG,
	       "a name longer than IFNAMSIZ is refused");
	tap_ok(net_tap_name(&named, 3, 0, buf) == 0 && !strcmp(buf, "web1.0"),
	       "vifname= wins");
	tap_ok(net_tap_name(&bad, 3, 0, buf) == -EINVAL,
	       "a vifname with '/' is refused");
	tap_ok(net_ifname_valid("xenbr0") && !net_ifname_valid("") &&
		       !net_ifname_valid("0123456789abcdef") &&
		       !net_ifname_valid("a b") && !net_ifname_valid(".."),
	       "interface names: 1..15 bytes, no space, not ..");
	tap_ok(net_vif_devid(&cfg, 0) == 0 && net_vif_devid(&cfg, 1) == 7 &&
		       net_vif_devid(&cfg, 2) == 2,
	       "devid: devid= or the position");
	vifs[2].has_mac = true;
	memcpy(vifs[2].mac, "\x01\x00\x5e\x00\x00\x01", 6);
	tap_ok(net_vif_guest_mac(&cfg, uuid_a, 2, mac, msg, sizeof(msg)) ==
			       -EINVAL &&
		       strstr(msg, "multicast"),
	       "a multicast mac= is refused: %s", msg);
	memcpy(vifs[2].mac, "\x00\x16\x3e\x00\x00\x01", 6);
	tap_ok(net_vif_guest_mac(&cfg, uuid_a, 2, mac, msg, sizeof(msg)) == 0 &&
		       !memcmp(mac, vifs[2].mac, 6),
	       "mac= as given");
}

static void
test_subnets(void)
{
	struct net_subnet s, cand[3], used[3];
	uint32_t ip;
	char b[16];

	tap_ok(net_subnet_parse("192.0.2.0/24", &s) == 0 &&
		       s.addr == 0xc0000200u && s.prefix == 24,
	       "192.0.2.0/24 parses");
	tap_ok(net_subnet_parse("192.0.2.1/24", &s) == -EINVAL,
	       "host bits set: refused");
	tap_ok(net_subnet_parse("192.0.2.0/30", &s) == -EINVAL &&
		       net_subnet_parse("10.0.0.0/7", &s) == -EINVAL &&
		       net_subnet_parse("192.0.2.0", &s) == -EINVAL &&
		       net_subnet_parse("192.0.2.256/24", &s) == -EINVAL &&
		       net_subnet_parse("1.2.3/24", &s) == -EINVAL,
	       "bad prefixes and addresses are refused");
	tap_ok(net_ip_parse("198.51.100.7", &ip) == 0 &&
		       !strcmp(net_ip_string(ip, b), "198.51.100.7"),
	       "dotted quads round-trip");
	tap_ok(net_ip_parse("1.2.3.4 ", &ip) == -EINVAL &&
		       net_ip_parse("0001.2.3.4", &ip) == -EINVAL,
	       "trailing text and long parts are refused");
	(void)!net_subnet_parse("203.0.113.0/24", &cand[0]);
	(void)!net_subnet_parse("198.51.100.0/24", &cand[1]);
	(void)!net_subnet_parse("192.0.2.0/24", &cand[2]);
	(void)!net_subnet_parse("203.0.113.128/25", &used[0]);
	(void)!net_subnet_parse("198.0.0.0/8", &used[1]);
	tap_ok(net_subnet_pick(cand, 3, used, 2) == 2,
	       "the first /24 that overlaps nothing on the host is picked");
	tap_ok(net_subnet_pick(cand, 3, used, 0) == 0, "nothing used: first");
	(void)!net_subnet_parse("192.0.0.0/16", &used[2]);
	tap_ok(net_subnet_pick(cand, 3, used, 3) == -EADDRINUSE,
	       "all taken: -EADDRINUSE");
}

static void
test_config(void)
{
	static const char good[] =
		"# the default network\n"
		"bridge = \"xmbr0\"\n"
		"subnet = '198.51.100.0/24'   # documentation range\n"
		"dhcp = 198.51.100.100-198.51.100.199\n"
		"domain = lab\n";
	static const char autocfg[] = "bridge=xmbr1\nsubnet=auto 203.0.113.0/24"
				      " 192.0.2.0/24\nnat=off\ndhcp=off\n";
	static const struct {
		const char *text, *want;
	} bad[] = {
		{"bridge=x\nsubnet=auto\ncolour=blue\n", "3: unknown key"},
		{"bridge=a/b\nsubnet=auto\n", "1: bridge"},
		{"subnet=auto\n", "no bridge"},
		{"bridge=b\n", "no subnet"},
		{"bridge=b\nsubnet=192.0.2.0/"
		 "24\ndhcp=198.51.100.2-198.51.100.9\n",
		 "not in the subnet"},
		{"bridge=b\nsubnet=192.0.2.0/24\nnat=maybe\n", "3: nat"},
		{"bridge b\n", "1: 'bridge b' is not key = value"},
	};
	struct net_config c;
	uint32_t f, l;
	char msg[256], b1[16], b2[16];
	size_t i;

	tap_ok(net_config_parse(good, strlen(good), "default", &c, msg,
				sizeof(msg)) == 0,
	       "a network config parses %s", msg);
	tap_ok(!strcmp(c.name, "default") && !strcmp(c.bridge, "xmbr0") &&
		       !c.subnet_auto && c.subnet.prefix == 24 && c.nat &&
		       c.dhcp && !strcmp(c.domain, "lab"),
	       "name from the file, bridge, subnet, nat on, domain");
	net_config_range(&c, &c.subnet, &f, &l);
	tap_ok(!strcmp(net_ip_string(f, b1), "198.51.100.100") &&
		       !strcmp(net_ip_string(l, b2), "198.51.100.199"),
	       "the DHCP range as given: %s-%s", b1, b2);
	tap_ok(net_config_parse(autocfg, strlen(autocfg), "lab", &c, msg,
				sizeof(msg)) == 0 &&
		       c.subnet_auto && c.npool == 2 && !c.nat && !c.dhcp,
	       "subnet = auto with a pool, nat and dhcp off");
	tap_ok(net_config_parse("bridge=b\nsubnet=auto\n", 20, "n", &c, msg,
				sizeof(msg)) == 0 &&
		       c.npool == 64 && c.pool[0].addr == 0xc0a87a00u,
	       "subnet = auto alone: 192.168.122.0/24 upwards");
	net_config_range(&c, &c.pool[0], &f, &l);
	tap_ok(!strcmp(net_ip_string(f, b1), "192.168.122.2") &&
		       !strcmp(net_ip_string(l, b2), "192.168.122.254"),
	       "default range: .2 to .254 (.1 is the host)");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int rc = net_config_parse(bad[i].text, strlen(bad[i].text), "n",
					  &c, msg, sizeof(msg));

		tap_ok(rc == -EINVAL && strstr(msg, bad[i].want),
		       "refused with '%s': %s", bad[i].want, msg);
	}
}

static void
test_dnsmasq(void)
{
	struct net_config c;
	struct net_host h[3] = {
		{{0x00, 0x16, 0x3e, 1, 2, 3}, 0xc6336407u, "web1"},
		{{0x00, 0x16, 0x3e, 1, 2, 4}, 0, "db"},
		{{0x00, 0x16, 0x3e, 1, 2, 5}, 0xc0000205u, "out"},
	};
	char *conf, *hosts, *addn, label[64];
	static const char cfgtext[] = "bridge=xmbr0\nsubnet=198.51.100.0/24\n";

	(void)!net_config_parse(cfgtext, strlen(cfgtext), "default", &c, NULL,
				0);
	conf = net_dnsmasq_conf(&c, &c.subnet, "/r/hosts", "/r/addn",
				"/r/leases", "dnsmasq");
	tap_ok(conf && strstr(conf, "\ninterface=xmbr0\n") &&
		       strstr(conf, "\nbind-dynamic\n") &&
		       strstr(conf, "\nlisten-address=198.51.100.1\n") &&
		       strstr(conf, "\ndhcp-range=198.51.100.2,198.51.100.254,"
				    "255.255.255.0,1h\n") &&
		       strstr(conf, "\ndhcp-hostsfile=/r/hosts\n") &&
		       strstr(conf, "\naddn-hosts=/r/addn\n") &&
		       strstr(conf, "\ndomain=xm\n") &&
		       strstr(conf, "\nuser=dnsmasq\n") &&
		       !strstr(conf, "no-resolv"),
	       "dnsmasq.conf: the bridge alone, the range, the files");
	free(conf);
	c.nat = false;
	c.dhcp = false;
	conf = net_dnsmasq_conf(&c, &c.subnet, "/r/hosts", "/r/addn",
				"/r/leases", "nobody");
	tap_ok(conf && !strstr(conf, "dhcp-range") &&
		       strstr(conf, "dhcp-option=3\n") &&
		       strstr(conf, "no-resolv\n"),
	       "no NAT, no DHCP: no range, no route, no upstream");
	free(conf);
	hosts = net_dnsmasq_hosts(h, 3, &c.subnet);
	tap_ok(hosts && !strcmp(hosts, "00:16:3e:01:02:03,198.51.100.7,web1\n"
				       "00:16:3e:01:02:04,db\n"),
	       "dhcp-hostsfile: MAC,IP,NAME; MAC,NAME; outside the subnet "
	       "left out");
	addn = net_dnsmasq_addnhosts(h, 3, &c.subnet, "xm");
	tap_ok(addn && !strcmp(addn, "198.51.100.7 web1.xm web1\n"),
	       "addn-hosts: the fixed addresses by name");
	free(hosts);
	free(addn);
	net_host_label("Web_1.example", label);
	tap_ok(!strcmp(label, "web-1-example"), "DNS label of a domain name");
	net_host_label("--x--", label);
	tap_ok(!strcmp(label, "x"), "no leading or trailing '-'");
}

static void
test_nft(void)
{
	static const char cfgtext[] = "bridge=xmbr0\nsubnet=198.51.100.0/24\n";
	static const char docker[] =
		"table ip xmtools_default {\n"
		"\tchain forward {\n"
		"\t\ttype filter hook forward priority filter; policy drop;\n"
		"\t}\n}\n"
		"table ip filter {\n"
		"\tchain INPUT {\n"
		"\t\ttype filter hook input priority filter; policy drop;\n"
		"\t}\n"
		"\tchain FORWARD {\n"
		"\t\ttype filter hook forward priority filter; policy drop;\n"
		"\t}\n}\n";
	static const char clean[] =
		"table inet fw {\n\tchain fwd {\n\t\ttype filter hook forward "
		"priority filter; policy accept;\n\t}\n}\n";
	struct net_config c;
	char table[48], found[128] = "", *rules;

	(void)!net_config_parse(cfgtext, strlen(cfgtext), "default", &c, NULL,
				0);
	tap_ok(!strcmp(net_nft_table(&c, table), "xmtools_default"),
	       "a table of our own: %s", table);
	rules = net_nft_ruleset(&c, &c.subnet);
	tap_ok(rules && !strncmp(rules, "table ip xmtools_default {\n", 26) &&
		       strstr(rules, "type nat hook postrouting") &&
		       strstr(rules, "ip saddr 198.51.100.0/24 ip daddr != "
				     "198.51.100.0/24 masquerade") &&
		       strstr(rules, "oifname \"xmbr0\" ip daddr "
				     "198.51.100.0/24 ct state "
				     "established,related accept") &&
		       !strstr(rules, "flush") &&
		       !strstr(rules, "table ip filter"),
	       "ruleset: masquerade out, replies in, nothing of others");
	free(rules);
	c.nat = false;
	rules = net_nft_ruleset(&c, &c.subnet);
	tap_ok(rules && !strstr(rules, "masquerade") &&
		       strstr(rules, "iifname \"xmbr0\" drop"),
	       "without NAT: isolated, no masquerade");
	free(rules);
	tap_ok(net_nft_foreign_drop(docker, "xmtools_default", found,
				    sizeof(found)) &&
		       !strcmp(found, "table ip filter chain FORWARD"),
	       "Docker's FORWARD policy drop is found: %s", found);
	tap_ok(!net_nft_foreign_drop(clean, "xmtools_default", found,
				     sizeof(found)),
	       "an accepting forward chain is not a problem");
}

static void
test_store(void)
{
	struct netstore s, t;
	char *text;

	netstore_init(&s);
	tap_ok(netstore_set(&s, "backend/vif/1/0/bridge", "xenbr0") == 0 &&
		       netstore_set(&s, "a", "two\nlines \\ x") == 0 &&
		       netstore_set(&s, "a", "replaced\nvalue") == 0 &&
		       s.n == 2,
	       "set and replace");
	tap_ok(netstore_set(&s, "bad=key", "v") == -EINVAL &&
		       netstore_set(&s, "", "v") == -EINVAL &&
		       netstore_set(&s, "sp ace", "v") == -EINVAL,
	       "keys with '=', space or nothing are refused");
	text = netstore_format(&s);
	tap_ok(text && !strcmp(text, "backend/vif/1/0/bridge=xenbr0\n"
				     "a=replaced\\nvalue\n"),
	       "format escapes newlines");
	tap_ok(text && netstore_parse(text, strlen(text), &t) == 0 &&
		       t.n == 2 &&
		       !strcmp(netstore_get(&t, "a"), "replaced\nvalue"),
	       "and parses back");
	netstore_dispose(&t);
	free(text);
	tap_ok(netstore_parse("novalue\n", 8, &t) == -EINVAL &&
		       netstore_parse("k=bad\\escape\n", 13, &t) == -EINVAL &&
		       netstore_parse("=v\n", 3, &t) == -EINVAL,
	       "malformed stores are refused");
	tap_ok(netstore_rm(&s, "a") == 0 && netstore_rm(&s, "a") == -ENOENT &&
		       s.n == 1,
	       "rm");
	netstore_dispose(&s);
}

static void
test_script(void)
{
	struct xmcfg_vif v = {
		.ip = "198.51.100.7", .gatewaydev = "eth0", .mtu = 1400};
	struct net_script_args a = {
		.script = "/etc/xen/scripts/vif-custom",
		.action = "online",
		.tap = "vif3.1",
		.domname = "web1",
		.uuid_str = "01020304-0506-0708-090a-0b0c0d0e0f10",
		.domid = 3,
		.devid = 1,
		.mac = {0x00, 0x16, 0x3e, 1, 2, 3},
		.vif = &v,
		.bridge = "xenbr0",
		.shim_dir = "/run/xmd/xenstore-bin",
		.store_path = "/run/xmd/hotplug/vif3.1.online",
	};
	char buf[4096], *argv[4], *envp[NET_SCRIPT_ENV_MAX], path[256];
	struct netstore s;
	bool builtin;
	size_t i;
	const char *want_env[] = {
		"PATH=/run/xmd/xenstore-bin:/usr/local/sbin:",
		"XENBUS_TYPE=vif",
		"XENBUS_PATH=backend/vif/3/1",
		"XENBUS_BASE_PATH=backend",
		"script=/etc/xen/scripts/vif-custom",
		"vif=vif3.1",
		"netdev=eth0",
		"XMD_XENSTORE=/run/xmd/hotplug/vif3.1.online",
	};

	tap_ok(net_script_argv(&a, buf, sizeof(buf), argv, envp) == 0 &&
		       !strcmp(argv[0], a.script) &&
		       !strcmp(argv[1], "online") &&
		       !strcmp(argv[2], "type_if=vif") && !argv[3],
	       "argv: SCRIPT online type_if=vif (libxl's)");
	for (i = 0; i < ARRAY_SIZE(want_env); i++)
		tap_ok(envp[i] && !strncmp(envp[i], want_env[i],
					   strlen(want_env[i])),
		       "env %s", want_env[i]);
	tap_ok(net_script_argv(&a, buf, 64, argv, envp) == -E2BIG,
	       "a full buffer is -E2BIG, not an overrun");
	tap_ok(net_script_store(&a, &s) == 0, "the store is built");
	tap_ok(!strcmp(netstore_get(&s, "backend/vif/3/1/bridge"), "xenbr0") &&
		       !strcmp(netstore_get(&s, "backend/vif/3/1/mac"),
			       "00:16:3e:01:02:03") &&
		       !strcmp(netstore_get(&s, "backend/vif/3/1/ip"),
			       "198.51.100.7") &&
		       !strcmp(netstore_get(&s, "backend/vif/3/1/handle"),
			       "1") &&
		       !strcmp(netstore_get(&s, "backend/vif/3/1/frontend-id"),
			       "3") &&
		       !strcmp(netstore_get(&s, "backend/vif/3/1/mtu"),
			       "1400") &&
		       !strcmp(netstore_get(&s, "/local/domain/3/name"),
			       "web1"),
	       "store: bridge, mac, ip, handle, frontend-id, mtu, name");
	tap_ok(!netstore_get(&s, "backend/vif/3/1/vifname"),
	       "no vifname (vif-common.sh would rename the tap)");
	netstore_dispose(&s);
	tap_ok(net_script_path("vif-custom", "/etc/xen/scripts", path,
			       sizeof(path), &builtin) == 0 &&
		       !strcmp(path, "/etc/xen/scripts/vif-custom") && !builtin,
	       "a relative script is under the scripts directory");
	tap_ok(net_script_path("vif-bridge", "/nonexistent/scripts", path,
			       sizeof(path), &builtin) == 0 &&
		       builtin,
	       "a missing vif-bridge is the built-in attach");
	tap_ok(net_script_path("/bin/true", "/x", path, sizeof(path),
			       &builtin) == 0 &&
		       !strcmp(path, "/bin/true") && !builtin,
	       "an absolute script as it is");
}

int
main(void)
{
	test_mac();
	test_names();
	test_subnets();
	test_config();
	test_dnsmasq();
	test_nft();
	test_store();
	test_script();
	return tap_done();
}
