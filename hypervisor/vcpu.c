/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vcpu.c: one KVM vCPU: creation (CPUID, LAPIC LINT0/LINT1), the boot
 * vCPU's entry state (64-bit long mode or PVH 32-bit), and the exit table. */
#include <errno.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vcpu.h"
#include "vm.h"
#include "kvm.h"
#include "log.h"

#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_MODE_NMI 0x4
#define APIC_MODE_EXTINT 0x7

#define CR0_PE 1ULL
#define CR0_ET (1ULL << 4)
#define CR0_NE (1ULL << 5)
#define CR0_PG (1ULL << 31)
#define CR4_PAE (1ULL << 5)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)

static void
vcpu_kick_handler(int sig)
{
	(void)sig;
}

/* The signal that kicks a vCPU thread out of KVM_RUN (SIGUSR1, no
 * SA_RESTART). Process-wide; returns 0 or -errno. */
int
vcpu_kick_signal(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = vcpu_kick_handler;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) < 0)
		return -errno;
	return 0;
}

static int
vcpu_set_lint(struct vcpu *vcpu)
{
	struct kvm_lapic_state lapic;
	uint32_t lint0, lint1;

	if (ioctl(vcpu->fd, KVM_GET_LAPIC, &lapic) < 0)
		return -errno;
	memcpy(&lint0, &lapic.regs[APIC_LVT_LINT0], 4);
	memcpy(&lint1, &lapic.regs[APIC_LVT_LINT1], 4);
	/* Virtual-wire mode as PC firmware leaves it: PIC on LINT0, NMI on
	 * LINT1; without this nothing arrives before the guest sets up its
	 * IOAPIC. */
	lint0 = (lint0 & ~0x1ff00u) | (APIC_MODE_EXTINT << 8);
	lint1 = (lint1 & ~0x1ff00u) | (APIC_MODE_NMI << 8);
	memcpy(&lapic.regs[APIC_LVT_LINT0], &lint0, 4);
	memcpy(&lapic.regs[APIC_LVT_LINT1], &lint1, 4);
	if (ioctl(vcpu->fd, KVM_SET_LAPIC, &lapic) < 0)
		return -errno;
	return 0;
}

/* Create vCPU id (its APIC id too), map its kvm_run, set its CPUID, XCR0
 * (kvm_set_xcr0) and LINT pins. On failure leaves a state vcpu_dispose() accepts. */
int
vcpu_init(struct vcpu *vcpu, struct vm *vm, int kvm_fd, uint32_t id,
	  const struct kvm_cpuid2 *cpuid)
{
	int size, rc;

	memset(vcpu, 0, sizeof(*vcpu));
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = ioctl(vm_vm_fd(vm), KVM_CREATE_VCPU, (unsigned long)id);
	if (vcpu->fd < 0)
		return -errno;
	size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run))
		return -EINVAL;
	vcpu->run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		vcpu->run = NULL;
		return -errno;
	}
	vcpu->run_size = (size_t)size;
	if (ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid) < 0)
		return -errno;
	rc = kvm_set_xcr0(vcpu->fd, cpuid);
	if (rc < 0)
		return rc;
	rc = vcpu_set_lint(vcpu);
	return rc;
}

/* Unmap and close. Accepts a zeroed or half-initialised vcpu. */
void
vcpu_dispose(struct vcpu *vcpu)
{
	if (vcpu->run)
		munmap(vcpu->run, vcpu->run_size);
	if (vcpu->fd > 0)
		close(vcpu->fd);
	vcpu->run = NULL;
	vcpu->fd = -1;
}

static void
vcpu_seg(struct kvm_segment *s, uint16_t sel, uint8_t type, bool code64,
	 bool db)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->l = code64;
	s->db = db;
	s->g = 1;
}

/* GDT: null, null, 64-bit code (0x10), data (0x18), 32-bit code (0x20);
 * the selectors of Linux's 64-bit boot protocol. */
static const uint64_t vcpu_gdt[] = {
	0,
	0,
	0x00af9b000000ffffULL,
	0x00cf93000000ffffULL,
	0x00cf9b000000ffffULL,
	0x00cf8b000000ffffULL,
};

