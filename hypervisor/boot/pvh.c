/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pvh.c: the PVH boot ABI's hvm_start_info (version 1, with memory map)
 * for kernels entered at their XEN_ELFNOTE_PHYS32_ENTRY. */
#include <errno.h>
#include <string.h>

#include "arch/x86/x86.h"
#include "boot/boot.h"

#define HVM_START_MAGIC 0x336ec578u

struct hvm_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
	uint32_t memmap_entries, reserved;
} __attribute__((packed));

struct hvm_modlist_entry {
	uint64_t paddr, size, cmdline_paddr, reserved;
} __attribute__((packed));

struct hvm_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
} __attribute__((packed));

int
pvh_write_start_info(const struct boot_request *req, uint64_t initrd_gpa,
		     uint64_t initrd_size, uint64_t *gpa_out)
{
	uint64_t si_gpa = HV_PVH_INFO_GPA, mod_gpa = si_gpa + 64,
		 map_gpa = si_gpa + 128;
	struct hvm_start_info si;
	struct hvm_modlist_entry mod;
	struct hvm_memmap_entry mm[E820_MAX];
	struct e820_entry map[E820_MAX];
	size_t n, i;
	int rc;

	memset(&si, 0, sizeof(si));
	memset(&mod, 0, sizeof(mod));
	memset(mm, 0, sizeof(mm));
	n = e820_build(req->mem->size, map, E820_MAX);
	for (i = 0; i < n; i++)
		mm[i] = (struct hvm_memmap_entry){map[i].addr, map[i].size,
						  map[i].type, 0};
	si.magic = HVM_START_MAGIC;
	si.version = 1;
	si.cmdline_paddr = HV_BOOT_CMDLINE_GPA;
	si.rsdp_paddr = HV_ACPI_RSDP_GPA;
	si.memmap_paddr = map_gpa;
	si.memmap_entries = (uint32_t)n;
	if (initrd_size) {
		si.nr_modules = 1;
		si.modlist_paddr = mod_gpa;
		mod.paddr = initrd_gpa;
		mod.size = initrd_size;
	}
	rc = mem_write(req->mem, HV_BOOT_CMDLINE_GPA, req->cmdline,
		       strlen(req->cmdline) + 1);
	if (rc == 0)
		rc = mem_write(req->mem, si_gpa, &si, sizeof(si));
	if (rc == 0)
		rc = mem_write(req->mem, mod_gpa, &mod, sizeof(mod));
	if (rc == 0)
		rc = mem_write(req->mem, map_gpa, mm, n * sizeof(mm[0]));
	if (rc < 0)
		return rc;
	*gpa_out = si_gpa;
	return 0;
}
