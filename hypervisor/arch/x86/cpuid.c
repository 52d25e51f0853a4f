/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpuid.c: CPUID for one vCPU: KVM's supported table normalised for the
 * vCPU's APIC id and the domain's topology, then Xen-style cpuid= masks. */
#include <cpuid.h>
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>

#include "hv.h"

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
	return c;
}
