/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvm.h: KVM ioctls of a VM: creation, CPUID, GSI routes, irqfd, ioeventfd. */
#ifndef XMHV_KVM_H
#define XMHV_KVM_H

#include "hv.h"
#include "mem.h"

int kvm_create_vm(int kvm_fd, const struct mem *mem, char *errmsg,
		  size_t errlen) HV_WUR;
struct kvm_cpuid2 *kvm_supported_cpuid(int kvm_fd);
/* Routes of the pc GSI table: 15 to the PIC, 23 to the IOAPIC. */
#define KVM_GSI_ROUTES 38
struct kvm_irq_routing_entry;
int kvm_gsi_routes(struct kvm_irq_routing_entry *e, size_t max);
int kvm_set_xcr0(int vcpu_fd, const struct kvm_cpuid2 *cpuid) HV_WUR;
int kvm_irq_line(int vm_fd, uint32_t gsi, int level) HV_WUR;
int kvm_irqfd(int vm_fd, int efd, uint32_t gsi, int resample_fd,
	      bool deassign) HV_WUR;
int kvm_ioeventfd(int vm_fd, int efd, uint64_t addr, uint32_t len, bool pio,
		  bool deassign) HV_WUR;

#endif
