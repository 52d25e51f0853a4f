/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vm_disk.c: the machine's disks (vm.h): one virtio-blk function per disk
 * of the configuration at build time, in its order (slots 1, 2, ... so
 * the guest names them vda, vdb, ...); hot-plug and unplug at run time
 * through ACPI PCI hot-plug (devices/pcihp.c) with the vCPUs parked while
 * the bus changes; and the requests devices make of the front end's
 * thread (vm_service): a pause for a disk that found no space, the
 * removal of a disk the guest ejected. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "devices/pci.h"
#include "devices/pcihp.h"
#include "devices/virtio_blk.h"
#include "kvm.h"
#include "log.h"
#include "vm_int.h"

static int
vm_ioevent_set(void *opaque, int efd, uint64_t addr, uint32_t len, bool pio,
	       bool assign)
{
	struct vm *vm = opaque;

	return kvm_ioeventfd(vm->vm_fd, efd, addr, len, pio, !assign);
}

/* Plug a virtio-blk for d into a free entry of vm->disks. Main thread,
 * vCPUs parked (or not yet running). */
static int
vm_disk_plug(struct vm *vm, const struct xmhv_disk_config *d, struct vblk **out,
	     char *errmsg, size_t errlen)
{
	struct vblk_config c = {
		.env = {vm->board.pci,
			&vm->mem,
			{vm_ioevent_set, vm},
			vm_name(vm)},
		.hooks = vm_domain_hooks(vm),
		.disk = d,
		.nqueues = vm->nvcpus,
	};
	struct vblk *b = NULL;
	unsigned i;
	int rc;

	for (i = 0; i < XMHV_MAX_DISKS && vm->disks[i]; i++)
		;
	if (i == XMHV_MAX_DISKS) {
		snprintf(errmsg, errlen,
			 "disk %s: a domain has at most %d "
			 "disks",
			 d->serial, XMHV_MAX_DISKS);
		return -E2BIG;
	}
	rc = vblk_new(&c, &b, errmsg, errlen);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&vm->lock);
	vm_add_device(vm, vblk_device(b));
	pthread_mutex_unlock(&vm->lock);
	vm->disks[i] = b;
	*out = b;
	return 0;
}

