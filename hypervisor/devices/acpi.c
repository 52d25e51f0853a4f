/* SPDX-License-Identifier: GPL-2.0-or-later */
/* acpi.c: the ACPI tables xmhv gives a guest: RSDP (rev 2), XSDT, FADT
 * (rev 6, fixed power button, PM1a block, SCI 9), FACS, MADT and a DSDT
 * whose AML (\_S5, COM1, PCI root) is assembled here byte by byte. */
#include <errno.h>
#include <string.h>

#include "arch/x86/x86.h"
#include "devices/cpuhp.h"
#include "devices/aml.h"
#include "devices/pci.h"
#include "devices/pcihp.h"

struct acpi_header {
	char sig[4];
	uint32_t len;
	uint8_t rev, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_rev;
	char creator[4];
	uint32_t creator_rev;
} __attribute__((packed));

struct acpi_rsdp {
	char sig[8];
	uint8_t checksum;
	char oem[6];
	uint8_t rev;
	uint32_t rsdt;
	uint32_t len;
	uint64_t xsdt;
	uint8_t ext_checksum, reserved[3];
} __attribute__((packed));

struct acpi_gas {
	uint8_t space, bit_width, bit_offset, access;
	uint64_t addr;
} __attribute__((packed));

/* The FADT of ACPI 6.x, 276 bytes. */
struct acpi_fadt {
	struct acpi_header h;
	uint32_t facs, dsdt;
	uint8_t reserved0, pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	uint32_t pm1a_evt, pm1b_evt, pm1a_cnt, pm1b_cnt, pm2_cnt, pm_tmr;
	uint32_t gpe0, gpe1;
	uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
	uint8_t gpe0_len, gpe1_len, gpe1_base, cst_cnt;
	uint16_t p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	uint8_t duty_offset, duty_width, day_alrm, mon_alrm, century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor;
	uint64_t x_facs, x_dsdt;
	struct acpi_gas x_pm1a_evt, x_pm1b_evt, x_pm1a_cnt, x_pm1b_cnt;
	struct acpi_gas x_pm2_cnt, x_pm_tmr, x_gpe0, x_gpe1;
	struct acpi_gas sleep_ctl, sleep_sts;
	uint64_t hypervisor_id;
} __attribute__((packed));

_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT layout");

#define FADT_WBINVD (1u << 0)
#define FADT_PROC_C1 (1u << 2)
#define FADT_SLP_BUTTON (1u << 5) /* 1: no fixed sleep button */
#define FADT_TMR_VAL_EXT (1u << 8)
#define FADT_RESET_REG_SUP (1u << 10)
#define FADT_BOOT_8042 (1u << 1)
#define FADT_BOOT_NO_VGA (1u << 2)

uint8_t
acpi_checksum(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return (uint8_t)-sum;
}

static void
acpi_header(struct acpi_header *h, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(h->sig, sig, 4);
	h->len = len;
	h->rev = rev;
	memcpy(h->oem, "XMTOOL", 6);
	memcpy(h->oem_table, "XMHV    ", 8);
	h->oem_rev = 1;
	memcpy(h->creator, "XMHV", 4);
	h->creator_rev = 1;
	h->checksum = 0;
	h->checksum = acpi_checksum(h, len);
}

static struct acpi_gas
acpi_io_gas(uint16_t port, uint8_t bits)
{
	uint8_t access = bits == 8 ? 1 : (bits == 16 ? 2 : 3);

	return (struct acpi_gas){1, bits, 0, access, port};
}

static const uint8_t acpi_com1_crs[] = {
	0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x00, 0x08, /* IO 0x3f8, 8 */
	0x22, 0x10, 0x00,                               /* IRQNoFlags {4} */
};

static const uint8_t acpi_rtc_crs[] = {
	0x47, 0x01, 0x70, 0x00, 0x70, 0x00, 0x01, 0x02, /* IO 0x70, 2 */
	0x22, 0x00, 0x01,                               /* IRQNoFlags {8} */
};

static const uint8_t acpi_pvpanic_crs[] = {
	0x47, 0x01, 0x05, 0x05, 0x05, 0x05, 0x01, 0x01, /* IO 0x505, 1 */
};

