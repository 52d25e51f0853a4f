/* SPDX-License-Identifier: GPL-2.0-or-later */
/* x86.h: the x86 tables and CPU model of a guest: e820, CPUID, MP table,
 * ACPI tables. */
#ifndef XMHV_X86_H
#define XMHV_X86_H

#include "hv.h"
#include "mem.h"

#define E820_RAM 1
#define E820_RESERVED 2
#define E820_MAX 8
struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));
/* Fill the map for a guest of mem_bytes (>= 2 MiB). Returns the count. */
size_t e820_build(uint64_t mem_bytes, struct e820_entry *out, size_t max);
/* Split mem_bytes into RAM below the PCI hole and above 4 GiB. */
void e820_split(uint64_t mem_bytes, uint64_t *low_out, uint64_t *high_out);

struct kvm_cpuid2;
/* The supported table, normalised for vCPU apic_id of ncpus, then the
 * Xen-style masks applied. Caller frees. NULL with errno on failure. */
struct kvm_cpuid2 *cpuid_for_vcpu(const struct kvm_cpuid2 *supported,
				  uint32_t apic_id, uint32_t ncpus,
				  const struct xmhv_cpuid_mask *masks,
				  size_t nmasks);
/* Apply one register mask string ('0' '1' 'x' 'k' 's', bit 31 first) to
 * value, with host as the host's register. -EINVAL on a bad string. */
int cpuid_apply_mask(const char *mask, uint32_t host, uint32_t *value) HV_WUR;

/* Write the MP floating pointer + configuration table at gpa. Returns the
 * bytes used or -errno. */
int mptable_write(const struct mem *mem, uint64_t gpa, uint32_t ncpus) HV_WUR;
uint8_t acpi_checksum(const void *buf, size_t len);
/* Write RSDP at rsdp_gpa and the other tables from tables_gpa up to
 * tables_end. Returns 0 or -errno. */
int acpi_write(const struct mem *mem, uint64_t rsdp_gpa, uint64_t tables_gpa,
	       uint64_t tables_end, uint32_t ncpus) HV_WUR;

#endif
