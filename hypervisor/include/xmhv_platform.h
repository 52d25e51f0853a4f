/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmhv_platform.h: the machine xmhv gives a guest (ports, IRQs, addresses).
 * Constants only, no types: included by the hypervisor and by the
 * freestanding test guest. Guests should still discover these through
 * ACPI (FADT, MADT, DSDT); the test guest does, to prove the tables. */
#ifndef XMHV_PLATFORM_H
#define XMHV_PLATFORM_H

/* Guest-physical memory map. */
#define XMHV_LOWMEM_END 0x9fc00ULL        /* e820 RAM [0, here) */
#define XMHV_EBDA_START 0x9fc00ULL        /* reserved up to 1 MiB */
#define XMHV_BIOS_START 0xe0000ULL        /* RSDP and MP table live here */
#define XMHV_HIMEM_START 0x100000ULL      /* e820 RAM from 1 MiB */
#define XMHV_PCI_HOLE_START 0xc0000000ULL /* RAM above 3 GiB moves to 4 GiB */
#define XMHV_PCI_HOLE_END 0x100000000ULL
#define XMHV_PCI_MMIO_START 0xc0000000ULL /* 32-bit BARs */
#define XMHV_PCI_MMIO_SIZE 0x20000000ULL
#define XMHV_IOAPIC_ADDR 0xfec00000ULL
#define XMHV_LAPIC_ADDR 0xfee00000ULL

/* Legacy I/O ports. */
#define XMHV_COM1_PORT 0x3f8
#define XMHV_COM1_IRQ 4
#define XMHV_I8042_DATA_PORT 0x60
#define XMHV_I8042_CMD_PORT 0x64 /* write 0xfe: reset -> reason reboot */
#define XMHV_I8042_RESET_CMD 0xfe
#define XMHV_RTC_PORT 0x70
#define XMHV_PVPANIC_PORT 0x505 /* write bit 0: panicked -> reason crash */
#define XMHV_PCI_CONFIG_ADDR 0xcf8
#define XMHV_PCI_CONFIG_DATA 0xcfc

/* ACPI fixed hardware (PM1a only, no GPE block beyond GPE0). */
#define XMHV_ACPI_SCI_IRQ 9
#define XMHV_ACPI_PM1A_EVT_BLK 0x600 /* 4 bytes: status (2), enable (2) */
#define XMHV_ACPI_PM1A_CNT_BLK 0x604 /* 2 bytes */
#define XMHV_ACPI_PM_TMR_BLK 0x608   /* 4 bytes, 3.579545 MHz */
#define XMHV_ACPI_GPE0_BLK 0x60c     /* 4 bytes: status (2), enable (2) */
#define XMHV_ACPI_SMI_CMD 0x0        /* no SMM: ACPI mode is always on */
#define XMHV_ACPI_S5_SLP_TYP 5       /* \_S5 package value */
#define XMHV_ACPI_PM1_PWRBTN_STS (1u << 8)
#define XMHV_ACPI_PM1_PWRBTN_EN (1u << 8)
#define XMHV_ACPI_PM1_SLP_EN (1u << 13)
#define XMHV_ACPI_PM1_SLP_TYP_SHIFT 10
#define XMHV_ACPI_PM1_SCI_EN 1u

/* ACPI CPU hotplug (as QEMU's pc machine: GPE0 status bit 2 + a port block).
 * vCPU n has APIC id n and ACPI processor _UID n. The MADT lists every vCPU
 * the domain may ever have; those not enabled at boot are flagged disabled.
 * A change of the enabled set sets GPE0 bit 2 (SCI). The guest then reads
 * the bitmap, starts newly enabled CPUs (INIT/SIPI), stops removed ones and
 * writes each stopped CPU's number to the eject register (the monitor then
 * parks that vCPU until it is enabled again). */
#define XMHV_CPUHP_PORT 0x620       /* 8 bytes, read: bitmap of enabled vCPUs */
#define XMHV_CPUHP_EJECT_PORT 0x628 /* 4 bytes, write: eject vCPU number */
#define XMHV_CPUHP_LEN 12
#define XMHV_ACPI_GPE0_CPUHP_BIT 2

/* ACPI PCI hot-plug of bus 0 (as QEMU's piix4 acpi-pci-hotplug: GPE0
 * status bit 1 + a port block). Bit n of each register is slot n. A slot
 * plugged by the monitor shows in the up register (reading it clears it),
 * a slot the monitor wants removed in the down register until the guest
 * ejects it: the guest stops using the function and writes its bit to the
 * eject register, and the monitor unplugs it. Every change sets GPE0 bit
 * 1 (SCI). The DSDT describes slots 1-31 as \_SB.PCI0.Snn (_ADR, _SUN,
 * _EJ0) and \_GPE._E01 notifies them (1: device check, 3: eject request). */
#define XMHV_PCIHP_PORT 0x630       /* read: up (dword) */
#define XMHV_PCIHP_DOWN_PORT 0x634  /* read: down (dword) */
#define XMHV_PCIHP_EJECT_PORT 0x638 /* write: eject (dword) */
#define XMHV_PCIHP_LEN 12
#define XMHV_ACPI_GPE0_PCIHP_BIT 1

/* Interrupt routing: ISA IRQs 0-15 identity-mapped to IOAPIC pins (IRQ 0 is
 * the PIT on pin 2, as on PCs), PCI INTx on pins 16-23. */
#define XMHV_IOAPIC_PINS 24
#define XMHV_PCI_IRQ_BASE 16

#endif
