/* SPDX-License-Identifier: GPL-2.0-or-later */
/* acpi.c: finds and checks the ACPI tables (RSDP, RSDT/XSDT, FADT, MADT,
 * DSDT's \_S5_), and drives the PM1 block: S5 poweroff, power button SCI. */
#include "guest.h"
#include "xmhv_platform.h"

#define ACPI_TABLE_MAX (1u << 20)
#define ACPI_HDR_LEN 36
#define ACPI_PM1_PWRBTN (1u << 8)
#define ACPI_PM1_SLP_EN (1u << 13)
#define ACPI_PM1_SLP_TYP_MASK (7u << 10)
#define AML_NAME_OP 0x08
#define AML_PACKAGE_OP 0x12

struct platform plat;

static uint16_t
acpi_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
acpi_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t
acpi_u64(const uint8_t *p)
{
	return acpi_u32(p) | (uint64_t)acpi_u32(p + 4) << 32;
}

static int
acpi_sum_ok(const uint8_t *p, uint32_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return sum == 0;
}

/* A table at gpa, mapped (below 4 GiB), of sane length, checksum right:
 * returns it, else NULL. */
static const uint8_t *
acpi_table(uint64_t gpa, const char *sig)
{
	const uint8_t *t = (const uint8_t *)(uintptr_t)gpa;
	uint32_t len;

	if (!gpa || gpa + ACPI_HDR_LEN > XMHV_PCI_HOLE_END)
		return NULL;
	len = acpi_u32(t + 4);
	if (len < ACPI_HDR_LEN || len > ACPI_TABLE_MAX ||
	    gpa + len > XMHV_PCI_HOLE_END)
		return NULL;
	if (sig && memcmp(t, sig, 4))
		return NULL;
	return acpi_sum_ok(t, len) ? t : NULL;
}

static int
acpi_rsdp_ok(const uint8_t *p)
{
	if (memcmp(p, "RSD PTR ", 8) || !acpi_sum_ok(p, 20))
		return 0;
	return p[15] < 2 || acpi_sum_ok(p, 36);
}

static uint64_t
acpi_find_rsdp(uint64_t hint)
{
	uint64_t a, ebda;

	if (hint && hint < XMHV_PCI_HOLE_END - 36 &&
	    acpi_rsdp_ok((const uint8_t *)(uintptr_t)hint))
		return hint;
	ebda = (uint64_t)low_read16(0x40e) << 4;
	if (ebda >= 0x80000 && ebda < 0xa0000)
		for (a = ebda; a < ebda + 1024; a += 16)
			if (acpi_rsdp_ok((const uint8_t *)(uintptr_t)a))
				return a;
	for (a = 0xe0000; a < 0x100000; a += 16)
		if (acpi_rsdp_ok((const uint8_t *)(uintptr_t)a))
			return a;
	return 0;
}

/* AML: Name(_S5_, Package(){ SLP_TYPa, ... }): the first element; every
 * read is bounded by the table length. */
static int
acpi_parse_s5(const uint8_t *dsdt, uint32_t len)
{
	uint32_t i, p;

	for (i = ACPI_HDR_LEN + 1; i + 4 <= len; i++) {
		if (dsdt[i] != '_' || memcmp(dsdt + i, "_S5_", 4))
			continue;
		if (dsdt[i - 1] != AML_NAME_OP &&
		    !(dsdt[i - 1] == '\\' && dsdt[i - 2] == AML_NAME_OP))
			continue;
		p = i + 4;
		if (p + 2 >= len || dsdt[p++] != AML_PACKAGE_OP)
			continue;
		p += 1 + (dsdt[p] >> 6); /* PkgLength */
		p++;                     /* NumElements */
		if (p >= len)
			continue;
		switch (dsdt[p]) {
		case 0x00: /* ZeroOp */
			return 0;
		case 0x01: /* OneOp */
			return 1;
		case 0x0a: /* BytePrefix */
			return p + 1 < len ? dsdt[p + 1] & 7 : -1;
		case 0x0b: /* WordPrefix */
			return p + 2 < len ? acpi_u16(dsdt + p + 1) & 7 : -1;
		case 0x0c: /* DWordPrefix */
			return p + 4 < len ? (int)(acpi_u32(dsdt + p + 1) & 7)
					   : -1;
		default:
			return -1;
		}
	}
	return -1;
}

