/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mkopts.c: xm-create-image's options, parsed and checked (pure). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkopts.h"

const char mkopts_usage[] =
	"usage: xm-create-image --hostname NAME\n"
	"         (--tar FILE | --copy DIR | --dist SUITE [--mirror URL])\n"
	"         (--dir DIR | --lvm VG | --partition DEV) [--size 1G]\n"
	"         [--swap 128M|0]\n"
	"         [--memory MIB] [--vcpus N]\n"
	"         [--dhcp | --ip ADDR [--netmask MASK] [--gateway ADDR]]\n"
	"         [--mac MAC] [--bridge BR] [--password PASS] "
	"[--ssh-key FILE]\n"
	"         [--kernel FILE [--initrd FILE] [--modules DIR]] "
	"[--extra ARGS]\n"
	"         [--output DIR] [--force] [--verbose]\n";

enum {
	O_HOST = 256,
	O_TAR,
	O_COPY,
	O_DIR,
	O_LVM,
	O_SIZE,
	O_SWAP,
	O_MEM,
	O_VCPUS,
	O_DHCP,
	O_IP,
	O_MASK,
	O_GW,
	O_MAC,
	O_BRIDGE,
	O_PASS,
	O_KEY,
	O_KERNEL,
	O_INITRD,
	O_MODULES,
	O_EXTRA,
	O_OUTPUT,
	O_FORCE,
	O_VERBOSE,
	O_HELP,
	O_DIST,
	O_MIRROR,
	O_PARTITION
};

static const struct option longopts[] = {
	{"hostname", required_argument, NULL, O_HOST},
	{"tar", required_argument, NULL, O_TAR},
	{"copy", required_argument, NULL, O_COPY},
	{"dist", required_argument, NULL, O_DIST},
	{"partition", required_argument, NULL, O_PARTITION},
	{"mirror", required_argument, NULL, O_MIRROR},
	{"dir", required_argument, NULL, O_DIR},
	{"lvm", required_argument, NULL, O_LVM},
	{"size", required_argument, NULL, O_SIZE},
	{"swap", required_argument, NULL, O_SWAP},
	{"memory", required_argument, NULL, O_MEM},
	{"vcpus", required_argument, NULL, O_VCPUS},
	{"dhcp", no_argument, NULL, O_DHCP},
	{"ip", required_argument, NULL, O_IP},
	{"netmask", required_argument, NULL, O_MASK},
	{"gateway", required_argument, NULL, O_GW},
	{"mac", required_argument, NULL, O_MAC},
	{"bridge", required_argument, NULL, O_BRIDGE},
	{"password", required_argument, NULL, O_PASS},
	{"ssh-key", required_argument, NULL, O_KEY},
	{"kernel", required_argument, NULL, O_KERNEL},
	{"initrd", required_argument, NULL, O_INITRD},
	{"modules", required_argument, NULL, O_MODULES},
	{"extra", required_argument, NULL, O_EXTRA},
	{"output", required_argument, NULL, O_OUTPUT},
	{"force", no_argument, NULL, O_FORCE},
	{"verbose", no_argument, NULL, O_VERBOSE},
	{"help", no_argument, NULL, O_HELP},
	{NULL, 0, NULL, 0},
};

int
mkopts_size(const char *s, uint64_t *bytes)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (tolower((unsigned char)*end)) {
	case 0:
		break;
	case 'k':
		mul = 1ull << 10;
		end++;
		break;
	case 'm':
		mul = 1ull << 20;
		end++;
		break;
	case 'g':
		mul = 1ull << 30;
		end++;
		break;
	case 't':
		mul = 1ull << 40;
		end++;
		break;
	default:
		return -EINVAL;
	}
	if (mul > 1 && (tolower((unsigned char)*end) == 'b' ||
			tolower((unsigned char)*end) == 'i')) {
		if (tolower((unsigned char)*end) == 'i' &&
		    tolower((unsigned char)end[1]) == 'b')
			end++;
		end++;
	}
	if (*end || (v && mul > UINT64_MAX / v))
		return -EINVAL;
	*bytes = v * mul;
	return 0;
}

