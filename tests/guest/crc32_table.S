/* SPDX-License-Identifier: GPL-2.0-or-later */
/* crc32_table.S: the IEEE CRC32 slicing-by-8 tables, computed by the
 * assembler, so the guest spends no instructions building them. */
#define CRC32_POLY 0xedb88320

	.macro CRC32_STEP
	.set crc_c, (crc_c >> 1) ^ (-(crc_c & 1) & CRC32_POLY)
	.endm

	.section .rodata
	.p2align 6
	.globl lib_crc32_slice
/* lib_crc32_slice[k][i]: CRC32 state update for byte i followed by k zero
 * bytes (k = 0 is the classic byte table). */
lib_crc32_slice:
	.set crc_k, 0
	.rept 8
	.set crc_i, 0
	.rept 256
	.set crc_c, crc_i
	.rept 8 * (crc_k + 1)
	CRC32_STEP
	.endr
	.long crc_c & 0xffffffff
	.set crc_i, crc_i + 1
	.endr
	.set crc_k, crc_k + 1
	.endr

	.section .note.GNU-stack, "", @progbits
