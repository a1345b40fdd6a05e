/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SVM world switch (APM vol. 2, 15.5 and 15.6).
 *
 *   void hvp_svm_vmrun(u64 *gprs, phys_addr_t vmcb_pa, phys_addr_t host_save_pa)
 *
 * Called with GIF clear (CLGI) and RFLAGS.IF set, so physical interrupts
 * are held until the STGI after the exit but still cause one. In order:
 *
 * 1. Keep the host's callee-saved registers and the three arguments on
 *    the stack: VMRUN gives back RSP, RIP and RAX on #VMEXIT, nothing else.
 * 2. VMLOAD the guest's FS/GS/TR/LDTR, KernelGSBase and SYSCALL/SYSENTER
 *    MSRs from its VMCB (VMRUN itself loads only the rest of the state).
 * 3. Load the guest's general registers, except RAX and RSP which live in
 *    the VMCB, and VMRUN with RAX = the VMCB's physical address.
 * 4. After #VMEXIT: store the guest's registers, VMSAVE the guest's state
 *    back into its VMCB, and VMLOAD the host's (saved by the caller with
 *    VMSAVE). Until that VMLOAD, GS still holds the guest's base: no
 *    per-CPU data may be touched before it.
 * 5. Scrub what the guest could have trained (RSB, return predictor, branch
 *    history) before the first RET, and clear the guest's values from the
 *    registers so they cannot steer speculation.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

/* Offsets into u64 gprs[16], in x86 register-number order (decode.h). */
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

SYM_FUNC_START(hvp_svm_vmrun)
	push	%rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rdx			/* host_save_pa */
	push	%rsi			/* vmcb_pa */
	push	%rdi			/* gprs */

	mov	%rsi, %rax
	vmload	%rax

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
	mov	GPR_RDI(%rdi), %rdi

	/* Clears CPU buffers where the host asked for it (clobbers ZF). */
	VM_CLEAR_CPU_BUFFERS

SYM_INNER_LABEL(hvp_svm_vmrun_insn, SYM_L_GLOBAL)
	vmrun	%rax
	/* Where #VMEXIT resumes: the RIP VMRUN saves for the host. */
SYM_INNER_LABEL(hvp_svm_vmrun_resume, SYM_L_GLOBAL)

	/* #VMEXIT: host RSP, RIP, RAX are back; RAX still = vmcb_pa. */
	pop	%rax			/* gprs */
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

	pop	%rax			/* vmcb_pa */
	vmsave	%rax
	pop	%rax			/* host_save_pa */
	vmload	%rax

	/* Before any RET: the guest may have poisoned the RSB. */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT
	UNTRAIN_RET
	ALTERNATIVE "", "call entry_ibpb", X86_FEATURE_IBPB_ON_VMEXIT

	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(hvp_svm_vmrun)
