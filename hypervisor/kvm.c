/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvm.c: the /dev/kvm system and VM ioctls (VM, memory slots and their
 * dirty logs, in-kernel irqchip and PIT, the GSI routing table with its
 * MSI routes, supported CPUID, interrupt lines, irqfds, ioeventfds). */
#include <errno.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm.h"

#define KVM_TSS_GPA 0xfffbd000ULL
#define KVM_IDENTITY_MAP_GPA 0xfffbc000ULL

static int
kvm_set_slot(int vm_fd, const struct mem *mem, uint32_t slot, uint32_t flags)
{
	const struct mem_slot *s = &mem->slot[slot];
	struct kvm_userspace_memory_region region = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = s->gpa,
		.memory_size = s->size,
		.userspace_addr = (uint64_t)(uintptr_t)s->hva,
	};

	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return -errno;
	return 0;
}

/* Fill e[0..max) with the pc machine's GSI routing (QEMU's
 * kvm_pc_setup_irq_routing): GSI 0-15 to the PIC pin irq % 8 (master below 8,
 * slave above; GSI 2 is the cascade and has no route), GSI n to IOAPIC pin n
 * except GSI 0 -> pin 2 (the MADT/MP table override for the PIT) and GSI 2
 * (none). KVM_IRQ_LINE(n) and the in-kernel PIT (GSI 0) hit every route of
 * n. Pure; returns the number of entries (KVM_GSI_ROUTES) or -ENOSPC. */
int
kvm_gsi_routes(struct kvm_irq_routing_entry *e, size_t max)
{
	size_t n = 0;
	uint32_t gsi;

	for (gsi = 0; gsi < XMHV_IOAPIC_PINS; gsi++) {
		if (gsi == 2)
			continue;
		if (n + (gsi < 16 ? 2 : 1) > max)
			return -ENOSPC;
		if (gsi < 16)
			e[n++] = (struct kvm_irq_routing_entry){
				.gsi = gsi,
				.type = KVM_IRQ_ROUTING_IRQCHIP,
				.u.irqchip = {gsi < 8 ? KVM_IRQCHIP_PIC_MASTER
						      : KVM_IRQCHIP_PIC_SLAVE,
					      gsi % 8},
			};
		e[n++] = (struct kvm_irq_routing_entry){
			.gsi = gsi,
			.type = KVM_IRQ_ROUTING_IRQCHIP,
			.u.irqchip = {KVM_IRQCHIP_IOAPIC, gsi == 0 ? 2 : gsi},
		};
	}
	return (int)n;
}

/* KVM_SET_GSI_ROUTING with kvm_gsi_routes (replaces KVM's default table,
 * which sends GSI 0 to IOAPIC pin 0). 0 or -errno. */
static int
kvm_set_gsi_routing(int vm_fd)
{
	struct kvm_irq_routing *r;
	int n, rc = 0;

	r = calloc(1, sizeof(*r) + KVM_GSI_ROUTES * sizeof(r->entries[0]));
	if (!r)
		return -ENOMEM;
	n = kvm_gsi_routes(r->entries, KVM_GSI_ROUTES);
	if (n < 0) {
		rc = n;
		goto out;
	}
	r->nr = (uint32_t)n;
	if (ioctl(vm_fd, KVM_SET_GSI_ROUTING, r) < 0)
		rc = -errno;
out:
	free(r);
	return rc;
}

/* Create the VM: memory slots first (registering them after the irqchip
 * and vCPUs costs 20 times more on this KVM), then the TSS and identity
 * map, in-kernel irqchip with the pc GSI routing, and PIT. Returns the VM fd or -errno. */
int
kvm_create_vm(int kvm_fd, const struct mem *mem, char *errmsg, size_t errlen)
{
	struct kvm_pit_config pit = {.flags = 0};
	uint64_t idmap = KVM_IDENTITY_MAP_GPA;
	const char *what = "KVM_CREATE_VM";
	unsigned i;
	int vm_fd, rc;

	vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm_fd < 0) {
		rc = -errno;
		goto out;
	}
	what = "KVM_SET_USER_MEMORY_REGION";
	for (i = 0, rc = 0; i < mem->nslots && rc == 0; i++)
		rc = kvm_set_slot(vm_fd, mem, i, 0);
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
	what = "KVM_SET_GSI_ROUTING";
	rc = kvm_set_gsi_routing(vm_fd);
	if (rc < 0)
		goto out;
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

#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)

/* KVM_GET_SUPPORTED_CPUID leaves out the TSC-deadline timer even where the
 * in-kernel LAPIC emulates it (the API documentation says to ask
 * KVM_CAP_TSC_DEADLINE_TIMER; QEMU sets the bit the same way). Without it
 * Linux programs its LAPIC timer through TMICT in one-shot mode. */
static void
kvm_add_tsc_deadline(int kvm_fd, struct kvm_cpuid2 *c)
{
	uint32_t i;

	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) <= 0)
		return;
	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == 1)
			c->entries[i].ecx |= CPUID_1_ECX_TSC_DEADLINE;
}

