// SPDX-License-Identifier: GPL-2.0
/*
 * Partition reference time (TLFS "Partition Reference Counter", "Partition
 * Reference TSC Mechanism"; hyperv-facts 1.7).
 *
 * ref_counter_vs_host: TIME_REF_COUNT starts near 0 when the partition is
 *   created and counts 100 ns units: over about a second, what it says
 *   agrees with the host's CLOCK_MONOTONIC (within 0.1% plus the time the
 *   exits around each read take).
 * monotonic_across_vps: two VPs read the counter in turns through shared
 *   memory; no read ever goes back, on one VP or between them.
 * tsc_page: when the page's sequence is not 0, time computed from it agrees
 *   with the MSR read before and after; when it is 0 (a host whose TSC is
 *   unstable, like the QEMU lab's) the guest must use the MSR, which
 *   works - the test says which case it saw. The page may be enabled
 *   before GUEST_OS_ID (Linux does so) and disabled again.
 * tsc_frequency: the TSC runs at what HV_X64_MSR_TSC_FREQUENCY says,
 *   measured against the reference counter.
 */
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "hvp_util.h"
#include "hyperv.h"

#define CLOCK_FEATURES	(HVPART_HV_F(HYPERCALL) | HVPART_HV_F(VP_INDEX) | \
			 HVPART_HV_F(TIME_REF_COUNT) | HVPART_HV_F(REFERENCE_TSC) | \
			 HVPART_HV_F(FREQUENCY_MSRS))

static struct hvp_vm *clock_vm(void (*guest)(void), unsigned int nr_vps)
{
	struct hvp_vm *vm = vm_create();
	unsigned int i;

	vm_set_hv_config(vm, CLOCK_FEATURES);
	for (i = 0; i < nr_vps; i++)
		vm_vp_add(vm, i, guest);
	return vm;
}

/* ---- ref_counter_vs_host ----------------------------------------------------------- */

#define NR_SAMPLES	6

static void guest_ref_samples(void)
{
	unsigned int i;

	for (i = 0; i < NR_SAMPLES; i++)
		GUEST_SYNC2(i, hv_ref_time());
	GUEST_DONE();
}

static void ref_counter_vs_host(const void *arg __unused)
{
	uint64_t created = time_now_ns(), before[NR_SAMPLES], after[NR_SAMPLES], ref[NR_SAMPLES];
	struct hvp_vm *vm = clock_vm(guest_ref_samples, 1);
	struct hvp_vp *vp = vm->vps[0];
	struct timespec nap = { .tv_nsec = 200 * 1000 * 1000 };
	int64_t host_ns, ref_ns, err, allowed;
	struct ucall uc;
	unsigned int i;

	for (i = 0; i < NR_SAMPLES; i++) {
		before[i] = time_now_ns();
		TEST_ASSERT(vp_run_ucall(vp, &uc) == UCALL_SYNC && uc.args[0] == i, "sample %u", i);
		after[i] = time_now_ns();
		ref[i] = uc.args[1];
		if (i)
			TEST_ASSERT(ref[i] > ref[i - 1], "sample %u: %lu after %lu", i,
				    (unsigned long)ref[i], (unsigned long)ref[i - 1]);
		nanosleep(&nap, NULL);
	}
	vp_run_expect_done(vp);

	/* It started at 0 when the partition was created, give or take the creation. */
	TEST_ASSERT(ref[0] * 100 <= after[0] - created,
		    "first read %lu us, but the partition is only %lu us old",
		    (unsigned long)ref[0] / 10, (unsigned long)(after[0] - created) / 1000);

	/* From the first sample to the last: the same span within 0.1% plus the brackets. */
	ref_ns = (ref[NR_SAMPLES - 1] - ref[0]) * 100;
	host_ns = (before[NR_SAMPLES - 1] + after[NR_SAMPLES - 1]) / 2 - (before[0] + after[0]) / 2;
	err = ref_ns - host_ns;
	allowed = host_ns / 1000 + (after[0] - before[0]) / 2 +
		  (after[NR_SAMPLES - 1] - before[NR_SAMPLES - 1]) / 2;
	tap_diag("reference counter: %ld.%06ld s, host CLOCK_MONOTONIC %ld.%06ld s: %+ld us "
		 "(%+ld ppm); allowed +-%ld us", (long)(ref_ns / 1000000000),
		 (long)(ref_ns / 1000 % 1000000), (long)(host_ns / 1000000000),
		 (long)(host_ns / 1000 % 1000000), (long)(err / 1000),
		 (long)(err * 1000000 / host_ns), (long)(allowed / 1000));
	TEST_ASSERT(err <= allowed && err >= -allowed,
		    "reference counter and host clock disagree by %ld us", (long)(err / 1000));
	vm_free(vm);
}

