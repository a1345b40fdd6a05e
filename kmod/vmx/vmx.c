// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VMX backend: detection, VMXON per CPU, where a VP's VMCS lives, the
 * world switch around vmenter.S and the decoding of VM exits into
 * vendor-neutral exits. The VMCS contents (controls, intercepts, guest
 * registers) are vmcs.c's; EPT and VPIDs are ept.c's and vpid.c's.
 *
 * Requirements (one clear line and -ENODEV without them): VMX not locked
 * off by firmware, EPT with 4-level walks, 2 MiB pages and INVEPT,
 * unrestricted guest (VPs start in real mode and run unpaged code; this
 * backend does not emulate those), the TPR shadow (guest CR8 without
 * exits), MSR bitmaps, and the load/save EFER and PAT controls. VPIDs are
 * used when present (module parameter vpid=0 turns them off).
 *
 * Where a VMCS lives. A VMCS must be VMCLEARed on the CPU where it is
 * active before it can be used on another (SDM 25.11.1). Rule here: a VP's
 * VMCS is only ever active on the CPU its thread runs on.
 *  - Outside HVPART_RUN_VP, every op that touches the VMCS makes it current
 *    with preemption off and VMCLEARs it again before preemption is back on.
 *  - During a RUN (vp_load .. vp_put) it stays active between entries so
 *    that VMRESUME and the CPU's VMCS cache do their job; a preempt
 *    notifier VMCLEARs it when the thread is scheduled out, on the CPU it
 *    is leaving, and vp_put VMCLEARs it when the RUN ends.
 * So moving to another CPU never needs an IPI, and nothing is left active
 * on a CPU once the ioctl returns. The cost is a VMCLEAR/VMPTRLD pair per
 * context switch of a running VP and per register ioctl, which is small
 * next to an IPI and keeps the state machine local to the VP.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <asm/apic.h>
#include <asm/cpu_entry_area.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/traps.h>
#include <asm/tsc.h>

#include "../arch_ops.h"
#include "../guest_mode.h"
#include "vmcs.h"
#include "vmx.h"

static bool vpid = true;
module_param(vpid, bool, 0444);
MODULE_PARM_DESC(vpid, "Use VMX VPIDs when the CPU has them (default on)");
/*
 * Silicon does not need this: external-interrupt exiting takes every host
 * interrupt out of the guest. Bochs 2.7 re-evaluates interrupt masking at
 * VM entry before it marks the CPU as in VMX non-root operation, so while
 * a guest runs with RFLAGS.IF=0 no interrupt ever exits; the Bochs lab
 * bounds every stay in the guest with the VMX-preemption timer instead.
 */
static unsigned int preemption_timer_us;
module_param(preemption_timer_us, uint, 0444);
MODULE_PARM_DESC(preemption_timer_us,
		 "Exit the guest at least every this many microseconds (VMX-preemption timer; 0: off, the default)");

struct vmx_caps vmx_caps __ro_after_init;

static DEFINE_PER_CPU(struct vmx_cpu, vmx_cpus);

/* Exit reasons <asm/vmx.h> does not name. */
#define VMX_EXIT_GETSEC		11
#define VMX_EXIT_RSM		17

/* A VMfail of VMLAUNCH/VMRESUME, as hw_code of HVP_EXIT_ENTRY_FAILED. */
#define VMX_HW_CODE_VMFAIL	0xffffffffULL

void vmx_vmread_error(unsigned long field)
{
	WARN_ONCE(1, "hvpart: vmread of field %#lx failed\n", field);
}

void vmx_vmwrite_error(unsigned long field, u64 value)
{
	u64 err = 0;

	/* A VMfailValid leaves the reason in the current VMCS. */
	asm volatile("vmread %1, %0" : "=rm"(err) : "r"((unsigned long)VM_INSTRUCTION_ERROR)
		     : "cc");
	WARN_ONCE(1, "hvpart: vmwrite of field %#lx value %#llx failed (error %llu)\n",
		  field, value, err);
}

void vmx_insn_error(const char *insn, u64 operand)
{
	WARN_ONCE(1, "hvpart: %s %#llx failed\n", insn, operand);
}

/* ----------------------------------------------------------------------- */
/* Detection and capabilities (SDM 24.6, 24.7, 24.8, appendix A).          */
/* ----------------------------------------------------------------------- */

/*
 * Controls from a capability MSR: bits 31:0 are the allowed 0-settings (a
 * 1 there means the control must be 1), bits 63:32 the allowed 1-settings.
 * @must1: controls this backend cannot work without; @opt: used if there;
 * @must0: controls whose exits this backend does not handle.
 */
static int vmx_adjust_ctls(const char *what, u32 msr, u32 must1, u32 opt, u32 must0,
			   u32 *result, u32 *allowed1_out)
{
	u64 cap;
	u32 allowed0, allowed1;

	rdmsrl(msr, cap);
	allowed0 = lower_32_bits(cap);
	allowed1 = upper_32_bits(cap);
	if (must1 & ~allowed1) {
		pr_err("CPU lacks VMX %s control(s) %#x; cannot run partitions\n", what,
		       must1 & ~allowed1);
		return -ENODEV;
	}
	if (must0 & allowed0) {
		pr_err("CPU forces VMX %s control(s) %#x on; cannot run partitions\n", what,
		       must0 & allowed0);
		return -ENODEV;
	}
	*result = allowed0 | must1 | (opt & allowed1);
	if (allowed1_out)
		*allowed1_out = allowed1;
	return 0;
}

