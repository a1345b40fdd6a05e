// SPDX-License-Identifier: GPL-2.0
/*
 * The VMCB: what a guest may do without an exit (the intercepts, each with
 * its reason), the I/O and MSR permission maps shared by every VP, and the
 * conversion between the VMCB save area and the uapi register structs.
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <asm/debugreg.h>
#include <asm/msr-index.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/traps.h>

#include "svm.h"

/* IOPM: 12 KiB, MSRPM: 8 KiB (APM 15.10.1, 15.11). One each, read-only. */
#define SVM_IOPM_ORDER	2
#define SVM_MSRPM_ORDER	1
#define SVM_MSRPM_SIZE	0x2000

static struct page *svm_iopm, *svm_msrpm;

/*
 * MSRs the guest reads and writes without an exit. All are in the VMCB
 * save area and switched by VMLOAD/VMSAVE around every VMRUN, so the
 * host's values are never exposed or lost.
 */
static const u32 svm_passthrough_msrs[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
};

/* Bit offset of an MSR's read bit in the MSRPM; its write bit follows. */
static int svm_msrpm_bit(u32 msr)
{
	if (msr <= 0x1fff)
		return msr * 2;
	if (msr >= 0xc0000000 && msr <= 0xc0001fff)
		return 0x800 * 8 + (msr - 0xc0000000) * 2;
	if (msr >= 0xc0010000 && msr <= 0xc0011fff)
		return 0x1000 * 8 + (msr - 0xc0010000) * 2;
	return -1;
}

int svm_perm_maps_alloc(void)
{
	unsigned long *msrpm;
	unsigned int i;

	svm_iopm = alloc_pages(GFP_KERNEL, SVM_IOPM_ORDER);
	svm_msrpm = alloc_pages(GFP_KERNEL, SVM_MSRPM_ORDER);
	if (!svm_iopm || !svm_msrpm) {
		svm_perm_maps_free();
		return -ENOMEM;
	}
	/* Every port and every MSR exits unless listed above. */
	memset(page_address(svm_iopm), 0xff, PAGE_SIZE << SVM_IOPM_ORDER);
	msrpm = page_address(svm_msrpm);
	memset(msrpm, 0xff, PAGE_SIZE << SVM_MSRPM_ORDER);
	for (i = 0; i < ARRAY_SIZE(svm_passthrough_msrs); i++) {
		int bit = svm_msrpm_bit(svm_passthrough_msrs[i]);

		__clear_bit(bit, msrpm);
		__clear_bit(bit + 1, msrpm);
	}
	return 0;
}

void svm_perm_maps_free(void)
{
	if (svm_iopm)
		__free_pages(svm_iopm, SVM_IOPM_ORDER);
	if (svm_msrpm)
		__free_pages(svm_msrpm, SVM_MSRPM_ORDER);
	svm_iopm = svm_msrpm = NULL;
}

static void svm_intercept(struct vmcb_control_area *ctl, unsigned int bit)
{
	__set_bit(bit, (unsigned long *)ctl->intercepts);
}

static void svm_intercept_exception(struct vmcb_control_area *ctl, unsigned int vector)
{
	svm_intercept(ctl, INTERCEPT_EXCEPTION_OFFSET + vector);
}

