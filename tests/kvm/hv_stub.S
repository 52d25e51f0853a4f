/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hv_stub.S: a tiny test kernel for xmhv's loaders (64-bit bzImage entry,
 * ELF 64-bit entry, PVH 32-bit entry). It prints what the loader handed
 * it (command line, initrd size and byte sum, e820 RAM total) on COM1,
 * then acts on the command line's first character: p = ACPI S5,
 * r = i8042 reset, c = pvpanic, t = triple fault, h = halt forever. */
	.text
	.code64
	.globl _start64
_start64:
	mov %rsi, %rbx			/* boot_params */
	mov 0x228(%rbx), %r12d		/* cmd_line_ptr */
	mov 0x218(%rbx), %r13d		/* ramdisk_image */
	mov 0x21c(%rbx), %r14d		/* ramdisk_size */
	/* e820 RAM total */
	xor %r15, %r15
	movzbl 0x1e8(%rbx), %ecx
	lea 0x2d0(%rbx), %rdi
1:	test %ecx, %ecx
	jz 3f
	cmpl $1, 16(%rdi)
	jne 2f
	add 8(%rdi), %r15
2:	add $20, %rdi
	dec %ecx
	jmp 1b
3:	lea msg64(%rip), %rsi
	call puts
	jmp common

puts:	mov $0x3f8, %dx
1:	lodsb
	test %al, %al
	jz 2f
	out %al, %dx
	jmp 1b
2:	ret

/* print %rax as 16 hex digits */
puthex:	mov $0x3f8, %dx
	mov $16, %ecx
1:	rol $4, %rax
	mov %eax, %r8d
	and $15, %r8d
	cmp $10, %r8d
	jb 2f
	add $('a' - '0' - 10), %r8d
2:	add $'0', %r8d
	mov %rax, %r9
	mov %r8d, %eax
	out %al, %dx
	mov %r9, %rax
	dec %ecx
	jnz 1b
	ret

common:
	lea m_cmd(%rip), %rsi
	call puts
	mov %r12, %rsi
	call puts
	lea m_mem(%rip), %rsi
	call puts
	mov %r15, %rax
	call puthex
	lea m_rd(%rip), %rsi
	call puts
	mov %r14, %rax
	call puthex
	/* byte sum of the initrd */
	xor %eax, %eax
	mov %r13, %rsi
	mov %r14, %rcx
	xor %edx, %edx
1:	test %rcx, %rcx
	jz 2f
	movzbl (%rsi), %edi
	add %edi, %edx
	inc %rsi
	dec %rcx
	jmp 1b
2:	lea m_sum(%rip), %rsi
	mov %edx, %eax
	push %rax
	call puts
	pop %rax
	call puthex
	lea m_nl(%rip), %rsi
	call puts
	movzbl (%r12), %eax
	cmp $'r', %al
	je reboot
	cmp $'c', %al
	je crash
	cmp $'t', %al
	je triple
	cmp $'h', %al
	je hang
	/* ACPI S5: SLP_TYP 5, SLP_EN */
	mov $0x604, %dx
	mov $0x3400, %ax
	out %ax, %dx
hang:	hlt
	jmp hang
reboot:	mov $0x64, %dx
	mov $0xfe, %al
	out %al, %dx
	jmp hang
crash:	mov $0x505, %dx
	mov $1, %al
	out %al, %dx
	jmp hang
triple:	lea zero_idt(%rip), %rax
	lidt (%rax)
	int3
	jmp hang

	.code32
	.globl _start_pvh
_start_pvh:
	/* ebx = hvm_start_info; print "pvh" and the command line, S5 */
	mov $0x3f8, %dx
	mov $'p', %al
	out %al, %dx
	mov $'v', %al
	out %al, %dx
	mov $'h', %al
	out %al, %dx
	mov $' ', %al
	out %al, %dx
	mov 0x18(%ebx), %esi		/* cmdline_paddr */
1:	lodsb
	test %al, %al
	jz 2f
	out %al, %dx
	jmp 1b
2:	mov $'\n', %al
	out %al, %dx
	mov $0x604, %dx
	mov $0x3400, %ax
	out %ax, %dx
3:	hlt
	jmp 3b

	.data
zero_idt: .word 0
	.quad 0
msg64:	.asciz "xmhv-stub: 64-bit entry\n"
m_cmd:	.asciz "cmdline="
m_mem:	.asciz "\nram="
m_rd:	.asciz "\nramdisk="
m_sum:	.asciz "\nsum="
m_nl:	.asciz "\n"

	.section .note.Xen, "a"
	.p2align 2
	.long 4, 4, 18			/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long _start_pvh