int
mkopts_hostname_ok(const char *s)
{
	size_t label = 0, total = 0;

	if (!s || !*s || *s == '-' || *s == '.')
		return 0;
	for (; *s; s++, total++) {
		if (*s == '.') {
			if (!label || s[-1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*s) && *s != '-')
			return 0;
		if (++label > 63)
			return 0;
	}
	return label && total <= 253;
}

int
mkopts_mac_ok(const char *s)
{
	unsigned b[6];
	char tail;
	int i;

	if (!s || strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6)
		return 0;
	for (i = 0; i < 17; i++)
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return 0;
	return !(b[0] & 1);
}

static int
ipv4_ok(const char *s)
{
	struct in_addr a;

	return s && inet_pton(AF_INET, s, &a) == 1;
}

static int
num(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

#define BAD(...)                                                               \
	do {                                                                   \
		snprintf(err, errlen, __VA_ARGS__);                            \
		return -1;                                                     \
	} while (0)

int
mkopts_parse(int argc, char **argv, struct mkopts *o, char *err, size_t errlen)
{
	int c, swap_given = 0;

	memset(o, 0, sizeof(*o));
	o->size = 1ull << 30;
	o->swap = 128ull << 20;
	o->memory = 256;
	o->vcpus = 1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "hv", longopts, NULL)) != -1) {
		switch (c) {
		case O_HOST:
			o->hostname = optarg;
			break;
		case O_TAR:
			o->tar = optarg;
			break;
		case O_COPY:
			o->copy = optarg;
			break;
		case O_DIST:
			o->dist = optarg;
			break;
		case O_PARTITION:
			o->partition = optarg;
			break;
		case O_MIRROR:
			o->mirror = optarg;
			break;
		case O_DIR:
			o->dir = optarg;
			break;
		case O_LVM:
			o->lvm = optarg;
			break;
		case O_SIZE:
			if (mkopts_size(optarg, &o->size) < 0 ||
			    o->size < (16ull << 20))
				BAD("--size %s: a size of at least 16M (1G, "
				    "512M, ...)",
				    optarg);
			break;
		case O_SWAP:
			swap_given = 1;
			if (mkopts_size(optarg, &o->swap) < 0 ||
			    (o->swap && o->swap < (1ull << 20)))
				BAD("--swap %s: a size of at least 1M, or 0 "
				    "for none",
				    optarg);
			break;
		case O_MEM:
			if (num(optarg, 1u << 20, &o->memory) < 0)
				BAD("--memory %s: MiB, a whole number", optarg);
			break;
		case O_VCPUS:
			if (num(optarg, 255, &o->vcpus) < 0)
				BAD("--vcpus %s: 1 to 255", optarg);
			break;
		case O_DHCP:
			o->dhcp = 1;
			break;
		case O_IP:
			o->ip = optarg;
			break;
		case O_MASK:
			o->netmask = optarg;
			break;
		case O_GW:
			o->gateway = optarg;
			break;
		case O_MAC:
			o->mac = optarg;
			break;
		case O_BRIDGE:
			o->bridge = optarg;
			break;
		case O_PASS:
			o->password = optarg;
			break;
		case O_KEY:
			o->ssh_key = optarg;
			break;
		case O_KERNEL:
			o->kernel = optarg;
			break;
		case O_INITRD:
			o->initrd = optarg;
			break;
		case O_MODULES:
			o->modules = optarg;
			break;
		case O_EXTRA:
			o->extra = optarg;
			break;
		case O_OUTPUT:
			o->output = optarg;
			break;
		case O_FORCE:
			o->force = 1;
			break;
		case 'v':
		case O_VERBOSE:
			o->verbose = 1;
			break;
		case 'h':
		case O_HELP:
			o->help = 1;
			return 0;
		default:
			BAD("%s: unknown option or missing value",
			    argv[optind - 1]);
		}
	}
	if (optind < argc)
		BAD("%s: unexpected argument", argv[optind]);
	if (!o->hostname)
		BAD("--hostname NAME is required");
	if (!mkopts_hostname_ok(o->hostname) || strchr(o->hostname, '/'))
		BAD("--hostname %s: letters, digits, '-' and '.' only",
		    o->hostname);
	if (!!o->tar + !!o->copy + !!o->dist != 1)
		BAD("the root filesystem: one of --tar FILE, --copy DIR or "
		    "--dist SUITE");
	if (o->dist &&
	    (!*o->dist || strspn(o->dist, "abcdefghijklmnopqrstuvwxyz"
					  "0123456789-") != strlen(o->dist)))
		BAD("--dist %s: a suite name (bookworm, trixie, noble, ...)",
		    o->dist);
	if (o->mirror && !o->dist)
		BAD("--mirror goes with --dist");
	if (o->partition) {
		if (o->partition[0] != '/')
			BAD("--partition %s: a device path (/dev/sdb1)",
			    o->partition);
		if (swap_given && o->swap)
			BAD("--partition has no swap disk: --swap 0");
		o->swap = 0;
	}
	if (!!o->dir + !!o->lvm + !!o->partition != 1)
		BAD("the storage: one of --dir DIR (image files), --lvm VG or "
		    "--partition DEV");
	if (o->lvm && strpbrk(o->lvm, "/ "))
		BAD("--lvm %s: a volume group name", o->lvm);
	if (o->dhcp && (o->ip || o->netmask || o->gateway))
		BAD("--dhcp and --ip/--netmask/--gateway exclude each other");
	if (o->ip && !ipv4_ok(o->ip))
		BAD("--ip %s: an IPv4 address", o->ip);
	if ((o->netmask || o->gateway) && !o->ip)
		BAD("--netmask and --gateway need --ip");
	if (o->netmask && !ipv4_ok(o->netmask))
		BAD("--netmask %s: an IPv4 netmask", o->netmask);
	if (o->gateway && !ipv4_ok(o->gateway))
		BAD("--gateway %s: an IPv4 address", o->gateway);
	if (!o->ip)
		o->dhcp = 1;
	if (o->mac && !mkopts_mac_ok(o->mac))
		BAD("--mac %s: a unicast MAC, xx:xx:xx:xx:xx:xx", o->mac);
	if (o->bridge &&
	    (strlen(o->bridge) > 15 || strpbrk(o->bridge, " ,='\\/")))
		BAD("--bridge %s: a bridge name", o->bridge);
	if ((o->initrd || o->modules) && !o->kernel)
		BAD("--initrd and --modules go with --kernel");
	if (o->password && strpbrk(o->password, "\n:"))
		BAD("--password: no newline or ':'");
	return 0;
}
