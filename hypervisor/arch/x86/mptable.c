/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mptable.c: the Intel MultiProcessor Specification 1.4 tables (floating
 * pointer + configuration table) for guests that look for them. */
#include <errno.h>
#include <string.h>

#include "arch/x86/x86.h"

#define MP_APIC_VERSION 0x14
#define MP_IOAPIC_VERSION 0x11
#define MP_IRQ_ACTIVE_LOW_LEVEL 0x0f

struct mp_fp {
	char sig[4];
	uint32_t phys;
	uint8_t len, rev, checksum, feature1;
	uint8_t feature[4];
} __attribute__((packed));

struct mp_header {
	char sig[4];
	uint16_t len;
	uint8_t rev, checksum;
	char oem[8], product[12];
	uint32_t oem_ptr;
	uint16_t oem_size, count;
	uint32_t lapic;
	uint16_t ext_len;
	uint8_t ext_checksum, reserved;
} __attribute__((packed));

struct mp_cpu {
	uint8_t type, apic_id, apic_ver, flags;
	uint32_t signature, features;
	uint32_t reserved[2];
} __attribute__((packed));

struct mp_bus {
	uint8_t type, id;
	char name[6];
} __attribute__((packed));

struct mp_ioapic {
	uint8_t type, id, ver, flags;
	uint32_t addr;
} __attribute__((packed));

struct mp_irq {
	uint8_t type, irq_type;
	uint16_t flags;
	uint8_t src_bus, src_irq, dst_id, dst_pin;
} __attribute__((packed));

/* Bytes needed for ncpus. */
static size_t
mptable_size(uint32_t ncpus)
{
	return sizeof(struct mp_fp) + sizeof(struct mp_header) +
	       ncpus * sizeof(struct mp_cpu) + sizeof(struct mp_bus) +
	       sizeof(struct mp_ioapic) + 17 * sizeof(struct mp_irq);
}

int
mptable_write(const struct mem *mem, uint64_t gpa, uint32_t ncpus)
{
	size_t size = mptable_size(ncpus);
	uint8_t *base = mem_gpa_to_hva(mem, gpa, size), *p;
	struct mp_fp *fp;
	struct mp_header *h;
	struct mp_irq *irq;
	uint16_t count = 0;
	uint32_t i, ioapic_id = 0;

	if (!base || ncpus == 0 || ncpus > 255)
		return -EINVAL;
	memset(base, 0, size);
	fp = (struct mp_fp *)(void *)base;
	h = (struct mp_header *)(void *)(base + sizeof(*fp));
	p = (uint8_t *)(h + 1);
	for (i = 0; i < ncpus; i++, count++) {
		struct mp_cpu *c = (struct mp_cpu *)(void *)p;

		c->type = 0;
		c->apic_id = (uint8_t)i;
		c->apic_ver = MP_APIC_VERSION;
		c->flags = 1 | (i == 0 ? 2 : 0); /* enabled, BSP */
		c->signature = 0x600;
		c->features = 0x201; /* FPU, APIC */
		p += sizeof(*c);
	}
	memcpy(((struct mp_bus *)(void *)p)->name, "ISA   ", 6);
	((struct mp_bus *)(void *)p)->type = 1;
	p += sizeof(struct mp_bus);
	count++;
	*(struct mp_ioapic *)(void *)p =
		(struct mp_ioapic){2, (uint8_t)ioapic_id, MP_IOAPIC_VERSION, 1,
				   (uint32_t)XMHV_IOAPIC_ADDR};
	p += sizeof(struct mp_ioapic);
	count++;
	/* ISA IRQs: 0 -> pin 2 (the PIT, as on PCs), the rest 1:1; SCI is
	 * level/active low. Pin 0 is the PIC's ExtINT. */
	for (i = 0; i < 16; i++) {
		irq = (struct mp_irq *)(void *)p;
		irq->type = 3;
		irq->irq_type = i == 2 ? 3 : 0;
		irq->src_irq = i == 2 ? 0 : (uint8_t)i;
		irq->dst_id = (uint8_t)ioapic_id;
		irq->dst_pin = i == 0 ? 2 : (i == 2 ? 0 : (uint8_t)i);
		if (i == XMHV_ACPI_SCI_IRQ)
			irq->flags = MP_IRQ_ACTIVE_LOW_LEVEL;
		p += sizeof(*irq);
		count++;
	}
	irq = (struct mp_irq *)(void *)p; /* LINT1: NMI on every CPU */
	*irq = (struct mp_irq){4, 1, 0, 0, 0, 0xff, 1};
	p += sizeof(*irq);
	count++;
	memcpy(h->sig, "PCMP", 4);
	h->len = (uint16_t)(p - (uint8_t *)h);
	h->rev = 4;
	memcpy(h->oem, "XMTOOLS ", 8);
	memcpy(h->product, "XMHV        ", 12);
	h->count = count;
	h->lapic = (uint32_t)XMHV_LAPIC_ADDR;
	h->checksum = acpi_checksum(h, h->len);
	memcpy(fp->sig, "_MP_", 4);
	fp->phys = (uint32_t)(gpa + sizeof(*fp));
	fp->len = 1;
	fp->rev = 4;
	fp->checksum = acpi_checksum(fp, sizeof(*fp));
	return (int)(p - base);
}
