/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mkopts.h: xm-create-image's command line (option names from xen-tools'
 * xen-create-image), parsed and checked by a pure function. */
#ifndef XM_MKOPTS_H
#define XM_MKOPTS_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct mkopts {
	const char *hostname;
	const char *tar, *copy, *dist; /* the root filesystem's source */
	const char *mirror;            /* --dist's archive */
	const char *dir, *lvm;         /* where the disks go */
	const char *partition;         /* or an existing block device */
	uint64_t size, swap;           /* bytes; swap 0: none */
	unsigned memory, vcpus;        /* MiB, count */
	int dhcp;
	const char *ip, *netmask, *gateway, *mac, *bridge;
	const char *password, *ssh_key; /* ssh_key: a public key file */
	const char *kernel, *initrd, *modules, *extra;
	const char *output; /* the config's directory */
	int force, verbose, help;
};

/* Parse argv into o (strings point into argv). Returns 0, or -1 with a
 * message naming the option in err. Defaults: size 1G, swap 128M,
 * memory 256, vcpus 1, DHCP. */
int mkopts_parse(int argc, char **argv, struct mkopts *o, char *err,
		 size_t errlen) WUR;

/* "1G", "512M", "128Mb", "4096k", "1073741824": bytes. 0 or -EINVAL. */
int mkopts_size(const char *s, uint64_t *bytes) WUR;

/* A host name as RFC 1123 allows (letters, digits, '-', '.'; 1-63 per
 * label): 1 when valid. */
int mkopts_hostname_ok(const char *s);

/* 1 when s is a unicast MAC "xx:xx:xx:xx:xx:xx". */
int mkopts_mac_ok(const char *s);

extern const char mkopts_usage[];

#endif