static int vmx_caps_controls(void)
{
	bool true_ctls = vmx_caps.basic & VMX_BASIC_TRUE_CTLS;
	u32 proc2_allowed1;
	int ret;

	/*
	 * Host interrupts and NMIs exit, so the host stays in charge. The
	 * preemption timer only on request (preemption_timer_us).
	 */
	ret = vmx_adjust_ctls("pin-based",
			      true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
					  MSR_IA32_VMX_PINBASED_CTLS,
			      PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING |
			      (preemption_timer_us ? PIN_BASED_VMX_PREEMPTION_TIMER : 0), 0,
			      (preemption_timer_us ? 0 : PIN_BASED_VMX_PREEMPTION_TIMER) |
			      PIN_BASED_POSTED_INTR,
			      &vmx_caps.pin, NULL);
	if (ret)
		return ret;
	if (preemption_timer_us) {
		/* It counts down once per 2^(IA32_VMX_MISC[4:0]) TSC ticks (25.5.1). */
		u64 ticks = ((u64)preemption_timer_us * tsc_khz / 1000) >>
			    vmx_misc_preemption_timer_rate(vmx_caps.misc);

		vmx_caps.preemption_ticks = clamp_t(u64, ticks, 1, U32_MAX);
	}

	/*
	 * Primary controls; each exit's reason is in vmcs.c. The CR3 and
	 * CR8 exits, INVLPG, RDTSC, PAUSE and monitor-trap exits are not
	 * handled by the core and must be clear (EPT and the TPR shadow make
	 * them unnecessary).
	 */
	ret = vmx_adjust_ctls("processor-based",
			      true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
					  MSR_IA32_VMX_PROCBASED_CTLS,
			      CPU_BASED_HLT_EXITING | CPU_BASED_MWAIT_EXITING |
			      CPU_BASED_RDPMC_EXITING | CPU_BASED_TPR_SHADOW |
			      CPU_BASED_MOV_DR_EXITING | CPU_BASED_UNCOND_IO_EXITING |
			      CPU_BASED_USE_MSR_BITMAPS | CPU_BASED_MONITOR_EXITING |
			      CPU_BASED_ACTIVATE_SECONDARY_CONTROLS |
			      CPU_BASED_USE_TSC_OFFSETTING,
			      0,
			      CPU_BASED_CR3_LOAD_EXITING | CPU_BASED_CR3_STORE_EXITING |
			      CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING |
			      CPU_BASED_INVLPG_EXITING | CPU_BASED_RDTSC_EXITING |
			      CPU_BASED_PAUSE_EXITING | CPU_BASED_MONITOR_TRAP_FLAG |
			      CPU_BASED_NMI_WINDOW_EXITING | CPU_BASED_INTR_WINDOW_EXITING |
			      CPU_BASED_USE_IO_BITMAPS | CPU_BASED_ACTIVATE_TERTIARY_CONTROLS,
			      &vmx_caps.proc, &vmx_caps.proc_allowed1);
	if (ret)
		return ret;
	if (!(vmx_caps.proc_allowed1 & CPU_BASED_INTR_WINDOW_EXITING)) {
		pr_err("CPU lacks VMX interrupt-window exiting; cannot run partitions\n");
		return -ENODEV;
	}

	/*
	 * Secondary controls (no TRUE MSR; allowed-0 is all zeros). RDTSCP,
	 * XSAVES, user wait/pause stay off so that those instructions #UD,
	 * matching the CPUID the guest sees; INVPCID is enabled where
	 * possible because CPUID may offer it.
	 */
	ret = vmx_adjust_ctls("secondary", MSR_IA32_VMX_PROCBASED_CTLS2,
			      SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_UNRESTRICTED_GUEST,
			      SECONDARY_EXEC_ENABLE_VPID | SECONDARY_EXEC_WBINVD_EXITING |
			      SECONDARY_EXEC_ENABLE_INVPCID,
			      SECONDARY_EXEC_ENABLE_RDTSCP | SECONDARY_EXEC_XSAVES |
			      SECONDARY_EXEC_ENABLE_USR_WAIT_PAUSE |
			      SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES |
			      SECONDARY_EXEC_DESC | SECONDARY_EXEC_ENABLE_PML,
			      &vmx_caps.proc2, &proc2_allowed1);
	if (ret)
		return ret;

	/*
	 * VM exit: 64-bit host; the guest's EFER and PAT are saved and the
	 * host's loaded. Interrupts are not acknowledged on exit: they stay
	 * pending in the local APIC and are taken when run.c enables them.
	 */
	ret = vmx_adjust_ctls("VM-exit",
			      true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS,
			      VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_SAVE_IA32_PAT |
			      VM_EXIT_LOAD_IA32_PAT | VM_EXIT_SAVE_IA32_EFER |
			      VM_EXIT_LOAD_IA32_EFER,
			      0,
			      VM_EXIT_ACK_INTR_ON_EXIT | VM_EXIT_SAVE_VMX_PREEMPTION_TIMER |
			      VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL,
			      &vmx_caps.exit, NULL);
	if (ret)
		return ret;

	/* VM entry: the guest's EFER and PAT; IA-32e mode follows EFER.LMA. */
	ret = vmx_adjust_ctls("VM-entry",
			      true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS,
			      VM_ENTRY_LOAD_IA32_PAT | VM_ENTRY_LOAD_IA32_EFER, 0,
			      VM_ENTRY_SMM | VM_ENTRY_DEACT_DUAL_MONITOR |
			      VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL,
			      &vmx_caps.entry, &vmx_caps.entry_allowed1);
	if (ret)
		return ret;
	if (!(vmx_caps.entry_allowed1 & VM_ENTRY_IA32E_MODE)) {
		pr_err("CPU lacks VMX IA-32e mode guests; cannot run partitions\n");
		return -ENODEV;
	}
	vmx_caps.entry &= ~VM_ENTRY_IA32E_MODE;
	return 0;
}

int vmx_caps_read(void)
{
	u32 size;

	rdmsrl(MSR_IA32_VMX_BASIC, vmx_caps.basic);
	vmx_caps.revision_id = vmx_basic_vmcs_revision_id(vmx_caps.basic);
	size = vmx_basic_vmcs_size(vmx_caps.basic);
	/* Bit 48: VMX structures limited to 32-bit physical addresses. */
	if (!size || size > PAGE_SIZE || (vmx_caps.basic & VMX_BASIC_64)) {
		pr_err("unsupported VMX region layout (IA32_VMX_BASIC %#llx)\n", vmx_caps.basic);
		return -ENODEV;
	}
	vmx_caps.region_size = size;
	rdmsrl(MSR_IA32_VMX_MISC, vmx_caps.misc);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, vmx_caps.cr0_fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, vmx_caps.cr0_fixed1);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, vmx_caps.cr4_fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, vmx_caps.cr4_fixed1);
	return vmx_caps_controls();
}

