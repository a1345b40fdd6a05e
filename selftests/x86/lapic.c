// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel local APIC: the timer in one-shot, periodic and TSC-
 * deadline modes wakes a halted VP (HLT sleeps in the kernel: the
 * partition is created without HLT exits); self-IPIs through the xAPIC
 * page and the x2APIC ICR; an IPI from one VP wakes another, halted VP;
 * HVPART_INTERRUPT from the VMM reaches the guest; EOI clears ISR.
 */
#include <pthread.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hvp_util.h"

#define APIC_MMIO	0xfee00000UL
#define APIC_EOI	0xb0
#define APIC_SVR	0xf0
#define APIC_ICR_LO	0x300
#define APIC_ICR_HI	0x310
#define APIC_LVTT	0x320
#define APIC_TMICT	0x380
#define APIC_TMCCT	0x390
#define APIC_TDCR	0x3e0
#define APIC_ISR	0x100
#define MSR_APIC_BASE	0x1b
#define MSR_X2APIC(off)	(0x800 + ((off) >> 4))
#define MSR_TSC_DEADLINE 0x6e0

#define TIMER_VECTOR	0xec
#define IPI_VECTOR	0xf0
#define VMM_VECTOR	0xd0

static volatile uint64_t irq_count[256];

void guest_isr_timer(void);
void guest_isr_ipi(void);
void guest_isr_vmm(void);
void guest_isr_common(uint64_t vector);

/* Each stub saves the caller-saved registers, counts, EOIs, IRETs. */
#define ISR_STUB(name, vec)						\
	asm(".pushsection .text\n"					\
	    #name ":\n"							\
	    "	push %rax; push %rcx; push %rdx; push %rsi; push %rdi\n"	\
	    "	push %r8; push %r9; push %r10; push %r11\n"		\
	    "	mov $" #vec ", %edi\n"					\
	    "	call guest_isr_common\n"				\
	    "	pop %r11; pop %r10; pop %r9; pop %r8\n"			\
	    "	pop %rdi; pop %rsi; pop %rdx; pop %rcx; pop %rax\n"	\
	    "	iretq\n"						\
	    ".popsection")

ISR_STUB(guest_isr_timer, 0xec);
ISR_STUB(guest_isr_ipi, 0xf0);
ISR_STUB(guest_isr_vmm, 0xd0);

/* Per VP: the mode is read from the VP's own APIC base MSR. */
static bool guest_x2apic(void)
{
	return rdmsr(MSR_APIC_BASE) & (1 << 10);
}

static void apic_write(uint32_t off, uint32_t val)
{
	if (guest_x2apic())
		wrmsr(MSR_X2APIC(off), val);
	else
		*(volatile uint32_t *)(APIC_MMIO + off) = val;
}

static uint32_t apic_read(uint32_t off)
{
	if (guest_x2apic())
		return rdmsr(MSR_X2APIC(off));
	return *(volatile uint32_t *)(APIC_MMIO + off);
}

void guest_isr_common(uint64_t vector)
{
	irq_count[vector]++;
	apic_write(APIC_EOI, 0);
}

static void guest_set_gate(unsigned int vector, void (*isr)(void))
{
	uint64_t *idt = (uint64_t *)SYS_IDT_GPA;
	uint64_t off = (uint64_t)isr;

	idt[2 * vector] = (off & 0xffff) | ((uint64_t)SEL_CODE64 << 16) |
			  (0x8eULL << 40) | ((off >> 16 & 0xffff) << 48);
	idt[2 * vector + 1] = off >> 32;
}

static void guest_apic_enable(bool x2apic)
{
	guest_set_gate(TIMER_VECTOR, guest_isr_timer);
	guest_set_gate(IPI_VECTOR, guest_isr_ipi);
	guest_set_gate(VMM_VECTOR, guest_isr_vmm);
	if (x2apic)
		wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1 << 10));
	apic_write(APIC_SVR, 0x1ff);
}

/* Sleep in HLT until @vector has been taken @n times in total. */
static void guest_wait_irqs(unsigned int vector, uint64_t n)
{
	while (irq_count[vector] < n)
		asm volatile("sti; hlt; cli" ::: "memory");
}

static void guest_timer(uint64_t x2apic)
{
	uint64_t deadline;

	guest_apic_enable(x2apic);

	/* One-shot, 1 ms at divide-by-1. */
	apic_write(APIC_TDCR, 0xb);
	apic_write(APIC_LVTT, TIMER_VECTOR);
	apic_write(APIC_TMICT, 1000000);
	GUEST_ASSERT(apic_read(APIC_TMCCT) <= 1000000);
	guest_wait_irqs(TIMER_VECTOR, 1);
	GUEST_ASSERT_1(apic_read(APIC_TMCCT) == 0, apic_read(APIC_TMCCT));
	GUEST_SYNC(1);

	/* Periodic: five ticks of 1 ms, then masked. */
	apic_write(APIC_LVTT, TIMER_VECTOR | (1 << 17));
	apic_write(APIC_TMICT, 1000000);
	guest_wait_irqs(TIMER_VECTOR, 6);
	apic_write(APIC_LVTT, TIMER_VECTOR | (1 << 16));
	GUEST_SYNC(2);

	/* TSC-deadline, about 1 ms ahead at any plausible TSC rate. */
	apic_write(APIC_LVTT, TIMER_VECTOR | (2 << 17));
	deadline = rdtsc() + 1000000;
	wrmsr(MSR_TSC_DEADLINE, deadline);
	guest_wait_irqs(TIMER_VECTOR, 7);
	GUEST_ASSERT(rdtsc() >= deadline);
	GUEST_ASSERT(rdmsr(MSR_TSC_DEADLINE) == 0);
	GUEST_SYNC(3);

	/* Self-IPI through the ICR: taken at once, then ISR is clear again. */
	if (x2apic)
		wrmsr(MSR_X2APIC(APIC_ICR_LO), IPI_VECTOR | (1 << 18));
	else
		apic_write(APIC_ICR_LO, IPI_VECTOR | (1 << 18));
	asm volatile("sti; nop; cli" ::: "memory");
	GUEST_ASSERT_1(irq_count[IPI_VECTOR] == 1, irq_count[IPI_VECTOR]);
	GUEST_ASSERT(apic_read(APIC_ISR + 0x70) == 0);
	GUEST_DONE();
}

static void lapic_timer(const void *arg)
{
	struct hvp_vm *vm = vm_create_with_flags(HVP_DEFAULT_MEM_SIZE, 0);
	struct hvp_vp *vp = vm_vp_add(vm, 0, (void (*)(void))guest_timer);

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
	guest_apic_enable(true);
	GUEST_SYNC(0);
	wrmsr(MSR_X2APIC(APIC_ICR_LO), IPI_VECTOR | (1ULL << 32));
	guest_wait_irqs(VMM_VECTOR, 1);
	GUEST_DONE();
}

static void guest_ipi_receiver(void)
{
	guest_apic_enable(false);
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
	struct hvpart_interrupt irq = { .dest = 0, .vector = VMM_VECTOR };
	pthread_t thread;

	vp_run_expect_sync(receiver, 0);
	vp_run_expect_sync(sender, 0);
	TEST_ASSERT(!pthread_create(&thread, NULL, run_receiver, receiver), "pthread_create");
	/* Let the receiver reach HLT; the IPI must wake it either way. */
	usleep(20000);
	TEST_ASSERT(!ioctl(vm->fd, HVPART_INTERRUPT, &irq), "HVPART_INTERRUPT");
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
