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

struct vm;

/* Called (from any vCPU thread, or the main thread) when the domain's state
 * or shutdown reason changes. Must not block; typically writes to an
 * eventfd/pipe watched by the main loop. */
typedef void (*vm_state_cb)(void *opaque, uint32_t state,
			    enum xmhv_shutdown_reason reason);

/* Guest UART output, called from vCPU threads for each batch of bytes the
 * guest wrote. Must not block (the console ring buffer copies and returns). */
typedef void (*vm_console_out_cb)(void *opaque, const uint8_t *buf, size_t len);

struct vm_callbacks {
	vm_state_cb state;
	vm_console_out_cb console_out;
	void *opaque;
};

/* Build the VM described by cfg: KVM VM, memory, irqchip, devices, kernel
 * and initrd loaded, ACPI/MP tables/e820 written, vCPU threads created and
 * parked (paused). On failure returns -errno, writes a message naming the
 * file and the reason into errmsg, and leaves nothing behind. */
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

/* Stop every vCPU thread, free all resources. Accepts NULL. */
void vm_destroy(struct vm *vm);

#endif