static int vmx_hardware_check(void)
{
	u64 feat;
	int ret;

	if (boot_cpu_data.x86_vendor != X86_VENDOR_INTEL &&
	    boot_cpu_data.x86_vendor != X86_VENDOR_CENTAUR &&
	    boot_cpu_data.x86_vendor != X86_VENDOR_ZHAOXIN)
		return -EOPNOTSUPP;
	if (!(cpuid_ecx(1) & BIT(5))) {
		pr_err("CPU lacks Intel VMX; cannot run partitions\n");
		return -ENODEV;
	}
	/* SDM 24.7: VMXON outside SMX needs the lock and that enable bit. */
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &feat) ||
	    !(feat & FEAT_CTL_LOCKED) || !(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("VMX is disabled by firmware (IA32_FEATURE_CONTROL %#llx); enable it in the BIOS\n",
		       feat);
		return -ENODEV;
	}
	ret = vmx_caps_read();
	if (ret)
		return ret;
	rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, vmx_caps.ept_vpid);
	ret = vmx_ept_check();
	if (ret)
		return ret;
	return vmx_vpid_check(vpid);
}

static u32 vmx_hw_assists(void)
{
	return vmx_caps.vpid ? HVPART_ASSIST_VPID : 0;
}

/* ----------------------------------------------------------------------- */
/* VMX operation per CPU (SDM 24.7, 24.8).                                   */
/* ----------------------------------------------------------------------- */

static void vmx_cpu_pages_free(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpus, cpu);

		if (vc->vmxon_region)
			free_page((unsigned long)vc->vmxon_region);
		vc->vmxon_region = NULL;
	}
}

static struct preempt_ops vmx_preempt_ops;

static int vmx_hardware_setup(void)
{
	int cpu, ret;

	ret = vmx_msr_bitmap_alloc();
	if (ret)
		return ret;
	for_each_possible_cpu(cpu) {
		struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpus, cpu);
		struct page *page;

		page = alloc_pages_node(cpu_to_node(cpu), GFP_KERNEL | __GFP_ZERO, 0);
		if (!page) {
			vmx_cpu_pages_free();
			vmx_msr_bitmap_free();
			return -ENOMEM;
		}
		vc->vmxon_region = page_address(page);
		vc->vmxon_pa = page_to_phys(page);
		*(u32 *)vc->vmxon_region = vmx_caps.revision_id;
	}
	preempt_notifier_inc();
	return 0;
}

static void vmx_hardware_unsetup(void)
{
	preempt_notifier_dec();
	vmx_cpu_pages_free();
	vmx_msr_bitmap_free();
}

static int vmx_cpu_enable(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpus);
	unsigned long cr0, cr4;

	cr4 = cr4_read_shadow();
	if (cr4 & X86_CR4_VMXE) {
		/* Another hypervisor (e.g. kvm_intel with a VM) owns VMX here. */
		pr_err("VMX is in use by another hypervisor on CPU %d (CR4.VMXE set); unload it first\n",
		       smp_processor_id());
		return -EBUSY;
	}
	/* CR0 and CR4 must hold VMX's fixed bits (SDM 24.8). */
	cr0 = read_cr0();
	if ((cr0 & vmx_caps.cr0_fixed0) != vmx_caps.cr0_fixed0 ||
	    (cr0 & ~vmx_caps.cr0_fixed1) ||
	    ((cr4 | X86_CR4_VMXE) & ~vmx_caps.cr4_fixed1) ||
	    ((cr4 | X86_CR4_VMXE) & vmx_caps.cr4_fixed0) != vmx_caps.cr4_fixed0) {
		pr_err("CPU %d: CR0 %#lx / CR4 %#lx do not meet VMX's fixed bits\n",
		       smp_processor_id(), cr0, cr4);
		return -ENODEV;
	}
	cr4_set_bits(X86_CR4_VMXE);
	if (!vmx_vmxon(vc->vmxon_pa)) {
		cr4_clear_bits(X86_CR4_VMXE);
		pr_err("VMXON failed on CPU %d\n", smp_processor_id());
		return -EBUSY;
	}
	vc->vmx_on = true;
	vc->current_vmcs = NULL;
	return 0;
}

static void vmx_cpu_disable(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpus);

	if (!vc->vmx_on)
		return;
	vmx_vmxoff();
	cr4_clear_bits(X86_CR4_VMXE);
	vc->vmx_on = false;
	vc->current_vmcs = NULL;
}

/* ----------------------------------------------------------------------- */
/* Where the VMCS lives (see the top of this file).                          */
/* ----------------------------------------------------------------------- */

static void vmx_vmcs_clear_local(struct vmx_vp *vmx)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpus);

	if (vmx->active_cpu < 0)
		return;
	WARN_ON_ONCE(vmx->active_cpu != smp_processor_id());
	vmx_vmclear(vmx->vmcs_pa);
	if (vc->current_vmcs == vmx)
		vc->current_vmcs = NULL;
	vmx->active_cpu = -1;
	vmx->launched = false;
}

