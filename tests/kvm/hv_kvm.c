/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hv_kvm.c: kvm tier for xmhv's KVM layer: VM creation with memory slots
 * around the PCI hole, irqfd and ioeventfd registration (the paths the
 * virtio devices will use), MSI routes committed to KVM with an irqfd per
 * vector and KVM_SIGNAL_MSI, vCPU creation with normalised CPUID and the
 * XCR0 it advertises, and dirty page logging: pages a vCPU writes and
 * pages the device helper writes come back from one fetch. */
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm.h"
#include "mem.h"
#include "check.h"
#include "arch/x86/x86.h"
#include "tap.h"

/* MSI routes in KVM's real table: two vectors routed, committed, an
 * eventfd attached to each, one message sent directly. */
static void
test_msi_routes(int vm)
{
	struct kvm_routes *r = kvm_routes_new(vm);
	int g0, g1, e0 = eventfd(0, EFD_CLOEXEC), e1 = eventfd(0, EFD_CLOEXEC);
	uint64_t one = 1;

	g0 = kvm_routes_add_msi(r, 0xfee00000, 0x4041);
	g1 = kvm_routes_add_msi(r, 0xfee00000, 0x4042);
	tap_ok(g0 == 24 && g1 == 25 && kvm_routes_commit(r) == 0,
	       "KVM_SET_GSI_ROUTING: the pc table plus MSI routes 24, 25");
	tap_ok(kvm_irqfd(vm, e0, (uint32_t)g0, -1, false) == 0 &&
		       kvm_irqfd(vm, e1, (uint32_t)g1, -1, false) == 0,
	       "an irqfd per MSI vector");
	tap_ok(kvm_routes_set_msi(r, (uint32_t)g0, 0xfee00000, 0x4051) == 0 &&
		       kvm_routes_commit(r) == 0 &&
		       write(e0, &one, sizeof(one)) == sizeof(one),
	       "a route changed under an attached irqfd, then signalled");
	tap_ok(kvm_irqfd(vm, e0, (uint32_t)g0, -1, true) == 0 &&
		       kvm_irqfd(vm, e1, (uint32_t)g1, -1, true) == 0,
	       "the irqfds detached (a masked vector)");
	tap_is_int(kvm_signal_msi(vm, 0xfee00000, 0x4052), 0,
		   "KVM_SIGNAL_MSI sends a pending message");
	kvm_routes_free(r);
	close(e0);
	close(e1);
}

/* Real mode at 0x1000: write a byte to pages 3 and 8, then out 0x10. */
static const uint8_t dirty_code[] = {0xc6, 0x06, 0x00, 0x30, 0xaa, 0xc6, 0x06,
				     0x00, 0x80, 0xbb, 0xe6, 0x10, 0xf4};

static bool
page_bit(const uint64_t *bm, uint64_t page)
{
	return (bm[page / 64] >> (page % 64)) & 1;
}

static void
test_dirty_log(int kvm, int vm, struct mem *mem)
{
	size_t words = mem->slot[0].dirty_words;
	uint64_t *bm = calloc(words, sizeof(*bm));
	struct kvm_sregs sr;
	struct kvm_regs regs = {.rip = 0x1000, .rflags = 2};
	struct kvm_run *run = MAP_FAILED;
	long msize = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	uint8_t b = 1;
	int vcpu, rc;

	tap_is_int(kvm_dirty_log(vm, mem, 0, true), 0,
		   "dirty logging on for slot 0 (KVM_MEM_LOG_DIRTY_PAGES)");
	tap_ok(kvm_dirty_log_take(vm, mem, 0, bm, words) == 0,
	       "the first fetch (clears what came before)");
	memcpy(mem_gpa_to_hva(mem, 0x1000, sizeof(dirty_code)), dirty_code,
	       sizeof(dirty_code));
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0UL);
	if (vcpu >= 0 && msize > 0)
		run = mmap(NULL, (size_t)msize, PROT_READ | PROT_WRITE,
			   MAP_SHARED, vcpu, 0);
	rc = run != MAP_FAILED && ioctl(vcpu, KVM_GET_SREGS, &sr) == 0 ? 0 : -1;
	sr.cs.base = 0;
	sr.cs.selector = 0;
	sr.ds.base = 0;
	sr.ds.selector = 0;
	if (rc == 0 && (ioctl(vcpu, KVM_SET_SREGS, &sr) < 0 ||
			ioctl(vcpu, KVM_SET_REGS, &regs) < 0))
		rc = -1;
	while (rc == 0 && (rc = ioctl(vcpu, KVM_RUN, 0)) < 0 &&
	       (errno == EINTR || errno == EAGAIN))
		rc = 0;
	tap_ok(rc == 0 && run->exit_reason == KVM_EXIT_IO &&
		       run->io.port == 0x10 &&
		       *(uint8_t *)mem_gpa_to_hva(mem, 0x3000, 1) == 0xaa &&
		       *(uint8_t *)mem_gpa_to_hva(mem, 0x8000, 1) == 0xbb,
	       "a vCPU wrote pages 3 and 8 and stopped at its port write");
	tap_ok(mem_write(mem, 0x5000, &b, 1) == 0 &&
		       kvm_dirty_log_take(vm, mem, 0, bm, words) == 0,
	       "the device helper wrote page 5; one fetch");
	tap_ok(page_bit(bm, 3) && page_bit(bm, 8),
	       "KVM's log: the pages the vCPU wrote are dirty");
	tap_ok(page_bit(bm, 5) && !page_bit(bm, 4) && !page_bit(bm, 9),
	       "merged: the page the device wrote too, its neighbours not");
	tap_ok(kvm_dirty_log_take(vm, mem, 0, bm, words) == 0 &&
		       !page_bit(bm, 3) && !page_bit(bm, 5) && !page_bit(bm, 8),
	       "a second fetch: cleared by the first");
	tap_ok(kvm_dirty_log(vm, mem, 0, false) == 0 &&
		       kvm_dirty_log_take(vm, mem, 0, bm, words) == -ENOENT,
	       "logging off: no log to fetch");
	if (run != MAP_FAILED)
		munmap(run, (size_t)msize);
	if (vcpu >= 0)
		close(vcpu);
	free(bm);
}