/* KVM_GET_SUPPORTED_CPUID, grown until it fits, with the TSC-deadline
 * timer where KVM has it. Caller frees; NULL with errno set on failure. */
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
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
			kvm_add_tsc_deadline(kvm_fd, c);
			return c;
		}
		free(c);
		if (errno != E2BIG)
			return NULL;
	}
	errno = E2BIG;
	return NULL;
}

/* Start vCPU vcpu_fd with XCR0 = every XSAVE component its CPUID table
 * (already set with KVM_SET_CPUID2) advertises in leaf 0xD.0. KVM answers
 * 0xD.0 EBX (and 0xD.1 EBX) from the XCR0 it knows; where the guest's XSETBV
 * never reaches KVM (nested SVM under QEMU TCG) that stays the reset value
 * and Linux sees a 576-byte area for its 832-byte AVX state ("XSAVE
 * consistency problem"). XCR0 is only reachable with CR4.OSXSAVE, which the
 * guest sets before it writes XCR0 itself. 0 (also without leaf 0xD) or
 * -errno. */
int
kvm_set_xcr0(int vcpu_fd, const struct kvm_cpuid2 *cpuid)
{
	struct kvm_xcrs xcrs = {.nr_xcrs = 1};
	uint32_t i;

	for (i = 0; i < cpuid->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		if (e->function != 0xd || e->index != 0)
			continue;
		xcrs.xcrs[0].xcr = 0;
		xcrs.xcrs[0].value = (e->eax | (uint64_t)e->edx << 32) | 1;
		if (ioctl(vcpu_fd, KVM_SET_XCRS, &xcrs) < 0)
			return -errno;
		return 0;
	}
	return 0;
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

/* ---- the routing table: the pc routes plus MSI routes ---- */

/* MSI routes take GSIs above the IOAPIC's pins, below KVM's limit of
 * routing entries' GSIs (KVM_MAX_IRQ_ROUTES, 4096). */
#define KVM_MSI_GSI_BASE XMHV_IOAPIC_PINS
#define KVM_MSI_GSI_END 1024

struct kvm_msi_route {
	bool used;
	uint32_t data;
	uint64_t addr;
};

struct kvm_routes {
	int vm_fd;
	pthread_mutex_t lock;
	bool changed; /* since the last commit */
	unsigned nmsi;
	struct kvm_msi_route msi[KVM_MSI_GSI_END - KVM_MSI_GSI_BASE];
};

struct kvm_routes *
kvm_routes_new(int vm_fd)
{
	struct kvm_routes *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->vm_fd = vm_fd;
	pthread_mutex_init(&r->lock, NULL);
	return r;
}

void
kvm_routes_free(struct kvm_routes *r)
{
	if (!r)
		return;
	pthread_mutex_destroy(&r->lock);
	free(r);
}

int
kvm_routes_add_msi(struct kvm_routes *r, uint64_t addr, uint32_t data)
{
	unsigned i;
	int rc = -ENOSPC;

	pthread_mutex_lock(&r->lock);
	for (i = 0; i < ARRAY_SIZE_HV(r->msi); i++) {
		if (r->msi[i].used)
			continue;
		r->msi[i] = (struct kvm_msi_route){true, data, addr};
		r->nmsi++;
		r->changed = true;
		rc = (int)(KVM_MSI_GSI_BASE + i);
		break;
	}
	pthread_mutex_unlock(&r->lock);
	return rc;
}

/* The MSI route of gsi, or NULL. Caller holds the lock. */
static struct kvm_msi_route *
kvm_routes_msi(struct kvm_routes *r, uint32_t gsi)
{
	if (gsi < KVM_MSI_GSI_BASE || gsi >= KVM_MSI_GSI_END ||
	    !r->msi[gsi - KVM_MSI_GSI_BASE].used)
		return NULL;
	return &r->msi[gsi - KVM_MSI_GSI_BASE];
}

int
kvm_routes_set_msi(struct kvm_routes *r, uint32_t gsi, uint64_t addr,
		   uint32_t data)
{
	struct kvm_msi_route *m;
	int rc = -ENOENT;

	pthread_mutex_lock(&r->lock);
	m = kvm_routes_msi(r, gsi);
	if (m) {
		if (m->addr != addr || m->data != data)
			r->changed = true;
		m->addr = addr;
		m->data = data;
		rc = 0;
	}
	pthread_mutex_unlock(&r->lock);
	return rc;
}

void
kvm_routes_del(struct kvm_routes *r, uint32_t gsi)
{
	struct kvm_msi_route *m;

	pthread_mutex_lock(&r->lock);
	m = kvm_routes_msi(r, gsi);
	if (m) {
		m->used = false;
		r->nmsi--;
		r->changed = true;
	}
	pthread_mutex_unlock(&r->lock);
}

/* Caller holds the lock: the table into e[0..max). */
static int
kvm_routes_fill_locked(struct kvm_routes *r, struct kvm_irq_routing_entry *e,
		       size_t max)
{
	int n = kvm_gsi_routes(e, max);
	unsigned i;

	for (i = 0; n >= 0 && i < ARRAY_SIZE_HV(r->msi); i++) {
		if (!r->msi[i].used)
			continue;
		if ((size_t)n == max)
			return -ENOSPC;
		e[n++] = (struct kvm_irq_routing_entry){
			.gsi = KVM_MSI_GSI_BASE + i,
			.type = KVM_IRQ_ROUTING_MSI,
			.u.msi = {.address_lo = (uint32_t)r->msi[i].addr,
				  .address_hi =
					  (uint32_t)(r->msi[i].addr >> 32),
				  .data = r->msi[i].data},
		};
	}
	return n;
}

int
kvm_routes_fill(struct kvm_routes *r, struct kvm_irq_routing_entry *e,
		size_t max)
{
	int n;

	pthread_mutex_lock(&r->lock);
	n = kvm_routes_fill_locked(r, e, max);
	pthread_mutex_unlock(&r->lock);
	return n;
}

int
kvm_routes_commit(struct kvm_routes *r)
{
	struct kvm_irq_routing *t = NULL;
	size_t max;
	int n, rc = 0;

	pthread_mutex_lock(&r->lock);
	if (!r->changed)
		goto out;
	max = KVM_GSI_ROUTES + r->nmsi;
	t = calloc(1, sizeof(*t) + max * sizeof(t->entries[0]));
	if (!t) {
		rc = -ENOMEM;
		goto out;
	}
	n = kvm_routes_fill_locked(r, t->entries, max);
	if (n < 0) {
		rc = n;
		goto out;
	}
	t->nr = (uint32_t)n;
	if (ioctl(r->vm_fd, KVM_SET_GSI_ROUTING, t) < 0)
		rc = -errno;
	else
		r->changed = false;
out:
	pthread_mutex_unlock(&r->lock);
	free(t);
	return rc;
}

int
kvm_signal_msi(int vm_fd, uint64_t addr, uint32_t data)
{
	struct kvm_msi msi = {.address_lo = (uint32_t)addr,
			      .address_hi = (uint32_t)(addr >> 32),
			      .data = data};

	/* > 0 delivered, 0 blocked by the guest (a masked LAPIC vector). */
	if (ioctl(vm_fd, KVM_SIGNAL_MSI, &msi) < 0)
		return -errno;
	return 0;
}

static int
kvm_router_add(void *opaque, uint64_t addr, uint32_t data)
{
	return kvm_routes_add_msi(opaque, addr, data);
}

static int
kvm_router_set(void *opaque, uint32_t gsi, uint64_t addr, uint32_t data)
{
	return kvm_routes_set_msi(opaque, gsi, addr, data);
}

static void
kvm_router_del(void *opaque, uint32_t gsi)
{
	kvm_routes_del(opaque, gsi);
}

static int
kvm_router_commit(void *opaque)
{
	return kvm_routes_commit(opaque);
}

static int
kvm_router_irqfd(void *opaque, int efd, uint32_t gsi, bool attach)
{
	struct kvm_routes *r = opaque;

	return kvm_irqfd(r->vm_fd, efd, gsi, -1, !attach);
}

static int
kvm_router_signal(void *opaque, uint64_t addr, uint32_t data)
{
	struct kvm_routes *r = opaque;

	return kvm_signal_msi(r->vm_fd, addr, data);
}

static const struct msi_router_ops kvm_router_ops = {
	.route_add = kvm_router_add,
	.route_set = kvm_router_set,
	.route_del = kvm_router_del,
	.commit = kvm_router_commit,
	.irqfd = kvm_router_irqfd,
	.signal = kvm_router_signal,
};

struct msi_router
kvm_routes_router(struct kvm_routes *r)
{
	return (struct msi_router){&kvm_router_ops, r};
}

/* ---- dirty page logging ---- */

int
kvm_dirty_log(int vm_fd, const struct mem *mem, unsigned slot, bool on)
{
	if (slot >= mem->nslots)
		return -EINVAL;
	return kvm_set_slot(vm_fd, mem, slot, on ? KVM_MEM_LOG_DIRTY_PAGES : 0);
}

int
kvm_dirty_log_take(int vm_fd, const struct mem *mem, unsigned slot,
		   uint64_t *out, size_t words)
{
	struct kvm_dirty_log log = {.slot = slot, .dirty_bitmap = out};

	if (slot >= mem->nslots || words != mem->slot[slot].dirty_words)
		return -EINVAL;
	memset(out, 0, words * sizeof(out[0]));
	if (ioctl(vm_fd, KVM_GET_DIRTY_LOG, &log) < 0)
		return -errno;
	return mem_dirty_take(mem, slot, out, words);
}
