/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intel VMX backend: private types. Field encodings, control bits and exit
 * reasons come from the kernel's <asm/vmx.h>; Intel SDM vol. 3C, chapters
 * 24-33, is the reference for everything here.
 */
#ifndef HVP_VMX_H
#define HVP_VMX_H

#include <linux/preempt.h>
#include <asm/vmx.h>

#include "../hvpart.h"
#include "capabilities.h"

/*
 * MSRs that VMX does not switch but the guest may use without exits (the
 * MSR bitmap passes them through, as svm/vmcb.c does): the CPU loads the
 * guest's values from an MSR-load list at every VM entry, stores them back
 * at every VM exit and reloads the host's (SDM 25.7.2, 26.4, 28.4, 28.6).
 */
enum vmx_switched_msr {
	VMX_MSR_KERNEL_GS_BASE,
	VMX_MSR_STAR,
	VMX_MSR_LSTAR,
	VMX_MSR_CSTAR,
	VMX_MSR_SFMASK,
	VMX_NR_SWITCHED_MSRS,
};

/* The guest list (entry load, exit store) and the host list share a page. */
#define VMX_MSR_HOST_OFFSET	2048

struct vmx_vp {
	struct hvp_vp vp;	/* first: the core allocates ops.vp_size */
	void *vmcs;
	phys_addr_t vmcs_pa;
	struct vmx_msr_entry *msr_guest;
	struct vmx_msr_entry *msr_host;
	phys_addr_t msr_pa;
	u8 *vapic;		/* virtual-APIC page: the TPR shadow */
	phys_addr_t vapic_pa;

	/*
	 * Where the VMCS is active (loaded and not yet VMCLEARed), -1 if
	 * nowhere. Only ever the CPU the VP's thread runs on: see vmx.c.
	 */
	int active_cpu;
	bool launched;		/* VMRESUME, not VMLAUNCH (valid while active) */
	bool in_run;		/* between vp_load and vp_put */
	struct preempt_notifier preempt;

	int host_cpu;		/* CPU whose per-CPU host state the VMCS holds */
	int last_cpu;		/* CPU of the last entry, -1 before */
	u64 host_cr3, host_cr4;	/* as last written to the VMCS */
	/* Host state not restored by VM exit, saved per RUN (vmx.c). */
	u16 host_ds, host_es, host_fs, host_gs, host_ldt;
	u64 host_fs_base, host_kernel_gs_base, host_debugctl;

	u16 vpid;		/* 0: VPIDs not in use for this VP */
	u64 eptp;
	u64 ept_gen;		/* partition tlb_gen at our last INVEPT */
	bool flush_pending;	/* INVVPID before the next entry */

	u32 proc;		/* primary processor-based controls, as written */
	u32 entry;		/* VM-entry controls, as written */
	u64 cr2;		/* CR2 is not in the VMCS: switched by hand */
	u64 dr6;		/* virtual, as in the core's dr[] */
};

/* Per-CPU state, valid while VMX is on on the CPU. */
struct vmx_cpu {
	void *vmxon_region;
	phys_addr_t vmxon_pa;
	bool vmx_on;
	struct vmx_vp *current_vmcs;	/* the VMCS VMPTRLD made current */
	struct vmx_vp *last_vp;		/* whose VMCS was current here last */
};

static inline struct vmx_vp *to_vmx_vp(struct hvp_vp *vp)
{
	return container_of(vp, struct vmx_vp, vp);
}

/* vmx.c: make the VMCS current on this CPU (preemption off) and give it up. */
void vmx_vmcs_get(struct vmx_vp *vmx);
void vmx_vmcs_put(struct vmx_vp *vmx);

/* vmcs.c */
int vmx_msr_bitmap_alloc(void);
void vmx_msr_bitmap_free(void);
void vmx_vmcs_init(struct vmx_vp *vmx);
void vmx_vmcs_reset(struct vmx_vp *vmx);
void vmx_get_sregs(struct hvp_vp *vp, struct hvpart_sregs *s);
void vmx_get_mode_regs(struct hvp_vp *vp, struct hvpart_sregs *s);
int vmx_set_sregs(struct hvp_vp *vp, const struct hvpart_sregs *s);
int vmx_get_msr(struct hvp_vp *vp, u32 index, u64 *value);
int vmx_set_msr(struct hvp_vp *vp, u32 index, u64 value);
void vmx_set_cr4(struct hvp_vp *vp, u64 value);
void vmx_set_entry_ctls(struct vmx_vp *vmx, u32 entry);

/* ept.c */
extern const struct hvp_slat_format vmx_ept_format;
int vmx_ept_check(void);
u64 vmx_eptp(struct hvp_partition *part);
void vmx_ept_flush(u64 eptp);

/* vpid.c */
int vmx_vpid_check(bool wanted);
u16 vmx_vpid_alloc(void);
void vmx_vpid_free(u16 vpid);
void vmx_vpid_flush(u16 vpid);

/* vmenter.S: 0 after a VM exit, 1 when VMLAUNCH/VMRESUME failed. */
int hvp_vmx_vmenter(u64 *gprs, bool launched);
void hvp_vmx_vmexit(void);

#endif /* HVP_VMX_H */
