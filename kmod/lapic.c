// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC, emulated per VP (SDM vol. 3, chapter 11 "Advanced
 * Programmable Interrupt Controller").
 *
 * State: IRR is the only part other contexts touch (atomic bit ops, then
 * a kick); ISR, TMR, the LVTs and the timer belong to the VP's thread,
 * which also decides what to inject, with interrupts off, right before
 * entering the guest (hvp_lapic_inject). TPR lives in the backend as CR8
 * (SVM's V_TPR), so a guest's CR8 writes need no exit.
 *
 * The timer counts a 1 GHz bus clock through the divider; Hyper-V guests
 * learn that rate from the APIC-frequency MSR and need no calibration.
 * Periodic timers are clamped to 100 us so a guest cannot flood its host.
 * NMI, SMI and ExtINT deliveries are not modelled: they are dropped with
 * a ratelimited log line.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hrtimer.h>
#include <linux/math64.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/wait.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>
#include <asm/tsc.h>

#include "arch_ops.h"
#include "hvpart.h"
#include "lapic.h"

#define HVP_APIC_VERSION	0x00050014	/* version 0x14, 6 LVT entries */
#define HVP_LAPIC_MIN_PERIOD_NS	100000ULL
#define HVP_X2APIC_MSR_BASE	0x800
#define HVP_X2APIC_MSR_LAST	0x8ff
#define HVP_LVT_TIMER_MODE	(3U << 17)	/* one-shot, periodic, TSC-deadline */
#define HVP_ICR_SHORTHAND	(3U << 18)	/* none, self, all, all but self */

enum { LVT_TIMER, LVT_THERMAL, LVT_PMC, LVT_LINT0, LVT_LINT1, LVT_ERROR };

static const u32 hvp_lvt_offset[HVP_LAPIC_NR_LVT] = {
	APIC_LVTT, APIC_LVTTHMR, APIC_LVTPC, APIC_LVT0, APIC_LVT1, APIC_LVTERR,
};

/* Writable bits of each LVT (vector, delivery mode, polarity, trigger, mask, timer mode). */
static const u32 hvp_lvt_mask[HVP_LAPIC_NR_LVT] = {
	[LVT_TIMER]	= 0x000700ff,
	[LVT_THERMAL]	= 0x000107ff,
	[LVT_PMC]	= 0x000107ff,
	[LVT_LINT0]	= 0x0001a7ff,
	[LVT_LINT1]	= 0x0001a7ff,
	[LVT_ERROR]	= 0x000100ff,
};

static struct hvp_lapic *lapic(struct hvp_vp *vp)
{
	return &vp->lapic;
}

bool hvp_lapic_x2apic(struct hvp_vp *vp)
{
	return vp->apic_base & X2APIC_ENABLE;
}

static bool lapic_hw_enabled(struct hvp_vp *vp)
{
	return vp->apic_base & MSR_IA32_APICBASE_ENABLE;
}

static bool lapic_sw_enabled(struct hvp_vp *vp)
{
	return lapic(vp)->svr & APIC_SPIV_APIC_ENABLED;
}

static int lapic_highest(const unsigned long *bitmap)
{
	unsigned long bit = find_last_bit(bitmap, 256);

	return bit < 256 ? (int)bit : -1;
}

static u32 lapic_id(struct hvp_vp *vp)
{
	return vp->index;
}

u32 hvp_lapic_get_tpr(struct hvp_vp *vp)
{
	return (u32)hvp_ops.get_tpr(vp) << 4;
}

void hvp_lapic_set_tpr(struct hvp_vp *vp, u32 tpr)
{
	hvp_ops.set_tpr(vp, (tpr >> 4) & 0xf);
}

static u32 lapic_ppr(struct hvp_vp *vp)
{
	u32 tpr = hvp_lapic_get_tpr(vp);
	int isrv = lapic_highest(lapic(vp)->isr);
	u32 isr_class = isrv < 0 ? 0 : isrv & 0xf0;

	return (tpr & 0xf0) >= isr_class ? tpr & 0xff : isr_class;
}

/* The highest vector in IRR the APIC would deliver now, or -1. */
static int lapic_pending_vector(struct hvp_vp *vp)
{
	int vector = lapic_highest(lapic(vp)->irr);

	if (vector < 0 || (vector & 0xf0) <= (lapic_ppr(vp) & 0xf0))
		return -1;
	return vector;
}

void hvp_vp_kick(struct hvp_vp *vp)
{
	int cpu;

	/* Pairs with the barrier after vp->mode is set in the run loop. */
	smp_mb();
	if (READ_ONCE(vp->mode) == HVP_IN_GUEST) {
		cpu = READ_ONCE(vp->cpu);
		if (cpu != raw_smp_processor_id())
			smp_send_reschedule(cpu);
	}
	wake_up_interruptible(&vp->wq);
}

void hvp_lapic_set_irq(struct hvp_vp *vp, u8 vector, bool level_exit, bool auto_eoi)
{
	struct hvp_lapic *l = lapic(vp);

	/* Vectors 0-15 are illegal; a software-disabled APIC accepts nothing. */
	if (vector < 16 || !lapic_hw_enabled(vp) || !lapic_sw_enabled(vp)) {
		if (vector < 16)
			set_bit(__ffs(APIC_ESR_RECVILL), &l->esr_pending);
		return;
	}
	if (level_exit) {
		set_bit(vector, l->tmr);
		set_bit(vector, l->eoi_exit);
	}
	set_bit(vector, l->irr);
	hvp_vp_kick(vp);
}

void hvp_lapic_inject(struct hvp_vp *vp)
{
	struct hvp_lapic *l = lapic(vp);
	int vector = lapic_pending_vector(vp);

	if (vector < 0)
		return;
	if (!hvp_ops.interrupt_allowed(vp)) {
		hvp_ops.request_irq_window(vp, true);
		return;
	}
	clear_bit(vector, l->irr);
	/* SynIC auto-EOI: the guest will not EOI this one. */
	if (!test_bit(vector, l->auto_eoi))
		__set_bit(vector, l->isr);
	hvp_ops.inject_interrupt(vp, vector);
}

/*
 * STI; HLT with an interrupt due and the guest stopped between the two:
 * the shadow holds the interrupt until HLT has executed, and HLT then
 * wakes at once. Execute the HLT here, so the next entry delivers the
 * interrupt after it, as the CPU would. Besides being cheaper than an
 * interrupt window, this matters under QEMU's SVM, which ignores the
 * VMCB's shadow at VMRUN and would open the window before the HLT,
 * leaving the HLT to sleep with nothing pending. Called before the
 * entry's atomic section (the fetch may sleep).
 */
void hvp_lapic_run_shadowed_hlt(struct hvp_vp *vp)
{
	enum hvp_cpu_mode mode;
	unsigned int n;
	u8 insn[15];

	if (!hvp_ops.interrupt_shadow || vp->mp_state != HVPART_MP_RUNNABLE ||
	    !(vp->rflags & X86_EFLAGS_IF) || !hvp_ops.interrupt_shadow(vp) ||
	    lapic_pending_vector(vp) < 0)
		return;
	if (hvp_vp_fetch_insn(vp, insn, &n, &mode) || insn[0] != 0xf4)
		return;
	hvp_vp_advance_rip_in(vp, 1, mode);
}

bool hvp_lapic_has_wakeup(struct hvp_vp *vp)
{
	if (!(vp->rflags & X86_EFLAGS_IF))
		return false;
	return lapic_pending_vector(vp) >= 0 ||
	       (hvp_ops.injected_irq_pending && hvp_ops.injected_irq_pending(vp));
}

void hvp_lapic_eoi(struct hvp_vp *vp)
{
	struct hvp_lapic *l = lapic(vp);
	int vector = lapic_highest(l->isr);

	if (vector < 0)
		return;
	__clear_bit(vector, l->isr);
	if (test_and_clear_bit(vector, l->eoi_exit)) {
		clear_bit(vector, l->tmr);
		l->pending_eoi_exit = vector;
	}
}

/* ----------------------------------------------------------------------- */
/* Timer                                                                     */
/* ----------------------------------------------------------------------- */

static u32 lapic_timer_mode(struct hvp_lapic *l)
{
	return l->lvt[LVT_TIMER] & HVP_LVT_TIMER_MODE;
}

static u32 lapic_divide(struct hvp_lapic *l)
{
	u32 v = (l->tdcr & 3) | ((l->tdcr & 8) >> 1);

	return 1U << ((v + 1) & 7);
}

static void lapic_timer_fire(struct hvp_vp *vp)
{
	u32 lvt = lapic(vp)->lvt[LVT_TIMER];

	if (!(lvt & APIC_LVT_MASKED))
		hvp_lapic_set_irq(vp, lvt & APIC_VECTOR_MASK, false, false);
}

/*
 * TSC cycles to host nanoseconds for the TSC-deadline timer. The deadline
 * is the guest's: mul_u64_u32_div() raises #DE when the quotient passes 64
 * bits (a deadline centuries away, or a TSC under 1 GHz), so a wait is cut
 * at a day; the timer callback re-arms for what is left.
 */
#define HVP_TSC_DEADLINE_MAX_MS	(24ULL * 3600 * 1000)

static u64 lapic_tsc_to_ns(u64 cycles)
{
	if (div_u64(cycles, tsc_khz) >= HVP_TSC_DEADLINE_MAX_MS)
		return HVP_TSC_DEADLINE_MAX_MS * NSEC_PER_MSEC;
	return mul_u64_u32_div(cycles, 1000000, tsc_khz);
}

static enum hrtimer_restart lapic_timer_expired(struct hrtimer *timer)
{
	struct hvp_lapic *l = container_of(timer, struct hvp_lapic, timer);
	struct hvp_vp *vp = container_of(l, struct hvp_vp, lapic);

	/*
	 * The hrtimer runs on the host's clock, the deadline on the TSC: if
	 * the two disagree a little, wait out the rest rather than fire early.
	 */
	if (lapic_timer_mode(l) == APIC_LVT_TIMER_TSCDEADLINE) {
		s64 left = l->host_tsc_deadline - rdtsc();

		if (left > 0 && tsc_khz) {
			hrtimer_set_expires(timer, ktime_add_ns(ktime_get(),
					    lapic_tsc_to_ns(left) + 1));
			return HRTIMER_RESTART;
		}
	}
	lapic_timer_fire(vp);
	if (lapic_timer_mode(l) == APIC_LVT_TIMER_PERIODIC && l->timer_period_ns) {
		hrtimer_forward_now(timer, ns_to_ktime(l->timer_period_ns));
		l->timer_start = ktime_sub_ns(hrtimer_get_expires(timer), l->timer_period_ns);
		return HRTIMER_RESTART;
	}
	if (lapic_timer_mode(l) == APIC_LVT_TIMER_TSCDEADLINE)
		l->tsc_deadline = 0;
	return HRTIMER_NORESTART;
}

static void lapic_timer_stop(struct hvp_lapic *l)
{
	hrtimer_cancel(&l->timer);
}

/* (Re)arm the one-shot or periodic timer from TMICT and the divider. */
static void lapic_timer_start_count(struct hvp_vp *vp)
{
	struct hvp_lapic *l = lapic(vp);

	lapic_timer_stop(l);
	if (!l->tmict || lapic_timer_mode(l) == APIC_LVT_TIMER_TSCDEADLINE)
		return;
	l->timer_period_ns = (u64)l->tmict * lapic_divide(l);
	if (lapic_timer_mode(l) == APIC_LVT_TIMER_PERIODIC)
		l->timer_period_ns = max(l->timer_period_ns, HVP_LAPIC_MIN_PERIOD_NS);
	l->timer_start = ktime_get();
	hrtimer_start(&l->timer, ktime_add_ns(l->timer_start, l->timer_period_ns),
		      HRTIMER_MODE_ABS_PINNED_HARD);
}

static u32 lapic_current_count(struct hvp_lapic *l)
{
	s64 remaining;

	if (!l->tmict || lapic_timer_mode(l) == APIC_LVT_TIMER_TSCDEADLINE ||
	    !hrtimer_active(&l->timer))
		return 0;
	remaining = ktime_to_ns(ktime_sub(hrtimer_get_expires(&l->timer), ktime_get()));
	if (remaining <= 0)
		return 0;
	return div_u64(remaining, lapic_divide(l));
}

int hvp_lapic_tsc_deadline_get(struct hvp_vp *vp, u64 *value)
{
	*value = lapic(vp)->tsc_deadline;
	return 0;
}

int hvp_lapic_tsc_deadline_set(struct hvp_vp *vp, u64 value)
{
	struct hvp_lapic *l = lapic(vp);
	u64 now, delta;

	/* Outside TSC-deadline mode the write is ignored (SDM 11.5.4.1). */
	if (lapic_timer_mode(l) != APIC_LVT_TIMER_TSCDEADLINE)
		return 0;
	lapic_timer_stop(l);
	l->tsc_deadline = value;
	if (!value)
		return 0;
	if (hvp_ops.get_msr(vp, MSR_IA32_TSC, &now))
		return -EINVAL;
	/* It fires when the TSC reaches it: an unsigned comparison. */
	if (value <= now || !tsc_khz) {
		l->tsc_deadline = 0;
		lapic_timer_fire(vp);
		return 0;
	}
	/*
	 * The same instant on the host's TSC, for the expiry check; past
	 * 2^62 cycles (decades) it is as good as never, and keeping the
	 * distance below 2^63 keeps that check's signed difference right.
	 */
	delta = min(value - now, 1ULL << 62);
	l->host_tsc_deadline = rdtsc() + delta;
	hrtimer_start(&l->timer, ktime_add_ns(ktime_get(), lapic_tsc_to_ns(delta)),
		      HRTIMER_MODE_ABS_PINNED_HARD);
	return 0;
}

/* ----------------------------------------------------------------------- */
/* Destinations and IPIs                                                     */
/* ----------------------------------------------------------------------- */

static u32 lapic_ldr(struct hvp_vp *vp)
{
	u32 id = lapic_id(vp);

	/* x2APIC: cluster in 31:16, one bit of 16 in 15:0 (SDM 11.12.10.2). */
	if (hvp_lapic_x2apic(vp))
		return ((id >> 4) << 16) | (1U << (id & 0xf));
	return lapic(vp)->ldr;
}

/* Does @vp accept a message for @dest, interpreted in its own APIC mode? */
static bool lapic_match_dest(struct hvp_vp *vp, u32 dest, bool logical)
{
	u32 ldr = lapic_ldr(vp);

	if (hvp_lapic_x2apic(vp)) {
		if (dest == 0xffffffff)
			return true;
		if (!logical)
			return dest == lapic_id(vp);
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
	}
	if (dest == 0xff || dest == 0xffffffff)
		return true;
	if (dest > 0xff)
		return false;
	if (!logical)
		return dest == (lapic_id(vp) & 0xff);
	ldr >>= 24;
	if ((lapic(vp)->dfr >> 28) == 0xf)	/* flat model */
		return dest & ldr;
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);	/* cluster model */
}

