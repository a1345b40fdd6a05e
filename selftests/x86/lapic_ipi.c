// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts between VPs through the local APIC (SDM vol. 3, 11.6 "Issuing
 * Interprocessor Interrupts", 11.6.2 "Determining IPI Destination").
 *
 * ipi_xapic_flat, ipi_xapic_cluster, ipi_x2apic: four VPs; VP 0 sends a
 *   table of IPIs - fixed and lowest priority, physical and logical
 *   destinations, the three shorthands, broadcast - and each row names the
 *   VPs that must take it and no others. Receivers sleep in HLT.
 * vmm_interrupts: the same destinations through HVPART_INTERRUPT, and its
 *   bad input.
 * init_sipi: a VP parked with HVPART_SET_MP_STATE(WAIT_SIPI) sleeps in RUN
 *   until INIT and a start-up IPI; it starts in real mode at vector << 12,
 *   keeps its APIC mode (x2APIC survives INIT), and a SIPI to a running VP
 *   does nothing.
 * hlt_in_kernel: without HVPART_PARTITION_F_HLT_EXITS a halted VP sleeps in
 *   the kernel (its thread uses no CPU, RUN does not return) until an IPI
 *   from a VP on another host CPU wakes it; a signal interrupts the sleep
 *   (EINTR) and RUN resumes it. hlt_exits: with the flag, HLT is an exit.
 * cli_hlt: HLT with interrupts off is not ended by an interrupt.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "apic.h"
#include "hvp_util.h"
#include "hyperv.h"

#define NR_VPS		4
#define IPI_VEC		0x60
#define WAKE_VEC	0x70
#define MS		10000ULL
#define IPI_FEATURES	(HVPART_HV_F(HYPERCALL) | HVPART_HV_F(VP_INDEX) | \
			 HVPART_HV_F(TIME_REF_COUNT))

enum apic_model { XAPIC_FLAT, XAPIC_CLUSTER, X2APIC };

static uint64_t counts[NR_VPS][256];	/* interrupts taken, per VP and vector */
static uint64_t stop, ready;

static void guest_count_isr(struct ex_regs *regs)
{
	__atomic_fetch_add(&counts[rdmsr(HV_X64_MSR_VP_INDEX)][regs->vector], 1,
			   __ATOMIC_SEQ_CST);
}

static uint64_t count(unsigned int vp, unsigned int vec)
{
	return __atomic_load_n(&counts[vp][vec], __ATOMIC_SEQ_CST);
}

/* Logical IDs: flat, one bit per VP; cluster, two VPs per cluster. */
static void apic_setup(enum apic_model model)
{
	uint32_t id = rdmsr(HV_X64_MSR_VP_INDEX);

	if (model == X2APIC) {
		x2apic_enable();
		/* x2APIC logical ID: cluster (id / 16) in 31:16, bit id % 16. */
		GUEST_ASSERT_EQ(x2apic_read_reg(APIC_LDR), (1U << (id & 15)) | ((id >> 4) << 16));
		return;
	}
	xapic_enable();
	GUEST_ASSERT_EQ(xapic_read_reg(APIC_ID) >> 24, id);
	if (model == XAPIC_FLAT) {
		xapic_write_reg(APIC_DFR, APIC_DFR_FLAT);
		xapic_write_reg(APIC_LDR, 1U << (24 + id));
	} else {
		xapic_write_reg(APIC_DFR, APIC_DFR_CLUSTER);
		xapic_write_reg(APIC_LDR, ((id >> 1) << 28) | (1U << (24 + (id & 1))));
	}
}

/* ---- the IPI matrix ------------------------------------------------------------------- */

struct ipi_row {
	enum apic_model model;
	const char *name;
	uint32_t icr;		/* low word: delivery, destination mode, shorthand */
	uint32_t dest;
	uint8_t targets;	/* VPs that take it (bit per VP) */
	bool one_of;		/* lowest priority: exactly one of @targets */
};

#define ALL	0xf
#define LOG	APIC_DEST_LOGICAL

