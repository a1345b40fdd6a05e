// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC timer (SDM vol. 3, 11.5.4 "APIC Timer"), in xAPIC and
 * x2APIC mode, timed against the Hyper-V reference counter and the
 * frequencies the partition advertises (HV_X64_MSR_APIC_FREQUENCY for the
 * timer's bus clock, HV_X64_MSR_TSC_FREQUENCY for TSC-deadline).
 *
 * oneshot: TMCCT counts down from TMICT, the interrupt comes no earlier
 *   than TMICT ticks, TMCCT stays 0 after it.
 * periodic: TMCCT reloads; N interrupts take at least N periods.
 * divide_values: every TDCR encoding divides the bus clock as the SDM says
 *   (2, 4, ... 128, 1), measured against the reference counter.
 * tsc_deadline: fires once TSC >= deadline, not before; reads 0 after; a
 *   past deadline fires at once, 0 disarms, one centuries away (or ~0)
 *   waits quietly, writes outside TSC-deadline mode are ignored, and
 *   leaving the mode disarms.
 * masked, tmict_zero, mode_change: a masked timer counts without
 *   interrupting; TMICT 0 stops it; changing the timer mode disarms it.
 *
 * Timers that must not fire run 20 ms and are watched for 30 ms: a stall of
 * the lab host between two guest instructions can be several ms.
 */
#include "apic.h"
#include "hvp_util.h"
#include "hyperv.h"

#define TIMER_VEC	0xe1
#define MS		10000ULL		/* reference time units (100 ns) */
/*
 * Interrupt latency allowed. Generous: when the lab host is busy, QEMU's
 * vCPU threads stop for tens of ms while the lab's clock runs on. Rates
 * are checked separately, with reads bracketed in time.
 */
#define MAX_LAG		(250 * MS)
#define APIC_FEATURES	(HVPART_HV_F(HYPERCALL) | HVPART_HV_F(VP_INDEX) | \
			 HVPART_HV_F(TIME_REF_COUNT) | HVPART_HV_F(FREQUENCY_MSRS))

static volatile uint64_t irqs;
static volatile uint64_t irq_ref, irq_tsc;	/* when the last interrupt came */

static void guest_timer_isr(struct ex_regs *regs __unused)
{
	irq_tsc = rdtsc();
	irq_ref = hv_ref_time();
	irqs++;
}

static void wait_irqs(uint64_t n)
{
	while (irqs < n)
		safe_halt_cli();
}

/* Wait @units of reference time with interrupts open. */
static void idle(uint64_t units)
{
	uint64_t until = hv_ref_time() + units;

	while (hv_ref_time() < until)
		sti_nop_cli();
}

/* Bus-clock ticks in @units of reference time, after dividing by @div. */
static uint64_t ticks(uint64_t units, uint32_t div)
{
	return rdmsr(HV_X64_MSR_APIC_FREQUENCY) / 10000000 * units / div;
}

static void run_guest(void (*guest)(uint64_t), uint64_t x2apic)
{
	struct hvp_vm *vm = vm_create_with_flags(HVP_DEFAULT_MEM_SIZE, 0);
	struct hvp_vp *vp;

	vm_set_hv_config(vm, APIC_FEATURES);
	vp = vm_vp_add(vm, 0, (void (*)(void))guest);
	vm_install_interrupt_handler(vm, TIMER_VEC, guest_timer_isr);
	vp_args_set(vp, 1, x2apic);
	vp_run_expect_done(vp);
	vm_free(vm);
}

/* ---- one-shot and periodic ------------------------------------------------------------- */

