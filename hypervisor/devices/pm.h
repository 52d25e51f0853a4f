/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pm.h: the ACPI fixed hardware: PM1a event/control, PM timer, GPE0. */
#ifndef XMHV_PM_H
#define XMHV_PM_H

#include "device.h"
#include "hv.h"

struct pm;
/* PM registers raising sci; an S5 write calls hooks->power_off. NULL on
 * allocation failure. */
struct pm *pm_new(const struct irq_line *sci, const struct domain_hooks *hooks);
struct device *pm_device(struct pm *pm);
/* Press the fixed-feature power button. Any thread. */
void pm_power_button(struct pm *pm);
/* Set GPE0 status bit and raise the SCI if enabled. Any thread. */
void pm_gpe_event(struct pm *pm, unsigned bit);
/* Port handler for [XMHV_ACPI_PM1A_EVT_BLK, +16) (vCPU threads). */
void pm_io(void *opaque, uint64_t port, uint8_t *data, uint32_t size,
	   bool write);
/* PM timer ticks for a monotonic time in ns (3.579545 MHz, 32 bits). */
uint32_t pm_timer_ticks(uint64_t ns);

#endif