/* One AML resource descriptor per group. */
/* clang-format off */
static const uint8_t acpi_pci_crs[] = {
	/* WordBusNumber 0..0xff */
	0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xff, 0x00, 0x00, 0x00, 0x00, 0x01,
	/* IO 0xcf8, 8 (config mechanism #1) */
	0x47, 0x01, 0xf8, 0x0c, 0xf8, 0x0c, 0x01, 0x08,
	/* WordIO 0x0000..0x0cf7 and 0x0d00..0xffff */
	0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03, 0x00, 0x00,
	0x00, 0x00, 0xf7, 0x0c, 0x00, 0x00, 0xf8, 0x0c,
	0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03, 0x00, 0x00,
	0x00, 0x0d, 0xff, 0xff, 0x00, 0x00, 0x00, 0xf3,
	/* DWordMemory 0xc0000000..0xdfffffff, the 32-bit BAR window */
	0x87, 0x17, 0x00, 0x00, 0x0c, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0xff, 0xff,
	0xff, 0xdf, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x20,
};
/* clang-format on */

/* Name(_PRT, Package() { Package() { 0xSSSSFFFF, 0, 0, GSI }, ... }):
 * INTA of every slot on bus 0 to its IOAPIC input (pci_slot_gsi). */
static void
acpi_prt(struct aml *a)
{
	uint32_t addr;
	unsigned slot;
	size_t pkg, e;

	aml_byte(a, 0x08);
	aml_bytes(a, "_PRT", 4);
	aml_byte(a, 0x12); /* PackageOp */
	pkg = aml_open(a);
	aml_byte(a, 31);
	for (slot = 1; slot < 32; slot++) {
		aml_byte(a, 0x12);
		e = aml_open(a);
		aml_byte(a, 4);
		addr = slot << 16 | 0xffff;
		aml_byte(a, 0x0c); /* DWordPrefix */
		aml_bytes(a, &addr, 4);
		aml_byte(a, 0x00); /* pin: INTA */
		aml_byte(a, 0x00); /* source: none, a GSI */
		aml_byte(a, 0x0a);
		aml_byte(a, (uint8_t)pci_slot_gsi(slot));
		aml_close(a, e);
	}
	aml_close(a, pkg);
}

/* The DSDT body (AML after the header). Returns its length or -errno. */
/* ---- ACPI CPU hotplug (xmhv_platform.h XMHV_CPUHP_*), as QEMU's pc does
 * it: a Processor device per possible vCPU whose _STA/_MAT follow the
 * enabled bitmap, _EJ0 writes the eject register, and \_GPE._E02 notifies
 * the CPUs whose bit changed (1: check, now present; 3: eject request). ---- */

static void
acpi_cpu_seg(char seg[5], uint32_t n)
{
	static const char hex[] = "0123456789ABCDEF";

	seg[0] = 'C';
	seg[1] = hex[(n >> 8) & 15];
	seg[2] = hex[(n >> 4) & 15];
	seg[3] = hex[n & 15];
	seg[4] = '\0';
}

/* And(PRS0|PRS1, bit of CPU n, Zero): the CPU's bit, non-zero if enabled.
 * abs: \_SB_.PRSx (outside \_SB) instead of the plain NameSeg. */
static void
acpi_cpu_bit(struct aml *a, uint32_t n, bool abs)
{
	uint32_t mask = 1u << (n % 32);

	aml_byte(a, 0x7b); /* AndOp */
	if (abs)
		aml_bytes(a, "\\\x2e_SB_", 6);
	aml_bytes(a, n < 32 ? "PRS0" : "PRS1", 4);
	aml_byte(a, 0x0c);
	aml_bytes(a, &mask, 4);
	aml_byte(a, 0x00); /* no target */
}

/* Method(name) { If (bit) { Return (then) } Return (other) } */
static void
acpi_cpu_method_if(struct aml *a, uint32_t n, const char *name,
		   const uint8_t *yes, const uint8_t *no, size_t len)
{
	size_t m, i;

	aml_byte(a, 0x14); /* MethodOp */
	m = aml_open(a);
	aml_bytes(a, name, 4);
	aml_byte(a, 0x00);
	aml_byte(a, 0xa0); /* IfOp */
	i = aml_open(a);
	acpi_cpu_bit(a, n, false);
	aml_byte(a, 0xa4); /* ReturnOp */
	aml_bytes(a, yes, len);
	aml_close(a, i);
	aml_byte(a, 0xa4);
	aml_bytes(a, no, len);
	aml_close(a, m);
}