/* ---- monotonic_across_vps -------------------------------------------------------------- */

#define NR_TURNS	500

static uint64_t baton;			/* turn number, odd: VP 1's turn */
static uint64_t last_read;		/* the last read of whoever passed the baton */
static uint64_t backwards[2];

static void guest_ping_pong(void)
{
	uint64_t me = rdmsr(HV_X64_MSR_VP_INDEX), prev_mine = 0, t, turn;

	for (turn = me; turn < NR_TURNS; turn += 2) {
		while (READ_ONCE(baton) != turn)
			cpu_relax();
		__sync_synchronize();
		t = hv_ref_time();
		/* Not before what the other VP read before it handed over, nor my own last. */
		if (t < READ_ONCE(last_read) || t < prev_mine)
			backwards[me]++;
		prev_mine = t;
		WRITE_ONCE(last_read, t);
		__sync_synchronize();
		WRITE_ONCE(baton, turn + 1);
	}
	GUEST_DONE();
}

static void *run_vp(void *arg)
{
	vp_run_expect_done(arg);
	return NULL;
}

static void monotonic_across_vps(const void *arg __unused)
{
	struct hvp_vm *vm = clock_vm(guest_ping_pong, 2);
	pthread_t t;

	TEST_ASSERT(!pthread_create(&t, NULL, run_vp, vm->vps[1]), "pthread_create");
	vp_run_expect_done(vm->vps[0]);
	TEST_ASSERT(!pthread_join(t, NULL), "pthread_join");
	sync_global_from_guest(vm, backwards);
	sync_global_from_guest(vm, baton);
	TEST_ASSERT(baton == NR_TURNS, "baton %lu", (unsigned long)baton);
	TEST_ASSERT(!backwards[0] && !backwards[1], "reads went back: VP 0 %lu, VP 1 %lu times",
		    (unsigned long)backwards[0], (unsigned long)backwards[1]);
	vm_free(vm);
}

/* ---- tsc_page ---------------------------------------------------------------------------- */

static uint8_t tsc_page_mem[4096] __attribute__((aligned(4096)));
#define tsc_page	(*(struct hv_tsc_page *)tsc_page_mem)

/* Reference time from the page, or false when it says "use the MSR". */
static bool page_time(uint64_t *t)
{
	uint32_t seq;
	uint64_t scale, tsc;
	int64_t offset;

	do {
		seq = tsc_page.tsc_sequence;
		if (!seq)
			return false;
		__sync_synchronize();
		scale = tsc_page.tsc_scale;
		offset = tsc_page.tsc_offset;
		tsc = rdtsc();
		__sync_synchronize();
	} while (tsc_page.tsc_sequence != seq);
	*t = (uint64_t)(((unsigned __int128)tsc * scale) >> 64) + offset;
	return true;
}

static uint64_t tsc_result[4];		/* sequence, scale, reads, worst error (100 ns) */

