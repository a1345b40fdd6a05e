// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel local APIC: the timer in one-shot, periodic and TSC-
 * deadline modes wakes a halted VP (HLT sleeps in the kernel: the
 * partition is created without HLT exits); self-IPIs through the xAPIC
 * page and the x2APIC ICR; an IPI from one VP wakes another, halted VP;
 * HVPART_INTERRUPT from the VMM reaches the guest; EOI clears ISR.
 */
#include <pthread.h>
#include <unistd.h>

#include "apic.h"
#include "hvp_util.h"

#define TIMER_VECTOR	0xec
#define IPI_VECTOR	0xf0
#define VMM_VECTOR	0xd0

static volatile uint64_t irq_count[256];

/* The library EOIs after this returns. */
static void guest_isr(struct ex_regs *regs)
{
	irq_count[regs->vector]++;
}

static void install_isrs(struct hvp_vm *vm)
{
	vm_install_interrupt_handler(vm, TIMER_VECTOR, guest_isr);
	vm_install_interrupt_handler(vm, IPI_VECTOR, guest_isr);
	vm_install_interrupt_handler(vm, VMM_VECTOR, guest_isr);
}

/* Sleep in HLT until @vector has been taken @n times in total. */
static void guest_wait_irqs(unsigned int vector, uint64_t n)
{
	while (irq_count[vector] < n)
		safe_halt_cli();
}

static void guest_timer(uint64_t x2apic)
{
	uint64_t deadline;

	apic_enable(x2apic);

	/* One-shot, 1 ms at divide-by-1 (TDCR 0xb). */
	apic_write(APIC_TDCR, 0xb);
	apic_write(APIC_LVTT, TIMER_VECTOR);
	apic_write(APIC_TMICT, 1000000);
	GUEST_ASSERT(apic_read(APIC_TMCCT) <= 1000000);
	guest_wait_irqs(TIMER_VECTOR, 1);
	GUEST_ASSERT_1(apic_read(APIC_TMCCT) == 0, apic_read(APIC_TMCCT));
	GUEST_SYNC(1);

	/* Periodic: five ticks of 1 ms, then masked. */
	apic_write(APIC_LVTT, TIMER_VECTOR | APIC_LVT_TIMER_PERIODIC);
	apic_write(APIC_TMICT, 1000000);
	guest_wait_irqs(TIMER_VECTOR, 6);
	apic_write(APIC_LVTT, TIMER_VECTOR | APIC_LVT_MASKED);
	GUEST_SYNC(2);

	/* TSC-deadline, about 1 ms ahead at any plausible TSC rate. */
	apic_write(APIC_LVTT, TIMER_VECTOR | APIC_LVT_TIMER_TSCDEADLINE);
	deadline = rdtsc() + 1000000;
	wrmsr(MSR_IA32_TSC_DEADLINE, deadline);
	guest_wait_irqs(TIMER_VECTOR, 7);
	GUEST_ASSERT(rdtsc() >= deadline);
	GUEST_ASSERT(rdmsr(MSR_IA32_TSC_DEADLINE) == 0);
	GUEST_SYNC(3);

	/* Self-IPI through the ICR: taken at once, then ISR is clear again. */
	apic_send_ipi(0, IPI_VECTOR | APIC_DEST_SELF);
	sti_nop_cli();
	GUEST_ASSERT_1(irq_count[IPI_VECTOR] == 1, irq_count[IPI_VECTOR]);
	GUEST_ASSERT(!apic_vector_bit(APIC_ISR, IPI_VECTOR));
	GUEST_DONE();
}

static void lapic_timer(const void *arg)
{
	struct hvp_vm *vm = vm_create_with_flags(HVP_DEFAULT_MEM_SIZE, 0);
	struct hvp_vp *vp = vm_vp_add(vm, 0, (void (*)(void))guest_timer);

	install_isrs(vm);
	vp_args_set(vp, 1, (uint64_t)(uintptr_t)arg);
	vp_run_expect_sync(vp, 1);
	vp_run_expect_sync(vp, 2);
	vp_run_expect_sync(vp, 3);
	vp_run_expect_done(vp);
	vm_free(vm);
}

/* VP 1 sleeps until VP 0's IPI arrives; VP 0 waits for the VMM's interrupt. */
static void guest_ipi_sender(void)
{
	x2apic_enable();
	GUEST_SYNC(0);
	apic_send_ipi(1, IPI_VECTOR);
	guest_wait_irqs(VMM_VECTOR, 1);
	GUEST_DONE();
}

static void guest_ipi_receiver(void)
{
	xapic_enable();
	GUEST_SYNC(0);
	guest_wait_irqs(IPI_VECTOR, 1);
	GUEST_DONE();
}

static void *run_receiver(void *arg)
{
	struct hvp_vp *vp = arg;

	vp_run_expect_done(vp);
	return NULL;
}

static void lapic_ipi(const void *arg __unused)
{
	struct hvp_vm *vm = vm_create_with_flags(HVP_DEFAULT_MEM_SIZE, 0);
	struct hvp_vp *sender = vm_vp_add(vm, 0, guest_ipi_sender);
	struct hvp_vp *receiver = vm_vp_add(vm, 1, guest_ipi_receiver);
	pthread_t thread;

	install_isrs(vm);
	vp_run_expect_sync(receiver, 0);
	vp_run_expect_sync(sender, 0);
	TEST_ASSERT(!pthread_create(&thread, NULL, run_receiver, receiver), "pthread_create");
	/* Let the receiver reach HLT; the IPI must wake it either way. */
	usleep(20000);
	vm_interrupt(vm, 0, VMM_VECTOR, HVPART_DELIVERY_FIXED, 0);
	vp_run_expect_done(sender);
	TEST_ASSERT(!pthread_join(thread, NULL), "pthread_join");
	vm_free(vm);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST_ARG("timer_and_self_ipi_xapic", lapic_timer, (void *)0),
		HVP_TEST_ARG("timer_and_self_ipi_x2apic", lapic_timer, (void *)1),
		HVP_TEST_ARG("ipi_wakes_halted_vp", lapic_ipi, NULL),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
