// SPDX-License-Identifier: GPL-2.0
/*
 * Once HVPART_UNMAP_GPA returns, no VP may reach the old backing memory:
 * the next guest access to the range must be a memory exit, whatever the
 * VP cached (nested TLB, SLAT entries) while the range was mapped.
 *
 * unmap_then_access_exits: two VPs touch the range and stop; the host
 *   unmaps it; each VP's next load and store exit, and the load completes
 *   with what the host supplies.
 * unmap_while_guest_reads: one VP reads the range in a loop on another
 *   thread; the host unmaps it mid-loop and then poisons the old memory.
 *   The VP must come out with a memory exit and must never see the poison.
 * remap_code_redecoded: the guest runs a CPUID from the range; the host
 *   maps other memory there holding a CPUID of another length. Where the
 *   CPU gives no instruction length (SVM without nrip-save) the module
 *   decodes it from guest memory through a per-VP cache of guest pages:
 *   the new bytes must be the ones decoded, or RIP lands on a UD2.
 */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvp_util.h"

#define RANGE_GPA	0x80000000ULL
#define RANGE_SIZE	SZ_2M
#define PATTERN		0x7a7a7a7a00000000ULL
#define POISON		0xdeaddeaddeaddeadULL
#define FROM_EXIT	0x0123456789abcdefULL

static uint64_t reads;

static void guest_touch_then_fault(void)
{
	volatile uint64_t *p = (volatile uint64_t *)RANGE_GPA;
	uint64_t i;

	/* Populate SLAT and TLB: every 4 KiB page, written and read back. */
	for (i = 0; i < RANGE_SIZE / 8; i += 512) {
		p[i] = PATTERN | i;
		GUEST_ASSERT_EQ(p[i], PATTERN | i);
	}
	GUEST_SYNC(1);

	/* Unmapped now: the load exits and completes with the host's value. */
	GUEST_ASSERT_EQ(p[512], FROM_EXIT);
	p[1024] = 0x5555;
	GUEST_DONE();
}

