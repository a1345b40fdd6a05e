// SPDX-License-Identifier: GPL-2.0
/*
 * Getting a running VP back: a signal to the thread in RUN makes RUN
 * return -1/EINTR with exit_reason INTR, and the next RUN resumes the guest
 * exactly where it was; run->immediate_exit makes RUN return the same way
 * without entering the guest at all.
 */
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "hvp_util.h"

#define NR_SIGNALS 10

static uint64_t counter, stop;

static void guest_spin(void)
{
	GUEST_SYNC(0);
	while (!READ_ONCE(stop))
		WRITE_ONCE(counter, counter + 1);
	GUEST_SYNC(1);
	GUEST_DONE();
}

/*
 * Each signal carries the round it was sent for: the kicker can check the
 * round and be preempted before it sends, so a signal for round i may land
 * at the very start of round i + 1, before the guest ran again. RUN is right
 * to return EINTR for it; the test just runs again (stale_signals).
 */
static volatile sig_atomic_t signal_round = -1;

static void round_handler(int sig __unused, siginfo_t *si, void *uc __unused)
{
	signal_round = si->si_value.sival_int;
}


struct kicker {
	pthread_t target;
	uint64_t *counter_hva;
	volatile int round;		/* main bumps it each time RUN came back */
	volatile bool quit;
};

/*
 * For each round: wait until the guest is demonstrably running again, then
 * signal the VP thread until it reports that RUN returned.
 */
static void *kick(void *arg)
{
	struct kicker *k = arg;
	int round;

	for (round = 0; round < NR_SIGNALS && !k->quit; round++) {
		uint64_t start = __atomic_load_n(k->counter_hva, __ATOMIC_ACQUIRE);

		while (!k->quit && __atomic_load_n(k->counter_hva, __ATOMIC_ACQUIRE) < start + 100)
			usleep(500);
		while (!k->quit && k->round == round) {
			pthread_sigqueue(k->target, SIGUSR1, (union sigval){ .sival_int = round });
			usleep(2000);
		}
	}
	return NULL;
}

static void signal_interrupts_guest(const void *arg __unused)
{
	/* no SA_RESTART */
	struct sigaction sa = { .sa_sigaction = round_handler, .sa_flags = SA_SIGINFO };
	struct kicker k = { .target = pthread_self() };
	struct hvpart_regs regs;
	uint64_t last = 0, now;
	unsigned int stale_signals = 0;
	struct hvp_vm *vm;
	struct hvp_vp *vp;
	pthread_t t;
	int i, r;

	TEST_ASSERT(!sigaction(SIGUSR1, &sa, NULL), "sigaction");
	vm = vm_create_with_one_vp(&vp, guest_spin);
	k.counter_hva = addr_ptr2hva(vm, &counter);
	vp_run_expect_sync(vp, 0);

	TEST_ASSERT(!pthread_create(&t, NULL, kick, &k), "pthread_create");
	for (i = 0; i < NR_SIGNALS; i++) {
		r = __vp_run(vp);
		TEST_ASSERT(r == -1 && errno == EINTR,
			    "round %d: RUN returned %d (%s), want -1 EINTR", i, r, strerror(errno));
		TEST_ASSERT_EXIT_REASON(vp, HVPART_EXIT_INTR);
		if (signal_round != i) {
			TEST_ASSERT(++stale_signals < 100, "round %d: only stale signals", i);
			i--;
			continue;
		}
		now = *k.counter_hva;
		TEST_ASSERT(now > last, "round %d: guest made no progress (%lu)", i,
			    (unsigned long)now);
		last = now;
		/* Still inside the spin loop of guest_spin, nowhere else. */
		vp_regs_get(vp, &regs);
		TEST_ASSERT(regs.rip >= (uintptr_t)guest_spin &&
			    regs.rip < (uintptr_t)guest_spin + 0x200,
			    "round %d: rip %#llx outside guest_spin", i,
			    (unsigned long long)regs.rip);
		__atomic_store_n(&k.round, i + 1, __ATOMIC_RELEASE);
	}
	k.quit = true;
	pthread_join(t, NULL);
	if (stale_signals)
		tap_diag("%u signal(s) arrived a round late and were run past", stale_signals);

	/* Resume to the end. */
	write_guest_global(vm, stop, 1);
	vp_run_expect_sync(vp, 1);
	vp_run_expect_done(vp);
	vm_free(vm);
}

static void immediate_exit(const void *arg __unused)
{
	struct hvpart_regs before, after;
	struct hvp_vm *vm;
	struct hvp_vp *vp;
	int i, r;

	vm = vm_create_with_one_vp(&vp, guest_spin);
	vp_regs_get(vp, &before);

	for (i = 0; i < 3; i++) {
		vp->run->immediate_exit = 1;
		r = __vp_run(vp);
		TEST_ASSERT(r == -1 && errno == EINTR,
			    "RUN with immediate_exit returned %d (%s), want -1 EINTR", r,
			    strerror(errno));
		TEST_ASSERT_EXIT_REASON(vp, HVPART_EXIT_INTR);
		vp_regs_get(vp, &after);
		TEST_ASSERT(after.rip == before.rip && after.rsp == before.rsp,
			    "the guest ran: rip %#llx -> %#llx",
			    (unsigned long long)before.rip, (unsigned long long)after.rip);
	}

	vp->run->immediate_exit = 0;
	vp_run_expect_sync(vp, 0);

	/* Also between two exits of a running guest. */
	vp->run->immediate_exit = 1;
	r = __vp_run(vp);
	TEST_ASSERT(r == -1 && errno == EINTR, "RUN returned %d", r);
	TEST_ASSERT_EQ(*(uint64_t *)addr_ptr2hva(vm, &counter), 0);
	vp->run->immediate_exit = 0;
	write_guest_global(vm, stop, 1);
	vp_run_expect_sync(vp, 1);
	vp_run_expect_done(vp);
	vm_free(vm);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST(signal_interrupts_guest),
		HVP_TEST(immediate_exit),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
