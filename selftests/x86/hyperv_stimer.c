// SPDX-License-Identifier: GPL-2.0
/*
 * Synthetic timers (TLFS "Synthetic Timers"; hyperv-facts 3.6): four per VP,
 * CONFIG/COUNT MSRs, counting partition reference time (100 ns units).
 *
 * oneshot_message: HVMSG_TIMER_EXPIRED in the SINT's slot with the timer
 *   index, the expiration time (= COUNT) and the delivery time; the timer
 *   disables itself.
 * periodic_message: expiration times are whole periods apart; the spread
 *   of delivery - expiration is reported.
 * direct_oneshot / direct_periodic: the vector instead of a message.
 * accuracy_message / accuracy_direct: a periodic 1 ms (message) or 10 ms
 *   (direct) timer; N expirations take N periods measured with
 *   TIME_REF_COUNT (and the host's clock), within tolerances that hold
 *   under QEMU TCG; the figures go to TAP diagnostics.
 * auto_enable, count_zero_disables, huge_count (no 64-bit nanoseconds:
 *   silent, no storm), past_deadline, busy_slot (the timer's
 *   message waits behind a VMM message for EOM), invalid_config (#GP).
 */
#include "apic.h"
#include "hvp_util.h"
#include "hyperv.h"

#define STIMER_FEATURES	(HVPART_HV_F(HYPERCALL) | HVPART_HV_F(VP_INDEX) | \
			 HVPART_HV_F(TIME_REF_COUNT) | HVPART_HV_F(SYNIC) | \
			 HVPART_HV_F(STIMER) | HVPART_HV_F(STIMER_DIRECT))
#define TIMER_SINT	3
#define SINT_VEC	0x53
#define DIRECT_VEC	0xd1
#define MS		10000ULL	/* one millisecond in reference time units */

static struct hv_message simp[HV_SYNIC_SINT_COUNT] __attribute__((aligned(4096)));
static volatile uint64_t irqs[256];
static volatile uint64_t irq_time[256];	/* reference time of the last interrupt */

static void guest_isr(struct ex_regs *regs)
{
	irq_time[regs->vector] = hv_ref_time();
	irqs[regs->vector]++;
}

static void guest_setup(void)
{
	x2apic_enable();
	hv_enable_hypercalls();
	wrmsr(HV_X64_MSR_SIMP, (uint64_t)simp | HV_SYNIC_SIMP_ENABLE);
	wrmsr(HV_X64_MSR_SINT(TIMER_SINT), SINT_VEC);
	wrmsr(HV_X64_MSR_SCONTROL, HV_SYNIC_CONTROL_ENABLE);
}

static volatile struct hv_message *tslot(void)
{
	return &simp[TIMER_SINT];
}

static const volatile struct hv_timer_message_payload *tpayload(void)
{
	return (const volatile void *)tslot()->payload;
}

/* Sleep until the timer slot holds a message (with an interrupt deadline). */
static void wait_timer_msg(void)
{
	while (!tslot()->message_type)
		safe_halt_cli();
	sti_nop_cli();
}

static void wait_irqs(unsigned int vector, uint64_t n)
{
	while (irqs[vector] < n)
		safe_halt_cli();
}

static struct hvp_vm *stimer_vm(void (*guest)(void))
{
	struct hvp_vm *vm = vm_create_with_flags(HVP_DEFAULT_MEM_SIZE, 0);

	vm_set_hv_config(vm, STIMER_FEATURES);
	vm_vp_add(vm, 0, guest);
	vm_install_interrupt_handler(vm, SINT_VEC, guest_isr);
	vm_install_interrupt_handler(vm, DIRECT_VEC, guest_isr);
	return vm;
}

/* Figures the guest measured, for the host's diagnostics. */
static uint64_t report[4];

