/* SPDX-License-Identifier: GPL-2.0-or-later */
/* serial.c: a 16550A UART on COM1 (IRQ 4), the guest console. Output is
 * batched to the console callback; input goes through the 16-byte FIFO. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sandbox.h"
#include "serial.h"

#define UART_FIFO 16
#define UART_OUT_BATCH 256
#define UART_FLUSH_NS 2000000 /* output waits at most 2 ms for company */

#define UART_IER_RDI 0x01
#define UART_IER_THRI 0x02
#define UART_IER_RLSI 0x04
#define UART_IIR_NONE 0x01
#define UART_IIR_THRI 0x02
#define UART_IIR_RDI 0x04
#define UART_IIR_FIFO 0xc0
#define UART_FCR_ENABLE 0x01
#define UART_FCR_CLEAR_RX 0x02
#define UART_LCR_DLAB 0x80
#define UART_MCR_LOOP 0x10
#define UART_MCR_OUT2 0x08
#define UART_LSR_DR 0x01
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_MSR_DCD 0x80
#define UART_MSR_DSR 0x20
#define UART_MSR_CTS 0x10

struct serial {
	struct device dev;
	struct irq_line irq;
	serial_out_fn out;
	void *opaque;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t flusher;
	bool flusher_started, stop;
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	bool thri_pending;
	int irq_level;
	uint8_t rx[UART_FIFO];
	unsigned rx_head, rx_count;
	uint8_t outbuf[UART_OUT_BATCH];
	size_t outlen;
};

/* Caller holds s->lock. The ISA line follows the interrupt condition, so
 * the in-kernel PIC/IOAPIC see a rising edge for each new event. */
static void
serial_update_irq(struct serial *s)
{
	int level = 0;

	if ((s->ier & UART_IER_RDI) && s->rx_count)
		level = 1;
	if ((s->ier & UART_IER_THRI) && s->thri_pending)
		level = 1;
	if (level != s->irq_level) {
		s->irq_level = level;
		(void)irq_line_set(&s->irq, level);
	}
}

static void
serial_flush_locked(struct serial *s)
{
	if (s->outlen && s->out)
		s->out(s->opaque, s->outbuf, s->outlen);
	s->outlen = 0;
}

void
serial_flush(struct serial *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	serial_flush_locked(s);
	pthread_mutex_unlock(&s->lock);
}

