/* SPDX-License-Identifier: GPL-2.0-or-later */
/* board.c: a pc-like board (implements board.h): COM1, the i8042, the RTC,
 * pvpanic, the ACPI PM block with CPU hotplug, the PCI host with its
 * configuration ports (its functions' BARs claim their own ranges in the
 * PCI window and I/O range), and the PIIX reset control register at 0xcf9,
 * each at the port and IRQ the ACPI tables and the MP table announce. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "devices/cpuhp.h"
#include "devices/i8042.h"
#include "devices/pci.h"
#include "devices/pcihp.h"
#include "devices/pm.h"
#include "devices/pvpanic.h"
#include "devices/rtc.h"
#include "vm.h"
#include "vm_int.h"

#define BOARD_RESET_PORT 0xcf9
#define BOARD_RESET_CPU 0x04

/* One port or MMIO range of the board. */
struct board_range {
	bool mmio;
	uint64_t base, len;
	io_fn fn;
	void *opaque;
	const char *owner;
};

/* The reset control register shares 0xcf8..0xcff with the PCI
 * configuration ports: a byte at 0xcf9 is the reset register (the FADT's
 * RESET_REG), everything else is PCI's. */
static void
board_pci_ports(void *opaque, uint64_t port, uint8_t *data, uint32_t size,
		bool write)
{
	struct vm *vm = opaque;

	if (port == BOARD_RESET_PORT && size == 1) {
		if (!write)
			data[0] = 0;
		else if (data[0] & BOARD_RESET_CPU)
			vm_end(vm, XMHV_SHUTDOWN_REBOOT);
		return;
	}
	pci_io(vm_board(vm)->pci, port, data, size, write);
}

static void
board_pcihp_eject(void *opaque, unsigned slot)
{
	vm_disk_ejected(opaque, slot);
}

static void
board_cpuhp_gpe(void *opaque, unsigned bit)
{
	pm_gpe_event(opaque, bit);
}

/* Add a device to the machine; NULL (allocation failed) is reported. */
static int
board_add(struct vm *vm, struct device *dev, const char *what, char *errmsg,
	  size_t errlen)
{
	if (!dev) {
		snprintf(errmsg, errlen, "device %s: out of memory", what);
		return -ENOMEM;
	}
	vm_add_device(vm, dev);
	return 0;
}

int
board_build(struct vm *vm, const struct board_config *cfg, struct board *out,
	    char *errmsg, size_t errlen)
{
	struct domain_hooks hooks = vm_domain_hooks(vm);
	struct irq_line com1_irq = vm_irq_line_of(vm, XMHV_COM1_IRQ);
	struct irq_line sci = vm_irq_line_of(vm, XMHV_ACPI_SCI_IRQ);
	struct pci_host_config pci_host;
	struct cpuhp_hooks hp;
	struct pcihp_hooks php;
	struct i8042 *kbd;
	struct pvpanic *panic;
	struct rtc *rtc;
	const char *clash = NULL;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	out->com1 =
		serial_new(&com1_irq, cfg->console_out, cfg->console_opaque);
	rc = board_add(vm, out->com1 ? serial_device(out->com1) : NULL, "com1",
		       errmsg, errlen);
	if (rc < 0)
		return rc;
	out->pm = pm_new(&sci, &hooks);
	rc = board_add(vm, out->pm ? pm_device(out->pm) : NULL, "acpi-pm",
		       errmsg, errlen);
	if (rc < 0)
		return rc;
	hp = (struct cpuhp_hooks){vm_cpuhp_eject, vm_cpuhp_enable,
				  board_cpuhp_gpe, vm, out->pm};
	out->cpuhp = cpuhp_new(&hp, cfg->nvcpus, cfg->online);
	rc = board_add(vm, out->cpuhp ? cpuhp_device(out->cpuhp) : NULL,
		       "cpu-hotplug", errmsg, errlen);
	if (rc < 0)
		return rc;
	php = (struct pcihp_hooks){board_pcihp_eject, board_cpuhp_gpe, vm,
				   out->pm};
	out->pcihp = pcihp_new(&php);
	rc = board_add(vm, out->pcihp ? pcihp_device(out->pcihp) : NULL,
		       "pci-hotplug", errmsg, errlen);
	if (rc < 0)
		return rc;
	kbd = i8042_new(&hooks);
	rc = board_add(vm, kbd ? i8042_device(kbd) : NULL, "i8042", errmsg,
		       errlen);
	if (rc < 0)
		return rc;
	panic = pvpanic_new(&hooks);
	rc = board_add(vm, panic ? pvpanic_device(panic) : NULL, "pvpanic",
		       errmsg, errlen);
	if (rc < 0)
		return rc;
	rtc = rtc_new(cfg->mem_bytes, cfg->localtime);
	rc = board_add(vm, rtc ? rtc_device(rtc) : NULL, "rtc", errmsg, errlen);
	if (rc < 0)
		return rc;
	pci_host = (struct pci_host_config){
		.mmio = vm_bus(vm, true),
		.pio = vm_bus(vm, false),
		.intx = vm_irq_line_of(vm, 0),
		.msi = vm_msi_router(vm),
		.mmio_start = XMHV_PCI_MMIO_START,
		.mmio_size = XMHV_PCI_MMIO_SIZE,
		.io_start = PCI_IO_START,
		.io_size = PCI_IO_SIZE,
	};
	out->pci = pci_new(&pci_host);
	rc = board_add(vm, out->pci ? pci_device(out->pci) : NULL, "pci",
		       errmsg, errlen);
	if (rc < 0)
		return rc;

	const struct board_range map[] = {
		{false, XMHV_COM1_PORT, 8, serial_io, out->com1, "com1"},
		{false, XMHV_I8042_DATA_PORT, 1, i8042_io, kbd, "i8042"},
		{false, XMHV_I8042_CMD_PORT, 1, i8042_io, kbd, "i8042"},
		{false, XMHV_RTC_PORT, 2, rtc_io, rtc, "rtc"},
		{false, XMHV_PVPANIC_PORT, 1, pvpanic_io, panic, "pvpanic"},
		{false, XMHV_ACPI_PM1A_EVT_BLK, 16, pm_io, out->pm, "acpi-pm"},
		{false, XMHV_CPUHP_PORT, XMHV_CPUHP_LEN, cpuhp_io, out->cpuhp,
		 "cpu-hotplug"},
		{false, XMHV_PCIHP_PORT, XMHV_PCIHP_LEN, pcihp_io, out->pcihp,
		 "pci-hotplug"},
		{false, XMHV_PCI_CONFIG_ADDR, 8, board_pci_ports, vm,
		 "pci-config+reset"},
	};
	for (i = 0; i < ARRAY_SIZE_HV(map); i++) {
		rc = bus_add(vm_bus(vm, map[i].mmio), map[i].base, map[i].len,
			     map[i].fn, map[i].opaque, map[i].owner, &clash);
		if (rc < 0) {
			snprintf(errmsg, errlen, "%s at %s 0x%llx: %s%s%s",
				 map[i].owner, map[i].mmio ? "mmio" : "port",
				 (unsigned long long)map[i].base, strerror(-rc),
				 clash ? ": taken by " : "",
				 clash ? clash : "");
			return rc;
		}
	}
	return 0;
}
