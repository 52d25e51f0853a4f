/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vm.h: one KVM virtual machine inside the xmhv process. The seam between
 * the machine (kvm.c, vcpu.c, mem.c, boot/, devices/, arch/) and the
 * process around it (main.c stand-alone mode, control.c for libxmhv,
 * console.c). */
#ifndef XMHV_VM_H
#define XMHV_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xmhv.h"

#define HV_VM_WUR __attribute__((warn_unused_result))

struct vm;

/* Called (from any vCPU thread, or the main thread) when the domain's state
 * or shutdown reason changes. Must not block; typically writes to an
 * eventfd/pipe watched by the main loop. */
typedef void (*vm_state_cb)(void *opaque, uint32_t state,
			    enum xmhv_shutdown_reason reason);

/* Guest UART output, called from vCPU threads for each batch of bytes the
 * guest wrote. Must not block (the console ring buffer copies and returns). */
typedef void (*vm_console_out_cb)(void *opaque, const uint8_t *buf, size_t len);

/* A device needs the front end's thread (a pause it asked for, a disk the
 * guest ejected): call vm_service there soon. Any thread, never blocks. */
typedef void (*vm_wake_cb)(void *opaque);

struct vm_callbacks {
	vm_state_cb state;
	vm_console_out_cb console_out;
	vm_wake_cb wake;
	void *opaque;
};

/* Build the VM described by cfg: KVM VM, memory, irqchip, devices, kernel
 * and initrd loaded (from cfg->kernel_fd and cfg->ramdisk_fd, which stay
 * the caller's: the machine opens no file but the KVM device; the paths
 * name them in messages), ACPI/MP tables/e820 written, vCPU threads
 * created and parked (paused). On failure returns -errno, writes a message
 * naming the file and the reason into errmsg, and leaves nothing behind. */
int vm_create(const struct xmhv_domain_config *cfg,
	      const struct vm_callbacks *cb, struct vm **vm_out, char *errmsg,
	      size_t errlen) __attribute__((warn_unused_result));

/* Choices of the stand-alone command line that are not part of a domain
 * configuration. */
struct vm_options {
	bool no_pvh; /* boot an ELF with a PVH note through its 64-bit entry */
};

/* vm_create with options (NULL: defaults, which is what vm_create does). */
int vm_create_with(const struct xmhv_domain_config *cfg,
		   const struct vm_options *opts, const struct vm_callbacks *cb,
		   struct vm **vm_out, char *errmsg, size_t errlen)
	__attribute__((warn_unused_result));

/* Run / stop all vCPUs. pause returns once every vCPU is out of KVM_RUN. */
int vm_unpause(struct vm *vm) __attribute__((warn_unused_result));
int vm_pause(struct vm *vm) __attribute__((warn_unused_result));

/* Press the power button (POWEROFF), or press it and report the S5 that
 * follows as REBOOT. -EINVAL for other reasons. */
int vm_request_shutdown(struct vm *vm, enum xmhv_shutdown_reason reason)
	__attribute__((warn_unused_result));

/* Feed console input to the guest UART (receive FIFO, with its IRQ).
 * Returns bytes accepted (the FIFO may be full: caller retries later). */
size_t vm_console_input(struct vm *vm, const uint8_t *buf, size_t len);

/* Fill info (domid left 0; the caller knows it). Any thread. */
void vm_getinfo(struct vm *vm, struct xmhv_dominfo *info_out);

/* Set how many vCPUs are online (1..max_vcpus). -EOPNOTSUPP when the
 * guest cannot be told. */
int vm_set_vcpus(struct vm *vm, uint32_t online)
	__attribute__((warn_unused_result));

/* On the front end's thread after a wake: finish what devices asked:
 * pause the domain for a disk that found no space (the reason shows in
 * getinfo until the next unpause), unplug the disks the guest ejected
 * (removed(opaque, serial) for each). */
void vm_service(struct vm *vm,
		void (*removed)(void *opaque, const char *serial),
		void *opaque);

/* Hot-plug a disk (ACPI PCI hot-plug: the guest hears of it through GPE0
 * bit 1): a virtio-blk function in the next free slot over a duplicate of
 * d->fd. 0, or -errno with errmsg: -EEXIST (a disk of that serial),
 * -E2BIG (XMHV_MAX_DISKS), -ENOSPC (no slot). Main thread. */