static void
acpi_cpu_device(struct aml *a, uint32_t n, uint32_t online)
{
	uint8_t sta_on[2] = {0x0a, 0x0f}, sta_off[2] = {0x0a, 0x00};
	uint8_t mat[2][12];
	uint32_t on = n < online ? 1u << (n % 32) : 0;
	char seg[5];
	size_t dev, m;
	int e;

	for (e = 0; e < 2; e++) {
		/* Buffer(8) { MADT processor local APIC entry } */
		const uint8_t b[12] = {
			0x11,       0x0b,       0x0a,
			0x08,       0x00,       0x08,
			(uint8_t)n, (uint8_t)n, (uint8_t)(e == 0),
			0x00,       0x00,       0x00};

		memcpy(mat[e], b, sizeof(b));
	}
	acpi_cpu_seg(seg, n);
	aml_bytes(a, "\x5b\x82", 2); /* DeviceOp */
	dev = aml_open(a);
	aml_bytes(a, seg, 4);
	aml_name_string(a, "_HID", "ACPI0007");
	aml_name_byte(a, "_UID", (uint8_t)n);
	aml_byte(a, 0x08); /* Name(CPON, bit when enabled at boot) */
	aml_bytes(a, "CPON", 4);
	aml_byte(a, 0x0c);
	aml_bytes(a, &on, 4);
	acpi_cpu_method_if(a, n, "_STA", sta_on, sta_off, sizeof(sta_on));
	acpi_cpu_method_if(a, n, "_MAT", mat[0], mat[1], sizeof(mat[0]));
	aml_byte(a, 0x14); /* Method(_EJ0, 1) { Store(n, CPEJ) } */
	m = aml_open(a);
	aml_bytes(a, "_EJ0", 4);
	aml_byte(a, 0x01);
	aml_byte(a, 0x70);
	aml_byte(a, 0x0a);
	aml_byte(a, (uint8_t)n);
	aml_bytes(a, "CPEJ", 4);
	aml_close(a, m);
	aml_close(a, dev);
}

/* Inside \_SB: the port block and one device per possible CPU. */
static void
acpi_cpus_sb(struct aml *a, uint32_t ncpus, uint32_t online)
{
	static const uint8_t region[] = {0x5b,
					 0x80,
					 'P',
					 'R',
					 'S',
					 'T',
					 0x01, /* SystemIO */
					 0x0b,
					 XMHV_CPUHP_PORT & 0xff,
					 XMHV_CPUHP_PORT >> 8,
					 0x0a,
					 XMHV_CPUHP_LEN};
	static const uint8_t fields[] = {
		'P', 'R',  'S', 'T', 0x03, /* DWordAcc */
		'P', 'R',  'S', '0', 0x20, 'P', 'R', 'S',
		'1', 0x20, 'C', 'P', 'E',  'J', 0x20};
	size_t f;
	uint32_t n;

	aml_bytes(a, region, sizeof(region));
	aml_bytes(a, "\x5b\x81", 2); /* FieldOp */
	f = aml_open(a);
	aml_bytes(a, fields, sizeof(fields));
	aml_close(a, f);
	for (n = 0; n < ncpus; n++)
		acpi_cpu_device(a, n, online);
}

