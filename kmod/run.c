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
#include <linux/moduleparam.h>
#include <linux/sched/clock.h>
#include <asm/msr.h>
#include <asm/debugreg.h>
#include <asm/fpu/api.h>
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

/*
 * INIT: back to the reset state, waiting for a start-up IPI. The APIC keeps
 * its mode and base: INIT leaves x2APIC in x2APIC mode and a disabled APIC
 * disabled (SDM vol. 3, 11.12.5.1).
 */
static void hvp_vp_do_init(struct hvp_vp *vp)
{
	u64 apic_base = vp->apic_base;

	hvp_vp_reset_regs(vp);
	vp->apic_base = apic_base;
	hvp_lapic_reset(vp);
	vp->mp_state = HVPART_MP_WAIT_SIPI;
}

/* SIPI with vector V: real mode at V << 12 (CS = V << 8, IP = 0). */
static void hvp_vp_do_sipi(struct hvp_vp *vp, u8 vector)
{
	struct hvpart_sregs s;

	hvp_ops.get_sregs(vp, &s);
	s.cs.selector = vector << 8;
	s.cs.base = (u64)vector << 12;
	hvp_ops.set_sregs(vp, &s);
	vp->rip = 0;
	vp->mp_state = HVPART_MP_RUNNABLE;
}

/* Take INIT/SIPI other VPs sent; wake from HLT when an interrupt is due. */
static void hvp_vp_update_mp_state(struct hvp_vp *vp)
{
	int sipi;

	/* Plain reads first: this runs before every entry, INIT/SIPI rarely. */
	if (atomic_read(&vp->init_pending) && atomic_xchg(&vp->init_pending, 0))
		hvp_vp_do_init(vp);
	sipi = atomic_read(&vp->sipi_vector) >= 0 ? atomic_xchg(&vp->sipi_vector, -1) : -1;
	if (sipi >= 0 && vp->mp_state == HVPART_MP_WAIT_SIPI)
		hvp_vp_do_sipi(vp, sipi);
	if (vp->mp_state == HVPART_MP_HALTED && hvp_lapic_has_wakeup(vp))
		vp->mp_state = HVPART_MP_RUNNABLE;
}

static bool hvp_vp_can_wake(struct hvp_vp *vp)
{
	return atomic_read(&vp->init_pending) || atomic_read(&vp->sipi_vector) >= 0 ||
	       hvp_hv_vp_has_work(vp) ||
	       (vp->mp_state == HVPART_MP_HALTED && hvp_lapic_has_wakeup(vp)) ||
	       READ_ONCE(vp->part->dead);
}

/*
 * Halt polling: a VP that halts waiting for an answer (an IPI, a SynIC
 * message or event from the VMM) usually gets it within microseconds;
 * spinning that long is cheaper than sleeping and being woken, which
 * costs a reschedule on both sides. As KVM's halt_poll_ns, but fixed.
 */
static unsigned int halt_poll_ns = 200000;
module_param(halt_poll_ns, uint, 0644);
MODULE_PARM_DESC(halt_poll_ns, "ns a halted VP polls for a wake-up before sleeping (0: never)");

/*
 * True when the VP became runnable while polling. The clock alone does not
 * bound the loop: on a host whose TSC is unstable local_clock() counts
 * jiffies, and a host whose timekeeping stalls would keep it polling for
 * good. No pass of the loop takes less than a nanosecond, so at most
 * @limit passes.
 */
static bool hvp_vp_halt_poll(struct hvp_vp *vp)
{
	unsigned int limit = READ_ONCE(halt_poll_ns), passes = 0;
	u64 start;

	if (!limit || vp->mp_state != HVPART_MP_HALTED)
		return false;
	vp->stats.halt_polls++;
	start = local_clock();
	do {
		if (hvp_vp_can_wake(vp)) {
			vp->stats.halt_poll_wakeups++;
			return true;
		}
		cpu_relax();
	} while (!need_resched() && !signal_pending(current) && ++passes < limit &&
		 local_clock() - start < limit);
	return false;
}

