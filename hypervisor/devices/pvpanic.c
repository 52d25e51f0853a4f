/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pvpanic.c: the ISA pvpanic device at port 0x505: a guest panic ends the
 * domain with reason crash. */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pvpanic.h"

#define PVPANIC_PANICKED 0x1

struct pvpanic {
	struct device dev;
	struct domain_hooks hooks;
};

/* Port 0x505 (vCPU threads): reads advertise "panicked" support. */
void
pvpanic_io(void *opaque, uint64_t port, uint8_t *data, uint32_t size,
	   bool write)
{
	struct pvpanic *p = opaque;

	(void)port;
	if (!write) {
		memset(data, 0, size);
		data[0] = PVPANIC_PANICKED;
		return;
	}
	if (data[0] & PVPANIC_PANICKED) {
		log_err("domain %s: guest reported a panic (pvpanic)",
			p->hooks.name ? p->hooks.name : "?");
		if (p->hooks.end)
			p->hooks.end(p->hooks.opaque, XMHV_SHUTDOWN_CRASH);
	}
}

static void
pvpanic_free(struct device *dev)
{
	free(dev);
}

static const struct device_ops pvpanic_ops = {
	.kind = "pvpanic",
	.free = pvpanic_free,
};

struct device *
pvpanic_device(struct pvpanic *p)
{
	return &p->dev;
}

/* See pvpanic.h. */
struct pvpanic *
pvpanic_new(const struct domain_hooks *hooks)
{
	struct pvpanic *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	device_init(&p->dev, &pvpanic_ops, "pvpanic");
	p->hooks = *hooks;
	return p;
}
