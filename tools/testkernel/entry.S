/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multiboot v1 entry of the test kernel. Built twice: as an ELF (flags 0-1,
 * the loader reads the program headers) and, with -DMB_AOUT, as a flat
 * binary whose header carries the load addresses (flag 16). Entered in
 * 32-bit protected mode with EAX = 0x2BADB002 and EBX = multiboot info.
 */
#define MB_MAGIC	0x1badb002
#ifdef MB_AOUT
#define MB_FLAGS	0x00010003
#else
#define MB_FLAGS	0x00000003
#endif

	.section .multiboot, "a"
	.balign 4
mb_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
	/* Only read with flag 16. */
	.long mb_header		/* header_addr */
	.long __image_start	/* load_addr */
	.long __data_end	/* load_end_addr */
	.long __bss_end		/* bss_end_addr */
	.long _start		/* entry_addr */

	.text
	.globl _start
_start:
	movl	$stack_top, %esp
	pushl	%ebx		/* info */
	pushl	%eax		/* magic */
	call	tk_main
	/* tk_main does not return; if it does, halt for good. */
1:	cli
	hlt
	jmp	1b

	.bss
	.balign 16
stack:
	.skip 16384
stack_top:

	.section .note.GNU-stack, "", @progbits