static void run_vm(void (*guest)(void))
{
	struct hvp_vm *vm = stimer_vm(guest);

	vp_run_expect_done(vm->vps[0]);
	sync_global_from_guest(vm, report);
	vm_free(vm);
}

/* ---- message mode ------------------------------------------------------------------ */

static void guest_oneshot_message(void)
{
	const volatile struct hv_timer_message_payload *p = tpayload();
	uint64_t now, count;

	guest_setup();
	wrmsr(HV_X64_MSR_STIMER_CONFIG(1), HV_STIMER_ENABLE | HV_STIMER_SINT(TIMER_SINT));
	now = hv_ref_time();
	count = now + 2 * MS;
	wrmsr(HV_X64_MSR_STIMER_COUNT(1), count);
	wait_timer_msg();
	now = hv_ref_time();
	GUEST_ASSERT_1(tslot()->message_type == HVMSG_TIMER_EXPIRED, tslot()->message_type);
	GUEST_ASSERT_1(tslot()->payload_size == sizeof(*p), tslot()->payload_size);
	GUEST_ASSERT_1(p->timer_index == 1, p->timer_index);
	GUEST_ASSERT_2(p->expiration_time == count, p->expiration_time, count);
	GUEST_ASSERT_2(p->delivery_time >= count && p->delivery_time <= now, p->delivery_time, now);
	GUEST_ASSERT_1(irqs[SINT_VEC] == 1, irqs[SINT_VEC]);
	GUEST_ASSERT_2(irq_time[SINT_VEC] >= count, irq_time[SINT_VEC], count);
	/* One-shot: disabled after it fired; COUNT keeps its value. */
	GUEST_ASSERT(!(rdmsr(HV_X64_MSR_STIMER_CONFIG(1)) & HV_STIMER_ENABLE));
	GUEST_ASSERT_EQ(rdmsr(HV_X64_MSR_STIMER_COUNT(1)), count);
	report[0] = p->delivery_time - count;
	hv_message_ack(tslot());
	GUEST_DONE();
}

static void oneshot_message(const void *arg __unused)
{
	run_vm(guest_oneshot_message);
	tap_diag("one-shot 2 ms: message delivered %lu us after the expiration time",
		 (unsigned long)report[0] / 10);
}

#define PERIODIC_N	20
/*
 * How late a timer message may be written (expiration -> delivery time):
 * the host's timer latency plus the VP getting to run, under QEMU TCG,
 * where a busy lab host stops the vCPU threads for tens of ms while the
 * lab's clock runs on. A late slot only coalesces ticks; it does not make
 * the message late.
 */
#define MAX_LAG		(50 * MS)

static void guest_periodic_message(void)
{
	const volatile struct hv_timer_message_payload *p = tpayload();
	uint64_t first = 0, prev = 0, lat, lat_min = ~0ULL, lat_max = 0, lat_sum = 0, skipped = 0;
	unsigned int k;

	guest_setup();
	wrmsr(HV_X64_MSR_STIMER_CONFIG(2), HV_STIMER_ENABLE | HV_STIMER_PERIODIC |
					   HV_STIMER_SINT(TIMER_SINT));
	wrmsr(HV_X64_MSR_STIMER_COUNT(2), MS);
	for (k = 0; k < PERIODIC_N; k++) {
		uint64_t exp;

		wait_timer_msg();
		GUEST_ASSERT_1(tslot()->message_type == HVMSG_TIMER_EXPIRED, tslot()->message_type);
		GUEST_ASSERT_1(p->timer_index == 2, p->timer_index);
		exp = p->expiration_time;
		if (!k)
			first = exp;
		/* Whole periods apart; a tick the slot could not take is coalesced. */
		GUEST_ASSERT_2((exp - first) % MS == 0, exp, first);
		GUEST_ASSERT_2(!k || exp > prev, exp, prev);
		if (k)
			skipped += (exp - prev) / MS - 1;
		/* Delivered after it expired, and not long after (no drift). */
		GUEST_ASSERT_2(p->delivery_time >= exp, p->delivery_time, exp);
		GUEST_ASSERT_2(p->delivery_time - exp <= MAX_LAG, p->delivery_time, exp);
		lat = p->delivery_time - exp;
		lat_min = lat < lat_min ? lat : lat_min;
		lat_max = lat > lat_max ? lat : lat_max;
		lat_sum += lat;
		prev = exp;
		hv_message_ack(tslot());
	}
	/* Still periodic, still enabled. */
	GUEST_ASSERT(rdmsr(HV_X64_MSR_STIMER_CONFIG(2)) & HV_STIMER_ENABLE);
	wrmsr(HV_X64_MSR_STIMER_CONFIG(2), 0);
	report[0] = lat_min;
	report[1] = lat_sum / PERIODIC_N;
	report[2] = lat_max;
	report[3] = skipped;
	GUEST_DONE();
}