/* Host state that differs per CPU (SDM 26.2.3, 26.2.4; KVM does the same). */
static void vmx_vmcs_set_host_cpu_state(struct vmx_vp *vmx, int cpu)
{
	struct desc_ptr idt;
	u64 msr;

	vmcs_write(HOST_TR_BASE, (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
	vmcs_write(HOST_GDTR_BASE, (unsigned long)get_current_gdt_ro());
	store_idt(&idt);
	vmcs_write(HOST_IDTR_BASE, idt.address);
	/* In the kernel GS.base is this CPU's per-CPU area. */
	rdmsrl(MSR_GS_BASE, msr);
	vmcs_write(HOST_GS_BASE, msr);
	rdmsrl(MSR_IA32_SYSENTER_CS, msr);
	vmcs_write(HOST_IA32_SYSENTER_CS, msr);
	rdmsrl(MSR_IA32_SYSENTER_ESP, msr);
	vmcs_write(HOST_IA32_SYSENTER_ESP, msr);
	rdmsrl(MSR_IA32_SYSENTER_EIP, msr);
	vmcs_write(HOST_IA32_SYSENTER_EIP, msr);
	rdmsrl(MSR_IA32_CR_PAT, msr);
	vmcs_write(HOST_IA32_PAT, msr);
	rdmsrl(MSR_EFER, msr);
	vmcs_write(HOST_IA32_EFER, msr);
	vmcs_write(HOST_CR0, read_cr0());
	/* The SYSCALL targets are the same on every CPU but cheap to reread. */
	rdmsrl(MSR_STAR, vmx->msr_host[VMX_MSR_STAR].value);
	rdmsrl(MSR_LSTAR, vmx->msr_host[VMX_MSR_LSTAR].value);
	rdmsrl(MSR_CSTAR, vmx->msr_host[VMX_MSR_CSTAR].value);
	rdmsrl(MSR_SYSCALL_MASK, vmx->msr_host[VMX_MSR_SFMASK].value);
	vmx->host_cpu = cpu;
}

/* Make the VMCS current on this CPU; preemption must be off. */
static void vmx_vmcs_activate(struct vmx_vp *vmx)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpus);
	int cpu = smp_processor_id();

	if (vmx->active_cpu != cpu) {
		/* The rule: never active on another CPU (sched-out cleared it). */
		WARN_ON_ONCE(vmx->active_cpu >= 0);
		vmx->active_cpu = cpu;
		vmx->launched = false;
		vc->current_vmcs = NULL;
	}
	if (vc->current_vmcs != vmx) {
		vmx_vmptrld(vmx->vmcs_pa);
		vc->current_vmcs = vmx;
		/*
		 * Another VP (maybe another partition's) ran here last: it must
		 * not steer this one's indirect branches (KVM does the same).
		 */
		if (vc->last_vp != vmx) {
			indirect_branch_prediction_barrier();
			vc->last_vp = vmx;
		}
	}
	if (vmx->host_cpu != cpu)
		vmx_vmcs_set_host_cpu_state(vmx, cpu);
}

void vmx_vmcs_get(struct vmx_vp *vmx)
{
	preempt_disable();
	vmx_vmcs_activate(vmx);
}

void vmx_vmcs_put(struct vmx_vp *vmx)
{
	if (!vmx->in_run)
		vmx_vmcs_clear_local(vmx);
	preempt_enable();
}

static void vmx_sched_in(struct preempt_notifier *pn, int cpu)
{
}

/* The VP's thread leaves this CPU: its VMCS must not stay active here. */
static void vmx_sched_out(struct preempt_notifier *pn, struct task_struct *next)
{
	vmx_vmcs_clear_local(container_of(pn, struct vmx_vp, preempt));
}

static struct preempt_ops vmx_preempt_ops = {
	.sched_in	= vmx_sched_in,
	.sched_out	= vmx_sched_out,
};

static void vmx_vp_load(struct hvp_vp *vp)
{
	struct vmx_vp *vmx = to_vmx_vp(vp);

	preempt_disable();
	preempt_notifier_register(&vmx->preempt);
	vmx->in_run = true;
	preempt_enable();
}

static void vmx_vp_put(struct hvp_vp *vp)
{
	struct vmx_vp *vmx = to_vmx_vp(vp);

	preempt_disable();
	vmx_vmcs_clear_local(vmx);
	vmx->in_run = false;
	preempt_notifier_unregister(&vmx->preempt);
	preempt_enable();
}

/* ----------------------------------------------------------------------- */
/* VPs.                                                                      */
/* ----------------------------------------------------------------------- */

static int vmx_vp_create(struct hvp_vp *vp)
{
	struct vmx_vp *vmx = to_vmx_vp(vp);
	void *msr_page;

	BUILD_BUG_ON(offsetof(struct vmx_vp, vp) != 0);
	BUILD_BUG_ON(VMX_NR_SWITCHED_MSRS * sizeof(struct vmx_msr_entry) > VMX_MSR_HOST_OFFSET);

	vmx->vmcs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	msr_page = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	vmx->vapic = (u8 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vmx->vmcs || !msr_page || !vmx->vapic) {
		free_page((unsigned long)vmx->vmcs);
		free_page((unsigned long)msr_page);
		free_page((unsigned long)vmx->vapic);
		return -ENOMEM;
	}
	/* SDM 25.2: the first dword of a VMCS region is the revision id. */
	*(u32 *)vmx->vmcs = vmx_caps.revision_id;
	vmx->vmcs_pa = virt_to_phys(vmx->vmcs);
	vmx->msr_guest = msr_page;
	vmx->msr_host = msr_page + VMX_MSR_HOST_OFFSET;
	vmx->msr_pa = virt_to_phys(msr_page);
	vmx->vapic_pa = virt_to_phys(vmx->vapic);
	vmx->active_cpu = -1;
	vmx->host_cpu = -1;
	vmx->last_cpu = -1;
	vmx->vpid = vmx_vpid_alloc();
	vmx->eptp = vmx_eptp(vp->part);
	vmx->ept_gen = atomic64_read(&vp->part->mem.tlb_gen);
	preempt_notifier_init(&vmx->preempt, &vmx_preempt_ops);

	/* VMCLEAR initializes a fresh VMCS ("clear" launch state, SDM 25.11.3). */
	preempt_disable();
	vmx_vmclear(vmx->vmcs_pa);
	vmx_vmcs_activate(vmx);
	vmx_vmcs_init(vmx);
	vmx_vmcs_clear_local(vmx);
	preempt_enable();
	return 0;
}

static void vmx_vp_free(struct hvp_vp *vp)
{
	struct vmx_vp *vmx = to_vmx_vp(vp);

	int cpu;

	/* Not in a RUN, so never left active anywhere. */
	WARN_ON_ONCE(vmx->active_cpu >= 0);
	/* A later VP may get this address: the IBPB above must still happen. */
	for_each_possible_cpu(cpu)
		cmpxchg(&per_cpu_ptr(&vmx_cpus, cpu)->last_vp, vmx, NULL);
	vmx_vpid_free(vmx->vpid);
	free_page((unsigned long)vmx->vmcs);
	free_page((unsigned long)vmx->msr_guest);
	free_page((unsigned long)vmx->vapic);
}

static void vmx_vp_reset(struct hvp_vp *vp)
{
	struct vmx_vp *vmx = to_vmx_vp(vp);

	vmx_vmcs_get(vmx);
	vmx_vmcs_reset(vmx);
	vmx_vmcs_put(vmx);
}