/* INIT and SIPI are acted on by the target VP's own thread (run.c). */
static void lapic_send_init(struct hvp_vp *vp)
{
	atomic_set(&vp->init_pending, 1);
	hvp_vp_kick(vp);
}

static void lapic_send_sipi(struct hvp_vp *vp, u8 vector)
{
	atomic_set(&vp->sipi_vector, vector);
	hvp_vp_kick(vp);
}

static void lapic_deliver_one(struct hvp_vp *vp, u8 vector, u32 delivery, bool level_exit)
{
	switch (delivery) {
	case APIC_DM_FIXED:
	case APIC_DM_LOWEST:
		hvp_lapic_set_irq(vp, vector, level_exit, false);
		break;
	case APIC_DM_INIT:
		lapic_send_init(vp);
		break;
	case APIC_DM_STARTUP:
		lapic_send_sipi(vp, vector);
		break;
	default:
		pr_warn_ratelimited("partition %u vp %u: delivery mode %#x not supported, dropped\n",
				    vp->part->id, vp->index, delivery);
		break;
	}
}

int hvp_lapic_deliver(struct hvp_partition *part, u32 dest, bool logical, u8 vector,
		      u32 delivery, bool level_exit)
{
	unsigned int i;

	rcu_read_lock();
	for (i = 0; i < HVP_MAX_VPS; i++) {
		struct hvp_vp *vp = rcu_dereference(part->vps[i]);

		if (!vp || !lapic_match_dest(vp, dest, logical))
			continue;
		lapic_deliver_one(vp, vector, delivery, level_exit);
		/* Lowest priority: any one target will do; take the first. */
		if (delivery == APIC_DM_LOWEST)
			break;
	}
	rcu_read_unlock();
	return 0;
}

