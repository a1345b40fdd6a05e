// SPDX-License-Identifier: GPL-2.0
/*
 * The VP run loop behind HVPART_RUN_VP.
 *
 * Return convention, for the loop and every exit handler (exit.c):
 *   HVP_RESUME (1)   handled in the kernel, enter the guest again;
 *   HVP_TO_USER (0)  run page filled, return 0 to userspace;
 *   < 0              return that error to userspace.
 *
 * Each iteration: check for signals and rescheduling (so a guest spinning
 * forever never hangs its thread or the host), announce guest mode, pick up
 * work other threads left (a TLB flush after unmap, a dead partition), enter
 * with interrupts disabled, and handle the exit with them enabled again.
 * The guest's FPU state is loaded for the whole ioctl, not per entry.
 */
#include <linux/hw_breakpoint.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <asm/debugreg.h>
#include <asm/nospec-branch.h>

#include "arch_ops.h"
#include "hvpart.h"
#include "trace.h"

/* Leave the ioctl with -EINTR, resumable, as for a signal. */
static int hvp_vp_interrupted(struct hvp_vp *vp)
{
	vp->run->exit_reason = HVPART_EXIT_INTR;
	vp->stats.signal_exits++;
	return -EINTR;
}

/*
 * Work that must not be pending when the guest is entered. Called with
 * interrupts disabled after vp->mode was set, so a request made after
 * this check is noticed by the kicker instead (see hvp_vp_kick_all).
 */
static bool hvp_vp_entry_blocked(struct hvp_vp *vp)
{
	return signal_pending(current) || need_resched() || READ_ONCE(vp->part->dead);
}

static int hvp_vp_enter(struct hvp_vp *vp)
{
	struct hvp_partition *part = vp->part;
	u64 tlb_gen;

	if (signal_pending(current))
		return hvp_vp_interrupted(vp);
	if (READ_ONCE(part->dead))
		return -EIO;
	cond_resched();

	preempt_disable();
	local_irq_disable();
	WRITE_ONCE(vp->cpu, smp_processor_id());
	smp_store_mb(vp->mode, HVP_IN_GUEST);
	if (hvp_vp_entry_blocked(vp)) {
		WRITE_ONCE(vp->mode, HVP_OUTSIDE_GUEST);
		local_irq_enable();
		preempt_enable();
		return HVP_RESUME;
	}

	tlb_gen = atomic64_read(&part->mem.tlb_gen);
	if (tlb_gen != vp->tlb_gen_seen) {
		vp->tlb_gen_seen = tlb_gen;
		hvp_ops.flush_guest_tlb(vp);
		vp->stats.tlb_flushes++;
	}

	trace_hvpart_entry(vp);
	hvp_ops.run(vp);
	WRITE_ONCE(vp->mode, HVP_OUTSIDE_GUEST);

	/* The guest may have trained the branch predictor (VMSCAPE). */
	if (cpu_feature_enabled(X86_FEATURE_IBPB_EXIT_TO_USER))
		this_cpu_write(x86_ibpb_exit_to_user, true);
	/* Guest mode reset DR7; give the host its breakpoints back. */
	if (hw_breakpoint_active())
		hw_breakpoint_restore();

	/* The host interrupt that caused the exit, if any, is taken here. */
	local_irq_enable();
	preempt_enable();

	vp->stats.exits++;
	trace_hvpart_exit(vp);
	return hvp_exit_handle(vp);
}

int hvp_vp_run(struct hvp_vp *vp)
{
	struct hvpart_run *run = vp->run;
	int ret;

	if (vp->needs_reset) {
		run->exit_reason = HVPART_EXIT_SHUTDOWN;
		return 0;
	}
	ret = hvp_vp_complete_pending(vp);
	if (ret < 0)
		return ret;
	if (READ_ONCE(run->immediate_exit))
		return hvp_vp_interrupted(vp);

	run->exit_reason = HVPART_EXIT_NONE;
	vp->host_state_stale = true;
	if (hvp_ops.vp_load)
		hvp_ops.vp_load(vp);
	fpu_swap_kvm_fpstate(&vp->guest_fpu, true);
	do {
		ret = hvp_vp_enter(vp);
	} while (ret == HVP_RESUME);
	fpu_swap_kvm_fpstate(&vp->guest_fpu, false);
	if (hvp_ops.vp_put)
		hvp_ops.vp_put(vp);

	if (ret == HVP_TO_USER)
		vp->stats.userspace_exits++;
	return ret;
}