/* \_GPE._E02: for each CPU whose bit changed, remember it and notify. */
static void
acpi_cpus_gpe(struct aml *a, uint32_t ncpus)
{
	uint8_t cpon[15] = {0x5c, 0x2f, 0x03, '_', 'S', 'B', '_'};
	uint8_t dev[10] = {0x5c, 0x2e, '_', 'S', 'B', '_'};
	size_t scope, m, i, j;
	char seg[5];
	uint32_t n;

	aml_byte(a, 0x10); /* ScopeOp \_GPE */
	scope = aml_open(a);
	aml_bytes(a, "\\_GPE", 5);
	aml_byte(a, 0x14);
	m = aml_open(a);
	aml_bytes(a, "_E02", 4);
	aml_byte(a, 0x00);
	for (n = 1; n < ncpus; n++) {
		acpi_cpu_seg(seg, n);
		memcpy(cpon + 7, seg, 4);
		memcpy(cpon + 11, "CPON", 4);
		memcpy(dev + 6, seg, 4);
		aml_byte(a, 0x70); /* Store(bit, Local0) */
		acpi_cpu_bit(a, n, true);
		aml_byte(a, 0x60);
		aml_byte(a, 0xa0); /* If (LNot(LEqual(Local0, CPON))) */
		i = aml_open(a);
		aml_bytes(a, "\x92\x93\x60", 3);
		aml_bytes(a, cpon, sizeof(cpon));
		aml_bytes(a, "\x70\x60", 2); /* Store(Local0, CPON) */
		aml_bytes(a, cpon, sizeof(cpon));
		aml_byte(a, 0xa0); /* If (Local0) { Notify(dev, 1) } */
		j = aml_open(a);
		aml_byte(a, 0x60);
		aml_byte(a, 0x86);
		aml_bytes(a, dev, sizeof(dev));
		aml_byte(a, 0x01);
		aml_close(a, j);
		aml_byte(a, 0xa1); /* Else { Notify(dev, 3) } */
		j = aml_open(a);
		aml_byte(a, 0x86);
		aml_bytes(a, dev, sizeof(dev));
		aml_bytes(a, "\x0a\x03", 2);
		aml_close(a, j);
		aml_close(a, i);
	}
	aml_close(a, m);
	aml_close(a, scope);
}

static int
acpi_dsdt_aml(uint8_t *buf, size_t max, uint32_t ncpus, uint32_t online)
{
	static const uint8_t s5[] = {0x08, '_',
				     'S',  '5',
				     '_',  0x12,
				     0x08, 0x04,
				     0x0a, XMHV_ACPI_S5_SLP_TYP,
				     0x0a, XMHV_ACPI_S5_SLP_TYP,
				     0x00, 0x00};
	struct aml a = {buf, 0, max, 0};
	size_t scope, dev;

	aml_bytes(&a, s5, sizeof(s5));
	aml_byte(&a, 0x10); /* ScopeOp \_SB_ */
	scope = aml_open(&a);
	aml_bytes(&a, "\\_SB_", 5);

	aml_bytes(&a, "\x5b\x82", 2); /* DeviceOp COM1 */
	dev = aml_open(&a);
	aml_bytes(&a, "COM1", 4);
	aml_name_eisaid(&a, "_HID", "PNP0501");
	aml_name_byte(&a, "_UID", 1);
	aml_name_resources(&a, "_CRS", acpi_com1_crs, sizeof(acpi_com1_crs));
	aml_close(&a, dev);

	aml_bytes(&a, "\x5b\x82", 2); /* DeviceOp RTC0 */
	dev = aml_open(&a);
	aml_bytes(&a, "RTC0", 4);
	aml_name_eisaid(&a, "_HID", "PNP0B00");
	aml_name_resources(&a, "_CRS", acpi_rtc_crs, sizeof(acpi_rtc_crs));
	aml_close(&a, dev);

	/* pvpanic, as QEMU describes it (Linux's pvpanic driver binds to
	 * QEMU0001). */
	aml_bytes(&a, "\x5b\x82", 2); /* DeviceOp PEVT */
	dev = aml_open(&a);
	aml_bytes(&a, "PEVT", 4);
	aml_name_string(&a, "_HID", "QEMU0001");
	aml_name_resources(&a, "_CRS", acpi_pvpanic_crs,
			   sizeof(acpi_pvpanic_crs));
	aml_close(&a, dev);

	aml_bytes(&a, "\x5b\x82", 2); /* DeviceOp PCI0 */
	dev = aml_open(&a);
	aml_bytes(&a, "PCI0", 4);
	aml_name_eisaid(&a, "_HID", "PNP0A03");
	aml_name_byte(&a, "_ADR", 0);
	aml_name_byte(&a, "_BBN", 0);
	aml_name_byte(&a, "_UID", 0);
	aml_name_resources(&a, "_CRS", acpi_pci_crs, sizeof(acpi_pci_crs));
	acpi_prt(&a);
	acpi_pcihp_slots(&a);
	aml_close(&a, dev);

	acpi_cpus_sb(&a, ncpus, online);
	aml_close(&a, scope);
	acpi_cpus_gpe(&a, ncpus);
	acpi_pcihp_gpe(&a);
	return a.err ? a.err : (int)a.len;
}

