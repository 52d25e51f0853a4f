/* SPDX-License-Identifier: GPL-2.0-or-later */
/* i8042.c: a minimal keyboard controller: enough of the command set for
 * Linux's probe, and command 0xfe (pulse reset) ends the domain as reboot. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "i8042.h"

#define I8042_STS_OBF 0x01
#define I8042_STS_SYS 0x04
#define I8042_STS_UNLOCKED 0x10 /* keyboard not inhibited */
#define I8042_CMD_AUX_LOOP 0xd3
#define I8042_AUX_ABSENT 0x01 /* aux interface test: clock line low */

struct i8042 {
	struct device dev;
	struct domain_hooks hooks;
	pthread_mutex_t lock;
	uint8_t out;     /* output buffer */
	bool obf;        /* output buffer full */
	uint8_t ctr;     /* controller configuration byte */
	uint8_t pending; /* command waiting for its data byte */
};

static void
i8042_output(struct i8042 *k, uint8_t byte)
{
	k->out = byte;
	k->obf = true;
}

/* Returns true when the command resets the machine. */
static bool
i8042_command(struct i8042 *k, uint8_t cmd)
{
	switch (cmd) {
	case 0x20: /* read controller config */
		i8042_output(k, k->ctr);
		return false;
	case 0x60:               /* write controller config: next data byte */
	case 0xd1:               /* write output port: next data byte */
	case I8042_CMD_AUX_LOOP: /* echo the next data byte as aux data */
		k->pending = cmd;
		return false;
	case 0xaa: /* self test */
		i8042_output(k, 0x55);
		return false;
	case 0xa9: /* aux interface test: there is no aux port */
		i8042_output(k, I8042_AUX_ABSENT);
		return false;
	case 0xab: /* keyboard interface test */
		i8042_output(k, 0x00);
		return false;
	case XMHV_I8042_RESET_CMD:
		return true;
	default: /* enable/disable ports and the rest: accepted */
		return false;
	}
}

/* Returns true when the data byte resets the machine. */
static bool
i8042_data(struct i8042 *k, uint8_t v)
{
	uint8_t cmd = k->pending;

	k->pending = 0;
	if (cmd == 0x60)
		k->ctr = v;
	/* Answer the aux loop at once with a byte that is not the one sent:
	 * Linux then runs the aux interface test, which says "absent",
	 * instead of waiting out a timeout per probe step. */
	if (cmd == I8042_CMD_AUX_LOOP)
		i8042_output(k, (uint8_t)~v);
	/* Output port bit 0 low: CPU reset. */
	return cmd == 0xd1 && !(v & 1);
}

/* Ports 0x60 and 0x64 (vCPU threads). */
void
i8042_io(void *opaque, uint64_t port, uint8_t *data, uint32_t size, bool write)
{
	struct i8042 *k = opaque;
	bool reset = false;

	pthread_mutex_lock(&k->lock);
	if (!write) {
		memset(data, 0, size);
		if (port == XMHV_I8042_CMD_PORT) {
			data[0] = (k->obf ? I8042_STS_OBF : 0) | I8042_STS_SYS |
				  I8042_STS_UNLOCKED;
		} else {
			data[0] = k->out;
			k->obf = false;
		}
	} else if (port == XMHV_I8042_CMD_PORT) {
		reset = i8042_command(k, data[0]);
	} else {
		reset = i8042_data(k, data[0]);
	}
	pthread_mutex_unlock(&k->lock);
	if (reset && k->hooks.end)
		k->hooks.end(k->hooks.opaque, XMHV_SHUTDOWN_REBOOT);
}

static void
i8042_reset(struct device *dev)
{
	struct i8042 *k = (struct i8042 *)dev;

	pthread_mutex_lock(&k->lock);
	k->out = k->pending = 0;
	k->obf = false;
	k->ctr = 0x30; /* both ports disabled, no IRQs */
	pthread_mutex_unlock(&k->lock);
}

static int
i8042_save(struct device *dev, struct dstate *out)
{
	struct i8042 *k = (struct i8042 *)dev;
	uint8_t r[4];

	pthread_mutex_lock(&k->lock);
	r[0] = k->out, r[1] = k->obf, r[2] = k->ctr, r[3] = k->pending;
	pthread_mutex_unlock(&k->lock);
	dstate_put(out, r, sizeof(r));
	return dstate_status(out);
}

static int
i8042_restore(struct device *dev, struct dstate *in)
{
	struct i8042 *k = (struct i8042 *)dev;
	uint8_t r[4];

	dstate_get(in, r, sizeof(r));
	if (dstate_status(in) < 0)
		return -EINVAL;
	pthread_mutex_lock(&k->lock);
	k->out = r[0], k->obf = r[1] != 0, k->ctr = r[2], k->pending = r[3];
	pthread_mutex_unlock(&k->lock);
	return 0;
}

static void
i8042_free(struct device *dev)
{
	struct i8042 *k = (struct i8042 *)dev;

	pthread_mutex_destroy(&k->lock);
	free(k);
}

static const struct device_ops i8042_ops = {
	.kind = "i8042",
	.reset = i8042_reset,
	.save = i8042_save,
	.restore = i8042_restore,
	.free = i8042_free,
};

struct device *
i8042_device(struct i8042 *k)
{
	return &k->dev;
}

/* A controller with its translation and interrupts off. */
struct i8042 *
i8042_new(const struct domain_hooks *hooks)
{
	struct i8042 *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	device_init(&k->dev, &i8042_ops, "i8042");
	k->hooks = *hooks;
	k->ctr = 0x30; /* both ports disabled, no IRQs */
	pthread_mutex_init(&k->lock, NULL);
	return k;
}
