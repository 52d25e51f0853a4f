/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hv_kvm.c: kvm tier for xmhv's KVM layer: VM creation with memory slots
 * around the PCI hole, irqfd and ioeventfd registration (the paths the
 * virtio devices will use), vCPU creation with normalised CPUID and the
 * XCR0 it advertises. */
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm.h"
#include "mem.h"
#include "check.h"
#include "arch/x86/x86.h"
#include "tap.h"

int
main(void)
{
	struct kvm_cpuid2 *sup, *c;
	struct kvm_xcrs xcrs = {0};
	uint64_t xcr0 = 0;
	uint32_t i;
	char err[256] = "";
	struct mem mem;
	int kvm, vm, efd, rfd, vcpu;

	if (access("/dev/kvm", R_OK | W_OK) != 0)
		tap_skip_all("no usable /dev/kvm");
	if (geteuid() != 0)
		tap_skip_all("needs root");
	kvm = xmhv_check_kvm_open(err, sizeof(err));
	if (!tap_ok(kvm >= 0, "xmhv_check_kvm_open (%s)", err))
		return tap_done();
	tap_ok(mem_init(&mem, 3500 * HV_MIB) == 0 &&
		       mem.low_size == XMHV_PCI_HOLE_START &&
		       mem.high_size == 3500 * HV_MIB - XMHV_PCI_HOLE_START,
	       "3500 MiB: 3 GiB below the hole, the rest above 4 GiB");
	vm = kvm_create_vm(kvm, &mem, err, sizeof(err));
	if (!tap_ok(vm >= 0, "kvm_create_vm with two slots, irqchip, PIT (%s)",
		    err))
		return tap_done();
	efd = eventfd(0, EFD_CLOEXEC);
	rfd = eventfd(0, EFD_CLOEXEC);
	tap_is_int(kvm_irqfd(vm, efd, XMHV_PCI_IRQ_BASE + 1, -1, false), 0,
		   "irqfd on GSI 17");
	tap_is_int(kvm_irqfd(vm, efd, XMHV_PCI_IRQ_BASE + 1, -1, true), 0,
		   "irqfd removed");
	tap_is_int(kvm_irqfd(vm, efd, XMHV_PCI_IRQ_BASE + 2, rfd, false), 0,
		   "level-triggered irqfd with a resample fd");
	tap_is_int(kvm_ioeventfd(vm, efd, XMHV_PCI_MMIO_START + 0x100000, 4,
				 false, false),
		   0, "ioeventfd on a BAR doorbell");
	tap_is_int(kvm_ioeventfd(vm, efd, XMHV_PCI_MMIO_START + 0x100000, 4,
				 false, true),
		   0, "ioeventfd removed");
	tap_is_int(kvm_irq_line(vm, XMHV_COM1_IRQ, 1), 0, "IRQ line 4 raised");
	tap_is_int(kvm_irq_line(vm, XMHV_COM1_IRQ, 0), 0, "IRQ line 4 lowered");
	sup = kvm_supported_cpuid(kvm);
	tap_ok(sup && sup->nent > 4, "KVM_GET_SUPPORTED_CPUID");
	c = sup ? cpuid_for_vcpu(sup, 1, 2, NULL, 0) : NULL;
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 1UL);
	tap_ok(c && vcpu >= 0 && ioctl(vcpu, KVM_SET_CPUID2, c) == 0,
	       "KVM accepts the normalised CPUID of vCPU 1");
	tap_ok(c && vcpu >= 0 && kvm_set_xcr0(vcpu, c) == 0 &&
		       ioctl(vcpu, KVM_GET_XCRS, &xcrs) == 0,
	       "KVM accepts XCR0 = the components of leaf 0xD.0");
	for (i = 0; c && i < c->nent; i++)
		if (c->entries[i].function == 0xd && c->entries[i].index == 0)
			xcr0 = c->entries[i].eax | (uint64_t)c->entries[i].edx
							   << 32;
	tap_ok(xcrs.nr_xcrs >= 1 && xcrs.xcrs[0].value == (xcr0 | 1),
	       "vCPU XCR0 0x%llx = leaf 0xD.0 components 0x%llx",
	       (unsigned long long)xcrs.xcrs[0].value,
	       (unsigned long long)xcr0);
	free(c);
	free(sup);
	if (vcpu >= 0)
		close(vcpu);
	close(efd);
	close(rfd);
	close(vm);
	close(kvm);
	mem_dispose(&mem);
	return tap_done();
}
