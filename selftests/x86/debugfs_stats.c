// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs counters (/sys/kernel/debug/hvpart/<pid>-<partition id>/): each
 * VP's counters in vp<N>/ move by exactly what the guest did, phase by
 * phase, and the partition-level files are the sums over the VPs. The
 * directory goes away with the partition. halt_polls and halt_poll_wakeups
 * show the halt_poll_ns module parameter at work, and not when it is 0.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "apic.h"
#include "hvp_util.h"

#define DEBUGFS_DIR	"/sys/kernel/debug/hvpart"
#define K		7			/* repetitions per phase */
#define MMIO_GPA	0xc0000000ULL
#define FRESH_GPA	0x80000000ULL		/* mapped by the host, untouched */
#define FRESH_SIZE	(4 * SZ_2M)

enum stat {
	S_EXITS, S_IO, S_MMIO, S_HLT, S_CPUID, S_MSR, S_NPF, S_INTR, S_SIGNAL, S_NR,
};

static const char *const stat_names[S_NR] = {
	"exits", "io_exits", "mmio_exits", "hlt_exits", "cpuid_exits", "msr_exits",
	"npf_fills", "intr_exits", "signal_exits",
};

static uint64_t stop;

static void guest_phases(void)
{
	uint32_t a, b, c, d;
	int i;

	GUEST_SYNC(0);
	for (i = 0; i < K; i++)
		cpuid_count(0, 0, &a, &b, &c, &d);
	GUEST_SYNC(1);
	for (i = 0; i < K; i++)
		hlt();
	GUEST_SYNC(2);
	for (i = 0; i < K; i++)
		(void)*(volatile uint32_t *)(MMIO_GPA + 4 * i);
	GUEST_SYNC(3);
	for (i = 0; i < K; i++)
		rdmsr(MSR_IA32_MISC_ENABLE);
	GUEST_SYNC(4);
	for (i = 0; i < K; i++)
		outb(0x80, i);
	GUEST_SYNC(5);
	for (i = 0; i < (int)(FRESH_SIZE / SZ_4K); i++)
		*(volatile uint64_t *)(FRESH_GPA + i * SZ_4K) = i;
	GUEST_SYNC(6);
	while (!READ_ONCE(stop))
		;
	GUEST_DONE();
}

/*
 * Expected movement of each counter over a phase: exactly @exact, or at
 * least @min when @exact is -1. The SYNC that ends a phase is one port I/O
 * exit to userspace. npf_fills and intr_exits move whenever they like
 * except where a phase is about them.
 */
struct phase {
	const char *what;
	int64_t exact[S_NR];	/* -1: not exact */
	uint64_t min[S_NR];
};

#define ANY	-1
#define PHASE(w, cpuid, hlt, mmio, msr, io, npf_min) {				\
	.what = w,								\
	.exact = { [S_EXITS] = ANY, [S_IO] = io, [S_MMIO] = mmio, [S_HLT] = hlt,	\
		   [S_CPUID] = cpuid, [S_MSR] = msr, [S_NPF] = ANY, [S_INTR] = ANY,	\
		   [S_SIGNAL] = 0 },						\
	.min = { [S_EXITS] = (cpuid) + (hlt) + (mmio) + (msr) + (io), [S_NPF] = npf_min },	\
}

static const struct phase phases[] = {
	PHASE("cpuid", K, 0, 0, 0, 1, 0),
	PHASE("hlt", 0, K, 0, 0, 1, 0),
	PHASE("mmio", 0, 0, K, 0, 1, 0),
	PHASE("rdmsr", 0, 0, 0, K, 1, 0),
	PHASE("out", 0, 0, 0, 0, K + 1, 0),
	PHASE("touch fresh memory", 0, 0, 0, 0, 1, 1),
};

static char part_dir[512];

/* The partition directory of this process (exactly one partition alive). */
static void find_part_dir(void)
{
	char prefix[32];
	struct dirent *de;
	int found = 0;
	DIR *d;

	d = opendir(DEBUGFS_DIR);
	__TEST_REQUIRE(d, "%s: %s (debugfs not mounted?)", DEBUGFS_DIR, strerror(errno));
	snprintf(prefix, sizeof(prefix), "%d-", (int)getpid());
	while ((de = readdir(d))) {
		if (!strncmp(de->d_name, prefix, strlen(prefix))) {
			snprintf(part_dir, sizeof(part_dir), DEBUGFS_DIR "/%s", de->d_name);
			found++;
		}
	}
	closedir(d);
	TEST_ASSERT(found == 1, "%d directories %s%s* for one partition", found, DEBUGFS_DIR "/",
		    prefix);
}

