/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hv_kvm.c: kvm tier for xmhv's KVM layer: VM creation with memory slots
 * around the PCI hole, irqfd and ioeventfd registration (the paths the
 * virtio devices will use), vCPU creation with normalised CPUID. */
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hv.h"
#include "tap.h"

int
main(void)
{
	struct kvm_cpuid2 *sup, *c;
	char err[256] = "";
	struct mem mem;
	int kvm, vm, efd, rfd, vcpu;

	if (access("/dev/kvm", R_OK | W_OK) != 0)
		tap_skip_all("no usable /dev/kvm");
	if (geteuid() != 0)
		tap_skip_all("needs root");
	kvm = kvm_open(err, sizeof(err));
	if (!tap_ok(kvm >= 0, "kvm_open (%s)", err))
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
