/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpuid.c: CPUID for one vCPU: KVM's supported table normalised for the
 * vCPU's APIC id and the domain's topology, then Xen-style cpuid= masks. */
#include <cpuid.h>
#include <errno.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/x86.h"

#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_1_EDX_HTT (1u << 28)
#define CPUID_EXTRA 8 /* room for rebuilt topology leaves */

int
cpuid_apply_mask(const char *mask, uint32_t host, uint32_t *value)
{
	uint32_t v = *value, bit;
	size_t i;

	if (!mask[0])
		return 0;
	if (strlen(mask) != 32)
		return -EINVAL;
	for (i = 0; i < 32; i++) {
		bit = 1u << (31 - i);
		switch (mask[i]) {
		case '0':
			v &= ~bit;
			break;
		case '1':
			v |= bit;
			break;
		case 'x':
			break;
		case 'k': /* host value */
		case 's': /* host value, kept across save/restore */
			v = (v & ~bit) | (host & bit);
			break;
		default:
			return -EINVAL;
		}
	}
	*value = v;
	return 0;
}

static unsigned
cpuid_bits_for(uint32_t n)
{
	unsigned b = 0;

	while ((1u << b) < n)
		b++;
	return b;
}

static void
cpuid_topology_entry(struct kvm_cpuid_entry2 *e, uint32_t leaf, uint32_t index,
		     uint32_t apic_id, uint32_t ncpus)
{
	memset(e, 0, sizeof(*e));
	e->function = leaf;
	e->index = index;
	e->flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
	e->edx = apic_id;
	e->ecx = index & 0xff;
	if (index == 0) { /* SMT level: one thread per core */
		e->eax = 0;
		e->ebx = 1;
		e->ecx |= 1u << 8;
	} else if (index == 1) { /* core level: every vCPU a core */
		e->eax = cpuid_bits_for(ncpus);
		e->ebx = ncpus;
		e->ecx |= 2u << 8;
	}
}

static void
cpuid_normalise(struct kvm_cpuid_entry2 *e, uint32_t apic_id, uint32_t ncpus)
{
	uint32_t level;

	switch (e->function) {
	case 1:
		e->ebx = (e->ebx & 0x0000ffffu) | apic_id << 24 |
			 (ncpus > 255 ? 255 : ncpus) << 16;
		e->ecx |= CPUID_1_ECX_HYPERVISOR;
		if (ncpus > 1)
			e->edx |= CPUID_1_EDX_HTT;
		break;
	case 4:
		level = (e->eax >> 5) & 7;
		e->eax &= 0x3fff;
		if (e->eax & 0x1f) /* a cache: cores in package */
			e->eax |= (ncpus - 1 > 63 ? 63 : ncpus - 1) << 26;
		if (level == 3)
			e->eax |= (ncpus - 1) << 14;
		break;
	case 0x80000008:
		e->ecx = (e->ecx & ~0xffu) | ((ncpus - 1) & 0xff);
		break;
	default:
		break;
	}
}

/* XSAVE state components and the CPUID feature (leaf, register 0-3 =
 * EAX..EDX, bit) that must be left for the component to be advertised in
 * leaf 0xD. Components without an entry (x87, SSE) are always kept. */
static const struct cpuid_xsave_dep {
	uint8_t component, leaf, reg, bit;
} cpuid_xsave_deps[] = {
	{2, 1, 2, 28},  /* AVX (YMM) */
	{3, 7, 1, 14},  /* MPX BNDREGS */
	{4, 7, 1, 14},  /* MPX BNDCSR */
	{5, 7, 1, 16},  /* AVX-512 opmask */
	{6, 7, 1, 16},  /* AVX-512 ZMM_Hi256 */
	{7, 7, 1, 16},  /* AVX-512 Hi16_ZMM */
	{8, 7, 1, 25},  /* Intel PT (IA32_XSS) */
	{9, 7, 2, 3},   /* PKRU */
	{11, 7, 2, 7},  /* CET user (IA32_XSS) */
	{12, 7, 2, 7},  /* CET supervisor (IA32_XSS) */
	{17, 7, 3, 24}, /* AMX TILECFG */
	{18, 7, 3, 24}, /* AMX TILEDATA */
	{0, 0, 0, 0},
};