int hvp_lapic_icr_write(struct hvp_vp *vp, u64 icr)
{
	u32 low = lower_32_bits(icr);
	u32 delivery = low & APIC_DM_FIXED_MASK;
	u8 vector = low & APIC_VECTOR_MASK;
	bool logical = low & APIC_DEST_LOGICAL;
	u32 dest = hvp_lapic_x2apic(vp) ? upper_32_bits(icr) : (lapic(vp)->icr_high >> 24);
	unsigned int i;

	/* The de-assert half of a level INIT does nothing on modern APICs. */
	if (delivery == APIC_DM_INIT && !(low & APIC_INT_ASSERT))
		return 0;
	/* An illegal vector is an error for the sender too (SDM 11.5.3). */
	if ((delivery == APIC_DM_FIXED || delivery == APIC_DM_LOWEST) && vector < 16)
		set_bit(__ffs(APIC_ESR_SENDILL), &lapic(vp)->esr_pending);

	switch (low & HVP_ICR_SHORTHAND) {
	case APIC_DEST_SELF:
		lapic_deliver_one(vp, vector, delivery, false);
		return 0;
	case APIC_DEST_ALLINC:
	case APIC_DEST_ALLBUT:
		rcu_read_lock();
		for (i = 0; i < HVP_MAX_VPS; i++) {
			struct hvp_vp *t = rcu_dereference(vp->part->vps[i]);

			if (t && (t != vp || (low & HVP_ICR_SHORTHAND) == APIC_DEST_ALLINC))
				lapic_deliver_one(t, vector, delivery, false);
		}
		rcu_read_unlock();
		return 0;
	default:
		return hvp_lapic_deliver(vp->part, dest, logical, vector, delivery, false);
	}
}

