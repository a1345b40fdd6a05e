// SPDX-License-Identifier: GPL-2.0
/*
 * MSRs, for the guest (intercepted RDMSR/WRMSR) and for the VMM
 * (HVPART_GET_MSRS/SET_MSRS). One lookup: the MSRs the core keeps are in
 * hvp_core_msrs[]; the rest live in the VMCB/VMCS and go to the backend.
 * Anything unknown is refused, which the guest sees as #GP.
 *
 * MSRs that the backends let the guest access directly (FS/GS bases,
 * SYSCALL and SYSENTER targets) are switched by hardware or by VMLOAD and
 * VMSAVE; values written here are checked the way the CPU would check a
 * guest WRMSR, so a bad value from userspace cannot fail a VM entry.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "arch_ops.h"
#include "hvpart.h"

struct hvp_msr_desc {
	u32 index;
	int (*get)(struct hvp_vp *vp, u32 index, u64 *value);
	int (*set)(struct hvp_vp *vp, u32 index, u64 value, bool from_host);
};

static bool hvp_is_canonical(u64 va)
{
	return (u64)((s64)(va << 16) >> 16) == va;
}

static int hvp_apic_base_get(struct hvp_vp *vp, u32 index, u64 *value)
{
	*value = vp->apic_base;
	return 0;
}

static int hvp_apic_base_set(struct hvp_vp *vp, u32 index, u64 value, bool from_host)
{
	return hvp_lapic_set_base(vp, value, from_host);
}

static int hvp_tsc_deadline_get(struct hvp_vp *vp, u32 index, u64 *value)
{
	return hvp_lapic_tsc_deadline_get(vp, value);
}

static int hvp_tsc_deadline_set(struct hvp_vp *vp, u32 index, u64 value, bool from_host)
{
	return hvp_lapic_tsc_deadline_set(vp, value);
}

static int hvp_misc_enable_get(struct hvp_vp *vp, u32 index, u64 *value)
{
	*value = vp->misc_enable;
	return 0;
}

static int hvp_misc_enable_set(struct hvp_vp *vp, u32 index, u64 value, bool from_host)
{
	vp->misc_enable = value;
	return 0;
}

/* Microcode revision: reads as 0; writing it (a probe on Intel) is harmless. */
static int hvp_zero_get(struct hvp_vp *vp, u32 index, u64 *value)
{
	*value = 0;
	return 0;
}

static int hvp_ignore_set(struct hvp_vp *vp, u32 index, u64 value, bool from_host)
{
	return 0;
}

/* No branch tracing or LBRs: DEBUGCTL stays 0. */
static int hvp_zero_only_set(struct hvp_vp *vp, u32 index, u64 value, bool from_host)
{
	return value ? -EINVAL : 0;
}

static int hvp_backend_get(struct hvp_vp *vp, u32 index, u64 *value)
{
	return hvp_ops.get_msr(vp, index, value);
}

static int hvp_pat_set(struct hvp_vp *vp, u32 index, u64 value, bool from_host)
{
	unsigned int i;

	/* Each entry is UC, WC, WT, WP, WB or UC- (0, 1, 4, 5, 6, 7). */
	for (i = 0; i < 8; i++) {
		u8 type = value >> (i * 8);

		if (type > 7 || type == 2 || type == 3)
			return -EINVAL;
	}
	return hvp_ops.set_msr(vp, index, value);
}

static int hvp_efer_get(struct hvp_vp *vp, u32 index, u64 *value)
{
	struct hvpart_sregs s;

	hvp_ops.get_sregs(vp, &s);
	*value = s.efer;
	return 0;
}

static int hvp_efer_set(struct hvp_vp *vp, u32 index, u64 value, bool from_host)
{
	struct hvpart_sregs s;

	hvp_ops.get_sregs(vp, &s);
	/* LMA is read-only: the CPU keeps it as LME && CR0.PG. */
	value = (value & ~EFER_LMA) | (s.efer & EFER_LMA);
	if (!hvp_efer_valid(vp, value))
		return -EINVAL;
	if ((s.cr0 & X86_CR0_PG) && ((value ^ s.efer) & EFER_LME))
		return -EINVAL;
	s.efer = value;
	return hvp_ops.set_sregs(vp, &s);
}

static int hvp_canonical_set(struct hvp_vp *vp, u32 index, u64 value, bool from_host)
{
	if (!hvp_is_canonical(value))
		return -EINVAL;
	return hvp_ops.set_msr(vp, index, value);
}

static int hvp_backend_set(struct hvp_vp *vp, u32 index, u64 value, bool from_host)
{
	return hvp_ops.set_msr(vp, index, value);
}

