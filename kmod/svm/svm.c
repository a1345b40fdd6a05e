// SPDX-License-Identifier: GPL-2.0
/*
 * AMD SVM backend: detection, per-CPU enable, the world switch and the
 * decoding of #VMEXIT codes into vendor-neutral exits.
 *
 * Optional assists (APM 15.7.1, 15.33): next-RIP save gives instruction
 * lengths, decode assists give operands and instruction bytes, flush-by-
 * ASID narrows TLB flushes, VMCB clean bits let the CPU skip reloading
 * unchanged state. Each is used when the CPU has it and may be turned off
 * with a read-only module parameter, so the paths taken on QEMU's TCG
 * (which has none of them) also run on silicon.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <asm/cpufeature.h>
#include <asm/desc.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/traps.h>

#include "../arch_ops.h"
#include "../guest_mode.h"
#include "svm.h"

static bool nrips = true;
module_param(nrips, bool, 0444);
MODULE_PARM_DESC(nrips, "Use SVM next-RIP save when the CPU has it (default on)");
static bool decode_assists = true;
module_param(decode_assists, bool, 0444);
MODULE_PARM_DESC(decode_assists, "Use SVM decode assists when the CPU has them (default on)");
static bool flush_by_asid = true;
module_param(flush_by_asid, bool, 0444);
MODULE_PARM_DESC(flush_by_asid, "Use SVM flush-by-ASID when the CPU has it (default on)");
static bool vmcb_clean = true;
module_param(vmcb_clean, bool, 0444);
MODULE_PARM_DESC(vmcb_clean, "Use SVM VMCB clean bits when the CPU has them (default on)");

bool svm_nrips, svm_decode_assists, svm_flush_by_asid, svm_vmcb_clean;
u32 svm_max_asid;

static DEFINE_PER_CPU(struct svm_cpu, svm_cpus);

static int svm_hardware_check(void)
{
	u32 eax, ebx, ecx, edx;
	u64 vm_cr;

	if (boot_cpu_data.x86_vendor != X86_VENDOR_AMD &&
	    boot_cpu_data.x86_vendor != X86_VENDOR_HYGON)
		return -EOPNOTSUPP;
	if (!boot_cpu_has(X86_FEATURE_SVM)) {
		pr_err("CPU lacks AMD SVM; cannot run partitions\n");
		return -ENODEV;
	}
	rdmsrl(MSR_VM_CR, vm_cr);
	if (vm_cr & SVM_VM_CR_SVM_DIS_MASK) {
		pr_err("SVM is disabled by firmware (VM_CR.SVMDIS); enable it in the BIOS\n");
		return -ENODEV;
	}
	if (!boot_cpu_has(X86_FEATURE_NPT)) {
		pr_err("CPU lacks SVM nested paging (NPT); cannot run partitions\n");
		return -ENODEV;
	}
	cpuid(0x8000000a, &eax, &ebx, &ecx, &edx);
	if (ebx < 2) {
		pr_err("CPU reports no usable SVM ASIDs\n");
		return -ENODEV;
	}
	svm_max_asid = ebx - 1;
	svm_nrips = nrips && boot_cpu_has(X86_FEATURE_NRIPS);
	svm_decode_assists = decode_assists && boot_cpu_has(X86_FEATURE_DECODEASSISTS);
	svm_flush_by_asid = flush_by_asid && boot_cpu_has(X86_FEATURE_FLUSHBYASID);
	svm_vmcb_clean = vmcb_clean && boot_cpu_has(X86_FEATURE_VMCBCLEAN);
	return 0;
}

static u32 svm_hw_assists(void)
{
	return (svm_nrips ? HVPART_ASSIST_NRIP_SAVE : 0) |
	       (svm_decode_assists ? HVPART_ASSIST_DECODE : 0) |
	       (svm_flush_by_asid ? HVPART_ASSIST_FLUSH_BY_ASID : 0) |
	       (svm_vmcb_clean ? HVPART_ASSIST_VMCB_CLEAN : 0);
}

/* The host's IDT address, the same on every CPU (svm_guest_state_is_host()). */
static unsigned long svm_host_idt_base;

static void svm_cpu_pages_free(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct svm_cpu *sc = per_cpu_ptr(&svm_cpus, cpu);

		if (sc->hsave)
			__free_page(sc->hsave);
		if (sc->host_save)
			free_page((unsigned long)sc->host_save);
		sc->hsave = NULL;
		sc->host_save = NULL;
	}
}