static uint64_t read_stat(const char *vp_dir, enum stat s)
{
	char path[1024];
	uint64_t v;
	int r;

	snprintf(path, sizeof(path), "%s%s%s/%s", part_dir, vp_dir ? "/" : "", vp_dir ?: "",
		 stat_names[s]);
	r = read_file_u64(path, &v);
	TEST_ASSERT(!r, "reading %s: %s", path, strerror(-r));
	return v;
}

static void snapshot(const char *vp_dir, uint64_t *v)
{
	int s;

	for (s = 0; s < S_NR; s++)
		v[s] = read_stat(vp_dir, s);
}

static void counters_per_phase(const void *arg __unused)
{
	uint64_t before[S_NR], after[S_NR];
	struct hvpart_run *run;
	struct hvp_vm *vm;
	struct hvp_vp *vp;
	unsigned int p;
	void *fresh;
	int s, i;

	vm = vm_create_with_one_vp(&vp, guest_phases);
	run = vp->run;
	fresh = mmap(NULL, FRESH_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(fresh != MAP_FAILED, "mmap");
	vm_map(vm, FRESH_GPA, FRESH_SIZE, fresh, HVPART_MEM_READ | HVPART_MEM_WRITE);
	find_part_dir();

	vp_run_expect_sync(vp, 0);
	for (p = 0; p < ARRAY_SIZE(phases); p++) {
		snapshot("vp0", before);
		/* Intermediate exits of the phase, then its closing SYNC. */
		for (;;) {
			vp_run(vp);
			if (run->exit_reason == HVPART_EXIT_MEMORY)
				run->memory.data = 0;
			else if (get_ucall(vp, NULL) != UCALL_NONE)
				break;
		}
		TEST_ASSERT(get_ucall(vp, NULL) == UCALL_SYNC, "phase %s did not end in a SYNC",
			    phases[p].what);
		snapshot("vp0", after);
		for (s = 0; s < S_NR; s++) {
			uint64_t delta = after[s] - before[s];

			if (phases[p].exact[s] != ANY)
				TEST_ASSERT(delta == (uint64_t)phases[p].exact[s],
					    "phase %s: %s moved by %lu, want %ld", phases[p].what,
					    stat_names[s], (unsigned long)delta,
					    (long)phases[p].exact[s]);
			TEST_ASSERT(delta >= phases[p].min[s],
				    "phase %s: %s moved by %lu, want at least %lu", phases[p].what,
				    stat_names[s], (unsigned long)delta,
				    (unsigned long)phases[p].min[s]);
		}
	}

	/* Every RUN that ends in -EINTR counts once. */
	snapshot("vp0", before);
	for (i = 0; i < K; i++) {
		run->immediate_exit = 1;
		TEST_ASSERT(__vp_run(vp) == -1 && errno == EINTR, "immediate_exit");
	}
	run->immediate_exit = 0;
	snapshot("vp0", after);
	TEST_ASSERT(after[S_SIGNAL] - before[S_SIGNAL] == K, "signal_exits moved by %lu, want %d",
		    (unsigned long)(after[S_SIGNAL] - before[S_SIGNAL]), K);

	write_guest_global(vm, stop, 1);
	vp_run_expect_done(vp);
	vm_free(vm);

	/* The directory went with the partition. */
	TEST_ASSERT(access(part_dir, F_OK), "%s still exists after close", part_dir);
}

/* Partition-level files are the sums of the VPs'. */
static void guest_some_exits(uint64_t n)
{
	uint32_t a, b, c, d;
	uint64_t i;

	for (i = 0; i < n; i++) {
		cpuid_count(1, 0, &a, &b, &c, &d);
		outb(0x80, i);
		hlt();
	}
	GUEST_DONE();
}

static void partition_sums(const void *arg __unused)
{
	uint64_t v0[S_NR], v1[S_NR], part[S_NR];
	struct hvp_vm *vm = vm_create();
	struct hvp_vp *vp[2];
	int i, s;

	for (i = 0; i < 2; i++) {
		vp[i] = vm_vp_add(vm, i, (void (*)(void))guest_some_exits);
		vp_args_set(vp[i], 1, (uint64_t)(3 + 4 * i));
	}
	find_part_dir();
	for (i = 0; i < 2; i++) {
		for (;;) {
			vp_run(vp[i]);
			if (get_ucall(vp[i], NULL) == UCALL_DONE)
				break;
		}
	}
	snapshot("vp0", v0);
	snapshot("vp1", v1);
	snapshot(NULL, part);
	for (s = 0; s < S_NR; s++)
		TEST_ASSERT(part[s] == v0[s] + v1[s], "%s: partition %lu, VPs %lu + %lu",
			    stat_names[s], (unsigned long)part[s], (unsigned long)v0[s],
			    (unsigned long)v1[s]);
	TEST_ASSERT(v0[S_CPUID] == 3 && v1[S_CPUID] == 7 && v0[S_HLT] == 3 && v1[S_HLT] == 7,
		    "cpuid_exits %lu/%lu hlt_exits %lu/%lu", (unsigned long)v0[S_CPUID],
		    (unsigned long)v1[S_CPUID], (unsigned long)v0[S_HLT], (unsigned long)v1[S_HLT]);
	vm_free(vm);
}

/* ---- halt polling ------------------------------------------------------ */

#define HALT_POLL_PARAM	"/sys/module/hvpart/parameters/halt_poll_ns"
#define HALT_ROUNDS	20
#define HALT_VEC	0x50

static void guest_halt_rounds(uint64_t rounds)
{
	uint64_t i;

	x2apic_enable();
	for (i = 0; i < rounds; i++)
		asm volatile("sti; hlt; cli" ::: "memory");
	GUEST_DONE();
}

static void halt_isr(struct ex_regs *regs __unused)
{
}

struct halt_runner {
	struct hvp_vp *vp;
	volatile int done;
};

static void *halt_runner_fn(void *arg)
{
	struct halt_runner *h = arg;

	vp_run_expect_done(h->vp);
	h->done = 1;
	return NULL;
}

static uint64_t read_vp0_stat(const char *name)
{
	char path[1024];
	uint64_t v;
	int r;

	snprintf(path, sizeof(path), "%s/vp0/%s", part_dir, name);
	r = read_file_u64(path, &v);
	TEST_ASSERT(!r, "reading %s: %s", path, strerror(-r));
	return v;
}

/*
 * One VP halts HALT_ROUNDS times with interrupts on; the VMM injects an
 * interrupt every millisecond until the guest is done. Returns the number
 * of halts that polled and, in @woken, how many polls ended in a wake-up.
 */
static uint64_t halt_rounds(const char *poll_ns, uint64_t *woken)
{
	struct halt_runner h = { 0 };
	uint64_t polls0, woken0;
	struct hvp_vm *vm;
	pthread_t t;
	int r;

	r = write_file(HALT_POLL_PARAM, poll_ns);
	TEST_ASSERT(!r, "writing %s to %s: %s", poll_ns, HALT_POLL_PARAM, strerror(-r));
	vm = vm_create_with_flags(HVP_DEFAULT_MEM_SIZE, 0);	/* HLT stays in the kernel */
	h.vp = vm_vp_add(vm, 0, (void (*)(void))guest_halt_rounds);
	vp_args_set(h.vp, 1, HALT_ROUNDS);
	vm_install_interrupt_handler(vm, HALT_VEC, halt_isr);
	find_part_dir();
	polls0 = read_vp0_stat("halt_polls");
	woken0 = read_vp0_stat("halt_poll_wakeups");
	TEST_ASSERT(!pthread_create(&t, NULL, halt_runner_fn, &h), "pthread_create");
	while (!h.done) {
		vm_interrupt(vm, 0, HALT_VEC, HVPART_DELIVERY_FIXED, 0);
		usleep(1000);
	}
	TEST_ASSERT(!pthread_join(t, NULL), "pthread_join");
	*woken = read_vp0_stat("halt_poll_wakeups") - woken0;
	polls0 = read_vp0_stat("halt_polls") - polls0;
	vm_free(vm);
	return polls0;
}

static void halt_polling(const void *arg __unused)
{
	uint64_t polls, woken;
	char saved[32];
	int r;

	r = read_file(HALT_POLL_PARAM, saved, sizeof(saved));
	__TEST_REQUIRE(r > 0, "%s: %s", HALT_POLL_PARAM, strerror(-r));
	saved[strcspn(saved, "\n")] = 0;

	/* A window far longer than the gap between interrupts. */
	polls = halt_rounds("50000000", &woken);
	tap_diag("halt_poll_ns 50 ms: %lu of %d halts polled, %lu woken while polling",
		 (unsigned long)polls, HALT_ROUNDS, (unsigned long)woken);
	TEST_ASSERT(polls <= HALT_ROUNDS && woken <= polls, "more polls than halts");
	TEST_ASSERT(woken > 0, "no halt was woken while polling");

	polls = halt_rounds("0", &woken);
	TEST_ASSERT(polls == 0 && woken == 0,
		    "halt_poll_ns 0: %lu halts polled, %lu woken while polling",
		    (unsigned long)polls, (unsigned long)woken);

	r = write_file(HALT_POLL_PARAM, saved);
	TEST_ASSERT(!r, "restoring %s: %s", HALT_POLL_PARAM, strerror(-r));
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST(counters_per_phase),
		HVP_TEST(partition_sums),
		HVP_TEST(halt_polling),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
