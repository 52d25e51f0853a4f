/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bzimage.c: the Linux bzImage loader for the 64-bit boot protocol
 * (Documentation/arch/x86/boot.rst): setup header checks, protected-mode
 * part at 1 MiB (or pref_address), initrd below initrd_addr_max. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "boot/boot.h"
#include "arch/x86/x86.h"

#define HDR_SETUP_SECTS 0x1f1
#define HDR_SYSSIZE 0x1f4
#define HDR_JUMP 0x200
#define HDR_VERSION 0x206
#define HDR_LOADFLAGS 0x211
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_KERNEL_ALIGNMENT 0x230
#define HDR_RELOCATABLE 0x234
#define HDR_XLOADFLAGS 0x236
#define HDR_CMDLINE_SIZE 0x238
#define HDR_PREF_ADDRESS 0x258
#define HDR_INIT_SIZE 0x260
#define HDR_END_MIN 0x264
#define XLF_KERNEL_64 0x1
#define LOADED_HIGH 0x1

static uint64_t
le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

int
bzimage_load(const struct boot_request *req, const uint8_t *buf, size_t len,
	     struct boot_image *out, char *errmsg, size_t errlen)
{
	uint64_t setup_size, syssize, kernel_size, need, load, pref;
	uint64_t initrd_max, initrd_gpa, initrd_size, cmdline_max;
	unsigned setup_sects, version;
	uint8_t *dst;
	size_t hdrlen;
	int rc;

	if (len < HDR_END_MIN) {
		snprintf(errmsg, errlen, "%s: truncated bzImage (%zu bytes)",
			 req->kernel, len);
		return -ENOEXEC;
	}
	version = (unsigned)le(buf + HDR_VERSION, 2);
	if (version < 0x020c) {
		snprintf(errmsg, errlen,
			 "%s: boot protocol %u.%02u too old for the 64-bit "
			 "entry (need 2.12)",
			 req->kernel, version >> 8, version & 0xff);
		return -ENOEXEC;
	}
	if (!(le(buf + HDR_XLOADFLAGS, 2) & XLF_KERNEL_64)) {
		snprintf(
			errmsg, errlen,
			"%s: bzImage has no 64-bit entry point (XLF_KERNEL_64)",
			req->kernel);
		return -ENOEXEC;
	}
	if (!(buf[HDR_LOADFLAGS] & LOADED_HIGH)) {
		snprintf(errmsg, errlen,
			 "%s: zImage (loaded low) not supported", req->kernel);
		return -ENOEXEC;
	}
	setup_sects = buf[HDR_SETUP_SECTS] ? buf[HDR_SETUP_SECTS] : 4;
	setup_size = (setup_sects + 1ULL) * 512;
	syssize = le(buf + HDR_SYSSIZE, 4) * 16;
	if (len <= setup_size || len - setup_size < syssize) {
		snprintf(errmsg, errlen,
			 "%s: truncated bzImage (%zu bytes, header says %llu)",
			 req->kernel, len,
			 (unsigned long long)(setup_size + syssize));
		return -ENOEXEC;
	}
	kernel_size = len - setup_size;
	need = le(buf + HDR_INIT_SIZE, 4);
	if (need < kernel_size)
		need = kernel_size;
	pref = le(buf + HDR_PREF_ADDRESS, 8);
	load = HV_KERNEL_DEFAULT_GPA;
	if (!buf[HDR_RELOCATABLE] ||
	    (pref >= load && pref + need <= req->mem->low_size))
		load = pref >= load ? pref : load;
	if (load + need > req->mem->low_size) {
		snprintf(errmsg, errlen,
			 "%s: kernel too big for memory (needs %llu MiB at "
			 "0x%llx, guest has %llu MiB)",
			 req->kernel,
			 (unsigned long long)((need + HV_MIB - 1) >> 20),
			 (unsigned long long)load,
			 (unsigned long long)(req->mem->size >> 20));
		return -EFBIG;
	}
	cmdline_max = le(buf + HDR_CMDLINE_SIZE, 4);
	if (cmdline_max > XMHV_CMDLINE_MAX - 1)
		cmdline_max = XMHV_CMDLINE_MAX - 1;
	if (strlen(req->cmdline) > cmdline_max) {
		snprintf(errmsg, errlen,
			 "%s: command line too long (%zu bytes, kernel takes "
			 "%llu)",
			 req->kernel, strlen(req->cmdline),
			 (unsigned long long)cmdline_max);
		return -E2BIG;
	}
	dst = mem_gpa_to_hva(req->mem, load, kernel_size);
	if (!dst)
		return -EFAULT;
	memcpy(dst, buf + setup_size, kernel_size);

	initrd_max = le(buf + HDR_INITRD_ADDR_MAX, 4) + 1ULL;
	rc = boot_load_ramdisk(req, load + need, initrd_max, &initrd_gpa,
			       &initrd_size, errmsg, errlen);
	if (rc < 0)
		return rc;
	hdrlen = HDR_JUMP + 2 + buf[HDR_JUMP + 1] - HDR_SETUP_SECTS;
	if (hdrlen > len - HDR_SETUP_SECTS)
		hdrlen = len - HDR_SETUP_SECTS;
	rc = boot_write_params(req, buf + HDR_SETUP_SECTS, hdrlen, initrd_gpa,
			       initrd_size, errmsg, errlen);
	if (rc < 0)
		return rc;
	out->mode = BOOT_LONG64;
	out->entry = load + 0x200;
	out->arg_gpa = HV_BOOT_PARAMS_GPA;
	out->kernel_end = load + need;
	return 0;
}