static int svm_hardware_setup(void)
{
	struct desc_ptr idt;
	int cpu, ret;

	store_idt(&idt);
	svm_host_idt_base = idt.address;
	ret = svm_perm_maps_alloc();
	if (ret)
		return ret;
	for_each_possible_cpu(cpu) {
		struct svm_cpu *sc = per_cpu_ptr(&svm_cpus, cpu);

		sc->hsave = alloc_pages_node(cpu_to_node(cpu), GFP_KERNEL | __GFP_ZERO, 0);
		sc->host_save = (struct vmcb *)get_zeroed_page(GFP_KERNEL);
		if (!sc->hsave || !sc->host_save) {
			svm_cpu_pages_free();
			svm_perm_maps_free();
			return -ENOMEM;
		}
		sc->host_save_pa = virt_to_phys(sc->host_save);
	}
	return 0;
}

static void svm_hardware_unsetup(void)
{
	svm_cpu_pages_free();
	svm_perm_maps_free();
}

static int svm_cpu_enable(void)
{
	struct svm_cpu *sc = this_cpu_ptr(&svm_cpus);
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME) {
		/* Another hypervisor (e.g. kvm_amd with a VM) owns SVM here. */
		pr_err("SVM is in use by another hypervisor on CPU %d (EFER.SVME set); unload it first\n",
		       smp_processor_id());
		return -EBUSY;
	}
	wrmsrl(MSR_VM_HSAVE_PA, page_to_phys(sc->hsave));
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	svm_asid_cpu_init(sc);
	sc->host_saved_for = NULL;
	sc->last_vmcb_pa = 0;
	return 0;
}

static void svm_cpu_disable(void)
{
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
	wrmsrl(MSR_VM_HSAVE_PA, 0);
}

static int svm_vp_create(struct hvp_vp *vp)
{
	struct svm_vp *svm = to_svm_vp(vp);

	BUILD_BUG_ON(offsetof(struct svm_vp, vp) != 0);
	svm->vmcb = (struct vmcb *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!svm->vmcb)
		return -ENOMEM;
	svm->vmcb_pa = virt_to_phys(svm->vmcb);
	svm->last_cpu = -1;
	svm->virq_vector = -1;
	svm_vmcb_init(svm);
	return 0;
}

static void svm_vp_free(struct hvp_vp *vp)
{
	struct svm_vp *svm = to_svm_vp(vp);
	int cpu;

	/* A later VP may get this address: forget any per-CPU claim on it. */
	for_each_possible_cpu(cpu) {
		struct svm_cpu *sc = per_cpu_ptr(&svm_cpus, cpu);

		cmpxchg(&sc->host_saved_for, svm, NULL);
		cmpxchg(&sc->last_vmcb_pa, svm->vmcb_pa, 0);
	}
	free_page((unsigned long)svm->vmcb);
}

static void svm_vp_reset(struct hvp_vp *vp)
{
	svm_vmcb_reset(to_svm_vp(vp));
}

static int svm_get_cpl(struct hvp_vp *vp)
{
	return to_svm_vp(vp)->vmcb->save.cpl;
}

static u64 svm_get_dr6(struct hvp_vp *vp)
{
	return to_svm_vp(vp)->vmcb->save.dr6;
}

static void svm_set_dr6(struct hvp_vp *vp, u64 value)
{
	struct svm_vp *svm = to_svm_vp(vp);

	svm->vmcb->save.dr6 = value;
	svm_mark_dirty(svm, BIT(SVM_CLEAN_DR));
}

static void svm_set_cr4(struct hvp_vp *vp, u64 value)
{
	struct svm_vp *svm = to_svm_vp(vp);

	svm->vmcb->save.cr4 = value;
	svm_mark_dirty(svm, BIT(SVM_CLEAN_CR));
}

static void svm_inject_exception(struct hvp_vp *vp, u8 vector, bool has_error, u32 error)
{
	struct vmcb_control_area *ctl = &to_svm_vp(vp)->vmcb->control;

	ctl->event_inj = vector | SVM_EVTINJ_TYPE_EXEPT | SVM_EVTINJ_VALID |
			 (has_error ? SVM_EVTINJ_VALID_ERR : 0);
	ctl->event_inj_err = error;
}

static void svm_clear_interrupt_shadow(struct hvp_vp *vp)
{
	to_svm_vp(vp)->vmcb->control.int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
}

static void svm_flush_guest_tlb(struct hvp_vp *vp)
{
	to_svm_vp(vp)->flush_pending = true;
}

