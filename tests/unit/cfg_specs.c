/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cfg_specs.c: unit tests of libxmcfg's disk, vif, cpus, cpuid and kernel
 * command line rules (tables of input -> expected meaning), and the
 * "did you mean" of misspelt keys. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tap.h"

static const struct {
	const char *spec;
	const char *driver, *format, *source, *vdev;
	bool cdrom;
	int mode; /* -1: must be rejected */
} disks[] = {
	{"phy:/dev/sdb1,hda1,w", "phy", "raw", "/dev/sdb1", "hda1", false,
	 XMCFG_DISK_RW},
	{"phy:VG/LV,xvda,r", "phy", "raw", "/dev/VG/LV", "xvda", false,
	 XMCFG_DISK_RO},
	{"phy:hda1,hda1,ro", "phy", "raw", "/dev/hda1", "hda1", false,
	 XMCFG_DISK_RO},
	{"file:/x.img,sda,w!", "file", "raw", "/x.img", "sda", false,
	 XMCFG_DISK_SHARED},
	{"tap:aio:/a.img,xvdb,!", "tap", "raw", "/a.img", "xvdb", false,
	 XMCFG_DISK_SHARED},
	{"tap:sync:/s.img,xvdc,w", "tap", "raw", "/s.img", "xvdc", false,
	 XMCFG_DISK_RW},
	{"tap:qcow:/q.img,xvdc,w", "tap", "qcow", "/q.img", "xvdc", false,
	 XMCFG_DISK_RW},
	{"tap2:tapdisk:aio:/t.img,xvdd,w", "tap2", "raw", "/t.img", "xvdd",
	 false, XMCFG_DISK_RW},
	{",hdc:cdrom,r", "phy", "empty", NULL, "hdc", true, XMCFG_DISK_RO},
	{"file:/d.iso,ioemu:hdd:cdrom,r", "file", "raw", "/d.iso", "hdd", true,
	 XMCFG_DISK_RO},
	{"/dev/sdz,xvdz9,w", "phy", "raw", "/dev/sdz", "xvdz9", false,
	 XMCFG_DISK_RW},
	{"phy:/dev/a,xvda,w,0,x86_64-abi", "phy", "raw", "/dev/a", "xvda",
	 false, XMCFG_DISK_RW},
	/* xm rejected rw and two fields; xl's grammar reads them */
	{"phy:/dev/sdb1,hda1,rw", "phy", "raw", "/dev/sdb1", "hda1", false,
	 XMCFG_DISK_RW},
	{"phy:/dev/sdb1,hda1", "phy", "raw", "/dev/sdb1", "hda1", false,
	 XMCFG_DISK_RW},
	{"phy:/dev/sdb1,vda,w", NULL, NULL, NULL, NULL, false, -1},
	{"phy:/dev/sdb1,hda0,w", NULL, NULL, NULL, NULL, false, -1},
	/* a block script's driver (xend ran /etc/xen/scripts/block-nbd) */
	{"nbd:host:1,xvda,w", "nbd", "raw", "host:1", "xvda", false,
	 XMCFG_DISK_RW},
	{"phy:/dev/sdb1,hda1,w+", NULL, NULL, NULL, NULL, false, -1},
	{"tap:,xvda,w", NULL, NULL, NULL, NULL, false, -1},
	{",xvda,w", NULL, NULL, NULL, NULL, false, -1},
	{"a,b,c,d,e,f", NULL, NULL, NULL, NULL, false, -1},
};

static bool
streq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static void
test_disks(void)
{
	char msg[512];
	struct xmcfg_disk d;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(disks) / sizeof(disks[0]); i++) {
		rc = xmdisk_parse(disks[i].spec, &d, msg, sizeof(msg));
		if (disks[i].mode < 0) {
			tap_ok(rc < 0 && msg[0], "disk '%s' rejected: %s",
			       disks[i].spec, rc < 0 ? msg : "accepted");
			if (rc == 0)
				xmdisk_dispose(&d);
			continue;
		}
		tap_ok(rc == 0 && streq(d.driver, disks[i].driver) &&
			       streq(d.format, disks[i].format) &&
			       streq(d.source, disks[i].source) &&
			       streq(d.vdev, disks[i].vdev) &&
			       d.cdrom == disks[i].cdrom &&
			       (int)d.mode == disks[i].mode,
		       "disk '%s'", disks[i].spec);
		if (rc == 0)
			xmdisk_dispose(&d);
	}
}

