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
 * and the start time in R13, which no benchmarked instruction touches
 * (nor does the interrupt handler, which saves what it uses).
 *
 * Interrupts stay off except in the wait of the interrupt rows: "sti; hlt"
 * with the interrupt shadow of STI covering HLT, so an interrupt that
 * arrives after the check and before HLT still wakes it (the idiom of
 * Linux's safe_halt).
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

/* Local APIC on in x2APIC mode, software-enabled. Idempotent. */
.macro	x2apic_on
	mov	$0x1b, %ecx
	rdmsr
	or	$BENCH_APIC_BASE_EN_EXTD, %eax
	wrmsr
	mov	$BENCH_MSR_X2APIC_SVR, %ecx
	mov	$BENCH_APIC_SVR_ENABLE, %eax
	xor	%edx, %edx
	wrmsr
.endm

/* WRMSR ecx <- imm32 value. */
.macro	wrmsr_imm msr, value
	mov	$\msr, %ecx
	mov	$\value, %eax
	xor	%edx, %edx
	wrmsr
.endm

/* The periodic safety-net timer (guest.h, BENCH_TIMER_VECTOR). */
.macro	safety_timer_on
	wrmsr_imm BENCH_MSR_X2APIC_TDCR, BENCH_TDCR_DIV1
	wrmsr_imm BENCH_MSR_X2APIC_LVTT, (BENCH_LVT_PERIODIC | BENCH_TIMER_VECTOR)
	wrmsr_imm BENCH_MSR_X2APIC_TMICT, BENCH_SAFETY_TMICT
.endm

/*
 * Wait until the handler has counted interrupt number R14 (R14 counts the
 * interrupts expected so far): check with interrupts off, else sti; hlt.
 */
.macro	wait_irq
	inc	%r14
1000:	cmp	%r14, BENCH_IRQCNT_GPA
	jae	1001f
	sti
	hlt
	cli
	jmp	1000b
1001:
.endm

/*
 * Take an interrupt that is pending, if any: STI's shadow covers the NOP,
 * so one is delivered after it, before CLI.
 */
.macro	irq_window
	sti
	nop
	cli
.endm

/* The Hyper-V hypercall through the page the hypervisor wrote: status in AX. */
.macro	hv_call
	mov	$BENCH_HCPAGE_GPA, %eax
	call	*%rax
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
	cmp	$BENCH_CMD_VMMCALL_MAP, %rax
	je	do_vmmcall_map
	cmp	$BENCH_CMD_VMCALL_MAP, %rax
	je	do_vmcall_map
	cmp	$BENCH_CMD_PIO, %rax
	je	do_pio
	cmp	$BENCH_CMD_RDMSR, %rax
	je	do_rdmsr
	cmp	$BENCH_CMD_TOUCH, %rax
	je	do_touch
	cmp	$BENCH_CMD_HV_ENABLE, %rax
	je	do_hv_enable
	cmp	$BENCH_CMD_HLTIPI, %rax
	je	do_hltipi
	cmp	$BENCH_CMD_SYNIC_ENABLE, %rax
	je	do_synic_enable
	cmp	$BENCH_CMD_HVSIGNAL, %rax
	je	do_hvsignal
	cmp	$BENCH_CMD_HVPOST, %rax
	je	do_hvpost
	cmp	$BENCH_CMD_RING, %rax
	je	do_ring
	cmp	$BENCH_CMD_MEMCPY, %rax
	je	do_memcpy
	/* Unknown command: #UD has no gate, so this ends in a shutdown exit. */
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

/* count x a hypercall instruction: RAX = nr, RBX = a0, RCX = a1, RDX = R8 = 0. */
.macro	hypercall_loop insn, nr, a0, a1
	tsc_start
1:	mov	$\nr, %eax
	mov	$\a0, %ebx
	mov	$\a1, %ecx
	xor	%edx, %edx
	xor	%r8d, %r8d
	\insn
	dec	%r12
	jnz	1b
	tsc_end_report
.endm

do_vmmcall:
	hypercall_loop vmmcall, BENCH_HC_KVM_NR, 0, BENCH_HC_HV_INPUT
do_vmcall:
	hypercall_loop vmcall, BENCH_HC_KVM_NR, 0, BENCH_HC_HV_INPUT
do_vmmcall_map:
	hypercall_loop vmmcall, BENCH_HC_MAP_GPA_RANGE, BENCH_HC_MAP_GPA, 1
do_vmcall_map:
	hypercall_loop vmcall, BENCH_HC_MAP_GPA_RANGE, BENCH_HC_MAP_GPA, 1

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

/*
 * HLT woken by a self-IPI: send a fixed IPI to ourselves through the ICR
 * (shorthand self), then halt until the handler has taken it and EOI'd.
 * Reports RAX = interrupts taken, which must be count.
 */
do_hltipi:
	x2apic_on
	mov	BENCH_TIMERCNT_GPA, %rbx
	mov	BENCH_IRQCNT_GPA, %r14
	mov	%r14, %r15
	tsc_start
	safety_timer_on
1:	wrmsr_imm BENCH_MSR_X2APIC_ICR, (BENCH_ICR_SELF | BENCH_IPI_VECTOR)
	wait_irq
	dec	%r12
	jnz	1b
	wrmsr_imm BENCH_MSR_X2APIC_TMICT, 0
	/* RAX = IPIs taken, RDX = safety-timer interrupts. */
	mov	BENCH_TIMERCNT_GPA, %rdx
	sub	%rbx, %rdx
	mov	BENCH_IRQCNT_GPA, %rax
	sub	%r15, %rax
	tsc_end_report

/*
 * SynIC on (after BENCH_CMD_HV_ENABLE): the message and event flag pages,
 * SINT BENCH_SINT on BENCH_SINT_VECTOR (unmasked, no auto-EOI), then
 * SCONTROL. Reports the SINT register.
 */
do_synic_enable:
	x2apic_on
	wrmsr_imm BENCH_HV_MSR_SIMP, (BENCH_SIMP_GPA | 1)
	wrmsr_imm BENCH_HV_MSR_SIEFP, (BENCH_SIEFP_GPA | 1)
	wrmsr_imm (BENCH_HV_MSR_SINT0 + BENCH_SINT), BENCH_SINT_VECTOR
	wrmsr_imm BENCH_HV_MSR_SCONTROL, 1
	/* The SynIC rows wait in sti; hlt too: the same safety net, for good. */
	safety_timer_on
	mov	$(BENCH_HV_MSR_SINT0 + BENCH_SINT), %ecx
	rdmsr
	mov	%rax, MB(RAX)
	mov	%rdx, MB(RDX)
	movq	$0, MB(CYCLES)
	jmp	report

#define SIEF_BYTE	(BENCH_SIEFP_GPA + BENCH_SINT * BENCH_HV_SINT_FLAGS + (BENCH_HV_FLAG >> 3))
#define SLOT		(BENCH_SIMP_GPA + BENCH_SINT * BENCH_HV_MSG_SIZE)

/*
 * The SynIC rows wait for the answer itself, halting (sti; hlt) while it
 * is not there, and then open an interrupt window so that the answer's
 * SINT interrupt is taken (and EOI'd) in every round trip even when the
 * answer was there before the guest looked, as KVM's run loop can make
 * it. Waiting on a count of interrupts instead would hang for good after
 * one coalesced SINT; the host records interrupts per round trip.
 */

/*
 * HvSignalEvent round trip: signal connection BENCH_HV_CONN_EVENT (fast
 * hypercall), wait for the host's event flag, take the SINT interrupt.
 */
do_hvsignal:
	tsc_start
1:	mov	$BENCH_HVCALL_SIGNAL_EVENT_FAST, %ecx
	mov	$BENCH_HV_CONN_EVENT, %edx
	xor	%r8d, %r8d
	hv_call
	test	%ax, %ax
	jnz	rt_fail
2:	lock btrl $(BENCH_HV_FLAG & 7), SIEF_BYTE
	jc	3f
	sti
	hlt
	cli
	jmp	2b
3:	irq_window
	dec	%r12
	jnz	1b
	xor	%eax, %eax
	xor	%edx, %edx
	tsc_end_report

/*
 * HvPostMessage round trip: post 8 bytes (the loop counter) to connection
 * BENCH_HV_CONN_MSG, wait for the host's message, take the SINT interrupt,
 * check the message (type BENCH_HV_MSG_HOST, the same 8 bytes), free the
 * slot and write EOM if another message is pending behind it (TLFS).
 */
do_hvpost:
	movl	$BENCH_HV_CONN_MSG, BENCH_HVIN_GPA
	movl	$0, BENCH_HVIN_GPA + 4
	movl	$BENCH_HV_MSG_GUEST, BENCH_HVIN_GPA + 8
	movl	$8, BENCH_HVIN_GPA + 12
	tsc_start
1:	mov	%r12, BENCH_HVIN_GPA + 16
	mov	$BENCH_HVCALL_POST_MESSAGE, %ecx
	mov	$BENCH_HVIN_GPA, %edx
	xor	%r8d, %r8d
	hv_call
	test	%ax, %ax
	jnz	rt_fail
2:	cmpl	$0, SLOT
	jne	3f
	sti
	hlt
	cli
	jmp	2b
3:	irq_window
	mov	$BENCH_RT_ERR_BAD_MSG, %eax
	cmpl	$BENCH_HV_MSG_HOST, SLOT
	jne	rt_fail
	cmp	%r12, SLOT + BENCH_HV_MSG_PAYLOAD
	jne	rt_fail
	movzbl	SLOT + BENCH_HV_MSG_FLAGS, %ebx
	movl	$0, SLOT
	mfence
	test	$1, %bl
	jz	2f
	wrmsr_imm BENCH_HV_MSR_EOM, 0
2:	dec	%r12
	jnz	1b
	xor	%eax, %eax
	xor	%edx, %edx
	tsc_end_report

/*
 * The ring writer, as Linux's hv_ringbuffer_write: wait for room (the
 * ring is full when the free bytes are no more than the packet), write
 * descriptor, payload and trailer, a full barrier, then the write index.
 * The VMM polls with the interrupt mask set, so the guest never signals.
 * Counts the wait for the VMM to read the last packet. R14: write index.
 */
#define RING_HDR(f)	(BENCH_RING_GPA + BENCH_RING_##f)

do_ring:
	mov	RING_HDR(W), %r14d
	tsc_start
1:	mov	RING_HDR(R), %eax
	mov	%r14d, %ecx
	sub	%eax, %ecx
	and	$(BENCH_RING_SIZE - 1), %ecx
	cmp	$(BENCH_RING_SIZE - BENCH_RING_PKT), %ecx
	jb	2f
	pause
	jmp	1b
2:	lea	BENCH_RING_DATA_GPA(%r14), %rdi
	movw	$BENCH_RING_PKT_TYPE, (%rdi)
	movw	$2, 2(%rdi)
	movw	$((16 + BENCH_RING_PAYLOAD) / 8), 4(%rdi)
	movw	$0, 6(%rdi)
	mov	%r12, 8(%rdi)
	add	$16, %rdi
	mov	$BENCH_RING_SRC_GPA, %esi
	mov	$BENCH_RING_PAYLOAD, %ecx
	rep movsb
	mov	%r14, %rax
	shl	$32, %rax
	mov	%rax, (%rdi)
	add	$BENCH_RING_PKT, %r14d
	and	$(BENCH_RING_SIZE - 1), %r14d
	mfence
	mov	%r14d, RING_HDR(W)
	dec	%r12
	jnz	1b
3:	cmp	RING_HDR(R), %r14d
	je	4f
	pause
	jmp	3b
4:	xor	%eax, %eax
	xor	%edx, %edx
	tsc_end_report

/* The same payload bytes with the same instruction, to a plain buffer. */
do_memcpy:
	xor	%r14d, %r14d
	tsc_start
1:	lea	BENCH_RING_DST_GPA(%r14), %rdi
	mov	$BENCH_RING_SRC_GPA, %esi
	mov	$BENCH_RING_PAYLOAD, %ecx
	rep movsb
	add	$BENCH_RING_PKT, %r14d
	and	$(BENCH_RING_SIZE - 1), %r14d
	dec	%r12
	jnz	1b
	xor	%eax, %eax
	xor	%edx, %edx
	tsc_end_report

/* A round trip went wrong: RAX says why, RDX how many were left. */
rt_fail:
	mov	%rax, MB(RAX)
	mov	%r12, MB(RDX)
	movq	$0, MB(CYCLES)
	jmp	report

/*
 * Every present IDT gate (an interrupt gate: IF is clear inside): count,
 * EOI, return. Saves what it uses.
 */
	.globl	bench_guest_irq
bench_guest_irq:
	push	%rax
	push	%rcx
	push	%rdx
	incq	BENCH_IRQCNT_GPA
	wrmsr_imm BENCH_MSR_X2APIC_EOI, 0
	pop	%rdx
	pop	%rcx
	pop	%rax
	iretq

/* The HLT row's safety-net timer (BENCH_TIMER_VECTOR): count, EOI, return. */
	.globl	bench_guest_timer_irq
bench_guest_timer_irq:
	push	%rax
	push	%rcx
	push	%rdx
	incq	BENCH_TIMERCNT_GPA
	wrmsr_imm BENCH_MSR_X2APIC_EOI, 0
	pop	%rdx
	pop	%rcx
	pop	%rax
	iretq

bench_guest_end:

	.section .note.GNU-stack, "", @progbits