static void *range_alloc(void)
{
	/* 2 MiB aligned so the module may use a large SLAT page for it. */
	uint8_t *p = mmap(NULL, 2 * RANGE_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	TEST_ASSERT(p != MAP_FAILED, "mmap");
	return (void *)ALIGN_UP((uintptr_t)p, RANGE_SIZE);
}

static void unmap_then_access_exits(const void *arg __unused)
{
	uint64_t *mem = range_alloc();
	struct hvpart_run *run;
	struct hvp_vp *vp[2];
	struct hvp_vm *vm;
	int i;

	vm = vm_create();
	vm_map(vm, RANGE_GPA, RANGE_SIZE, mem, HVPART_MEM_READ | HVPART_MEM_WRITE);
	for (i = 0; i < 2; i++) {
		vp[i] = vm_vp_add(vm, i, guest_touch_then_fault);
		vp_run_expect_sync(vp[i], 1);
	}
	TEST_ASSERT_EQ(mem[512], PATTERN | 512);

	vm_unmap(vm, RANGE_GPA, RANGE_SIZE);
	for (i = 0; i < (int)(RANGE_SIZE / 8); i++)
		mem[i] = POISON;

	for (i = 0; i < 2; i++) {
		run = vp[i]->run;
		vp_run(vp[i]);
		TEST_ASSERT_EXIT_REASON(vp[i], HVPART_EXIT_MEMORY);
		TEST_ASSERT(run->memory.gpa == RANGE_GPA + 512 * 8 &&
			    run->memory.access == HVPART_ACCESS_READ,
			    "VP %d: gpa %#llx access %u", i,
			    (unsigned long long)run->memory.gpa, run->memory.access);
		run->memory.data = FROM_EXIT;
		vp_run(vp[i]);
		TEST_ASSERT_EXIT_REASON(vp[i], HVPART_EXIT_MEMORY);
		TEST_ASSERT(run->memory.gpa == RANGE_GPA + 1024 * 8 &&
			    run->memory.access == HVPART_ACCESS_WRITE &&
			    run->memory.data == 0x5555,
			    "VP %d: gpa %#llx access %u data %#llx", i,
			    (unsigned long long)run->memory.gpa, run->memory.access,
			    (unsigned long long)run->memory.data);
		vp_run_expect_done(vp[i]);
	}
	TEST_ASSERT_EQ(mem[1024], POISON);
	vm_free(vm);
}

static void guest_read_loop(void)
{
	volatile uint64_t *p = (volatile uint64_t *)(RANGE_GPA + 0x1000);

	for (;;) {
		uint64_t v = *p;

		if (v == FROM_EXIT)
			break;
		GUEST_ASSERT_1(v == PATTERN, v);	/* POISON: a stale mapping */
		WRITE_ONCE(reads, reads + 1);
	}
	GUEST_DONE();
}

struct reader {
	struct hvp_vp *vp;
	int rc, err;
	volatile bool returned;
};

static void *run_reader(void *arg)
{
	struct reader *r = arg;

	r->rc = __vp_run(r->vp);
	r->err = errno;
	__atomic_store_n(&r->returned, true, __ATOMIC_RELEASE);
	return NULL;
}

static void noop_handler(int sig __unused)
{
}

static void unmap_while_guest_reads(const void *arg __unused)
{
	uint64_t *mem = range_alloc(), *reads_hva, deadline;
	struct sigaction sa = { .sa_handler = noop_handler };
	struct reader r = { 0 };
	struct hvpart_run *run;
	struct hvp_vm *vm;
	pthread_t t;
	size_t i;

	sigaction(SIGUSR1, &sa, NULL);
	for (i = 0; i < RANGE_SIZE / 8; i++)
		mem[i] = PATTERN;
	vm = vm_create_with_one_vp(&r.vp, guest_read_loop);
	run = r.vp->run;
	vm_map(vm, RANGE_GPA, RANGE_SIZE, mem, HVPART_MEM_READ | HVPART_MEM_WRITE);
	reads_hva = addr_ptr2hva(vm, &reads);

	TEST_ASSERT(!pthread_create(&t, NULL, run_reader, &r), "pthread_create");
	deadline = time_now_ns() + 20ULL * 1000000000;
	while (__atomic_load_n(reads_hva, __ATOMIC_ACQUIRE) < 1000 && time_now_ns() < deadline)
		usleep(1000);
	TEST_ASSERT(*reads_hva >= 1000, "the guest never got going (%lu reads)",
		    (unsigned long)*reads_hva);

	vm_unmap(vm, RANGE_GPA, RANGE_SIZE);
	for (i = 0; i < RANGE_SIZE / 8; i++)
		__atomic_store_n(&mem[i], POISON, __ATOMIC_RELAXED);

	deadline = time_now_ns() + 20ULL * 1000000000;
	while (!__atomic_load_n(&r.returned, __ATOMIC_ACQUIRE) && time_now_ns() < deadline)
		usleep(1000);
	if (!r.returned) {
		pthread_kill(t, SIGUSR1);
		pthread_join(t, NULL);
		TEST_FAIL("guest kept reading for 20 s after UNMAP returned (RUN: %d, %s)",
			  r.rc, strerror(r.err));
	}
	pthread_join(t, NULL);
	TEST_ASSERT(r.rc == 0, "RUN failed: %s", strerror(r.err));
	if (get_ucall(r.vp, NULL) == UCALL_ABORT) {
		struct ucall uc;

		get_ucall(r.vp, &uc);
		REPORT_GUEST_ASSERT(uc);
	}
	TEST_ASSERT_EXIT_REASON(r.vp, HVPART_EXIT_MEMORY);
	TEST_ASSERT(run->memory.gpa == RANGE_GPA + 0x1000 &&
		    run->memory.access == HVPART_ACCESS_READ,
		    "gpa %#llx access %u", (unsigned long long)run->memory.gpa,
		    run->memory.access);
	run->memory.data = FROM_EXIT;
	vp_run_expect_done(r.vp);
	vm_free(vm);
}

/* CPUID with four redundant operand-size prefixes (6 bytes); RET. */
static const uint8_t cpuid_long[] = { 0x66, 0x66, 0x66, 0x66, 0x0f, 0xa2, 0xc3 };
/* CPUID (2 bytes); RET; and a UD2 where the long CPUID ended. */
static const uint8_t cpuid_short[] = { 0x0f, 0xa2, 0xc3, 0x90, 0x90, 0x90, 0x0f, 0x0b };

static void guest_call_range(void)
{
	uint32_t eax = 0, ebx, ecx = 0, edx;

	asm volatile("call *%%rsi" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx)
		     : "S"(RANGE_GPA) : "memory");
}

static void guest_cpuid_twice(void)
{
	guest_call_range();
	GUEST_SYNC(1);
	guest_call_range();
	GUEST_DONE();
}

static void remap_code_redecoded(const void *arg __unused)
{
	uint8_t *a = range_alloc(), *b = range_alloc();
	struct hvp_vp *vp;
	struct hvp_vm *vm;

	memcpy(a, cpuid_long, sizeof(cpuid_long));
	memcpy(b, cpuid_short, sizeof(cpuid_short));
	vm = vm_create();
	vm_map(vm, RANGE_GPA, RANGE_SIZE, a, HVPART_MEM_READ | HVPART_MEM_EXEC);
	vp = vm_vp_add(vm, 0, guest_cpuid_twice);
	vp_run_expect_sync(vp, 1);

	vm_unmap(vm, RANGE_GPA, RANGE_SIZE);
	vm_map(vm, RANGE_GPA, RANGE_SIZE, b, HVPART_MEM_READ | HVPART_MEM_EXEC);
	vp_run_expect_done(vp);
	vm_free(vm);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST(unmap_then_access_exits),
		HVP_TEST(unmap_while_guest_reads),
		HVP_TEST(remap_code_redecoded),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
