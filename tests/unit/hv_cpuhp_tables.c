/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hv_cpuhp_tables.c: the ACPI tables of a domain with hot-pluggable vCPUs
 * (max 4, 2 online): MADT enabled flags, the DSDT's processor devices,
 * _STA/_MAT/_EJ0, \_GPE._E02 and the hotplug port region. TAP. */
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>

#include "devices/cpuhp.h"
#include "arch/x86/x86.h"
#include "boot/boot.h"
#include "devices/cpuhp.h"
#include "mem.h"
#include "tap.h"
#include "xmhv_platform.h"

/* How often needle occurs in [p, p + len). */
static int
cpuhp_count(const uint8_t *p, size_t len, const void *needle, size_t nlen)
{
	int n = 0;
	size_t i;

	for (i = 0; i + nlen <= len; i++)
		n += memcmp(p + i, needle, nlen) == 0;
	return n;
}

static uint8_t
cpuhp_sum(const uint8_t *p, uint32_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

/* A table by signature in the tables area (16-byte aligned), or NULL. */
static const uint8_t *
cpuhp_table(const uint8_t *base, size_t max, const char *sig)
{
	size_t off;

	for (off = 0; off + 36 <= max; off += 16)
		if (!memcmp(base + off, sig, 4))
			return base + off;
	return NULL;
}

int
main(void)
{
	static const uint8_t pcst[] = {0x5b,
				       0x80,
				       'P',
				       'C',
				       'S',
				       'T',
				       0x01,
				       0x0b,
				       XMHV_PCIHP_PORT & 0xff,
				       XMHV_PCIHP_PORT >> 8,
				       0x0a,
				       XMHV_PCIHP_LEN};
	static const uint8_t region[] = {0x5b,
					 0x80,
					 'P',
					 'R',
					 'S',
					 'T',
					 0x01,
					 0x0b,
					 XMHV_CPUHP_PORT & 0xff,
					 XMHV_CPUHP_PORT >> 8};
	size_t max = HV_ACPI_TABLES_END - HV_ACPI_TABLES_GPA;
	const uint8_t *base, *dsdt, *madt;
	uint32_t dlen = 0, mlen = 0, i;
	struct mem mem;
	char name[8];

	tap_plan(15);
	if (!tap_ok(mem_init(&mem, 64 * HV_MIB) == 0, "mem_init"))
		return tap_done();
	tap_ok(acpi_write_cpus(&mem, HV_ACPI_RSDP_GPA, HV_ACPI_TABLES_GPA,
			       HV_ACPI_TABLES_END, 4, 2) == 0,
	       "acpi_write_cpus: 4 vCPUs, 2 online");
	base = mem_gpa_to_hva(&mem, HV_ACPI_TABLES_GPA, max);
	dsdt = base ? cpuhp_table(base, max, "DSDT") : NULL;
	madt = base ? cpuhp_table(base, max, "APIC") : NULL;
	if (dsdt)
		memcpy(&dlen, dsdt + 4, 4);
	if (madt)
		memcpy(&mlen, madt + 4, 4);
	tap_ok(dsdt && dlen > 36 && dlen < max && cpuhp_sum(dsdt, dlen) == 0,
	       "DSDT present, checksum ok");
	tap_ok(madt && mlen >= 44 + 4 * 8 && cpuhp_sum(madt, mlen) == 0,
	       "MADT present, checksum ok");
	if (!dsdt || !madt)
		return tap_done();
	for (i = 0; i < 4; i++)
		if (madt[44 + 8 * i] != 0 || madt[44 + 8 * i + 3] != i ||
		    madt[44 + 8 * i + 4] != (i < 2))
			break;
	tap_ok(i == 4, "MADT: LAPIC 0-1 enabled, 2-3 present but disabled");
	tap_is_int(cpuhp_count(dsdt, dlen, "ACPI0007", 8), 4,
		   "DSDT: 4 processor devices (ACPI0007)");
	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "C%03X", i);
		/* the device, then (not the boot CPU) _E02's references */
		if (cpuhp_count(dsdt, dlen, name, 4) < (i ? 3 : 1))
			break;
	}
	tap_ok(i == 4, "DSDT: C000..C003, C001..C003 notified by _E02");
	tap_is_int(cpuhp_count(dsdt, dlen, "_STA", 4), 4, "4 _STA methods");
	tap_is_int(cpuhp_count(dsdt, dlen, "_MAT", 4), 4, "4 _MAT methods");
	tap_is_int(cpuhp_count(dsdt, dlen, "_EJ0", 4), 4 + 31,
		   "35 _EJ0 methods: 4 CPUs, 31 PCI slots");
	tap_ok(cpuhp_count(dsdt, dlen, "_GPE", 4) == 2 &&
		       cpuhp_count(dsdt, dlen, "_E02", 4) == 1 &&
		       cpuhp_count(dsdt, dlen, "_E01", 4) == 1,
	       "\\_GPE._E02 (CPUs) and \\_GPE._E01 (PCI slots)");
	tap_ok(cpuhp_count(dsdt, dlen, region, sizeof(region)) == 1,
	       "OperationRegion PRST in SystemIO at XMHV_CPUHP_PORT");
	tap_ok(cpuhp_count(dsdt, dlen, pcst, sizeof(pcst)) == 1,
	       "OperationRegion PCST in SystemIO at XMHV_PCIHP_PORT");
	for (i = 1; i < 32; i++) {
		snprintf(name, sizeof(name), "S%02X_", i);
		/* the device, then PCNT's two notifications */
		if (cpuhp_count(dsdt, dlen, name, 4) != 3)
			break;
	}
	tap_ok(i == 32, "DSDT: PCI slots S01_..S1F_, each notified by PCNT "
			"(device check, eject request)");
	tap_ok(cpuhp_count(dsdt, dlen, "\\\x2f\x03_SB_PCI0PCNT", 15) == 1,
	       "\\_GPE._E01 calls \\_SB.PCI0.PCNT");
	mem_dispose(&mem);
	return tap_done();
}
