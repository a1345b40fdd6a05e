/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest exception and interrupt entry: one stub per vector 0-255.
 *
 * Each stub makes the frame uniform (a 0 error code where the CPU pushes
 * none; interrupts never push one), pushes its vector and jumps to the
 * common path, which saves the
 * general registers as struct ex_regs (processor.h) and the x87/SSE state
 * (guest C code uses SSE registers; the interrupted code must get its own
 * back), calls route_exception() in processor.c, restores everything from
 * the possibly edited frame, and returns with IRETQ.
 *
 * The IDT is built by the host from hvp_exception_stubs[] (0-31) and
 * hvp_interrupt_stubs[] (32-255): the host and the guest run the same
 * binary at the same address, so the host can read the stub addresses from
 * its own copy of these tables.
 */
	.text

.macro EXC_STUB vec, has_error_code
	.p2align 4
hvp_exc_stub_\vec:
	.if \has_error_code == 0
	pushq	$0
	.endif
	pushq	$\vec
	jmp	hvp_exception_common
.endm

/* Vectors that push an error code (SDM vol. 3, table 6-1). */
	EXC_STUB 0, 0
	EXC_STUB 1, 0
	EXC_STUB 2, 0
	EXC_STUB 3, 0
	EXC_STUB 4, 0
	EXC_STUB 5, 0
	EXC_STUB 6, 0
	EXC_STUB 7, 0
	EXC_STUB 8, 1
	EXC_STUB 9, 0
	EXC_STUB 10, 1
	EXC_STUB 11, 1
	EXC_STUB 12, 1
	EXC_STUB 13, 1
	EXC_STUB 14, 1
	EXC_STUB 15, 0
	EXC_STUB 16, 0
	EXC_STUB 17, 1
	EXC_STUB 18, 0
	EXC_STUB 19, 0
	EXC_STUB 20, 0
	EXC_STUB 21, 1
	EXC_STUB 22, 0
	EXC_STUB 23, 0
	EXC_STUB 24, 0
	EXC_STUB 25, 0
	EXC_STUB 26, 0
	EXC_STUB 27, 0
	EXC_STUB 28, 0
	EXC_STUB 29, 1
	EXC_STUB 30, 1
	EXC_STUB 31, 0

/*
 * Vectors 32-255 (interrupts): each stub also records its address in
 * hvp_interrupt_stubs[], in vector order.
 */
	.pushsection .rodata
	.p2align 3
	.globl	hvp_interrupt_stubs
hvp_interrupt_stubs:
	.popsection

	.set	vec, 32
	.rept	256 - 32
	.p2align 4
1:	pushq	$0
	pushq	$vec
	jmp	hvp_exception_common
	.pushsection .rodata
	.quad	1b
	.popsection
	.set	vec, vec + 1
	.endr

	.p2align 4
hvp_exception_common:
	/* Push order makes the layout of struct ex_regs, rax lowest. */
	pushq	%r15
	pushq	%r14
	pushq	%r13
	pushq	%r12
	pushq	%r11
	pushq	%r10
	pushq	%r9
	pushq	%r8
	pushq	%rdi
	pushq	%rsi
	pushq	%rbp
	pushq	%rbx
	pushq	%rdx
	pushq	%rcx
	pushq	%rax

	movq	%rsp, %rdi		/* struct ex_regs * */
	movq	%rsp, %rbx		/* callee-saved: where the frame is */
	andq	$-16, %rsp
	subq	$512, %rsp
	fxsave64 (%rsp)
	cld
	call	route_exception
	fxrstor64 (%rsp)
	movq	%rbx, %rsp

	popq	%rax
	popq	%rcx
	popq	%rdx
	popq	%rbx
	popq	%rbp
	popq	%rsi
	popq	%rdi
	popq	%r8
	popq	%r9
	popq	%r10
	popq	%r11
	popq	%r12
	popq	%r13
	popq	%r14
	popq	%r15
	addq	$16, %rsp		/* vector, error code */
	iretq

/*
 * Where guest code "returns" to when its entry function returns instead of
 * ending with GUEST_DONE(): realign the stack and report it.
 */
	.p2align 4
	.globl	hvp_guest_code_returned
hvp_guest_code_returned:
	andq	$-16, %rsp
	call	guest_code_returned
	ud2

	.section .rodata
	.p2align 3
	.globl	hvp_exception_stubs
hvp_exception_stubs:
	.irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad	hvp_exc_stub_\vec
	.endr

	.section .note.GNU-stack, "", @progbits
