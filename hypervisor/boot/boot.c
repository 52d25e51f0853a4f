/* SPDX-License-Identifier: GPL-2.0-or-later */
/* boot.c: direct kernel boot: recognise the kernel format, place the
 * ramdisk, and write the 64-bit boot protocol's zero page. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/x86/x86.h"
#include "boot/boot.h"
#include "check.h"

#define BP_SIZE 4096
#define BP_ACPI_RSDP 0x070
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_E820_ENTRIES 0x1e8
#define BP_SETUP_HEADER 0x1f1
#define BP_VID_MODE 0x1fa
#define BP_BOOT_FLAG 0x1fe
#define BP_HEADER 0x202
#define BP_VERSION 0x206
#define BP_TYPE_OF_LOADER 0x210
#define BP_LOADFLAGS 0x211
#define BP_RAMDISK_IMAGE 0x218
#define BP_RAMDISK_SIZE 0x21c
#define BP_HEAP_END_PTR 0x224
#define BP_CMD_LINE_PTR 0x228
#define BP_E820_TABLE 0x2d0
#define BP_E820_MAX 128

static void
bp_put(uint8_t *bp, size_t off, uint64_t v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		bp[off + i] = (uint8_t)(v >> (8 * i));
}

int
boot_write_params(const struct boot_request *req, const uint8_t *hdr,
		  size_t hdrlen, uint64_t initrd_gpa, uint64_t initrd_size,
		  char *errmsg, size_t errlen)
{
	uint8_t *bp = mem_gpa_to_hva(req->mem, HV_BOOT_PARAMS_GPA, BP_SIZE);
	size_t cmdlen = strlen(req->cmdline) + 1;
	struct e820_entry map[E820_MAX];
	size_t n;

	if (!bp || mem_write(req->mem, HV_BOOT_CMDLINE_GPA, req->cmdline,
			     cmdlen) < 0) {
		snprintf(errmsg, errlen, "boot parameters: out of memory");
		return -EFAULT;
	}
	memset(bp, 0, BP_SIZE);
	if (hdr) {
		if (hdrlen > BP_E820_TABLE - BP_SETUP_HEADER)
			hdrlen = BP_E820_TABLE - BP_SETUP_HEADER;
		memcpy(bp + BP_SETUP_HEADER, hdr, hdrlen);
	} else {
		bp_put(bp, BP_BOOT_FLAG, 0xaa55, 2);
		memcpy(bp + BP_HEADER, "HdrS", 4);
		bp_put(bp, BP_VERSION, 0x020f, 2);
	}
	bp_put(bp, BP_VID_MODE, 0xffff, 2);
	bp[BP_TYPE_OF_LOADER] = 0xff;
	bp[BP_LOADFLAGS] |= 0x01 | 0x80; /* LOADED_HIGH, CAN_USE_HEAP */
	bp_put(bp, BP_HEAP_END_PTR, 0xfe00, 2);
	bp_put(bp, BP_CMD_LINE_PTR, HV_BOOT_CMDLINE_GPA, 4);
	bp_put(bp, BP_RAMDISK_IMAGE, initrd_gpa, 4);
	bp_put(bp, BP_RAMDISK_SIZE, initrd_size, 4);
	bp_put(bp, BP_EXT_RAMDISK_IMAGE, initrd_gpa >> 32, 4);
	bp_put(bp, BP_EXT_RAMDISK_SIZE, initrd_size >> 32, 4);
	bp_put(bp, BP_ACPI_RSDP, HV_ACPI_RSDP_GPA, 8);
	n = e820_build(req->mem->size, map, E820_MAX);
	bp[BP_E820_ENTRIES] = (uint8_t)n;
	memcpy(bp + BP_E820_TABLE, map, n * sizeof(map[0]));
	return 0;
}

int
boot_load_ramdisk(const struct boot_request *req, uint64_t min_gpa,
		  uint64_t max_gpa, uint64_t *gpa_out, uint64_t *size_out,
		  char *errmsg, size_t errlen)
{
	struct stat st;
	uint64_t gpa, size;
	uint8_t *dst;
	ssize_t n;
	size_t done = 0;

	*gpa_out = *size_out = 0;
	if (req->ramdisk_fd < 0)
		return 0;
	if (fstat(req->ramdisk_fd, &st) < 0) {
		snprintf(errmsg, errlen, "%s: %s", req->ramdisk,
			 strerror(errno));
		return -errno;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(errmsg, errlen, "%s: not a regular file",
			 req->ramdisk);
		return -EINVAL;
	}
	size = (uint64_t)st.st_size;
	if (max_gpa > req->mem->low_size)
		max_gpa = req->mem->low_size;
	gpa = (max_gpa - size) & ~0xfffULL;
	if (size > max_gpa || gpa < min_gpa) {
		snprintf(errmsg, errlen,
			 "%s: initrd too large (%llu bytes; %llu bytes free "
			 "below 0x%llx for it)",
			 req->ramdisk, (unsigned long long)size,
			 (unsigned long long)(max_gpa > min_gpa
						      ? max_gpa - min_gpa
						      : 0),
			 (unsigned long long)max_gpa);
		return -EFBIG;
	}
	dst = mem_gpa_to_hva(req->mem, gpa, size);
	if (!dst) {
		snprintf(errmsg, errlen, "%s: initrd does not fit",
			 req->ramdisk);
		return -EFAULT;
	}
	while (done < size) {
		n = pread(req->ramdisk_fd, dst + done, size - done,
			  (off_t)done);
		if (n <= 0) {
			snprintf(errmsg, errlen, "%s: %s", req->ramdisk,
				 n < 0 ? strerror(errno)
				       : "file shrank while reading");
			return n < 0 ? -errno : -EIO;
		}
		done += (size_t)n;
	}
	*gpa_out = gpa;
	*size_out = size;
	return 0;
}

/* boot.h: read the whole kernel from req->kernel_fd, pick its loader. */
int
boot_load_fd(const struct boot_request *req, struct boot_image *out,
	     char *errmsg, size_t errlen)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	struct stat st;
	ssize_t n;
	int rc;

	if (fstat(req->kernel_fd, &st) < 0) {
		rc = -errno;
		snprintf(errmsg, errlen, "%s: %s", req->kernel, strerror(-rc));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		snprintf(errmsg, errlen, "%s: not a regular file", req->kernel);
		goto out;
	}
	if ((uint64_t)st.st_size > req->mem->low_size) {
		rc = -EFBIG;
		snprintf(errmsg, errlen,
			 "%s: kernel too big for memory (%llu bytes, %llu MiB "
			 "of RAM)",
			 req->kernel, (unsigned long long)st.st_size,
			 (unsigned long long)(req->mem->size >> 20));
		goto out;
	}
	len = (size_t)st.st_size;
	rc = -ENOMEM;
	buf = malloc(len ? len : 1);
	if (!buf) {
		snprintf(errmsg, errlen, "%s: out of memory", req->kernel);
		goto out;
	}
	for (size_t done = 0; done < len; done += (size_t)n) {
		n = pread(req->kernel_fd, buf + done, len - done, (off_t)done);
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			snprintf(errmsg, errlen, "%s: read failed",
				 req->kernel);
			goto out;
		}
	}
	rc = xmhv_check_kernel_format(req->kernel, buf, len, len, errmsg,
				      errlen);
	if (rc == XMHV_KERNEL_ELF)
		rc = elf_load(req, buf, len, out, errmsg, errlen);
	else if (rc == XMHV_KERNEL_BZIMAGE)
		rc = bzimage_load(req, buf, len, out, errmsg, errlen);
out:
	free(buf);
	return rc;
}
