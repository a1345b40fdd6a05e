// SPDX-License-Identifier: GPL-2.0
/*
 * The VMCS: what a guest may do without an exit (the controls, each with
 * its reason; the values themselves come from capabilities.h), the MSR
 * bitmap shared by every VP, the guest-state checks VM entry makes that
 * SET_SREGS enforces up front, and the conversion between guest-state
 * fields and the uapi register structs.
 *
 * The intercepts mirror svm/vmcb.c, for the same reasons; where VMX makes
 * an exit unconditional (CPUID, INVD, GETSEC, XSETBV, triple fault, the VMX
 * instructions) there is nothing to set.
 *
 * Callers hold the VMCS current (vmx_vmcs_get/put) unless noted.
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <asm/desc.h>
#include <asm/msr-index.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include <asm/traps.h>

#include "vmcs.h"
#include "vmx.h"

static unsigned long *vmx_msr_bitmap;

/*
 * MSRs the guest reads and writes without an exit, as on SVM. FS/GS base
 * and SYSENTER are guest-state fields of the VMCS; the others are switched
 * by the VM-entry/exit MSR lists (vmx.h).
 */
static const u32 vmx_passthrough_msrs[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
};

static const u32 vmx_switched_msr_index[VMX_NR_SWITCHED_MSRS] = {
	[VMX_MSR_KERNEL_GS_BASE]	= MSR_KERNEL_GS_BASE,
	[VMX_MSR_STAR]			= MSR_STAR,
	[VMX_MSR_LSTAR]			= MSR_LSTAR,
	[VMX_MSR_CSTAR]			= MSR_CSTAR,
	[VMX_MSR_SFMASK]		= MSR_SYSCALL_MASK,
};

/*
 * The MSR bitmap (SDM 25.6.9): four 1 KiB bitmaps, read-low (MSRs
 * 0-1fff), read-high (c0000000-c0001fff), write-low, write-high. A set
 * bit makes the access exit; MSRs outside both ranges always exit.
 */
static void vmx_msr_passthrough(u32 msr)
{
	unsigned int bit;

	if (msr <= 0x1fff)
		bit = msr;
	else if (msr >= 0xc0000000 && msr <= 0xc0001fff)
		bit = 0x400 * 8 + (msr - 0xc0000000);
	else
		return;
	__clear_bit(bit, vmx_msr_bitmap);			/* read */
	__clear_bit(bit + 0x800 * 8, vmx_msr_bitmap);		/* write */
}

int vmx_msr_bitmap_alloc(void)
{
	unsigned int i;

	vmx_msr_bitmap = (unsigned long *)__get_free_page(GFP_KERNEL);
	if (!vmx_msr_bitmap)
		return -ENOMEM;
	/* Every MSR exits unless listed above. */
	memset(vmx_msr_bitmap, 0xff, PAGE_SIZE);
	for (i = 0; i < ARRAY_SIZE(vmx_passthrough_msrs); i++)
		vmx_msr_passthrough(vmx_passthrough_msrs[i]);
	return 0;
}

void vmx_msr_bitmap_free(void)
{
	free_page((unsigned long)vmx_msr_bitmap);
	vmx_msr_bitmap = NULL;
}

void vmx_set_entry_ctls(struct vmx_vp *vmx, u32 entry)
{
	if (entry == vmx->entry)
		return;
	vmx->entry = entry;
	vmcs_write(VM_ENTRY_CONTROLS, entry);
}