static void periodic_message(const void *arg __unused)
{
	run_vm(guest_periodic_message);
	tap_diag("periodic 1 ms, %u messages: delivery - expiration min %lu avg %lu max %lu us, "
		 "%lu ticks coalesced", PERIODIC_N, (unsigned long)report[0] / 10,
		 (unsigned long)report[1] / 10, (unsigned long)report[2] / 10,
		 (unsigned long)report[3]);
}

/* ---- direct mode --------------------------------------------------------------------- */

static void guest_direct_oneshot(void)
{
	uint64_t count;

	guest_setup();
	wrmsr(HV_X64_MSR_STIMER_CONFIG(0), HV_STIMER_ENABLE | HV_STIMER_DIRECT |
					   HV_STIMER_VECTOR(DIRECT_VEC));
	count = hv_ref_time() + MS;
	wrmsr(HV_X64_MSR_STIMER_COUNT(0), count);
	wait_irqs(DIRECT_VEC, 1);
	GUEST_ASSERT_2(irq_time[DIRECT_VEC] >= count, irq_time[DIRECT_VEC], count);
	GUEST_ASSERT(!(rdmsr(HV_X64_MSR_STIMER_CONFIG(0)) & HV_STIMER_ENABLE));
	/* No message anywhere. */
	sti_nop_cli();
	GUEST_ASSERT_1(!tslot()->message_type && !simp[0].message_type, tslot()->message_type);
	GUEST_ASSERT_1(irqs[DIRECT_VEC] == 1, irqs[DIRECT_VEC]);
	GUEST_DONE();
}

static void direct_oneshot(const void *arg __unused)
{
	run_vm(guest_direct_oneshot);
}

static void guest_direct_periodic(void)
{
	guest_setup();
	wrmsr(HV_X64_MSR_STIMER_CONFIG(3), HV_STIMER_ENABLE | HV_STIMER_PERIODIC |
					   HV_STIMER_DIRECT | HV_STIMER_VECTOR(DIRECT_VEC));
	wrmsr(HV_X64_MSR_STIMER_COUNT(3), MS);
	wait_irqs(DIRECT_VEC, 10);
	GUEST_ASSERT(rdmsr(HV_X64_MSR_STIMER_CONFIG(3)) & HV_STIMER_ENABLE);
	wrmsr(HV_X64_MSR_STIMER_CONFIG(3), 0);
	GUEST_DONE();
}

static void direct_periodic(const void *arg __unused)
{
	run_vm(guest_direct_periodic);
}

/* ---- accuracy -------------------------------------------------------------------------- */

