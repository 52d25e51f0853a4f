/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bootdisk_client.h: running xm-bootloader on a guest's disk (xmd, and
 * xm-config for the dry run): one read-only fd in, the kernel and initrd
 * as sealed memfds and the chosen entry back. */
#ifndef XM_BOOTDISK_CLIENT_H
#define XM_BOOTDISK_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BOOTDISK_RESULT_MAX 16384
#define BOOTDISK_KERNEL_MAX (128ull << 20) /* XSA-25: kernels are bounded */
#define BOOTDISK_INITRD_MAX (512ull << 20)
#define BOOTDISK_TIMEOUT_MS 90000

/* What xm-bootloader chose. Strings are unescaped (args checked: no
 * control characters); title_esc is safe to print. */
struct bootdisk_result {
	char title[1024];
	char title_esc[1024];
	char entry[64];   /* its place in the menu: "0", "1>2" */
	char config[128]; /* "/boot/grub/grub.cfg" */
	unsigned partition;
	char kernel[1024]; /* its path in the guest */
	char initrd[1024]; /* "" or the paths, '\n'-separated */
	char args[4096];
	char skipped[1024]; /* "" or which entries were passed over */
	char warning[1024]; /* "" or why the guest may not find its disk
			     * (no virtio_blk/virtio_pci), escaped */
	int kernel_fd;      /* sealed memfds, owned: bootdisk_result_close */
	int initrd_fd;      /* -1 when the entry has no initrd */
	uint64_t initrd_size;
};

/* The helper's path: beside the caller (build tree: ../bootdisk/) or in
 * libexecdir. Returns 0 or -ENAMETOOLONG. */
int bootdisk_helper_path(char *buf, size_t size);

/* Run helper on disk_fd (read-only; not closed) with want (NULL: the
 * default entry). Returns 0 with *r (bootdisk_result_close) or -errno
 * with msg (the helper's reason, escaped, or why it did not answer). */
int bootdisk_run(const char *helper, int disk_fd, const char *want,
		 struct bootdisk_result *r, char *msg, size_t msglen);

/* Close r's fds (safe twice). */
void bootdisk_result_close(struct bootdisk_result *r);

/* Does a config with these values boot from its disk? bootloader names
 * pygrub (any path) and there is no kernel=, kernel names
 * PV-GRUB/grub-xen, or an HVM guest has no Linux kernel= (hvmloader or
 * none). */
bool bootdisk_wanted(const char *bootloader, const char *kernel, bool hvm);

#endif
