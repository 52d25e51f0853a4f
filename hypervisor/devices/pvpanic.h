/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pvpanic.h: the ISA pvpanic device (QEMU0001): a guest panic ends the
 * domain with reason crash. */
#ifndef XMHV_PVPANIC_H
#define XMHV_PVPANIC_H

#include "device.h"
#include "hv.h"

struct pvpanic;
/* NULL on allocation failure. */
struct pvpanic *pvpanic_new(const struct domain_hooks *hooks);
struct device *pvpanic_device(struct pvpanic *p);
/* Port XMHV_PVPANIC_PORT (vCPU threads). */
void pvpanic_io(void *opaque, uint64_t port, uint8_t *data, uint32_t size,
		bool write);

#endif
