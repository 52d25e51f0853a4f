/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vm_nic.c: the machine's NICs (vm.h): one virtio-net function per NIC of
 * the configuration at build time, in its order, after the disks (the
 * guest finds them as eth0, eth1, ... in that order). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "devices/pci.h"
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
