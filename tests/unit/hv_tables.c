/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hv_tables.c: unit tests of xmhv's machine tables: e820 (with the PCI
 * hole above 3 GiB), ACPI checksums and contents, MP table, CPUID masks and
 * topology, CMOS RTC registers and the PM timer. No KVM needed. */
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/x86.h"
#include "kvm.h"
#include "boot/boot.h"
#include "mem.h"
#include "devices/rtc.h"
#include "devices/pm.h"
#include "tap.h"

static uint8_t
sum8(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (n--)
		s += *b++;
	return s;
}

static uint32_t
rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t
rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static void
test_e820(void)
{
	static const uint64_t sizes_mib[] = {32, 256, 3072, 3500, 8192};
	struct e820_entry map[E820_MAX];
	uint64_t ram, mem;
	size_t n, i, k;
	bool hole_ok;

	for (k = 0; k < ARRAY_SIZE_HV(sizes_mib); k++) {
		mem = sizes_mib[k] * HV_MIB;
		n = e820_build(mem, map, E820_MAX);
		ram = 0;
		hole_ok = true;
		for (i = 0; i < n; i++) {
			if (map[i].type != E820_RAM)
				continue;
			ram += map[i].size;
			if (map[i].addr < XMHV_PCI_HOLE_END &&
			    map[i].addr + map[i].size > XMHV_PCI_HOLE_START)
				hole_ok = false;
		}
		tap_is_int(
			(ram + HV_MIB - 1) / HV_MIB, sizes_mib[k],
			"e820 %llu MiB: RAM rounds up to the configured size",
			(unsigned long long)sizes_mib[k]);
		tap_ok(hole_ok, "e820 %llu MiB: no RAM in the PCI hole",
		       (unsigned long long)sizes_mib[k]);
		tap_ok(map[1].addr == XMHV_EBDA_START &&
			       map[1].type == E820_RESERVED,
		       "e820 %llu MiB: BIOS area reserved",
		       (unsigned long long)sizes_mib[k]);
	}
	n = e820_build(3500 * HV_MIB, map, E820_MAX);
	tap_ok(n == 4 && map[3].addr == XMHV_PCI_HOLE_END &&
		       map[3].size == 3500 * HV_MIB - XMHV_PCI_HOLE_START,
	       "e820 3500 MiB: the rest of RAM sits above 4 GiB");
}

static const uint8_t *
find_table(const struct mem *mem, const uint8_t *xsdt, const char *sig)
{
	uint32_t len = rd32(xsdt + 4), i;
	const uint8_t *t;

	for (i = 36; i + 8 <= len; i += 8) {
		t = mem_gpa_to_hva(mem, rd64(xsdt + i), 36);
		if (t && memcmp(t, sig, 4) == 0)
			return mem_gpa_to_hva(mem, rd64(xsdt + i), rd32(t + 4));
	}
	return NULL;
}

