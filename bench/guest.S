/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark guest: 64-bit code, run identically under KVM and hvpart.
 *
 * The bytes between bench_guest_start and bench_guest_end are copied to
 * BENCH_CODE_GPA, so the code is position independent: it jumps only
 * relative and addresses nothing but the mailbox, at its fixed address.
 * Entered in long mode at CPL 0 with interrupts off and RSP =
 * BENCH_STACK_TOP (see guest.h for the layout and the protocol).
 *
 * Each command times its whole loop with RDTSC (after LFENCE, so earlier
 * instructions have finished) and reports through the mailbox; the
 * per-operation figure is the host's division. Loop counters live in R12
 * and the start time in R13, which no benchmarked instruction touches.
 */
#include "guest.h"

#define MB(field)	(BENCH_MBOX_GPA + BENCH_MB_##field)

/* R13 = TSC now. */
.macro	tsc_start
	lfence
	rdtsc
	shl	$32, %rdx
	or	%rax, %rdx
	mov	%rdx, %r13
.endm

/* Keep RAX/RDX of the last iteration, store the cycles, report. */
.macro	tsc_end_report
	mov	%rax, MB(RAX)
	mov	%rdx, MB(RDX)
	lfence
	rdtsc
	shl	$32, %rdx
	or	%rax, %rdx
	sub	%r13, %rdx
	mov	%rdx, MB(CYCLES)
	jmp	report
.endm

	.section .rodata.bench_guest, "a"
	.code64
	.globl	bench_guest_start
	.globl	bench_guest_end

bench_guest_start:
report:
	incq	MB(SEQ)
	mov	$BENCH_PORT_CTRL, %dx
	outb	%al, (%dx)
	/* The VMM has written the next command. */
	mov	MB(COUNT), %r12
	mov	MB(CMD), %rax
	cmp	$BENCH_CMD_LOOP, %rax
	je	do_loop
	cmp	$BENCH_CMD_CPUID, %rax
	je	do_cpuid
	cmp	$BENCH_CMD_VMMCALL, %rax
	je	do_vmmcall
	cmp	$BENCH_CMD_VMCALL, %rax
	je	do_vmcall
	cmp	$BENCH_CMD_PIO, %rax
	je	do_pio
	cmp	$BENCH_CMD_RDMSR, %rax
	je	do_rdmsr
	cmp	$BENCH_CMD_TOUCH, %rax
	je	do_touch
	cmp	$BENCH_CMD_HV_ENABLE, %rax
	je	do_hv_enable
	/* Unknown command: no IDT, so this ends in a shutdown exit. */
	ud2

do_loop:
	tsc_start
1:	dec	%r12
	jnz	1b
	tsc_end_report

do_cpuid:
	tsc_start
1:	xor	%eax, %eax
	xor	%ecx, %ecx
	cpuid
	dec	%r12
	jnz	1b
	tsc_end_report

do_vmmcall:
	tsc_start
1:	mov	$BENCH_HC_KVM_NR, %eax
	mov	$BENCH_HC_HV_INPUT, %ecx
	xor	%edx, %edx
	xor	%r8d, %r8d
	vmmcall
	dec	%r12
	jnz	1b
	tsc_end_report

do_vmcall:
	tsc_start
1:	mov	$BENCH_HC_KVM_NR, %eax
	mov	$BENCH_HC_HV_INPUT, %ecx
	xor	%edx, %edx
	xor	%r8d, %r8d
	vmcall
	dec	%r12
	jnz	1b
	tsc_end_report

do_pio:
	tsc_start
	mov	$BENCH_PORT_NOP, %dx
1:	outb	%al, (%dx)
	dec	%r12
	jnz	1b
	tsc_end_report

do_rdmsr:
	tsc_start
1:	mov	$BENCH_MSR, %ecx
	rdmsr
	dec	%r12
	jnz	1b
	tsc_end_report

/* One write per 4 KiB page of [arg0, arg1): every page faults in once. */
do_touch:
	mov	MB(ARG0), %rdi
	mov	MB(ARG1), %rsi
	tsc_start
1:	movb	$1, (%rdi)
	add	$4096, %rdi
	cmp	%rsi, %rdi
	jb	1b
	tsc_end_report

/*
 * What a Hyper-V guest does before its first hypercall: say who it is,
 * then enable the hypercall page (TLFS "Establishing the Hypercall
 * Interface"). The hypercall rows still execute VMMCALL/VMCALL directly,
 * which both hypervisors accept, rather than calling into the page.
 */
do_hv_enable:
	mov	$BENCH_HV_MSR_GUEST_OS_ID, %ecx
	mov	$BENCH_HV_GUEST_OS_ID_LO, %eax
	mov	$BENCH_HV_GUEST_OS_ID_HI, %edx
	wrmsr
	mov	$BENCH_HV_MSR_HYPERCALL, %ecx
	mov	$(BENCH_HCPAGE_GPA | 1), %eax
	xor	%edx, %edx
	wrmsr
	rdmsr
	mov	%rax, MB(RAX)
	mov	%rdx, MB(RDX)
	movq	$0, MB(CYCLES)
	jmp	report

bench_guest_end:

	.section .note.GNU-stack, "", @progbits
