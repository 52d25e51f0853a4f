/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvm.c: the /dev/kvm system and VM ioctls (VM, memory slots, in-kernel
 * irqchip and PIT, supported CPUID, interrupt lines). */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm.h"

#define KVM_TSS_GPA 0xfffbd000ULL
#define KVM_IDENTITY_MAP_GPA 0xfffbc000ULL

static int
kvm_set_slot(int vm_fd, uint32_t slot, uint64_t gpa, uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region region = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)hva,
	};

	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return -errno;
	return 0;
}

/* Fill e[0..max) with the pc machine's GSI routing (QEMU's
 * kvm_pc_setup_irq_routing): GSI 0-15 to the PIC pin irq % 8 (master below 8,
 * slave above; GSI 2 is the cascade and has no route), GSI n to IOAPIC pin n
 * except GSI 0 -> pin 2 (the MADT/MP table override for the PIT) and GSI 2
 * (none). KVM_IRQ_LINE(n) and the in-kernel PIT (GSI 0) hit every route of
 * n. Pure; returns the number of entries (KVM_GSI_ROUTES) or -ENOSPC. */
int
kvm_gsi_routes(struct kvm_irq_routing_entry *e, size_t max)
{
	size_t n = 0;
	uint32_t gsi;

	for (gsi = 0; gsi < XMHV_IOAPIC_PINS; gsi++) {
		if (gsi == 2)
			continue;
		if (n + (gsi < 16 ? 2 : 1) > max)
			return -ENOSPC;
		if (gsi < 16)
			e[n++] = (struct kvm_irq_routing_entry){
				.gsi = gsi,
				.type = KVM_IRQ_ROUTING_IRQCHIP,
				.u.irqchip = {gsi < 8 ? KVM_IRQCHIP_PIC_MASTER
						      : KVM_IRQCHIP_PIC_SLAVE,
					      gsi % 8},
			};
		e[n++] = (struct kvm_irq_routing_entry){
			.gsi = gsi,
			.type = KVM_IRQ_ROUTING_IRQCHIP,
			.u.irqchip = {KVM_IRQCHIP_IOAPIC, gsi == 0 ? 2 : gsi},
		};
	}
	return (int)n;
}

/* KVM_SET_GSI_ROUTING with kvm_gsi_routes (replaces KVM's default table,
 * which sends GSI 0 to IOAPIC pin 0). 0 or -errno. */
static int
kvm_set_gsi_routing(int vm_fd)
{
	struct kvm_irq_routing *r;
	int n, rc = 0;

	r = calloc(1, sizeof(*r) + KVM_GSI_ROUTES * sizeof(r->entries[0]));
	if (!r)
		return -ENOMEM;
	n = kvm_gsi_routes(r->entries, KVM_GSI_ROUTES);
	if (n < 0) {
		rc = n;
		goto out;
	}
	r->nr = (uint32_t)n;
	if (ioctl(vm_fd, KVM_SET_GSI_ROUTING, r) < 0)
		rc = -errno;
out:
	free(r);
	return rc;
}

/* Create the VM: memory slots first (registering them after the irqchip
 * and vCPUs costs 20 times more on this KVM), then the TSS and identity
 * map, in-kernel irqchip with the pc GSI routing, and PIT. Returns the VM fd or -errno. */