static const struct ipi_row ipi_rows[] = {
	{ XAPIC_FLAT, "physical 1", 0, 1, 0x2, false },
	{ XAPIC_FLAT, "physical 3", 0, 3, 0x8, false },
	{ XAPIC_FLAT, "physical 0 (itself)", 0, 0, 0x1, false },
	{ XAPIC_FLAT, "physical 5 (nobody)", 0, 5, 0, false },
	{ XAPIC_FLAT, "physical broadcast 0xff", 0, 0xff, ALL, false },
	{ XAPIC_FLAT, "logical 0x06", LOG, 0x06, 0x6, false },
	{ XAPIC_FLAT, "logical 0x09", LOG, 0x09, 0x9, false },
	{ XAPIC_FLAT, "logical 0x30 (nobody)", LOG, 0x30, 0, false },
	{ XAPIC_FLAT, "logical broadcast 0xff", LOG, 0xff, ALL, false },
	{ XAPIC_FLAT, "self", APIC_DEST_SELF, 2, 0x1, false },
	{ XAPIC_FLAT, "all including self", APIC_DEST_ALLINC, 0, ALL, false },
	{ XAPIC_FLAT, "all excluding self", APIC_DEST_ALLBUT, 0, 0xe, false },
	{ XAPIC_FLAT, "lowest priority logical 0x0e", APIC_DM_LOWEST | LOG, 0x0e, 0xe, true },
	{ XAPIC_CLUSTER, "cluster 0, member 0", LOG, 0x01, 0x1, false },
	{ XAPIC_CLUSTER, "cluster 0, members 0-1", LOG, 0x03, 0x3, false },
	{ XAPIC_CLUSTER, "cluster 1, member 1", LOG, 0x12, 0x8, false },
	{ XAPIC_CLUSTER, "cluster 1, members 0-1", LOG, 0x13, 0xc, false },
	{ XAPIC_CLUSTER, "cluster 2 (nobody)", LOG, 0x23, 0, false },
	{ XAPIC_CLUSTER, "cluster broadcast 0xff", LOG, 0xff, ALL, false },
	{ XAPIC_CLUSTER, "physical 2", 0, 2, 0x4, false },
	{ XAPIC_CLUSTER, "all excluding self", APIC_DEST_ALLBUT, 0, 0xe, false },
	{ X2APIC, "physical 2", 0, 2, 0x4, false },
	{ X2APIC, "physical 0xff (APIC ID 255, nobody)", 0, 0xff, 0, false },
	{ X2APIC, "physical broadcast 0xffffffff", 0, 0xffffffff, ALL, false },
	{ X2APIC, "logical cluster 0, 0x000a", LOG, 0x0000000a, 0xa, false },
	{ X2APIC, "logical cluster 1 (nobody)", LOG, 0x0001000f, 0, false },
	{ X2APIC, "logical broadcast 0xffffffff", LOG, 0xffffffff, ALL, false },
	{ X2APIC, "self", APIC_DEST_SELF, 3, 0x1, false },
	{ X2APIC, "all including self", APIC_DEST_ALLINC, 0, ALL, false },
	{ X2APIC, "all excluding self", APIC_DEST_ALLBUT, 0, 0xe, false },
	{ X2APIC, "lowest priority physical 3", APIC_DM_LOWEST, 3, 0x8, true },
};

static uint64_t row_result[ARRAY_SIZE(ipi_rows)];	/* bit per VP that took it */

/* Everyone's counts of @vec. */
static void snapshot(uint64_t *c, unsigned int vec)
{
	unsigned int v;

	for (v = 0; v < NR_VPS; v++)
		c[v] = count(v, vec);
}

/* Who took @vec since @before, once @want of them did or 1 s passed; then 5 ms more. */
static uint8_t took(const uint64_t *before, unsigned int vec, unsigned int want)
{
	uint64_t until = hv_ref_time() + 1000 * MS, settle;
	unsigned int v, n;
	uint8_t mask;

	for (;;) {
		sti_nop_cli();
		for (v = 0, n = 0; v < NR_VPS; v++)
			n += count(v, vec) != before[v];
		if (n >= want || hv_ref_time() > until)
			break;
		cpu_relax();
	}
	settle = hv_ref_time() + 5 * MS;
	while (hv_ref_time() < settle)
		sti_nop_cli();
	for (v = 0, mask = 0; v < NR_VPS; v++)
		if (count(v, vec) != before[v])
			mask |= 1U << v;
	return mask;
}