/* SDM 24.4.1: SS.DPL is the CPL, also in real mode under unrestricted guest. */
static int vmx_get_cpl(struct hvp_vp *vp)
{
	struct vmx_vp *vmx = to_vmx_vp(vp);
	u32 ar;

	vmx_vmcs_get(vmx);
	ar = vmcs_read32(GUEST_SS_AR_BYTES);
	vmx_vmcs_put(vmx);
	return VMX_AR_DPL(ar);
}

/* DR6 is not in the VMCS and #DB always exits: it is kept virtual. */
static u64 vmx_get_dr6(struct hvp_vp *vp)
{
	return to_vmx_vp(vp)->dr6;
}

static void vmx_set_dr6(struct hvp_vp *vp, u64 value)
{
	to_vmx_vp(vp)->dr6 = value;
}

static void vmx_flush_guest_tlb(struct hvp_vp *vp)
{
	to_vmx_vp(vp)->flush_pending = true;
}

/* ----------------------------------------------------------------------- */
/* Events (SDM 27.6 event injection, 25.4.2 interruptibility).               */
/* ----------------------------------------------------------------------- */

static void vmx_inject_exception(struct hvp_vp *vp, u8 vector, bool has_error, u32 error)
{
	struct vmx_vp *vmx = to_vmx_vp(vp);
	u32 info = vector | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_VALID_MASK;

	vmx_vmcs_get(vmx);
	/* Real mode has no error codes; VM entry refuses one (SDM 27.2.1.3). */
	if (has_error && (vmcs_read(GUEST_CR0) & X86_CR0_PE)) {
		info |= INTR_INFO_DELIVER_CODE_MASK;
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, error);
	}
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, info);
	vmx_vmcs_put(vmx);
}

static void vmx_clear_interrupt_shadow(struct hvp_vp *vp)
{
	struct vmx_vp *vmx = to_vmx_vp(vp);

	vmx_vmcs_get(vmx);
	vmcs_clear_bits(GUEST_INTERRUPTIBILITY_INFO,
			GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);
	vmx_vmcs_put(vmx);
}

static bool vmx_interrupt_allowed(struct hvp_vp *vp)
{
	struct vmx_vp *vmx = to_vmx_vp(vp);
	bool allowed;

	if (!(vp->rflags & X86_EFLAGS_IF))
		return false;
	vmx_vmcs_get(vmx);
	allowed = !(vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
		    (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)) &&
		  !(vmcs_read32(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID_MASK);
	vmx_vmcs_put(vmx);
	return allowed;
}

static void vmx_inject_interrupt(struct hvp_vp *vp, u8 vector)
{
	struct vmx_vp *vmx = to_vmx_vp(vp);

	vmx_vmcs_get(vmx);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD,
		   vector | INTR_TYPE_EXT_INTR | INTR_INFO_VALID_MASK);
	vmx_vmcs_put(vmx);
}

/* Interrupt-window exiting: exit as soon as the guest can take one (25.6.2). */
static void vmx_request_irq_window(struct hvp_vp *vp, bool enable)
{
	struct vmx_vp *vmx = to_vmx_vp(vp);
	u32 proc = enable ? vmx->proc | CPU_BASED_INTR_WINDOW_EXITING :
			    vmx->proc & ~CPU_BASED_INTR_WINDOW_EXITING;

	if (proc == vmx->proc)
		return;
	vmx->proc = proc;
	vmx_vmcs_get(vmx);
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, proc);
	vmx_vmcs_put(vmx);
}

/*
 * The TPR shadow: guest MOV to/from CR8 reads and writes VTPR (byte 0x80 of
 * the virtual-APIC page, TPR in bits 7:4) without exits; with a threshold
 * of 0 no TPR-below-threshold exit ever happens (SDM 30.1.2).
 */
#define VMX_VAPIC_TPR	0x80

static u8 vmx_get_tpr(struct hvp_vp *vp)
{
	return READ_ONCE(to_vmx_vp(vp)->vapic[VMX_VAPIC_TPR]) >> 4;
}

static void vmx_set_tpr(struct hvp_vp *vp, u8 tpr)
{
	WRITE_ONCE(to_vmx_vp(vp)->vapic[VMX_VAPIC_TPR], (tpr & 0xf) << 4);
}

/* ----------------------------------------------------------------------- */
/* The world switch.                                                         */
/* ----------------------------------------------------------------------- */

/*
 * Host state a VM exit does not restore the way Linux had it, saved once
 * per RUN: segment selectors (the VMCS host selectors are 0 for DS/ES/FS/GS,
 * as SDM 26.2.3 wants RPL 0 and TI 0), the FS base and the user GS base of
 * this thread, the LDT and DEBUGCTL (a VM exit clears it, SDM 28.5.1).
 * Restored after each exit only when not 0 (a 64-bit VMM normally has all
 * of them 0).
 */
static void vmx_save_host_thread_state(struct vmx_vp *vmx)
{
	savesegment(ds, vmx->host_ds);
	savesegment(es, vmx->host_es);
	savesegment(fs, vmx->host_fs);
	savesegment(gs, vmx->host_gs);
	asm volatile("sldt %0" : "=g"(vmx->host_ldt));
	rdmsrl(MSR_FS_BASE, vmx->host_fs_base);
	rdmsrl(MSR_KERNEL_GS_BASE, vmx->host_kernel_gs_base);
	vmx->host_debugctl = get_debugctlmsr();
	vmcs_write(HOST_FS_BASE, vmx->host_fs_base);
	vmx->msr_host[VMX_MSR_KERNEL_GS_BASE].value = vmx->host_kernel_gs_base;
}

static void vmx_restore_host_thread_state(struct vmx_vp *vmx)
{
	if (unlikely(vmx->host_debugctl))
		update_debugctlmsr(vmx->host_debugctl);
	if (unlikely(vmx->host_ldt))
		asm volatile("lldt %0" : : "rm"(vmx->host_ldt));
	if (unlikely(vmx->host_ds | vmx->host_es)) {
		loadsegment(ds, vmx->host_ds);
		loadsegment(es, vmx->host_es);
	}
	if (unlikely(vmx->host_fs)) {
		loadsegment(fs, vmx->host_fs);
		wrmsrl(MSR_FS_BASE, vmx->host_fs_base);
	}
	if (unlikely(vmx->host_gs)) {
		load_gs_index(vmx->host_gs);
		wrmsrl(MSR_KERNEL_GS_BASE, vmx->host_kernel_gs_base);
	}
	/*
	 * A VM exit leaves TR's limit at 0x67 and GDTR's at 0xffff (SDM
	 * 28.5.2): the I/O bitmap of an ioperm() task would be cut off, and
	 * selectors past the GDT would load garbage.
	 */
	invalidate_tss_limit();
	load_fixmap_gdt(smp_processor_id());
}

