/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cfg_xl.c: unit tests of xl's disk grammar, the rule that sends a disk
 * entry to xm's or xl's parser, the same meaning of both on the shape they
 * share, and xl's vif keys (tables of input -> expected meaning). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tap.h"

/* An xl disk entry and what it means; err: a word of the refusal. */
static const struct {
	const char *spec;
	const char *err;
	const char *driver, *format, *source, *vdev;
	bool cdrom;
	enum xmcfg_disk_mode mode;
	const char *script, *backendtype, *ignored;
	int discard, trusted;
} xl_disks[] = {
	/* positional TARGET,FORMAT,VDEV,ACCESS */
	{"/dev/vg/guest,raw,xvda,rw", NULL, "phy", "raw", "/dev/vg/guest",
	 "xvda", false, XMCFG_DISK_RW, NULL, NULL, NULL, -1, -1},
	{"/dev/vg/guest,,hda", NULL, "phy", "raw", "/dev/vg/guest", "hda",
	 false, XMCFG_DISK_RW, NULL, NULL, NULL, -1, -1},
	{"/srv/a.img,raw,xvdb,r", NULL, "file", "raw", "/srv/a.img", "xvdb",
	 false, XMCFG_DISK_RO, NULL, NULL, NULL, -1, -1},
	{"/srv/a.qcow2,qcow2,xvdc", NULL, "file", "qcow2", "/srv/a.qcow2",
	 "xvdc", false, XMCFG_DISK_RW, NULL, NULL, NULL, -1, -1},
	/* key=value, spaces before keys, target= last with commas in it */
	{"format=raw, vdev=hda, access=rw, target=/dev/vg/guest", NULL, "phy",
	 "raw", "/dev/vg/guest", "hda", false, XMCFG_DISK_RW, NULL, NULL, NULL,
	 -1, -1},
	{"vdev=xvda,target=/srv/a,b:c.img", NULL, "file", "raw",
	 "/srv/a,b:c.img", "xvda", false, XMCFG_DISK_RW, NULL, NULL, NULL, -1,
	 -1},
	{"vdev=xvda,target=/srv/x.img,", NULL, "file", "raw", "/srv/x.img",
	 "xvda", false, XMCFG_DISK_RW, NULL, NULL, NULL, -1, -1},
	{"backendtype=phy,vdev=xvdb,access=w,target=/srv/lv", NULL, "phy",
	 "raw", "/srv/lv", "xvdb", false, XMCFG_DISK_RW, NULL, "phy", NULL, -1,
	 -1},
	/* CD-ROMs: read-only; empty ones have format empty */
	{"/root/image.iso,,hdc,cdrom", NULL, "file", "raw", "/root/image.iso",
	 "hdc", true, XMCFG_DISK_RO, NULL, NULL, NULL, -1, -1},
	{"/root/image.iso,raw,hdc,devtype=cdrom", NULL, "file", "raw",
	 "/root/image.iso", "hdc", true, XMCFG_DISK_RO, NULL, NULL, NULL, -1,
	 -1},
	{"format=raw,vdev=hdc,access=rw,devtype=cdrom,target=/i.iso", NULL,
	 "file", "raw", "/i.iso", "hdc", true, XMCFG_DISK_RO, NULL, NULL, NULL,
	 -1, -1},
	{",,hdc:cdrom,r", NULL, "file", "empty", NULL, "hdc", true,
	 XMCFG_DISK_RO, NULL, NULL, NULL, -1, -1},
	{",empty,hdc:cdrom,r", NULL, "file", "empty", NULL, "hdc", true,
	 XMCFG_DISK_RO, NULL, NULL, NULL, -1, -1},
	{"vdev=hdc,access=r,devtype=cdrom", NULL, "file", "empty", NULL, "hdc",
	 true, XMCFG_DISK_RO, NULL, NULL, NULL, -1, -1},
	{"devtype=cdrom,,,hdc", NULL, "file", "empty", NULL, "hdc", true,
	 XMCFG_DISK_RO, NULL, NULL, NULL, -1, -1},
	/* deprecated prefixes: a format, a script, or nothing */
	{"raw:/dev/vg/guest,hda,w", NULL, "phy", "raw", "/dev/vg/guest", "hda",
	 false, XMCFG_DISK_RW, NULL, NULL, NULL, -1, -1},
	{"qcow2:/srv/q.img,xvda,rw", NULL, "file", "qcow2", "/srv/q.img",
	 "xvda", false, XMCFG_DISK_RW, NULL, NULL, NULL, -1, -1},
	{"vhd:/srv/v.vhd,xvda,r", NULL, "file", "vhd", "/srv/v.vhd", "xvda",
	 false, XMCFG_DISK_RO, NULL, NULL, NULL, -1, -1},
	{"phy:VG/LV,xvda,rw", NULL, "phy", "raw", "/dev/VG/LV", "xvda", false,
	 XMCFG_DISK_RW, NULL, NULL, NULL, -1, -1},
	{"tap:aio:/srv/a.img,xvda", NULL, "file", "raw", "/srv/a.img", "xvda",
	 false, XMCFG_DISK_RW, NULL, NULL, NULL, -1, -1},
	{"vdev=xvda,access=w,script=block-iscsi,target=iqn.2001-05.com.x:"
	 "disk",
	 NULL, "file", "raw", "iqn.2001-05.com.x:disk", "xvda", false,
	 XMCFG_DISK_RW, "block-iscsi", NULL, NULL, -1, -1},
	/* flags and options that mean nothing without Xen */
	{"discard,vdev=hda,target=/s/d.raw", NULL, "file", "raw", "/s/d.raw",
	 "hda", false, XMCFG_DISK_RW, NULL, NULL, NULL, 1, -1},
	{"cdrom,no-discard,vdev=hda,target=/s/d.iso", NULL, "file", "raw",
	 "/s/d.iso", "hda", true, XMCFG_DISK_RO, NULL, NULL, NULL, 0, -1},
	{"untrusted,vdev=hda,target=/s/d.raw", NULL, "file", "raw", "/s/d.raw",
	 "hda", false, XMCFG_DISK_RW, NULL, NULL, NULL, -1, 0},
	{"colo,grant_usage=1,colo-host=h,vdev=xvda,target=/s/c.img", NULL,
	 "file", "raw", "/s/c.img", "xvda", false, XMCFG_DISK_RW, NULL, NULL,
	 "colo,grant_usage=1,colo-host=h", -1, -1},
	/* refused */
	{"foo", "no vdev"},
	{"/dev/vg/lv,xvda", "format 'xvda'"},
	{"/srv/a.img,raw,xvda,w!", "no w!"},
	{"/srv/a.img,raw,xvda,w,extra", "too many positional"},
	{"format=raw,vdev=hda,access=rw", "no target"},
	{"frobnicate=1,vdev=hda,target=/x", "unknown parameter"},
	{"sync:/srv/a.img,xvda,rw", "unknown disk prefix"},
	{"vdev=hda,vdev=hdb,target=/x", "vdev given twice"},
	{"vdev=vda,target=/x", "is not hdX"},
	{"vdev=hda,backendtype=blktap9,target=/x", "backendtype"},
	{"vdev=hda,devtype=floppy,target=/x", "devtype"},
	{"vdev=hda,format=empty,target=/x", "only for a CD-ROM"},
	{"/x,raw,hdc:tape", "unknown device type"},
	{"=raw,vdev=hda,target=/x", "'='"},
	{"/srv/a=b.img,raw,xvda", "'='"},
};

