/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hv_pci_routes.c: xmhv's interrupt routing without KVM: the MSI-X table's
 * pure register functions, the KVM routing table object, and the DSDT's
 * _PRT parsed back and compared with pci_slot_gsi. */
#include <errno.h>
#include <linux/kvm.h>
#include <string.h>

#include "boot/boot.h"
#include "devices/cpuhp.h"
#include "devices/pci.h"
#include "devices/pci_int.h"
#include "kvm.h"
#include "mem.h"
#include "tap.h"

#define MSI_ADDR 0xfee00000u

static void
test_msix_pure(void)
{
	struct msix_vec v[2];
	const uint8_t q[8] = {0, 0, 0xe0, 0xfe, 1, 0, 0, 0};
	uint8_t r[8];

	memset(v, 0, sizeof(v));
	tap_ok(msix_table_write(v, 2, 16, q, 8) == 1 &&
		       v[1].e.addr_lo == 0xfee00000 && v[1].e.addr_hi == 1,
	       "table: a qword write sets both address dwords");
	tap_ok(msix_table_write(v, 2, 18, q, 4) == -1 &&
		       msix_table_write(v, 2, 16, q, 2) == -1 &&
		       msix_table_write(v, 2, 32, q, 4) == -1,
	       "table: unaligned, short and past-the-end writes are ignored");
	tap_ok(msix_table_write(v, 2, 28,
				(const uint8_t[]){0xff, 0xff, 0xff, 0xff},
				4) == 1 &&
		       v[1].e.ctrl == 1,
	       "table: only the mask bit of vector control is writable");
	msix_table_read(v, 2, 30, r, 4);
	tap_ok(r[0] == 0 && r[1] == 0 && r[2] == 0 && r[3] == 0,
	       "table: reads past the end are 0");
}

/* ---- the routing table ---- */

static void
test_routes(void)
{
	struct kvm_irq_routing_entry e[KVM_GSI_ROUTES + 4];
	struct kvm_routes *r = kvm_routes_new(-1);
	int a, b, n;

	a = kvm_routes_add_msi(r, MSI_ADDR, 0x41);
	b = kvm_routes_add_msi(r, 0x1fee01000ULL, 0x42);
	n = kvm_routes_fill(r, e, ARRAY_SIZE_HV(e));
	tap_ok(a == 24 && b == 25 && n == KVM_GSI_ROUTES + 2 &&
		       e[n - 1].type == KVM_IRQ_ROUTING_MSI &&
		       e[n - 1].gsi == 25 && e[n - 1].u.msi.address_hi == 1 &&
		       e[n - 1].u.msi.address_lo == 0xfee01000 &&
		       e[n - 1].u.msi.data == 0x42,
	       "routes: the pc table, then MSI routes on GSIs 24, 25");
	tap_is_int(kvm_routes_fill(r, e, KVM_GSI_ROUTES + 1), -ENOSPC,
		   "routes: fill refuses a short array");
	kvm_routes_del(r, 24);
	tap_ok(kvm_routes_add_msi(r, MSI_ADDR, 0x43) == 24 &&
		       kvm_routes_set_msi(r, 25, MSI_ADDR, 0x44) == 0 &&
		       kvm_routes_set_msi(r, 5, MSI_ADDR, 0) == -ENOENT,
	       "routes: a freed GSI is reused; IOAPIC GSIs are not MSI routes");
	tap_is_int(kvm_routes_commit(r), -EBADF,
		   "routes: commit hands the table to KVM (no VM here)");
	kvm_routes_free(r);
}

/* ---- the DSDT's _PRT against pci_slot_gsi ---- */

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

/* An AML PkgLength at p (end e): the length it encodes, its own size in
 * *n; 0 on a bad encoding. */
static size_t
aml_pkglen(const uint8_t *p, const uint8_t *e, size_t *n)
{
	size_t len, i;

	if (p >= e)
		return 0;
	*n = 1 + (p[0] >> 6);
	if (*n > (size_t)(e - p))
		return 0;
	if (*n == 1)
		return p[0] & 0x3f;
	len = p[0] & 0x0f;
	for (i = 1; i < *n; i++)
		len |= (size_t)p[i] << (4 + 8 * (i - 1));
	return len;
}