static void guest_oneshot(uint64_t x2apic)
{
	uint64_t t0, n = ticks(100 * MS, 1);
	uint32_t c1, c2;

	apic_enable(x2apic);
	GUEST_ASSERT_EQ(rdmsr(HV_X64_MSR_APIC_FREQUENCY) % 10000000, 0);
	apic_write(APIC_TDCR, 0xb);		/* divide by 1 */
	apic_write(APIC_LVTT, TIMER_VEC | APIC_LVT_TIMER_ONESHOT);
	t0 = hv_ref_time();
	apic_write(APIC_TMICT, n);
	c1 = apic_read(APIC_TMCCT);
	c2 = apic_read(APIC_TMCCT);
	GUEST_ASSERT_2(c1 <= n && c1 > 0, c1, n);
	GUEST_ASSERT_2(c2 <= c1, c2, c1);
	wait_irqs(1);
	GUEST_ASSERT_2(irq_ref - t0 >= 100 * MS, irq_ref, t0);
	GUEST_ASSERT_2(irq_ref - t0 <= 100 * MS + MAX_LAG, irq_ref, t0);
	GUEST_ASSERT_EQ(apic_read(APIC_TMCCT), 0);
	GUEST_ASSERT_EQ(apic_read(APIC_TMICT), n);
	/* Once. */
	idle(5 * MS);
	GUEST_ASSERT_EQ(irqs, 1);
	GUEST_ASSERT_EQ(apic_read(APIC_TMCCT), 0);
	GUEST_DONE();
}

static void oneshot(const void *arg)
{
	run_guest(guest_oneshot, (uintptr_t)arg);
}

static void guest_periodic(uint64_t x2apic)
{
	uint64_t t0, period = ticks(MS, 1), i;
	bool reloaded = false;

	apic_enable(x2apic);
	apic_write(APIC_TDCR, 0xb);
	apic_write(APIC_LVTT, TIMER_VEC | APIC_LVT_TIMER_PERIODIC);
	t0 = hv_ref_time();
	apic_write(APIC_TMICT, period);
	for (i = 1; i <= 10; i++) {
		uint32_t c;

		wait_irqs(i);
		/* After each expiry the count starts again from TMICT. */
		c = apic_read(APIC_TMCCT);
		GUEST_ASSERT_2(c <= period, c, period);
		reloaded |= c > 0;
	}
	GUEST_ASSERT(reloaded);
	GUEST_ASSERT_2(irq_ref - t0 >= 10 * MS, irq_ref, t0);
	apic_write(APIC_TMICT, 0);
	GUEST_ASSERT_EQ(apic_read(APIC_TMCCT), 0);
	GUEST_DONE();
}

static void periodic(const void *arg)
{
	run_guest(guest_periodic, (uintptr_t)arg);
}

/* ---- divide values ----------------------------------------------------------------------- */

