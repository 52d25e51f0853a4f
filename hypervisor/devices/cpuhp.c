/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpuhp.c: ACPI CPU hotplug: the enabled-vCPU bitmap the guest reads, the
 * eject register it writes, GPE0 bit 2 + SCI on every change (QEMU pc). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cpuhp.h"

struct cpuhp {
	struct device dev;
	struct cpuhp_hooks hooks;
	pthread_mutex_t lock;
	uint32_t nvcpus;
	uint64_t enabled; /* bit n: vCPU n enabled */
};

static uint64_t
cpuhp_mask(uint32_t n)
{
	return n >= 64 ? ~0ULL : (1ULL << n) - 1;
}

/* The enabled set lives on (the guest's view of it matters); the machine
 * saves which vCPUs are parked with its own state. */
static int
cpuhp_save(struct device *dev, struct dstate *out)
{
	struct cpuhp *hp = (struct cpuhp *)dev;

	pthread_mutex_lock(&hp->lock);
	dstate_put_u64(out, hp->enabled);
	pthread_mutex_unlock(&hp->lock);
	return dstate_status(out);
}

static int
cpuhp_restore(struct device *dev, struct dstate *in)
{
	struct cpuhp *hp = (struct cpuhp *)dev;
	uint64_t enabled = dstate_get_u64(in);

	if (dstate_status(in) < 0 || (enabled & ~cpuhp_mask(hp->nvcpus)) ||
	    !(enabled & 1))
		return -EINVAL;
	pthread_mutex_lock(&hp->lock);
	hp->enabled = enabled;
	pthread_mutex_unlock(&hp->lock);
	return 0;
}

static void
cpuhp_free(struct device *dev)
{
	struct cpuhp *hp = (struct cpuhp *)dev;

	pthread_mutex_destroy(&hp->lock);
	free(hp);
}

static const struct device_ops cpuhp_ops = {
	.kind = "acpi-cpu-hotplug",
	.save = cpuhp_save,
	.restore = cpuhp_restore,
	.free = cpuhp_free,
};

struct device *
cpuhp_device(struct cpuhp *hp)
{
	return &hp->dev;
}

/* See cpuhp.h. */
struct cpuhp *
cpuhp_new(const struct cpuhp_hooks *hooks, uint32_t nvcpus, uint32_t online)
{
	struct cpuhp *hp = calloc(1, sizeof(*hp));

	if (!hp)
		return NULL;
	device_init(&hp->dev, &cpuhp_ops, "cpu-hotplug");
	hp->hooks = *hooks;
	hp->nvcpus = nvcpus;
	hp->enabled = cpuhp_mask(online);
	pthread_mutex_init(&hp->lock, NULL);
	return hp;
}

int
cpuhp_set_online(struct cpuhp *hp, uint32_t online)
{
	uint64_t want, added;
	uint32_t i;
	bool changed;

	if (online < 1 || online > hp->nvcpus)
		return -EINVAL;
	want = cpuhp_mask(online);
	pthread_mutex_lock(&hp->lock);
	added = want & ~hp->enabled;
	changed = want != hp->enabled;
	hp->enabled = want;
	pthread_mutex_unlock(&hp->lock);
	/* Let added vCPUs' threads wait for INIT/SIPI in KVM_RUN before the
	 * guest hears about them. */
	for (i = 0; i < hp->nvcpus; i++)
		if (added & (1ULL << i))
			hp->hooks.enable(hp->hooks.opaque, i);
	if (changed)
		hp->hooks.gpe(hp->hooks.gpe_opaque, XMHV_ACPI_GPE0_CPUHP_BIT);
	return 0;
}

void
cpuhp_io(void *opaque, uint64_t port, uint8_t *data, uint32_t size, bool write)
{
	struct cpuhp *hp = opaque;
	unsigned off = (unsigned)(port - XMHV_CPUHP_PORT);
	uint64_t v = 0;
	uint32_t id = 0;
	bool eject = false;

	if (size > 8)
		size = 8;
	pthread_mutex_lock(&hp->lock);
	if (!write) {
		if (off < 8) {
			v = hp->enabled >> (8 * off);
			memcpy(data, &v, size);
		} else {
			memset(data, 0, size);
		}
	} else if (off == XMHV_CPUHP_EJECT_PORT - XMHV_CPUHP_PORT) {
		memcpy(&id, data, size < 4 ? size : 4);
		/* Only a disabled vCPU can go, never the boot CPU. */
		eject = id > 0 && id < hp->nvcpus &&
			!(hp->enabled & (1ULL << id));
	}
	pthread_mutex_unlock(&hp->lock);
	if (eject)
		hp->hooks.eject(hp->hooks.opaque, id);
}
