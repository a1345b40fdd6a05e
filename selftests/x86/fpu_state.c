// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's SSE state is the guest's: XMM0-15 and MXCSR survive host
 * preemption of the VP thread in the middle of a RUN, exits to userspace
 * (where the VMM uses those registers itself), and the VMM's own registers
 * survive a RUN.
 *
 * The guest functions that hold values in XMM registers are built
 * general-regs-only, so the compiler never touches XMM behind their back,
 * and report through a hand-rolled ucall (the library's ucall() is ordinary
 * C and may use XMM).
 *
 * Why it matters: when the VP thread is scheduled out or the host kernel
 * uses the FPU while a RUN is in progress, the registers hold someone
 * else's state until the guest's is loaded again; entering the guest
 * without reloading it runs the guest on another task's registers (and
 * shows them to it).
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hvp_util.h"

#define GRO	__attribute__((target("general-regs-only")))
#define NR_XMM	16
#define GUEST_MXCSR	0x5f80		/* all masked, round up */
#define HOST_MXCSR	0x3f80		/* all masked, round down */

typedef uint64_t xmm_file[NR_XMM][2] __attribute__((aligned(16)));

#define XMM_LOAD(i)	"movdqu " #i "*16(%0), %%xmm" #i "\n\t"
#define XMM_STORE(i)	"movdqu %%xmm" #i ", " #i "*16(%0)\n\t"
#define XMM_ALL(op)	op(0) op(1) op(2) op(3) op(4) op(5) op(6) op(7) \
			op(8) op(9) op(10) op(11) op(12) op(13) op(14) op(15)

/* Macros, not functions: they must inline into general-regs-only code too. */
#define xmm_load(f)	asm volatile(XMM_ALL(XMM_LOAD) : : "r"(f) : "memory")
#define xmm_store(f)	asm volatile(XMM_ALL(XMM_STORE) : : "r"(f) : "memory")
#define get_mxcsr()	({ uint32_t __v; asm volatile("stmxcsr %0" : "=m"(__v)); __v; })
#define set_mxcsr(v)	({ uint32_t __v = (v); asm volatile("ldmxcsr %0" : : "m"(__v)); })

static GRO void xmm_pattern(xmm_file *f, uint64_t seed)
{
	int i;

	for (i = 0; i < NR_XMM; i++) {
		(*f)[i][0] = seed * 0x9e3779b97f4a7c15ULL ^ (2 * i + 1) * 0x0101010101010101ULL;
		(*f)[i][1] = seed * 0xc2b2ae3d27d4eb4fULL ^ (2 * i + 2) * 0x0101010101010101ULL;
	}
}

/* ---- guest ------------------------------------------------------------------ */

static uint64_t stop, iterations;
static struct ucall raw_uc;

/* A ucall that touches no XMM register. */
static GRO void raw_sync(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	raw_uc.cmd = UCALL_SYNC;
	raw_uc.args[0] = a0;
	raw_uc.args[1] = a1;
	raw_uc.args[2] = a2;
	raw_uc.args[3] = a3;
	asm volatile("outl %%eax, %%dx"
		     : : "a"((uint32_t)(uintptr_t)&raw_uc), "d"(UCALL_PORT) : "memory");
}

/* Index of the first register that differs, or -1. */
static GRO int xmm_diff(const xmm_file *a, const xmm_file *b)
{
	int i;

	for (i = 0; i < NR_XMM; i++) {
		if ((*a)[i][0] != (*b)[i][0] || (*a)[i][1] != (*b)[i][1])
			return i;
	}
	return -1;
}

/*
 * Load a pattern, then check it: until told to stop (@exits == 0), or
 * across @exits ucalls. Report iterations, the first bad register (or -1),
 * its low half, and MXCSR.
 */
static GRO void guest_hold_xmm(uint64_t seed, uint64_t exits)
{
	xmm_file want, got;
	uint64_t n = 0;
	int bad = -1;

	xmm_pattern(&want, seed);
	set_mxcsr(GUEST_MXCSR);
	xmm_load(&want);
	raw_sync(0, 0, 0, 0);

	while (exits ? n < exits : !READ_ONCE(stop)) {
		if (exits)
			raw_sync(1, n, 0, 0);
		xmm_store(&got);
		bad = xmm_diff(&got, &want);
		if (bad >= 0 || get_mxcsr() != GUEST_MXCSR)
			break;
		WRITE_ONCE(iterations, ++n);
	}
	raw_sync(2, n, bad, bad >= 0 ? got[bad][0] : get_mxcsr());
	for (;;)
		raw_sync(3, 0, 0, 0);
}