/* Identity page tables over the first 4 GiB with 2 MiB pages. */
static int
vcpu_write_page_tables(const struct mem *mem)
{
	uint64_t *pml4, *pdpt, *pd;
	unsigned i;

	pml4 = mem_gpa_to_hva(mem, HV_BOOT_PML4_GPA, 4096);
	pdpt = mem_gpa_to_hva(mem, HV_BOOT_PDPT_GPA, 4096);
	pd = mem_gpa_to_hva(mem, HV_BOOT_PD_GPA, 4 * 4096);
	if (!pml4 || !pdpt || !pd)
		return -EFAULT;
	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = HV_BOOT_PDPT_GPA | 3;
	for (i = 0; i < 4; i++)
		pdpt[i] = (HV_BOOT_PD_GPA + i * 4096ULL) | 3;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;
	return 0;
}

/* Put the boot vCPU at the kernel's entry: 64-bit long mode with RSI =
 * boot_params (Linux 64-bit boot protocol), or 32-bit protected mode with
 * EBX = hvm_start_info (PVH). Main thread, before the vCPU runs. */
int
vcpu_setup_boot(struct vcpu *vcpu, const struct mem *mem,
		const struct boot_image *img)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_fpu fpu;
	bool lm = img->mode == BOOT_LONG64;
	int rc;

	rc = mem_write(mem, HV_BOOT_GDT_GPA, vcpu_gdt, sizeof(vcpu_gdt));
	if (rc == 0 && lm)
		rc = vcpu_write_page_tables(mem);
	if (rc < 0)
		return rc;
	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	sregs.gdt.base = HV_BOOT_GDT_GPA;
	sregs.gdt.limit = sizeof(vcpu_gdt) - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	if (lm) {
		vcpu_seg(&sregs.cs, 0x10, 0xb, true, false);
		vcpu_seg(&sregs.ds, 0x18, 0x3, false, true);
		sregs.cr3 = HV_BOOT_PML4_GPA;
		sregs.cr4 = CR4_PAE;
		sregs.cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_PG;
		sregs.efer = EFER_LME | EFER_LMA;
	} else {
		vcpu_seg(&sregs.cs, 0x20, 0xb, false, true);
		vcpu_seg(&sregs.ds, 0x18, 0x3, false, true);
		sregs.cr0 = CR0_PE | CR0_ET | CR0_NE;
		sregs.cr4 = 0;
		sregs.efer = 0;
	}
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	vcpu_seg(&sregs.tr, 0x28, 0xb, false, false);
	sregs.tr.s = 0;
	sregs.tr.limit = 0x67;
	sregs.tr.g = 0;
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0)
		return -errno;
	memset(&regs, 0, sizeof(regs));
	regs.rflags = 2;
	regs.rip = img->entry;
	regs.rsp = HV_BOOT_STACK_TOP;
	if (lm)
		regs.rsi = img->arg_gpa;
	else
		regs.rbx = img->arg_gpa;
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0)
		return -errno;
	memset(&fpu, 0, sizeof(fpu));
	fpu.fcw = 0x37f;
	fpu.mxcsr = 0x1f80;
	if (ioctl(vcpu->fd, KVM_SET_FPU, &fpu) < 0)
		return -errno;
	return 0;
}

/* Log the vCPU state (and the code bytes at RIP) for a crash report. */
void
vcpu_dump(struct vcpu *vcpu, const char *why)
{
	struct kvm_translation tr;
	struct kvm_sregs s;
	struct kvm_regs r;
	uint8_t code[16];
	char hex[3 * sizeof(code) + 1] = "?";
	size_t i;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &r) < 0 ||
	    ioctl(vcpu->fd, KVM_GET_SREGS, &s) < 0) {
		log_err("domain %s: vcpu %u: %s (registers unavailable)",
			vm_name(vcpu->vm), vcpu->id, why);
		return;
	}
	memset(&tr, 0, sizeof(tr));
	tr.linear_address = s.cs.base + r.rip;
	if (ioctl(vcpu->fd, KVM_TRANSLATE, &tr) == 0 && tr.valid &&
	    mem_read(vm_mem(vcpu->vm), tr.physical_address, code,
		     sizeof(code)) == 0)
		for (i = 0; i < sizeof(code); i++)
			snprintf(hex + 3 * i, 4, "%02x ", code[i]);
	log_err("domain %s: vcpu %u: %s", vm_name(vcpu->vm), vcpu->id, why);
	log_err("  rip=%016llx rsp=%016llx rflags=%08llx code: %s",
		(unsigned long long)r.rip, (unsigned long long)r.rsp,
		(unsigned long long)r.rflags, hex);
	log_err("  rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx",
		(unsigned long long)r.rax, (unsigned long long)r.rbx,
		(unsigned long long)r.rcx, (unsigned long long)r.rdx);
	log_err("  rsi=%016llx rdi=%016llx rbp=%016llx",
		(unsigned long long)r.rsi, (unsigned long long)r.rdi,
		(unsigned long long)r.rbp);
	log_err("  cr0=%llx cr2=%llx cr3=%llx cr4=%llx efer=%llx cs=%04x",
		(unsigned long long)s.cr0, (unsigned long long)s.cr2,
		(unsigned long long)s.cr3, (unsigned long long)s.cr4,
		(unsigned long long)s.efer, s.cs.selector);
}