int vm_disk_attach(struct vm *vm, const struct xmhv_disk_config *d,
		   char *errmsg, size_t errlen) HV_VM_WUR;
/* Unplug the disk whose serial is id: ask the guest (it ejects the disk,
 * then vm_service removes it: 0), or with force remove it now (1; the
 * guest is still asked, and the slot stays empty until it ejects it).
 * -ENOENT when there is no such disk, with errmsg. Main thread. */
int vm_disk_detach(struct vm *vm, const char *id, bool force, char *errmsg,
		   size_t errlen) HV_VM_WUR;
/* The serials of the disks plugged now, in slot order, into
 * out[max][24]: their count. Main thread. */
unsigned vm_disk_list(struct vm *vm, char (*out)[24], unsigned max);

/* Hot-plug a NIC as vm_disk_attach does a disk: a virtio-net function in
 * the next free slot over a duplicate of nic->fd. 0, or -errno with
 * errmsg: -EEXIST (a NIC of that MAC), -E2BIG (XMHV_MAX_NICS), -ENOSPC.
 * Main thread. */
int vm_nic_attach(struct vm *vm, const struct xmhv_nic_config *nic,
		  char *errmsg, size_t errlen) HV_VM_WUR;
/* Unplug the NIC of guest MAC mac as vm_disk_detach does a disk; when
 * the guest ejects it, vm_service calls removed with the MAC as
 * "xx:xx:xx:xx:xx:xx". 0, 1 (forced) or -ENOENT with errmsg. */
int vm_nic_detach(struct vm *vm, const uint8_t mac[6], bool force, char *errmsg,
		  size_t errlen) HV_VM_WUR;

/* Stop every vCPU thread, free all resources. Accepts NULL. */
void vm_destroy(struct vm *vm);

/* Every device's state into out (a paused domain): per device its name, a
 * length and what its save op wrote. 0 or -errno. Main thread. */
struct dstate;
int vm_save_devices(struct vm *vm, struct dstate *out)
	__attribute__((warn_unused_result));
/* Back from vm_save_devices' stream, into a paused domain of the same
 * board: -EINVAL for a stream that does not fit it (unknown or missing
 * device, bad lengths). Main thread. */
int vm_restore_devices(struct vm *vm, struct dstate *in)
	__attribute__((warn_unused_result));

/* ---- for the machine's own parts (vcpu.c, board.c) ---- */
struct bus;
struct board;
struct device;
struct mem;
struct irq_line;
struct domain_hooks;

/* The port (mmio false) or MMIO bus. */
struct bus *vm_bus(struct vm *vm, bool mmio);
/* Exit-time dispatch from vcpu.c. Unclaimed reads return all ones. */
void vm_io_dispatch(struct vm *vm, bool mmio, uint64_t addr, uint8_t *data,
		    uint32_t size, bool write);
/* Put dev on the machine: paused, saved and freed with it (freed in the
 * reverse order of adding). Build time. */
void vm_add_device(struct vm *vm, struct device *dev);
/* Take dev off the machine's list (hot-unplug; the caller has quiesced
 * the machine and frees dev). Takes vm's lock. */
void vm_remove_device(struct vm *vm, struct device *dev);
/* The devices the machine keeps talking to (board.c fills it). */
struct board *vm_board(struct vm *vm);
/* An interrupt line for the in-kernel PIC/IOAPIC input gsi. */
struct irq_line vm_irq_line_of(struct vm *vm, uint32_t gsi);
/* Where MSI messages go: the VM's GSI routing table, irqfds, MSIs. */
struct msi_router;
struct msi_router vm_msi_router(struct vm *vm);
/* What a device may do to the domain: end it, power it off. */
struct domain_hooks vm_domain_hooks(struct vm *vm);
/* End the domain (first reason wins), from any thread. */
void vm_end(struct vm *vm, enum xmhv_shutdown_reason reason);
/* S5 from the guest: poweroff, or reboot when a reboot was requested. */
void vm_power_off(struct vm *vm);
/* CPU hotplug (struct cpuhp_hooks): park ejected vCPU id (it waits for
 * INIT/SIPI when enabled again); let vCPU id run again. Any thread. */
void vm_cpuhp_eject(void *vm, uint32_t id);
void vm_cpuhp_enable(void *vm, uint32_t id);
int vm_vm_fd(const struct vm *vm);
const struct mem *vm_mem(const struct vm *vm);
const char *vm_name(const struct vm *vm);

#endif
