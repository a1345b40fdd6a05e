// SPDX-License-Identifier: GPL-2.0
/*
 * Priorities and acknowledgement in the local APIC (SDM vol. 3, 11.8
 * "Handling Interrupts", 11.8.3.1 "Task and Processor Priorities", 11.8.5
 * "Signaling Interrupt Servicing Completion"), in xAPIC and x2APIC mode,
 * and the Hyper-V shortcuts to it (TLFS "Local APIC MSR Accesses").
 *
 * nested_priorities: while a vector is in service (ISR set, PPR raised) a
 *   lower class waits in IRR and a higher class nests; EOI retires the
 *   highest vector in service.
 * tpr: CR8, the TPR register and HV_X64_MSR_TPR are one TPR; vectors at or
 *   below its class wait, PPR follows TPR and ISR.
 * level_eoi_exit: HVPART_INTERRUPT with F_LEVEL sets TMR while in service
 *   and its EOI (through the APIC or HV_X64_MSR_EOI) is HVPART_EXIT_EOI;
 *   an edge-triggered one is not.
 * hv_eoi_icr: HV_X64_MSR_EOI retires the vector in service;
 *   HV_X64_MSR_ICR sends IPIs (xAPIC: destination in bits 63:56).
 * esr_illegal_vector: an IPI with vector 0-15 is not delivered and shows
 *   up in ESR the way Linux reads it (write, then read).
 */
#include <pthread.h>

#include "apic.h"
#include "hvp_util.h"
#include "hyperv.h"

#define REGS_FEATURES	(HVPART_HV_F(HYPERCALL) | HVPART_HV_F(VP_INDEX) | \
			 HVPART_HV_F(APIC_MSRS))

static volatile uint64_t order[16], n_order;
static volatile uint64_t counts[2][256];
static volatile uint64_t in_service_seen, tmr_seen;

static void note(uint64_t vector)
{
	order[n_order++ % 16] = vector;
	counts[rdmsr(HV_X64_MSR_VP_INDEX)][vector]++;
}

static void guest_count(struct ex_regs *regs)
{
	note(regs->vector);
}

/* ---- nested_priorities -------------------------------------------------------------- */

/* 0x50 in service: 0x40 (lower class) waits, 0x60 (higher) nests. */
static void guest_isr_50(struct ex_regs *regs)
{
	note(regs->vector);
	GUEST_ASSERT(apic_vector_bit(APIC_ISR, 0x50));
	GUEST_ASSERT_EQ(apic_read(APIC_PROCPRI), 0x50);
	apic_send_ipi(0, 0x40 | APIC_DEST_SELF);
	apic_send_ipi(0, 0x60 | APIC_DEST_SELF);
	apic_send_ipi(0, 0x5f | APIC_DEST_SELF);	/* same class as 0x50: waits too */
	sti_nop_cli();
	GUEST_ASSERT_EQ(n_order, 2);
	GUEST_ASSERT_EQ(order[1], 0x60);
	GUEST_ASSERT(apic_vector_bit(APIC_IRR, 0x40) && !apic_vector_bit(APIC_ISR, 0x40));
	GUEST_ASSERT(apic_vector_bit(APIC_IRR, 0x5f));
	GUEST_ASSERT(!apic_vector_bit(APIC_ISR, 0x60));	/* 0x60 was EOI'd */
	GUEST_ASSERT_EQ(apic_read(APIC_PROCPRI), 0x50);
	apic_eoi();					/* retires 0x50 */
	GUEST_ASSERT(!apic_vector_bit(APIC_ISR, 0x50));
	GUEST_ASSERT_EQ(apic_read(APIC_PROCPRI), 0);
}

static void guest_nested(uint64_t x2apic)
{
	apic_enable(x2apic);
	apic_send_ipi(0, 0x50 | APIC_DEST_SELF);
	/* 0x50 (and 0x60 nested in it), then the waiting ones, highest first. */
	sti_nop_cli();
	sti_nop_cli();
	sti_nop_cli();
	GUEST_ASSERT_EQ(n_order, 4);
	GUEST_ASSERT_EQ(order[0], 0x50);
	GUEST_ASSERT_EQ(order[1], 0x60);
	GUEST_ASSERT_EQ(order[2], 0x5f);
	GUEST_ASSERT_EQ(order[3], 0x40);
	GUEST_ASSERT_EQ(apic_read(APIC_PROCPRI), 0);
	/* EOI with nothing in service changes nothing. */
	apic_eoi();
	GUEST_ASSERT_EQ(apic_read(APIC_PROCPRI), 0);
	GUEST_DONE();
}

