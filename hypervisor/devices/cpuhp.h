/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpuhp.h: ACPI CPU hotplug for xmhv (the enabled-vCPU bitmap, the eject
 * register, the GPE0 event) and what it needs from vm.c, pm.c and acpi.c. */
#ifndef XMHV_CPUHP_H
#define XMHV_CPUHP_H

#include <stdbool.h>
#include <stdint.h>

struct vm;
struct pm;
struct mem;
struct cpuhp;

/* A hotplug controller for nvcpus vCPUs, the first online enabled. NULL on
 * allocation failure. */
struct cpuhp *cpuhp_new(struct vm *vm, struct pm *pm, uint32_t nvcpus,
			uint32_t online);
void cpuhp_free(struct cpuhp *hp);
/* Enable vCPUs [0, online), disable the rest, and tell the guest (GPE0 bit
 * XMHV_ACPI_GPE0_CPUHP_BIT, SCI) when that changed. 0 or -EINVAL. */
int cpuhp_set_online(struct cpuhp *hp, uint32_t online);
/* Port handler for [XMHV_CPUHP_PORT, +XMHV_CPUHP_LEN) (vCPU threads). */
void cpuhp_io(void *opaque, uint64_t port, uint8_t *data, uint32_t size,
	      bool write);

/* vm.c: the guest ejected vCPU id: stop it (parked, reset to wait for
 * INIT/SIPI) until vm_cpuhp_enable. Any thread. */
void vm_cpuhp_eject(struct vm *vm, uint32_t id);
/* vm.c: vCPU id may run again (the guest will INIT/SIPI it). */
void vm_cpuhp_enable(struct vm *vm, uint32_t id);

/* pm.c: set GPE0 status bit and raise the SCI if enabled. Any thread. */
void pm_gpe_event(struct pm *pm, unsigned bit);

/* acpi.c: acpi_write with nvcpus MADT entries of which the first online are
 * enabled, and the DSDT's hotplug objects. 0 or -errno. */
int acpi_write_cpus(const struct mem *mem, uint64_t rsdp_gpa,
		    uint64_t tables_gpa, uint64_t tables_end, uint32_t nvcpus,
		    uint32_t online);

#endif
