// SPDX-License-Identifier: GPL-2.0
/*
 * Closing the partition fd and/or the VP fd (and even unmapping the guest
 * memory) while another thread is inside RUN with the guest spinning is
 * safe: the guest keeps running on what it had, a signal then brings the
 * thread back with EINTR, and everything is released once it lets go.
 * The module stays usable afterwards. With the memory unmapped, RUN may
 * also come back by itself with EFAULT ("the memory backing a mapped range
 * is gone from the process", docs/api.md); the pinned pages must not be
 * freed under the guest either way.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvp_util.h"

static uint64_t counter;

static void guest_spin(void)
{
	for (;;)
		WRITE_ONCE(counter, counter + 1);
}

static void guest_done(void)
{
	GUEST_DONE();
}

struct close_case {
	const char *name;
	bool close_vp, close_partition, unmap_memory;
};

static const struct close_case cases[] = {
	{ "close_partition_fd", false, true, false },
	{ "close_vp_fd", true, false, false },
	{ "close_both", true, true, false },
	{ "close_both_and_unmap_memory", true, true, true },
};

struct runner {
	struct hvp_vp *vp;
	int fd;
	int rc, err;
	volatile bool returned;
};

static void *run_thread(void *arg)
{
	struct runner *r = arg;

	r->rc = ioctl(r->fd, HVPART_RUN_VP, NULL);
	r->err = errno;
	__atomic_store_n(&r->returned, true, __ATOMIC_RELEASE);
	return NULL;
}

static void noop_handler(int sig __unused)
{
}

static void close_while_running(const void *arg)
{
	const struct close_case *c = arg;
	struct sigaction sa = { .sa_handler = noop_handler };
	struct runner r = { 0 };
	uint64_t *ctr, seen, deadline;
	struct hvp_vm *vm;
	pthread_t t;

	TEST_ASSERT(!sigaction(SIGUSR1, &sa, NULL), "sigaction");
	vm = vm_create_with_one_vp(&r.vp, guest_spin);
	r.fd = r.vp->fd;
	ctr = addr_ptr2hva(vm, &counter);
	TEST_ASSERT(!pthread_create(&t, NULL, run_thread, &r), "pthread_create");

	deadline = time_now_ns() + 20ULL * 1000000000;
	while (__atomic_load_n(ctr, __ATOMIC_ACQUIRE) < 1000 && time_now_ns() < deadline)
		usleep(1000);
	TEST_ASSERT(*ctr >= 1000 && !r.returned, "the guest is not spinning (RUN: %d %s)",
		    r.rc, strerror(r.err));

	if (c->close_vp) {
		TEST_ASSERT(!close(r.vp->fd), "close(VP fd)");
		r.vp->fd = -1;
	}
	if (c->close_partition) {
		TEST_ASSERT(!close(vm->fd), "close(partition fd)");
		vm->fd = -1;
	}
	if (c->unmap_memory) {
		/* The module's pins keep the pages; the process just loses them. */
		TEST_ASSERT(!munmap(vm->mem, vm->mem_size), "munmap");
		vm->mem = mmap(vm->mem, vm->mem_size, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	}

	/* The guest still runs on what it had... */
	usleep(100 * 1000);
	TEST_ASSERT(!r.returned || (c->unmap_memory && r.rc == -1 && r.err == EFAULT),
		    "RUN returned by itself after close: %d (%s)", r.rc, strerror(r.err));
	if (!c->unmap_memory) {
		seen = *ctr;
		usleep(50 * 1000);
		TEST_ASSERT(*ctr > seen, "the guest stopped when its fds were closed");
	}

	/* ...until a signal brings the thread back. */
	deadline = time_now_ns() + 20ULL * 1000000000;
	while (!__atomic_load_n(&r.returned, __ATOMIC_ACQUIRE) && time_now_ns() < deadline) {
		pthread_kill(t, SIGUSR1);
		usleep(2000);
	}
	TEST_ASSERT(r.returned, "RUN did not return within 20 s of signals");
	pthread_join(t, NULL);
	if (c->unmap_memory && r.rc == -1 && r.err == EFAULT) {
		tap_diag("RUN: EFAULT after the memory was unmapped");
	} else {
		TEST_ASSERT(r.rc == -1 && r.err == EINTR, "RUN returned %d (%s), want -1 EINTR",
			    r.rc, strerror(r.err));
		TEST_ASSERT_EQ(r.vp->run->exit_reason, HVPART_EXIT_INTR);
	}

	/* Whatever fds are left still work (RUN of a live VP fd resumes). */
	if (!c->close_vp) {
		r.vp->run->immediate_exit = 1;
		TEST_ASSERT(__vp_run(r.vp) == -1 && errno == EINTR, "RUN after the close");
	}
	vm_free(vm);

	/* The module is fine. */
	vm = vm_create_with_one_vp(&r.vp, guest_done);
	vp_run_expect_done(r.vp);
	vm_free(vm);
}

int main(void)
{
	struct hvp_test tests[ARRAY_SIZE(cases)];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		tests[i] = (struct hvp_test)HVP_TEST_ARG(cases[i].name, close_while_running,
							 &cases[i]);
	return tap_main(tests, ARRAY_SIZE(tests));
}
