/* SPDX-License-Identifier: GPL-2.0-or-later */
/* serial.h: the 16550A UART (COM1), the guest console. */
#ifndef XMHV_SERIAL_H
#define XMHV_SERIAL_H

#include "device.h"
#include "hv.h"

struct serial;
/* Guest output, a batch at a time; called from vCPU threads and the UART's
 * flusher thread; must not block. */
typedef void (*serial_out_fn)(void *opaque, const uint8_t *buf, size_t len);

/* A UART in its reset state raising irq, with its output flusher thread.
 * NULL on allocation failure. */
struct serial *serial_new(const struct irq_line *irq, serial_out_fn out,
			  void *opaque);
struct device *serial_device(struct serial *s);
/* Queue console input into the receive FIFO; returns the bytes taken. */
size_t serial_input(struct serial *s, const uint8_t *buf, size_t len);
/* Hand buffered output to the callback now. Any thread. */
void serial_flush(struct serial *s);
/* Port handler for the UART's 8 ports (vCPU threads). */
void serial_io(void *opaque, uint64_t port, uint8_t *data, uint32_t size,
	       bool write);

#endif