static bool svm_interrupt_allowed(struct hvp_vp *vp)
{
	struct svm_vp *svm = to_svm_vp(vp);
	const struct vmcb_control_area *ctl = &svm->vmcb->control;

	return (vp->rflags & X86_EFLAGS_IF) && !(ctl->int_state & SVM_INTERRUPT_SHADOW_MASK) &&
	       !(ctl->event_inj & SVM_EVTINJ_VALID) && svm->virq_vector < 0;
}

/*
 * External interrupts go in as a virtual interrupt (V_IRQ, ignoring the
 * TPR: the local APIC already checked priority), which the CPU takes at
 * once since the core only injects when interrupt_allowed(). Not with
 * EVENTINJ: QEMU's SVM leaves an EVENTINJ interrupt pending as an
 * exception after VMRUN and can deliver it a second time (docs/lab.md).
 * svm_virq_complete() sees whether it was taken.
 */
static void svm_inject_interrupt(struct hvp_vp *vp, u8 vector)
{
	struct svm_vp *svm = to_svm_vp(vp);
	struct vmcb_control_area *ctl = &svm->vmcb->control;

	ctl->int_vector = vector;
	ctl->int_ctl &= ~V_INTR_PRIO_MASK;
	ctl->int_ctl |= V_IRQ_MASK | V_IGN_TPR_MASK | ((u32)(vector >> 4) << V_INTR_PRIO_SHIFT);
	/* An interrupt window left armed would intercept this one. */
	__clear_bit(INTERCEPT_VINTR, (unsigned long *)ctl->intercepts);
	svm->virq_vector = vector;
	svm_mark_dirty(svm, BIT(SVM_CLEAN_INTERCEPTS) | BIT(SVM_CLEAN_INTR));
}

/*
 * QEMU's SVM can run guest instructions before it takes a V_IRQ injected
 * with RFLAGS.IF set (it handles another interrupt request first), so a
 * guest may reach CLI; STI; HLT with one still pending: HLT must wake.
 */
static bool svm_interrupt_shadow(struct hvp_vp *vp)
{
	return to_svm_vp(vp)->vmcb->control.int_state & SVM_INTERRUPT_SHADOW_MASK;
}

static bool svm_injected_irq_pending(struct hvp_vp *vp)
{
	return to_svm_vp(vp)->virq_vector >= 0;
}

/*
 * After an exit: an injected V_IRQ the guest took is done; one whose
 * delivery the exit interrupted (EXITINTINFO names it; QEMU calls it an
 * exception) goes in again as V_IRQ, not through EVENTINJ; one not yet
 * taken stays pending.
 */
static void svm_virq_complete(struct svm_vp *svm)
{
	struct vmcb_control_area *ctl = &svm->vmcb->control;
	u32 info = ctl->exit_int_info;
	u32 type = info & SVM_EXITINTINFO_TYPE_MASK;

	if (svm->virq_vector < 0)
		return;
	if ((info & SVM_EXITINTINFO_VALID) &&
	    (info & SVM_EXITINTINFO_VEC_MASK) == svm->virq_vector &&
	    (type == SVM_EXITINTINFO_TYPE_INTR || type == SVM_EXITINTINFO_TYPE_EXEPT)) {
		ctl->exit_int_info = 0;
		svm_inject_interrupt(&svm->vp, svm->virq_vector);
		return;
	}
	if (!(ctl->int_ctl & V_IRQ_MASK)) {
		ctl->int_ctl &= ~(V_IGN_TPR_MASK | V_INTR_PRIO_MASK);
		svm->virq_vector = -1;
	}
}

/*
 * The interrupt window: a virtual interrupt (V_IRQ) that ignores the TPR
 * is pending, and taking it is intercepted (VINTR), so the guest exits as
 * soon as it could accept an interrupt (APM 15.21.4). Not while an
 * injected V_IRQ is pending: its delivery is the next chance anyway.
 */
static void svm_request_irq_window(struct hvp_vp *vp, bool enable)
{
	struct svm_vp *svm = to_svm_vp(vp);
	struct vmcb_control_area *ctl = &svm->vmcb->control;

	if (svm->virq_vector >= 0)
		return;
	if (enable) {
		ctl->int_ctl |= V_IRQ_MASK | V_IGN_TPR_MASK;
		__set_bit(INTERCEPT_VINTR, (unsigned long *)ctl->intercepts);
	} else {
		ctl->int_ctl &= ~(V_IRQ_MASK | V_IGN_TPR_MASK);
		__clear_bit(INTERCEPT_VINTR, (unsigned long *)ctl->intercepts);
	}
	svm_mark_dirty(svm, BIT(SVM_CLEAN_INTERCEPTS) | BIT(SVM_CLEAN_INTR));
}

