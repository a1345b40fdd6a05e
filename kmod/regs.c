// SPDX-License-Identifier: GPL-2.0
/*
 * Architectural register rules, vendor-neutral: the reset state of a VP,
 * the checks on system registers userspace sets (whatever the hardware
 * would refuse at VM entry, or a real CPU could never hold, is -EINVAL
 * here rather than a failed entry later), and the CR4, EFER and XCR0 bits
 * a guest may use given its CPUID table and the host.
 */
#include <linux/bits.h>
#include <asm/apicdef.h>
#include <asm/cpufeature.h>
#include <asm/fpu/xcr.h>
#include <asm/fpu/xstate.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "arch_ops.h"
#include "hvpart.h"

static bool hvp_cpuid_has(struct hvp_vp *vp, u32 function, u32 index, int reg, int bit)
{
	const struct hvpart_cpuid_entry *e = hvp_cpuid_find(vp, function, index);
	u32 value;

	if (!e)
		return false;
	switch (reg) {
	case 0:
		value = e->eax;
		break;
	case 1:
		value = e->ebx;
		break;
	case 2:
		value = e->ecx;
		break;
	default:
		value = e->edx;
		break;
	}
	return value & BIT(bit);
}

enum { EAX, EBX, ECX, EDX };

/* CR4 bits the guest may set: what its CPUID offers and the host has. */
u64 hvp_cr4_allowed(struct hvp_vp *vp)
{
	u64 allowed = X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE | X86_CR4_PSE |
		      X86_CR4_PAE | X86_CR4_MCE | X86_CR4_PGE | X86_CR4_PCE |
		      X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;

	if (boot_cpu_has(X86_FEATURE_FSGSBASE) && hvp_cpuid_has(vp, 7, 0, EBX, 0))
		allowed |= X86_CR4_FSGSBASE;
	if (boot_cpu_has(X86_FEATURE_PCID) && hvp_cpuid_has(vp, 1, 0, ECX, 17))
		allowed |= X86_CR4_PCIDE;
	if (boot_cpu_has(X86_FEATURE_XSAVE) && hvp_cpuid_has(vp, 1, 0, ECX, 26))
		allowed |= X86_CR4_OSXSAVE;
	if (boot_cpu_has(X86_FEATURE_SMEP) && hvp_cpuid_has(vp, 7, 0, EBX, 7))
		allowed |= X86_CR4_SMEP;
	if (boot_cpu_has(X86_FEATURE_SMAP) && hvp_cpuid_has(vp, 7, 0, EBX, 20))
		allowed |= X86_CR4_SMAP;
	if (boot_cpu_has(X86_FEATURE_UMIP) && hvp_cpuid_has(vp, 7, 0, ECX, 2))
		allowed |= X86_CR4_UMIP;
	if (boot_cpu_has(X86_FEATURE_LA57) && hvp_cpuid_has(vp, 7, 0, ECX, 16))
		allowed |= X86_CR4_LA57;
	/* Never VMXE/SMXE (no nested), PKE/CET/PKS (state not switched). */
	return allowed;
}

static u64 hvp_efer_allowed(struct hvp_vp *vp)
{
	u64 allowed = 0;

	if (hvp_cpuid_has(vp, 0x80000001, 0, EDX, 11))
		allowed |= EFER_SCE;
	if (hvp_cpuid_has(vp, 0x80000001, 0, EDX, 29))
		allowed |= EFER_LME | EFER_LMA;
	if (hvp_cpuid_has(vp, 0x80000001, 0, EDX, 20))
		allowed |= EFER_NX;
	return allowed;
}

bool hvp_efer_valid(struct hvp_vp *vp, u64 efer)
{
	return !(efer & ~hvp_efer_allowed(vp));
}

static bool hvp_segment_valid(const struct hvpart_segment *seg)
{
	return !seg->rsvd0 && !seg->rsvd1 && !(seg->attrib & ~HVPART_SEG_ATTR_MASK);
}

static bool hvp_dtable_valid(const struct hvpart_dtable *dt)
{
	return !dt->rsvd[0] && !dt->rsvd[1] && !dt->rsvd[2];
}

