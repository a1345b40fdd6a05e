// SPDX-License-Identifier: GPL-2.0
/*
 * VPIDs: tags that let a VP's guest translations survive VM entries and
 * exits (SDM vol. 3C, 29.1). Without them every VM entry and exit flushes
 * the guest's linear and combined mappings (they all belong to VPID 0).
 *
 * One VPID per VP, from a global bitmap, for the VP's lifetime; 0 means
 * "none left" and that VP simply runs without (the control is cleared in
 * its VMCS). A VPID is only unique per CPU's TLB, and a freed one may come
 * back to a new VP of the same partition, so a VP flushes its EPT context
 * (which covers every VPID, ept.c) whenever it enters on a CPU other than
 * the one it last ran on, including its first entry anywhere. A guest TLB
 * flush that the core asks for (a CR4 paging bit changed) is an INVVPID of
 * the VP's own VPID: single-context if the CPU has it, else all-context.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/spinlock.h>

#include "vmcs.h"
#include "vmx.h"

#define VMX_NR_VPIDS	(1 << 16)

static DECLARE_BITMAP(vmx_vpid_used, VMX_NR_VPIDS);
static DEFINE_SPINLOCK(vmx_vpid_lock);

/* Decide whether VPIDs are in use: wanted, and INVVPID can flush them. */
int vmx_vpid_check(bool wanted)
{
	u64 cap = vmx_caps.ept_vpid >> 32;

	vmx_caps.vpid = wanted && (vmx_caps.proc2 & SECONDARY_EXEC_ENABLE_VPID) &&
			(cap & VMX_VPID_INVVPID_BIT) &&
			(cap & (VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT |
				VMX_VPID_EXTENT_GLOBAL_CONTEXT_BIT));
	vmx_caps.invvpid_single = cap & VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT;
	if (!vmx_caps.vpid)
		vmx_caps.proc2 &= ~SECONDARY_EXEC_ENABLE_VPID;
	/* VPID 0 is the host's. */
	__set_bit(0, vmx_vpid_used);
	return 0;
}

u16 vmx_vpid_alloc(void)
{
	unsigned long vpid;

	if (!vmx_caps.vpid)
		return 0;
	spin_lock(&vmx_vpid_lock);
	vpid = find_first_zero_bit(vmx_vpid_used, VMX_NR_VPIDS);
	if (vpid < VMX_NR_VPIDS)
		__set_bit(vpid, vmx_vpid_used);
	else
		vpid = 0;
	spin_unlock(&vmx_vpid_lock);
	return vpid;
}

void vmx_vpid_free(u16 vpid)
{
	if (!vpid)
		return;
	spin_lock(&vmx_vpid_lock);
	__clear_bit(vpid, vmx_vpid_used);
	spin_unlock(&vmx_vpid_lock);
}

void vmx_vpid_flush(u16 vpid)
{
	if (!vpid)
		return;		/* VPID 0: VM entry already flushes */
	if (vmx_caps.invvpid_single)
		vmx_invvpid(VMX_INVVPID_SINGLE, vpid);
	else
		vmx_invvpid(VMX_INVVPID_ALL, 0);
}