/*
 * A periodic timer of period P armed at reference time t0 expires at
 * t0 + k * P, never before.
 *
 * Message mode shows every expiry: a message carries its expiration time,
 * and ticks that passed while the slot was busy are coalesced into the next
 * message, which carries the latest. So after N messages the timer has
 * expired M = (last - first) / P + 1 >= N times, and the reference counter
 * must say M periods have passed: from t0 to the last message's delivery
 * time, within [M * P, M * P + MAX_LAG].
 *
 * Direct mode shows only interrupts, and one that is still pending when
 * the next tick comes swallows it (IRR is one bit per vector). With a 1 ms
 * period that happens all the time under TCG, where each interrupt costs
 * several exits; with 10 ms only when the lab host is busy - but then the
 * interrupts' own latency jitters by more than half a period, so which
 * ticks they belong to cannot be told. Direct mode is held to "never
 * early" (N interrupts take at least N * P) and to 2 * N * P; how many
 * ticks the gaps between interrupts suggest were swallowed is reported.
 * The precise check is message mode's, the same timer code.
 */
#define ACC_N_MSG	500
#define ACC_N_DIRECT	50
#define ACC_P_MSG	MS
#define ACC_P_DIRECT	(10 * MS)

static uint64_t acc_result[4];	/* t0, t1, expirations (message mode) */
static uint64_t acc_irq_time[ACC_N_DIRECT];

static void guest_accuracy(uint64_t direct)
{
	uint64_t cfg = HV_STIMER_ENABLE | HV_STIMER_PERIODIC, t0, t1, exp0 = 0, exp = 0;
	uint64_t period = direct ? ACC_P_DIRECT : ACC_P_MSG;
	unsigned int k, n = direct ? ACC_N_DIRECT : ACC_N_MSG;

	guest_setup();
	cfg |= direct ? HV_STIMER_DIRECT | HV_STIMER_VECTOR(DIRECT_VEC) :
			HV_STIMER_SINT(TIMER_SINT);
	GUEST_SYNC(0);		/* the host notes its clock */
	wrmsr(HV_X64_MSR_STIMER_CONFIG(1), cfg);
	t0 = hv_ref_time();
	wrmsr(HV_X64_MSR_STIMER_COUNT(1), period);
	for (k = 0; k < n; k++) {
		if (direct) {
			wait_irqs(DIRECT_VEC, k + 1);
			acc_irq_time[k] = irq_time[DIRECT_VEC];
			continue;
		}
		wait_timer_msg();
		exp = tpayload()->expiration_time;
		t1 = tpayload()->delivery_time;
		if (!k)
			exp0 = exp;
		hv_message_ack(tslot());
	}
	if (direct)
		t1 = hv_ref_time();
	wrmsr(HV_X64_MSR_STIMER_CONFIG(1), 0);
	acc_result[0] = t0;
	acc_result[1] = t1;
	acc_result[2] = direct ? n : (exp - exp0) / period + 1;
	GUEST_SYNC(1);
	GUEST_DONE();
}

