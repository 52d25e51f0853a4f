/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest.h: shared declarations of the freestanding xmtools test guest kernel. */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_MAX_CPUS 64
#define GUEST_CMDLINE_MAX 4096
#define GUEST_E820_MAX 64
#define GUEST_HZ 100

/* Interrupt vectors used by the guest. */
#define VEC_TIMER 0x20
#define VEC_COM1 0x21
#define VEC_SCI 0x22
#define VEC_TIMER_ALT 0x23
#define VEC_WAKE 0x24   /* wakes an AP to look at its stop request */
#define VEC_VIRTIO 0x25 /* MSI-X of the virtio-blk and virtio-net queues */
#define VEC_SPURIOUS 0xff

/* How the guest was entered (head.S stores one of these). */
enum boot_kind {
	BOOT_KIND_BZIMAGE64 = 1,
	BOOT_KIND_ELF64 = 2,
	BOOT_KIND_PVH = 3,
	BOOT_KIND_BZIMAGE32 = 4,
	BOOT_KIND_BZIMAGE16 = 5,
};

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

/* Everything the loader told us, copied out of its structures early. */
struct boot_info {
	const char *via;
	char cmdline[GUEST_CMDLINE_MAX];
	uint32_t e820_count;
	struct e820_entry e820[GUEST_E820_MAX];
	uint64_t initrd_gpa;
	uint64_t initrd_size;
	uint64_t rsdp_gpa;
	uint64_t info_gpa; /* boot_params or hvm_start_info */
	uint64_t usable_kib;
	uint32_t ram_ranges;
};

/* What ACPI (or the MP table) told us about the machine. */
struct platform {
	uint64_t rsdp_gpa;
	int fadt_ok;
	uint32_t lapic_gpa;
	uint32_t ioapic_gpa;
	uint32_t ioapic_gsi_base;
	uint32_t ncpus;
	uint32_t apic_ids[GUEST_MAX_CPUS];
	uint16_t pm1a_evt;
	uint16_t pm1a_cnt;
	uint8_t pm1_evt_len;
	uint16_t sci_irq;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint16_t gpe0_blk; /* 0: none */
	uint8_t gpe0_len;
	int s5_slp_typ;     /* -1: not found */
	uint64_t sleep_ctl; /* hardware-reduced SLEEP_CONTROL_REG, or 0 */
	uint8_t sleep_ctl_space;
	/* ISA IRQ -> GSI and MPS INTI flags, from interrupt source overrides */
	uint32_t isa_gsi[16];
	uint16_t isa_flags[16];
	const char *source; /* "ACPI" or "MP table" */
};

extern struct boot_info boot;
extern struct platform plat;
extern volatile uint64_t ticks;
extern volatile uint32_t cpus_online;

/* head.S */
extern uint32_t boot_kind;
extern uint64_t boot_ptr;
extern uint8_t tramp_start[], tramp_end[], tramp_farptr[], tramp32[];
extern uint64_t isr_table[];
extern uint8_t ap_stacks[];

static inline void
outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void
outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void
outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t
inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t
inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t
inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void
cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

/* A 16-bit read of low memory (BIOS data area) the compiler cannot see. */
static inline uint16_t
low_read16(uint64_t gpa)
{
	uint16_t v;

	__asm__ volatile("movw (%1), %0" : "=r"(v) : "r"(gpa) : "memory");
	return v;
}

static inline uint32_t
mmio_read32(uint64_t gpa)
{
	return *(volatile uint32_t *)(uintptr_t)gpa;
}

static inline void
mmio_write32(uint64_t gpa, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)gpa = v;
}

/* lib.c */
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int lib_strncmp(const char *a, const char *b, size_t n);
uint32_t lib_crc32(uint32_t crc, const void *buf, uint64_t len);
int lib_parse_uint(const char *s, uint64_t *out);

/* console.c */
void console_init(void);
void console_putc(char c);
void console_write(const char *s, size_t n);
void console_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_irq(void);
void console_panic(void);
int console_getc(void);

/* acpi.c */
int acpi_init(uint64_t rsdp_hint);
void acpi_report(void);
void acpi_enable_power_button(void);
void acpi_sci(void);
void acpi_poweroff(void);

/* intr.c */
void intr_init(void);
void intr_start(void);
void intr_ap_init(void);
void intr_report_timer(void);
void intr_dispatch(uint64_t vec, uint64_t *frame);
uint32_t intr_lapic_id(void);
uint32_t intr_bsp_apic_id(void);
int intr_send_ipi(uint32_t apic_id, uint32_t icr_low);
void intr_ioapic_route(uint32_t gsi, uint8_t vector, int level, int active_low);

/* smp.c */
void smp_boot(void);
void smp_ap_main(void);
/* CPU hotplug: set by the SCI handler, served by smp_hotplug (main loop). */
extern volatile uint32_t smp_hp_pending;
void smp_hotplug(void);
void smp_wake(void);
int mptable_init(void);

/* pci.c */
void pci_scan(void);
uint32_t pci_cfg32(unsigned slot, unsigned off);
void pci_cfg_w32(unsigned slot, unsigned off, uint32_t v);
/* A modern virtio-pci function on bus 0: its register windows (the
 * common, notify, ISR and device-specific structures) and MSI-X table. */
struct vpci_dev {
	unsigned slot;
	uint64_t common, notify, isr, devcfg, msix_table;
	uint32_t notify_mult;
	int msix;
};
#define VPCI_F_VERSION_1 (1ull << 32)
/* vpci_map: finds v->slot's virtio capabilities and turns MSI-X on when
 * the function has it; returns the set of structure types found (bit N
 * for type N: 1 common, 2 notify, 3 ISR, 4 device). */
int vpci_map(struct vpci_dev *v);
/* vpci_msix_route: MSI-X entry to vector on the BSP (when MSI-X is on). */
void vpci_msix_route(const struct vpci_dev *v, unsigned entry, uint8_t vector);
/* vpci_negotiate: reset, ACKNOWLEDGE|DRIVER, the offered features that are
 * also wanted, FEATURES_OK; the accepted set, or 0 (reason printed as
 * "who: 00:SS.0: ...") when the device refuses or lacks VERSION_1. */
uint64_t vpci_negotiate(const struct vpci_dev *v, uint64_t wanted,
			const char *who);

/* blk.c */
extern volatile uint32_t blk_hp_pending;
void blk_scan(void);
void blk_hotplug(void);
void blk_irq(void);
void blk_cmd(const char *args);

/* net.c */
void net_scan(void);
void net_hotplug(uint32_t up, uint32_t down);
void net_irq(void);
void net_cmd(const char *args);

/* main.c */
void kmain(void);
void guest_halt(void) __attribute__((noreturn));

#endif
