// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID leaves 0x40000000-0x4000000A: the identity a Hyper-V child sees
 * (TLFS "Feature and Interface Discovery"; hyperv-facts §1). Built from the
 * partition's features; answered here instead of the VP's table whenever
 * the partition has the Hyper-V interface. Never set: AccessPartitionId
 * (Linux BUG()s if HvGetPartitionId then fails), CpuManagement (Linux would
 * think it is the root partition), Isolation, extended hypercalls.
 */
#include <linux/cpumask.h>

#include "../hvpart.h"
#include "hv.h"

#define HVP_HV_MAX_LEAF		0x4000000a
#define HVP_HV_SIGNATURE	0x31237648	/* "Hv#1" */

/* Group A (0x40000003 EAX): feature -> privilege bit. */
static const struct {
	u64 feature;
	u32 bit;
} hvp_hv_eax_bits[] = {
	{ HVPART_HV_F(VP_RUNTIME),	HV_MSR_VP_RUNTIME_AVAILABLE },
	{ HVPART_HV_F(TIME_REF_COUNT),	HV_MSR_TIME_REF_COUNT_AVAILABLE },
	{ HVPART_HV_F(SYNIC),		HV_MSR_SYNIC_AVAILABLE },
	{ HVPART_HV_F(STIMER),		HV_MSR_SYNTIMER_AVAILABLE },
	{ HVPART_HV_F(APIC_MSRS),	HV_MSR_APIC_ACCESS_AVAILABLE },
	{ HVPART_HV_F(HYPERCALL),	HV_MSR_HYPERCALL_AVAILABLE },
	{ HVPART_HV_F(VP_INDEX),	HV_MSR_VP_INDEX_AVAILABLE },
	{ HVPART_HV_F(REFERENCE_TSC),	HV_MSR_REFERENCE_TSC_AVAILABLE },
	{ HVPART_HV_F(FREQUENCY_MSRS),	HV_ACCESS_FREQUENCY_MSRS },
};

bool hvp_hv_cpuid(struct hvp_vp *vp, u32 function, u32 *eax, u32 *ebx, u32 *ecx, u32 *edx)
{
	struct hvp_partition *part = vp->part;
	u64 f = part->hv.features;
	unsigned int i;

	if (!f || function < 0x40000000 || function > 0x400000ff)
		return false;

	*eax = *ebx = *ecx = *edx = 0;
	switch (function) {
	case 0x40000000:
		*eax = HVP_HV_MAX_LEAF;
		memcpy(ebx, "Micr", 4);
		memcpy(ecx, "osof", 4);
		memcpy(edx, "t Hv", 4);
		break;
	case 0x40000001:
		*eax = HVP_HV_SIGNATURE;
		break;
	case 0x40000002:
		/* Build and version: only printed by guests. */
		*eax = 1;
		*ebx = 10 << 16;
		break;
	case 0x40000003:
		for (i = 0; i < ARRAY_SIZE(hvp_hv_eax_bits); i++)
			if (f & hvp_hv_eax_bits[i].feature)
				*eax |= hvp_hv_eax_bits[i].bit;
		if (f & HVPART_HV_F(SYNIC))
			*ebx = HV_POST_MESSAGES | HV_SIGNAL_EVENTS;
		if (f & HVPART_HV_F(FREQUENCY_MSRS))
			*edx |= HV_FEATURE_FREQUENCY_MSRS_AVAILABLE;
		if (f & HVPART_HV_F(CRASH_MSRS))
			*edx |= HV_FEATURE_GUEST_CRASH_MSR_AVAILABLE;
		if (f & HVPART_HV_F(STIMER_DIRECT))
			*edx |= HV_STIMER_DIRECT_MODE_AVAILABLE;
		break;
	case 0x40000004:
		/* Auto-EOI works, but the guest should EOI SINTs normally. */
		*eax = HV_DEPRECATING_AEOI_RECOMMENDED;
		if (f & HVPART_HV_F(TLB_FLUSH))
			*eax |= HV_X64_REMOTE_TLB_FLUSH_RECOMMENDED;
		if (f & HVPART_HV_F(APIC_MSRS))
			*eax |= HV_X64_APIC_ACCESS_RECOMMENDED;
		if (f & HVPART_HV_F(CLUSTER_IPI))
			*eax |= HV_X64_CLUSTER_IPI_RECOMMENDED;
		if (f & HVPART_HV_F(EX_PROCESSOR_MASKS))
			*eax |= HV_X64_EX_PROCESSOR_MASKS_RECOMMENDED;
		*ebx = 0xffffffff;	/* never notify long spin waits */
		break;
	case 0x40000005:
		*eax = HVP_MAX_VPS;
		*ebx = num_online_cpus();
		break;
	default:
		break;
	}
	return true;
}