/* ----------------------------------------------------------------------- */
/* Registers                                                                 */
/* ----------------------------------------------------------------------- */

static int lapic_lvt_index(u32 offset)
{
	unsigned int i;

	for (i = 0; i < HVP_LAPIC_NR_LVT; i++)
		if (hvp_lvt_offset[i] == offset)
			return i;
	return -1;
}

/* ISR/TMR/IRR are read as eight 32-bit registers, 16 bytes apart. */
static u32 lapic_bitmap_word(const unsigned long *bitmap, u32 offset, u32 base)
{
	unsigned int bit = ((offset - base) >> 4) * 32;

	return bitmap[BIT_WORD(bit)] >> (bit % BITS_PER_LONG);
}

/* Read a 32-bit register at @offset (16-byte aligned). -EINVAL: no such register. */
static int lapic_read(struct hvp_vp *vp, u32 offset, u32 *value)
{
	struct hvp_lapic *l = lapic(vp);
	int lvt;

	switch (offset) {
	case APIC_ID:
		*value = hvp_lapic_x2apic(vp) ? lapic_id(vp) : lapic_id(vp) << 24;
		return 0;
	case APIC_LVR:
		*value = HVP_APIC_VERSION;
		return 0;
	case APIC_TASKPRI:
		*value = hvp_lapic_get_tpr(vp);
		return 0;
	case APIC_PROCPRI:
		*value = lapic_ppr(vp);
		return 0;
	case APIC_LDR:
		*value = lapic_ldr(vp);
		return 0;
	case APIC_DFR:
		if (hvp_lapic_x2apic(vp))
			return -EINVAL;
		*value = l->dfr;
		return 0;
	case APIC_SPIV:
		*value = l->svr;
		return 0;
	case APIC_ESR:
		*value = l->esr;
		return 0;
	case APIC_ICR:
		*value = 0;	/* delivery is instant: status idle */
		return 0;
	case APIC_ICR2:
		if (hvp_lapic_x2apic(vp))
			return -EINVAL;
		*value = l->icr_high;
		return 0;
	case APIC_TMICT:
		*value = l->tmict;
		return 0;
	case APIC_TMCCT:
		*value = lapic_current_count(l);
		return 0;
	case APIC_TDCR:
		*value = l->tdcr;
		return 0;
	case APIC_ISR ... APIC_ISR + 0x70:
		*value = lapic_bitmap_word(l->isr, offset, APIC_ISR);
		return 0;
	case APIC_TMR ... APIC_TMR + 0x70:
		*value = lapic_bitmap_word(l->tmr, offset, APIC_TMR);
		return 0;
	case APIC_IRR ... APIC_IRR + 0x70:
		*value = lapic_bitmap_word(l->irr, offset, APIC_IRR);
		return 0;
	}
	lvt = lapic_lvt_index(offset);
	if (lvt < 0)
		return -EINVAL;
	*value = l->lvt[lvt];
	return 0;
}

