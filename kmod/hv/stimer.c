// SPDX-License-Identifier: GPL-2.0
/*
 * Synthetic timers, four per VP (TLFS "Synthetic Timers"), on host
 * hrtimers. CONFIG: enable, periodic, auto-enable, direct mode with its
 * APIC vector, or the SINT that gets an HVMSG_TIMER_EXPIRED message.
 * COUNT: in 100 ns units, the absolute expiry in reference time for a
 * one-shot timer, the period for a periodic one.
 *
 * Direct mode raises the vector straight from the hrtimer. Message mode
 * needs guest memory, so expiry only marks the timer and kicks the VP;
 * the VP's own thread writes the message (hvp_stimer_process). A one-shot
 * timer disables itself when it expires; periodic timers are held to at
 * least 100 us so a guest cannot flood its host with interrupts.
 */
#include <linux/hrtimer.h>
#include <linux/math64.h>

#include "../hvpart.h"
#include "hv.h"

#define STIMER_ENABLE		BIT_ULL(0)
#define STIMER_PERIODIC		BIT_ULL(1)
#define STIMER_LAZY		BIT_ULL(2)
#define STIMER_AUTO_ENABLE	BIT_ULL(3)
#define STIMER_VECTOR(c)	(((c) >> 4) & 0xff)
#define STIMER_DIRECT		BIT_ULL(12)
#define STIMER_SINT(c)		(((c) >> 16) & 0xf)
#define STIMER_VALID_BITS	(GENMASK_ULL(12, 0) | GENMASK_ULL(19, 16))

static struct hvp_stimer *vp_stimer(struct hvp_vp *vp, u32 index)
{
	return &vp->hv.stimers[(index - HV_X64_MSR_STIMER0_CONFIG) / 2];
}

/*
 * The guest's counts are 64-bit in 100 ns units: in nanoseconds they would
 * overflow, and a wrapped period would fire the hrtimer back to back. Any
 * wait is cut at 2^61 ns (73 years), which no guest can tell apart.
 */
#define STIMER_MAX_100NS	((1ULL << 61) / 100)

/* Arm the hrtimer for reference time t->expiration. */
static void stimer_arm(struct hvp_vp *vp, struct hvp_stimer *t)
{
	u64 now = hvp_hv_ref_time(vp);
	u64 delta = t->expiration > now ? t->expiration - now : 0;

	hrtimer_start(&t->timer, ktime_add_ns(ktime_get(), min(delta, STIMER_MAX_100NS) * 100),
		      HRTIMER_MODE_ABS_HARD);
}

static u64 stimer_period(struct hvp_stimer *t)
{
	return clamp_t(u64, t->count, HVP_STIMER_MIN_PERIOD, STIMER_MAX_100NS);
}

static void stimer_start(struct hvp_vp *vp, struct hvp_stimer *t)
{
	hrtimer_cancel(&t->timer);
	t->msg_pending = false;
	if (!(t->config & STIMER_ENABLE) || !t->count)
		return;
	if (t->config & STIMER_PERIODIC)
		t->expiration = hvp_hv_ref_time(vp) + stimer_period(t);
	else
		t->expiration = t->count;
	stimer_arm(vp, t);
}

static enum hrtimer_restart stimer_expired(struct hrtimer *timer)
{
	struct hvp_stimer *t = container_of(timer, struct hvp_stimer, timer);
	struct hvp_vp *vp = t->vp;
	u64 config = READ_ONCE(t->config);
	u64 period = stimer_period(t), missed = 1;

