/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcihp.c: ACPI PCI hot-plug registers (pcihp.h): which slots were
 * plugged (up, cleared when read), which the monitor wants back (down,
 * until the guest ejects them), the eject register, GPE0 bit 1 + SCI on
 * every change (the pattern of QEMU's piix4 acpi-pci-hotplug and of
 * cpuhp.c). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pcihp.h"

struct pcihp {
	struct device dev;
	struct pcihp_hooks hooks;
	pthread_mutex_t lock;
	uint32_t up, down;
};

static void
pcihp_reset(struct device *dev)
{
	struct pcihp *hp = (struct pcihp *)dev;

	pthread_mutex_lock(&hp->lock);
	hp->up = 0; /* the guest scans the bus at boot anyway */
	pthread_mutex_unlock(&hp->lock);
}

static int
pcihp_save(struct device *dev, struct dstate *out)
{
	struct pcihp *hp = (struct pcihp *)dev;

	pthread_mutex_lock(&hp->lock);
	dstate_put_u32(out, hp->up);
	dstate_put_u32(out, hp->down);
	pthread_mutex_unlock(&hp->lock);
	return dstate_status(out);
}

static int
pcihp_restore(struct device *dev, struct dstate *in)
{
	struct pcihp *hp = (struct pcihp *)dev;
	uint32_t up = dstate_get_u32(in), down = dstate_get_u32(in);

	if (dstate_status(in) < 0 || ((up | down) & 1))
		return -EINVAL;
	pthread_mutex_lock(&hp->lock);
	hp->up = up;
	hp->down = down;
	pthread_mutex_unlock(&hp->lock);
	return 0;
}

static void
pcihp_free(struct device *dev)
{
	struct pcihp *hp = (struct pcihp *)dev;

	pthread_mutex_destroy(&hp->lock);
	free(hp);
}

static const struct device_ops pcihp_ops = {
	.kind = "acpi-pci-hotplug",
	.reset = pcihp_reset,
	.save = pcihp_save,
	.restore = pcihp_restore,
	.free = pcihp_free,
};

struct device *
pcihp_device(struct pcihp *hp)
{
	return &hp->dev;
}

struct pcihp *
pcihp_new(const struct pcihp_hooks *hooks)
{
	struct pcihp *hp = calloc(1, sizeof(*hp));

	if (!hp)
		return NULL;
	device_init(&hp->dev, &pcihp_ops, "pci-hotplug");
	hp->hooks = *hooks;
	pthread_mutex_init(&hp->lock, NULL);
	return hp;
}

/* Change the bits of slot (1..31) and raise GPE0 bit 1. */
static void
pcihp_change(struct pcihp *hp, unsigned slot, bool up, bool down)
{
	uint32_t bit = 1u << slot;

	if (slot == 0 || slot >= 32)
		return;
	pthread_mutex_lock(&hp->lock);
	hp->up = up ? hp->up | bit : hp->up & ~bit;
	hp->down = down ? hp->down | bit : hp->down & ~bit;
	pthread_mutex_unlock(&hp->lock);
	if (up || down)
		hp->hooks.gpe(hp->hooks.gpe_opaque, XMHV_ACPI_GPE0_PCIHP_BIT);
}

void
pcihp_plugged(struct pcihp *hp, unsigned slot)
{
	pcihp_change(hp, slot, true, false);
}

void
pcihp_request_unplug(struct pcihp *hp, unsigned slot)
{
	pcihp_change(hp, slot, false, true);
}

bool
pcihp_unplug_pending(struct pcihp *hp, unsigned slot)
{
	bool yes;

	pthread_mutex_lock(&hp->lock);
	yes = slot < 32 && (hp->down & (1u << slot));
	pthread_mutex_unlock(&hp->lock);
	return yes;
}

void
pcihp_io(void *opaque, uint64_t port, uint8_t *data, uint32_t size, bool write)
{
	struct pcihp *hp = opaque;
	uint32_t v = 0, eject = 0;
	unsigned slot;

	if (size > 4)
		size = 4;
	pthread_mutex_lock(&hp->lock);
	if (!write) {
		if (port == XMHV_PCIHP_PORT) {
			v = hp->up;
			hp->up = 0;
		} else if (port == XMHV_PCIHP_DOWN_PORT) {
			v = hp->down;
		}
		memcpy(data, &v, size);
	} else if (port == XMHV_PCIHP_EJECT_PORT) {
		memcpy(&v, data, size);
		/* Only what the monitor asked for goes. */
		eject = v & hp->down;
		hp->down &= ~eject;
	}
	pthread_mutex_unlock(&hp->lock);
	for (slot = 1; eject && slot < 32; slot++)
		if (eject & (1u << slot))
			hp->hooks.eject(hp->hooks.opaque, slot);
}