static struct hvp_vm *regs_vm(void (*guest)(void), unsigned int nr_vps)
{
	struct hvp_vm *vm = vm_create_with_flags(HVP_DEFAULT_MEM_SIZE, 0);
	unsigned int i, v;

	vm_set_hv_config(vm, REGS_FEATURES);
	for (i = 0; i < nr_vps; i++)
		vm_vp_add(vm, i, guest);
	for (v = 0x40; v <= 0x7f; v++)
		vm_install_interrupt_handler(vm, v, guest_count);
	return vm;
}

static void nested_priorities(const void *arg)
{
	struct hvp_vm *vm = regs_vm((void (*)(void))guest_nested, 1);

	vm_install_interrupt_handler_flags(vm, 0x50, guest_isr_50, HVP_IRQ_NO_EOI);
	vp_args_set(vm->vps[0], 1, (uint64_t)(uintptr_t)arg);
	vp_run_expect_done(vm->vps[0]);
	vm_free(vm);
}

/* ---- TPR ------------------------------------------------------------------------------ */

static void guest_tpr(uint64_t x2apic)
{
	apic_enable(x2apic);
	set_cr8(5);
	GUEST_ASSERT_EQ(apic_read(APIC_TASKPRI) & 0xf0, 0x50);
	GUEST_ASSERT_EQ(rdmsr(HV_X64_MSR_TPR) & 0xf0, 0x50);
	GUEST_ASSERT_EQ(apic_read(APIC_PROCPRI) & 0xf0, 0x50);
	apic_send_ipi(0, 0x55 | APIC_DEST_SELF);
	apic_send_ipi(0, 0x65 | APIC_DEST_SELF);
	sti_nop_cli();
	sti_nop_cli();
	GUEST_ASSERT_EQ(counts[0][0x65], 1);
	GUEST_ASSERT_EQ(counts[0][0x55], 0);
	GUEST_ASSERT(apic_vector_bit(APIC_IRR, 0x55));

	/* The TPR register: CR8 follows, 0x55 gets through. */
	apic_write(APIC_TASKPRI, 0x40);
	GUEST_ASSERT_EQ(get_cr8(), 4);
	sti_nop_cli();
	GUEST_ASSERT_EQ(counts[0][0x55], 1);

	/* HV_X64_MSR_TPR: the same register. */
	wrmsr(HV_X64_MSR_TPR, 0x70);
	GUEST_ASSERT_EQ(get_cr8(), 7);
	GUEST_ASSERT_EQ(apic_read(APIC_TASKPRI) & 0xf0, 0x70);
	apic_send_ipi(0, 0x75 | APIC_DEST_SELF);
	sti_nop_cli();
	GUEST_ASSERT_EQ(counts[0][0x75], 0);
	/* Reserved bits 63:8 of HV_X64_MSR_TPR: #GP, nothing changes. */
	GUEST_ASSERT_EQ(wrmsr_safe(HV_X64_MSR_TPR, 0x100), GP_VECTOR);
	GUEST_ASSERT_EQ(get_cr8(), 7);
	set_cr8(0);
	GUEST_ASSERT_EQ(rdmsr(HV_X64_MSR_TPR), 0);
	sti_nop_cli();
	GUEST_ASSERT_EQ(counts[0][0x75], 1);
	GUEST_ASSERT_EQ(apic_read(APIC_PROCPRI), 0);
	GUEST_DONE();
}

static void tpr(const void *arg)
{
	struct hvp_vm *vm = regs_vm((void (*)(void))guest_tpr, 1);

	vp_args_set(vm->vps[0], 1, (uint64_t)(uintptr_t)arg);
	vp_run_expect_done(vm->vps[0]);
	vm_free(vm);
}

/* ---- level-triggered: the EOI exit ----------------------------------------------------- */