/* TDCR bits 3, 1:0 (SDM 11.5.4, "Divide Configuration Register"). */
static const struct {
	uint32_t tdcr, div;
} divides[] = {
	{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
	{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
};

/* The bus clock each divider implies, Hz: bounds from reads bracketed in time. */
static uint64_t div_low[ARRAY_SIZE(divides)], div_high[ARRAY_SIZE(divides)];

static void guest_divide(uint64_t x2apic)
{
	uint64_t f = rdmsr(HV_X64_MSR_APIC_FREQUENCY);
	unsigned int i;

	apic_enable(x2apic);
	for (i = 0; i < ARRAY_SIZE(divides); i++) {
		uint32_t div = divides[i].div, n = ticks(50 * MS, div), ca, cb, tries;
		uint64_t t0, ra1, ra2, rb1, rb2;

		apic_write(APIC_TDCR, divides[i].tdcr);
		GUEST_ASSERT_2(apic_read(APIC_TDCR) == divides[i].tdcr, apic_read(APIC_TDCR), i);
		apic_write(APIC_LVTT, TIMER_VEC | APIC_LVT_TIMER_ONESHOT);
		/* A sample the lab host stalled through (the count ran out) is taken again. */
		for (tries = 0; tries < 5; tries++) {
			t0 = hv_ref_time();
			apic_write(APIC_TMICT, n);
			ra1 = hv_ref_time();
			ca = apic_read(APIC_TMCCT);
			ra2 = hv_ref_time();
			idle(8 * MS);
			rb1 = hv_ref_time();
			cb = apic_read(APIC_TMCCT);
			rb2 = hv_ref_time();
			GUEST_ASSERT_2(cb < ca && ca <= n, ca, cb);
			if (cb)
				break;
			wait_irqs(irqs + 1);
		}
		GUEST_ASSERT_2(cb, tries, div);
		/*
		 * Bus clock = ticks counted * divider / time; each TMCCT read
		 * happened somewhere between the reference reads around it.
		 */
		div_low[i] = (uint64_t)(ca - cb) * div * 10000000 / (rb2 - ra1);
		div_high[i] = (uint64_t)(ca - cb) * div * 10000000 / (rb1 - ra2);
		n = irqs;
		wait_irqs(n + 1);
		GUEST_ASSERT_2(irq_ref - t0 >= 50 * MS, irq_ref - t0, div);
		GUEST_ASSERT_2(irq_ref - t0 <= 50 * MS + MAX_LAG, irq_ref - t0, div);
	}
	GUEST_ASSERT_EQ(f, 1000000000);
	GUEST_DONE();
}

static void divide_values(const void *arg)
{
	uint64_t x2apic = (uintptr_t)arg;
	struct hvp_vm *vm = vm_create_with_flags(HVP_DEFAULT_MEM_SIZE, 0);
	struct hvp_vp *vp;
	unsigned int i, bad = 0;

	vm_set_hv_config(vm, APIC_FEATURES);
	vp = vm_vp_add(vm, 0, (void (*)(void))guest_divide);
	vm_install_interrupt_handler(vm, TIMER_VEC, guest_timer_isr);
	vp_args_set(vp, 1, x2apic);
	vp_run_expect_done(vp);
	sync_global_from_guest(vm, div_low);
	sync_global_from_guest(vm, div_high);
	for (i = 0; i < ARRAY_SIZE(divides); i++) {
		tap_diag("TDCR %#x (divide by %u): bus clock between %lu and %lu Hz",
			 divides[i].tdcr, divides[i].div, (unsigned long)div_low[i],
			 (unsigned long)div_high[i]);
		/* 1 GHz (HV_X64_MSR_APIC_FREQUENCY) within the bounds, give or take 1%. */
		bad += div_low[i] > 1010000000 || div_high[i] < 990000000;
	}
	TEST_ASSERT(!bad, "%u divide values count at the wrong rate", bad);
	vm_free(vm);
}

/* ---- TSC-deadline -------------------------------------------------------------------------- */

static void guest_tsc_deadline(uint64_t x2apic)
{
	uint64_t tsc_per_ms = rdmsr(HV_X64_MSR_TSC_FREQUENCY) / 1000, d;

	apic_enable(x2apic);
	apic_write(APIC_LVTT, TIMER_VEC | APIC_LVT_TIMER_TSCDEADLINE);

	/* In the future: not before the TSC gets there; disarmed after. */
	d = rdtsc() + 2 * tsc_per_ms;
	wrmsr(MSR_IA32_TSC_DEADLINE, d);
	wait_irqs(1);
	GUEST_ASSERT_2(irq_tsc >= d, irq_tsc, d);
	GUEST_ASSERT_EQ(rdmsr(MSR_IA32_TSC_DEADLINE), 0);

	/* In the past: at once. */
	wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() - 1);
	sti_nop_cli();
	GUEST_ASSERT_EQ(irqs, 2);

	/* Armed, then 0: nothing. */
	wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() + 20 * tsc_per_ms);
	wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	idle(30 * MS);
	GUEST_ASSERT_EQ(irqs, 2);

	/*
	 * Centuries away (the host once divided this into a #DE): armed,
	 * silent, still readable, and a near deadline after it still fires.
	 */
	d = rdtsc() + (1ULL << 62);
	wrmsr(MSR_IA32_TSC_DEADLINE, d);
	GUEST_ASSERT_EQ(rdmsr(MSR_IA32_TSC_DEADLINE), d);
	wrmsr(MSR_IA32_TSC_DEADLINE, ~0ULL);
	idle(10 * MS);
	GUEST_ASSERT_EQ(irqs, 2);
	wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() + tsc_per_ms);
	wait_irqs(3);
	GUEST_ASSERT_EQ(rdmsr(MSR_IA32_TSC_DEADLINE), 0);

	/* Armed, then another mode: disarmed (SDM 11.5.4.1). */
	wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() + 20 * tsc_per_ms);
	apic_write(APIC_LVTT, TIMER_VEC | APIC_LVT_TIMER_ONESHOT);
	GUEST_ASSERT_EQ(rdmsr(MSR_IA32_TSC_DEADLINE), 0);
	idle(30 * MS);
	GUEST_ASSERT_EQ(irqs, 3);

	/* Outside TSC-deadline mode the MSR ignores writes. */
	wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() + tsc_per_ms);
	GUEST_ASSERT_EQ(rdmsr(MSR_IA32_TSC_DEADLINE), 0);
	idle(4 * MS);
	GUEST_ASSERT_EQ(irqs, 3);

	/* And TMICT does nothing in TSC-deadline mode. */
	apic_write(APIC_LVTT, TIMER_VEC | APIC_LVT_TIMER_TSCDEADLINE);
	apic_write(APIC_TMICT, ticks(MS, 1));
	idle(4 * MS);
	GUEST_ASSERT_EQ(irqs, 3);
	GUEST_ASSERT_EQ(apic_read(APIC_TMCCT), 0);
	GUEST_DONE();
}