static int
vcpu_exit_io(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	uint32_t i;

	if (run->io.data_offset + (uint64_t)run->io.size * run->io.count >
	    vcpu->run_size)
		return -EINVAL;
	for (i = 0; i < run->io.count; i++, data += run->io.size)
		vm_io_dispatch(vcpu->vm, false, run->io.port, data,
			       run->io.size,
			       run->io.direction == KVM_EXIT_IO_OUT);
	return 0;
}

static int
vcpu_exit_mmio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	if (run->mmio.len > sizeof(run->mmio.data))
		return -EINVAL;
	vm_io_dispatch(vcpu->vm, true, run->mmio.phys_addr, run->mmio.data,
		       run->mmio.len, run->mmio.is_write);
	return 0;
}

static int
vcpu_exit_crash(struct vcpu *vcpu, const char *why)
{
	vcpu_dump(vcpu, why);
	vm_end(vcpu->vm, XMHV_SHUTDOWN_CRASH);
	return -EIO;
}

static int
vcpu_exit_shutdown(struct vcpu *vcpu)
{
	return vcpu_exit_crash(vcpu, "triple fault");
}

static int
vcpu_exit_internal(struct vcpu *vcpu)
{
	char why[128];

	snprintf(why, sizeof(why), "KVM internal error, suberror %u%s",
		 vcpu->run->internal.suberror,
		 vcpu->run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION
			 ? " (instruction emulation failed)"
			 : "");
	return vcpu_exit_crash(vcpu, why);
}

static int
vcpu_exit_system_event(struct vcpu *vcpu)
{
	switch (vcpu->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vm_power_off(vcpu->vm);
		return -EIO;
	case KVM_SYSTEM_EVENT_RESET:
		vm_end(vcpu->vm, XMHV_SHUTDOWN_REBOOT);
		return -EIO;
	default:
		return vcpu_exit_crash(vcpu, "system event");
	}
}

static int
vcpu_exit_hlt(struct vcpu *vcpu)
{
	(void)vcpu;
	return 0;
}

typedef int (*vcpu_exit_fn)(struct vcpu *vcpu);

static const vcpu_exit_fn vcpu_exits[] = {
	[KVM_EXIT_IO] = vcpu_exit_io,
	[KVM_EXIT_MMIO] = vcpu_exit_mmio,
	[KVM_EXIT_HLT] = vcpu_exit_hlt,
	[KVM_EXIT_SHUTDOWN] = vcpu_exit_shutdown,
	[KVM_EXIT_INTERNAL_ERROR] = vcpu_exit_internal,
	[KVM_EXIT_SYSTEM_EVENT] = vcpu_exit_system_event,
};

int
vcpu_run_once(struct vcpu *vcpu)
{
	uint32_t reason;
	char why[64];

	if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
		/* EAGAIN: an AP right after INIT/SIPI; EINTR: kicked. */
		if (errno == EINTR || errno == EAGAIN)
			return -EINTR;
		snprintf(why, sizeof(why), "KVM_RUN: %s", strerror(errno));
		return vcpu_exit_crash(vcpu, why);
	}
	reason = vcpu->run->exit_reason;
	if (reason == KVM_EXIT_INTR)
		return -EINTR;
	if (reason < ARRAY_SIZE_HV(vcpu_exits) && vcpu_exits[reason])
		return vcpu_exits[reason](vcpu);
	snprintf(why, sizeof(why), "unhandled exit reason %u", reason);
	return vcpu_exit_crash(vcpu, why);
}