static void guest_level_isr(struct ex_regs *regs)
{
	note(regs->vector);
	in_service_seen = apic_vector_bit(APIC_ISR, regs->vector);
	tmr_seen = apic_vector_bit(APIC_TMR, regs->vector);
	if (regs->vector == 0x71)
		wrmsr(HV_X64_MSR_EOI, 0);
	else
		apic_eoi();
}

static void guest_level(uint64_t x2apic)
{
	apic_enable(x2apic);
	GUEST_SYNC(0);		/* level 0x70 pending */
	sti_nop_cli();
	GUEST_ASSERT_EQ(counts[0][0x70], 1);
	GUEST_ASSERT(in_service_seen && tmr_seen);
	GUEST_ASSERT(!apic_vector_bit(APIC_TMR, 0x70));
	GUEST_SYNC(1);		/* level 0x71, EOI'd through the Hyper-V MSR */
	sti_nop_cli();
	GUEST_ASSERT(tmr_seen);
	GUEST_SYNC(2);		/* edge 0x72 */
	sti_nop_cli();
	GUEST_ASSERT_EQ(counts[0][0x72], 1);
	GUEST_ASSERT(!tmr_seen);
	GUEST_DONE();
}

static void expect_eoi_exit(struct hvp_vp *vp, uint32_t vector)
{
	vp_run(vp);
	TEST_ASSERT_EXIT_REASON(vp, HVPART_EXIT_EOI);
	TEST_ASSERT(vp->run->eoi.vector == vector, "EOI exit for vector %#x, want %#x",
		    vp->run->eoi.vector, vector);
}

static void level_eoi_exit(const void *arg)
{
	struct hvp_vm *vm = regs_vm((void (*)(void))guest_level, 1);
	struct hvp_vp *vp = vm->vps[0];

	vm_install_interrupt_handler_flags(vm, 0x70, guest_level_isr, HVP_IRQ_NO_EOI);
	vm_install_interrupt_handler_flags(vm, 0x71, guest_level_isr, HVP_IRQ_NO_EOI);
	vm_install_interrupt_handler_flags(vm, 0x72, guest_level_isr, HVP_IRQ_NO_EOI);
	vp_args_set(vp, 1, (uint64_t)(uintptr_t)arg);
	vp_run_expect_sync(vp, 0);
	vm_interrupt(vm, 0, 0x70, HVPART_DELIVERY_FIXED, HVPART_INTERRUPT_F_LEVEL);
	expect_eoi_exit(vp, 0x70);
	vp_run_expect_sync(vp, 1);
	vm_interrupt(vm, 0, 0x71, HVPART_DELIVERY_FIXED, HVPART_INTERRUPT_F_LEVEL);
	expect_eoi_exit(vp, 0x71);
	vp_run_expect_sync(vp, 2);
	vm_interrupt(vm, 0, 0x72, HVPART_DELIVERY_FIXED, 0);
	/* No EOI exit for an edge-triggered interrupt: straight to DONE. */
	vp_run_expect_done(vp);
	vm_free(vm);
}

/* ---- HV_X64_MSR_EOI and HV_X64_MSR_ICR ------------------------------------------------- */

static volatile uint64_t vp1_ready, stop;

static void guest_hv_eoi_isr(struct ex_regs *regs)
{
	note(regs->vector);
	in_service_seen = apic_vector_bit(APIC_ISR, regs->vector);
	wrmsr(HV_X64_MSR_EOI, 0);
	GUEST_ASSERT(!apic_vector_bit(APIC_ISR, regs->vector));
}

