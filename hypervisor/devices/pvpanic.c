/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pvpanic.c: the ISA pvpanic device at port 0x505: a guest panic ends the
 * domain with reason crash. */
#include <string.h>

#include "hv.h"
#include "log.h"

#define PVPANIC_PANICKED 0x1

/* Port 0x505 (vCPU threads): reads advertise "panicked" support. */
void
pvpanic_io(void *opaque, uint64_t port, uint8_t *data, uint32_t size,
	   bool write)
{
	struct vm *vm = opaque;

	if (!write) {
		memset(data, 0, size);
		data[0] = PVPANIC_PANICKED;
		return;
	}
	if (data[0] & PVPANIC_PANICKED) {
		log_err("domain %s: guest reported a panic (pvpanic)",
			vm_name(vm));
		vm_end(vm, XMHV_SHUTDOWN_CRASH);
	}
}