/* Everything about a VMCB that never changes after creation. */
void svm_vmcb_init(struct svm_vp *svm)
{
	struct hvp_vp *vp = &svm->vp;
	struct vmcb_control_area *ctl = &svm->vmcb->control;
	unsigned int i;

	/* Host interrupts, NMIs, SMIs and INITs exit, so the host stays in charge. */
	svm_intercept(ctl, INTERCEPT_INTR);
	svm_intercept(ctl, INTERCEPT_NMI);
	svm_intercept(ctl, INTERCEPT_SMI);
	svm_intercept(ctl, INTERCEPT_INIT);
	/* The guest's CPUID is the VP's table; MSRs and ports are filtered. */
	svm_intercept(ctl, INTERCEPT_CPUID);
	svm_intercept(ctl, INTERCEPT_MSR_PROT);
	svm_intercept(ctl, INTERCEPT_IOIO_PROT);
	svm_intercept(ctl, INTERCEPT_HLT);
	/* A triple fault would otherwise shut down the host CPU. */
	svm_intercept(ctl, INTERCEPT_SHUTDOWN);
	/* VMRUN must be intercepted (APM 15.5.1); no nested SVM for guests. */
	svm_intercept(ctl, INTERCEPT_VMRUN);
	svm_intercept(ctl, INTERCEPT_VMLOAD);
	svm_intercept(ctl, INTERCEPT_VMSAVE);
	svm_intercept(ctl, INTERCEPT_STGI);
	svm_intercept(ctl, INTERCEPT_CLGI);
	svm_intercept(ctl, INTERCEPT_SKINIT);
	svm_intercept(ctl, INTERCEPT_INVLPGA);
	svm_intercept(ctl, INTERCEPT_VMMCALL);	/* Hyper-V hypercalls */
	/* Hidden from CPUID: RDTSCP (TSC_AUX is not switched), MONITOR/MWAIT. */
	svm_intercept(ctl, INTERCEPT_RDTSCP);
	svm_intercept(ctl, INTERCEPT_MONITOR);
	svm_intercept(ctl, INTERCEPT_MWAIT);
	svm_intercept(ctl, INTERCEPT_MWAIT_COND);
	svm_intercept(ctl, INTERCEPT_RDPRU);
	svm_intercept(ctl, INTERCEPT_RSM);
	/* No PMU: RDPMC at CPL0 would read the host's counters. */
	svm_intercept(ctl, INTERCEPT_RDPMC);
	/* INVD would drop dirty lines the host owns; WBINVD costs everyone. */
	svm_intercept(ctl, INTERCEPT_INVD);
	svm_intercept(ctl, INTERCEPT_WBINVD);
	/* Legacy FERR#/IGNNE# freeze: resume the guest (as KVM does). */
	svm_intercept(ctl, INTERCEPT_FERR_FREEZE);
	/* XCR0 is checked and switched by the module. */
	svm_intercept(ctl, INTERCEPT_XSETBV);
	/* CR4: checked against the guest's CPUID; PGE toggles flush its TLB. */
	svm_intercept(ctl, INTERCEPT_CR4_WRITE);
	/* Debug registers are virtual (exit.c). */
	for (i = 0; i < 8; i++) {
		svm_intercept(ctl, INTERCEPT_DR0_READ + i);
		svm_intercept(ctl, INTERCEPT_DR0_WRITE + i);
	}
	/*
	 * #DB and #AC: an endless chain of either is not interruptible and
	 * would hang the host CPU (CVE-2015-8104, CVE-2015-5307).
	 * #MC: must reach the host's machine-check handler.
	 */
	svm_intercept_exception(ctl, X86_TRAP_DB);
	svm_intercept_exception(ctl, X86_TRAP_AC);
	svm_intercept_exception(ctl, X86_TRAP_MC);

	ctl->iopm_base_pa = page_to_phys(svm_iopm);
	ctl->msrpm_base_pa = page_to_phys(svm_msrpm);
	/* The host's RFLAGS.IF, not the guest's, masks physical interrupts. */
	ctl->int_ctl = V_INTR_MASKING_MASK;
	ctl->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	ctl->nested_cr3 = vp->part->mem.slat.root_pa;
	ctl->tsc_offset = vp->part->tsc_offset;
	svm->dirty = SVM_CLEAN_ALL;
}

/* State outside struct hvpart_sregs that a reset restores. */
void svm_vmcb_reset(struct svm_vp *svm)
{
	struct vmcb *vmcb = svm->vmcb;

	vmcb->save.dr6 = HVP_DR6_FIXED_1;
	vmcb->save.dr7 = HVP_DR7_FIXED_1;
	vmcb->save.g_pat = HVP_PAT_DEFAULT;
	vmcb->save.star = vmcb->save.lstar = vmcb->save.cstar = vmcb->save.sfmask = 0;
	vmcb->save.kernel_gs_base = 0;
	vmcb->save.sysenter_cs = vmcb->save.sysenter_esp = vmcb->save.sysenter_eip = 0;
	vmcb->control.event_inj = 0;
	vmcb->control.int_state = 0;
	vmcb->control.int_ctl &= ~(V_TPR_MASK | V_IRQ_MASK | V_IGN_TPR_MASK | V_INTR_PRIO_MASK);
	__clear_bit(INTERCEPT_VINTR, (unsigned long *)vmcb->control.intercepts);
	svm->virq_vector = -1;
	svm->dirty = SVM_CLEAN_ALL;
}

/*
 * The VMCB packs segment attributes into 12 bits (APM 15.5.1: type, S,
 * DPL, P in 7:0; AVL, L, D/B, G in 11:8); the uapi uses the VMX layout.
 */
static void svm_seg_get(const struct vmcb_seg *v, struct hvpart_segment *s)
{
	s->selector = v->selector;
	s->base = v->base;
	s->limit = v->limit;
	s->attrib = (v->attrib & 0xff) | ((u32)(v->attrib & 0xf00) << 4);
	if (!(s->attrib & HVPART_SEG_P))
		s->attrib |= HVPART_SEG_UNUSABLE;
}

static void svm_seg_set(struct vmcb_seg *v, const struct hvpart_segment *s)
{
	v->selector = s->selector;
	v->base = s->base;
	v->limit = s->limit;
	v->attrib = (s->attrib & HVPART_SEG_UNUSABLE) ? 0 :
		    (s->attrib & 0xff) | ((s->attrib >> 4) & 0xf00);
}