static void
test_acpi(struct mem *mem)
{
	const uint8_t *rsdp, *xsdt, *fadt, *madt, *dsdt, *e;
	uint32_t ncpus = 0, isos = 0;
	bool s5 = false;
	size_t i;

	tap_is_int(acpi_write(mem, HV_ACPI_RSDP_GPA, HV_ACPI_TABLES_GPA,
			      HV_ACPI_TABLES_END, 3),
		   0, "acpi_write succeeds");
	rsdp = mem_gpa_to_hva(mem, HV_ACPI_RSDP_GPA, 36);
	tap_ok(memcmp(rsdp, "RSD PTR ", 8) == 0 && rsdp[15] == 2,
	       "RSDP signature, revision 2");
	tap_ok(sum8(rsdp, 20) == 0 && sum8(rsdp, 36) == 0,
	       "RSDP checksum and extended checksum");
	xsdt = mem_gpa_to_hva(mem, rd64(rsdp + 24), 36);
	tap_ok(xsdt && memcmp(xsdt, "XSDT", 4) == 0 &&
		       sum8(xsdt, rd32(xsdt + 4)) == 0,
	       "XSDT signature and checksum");
	fadt = find_table(mem, xsdt, "FACP");
	madt = find_table(mem, xsdt, "APIC");
	tap_ok(fadt && sum8(fadt, rd32(fadt + 4)) == 0 &&
		       rd32(fadt + 4) == 276 && fadt[8] == 6,
	       "FADT: revision 6, 276 bytes, checksum");
	tap_ok(fadt && rd32(fadt + 56) == XMHV_ACPI_PM1A_EVT_BLK &&
		       rd32(fadt + 64) == XMHV_ACPI_PM1A_CNT_BLK &&
		       rd32(fadt + 76) == XMHV_ACPI_PM_TMR_BLK &&
		       fadt[46] == XMHV_ACPI_SCI_IRQ,
	       "FADT: PM1a event/control, PM timer, SCI");
	tap_ok(fadt && !(rd32(fadt + 112) & (1u << 4)) &&
		       !(rd32(fadt + 112) & (1u << 20)),
	       "FADT: fixed power button, not hardware-reduced");
	dsdt = fadt ? mem_gpa_to_hva(mem, rd64(fadt + 140), 36) : NULL;
	dsdt = dsdt ? mem_gpa_to_hva(mem, rd64(fadt + 140), rd32(dsdt + 4))
		    : NULL;
	tap_ok(dsdt && memcmp(dsdt, "DSDT", 4) == 0 &&
		       sum8(dsdt, rd32(dsdt + 4)) == 0,
	       "DSDT signature and checksum");
	for (i = 36; dsdt && i + 10 < rd32(dsdt + 4); i++)
		if (memcmp(dsdt + i, "_S5_\x12", 5) == 0 && dsdt[i + 6] == 4 &&
		    dsdt[i + 7] == 0x0a && dsdt[i + 8] == XMHV_ACPI_S5_SLP_TYP)
			s5 = true;
	tap_ok(s5, "DSDT: \\_S5 package with SLP_TYP %d", XMHV_ACPI_S5_SLP_TYP);
	tap_ok(dsdt && memmem(dsdt, rd32(dsdt + 4), "COM1", 4) &&
		       memmem(dsdt, rd32(dsdt + 4), "PCI0", 4) &&
		       memmem(dsdt, rd32(dsdt + 4), "RTC0", 4) &&
		       memmem(dsdt, rd32(dsdt + 4), "\x0dQEMU0001", 10),
	       "DSDT: COM1, RTC0, pvpanic (QEMU0001) and PCI0 devices");
	tap_ok(madt && sum8(madt, rd32(madt + 4)) == 0 &&
		       rd32(madt + 36) == XMHV_LAPIC_ADDR,
	       "MADT checksum and LAPIC address");
	for (e = madt + 44; madt && e < madt + rd32(madt + 4); e += e[1]) {
		if (e[1] == 0)
			break;
		if (e[0] == 0 && (e[4] & 1))
			ncpus++;
		if (e[0] == 2)
			isos++;
	}
	tap_is_int(ncpus, 3, "MADT: one enabled LAPIC per vCPU");
	tap_is_int(isos, 2, "MADT: IRQ0 and SCI interrupt source overrides");
}

static void
test_mptable(struct mem *mem)
{
	const uint8_t *fp, *h;
	int n = mptable_write(mem, HV_MPTABLE_GPA, 4);

	tap_ok(n > 0, "mptable_write succeeds");
	fp = mem_gpa_to_hva(mem, HV_MPTABLE_GPA, 16);
	tap_ok(memcmp(fp, "_MP_", 4) == 0 && sum8(fp, 16) == 0,
	       "MP floating pointer signature and checksum");
	h = mem_gpa_to_hva(mem, rd32(fp + 4), 44);
	h = h ? mem_gpa_to_hva(mem, rd32(fp + 4), h[4] | h[5] << 8) : NULL;
	tap_ok(h && memcmp(h, "PCMP", 4) == 0 && sum8(h, h[4] | h[5] << 8) == 0,
	       "MP configuration table signature and checksum");
	tap_ok(h && h[44] == 0 && h[45] == 0 && (h[47] & 3) == 3 &&
		       h[44 + 3 * 20] == 0 && h[44 + 3 * 20 + 1] == 3,
	       "MP table: BSP first, 4 processor entries");
}