static void guest_ipi_vp(uint64_t model)
{
	uint64_t before[NR_VPS];
	unsigned int i;

	apic_setup(model);
	if (rdmsr(HV_X64_MSR_VP_INDEX)) {
		__atomic_fetch_add(&ready, 1, __ATOMIC_SEQ_CST);
		while (!READ_ONCE(stop))
			safe_halt_cli();
		GUEST_DONE();
	}
	/* Until the others have their APICs set up. */
	while (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) != NR_VPS - 1)
		cpu_relax();
	GUEST_SYNC(0);
	for (i = 0; i < ARRAY_SIZE(ipi_rows); i++) {
		const struct ipi_row *r = &ipi_rows[i];

		if (r->model != model)
			continue;
		snapshot(before, IPI_VEC);
		apic_send_ipi(r->dest, IPI_VEC | r->icr);
		row_result[i] = took(before, IPI_VEC,
				     r->one_of ? 1 : __builtin_popcount(r->targets));
	}
	WRITE_ONCE(stop, 1);
	apic_send_ipi(0, WAKE_VEC | APIC_DEST_ALLBUT);
	GUEST_DONE();
}

struct vp_thread {
	pthread_t thread;
	struct hvp_vp *vp;
	int cpu;		/* host CPU to pin to, or -1 */
};

