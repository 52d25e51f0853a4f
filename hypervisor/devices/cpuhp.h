/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpuhp.h: ACPI CPU hotplug for xmhv (the enabled-vCPU bitmap, the eject
 * register, the GPE0 event) and what it needs from the machine. */
#ifndef XMHV_CPUHP_H
#define XMHV_CPUHP_H

#include "device.h"
#include "hv.h"

struct mem;
struct cpuhp;

/* What the hotplug controller asks of the machine and of the PM block.
 * Any thread, never block. */
struct cpuhp_hooks {
	/* The guest ejected vCPU id: stop it (parked, reset to wait for
	 * INIT/SIPI) until enable. */
	void (*eject)(void *opaque, uint32_t id);
	/* vCPU id may run again (the guest will INIT/SIPI it). */
	void (*enable)(void *opaque, uint32_t id);
	/* Set GPE0 status bit (pm_gpe_event). */
	void (*gpe)(void *opaque, unsigned bit);
	void *opaque;
	void *gpe_opaque;
};

/* A hotplug controller for nvcpus vCPUs, the first online enabled. NULL on
 * allocation failure. */
struct cpuhp *cpuhp_new(const struct cpuhp_hooks *hooks, uint32_t nvcpus,
			uint32_t online);
struct device *cpuhp_device(struct cpuhp *hp);
/* Enable vCPUs [0, online), disable the rest, and tell the guest (GPE0 bit
 * XMHV_ACPI_GPE0_CPUHP_BIT, SCI) when that changed. 0 or -EINVAL. */
int cpuhp_set_online(struct cpuhp *hp, uint32_t online);
/* Port handler for [XMHV_CPUHP_PORT, +XMHV_CPUHP_LEN) (vCPU threads). */
void cpuhp_io(void *opaque, uint64_t port, uint8_t *data, uint32_t size,
	      bool write);

/* acpi.c: acpi_write with nvcpus MADT entries of which the first online are
 * enabled, and the DSDT's hotplug objects. 0 or -errno. */
int acpi_write_cpus(const struct mem *mem, uint64_t rsdp_gpa,
		    uint64_t tables_gpa, uint64_t tables_end, uint32_t nvcpus,
		    uint32_t online);

#endif
