/* SPDX-License-Identifier: GPL-2.0-or-later */
/* head.S: guest entry points (32-bit boot protocol, bzImage 64-bit, ELF 64-bit,
 * PVH), early page tables and GDT, interrupt stubs and the AP trampoline. */

#define BOOT_KIND_BZIMAGE64 1
#define BOOT_KIND_ELF64 2
#define BOOT_KIND_PVH 3
#define BOOT_KIND_BZIMAGE32 4
#define BOOT_KIND_BZIMAGE16 5
#define SETUP_MAGIC 0x36314d52 /* "RM16": set in EDI by setup.S */
#define MSR_EFER 0xc0000080
#define EFER_LME 0x100
#define CR4_PAE 0x20
#define CR0_PE_PG 0x80000001
#define SEL_CODE64 0x08
#define SEL_DATA 0x10
#define SEL_CODE32 0x18
#define XEN_ELFNOTE_PHYS32_ENTRY 18

/* The first port write of every entry, before any other work: COM1's IER
 * set to 0 (its reset value, so harmless). A monitor that times "process
 * start to the guest's first port write" thereby times the first guest
 * instruction. Clobbers EAX/EDX only, before the boot registers are read
 * (ESI, EBX, EDI are kept). */
	.macro EARLY_MARK
	mov $0x3f9, %edx
	xor %eax, %eax
	outb %al, %dx
	.endm

	.section .text.head, "ax"

/* +0x000 of the protected-mode image: the 32-bit boot protocol entry,
 * flat segments, paging off, ESI = boot_params. */
	.code32
	.globl startup_32
startup_32:
	cli
	cld
	EARLY_MARK
	mov $BOOT_KIND_BZIMAGE32, %eax
	cmp $SETUP_MAGIC, %edi
	jne 1f
	mov $BOOT_KIND_BZIMAGE16, %eax
1:	mov %esi, %ebx
	jmp common32

/* PVH (XEN_ELFNOTE_PHYS32_ENTRY): 32-bit, paging off, EBX = hvm_start_info. */
	.globl pvh_start32
pvh_start32:
	cli
	cld
	EARLY_MARK
	mov $BOOT_KIND_PVH, %eax
common32:
	mov %eax, boot_kind
	mov %ebx, boot_ptr
	movl $0, boot_ptr + 4
	mov $boot_stack_top, %esp
	mov $__bss_start, %edi
	mov $__bss_end, %ecx
	sub %edi, %ecx
	shr $2, %ecx
	xor %eax, %eax
	rep stosl
	lgdt gdt_ptr
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $pml4, %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $CR0_PE_PG, %eax
	mov %eax, %cr0
	ljmp $SEL_CODE64, $long64

/* +0x200: the 64-bit boot protocol entry (bzImage), RSI = boot_params. */
	.org 0x200
	.code64
	.globl startup_64
startup_64:
	cli
	cld
	EARLY_MARK
	mov $BOOT_KIND_BZIMAGE64, %eax
	jmp common64

/* ELF e_entry: the same 64-bit protocol, reached as a plain ELF vmlinux. */
	.globl elf_start64
elf_start64:
	cli
	cld
	EARLY_MARK
	mov $BOOT_KIND_ELF64, %eax
common64:
	mov %eax, boot_kind(%rip)
	mov %rsi, boot_ptr(%rip)
	lea boot_stack_top(%rip), %rsp
	lea __bss_start(%rip), %rdi
	lea __bss_end(%rip), %rcx
	sub %rdi, %rcx
	shr $3, %rcx
	xor %eax, %eax
	rep stosq
	/* our own GDT and page tables: the loader's may live anywhere */
	lgdt gdt_ptr(%rip)
	lea pml4(%rip), %rax
	mov %rax, %cr3
	push $SEL_CODE64
	lea long64(%rip), %rax
	push %rax
	lretq

long64:
	mov $SEL_DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	lea boot_stack_top(%rip), %rsp
	call kmain
3:	cli
	hlt
	jmp 3b

/* APs arrive here from the trampoline, in long mode on the BSP's tables. */
	.globl ap_entry64
ap_entry64:
	mov $SEL_DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	/* each AP takes the next stack slot itself: a late AP never shares */
	mov $4096, %eax
	lock xadd %eax, ap_stack_next(%rip)
	lea ap_stacks + 4096(%rip), %rsp
	add %rax, %rsp
	call smp_ap_main