/* The pc GSI routing: the PIT's GSI 0 reaches the PIC pin 0 and IOAPIC pin 2
 * (where the MADT's override sends it), GSI 2 (cascade) has no route. */
static void
test_gsi_routes(void)
{
	struct kvm_irq_routing_entry e[KVM_GSI_ROUTES];
	int n = kvm_gsi_routes(e, KVM_GSI_ROUTES), i;
	unsigned pic = 0, ioapic = 0, gsi0 = 0, gsi2 = 0, bad = 0;

	tap_is_int(n, KVM_GSI_ROUTES, "GSI routing: 38 routes");
	for (i = 0; i < n; i++) {
		const struct kvm_irq_routing_entry *r = &e[i];

		if (r->type != KVM_IRQ_ROUTING_IRQCHIP)
			bad++;
		else if (r->u.irqchip.irqchip == KVM_IRQCHIP_IOAPIC) {
			ioapic++;
			if (r->u.irqchip.pin != (r->gsi == 0 ? 2 : r->gsi))
				bad++;
		} else {
			pic++;
			if (r->gsi >= 16 || r->u.irqchip.pin != r->gsi % 8 ||
			    r->u.irqchip.irqchip !=
				    (r->gsi < 8 ? KVM_IRQCHIP_PIC_MASTER
						: KVM_IRQCHIP_PIC_SLAVE))
				bad++;
		}
		gsi0 += r->gsi == 0;
		gsi2 += r->gsi == 2;
		if (r->gsi == 0 && r->u.irqchip.irqchip == KVM_IRQCHIP_IOAPIC)
			tap_is_int(r->u.irqchip.pin, 2,
				   "GSI routing: GSI 0 (PIT) -> IOAPIC pin 2");
	}
	tap_ok(pic == 15 && ioapic == 23 && bad == 0,
	       "GSI routing: 15 PIC routes (pin irq %% 8), 23 IOAPIC routes "
	       "(pin = GSI)");
	tap_ok(gsi0 == 2 && gsi2 == 0,
	       "GSI routing: GSI 0 on PIC and IOAPIC, GSI 2 unrouted");
	tap_is_int(kvm_gsi_routes(e, KVM_GSI_ROUTES - 1), -ENOSPC,
		   "GSI routing: a short table is refused");
}

/* A supported table advertising x87/SSE/AVX/AVX-512/PKRU in 0xD.0 with
 * leaf 1 ECX = ecx1 and leaf 7 EBX/ECX = ebx7/ecx7; returns 0xD.0 of the
 * vCPU's table in d0 and whether sub-leaf 9 (PKRU) kept its size. */
static bool
xsave_case(uint32_t ecx1, uint32_t ebx7, uint32_t ecx7,
	   struct kvm_cpuid_entry2 *d0, bool *pkru_kept)
{
	static const uint32_t sub[][3] = {
		{2, 256, 576},   {5, 64, 1088}, {6, 512, 1152},
		{7, 1024, 1664}, {9, 8, 2688},
	};
	struct kvm_cpuid2 *sup, *c;
	uint32_t i, n = 0;

	sup = calloc(1, sizeof(*sup) + 16 * sizeof(sup->entries[0]));
	if (!sup)
		return false;
	sup->entries[n++] =
		(struct kvm_cpuid_entry2){.function = 0, .eax = 0xd};
	sup->entries[n++] = (struct kvm_cpuid_entry2){.function = 1,
						      .ecx = ecx1 | 1u << 26};
	sup->entries[n++] = (struct kvm_cpuid_entry2){
		.function = 7,
		.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		.ebx = ebx7,
		.ecx = ecx7};
	sup->entries[n++] = (struct kvm_cpuid_entry2){
		.function = 0xd,
		.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		.eax = 0x2e7,
		.ebx = 2696,
		.ecx = 2696};
	sup->entries[n++] = (struct kvm_cpuid_entry2){
		.function = 0xd,
		.index = 1,
		.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		.eax = 1};
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++)
		sup->entries[n++] = (struct kvm_cpuid_entry2){
			.function = 0xd,
			.index = sub[i][0],
			.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
			.eax = sub[i][1],
			.ebx = sub[i][2]};
	sup->nent = n;
	c = cpuid_for_vcpu(sup, 0, 1, NULL, 0);
	free(sup);
	if (!c)
		return false;
	for (i = 0; i < c->nent; i++) {
		if (c->entries[i].function != 0xd)
			continue;
		if (c->entries[i].index == 0)
			*d0 = c->entries[i];
		if (c->entries[i].index == 9)
			*pkru_kept = c->entries[i].eax == 8;
	}
	free(c);
	return true;
}