int hvp_sregs_check(struct hvp_vp *vp, const struct hvpart_sregs *s)
{
	const struct hvpart_segment *segs[] = {
		&s->cs, &s->ds, &s->es, &s->fs, &s->gs, &s->ss, &s->tr, &s->ldt,
	};
	bool paging = s->cr0 & X86_CR0_PG;
	bool long_mode = (s->efer & EFER_LME) && paging;
	unsigned int i;

	if (s->flags)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(s->rsvd); i++)
		if (s->rsvd[i])
			return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(segs); i++)
		if (!hvp_segment_valid(segs[i]))
			return -EINVAL;
	if (!hvp_dtable_valid(&s->gdt) || !hvp_dtable_valid(&s->idt))
		return -EINVAL;

	/* CR0: no bits above 31, NW only with CD, PG only with PE. */
	if (upper_32_bits(s->cr0) || ((s->cr0 & X86_CR0_NW) && !(s->cr0 & X86_CR0_CD)) ||
	    (paging && !(s->cr0 & X86_CR0_PE)))
		return -EINVAL;
	if (s->cr4 & ~hvp_cr4_allowed(vp))
		return -EINVAL;
	if (s->cr8 > 15)
		return -EINVAL;
	if (!hvp_efer_valid(vp, s->efer))
		return -EINVAL;
	/* LMA is the CPU's view of LME && PG; it cannot disagree. */
	if (!!(s->efer & EFER_LMA) != long_mode)
		return -EINVAL;
	if (long_mode) {
		if (!(s->cr4 & X86_CR4_PAE))
			return -EINVAL;
		if ((s->cs.attrib & HVPART_SEG_L) && (s->cs.attrib & HVPART_SEG_DB))
			return -EINVAL;
		if (s->cr3 >> hvp_gpa_bits())
			return -EINVAL;
	}
	return 0;
}

/* Supported XSAVE features: the host's, limited to what the module switches. */
u64 hvp_guest_supported_xcr0(struct hvp_vp *vp)
{
	const struct hvpart_cpuid_entry *e = hvp_cpuid_find(vp, 0xd, 0);
	u64 guest = e ? ((u64)e->edx << 32 | e->eax) : XFEATURE_MASK_FPSSE;

	return guest & hvp_host_xcr0 &
	       (XFEATURE_MASK_FPSSE | XFEATURE_MASK_YMM | XFEATURE_MASK_AVX512);
}

int hvp_vp_set_xcr0(struct hvp_vp *vp, u32 index, u64 value)
{
	u64 avx512 = value & XFEATURE_MASK_AVX512;

	if (index != XCR_XFEATURE_ENABLED_MASK)
		return -EINVAL;
	if (!(value & XFEATURE_MASK_FP) || (value & ~hvp_guest_supported_xcr0(vp)))
		return -EINVAL;
	if ((value & XFEATURE_MASK_YMM) && !(value & XFEATURE_MASK_SSE))
		return -EINVAL;
	if (avx512 && (avx512 != XFEATURE_MASK_AVX512 || !(value & XFEATURE_MASK_YMM)))
		return -EINVAL;
	vp->xcr0 = value;
	return 0;
}

static void hvp_reset_segment(struct hvpart_segment *seg, u16 selector, u64 base, u32 attrib)
{
	seg->selector = selector;
	seg->base = base;
	seg->limit = 0xffff;
	seg->attrib = attrib | HVPART_SEG_P;
}

/*
 * The power-on state (SDM vol. 3, 10.1.1; APM vol. 2, 14.1.3): real mode,
 * executing at FFFF_FFF0 through CS base FFFF_0000.
 */
void hvp_vp_reset_regs(struct hvp_vp *vp)
{
	const struct hvpart_cpuid_entry *leaf1 = hvp_cpuid_find(vp, 1, 0);
	struct hvpart_sregs s = {};

	memset(vp->gprs, 0, sizeof(vp->gprs));
	vp->gprs[HVP_RDX] = leaf1 ? leaf1->eax : 0;	/* processor signature */
	vp->rip = 0xfff0;
	vp->rflags = X86_EFLAGS_FIXED;
	vp->xcr0 = XFEATURE_MASK_FP;
	memset(vp->dr, 0, sizeof(vp->dr));
	vp->dr7 = HVP_DR7_FIXED_1;
	vp->misc_enable = MSR_IA32_MISC_ENABLE_FAST_STRING |
			  MSR_IA32_MISC_ENABLE_BTS_UNAVAIL | MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL;
	vp->apic_base = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE |
			(vp->index == 0 ? MSR_IA32_APICBASE_BSP : 0);
	vp->pending = HVP_PENDING_NONE;

	/* Code: execute/read, accessed. Data: read/write, accessed. */
	hvp_reset_segment(&s.cs, 0xf000, 0xffff0000, 0xb | HVPART_SEG_S);
	hvp_reset_segment(&s.ds, 0, 0, 0x3 | HVPART_SEG_S);
	hvp_reset_segment(&s.es, 0, 0, 0x3 | HVPART_SEG_S);
	hvp_reset_segment(&s.fs, 0, 0, 0x3 | HVPART_SEG_S);
	hvp_reset_segment(&s.gs, 0, 0, 0x3 | HVPART_SEG_S);
	hvp_reset_segment(&s.ss, 0, 0, 0x3 | HVPART_SEG_S);
	hvp_reset_segment(&s.ldt, 0, 0, 0x2);			/* LDT */
	hvp_reset_segment(&s.tr, 0, 0, 0xb);			/* busy TSS */
	s.gdt.limit = 0xffff;
	s.idt.limit = 0xffff;
	s.cr0 = X86_CR0_CD | X86_CR0_NW | X86_CR0_ET;

	WARN_ON_ONCE(hvp_ops.set_sregs(vp, &s));
	vp->cr4 = 0;
	hvp_ops.vp_reset(vp);
}