int
vm_disks_build(struct vm *vm, char *errmsg, size_t errlen)
{
	struct vblk *b;
	uint32_t i;
	int rc;

	for (i = 0; i < vm->cfg->ndisks; i++) {
		rc = vm_disk_plug(vm, &vm->cfg->disks[i], &b, errmsg, errlen);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
vm_disk_find(struct vm *vm, const char *id)
{
	int i;

	for (i = 0; i < XMHV_MAX_DISKS; i++)
		if (vm->disks[i] && strcmp(vblk_serial(vm->disks[i]), id) == 0)
			return i;
	return -1;
}

/* Unplug disks[i] now. Main thread. */
static void
vm_disk_remove(struct vm *vm, int i)
{
	struct device *dev = vblk_device(vm->disks[i]);

	vm_quiesce(vm);
	vm_remove_device(vm, dev);
	vm->disks[i] = NULL;
	device_free(dev);
	vm_release(vm);
}

int
vm_disk_attach(struct vm *vm, const struct xmhv_disk_config *d, char *errmsg,
	       size_t errlen)
{
	struct vblk *b = NULL;
	int rc;

	if (!d->serial[0] || vm_disk_find(vm, d->serial) >= 0) {
		snprintf(errmsg, errlen, "disk %s is already attached",
			 d->serial[0] ? d->serial : "(no name)");
		return d->serial[0] ? -EEXIST : -EINVAL;
	}
	vm_quiesce(vm);
	rc = vm_disk_plug(vm, d, &b, errmsg, errlen);
	if (rc == 0 && vm->devices_paused)
		(void)!vblk_device(b)->ops->pause(vblk_device(b));
	vm_release(vm);
	if (rc < 0)
		return rc;
	pcihp_plugged(vm->board.pcihp, vblk_slot(b));
	log_info("domain %s: disk %s hot-plugged at 00:%02x.0", vm_name(vm),
		 d->serial, vblk_slot(b));
	return 0;
}

int
vm_disk_detach(struct vm *vm, const char *id, bool force, char *errmsg,
	       size_t errlen)
{
	int i = vm_disk_find(vm, id);
	unsigned slot;

	if (i < 0) {
		snprintf(errmsg, errlen, "domain %s has no disk %s",
			 vm_name(vm), id);
		return -ENOENT;
	}
	slot = vblk_slot(vm->disks[i]);
	if (!force) {
		pcihp_request_unplug(vm->board.pcihp, slot);
		log_info("domain %s: disk %s: asked the guest to eject it",
			 vm_name(vm), id);
		return 0;
	}
	/* Gone now; the guest is still told (an eject request), and the slot
	 * stays empty until it lets it go, so that no new disk there is taken
	 * for the old one. */
	vm_disk_remove(vm, i);
	pci_slot_reserve(vm->board.pci, slot, true);
	atomic_fetch_or(&vm->gone_slots, 1u << slot);
	pcihp_request_unplug(vm->board.pcihp, slot);
	log_info("domain %s: disk %s: removed (forced)", vm_name(vm), id);
	return 1;
}

unsigned
vm_disk_list(struct vm *vm, char (*out)[24], unsigned max)
{
	unsigned n = 0, slot, i;

	for (slot = 1; slot < 32; slot++)
		for (i = 0; i < XMHV_MAX_DISKS && n < max; i++)
			if (vm->disks[i] && vblk_slot(vm->disks[i]) == slot)
				snprintf(out[n++], 24, "%s",
					 vblk_serial(vm->disks[i]));
	return n;
}

void
vm_disk_ejected(void *opaque, unsigned slot)
{
	struct vm *vm = opaque;

	atomic_fetch_or(&vm->eject_slots, 1u << (slot & 31));
	if (vm->cb.wake)
		vm->cb.wake(vm->cb.opaque);
}

void
vm_io_pause(void *opaque, enum xmhv_pause_reason why, const char *device)
{
	struct vm *vm = opaque;

	pthread_mutex_lock(&vm->pause_lock);
	snprintf(vm->pause_request_device, sizeof(vm->pause_request_device),
		 "%s", device);
	pthread_mutex_unlock(&vm->pause_lock);
	atomic_store(&vm->pause_request, (uint32_t)why);
	if (vm->cb.wake)
		vm->cb.wake(vm->cb.opaque);
}

void
vm_service(struct vm *vm, void (*removed)(void *opaque, const char *serial),
	   void *opaque)
{
	uint32_t why = atomic_exchange(&vm->pause_request, 0);
	uint32_t slots = atomic_exchange(&vm->eject_slots, 0);
	char serial[24];
	unsigned slot;
	int i;

	if (why) {
		pthread_mutex_lock(&vm->pause_lock);
		vm->pause_reason = why;
		memcpy(vm->pause_device, vm->pause_request_device,
		       sizeof(vm->pause_device));
		pthread_mutex_unlock(&vm->pause_lock);
		if (vm_pause(vm) == 0)
			log_warn("domain %s: paused: disk %s: no space left on "
				 "the device (free some, then xm unpause)",
				 vm_name(vm), vm->pause_device);
	}
	for (slot = 1; slot < 32; slot++) {
		if (!(slots & (1u << slot)))
			continue;
		if (atomic_fetch_and(&vm->gone_slots, ~(1u << slot)) &
		    (1u << slot)) {
			/* forced out before: the slot is free again */
			pci_slot_reserve(vm->board.pci, slot, false);
			continue;
		}
		for (i = 0; i < XMHV_MAX_DISKS; i++) {
			if (!vm->disks[i] || vblk_slot(vm->disks[i]) != slot)
				continue;
			snprintf(serial, sizeof(serial), "%s",
				 vblk_serial(vm->disks[i]));
			vm_disk_remove(vm, i);
			log_info("domain %s: disk %s: the guest ejected it",
				 vm_name(vm), serial);
			if (removed)
				removed(opaque, serial);
		}
		vm_nic_ejected(vm, slot, removed, opaque);
	}
}