/* TLB maintenance before an entry (see ept.c and vpid.c for the rules). */
static void vmx_flush_before_entry(struct vmx_vp *vmx, int cpu)
{
	u64 gen = atomic64_read(&vmx->vp.part->mem.tlb_gen);

	if (vmx->last_cpu != cpu || vmx->ept_gen != gen) {
		vmx_ept_flush(vmx->eptp);
		vmx->ept_gen = gen;
		vmx->flush_pending = false;
	} else if (vmx->flush_pending) {
		vmx_vpid_flush(vmx->vpid);
		vmx->flush_pending = false;
	}
	vmx->last_cpu = cpu;
}

/* The world switch proper: nothing here may be instrumented. */
static noinstr int vmx_enter_exit(struct vmx_vp *vmx)
{
	int ret;

	hvp_guest_enter_irqoff();
	ret = hvp_vmx_vmenter(vmx->vp.gprs, vmx->launched);
	hvp_guest_exit_irqoff();
	return ret;
}

static void vmx_decode_exit(struct vmx_vp *vmx);

static void vmx_run(struct hvp_vp *vp)
{
	struct vmx_vp *vmx = to_vmx_vp(vp);
	int cpu = smp_processor_id();
	unsigned long cr3, cr4;
	bool switch_xcr0;
	u32 intr;
	int fail;

	vmx_vmcs_activate(vmx);
	vmx_flush_before_entry(vmx, cpu);
	vp->exit.injected = vmcs_read32(VM_ENTRY_INTR_INFO_FIELD);
	if (vp->host_state_stale) {
		vmx_save_host_thread_state(vmx);
		vp->host_state_stale = false;
	}
	/* CR3 changes with the mm and PTI; CR4 with e.g. TSD or PCE per task. */
	cr3 = __read_cr3();
	if (cr3 != vmx->host_cr3) {
		vmcs_write(HOST_CR3, cr3);
		vmx->host_cr3 = cr3;
	}
	cr4 = cr4_read_shadow();
	if (cr4 != vmx->host_cr4) {
		vmcs_write(HOST_CR4, cr4);
		vmx->host_cr4 = cr4;
	}

	vmcs_write(GUEST_RSP, vp->gprs[HVP_RSP]);
	vmcs_write(GUEST_RIP, vp->rip);
	vmcs_write(GUEST_RFLAGS, vp->rflags);
	/*
	 * VM entry checks (SDM 27.3.1.5): STI blocking needs RFLAGS.IF, and
	 * with STI or MOV-SS blocking a pending single-step must be recorded
	 * as pending debug exception BS when TF is set. Userspace may have
	 * changed RFLAGS since the exit that recorded the blocking.
	 */
	intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
	if ((intr & GUEST_INTR_STATE_STI) && !(vp->rflags & X86_EFLAGS_IF)) {
		intr &= ~GUEST_INTR_STATE_STI;
		vmcs_write(GUEST_INTERRUPTIBILITY_INFO, intr);
	}
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS,
		   ((intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)) &&
		    (vp->rflags & X86_EFLAGS_TF)) ? DR_STEP : 0);

	if (vmx_caps.preemption_ticks)
		vmcs_write(VMX_PREEMPTION_TIMER_VALUE, vmx_caps.preemption_ticks);
	if (native_read_cr2() != vmx->cr2)
		native_write_cr2(vmx->cr2);
	switch_xcr0 = (vp->cr4 & X86_CR4_OSXSAVE) && vp->xcr0 != hvp_host_xcr0;
	if (switch_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vp->xcr0);

	fail = vmx_enter_exit(vmx);

	if (switch_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, hvp_host_xcr0);
	vmx->cr2 = native_read_cr2();
	vmx_restore_host_thread_state(vmx);

	if (fail) {
		struct hvp_exit *e = &vp->exit;

		/* VMfailValid: the reason is in the VMCS; the guest never ran. */
		e->reason = HVP_EXIT_ENTRY_FAILED;
		e->hw_code = VMX_HW_CODE_VMFAIL;
		e->info1 = vmcs_read32(VM_INSTRUCTION_ERROR);
		e->info2 = vmx->launched;
		e->insn_len = 0;
		e->nr_insn_bytes = 0;
		return;
	}
	vmx->launched = true;
	vp->gprs[HVP_RSP] = vmcs_read(GUEST_RSP);
	vp->rip = vmcs_read(GUEST_RIP);
	vp->rflags = vmcs_read(GUEST_RFLAGS);
	vmx_decode_exit(vmx);
}

/* ----------------------------------------------------------------------- */
/* VM-exit decoding (SDM chapter 28 and appendix C for the reasons).        */
/* ----------------------------------------------------------------------- */

/*
 * An exit in the middle of delivering an event (e.g. an EPT violation
 * while pushing an exception frame) must deliver it again (SDM 28.2.4,
 * 27.6). Software interrupts and exceptions (INT n, INT3, INTO, INT1) are
 * not re-injected: RIP still points at the instruction, which runs again.
 */
static void vmx_reinject_event(void)
{
	u32 info = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	u32 type = info & INTR_INFO_INTR_TYPE_MASK;

	if (!(info & INTR_INFO_VALID_MASK) || type == INTR_TYPE_SOFT_INTR ||
	    type == INTR_TYPE_PRIV_SW_EXCEPTION || type == INTR_TYPE_SOFT_EXCEPTION)
		return;
	if (info & INTR_INFO_DELIVER_CODE_MASK)
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, vmcs_read32(IDT_VECTORING_ERROR_CODE));
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, info & ~INTR_INFO_UNBLOCK_NMI);
}