/* With V_INTR_MASKING, guest CR8 writes land in V_TPR without an exit. */
static u8 svm_get_tpr(struct hvp_vp *vp)
{
	return to_svm_vp(vp)->vmcb->control.int_ctl & V_TPR_MASK;
}

static void svm_set_tpr(struct hvp_vp *vp, u8 tpr)
{
	struct svm_vp *svm = to_svm_vp(vp);
	struct vmcb_control_area *ctl = &svm->vmcb->control;

	ctl->int_ctl = (ctl->int_ctl & ~V_TPR_MASK) | (tpr & V_TPR_MASK);
	svm_mark_dirty(svm, BIT(SVM_CLEAN_INTR));
}

/*
 * An exit in the middle of delivering an event (e.g. a nested page fault
 * while pushing an exception frame) must deliver it again (APM 15.7.2).
 * Software interrupts and INT3/INTO are not re-injected: RIP still points
 * at the instruction, which simply runs again.
 */
static void svm_reinject_event(struct vmcb_control_area *ctl)
{
	u32 info = ctl->exit_int_info;
	u32 type = info & SVM_EXITINTINFO_TYPE_MASK;
	u8 vector = info & SVM_EXITINTINFO_VEC_MASK;

	ctl->event_inj = 0;
	if (!(info & SVM_EXITINTINFO_VALID) || type == SVM_EXITINTINFO_TYPE_SOFT ||
	    (type == SVM_EXITINTINFO_TYPE_EXEPT && (vector == X86_TRAP_BP || vector == X86_TRAP_OF)))
		return;
	/*
	 * No exception has vector 2 or 32 and up: such an "exception" is an
	 * NMI or interrupt that QEMU's SVM (7.2 and later) records with the
	 * exception type. Injected back as an exception, VMRUN would fail.
	 */
	if (type == SVM_EXITINTINFO_TYPE_EXEPT && (vector == X86_TRAP_NMI || vector >= 32)) {
		info &= ~(SVM_EXITINTINFO_TYPE_MASK | SVM_EXITINTINFO_VALID_ERR);
		info |= vector == X86_TRAP_NMI ? SVM_EXITINTINFO_TYPE_NMI :
						 SVM_EXITINTINFO_TYPE_INTR;
	}
	ctl->event_inj = info;
	ctl->event_inj_err = ctl->exit_int_info_err;
}

/* The world switch proper: nothing here may be instrumented. */
static noinstr void svm_enter_exit(struct svm_vp *svm, struct svm_cpu *sc)
{
	hvp_guest_enter_irqoff();
	/*
	 * With V_INTR_MASKING the host's RFLAGS.IF at VMRUN decides whether
	 * physical interrupts reach the CPU (and cause an exit) while the
	 * guest runs; GIF=0 keeps them held until STGI in the meantime.
	 */
	raw_local_irq_enable();
	amd_clear_divider();
	hvp_svm_vmrun(svm->vp.gprs, svm->vmcb_pa, sc->host_save_pa);
	raw_local_irq_disable();
	hvp_guest_exit_irqoff();
}

static void svm_decode_exit(struct svm_vp *svm);

/*
 * Give the host its XCR0 back. Silicon intercepts XSETBV (and exit.c
 * emulates it), but QEMU's TCG does not honour that intercept: if the
 * guest changed XCR0 behind our back, take its value as the guest's and
 * restore the host's, so the host never runs with a guest's XCR0.
 */
static void svm_restore_xcr0(struct hvp_vp *vp, bool switched)
{
	u64 expected = switched ? vp->xcr0 : hvp_host_xcr0;
	u64 now = xgetbv(XCR_XFEATURE_ENABLED_MASK);

	if (now != expected)
		vp->xcr0 = now;
	if (now != hvp_host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, hvp_host_xcr0);
}

/*
 * Does the VMCB's save area hold this host's state instead of the guest's?
 * Never on silicon, which only writes host state to VM_HSAVE_PA; seen under
 * QEMU's TCG SVM (docs/lab.md), where a VMCB was found holding the RIP VMRUN
 * had saved for the host, the host's CR3 and the host's IDT. Entering that
 * would run the host's context as the guest: report it instead.
 */
