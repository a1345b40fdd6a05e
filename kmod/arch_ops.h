/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one interface between the vendor-neutral core and a backend
 * (svm/, vmx/). The core never asks which vendor it runs on; everything
 * that differs goes through this table, filled once per backend with
 * designated initializers. Members are listed in arch_ops_list.h.
 *
 * Context rules: run() is called with preemption and interrupts disabled
 * and must leave both so; all others run in process context with the VP's
 * mutex held (vp_*, get_*, set_*, inject_*) or at load/unload and CPU
 * hotplug (hardware_*, cpu_*). Between vp_load() and vp_put() the VP's
 * thread is inside HVPART_RUN_VP and may be preempted or migrate between
 * entries.
 */
#ifndef HVP_ARCH_OPS_H
#define HVP_ARCH_OPS_H

#include "hvpart.h"

struct hvp_arch_ops {
	const char *name;
	u32 backend;			/* enum hvpart_backend */
	size_t vp_size;			/* backend struct embedding hvp_vp */
	const struct hvp_slat_format *slat_format;
	u32 (*hw_assists)(void);	/* enum hvpart_hw_assist bits in use */

	/* Detect; -ENODEV/-EBUSY with one clear log line when unusable. */
	int (*hardware_check)(void);
	int (*hardware_setup)(void);
	void (*hardware_unsetup)(void);
	/* Per CPU, on that CPU (hotplug callbacks). */
	int (*cpu_enable)(void);
	void (*cpu_disable)(void);

	int (*partition_init)(struct hvp_partition *part);
	void (*partition_destroy)(struct hvp_partition *part);

	int (*vp_create)(struct hvp_vp *vp);
	void (*vp_free)(struct hvp_vp *vp);
	/* Architectural reset state of everything the backend holds. */
	void (*vp_reset)(struct hvp_vp *vp);
	/*
	 * Around the run loop of one HVPART_RUN_VP, in the VP's thread with
	 * preemption enabled: state a backend keeps on the CPU for the length
	 * of a RUN (VMX: the active VMCS) is set up and given back here.
	 */
	void (*vp_load)(struct hvp_vp *vp);
	void (*vp_put)(struct hvp_vp *vp);

	void (*get_sregs)(struct hvp_vp *vp, struct hvpart_sregs *sregs);
	/*
	 * Only what the CPU mode depends on, on every instruction-skipping
	 * exit: CS (uapi attribute layout), CR0 and EFER of @sregs; the rest
	 * is left alone.
	 */
	void (*get_mode_regs)(struct hvp_vp *vp, struct hvpart_sregs *sregs);
	/*
	 * @sregs passed hvp_sregs_check(); a backend refuses (-EINVAL) only
	 * what its own VM-entry checks add to the architectural rules.
	 */
	int (*set_sregs)(struct hvp_vp *vp, const struct hvpart_sregs *sregs);
	/* MSRs held in the VMCB/VMCS; -ENOENT for any other index. */
	int (*get_msr)(struct hvp_vp *vp, u32 index, u64 *value);
	int (*set_msr)(struct hvp_vp *vp, u32 index, u64 value);
	int (*get_cpl)(struct hvp_vp *vp);
	u64 (*get_dr6)(struct hvp_vp *vp);
	void (*set_dr6)(struct hvp_vp *vp, u64 value);
	/* @value was checked against hvp_cr4_allowed(). */
	void (*set_cr4)(struct hvp_vp *vp, u64 value);

	/* Enter the guest once; fill vp->exit. */
	void (*run)(struct hvp_vp *vp);
	void (*inject_exception)(struct hvp_vp *vp, u8 vector, bool has_error, u32 error);
	void (*clear_interrupt_shadow)(struct hvp_vp *vp);
	/* Flush this VP's guest TLB entries before its next entry. */
	void (*flush_guest_tlb)(struct hvp_vp *vp);

	/*
	 * External interrupts. The core (lapic.c) decides which vector is
	 * due; the backend only says whether the guest can take one now
	 * (RFLAGS.IF set, no interrupt shadow, no event already being
	 * injected), injects it at the next entry, or arranges an exit
	 * (HVP_EXIT_IRQ_WINDOW) for the moment the guest can take one.
	 */
	bool (*interrupt_allowed)(struct hvp_vp *vp);
	void (*inject_interrupt)(struct hvp_vp *vp, u8 vector);
	void (*request_irq_window)(struct hvp_vp *vp, bool enable);
	/*
	 * An interrupt injected but not yet taken by the guest, which will
	 * take it once RFLAGS.IF allows (SVM's V_IRQ); NULL where injection
	 * always completes at entry. A halted VP with one is woken.
	 */
	bool (*injected_irq_pending)(struct hvp_vp *vp);
	/* In the shadow of STI or MOV SS (no interrupt before the next insn). */
	bool (*interrupt_shadow)(struct hvp_vp *vp);
	/* CR8 / TPR[7:4] as the guest last set it. */
	u8 (*get_tpr)(struct hvp_vp *vp);
	void (*set_tpr)(struct hvp_vp *vp, u8 tpr);
};

/* The backends, tried in order by main.c. */
extern const struct hvp_arch_ops hvp_svm_ops;
extern const struct hvp_arch_ops hvp_vmx_ops;

#endif /* HVP_ARCH_OPS_H */