/* Everything about a VMCS that never changes after creation. */
void vmx_vmcs_init(struct vmx_vp *vmx)
{
	struct hvp_vp *vp = &vmx->vp;
	u32 proc2 = vmx_caps.proc2;
	unsigned int i;

	/* SDM 27.3.1.5: no VMCS shadowing, so the link pointer is all ones. */
	vmcs_write(VMCS_LINK_POINTER, ~0ULL);

	/*
	 * Pin-based: host interrupts and NMIs exit (capabilities). Primary
	 * (all from vmx_caps.proc): HLT, MWAIT/MONITOR (hidden from CPUID),
	 * RDPMC (no PMU: it would read the host's counters), every port
	 * (unconditional I/O exiting, like SVM's all-ones IOPM), MOV DR (debug
	 * registers are virtual, exit.c), MSRs through the bitmap, TSC offset,
	 * and the TPR shadow for CR8. Secondary: EPT, unrestricted guest,
	 * VPID where in use, WBINVD (it costs every CPU), INVPCID enabled.
	 */
	vmcs_write(PIN_BASED_VM_EXEC_CONTROL, vmx_caps.pin);
	vmx->proc = vmx_caps.proc;
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, vmx->proc);
	if (!vmx->vpid)
		proc2 &= ~SECONDARY_EXEC_ENABLE_VPID;
	vmcs_write(SECONDARY_VM_EXEC_CONTROL, proc2);
	vmcs_write(VM_EXIT_CONTROLS, vmx_caps.exit);
	vmx->entry = vmx_caps.entry;
	vmcs_write(VM_ENTRY_CONTROLS, vmx->entry);

	/*
	 * #DB and #AC: an endless chain of either is not interruptible and
	 * would hang the host CPU (CVE-2015-8104, CVE-2015-5307).
	 * #MC: must reach the host's machine-check handler.
	 */
	vmcs_write(EXCEPTION_BITMAP, BIT(X86_TRAP_DB) | BIT(X86_TRAP_AC) | BIT(X86_TRAP_MC));
	vmcs_write(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write(CR3_TARGET_COUNT, 0);

	/*
	 * CR0: the bits VMX forces on (NE; PE and PG are the guest's under
	 * unrestricted guest) belong to the host, the guest reads its own
	 * value from the shadow. CR4: every bit is the host's, so every
	 * change exits and is checked against the guest's CPUID (exit.c),
	 * and VMXE stays hidden.
	 */
	vmcs_write(CR0_GUEST_HOST_MASK, vmx_cr0_forced());
	vmcs_write(CR4_GUEST_HOST_MASK, ~0UL);

	vmcs_write(MSR_BITMAP, virt_to_phys(vmx_msr_bitmap));
	for (i = 0; i < VMX_NR_SWITCHED_MSRS; i++) {
		vmx->msr_guest[i].index = vmx_switched_msr_index[i];
		vmx->msr_host[i].index = vmx_switched_msr_index[i];
	}
	vmcs_write(VM_ENTRY_MSR_LOAD_ADDR, vmx->msr_pa);
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, VMX_NR_SWITCHED_MSRS);
	vmcs_write(VM_EXIT_MSR_STORE_ADDR, vmx->msr_pa);
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, VMX_NR_SWITCHED_MSRS);
	vmcs_write(VM_EXIT_MSR_LOAD_ADDR, vmx->msr_pa + VMX_MSR_HOST_OFFSET);
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, VMX_NR_SWITCHED_MSRS);

	vmcs_write(VIRTUAL_APIC_PAGE_ADDR, vmx->vapic_pa);
	vmcs_write(TPR_THRESHOLD, 0);
	vmcs_write(EPT_POINTER, vmx->eptp);
	if (vmx->vpid)
		vmcs_write(VIRTUAL_PROCESSOR_ID, vmx->vpid);
	vmcs_write(TSC_OFFSET, vp->part->tsc_offset);

	/*
	 * Host state that is the same everywhere (SDM 26.2.3): 64-bit kernel
	 * code and stack selectors, null data selectors, the TSS; the rest is
	 * per CPU or per thread (vmx.c).
	 */
	vmcs_write(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write(HOST_SS_SELECTOR, __KERNEL_DS);
	vmcs_write(HOST_DS_SELECTOR, 0);
	vmcs_write(HOST_ES_SELECTOR, 0);
	vmcs_write(HOST_FS_SELECTOR, 0);
	vmcs_write(HOST_GS_SELECTOR, 0);
	vmcs_write(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	vmcs_write(HOST_RIP, (unsigned long)hvp_vmx_vmexit);
	vmx->host_cr3 = 0;
	vmx->host_cr4 = 0;

	/* Hardware DR7 stays inert: debug registers are virtual (exit.c). */
	vmcs_write(GUEST_DR7, HVP_DR7_FIXED_1);
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
}

/* State outside struct hvpart_sregs that a reset restores. */
void vmx_vmcs_reset(struct vmx_vp *vmx)
{
	unsigned int i;

	vmx->dr6 = HVP_DR6_FIXED_1;
	vmx->flush_pending = true;
	vmcs_write(GUEST_IA32_PAT, HVP_PAT_DEFAULT);
	vmcs_write(GUEST_SYSENTER_CS, 0);
	vmcs_write(GUEST_SYSENTER_ESP, 0);
	vmcs_write(GUEST_SYSENTER_EIP, 0);
	for (i = 0; i < VMX_NR_SWITCHED_MSRS; i++)
		vmx->msr_guest[i].value = 0;
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmx->vapic[0x80] = 0;
	if (vmx->proc & CPU_BASED_INTR_WINDOW_EXITING) {
		vmx->proc &= ~CPU_BASED_INTR_WINDOW_EXITING;
		vmcs_write(CPU_BASED_VM_EXEC_CONTROL, vmx->proc);
	}
}

/* ----------------------------------------------------------------------- */
/* Segments and system registers.                                            */
/* ----------------------------------------------------------------------- */

/* Fields of one segment register, ES..TR in encoding order (SDM B.1.2). */
struct vmx_seg_fields {
	u32 selector, base, limit, ar;
};

#define VMX_SEG(seg) { GUEST_##seg##_SELECTOR, GUEST_##seg##_BASE, \
		       GUEST_##seg##_LIMIT, GUEST_##seg##_AR_BYTES }

enum { VMX_ES, VMX_CS, VMX_SS, VMX_DS, VMX_FS, VMX_GS, VMX_LDTR, VMX_TR, VMX_NR_SEGS };

static const struct vmx_seg_fields vmx_segs[VMX_NR_SEGS] = {
	[VMX_ES] = VMX_SEG(ES), [VMX_CS] = VMX_SEG(CS), [VMX_SS] = VMX_SEG(SS),
	[VMX_DS] = VMX_SEG(DS), [VMX_FS] = VMX_SEG(FS), [VMX_GS] = VMX_SEG(GS),
	[VMX_LDTR] = VMX_SEG(LDTR), [VMX_TR] = VMX_SEG(TR),
};

/* The uapi's attribute layout is the VMX access-rights layout. */
static void vmx_seg_get(unsigned int seg, struct hvpart_segment *s)
{
	const struct vmx_seg_fields *f = &vmx_segs[seg];

	s->selector = vmcs_read(f->selector);
	s->base = vmcs_read(f->base);
	s->limit = vmcs_read(f->limit);
	s->attrib = vmcs_read32(f->ar) & HVPART_SEG_ATTR_MASK;
}

static void vmx_seg_set(unsigned int seg, const struct hvpart_segment *s)
{
	const struct vmx_seg_fields *f = &vmx_segs[seg];

	vmcs_write(f->selector, s->selector);
	vmcs_write(f->base, s->base);
	vmcs_write(f->limit, s->limit);
	vmcs_write(f->ar, s->attrib);
}

static const struct hvpart_segment *vmx_sregs_seg(const struct hvpart_sregs *s,
						  unsigned int seg)
{
	switch (seg) {
	case VMX_ES:
		return &s->es;
	case VMX_CS:
		return &s->cs;
	case VMX_SS:
		return &s->ss;
	case VMX_DS:
		return &s->ds;
	case VMX_FS:
		return &s->fs;
	case VMX_GS:
		return &s->gs;
	case VMX_LDTR:
		return &s->ldt;
	default:
		return &s->tr;
	}
}

void vmx_get_sregs(struct hvp_vp *vp, struct hvpart_sregs *s)
{
	struct vmx_vp *vmx = to_vmx_vp(vp);
	u64 cr0_mask;

	vmx_vmcs_get(vmx);
	vmx_seg_get(VMX_CS, &s->cs);
	vmx_seg_get(VMX_DS, &s->ds);
	vmx_seg_get(VMX_ES, &s->es);
	vmx_seg_get(VMX_FS, &s->fs);
	vmx_seg_get(VMX_GS, &s->gs);
	vmx_seg_get(VMX_SS, &s->ss);
	vmx_seg_get(VMX_TR, &s->tr);
	vmx_seg_get(VMX_LDTR, &s->ldt);
	s->gdt.base = vmcs_read(GUEST_GDTR_BASE);
	s->gdt.limit = vmcs_read(GUEST_GDTR_LIMIT);
	s->idt.base = vmcs_read(GUEST_IDTR_BASE);
	s->idt.limit = vmcs_read(GUEST_IDTR_LIMIT);
	/* Host-owned CR0 bits read as the guest last set them (the shadow). */
	cr0_mask = vmcs_read(CR0_GUEST_HOST_MASK);
	s->cr0 = (vmcs_read(GUEST_CR0) & ~cr0_mask) | (vmcs_read(CR0_READ_SHADOW) & cr0_mask);
	s->cr2 = vmx->cr2;
	s->cr3 = vmcs_read(GUEST_CR3);
	s->cr4 = vmcs_read(CR4_READ_SHADOW);
	s->efer = vmcs_read(GUEST_IA32_EFER);
	vmx_vmcs_put(vmx);
	s->cr8 = vmx->vapic[0x80] >> 4;
}

void vmx_get_mode_regs(struct hvp_vp *vp, struct hvpart_sregs *s)
{
	struct vmx_vp *vmx = to_vmx_vp(vp);
	u64 cr0_mask;

	vmx_vmcs_get(vmx);
	vmx_seg_get(VMX_CS, &s->cs);
	cr0_mask = vmcs_read(CR0_GUEST_HOST_MASK);
	s->cr0 = (vmcs_read(GUEST_CR0) & ~cr0_mask) | (vmcs_read(CR0_READ_SHADOW) & cr0_mask);
	s->efer = vmcs_read(GUEST_IA32_EFER);
	vmx_vmcs_put(vmx);
}

static bool vmx_is_canonical(u64 va)
{
	return (u64)((s64)(va << 16) >> 16) == va;
}

/*
 * Limit and granularity agree (SDM 27.3.1.2): limit bits 11:0 not all set
 * means byte granularity, any of bits 31:20 set means 4 KiB granularity.
 */
static bool vmx_limit_ok(const struct hvpart_segment *s)
{
	bool g = s->attrib & HVPART_SEG_G;

	if ((s->limit & 0xfff) != 0xfff && g)
		return false;
	if ((s->limit & 0xfff00000) && !g)
		return false;
	return true;
}

static unsigned int vmx_seg_type(const struct hvpart_segment *s)
{
	return s->attrib & HVPART_SEG_TYPE_MASK;
}

static unsigned int vmx_seg_dpl(const struct hvpart_segment *s)
{
	return (s->attrib >> HVPART_SEG_DPL_SHIFT) & 3;
}

static bool vmx_seg_usable(const struct hvpart_segment *s)
{
	return !(s->attrib & HVPART_SEG_UNUSABLE);
}

/* DS, ES, FS, GS (and a usable SS's common part), SDM 27.3.1.2. */
static bool vmx_data_seg_ok(const struct hvpart_segment *s, bool ia32e)
{
	unsigned int type = vmx_seg_type(s);

	if (!vmx_seg_usable(s))
		return true;
	if (!(type & 1) || ((type & 8) && !(type & 2)))	/* accessed; code readable */
		return false;
	if (!(s->attrib & HVPART_SEG_S) || !(s->attrib & HVPART_SEG_P) || !vmx_limit_ok(s))
		return false;
	return ia32e || !upper_32_bits(s->base);
}

/*
 * What VM entry checks of the guest state beyond the architectural rules of
 * hvp_sregs_check(), for a guest that is not in virtual-8086 mode with
 * unrestricted guest on (SDM 27.3.1.1, 27.3.1.2, 27.3.1.3). Anything here
 * would otherwise fail the next VM entry.
 */
static int vmx_sregs_check(const struct hvpart_sregs *s)
{
	bool ia32e = s->efer & EFER_LMA;
	bool pe = s->cr0 & X86_CR0_PE;
	unsigned int cs_type = vmx_seg_type(&s->cs), ss_dpl = vmx_seg_dpl(&s->ss);
	unsigned int seg;

	/* Control registers: VMX's fixed-0 bits; PCIDE only in IA-32e mode. */
	if ((s->cr0 & vmx_cr0_forbidden()) || (s->cr4 & vmx_cr4_forbidden()))
		return -EINVAL;
	if ((s->cr4 & X86_CR4_PCIDE) && !ia32e)
		return -EINVAL;
	if (s->cr3 >> boot_cpu_data.x86_phys_bits)
		return -EINVAL;
	/* IA-32e mode guest: EFER.LME too, and CR0.PG (hvp_sregs_check). */
	if (ia32e && !(s->efer & EFER_LME))
		return -EINVAL;

	/* TR: usable, a busy TSS (16-bit one only outside IA-32e), S=0. */
	if (!vmx_seg_usable(&s->tr) || (s->tr.selector & 4) ||
	    !(vmx_seg_type(&s->tr) == 11 || (!ia32e && vmx_seg_type(&s->tr) == 3)) ||
	    (s->tr.attrib & HVPART_SEG_S) || !(s->tr.attrib & HVPART_SEG_P) ||
	    !vmx_limit_ok(&s->tr) || !vmx_is_canonical(s->tr.base))
		return -EINVAL;
	/* LDTR: if usable, an LDT descriptor in the GDT. */
	if (vmx_seg_usable(&s->ldt) &&
	    ((s->ldt.selector & 4) || vmx_seg_type(&s->ldt) != 2 ||
	     (s->ldt.attrib & HVPART_SEG_S) || !(s->ldt.attrib & HVPART_SEG_P) ||
	     !vmx_limit_ok(&s->ldt) || !vmx_is_canonical(s->ldt.base)))
		return -EINVAL;

	/*
	 * CS: accessed code (9, 11, 13, 15) or, under unrestricted guest,
	 * accessed read/write data (3) with DPL 0. Non-conforming code has
	 * DPL = SS.DPL, conforming code DPL <= SS.DPL.
	 */
	if (!vmx_seg_usable(&s->cs) || !(s->cs.attrib & HVPART_SEG_S) ||
	    !(s->cs.attrib & HVPART_SEG_P) || !vmx_limit_ok(&s->cs) ||
	    upper_32_bits(s->cs.base))
		return -EINVAL;
	switch (cs_type) {
	case 3:
		if (vmx_seg_dpl(&s->cs))
			return -EINVAL;
		break;
	case 9:
	case 11:
		if (vmx_seg_dpl(&s->cs) != ss_dpl)
			return -EINVAL;
		break;
	case 13:
	case 15:
		if (vmx_seg_dpl(&s->cs) > ss_dpl)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (ia32e && (s->cs.attrib & HVPART_SEG_L) && (s->cs.attrib & HVPART_SEG_DB))
		return -EINVAL;

	/* SS: if usable, read/write data (3 or 7); DPL 0 in real mode. */
	if (vmx_seg_usable(&s->ss)) {
		if ((vmx_seg_type(&s->ss) != 3 && vmx_seg_type(&s->ss) != 7) ||
		    !vmx_data_seg_ok(&s->ss, ia32e))
			return -EINVAL;
	}
	if ((cs_type == 3 || !pe) && ss_dpl)
		return -EINVAL;

	for (seg = VMX_ES; seg <= VMX_GS; seg++) {
		const struct hvpart_segment *d = vmx_sregs_seg(s, seg);

		if (seg == VMX_CS || seg == VMX_SS)
			continue;
		if (!vmx_data_seg_ok(d, ia32e))
			return -EINVAL;
	}
	if (!vmx_is_canonical(s->fs.base) || !vmx_is_canonical(s->gs.base))
		return -EINVAL;
	if (!vmx_is_canonical(s->gdt.base) || !vmx_is_canonical(s->idt.base))
		return -EINVAL;
	return 0;
}

/*
 * With EPT, PAE paging outside IA-32e mode takes its four PDPTEs from the
 * VMCS at VM entry (SDM 27.3.2.4, 29.3.1), not from memory: load them as
 * the CPU would at a MOV to CR3.
 */
static int vmx_load_pdptrs(struct vmx_vp *vmx, u64 cr3)
{
	u64 pdpte[4];
	unsigned int i;

	if (hvp_gpa_read(vmx->vp.part, cr3 & GENMASK_ULL(31, 5), pdpte, sizeof(pdpte)))
		return -EINVAL;
	for (i = 0; i < 4; i++)
		vmcs_write(GUEST_PDPTR0 + i * 2, pdpte[i]);
	return 0;
}

int vmx_set_sregs(struct hvp_vp *vp, const struct hvpart_sregs *s)
{
	struct vmx_vp *vmx = to_vmx_vp(vp);
	bool pae_paging = (s->cr0 & X86_CR0_PG) && (s->cr4 & X86_CR4_PAE) &&
			  !(s->efer & EFER_LMA);
	u32 entry;
	int ret;

	ret = vmx_sregs_check(s);
	if (ret)
		return ret;

	vmx_vmcs_get(vmx);
	if (pae_paging) {
		ret = vmx_load_pdptrs(vmx, s->cr3);
		if (ret)
			goto out;
	}
	vmx_seg_set(VMX_CS, &s->cs);
	vmx_seg_set(VMX_DS, &s->ds);
	vmx_seg_set(VMX_ES, &s->es);
	vmx_seg_set(VMX_FS, &s->fs);
	vmx_seg_set(VMX_GS, &s->gs);
	vmx_seg_set(VMX_SS, &s->ss);
	vmx_seg_set(VMX_TR, &s->tr);
	vmx_seg_set(VMX_LDTR, &s->ldt);
	vmcs_write(GUEST_GDTR_BASE, s->gdt.base);
	vmcs_write(GUEST_GDTR_LIMIT, s->gdt.limit);
	vmcs_write(GUEST_IDTR_BASE, s->idt.base);
	vmcs_write(GUEST_IDTR_LIMIT, s->idt.limit);
	vmcs_write(GUEST_CR0, s->cr0 | vmx_cr0_forced());
	vmcs_write(CR0_READ_SHADOW, s->cr0);
	vmcs_write(GUEST_CR3, s->cr3);
	vmcs_write(GUEST_CR4, s->cr4 | vmx_cr4_forced());
	vmcs_write(CR4_READ_SHADOW, s->cr4);
	vmcs_write(GUEST_IA32_EFER, s->efer);
	entry = vmx->entry & ~VM_ENTRY_IA32E_MODE;
	if (s->efer & EFER_LMA)
		entry |= VM_ENTRY_IA32E_MODE;
	vmx_set_entry_ctls(vmx, entry);
	vmx->cr2 = s->cr2;
	vmx->vapic[0x80] = (s->cr8 & 0xf) << 4;
out:
	vmx_vmcs_put(vmx);
	return ret;
}

void vmx_set_cr4(struct hvp_vp *vp, u64 value)
{
	struct vmx_vp *vmx = to_vmx_vp(vp);

	vmx_vmcs_get(vmx);
	vmcs_write(GUEST_CR4, value | vmx_cr4_forced());
	vmcs_write(CR4_READ_SHADOW, value);
	vmx_vmcs_put(vmx);
}

/* ----------------------------------------------------------------------- */
/* MSRs held in the VMCS or the switch lists; -ENOENT for any other.        */
/* ----------------------------------------------------------------------- */

static int vmx_msr_field(u32 index)
{
	switch (index) {
	case MSR_IA32_SYSENTER_CS:
		return GUEST_SYSENTER_CS;
	case MSR_IA32_SYSENTER_ESP:
		return GUEST_SYSENTER_ESP;
	case MSR_IA32_SYSENTER_EIP:
		return GUEST_SYSENTER_EIP;
	case MSR_FS_BASE:
		return GUEST_FS_BASE;
	case MSR_GS_BASE:
		return GUEST_GS_BASE;
	case MSR_IA32_CR_PAT:
		return GUEST_IA32_PAT;
	default:
		return -1;
	}
}

static struct vmx_msr_entry *vmx_msr_switched(struct vmx_vp *vmx, u32 index)
{
	unsigned int i;

	for (i = 0; i < VMX_NR_SWITCHED_MSRS; i++)
		if (vmx_switched_msr_index[i] == index)
			return &vmx->msr_guest[i];
	return NULL;
}

int vmx_get_msr(struct hvp_vp *vp, u32 index, u64 *value)
{
	struct vmx_vp *vmx = to_vmx_vp(vp);
	struct vmx_msr_entry *m = vmx_msr_switched(vmx, index);
	int field = vmx_msr_field(index);

	if (m) {
		*value = m->value;
		return 0;
	}
	if (index != MSR_IA32_TSC && field < 0)
		return -ENOENT;
	vmx_vmcs_get(vmx);
	if (index == MSR_IA32_TSC)
		*value = rdtsc() + vmcs_read(TSC_OFFSET);
	else
		*value = vmcs_read(field);
	vmx_vmcs_put(vmx);
	return 0;
}

int vmx_set_msr(struct hvp_vp *vp, u32 index, u64 value)
{
	struct vmx_vp *vmx = to_vmx_vp(vp);
	struct vmx_msr_entry *m = vmx_msr_switched(vmx, index);
	int field = vmx_msr_field(index);

	if (m) {
		m->value = value;
		return 0;
	}
	if (index != MSR_IA32_TSC && field < 0)
		return -ENOENT;
	vmx_vmcs_get(vmx);
	if (index == MSR_IA32_TSC)
		vmcs_write(TSC_OFFSET, value - rdtsc());
	else
		vmcs_write(field, value);
	vmx_vmcs_put(vmx);
	return 0;
}
