/* SPDX-License-Identifier: GPL-2.0-or-later */
/* setup.S: the bzImage real-mode part: boot sector area, the Linux setup
 * header, and a small real-mode setup for loaders that start it in real mode
 * (QEMU -kernel): it builds boot_params (header copy, BIOS e820) and enters the
 * 32-bit boot protocol entry at code32_start. The section is not loaded as
 * part of the ELF; the build cuts it out into the bzImage's first sectors. */

#define SETUP_SECTS 3
#define BP_OFF 0x1000 /* boot_params, inside the real-mode segment's heap */
#define SETUP_MAGIC 0x36314d52
#define SMAP 0x534d4150
#define E820_MAX 128

	.section .setup, ""
	.code16
	.globl setup_start
setup_start:
	/* Not bootable from a disk: a boot loader must load this. */
	cli
	hlt
	jmp setup_start

	.org 0x1f1
hdr:
	.byte SETUP_SECTS		/* 0x1f1 setup_sects */
	.word 0				/* 0x1f2 root_flags */
	.long _syssize			/* 0x1f4 syssize (16-byte units) */
	.word 0				/* 0x1f8 ram_size */
	.word 0xffff			/* 0x1fa vid_mode: normal */
	.word 0				/* 0x1fc root_dev */
	.word 0xaa55			/* 0x1fe boot_flag */
	.byte 0xeb			/* 0x200 jmp start_of_setup */
	.byte start_of_setup - 1f
1:	.ascii "HdrS"			/* 0x202 header */
	.word 0x020c			/* 0x206 version 2.12 */
	.long 0				/* 0x208 realmode_swtch */
	.word 0x1000			/* 0x20c start_sys_seg */
	.word kernel_version - 0x200	/* 0x20e kernel_version */
	.byte 0				/* 0x210 type_of_loader */
	.byte 0x01			/* 0x211 loadflags: LOADED_HIGH */
	.word 0x8000			/* 0x212 setup_move_size */
	.long 0x100000			/* 0x214 code32_start */
	.long 0				/* 0x218 ramdisk_image */
	.long 0				/* 0x21c ramdisk_size */
	.long 0				/* 0x220 bootsect_kludge */
	.word 0				/* 0x224 heap_end_ptr */
	.byte 0				/* 0x226 ext_loader_ver */
	.byte 0				/* 0x227 ext_loader_type */
	.long 0				/* 0x228 cmd_line_ptr */
	.long 0x7fffffff		/* 0x22c initrd_addr_max */
	.long 0x100000			/* 0x230 kernel_alignment */
	.byte 0				/* 0x234 relocatable_kernel */
	.byte 12			/* 0x235 min_alignment */
	.word 0x0001			/* 0x236 xloadflags: XLF_KERNEL_64 */
	.long 4095			/* 0x238 cmdline_size */
	.long 0				/* 0x23c hardware_subarch */
	.quad 0				/* 0x240 hardware_subarch_data */
	.long 0				/* 0x248 payload_offset */
	.long 0				/* 0x24c payload_length */
	.quad 0				/* 0x250 setup_data */
	.quad 0x100000			/* 0x258 pref_address */
	.long _init_size		/* 0x260 init_size */
	.long 0				/* 0x264 handover_offset */
hdr_end:

kernel_version:
	.asciz "xmguest"

/* Entered in real mode at CS = seg + 0x20, IP = 0, DS = ES = SS = seg. */
start_of_setup:
	cli
	cld
	mov %ds, %ax
	mov %ax, %es
	mov $BP_OFF, %di
	xor %ax, %ax
	mov $2048, %cx
	rep stosw
	mov $hdr, %si
	mov $BP_OFF + 0x1f1, %di
	mov $hdr_end - hdr, %cx
	rep movsb
	/* BIOS e820 into boot_params.e820_table */
	xor %ebx, %ebx
	xor %si, %si
	mov $BP_OFF + 0x2d0, %di
2:	mov $0xe820, %eax
	mov $20, %ecx
	mov $SMAP, %edx
	int $0x15
	jc 3f
	cmp $SMAP, %eax
	jne 3f
	add $20, %di
	inc %si
	cmp $E820_MAX, %si
	jae 3f
	test %ebx, %ebx
	jnz 2b
3:	mov %si, %ax
	mov %al, BP_OFF + 0x1e8
	/* fast A20 */
	inb $0x92, %al
	or $2, %al
	and $0xfe, %al
	outb %al, $0x92
	cli
	xor %ebx, %ebx
	mov %ds, %bx
	shl $4, %ebx
	leal setup_gdt(%ebx), %eax
	mov %eax, setup_gdtr + 2
	leal pm32(%ebx), %eax
	mov %eax, pm32_ptr
	lgdtl setup_gdtr
	mov %cr0, %eax
	or $1, %eax
	mov %eax, %cr0
	ljmpl *pm32_ptr

	.code32
pm32:
	mov $0x18, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %eax, %fs
	mov %eax, %gs
	leal BP_OFF(%ebx), %esi
	mov 0x214(%ebx), %eax
	mov $SETUP_MAGIC, %edi
	jmp *%eax

	.p2align 3
/* The boot protocol's selectors: __BOOT_CS 0x10, __BOOT_DS 0x18. */
setup_gdt:
	.quad 0
	.quad 0
	.quad 0x00cf9a000000ffff
	.quad 0x00cf92000000ffff
setup_gdtr:
	.word 31
	.long 0
pm32_ptr:
	.long 0
	.word 0x10

	.org (SETUP_SECTS + 1) * 512