static bool svm_guest_state_is_host(const struct vmcb *vmcb, u64 rip)
{
	/* The VMRUN itself when QEMU fails it before loading the guest. */
	return rip == (unsigned long)hvp_svm_vmrun_insn ||
	       rip == (unsigned long)hvp_svm_vmrun_resume ||
	       (vmcb->save.idtr.base == svm_host_idt_base && vmcb->save.cr3 == __read_cr3());
}

/*
 * The last exit's code and information stay, for the report. The log
 * line says where the host state came from: compared with what VMRUN
 * last stored in each CPU's VM_HSAVE_PA page (docs/lab.md).
 */
static void svm_state_lost(struct hvp_vp *vp, const char *when)
{
	struct svm_vp *svm = to_svm_vp(vp);
	const struct vmcb_save_area *save = &svm->vmcb->save;
	u64 hsave_msr;
	int cpu;

	vp->exit.reason = HVP_EXIT_STATE_LOST;
	rdmsrl(MSR_VM_HSAVE_PA, hsave_msr);
	pr_warn_ratelimited("partition %u vp %u: VMCB guest state is the host's %s on CPU %d (last ran on CPU %d, exit %#x info %#llx %#llx, int_info %#x): rip %#llx rsp %#llx cr3 %#llx; VMCB at %#llx, VM_HSAVE_PA %#llx\n",
			    vp->part->id, vp->index, when, smp_processor_id(), svm->last_cpu,
			    svm->vmcb->control.exit_code, svm->vmcb->control.exit_info_1,
			    svm->vmcb->control.exit_info_2, svm->vmcb->control.exit_int_info,
			    save->rip, save->rsp, save->cr3, (u64)svm->vmcb_pa, hsave_msr);
	for_each_online_cpu(cpu) {
		struct page *hp = per_cpu_ptr(&svm_cpus, cpu)->hsave;
		const struct vmcb *h = page_address(hp);

		pr_warn_ratelimited("  CPU %d VM_HSAVE_PA page %#llx: rip %#llx rsp %#llx cr3 %#llx\n",
				    cpu, (u64)page_to_phys(hp), h->save.rip, h->save.rsp,
				    h->save.cr3);
	}
}

static void svm_run(struct hvp_vp *vp)
{
	struct svm_vp *svm = to_svm_vp(vp);
	struct svm_cpu *sc = this_cpu_ptr(&svm_cpus);
	struct vmcb *vmcb = svm->vmcb;
	int cpu = smp_processor_id();
	bool guest_xsave, switch_xcr0;

	if (unlikely(svm_guest_state_is_host(vmcb, vp->rip))) {
		svm_state_lost(vp, "before VMRUN");
		return;
	}
	svm_asid_prepare(svm, sc, cpu);

	/*
	 * VMRUN does not save the host's FS/GS/TR/LDTR, KernelGSBase, the
	 * SYSCALL and SYSENTER MSRs; VMSAVE them for the VMLOAD after the
	 * exit. They belong to this thread on this CPU, so they only need
	 * saving again after userspace ran or another VP used the page.
	 */
	if (vp->host_state_stale || sc->host_saved_for != svm) {
		asm volatile("vmsave %0" : : "a"(sc->host_save_pa) : "memory");
		sc->host_saved_for = svm;
		vp->host_state_stale = false;
	}

	vmcb->save.rax = vp->gprs[HVP_RAX];
	vmcb->save.rsp = vp->gprs[HVP_RSP];
	vmcb->save.rip = vp->rip;
	vmcb->save.rflags = vp->rflags;

	/* Cached VMCB state is only trusted on the CPU that last ran this VMCB. */
	if (svm_vmcb_clean && svm->last_cpu == cpu && sc->last_vmcb_pa == svm->vmcb_pa)
		vmcb->control.clean = SVM_CLEAN_ALL & ~(svm->dirty | SVM_CLEAN_NEVER);
	else
		vmcb->control.clean = 0;
	svm->last_cpu = cpu;
	sc->last_vmcb_pa = svm->vmcb_pa;

	guest_xsave = vp->cr4 & X86_CR4_OSXSAVE;
	switch_xcr0 = guest_xsave && vp->xcr0 != hvp_host_xcr0;
	vp->exit.injected = vmcb->control.event_inj;
	if (svm->virq_vector >= 0)
		vp->exit.injected = svm->virq_vector | SVM_EVTINJ_TYPE_INTR | SVM_EVTINJ_VALID;
	svm_clgi();
	if (switch_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vp->xcr0);
	svm_enter_exit(svm, sc);
	if (guest_xsave)
		svm_restore_xcr0(vp, switch_xcr0);
	svm_stgi();
	/* A pending host NMI was taken at STGI. */

	svm->dirty = 0;
	vp->gprs[HVP_RAX] = vmcb->save.rax;
	vp->gprs[HVP_RSP] = vmcb->save.rsp;
	vp->rip = vmcb->save.rip;
	vp->rflags = vmcb->save.rflags;

	/* A machine check in the guest is the host's: run its handler now. */
	if (vmcb->control.exit_code == SVM_EXIT_EXCP_BASE + X86_TRAP_MC)
		asm volatile("int $" __stringify(X86_TRAP_MC));

	vp->exit.int_info = vmcb->control.exit_int_info;
	vp->exit.int_info_err = vmcb->control.exit_int_info_err;
	svm_virq_complete(svm);
	svm_reinject_event(&vmcb->control);
	svm_decode_exit(svm);
	if (unlikely(svm_guest_state_is_host(vmcb, vp->rip)))
		svm_state_lost(vp, "after #VMEXIT");
}

