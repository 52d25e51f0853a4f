/* SPDX-License-Identifier: GPL-2.0-or-later */
/* i8042.c: a minimal keyboard controller: enough of the command set for
 * Linux's probe, and command 0xfe (pulse reset) ends the domain as reboot. */
#include <stdatomic.h>

#include "hv.h"

#define I8042_STS_OBF 0x01
#define I8042_STS_SYS 0x04
#define I8042_STS_CMD 0x08

/* Controller state: one per process is enough (one VM per xmhv). */
static _Atomic uint32_t i8042_state; /* out byte | OBF << 8 | ctr << 16 |
					 pending cmd << 24 */

static void
i8042_output(uint8_t byte, uint32_t *st)
{
	*st = (*st & ~0xffffu) | byte | (I8042_STS_OBF << 8);
}

static void
i8042_command(struct vm *vm, uint8_t cmd, uint32_t *st)
{
	switch (cmd) {
	case 0x20: /* read controller config */
		i8042_output((uint8_t)(*st >> 16), st);
		break;
	case 0x60: /* write controller config: next data byte */
	case 0xd1: /* write output port: next data byte */
		*st = (*st & 0x00ffffffu) | (uint32_t)cmd << 24;
		break;
	case 0xaa: /* self test */
		i8042_output(0x55, st);
		break;
	case 0xa9: /* aux interface test: absent */
		i8042_output(0xff, st);
		break;
	case 0xab: /* keyboard interface test */
		i8042_output(0x00, st);
		break;
	case XMHV_I8042_RESET_CMD:
		vm_end(vm, XMHV_SHUTDOWN_REBOOT);
		break;
	default: /* enable/disable ports and the rest: accepted */
		break;
	}
}

/* Ports 0x60 and 0x64 (vCPU threads). */
void
i8042_io(void *opaque, uint64_t port, uint8_t *data, uint32_t size, bool write)
{
	struct vm *vm = opaque;
	uint32_t st = atomic_load(&i8042_state);
	uint8_t pending = (uint8_t)(st >> 24);

	if (!write) {
		if (port == XMHV_I8042_CMD_PORT) {
			data[0] = (uint8_t)(st >> 8) | I8042_STS_SYS;
		} else {
			data[0] = (uint8_t)st;
			st &= ~(I8042_STS_OBF << 8);
		}
	} else if (port == XMHV_I8042_CMD_PORT) {
		i8042_command(vm, data[0], &st);
	} else if (pending == 0x60) {
		st = (st & 0xff00ffffu) | (uint32_t)data[0] << 16;
		st &= 0x00ffffffu;
	} else if (pending == 0xd1) {
		st &= 0x00ffffffu;
		if (!(data[0] & 1)) /* output port bit 0 low: CPU reset */
			vm_end(vm, XMHV_SHUTDOWN_REBOOT);
	}
	for (uint32_t i = 1; !write && i < size; i++)
		data[i] = 0xff;
	atomic_store(&i8042_state, st);
}