static void accuracy(const void *arg)
{
	uint64_t direct = (uintptr_t)arg, elapsed, want, host_ns, m, swallowed = 0;
	uint64_t period = direct ? ACC_P_DIRECT : ACC_P_MSG;
	unsigned int n = direct ? ACC_N_DIRECT : ACC_N_MSG;
	struct hvp_vm *vm = stimer_vm((void (*)(void))guest_accuracy);
	struct hvp_vp *vp = vm->vps[0];
	uint64_t h0, h1;

	vp_args_set(vp, 1, direct);
	vp_run_expect_sync(vp, 0);
	h0 = time_now_ns();
	vp_run_expect_sync(vp, 1);
	h1 = time_now_ns();
	sync_global_from_guest(vm, acc_result);
	sync_global_from_guest(vm, acc_irq_time);
	elapsed = acc_result[1] - acc_result[0];
	m = acc_result[2];
	want = m * period;
	if (direct) {
		unsigned int k;

		for (k = 1; k < n; k++)
			swallowed += (acc_irq_time[k] - acc_irq_time[k - 1] + period / 2) / period - 1;
	}
	host_ns = h1 - h0;
	tap_diag("%s, period %lu us: %u %s, %lu expirations in %lu.%03lu ms of reference time "
		 "(%lu ms of periods: %+ld us, %+ld ppm); host clock %lu.%03lu ms%s",
		 direct ? "direct mode" : "message mode", (unsigned long)period / 10, n,
		 direct ? "interrupts" : "messages", (unsigned long)m,
		 (unsigned long)(elapsed / 10000), (unsigned long)(elapsed / 10 % 1000),
		 (unsigned long)(want / 10000), (long)((int64_t)elapsed - (int64_t)want) / 10,
		 (long)(((int64_t)elapsed - (int64_t)want) * 1000000 / (int64_t)want),
		 (unsigned long)(host_ns / 1000000), (unsigned long)(host_ns / 1000 % 1000),
		 direct ? "" : " (M from the messages' expiration times)");
	if (direct)
		tap_diag("direct mode: gaps between interrupts suggest %lu ticks swallowed",
			 (unsigned long)swallowed);
	TEST_ASSERT(elapsed >= want, "%lu expirations of %lu us in %lu us: too early",
		    (unsigned long)m, (unsigned long)period / 10, (unsigned long)elapsed / 10);
	TEST_ASSERT(elapsed <= (direct ? 2 * want : want + MAX_LAG),
		    "%lu expirations of %lu us took %lu us: late", (unsigned long)m,
		    (unsigned long)period / 10, (unsigned long)elapsed / 10);
	/* The host saw at least as much time pass as the guest measured. */
	TEST_ASSERT(host_ns * 1.001 + 1000000 >= elapsed * 100,
		    "reference time %lu us > host time %lu us", (unsigned long)elapsed / 10,
		    (unsigned long)host_ns / 1000);
	vm_free(vm);
}

/* ---- enable rules and invalid configurations ------------------------------------------------ */

static void guest_auto_enable(void)
{
	uint64_t count;

	guest_setup();
	/* Auto-enable, not enabled: writing COUNT enables it (far ahead, to look). */
	wrmsr(HV_X64_MSR_STIMER_CONFIG(2), HV_STIMER_AUTOENABLE | HV_STIMER_SINT(TIMER_SINT));
	GUEST_ASSERT(!(rdmsr(HV_X64_MSR_STIMER_CONFIG(2)) & HV_STIMER_ENABLE));
	wrmsr(HV_X64_MSR_STIMER_COUNT(2), hv_ref_time() + 1000 * MS);
	GUEST_ASSERT(rdmsr(HV_X64_MSR_STIMER_CONFIG(2)) & HV_STIMER_ENABLE);
	count = hv_ref_time() + MS;
	wrmsr(HV_X64_MSR_STIMER_COUNT(2), count);
	wait_timer_msg();
	GUEST_ASSERT_1(tpayload()->timer_index == 2, tpayload()->timer_index);
	GUEST_ASSERT_2(tpayload()->expiration_time == count, tpayload()->expiration_time, count);
	hv_message_ack(tslot());
	/* Without auto-enable, writing COUNT does not start a timer. */
	wrmsr(HV_X64_MSR_STIMER_CONFIG(2), HV_STIMER_SINT(TIMER_SINT));
	wrmsr(HV_X64_MSR_STIMER_COUNT(2), hv_ref_time() + MS);
	GUEST_ASSERT(!(rdmsr(HV_X64_MSR_STIMER_CONFIG(2)) & HV_STIMER_ENABLE));
	count = hv_ref_time() + 3 * MS;
	while (hv_ref_time() < count)
		sti_nop_cli();
	GUEST_ASSERT_1(!tslot()->message_type, tslot()->message_type);
	GUEST_DONE();
}

static void auto_enable(const void *arg __unused)
{
	run_vm(guest_auto_enable);
}

