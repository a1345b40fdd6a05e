/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the rest of the kernel must be told around a world switch, for
 * backends to call right around their VMRUN/VMLAUNCH:
 *
 * - time spent in the guest is accounted as guest time (vtime);
 * - RCU treats guest mode like user mode: an extended quiescent state when
 *   context tracking runs on this CPU, otherwise a noted context switch,
 *   so a guest that runs for a whole tick does not stall grace periods;
 * - lockdep and irq tracing see interrupts enabled while the guest runs
 *   (they really are: the host's IF controls physical interrupts in guest
 *   mode, which then cause an exit).
 *
 * Between enter and exit nothing may be instrumented or use RCU.
 */
#ifndef HVP_GUEST_MODE_H
#define HVP_GUEST_MODE_H

#include <linux/context_tracking.h>
#include <linux/instrumentation.h>
#include <linux/irqflags.h>
#include <linux/lockdep.h>
#include <linux/rcupdate.h>
#include <linux/vtime.h>

static __always_inline void hvp_guest_enter_irqoff(void)
{
	instrumentation_begin();
	vtime_account_guest_enter();
	trace_hardirqs_on_prepare();
	lockdep_hardirqs_on_prepare();
	instrumentation_end();

	if (!context_tracking_guest_enter()) {
		instrumentation_begin();
		rcu_virt_note_context_switch(smp_processor_id());
		instrumentation_end();
	}
	lockdep_hardirqs_on(CALLER_ADDR0);
}

static __always_inline void hvp_guest_exit_irqoff(void)
{
	lockdep_hardirqs_off(CALLER_ADDR0);
	context_tracking_guest_exit();

	instrumentation_begin();
	trace_hardirqs_off_finish();
	vtime_account_guest_exit();
	instrumentation_end();
}

#endif /* HVP_GUEST_MODE_H */
