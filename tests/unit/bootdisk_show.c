/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bootdisk_show.c: run xm-bootloader on a disk image as xmd does and
 * print what came back, one "key=value" a line, with the FNV-1a hash
 * and size of the kernel and initrd memfds (tests/unit/bootdisk_images.py
 * compares them with the files it put in the image).
 *   bootdisk_show IMAGE [ENTRY] */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bootdisk.h"
#include "bootdisk_client.h"

static void
show_fd(const char *what, int fd)
{
	uint64_t h = 0xcbf29ce484222325ull, size = 0;
	unsigned char buf[65536];
	ssize_t n, i;
	off_t off = 0;

	while (fd >= 0 && (n = pread(fd, buf, sizeof(buf), off)) > 0) {
		for (i = 0; i < n; i++)
			h = (h ^ buf[i]) * 0x100000001b3ull;
		size += (uint64_t)n;
		off += n;
	}
	printf("%s_size=%llu\n%s_fnv=%016llx\n", what, (unsigned long long)size,
	       what, fd >= 0 ? (unsigned long long)h : 0ull);
}

int
main(int argc, char **argv)
{
	struct bootdisk_result r;
	char helper[4096], msg[4096], esc[8192];
	int fd, rc;

	if (argc < 2 || bootdisk_helper_path(helper, sizeof(helper)) < 0)
		return 2;
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("error=%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	rc = bootdisk_run(helper, fd, argc > 2 ? argv[2] : NULL, &r, msg,
			  sizeof(msg));
	close(fd);
	if (rc < 0) {
		printf("error=%s\n", msg);
		return 1;
	}
	printf("title=%s\nentry=%s\nconfig=%s\npartition=%u\n", r.title_esc,
	       r.entry, r.config, r.partition);
	(void)!bd_escape(r.kernel, esc, sizeof(esc));
	printf("kernel=%s\n", esc);
	(void)!bd_escape(r.initrd, esc, sizeof(esc));
	printf("initrd=%s\n", esc);
	printf("args=%s\nskipped=%s\nwarning=%s\n", r.args, r.skipped,
	       r.warning);
	show_fd("kernel", r.kernel_fd);
	show_fd("initrd", r.initrd_fd);
	bootdisk_result_close(&r);
	return 0;
}
