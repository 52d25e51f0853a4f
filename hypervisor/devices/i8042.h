/* SPDX-License-Identifier: GPL-2.0-or-later */
/* i8042.h: the keyboard controller, there for its reset line. */
#ifndef XMHV_I8042_H
#define XMHV_I8042_H

#include "device.h"
#include "hv.h"

struct i8042;
/* A controller whose reset command ends the domain as reboot through
 * hooks->end. NULL on allocation failure. */
struct i8042 *i8042_new(const struct domain_hooks *hooks);
struct device *i8042_device(struct i8042 *k);
/* Ports 0x60 and 0x64 (vCPU threads). */
void i8042_io(void *opaque, uint64_t port, uint8_t *data, uint32_t size,
	      bool write);

#endif