static bool
streq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static void
test_xl_disks(void)
{
	struct xmcfg_disk d;
	char msg[512];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(xl_disks) / sizeof(xl_disks[0]); i++) {
		rc = xmdisk_parse(xl_disks[i].spec, &d, msg, sizeof(msg));
		if (xl_disks[i].err) {
			tap_ok(rc < 0 && strstr(msg, xl_disks[i].err),
			       "xl disk '%s' refused: %s", xl_disks[i].spec,
			       rc < 0 ? msg : "accepted");
			if (rc == 0)
				xmdisk_dispose(&d);
			continue;
		}
		tap_ok(rc == 0 && d.xl && streq(d.driver, xl_disks[i].driver) &&
			       streq(d.format, xl_disks[i].format) &&
			       streq(d.source, xl_disks[i].source) &&
			       streq(d.vdev, xl_disks[i].vdev) &&
			       d.cdrom == xl_disks[i].cdrom &&
			       d.mode == xl_disks[i].mode &&
			       streq(d.script, xl_disks[i].script) &&
			       streq(d.backendtype, xl_disks[i].backendtype) &&
			       streq(d.ignored, xl_disks[i].ignored) &&
			       d.discard == xl_disks[i].discard &&
			       d.trusted == xl_disks[i].trusted,
		       "xl disk '%s'%s%s", xl_disks[i].spec, rc < 0 ? ": " : "",
		       rc < 0 ? msg : "");
		if (rc == 0)
			xmdisk_dispose(&d);
	}
}

