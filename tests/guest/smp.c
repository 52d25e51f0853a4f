/* SPDX-License-Identifier: GPL-2.0-or-later */
/* smp.c: brings the application processors up (INIT/SIPI/SIPI through the
 * local APIC, real-mode trampoline below 1 MiB) and reads the MP table when
 * there is no MADT. */
#include "guest.h"
#include "xmhv_platform.h"

#define SMP_ICR_INIT 0x00004500
#define SMP_ICR_SIPI 0x00004600
#define SMP_WAIT_TICKS (2 * GUEST_HZ)
#define SMP_WAIT_SPINS 3000000u

volatile uint32_t cpus_online;
volatile uint32_t smp_hp_pending;
static uint32_t smp_ap_number;
static uint32_t smp_tramp_page;
/* Bit per APIC id (< 64): running; asked to stop (CPU hotplug). */
static volatile uint64_t smp_online_mask, smp_stop_mask;

/* Low pages tried for the trampoline, in order. */
static const uint32_t smp_tramp_pages[] = {0x8000, 0x9000, 0x70000, 0x60000,
					   0x50000};

static int
smp_overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* A trampoline page clear of what the loader handed us. */
static uint32_t
smp_pick_page(void)
{
	size_t i;

	for (i = 0; i < sizeof(smp_tramp_pages) / sizeof(smp_tramp_pages[0]);
	     i++) {
		uint32_t p = smp_tramp_pages[i];

		if (smp_overlaps(p, 4096, boot.info_gpa & ~0xfffULL, 8192) ||
		    smp_overlaps(p, 4096, boot.initrd_gpa, boot.initrd_size))
			continue;
		return p;
	}
	return smp_tramp_pages[0];
}

/* smp_wake: VEC_WAKE handler (AP): nothing to do, the AP's idle loop looks
 * at its stop request after any interrupt. */
void
smp_wake(void)
{
}

/* smp_ap_main: C entry of an AP (head.S ap_entry64, on its own stack): takes
 * the next CPU number, says hello, counts itself online, then sleeps until
 * CPU hotplug asks it to stop; it then counts itself offline and stops for
 * good (the BSP ejects it; a new INIT/SIPI starts it afresh). */
void
smp_ap_main(void)
{
	uint32_t n = __atomic_add_fetch(&smp_ap_number, 1, __ATOMIC_SEQ_CST);
	uint32_t id;
	uint64_t bit;

	intr_ap_init();
	id = intr_lapic_id();
	bit = id < 64 ? 1ULL << id : 0;
	console_printf("cpu %u: hello (apic %u)\n", n, id);
	__atomic_or_fetch(&smp_online_mask, bit, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&cpus_online, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		__asm__ volatile("cli" ::: "memory");
		if (smp_stop_mask & bit)
			break;
		__asm__ volatile("sti; hlt" ::: "memory");
	}
	__atomic_and_fetch(&smp_online_mask, ~bit, __ATOMIC_SEQ_CST);
	__atomic_sub_fetch(&cpus_online, 1, __ATOMIC_SEQ_CST);
	guest_halt();
}

/* Start the AP with APIC id and wait (2 s) for it to check in. 0 or -1. */
static int
smp_start_ap(uint32_t id)
{
	uint32_t want = cpus_online + 1, spins;
	uint64_t t0 = ticks;

	if (intr_send_ipi(id, SMP_ICR_INIT) ||
	    intr_send_ipi(id, SMP_ICR_SIPI | (smp_tramp_page >> 12)) ||
	    intr_send_ipi(id, SMP_ICR_SIPI | (smp_tramp_page >> 12))) {
		console_printf("cpu: IPI to apic %u stuck\n", id);
		return -1;
	}
	for (spins = 0; cpus_online < want && ticks - t0 < SMP_WAIT_TICKS &&
			spins < SMP_WAIT_SPINS;
	     spins++)
		cpu_relax();
	if (cpus_online < want) {
		console_printf("cpu: apic %u did not come up\n", id);
		return -1;
	}
	return 0;
}

/* Ask the AP with APIC id to stop, wait (2 s) for it, then eject it. */
static void
smp_stop_ap(uint32_t id)
{
	uint64_t bit = 1ULL << id, t0 = ticks;
	uint32_t spins;

	__atomic_or_fetch(&smp_stop_mask, bit, __ATOMIC_SEQ_CST);
	(void)intr_send_ipi(id, 0x00004000 | VEC_WAKE);
	for (spins = 0; (smp_online_mask & bit) &&
			ticks - t0 < SMP_WAIT_TICKS && spins < SMP_WAIT_SPINS;
	     spins++)
		cpu_relax();
	if (smp_online_mask & bit) {
		console_printf("cpu: apic %u did not stop\n", id);
		return;
	}
	outl(XMHV_CPUHP_EJECT_PORT, id);
}

/* smp_hotplug: CPU hotplug event (GPE0 bit 2): reads the enabled-vCPU
 * bitmap (vCPU n = APIC id n), starts the enabled CPUs that are not running,
 * stops and ejects the running ones that are no longer enabled, then prints
 * "cpus: N online". BSP, main loop, interrupts on. */