/* ---- host ------------------------------------------------------------------- */

static void expect_sync(struct hvp_vp *vp, uint64_t what, struct ucall *uc)
{
	TEST_ASSERT(vp_run_ucall(vp, uc) == UCALL_SYNC && uc->args[0] == what,
		    "wanted raw sync %lu, got %lu", (unsigned long)what,
		    (unsigned long)uc->args[0]);
}

static void check_report(const struct ucall *uc, uint64_t seed)
{
	xmm_file want;
	int64_t bad = (int64_t)uc->args[2];

	xmm_pattern(&want, seed);
	TEST_ASSERT(bad < 0 && uc->args[3] == GUEST_MXCSR,
		    "after %lu checks the guest's %s changed: %#lx (was %#lx)",
		    (unsigned long)uc->args[1], bad < 0 ? "MXCSR" : "XMM register",
		    (unsigned long)uc->args[3],
		    bad < 0 ? (unsigned long)GUEST_MXCSR : (unsigned long)want[bad][0]);
}

/* Spin on the same CPU with other values in every XMM register and MXCSR. */
static void *noisy_neighbour(void *arg)
{
	volatile bool *quit = arg;
	xmm_file mine;

	xmm_pattern(&mine, 0xbad);
	set_mxcsr(HOST_MXCSR);
	while (!*quit)
		xmm_load(&mine);
	return NULL;
}

static long involuntary_switches(void)
{
	char path[64], buf[2048], *p;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/status", (long)syscall(SYS_gettid));
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	p = strstr(buf, "nonvoluntary_ctxt_switches:");
	return p ? strtol(p + 27, NULL, 10) : -1;
}

struct stopper {
	struct hvp_vm *vm;
	unsigned int ms;
};

static void *stop_later(void *arg)
{
	struct stopper *s = arg;

	usleep(s->ms * 1000);
	__atomic_store_n((uint64_t *)addr_ptr2hva(s->vm, &stop), 1, __ATOMIC_RELEASE);
	return NULL;
}

static void xmm_survives_preemption(const void *arg __unused)
{
	volatile bool quit = false;
	struct stopper st;
	pthread_t noise, stopper;
	struct hvp_vm *vm;
	struct hvp_vp *vp;
	struct ucall uc;
	cpu_set_t set;
	long before;

	/* The VP thread and a busy neighbour share one CPU: the VP gets preempted. */
	CPU_ZERO(&set);
	CPU_SET(sched_getcpu(), &set);
	TEST_ASSERT(!sched_setaffinity(0, sizeof(set), &set), "sched_setaffinity");

	vm = vm_create_with_one_vp(&vp, (void (*)(void))guest_hold_xmm);
	vp_args_set(vp, 2, 0x5eedULL, 0ULL);
	expect_sync(vp, 0, &uc);

	TEST_ASSERT(!pthread_create(&noise, NULL, noisy_neighbour, (void *)&quit), "pthread");
	st.vm = vm;
	st.ms = 1500;
	TEST_ASSERT(!pthread_create(&stopper, NULL, stop_later, &st), "pthread");
	before = involuntary_switches();
	expect_sync(vp, 2, &uc);
	tap_diag("%lu checks, %ld involuntary context switches of the VP thread",
		 (unsigned long)uc.args[1], involuntary_switches() - before);
	quit = true;
	pthread_join(noise, NULL);
	pthread_join(stopper, NULL);
	check_report(&uc, 0x5eed);
	vm_free(vm);
}