static void guest_tsc_page(void)
{
	uint64_t before, t, after, i, worst = 0;

	/* Linux enables the page before GUEST_OS_ID (hyperv-facts 1.4). */
	GUEST_ASSERT_EQ(rdmsr(HV_X64_MSR_GUEST_OS_ID), 0);
	tsc_page.tsc_sequence = 0xdead;
	wrmsr(HV_X64_MSR_REFERENCE_TSC, (uint64_t)&tsc_page | HV_X64_MSR_TSC_REFERENCE_ENABLE);
	GUEST_ASSERT_EQ(rdmsr(HV_X64_MSR_REFERENCE_TSC),
			(uint64_t)&tsc_page | HV_X64_MSR_TSC_REFERENCE_ENABLE);
	hv_enable_hypercalls();
	/* Written by the hypervisor when enabled: a valid sequence or 0, not ours. */
	GUEST_ASSERT_1(tsc_page.tsc_sequence != 0xdead, tsc_page.tsc_sequence);
	tsc_result[0] = tsc_page.tsc_sequence;
	tsc_result[1] = tsc_page.tsc_scale;

	for (i = 0; i < 1000; i++) {
		before = hv_ref_time();
		if (!page_time(&t)) {
			GUEST_ASSERT_1(!i, i);	/* stays invalid, or valid throughout */
			break;
		}
		after = hv_ref_time();
		GUEST_ASSERT_2(t >= before, t, before);
		GUEST_ASSERT_2(t <= after, t, after);
		worst = after - before > worst ? after - before : worst;
	}
	tsc_result[2] = i;
	tsc_result[3] = worst;
	/* Either way the MSR counts on. */
	before = hv_ref_time();
	after = hv_ref_time();
	GUEST_ASSERT_2(after > before, after, before);

	/* Disabled: reads back 0, and the page is left alone. */
	wrmsr(HV_X64_MSR_REFERENCE_TSC, 0);
	GUEST_ASSERT_EQ(rdmsr(HV_X64_MSR_REFERENCE_TSC), 0);
	tsc_page.tsc_sequence = 0xbeef;
	GUEST_SYNC(1);		/* the host lets time pass */
	GUEST_ASSERT_EQ(tsc_page.tsc_sequence, 0xbeef);
	GUEST_DONE();
}

static void tsc_page_test(const void *arg __unused)
{
	struct hvp_vm *vm = clock_vm(guest_tsc_page, 1);
	char cs[64] = "?";

	vp_run_expect_sync(vm->vps[0], 1);
	usleep(20000);
	vp_run_expect_done(vm->vps[0]);
	sync_global_from_guest(vm, tsc_result);
	if (read_file("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		      cs, sizeof(cs)) > 0)
		cs[strcspn(cs, "\n")] = '\0';
	if (tsc_result[0])
		tap_diag("TSC page valid: sequence %lu, scale %#lx; %lu reads agree with the MSR "
			 "read around them (widest bracket %lu us); host clocksource %s",
			 (unsigned long)tsc_result[0], (unsigned long)tsc_result[1],
			 (unsigned long)tsc_result[2], (unsigned long)tsc_result[3] / 10, cs);
	else
		tap_diag("TSC page sequence 0: the host TSC is not usable for reference time "
			 "(host clocksource %s), so the guest must read TIME_REF_COUNT; it does",
			 cs);
	vm_free(vm);
}

/* ---- tsc_frequency ---------------------------------------------------------------------- */

static uint64_t freq_result[3];		/* TSC_FREQUENCY, TSC ticks, reference time */

static void guest_tsc_frequency(void)
{
	uint64_t r0, r1, c0, c1;

	freq_result[0] = rdmsr(HV_X64_MSR_TSC_FREQUENCY);
	r0 = hv_ref_time();
	c0 = rdtsc();
	do {
		r1 = hv_ref_time();
	} while (r1 - r0 < 2000000);	/* 200 ms */
	c1 = rdtsc();
	freq_result[1] = c1 - c0;
	freq_result[2] = r1 - r0;
	GUEST_DONE();
}

static void tsc_frequency(const void *arg __unused)
{
	struct hvp_vm *vm = clock_vm(guest_tsc_frequency, 1);
	double measured, err;

	vp_run_expect_done(vm->vps[0]);
	sync_global_from_guest(vm, freq_result);
	measured = (double)freq_result[1] * 1e7 / freq_result[2];
	err = (measured - freq_result[0]) / freq_result[0];
	tap_diag("TSC_FREQUENCY %lu Hz; measured against the reference counter %.0f Hz (%+.0f ppm)",
		 (unsigned long)freq_result[0], measured, err * 1e6);
	TEST_ASSERT(freq_result[0], "TSC_FREQUENCY is 0");
	/* Generous: under TCG the two reads around the loop are exits of their own. */
	TEST_ASSERT(err < 0.02 && err > -0.02, "the TSC runs %.2f%% off TSC_FREQUENCY", err * 100);
	vm_free(vm);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST(ref_counter_vs_host),
		HVP_TEST(monotonic_across_vps),
		HVP_TEST_ARG("tsc_page", tsc_page_test, NULL),
		HVP_TEST(tsc_frequency),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