static void lapic_mask_lvts(struct hvp_lapic *l)
{
	unsigned int i;

	for (i = 0; i < HVP_LAPIC_NR_LVT; i++)
		l->lvt[i] |= APIC_LVT_MASKED;
}

/* Write a 32-bit register. -EINVAL: no such (writable) register. */
static int lapic_write(struct hvp_vp *vp, u32 offset, u32 value)
{
	struct hvp_lapic *l = lapic(vp);
	bool x2apic = hvp_lapic_x2apic(vp);
	u32 old_mode;
	int lvt;

	switch (offset) {
	case APIC_ID:
		return x2apic ? -EINVAL : 0;	/* xAPIC: ignored, IDs are fixed */
	case APIC_TASKPRI:
		hvp_lapic_set_tpr(vp, value & 0xff);
		return 0;
	case APIC_EOI:
		hvp_lapic_eoi(vp);
		return 0;
	case APIC_LDR:
		if (x2apic)
			return -EINVAL;
		l->ldr = value & APIC_LDR_MASK;
		return 0;
	case APIC_DFR:
		if (x2apic)
			return -EINVAL;
		l->dfr = value | 0x0fffffff;
		return 0;
	case APIC_SPIV:
		l->svr = value & 0x3ff;
		if (!lapic_sw_enabled(vp))
			lapic_mask_lvts(l);
		return 0;
	case APIC_ESR:
		/* A write makes the errors since the last one readable (SDM 11.5.3). */
		l->esr = xchg(&l->esr_pending, 0);
		return 0;
	case APIC_ICR:
		if (x2apic)
			return -EINVAL;	/* x2APIC: one 64-bit MSR write */
		return hvp_lapic_icr_write(vp, value);
	case APIC_ICR2:
		if (x2apic)
			return -EINVAL;
		l->icr_high = value & 0xff000000;
		return 0;
	case APIC_TMICT:
		l->tmict = value;
		lapic_timer_start_count(vp);
		return 0;
	case APIC_TDCR:
		l->tdcr = value & 0xb;
		return 0;
	case APIC_SELF_IPI:
		if (!x2apic)
			return -EINVAL;
		hvp_lapic_set_irq(vp, value & APIC_VECTOR_MASK, false, false);
		return 0;
	}
	lvt = lapic_lvt_index(offset);
	if (lvt < 0)
		return -EINVAL;
	if (!lapic_sw_enabled(vp))
		value |= APIC_LVT_MASKED;
	old_mode = lapic_timer_mode(l);
	l->lvt[lvt] = value & hvp_lvt_mask[lvt];
	/* Changing the timer mode disarms it (SDM 11.5.4.1). */
	if (lvt == LVT_TIMER && lapic_timer_mode(l) != old_mode) {
		lapic_timer_stop(l);
		l->tmict = 0;
		l->tsc_deadline = 0;
	}
	return 0;
}