/* Leaf 0xD follows the features left in leaves 1 and 7 (Linux's "XSAVE
 * consistency problem" check). */
static void
test_cpuid_xsave(void)
{
	struct kvm_cpuid_entry2 d0 = {0};
	bool pkru = false, ok;

	ok = xsave_case(1u << 28, 1u << 16, 1u << 3, &d0, &pkru);
	tap_ok(ok && d0.eax == 0x2e7 && d0.ebx == 2696 && d0.ecx == 2696 &&
		       pkru,
	       "0xD: all features left: XCR0 0x2e7, size 2696 (0x%x %u %u)",
	       d0.eax, d0.ebx, d0.ecx);
	ok = xsave_case(1u << 28, 0, 0, &d0, &pkru);
	tap_ok(ok && d0.eax == 7 && d0.ebx == 832 && d0.ecx == 832 &&
		       d0.edx == 0 && !pkru,
	       "0xD: AVX-512/PKU gone: XCR0 7, size 832 (0x%x %u %u)", d0.eax,
	       d0.ebx, d0.ecx);
	ok = xsave_case(0, 1u << 16, 0, &d0, &pkru);
	tap_ok(ok && d0.eax == 3 && d0.ebx == 576 && d0.ecx == 576,
	       "0xD: AVX gone takes AVX-512 along: XCR0 3, size 576 (0x%x "
	       "%u %u)",
	       d0.eax, d0.ebx, d0.ecx);
	ok = xsave_case(1u << 28, 0, 1u << 3, &d0, &pkru);
	tap_ok(ok && d0.eax == 0x207 && d0.ebx == 2696 && pkru,
	       "0xD: AVX + PKRU: size is the end of PKRU (0x%x %u)", d0.eax,
	       d0.ebx);
}

static void
test_cpuid(void)
{
	struct kvm_cpuid2 *sup, *c;
	uint32_t v, i, apic = 0, lvl1 = 0;
	struct xmhv_cpuid_mask m;

	v = 0x0000ffff;
	tap_ok(cpuid_apply_mask("1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx0", 0, &v) ==
			       0 &&
		       v == 0x8000fffe,
	       "cpuid mask: '1' sets bit 31, '0' clears bit 0");
	v = 0;
	tap_ok(cpuid_apply_mask("kkkkxxxxxxxxxxxxxxxxxxxxxxxxssss", 0xf000000f,
				&v) == 0 &&
		       v == 0xf000000f,
	       "cpuid mask: 'k' and 's' take the host's bits");
	v = 5;
	tap_ok(cpuid_apply_mask("", 0, &v) == 0 && v == 5,
	       "cpuid mask: empty string leaves the register alone");
	tap_ok(cpuid_apply_mask("xx", 0, &v) == -EINVAL &&
		       cpuid_apply_mask("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxz", 0,
					&v) == -EINVAL,
	       "cpuid mask: wrong length or letter is refused");

	sup = calloc(1, sizeof(*sup) + 4 * sizeof(sup->entries[0]));
	sup->nent = 4;
	sup->entries[0] = (struct kvm_cpuid_entry2){.function = 0, .eax = 0xd};
	sup->entries[1] = (struct kvm_cpuid_entry2){
		.function = 1, .ebx = 0xff000800, .ecx = 0x1};
	sup->entries[2] =
		(struct kvm_cpuid_entry2){.function = 0xb, .index = 0};
	sup->entries[3] =
		(struct kvm_cpuid_entry2){.function = 0x80000008, .ecx = 0x3f};
	memset(&m, 0, sizeof(m));
	m.leaf = 1;
	m.subleaf = UINT32_MAX;
	strcpy(m.reg[2], "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx0");
	c = cpuid_for_vcpu(sup, 3, 4, &m, 1);
	tap_ok(c != NULL, "cpuid_for_vcpu builds a table");
	for (i = 0; c && i < c->nent; i++) {
		if (c->entries[i].function == 1) {
			apic = c->entries[i].ebx >> 24;
			tap_ok((c->entries[i].ecx & 1u) == 0 &&
				       (c->entries[i].ecx & (1u << 31)),
			       "leaf 1: mask cleared ECX bit 0, hypervisor bit "
			       "set");
			tap_is_int((c->entries[i].ebx >> 16) & 0xff, 4,
				   "leaf 1: logical processor count");
		}
		if (c->entries[i].function == 0xb && c->entries[i].index == 1)
			lvl1 = c->entries[i].ebx;
	}
	tap_is_int(apic, 3, "leaf 1: initial APIC id is the vCPU id");
	tap_is_int(lvl1, 4, "leaf 0xb level 1: 4 cores");
	free(c);
	strcpy(m.reg[2], "bogus");
	c = cpuid_for_vcpu(sup, 0, 1, &m, 1);
	tap_ok(c == NULL, "cpuid_for_vcpu refuses a bad mask");
	free(c);
	free(sup);
}

