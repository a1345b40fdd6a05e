/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the CPU's VMX offers, read once from the capability MSRs at load
 * (SDM vol. 3D, appendix A), and the control values derived from them.
 *
 * Every VM-execution, VM-exit and VM-entry control value the backend uses
 * comes from vmx_adjust_ctls(): bits the CPU requires to be 1 are set
 * (including "default1" bits we know nothing about), bits we need but the
 * CPU cannot set refuse the load, and bits we need clear but the CPU forces
 * on refuse it too. When IA32_VMX_BASIC bit 55 is set the TRUE_* MSRs give
 * the real allowed-0 settings (appendix A.2); otherwise the legacy ones.
 */
#ifndef HVP_VMX_CAPABILITIES_H
#define HVP_VMX_CAPABILITIES_H

#include <linux/types.h>
#include <asm/processor-flags.h>

struct vmx_caps {
	u64 basic;		/* IA32_VMX_BASIC */
	u32 revision_id;	/* bits 30:0: first dword of VMXON region and VMCS */
	u32 region_size;	/* bytes of the VMXON region and VMCS (<= 4096) */
	u64 misc;		/* IA32_VMX_MISC */
	u64 ept_vpid;		/* IA32_VMX_EPT_VPID_CAP */
	/* CR bits VMX operation fixes (appendix A.7, A.8). */
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;

	/* The control values every VMCS starts with. */
	u32 pin;
	u32 proc;
	u32 proc2;
	u32 exit;
	u32 entry;
	/* Optional controls the CPU allows: what may be toggled per VP. */
	u32 proc_allowed1;
	u32 entry_allowed1;

	/* Assists in use (capability and module parameter). */
	bool vpid;
	bool invept_single;	/* else INVEPT all-context */
	bool invvpid_single;	/* else INVVPID all-context */
	u64 eptp_flags;		/* memory type and walk length for the EPTP */
	u32 preemption_ticks;	/* VMX-preemption timer value, 0: not in use */
};

extern struct vmx_caps vmx_caps;

/* CR0 bits the guest may hold clear although VMX fixes them to 1 (UG). */
#define VMX_CR0_UG_EXEMPT	(X86_CR0_PE | X86_CR0_PG)

/* CR0 bits fixed to 1 in VMX operation that the guest does not own. */
static inline u64 vmx_cr0_forced(void)
{
	return vmx_caps.cr0_fixed0 & ~VMX_CR0_UG_EXEMPT;
}

/* CR0 bits the guest may never set (fixed to 0 in VMX operation). */
static inline u64 vmx_cr0_forbidden(void)
{
	return ~vmx_caps.cr0_fixed1 & 0xffffffffULL;
}

static inline u64 vmx_cr4_forced(void)
{
	return vmx_caps.cr4_fixed0;
}

static inline u64 vmx_cr4_forbidden(void)
{
	return ~vmx_caps.cr4_fixed1;
}

int vmx_caps_read(void);

#endif /* HVP_VMX_CAPABILITIES_H */