void
smp_hotplug(void)
{
	uint64_t want, have;
	uint32_t id, bsp = intr_lapic_id();

	smp_hp_pending = 0;
	want = inl(XMHV_CPUHP_PORT) | (uint64_t)inl(XMHV_CPUHP_PORT + 4) << 32;
	for (id = 0; id < 64; id++) {
		uint64_t bit = 1ULL << id;

		have = smp_online_mask;
		if (id == bsp)
			continue;
		if ((want & bit) && !(have & bit)) {
			__atomic_and_fetch(&smp_stop_mask, ~bit,
					   __ATOMIC_SEQ_CST);
			(void)smp_start_ap(id);
		} else if (!(want & bit) && (have & bit)) {
			smp_stop_ap(id);
		}
	}
	console_printf("cpus: %u online\n", cpus_online);
}

/* smp_boot: starts every enabled CPU of plat.apic_ids but ourselves, one at
 * a time, waiting (bounded, 2 s) for each to check in; prints "cpus: N
 * online". An AP that is later than that still gets its own stack and number
 * (head.S, smp_ap_main) and says hello late.
 * BSP, interrupts on (the wait is bounded by timer ticks). */
void
smp_boot(void)
{
	uint32_t bsp = intr_lapic_id(), page = smp_pick_page(), i;
	uint8_t *tramp = (uint8_t *)(uintptr_t)page;
	uint32_t *farptr;

	cpus_online = 1;
	smp_online_mask = bsp < 64 ? 1ULL << bsp : 0;
	smp_tramp_page = page;
	memcpy(tramp, tramp_start, (size_t)(tramp_end - tramp_start));
	farptr = (uint32_t *)(tramp + (tramp_farptr - tramp_start));
	*farptr = page + (uint32_t)(tramp32 - tramp_start);
	for (i = 0; i < plat.ncpus; i++) {
		uint32_t id = plat.apic_ids[i], want = cpus_online + 1, spins;
		uint64_t t0 = ticks;

		if (id == bsp)
			continue;
		if (intr_send_ipi(id, SMP_ICR_INIT) ||
		    intr_send_ipi(id, SMP_ICR_SIPI | (page >> 12)) ||
		    intr_send_ipi(id, SMP_ICR_SIPI | (page >> 12))) {
			console_printf("cpu: IPI to apic %u stuck\n", id);
			continue;
		}
		for (spins = 0;
		     cpus_online < want && ticks - t0 < SMP_WAIT_TICKS &&
		     spins < SMP_WAIT_SPINS;
		     spins++)
			cpu_relax();
		if (cpus_online < want)
			console_printf("cpu: apic %u did not come up\n", id);
	}
	console_printf("cpus: %u online\n", cpus_online);
}

static int
smp_mp_sum_ok(const uint8_t *p, uint32_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s == 0;
}

static const uint8_t *
smp_mp_find(uint64_t from, uint64_t to)
{
	uint64_t a;

	for (a = from; a + 16 <= to; a += 16) {
		const uint8_t *p = (const uint8_t *)(uintptr_t)a;

		if (!memcmp(p, "_MP_", 4) && smp_mp_sum_ok(p, 16))
			return p;
	}
	return NULL;
}

/* mptable_init: fills the CPU list, IOAPIC address and ISA IRQ -> pin map
 * of plat from an MP floating pointer + configuration table (MP spec 1.4)
 * in the BIOS area. Assumes the IOAPIC's GSI base is 0.
 * 0, or -1 if there is none. BSP, at boot. */
int
mptable_init(void)
{
	const uint8_t *fp = smp_mp_find(0xf0000, 0x100000), *ct, *e, *end;
	int isa_bus = -1;
	uint64_t ebda = (uint64_t)low_read16(0x40e) << 4;

	if (!fp && ebda >= 0x80000 && ebda < 0xa0000)
		fp = smp_mp_find(ebda, ebda + 1024);
	if (!fp)
		fp = smp_mp_find(0xe0000, 0xf0000);
	if (!fp)
		return -1;
	ct = (const uint8_t *)(uintptr_t)(fp[4] | fp[5] << 8 | fp[6] << 16 |
					  (uint32_t)fp[7] << 24);
	if (!ct || memcmp(ct, "PCMP", 4) ||
	    !smp_mp_sum_ok(ct, (uint32_t)(ct[4] | ct[5] << 8)))
		return -1;
	plat.lapic_gpa = (uint32_t)(ct[36] | ct[37] << 8 | ct[38] << 16 |
				    (uint32_t)ct[39] << 24);
	end = ct + (ct[4] | ct[5] << 8);
	for (e = ct + 44; e < end;) {
		if (e[0] == 0) { /* processor, 20 bytes */
			if ((e[3] & 1) && plat.ncpus < GUEST_MAX_CPUS)
				plat.apic_ids[plat.ncpus++] = e[1];
			e += 20;
		} else if (e[0] == 2) { /* IOAPIC */
			if (e[3] & 1)
				plat.ioapic_gpa =
					(uint32_t)(e[4] | e[5] << 8 |
						   e[6] << 16 |
						   (uint32_t)e[7] << 24);
			e += 8;
		} else if (e[0] == 1) { /* bus: remember which one is ISA */
			if (!memcmp(e + 2, "ISA", 3))
				isa_bus = e[1];
			e += 8;
		} else if (e[0] == 3) { /* I/O interrupt assignment */
			if (e[1] == 0 && e[4] == isa_bus && e[5] < 16) {
				plat.isa_gsi[e[5]] = e[7];
				plat.isa_flags[e[5]] =
					(uint16_t)(e[2] | e[3] << 8);
			}
			e += 8;
		} else if (e[0] == 4) { /* local interrupt assignment */
			e += 8;
		} else {
			break;
		}
	}
	plat.source = "MP table";
	return plat.ncpus ? 0 : -1;
}