static void *vp_thread_fn(void *arg)
{
	struct vp_thread *t = arg;

	if (t->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(t->cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	vp_run_expect_done(t->vp);
	return NULL;
}

static void start_vp(struct vp_thread *t, struct hvp_vp *vp, int cpu)
{
	t->vp = vp;
	t->cpu = cpu;
	TEST_ASSERT(!pthread_create(&t->thread, NULL, vp_thread_fn, t), "pthread_create");
}

static void join_vp(struct vp_thread *t)
{
	TEST_ASSERT(!pthread_join(t->thread, NULL), "pthread_join");
}

static struct hvp_vm *ipi_vm(void (*guest)(void), unsigned int nr_vps, uint64_t flags)
{
	struct hvp_vm *vm = vm_create_with_flags(HVP_DEFAULT_MEM_SIZE, flags);
	unsigned int i;

	vm_set_hv_config(vm, IPI_FEATURES);
	for (i = 0; i < nr_vps; i++)
		vm_vp_add(vm, i, guest);
	vm_install_interrupt_handler(vm, IPI_VEC, guest_count_isr);
	vm_install_interrupt_handler(vm, WAKE_VEC, guest_count_isr);
	return vm;
}

static void ipi_matrix(const void *arg)
{
	enum apic_model model = (uintptr_t)arg;
	struct hvp_vm *vm = ipi_vm(NULL, NR_VPS, 0);
	struct vp_thread t[NR_VPS];
	unsigned int i, bad = 0;

	for (i = 0; i < NR_VPS; i++) {
		vp_set_entry(vm->vps[i], (void (*)(void))guest_ipi_vp);
		vp_args_set(vm->vps[i], 1, (uint64_t)model);
	}
	for (i = 1; i < NR_VPS; i++)
		start_vp(&t[i], vm->vps[i], -1);
	vp_run_expect_sync(vm->vps[0], 0);
	vp_run_expect_done(vm->vps[0]);
	for (i = 1; i < NR_VPS; i++)
		join_vp(&t[i]);
	sync_global_from_guest(vm, row_result);
	for (i = 0; i < ARRAY_SIZE(ipi_rows); i++) {
		const struct ipi_row *r = &ipi_rows[i];
		uint64_t got = row_result[i];
		bool ok = r->one_of ? __builtin_popcount(got) == 1 && (got & r->targets) == got :
				      got == r->targets;

		if (r->model != model || ok)
			continue;
		bad++;
		tap_diag("  %s (ICR %#x dest %#x): taken by VPs %#lx, want %s%#x", r->name,
			 IPI_VEC | r->icr, r->dest, (unsigned long)got,
			 r->one_of ? "one of " : "", r->targets);
	}
	TEST_ASSERT(!bad, "%u IPIs reached the wrong VPs (listed above)", bad);
	vm_free(vm);
}

/* ---- HVPART_INTERRUPT ----------------------------------------------------------------------- */

static void guest_vmm_receiver(void)
{
	apic_setup(X2APIC);
	GUEST_SYNC(0);
	while (!READ_ONCE(stop))
		safe_halt_cli();
	GUEST_DONE();
}

static const struct {
	const char *name;
	uint32_t dest;
	uint8_t delivery;
	uint32_t flags;
	uint8_t targets;
	bool one_of;
} vmm_rows[] = {
	{ "physical 1", 1, HVPART_DELIVERY_FIXED, 0, 0x2, false },
	{ "physical 3", 3, HVPART_DELIVERY_FIXED, 0, 0x8, false },
	{ "physical 9 (nobody)", 9, HVPART_DELIVERY_FIXED, 0, 0, false },
	{ "broadcast", 0xffffffff, HVPART_DELIVERY_FIXED, 0, ALL, false },
	{ "logical 0x6", 0x6, HVPART_DELIVERY_FIXED, HVPART_INTERRUPT_F_LOGICAL, 0x6, false },
	{ "logical broadcast", 0xffffffff, HVPART_DELIVERY_FIXED, HVPART_INTERRUPT_F_LOGICAL,
	  ALL, false },
	{ "lowest priority logical 0xe", 0xe, HVPART_DELIVERY_LOWEST, HVPART_INTERRUPT_F_LOGICAL,
	  0xe, true },
};

static uint64_t host_count(struct hvp_vm *vm, unsigned int vp, unsigned int vec)
{
	return __atomic_load_n((uint64_t *)addr_ptr2hva(vm, &counts[vp][vec]), __ATOMIC_SEQ_CST);
}

static void vmm_interrupts(const void *arg __unused)
{
	struct hvp_vm *vm = ipi_vm(guest_vmm_receiver, NR_VPS, 0);
	struct vp_thread t[NR_VPS];
	struct hvpart_interrupt irq;
	unsigned int i, v, bad = 0;

	for (i = 0; i < NR_VPS; i++) {
		vp_run_expect_sync(vm->vps[i], 0);
		start_vp(&t[i], vm->vps[i], -1);
	}
	usleep(20000);
	for (i = 0; i < ARRAY_SIZE(vmm_rows); i++) {
		uint64_t before[NR_VPS], deadline = time_now_ns() + 2000000000ULL;
		unsigned int want = vmm_rows[i].one_of ? 1 : __builtin_popcount(vmm_rows[i].targets);
		uint8_t got;

		for (v = 0; v < NR_VPS; v++)
			before[v] = host_count(vm, v, IPI_VEC);
		vm_interrupt(vm, vmm_rows[i].dest, IPI_VEC, vmm_rows[i].delivery, vmm_rows[i].flags);
		for (;;) {
			for (v = 0, got = 0; v < NR_VPS; v++)
				if (host_count(vm, v, IPI_VEC) != before[v])
					got |= 1U << v;
			if (__builtin_popcount(got) >= want || time_now_ns() > deadline)
				break;
			usleep(1000);
		}
		usleep(20000);
		for (v = 0, got = 0; v < NR_VPS; v++)
			if (host_count(vm, v, IPI_VEC) != before[v])
				got |= 1U << v;
		if (vmm_rows[i].one_of ? __builtin_popcount(got) == 1 && !(got & ~vmm_rows[i].targets) :
					 got == vmm_rows[i].targets)
			continue;
		bad++;
		tap_diag("  %s: taken by VPs %#x, want %s%#x", vmm_rows[i].name, got,
			 vmm_rows[i].one_of ? "one of " : "", vmm_rows[i].targets);
	}

	/* Bad input changes nothing and says EINVAL. */
#define BAD_IRQ(setup) do {							\
	memset(&irq, 0, sizeof(irq));						\
	irq.dest = 1;								\
	irq.vector = IPI_VEC;							\
	setup;									\
	TEST_ASSERT(__vm_ioctl(vm, HVPART_INTERRUPT, &irq) == -1 && errno == EINVAL,	\
		    "HVPART_INTERRUPT with %s: errno %d, want EINVAL", #setup, errno); \
} while (0)
	BAD_IRQ(irq.vector = 15);
	BAD_IRQ(irq.vector = 0);
	BAD_IRQ(irq.delivery = 2);
	BAD_IRQ(irq.delivery = 7);
	BAD_IRQ(irq.flags = 1U << HVPART_INTERRUPT_BIT_COUNT);
	BAD_IRQ(irq.rsvd0 = 1);
	BAD_IRQ(irq.rsvd1 = 1);
#undef BAD_IRQ

	write_guest_global(vm, stop, 1);
	vm_interrupt(vm, 0xffffffff, WAKE_VEC, HVPART_DELIVERY_FIXED, 0);
	for (i = 0; i < NR_VPS; i++)
		join_vp(&t[i]);
	TEST_ASSERT(!bad, "%u interrupts reached the wrong VPs (listed above)", bad);
	vm_free(vm);
}

/* NMI is part of HVPART_INTERRUPT's ABI (HVPART_DELIVERY_NMI). */
static volatile uint64_t nmis;

static void guest_nmi(struct ex_regs *regs __unused)
{
	nmis++;
}

static void guest_wait_nmi(void)
{
	x2apic_enable();
	GUEST_SYNC(0);
	/* NMIs are taken with interrupts off too. */
	while (!nmis)
		cpu_relax();
	GUEST_DONE();
}

static void vmm_nmi(const void *arg __unused)
{
	struct hvp_vm *vm = ipi_vm(guest_wait_nmi, 1, 0);
	int r;

	vm_install_exception_handler(vm, 2, guest_nmi);
	vp_run_expect_sync(vm->vps[0], 0);
	r = __vm_interrupt(vm, 0, 0, HVPART_DELIVERY_NMI, 0);
	__TEST_REQUIRE(r == 0 || errno != EINVAL,
		       "HVPART_DELIVERY_NMI refused with EINVAL: NMI delivery is not implemented "
		       "(the uapi defines it)");
	TEST_ASSERT(r == 0, "HVPART_INTERRUPT(NMI): errno %d", errno);
	vp_run_expect_done(vm->vps[0]);
	vm_free(vm);
}

/* ---- INIT and SIPI ---------------------------------------------------------------------- */

#define SIPI_VECTOR	(LOW_CODE_GPA >> 12)	/* 0x08: CS 0x0800, IP 0 */
#define AP_PORT		0x80
#define S(x)		__stringify(x)

extern const char ap_blob[], ap_blob_end[];

/* Real mode: note APIC_BASE and CS where the host can see them, say so by port I/O. */
asm(".pushsection .rodata.ap_blob, \"a\"\n"
    ".code16\n"
    "ap_blob:\n"
    "	xor %ax, %ax\n"
    "	mov %ax, %ds\n"
    "	mov $0x1b, %ecx\n"
    "	rdmsr\n"
    "	mov %eax, " S(LOW_PARAMS_GPA) "\n"
    "	mov %edx, " S(LOW_PARAMS_GPA) " + 4\n"
    "	mov %cs, %ax\n"
    "	mov %ax, " S(LOW_PARAMS_GPA) " + 8\n"
    "	mov $0xa5, %al\n"
    "	out %al, $" S(AP_PORT) "\n"
    "1:	hlt\n"
    "	jmp 1b\n"
    "ap_blob_end:\n"
    ".code64\n"
    ".popsection");

static void *run_once(void *arg)
{
	vp_run(arg);
	return NULL;
}

static void guest_bsp(void)
{
	x2apic_enable();
	GUEST_SYNC(0);		/* the AP is parked */
	/* INIT (assert, then the level de-assert that modern APICs ignore), SIPI. */
	apic_send_ipi(1, APIC_DM_INIT | APIC_INT_ASSERT);
	apic_send_ipi(1, APIC_DM_INIT | APIC_INT_LEVELTRIG);
	apic_send_ipi(1, APIC_DM_STARTUP | SIPI_VECTOR);
	GUEST_SYNC(1);
	/* A second SIPI to an AP that runs is ignored. */
	apic_send_ipi(1, APIC_DM_STARTUP | 0x09);
	GUEST_DONE();
}

static void init_sipi(const void *arg __unused)
{
	struct hvp_vm *vm = ipi_vm(guest_bsp, 1, HVPART_PARTITION_F_HLT_EXITS);
	struct hvp_vp *ap = vm_vp_add_raw(vm, 1);
	struct hvpart_mp_state mp = { .state = HVPART_MP_WAIT_SIPI };
	struct hvpart_sregs s;
	struct hvpart_regs regs;
	uint32_t *params = addr_gpa2hva(vm, LOW_PARAMS_GPA);
	struct vp_thread t;
	uint64_t base;

	memcpy(addr_gpa2hva(vm, LOW_CODE_GPA), ap_blob, ap_blob_end - ap_blob);
	/* The AP was put into x2APIC mode before it was parked: INIT keeps that. */
	base = vp_get_msr(ap, MSR_IA32_APICBASE);
	vp_set_msr(ap, MSR_IA32_APICBASE, base | MSR_IA32_APICBASE_EXTD);
	vp_ioctl(ap, HVPART_SET_MP_STATE, &mp);
	mp.state = ~0U;
	vp_ioctl(ap, HVPART_GET_MP_STATE, &mp);
	TEST_ASSERT_EQ(mp.state, HVPART_MP_WAIT_SIPI);

	/* RUN on a parked AP sleeps: it has not returned when the BSP starts it. */
	vp_run_expect_sync(vm->vps[0], 0);
	ap->run->immediate_exit = 0;
	t.vp = ap;
	TEST_ASSERT(!pthread_create(&t.thread, NULL, run_once, ap), "pthread_create");
	usleep(100000);
	TEST_ASSERT(pthread_tryjoin_np(t.thread, NULL) == EBUSY, "RUN of a parked VP returned");
	vp_run_expect_sync(vm->vps[0], 1);
	join_vp(&t);

	TEST_ASSERT(ap->run->exit_reason == HVPART_EXIT_IO && ap->run->io.port == AP_PORT &&
		    ap->run->io.data == 0xa5, "AP: exit %s port %#x",
		    exit_reason_str(ap->run->exit_reason), ap->run->io.port);
	vp_sregs_get(ap, &s);
	vp_regs_get(ap, &regs);
	TEST_ASSERT(!(s.cr0 & X86_CR0_PE), "AP not in real mode: CR0 %#llx",
		    (unsigned long long)s.cr0);
	TEST_ASSERT(s.cs.selector == SIPI_VECTOR << 8 && s.cs.base == SIPI_VECTOR << 12,
		    "AP CS %#x base %#llx, want %#x base %#x", s.cs.selector,
		    (unsigned long long)s.cs.base, SIPI_VECTOR << 8, SIPI_VECTOR << 12);
	TEST_ASSERT(params[2] == SIPI_VECTOR << 8, "AP saw CS %#x", params[2] & 0xffff);
	TEST_ASSERT(params[0] & MSR_IA32_APICBASE_EXTD,
		    "AP APIC_BASE after INIT %#x: x2APIC mode lost (SDM 11.12.5.1: INIT keeps it)",
		    params[0]);
	TEST_ASSERT(!(params[0] & MSR_IA32_APICBASE_BSP), "AP has BSP set: %#x", params[0]);

	/* A SIPI to a VP that is not waiting for one changes nothing. */
	vp_run_expect_done(vm->vps[0]);
	vp_run(ap);
	TEST_ASSERT_EXIT_REASON(ap, HVPART_EXIT_HLT);
	vp_regs_get(ap, &regs);
	vp_sregs_get(ap, &s);
	TEST_ASSERT(s.cs.selector == SIPI_VECTOR << 8, "second SIPI moved the AP to CS %#x",
		    s.cs.selector);
	mp.state = ~0U;
	vp_ioctl(ap, HVPART_GET_MP_STATE, &mp);
	TEST_ASSERT_EQ(mp.state, HVPART_MP_RUNNABLE);
	vm_free(vm);
}

/* ---- HLT ------------------------------------------------------------------------------------ */

static uint64_t halted;		/* the sleeper is about to HLT */

static void guest_hlt(void)
{
	uint32_t me = rdmsr(HV_X64_MSR_VP_INDEX);

	x2apic_enable();
	GUEST_SYNC(0);
	if (me == 1) {
		/* One HLT, with interrupts on: only the IPI ends it. */
		WRITE_ONCE(halted, 1);
		asm volatile("sti; hlt; cli" ::: "memory");
		GUEST_ASSERT_EQ(count(1, IPI_VEC), 1);
	} else {
		while (!READ_ONCE(halted))
			cpu_relax();
		GUEST_SYNC(1);		/* the host checks the sleeper sleeps */
		apic_send_ipi(1, IPI_VEC);
	}
	GUEST_DONE();
}

static void noop_signal(int sig __unused)
{
}

/* utime + stime of a thread, in clock ticks. */
static uint64_t thread_cpu_ticks(pid_t tid)
{
	char path[64], buf[512], *p;
	unsigned long utime, stime;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	TEST_ASSERT(read_file(path, buf, sizeof(buf)) > 0, "%s", path);
	p = strrchr(buf, ')');
	TEST_ASSERT(p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
				&utime, &stime) == 2, "parse %s", path);
	return utime + stime;
}

static pid_t sleeper_tid;

static void *sleeper_fn(void *arg)
{
	struct hvp_vp *vp = arg;
	struct sigaction sa = { .sa_handler = noop_signal };
	cpu_set_t set;
	int r;

	CPU_ZERO(&set);
	CPU_SET(1, &set);
	sched_setaffinity(0, sizeof(set), &set);
	sigaction(SIGUSR1, &sa, NULL);
	WRITE_ONCE(sleeper_tid, syscall(SYS_gettid));
	/* The first signal ends the sleep with EINTR; RUN resumes it. */
	r = __vp_run(vp);
	TEST_ASSERT(r == -1 && errno == EINTR && vp->run->exit_reason == HVPART_EXIT_INTR,
		    "signal during HLT: rc %d errno %d exit %s", r, errno,
		    exit_reason_str(vp->run->exit_reason));
	vp_run_expect_done(vp);
	return NULL;
}

static void hlt_in_kernel(const void *arg __unused)
{
	struct hvp_vm *vm = ipi_vm(guest_hlt, 2, 0);
	uint64_t cpu0, cpu1;
	cpu_set_t set;
	pthread_t t;

	TEST_REQUIRE(sysconf(_SC_NPROCESSORS_ONLN) >= 2);
	vp_run_expect_sync(vm->vps[0], 0);
	vp_run_expect_sync(vm->vps[1], 0);
	TEST_ASSERT(!pthread_create(&t, NULL, sleeper_fn, vm->vps[1]), "pthread_create");
	/* VP 0 on host CPU 0, the sleeper on CPU 1. */
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
	vp_run_expect_sync(vm->vps[0], 1);

	/* Asleep in the kernel: RUN has not returned and the thread burns no CPU. */
	usleep(50000);
	cpu0 = thread_cpu_ticks(READ_ONCE(sleeper_tid));
	usleep(500000);
	cpu1 = thread_cpu_ticks(sleeper_tid);
	tap_diag("the halted VP's thread used %lu clock ticks in 500 ms",
		 (unsigned long)(cpu1 - cpu0));
	TEST_ASSERT(cpu1 - cpu0 <= (uint64_t)sysconf(_SC_CLK_TCK) / 10,
		    "halted VP's thread used %lu ticks of CPU in 500 ms: spinning?",
		    (unsigned long)(cpu1 - cpu0));
	/* A signal gets RUN back (EINTR); the VP is still halted when RUN resumes. */
	TEST_ASSERT(!pthread_kill(t, SIGUSR1), "pthread_kill");
	usleep(100000);
	/* Now the IPI from VP 0, on the other CPU. */
	vp_run_expect_done(vm->vps[0]);
	TEST_ASSERT(!pthread_join(t, NULL), "pthread_join");
	vm_free(vm);
}

static void guest_hlt_exit(void)
{
	asm volatile("sti; hlt; cli" ::: "memory");
	GUEST_DONE();
}

static void hlt_exits(const void *arg __unused)
{
	struct hvp_vm *vm = ipi_vm(guest_hlt_exit, 1, HVPART_PARTITION_F_HLT_EXITS);

	vp_run(vm->vps[0]);
	TEST_ASSERT_EXIT_REASON(vm->vps[0], HVPART_EXIT_HLT);
	vp_run_expect_done(vm->vps[0]);
	vm_free(vm);
}

/* cli; hlt: a fixed interrupt does not end it (only NMI, INIT, SMI would). */
static void guest_cli_hlt(void)
{
	x2apic_enable();
	GUEST_SYNC(0);
	asm volatile("cli; hlt" ::: "memory");
	GUEST_SYNC(1);
	sti_nop_cli();
	GUEST_ASSERT_EQ(count(0, IPI_VEC), 1);
	GUEST_DONE();
}

static void cli_hlt(const void *arg __unused)
{
	struct hvp_vm *vm = ipi_vm(guest_cli_hlt, 1, 0);
	struct hvp_vp *vp = vm->vps[0];
	struct sigaction sa = { .sa_handler = noop_signal };
	struct hvpart_mp_state mp = { .state = HVPART_MP_RUNNABLE };
	timer_t timer;
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	struct itimerspec its = { .it_value.tv_nsec = 300 * 1000 * 1000 };
	int r;

	sigaction(SIGUSR1, &sa, NULL);
	vp_run_expect_sync(vp, 0);
	vm_interrupt(vm, 0, IPI_VEC, HVPART_DELIVERY_FIXED, 0);
	TEST_ASSERT(!timer_create(CLOCK_MONOTONIC, &sev, &timer), "timer_create");
	TEST_ASSERT(!timer_settime(timer, 0, &its, NULL), "timer_settime");
	/* Still halted 300 ms later, with the interrupt pending: the signal ends RUN. */
	r = __vp_run(vp);
	TEST_ASSERT(r == -1 && errno == EINTR, "cli; hlt ended: rc %d errno %d exit %s", r, errno,
		    exit_reason_str(vp->run->exit_reason));
	mp.state = ~0U;
	vp_ioctl(vp, HVPART_GET_MP_STATE, &mp);
	TEST_ASSERT_EQ(mp.state, HVPART_MP_HALTED);
	/* The VMM makes it runnable again; it continues after the HLT. */
	mp.state = HVPART_MP_RUNNABLE;
	vp_ioctl(vp, HVPART_SET_MP_STATE, &mp);
	vp_run_expect_sync(vp, 1);
	vp_run_expect_done(vp);
	timer_delete(timer);
	vm_free(vm);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST_ARG("ipi_xapic_flat", ipi_matrix, (void *)XAPIC_FLAT),
		HVP_TEST_ARG("ipi_xapic_cluster", ipi_matrix, (void *)XAPIC_CLUSTER),
		HVP_TEST_ARG("ipi_x2apic", ipi_matrix, (void *)X2APIC),
		HVP_TEST(vmm_interrupts),
		HVP_TEST(vmm_nmi),
		HVP_TEST(init_sipi),
		HVP_TEST(hlt_in_kernel),
		HVP_TEST(hlt_exits),
		HVP_TEST(cli_hlt),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
