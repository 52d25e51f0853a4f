/* SPDX-License-Identifier: GPL-2.0-or-later */
/* console.c: the 16550 UART on COM1: output, printf, interrupt-driven input. */
#include "guest.h"
#include "xmhv_platform.h"

#define UART_RBR 0
#define UART_THR 0
#define UART_DLL 0
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_LSR_DR 0x01
#define CONSOLE_RX_SIZE 256

static volatile uint8_t console_rx[CONSOLE_RX_SIZE];
static volatile uint32_t console_rx_head, console_rx_tail;
static volatile uint32_t console_lock_word;
static volatile int console_panicking;

/* Register writes in order: 115200 8N1, FIFO on (RX trigger 1 byte), DTR,
 * RTS and OUT2 (the PC's IRQ gate), RX-data interrupt only. */
static const uint8_t console_init_seq[][2] = {
	{UART_IER, 0x00}, {UART_LCR, 0x80}, {UART_DLL, 0x01}, {UART_DLM, 0x00},
	{UART_LCR, 0x03}, {UART_FCR, 0x07}, {UART_MCR, 0x0b}, {UART_IER, 0x01},
};

/* console_init: program COM1; BSP, before interrupts are enabled. */
void
console_init(void)
{
	size_t i;

	for (i = 0; i < sizeof(console_init_seq) / sizeof(console_init_seq[0]);
	     i++)
		outb(XMHV_COM1_PORT + console_init_seq[i][0],
		     console_init_seq[i][1]);
	for (i = 0; i < 64 && (inb(XMHV_COM1_PORT + UART_LSR) & UART_LSR_DR);
	     i++)
		(void)inb(XMHV_COM1_PORT + UART_RBR);
}

/* console_putc: one byte per OUT, no LSR polling: the platform's UART (and
 * QEMU's) takes every byte at once, and each port exit costs ~7.5 us. */
void
console_putc(char c)
{
	if (c == '\n')
		outb(XMHV_COM1_PORT + UART_THR, '\r');
	outb(XMHV_COM1_PORT + UART_THR, (uint8_t)c);
}

/* console_write: n bytes, '\n' becomes "\r\n". */
void
console_write(const char *s, size_t n)
{
	while (n--)
		console_putc(*s++);
}

/* console_lock: spinlock with interrupts off (saved), so APs and the BSP do
 * not interleave lines; console_unlock restores the interrupt flag. */
static uint64_t
console_lock_irqsave(void)
{
	uint64_t flags;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags)::"memory");
	while (__atomic_exchange_n(&console_lock_word, 1, __ATOMIC_ACQUIRE) &&
	       !console_panicking)
		cpu_relax();
	return flags;
}

static void
console_unlock_irqrestore(uint64_t flags)
{
	__atomic_store_n(&console_lock_word, 0, __ATOMIC_RELEASE);
	if (flags & 0x200)
		__asm__ volatile("sti" ::: "memory");
}

static char *
console_fmt_num(char *end, uint64_t v, unsigned base)
{
	static const char digits[] = "0123456789abcdef";

	do {
		*--end = digits[v % base];
		v /= base;
	} while (v);
	return end;
}

/* Formats straight to the UART (no buffer, so a 4 KiB command line comes
 * out whole); supports %s %c %d %u %x with l/ll, '0' and a width, and %%.
 * Caller holds the console lock. */
static void
console_vformat(const char *fmt, va_list ap)
{
	char num[24], *p;
	const char *s;

	for (; *fmt; fmt++) {
		int lng = 0, width = 0;
		char pad = ' ';
		uint64_t v;
		int neg = 0;
		size_t sl;

		if (*fmt != '%') {
			console_putc(*fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 's':
			s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			break;
		case 'c':
			num[0] = (char)va_arg(ap, int);
			num[1] = 0;
			s = num;
			break;
		case 'd':
		case 'u':
		case 'x':
			if (*fmt == 'd') {
				int64_t sv = lng ? va_arg(ap, int64_t)
						 : va_arg(ap, int);
				neg = sv < 0;
				v = neg ? (uint64_t)-sv : (uint64_t)sv;
			} else {
				v = lng ? va_arg(ap, uint64_t)
					: va_arg(ap, unsigned);
			}
			p = console_fmt_num(num + sizeof(num) - 1, v,
					    *fmt == 'x' ? 16 : 10);
			num[sizeof(num) - 1] = 0;
			if (neg)
				*--p = '-';
			s = p;
			break;
		case '%':
			s = "%";
			break;
		default:
			s = "?";
			break;
		}
		sl = strlen(s);
		while (width-- > (int)sl)
			console_putc(pad);
		while (*s)
			console_putc(*s++);
	}
}

/* console_printf: formatted output, whole message under the console lock;
 * callable from any CPU and from interrupt handlers. */
void
console_printf(const char *fmt, ...)
{
	va_list ap;
	uint64_t flags;

	flags = console_lock_irqsave();
	va_start(ap, fmt);
	console_vformat(fmt, ap);
	va_end(ap);
	console_unlock_irqrestore(flags);
}

/* console_panic: from now on printing ignores the lock, so a CPU that
 * faults while holding it (or while another CPU holds it) still gets its
 * last words out. Any CPU, any context. */
void
console_panic(void)
{
	console_panicking = 1;
}

/* console_irq: COM1 interrupt: move received bytes into the ring (bytes
 * beyond a full ring are dropped). */
void
console_irq(void)
{
	int i;

	for (i = 0; i < 64 && (inb(XMHV_COM1_PORT + UART_LSR) & UART_LSR_DR);
	     i++) {
		uint8_t c = inb(XMHV_COM1_PORT + UART_RBR);
		uint32_t next = (console_rx_head + 1) % CONSOLE_RX_SIZE;

		if (next != console_rx_tail) {
			console_rx[console_rx_head] = c;
			console_rx_head = next;
		}
	}
}

/* console_getc: next received byte, sleeping (sti; hlt) until one arrives.
 * BSP only. */
int
console_getc(void)
{
	for (;;) {
		__asm__ volatile("cli" ::: "memory");
		if (console_rx_tail != console_rx_head) {
			uint8_t c = console_rx[console_rx_tail];

			console_rx_tail =
				(console_rx_tail + 1) % CONSOLE_RX_SIZE;
			__asm__ volatile("sti" ::: "memory");
			return c;
		}
		if (smp_hp_pending) {
			__asm__ volatile("sti" ::: "memory");
			smp_hotplug();
			continue;
		}
		if (blk_hp_pending) {
			__asm__ volatile("sti" ::: "memory");
			blk_hotplug();
			continue;
		}
		__asm__ volatile("sti; hlt" ::: "memory");
	}
}