static void guest_count_zero(void)
{
	uint64_t n, until;

	guest_setup();
	wrmsr(HV_X64_MSR_STIMER_CONFIG(0), HV_STIMER_ENABLE | HV_STIMER_PERIODIC |
					   HV_STIMER_DIRECT | HV_STIMER_VECTOR(DIRECT_VEC));
	wrmsr(HV_X64_MSR_STIMER_COUNT(0), MS);
	wait_irqs(DIRECT_VEC, 3);
	wrmsr(HV_X64_MSR_STIMER_COUNT(0), 0);
	GUEST_ASSERT(!(rdmsr(HV_X64_MSR_STIMER_CONFIG(0)) & HV_STIMER_ENABLE));
	sti_nop_cli();		/* an expiry already pending before the write */
	n = irqs[DIRECT_VEC];
	until = hv_ref_time() + 5 * MS;
	while (hv_ref_time() < until)
		sti_nop_cli();
	GUEST_ASSERT_2(irqs[DIRECT_VEC] == n, irqs[DIRECT_VEC], n);
	GUEST_DONE();
}

static void count_zero_disables(const void *arg __unused)
{
	run_vm(guest_count_zero);
}

/*
 * Counts whose nanoseconds do not fit in 64 bits, periodic and one-shot:
 * silent (the host once wrapped such a period into an hrtimer storm), and
 * the timer still works with a sane count afterwards.
 */
static void guest_huge_count(void)
{
	uint64_t until;

	guest_setup();
	wrmsr(HV_X64_MSR_STIMER_CONFIG(0), HV_STIMER_ENABLE | HV_STIMER_PERIODIC |
					   HV_STIMER_DIRECT | HV_STIMER_VECTOR(DIRECT_VEC));
	wrmsr(HV_X64_MSR_STIMER_COUNT(0), ~0ULL / 100 + 2);
	wrmsr(HV_X64_MSR_STIMER_CONFIG(1), HV_STIMER_ENABLE | HV_STIMER_DIRECT |
					   HV_STIMER_VECTOR(DIRECT_VEC));
	wrmsr(HV_X64_MSR_STIMER_COUNT(1), ~0ULL);
	until = hv_ref_time() + 5 * MS;
	while (hv_ref_time() < until)
		sti_nop_cli();
	GUEST_ASSERT_1(!irqs[DIRECT_VEC], irqs[DIRECT_VEC]);
	wrmsr(HV_X64_MSR_STIMER_COUNT(0), MS);
	wait_irqs(DIRECT_VEC, 2);
	GUEST_DONE();
}

static void huge_count(const void *arg __unused)
{
	run_vm(guest_huge_count);
}

static void guest_past_deadline(void)
{
	uint64_t now;

	guest_setup();
	wrmsr(HV_X64_MSR_STIMER_CONFIG(1), HV_STIMER_ENABLE | HV_STIMER_SINT(TIMER_SINT));
	now = hv_ref_time();
	wrmsr(HV_X64_MSR_STIMER_COUNT(1), 1);	/* long past */
	wait_timer_msg();
	GUEST_ASSERT_1(tpayload()->expiration_time == 1, tpayload()->expiration_time);
	GUEST_ASSERT_2(tpayload()->delivery_time >= now, tpayload()->delivery_time, now);
	GUEST_ASSERT(!(rdmsr(HV_X64_MSR_STIMER_CONFIG(1)) & HV_STIMER_ENABLE));
	hv_message_ack(tslot());
	GUEST_DONE();
}

static void past_deadline(const void *arg __unused)
{
	run_vm(guest_past_deadline);
}