static void
test_vifs(void)
{
	struct xmcfg_vif v;
	char msg[512];

	tap_ok(xmvif_parse("", &v, msg, sizeof(msg)) == 0 && !v.has_mac &&
		       !v.bridge,
	       "vif '' is one default interface");
	xmvif_dispose(&v);
	tap_ok(xmvif_parse(" mac=00:16:3E:0a:0B:0c , bridge = br0,bridge=br1",
			   &v, msg, sizeof(msg)) == 0 &&
		       v.has_mac && v.mac[3] == 0x0a && v.mac[5] == 0x0c &&
		       streq(v.bridge, "br1"),
	       "vif: spaces ignored, hex case, last duplicate wins");
	xmvif_dispose(&v);
	tap_ok(xmvif_parse("rate=10Mb/s@20ms", &v, msg, sizeof(msg)) == 0 &&
		       v.rate_bytes_per_sec == 1250000 &&
		       v.rate_interval_us == 20000,
	       "vif rate 10Mb/s@20ms = 1250000 B/s every 20 ms");
	xmvif_dispose(&v);
	tap_ok(xmvif_parse("rate=1KB/s", &v, msg, sizeof(msg)) == 0 &&
		       v.rate_bytes_per_sec == 1000 &&
		       v.rate_interval_us == 50000,
	       "vif rate 1KB/s = 1000 B/s, default 50 ms interval");
	xmvif_dispose(&v);
	tap_ok(xmvif_parse("ip=1.2.3.4 5.6.7.8,script=vif-route,vifname=v0,"
			   "model=e1000,type=ioemu",
			   &v, msg, sizeof(msg)) == 0 &&
		       streq(v.ip, "1.2.3.4 5.6.7.8") &&
		       streq(v.script, "vif-route") && streq(v.vifname, "v0") &&
		       streq(v.model, "e1000") && streq(v.type, "ioemu"),
	       "vif ip list, script, vifname, model, type");
	xmvif_dispose(&v);
	tap_ok(xmvif_parse("mac=00:16:3e:00:00", &v, msg, sizeof(msg)) < 0,
	       "vif short mac rejected: %s", msg);
	tap_ok(xmvif_parse("colour=red", &v, msg, sizeof(msg)) < 0 &&
		       !strstr(msg, "did you mean"),
	       "vif unknown key rejected: %s", msg);
	tap_ok(xmvif_parse("mac=00:16:3e:00:00:01,brdige=br0", &v, msg,
			   sizeof(msg)) < 0 &&
		       strstr(msg, "unknown key 'brdige' (") &&
		       strstr(msg, "); did you mean 'bridge'?"),
	       "vif misspelt key: a suggestion: %s", msg);
	tap_ok(xmvif_parse("rate=10Mb", &v, msg, sizeof(msg)) < 0,
	       "vif rate without /s rejected: %s", msg);
	tap_ok(xmvif_parse("type=tap", &v, msg, sizeof(msg)) < 0,
	       "vif type tap rejected: %s", msg);
}

static void
test_cpus(void)
{
	static const struct {
		const char *in, *out; /* out NULL: rejected */
	} cases[] = {
		{"0-3,^1", "0,2-3"},     {"", ""},
		{"0-3,5,^1", "0,2-3,5"}, {"^1,0-3", "0-3"},
		{" 1 , 3 ", "1,3"},      {"1023", "1023"},
		{"0-3,^1,1", "0-3"},     {"1024", NULL},
		{"3-1", NULL},           {"a", NULL},
		{"1,,2", NULL},          {"-1", NULL},
		{"all", "0-1023"},       {"all,^7", "0-6,8-1023"},
		{"allx", NULL},          {"^all", NULL},
	};
	struct xmcfg_cpuset set;
	char msg[512], *s;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&set, 0, sizeof(set));
		rc = xmcpus_parse(cases[i].in, &set, msg, sizeof(msg));
		if (!cases[i].out) {
			tap_ok(rc < 0, "cpus '%s' rejected", cases[i].in);
			continue;
		}
		s = rc == 0 ? xmcpus_format(&set) : NULL;
		tap_ok(s && !strcmp(s, cases[i].out), "cpus '%s' = '%s' (%s)",
		       cases[i].in, cases[i].out, s ? s : msg);
		free(s);
	}
	tap_ok(xmcpus_parse("nodes:0-3,^node:2", &set, msg, sizeof(msg)) == -2,
	       "cpus with NUMA nodes: well formed, not resolved (%s)", msg);
	tap_ok(xmcpus_parse("node:x", &set, msg, sizeof(msg)) == -1,
	       "cpus 'node:x' rejected: %s", msg);
}