static void *
serial_flusher(void *arg)
{
	struct serial *s = arg;
	struct timespec ts;

	/* This thread never needs privileges (they are per thread). */
	(void)!sandbox_drop_caps();
	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		if (!s->outlen) {
			pthread_cond_wait(&s->cond, &s->lock);
			continue;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += UART_FLUSH_NS;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&s->cond, &s->lock, &ts);
		serial_flush_locked(s);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static void
serial_tx(struct serial *s, uint8_t c)
{
	if (s->mcr & UART_MCR_LOOP) {
		if (s->rx_count < UART_FIFO)
			s->rx[(s->rx_head + s->rx_count++) % UART_FIFO] = c;
		return;
	}
	if (s->outlen == 0)
		pthread_cond_signal(&s->cond);
	s->outbuf[s->outlen++] = c;
	if (c == '\n' || s->outlen == sizeof(s->outbuf))
		serial_flush_locked(s);
}

static uint8_t
serial_iir(struct serial *s)
{
	uint8_t fifo = (s->fcr & UART_FCR_ENABLE) ? UART_IIR_FIFO : 0;

	if ((s->ier & UART_IER_RDI) && s->rx_count)
		return fifo | UART_IIR_RDI;
	if ((s->ier & UART_IER_THRI) && s->thri_pending) {
		/* Reading IIR that reports THRE acknowledges it. */
		s->thri_pending = false;
		return fifo | UART_IIR_THRI;
	}
	return fifo | UART_IIR_NONE;
}

static uint8_t
serial_read(struct serial *s, unsigned reg)
{
	uint8_t v = 0;

	switch (reg) {
	case 0:
		if (s->lcr & UART_LCR_DLAB)
			return s->dll;
		if (s->rx_count) {
			v = s->rx[s->rx_head];
			s->rx_head = (s->rx_head + 1) % UART_FIFO;
			s->rx_count--;
		}
		return v;
	case 1:
		return (s->lcr & UART_LCR_DLAB) ? s->dlm : s->ier;
	case 2:
		return serial_iir(s);
	case 3:
		return s->lcr;
	case 4:
		return s->mcr;
	case 5:
		return UART_LSR_THRE | UART_LSR_TEMT |
		       (s->rx_count ? UART_LSR_DR : 0);
	case 6:
		if (s->mcr & UART_MCR_LOOP)
			return (uint8_t)((s->mcr & 0x0c) << 4 |
					 (s->mcr & 0x01) << 5 |
					 (s->mcr & 0x02) << 3);
		return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	default:
		return s->scr;
	}
}

static void
serial_write(struct serial *s, unsigned reg, uint8_t v)
{
	switch (reg) {
	case 0:
		if (s->lcr & UART_LCR_DLAB) {
			s->dll = v;
			return;
		}
		serial_tx(s, v);
		/* Transmitted at once: the holding register is empty again. */
		s->thri_pending = true;
		return;
	case 1:
		if (s->lcr & UART_LCR_DLAB) {
			s->dlm = v;
			return;
		}
		/* Enabling THRI with an empty THR raises it, as 16550s do. */
		if (!(s->ier & UART_IER_THRI) && (v & UART_IER_THRI))
			s->thri_pending = true;
		s->ier = v & 0x0f;
		return;
	case 2:
		s->fcr = v & 0xc9;
		if (v & UART_FCR_CLEAR_RX)
			s->rx_count = 0;
		return;
	case 3:
		s->lcr = v;
		return;
	case 4:
		s->mcr = v & 0x1f;
		return;
	case 7:
		s->scr = v;
		return;
	default:
		return;
	}
}

/* Port handler for COM1 (vCPU threads). */
void
serial_io(void *opaque, uint64_t port, uint8_t *data, uint32_t size, bool write)
{
	struct serial *s = opaque;
	unsigned reg = (unsigned)(port - XMHV_COM1_PORT) & 7;

	pthread_mutex_lock(&s->lock);
	if (write)
		serial_write(s, reg, data[0]);
	else {
		memset(data, 0, size);
		data[0] = serial_read(s, reg);
	}
	serial_update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

/* Queue console input into the receive FIFO; returns bytes taken. */
size_t
serial_input(struct serial *s, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	pthread_mutex_lock(&s->lock);
	while (n < len && s->rx_count < UART_FIFO) {
		s->rx[(s->rx_head + s->rx_count++) % UART_FIFO] = buf[n++];
	}
	serial_update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return n;
}

/* The registers a guest sees after reset (the FIFO emptied). */
static void
serial_reset_locked(struct serial *s)
{
	s->ier = s->lcr = s->scr = s->fcr = s->dll = s->dlm = 0;
	s->mcr = UART_MCR_OUT2;
	s->thri_pending = false;
	s->rx_head = s->rx_count = 0;
}

static void
serial_reset(struct device *dev)
{
	struct serial *s = (struct serial *)dev;

	pthread_mutex_lock(&s->lock);
	serial_flush_locked(s);
	serial_reset_locked(s);
	serial_update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

/* Paused: what the guest wrote reaches the console now. */
static int
serial_pause(struct device *dev)
{
	serial_flush((struct serial *)dev);
	return 0;
}

static int
serial_save(struct device *dev, struct dstate *out)
{
	struct serial *s = (struct serial *)dev;
	uint8_t regs[7];

	pthread_mutex_lock(&s->lock);
	regs[0] = s->ier, regs[1] = s->lcr, regs[2] = s->mcr;
	regs[3] = s->scr, regs[4] = s->fcr, regs[5] = s->dll;
	regs[6] = s->dlm;
	dstate_put(out, regs, sizeof(regs));
	dstate_put_u32(out, s->thri_pending);
	dstate_put_u32(out, s->rx_count);
	dstate_put(out, s->rx, sizeof(s->rx));
	dstate_put_u32(out, s->rx_head);
	pthread_mutex_unlock(&s->lock);
	return dstate_status(out);
}

static int
serial_restore(struct device *dev, struct dstate *in)
{
	struct serial *s = (struct serial *)dev;
	uint8_t regs[7], rx[UART_FIFO];
	uint32_t thri, count, head;

	dstate_get(in, regs, sizeof(regs));
	thri = dstate_get_u32(in);
	count = dstate_get_u32(in);
	dstate_get(in, rx, sizeof(rx));
	head = dstate_get_u32(in);
	if (dstate_status(in) < 0 || count > UART_FIFO || head >= UART_FIFO)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	s->ier = regs[0] & 0x0f, s->lcr = regs[1], s->mcr = regs[2] & 0x1f;
	s->scr = regs[3], s->fcr = regs[4] & 0xc9, s->dll = regs[5];
	s->dlm = regs[6];
	s->thri_pending = thri != 0;
	s->rx_count = count;
	s->rx_head = head;
	memcpy(s->rx, rx, sizeof(rx));
	serial_update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

static void
serial_free(struct device *dev)
{
	struct serial *s = (struct serial *)dev;

	if (s->flusher_started) {
		pthread_mutex_lock(&s->lock);
		s->stop = true;
		pthread_cond_signal(&s->cond);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->flusher, NULL);
	}
	serial_flush(s);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s);
}

static const struct device_ops serial_ops = {
	.kind = "16550a",
	.reset = serial_reset,
	.pause = serial_pause,
	.save = serial_save,
	.restore = serial_restore,
	.free = serial_free,
};

struct device *
serial_device(struct serial *s)
{
	return &s->dev;
}

/* See serial.h. */
struct serial *
serial_new(const struct irq_line *irq, serial_out_fn out, void *opaque)
{
	struct serial *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	device_init(&s->dev, &serial_ops, "com1");
	s->irq = *irq;
	s->out = out;
	s->opaque = opaque;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	serial_reset_locked(s);
	if (pthread_create(&s->flusher, NULL, serial_flusher, s) != 0) {
		serial_free(&s->dev);
		return NULL;
	}
	s->flusher_started = true;
	return s;
}