static void
acpi_parse_fadt(const uint8_t *f)
{
	uint32_t len = acpi_u32(f + 4);
	uint64_t dsdt_gpa = acpi_u32(f + 40);
	const uint8_t *dsdt;

	plat.fadt_ok = len >= 116;
	if (!plat.fadt_ok)
		return;
	plat.sci_irq = acpi_u16(f + 46);
	plat.smi_cmd = acpi_u32(f + 48);
	plat.acpi_enable = f[52];
	plat.pm1a_evt = (uint16_t)acpi_u32(f + 56);
	plat.pm1a_cnt = (uint16_t)acpi_u32(f + 64);
	plat.pm1_evt_len = f[88];
	plat.gpe0_blk = (uint16_t)acpi_u32(f + 80);
	plat.gpe0_len = f[92];
	/* hardware-reduced ACPI (QEMU microvm): SLEEP_CONTROL_REG, a GAS in
	 * system memory (0) or I/O (1) space */
	if (len >= 260 && (f[244] == 0 || f[244] == 1) && acpi_u64(f + 248)) {
		plat.sleep_ctl_space = f[244];
		plat.sleep_ctl = acpi_u64(f + 248);
	}
	if (len >= 148 && acpi_u64(f + 140))
		dsdt_gpa = acpi_u64(f + 140);
	/* X_PM1a_EVT_BLK / X_PM1a_CNT_BLK (system I/O space) if the legacy
	 * fields are empty */
	if (!plat.pm1a_evt && len >= 160 && f[148] == 1)
		plat.pm1a_evt = (uint16_t)acpi_u64(f + 152);
	if (!plat.pm1a_cnt && len >= 184 && f[172] == 1)
		plat.pm1a_cnt = (uint16_t)acpi_u64(f + 176);
	dsdt = acpi_table(dsdt_gpa, "DSDT");
	if (dsdt)
		plat.s5_slp_typ = acpi_parse_s5(dsdt, acpi_u32(dsdt + 4));
}

static void
acpi_parse_madt(const uint8_t *m)
{
	uint32_t len = acpi_u32(m + 4), off;

	plat.lapic_gpa = acpi_u32(m + 36);
	for (off = 44; off + 2 <= len; off += m[off + 1]) {
		const uint8_t *e = m + off;
		uint32_t id = GUEST_MAX_CPUS, enabled = 0;

		if (e[1] < 2 || off + e[1] > len)
			break;
		switch (e[0]) {
		case 0: /* processor local APIC */
			id = e[3];
			enabled = acpi_u32(e + 4) & 1;
			break;
		case 1: /* IOAPIC */
			if (!plat.ioapic_gpa) {
				plat.ioapic_gpa = acpi_u32(e + 4);
				plat.ioapic_gsi_base = acpi_u32(e + 8);
			}
			break;
		case 2: /* interrupt source override */
			if (e[3] < 16) {
				plat.isa_gsi[e[3]] = acpi_u32(e + 4);
				plat.isa_flags[e[3]] = acpi_u16(e + 8);
			}
			break;
		case 5: /* local APIC address override */
			plat.lapic_gpa = (uint32_t)acpi_u64(e + 4);
			break;
		case 9: /* processor local x2APIC */
			id = acpi_u32(e + 4);
			enabled = acpi_u32(e + 8) & 1;
			break;
		default:
			break;
		}
		if (enabled && plat.ncpus < GUEST_MAX_CPUS)
			plat.apic_ids[plat.ncpus++] = id;
	}
}

/* acpi_init: fills plat from the ACPI tables, starting at rsdp_hint (from
 * the loader) or a BIOS-area scan. 0, or -1 when there is no valid RSDP or
 * no MADT (the caller may then try the MP table). BSP, at boot. */
int
acpi_init(uint64_t rsdp_hint)
{
	const uint8_t *rsdp, *root;
	uint32_t i, n, esz;
	int have_madt = 0;

	for (i = 0; i < 16; i++)
		plat.isa_gsi[i] = i;
	plat.s5_slp_typ = -1;
	plat.lapic_gpa = (uint32_t)XMHV_LAPIC_ADDR;
	plat.rsdp_gpa = acpi_find_rsdp(rsdp_hint);
	if (!plat.rsdp_gpa)
		return -1;
	rsdp = (const uint8_t *)(uintptr_t)plat.rsdp_gpa;
	if (rsdp[15] >= 2 && acpi_u64(rsdp + 24)) {
		root = acpi_table(acpi_u64(rsdp + 24), "XSDT");
		esz = 8;
	} else {
		root = acpi_table(acpi_u32(rsdp + 16), "RSDT");
		esz = 4;
	}
	if (!root)
		return -1;
	n = (acpi_u32(root + 4) - ACPI_HDR_LEN) / esz;
	for (i = 0; i < n; i++) {
		const uint8_t *ep = root + ACPI_HDR_LEN + i * esz;
		uint64_t gpa = esz == 8 ? acpi_u64(ep) : acpi_u32(ep);
		const uint8_t *t = acpi_table(gpa, NULL);

		if (!t)
			continue;
		if (!memcmp(t, "FACP", 4))
			acpi_parse_fadt(t);
		else if (!memcmp(t, "APIC", 4)) {
			acpi_parse_madt(t);
			have_madt = 1;
		}
	}
	if (!plat.ioapic_gpa)
		plat.ioapic_gpa = (uint32_t)XMHV_IOAPIC_ADDR;
	plat.source = "ACPI";
	return have_madt ? 0 : -1;
}