static void xmm_survives_exits(const void *arg __unused)
{
	xmm_file host;
	struct hvp_vm *vm;
	struct hvp_vp *vp;
	struct ucall uc;
	int i;

	vm = vm_create_with_one_vp(&vp, (void (*)(void))guest_hold_xmm);
	vp_args_set(vp, 2, 0xf00dULL, 20ULL);
	expect_sync(vp, 0, &uc);
	for (i = 0; i < 20; i++) {
		/* The VMM uses the registers between RUNs. */
		xmm_pattern(&host, 0xbad + i);
		xmm_load(&host);
		set_mxcsr(HOST_MXCSR);
		expect_sync(vp, 1, &uc);
	}
	expect_sync(vp, 2, &uc);
	check_report(&uc, 0xf00d);
	set_mxcsr(0x1f80);
	vm_free(vm);
}

/* ioctl(RUN) as a raw syscall with the VMM's values live in XMM0-15. */
static long run_holding_xmm(int fd, const xmm_file *in, xmm_file *out)
{
	long ret;

	asm volatile(XMM_ALL(XMM_LOAD)
		     "mov %[nr], %%eax\n\t"
		     "syscall\n\t"
		     "mov %[out], %%rdi\n\t"
		     "movdqu %%xmm0, 0(%%rdi)\n\t" "movdqu %%xmm1, 16(%%rdi)\n\t"
		     "movdqu %%xmm2, 32(%%rdi)\n\t" "movdqu %%xmm3, 48(%%rdi)\n\t"
		     "movdqu %%xmm4, 64(%%rdi)\n\t" "movdqu %%xmm5, 80(%%rdi)\n\t"
		     "movdqu %%xmm6, 96(%%rdi)\n\t" "movdqu %%xmm7, 112(%%rdi)\n\t"
		     "movdqu %%xmm8, 128(%%rdi)\n\t" "movdqu %%xmm9, 144(%%rdi)\n\t"
		     "movdqu %%xmm10, 160(%%rdi)\n\t" "movdqu %%xmm11, 176(%%rdi)\n\t"
		     "movdqu %%xmm12, 192(%%rdi)\n\t" "movdqu %%xmm13, 208(%%rdi)\n\t"
		     "movdqu %%xmm14, 224(%%rdi)\n\t" "movdqu %%xmm15, 240(%%rdi)\n\t"
		     : "=a"(ret)
		     : "0"(in), [nr] "i"(SYS_ioctl), "D"((long)fd), "S"((long)HVPART_RUN_VP),
		       "d"(0L), [out] "m"(out)
		     : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
		       "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
		       "xmm14", "xmm15");
	return ret;
}

/* The guest keeps its own pattern in the registers while the VMM's must survive. */
static void host_xmm_survives_run(const void *arg __unused)
{
	xmm_file in, out;
	struct hvp_vm *vm;
	struct hvp_vp *vp;
	struct ucall uc;
	uint32_t mxcsr;
	int i, bad;
	long r;

	vm = vm_create_with_one_vp(&vp, (void (*)(void))guest_hold_xmm);
	vp_args_set(vp, 2, 0xabcdULL, 10ULL);
	for (i = 0; i < 11; i++) {
		xmm_pattern(&in, 0x1000 + i);
		set_mxcsr(HOST_MXCSR);
		r = run_holding_xmm(vp->fd, &in, &out);
		mxcsr = get_mxcsr();
		set_mxcsr(0x1f80);
		TEST_ASSERT(r == 0, "RUN: %ld", r);
		TEST_ASSERT(get_ucall(vp, &uc) == UCALL_SYNC, "exit %s",
			    exit_reason_str(vp->run->exit_reason));
		if (uc.args[0] == 2)
			check_report(&uc, 0xabcd);	/* the guest stopped early: why */
		TEST_ASSERT_EQ(uc.args[0], i ? 1 : 0);
		bad = xmm_diff(&out, &in);
		TEST_ASSERT(bad < 0, "run %d: the VMM's xmm%d changed across RUN: %#lx, was %#lx", i,
			    bad, (unsigned long)out[bad][0], (unsigned long)in[bad][0]);
		TEST_ASSERT(mxcsr == HOST_MXCSR, "run %d: the VMM's MXCSR changed across RUN: %#x",
			    i, mxcsr);
	}
	expect_sync(vp, 2, &uc);
	check_report(&uc, 0xabcd);
	vm_free(vm);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST(xmm_survives_exits),
		HVP_TEST(host_xmm_survives_run),
		HVP_TEST(xmm_survives_preemption),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