static const struct hvp_msr_desc hvp_core_msrs[] = {
	{ MSR_IA32_TSC,			hvp_backend_get,	hvp_backend_set },
	{ MSR_IA32_APICBASE,		hvp_apic_base_get,	hvp_apic_base_set },
	{ MSR_IA32_TSC_DEADLINE,	hvp_tsc_deadline_get,	hvp_tsc_deadline_set },
	{ MSR_IA32_UCODE_REV,		hvp_zero_get,		hvp_ignore_set },
	{ MSR_IA32_MISC_ENABLE,		hvp_misc_enable_get,	hvp_misc_enable_set },
	{ MSR_IA32_DEBUGCTLMSR,		hvp_zero_get,		hvp_zero_only_set },
	/* AMD northbridge config: Linux sets a bit at CPU online; no effect here. */
	{ MSR_AMD64_NB_CFG,		hvp_zero_get,		hvp_ignore_set },
	{ MSR_IA32_SYSENTER_CS,		hvp_backend_get,	hvp_backend_set },
	{ MSR_IA32_SYSENTER_ESP,	hvp_backend_get,	hvp_canonical_set },
	{ MSR_IA32_SYSENTER_EIP,	hvp_backend_get,	hvp_canonical_set },
	{ MSR_IA32_CR_PAT,		hvp_backend_get,	hvp_pat_set },
	{ MSR_EFER,			hvp_efer_get,		hvp_efer_set },
	{ MSR_STAR,			hvp_backend_get,	hvp_backend_set },
	{ MSR_LSTAR,			hvp_backend_get,	hvp_canonical_set },
	{ MSR_CSTAR,			hvp_backend_get,	hvp_canonical_set },
	{ MSR_SYSCALL_MASK,		hvp_backend_get,	hvp_backend_set },
	{ MSR_FS_BASE,			hvp_backend_get,	hvp_canonical_set },
	{ MSR_GS_BASE,			hvp_backend_get,	hvp_canonical_set },
	{ MSR_KERNEL_GS_BASE,		hvp_backend_get,	hvp_canonical_set },
};

static const struct hvp_msr_desc *hvp_msr_find(u32 index)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hvp_core_msrs); i++)
		if (hvp_core_msrs[i].index == index)
			return &hvp_core_msrs[i];
	return NULL;
}

/* x2APIC registers: MSRs 0x800-0x8FF, valid only in x2APIC mode. */
#define HVP_X2APIC_MSR(index)	((index) >= 0x800 && (index) <= 0x8ff)

int hvp_msr_get(struct hvp_vp *vp, u32 index, u64 *value, bool from_host)
{
	const struct hvp_msr_desc *d = hvp_msr_find(index);

	if (d)
		return d->get(vp, index, value);
	if (hvp_hv_msr_owned(index) && hvp_hv_enabled(vp->part))
		return hvp_hv_msr_get(vp, index, value, from_host);
	if (HVP_X2APIC_MSR(index))
		return hvp_lapic_msr_get(vp, index, value);
	return -ENOENT;
}

int hvp_msr_set(struct hvp_vp *vp, u32 index, u64 value, bool from_host)
{
	const struct hvp_msr_desc *d = hvp_msr_find(index);

	if (d)
		return d->set(vp, index, value, from_host);
	if (hvp_hv_msr_owned(index) && hvp_hv_enabled(vp->part))
		return hvp_hv_msr_set(vp, index, value, from_host);
	if (HVP_X2APIC_MSR(index))
		return hvp_lapic_msr_set(vp, index, value);
	return -ENOENT;
}

int hvp_vp_msrs_ioctl(struct hvp_vp *vp, struct hvpart_msrs __user *uarg, bool set)
{
	struct hvpart_msr_entry *entries;
	struct hvpart_msrs hdr;
	unsigned int i;
	size_t size;
	int ret;

	if (copy_from_user(&hdr, uarg, sizeof(hdr)))
		return -EFAULT;
	if (hdr.flags)
		return -EINVAL;
	if (hdr.nmsrs > HVP_MAX_MSRS_PER_CALL)
		return -E2BIG;
	if (!hdr.nmsrs)
		return 0;

	size = hdr.nmsrs * sizeof(*entries);
	entries = memdup_user(u64_to_user_ptr(hdr.entries), size);
	if (IS_ERR(entries))
		return PTR_ERR(entries);

	for (i = 0; i < hdr.nmsrs; i++) {
		struct hvpart_msr_entry *e = &entries[i];

		if (e->rsvd)
			break;
		if (set)
			ret = hvp_msr_set(vp, e->index, e->value, true);
		else
			ret = hvp_msr_get(vp, e->index, &e->value, true);
		if (ret)
			break;
	}
	ret = i;
	if (!set && copy_to_user(u64_to_user_ptr(hdr.entries), entries, i * sizeof(*entries)))
		ret = -EFAULT;
	kfree(entries);
	return ret;
}