int
main(void)
{
	struct kvm_cpuid2 *sup, *c;
	struct kvm_xcrs xcrs = {0};
	uint64_t xcr0 = 0;
	uint32_t i;
	char err[256] = "";
	struct mem mem;
	int kvm, vm, efd, rfd, vcpu;

	if (access("/dev/kvm", R_OK | W_OK) != 0)
		tap_skip_all("no usable /dev/kvm");
	if (geteuid() != 0)
		tap_skip_all("needs root");
	kvm = xmhv_check_kvm_open(err, sizeof(err));
	if (!tap_ok(kvm >= 0, "xmhv_check_kvm_open (%s)", err))
		return tap_done();
	tap_ok(mem_init(&mem, 3500 * HV_MIB) == 0 &&
		       mem.low_size == XMHV_PCI_HOLE_START &&
		       mem.high_size == 3500 * HV_MIB - XMHV_PCI_HOLE_START,
	       "3500 MiB: 3 GiB below the hole, the rest above 4 GiB");
	vm = kvm_create_vm(kvm, &mem, err, sizeof(err));
	if (!tap_ok(vm >= 0, "kvm_create_vm with two slots, irqchip, PIT (%s)",
		    err))
		return tap_done();
	efd = eventfd(0, EFD_CLOEXEC);
	rfd = eventfd(0, EFD_CLOEXEC);
	tap_is_int(kvm_irqfd(vm, efd, XMHV_PCI_IRQ_BASE + 1, -1, false), 0,
		   "irqfd on GSI 17");
	tap_is_int(kvm_irqfd(vm, efd, XMHV_PCI_IRQ_BASE + 1, -1, true), 0,
		   "irqfd removed");
	tap_is_int(kvm_irqfd(vm, efd, XMHV_PCI_IRQ_BASE + 2, rfd, false), 0,
		   "level-triggered irqfd with a resample fd");
	tap_is_int(kvm_ioeventfd(vm, efd, XMHV_PCI_MMIO_START + 0x100000, 4,
				 false, false),
		   0, "ioeventfd on a BAR doorbell");
	tap_is_int(kvm_ioeventfd(vm, efd, XMHV_PCI_MMIO_START + 0x100000, 4,
				 false, true),
		   0, "ioeventfd removed");
	tap_is_int(kvm_irq_line(vm, XMHV_COM1_IRQ, 1), 0, "IRQ line 4 raised");
	tap_is_int(kvm_irq_line(vm, XMHV_COM1_IRQ, 0), 0, "IRQ line 4 lowered");
	sup = kvm_supported_cpuid(kvm);
	tap_ok(sup && sup->nent > 4, "KVM_GET_SUPPORTED_CPUID");
	c = sup ? cpuid_for_vcpu(sup, 1, 2, NULL, 0) : NULL;
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 1UL);
	tap_ok(c && vcpu >= 0 && ioctl(vcpu, KVM_SET_CPUID2, c) == 0,
	       "KVM accepts the normalised CPUID of vCPU 1");
	tap_ok(c && vcpu >= 0 && kvm_set_xcr0(vcpu, c) == 0 &&
		       ioctl(vcpu, KVM_GET_XCRS, &xcrs) == 0,
	       "KVM accepts XCR0 = the components of leaf 0xD.0");
	for (i = 0; c && i < c->nent; i++)
		if (c->entries[i].function == 0xd && c->entries[i].index == 0)
			xcr0 = c->entries[i].eax | (uint64_t)c->entries[i].edx
							   << 32;
	tap_ok(xcrs.nr_xcrs >= 1 && xcrs.xcrs[0].value == (xcr0 | 1),
	       "vCPU XCR0 0x%llx = leaf 0xD.0 components 0x%llx",
	       (unsigned long long)xcrs.xcrs[0].value,
	       (unsigned long long)xcr0);
	free(c);
	free(sup);
	test_msi_routes(vm);
	test_dirty_log(kvm, vm, &mem);
	if (vcpu >= 0)
		close(vcpu);
	close(efd);
	close(rfd);
	close(vm);
	close(kvm);
	mem_dispose(&mem);
	return tap_done();
}
