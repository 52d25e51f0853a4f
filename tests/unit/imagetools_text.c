/* SPDX-License-Identifier: GPL-2.0-or-later */
/* imagetools_text.c: xm-create-image's pure parts: option parsing, sizes,
 * names, the fstab rewrite, device renames, inittab, shadow, hosts, the
 * network writers, the config written and read back, the swap signature
 * and the bzImage version. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "fixups.h"
#include "imgcfg.h"
#include "mkopts.h"
#include "storage.h"
#include "tap.h"
#include "textfix.h"

static int
parse(const char *line, struct mkopts *o, char *err, size_t errlen)
{
	static char buf[1024];
	char *argv[64];
	int argc = 0;
	char *p, *save = NULL;

	snprintf(buf, sizeof(buf), "xm-create-image %s", line);
	for (p = strtok_r(buf, " ", &save); p && argc < 63;
	     p = strtok_r(NULL, " ", &save))
		argv[argc++] = p;
	argv[argc] = NULL;
	return mkopts_parse(argc, argv, o, err, errlen);
}

static void
test_opts(void)
{
	static const struct {
		const char *line, *err;
	} bad[] = {
		{"--tar x --dir d", "--hostname NAME is required"},
		{"--hostname a_b --tar x --dir d", "--hostname a_b"},
		{"--hostname a --dir d",
		 "one of --tar FILE, --copy DIR or --dist SUITE"},
		{"--hostname a --dist Bookworm --dir d",
		 "--dist Bookworm: a suite"},
		{"--hostname a --tar x --mirror http://x --dir d",
		 "--mirror goes with --dist"},
		{"--hostname a --tar x --copy y --dir d", "one of --tar"},
		{"--hostname a --tar x", "one of --dir DIR"},
		{"--hostname a --tar x --dir d --lvm vg", "one of --dir"},
		{"--hostname a --tar x --partition sdb1", "a device path"},
		{"--hostname a --tar x --partition /dev/sdb1 --swap 64M",
		 "--partition has no swap disk"},
		{"--hostname a --tar x --dir d --size 1Q", "--size 1Q"},
		{"--hostname a --tar x --dir d --size 1M", "at least 16M"},
		{"--hostname a --tar x --dir d --dhcp --ip 192.0.2.1",
		 "exclude each other"},
		{"--hostname a --tar x --dir d --ip 192.0.2.300", "--ip"},
		{"--hostname a --tar x --dir d --gateway 192.0.2.1",
		 "need --ip"},
		{"--hostname a --tar x --dir d --mac 01:16:3e:00:00:01",
		 "unicast"},
		{"--hostname a --tar x --dir d --initrd i", "go with --kernel"},
		{"--hostname a --tar x --dir d --vcpus 0", "--vcpus 0"},
		{"--hostname a --tar x --dir d --bogus", "--bogus"},
		{"--hostname a --tar x --dir d extra", "extra: unexpected"},
	};
	struct mkopts o;
	char err[256];
	size_t i;

	tap_ok(parse("--hostname web1 --tar r.tgz --dir /srv", &o, err,
		     sizeof(err)) == 0 &&
		       o.size == 1ull << 30 && o.swap == 128ull << 20 &&
		       o.memory == 256 && o.vcpus == 1 && o.dhcp &&
		       !strcmp(o.hostname, "web1"),
	       "defaults: 1G, swap 128M, 256 MiB, 1 vCPU, DHCP");
	tap_ok(parse("--hostname p --tar t --partition /dev/sdb1", &o, err,
		     sizeof(err)) == 0 &&
		       o.swap == 0 && !strcmp(o.partition, "/dev/sdb1"),
	       "--partition: no swap disk");
	tap_ok(parse("--hostname web1.example --copy /x --lvm vg0 --size 2G "
		     "--swap 0 --memory 512 --vcpus 4 --ip 192.0.2.5 "
		     "--netmask 255.255.255.128 --gateway 192.0.2.1 --mac "
		     "00:16:3e:aa:bb:cc --bridge br0 --kernel k --initrd i "
		     "--force --verbose",
		     &o, err, sizeof(err)) == 0 &&
		       o.size == 2ull << 30 && o.swap == 0 && o.memory == 512 &&
		       o.vcpus == 4 && !o.dhcp && !strcmp(o.ip, "192.0.2.5") &&
		       o.force && o.verbose && !strcmp(o.lvm, "vg0"),
	       "every option parsed");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int r = parse(bad[i].line, &o, err, sizeof(err));

		tap_ok(r < 0 && strstr(err, bad[i].err), "refused: %s (%s)",
		       bad[i].line, err);
	}
	{
		uint64_t b = 0;

		tap_ok(mkopts_size("128Mb", &b) == 0 && b == 128ull << 20 &&
			       mkopts_size("4096k", &b) == 0 &&
			       b == 4096ull << 10 &&
			       mkopts_size("1GiB", &b) == 0 &&
			       b == 1ull << 30 && mkopts_size("12", &b) == 0 &&
			       b == 12 && mkopts_size("", &b) < 0 &&
			       mkopts_size("-1G", &b) < 0 &&
			       mkopts_size("99999999999999T", &b) < 0,
		       "sizes: 128Mb 4096k 1GiB 12; empty, negative, "
		       "overflow refused");
	}
	tap_ok(mkopts_hostname_ok("a-b.c") && !mkopts_hostname_ok("-a") &&
		       !mkopts_hostname_ok("a..b") &&
		       !mkopts_hostname_ok("a-.b") && !mkopts_hostname_ok(""),
	       "host names as RFC 1123");
	tap_ok(mkopts_mac_ok("00:16:3e:00:00:01") &&
		       !mkopts_mac_ok("00:16:3e:00:00") &&
		       !mkopts_mac_ok("00-16-3e-00-00-01") &&
		       !mkopts_mac_ok("ff:ff:ff:ff:ff:ff"),
	       "MACs: unicast xx:xx:xx:xx:xx:xx only");
}

static void
test_fstab(void)
{
	static const char in[] =
		"# a comment\n"
		"/dev/xvda1 / ext3 defaults,errors=remount-ro 0 1\n"
		"/dev/xvda2 none swap sw 0 0\n"
		"UUID=1234 /home ext4 defaults 0 2\n"
		"proc /proc proc defaults 0 0\n"
		"server:/export /mnt nfs defaults 0 0\n"
		"tmpfs /tmp tmpfs defaults 0 0";
	struct fstab_map m = {"/dev/vda", "ext4", "/dev/vdb"};
	struct fstab_map noswap = {"/dev/vda", "ext4", NULL};
	char *out = NULL;
	int ch = 0;

	tap_ok(fstab_rewrite(in, strlen(in), &m, &out, &ch) == 0 &&
		       !strcmp(out,
			       "# a comment\n"
			       "# xm-create-image: was: /dev/xvda1 / ext3 "
			       "defaults,errors=remount-ro 0 1\n"
			       "/dev/vda\t/\text4\tdefaults,errors=remount-ro"
			       "\t0\t1\n"
			       "# xm-create-image: was: /dev/xvda2 none swap "
			       "sw 0 0\n"
			       "/dev/vdb\tnone\tswap\tsw\t0\t0\n"
			       "# xm-create-image: this disk is not in the "
			       "domain's config (add it to disk= and here):\n"
			       "#UUID=1234 /home ext4 defaults 0 2\n"
			       "proc /proc proc defaults 0 0\n"
			       "server:/export /mnt nfs defaults 0 0\n"
			       "tmpfs /tmp tmpfs defaults 0 0\n") &&
		       ch == 3,
	       "fstab: root and swap renamed, /home commented out with a "
	       "note, proc, nfs and tmpfs kept (3 changes)");
	free(out);
	out = NULL;
	tap_ok(fstab_rewrite("", 0, &m, &out, &ch) == 0 &&
		       !strcmp(out, "/dev/vda\t/\text4\terrors=remount-ro\t0\t1"
				    "\n/dev/vdb\tnone\tswap\tsw\t0\t0\n") &&
		       ch == 2,
	       "an empty fstab gets a root and a swap line");
	free(out);
	out = NULL;
	tap_ok(fstab_rewrite("/dev/sda2 none swap sw 0 0\n", 26, &noswap, &out,
			     &ch) == 0 &&
		       strstr(out, "no such swap in the domain's config:\n"
				   "#/dev/sda2 none swap") &&
		       strstr(out, "/dev/vda\t/\text4"),
	       "a swap line without a swap disk is commented out");
	free(out);
	out = NULL;
	tap_ok(fstab_rewrite("/dev/vda / ext4 defaults 0 1\n", 29, &noswap,
			     &out, &ch) == 0 &&
		       ch == 0,
	       "an fstab already right: no change");
	free(out);
}

static void
test_devnames(void)
{
	static const struct devmap map[] = {{"/dev/xvda1", "/dev/vda"},
					    {"/dev/xvda2", "/dev/vdb"}};
	static const char in[] = "linux /vmlinuz root=/dev/xvda1 ro "
				 "resume=/dev/xvda2\n/dev/xvda10 /x\n"
				 "/dev/xvdc /y a/dev/xvda1\n";
	char *out = NULL, *left = NULL;
	int ch = 0, n;

	tap_ok(devname_remap(in, strlen(in), map, 2, &out, &ch) == 0 &&
		       !strcmp(out, "linux /vmlinuz root=/dev/vda ro "
				    "resume=/dev/vdb\n/dev/xvda10 /x\n"
				    "/dev/xvdc /y a/dev/xvda1\n") &&
		       ch == 2,
	       "device names renamed as whole words only");
	n = devname_xen_left(out, strlen(out), &left);
	tap_ok(n == 2 && left && !strcmp(left, "/dev/xvda10 /dev/xvdc "),
	       "Xen names left: /dev/xvda10 /dev/xvdc (%d: %s)", n,
	       left ? left : "");
	free(left);
	n = devname_xen_left("/dev/hda1 /dev/sdb /dev/hda1 /dev/vda "
			     "/dev/sdZ",
			     45, &left);
	tap_ok(n == 2 && !strcmp(left, "/dev/hda1 /dev/sdb "),
	       "hd and sd names found once each; vda and sdZ are not Xen's");
	free(left);
	free(out);
}

static void
test_inittab(void)
{
	char *out = NULL;
	int ch;
	static const char sysv[] = "id:2:initdefault:\n"
				   "1:2345:respawn:/sbin/getty 38400 tty1\n"
				   "co:2345:respawn:/sbin/agetty hvc0 9600 "
				   "vt100-nav\n";

	tap_ok(inittab_serial(sysv, strlen(sysv), &out, &ch) == 0 && ch == 1 &&
		       strstr(out, "\nco:2345:respawn:/sbin/agetty ttyS0 9600 "
				   "vt100-nav\n") &&
		       strstr(out, "# xm-create-image: was: co:2345") &&
		       !strstr(out, "S0:2345"),
	       "sysvinit: the getty on hvc0 moved to ttyS0");
	free(out);
	tap_ok(inittab_serial("id:2:initdefault:\n", 18, &out, &ch) == 0 &&
		       ch == 1 &&
		       strstr(out, "S0:2345:respawn:/sbin/getty -L ttyS0 "
				   "115200 vt100\n"),
	       "sysvinit without a serial getty: one added");
	free(out);
	tap_ok(inittab_serial("::sysinit:/etc/rcS\n", 19, &out, &ch) == 0 &&
		       ch == 1 &&
		       strstr(out, "ttyS0::respawn:/sbin/getty -L ttyS0"),
	       "busybox syntax: its own getty line");
	free(out);
	tap_ok(inittab_serial("T0:23:respawn:/sbin/getty -L ttyS0 9600\n", 40,
			      &out, &ch) == 0 &&
		       ch == 0,
	       "a getty on ttyS0 already: no change");
	free(out);
}

static void
test_files(void)
{
	char *out = NULL;

	tap_ok(shadow_set_root("daemon:*:1::\nroot:*:19000:0:99999:7:::\n", 40,
			       "$6$s$h", &out) == 0 &&
		       !strcmp(out, "daemon:*:1::\nroot:$6$s$h:19000:0:99999:"
				    "7:::\n"),
	       "shadow: root's hash replaced, the rest kept");
	free(out);
	tap_ok(shadow_set_root("", 0, "$6$s$h", &out) == 0 &&
		       !strcmp(out, "root:$6$s$h:0:0:99999:7:::\n"),
	       "shadow: a root line added");
	free(out);
	tap_ok(hosts_set_name("127.0.0.1 localhost\n127.0.1.1 old\n", 34, "new",
			      &out) == 0 &&
		       !strcmp(out, "127.0.0.1 localhost\n127.0.1.1\tnew\n"),
	       "hosts: 127.0.1.1 renamed");
	free(out);
}

static void
test_net(void)
{
	struct netcfg st = {"eth0",      0,  "192.0.2.5", "255.255.255.128",
			    "192.0.2.1", "a"};
	struct netcfg dh = {"eth0", 1, NULL, NULL, NULL, "a"};
	struct netcfg bad = {"eth0", 0, NULL, NULL, NULL, "a"};
	char *out = NULL;

	tap_ok(netcfg_prefix("255.255.255.128") == 25 &&
		       netcfg_prefix("0.0.0.0") == 0 &&
		       netcfg_prefix("255.0.255.0") == -1 &&
		       netcfg_prefix("x") == -1,
	       "netmask to prefix; holes refused");
	tap_ok(netcfg_interfaces(&st, &out) == 0 &&
		       strstr(out, "auto eth0\niface eth0 inet static\n\t"
				   "address 192.0.2.5\n\tnetmask "
				   "255.255.255.128\n\tgateway 192.0.2.1\n"),
	       "ifupdown static");
	free(out);
	tap_ok(netcfg_interfaces(&dh, &out) == 0 &&
		       strstr(out, "iface eth0 inet dhcp\n"),
	       "ifupdown DHCP");
	free(out);
	tap_ok(netcfg_networkd(&st, &out) == 0 &&
		       strstr(out, "[Match]\nName=eth0\n\n[Network]\n"
				   "Address=192.0.2.5/25\nGateway=192.0.2.1\n"),
	       "systemd-networkd static");
	free(out);
	tap_ok(netcfg_ifcfg(&dh, &out) == 0 &&
		       strstr(out, "DEVICE=eth0\nONBOOT=yes\nBOOTPROTO=dhcp\n"),
	       "ifcfg DHCP");
	free(out);
	tap_ok(netcfg_ifcfg(&bad, &out) == -EINVAL,
	       "static without an address refused");
}

static void
test_cfg(void)
{
	struct imgcfg c = {
		.name = "web1",
		.memory = 512,
		.vcpus = 2,
		.kernel = "/boot/vmlinuz-6.1",
		.ramdisk = "/boot/initrd \"q\"",
		.root = "/dev/xvda1 ro",
		.disks = {{"file:/srv/web1/disk.img", "xvda1", "root",
			   "file /srv/web1/disk.img"},
			  {"phy:/dev/vg/web1-swap", "xvda2", "swap",
			   "lv vg/web1-swap"}},
		.ndisks = 2,
		.uuid = "8a3f1c2e-0000-4000-8000-000000000001",
		.mac = "00:16:3e:01:02:03",
		.bridge = "br0",
		.ip = "192.0.2.5",
		.source = "--tar /srv/web1.tar.gz",
	};
	struct imgcfg_info info;
	char *out = NULL;

	tap_ok(imgcfg_write(&c, &out) == 0 &&
		       strstr(out, "kernel = \"/boot/vmlinuz-6.1\"\n") &&
		       strstr(out, "ramdisk = \"/boot/initrd \\\"q\\\"\"\n") &&
		       strstr(out,
			      "disk = [ 'file:/srv/web1/disk.img,xvda1,w',"
			      "   # root\n         "
			      "'phy:/dev/vg/web1-swap,xvda2,w' ]   # swap\n") &&
		       strstr(out, "vif = [ 'mac=00:16:3e:01:02:03, "
				   "bridge=br0' ]\n") &&
		       strstr(out, "root = \"/dev/xvda1 ro\"\n") &&
		       strstr(out, "memory = 512\nvcpus = 2\n"),
	       "the config: kernel, quoted ramdisk, disks, vif, root");
	imgcfg_read(out ? out : "", out ? strlen(out) : 0, &info);
	tap_ok(info.ours && !strcmp(info.name, "web1") &&
		       !strcmp(info.memory, "512") &&
		       !strcmp(info.vcpus, "2") &&
		       !strcmp(info.mac, "00:16:3e:01:02:03") &&
		       !strcmp(info.ip, "192.0.2.5") && info.nmade == 2 &&
		       !strcmp(info.made[1], "lv vg/web1-swap") &&
		       !strcmp(info.source, "--tar /srv/web1.tar.gz"),
	       "read back: name, memory, vcpus, MAC, address, what was made, "
	       "source");
	free(out);
	c.kernel = NULL;
	c.name = "bad\nname";
	tap_ok(imgcfg_write(&c, &out) == -EINVAL,
	       "a value with a newline refused");
	c.name = "web1";
	tap_ok(imgcfg_write(&c, &out) == 0 &&
		       strstr(out, "bootloader = \"pygrub\"\n") &&
		       !strstr(out, "kernel ="),
	       "no kernel: bootloader = \"pygrub\"");
	free(out);
	imgcfg_read("name = \"x\"\n", 11, &info);
	tap_ok(!info.ours, "a config not written by xm-create-image is not "
			   "ours");
}

static void
test_dist(void)
{
	static const char deb822[] =
		"Types: deb\nURIs: https://deb.nodesource.com/node_20.x\n\n"
		"Types: deb\nURIs: http://deb.debian.org/debian-security\n"
		"Types: deb\nURIs: http://deb.debian.org/debian\n"
		"Suites: bookworm bookworm-updates\n";
	static const char oneline[] =
		"# deb http://old/debian sid main\n"
		"deb [arch=amd64] http://mirror.example/debian/ bookworm main\n"
		"deb http://archive.ubuntu.com/ubuntu noble main\n";
	char url[128];

	tap_ok(dist_mirror(deb822, strlen(deb822), 0, url, sizeof(url)) == 0 &&
		       !strcmp(url, "http://deb.debian.org/debian"),
	       "deb822 sources: Debian's archive, not -security, not "
	       "another vendor's (%s)",
	       url);
	tap_ok(dist_mirror(oneline, strlen(oneline), 0, url, sizeof(url)) ==
			       0 &&
		       !strcmp(url, "http://mirror.example/debian/"),
	       "one-line sources with [options]; comments skipped");
	tap_ok(dist_mirror(oneline, strlen(oneline), 1, url, sizeof(url)) ==
			       0 &&
		       !strcmp(url, "http://archive.ubuntu.com/ubuntu"),
	       "an Ubuntu suite takes Ubuntu's archive");
	tap_ok(dist_mirror("deb file:/x/debian s m\n", 22, 0, url,
			   sizeof(url)) < 0 &&
		       dist_is_ubuntu("noble") && !dist_is_ubuntu("bookworm"),
	       "no http archive: none; noble is Ubuntu's, bookworm not");
}

static void
test_bin(void)
{
	unsigned char page[4096], uuid[16] = {1, 2, 3};
	unsigned char bz[0x400] = {0};
	char ver[64];
	uint32_t last;

	storage_swap_header(page, 16 << 20, uuid);
	memcpy(&last, page + 1028, 4);
	tap_ok(!memcmp(page + 4086, "SWAPSPACE2", 10) && page[1024] == 1 &&
		       last == 4095 && page[1036] == 1,
	       "swap header: SWAPSPACE2, version 1, last page 4095, uuid");
	memcpy(bz + 0x202, "HdrS", 4);
	bz[0x20e] = 0x00;
	bz[0x20f] = 0x01; /* 0x100 + 0x200 */
	strcpy((char *)bz + 0x300, "6.1.0-9-amd64 (debian-kernel@) #1");
	tap_ok(kernel_version(bz, sizeof(bz), ver, sizeof(ver)) == 0 &&
		       !strcmp(ver, "6.1.0-9-amd64"),
	       "bzImage version: %s", ver);
	bz[0x20f] = 0x7f;
	tap_ok(kernel_version(bz, sizeof(bz), ver, sizeof(ver)) < 0,
	       "a version offset past the end refused");
	strcpy((char *)bz + 0x300, "../../etc");
	bz[0x20f] = 0x01;
	tap_ok(kernel_version(bz, sizeof(bz), ver, sizeof(ver)) < 0,
	       "a version with '/' refused (it names a directory)");
}

int
main(void)
{
	test_opts();
	test_fstab();
	test_devnames();
	test_inittab();
	test_files();
	test_net();
	test_cfg();
	test_dist();
	test_bin();
	return tap_done();
}