bool hvp_lapic_is_mmio(struct hvp_vp *vp, u64 gpa)
{
	return lapic_hw_enabled(vp) && !hvp_lapic_x2apic(vp) &&
	       (gpa & PAGE_MASK) == (vp->apic_base & MSR_IA32_APICBASE_BASE);
}

/*
 * An access to the xAPIC page: decode the MOV, do the register access,
 * complete the instruction. Registers are 32 bits wide on 16-byte
 * boundaries; narrower reads see the low bytes, other writes are ignored.
 */
int hvp_lapic_handle_mmio(struct hvp_vp *vp, u64 gpa, u32 access)
{
	u32 offset = gpa & 0xfff, reg = offset & ~0xfU, value = 0;
	enum hvp_cpu_mode mode;
	struct hvp_insn insn;
	u64 data;

	if (hvp_vp_decode_exit_insn(vp, &insn, &mode) || !insn.mem) {
		hvp_vp_internal_error(vp, HVPART_INTERNAL_EMULATION);
		return HVP_TO_USER;
	}
	if (access == HVPART_ACCESS_WRITE) {
		if (hvp_insn_store_value(&insn, vp->gprs, &data)) {
			hvp_vp_internal_error(vp, HVPART_INTERNAL_EMULATION);
			return HVP_TO_USER;
		}
		if (insn.op_size == 4 && !(offset & 0xf))
			lapic_write(vp, reg, data);
	} else {
		lapic_read(vp, reg, &value);
		if (hvp_insn_complete_load(&insn, vp->gprs, value >> ((offset & 3) * 8))) {
			hvp_vp_internal_error(vp, HVPART_INTERNAL_EMULATION);
			return HVP_TO_USER;
		}
	}
	hvp_vp_advance_rip_in(vp, insn.len, mode);
	return HVP_RESUME;
}