static void vmx_decode_exception_nmi(struct vmx_vp *vmx, struct hvp_exit *e)
{
	u32 info = vmcs_read32(VM_EXIT_INTR_INFO);
	u8 vector = info & INTR_INFO_VECTOR_MASK;

	if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR) {
		/* A host NMI arrived in the guest: raise it again for the host. */
		apic->send_IPI(smp_processor_id(), NMI_VECTOR);
		e->reason = HVP_EXIT_NOTHING;
		return;
	}
	if (vector == X86_TRAP_MC) {
		/* A machine check in the guest is the host's: run its handler. */
		asm volatile("int $" __stringify(X86_TRAP_MC));
		e->reason = HVP_EXIT_MACHINE_CHECK;
		return;
	}
	e->reason = HVP_EXIT_EXCEPTION;
	e->exc.vector = vector;
	e->exc.has_error = info & INTR_INFO_DELIVER_CODE_MASK;
	e->exc.error = e->exc.has_error ? vmcs_read32(VM_EXIT_INTR_ERROR_CODE) : 0;
	/*
	 * A #DB that exits leaves DR6 alone and reports its bits in the exit
	 * qualification (SDM 28.2.1): B0-B3, BD, BS go to the virtual DR6.
	 */
	if (vector == X86_TRAP_DB)
		vmx->dr6 = (vmx->dr6 & ~(u64)HVP_DR6_VOLATILE) | HVP_DR6_FIXED_1 |
			   (e->info1 & HVP_DR6_VOLATILE);
}

/* Exit qualification for I/O instructions (SDM table 28-5). */
static void vmx_decode_io(struct vmx_vp *vmx, struct hvp_exit *e)
{
	u64 q = e->info1;

	e->io.size = (q & 7) + 1;
	e->io.in = q & BIT(3);
	e->io.string = q & BIT(4);
	e->io.rep = q & BIT(5);
	e->io.port = q >> 16;
}

static void vmx_decode_msr(struct vmx_vp *vmx, struct hvp_exit *e)
{
	e->reason = e->hw_code == EXIT_REASON_MSR_WRITE ? HVP_EXIT_WRMSR : HVP_EXIT_RDMSR;
}

/* Exit qualification for control-register accesses (SDM table 28-3). */
static void vmx_decode_cr(struct vmx_vp *vmx, struct hvp_exit *e)
{
	u64 q = e->info1;
	unsigned int type = (q & CONTROL_REG_ACCESS_TYPE) >> 4;

	e->cr.reg = q & CONTROL_REG_ACCESS_NUM;
	/* 0: MOV to CR, 1: MOV from CR; CLTS (2) and LMSW (3) have no GPR. */
	e->cr.write = type != 1;
	e->cr.gpr = type <= 1 ? (q >> 8) & 0xf : -1;
	if (type >= 2)
		e->reason = HVP_EXIT_UNKNOWN;
}

/* Exit qualification for MOV DR (SDM table 28-4). */
static void vmx_decode_dr(struct vmx_vp *vmx, struct hvp_exit *e)
{
	u64 q = e->info1;

	e->cr.reg = q & DEBUG_REG_ACCESS_NUM;
	e->cr.write = !(q & DEBUG_REG_ACCESS_TYPE);
	e->cr.gpr = DEBUG_REG_ACCESS_REG(q);
}

/*
 * EPT violation qualification (SDM table 28-7): bits 2:0 the access; with
 * bit 7 (a linear address was being translated), bit 8 tells a final
 * translation from an access to the guest's own paging structures.
 */
static void vmx_decode_ept_violation(struct vmx_vp *vmx, struct hvp_exit *e)
{
	u64 q = e->info1;

	e->info2 = vmcs_read(GUEST_PHYSICAL_ADDRESS);
	e->slat.gpa = e->info2;
	e->slat.in_walk = (q & EPT_VIOLATION_GVA_IS_VALID) &&
			  !(q & EPT_VIOLATION_GVA_TRANSLATED);
	if (q & EPT_VIOLATION_ACC_INSTR)
		e->slat.access = HVPART_ACCESS_EXEC;
	else if (q & EPT_VIOLATION_ACC_WRITE)
		e->slat.access = HVPART_ACCESS_WRITE;
	else
		e->slat.access = HVPART_ACCESS_READ;
}

static void vmx_decode_ept_misconfig(struct vmx_vp *vmx, struct hvp_exit *e)
{
	e->info2 = vmcs_read(GUEST_PHYSICAL_ADDRESS);
	e->slat.gpa = e->info2;
}

/* A failed VM entry after the guest-state checks (SDM 27.8). */
static void vmx_decode_entry_failure(struct vmx_vp *vmx, struct hvp_exit *e)
{
	/* info1: basic reason (33, 34, 41); info2: exit qualification. */
	e->info2 = e->info1;
	e->info1 = e->hw_code & 0xffff;
}

struct vmx_exit_decoder {
	u8 reason;
	void (*decode)(struct vmx_vp *vmx, struct hvp_exit *e);
};

#define VMX_EXIT(code, why)		[code] = { HVP_EXIT_##why, NULL }
#define VMX_EXIT_DECODE(code, why, fn)	[code] = { HVP_EXIT_##why, fn }