static void
test_cpuid(void)
{
	struct xmcfg_cpuid c;
	char msg[512];

	tap_ok(xmcpuid_parse("1:ecx=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx0,edx="
			     "k1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxs",
			     &c, msg, sizeof(msg)) == 0 &&
		       c.leaf == 1 && !c.has_subleaf && !c.reg[0] && c.reg[2] &&
		       c.reg[3] && c.reg[3][0] == 'k',
	       "cpuid leaf 1 ecx/edx");
	xmcpuid_dispose(&c);
	tap_ok(xmcpuid_parse(
		       "0x80000001,2:eax=00000000000000000000000000000000", &c,
		       msg, sizeof(msg)) == 0 &&
		       c.leaf == 0x80000001 && c.has_subleaf && c.subleaf == 2,
	       "cpuid hex leaf with subleaf");
	xmcpuid_dispose(&c);
	tap_ok(xmcpuid_parse("1:ecx=0101", &c, msg, sizeof(msg)) < 0,
	       "cpuid short mask rejected");
	tap_ok(xmcpuid_parse("host,tm=0", &c, msg, sizeof(msg)) < 0,
	       "cpuid libxl syntax rejected (xl only)");
}

/* A domain with the given root/extra/ip settings and disks, cmdline built. */
static const char *
cmdline_of(struct xmcfg_domain *dom, const char *const *disk_specs)
{
	char msg[512];
	size_t i;

	for (i = 0; disk_specs && disk_specs[i]; i++) {
		if (xmdisk_parse(disk_specs[i], &dom->disks[i], msg,
				 sizeof(msg)) < 0)
			return "(bad disk)";
		snprintf(dom->disks[i].guest_dev,
			 sizeof(dom->disks[i].guest_dev), "vd%c",
			 (char)('a' + i));
		dom->ndisks = i + 1;
	}
	if (xmcmdline_build(dom) < 0)
		return "(failed)";
	return dom->cmdline;
}