/* acpi_report: the "acpi:" boot line. */
void
acpi_report(void)
{
	if (!plat.rsdp_gpa) {
		console_printf("acpi: no RSDP found\n");
		return;
	}
	console_printf("acpi: RSDP at 0x%lx, FADT %s, MADT: %u CPUs, "
		       "PM1a_EVT 0x%x PM1a_CNT 0x%x SCI %u, S5 SLP_TYP %d\n",
		       plat.rsdp_gpa, plat.fadt_ok ? "ok" : "missing",
		       plat.ncpus, plat.pm1a_evt, plat.pm1a_cnt, plat.sci_irq,
		       plat.s5_slp_typ);
}

/* acpi_enable_power_button: ACPI mode on (through SMI_CMD if SCI_EN is
 * still off, as on a PC BIOS), PWRBTN_EN set. BSP, after the SCI is routed. */
void
acpi_enable_power_button(void)
{
	uint16_t en_port;
	int i;

	if (!plat.fadt_ok || !plat.pm1a_evt || !plat.pm1a_cnt)
		return;
	if (!(inw(plat.pm1a_cnt) & XMHV_ACPI_PM1_SCI_EN) && plat.smi_cmd &&
	    plat.acpi_enable) {
		outb((uint16_t)plat.smi_cmd, plat.acpi_enable);
		for (i = 0; i < 1000 && !(inw(plat.pm1a_cnt) & 1); i++)
			cpu_relax();
	}
	en_port = (uint16_t)(plat.pm1a_evt +
			     (plat.pm1_evt_len ? plat.pm1_evt_len / 2 : 2));
	outw(plat.pm1a_evt, ACPI_PM1_PWRBTN); /* clear a stale press */
	outw(en_port, inw(en_port) | ACPI_PM1_PWRBTN);
	/* CPU hotplug events (GPE0 bit 2, xmhv_platform.h) */
	if (plat.gpe0_blk && plat.gpe0_len >= 2) {
		en_port = (uint16_t)(plat.gpe0_blk + plat.gpe0_len / 2);
		outb(plat.gpe0_blk, 1u << XMHV_ACPI_GPE0_CPUHP_BIT |
					    1u << XMHV_ACPI_GPE0_PCIHP_BIT);
		outb(en_port, inb(en_port) | 1u << XMHV_ACPI_GPE0_CPUHP_BIT |
				      1u << XMHV_ACPI_GPE0_PCIHP_BIT);
	}
}

/* acpi_poweroff: S5 through PM1a_CNT (or the hardware-reduced sleep control
 * register); does not return when it works, prints why and returns when the
 * tables gave no way to do it. */
void
acpi_poweroff(void)
{
	uint16_t v;
	uint8_t ctl;

	if (plat.s5_slp_typ >= 0 && !plat.pm1a_cnt && plat.sleep_ctl) {
		ctl = (uint8_t)((unsigned)plat.s5_slp_typ << 2 | 1u << 5);
		if (plat.sleep_ctl_space == 1)
			outb((uint16_t)plat.sleep_ctl, ctl);
		else if (plat.sleep_ctl < XMHV_PCI_HOLE_END)
			*(volatile uint8_t *)(uintptr_t)plat.sleep_ctl = ctl;
		guest_halt();
	}
	if (!plat.pm1a_cnt || plat.s5_slp_typ < 0) {
		console_printf("poweroff: no ACPI S5 (PM1a_CNT 0x%x, SLP_TYP "
			       "%d)\n",
			       plat.pm1a_cnt, plat.s5_slp_typ);
		return;
	}
	v = inw(plat.pm1a_cnt) & (uint16_t)~ACPI_PM1_SLP_TYP_MASK;
	v |= (uint16_t)((unsigned)plat.s5_slp_typ << 10) | ACPI_PM1_SLP_EN;
	outw(plat.pm1a_cnt, v);
	guest_halt();
}

/* acpi_sci: the SCI handler (interrupt context, BSP): acknowledges the PM1
 * status bits; a power button press shuts the guest down. */
void
acpi_sci(void)
{
	uint16_t sts;
	uint8_t gpe;

	if (plat.gpe0_blk) {
		gpe = inb(plat.gpe0_blk);
		if (gpe)
			outb(plat.gpe0_blk, gpe);
		if (gpe & 1u << XMHV_ACPI_GPE0_CPUHP_BIT)
			smp_hp_pending = 1;
		if (gpe & 1u << XMHV_ACPI_GPE0_PCIHP_BIT)
			blk_hp_pending = 1;
	}
	if (!plat.pm1a_evt)
		return;
	sts = inw(plat.pm1a_evt);
	if (sts)
		outw(plat.pm1a_evt, sts);
	if (sts & ACPI_PM1_PWRBTN) {
		console_printf("\npower button: shutting down\n");
		acpi_poweroff();
	}
}
