/* SPDX-License-Identifier: GPL-2.0-or-later */
/* acpi_pcihp.c: the DSDT objects of ACPI PCI hot-plug (pcihp.h), as
 * QEMU's piix4 describes them to guests: inside \_SB.PCI0 the register
 * block (PCIU, PCID, B0EJ), a device Snn_ per slot 1-31 (_ADR, _SUN, _EJ0
 * writing the slot's bit to B0EJ) and PCNT, which notifies each slot whose
 * up bit is set (1: device check) or whose down bit is set (3: eject
 * request); \_GPE._E01 calls PCNT. Linux's acpiphp binds to such slots. */
#include <string.h>

#include "aml.h"
#include "pcihp.h"

static void
acpi_pcihp_seg(char seg[5], unsigned slot)
{
	static const char hex[] = "0123456789ABCDEF";

	seg[0] = 'S';
	seg[1] = hex[(slot >> 4) & 15];
	seg[2] = hex[slot & 15];
	seg[3] = '_';
	seg[4] = '\0';
}

static void
acpi_pcihp_dword(struct aml *a, uint32_t v)
{
	uint8_t b[5] = {0x0c, (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			(uint8_t)(v >> 24)};

	aml_bytes(a, b, sizeof(b));
}

/* Device(Snn_) { Name(_ADR, slot << 16) Name(_SUN, slot)
 *                Method(_EJ0, 1) { Store(1 << slot, B0EJ) } } */
static void
acpi_pcihp_slot(struct aml *a, unsigned slot)
{
	char seg[5];
	size_t dev, m;

	acpi_pcihp_seg(seg, slot);
	aml_bytes(a, "\x5b\x82", 2); /* DeviceOp */
	dev = aml_open(a);
	aml_bytes(a, seg, 4);
	aml_byte(a, 0x08); /* NameOp _ADR */
	aml_bytes(a, "_ADR", 4);
	acpi_pcihp_dword(a, (uint32_t)slot << 16);
	aml_name_byte(a, "_SUN", (uint8_t)slot);
	aml_byte(a, 0x14); /* MethodOp _EJ0, 1 argument */
	m = aml_open(a);
	aml_bytes(a, "_EJ0", 4);
	aml_byte(a, 0x01);
	aml_byte(a, 0x70); /* Store */
	acpi_pcihp_dword(a, 1u << slot);
	aml_bytes(a, "B0EJ", 4);
	aml_close(a, m);
	aml_close(a, dev);
}

/* If (And(Localn, bit, Zero)) { Notify(Snn_, value) } */
static void
acpi_pcihp_notify(struct aml *a, uint8_t local, unsigned slot, uint8_t value)
{
	char seg[5];
	size_t i;

	acpi_pcihp_seg(seg, slot);
	aml_byte(a, 0xa0); /* IfOp */
	i = aml_open(a);
	aml_byte(a, 0x7b); /* AndOp */
	aml_byte(a, local);
	acpi_pcihp_dword(a, 1u << slot);
	aml_byte(a, 0x00); /* no target */
	aml_byte(a, 0x86); /* NotifyOp */
	aml_bytes(a, seg, 4);
	aml_byte(a, 0x0a);
	aml_byte(a, value);
	aml_close(a, i);
}

void
acpi_pcihp_slots(struct aml *a)
{
	static const uint8_t region[] = {0x5b,
					 0x80,
					 'P',
					 'C',
					 'S',
					 'T',
					 0x01, /* SystemIO */
					 0x0b,
					 XMHV_PCIHP_PORT & 0xff,
					 XMHV_PCIHP_PORT >> 8,
					 0x0a,
					 XMHV_PCIHP_LEN};
	static const uint8_t fields[] = {
		'P', 'C',  'S', 'T', 0x03, /* DWordAcc, NoLock, Preserve */
		'P', 'C',  'I', 'U', 0x20, 'P', 'C', 'I',
		'D', 0x20, 'B', '0', 'E',  'J', 0x20};
	unsigned slot;
	size_t f, m;

	aml_bytes(a, region, sizeof(region));
	aml_bytes(a, "\x5b\x81", 2); /* FieldOp */
	f = aml_open(a);
	aml_bytes(a, fields, sizeof(fields));
	aml_close(a, f);
	for (slot = 1; slot < 32; slot++)
		acpi_pcihp_slot(a, slot);
	aml_byte(a, 0x14); /* Method(PCNT) */
	m = aml_open(a);
	aml_bytes(a, "PCNT", 4);
	aml_byte(a, 0x00);
	aml_bytes(a, "\x70PCIU\x60", 6); /* Store(PCIU, Local0) */
	aml_bytes(a, "\x70PCID\x61", 6); /* Store(PCID, Local1) */
	for (slot = 1; slot < 32; slot++) {
		acpi_pcihp_notify(a, 0x60, slot, 1);
		acpi_pcihp_notify(a, 0x61, slot, 3);
	}
	aml_close(a, m);
}

void
acpi_pcihp_gpe(struct aml *a)
{
	size_t scope, m;

	aml_byte(a, 0x10); /* Scope(\_GPE) */
	scope = aml_open(a);
	aml_bytes(a, "\\_GPE", 5);
	aml_byte(a, 0x14); /* Method(_E01) { \_SB.PCI0.PCNT() } */
	m = aml_open(a);
	aml_bytes(a, "_E01", 4);
	aml_byte(a, 0x00);
	aml_bytes(a, "\\\x2f\x03_SB_PCI0PCNT", 15);
	aml_close(a, m);
	aml_close(a, scope);
}