/* Which parser reads an entry: xm's when it has xm's shape. */
static void
test_dispatch(void)
{
	static const struct {
		const char *spec;
		bool xm;
	} cases[] = {
		{"phy:/dev/vg/lv,xvda,w", true},
		{"file:/srv/a.img,hda1,w!", true},
		{"tap:aio:/srv/a.img,xvdb,!", true},
		{"/dev/sdb,xvdb,r", true}, /* no prefix: xm's phy */
		{",hdc:cdrom,r", true},
		{"phy:/dev/a , xvda , w , 0", true}, /* xm's backend field */
		{"phy:/dev/a,xvda,w,0,x86_64-abi", true},
		{"drbd:res0,xvda,w", true},
		{"phy:/dev/a,xvda,rw", false}, /* rw is xl's */
		{"phy:/dev/a,xvda", false},
		{"raw:/dev/a,xvda,w", false}, /* a prefix only xl knows */
		{"/dev/a,raw,xvda,w", false},
		{"/dev/a,,xvda", false},
		{"vdev=xvda,target=/dev/a", false},
		{"file:/srv/a=b.img,xvda,w", false}, /* any '=' */
		{"a,b,c,d,e,f", false},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		tap_ok(xmdisk_is_xm_shape(cases[i].spec) == cases[i].xm,
		       "'%s' goes to %s's parser", cases[i].spec,
		       cases[i].xm ? "xm" : "xl");
}

/* On the shape both grammars read, PREFIX:TARGET,VDEV[:cdrom],r|w, xl's
 * gives the disk xm's gives. */
static void
test_common_shape(void)
{
	static const char *const specs[] = {
		"phy:/dev/vg/lv,xvda,w",
		"phy:/dev/sdb1,hda1,r",
		"phy:VG/LV,xvda,w",
		"file:/srv/a.img,sda,w",
		"file:/srv/d.iso,hdc:cdrom,r",
		"tap:aio:/srv/a.img,xvdb,w",
		"tap:qcow:/srv/q.img,xvdc,w",
		"tap2:tapdisk:aio:/s/t,xvdd,r",
		"drbd:app01,hda,w",
		"iscsi:iqn.2001-05.com.x:d,xvda,w",
		"nbd:host:1,xvda,w",
		"phy:/dev/sdd,xvdf:disk,w",
		",hdc:cdrom,r",
	};
	struct xmcfg_disk xm, xl;
	char msg[512];
	size_t i;
	int a, b;

	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		a = xmdisk_parse(specs[i], &xm, msg, sizeof(msg));
		memset(&xl, 0, sizeof(xl));
		xl.spec = strdup(specs[i]);
		b = xl.spec ? xmdisk_parse_xl(specs[i], &xl, msg, sizeof(msg))
			    : -1;
		tap_ok(a == 0 && b == 0 && !xm.xl && xl.xl &&
			       streq(xm.source, xl.source) &&
			       streq(xm.vdev, xl.vdev) &&
			       streq(xm.format, xl.format) &&
			       streq(xm.script, xl.script) &&
			       xm.cdrom == xl.cdrom && xm.mode == xl.mode,
		       "'%s': xm and xl read the same disk%s%s", specs[i],
		       b < 0 ? ": " : "", b < 0 ? msg : "");
		if (a == 0)
			xmdisk_dispose(&xm);
		xmdisk_dispose(&xl);
	}
}

static void
test_xl_vifs(void)
{
	static const struct {
		const char *spec;
		bool ok;
	} cases[] = {
		{"mtu=9000", true},
		{"mtu=67", false},
		{"mtu=65536", false},
		{"mtu=15oo", false},
		{"vlan=10", true},
		{"vlan=10p/20", true},
		{"vlan=10p/100+10x4", true},
		{"vlan=10p/20-30u", true},
		{"vlan=10/20", false}, /* two VLANs, no PVID */
		{"vlan=10p/20p", false},
		{"vlan=0", false},
		{"vlan=4095", false},
		{"vlan=30-20p", false},
		{"vlan=10p/", false},
		{"vlan=4000p/100+100x40", false},
		{"devid=3", true},
		{"devid=-1", false},
		{"gatewaydev=eth0", true},
		{"gatewaydev=a/b", false},
		{"trusted", true},
		{"untrusted", true},
		{"type=vif", true},
		{"type=ioemu", true},
		{"colo_sock_mirror_id=m1,forwarddev=eth1", true},
		{"accel=netfront", true},
		{"foo", false},
	};
	struct xmcfg_vif v;
	char msg[512];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = xmvif_parse(cases[i].spec, &v, msg, sizeof(msg));
		tap_ok((rc == 0) == cases[i].ok, "vif '%s' %s%s%s",
		       cases[i].spec, cases[i].ok ? "accepted" : "refused",
		       rc < 0 ? ": " : "", rc < 0 ? msg : "");
		if (rc == 0)
			xmvif_dispose(&v);
	}
	tap_ok(xmvif_parse("mac=00:16:3e:00:00:01,mtu=1400,devid=2,vlan=7,"
			   "netdev=br9,untrusted,forwarddev=eth1",
			   &v, msg, sizeof(msg)) == 0 &&
		       v.mtu == 1400 && v.devid == 2 && streq(v.vlan, "7") &&
		       streq(v.gatewaydev, "br9") && v.trusted == 0 &&
		       streq(v.ignored, "forwarddev=eth1"),
	       "vif: xl's keys read (netdev is gatewaydev)");
	xmvif_dispose(&v);
	tap_ok(xmvif_parse("bridge=br0", &v, msg, sizeof(msg)) == 0 &&
		       v.mtu == 0 && v.devid == -1 && v.trusted == -1,
	       "vif: xl's keys not given");
	xmvif_dispose(&v);
}

int
main(void)
{
	test_xl_disks();
	test_dispatch();
	test_common_shape();
	test_xl_vifs();
	return tap_done();
}