static void
test_cmdline(void)
{
	static const struct {
		const char *root, *extra, *ip, *dhcp, *nfs_server, *nfs_root;
		const char *disks[3];
		const char *want, *want_root;
	} cases[] = {
		{"/dev/hda1 ro",
		 NULL,
		 NULL,
		 NULL,
		 NULL,
		 NULL,
		 {"phy:/dev/x,hda1,w"},
		 "root=/dev/vda ro ",
		 "/dev/vda ro"},
		{"/dev/sda1",
		 "4",
		 NULL,
		 NULL,
		 NULL,
		 NULL,
		 {"phy:/dev/x,sda1,w"},
		 "root=/dev/vda 4",
		 "/dev/vda"},
		{NULL, "quiet", NULL, NULL, NULL, NULL, {NULL}, "quiet", NULL},
		{"/dev/xvda2",
		 NULL,
		 NULL,
		 NULL,
		 NULL,
		 NULL,
		 {"phy:/dev/a,xvdb,w", "phy:/dev/b,xvda,w"},
		 "root=/dev/vdb2 ",
		 "/dev/vdb2"},
		{"/dev/sdb1",
		 NULL,
		 "10.0.0.2",
		 NULL,
		 NULL,
		 NULL,
		 {"phy:/dev/a,sda1,w"},
		 "root=/dev/sdb1 ip=10.0.0.2:127.0.255.255::::eth0:off ",
		 NULL},
		{NULL,
		 "ip=dhcp",
		 "10.0.0.2",
		 NULL,
		 NULL,
		 NULL,
		 {NULL},
		 "ip=dhcp",
		 NULL},
		{"/dev/nfs",
		 NULL,
		 NULL,
		 "dhcp",
		 "10.0.0.1",
		 "/srv",
		 {NULL},
		 "ip=:10.0.0.1::::eth0:dhcp nfsroot=10.0.0.1:/srv ",
		 NULL},
		{"/dev/hda1",
		 "root=/dev/hda1",
		 NULL,
		 NULL,
		 NULL,
		 NULL,
		 {"file:/x,hda1,w"},
		 "root=/dev/vda",
		 "/dev/vda"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xmcfg_disk disks_buf[3];
		struct xmcfg_domain dom;
		const char *got;
		bool ok;

		memset(&dom, 0, sizeof(dom));
		memset(disks_buf, 0, sizeof(disks_buf));
		dom.disks = disks_buf;
		dom.root = (char *)cases[i].root;
		dom.extra = (char *)cases[i].extra;
		dom.ip = (char *)cases[i].ip;
		dom.dhcp = (char *)cases[i].dhcp;
		dom.nfs_server = (char *)cases[i].nfs_server;
		dom.nfs_root = (char *)cases[i].nfs_root;
		got = cmdline_of(&dom, cases[i].disks);
		ok = got && !strcmp(got, cases[i].want) &&
		     streq(dom.root_rewritten, cases[i].want_root);
		tap_ok(ok, "cmdline %zu: '%s'", i, cases[i].want);
		if (!ok)
			tap_diag("  got '%s' root_rewritten '%s'",
				 got ? got : "(null)",
				 dom.root_rewritten ? dom.root_rewritten
						    : "(null)");
		free(dom.cmdline);
		free(dom.root_rewritten);
		while (dom.ndisks)
			xmdisk_dispose(&dom.disks[--dom.ndisks]);
	}
}

/* The distance and when a name is offered. */
static void
test_suggest(void)
{
	static const struct {
		const char *name;
		int other;
	} table[] = {{"memory", 0}, {"maxmem", 0}, {"vcpus", 0},
		     {"cpus", 0},   {"ip", 0},     {"on_reboot", 0},
		     {"vif", 0},    {"kernel", 0}, {NULL, 0}};
	static const struct {
		const char *word, *want; /* want NULL: no suggestion */
	} cases[] = {
		{"memroy", "memory"},
		{"Memory", "memory"},
		{"memor", "memory"},
		{"memmory", "memory"},
		{"mmeory", "memory"},
		{"mxmem", "maxmem"},
		{"vpcus", "vcpus"},
		{"vcpu", "vcpus"},
		{"cpu", "cpus"},
		{"on_rebot", "on_reboot"},
		{"onreboot", "on_reboot"},
		{"kernal", "kernel"},
		{"kernel", NULL},
		{"vfi", "vif"},
		{"i", NULL},
		{"pi", NULL},
		{"ram", NULL},
		{"colour", NULL},
		{"memory_size", NULL},
		{"mem", NULL},
		{"vifs", "vif"},
		{"", NULL},
	};
	char longword[200];
	const char *got;
	size_t i;

	tap_is_int((int)xmsuggest_distance("memroy", "memory"), 1,
		   "distance: a swap of neighbours is 1");
	tap_is_int((int)xmsuggest_distance("kitten", "sitting"), 3,
		   "distance: kitten -> sitting is 3");
	tap_is_int((int)xmsuggest_distance("", "abc"), 3,
		   "distance: from nothing, the length");
	tap_is_int((int)xmsuggest_distance("ViF", "vif"), 0,
		   "distance: case folded");
	memset(longword, 'a', sizeof(longword) - 1);
	longword[sizeof(longword) - 1] = '\0';
	tap_ok(xmsuggest_distance(longword, "memory") == UINT_MAX &&
		       xmsuggest(longword, table, sizeof(table[0])) == NULL,
	       "a word over 64 characters is not compared");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = xmsuggest(cases[i].word, table, sizeof(table[0]));
		tap_ok(streq(got, cases[i].want), "suggest '%s': %s",
		       cases[i].word, cases[i].want ? cases[i].want : "none");
		if (!streq(got, cases[i].want))
			tap_diag("  got %s", got ? got : "none");
	}
}

/* Which kernel paths get the hint about the demo config's copies. */
static void
test_kernel_hint(void)
{
	const char *h;

	h = xmcfg_kernel_hint("/usr/local/share/xmtools/guest/guest.bzImage");
	tap_ok(h && strstr(h, "make install") &&
		       strstr(h, "_build/demo/examples/etc-xen/demo") &&
		       strstr(h, "BUILDDIR/examples/etc-xen/demo"),
	       "the installed test guest: which copy of the config to use");
	tap_ok(xmcfg_kernel_hint("/usr/share/xmtools/guest/guest.bzImage") == h,
	       "... whatever the prefix");
	tap_ok(!xmcfg_kernel_hint("/boot/vmlinuz") &&
		       !xmcfg_kernel_hint("/b/tests/guest/guest.bzImage") &&
		       !xmcfg_kernel_hint("guest.bzImage") &&
		       !xmcfg_kernel_hint(NULL),
	       "any other kernel: no hint");
}

int
main(void)
{
	test_disks();
	test_vifs();
	test_cpus();
	test_cpuid();
	test_cmdline();
	test_suggest();
	test_kernel_hint();
	return tap_done();
}