	/*
	 * A periodic timer that fires late (by more than a period) has let
	 * several ticks pass: they are coalesced into this one, which reports
	 * the last of them, and the next expiry is the first one still ahead.
	 */
	if (config & STIMER_PERIODIC)
		missed = hrtimer_forward_now(timer, ns_to_ktime(period * 100));
	if (config & STIMER_DIRECT) {
		hvp_lapic_set_irq(vp, STIMER_VECTOR(config), false, false);
	} else {
		WRITE_ONCE(t->msg_expiration, t->expiration + (missed - 1) * period);
		WRITE_ONCE(t->msg_pending, true);
		set_bit(HVP_SYNIC_WORK_TIMER, &vp->hv.synic.work);
		hvp_vp_kick(vp);
	}
	if (config & STIMER_PERIODIC) {
		t->expiration += missed * period;
		return HRTIMER_RESTART;
	}
	WRITE_ONCE(t->config, config & ~STIMER_ENABLE);
	return HRTIMER_NORESTART;
}

void hvp_stimer_init(struct hvp_vp *vp)
{
	unsigned int i;

	for (i = 0; i < HV_SYNIC_STIMER_COUNT; i++) {
		struct hvp_stimer *t = &vp->hv.stimers[i];

		t->vp = vp;
		hrtimer_init(&t->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
		t->timer.function = stimer_expired;
	}
}

void hvp_stimer_destroy(struct hvp_vp *vp)
{
	unsigned int i;

	for (i = 0; i < HV_SYNIC_STIMER_COUNT; i++)
		hrtimer_cancel(&vp->hv.stimers[i].timer);
}

int hvp_stimer_msr_get(struct hvp_vp *vp, u32 index, u64 *value)
{
	struct hvp_stimer *t = vp_stimer(vp, index);

	*value = ((index - HV_X64_MSR_STIMER0_CONFIG) & 1) ? t->count : READ_ONCE(t->config);
	return 0;
}

int hvp_stimer_msr_set(struct hvp_vp *vp, u32 index, u64 value, bool from_host)
{
	struct hvp_stimer *t = vp_stimer(vp, index);

	if ((index - HV_X64_MSR_STIMER0_CONFIG) & 1) {
		/* COUNT: 0 disables; otherwise auto-enable may start it. */
		hrtimer_cancel(&t->timer);
		t->count = value;
		if (!value)
			t->config &= ~STIMER_ENABLE;
		else if (t->config & STIMER_AUTO_ENABLE)
			t->config |= STIMER_ENABLE;
	} else {
		if (value & ~STIMER_VALID_BITS)
			return -EINVAL;
		if (value & STIMER_DIRECT) {
			if (!hvp_hv_has(vp->part, HVPART_HV_F(STIMER_DIRECT)) ||
			    STIMER_VECTOR(value) < HV_SYNIC_FIRST_VALID_VECTOR)
				return -EINVAL;
		} else if ((value & STIMER_ENABLE) && !STIMER_SINT(value)) {
			/* Message mode through SINT 0 is not allowed: stays off. */
			value &= ~STIMER_ENABLE;
		}
		hrtimer_cancel(&t->timer);
		t->config = value;
	}
	stimer_start(vp, t);
	return 0;
}

/* The VP's own thread: put due timer messages in their SINT slot. */
void hvp_stimer_process(struct hvp_vp *vp)
{
	unsigned int i;

	for (i = 0; i < HV_SYNIC_STIMER_COUNT; i++) {
		struct hvp_stimer *t = &vp->hv.stimers[i];
		struct hv_timer_message_payload *p;
		struct hv_message msg = {};

		if (!READ_ONCE(t->msg_pending))
			continue;
		msg.header.message_type = HVMSG_TIMER_EXPIRED;
		msg.header.payload_size = sizeof(*p);
		p = (struct hv_timer_message_payload *)msg.u.payload;
		p->timer_index = i;
		p->expiration_time = READ_ONCE(t->msg_expiration);
		p->delivery_time = hvp_hv_ref_time(vp);
		/* A busy slot gets its pending flag; the guest's EOM retries. */
		if (hvp_synic_deliver_timer(vp, STIMER_SINT(READ_ONCE(t->config)), &msg))
			WRITE_ONCE(t->msg_pending, false);
	}
}
