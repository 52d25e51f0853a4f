/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvm.h: KVM ioctls of a VM: creation, CPUID, GSI routes (the pc table and
 * MSI routes), irqfd, ioeventfd, MSI, dirty page logs. */
#ifndef XMHV_KVM_H
#define XMHV_KVM_H

#include "device.h"
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
/* Deliver one MSI now (KVM_SIGNAL_MSI). 0 or -errno. Any thread. */
int kvm_signal_msi(int vm_fd, uint64_t addr, uint32_t data) HV_WUR;

/* The VM's one GSI routing table: the pc routes of kvm_gsi_routes (what
 * kvm_create_vm installed) plus MSI routes on GSIs 24..1023, handed to KVM
 * whole by commit (KVM_SET_GSI_ROUTING replaces the table) when something
 * changed since the last commit. Any thread (a mutex inside). NULL on
 * ENOMEM. */
struct kvm_routes;
struct kvm_routes *kvm_routes_new(int vm_fd);
void kvm_routes_free(struct kvm_routes *r);
/* A new MSI route: its GSI, or -ENOSPC. */
int kvm_routes_add_msi(struct kvm_routes *r, uint64_t addr,
		       uint32_t data) HV_WUR;
/* 0, or -ENOENT when gsi is no MSI route. */
int kvm_routes_set_msi(struct kvm_routes *r, uint32_t gsi, uint64_t addr,
		       uint32_t data) HV_WUR;
void kvm_routes_del(struct kvm_routes *r, uint32_t gsi);
/* The table commit hands KVM, into e[0..max): its length or -ENOSPC. */
int kvm_routes_fill(struct kvm_routes *r, struct kvm_irq_routing_entry *e,
		    size_t max);
int kvm_routes_commit(struct kvm_routes *r) HV_WUR;
/* The table as the PCI core's MSI sink (lives as long as r). */
struct msi_router kvm_routes_router(struct kvm_routes *r);

/* Turn KVM's dirty page log of memory slot slot (mem->slot[slot]) on or
 * off (re-registers the slot with or without KVM_MEM_LOG_DIRTY_PAGES).
 * 0 or -errno. Main thread, vCPUs paused or not. */
int kvm_dirty_log(int vm_fd, const struct mem *mem, unsigned slot,
		  bool on) HV_WUR;
/* The pages written since the last call: KVM's log of the slot (fetched
 * and cleared, KVM_GET_DIRTY_LOG) merged with the pages devices wrote
 * (mem_dirty_take), into out[0..words) (words: the slot's dirty_words).
 * 0 or -errno (-ENOENT: logging is off). */
int kvm_dirty_log_take(int vm_fd, const struct mem *mem, unsigned slot,
		       uint64_t *out, size_t words) HV_WUR;

#endif