void svm_get_sregs(struct hvp_vp *vp, struct hvpart_sregs *s)
{
	const struct vmcb_save_area *save = &to_svm_vp(vp)->vmcb->save;

	svm_seg_get(&save->cs, &s->cs);
	svm_seg_get(&save->ds, &s->ds);
	svm_seg_get(&save->es, &s->es);
	svm_seg_get(&save->fs, &s->fs);
	svm_seg_get(&save->gs, &s->gs);
	svm_seg_get(&save->ss, &s->ss);
	svm_seg_get(&save->tr, &s->tr);
	svm_seg_get(&save->ldtr, &s->ldt);
	s->gdt.base = save->gdtr.base;
	s->gdt.limit = save->gdtr.limit;
	s->idt.base = save->idtr.base;
	s->idt.limit = save->idtr.limit;
	s->cr0 = save->cr0;
	s->cr2 = save->cr2;
	s->cr3 = save->cr3;
	s->cr4 = save->cr4;
	s->cr8 = to_svm_vp(vp)->vmcb->control.int_ctl & V_TPR_MASK;
	/* EFER.SVME is the host's business; the guest never sees it. */
	s->efer = save->efer & ~EFER_SVME;
}

void svm_get_mode_regs(struct hvp_vp *vp, struct hvpart_sregs *s)
{
	const struct vmcb_save_area *save = &to_svm_vp(vp)->vmcb->save;

	svm_seg_get(&save->cs, &s->cs);
	s->cr0 = save->cr0;
	s->efer = save->efer & ~EFER_SVME;
}

int svm_set_sregs(struct hvp_vp *vp, const struct hvpart_sregs *s)
{
	struct svm_vp *svm = to_svm_vp(vp);
	struct vmcb_save_area *save = &svm->vmcb->save;

	svm_seg_set(&save->cs, &s->cs);
	svm_seg_set(&save->ds, &s->ds);
	svm_seg_set(&save->es, &s->es);
	svm_seg_set(&save->fs, &s->fs);
	svm_seg_set(&save->gs, &s->gs);
	svm_seg_set(&save->ss, &s->ss);
	svm_seg_set(&save->tr, &s->tr);
	svm_seg_set(&save->ldtr, &s->ldt);
	save->gdtr.base = s->gdt.base;
	save->gdtr.limit = s->gdt.limit;
	save->idtr.base = s->idt.base;
	save->idtr.limit = s->idt.limit;
	save->cr0 = s->cr0;
	save->cr2 = s->cr2;
	save->cr3 = s->cr3;
	save->cr4 = s->cr4;
	save->efer = s->efer | EFER_SVME;	/* VMRUN requires it (APM 15.5.1) */
	/* The CPL lives in the VMCB: SS.DPL in protected mode, 0 in real mode. */
	save->cpl = (s->cr0 & X86_CR0_PE) ? (s->ss.attrib >> HVPART_SEG_DPL_SHIFT) & 3 : 0;
	svm->vmcb->control.int_ctl = (svm->vmcb->control.int_ctl & ~V_TPR_MASK) |
				     (s->cr8 & V_TPR_MASK);
	svm->dirty = SVM_CLEAN_ALL;
	return 0;
}

/* MSRs held in the VMCB save area; -ENOENT for any other. */
static u64 *svm_msr_slot(struct vmcb_save_area *save, u32 index)
{
	switch (index) {
	case MSR_STAR:
		return &save->star;
	case MSR_LSTAR:
		return &save->lstar;
	case MSR_CSTAR:
		return &save->cstar;
	case MSR_SYSCALL_MASK:
		return &save->sfmask;
	case MSR_KERNEL_GS_BASE:
		return &save->kernel_gs_base;
	case MSR_IA32_SYSENTER_CS:
		return &save->sysenter_cs;
	case MSR_IA32_SYSENTER_ESP:
		return &save->sysenter_esp;
	case MSR_IA32_SYSENTER_EIP:
		return &save->sysenter_eip;
	case MSR_FS_BASE:
		return &save->fs.base;
	case MSR_GS_BASE:
		return &save->gs.base;
	case MSR_IA32_CR_PAT:
		return &save->g_pat;
	default:
		return NULL;
	}
}

int svm_get_msr(struct hvp_vp *vp, u32 index, u64 *value)
{
	struct vmcb *vmcb = to_svm_vp(vp)->vmcb;
	u64 *slot;

	if (index == MSR_IA32_TSC) {
		*value = rdtsc() + vmcb->control.tsc_offset;
		return 0;
	}
	slot = svm_msr_slot(&vmcb->save, index);
	if (!slot)
		return -ENOENT;
	*value = *slot;
	return 0;
}

int svm_set_msr(struct hvp_vp *vp, u32 index, u64 value)
{
	struct svm_vp *svm = to_svm_vp(vp);
	u64 *slot;

	if (index == MSR_IA32_TSC) {
		svm->vmcb->control.tsc_offset = value - rdtsc();
		svm_mark_dirty(svm, BIT(SVM_CLEAN_INTERCEPTS));
		return 0;
	}
	slot = svm_msr_slot(&svm->vmcb->save, index);
	if (!slot)
		return -ENOENT;
	*slot = value;
	svm_mark_dirty(svm, index == MSR_IA32_CR_PAT ? BIT(SVM_CLEAN_NPT) : 0);
	return 0;
}
