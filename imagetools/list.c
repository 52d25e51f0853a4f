/* SPDX-License-Identifier: GPL-2.0-or-later */
/* list.c: xm-list-images, as xen-tools' xen-list-images: each domain
 * xm-create-image made (its config in the config directory), with its
 * memory, vCPUs, address (or DHCP), MAC, source and disks. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imgfind.h"

#define PROG "xm-list-images"

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *output = NULL;
	struct dirent **ents = NULL;
	char dir[4096];
	int c, n, i, shown = 0;

	while ((c = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'h':
			puts("usage: xm-list-images [--output DIR]");
			return 0;
		default:
			fputs("usage: xm-list-images [--output DIR]\n", stderr);
			return 2;
		}
	}
	if (imgfind_dir(output, dir, sizeof(dir)) < 0) {
		fprintf(stderr, "%s: --output: too long\n", PROG);
		return 2;
	}
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		perror(dir);
		return 1;
	}
	for (i = 0; i < n; i++) {
		struct imgcfg_info info;
		int k;

		if (ents[i]->d_name[0] != '.' &&
		    imgfind_read(dir, ents[i]->d_name, &info) == 0 &&
		    info.ours) {
			if (shown++)
				putchar('\n');
			printf("Name: %s\nMemory: %s MB\nVCPUs: %s\n",
			       info.name[0] ? info.name : ents[i]->d_name,
			       info.memory, info.vcpus);
			printf("IP: %s\nMAC: %s\n",
			       !strcmp(info.ip, "dhcp") ? "DHCP" : info.ip,
			       info.mac);
			if (info.source[0])
				printf("Source: %s\n", info.source);
			for (k = 0; k < info.nmade; k++)
				printf("Disk: %s\n", info.made[k]);
			printf("Config: %s/%s\n", dir, ents[i]->d_name);
		}
		free(ents[i]);
	}
	free(ents);
	return 0;
}
