/* SPDX-License-Identifier: GPL-2.0-or-later */
/* intr.c: IDT, legacy PIC (masked), local APIC, IOAPIC, PIT and dispatch. */
#include "guest.h"
#include "xmhv_platform.h"

#define LAPIC_ID 0x20
#define LAPIC_TPR 0x80
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_ICR_BUSY (1u << 12)
#define MSR_APIC_BASE 0x1b
#define APIC_BASE_EXTD (1u << 10)
#define APIC_BASE_EN (1u << 11)
#define MSR_X2APIC_BASE 0x800
#define PIT_HZ 1193182u
#define IOAPIC_REDIR_LEVEL (1u << 15)
#define IOAPIC_REDIR_LOW (1u << 13)
#define IOAPIC_REDIR_MASKED (1u << 16)

struct intr_gate {
	uint16_t off0;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off1;
	uint32_t off2;
	uint32_t zero;
};

struct intr_idtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static struct intr_gate intr_idt[256];
static int intr_x2apic;
static uint32_t intr_bsp_apic;
static volatile int intr_timer_primary, intr_timer_alt_seen;
volatile uint64_t ticks;

static uint64_t
intr_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static void
intr_wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((uint32_t)v),
			   "d"((uint32_t)(v >> 32)));
}

static uint32_t
intr_lapic_read(uint32_t reg)
{
	if (intr_x2apic)
		return (uint32_t)intr_rdmsr(MSR_X2APIC_BASE + (reg >> 4));
	return mmio_read32(plat.lapic_gpa + reg);
}

static void
intr_lapic_write(uint32_t reg, uint32_t v)
{
	if (intr_x2apic)
		intr_wrmsr(MSR_X2APIC_BASE + (reg >> 4), v);
	else
		mmio_write32(plat.lapic_gpa + reg, v);
}

/* intr_lapic_id: this CPU's APIC id (xAPIC or x2APIC). */
uint32_t
intr_lapic_id(void)
{
	uint32_t id = intr_lapic_read(LAPIC_ID);

	return intr_x2apic ? id : id >> 24;
}

/* intr_bsp_apic_id: the BSP's APIC id (MSI messages go there). */
uint32_t
intr_bsp_apic_id(void)
{
	return intr_bsp_apic;
}

/* intr_send_ipi: sends icr_low (INIT, SIPI, ...) to apic_id; 0, or -1 if
 * the previous IPI never left the ICR. BSP only. */
int
intr_send_ipi(uint32_t apic_id, uint32_t icr_low)
{
	int i;

	if (intr_x2apic) {
		intr_wrmsr(MSR_X2APIC_BASE + (LAPIC_ICR_LO >> 4),
			   (uint64_t)apic_id << 32 | icr_low);
		return 0;
	}
	for (i = 0;
	     i < 100000 && (intr_lapic_read(LAPIC_ICR_LO) & LAPIC_ICR_BUSY);
	     i++)
		cpu_relax();
	intr_lapic_write(LAPIC_ICR_HI, apic_id << 24);
	intr_lapic_write(LAPIC_ICR_LO, icr_low);
	return i < 100000 ? 0 : -1;
}

static void
intr_lapic_enable(void)
{
	uint64_t base = intr_rdmsr(MSR_APIC_BASE);

	if (!(base & APIC_BASE_EN))
		intr_wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN);
	intr_x2apic = (base & APIC_BASE_EXTD) != 0;
	intr_lapic_write(LAPIC_TPR, 0);
	intr_lapic_write(LAPIC_SVR, 0x100 | VEC_SPURIOUS);
}

static void
intr_ioapic_write(uint32_t reg, uint32_t v)
{
	mmio_write32(plat.ioapic_gpa, reg);
	mmio_write32(plat.ioapic_gpa + 0x10, v);
}

/* intr_ioapic_route: unmask IOAPIC input gsi to vector on the BSP. */
void
intr_ioapic_route(uint32_t gsi, uint8_t vector, int level, int active_low)
{
	uint32_t pin = gsi - plat.ioapic_gsi_base;
	uint32_t lo = vector;

	if (gsi < plat.ioapic_gsi_base || pin >= XMHV_IOAPIC_PINS)
		return;
	if (level)
		lo |= IOAPIC_REDIR_LEVEL;
	if (active_low)
		lo |= IOAPIC_REDIR_LOW;
	intr_ioapic_write(0x10 + 2 * pin, IOAPIC_REDIR_MASKED);
	intr_ioapic_write(0x11 + 2 * pin,
			  intr_x2apic ? intr_bsp_apic : intr_bsp_apic << 24);
	intr_ioapic_write(0x10 + 2 * pin, lo);
}

/* ISA IRQ -> (gsi, level, active_low) honouring the MADT's overrides; ISA
 * default is edge/high, the SCI's default is level/low. */
static void
intr_route_isa(uint32_t irq, uint8_t vector, int sci)
{
	uint16_t fl = irq < 16 ? plat.isa_flags[irq] : 0;
	uint32_t gsi = irq < 16 ? plat.isa_gsi[irq] : irq;
	int pol = fl & 3, trig = (fl >> 2) & 3;
	int active_low = pol == 3 || (pol == 0 && sci);
	int level = trig == 3 || (trig == 0 && sci);

	intr_ioapic_route(gsi, vector, level, active_low);
}

static void
intr_timer(void)
{
	intr_timer_primary = 1;
	ticks++;
}

/* IRQ 0 arriving on GSI 0 although the MADT moved it elsewhere: counted (as
 * Linux falls back to the other pin) and flagged; intr_report_timer says so,
 * since it means the platform's routing and its MADT disagree. Never prints
 * here: a line from interrupt context would land inside the shell's. */