int
kvm_create_vm(int kvm_fd, const struct mem *mem, char *errmsg, size_t errlen)
{
	struct kvm_pit_config pit = {.flags = 0};
	uint64_t idmap = KVM_IDENTITY_MAP_GPA;
	const char *what = "KVM_CREATE_VM";
	int vm_fd, rc;

	vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm_fd < 0) {
		rc = -errno;
		goto out;
	}
	what = "KVM_SET_USER_MEMORY_REGION";
	rc = kvm_set_slot(vm_fd, 0, 0, mem->low_size, mem->base);
	if (rc == 0 && mem->high_size)
		rc = kvm_set_slot(vm_fd, 1, XMHV_PCI_HOLE_END, mem->high_size,
				  mem->base + mem->low_size);
	if (rc < 0)
		goto out;
	what = "KVM_SET_TSS_ADDR";
	if (ioctl(vm_fd, KVM_SET_TSS_ADDR, (unsigned long)KVM_TSS_GPA) < 0)
		goto fail;
	what = "KVM_SET_IDENTITY_MAP_ADDR";
	if (ioctl(vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0)
		goto fail;
	what = "KVM_CREATE_IRQCHIP";
	if (ioctl(vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		goto fail;
	what = "KVM_SET_GSI_ROUTING";
	rc = kvm_set_gsi_routing(vm_fd);
	if (rc < 0)
		goto out;
	what = "KVM_CREATE_PIT2";
	if (ioctl(vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		goto fail;
	return vm_fd;
fail:
	rc = -errno;
out:
	snprintf(errmsg, errlen, "/dev/kvm: %s: %s", what, strerror(-rc));
	if (vm_fd >= 0)
		close(vm_fd);
	return rc;
}

/* KVM_GET_SUPPORTED_CPUID, grown until it fits. Caller frees; NULL with
 * errno set on failure. */
struct kvm_cpuid2 *
kvm_supported_cpuid(int kvm_fd)
{
	struct kvm_cpuid2 *c;
	uint32_t n;

	for (n = 128; n <= 4096; n *= 2) {
		c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
		if (!c)
			return NULL;
		c->nent = n;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			return c;
		free(c);
		if (errno != E2BIG)
			return NULL;
	}
	errno = E2BIG;
	return NULL;
}

/* Start vCPU vcpu_fd with XCR0 = every XSAVE component its CPUID table
 * (already set with KVM_SET_CPUID2) advertises in leaf 0xD.0. KVM answers
 * 0xD.0 EBX (and 0xD.1 EBX) from the XCR0 it knows; where the guest's XSETBV
 * never reaches KVM (nested SVM under QEMU TCG) that stays the reset value
 * and Linux sees a 576-byte area for its 832-byte AVX state ("XSAVE
 * consistency problem"). XCR0 is only reachable with CR4.OSXSAVE, which the
 * guest sets before it writes XCR0 itself. 0 (also without leaf 0xD) or
 * -errno. */
int
kvm_set_xcr0(int vcpu_fd, const struct kvm_cpuid2 *cpuid)
{
	struct kvm_xcrs xcrs = {.nr_xcrs = 1};
	uint32_t i;

	for (i = 0; i < cpuid->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		if (e->function != 0xd || e->index != 0)
			continue;
		xcrs.xcrs[0].xcr = 0;
		xcrs.xcrs[0].value = (e->eax | (uint64_t)e->edx << 32) | 1;
		if (ioctl(vcpu_fd, KVM_SET_XCRS, &xcrs) < 0)
			return -errno;
		return 0;
	}
	return 0;
}

/* Set an interrupt line of the in-kernel PIC/IOAPIC. Any thread. */
int
kvm_irq_line(int vm_fd, uint32_t gsi, int level)
{
	struct kvm_irq_level irq = {.irq = gsi, .level = level};

	if (ioctl(vm_fd, KVM_IRQ_LINE, &irq) < 0)
		return -errno;
	return 0;
}

/* Signal GSI gsi whenever efd is written (KVM_IRQFD); with resample_fd >= 0
 * the line is level-triggered and resample_fd is signalled on EOI. deassign
 * removes it. 0 or -errno. For devices' interrupts without a VM exit. */
int
kvm_irqfd(int vm_fd, int efd, uint32_t gsi, int resample_fd, bool deassign)
{
	struct kvm_irqfd irqfd = {.fd = (uint32_t)efd, .gsi = gsi};

	if (deassign)
		irqfd.flags |= KVM_IRQFD_FLAG_DEASSIGN;
	else if (resample_fd >= 0) {
		irqfd.flags |= KVM_IRQFD_FLAG_RESAMPLE;
		irqfd.resamplefd = (uint32_t)resample_fd;
	}
	if (ioctl(vm_fd, KVM_IRQFD, &irqfd) < 0)
		return -errno;
	return 0;
}

/* Make guest writes of len bytes to addr (MMIO, or a port with pio) signal
 * efd inside the kernel instead of exiting (KVM_IOEVENTFD): virtqueue
 * doorbells. deassign removes it. 0 or -errno. */
int
kvm_ioeventfd(int vm_fd, int efd, uint64_t addr, uint32_t len, bool pio,
	      bool deassign)
{
	struct kvm_ioeventfd io = {.addr = addr, .len = len, .fd = efd};

	if (pio)
		io.flags |= KVM_IOEVENTFD_FLAG_PIO;
	if (deassign)
		io.flags |= KVM_IOEVENTFD_FLAG_DEASSIGN;
	if (ioctl(vm_fd, KVM_IOEVENTFD, &io) < 0)
		return -errno;
	return 0;
}