#define CPUID_XSAVE_LEGACY_SIZE 576 /* legacy area + XSAVE header */
#define CPUID_XSAVE_AVX_ONLY ((1ull << 5) | (1ull << 6) | (1ull << 7))
#define CPUID_0D_1_EAX_XSAVEC (1u << 1)
#define CPUID_0D_1_EAX_XSAVES (1u << 3)

static struct kvm_cpuid_entry2 *
cpuid_find(struct kvm_cpuid2 *c, uint32_t leaf, uint32_t index)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == leaf &&
		    (c->entries[i].index == index ||
		     !(c->entries[i].flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX)))
			return &c->entries[i];
	return NULL;
}

static bool
cpuid_has(struct kvm_cpuid2 *c, uint32_t leaf, unsigned reg, unsigned bit)
{
	const struct kvm_cpuid_entry2 *e = cpuid_find(c, leaf, 0);
	uint32_t v;

	if (!e)
		return false;
	v = reg == 0 ? e->eax : reg == 1 ? e->ebx : reg == 2 ? e->ecx : e->edx;
	return (v >> bit) & 1;
}

/* Drop from components (bits 0/1 kept) the XSAVE components whose feature bits are gone
 * from leaves 1/7 or whose 0xD sub-leaf gives no size; AVX-512 also needs
 * AVX. Zeroes the dropped components' sub-leaves. */
static uint64_t
cpuid_xsave_strip(struct kvm_cpuid2 *c, uint64_t components)
{
	const struct cpuid_xsave_dep *d;
	struct kvm_cpuid_entry2 *s;
	uint64_t asked = components;
	unsigned i;

	for (d = cpuid_xsave_deps; d->leaf; d++)
		if (!cpuid_has(c, d->leaf, d->reg, d->bit))
			components &= ~(1ull << d->component);
	if (!(components & (1ull << 2)))
		components &= ~CPUID_XSAVE_AVX_ONLY;
	for (i = 2; i < 63; i++) {
		if (!(asked & (1ull << i)))
			continue;
		s = cpuid_find(c, 0xd, i);
		if (!s || s->index != i) {
			components &= ~(1ull << i);
			continue;
		}
		if (!(components & (1ull << i)) || !s->eax) {
			components &= ~(1ull << i);
			s->eax = s->ebx = s->ecx = s->edx = 0;
		}
	}
	return components;
}

/* XSAVE area size for components (bit 0/1 always included): standard
 * format = end of the highest component (offset + size from its sub-leaf),
 * compacted = components packed in order, 64-byte aligned where sub-leaf
 * ECX bit 1 says so. At least 576. */
static uint32_t
cpuid_xsave_size(struct kvm_cpuid2 *c, uint64_t components, bool compacted)
{
	const struct kvm_cpuid_entry2 *s;
	uint32_t size = CPUID_XSAVE_LEGACY_SIZE;
	unsigned i;

	for (i = 2; i < 63; i++) {
		if (!(components & (1ull << i)))
			continue;
		s = cpuid_find(c, 0xd, i);
		if (!s)
			continue;
		if (!compacted) {
			if (s->ebx + s->eax > size)
				size = s->ebx + s->eax;
			continue;
		}
		if (s->ecx & 2)
			size = (size + 63) & ~63u;
		size += s->eax;
	}
	return size;
}

/* Make leaf 0xD agree with leaves 1 and 7: XCR0/IA32_XSS bits of features
 * that are not advertised are dropped, and 0xD.0 EBX/ECX (and 0xD.1 EBX
 * with XSAVEC/XSAVES) are the sizes for the remaining XCR0 set, as Linux
 * checks them ("XSAVE consistency problem") after enabling that set. */