/* x2APIC MSRs 0x800-0x8FF: register offset = (msr - 0x800) << 4. */
int hvp_lapic_msr_get(struct hvp_vp *vp, u32 msr, u64 *value)
{
	u32 offset = (msr - HVP_X2APIC_MSR_BASE) << 4, low;

	if (!hvp_lapic_x2apic(vp) || msr < HVP_X2APIC_MSR_BASE || msr > HVP_X2APIC_MSR_LAST)
		return -EINVAL;
	if (offset == APIC_EOI || offset == APIC_SELF_IPI || offset == APIC_ICR2 ||
	    lapic_read(vp, offset, &low))
		return -EINVAL;
	*value = low;
	return 0;
}

int hvp_lapic_msr_set(struct hvp_vp *vp, u32 msr, u64 value)
{
	u32 offset = (msr - HVP_X2APIC_MSR_BASE) << 4;

	if (!hvp_lapic_x2apic(vp) || msr < HVP_X2APIC_MSR_BASE || msr > HVP_X2APIC_MSR_LAST)
		return -EINVAL;
	if (offset == APIC_ICR)
		return hvp_lapic_icr_write(vp, value);
	/* Read-only registers and reserved upper bits raise #GP. */
	switch (offset) {
	case APIC_ID:
	case APIC_LVR:
	case APIC_PROCPRI:
	case APIC_LDR:
	case APIC_TMCCT:
	case APIC_ISR ... APIC_IRR + 0x70:
		return -EINVAL;
	}
	if (upper_32_bits(value))
		return -EINVAL;
	return lapic_write(vp, offset, value);
}