static void
acpi_fill_fadt(struct acpi_fadt *f, uint64_t facs, uint64_t dsdt)
{
	memset(f, 0, sizeof(*f));
	f->facs = (uint32_t)facs;
	f->dsdt = (uint32_t)dsdt;
	f->x_facs = 0; /* FIRMWARE_CTRL is used when X_FIRMWARE_CTRL is 0 */
	f->x_dsdt = dsdt;
	f->sci_int = XMHV_ACPI_SCI_IRQ;
	f->smi_cmd = XMHV_ACPI_SMI_CMD;
	f->pm1a_evt = XMHV_ACPI_PM1A_EVT_BLK;
	f->pm1a_cnt = XMHV_ACPI_PM1A_CNT_BLK;
	f->pm_tmr = XMHV_ACPI_PM_TMR_BLK;
	f->gpe0 = XMHV_ACPI_GPE0_BLK;
	f->pm1_evt_len = 4;
	f->pm1_cnt_len = 2;
	f->pm_tmr_len = 4;
	f->gpe0_len = 4;
	f->p_lvl2_lat = 101; /* > 100: C2 not supported */
	f->p_lvl3_lat = 1001;
	f->century = 0x32;
	f->iapc_boot_arch = FADT_BOOT_8042 | FADT_BOOT_NO_VGA;
	f->flags = FADT_WBINVD | FADT_PROC_C1 | FADT_SLP_BUTTON |
		   FADT_TMR_VAL_EXT | FADT_RESET_REG_SUP;
	f->reset_reg = acpi_io_gas(0xcf9, 8);
	f->reset_value = 0x06;
	f->minor = 0;
	f->x_pm1a_evt = acpi_io_gas(XMHV_ACPI_PM1A_EVT_BLK, 32);
	f->x_pm1a_cnt = acpi_io_gas(XMHV_ACPI_PM1A_CNT_BLK, 16);
	f->x_pm_tmr = acpi_io_gas(XMHV_ACPI_PM_TMR_BLK, 32);
	f->x_gpe0 = acpi_io_gas(XMHV_ACPI_GPE0_BLK, 32);
	memcpy(&f->hypervisor_id, "XMHV\0\0\0\0", 8);
	acpi_header(&f->h, "FACP", sizeof(*f), 6);
}

/* MADT: LAPIC per CPU (the first online enabled, the rest hot-pluggable),
 * IOAPIC, IRQ0 -> GSI2, SCI level/low, LINT1 NMI. */
static int
acpi_madt(uint8_t *p, size_t max, uint32_t ncpus, uint32_t online)
{
	size_t len = 44 + 8 * ncpus + 12 + 2 * 10 + 6;
	uint8_t *e = p + 44;
	uint32_t i, v;

	if (len > max || ncpus > 255)
		return -ENOSPC;
	memset(p, 0, len);
	v = (uint32_t)XMHV_LAPIC_ADDR;
	memcpy(p + 36, &v, 4);
	v = 1; /* PCAT_COMPAT: there are 8259s */
	memcpy(p + 40, &v, 4);
	for (i = 0; i < ncpus; i++, e += 8) {
		e[0] = 0;
		e[1] = 8;
		e[2] = (uint8_t)i; /* processor uid */
		e[3] = (uint8_t)i; /* APIC id */
		e[4] = i < online; /* enabled; else hot-pluggable */
	}
	e[0] = 1;
	e[1] = 12;
	e[2] = 0; /* IOAPIC id */
	v = (uint32_t)XMHV_IOAPIC_ADDR;
	memcpy(e + 4, &v, 4);
	e += 12; /* GSI base 0 */
	e[0] = 2;
	e[1] = 10;
	e[3] = 0; /* IRQ 0 -> GSI 2 */
	e[4] = 2;
	e += 10;
	e[0] = 2;
	e[1] = 10;
	e[3] = XMHV_ACPI_SCI_IRQ;
	e[4] = XMHV_ACPI_SCI_IRQ;
	e[8] = 0x0f; /* active low, level */
	e += 10;
	e[0] = 4;
	e[1] = 6;
	e[2] = 0xff; /* all processors */
	e[5] = 1;    /* LINT1 */
	acpi_header((struct acpi_header *)(void *)p, "APIC", (uint32_t)len, 4);
	return (int)len;
}