/* ----------------------------------------------------------------------- */
/* #VMEXIT decoding (APM 15.9 onwards, and appendix C for the codes).        */
/* ----------------------------------------------------------------------- */

static void svm_decode_ioio(struct svm_vp *svm, struct hvp_exit *e)
{
	u64 info = e->info1;

	e->io.in = info & SVM_IOIO_TYPE_MASK;
	e->io.string = info & SVM_IOIO_STR_MASK;
	e->io.rep = info & SVM_IOIO_REP_MASK;
	e->io.size = (info & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT;	/* 1, 2, 4 */
	e->io.port = info >> 16;
	/* EXITINFO2 holds the next RIP even without nrip-save. */
	e->insn_len = e->info2 - svm->vp.rip;
}

static void svm_decode_msr(struct svm_vp *svm, struct hvp_exit *e)
{
	e->reason = e->info1 ? HVP_EXIT_WRMSR : HVP_EXIT_RDMSR;
}

/* Nested page fault error code (APM 15.25.6). */
#define SVM_NPF_WRITE		BIT_ULL(1)
#define SVM_NPF_RSVD		BIT_ULL(3)
#define SVM_NPF_FETCH		BIT_ULL(4)
#define SVM_NPF_IN_WALK		BIT_ULL(33)

static void svm_decode_npf(struct svm_vp *svm, struct hvp_exit *e)
{
	const struct vmcb_control_area *ctl = &svm->vmcb->control;

	if (e->info1 & SVM_NPF_RSVD) {
		e->reason = HVP_EXIT_SLAT_MISCONFIG;
		return;
	}
	e->slat.gpa = e->info2;
	e->slat.in_walk = e->info1 & SVM_NPF_IN_WALK;
	if (e->info1 & SVM_NPF_FETCH)
		e->slat.access = HVPART_ACCESS_EXEC;
	else if (e->info1 & SVM_NPF_WRITE)
		e->slat.access = HVPART_ACCESS_WRITE;
	else
		e->slat.access = HVPART_ACCESS_READ;
	if (svm_decode_assists && ctl->insn_len) {
		e->nr_insn_bytes = min_t(u8, ctl->insn_len, sizeof(e->insn_bytes));
		memcpy(e->insn_bytes, ctl->insn_bytes, e->nr_insn_bytes);
	}
}

static void svm_decode_cr_write(struct svm_vp *svm, struct hvp_exit *e)
{
	e->cr.reg = e->hw_code - SVM_EXIT_WRITE_CR0;
	e->cr.write = true;
	/* Decode assists: bit 63 says MOV (not LMSW/CLTS), bits 3:0 the GPR. */
	e->cr.gpr = (svm_decode_assists && (e->info1 & BIT_ULL(63))) ? e->info1 & 0xf : -1;
}

static void svm_decode_dr(struct svm_vp *svm, struct hvp_exit *e)
{
	e->cr.write = e->hw_code >= SVM_EXIT_WRITE_DR0;
	e->cr.reg = (e->hw_code - SVM_EXIT_READ_DR0) & 0xf;
	e->cr.gpr = svm_decode_assists ? e->info1 & 0xf : -1;
}

static void svm_decode_exception(struct svm_vp *svm, struct hvp_exit *e)
{
	u8 vector = e->hw_code - SVM_EXIT_EXCP_BASE;

	if (vector == X86_TRAP_MC) {
		e->reason = HVP_EXIT_MACHINE_CHECK;
		return;
	}
	e->exc.vector = vector;
	e->exc.has_error = vector == X86_TRAP_AC;
	e->exc.error = e->info1;
}

struct svm_exit_decoder {
	u8 reason;
	void (*decode)(struct svm_vp *svm, struct hvp_exit *e);
};

#define SVM_EXIT(code, why)		[code] = { HVP_EXIT_##why, NULL }
#define SVM_EXIT_DECODE(code, why, fn)	[code] = { HVP_EXIT_##why, fn }

static const struct svm_exit_decoder svm_exit_decoders[] = {
	SVM_EXIT_DECODE(SVM_EXIT_WRITE_CR4, CR_ACCESS, svm_decode_cr_write),
	SVM_EXIT_DECODE(SVM_EXIT_READ_DR0, DR_ACCESS, svm_decode_dr),
	SVM_EXIT_DECODE(SVM_EXIT_READ_DR1, DR_ACCESS, svm_decode_dr),
	SVM_EXIT_DECODE(SVM_EXIT_READ_DR2, DR_ACCESS, svm_decode_dr),
	SVM_EXIT_DECODE(SVM_EXIT_READ_DR3, DR_ACCESS, svm_decode_dr),
	SVM_EXIT_DECODE(SVM_EXIT_READ_DR4, DR_ACCESS, svm_decode_dr),
	SVM_EXIT_DECODE(SVM_EXIT_READ_DR5, DR_ACCESS, svm_decode_dr),
	SVM_EXIT_DECODE(SVM_EXIT_READ_DR6, DR_ACCESS, svm_decode_dr),
	SVM_EXIT_DECODE(SVM_EXIT_READ_DR7, DR_ACCESS, svm_decode_dr),
	SVM_EXIT_DECODE(SVM_EXIT_WRITE_DR0, DR_ACCESS, svm_decode_dr),
	SVM_EXIT_DECODE(SVM_EXIT_WRITE_DR1, DR_ACCESS, svm_decode_dr),
	SVM_EXIT_DECODE(SVM_EXIT_WRITE_DR2, DR_ACCESS, svm_decode_dr),
	SVM_EXIT_DECODE(SVM_EXIT_WRITE_DR3, DR_ACCESS, svm_decode_dr),
	SVM_EXIT_DECODE(SVM_EXIT_WRITE_DR4, DR_ACCESS, svm_decode_dr),
	SVM_EXIT_DECODE(SVM_EXIT_WRITE_DR5, DR_ACCESS, svm_decode_dr),
	SVM_EXIT_DECODE(SVM_EXIT_WRITE_DR6, DR_ACCESS, svm_decode_dr),
	SVM_EXIT_DECODE(SVM_EXIT_WRITE_DR7, DR_ACCESS, svm_decode_dr),
	SVM_EXIT_DECODE(SVM_EXIT_EXCP_BASE + X86_TRAP_DB, EXCEPTION, svm_decode_exception),
	SVM_EXIT_DECODE(SVM_EXIT_EXCP_BASE + X86_TRAP_AC, EXCEPTION, svm_decode_exception),
	SVM_EXIT_DECODE(SVM_EXIT_EXCP_BASE + X86_TRAP_MC, EXCEPTION, svm_decode_exception),
	SVM_EXIT(SVM_EXIT_INTR, NOTHING),
	SVM_EXIT(SVM_EXIT_NMI, NOTHING),
	SVM_EXIT(SVM_EXIT_SMI, NOTHING),
	SVM_EXIT(SVM_EXIT_INIT, NOTHING),
	SVM_EXIT(SVM_EXIT_VINTR, IRQ_WINDOW),
	SVM_EXIT(SVM_EXIT_FERR_FREEZE, NOTHING),
	SVM_EXIT(SVM_EXIT_RDPMC, INJECT_GP),
	SVM_EXIT(SVM_EXIT_CPUID, CPUID),
	SVM_EXIT(SVM_EXIT_RSM, INJECT_UD),
	SVM_EXIT(SVM_EXIT_INVD, SKIP),
	SVM_EXIT(SVM_EXIT_HLT, HLT),
	SVM_EXIT(SVM_EXIT_INVLPGA, INJECT_UD),
	SVM_EXIT_DECODE(SVM_EXIT_IOIO, IO, svm_decode_ioio),
	SVM_EXIT_DECODE(SVM_EXIT_MSR, RDMSR, svm_decode_msr),
	SVM_EXIT(SVM_EXIT_SHUTDOWN, SHUTDOWN),
	SVM_EXIT(SVM_EXIT_VMRUN, INJECT_UD),
	SVM_EXIT(SVM_EXIT_VMMCALL, HYPERCALL),
	SVM_EXIT(SVM_EXIT_VMLOAD, INJECT_UD),
	SVM_EXIT(SVM_EXIT_VMSAVE, INJECT_UD),
	SVM_EXIT(SVM_EXIT_STGI, INJECT_UD),
	SVM_EXIT(SVM_EXIT_CLGI, INJECT_UD),
	SVM_EXIT(SVM_EXIT_SKINIT, INJECT_UD),
	SVM_EXIT(SVM_EXIT_RDTSCP, INJECT_UD),
	SVM_EXIT(SVM_EXIT_WBINVD, SKIP),
	SVM_EXIT(SVM_EXIT_MONITOR, INJECT_UD),
	SVM_EXIT(SVM_EXIT_MWAIT, INJECT_UD),
	SVM_EXIT(SVM_EXIT_MWAIT_COND, INJECT_UD),
	SVM_EXIT(SVM_EXIT_XSETBV, XSETBV),
	SVM_EXIT(SVM_EXIT_RDPRU, INJECT_UD),
};

static void svm_decode_exit(struct svm_vp *svm)
{
	const struct vmcb_control_area *ctl = &svm->vmcb->control;
	struct hvp_exit *e = &svm->vp.exit;
	u64 code = ((u64)ctl->exit_code_hi << 32) | ctl->exit_code;
	const struct svm_exit_decoder *d = NULL;

	e->hw_code = code;
	e->info1 = ctl->exit_info_1;
	e->info2 = ctl->exit_info_2;
	e->nr_insn_bytes = 0;
	/* Valid only for intercepted instructions; 0 otherwise. */
	e->insn_len = (svm_nrips && ctl->next_rip) ? ctl->next_rip - svm->vp.rip : 0;

	/* QEMU 7.2 stores VMEXIT_INVALID zero-extended, as 0xffffffff. */
	if (code == (u64)SVM_EXIT_ERR || code == (u32)SVM_EXIT_ERR) {
		e->reason = HVP_EXIT_ENTRY_FAILED;
		return;
	}
	if (code == SVM_EXIT_NPF) {
		e->reason = HVP_EXIT_SLAT_FAULT;
		svm_decode_npf(svm, e);
		return;
	}
	if (code < ARRAY_SIZE(svm_exit_decoders))
		d = &svm_exit_decoders[code];
	e->reason = d ? d->reason : HVP_EXIT_UNKNOWN;
	if (!d)
		return;
	if (d->decode)
		d->decode(svm, e);
}

const struct hvp_arch_ops hvp_svm_ops = {
	.name			= "svm",
	.backend		= HVPART_BACKEND_SVM,
	.vp_size		= sizeof(struct svm_vp),
	.slat_format		= &svm_npt_format,
	.hw_assists		= svm_hw_assists,
	.hardware_check		= svm_hardware_check,
	.hardware_setup		= svm_hardware_setup,
	.hardware_unsetup	= svm_hardware_unsetup,
	.cpu_enable		= svm_cpu_enable,
	.cpu_disable		= svm_cpu_disable,
	.vp_create		= svm_vp_create,
	.vp_free		= svm_vp_free,
	.vp_reset		= svm_vp_reset,
	.get_sregs		= svm_get_sregs,
	.get_mode_regs		= svm_get_mode_regs,
	.set_sregs		= svm_set_sregs,
	.get_msr		= svm_get_msr,
	.set_msr		= svm_set_msr,
	.get_cpl		= svm_get_cpl,
	.get_dr6		= svm_get_dr6,
	.set_dr6		= svm_set_dr6,
	.set_cr4		= svm_set_cr4,
	.run			= svm_run,
	.inject_exception	= svm_inject_exception,
	.clear_interrupt_shadow	= svm_clear_interrupt_shadow,
	.flush_guest_tlb	= svm_flush_guest_tlb,
	.interrupt_allowed	= svm_interrupt_allowed,
	.inject_interrupt	= svm_inject_interrupt,
	.request_irq_window	= svm_request_irq_window,
	.injected_irq_pending	= svm_injected_irq_pending,
	.interrupt_shadow	= svm_interrupt_shadow,
	.get_tpr		= svm_get_tpr,
	.set_tpr		= svm_set_tpr,
};