static void
intr_timer_alt(void)
{
	if (intr_timer_primary)
		return;
	intr_timer_alt_seen = 1;
	ticks++;
}

/* intr_report_timer: prints the "timer:" warning line if IRQ 0 has been seen
 * on the wrong pin. BSP, outside interrupt context. */
void
intr_report_timer(void)
{
	if (intr_timer_alt_seen && !intr_timer_primary)
		console_printf(
			"timer: IRQ 0 arrives on GSI 0, not on GSI %u as "
			"the MADT says\n",
			plat.isa_gsi[0]);
}

static void
intr_spurious(void)
{
}

/* The virtio vector: every disk's and NIC's queue. */
static void
intr_virtio(void)
{
	blk_irq();
	net_irq();
}

/* Handlers by vector - VEC_TIMER; NULL: no EOI needed (spurious). */
static void (*const intr_handlers[])(void) = {
	[VEC_TIMER - VEC_TIMER] = intr_timer,
	[VEC_COM1 - VEC_TIMER] = console_irq,
	[VEC_SCI - VEC_TIMER] = acpi_sci,
	[VEC_TIMER_ALT - VEC_TIMER] = intr_timer_alt,
	[VEC_WAKE - VEC_TIMER] = smp_wake,
	[VEC_VIRTIO - VEC_TIMER] = intr_virtio,
};

static const char *const intr_exc_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "res",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

/* intr_dispatch: called by head.S isr_common with the vector and the saved
 * frame (r15..rax, vector, error, rip, cs, rflags, rsp, ss). Exceptions
 * are fatal: reported, then pvpanic. */
void
intr_dispatch(uint64_t vec, uint64_t *frame)
{
	if (vec < 32) {
		uint64_t cr2;

		__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
		console_panic();
		console_printf(
			"\nxmguest: exception %s (%u) err 0x%lx rip 0x%lx "
			"cr2 0x%lx\n",
			intr_exc_names[vec] ? intr_exc_names[vec] : "?",
			(unsigned)vec, frame[16], frame[17], cr2);
		outb(XMHV_PVPANIC_PORT, 1);
		guest_halt();
	}
	if (vec == VEC_SPURIOUS)
		return;
	if (vec >= VEC_TIMER &&
	    vec - VEC_TIMER <
		    sizeof(intr_handlers) / sizeof(intr_handlers[0]) &&
	    intr_handlers[vec - VEC_TIMER])
		intr_handlers[vec - VEC_TIMER]();
	else
		intr_spurious();
	intr_lapic_write(LAPIC_EOI, 0);
}

static void
intr_load_idt(void)
{
	struct intr_idtr idtr = {sizeof(intr_idt) - 1, (uint64_t)intr_idt};

	__asm__ volatile("lidt %0" : : "m"(idtr));
}

static void
intr_set_gate(unsigned vec, uint64_t handler)
{
	struct intr_gate *g = &intr_idt[vec];

	g->off0 = (uint16_t)handler;
	g->sel = 0x08;
	g->ist = 0;
	g->type = 0x8e;
	g->off1 = (uint16_t)(handler >> 16);
	g->off2 = (uint32_t)(handler >> 32);
	g->zero = 0;
}

/* 8259 pair: ICW1-4 put them on vectors 0x30-0x3f (harmless if a spurious
 * one arrives), then mask everything: the IOAPIC does the routing. */
static const uint8_t intr_pic_seq[][2] = {
	{0x20, 0x11}, {0xa0, 0x11}, {0x21, 0x30}, {0xa1, 0x38}, {0x21, 0x04},
	{0xa1, 0x02}, {0x21, 0x01}, {0xa1, 0x01}, {0x21, 0xff}, {0xa1, 0xff},
};

/* intr_init: IDT, PIC masked, BSP local APIC on. BSP, interrupts off. */
void
intr_init(void)
{
	unsigned v;
	size_t i;

	for (v = 0; v <= VEC_VIRTIO; v++)
		intr_set_gate(v, isr_table[v]);
	intr_set_gate(VEC_SPURIOUS, isr_table[VEC_VIRTIO + 1]);
	intr_load_idt();
	for (i = 0; i < sizeof(intr_pic_seq) / sizeof(intr_pic_seq[0]); i++)
		outb(intr_pic_seq[i][0], intr_pic_seq[i][1]);
	intr_lapic_enable();
	intr_bsp_apic = intr_lapic_id();
}

/* intr_start: route PIT (IRQ 0), COM1 (IRQ 4) and the SCI through the
 * IOAPIC, start the PIT at GUEST_HZ and enable interrupts. BSP. */
void
intr_start(void)
{
	uint32_t div = (PIT_HZ + GUEST_HZ / 2) / GUEST_HZ;

	intr_route_isa(0, VEC_TIMER, 0);
	if (plat.isa_gsi[0] != 0)
		intr_ioapic_route(0, VEC_TIMER_ALT, 0, 0);
	intr_route_isa(XMHV_COM1_IRQ, VEC_COM1, 0);
	if (plat.fadt_ok && plat.sci_irq)
		intr_route_isa(plat.sci_irq, VEC_SCI, 1);
	outb(0x43, 0x34);
	outb(0x40, (uint8_t)div);
	outb(0x40, (uint8_t)(div >> 8));
	__asm__ volatile("sti" ::: "memory");
}

/* intr_ap_init: IDT and local APIC on an AP. */
void
intr_ap_init(void)
{
	intr_load_idt();
	intr_lapic_enable();
}