int
acpi_write(const struct mem *mem, uint64_t rsdp_gpa, uint64_t tables_gpa,
	   uint64_t tables_end, uint32_t ncpus)
{
	return acpi_write_cpus(mem, rsdp_gpa, tables_gpa, tables_end, ncpus,
			       ncpus);
}

int
acpi_write_cpus(const struct mem *mem, uint64_t rsdp_gpa, uint64_t tables_gpa,
		uint64_t tables_end, uint32_t ncpus, uint32_t online)
{
	uint64_t max = tables_end - tables_gpa, facs, dsdt, fadt, madt, xsdt,
		 rsdt;
	uint32_t re[2];
	uint8_t *base = mem_gpa_to_hva(mem, tables_gpa, max), *p;
	struct acpi_rsdp *rsdp = mem_gpa_to_hva(mem, rsdp_gpa, sizeof(*rsdp));
	uint64_t xe[2];
	size_t off = 0;
	int n;

	if (!base || !rsdp || max < 4096)
		return -EFAULT;
	memset(base, 0, max);
	/* FACS: 64 bytes, 64-byte aligned (tables_gpa is page aligned). */
	facs = tables_gpa;
	memcpy(base, "FACS", 4);
	base[4] = 64;
	base[32] = 2; /* version */
	off = 64;
	dsdt = tables_gpa + off;
	n = acpi_dsdt_aml(base + off + 36, max - off - 36, ncpus, online);
	if (n < 0)
		return n;
	acpi_header((struct acpi_header *)(void *)(base + off), "DSDT",
		    (uint32_t)(36 + n), 2);
	off = (off + 36 + (size_t)n + 15) & ~(size_t)15;
	fadt = tables_gpa + off;
	if (off + sizeof(struct acpi_fadt) > max)
		return -ENOSPC;
	acpi_fill_fadt((struct acpi_fadt *)(void *)(base + off), facs, dsdt);
	off = (off + sizeof(struct acpi_fadt) + 15) & ~(size_t)15;
	madt = tables_gpa + off;
	n = acpi_madt(base + off, max - off, ncpus, online);
	if (n < 0)
		return n;
	off = (off + (size_t)n + 15) & ~(size_t)15;
	xsdt = tables_gpa + off;
	if (off + 36 + 16 + 16 + 36 + 8 > max)
		return -ENOSPC;
	p = base + off;
	xe[0] = fadt;
	xe[1] = madt;
	memcpy(p + 36, xe, sizeof(xe));
	acpi_header((struct acpi_header *)(void *)p, "XSDT", 36 + 16, 1);
	/* An RSDT too, for guests that only read 32-bit pointers. */
	off += 36 + 16;
	rsdt = tables_gpa + off;
	p = base + off;
	re[0] = (uint32_t)fadt;
	re[1] = (uint32_t)madt;
	memcpy(p + 36, re, sizeof(re));
	acpi_header((struct acpi_header *)(void *)p, "RSDT", 36 + 8, 1);

	memset(rsdp, 0, sizeof(*rsdp));
	memcpy(rsdp->sig, "RSD PTR ", 8);
	memcpy(rsdp->oem, "XMTOOL", 6);
	rsdp->rev = 2;
	rsdp->rsdt = (uint32_t)rsdt;
	rsdp->len = sizeof(*rsdp);
	rsdp->xsdt = xsdt;
	rsdp->checksum = acpi_checksum(rsdp, 20);
	rsdp->ext_checksum = acpi_checksum(rsdp, sizeof(*rsdp));
	return 0;
}