/*
 * IA32_APIC_BASE (SDM 11.12.5): disabled -> xAPIC -> x2APIC, or back to
 * disabled; x2APIC needs the CPUID bit; leaving x2APIC for xAPIC directly
 * is invalid.
 */
int hvp_lapic_set_base(struct hvp_vp *vp, u64 value, bool from_host)
{
	const struct hvpart_cpuid_entry *leaf1 = hvp_cpuid_find(vp, 1, 0);
	bool x2apic_ok = leaf1 && (leaf1->ecx & BIT(21));
	u64 valid = MSR_IA32_APICBASE_ENABLE | MSR_IA32_APICBASE_BSP |
		    GENMASK_ULL(hvp_gpa_bits() - 1, 12) | (x2apic_ok ? X2APIC_ENABLE : 0);
	bool enable = value & MSR_IA32_APICBASE_ENABLE, extd = value & X2APIC_ENABLE;
	u64 old = vp->apic_base;

	if (value & ~valid)
		return -EINVAL;
	if (extd && !enable)
		return -EINVAL;
	if (!from_host && (old & X2APIC_ENABLE) && enable && !extd)
		return -EINVAL;
	/* Only the VMM decides which VP is the bootstrap processor. */
	if (!from_host)
		value = (value & ~MSR_IA32_APICBASE_BSP) | (old & MSR_IA32_APICBASE_BSP);

	vp->apic_base = value;
	if (!enable && (old & MSR_IA32_APICBASE_ENABLE)) {
		lapic_timer_stop(lapic(vp));
		lapic_mask_lvts(lapic(vp));
	}
	return 0;
}

/* ----------------------------------------------------------------------- */
/* Lifetime                                                                  */
/* ----------------------------------------------------------------------- */

void hvp_lapic_init(struct hvp_vp *vp)
{
	hrtimer_init(&lapic(vp)->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_PINNED_HARD);
	lapic(vp)->timer.function = lapic_timer_expired;
}

/* Power-on and INIT state (SDM 11.4.7.1), keeping the ID and the base MSR. */
void hvp_lapic_reset(struct hvp_vp *vp)
{
	struct hvp_lapic *l = lapic(vp);
	unsigned int i;

	lapic_timer_stop(l);
	bitmap_zero(l->irr, 256);
	bitmap_zero(l->isr, 256);
	bitmap_zero(l->tmr, 256);
	bitmap_zero(l->eoi_exit, 256);
	l->ldr = 0;
	l->dfr = 0xffffffff;
	l->svr = 0xff;
	l->icr_high = 0;
	for (i = 0; i < HVP_LAPIC_NR_LVT; i++)
		l->lvt[i] = APIC_LVT_MASKED;
	l->tmict = 0;
	l->tdcr = 0;
	l->esr = 0;
	l->esr_pending = 0;
	l->tsc_deadline = 0;
	l->timer_period_ns = 0;
	l->pending_eoi_exit = -1;
	hvp_ops.set_tpr(vp, 0);
}

void hvp_lapic_destroy(struct hvp_vp *vp)
{
	lapic_timer_stop(lapic(vp));
}