/* An AML integer (ZeroOp, OneOp, Byte/Word/DWord/QWordPrefix) at *p;
 * false on anything else. */
static bool
aml_int(const uint8_t **p, const uint8_t *e, uint64_t *v)
{
	static const size_t sz[] = {
		[0x0a] = 1, [0x0b] = 2, [0x0c] = 4, [0x0e] = 8};
	size_t n, i;
	uint8_t op;

	if (*p >= e)
		return false;
	op = **p;
	if (op == 0x00 || op == 0x01) {
		*v = op;
		(*p)++;
		return true;
	}
	if (op >= ARRAY_SIZE_HV(sz) || !sz[op])
		return false;
	n = sz[op];
	if (n + 1 > (size_t)(e - *p))
		return false;
	for (*v = 0, i = 0; i < n; i++)
		*v |= (uint64_t)(*p)[1 + i] << (8 * i);
	*p += 1 + n;
	return true;
}

static void
test_prt(const struct mem *mem)
{
	const uint8_t *rsdp, *xsdt, *fadt = NULL, *dsdt, *p, *e, *pe, *q;
	uint64_t addr, pin, src, gsi;
	uint32_t seen = 0, i, xlen;
	size_t len, n = 0;
	unsigned count, good = 0, entries = 0;

	tap_is_int(acpi_write_cpus(mem, HV_ACPI_RSDP_GPA, HV_ACPI_TABLES_GPA,
				   HV_ACPI_TABLES_END, 2, 2),
		   0, "ACPI tables written");
	rsdp = mem_gpa_to_hva(mem, HV_ACPI_RSDP_GPA, 36);
	xsdt = mem_gpa_to_hva(mem, rd64(rsdp + 24), 36);
	xlen = rd32(xsdt + 4);
	for (i = 36; i + 8 <= xlen; i += 8) {
		p = mem_gpa_to_hva(mem, rd64(xsdt + i), 36);
		if (p && memcmp(p, "FACP", 4) == 0)
			fadt = p;
	}
	dsdt = fadt ? mem_gpa_to_hva(mem, rd64(fadt + 140), 36) : NULL;
	dsdt = dsdt ? mem_gpa_to_hva(mem, rd64(fadt + 140), rd32(dsdt + 4))
		    : NULL;
	p = dsdt ? memmem(dsdt, rd32(dsdt + 4), "\x08_PRT\x12", 6) : NULL;
	if (!tap_ok(p != NULL, "DSDT: Name(_PRT, Package) found"))
		return;
	e = dsdt + rd32(dsdt + 4);
	p += 6;
	len = aml_pkglen(p, e, &n);
	pe = len && len <= (size_t)(e - p) ? p + len : p;
	p += n;
	count = p < pe ? *p++ : 0;
	while (p < pe && *p == 0x12) {
		q = ++p;
		len = aml_pkglen(q, pe, &n);
		if (!len || len > (size_t)(pe - q) || q[n] != 4)
			break;
		p = q + n + 1;
		if (!aml_int(&p, q + len, &addr) ||
		    !aml_int(&p, q + len, &pin) ||
		    !aml_int(&p, q + len, &src) ||
		    !aml_int(&p, q + len, &gsi) || p != q + len)
			break;
		entries++;
		if ((addr & 0xffff) == 0xffff && (addr >> 16) < 32 &&
		    pin == 0 && src == 0 && gsi == pci_slot_gsi(addr >> 16) &&
		    !(seen & 1u << (addr >> 16))) {
			seen |= 1u << (addr >> 16);
			good++;
		}
	}
	tap_ok(count == 31 && entries == 31 && p == pe,
	       "_PRT: a package of 31 four-element packages, parsed whole");
	tap_ok(good == 31 && seen == 0xfffffffe,
	       "_PRT: INTA of every slot 1..31 routes to pci_slot_gsi(slot)");
}

int
main(void)
{
	struct mem mem;

	test_msix_pure();
	test_routes();
	if (tap_ok(mem_init(&mem, 64 * HV_MIB) == 0, "mem_init maps 64 MiB")) {
		test_prt(&mem);
		mem_dispose(&mem);
	}
	return tap_done();
}