static void tsc_deadline(const void *arg)
{
	run_guest(guest_tsc_deadline, (uintptr_t)arg);
}

/* ---- masked, TMICT 0, mode change ---------------------------------------------------------- */

static void guest_masked(uint64_t x2apic)
{
	uint32_t n = ticks(20 * MS, 1), c;

	apic_enable(x2apic);
	apic_write(APIC_TDCR, 0xb);
	apic_write(APIC_LVTT, TIMER_VEC | APIC_LVT_MASKED);
	apic_write(APIC_TMICT, n);
	c = apic_read(APIC_TMCCT);
	GUEST_ASSERT_2(c > 0 && c <= n, c, n);	/* counting */
	idle(30 * MS);
	GUEST_ASSERT_EQ(apic_read(APIC_TMCCT), 0);
	GUEST_ASSERT_EQ(irqs, 0);
	/* Unmasking afterwards does not deliver the expiry that passed. */
	apic_write(APIC_LVTT, TIMER_VEC);
	idle(2 * MS);
	GUEST_ASSERT_EQ(irqs, 0);
	GUEST_DONE();
}

static void masked(const void *arg)
{
	run_guest(guest_masked, (uintptr_t)arg);
}

static void guest_tmict_zero(uint64_t x2apic)
{
	apic_enable(x2apic);
	apic_write(APIC_TDCR, 0xb);
	apic_write(APIC_LVTT, TIMER_VEC | APIC_LVT_TIMER_PERIODIC);
	apic_write(APIC_TMICT, ticks(20 * MS, 1));
	apic_write(APIC_TMICT, 0);
	GUEST_ASSERT_EQ(apic_read(APIC_TMCCT), 0);
	idle(30 * MS);
	GUEST_ASSERT_EQ(irqs, 0);

	/* One-shot armed, then the mode changed to periodic: disarmed. */
	apic_write(APIC_LVTT, TIMER_VEC | APIC_LVT_TIMER_ONESHOT);
	apic_write(APIC_TMICT, ticks(20 * MS, 1));
	apic_write(APIC_LVTT, TIMER_VEC | APIC_LVT_TIMER_PERIODIC);
	idle(30 * MS);
	GUEST_ASSERT_EQ(irqs, 0);
	GUEST_ASSERT_EQ(apic_read(APIC_TMCCT), 0);
	GUEST_DONE();
}

static void tmict_zero_mode_change(const void *arg)
{
	run_guest(guest_tmict_zero, (uintptr_t)arg);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST_ARG("oneshot_xapic", oneshot, (void *)0),
		HVP_TEST_ARG("oneshot_x2apic", oneshot, (void *)1),
		HVP_TEST_ARG("periodic_xapic", periodic, (void *)0),
		HVP_TEST_ARG("periodic_x2apic", periodic, (void *)1),
		HVP_TEST_ARG("divide_values_xapic", divide_values, (void *)0),
		HVP_TEST_ARG("divide_values_x2apic", divide_values, (void *)1),
		HVP_TEST_ARG("tsc_deadline_xapic", tsc_deadline, (void *)0),
		HVP_TEST_ARG("tsc_deadline_x2apic", tsc_deadline, (void *)1),
		HVP_TEST_ARG("masked_xapic", masked, (void *)0),
		HVP_TEST_ARG("masked_x2apic", masked, (void *)1),
		HVP_TEST_ARG("tmict_zero_mode_change", tmict_zero_mode_change, (void *)1),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
