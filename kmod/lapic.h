/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The local APIC of each VP, emulated in the kernel: registers through
 * xAPIC MMIO or x2APIC MSRs, the timer (one-shot, periodic, TSC-deadline)
 * on a host hrtimer, IPIs, EOI, TPR/PPR. Other sources of interrupts (the
 * VMM's HVPART_INTERRUPT, SynIC SINTs, synthetic timers) all arrive here.
 */
#ifndef HVP_LAPIC_H
#define HVP_LAPIC_H

#include <linux/bitmap.h>
#include <linux/hrtimer.h>
#include <linux/types.h>

struct hvp_vp;
struct hvp_partition;

#define HVP_LAPIC_NR_LVT	6	/* timer, thermal, PMC, LINT0, LINT1, error */

struct hvp_lapic {
	/*
	 * IRR is set from any context (other VPs, timers, ioctls) with atomic
	 * bit operations; everything else belongs to the VP's own thread.
	 */
	DECLARE_BITMAP(irr, 256);
	DECLARE_BITMAP(isr, 256);
	DECLARE_BITMAP(tmr, 256);
	DECLARE_BITMAP(eoi_exit, 256);	/* level IRQs from the VMM: EOI exits */
	DECLARE_BITMAP(auto_eoi, 256);	/* SynIC SINTs with auto-EOI */

	u32 ldr;
	u32 dfr;
	u32 svr;
	u32 icr_high;			/* xAPIC destination field */
	u32 lvt[HVP_LAPIC_NR_LVT];
	u32 tmict;
	u32 tdcr;
	u32 esr;			/* what ESR reads: latched by ESR writes */
	unsigned long esr_pending;	/* errors since the last ESR write */

	struct hrtimer timer;
	ktime_t timer_start;		/* when the current count started */
	u64 timer_period_ns;		/* one-shot/periodic: count * divide */
	u64 tsc_deadline;		/* guest TSC, TSC-deadline mode */
	u64 host_tsc_deadline;		/* the same deadline on the host's TSC */

	int pending_eoi_exit;		/* vector for HVPART_EXIT_EOI, or -1 */
};

/* Lifetime and state. */
void hvp_lapic_init(struct hvp_vp *vp);
void hvp_lapic_reset(struct hvp_vp *vp);
void hvp_lapic_destroy(struct hvp_vp *vp);
int hvp_lapic_set_base(struct hvp_vp *vp, u64 value, bool from_host);
bool hvp_lapic_x2apic(struct hvp_vp *vp);
bool hvp_lapic_is_mmio(struct hvp_vp *vp, u64 gpa);

/* Register access: xAPIC MMIO (exit.c), x2APIC and Hyper-V MSRs (msr.c). */
int hvp_lapic_handle_mmio(struct hvp_vp *vp, u64 gpa, u32 access);
int hvp_lapic_msr_get(struct hvp_vp *vp, u32 msr, u64 *value);
int hvp_lapic_msr_set(struct hvp_vp *vp, u32 msr, u64 value);
int hvp_lapic_tsc_deadline_get(struct hvp_vp *vp, u64 *value);
int hvp_lapic_tsc_deadline_set(struct hvp_vp *vp, u64 value);
void hvp_lapic_eoi(struct hvp_vp *vp);
int hvp_lapic_icr_write(struct hvp_vp *vp, u64 icr);
u32 hvp_lapic_get_tpr(struct hvp_vp *vp);
void hvp_lapic_set_tpr(struct hvp_vp *vp, u32 tpr);

/* Interrupt sources. */
void hvp_lapic_set_irq(struct hvp_vp *vp, u8 vector, bool level_exit, bool auto_eoi);
int hvp_lapic_deliver(struct hvp_partition *part, u32 dest, bool logical, u8 vector,
		      u32 delivery, bool level_exit);

/* The run loop: what to inject, and whether a halted VP may wake. */
void hvp_lapic_inject(struct hvp_vp *vp);
void hvp_lapic_run_shadowed_hlt(struct hvp_vp *vp);
bool hvp_lapic_has_wakeup(struct hvp_vp *vp);

/* Make @vp notice new work: kick it out of guest mode or wake it. */
void hvp_vp_kick(struct hvp_vp *vp);

#endif /* HVP_LAPIC_H */