/*
 * A halted VP, or one waiting for its start-up IPI, sleeps here until
 * something makes it runnable; a signal ends the sleep and RUN with -EINTR.
 */
static int hvp_vp_block(struct hvp_vp *vp)
{
	if (hvp_vp_halt_poll(vp))
		return HVP_RESUME;
	if (wait_event_interruptible(vp->wq, hvp_vp_can_wake(vp)))
		return hvp_vp_interrupted(vp);
	return HVP_RESUME;
}

/* Events of the last exit that userspace must hear about. */
static int hvp_vp_user_exit_due(struct hvp_vp *vp)
{
	struct hvpart_run *run = vp->run;

	if (vp->lapic.pending_eoi_exit >= 0) {
		run->exit_reason = HVPART_EXIT_EOI;
		run->eoi.vector = vp->lapic.pending_eoi_exit;
		vp->lapic.pending_eoi_exit = -1;
		return HVP_TO_USER;
	}
	if (vp->hv.message_exit) {
		vp->hv.message_exit = false;
		run->exit_reason = HVPART_EXIT_HV_MESSAGE;
		return HVP_TO_USER;
	}
	if (vp->hv.crash_exit) {
		vp->hv.crash_exit = false;
		run->exit_reason = HVPART_EXIT_HV_CRASH;
		mutex_lock(&vp->part->hv.lock);
		memcpy(run->hv_crash.params, vp->part->hv.crash_params,
		       sizeof(run->hv_crash.params));
		mutex_unlock(&vp->part->hv.lock);
		return HVP_TO_USER;
	}
	return HVP_RESUME;
}

static int hvp_vp_enter(struct hvp_vp *vp)
{
	struct hvp_partition *part = vp->part;
	u64 tlb_gen, entered;
	int ret;

	if (signal_pending(current))
		return hvp_vp_interrupted(vp);
	if (READ_ONCE(part->dead))
		return -EIO;
	cond_resched();

	hvp_hv_vp_process(vp);
	hvp_vp_update_mp_state(vp);
	hvp_lapic_run_shadowed_hlt(vp);
	if (vp->mp_state != HVPART_MP_RUNNABLE)
		return hvp_vp_block(vp);

	preempt_disable();
	local_irq_disable();
	WRITE_ONCE(vp->cpu, smp_processor_id());
	/* Announce guest mode before looking for work (pairs with kickers). */
	smp_store_mb(vp->mode, HVP_IN_GUEST);
	if (hvp_vp_entry_blocked(vp)) {
		WRITE_ONCE(vp->mode, HVP_OUTSIDE_GUEST);
		local_irq_enable();
		preempt_enable();
		return HVP_RESUME;
	}

	/*
	 * Preemption or kernel FPU use since the last entry may have put
	 * another context's state in the registers; reload the guest's.
	 */
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();

	tlb_gen = atomic64_read(&part->mem.tlb_gen);
	if (tlb_gen != vp->tlb_gen_seen) {
		vp->tlb_gen_seen = tlb_gen;
		hvp_ops.flush_guest_tlb(vp);
		vp->stats.tlb_flushes++;
	}
	if (READ_ONCE(vp->requests) && test_and_clear_bit(HVP_REQ_TLB_FLUSH, &vp->requests)) {
		hvp_ops.flush_guest_tlb(vp);
		vp->stats.tlb_flushes++;
	}
	hvp_lapic_inject(vp);

	trace_hvpart_entry(vp);
	/*
	 * Guest time by the TSC, not ktime_get_ns(): where the host clocksource
	 * is not the TSC (HPET, as in an emulator) each clock read is an MMIO
	 * access, twice per exit.
	 */
	entered = rdtsc();
	hvp_ops.run(vp);
	vp->hv.runtime_tsc += rdtsc() - entered;
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
	ret = hvp_exit_handle(vp);
	if (ret == HVP_RESUME)
		ret = hvp_vp_user_exit_due(vp);
	return ret;
}

int hvp_vp_run(struct hvp_vp *vp)
{
	struct hvpart_run *run = vp->run;
	int ret;

	if (run->rsvd0[0] || run->rsvd0[1] || run->rsvd0[2])
		return -EINVAL;
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
