/* SPDX-License-Identifier: GPL-2.0-or-later */
/* board.h: the board xmhv gives a guest: which device sits at which port,
 * MMIO range and interrupt (the ACPI tables and the MP table describe the
 * same board). */
#ifndef XMHV_BOARD_H
#define XMHV_BOARD_H

#include "devices/serial.h"
#include "hv.h"

struct vm;
struct pm;
struct cpuhp;
struct pci;
struct pcihp;

/* The devices the machine talks to after the build. */
struct board {
	struct serial *com1;
	struct pm *pm;
	struct cpuhp *cpuhp;
	struct pci *pci;
	struct pcihp *pcihp;
};

struct board_config {
	uint64_t mem_bytes;
	bool localtime;
	uint32_t nvcpus, online;
	serial_out_fn console_out;
	void *console_opaque;
};

/* Create the board's devices, add them to vm (vm_add_device) and claim
 * their ports and MMIO ranges. 0, or -errno with errmsg naming the device.
 * Main thread, before the vCPUs run. */
int board_build(struct vm *vm, const struct board_config *cfg,
		struct board *out, char *errmsg, size_t errlen) HV_WUR;

#endif
