// SPDX-License-Identifier: GPL-2.0
/*
 * A VP may run on any host CPU, and move between them: between RUNs (the
 * VP thread changes its own affinity at every ucall) and while inside RUN
 * (another thread moves it). The guest must keep seeing consistent memory:
 * its own writes, the host's, and another VP's (two VPs pass a token back
 * and forth while their threads are swapped between CPUs).
 */
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "hvp_util.h"

#define NR_HOPS		64
#define BUF_WORDS	(16 * 512)	/* 64 KiB: 16 pages */
#define NR_MOVES	50

static uint64_t shared, stop;

static int nr_usable_cpus(int *cpus, int max)
{
	cpu_set_t set;
	int i, n = 0;

	TEST_ASSERT(!sched_getaffinity(0, sizeof(set), &set), "sched_getaffinity");
	for (i = 0; i < CPU_SETSIZE && n < max; i++) {
		if (CPU_ISSET(i, &set))
			cpus[n++] = i;
	}
	return n;
}

static void pin_to(pid_t tid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	TEST_ASSERT(!sched_setaffinity(tid, sizeof(set), &set), "sched_setaffinity(%d)", cpu);
}

/* Each hop: check the host's pattern, write ours, report. */
static void guest_hops(uint64_t *buf)
{
	uint64_t hop, i;

	for (hop = 0; hop < NR_HOPS; hop++) {
		for (i = 0; i < BUF_WORDS; i++)
			GUEST_ASSERT_2(buf[i] == (hop << 32 | i), hop, i);
		for (i = 0; i < BUF_WORDS; i++)
			buf[i] = ~(hop << 32 | i);
		GUEST_SYNC(hop);
	}
	GUEST_DONE();
}

/* Every word of @buf as the guest left it at @hop; report the pages that are not. */
static void check_guest_words(const uint64_t *buf, uint64_t hop, int cpu)
{
	uint64_t i, bad = 0, first = 0;

	for (i = 0; i < BUF_WORDS; i++) {
		if (buf[i] == ~(hop << 32 | i))
			continue;
		if (!bad++)
			first = i;
		if (i % 512 == 0 || bad == 1)
			tap_diag("hop %lu (CPU %d): word %lu (page %lu) = %#lx", (unsigned long)hop,
				 cpu, (unsigned long)i, (unsigned long)i / 512,
				 (unsigned long)buf[i]);
	}
	TEST_ASSERT(!bad, "hop %lu: %lu of %u words the guest wrote are not in host memory "
		    "(first: word %lu = %#lx)", (unsigned long)hop, (unsigned long)bad, BUF_WORDS,
		    (unsigned long)first, (unsigned long)buf[first]);
}

static void hops(bool migrate)
{
	int cpus[64], n = nr_usable_cpus(cpus, 64);
	uint64_t *buf, gpa, hop, i;
	struct hvp_vm *vm;
	struct hvp_vp *vp;

	__TEST_REQUIRE(n >= 2 || !migrate, "only %d usable CPU", n);
	vm = vm_create_with_one_vp(&vp, (void (*)(void))guest_hops);
	gpa = vm_alloc(vm, BUF_WORDS * 8, SZ_4K);
	buf = addr_gpa2hva(vm, gpa);
	vp_args_set(vp, 1, gpa);

	for (hop = 0; hop < NR_HOPS; hop++) {
		if (migrate) {
			pin_to(0, cpus[hop % n]);
			TEST_ASSERT(sched_getcpu() == cpus[hop % n], "not on CPU %d", cpus[hop % n]);
		}
		for (i = 0; i < BUF_WORDS; i++)
			buf[i] = hop << 32 | i;
		vp_run_expect_sync(vp, hop);
		check_guest_words(buf, hop, sched_getcpu());
	}
	vp_run_expect_done(vp);
	vm_free(vm);
}

static void hop_between_runs(const void *arg __unused)
{
	hops(true);
}

/* The same without moving: tells a migration problem from another one. */
static void same_cpu_runs(const void *arg __unused)
{
	hops(false);
}

/* Two VPs hand a token back and forth through guest memory until told to stop. */
static void guest_pingpong(uint64_t me)
{
	uint64_t k;

	for (k = 0;; k++) {
		uint64_t want = 2 * k + me;

		while (READ_ONCE(shared) != want) {
			if (READ_ONCE(stop))
				goto out;
		}
		WRITE_ONCE(shared, want + 1);
	}
out:
	GUEST_DONE();
}

struct vp_thread {
	struct hvp_vp *vp;
	pid_t tid;
	volatile bool done;
};

static void *run_pingpong(void *arg)
{
	struct vp_thread *t = arg;

	t->tid = gettid();
	vp_run_expect_done(t->vp);
	__atomic_store_n(&t->done, true, __ATOMIC_RELEASE);
	return NULL;
}

static void move_while_running(const void *arg __unused)
{
	int cpus[64], n = nr_usable_cpus(cpus, 64);
	struct vp_thread t[2] = { 0 };
	uint64_t deadline, moves, *token;
	struct hvp_vm *vm;
	pthread_t th[2];
	int i;

	__TEST_REQUIRE(n >= 2, "only %d usable CPU", n);
	vm = vm_create();
	for (i = 0; i < 2; i++) {
		t[i].vp = vm_vp_add(vm, i, (void (*)(void))guest_pingpong);
		vp_args_set(t[i].vp, 1, (uint64_t)i);
	}
	for (i = 0; i < 2; i++)
		TEST_ASSERT(!pthread_create(&th[i], NULL, run_pingpong, &t[i]), "pthread_create");
	while (!__atomic_load_n(&t[0].tid, __ATOMIC_ACQUIRE) ||
	       !__atomic_load_n(&t[1].tid, __ATOMIC_ACQUIRE))
		usleep(100);

	/*
	 * Swap the two VP threads between two CPUs while they run; after each
	 * move the token must keep going (a VP that lost its memory view or
	 * its state on the move stalls it).
	 */
	token = addr_ptr2hva(vm, &shared);
	for (moves = 0; moves < NR_MOVES; moves++) {
		uint64_t before = __atomic_load_n(token, __ATOMIC_ACQUIRE);

		for (i = 0; i < 2; i++) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET(cpus[(moves + i) % n], &set);
			TEST_ASSERT(!sched_setaffinity(t[i].tid, sizeof(set), &set),
				    "sched_setaffinity");
		}
		deadline = time_now_ns() + 10ULL * 1000000000;
		while (__atomic_load_n(token, __ATOMIC_ACQUIRE) < before + 4 &&
		       time_now_ns() < deadline)
			usleep(500);
		TEST_ASSERT(*token >= before + 4, "move %lu: token stuck at %lu",
			    (unsigned long)moves, (unsigned long)*token);
		TEST_ASSERT(!t[0].done && !t[1].done, "a VP stopped on its own");
	}
	write_guest_global(vm, stop, 1);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	tap_diag("%u moves, token at %lu", NR_MOVES, (unsigned long)*token);
	vm_free(vm);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST(same_cpu_runs),
		HVP_TEST(hop_between_runs),
		HVP_TEST(move_while_running),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