static void
cpuid_fix_xsave(struct kvm_cpuid2 *c)
{
	struct kvm_cpuid_entry2 *d0 = cpuid_find(c, 0xd, 0), *d1;
	uint64_t xcr0, xss;

	if (!d0 || d0->index != 0)
		return;
	xcr0 = cpuid_xsave_strip(c, d0->eax | (uint64_t)d0->edx << 32);
	d0->eax = (uint32_t)xcr0;
	d0->edx = (uint32_t)(xcr0 >> 32);
	d0->ebx = d0->ecx = cpuid_xsave_size(c, xcr0, false);
	d1 = cpuid_find(c, 0xd, 1);
	if (!d1 || d1->index != 1)
		return;
	xss = cpuid_xsave_strip(c, d1->ecx | (uint64_t)d1->edx << 32);
	d1->ecx = (uint32_t)xss;
	d1->edx = (uint32_t)(xss >> 32);
	if (d1->eax & (CPUID_0D_1_EAX_XSAVEC | CPUID_0D_1_EAX_XSAVES))
		d1->ebx = cpuid_xsave_size(c, xcr0, true);
}

static int
cpuid_apply_masks(struct kvm_cpuid2 *c, const struct xmhv_cpuid_mask *masks,
		  size_t nmasks)
{
	struct kvm_cpuid_entry2 *e;
	uint32_t host[4], *regs[4];
	size_t i, j, r;
	int rc;

	for (i = 0; i < nmasks; i++) {
		__cpuid_count(masks[i].leaf,
			      masks[i].subleaf == UINT32_MAX ? 0
							     : masks[i].subleaf,
			      host[0], host[1], host[2], host[3]);
		for (j = 0; j < c->nent; j++) {
			e = &c->entries[j];
			if (e->function != masks[i].leaf ||
			    (masks[i].subleaf != UINT32_MAX &&
			     e->index != masks[i].subleaf))
				continue;
			regs[0] = &e->eax;
			regs[1] = &e->ebx;
			regs[2] = &e->ecx;
			regs[3] = &e->edx;
			for (r = 0; r < 4; r++) {
				if (!memchr(masks[i].reg[r], 0, 33))
					return -EINVAL;
				rc = cpuid_apply_mask(masks[i].reg[r], host[r],
						      regs[r]);
				if (rc < 0)
					return rc;
			}
		}
	}
	return 0;
}

struct kvm_cpuid2 *
cpuid_for_vcpu(const struct kvm_cpuid2 *supported, uint32_t apic_id,
	       uint32_t ncpus, const struct xmhv_cpuid_mask *masks,
	       size_t nmasks)
{
	struct kvm_cpuid2 *c;
	uint32_t i, n = 0, max_basic = 0;
	int rc;

	c = calloc(1, sizeof(*c) + (supported->nent + CPUID_EXTRA) *
					   sizeof(c->entries[0]));
	if (!c)
		return NULL;
	for (i = 0; i < supported->nent; i++) {
		const struct kvm_cpuid_entry2 *s = &supported->entries[i];

		if (s->function == 0)
			max_basic = s->eax;
		/* Extended topology is rebuilt below. */
		if (s->function == 0xb || s->function == 0x1f)
			continue;
		c->entries[n] = *s;
		cpuid_normalise(&c->entries[n], apic_id, ncpus);
		n++;
	}
	if (max_basic >= 0xb)
		for (i = 0; i < 3; i++)
			cpuid_topology_entry(&c->entries[n++], 0xb, i, apic_id,
					     ncpus);
	if (max_basic >= 0x1f)
		for (i = 0; i < 3; i++)
			cpuid_topology_entry(&c->entries[n++], 0x1f, i, apic_id,
					     ncpus);
	c->nent = n;
	rc = cpuid_apply_masks(c, masks, nmasks);
	if (rc < 0) {
		free(c);
		errno = -rc;
		return NULL;
	}
	cpuid_fix_xsave(c);
	return c;
}
