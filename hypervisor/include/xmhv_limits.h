/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmhv_limits.h: what a domain may ask of xmhv, in one place. xmhv
 * (xmhv_check_config), xmd and libxmcfg (so `xm create -n`) use these
 * values, so a dry run refuses exactly what xmhv refuses. Constants and
 * compile-time checks only; each value says where it comes from. */
#ifndef XMHV_LIMITS_H
#define XMHV_LIMITS_H

#include "xmhv_platform.h"

/* Guest RAM in MiB. At least 16: the boot structures (GDT, page tables,
 * boot_params, command line, ACPI and MP tables) fill the first MiB, a
 * kernel is loaded at 1 MiB and Linux needs several MiB above it to
 * decompress and start. At most 8 TiB: RAM above the PCI hole is one KVM
 * memory slot, and KVM refuses slots of 2^31 pages or more
 * (KVM_MEM_MAX_NR_PAGES). Whether this host has the memory and the
 * physical address bits is found out when the domain is built. */
#define XMHV_MEMORY_MIN_MIB 16ULL
#define XMHV_MEMORY_MAX_MIB (8ULL << 20)

/* vCPUs: the ACPI CPU hotplug register (XMHV_CPUHP_PORT) is a 64-bit map
 * with one bit per vCPU, and vCPU n has xAPIC id n. */
#define XMHV_MAX_VCPUS 64
/* Host CPUs a vCPU can be pinned to (cpus=): the affinity maps of struct
 * xmhv_domain_config, in 64-bit words. */
#define XMHV_MAX_HOST_CPUS 1024
/* Devices: each disk and each NIC is one virtio-pci function on bus 0,
 * whose slot 0 is the host bridge; the guest names disks vda..vdz. */
#define XMHV_MAX_DISKS 16
#define XMHV_MAX_NICS 8
/* Xen-style cpuid= masks. */
#define XMHV_MAX_CPUID 32

/* Strings, as the sizes of their arrays (the NUL included): the longest
 * value is one less. Paths: the host's PATH_MAX. Command line: Linux's
 * COMMAND_LINE_SIZE on x86. */
#define XMHV_PATH_MAX 4096
#define XMHV_CMDLINE_MAX 2048
#define XMHV_NAME_MAX 64

/* ---- what the values above must agree with ---- */

/* The largest guest's RAM, in bytes, and where its top lies. */
#define XMHV_LIMITS_MEMORY_MAX_BYTES (XMHV_MEMORY_MAX_MIB << 20)
#define XMHV_LIMITS_HIGH_RAM_MAX_BYTES                                         \
	(XMHV_LIMITS_MEMORY_MAX_BYTES - XMHV_PCI_HOLE_START)
/* KVM_MEM_MAX_NR_PAGES (include/linux/kvm_host.h), in 4 KiB pages. */
#define XMHV_LIMITS_KVM_SLOT_MAX_BYTES (((1ULL << 31) - 1) * 4096)
/* Guest-physical addresses xmhv lays RAM out in: mem.c maps no more. */
#define XMHV_LIMITS_GPA_BITS 46
/* PCI slots on bus 0. */
#define XMHV_LIMITS_PCI_SLOTS 32

_Static_assert((XMHV_MEMORY_MIN_MIB << 20) > XMHV_HIMEM_START,
	       "the smallest guest has RAM above the first MiB for a kernel");
_Static_assert(XMHV_LIMITS_HIGH_RAM_MAX_BYTES <= XMHV_LIMITS_KVM_SLOT_MAX_BYTES,
	       "RAM above the PCI hole is one KVM memory slot");
_Static_assert(XMHV_PCI_HOLE_END + XMHV_LIMITS_HIGH_RAM_MAX_BYTES <=
		       1ULL << XMHV_LIMITS_GPA_BITS,
	       "the top of the largest guest's RAM is a guest-physical "
	       "address xmhv maps");
_Static_assert(XMHV_MAX_VCPUS <= 8 * (XMHV_CPUHP_EJECT_PORT - XMHV_CPUHP_PORT),
	       "the CPU hotplug register has one bit per vCPU");
_Static_assert(XMHV_MAX_VCPUS < 0xff,
	       "vCPU n has xAPIC id n, and 0xff is the broadcast id");
_Static_assert(XMHV_MAX_HOST_CPUS % 64 == 0,
	       "affinity maps are whole 64-bit words");
_Static_assert(1 + XMHV_MAX_DISKS + XMHV_MAX_NICS <= XMHV_LIMITS_PCI_SLOTS,
	       "every disk and NIC has a slot on PCI bus 0");
_Static_assert(XMHV_MAX_DISKS <= 26, "disks are vda..vdz in the guest");

#endif