static void
test_rtc_pm(void)
{
	/* 2021-03-04 05:06:07 UTC, a Thursday */
	int64_t t = 1614834367;
	struct rtc *rtc = rtc_new(3500 * HV_MIB, false);
	uint8_t b;

	tap_ok(rtc_read_reg(rtc, 0, t) == 0x07 &&
		       rtc_read_reg(rtc, 2, t) == 0x06 &&
		       rtc_read_reg(rtc, 4, t) == 0x05 &&
		       rtc_read_reg(rtc, 7, t) == 0x04 &&
		       rtc_read_reg(rtc, 8, t) == 0x03 &&
		       rtc_read_reg(rtc, 9, t) == 0x21 &&
		       rtc_read_reg(rtc, 0x32, t) == 0x20,
	       "RTC: BCD time and century");
	b = 0x06; /* binary, 24h */
	rtc_io(rtc, XMHV_RTC_PORT, (uint8_t[]){0x0b}, 1, true);
	rtc_io(rtc, XMHV_RTC_PORT + 1, &b, 1, true);
	tap_ok(rtc_read_reg(rtc, 9, t) == 21 && rtc_read_reg(rtc, 0, t) == 7,
	       "RTC: binary mode after status B write");
	tap_ok(rtc_read_reg(rtc, 0x0d, t) == 0x80,
	       "RTC: status D reports valid time");
	tap_ok(rtc_read_reg(rtc, 0x15, t) == 0x80 &&
		       rtc_read_reg(rtc, 0x16, t) == 2,
	       "CMOS: 640 KiB base memory");
	/* 428 MiB above 4 GiB = 0x1ac0 units of 64 KiB */
	tap_ok(rtc_read_reg(rtc, 0x5b, t) == 0xc0 &&
		       rtc_read_reg(rtc, 0x5c, t) == 0x1a,
	       "CMOS: memory above 4 GiB in 64 KiB units");
	device_free(rtc_device(rtc));
	tap_is_int(pm_timer_ticks(1000000000ULL), 3579545,
		   "PM timer: 3.579545 MHz");
	tap_is_int(pm_timer_ticks(0), 0, "PM timer: starts at 0");
}

int
main(void)
{
	struct mem mem;

	test_e820();
	if (!tap_ok(mem_init(&mem, 64 * HV_MIB) == 0, "mem_init maps 64 MiB"))
		return tap_done();
	tap_ok(mem_gpa_to_hva(&mem, 64 * HV_MIB - 8, 8) != NULL &&
		       mem_gpa_to_hva(&mem, 64 * HV_MIB - 8, 9) == NULL &&
		       mem_gpa_to_hva(&mem, UINT64_MAX - 3, 8) == NULL &&
		       mem_gpa_to_hva(&mem, XMHV_PCI_HOLE_END, 1) == NULL,
	       "mem_gpa_to_hva: bounds checked, wrap-around refused");
	test_acpi(&mem);
	test_mptable(&mem);
	test_gsi_routes();
	test_cpuid();
	test_cpuid_xsave();
	test_rtc_pm();
	mem_dispose(&mem);
	return tap_done();
}
