/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvm.c: the /dev/kvm system and VM ioctls (VM, memory slots, in-kernel
 * irqchip and PIT, supported CPUID, interrupt lines). */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hv.h"

#define KVM_TSS_GPA 0xfffbd000ULL
#define KVM_IDENTITY_MAP_GPA 0xfffbc000ULL

/* Open /dev/kvm and check the API version. Returns the fd or -errno. */
int
kvm_open(char *errmsg, size_t errlen)
{
	int fd, version, rc;

	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(errmsg, errlen, "/dev/kvm: %s", strerror(-rc));
		return rc;
	}
	version = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		snprintf(errmsg, errlen, "/dev/kvm: API version %d, need %d",
			 version, KVM_API_VERSION);
		close(fd);
		return -ENOTSUP;
	}
	return fd;
}

static int
kvm_set_slot(int vm_fd, uint32_t slot, uint64_t gpa, uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region region = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)hva,
	};

	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return -errno;
	return 0;
}

/* Create the VM: memory slots first (registering them after the irqchip
 * and vCPUs costs 20 times more on this KVM), then the TSS and identity
 * map, in-kernel irqchip and PIT. Returns the VM fd or -errno. */
int
kvm_create_vm(int kvm_fd, const struct mem *mem, char *errmsg, size_t errlen)
{
	struct kvm_pit_config pit = {.flags = 0};
	uint64_t idmap = KVM_IDENTITY_MAP_GPA;
	const char *what = "KVM_CREATE_VM";
	int vm_fd, rc;

	vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm_fd < 0) {
		rc = -errno;
		goto out;
	}
	what = "KVM_SET_USER_MEMORY_REGION";
	rc = kvm_set_slot(vm_fd, 0, 0, mem->low_size, mem->base);
	if (rc == 0 && mem->high_size)
		rc = kvm_set_slot(vm_fd, 1, XMHV_PCI_HOLE_END, mem->high_size,
				  mem->base + mem->low_size);
	if (rc < 0)
		goto out;
	what = "KVM_SET_TSS_ADDR";
	if (ioctl(vm_fd, KVM_SET_TSS_ADDR, (unsigned long)KVM_TSS_GPA) < 0)
		goto fail;
	what = "KVM_SET_IDENTITY_MAP_ADDR";
	if (ioctl(vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0)
		goto fail;
	what = "KVM_CREATE_IRQCHIP";
	if (ioctl(vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		goto fail;
	what = "KVM_CREATE_PIT2";
	if (ioctl(vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		goto fail;
	return vm_fd;
fail:
	rc = -errno;
out:
	snprintf(errmsg, errlen, "/dev/kvm: %s: %s", what, strerror(-rc));
	if (vm_fd >= 0)
		close(vm_fd);
	return rc;
}

/* KVM_GET_SUPPORTED_CPUID, grown until it fits. Caller frees; NULL with
 * errno set on failure. */
struct kvm_cpuid2 *
kvm_supported_cpuid(int kvm_fd)
{
	struct kvm_cpuid2 *c;
	uint32_t n;

	for (n = 128; n <= 4096; n *= 2) {
		c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
		if (!c)
			return NULL;
		c->nent = n;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			return c;
		free(c);
		if (errno != E2BIG)
			return NULL;
	}
	errno = E2BIG;
	return NULL;
}

/* Set an interrupt line of the in-kernel PIC/IOAPIC. Any thread. */
int
kvm_irq_line(int vm_fd, uint32_t gsi, int level)
{
	struct kvm_irq_level irq = {.irq = gsi, .level = level};

	if (ioctl(vm_fd, KVM_IRQ_LINE, &irq) < 0)
		return -errno;
	return 0;
}

/* Signal GSI gsi whenever efd is written (KVM_IRQFD); with resample_fd >= 0
 * the line is level-triggered and resample_fd is signalled on EOI. deassign
 * removes it. 0 or -errno. For devices' interrupts without a VM exit. */
int
kvm_irqfd(int vm_fd, int efd, uint32_t gsi, int resample_fd, bool deassign)
{
	struct kvm_irqfd irqfd = {.fd = (uint32_t)efd, .gsi = gsi};

	if (deassign)
		irqfd.flags |= KVM_IRQFD_FLAG_DEASSIGN;
	else if (resample_fd >= 0) {
		irqfd.flags |= KVM_IRQFD_FLAG_RESAMPLE;
		irqfd.resamplefd = (uint32_t)resample_fd;
	}
	if (ioctl(vm_fd, KVM_IRQFD, &irqfd) < 0)
		return -errno;
	return 0;
}

/* Make guest writes of len bytes to addr (MMIO, or a port with pio) signal
 * efd inside the kernel instead of exiting (KVM_IOEVENTFD): virtqueue
 * doorbells. deassign removes it. 0 or -errno. */
int
kvm_ioeventfd(int vm_fd, int efd, uint64_t addr, uint32_t len, bool pio,
	      bool deassign)
{
	struct kvm_ioeventfd io = {.addr = addr, .len = len, .fd = efd};

	if (pio)
		io.flags |= KVM_IOEVENTFD_FLAG_PIO;
	if (deassign)
		io.flags |= KVM_IOEVENTFD_FLAG_DEASSIGN;
	if (ioctl(vm_fd, KVM_IOEVENTFD, &io) < 0)
		return -errno;
	return 0;
}
