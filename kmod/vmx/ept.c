// SPDX-License-Identifier: GPL-2.0
/*
 * The EPT entry format for the shared SLAT code, the EPT pointer and
 * INVEPT (SDM vol. 3C, 29.3).
 *
 * Entries carry read/write/execute permission bits (2:0) instead of a
 * present bit; an entry is in use when any of them is set. Tables grant
 * all three and leave the decision to the leaves. Leaves are write-back
 * (memory type 6 in bits 5:3) with "ignore PAT" clear, so the guest's own
 * PAT combines with it as on bare metal (29.3.7.2), and bit 7 makes a
 * level-1 leaf map 2 MiB. Accessed/dirty flags stay off in the EPTP, so
 * the CPU never writes entries back.
 *
 * A partition has one EPT; INVEPT single-context drops the cached
 * guest-physical and combined mappings derived from it on this CPU for
 * every VPID (29.4.3.1), which is what a SLAT change or a VP arriving on a
 * CPU needs. Where the CPU lacks single-context INVEPT, all-context is used.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>

#include "vmcs.h"
#include "vmx.h"

#define EPT_READ	BIT_ULL(0)
#define EPT_WRITE	BIT_ULL(1)
#define EPT_EXEC	BIT_ULL(2)
#define EPT_MT_WB	(6ULL << 3)
#define EPT_LARGE	BIT_ULL(7)

const struct hvp_slat_format vmx_ept_format = {
	.table_bits	= EPT_READ | EPT_WRITE | EPT_EXEC,
	.leaf_bits	= EPT_MT_WB,
	.read		= EPT_READ,
	.write		= EPT_WRITE,
	.exec		= EPT_EXEC,
	.nx		= 0,
	.large		= EPT_LARGE,
	.present_mask	= EPT_READ | EPT_WRITE | EPT_EXEC,
	.addr_mask	= GENMASK_ULL(51, 12),
};

/* What the shared SLAT code and this backend need of EPT (appendix A.10). */
int vmx_ept_check(void)
{
	u64 cap = vmx_caps.ept_vpid;

	if (!(cap & VMX_EPT_PAGE_WALK_4_BIT)) {
		pr_err("CPU lacks 4-level EPT page walks; cannot run partitions\n");
		return -ENODEV;
	}
	if (!(cap & VMX_EPT_2MB_PAGE_BIT)) {
		pr_err("CPU lacks 2 MiB EPT pages; cannot run partitions\n");
		return -ENODEV;
	}
	if (!(cap & VMX_EPT_INVEPT_BIT) ||
	    !(cap & (VMX_EPT_EXTENT_CONTEXT_BIT | VMX_EPT_EXTENT_GLOBAL_BIT))) {
		pr_err("CPU lacks INVEPT; cannot run partitions\n");
		return -ENODEV;
	}
	vmx_caps.invept_single = cap & VMX_EPT_EXTENT_CONTEXT_BIT;
	/* The walk itself uses the EPTP memory type: WB if offered, else UC. */
	vmx_caps.eptp_flags = VMX_EPTP_PWL_4 |
			      ((cap & VMX_EPTP_WB_BIT) ? VMX_EPTP_MT_WB : VMX_EPTP_MT_UC);
	return 0;
}

u64 vmx_eptp(struct hvp_partition *part)
{
	return part->mem.slat.root_pa | vmx_caps.eptp_flags;
}

void vmx_ept_flush(u64 eptp)
{
	if (vmx_caps.invept_single)
		vmx_invept(VMX_INVEPT_SINGLE, eptp);
	else
		vmx_invept(VMX_INVEPT_ALL, 0);
}
