/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcihp.h: ACPI PCI hot-plug of bus 0 (xmhv_platform.h XMHV_PCIHP_*): the
 * up/down/eject registers the DSDT's slot objects use, GPE0 bit 1. */
#ifndef XMHV_PCIHP_H
#define XMHV_PCIHP_H

#include "device.h"
#include "hv.h"

struct pcihp;

/* What the controller asks of the machine. Any thread, never block. */
struct pcihp_hooks {
	/* The guest ejected the function in slot (it asked to). */
	void (*eject)(void *opaque, unsigned slot);
	/* Set GPE0 status bit (pm_gpe_event). */
	void (*gpe)(void *opaque, unsigned bit);
	void *opaque;
	void *gpe_opaque;
};

/* NULL on allocation failure. */
struct pcihp *pcihp_new(const struct pcihp_hooks *hooks);
struct device *pcihp_device(struct pcihp *hp);
/* A function was plugged into slot: tell the guest (up bit, GPE). */
void pcihp_plugged(struct pcihp *hp, unsigned slot);
/* Ask the guest to give slot back (down bit until ejected, GPE). */
void pcihp_request_unplug(struct pcihp *hp, unsigned slot);
/* Is a removal of slot pending? */
bool pcihp_unplug_pending(struct pcihp *hp, unsigned slot);
/* Port handler for [XMHV_PCIHP_PORT, +XMHV_PCIHP_LEN) (vCPU threads). */
void pcihp_io(void *opaque, uint64_t port, uint8_t *data, uint32_t size,
	      bool write);

/* acpi_pcihp.c: the DSDT part: slot objects inside \_SB.PCI0 (their
 * _ADR, _SUN, _EJ0, the registers) and \_GPE._E01. */
struct aml;
void acpi_pcihp_slots(struct aml *a);
void acpi_pcihp_gpe(struct aml *a);

#endif