static void guest_hv_msrs(uint64_t x2apic)
{
	uint32_t me = rdmsr(HV_X64_MSR_VP_INDEX);

	apic_enable(x2apic);
	if (me == 1) {
		vp1_ready = 1;
		while (!stop)
			safe_halt_cli();
		GUEST_DONE();
	}
	while (!vp1_ready)
		cpu_relax();
	/* EOI through the Hyper-V MSR. */
	apic_send_ipi(0, 0x78 | APIC_DEST_SELF);
	sti_nop_cli();
	GUEST_ASSERT(in_service_seen);
	GUEST_ASSERT_EQ(counts[0][0x78], 1);
	/* An IPI to VP 1 through HV_X64_MSR_ICR. */
	if (x2apic)
		wrmsr(HV_X64_MSR_ICR, (1ULL << 32) | 0x68);
	else
		wrmsr(HV_X64_MSR_ICR, (1ULL << 56) | 0x68);
	while (!counts[1][0x68])
		cpu_relax();
	/* And to itself, by physical destination. */
	wrmsr(HV_X64_MSR_ICR, 0x69);
	sti_nop_cli();
	GUEST_ASSERT_EQ(counts[0][0x69], 1);
	GUEST_ASSERT_EQ(counts[1][0x69], 0);
	/* Reading HV_X64_MSR_EOI is a #GP (write-only). */
	GUEST_ASSERT_EQ(rdmsr_safe(HV_X64_MSR_EOI, &(uint64_t){ 0 }), GP_VECTOR);
	stop = 1;
	apic_send_ipi(1, 0x7f);
	GUEST_DONE();
}

static void *run_vp1(void *arg)
{
	vp_run_expect_done(arg);
	return NULL;
}

static void hv_eoi_icr(const void *arg)
{
	struct hvp_vm *vm = regs_vm((void (*)(void))guest_hv_msrs, 2);
	pthread_t t;

	vm_install_interrupt_handler_flags(vm, 0x78, guest_hv_eoi_isr, HVP_IRQ_NO_EOI);
	vp_args_set(vm->vps[0], 1, (uint64_t)(uintptr_t)arg);
	vp_args_set(vm->vps[1], 1, (uint64_t)(uintptr_t)arg);
	TEST_ASSERT(!pthread_create(&t, NULL, run_vp1, vm->vps[1]), "pthread_create");
	vp_run_expect_done(vm->vps[0]);
	TEST_ASSERT(!pthread_join(t, NULL), "pthread_join");
	vm_free(vm);
}

/* ---- ESR ------------------------------------------------------------------------------- */

static void guest_esr(uint64_t x2apic)
{
	uint32_t esr;

	apic_enable(x2apic);
	apic_write(APIC_ESR, 0);
	GUEST_ASSERT_EQ(apic_read(APIC_ESR), 0);
	/* Vector 5 to itself: illegal (SDM 11.5.3), not delivered. */
	apic_send_ipi(0, 0x05 | APIC_DEST_SELF);
	sti_nop_cli();
	/* Linux's way: write ESR to latch the errors since the last write, then read. */
	apic_write(APIC_ESR, 0);
	esr = apic_read(APIC_ESR);
	GUEST_ASSERT_1(esr & (APIC_ESR_SEND_ILLEGAL | APIC_ESR_RECV_ILLEGAL), esr);
	/* Latched once: the next write-and-read is clean. */
	apic_write(APIC_ESR, 0);
	GUEST_ASSERT_EQ(apic_read(APIC_ESR), 0);
	GUEST_DONE();
}

static void esr_illegal_vector(const void *arg)
{
	struct hvp_vm *vm = regs_vm((void (*)(void))guest_esr, 1);

	vp_args_set(vm->vps[0], 1, (uint64_t)(uintptr_t)arg);
	vp_run_expect_done(vm->vps[0]);
	vm_free(vm);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST_ARG("nested_priorities_xapic", nested_priorities, (void *)0),
		HVP_TEST_ARG("nested_priorities_x2apic", nested_priorities, (void *)1),
		HVP_TEST_ARG("tpr_xapic", tpr, (void *)0),
		HVP_TEST_ARG("tpr_x2apic", tpr, (void *)1),
		HVP_TEST_ARG("level_eoi_exit_xapic", level_eoi_exit, (void *)0),
		HVP_TEST_ARG("level_eoi_exit_x2apic", level_eoi_exit, (void *)1),
		HVP_TEST_ARG("hv_eoi_icr_xapic", hv_eoi_icr, (void *)0),
		HVP_TEST_ARG("hv_eoi_icr_x2apic", hv_eoi_icr, (void *)1),
		HVP_TEST_ARG("esr_illegal_vector_xapic", esr_illegal_vector, (void *)0),
		HVP_TEST_ARG("esr_illegal_vector_x2apic", esr_illegal_vector, (void *)1),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
