/* SPDX-License-Identifier: GPL-2.0-or-later */
/* boot.h: direct kernel boot: the loaders (bzImage, ELF, PVH) and where the
 * boot structures live in guest RAM. */
#ifndef XMHV_BOOT_H
#define XMHV_BOOT_H

#include "hv.h"
#include "mem.h"

/* Where the boot structures live in guest RAM (all in e820 RAM below
 * 640 KiB; a guest may reuse them once it has read them). */
#define HV_BOOT_GDT_GPA 0x500ULL
#define HV_BOOT_STACK_TOP 0x6ff0ULL
#define HV_BOOT_PARAMS_GPA 0x7000ULL
#define HV_PVH_INFO_GPA 0x8000ULL /* hvm_start_info, modlist, memmap */
#define HV_BOOT_PML4_GPA 0x9000ULL
#define HV_BOOT_PDPT_GPA 0xa000ULL
#define HV_BOOT_PD_GPA 0xb000ULL /* 4 pages: 2 MiB pages over 4 GiB */
#define HV_BOOT_CMDLINE_GPA 0x20000ULL
#define HV_ACPI_RSDP_GPA 0xe0000ULL
#define HV_ACPI_TABLES_GPA 0xe1000ULL
#define HV_ACPI_TABLES_END 0xf0000ULL
#define HV_MPTABLE_GPA 0xf0000ULL
#define HV_KERNEL_DEFAULT_GPA 0x100000ULL

enum boot_mode { BOOT_LONG64, BOOT_PVH32 };
struct boot_image {
	enum boot_mode mode;
	uint64_t entry;      /* guest-physical */
	uint64_t arg_gpa;    /* boot_params or hvm_start_info */
	uint64_t kernel_end; /* first byte above the loaded kernel */
};
struct boot_request {
	const struct mem *mem;
	const char *kernel;  /* the kernel's name in messages (its path) */
	const char *ramdisk; /* the ramdisk's name in messages */
	const char *cmdline;
	bool no_pvh;
	int kernel_fd;  /* open for reading; the loaders only pread it */
	int ramdisk_fd; /* -1: no ramdisk */
};
/* Load the kernel (bzImage, ELF vmlinux, ELF with PVH note) from
 * req->kernel_fd and the ramdisk from req->ramdisk_fd into guest memory
 * and write the boot structures. Opens nothing; the fds stay the
 * caller's. On error returns -errno and errmsg names the file (by
 * req->kernel or req->ramdisk) and the reason. */
int boot_load_fd(const struct boot_request *req, struct boot_image *out,
		 char *errmsg, size_t errlen) HV_WUR;
/* Per format: buf/len is the whole kernel file. */
int bzimage_load(const struct boot_request *req, const uint8_t *buf, size_t len,
		 struct boot_image *out, char *errmsg, size_t errlen) HV_WUR;
int elf_load(const struct boot_request *req, const uint8_t *buf, size_t len,
	     struct boot_image *out, char *errmsg, size_t errlen) HV_WUR;
/* The PHYS32 entry from an ELF's PT_NOTE, 0 when absent. */
uint64_t elf_pvh_entry(const uint8_t *buf, size_t len);
int pvh_write_start_info(const struct boot_request *req, uint64_t initrd_gpa,
			 uint64_t initrd_size, uint64_t *gpa_out) HV_WUR;
/* Shared by the loaders: place the ramdisk (req->ramdisk_fd, none when
 * -1) below max_gpa, above min_gpa. */
int boot_load_ramdisk(const struct boot_request *req, uint64_t min_gpa,
		      uint64_t max_gpa, uint64_t *gpa_out, uint64_t *size_out,
		      char *errmsg, size_t errlen) HV_WUR;
/* Write the zero page for the 64-bit boot protocol. hdr/hdrlen: setup
 * header bytes from 0x1f1 (NULL for ELF kernels). */
int boot_write_params(const struct boot_request *req, const uint8_t *hdr,
		      size_t hdrlen, uint64_t initrd_gpa, uint64_t initrd_size,
		      char *errmsg, size_t errlen) HV_WUR;

#endif