static const struct vmx_exit_decoder vmx_exit_decoders[] = {
	VMX_EXIT_DECODE(EXIT_REASON_EXCEPTION_NMI, EXCEPTION, vmx_decode_exception_nmi),
	VMX_EXIT(EXIT_REASON_EXTERNAL_INTERRUPT, NOTHING),
	VMX_EXIT(EXIT_REASON_TRIPLE_FAULT, SHUTDOWN),
	VMX_EXIT(EXIT_REASON_INIT_SIGNAL, NOTHING),
	VMX_EXIT(EXIT_REASON_SIPI_SIGNAL, NOTHING),
	VMX_EXIT(EXIT_REASON_INTERRUPT_WINDOW, IRQ_WINDOW),
	VMX_EXIT(EXIT_REASON_CPUID, CPUID),
	VMX_EXIT(VMX_EXIT_GETSEC, INJECT_UD),
	VMX_EXIT(EXIT_REASON_HLT, HLT),
	VMX_EXIT(EXIT_REASON_INVD, SKIP),
	VMX_EXIT(EXIT_REASON_RDPMC, INJECT_GP),
	VMX_EXIT(VMX_EXIT_RSM, INJECT_UD),
	VMX_EXIT(EXIT_REASON_VMCALL, HYPERCALL),
	VMX_EXIT(EXIT_REASON_VMCLEAR, INJECT_UD),
	VMX_EXIT(EXIT_REASON_VMLAUNCH, INJECT_UD),
	VMX_EXIT(EXIT_REASON_VMPTRLD, INJECT_UD),
	VMX_EXIT(EXIT_REASON_VMPTRST, INJECT_UD),
	VMX_EXIT(EXIT_REASON_VMREAD, INJECT_UD),
	VMX_EXIT(EXIT_REASON_VMRESUME, INJECT_UD),
	VMX_EXIT(EXIT_REASON_VMWRITE, INJECT_UD),
	VMX_EXIT(EXIT_REASON_VMOFF, INJECT_UD),
	VMX_EXIT(EXIT_REASON_VMON, INJECT_UD),
	VMX_EXIT_DECODE(EXIT_REASON_CR_ACCESS, CR_ACCESS, vmx_decode_cr),
	VMX_EXIT_DECODE(EXIT_REASON_DR_ACCESS, DR_ACCESS, vmx_decode_dr),
	VMX_EXIT_DECODE(EXIT_REASON_IO_INSTRUCTION, IO, vmx_decode_io),
	VMX_EXIT_DECODE(EXIT_REASON_MSR_READ, RDMSR, vmx_decode_msr),
	VMX_EXIT_DECODE(EXIT_REASON_MSR_WRITE, WRMSR, vmx_decode_msr),
	VMX_EXIT(EXIT_REASON_MWAIT_INSTRUCTION, INJECT_UD),
	VMX_EXIT(EXIT_REASON_MONITOR_INSTRUCTION, INJECT_UD),
	VMX_EXIT_DECODE(EXIT_REASON_EPT_VIOLATION, SLAT_FAULT, vmx_decode_ept_violation),
	VMX_EXIT_DECODE(EXIT_REASON_EPT_MISCONFIG, SLAT_MISCONFIG, vmx_decode_ept_misconfig),
	VMX_EXIT(EXIT_REASON_PREEMPTION_TIMER, NOTHING),
	VMX_EXIT(EXIT_REASON_INVEPT, INJECT_UD),
	VMX_EXIT(EXIT_REASON_INVVPID, INJECT_UD),
	VMX_EXIT(EXIT_REASON_WBINVD, SKIP),
	VMX_EXIT(EXIT_REASON_XSETBV, XSETBV),
	VMX_EXIT(EXIT_REASON_VMFUNC, INJECT_UD),
};

static void vmx_decode_exit(struct vmx_vp *vmx)
{
	struct hvp_exit *e = &vmx->vp.exit;
	u32 full = vmcs_read32(VM_EXIT_REASON);
	u16 basic = full & 0xffff;
	const struct vmx_exit_decoder *d = NULL;

	e->hw_code = full;
	e->info1 = vmcs_read(EXIT_QUALIFICATION);
	e->info2 = 0;
	e->nr_insn_bytes = 0;
	/* Valid for exits caused by instructions (SDM 28.2.5); 0 otherwise. */
	e->insn_len = vmcs_read32(VM_EXIT_INSTRUCTION_LEN);

	if (full & VMX_EXIT_REASONS_FAILED_VMENTRY) {
		e->reason = basic == EXIT_REASON_MCE_DURING_VMENTRY ?
			    HVP_EXIT_MACHINE_CHECK : HVP_EXIT_ENTRY_FAILED;
		if (basic == EXIT_REASON_MCE_DURING_VMENTRY)
			asm volatile("int $" __stringify(X86_TRAP_MC));
		vmx_decode_entry_failure(vmx, e);
		return;
	}
	/* The CPU stores EFER.LMA into the "IA-32e mode guest" control (28.2). */
	vmx_set_entry_ctls(vmx, vmcs_read32(VM_ENTRY_CONTROLS));
	e->int_info = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	e->int_info_err = (e->int_info & VECTORING_INFO_DELIVER_CODE_MASK) ?
			  vmcs_read32(IDT_VECTORING_ERROR_CODE) : 0;
	vmx_reinject_event();

	if (basic < ARRAY_SIZE(vmx_exit_decoders) && vmx_exit_decoders[basic].reason)
		d = &vmx_exit_decoders[basic];
	e->reason = d ? d->reason : HVP_EXIT_UNKNOWN;
	if (d && d->decode)
		d->decode(vmx, e);
}

const struct hvp_arch_ops hvp_vmx_ops = {
	.name			= "vmx",
	.backend		= HVPART_BACKEND_VMX,
	.vp_size		= sizeof(struct vmx_vp),
	.slat_format		= &vmx_ept_format,
	.hw_assists		= vmx_hw_assists,
	.hardware_check		= vmx_hardware_check,
	.hardware_setup		= vmx_hardware_setup,
	.hardware_unsetup	= vmx_hardware_unsetup,
	.cpu_enable		= vmx_cpu_enable,
	.cpu_disable		= vmx_cpu_disable,
	.vp_create		= vmx_vp_create,
	.vp_free		= vmx_vp_free,
	.vp_reset		= vmx_vp_reset,
	.vp_load		= vmx_vp_load,
	.vp_put			= vmx_vp_put,
	.get_sregs		= vmx_get_sregs,
	.get_mode_regs		= vmx_get_mode_regs,
	.set_sregs		= vmx_set_sregs,
	.get_msr		= vmx_get_msr,
	.set_msr		= vmx_set_msr,
	.get_cpl		= vmx_get_cpl,
	.get_dr6		= vmx_get_dr6,
	.set_dr6		= vmx_set_dr6,
	.set_cr4		= vmx_set_cr4,
	.run			= vmx_run,
	.inject_exception	= vmx_inject_exception,
	.clear_interrupt_shadow	= vmx_clear_interrupt_shadow,
	.flush_guest_tlb	= vmx_flush_guest_tlb,
	.interrupt_allowed	= vmx_interrupt_allowed,
	.inject_interrupt	= vmx_inject_interrupt,
	.request_irq_window	= vmx_request_irq_window,
	.get_tpr		= vmx_get_tpr,
	.set_tpr		= vmx_set_tpr,
};
