/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vm_nic.c: the machine's NICs (vm.h): one virtio-net function per NIC of
 * the configuration at build time, in its order, after the disks (the
 * guest finds them as eth0, eth1, ... in that order); hot-plug and unplug
 * at run time through ACPI PCI hot-plug, as vm_disk.c does disks. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "devices/pci.h"
#include "devices/pcihp.h"
#include "devices/virtio_net.h"
#include "kvm.h"
#include "log.h"
#include "vm_int.h"

static int
vm_nic_ioevent_set(void *opaque, int efd, uint64_t addr, uint32_t len, bool pio,
		   bool assign)
{
	struct vm *vm = opaque;

	return kvm_ioeventfd(vm->vm_fd, efd, addr, len, pio, !assign);
}

/* Plug a virtio-net for nic into a free entry of vm->nics. Main thread,
 * vCPUs parked (or not yet running). */
int
vm_nic_plug(struct vm *vm, const struct xmhv_nic_config *nic, struct vnet **out,
	    char *errmsg, size_t errlen)
{
	struct vnet_config c = {
		.env = {vm->board.pci,
			&vm->mem,
			{vm_nic_ioevent_set, vm},
			vm_name(vm)},
		.nic = nic,
	};
	struct vnet *n = NULL;
	unsigned i;
	int rc;

	for (i = 0; i < XMHV_MAX_NICS && vm->nics[i]; i++)
		;
	if (i == XMHV_MAX_NICS) {
		snprintf(errmsg, errlen, "nic %s: a domain has at most %d nics",
			 nic->tap, XMHV_MAX_NICS);
		return -E2BIG;
	}
	rc = vnet_new(&c, &n, errmsg, errlen);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&vm->lock);
	vm_add_device(vm, vnet_device(n));
	pthread_mutex_unlock(&vm->lock);
	vm->nics[i] = n;
	*out = n;
	return 0;
}

int
vm_nics_build(struct vm *vm, char *errmsg, size_t errlen)
{
	struct vnet *n;
	uint32_t i;
	int rc;

	for (i = 0; i < vm->cfg->nnics; i++) {
		rc = vm_nic_plug(vm, &vm->cfg->nics[i], &n, errmsg, errlen);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
vm_nic_find(struct vm *vm, const uint8_t mac[6])
{
	int i;

	for (i = 0; i < XMHV_MAX_NICS; i++)
		if (vm->nics[i] && memcmp(vnet_mac(vm->nics[i]), mac, 6) == 0)
			return i;
	return -1;
}

static void
vm_nic_mac_string(const uint8_t *m, char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
}

/* Unplug nics[i] now. Main thread. */
static void
vm_nic_remove(struct vm *vm, int i)
{
	struct device *dev = vnet_device(vm->nics[i]);

	vm_quiesce(vm);
	vm_remove_device(vm, dev);
	vm->nics[i] = NULL;
	device_free(dev);
	vm_release(vm);
}

int
vm_nic_attach(struct vm *vm, const struct xmhv_nic_config *nic, char *errmsg,
	      size_t errlen)
{
	struct vnet *n = NULL;
	char mac[18];
	int rc;

	vm_nic_mac_string(nic->mac, mac);
	if (vm_nic_find(vm, nic->mac) >= 0) {
		snprintf(errmsg, errlen,
			 "nic %s: domain %s has a NIC of MAC %s", nic->tap,
			 vm_name(vm), mac);
		return -EEXIST;
	}
	vm_quiesce(vm);
	rc = vm_nic_plug(vm, nic, &n, errmsg, errlen);
	if (rc == 0 && vm->devices_paused)
		(void)!vnet_device(n)->ops->pause(vnet_device(n));
	vm_release(vm);
	if (rc < 0)
		return rc;
	pcihp_plugged(vm->board.pcihp, vnet_slot(n));
	log_info("domain %s: nic %s (%s) hot-plugged at 00:%02x.0", vm_name(vm),
		 nic->tap, mac, vnet_slot(n));
	return 0;
}

int
vm_nic_detach(struct vm *vm, const uint8_t mac[6], bool force, char *errmsg,
	      size_t errlen)
{
	int i = vm_nic_find(vm, mac);
	char s[18];
	unsigned slot;

	vm_nic_mac_string(mac, s);
	if (i < 0) {
		snprintf(errmsg, errlen, "domain %s has no NIC of MAC %s",
			 vm_name(vm), s);
		return -ENOENT;
	}
	slot = vnet_slot(vm->nics[i]);
	if (!force) {
		pcihp_request_unplug(vm->board.pcihp, slot);
		log_info("domain %s: nic %s: asked the guest to eject it",
			 vm_name(vm), s);
		return 0;
	}
	/* Gone now (its tap closed); the slot stays empty until the guest
	 * lets it go, as a disk removed by force. */
	vm_nic_remove(vm, i);
	pci_slot_reserve(vm->board.pci, slot, true);
	atomic_fetch_or(&vm->gone_slots, 1u << slot);
	pcihp_request_unplug(vm->board.pcihp, slot);
	log_info("domain %s: nic %s: removed (forced)", vm_name(vm), s);
	return 1;
}

void
vm_nic_ejected(struct vm *vm, unsigned slot,
	       void (*removed)(void *opaque, const char *id), void *opaque)
{
	char mac[18];
	int i;

	for (i = 0; i < XMHV_MAX_NICS; i++) {
		if (!vm->nics[i] || vnet_slot(vm->nics[i]) != slot)
			continue;
		vm_nic_mac_string(vnet_mac(vm->nics[i]), mac);
		vm_nic_remove(vm, i);
		log_info("domain %s: nic %s: the guest ejected it", vm_name(vm),
			 mac);
		if (removed)
			removed(opaque, mac);
	}
}
