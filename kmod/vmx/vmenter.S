/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMX world switch (SDM vol. 3C, chapters 27 and 28).
 *
 *   int hvp_vmx_vmenter(u64 *gprs, bool launched)
 *
 * Called with interrupts disabled and the VP's VMCS current, all guest
 * state except the general registers already in it. Returns 0 after a VM
 * exit, 1 if VMLAUNCH/VMRESUME itself failed (VM_INSTRUCTION_ERROR says
 * why). In order:
 *
 * 1. Keep the host's callee-saved registers and @gprs on the stack and
 *    tell the VMCS where that stack is (HOST_RSP): a VM exit restores RSP
 *    and RIP (HOST_RIP = hvp_vmx_vmexit) and almost nothing else that a C
 *    caller cares about.
 * 2. Load all sixteen guest registers except RSP, which lives in the VMCS,
 *    clear CPU buffers where the host asked for it (VERW, MDS and kin),
 *    and VMLAUNCH a clear VMCS or VMRESUME a launched one.
 * 3. On a VM exit, the CPU arrives at hvp_vmx_vmexit with the guest's
 *    registers live: store them into @gprs (fetched back from the stack),
 *    then zero them so that no guest value can steer host speculation.
 * 4. Before the first RET: refill the return stack buffer the guest may
 *    have poisoned, or the one-entry variant with eIBRS
 *    (X86_FEATURE_RSB_VMEXIT[_LITE]), clear branch history where the host
 *    does so on VM exit (BHI), and issue an IBPB where the host asks for
 *    one on every VM exit (X86_FEATURE_IBPB_ON_VMEXIT; set for SRSO on
 *    AMD, so patched out on Intel, kept for parity with svm/vmenter.S).
 *    Switching between VPs' VMCSs gets an IBPB in vmx.c.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

/* VMCS field encoding of HOST_RSP (SDM appendix B.4.4). */
#define VMCS_HOST_RSP	0x6c14

/* Offsets into u64 gprs[16], in x86 register-number order (decode.h). */
#define GPR_RAX		(0 * 8)
#define GPR_RCX		(1 * 8)
#define GPR_RDX		(2 * 8)
#define GPR_RBX		(3 * 8)
#define GPR_RBP		(5 * 8)
#define GPR_RSI		(6 * 8)
#define GPR_RDI		(7 * 8)
#define GPR_R8		(8 * 8)
#define GPR_R9		(9 * 8)
#define GPR_R10		(10 * 8)
#define GPR_R11		(11 * 8)
#define GPR_R12		(12 * 8)
#define GPR_R13		(13 * 8)
#define GPR_R14		(14 * 8)
#define GPR_R15		(15 * 8)

.section .noinstr.text, "ax"

SYM_FUNC_START(hvp_vmx_vmenter)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rsi			/* launched: 8(%rsp) */
	push	%rdi			/* gprs: (%rsp), where HOST_RSP points */

	mov	$VMCS_HOST_RSP, %eax
	vmwrite	%rsp, %rax
	jna	.Lvmfail

	mov	GPR_RCX(%rdi), %rcx
	mov	GPR_RDX(%rdi), %rdx
	mov	GPR_RBX(%rdi), %rbx
	mov	GPR_RBP(%rdi), %rbp
	mov	GPR_RSI(%rdi), %rsi
	mov	GPR_R8(%rdi), %r8
	mov	GPR_R9(%rdi), %r9
	mov	GPR_R10(%rdi), %r10
	mov	GPR_R11(%rdi), %r11
	mov	GPR_R12(%rdi), %r12
	mov	GPR_R13(%rdi), %r13
	mov	GPR_R14(%rdi), %r14
	mov	GPR_R15(%rdi), %r15
	mov	GPR_RAX(%rdi), %rax
	mov	GPR_RDI(%rdi), %rdi

	/* Clears CPU buffers where the host asked for it (clobbers ZF). */
	VM_CLEAR_CPU_BUFFERS

	cmpb	$0, 8(%rsp)
	jne	.Lvmresume

	/*
	 * A successful VMLAUNCH/VMRESUME "returns" at hvp_vmx_vmexit, with
	 * the stack as it is now; tell objtool so.
	 */
	UNWIND_HINT_SAVE
	vmlaunch
	jmp	.Lvmfail
.Lvmresume:
	vmresume
	jmp	.Lvmfail

SYM_INNER_LABEL(hvp_vmx_vmexit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR

	push	%rax			/* guest RAX; gprs now at 8(%rsp) */
	mov	8(%rsp), %rax
	pop	GPR_RAX(%rax)
	mov	%rcx, GPR_RCX(%rax)
	mov	%rdx, GPR_RDX(%rax)
	mov	%rbx, GPR_RBX(%rax)
	mov	%rbp, GPR_RBP(%rax)
	mov	%rsi, GPR_RSI(%rax)
	mov	%rdi, GPR_RDI(%rax)
	mov	%r8, GPR_R8(%rax)
	mov	%r9, GPR_R9(%rax)
	mov	%r10, GPR_R10(%rax)
	mov	%r11, GPR_R11(%rax)
	mov	%r12, GPR_R12(%rax)
	mov	%r13, GPR_R13(%rax)
	mov	%r14, GPR_R14(%rax)
	mov	%r15, GPR_R15(%rax)
	xor	%ebx, %ebx		/* return 0: VM exit */

.Lclear_regs:
	xor	%eax, %eax
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%ebp, %ebp
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	xor	%r12d, %r12d
	xor	%r13d, %r13d
	xor	%r14d, %r14d
	xor	%r15d, %r15d

	/* Before any RET: the guest may have poisoned the RSB. */
	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT, \
			   X86_FEATURE_RSB_VMEXIT_LITE
	/* entry_ibpb clobbers RAX, RCX, RDX, not the result in RBX. */
	ALTERNATIVE "", "call entry_ibpb", X86_FEATURE_IBPB_ON_VMEXIT
	CLEAR_BRANCH_HISTORY_VMEXIT

	mov	%ebx, %eax
	add	$16, %rsp		/* gprs, launched */
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET

.Lvmfail:
	/* VMfailInvalid/VMfailValid: guest values may sit in registers. */
	mov	$1, %ebx
	jmp	.Lclear_regs
SYM_FUNC_END(hvp_vmx_vmenter)
