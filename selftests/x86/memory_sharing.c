// SPDX-License-Identifier: GPL-2.0
/*
 * Guest and host see each other's writes to guest memory: between runs
 * (globals copied at creation, changed on either side, synced), and while
 * the guest runs on one thread and the host reads/writes on another.
 */
#include <pthread.h>
#include <unistd.h>

#include "hvp_util.h"

#define BUF_SIZE	(64 << 10)

static uint64_t shared_val = 0x1122334455667788ULL;	/* copied by vm_create */
static uint64_t go, spins, stop, counter;

static void guest_between_runs(uint64_t buf_gpa)
{
	uint64_t *buf = (uint64_t *)buf_gpa;
	uint64_t i;

	GUEST_ASSERT_EQ(shared_val, 0x1122334455667788ULL);
	shared_val = 0xcafef00dULL;
	for (i = 0; i < BUF_SIZE / 8; i++)
		buf[i] = i * 0x9e3779b97f4a7c15ULL;
	GUEST_SYNC(1);

	GUEST_ASSERT_EQ(shared_val, 0xdeadbeefULL);
	for (i = 0; i < BUF_SIZE / 8; i++)
		GUEST_ASSERT_EQ(buf[i], ~i);
	GUEST_DONE();
}

static void between_runs(const void *arg __unused)
{
	struct hvp_vm *vm;
	struct hvp_vp *vp;
	uint64_t buf_gpa, *buf, i;

	vm = vm_create_with_one_vp(&vp, (void (*)(void))guest_between_runs);
	buf_gpa = vm_alloc(vm, BUF_SIZE, SZ_4K);
	vp_args_set(vp, 1, buf_gpa);

	vp_run_expect_sync(vp, 1);
	sync_global_from_guest(vm, shared_val);
	TEST_ASSERT_EQ(shared_val, 0xcafef00dULL);
	buf = addr_gpa2hva(vm, buf_gpa);
	for (i = 0; i < BUF_SIZE / 8; i++) {
		TEST_ASSERT(buf[i] == i * 0x9e3779b97f4a7c15ULL, "buf[%lu] = %#lx",
			    (unsigned long)i, (unsigned long)buf[i]);
		buf[i] = ~i;
	}
	shared_val = 0xdeadbeefULL;
	sync_global_to_guest(vm, shared_val);
	vp_run_expect_done(vp);
	vm_free(vm);
}

/* Spin until the host says go; count spins so the host can see we run. */
static void guest_wait_for_flag(void)
{
	GUEST_SYNC(1);
	while (!READ_ONCE(go))
		WRITE_ONCE(spins, spins + 1);
	GUEST_DONE();
}

struct flipper {
	struct hvp_vm *vm;
	bool saw_spinning;
};

static void *flip_flag(void *arg)
{
	struct flipper *f = arg;
	uint64_t *spins_hva = addr_ptr2hva(f->vm, &spins);
	uint64_t *go_hva = addr_ptr2hva(f->vm, &go);
	uint64_t deadline = time_now_ns() + 20ULL * 1000000000;

	/* Only flip once the guest is demonstrably inside its loop. */
	while (time_now_ns() < deadline) {
		if (__atomic_load_n(spins_hva, __ATOMIC_ACQUIRE) > 1000) {
			f->saw_spinning = true;
			break;
		}
		usleep(1000);
	}
	__atomic_store_n(go_hva, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void host_flips_flag_while_guest_spins(const void *arg __unused)
{
	struct flipper f = { 0 };
	struct hvp_vp *vp;
	pthread_t t;

	f.vm = vm_create_with_one_vp(&vp, guest_wait_for_flag);
	vp_run_expect_sync(vp, 1);
	TEST_ASSERT(!pthread_create(&t, NULL, flip_flag, &f), "pthread_create");
	vp_run_expect_done(vp);
	pthread_join(t, NULL);
	TEST_ASSERT(f.saw_spinning, "host never saw the guest's spin counter move");
	vm_free(f.vm);
}

/* Count until told to stop; the host watches the count from outside. */
static void guest_count_until_stop(void)
{
	while (!READ_ONCE(stop))
		WRITE_ONCE(counter, counter + 1);
	GUEST_SYNC(counter);
	GUEST_DONE();
}

struct runner {
	struct hvp_vp *vp;
	struct ucall uc;
	uint64_t cmd;
};

static void *run_vp(void *arg)
{
	struct runner *r = arg;

	r->cmd = vp_run_ucall(r->vp, &r->uc);
	return NULL;
}

static void host_watches_guest_writes(const void *arg __unused)
{
	struct runner r = { 0 };
	struct hvp_vm *vm;
	uint64_t *ctr, last = 0, seen = 0;
	uint64_t deadline = time_now_ns() + 20ULL * 1000000000;
	pthread_t t;

	vm = vm_create_with_one_vp(&r.vp, guest_count_until_stop);
	ctr = addr_ptr2hva(vm, &counter);
	TEST_ASSERT(!pthread_create(&t, NULL, run_vp, &r), "pthread_create");

	/* Observe at least 5 distinct, increasing values while the VP runs. */
	while (seen < 5 && time_now_ns() < deadline) {
		uint64_t v = __atomic_load_n(ctr, __ATOMIC_ACQUIRE);

		TEST_ASSERT(v >= last, "guest counter went backwards: %lu -> %lu",
			    (unsigned long)last, (unsigned long)v);
		if (v > last) {
			seen++;
			last = v;
		}
		usleep(2000);
	}
	__atomic_store_n((uint64_t *)addr_ptr2hva(vm, &stop), 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	TEST_ASSERT(seen >= 5, "saw only %lu changes of the guest counter", (unsigned long)seen);
	TEST_ASSERT(r.cmd == UCALL_SYNC && r.uc.args[0] >= last,
		    "guest reported %lu, host last saw %lu", (unsigned long)r.uc.args[0],
		    (unsigned long)last);
	vp_run_expect_done(r.vp);
	vm_free(vm);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST(between_runs),
		HVP_TEST(host_flips_flag_while_guest_spins),
		HVP_TEST(host_watches_guest_writes),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
