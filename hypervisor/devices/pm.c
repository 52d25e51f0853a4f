/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pm.c: the ACPI PM1a event/control block, PM timer and GPE0 block: the
 * fixed power button raises SCI, an S5 write powers the domain off. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pm.h"
#include "util.h"

struct pm {
	struct device dev;
	struct irq_line sci;
	struct domain_hooks hooks;
	pthread_mutex_t lock;
	uint16_t sts, en, cnt;
	uint16_t gpe_sts, gpe_en;
	int sci_level;
};

/* Pure: the 3.579545 MHz ACPI PM timer, 32 bits wide (TMR_VAL_EXT). */
uint32_t
pm_timer_ticks(uint64_t ns)
{
	unsigned __int128 t = (unsigned __int128)ns * 3579545u;

	return (uint32_t)(t / 1000000000u);
}

/* Caller holds pm->lock. SCI is level-triggered: asserted while an
 * enabled status bit is set. */
static void
pm_update_sci(struct pm *pm)
{
	int level = (pm->sts & pm->en & XMHV_ACPI_PM1_PWRBTN_STS) != 0 ||
		    (pm->gpe_sts & pm->gpe_en) != 0;

	if (level != pm->sci_level) {
		pm->sci_level = level;
		(void)irq_line_set(&pm->sci, level);
	}
}

/* Press the fixed-feature power button. Any thread. */
void
pm_power_button(struct pm *pm)
{
	pthread_mutex_lock(&pm->lock);
	pm->sts |= XMHV_ACPI_PM1_PWRBTN_STS;
	pm_update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
}

/* Set GPE0 status bit (a hardware event, e.g. CPU hotplug). Any thread. */
void
pm_gpe_event(struct pm *pm, unsigned bit)
{
	pthread_mutex_lock(&pm->lock);
	pm->gpe_sts |= (uint16_t)(1u << bit);
	pm_update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
}

static uint32_t
pm_read(struct pm *pm, unsigned off)
{
	switch (off) {
	case 0:
		return pm->sts | (uint32_t)pm->en << 16;
	case 2:
		return pm->en;
	case 4:
		return pm->cnt | XMHV_ACPI_PM1_SCI_EN;
	case 8:
		return pm_timer_ticks(util_now_ns());
	case 12:
		return pm->gpe_sts | (uint32_t)pm->gpe_en << 16;
	case 14:
		return pm->gpe_en;
	default:
		return 0;
	}
}

/* Returns true when the guest asked for S5. */
static bool
pm_write(struct pm *pm, unsigned off, uint32_t v, uint32_t size)
{
	uint16_t slp_typ;

	switch (off) {
	case 0:
		pm->sts &= (uint16_t)~v; /* write 1 to clear */
		if (size == 4)
			pm->en = (uint16_t)(v >> 16);
		return false;
	case 2:
		pm->en = (uint16_t)v;
		return false;
	case 4:
		pm->cnt = (uint16_t)(v & ~XMHV_ACPI_PM1_SLP_EN);
		slp_typ = (v >> XMHV_ACPI_PM1_SLP_TYP_SHIFT) & 7;
		return (v & XMHV_ACPI_PM1_SLP_EN) &&
		       slp_typ == XMHV_ACPI_S5_SLP_TYP;
	case 12:
		pm->gpe_sts &= (uint16_t)~v;
		if (size == 4)
			pm->gpe_en = (uint16_t)(v >> 16);
		return false;
	case 14:
		pm->gpe_en = (uint16_t)v;
		return false;
	default:
		return false;
	}
}

/* Port handler for [PM1A_EVT_BLK, +16) (vCPU threads). */
void
pm_io(void *opaque, uint64_t port, uint8_t *data, uint32_t size, bool write)
{
	struct pm *pm = opaque;
	unsigned off = (unsigned)(port - XMHV_ACPI_PM1A_EVT_BLK);
	uint32_t v = 0;
	bool s5 = false;

	if (size > 4)
		size = 4;
	pthread_mutex_lock(&pm->lock);
	if (write) {
		memcpy(&v, data, size);
		s5 = pm_write(pm, off, v, size);
	} else {
		/* Unaligned byte reads see the containing register's byte. */
		v = pm_read(pm, off & ~1u) >> (8 * (off & 1));
		memcpy(data, &v, size);
	}
	pm_update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
	if (s5 && pm->hooks.power_off)
		pm->hooks.power_off(pm->hooks.opaque);
}

static void
pm_reset(struct device *dev)
{
	struct pm *pm = (struct pm *)dev;

	pthread_mutex_lock(&pm->lock);
	pm->sts = pm->en = pm->cnt = pm->gpe_sts = pm->gpe_en = 0;
	pm_update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
}

static int
pm_save(struct device *dev, struct dstate *out)
{
	struct pm *pm = (struct pm *)dev;
	uint16_t r[5];

	pthread_mutex_lock(&pm->lock);
	r[0] = pm->sts, r[1] = pm->en, r[2] = pm->cnt;
	r[3] = pm->gpe_sts, r[4] = pm->gpe_en;
	pthread_mutex_unlock(&pm->lock);
	dstate_put(out, r, sizeof(r));
	return dstate_status(out);
}

static int
pm_restore(struct device *dev, struct dstate *in)
{
	struct pm *pm = (struct pm *)dev;
	uint16_t r[5];

	dstate_get(in, r, sizeof(r));
	if (dstate_status(in) < 0)
		return -EINVAL;
	pthread_mutex_lock(&pm->lock);
	pm->sts = r[0], pm->en = r[1], pm->cnt = r[2];
	pm->gpe_sts = r[3], pm->gpe_en = r[4];
	pm_update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
	return 0;
}

static void
pm_free(struct device *dev)
{
	struct pm *pm = (struct pm *)dev;

	pthread_mutex_destroy(&pm->lock);
	free(pm);
}

static const struct device_ops pm_ops = {
	.kind = "acpi-pm",
	.reset = pm_reset,
	.save = pm_save,
	.restore = pm_restore,
	.free = pm_free,
};

struct device *
pm_device(struct pm *pm)
{
	return &pm->dev;
}

/* See pm.h. */
struct pm *
pm_new(const struct irq_line *sci, const struct domain_hooks *hooks)
{
	struct pm *pm = calloc(1, sizeof(*pm));

	if (!pm)
		return NULL;
	device_init(&pm->dev, &pm_ops, "acpi-pm");
	pm->sci = *sci;
	pm->hooks = *hooks;
	pthread_mutex_init(&pm->lock, NULL);
	return pm;
}
