// SPDX-License-Identifier: GPL-2.0
/*
 * Synthetic MSRs (TLFS; the boot-time order Linux 6.1 uses is in
 * hyperv-facts §1.4). Each belongs to a feature; with the feature off the
 * MSR raises #GP, as on Hyper-V. The SynIC and timer MSRs are in synic.c
 * and stimer.c; the APIC shortcuts go to the local APIC.
 *
 * Two rules from how Linux behaves: VP_ASSIST_PAGE is written on every CPU
 * whatever the feature bits say, so it is accepted whenever hypercalls
 * are; and REFERENCE_TSC may be written before GUEST_OS_ID.
 */
#include <linux/math64.h>
#include <asm/apicdef.h>
#include <asm/tsc.h>

#include "../arch_ops.h"
#include "../hvpart.h"
#include "hv.h"

#define F(bit) HVPART_HV_F(bit)

/* LAPIC timer bus clock (lapic.c): 1 GHz. */
#define HVP_APIC_FREQUENCY	1000000000ULL

/* Hypercall page contents: the backend's hypercall instruction, RET. */
static const u8 hvp_hypercall_svm[] = { 0x0f, 0x01, 0xd9, 0xc3 };	/* vmmcall */
static const u8 hvp_hypercall_vmx[] = { 0x0f, 0x01, 0xc1, 0xc3 };	/* vmcall */

bool hvp_hv_msr_owned(u32 index)
{
	return index >= 0x40000000 && index <= 0x400001ff;
}

static u64 hvp_hv_msr_feature(u32 index)
{
	switch (index) {
	case HV_X64_MSR_GUEST_OS_ID:
	case HV_X64_MSR_HYPERCALL:
	case HV_X64_MSR_VP_ASSIST_PAGE:
		return F(HYPERCALL);
	case HV_X64_MSR_VP_INDEX:
		return F(VP_INDEX);
	case HV_X64_MSR_VP_RUNTIME:
		return F(VP_RUNTIME);
	case HV_X64_MSR_TIME_REF_COUNT:
		return F(TIME_REF_COUNT);
	case HV_X64_MSR_REFERENCE_TSC:
		return F(REFERENCE_TSC);
	case HV_X64_MSR_TSC_FREQUENCY:
	case HV_X64_MSR_APIC_FREQUENCY:
		return F(FREQUENCY_MSRS);
	case HV_X64_MSR_EOI:
	case HV_X64_MSR_ICR:
	case HV_X64_MSR_TPR:
		return F(APIC_MSRS);
	case HV_X64_MSR_SCONTROL:
	case HV_X64_MSR_SVERSION:
	case HV_X64_MSR_SIEFP:
	case HV_X64_MSR_SIMP:
	case HV_X64_MSR_EOM:
	case HV_X64_MSR_SINT0 ... HV_X64_MSR_SINT15:
		return F(SYNIC);
	case HV_X64_MSR_STIMER0_CONFIG ... HV_X64_MSR_STIMER3_COUNT:
		return F(STIMER);
	case HV_X64_MSR_CRASH_P0 ... HV_X64_MSR_CRASH_CTL:
		return F(CRASH_MSRS);
	default:
		return 0;	/* not implemented: #GP */
	}
}

/* Write the hypercall instructions into the page the guest chose. */
static int hvp_hv_set_hypercall(struct hvp_partition *part, u64 value)
{
	struct hvp_hv_partition *hv = &part->hv;
	const u8 *code = hvp_ops.backend == HVPART_BACKEND_SVM ? hvp_hypercall_svm :
								  hvp_hypercall_vmx;

	/* The page stays disabled while no guest OS identified itself. */
	if (!hv->guest_os_id)
		value &= ~HV_X64_MSR_HYPERCALL_ENABLE;
	if ((value & HV_X64_MSR_HYPERCALL_ENABLE) &&
	    hvp_gpa_write(part, value & PAGE_MASK, code, sizeof(hvp_hypercall_svm)))
		return -EINVAL;
	hv->hypercall_msr = value;
	return 0;
}

static int hvp_hv_partition_msr_set(struct hvp_vp *vp, u32 index, u64 value)
{
	struct hvp_hv_partition *hv = &vp->part->hv;
	int ret = 0;

	mutex_lock(&hv->lock);
	switch (index) {
	case HV_X64_MSR_GUEST_OS_ID:
		hv->guest_os_id = value;
		if (!value)
			hv->hypercall_msr &= ~HV_X64_MSR_HYPERCALL_ENABLE;
		break;
	case HV_X64_MSR_HYPERCALL:
		ret = hvp_hv_set_hypercall(vp->part, value);
		break;
	case HV_X64_MSR_REFERENCE_TSC: {
		u64 old = hv->reference_tsc_msr;

		hv->reference_tsc_msr = value;
		ret = hvp_hv_tsc_page_update(vp->part);
		if (ret)
			hv->reference_tsc_msr = old;
		break;
	}
	case HV_X64_MSR_CRASH_P0 ... HV_X64_MSR_CRASH_P4:
		hv->crash_params[index - HV_X64_MSR_CRASH_P0] = value;
		break;
	case HV_X64_MSR_CRASH_CTL:
		if (value & ~HV_CRASH_CTL_CRASH_NOTIFY)
			ret = -EINVAL;
		else if (value & HV_CRASH_CTL_CRASH_NOTIFY)
			vp->hv.crash_exit = true;
		break;
	default:
		ret = -EINVAL;
	}
	mutex_unlock(&hv->lock);
	return ret;
}