4:	cli
	hlt
	jmp 4b

/* Interrupt stubs: push a dummy error code where the CPU pushes none, then
 * the vector; isr_common saves the registers and calls intr_dispatch. */
	.macro ISR vec, err
	.p2align 3
isr_\vec:
	.if \err == 0
	push $0
	.endif
	push $\vec
	jmp isr_common
	.endm

	.irp v, 0,1,2,3,4,5,6,7,9,15,16,18,19,20,22,23,24,25,26,27,28,31,32,33,34,35,36,37,255
	ISR \v, 0
	.endr
	.irp v, 8,10,11,12,13,14,17,21,29,30
	ISR \v, 1
	.endr

isr_common:
	push %rax
	push %rcx
	push %rdx
	push %rbx
	push %rbp
	push %rsi
	push %rdi
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	mov 15*8(%rsp), %rdi
	mov %rsp, %rsi
	cld
	call intr_dispatch
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rdi
	pop %rsi
	pop %rbp
	pop %rbx
	pop %rdx
	pop %rcx
	pop %rax
	add $16, %rsp
	iretq

	.section .rodata
	.p2align 3
/* isr_table[v] for v in 0..37, then [38] = vector 255 (spurious). */
	.globl isr_table
isr_table:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,255
	.quad isr_\v
	.endr

/* AP trampoline: copied to a page below 1 MiB; starts in real mode at the
 * SIPI vector (CS = page >> 4, IP = 0). tramp_farptr is patched with the
 * copy's address of tramp32 before the SIPI. Only absolute references to
 * kernel symbols (below 4 GiB) and CS-relative ones inside the copy. */
	.p2align 4
	.globl tramp_start, tramp_end, tramp_farptr, tramp32
	.code16
tramp_start:
	cli
	cld
	mov %cs, %ax
	mov %ax, %ds
	lgdtl tramp_gdtr - tramp_start
	mov %cr0, %eax
	or $1, %eax
	mov %eax, %cr0
	ljmpl *(tramp_farptr - tramp_start)
	.code32
tramp32:
	mov $SEL_DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $pml4, %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $CR0_PE_PG, %eax
	mov %eax, %cr0
	ljmp $SEL_CODE64, $ap_entry64
	.p2align 2
tramp_farptr:
	.long 0
	.word SEL_CODE32
tramp_gdtr:
	.word gdt_end - gdt - 1
	.long gdt
tramp_end:
	.code64

	.section .data
	.p2align 3
gdt:
	.quad 0
	.quad 0x00af9a000000ffff /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff /* 0x10: flat data */
	.quad 0x00cf9a000000ffff /* 0x18: flat 32-bit code (trampoline) */
gdt_end:
/* 6 bytes in 32-bit mode, 10 in 64-bit mode: the base fits in both. */
gdt_ptr:
	.word gdt_end - gdt - 1
	.quad gdt
	.globl boot_kind, boot_ptr
	.p2align 3
boot_ptr:
	.quad 0
ap_stack_next:
	.long 0
boot_kind:
	.long 0

/* The 4 GiB identity map (2 MiB pages), built by the assembler and loaded
 * with the image: no guest instructions spent on it at boot (~8k with a
 * loop, ~8 ms on emulated KVM). */
	.section .data.pgt, "aw"
	.p2align 12
	.globl pml4
pml4:
	.quad pdpt + 3
	.fill 511, 8, 0
pdpt:
	.quad pd + 0x0003, pd + 0x1003, pd + 0x2003, pd + 0x3003
	.fill 508, 8, 0
pd:
	.set pd_i, 0
	.rept 2048
	.quad (pd_i << 21) | 0x83
	.set pd_i, pd_i + 1
	.endr

/* Stacks are not cleared at boot (no need, and clearing costs time). */
	.section .stack, "aw", @nobits
	.p2align 12
boot_stack:
	.skip 16384
boot_stack_top:
	.globl ap_stacks
ap_stacks:
	.skip 4096 * 64 /* GUEST_MAX_CPUS */

/* The PVH entry note (Xen's XEN_ELFNOTE_PHYS32_ENTRY), 8-byte descriptor as
 * Linux emits it on x86-64. */
	.section .note.Xen, "a", @note
	.p2align 2
	.long 4
	.long 8
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.p2align 2
	.quad pvh_start32

	.section .note.GNU-stack, "", @progbits