/* The timer's message waits behind the VMM's until the guest's EOM. */
static void guest_busy_slot(void)
{
	uint64_t count, until;

	guest_setup();
	GUEST_SYNC(0);		/* the VMM fills the slot */
	GUEST_ASSERT_1(tslot()->message_type == 0x1234, tslot()->message_type);
	wrmsr(HV_X64_MSR_STIMER_CONFIG(1), HV_STIMER_ENABLE | HV_STIMER_SINT(TIMER_SINT));
	count = hv_ref_time() + MS;
	wrmsr(HV_X64_MSR_STIMER_COUNT(1), count);
	until = count + 1000 * MS;
	while (hv_ref_time() < until && !(tslot()->message_flags & HV_MESSAGE_FLAG_PENDING))
		sti_nop_cli();
	GUEST_ASSERT_1(tslot()->message_type == 0x1234, tslot()->message_type);
	GUEST_ASSERT(tslot()->message_flags & HV_MESSAGE_FLAG_PENDING);
	hv_message_ack(tslot());
	wait_timer_msg();
	GUEST_ASSERT_1(tslot()->message_type == HVMSG_TIMER_EXPIRED, tslot()->message_type);
	GUEST_ASSERT_2(tpayload()->expiration_time == count, tpayload()->expiration_time, count);
	hv_message_ack(tslot());
	GUEST_DONE();
}

static void busy_slot(const void *arg __unused)
{
	struct hvp_vm *vm = stimer_vm(guest_busy_slot);

	vp_run_expect_sync(vm->vps[0], 0);
	vm_hv_post(vm, 0, TIMER_SINT, 0x1234, "", 0);
	vp_run_expect_done(vm->vps[0]);
	vm_free(vm);
}

static void guest_invalid_config(void)
{
	static const uint64_t bad[] = {
		1ULL << 13, 1ULL << 14, 1ULL << 15, 1ULL << 20, 1ULL << 40, 1ULL << 63,
		/* Direct mode needs a vector the APIC can deliver. */
		HV_STIMER_DIRECT | HV_STIMER_VECTOR(0),
		HV_STIMER_DIRECT | HV_STIMER_VECTOR(15),
	};
	unsigned int i, t;

	guest_setup();
	for (t = 0; t < HV_STIMER_COUNT; t++) {
		wrmsr(HV_X64_MSR_STIMER_CONFIG(t), HV_STIMER_SINT(TIMER_SINT));
		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			GUEST_ASSERT_2(wrmsr_safe(HV_X64_MSR_STIMER_CONFIG(t), bad[i]) == GP_VECTOR,
				       t, bad[i]);
			/* Refused: nothing changed. */
			GUEST_ASSERT_EQ(rdmsr(HV_X64_MSR_STIMER_CONFIG(t)),
					HV_STIMER_SINT(TIMER_SINT));
		}
		/* The lowest valid direct vector is 16. */
		GUEST_ASSERT(!wrmsr_safe(HV_X64_MSR_STIMER_CONFIG(t),
					 HV_STIMER_DIRECT | HV_STIMER_VECTOR(16)));
		/* Enabled in message mode through SINT 0: the timer stays off. */
		GUEST_ASSERT(!wrmsr_safe(HV_X64_MSR_STIMER_CONFIG(t), HV_STIMER_ENABLE));
		GUEST_ASSERT(!(rdmsr(HV_X64_MSR_STIMER_CONFIG(t)) & HV_STIMER_ENABLE));
		wrmsr(HV_X64_MSR_STIMER_CONFIG(t), 0);
	}
	/* There are four timers: the MSRs after them are not timers. */
	GUEST_ASSERT(wrmsr_safe(HV_X64_MSR_STIMER_CONFIG(4), 0) == GP_VECTOR);
	GUEST_DONE();
}

static void invalid_config(const void *arg __unused)
{
	run_vm(guest_invalid_config);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST(oneshot_message),
		HVP_TEST(periodic_message),
		HVP_TEST(direct_oneshot),
		HVP_TEST(direct_periodic),
		HVP_TEST_ARG("accuracy_direct", accuracy, (void *)1),
		HVP_TEST_ARG("accuracy_message", accuracy, (void *)0),
		HVP_TEST(auto_enable),
		HVP_TEST(count_zero_disables),
		HVP_TEST(huge_count),
		HVP_TEST(past_deadline),
		HVP_TEST(busy_slot),
		HVP_TEST(invalid_config),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