int hvp_hv_msr_get(struct hvp_vp *vp, u32 index, u64 *value, bool from_host)
{
	struct hvp_partition *part = vp->part;
	struct hvp_hv_partition *hv = &part->hv;
	u64 feature = hvp_hv_msr_feature(index);
	u64 ptpr;

	if (!feature || !hvp_hv_has(part, feature))
		return -EINVAL;

	switch (index) {
	case HV_X64_MSR_GUEST_OS_ID:
		*value = hv->guest_os_id;
		return 0;
	case HV_X64_MSR_HYPERCALL:
		*value = hv->hypercall_msr;
		return 0;
	case HV_X64_MSR_VP_ASSIST_PAGE:
		*value = vp->hv.vp_assist_msr;
		return 0;
	case HV_X64_MSR_VP_INDEX:
		*value = vp->index;
		return 0;
	case HV_X64_MSR_VP_RUNTIME:
		/* In 100 ns units; the TSC counts tsc_khz * 1000 per second. */
		*value = tsc_khz ? mul_u64_u32_div(vp->hv.runtime_tsc, 10000, tsc_khz) : 0;
		return 0;
	case HV_X64_MSR_TIME_REF_COUNT:
		*value = hvp_hv_ref_time(vp);
		return 0;
	case HV_X64_MSR_REFERENCE_TSC:
		*value = hv->reference_tsc_msr;
		return 0;
	case HV_X64_MSR_TSC_FREQUENCY:
		*value = (u64)tsc_khz * 1000;
		return 0;
	case HV_X64_MSR_APIC_FREQUENCY:
		*value = HVP_APIC_FREQUENCY;
		return 0;
	case HV_X64_MSR_TPR:
		ptpr = hvp_lapic_get_tpr(vp);
		*value = ptpr;
		return 0;
	case HV_X64_MSR_EOI:
		return -EINVAL;		/* write-only */
	case HV_X64_MSR_ICR:
		/*
		 * Read/write (TLFS "Local APIC MSR Accesses"): ICR high and low
		 * as the APIC reads them - the xAPIC destination, and a low
		 * word of 0 since delivery is always complete.
		 */
		*value = hvp_lapic_x2apic(vp) ? 0 : (u64)vp->lapic.icr_high << 32;
		return 0;
	case HV_X64_MSR_CRASH_P0 ... HV_X64_MSR_CRASH_P4:
		*value = hv->crash_params[index - HV_X64_MSR_CRASH_P0];
		return 0;
	case HV_X64_MSR_CRASH_CTL:
		*value = HV_CRASH_CTL_CRASH_NOTIFY;
		return 0;
	case HV_X64_MSR_STIMER0_CONFIG ... HV_X64_MSR_STIMER3_COUNT:
		return hvp_stimer_msr_get(vp, index, value);
	default:
		return hvp_synic_msr_get(vp, index, value);
	}
}

int hvp_hv_msr_set(struct hvp_vp *vp, u32 index, u64 value, bool from_host)
{
	struct hvp_partition *part = vp->part;
	u64 feature = hvp_hv_msr_feature(index);

	if (!feature || !hvp_hv_has(part, feature))
		return -EINVAL;

	switch (index) {
	case HV_X64_MSR_VP_INDEX:
	case HV_X64_MSR_VP_RUNTIME:
	case HV_X64_MSR_TIME_REF_COUNT:
	case HV_X64_MSR_TSC_FREQUENCY:
	case HV_X64_MSR_APIC_FREQUENCY:
		return from_host ? 0 : -EINVAL;	/* read-only */
	case HV_X64_MSR_VP_ASSIST_PAGE:
		/* Accepted and kept; hvpart never uses the page (no PV EOI). */
		vp->hv.vp_assist_msr = value;
		return 0;
	case HV_X64_MSR_EOI:
		hvp_lapic_eoi(vp);
		return 0;
	case HV_X64_MSR_ICR:
		/* xAPIC-style 64-bit ICR: destination in 63:56 (hyperv-facts §1.5). */
		if (hvp_lapic_x2apic(vp))
			return hvp_lapic_icr_write(vp, value);
		vp->lapic.icr_high = upper_32_bits(value) & 0xff000000;
		return hvp_lapic_icr_write(vp, lower_32_bits(value));
	case HV_X64_MSR_TPR:
		if (value > 0xff)
			return -EINVAL;
		hvp_lapic_set_tpr(vp, value);
		return 0;
	case HV_X64_MSR_STIMER0_CONFIG ... HV_X64_MSR_STIMER3_COUNT:
		return hvp_stimer_msr_set(vp, index, value, from_host);
	case HV_X64_MSR_SCONTROL ... HV_X64_MSR_SINT15:
		return hvp_synic_msr_set(vp, index, value, from_host);
	default:
		return hvp_hv_partition_msr_set(vp, index, value);
	}
}
