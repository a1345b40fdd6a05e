// SPDX-License-Identifier: GPL-2.0
/*
 * The Hyper-V interface end to end, one path through each part: the
 * identity leaves, GUEST_OS_ID and the hypercall page, an unknown
 * hypercall code, the reference counter and TSC page, SynIC messages both
 * ways (VMM -> SINT slot -> guest; guest HvPostMessage -> connection fd),
 * event flags both ways, and a direct-mode synthetic timer.
 */
#include <sys/eventfd.h>
#include <unistd.h>

#include "apic.h"
#include "hvp_util.h"
#include "hyperv.h"

#define SINT_VECTOR	0xe0
#define TIMER_VECTOR	0xed
#define CONN_MSG	0x42
#define CONN_EVENT	0x43

static volatile uint64_t irqs[256];
static struct hv_message simp[16] __attribute__((aligned(4096)));
static uint8_t siefp[4096] __attribute__((aligned(4096)));
static uint8_t tsc_page[4096] __attribute__((aligned(4096)));
static uint8_t hc_input[4096] __attribute__((aligned(4096)));

static void guest_isr(struct ex_regs *regs)
{
	irqs[regs->vector]++;
}

static void wait_irq(unsigned int vector, uint64_t n)
{
	while (irqs[vector] < n)
		safe_halt_cli();
}

static void guest_code(void)
{
	uint32_t a, b, c, d;
	uint64_t t0, t1;
	struct hv_message *in;

	cpuid_count(HYPERV_CPUID_VENDOR_AND_MAX_FUNCTIONS, 0, &a, &b, &c, &d);
	GUEST_ASSERT(b == HYPERV_VENDOR_EBX && c == HYPERV_VENDOR_ECX && d == HYPERV_VENDOR_EDX);
	GUEST_ASSERT(a >= HYPERV_CPUID_IMPLEMENT_LIMITS);
	cpuid_count(HYPERV_CPUID_FEATURES, 0, &a, &b, &c, &d);
	GUEST_ASSERT((a & (HV_MSR_HYPERCALL_AVAILABLE | HV_MSR_VP_INDEX_AVAILABLE)) ==
		     (HV_MSR_HYPERCALL_AVAILABLE | HV_MSR_VP_INDEX_AVAILABLE));
	GUEST_ASSERT(rdmsr(HV_X64_MSR_VP_INDEX) == 0);

	hv_enable_hypercalls();
	GUEST_ASSERT(rdmsr(HV_X64_MSR_HYPERCALL) & HV_X64_MSR_HYPERCALL_ENABLE);
	/* Unknown code 0x7777: HV_STATUS_INVALID_HYPERCALL_CODE. */
	GUEST_ASSERT_1(hv_status(hv_hypercall(0x7777, 0, 0)) == HV_STATUS_INVALID_HYPERCALL_CODE,
		       hv_hypercall(0x7777, 0, 0));
	/* Reserved bits set in a known code: HV_STATUS_INVALID_HYPERCALL_INPUT. */
	GUEST_ASSERT(hv_status(hv_hypercall(HVCALL_SIGNAL_EVENT | (1ULL << 30) |
					    HV_HYPERCALL_FAST_BIT, CONN_EVENT, 0)) ==
		     HV_STATUS_INVALID_HYPERCALL_INPUT);

	t0 = hv_ref_time();
	for (t1 = 0; t1 < 100000; t1++)
		asm volatile("" ::: "memory");
	t1 = hv_ref_time();
	GUEST_ASSERT_2(t1 > t0, t0, t1);
	wrmsr(HV_X64_MSR_REFERENCE_TSC, (uint64_t)tsc_page | HV_X64_MSR_TSC_REFERENCE_ENABLE);
	GUEST_SYNC2(1, *(volatile uint32_t *)tsc_page);

	/* SynIC on, SINT2 -> vector 0xe0, x2APIC (the library EOIs by MSR). */
	x2apic_enable();
	wrmsr(HV_X64_MSR_SIMP, (uint64_t)simp | HV_SYNIC_SIMP_ENABLE);
	wrmsr(HV_X64_MSR_SIEFP, (uint64_t)siefp | HV_SYNIC_SIEFP_ENABLE);
	wrmsr(HV_X64_MSR_SINT(2), SINT_VECTOR);
	wrmsr(HV_X64_MSR_SCONTROL, HV_SYNIC_CONTROL_ENABLE);
	GUEST_SYNC(2);		/* host posts a message and an event to SINT2 */

	wait_irq(SINT_VECTOR, 1);
	in = &simp[2];
	while (*(volatile uint32_t *)&in->message_type != 0x1234 ||
	       !(*(volatile uint8_t *)&siefp[2 * 256] & 0x08))
		wait_irq(SINT_VECTOR, irqs[SINT_VECTOR] + 1);
	GUEST_ASSERT(in->payload_size == 5 && !memcmp(in->payload, "hello", 5));
	hv_message_ack(in);

	/* Guest -> host: a message and an event on registered connections. */
	*(uint32_t *)&hc_input[0] = CONN_MSG;
	*(uint32_t *)&hc_input[8] = 7;
	*(uint32_t *)&hc_input[12] = 3;
	memcpy(&hc_input[16], "abc", 3);
	GUEST_ASSERT(hv_status(hv_hypercall(HVCALL_POST_MESSAGE, (uint64_t)hc_input, 0)) ==
		     HV_STATUS_SUCCESS);
	GUEST_ASSERT(hv_status(hv_hypercall(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT,
					    CONN_EVENT, 0)) == HV_STATUS_SUCCESS);
	/* An unregistered connection: HV_STATUS_INVALID_CONNECTION_ID. */
	GUEST_ASSERT(hv_status(hv_hypercall(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT,
					    0x999, 0)) == HV_STATUS_INVALID_CONNECTION_ID);

	/* Direct-mode synthetic timer 1 ms ahead. */
	wrmsr(HV_X64_MSR_STIMER0_CONFIG, HV_STIMER_ENABLE | HV_STIMER_VECTOR(TIMER_VECTOR) |
					 HV_STIMER_DIRECT);
	wrmsr(HV_X64_MSR_STIMER0_COUNT, hv_ref_time() + 10000);
	wait_irq(TIMER_VECTOR, 1);
	/* One-shot: off after it fired. */
	GUEST_ASSERT(!(rdmsr(HV_X64_MSR_STIMER0_CONFIG) & HV_STIMER_ENABLE));
	GUEST_DONE();
}

static void hyperv_smoke(const void *arg __unused)
{
	struct hvp_vm *vm = vm_create_with_flags(HVP_DEFAULT_MEM_SIZE, 0);
	struct hvpart_hv_guest_message gm;
	struct hvp_vp *vp;
	struct ucall uc;
	uint64_t count;
	int mfd, efd, evfd;

	vm_set_hv_config(vm, HVPART_HV_F(HYPERCALL) | HVPART_HV_F(VP_INDEX) |
			     HVPART_HV_F(TIME_REF_COUNT) | HVPART_HV_F(REFERENCE_TSC) |
			     HVPART_HV_F(SYNIC) | HVPART_HV_F(STIMER) |
			     HVPART_HV_F(STIMER_DIRECT));
	vp = vm_vp_add(vm, 0, guest_code);
	vm_install_interrupt_handler(vm, SINT_VECTOR, guest_isr);
	vm_install_interrupt_handler(vm, TIMER_VECTOR, guest_isr);
	evfd = eventfd(0, EFD_NONBLOCK);
	TEST_ASSERT(evfd >= 0, "eventfd");
	mfd = vm_hv_connect(vm, CONN_MSG, HVPART_HV_CONN_MESSAGE, -1);
	efd = vm_hv_connect(vm, CONN_EVENT, HVPART_HV_CONN_EVENT, evfd);

	TEST_ASSERT(vp_run_ucall(vp, &uc) == UCALL_SYNC && uc.args[0] == 1, "stage 1");
	tap_diag("TSC page sequence %lu", (unsigned long)uc.args[1]);
	vp_run_expect_sync(vp, 2);

	vm_hv_post(vm, 0, 2, 0x1234, "hello", 5);
	vm_hv_signal(vm, 0, 2, 3);
	vp_run_expect_done(vp);

	TEST_ASSERT(read(mfd, &gm, sizeof(gm)) == sizeof(gm), "read connection fd");
	TEST_ASSERT(gm.connection_id == CONN_MSG && gm.message_type == 7 && gm.payload_size == 3 &&
		    !memcmp(gm.payload, "abc", 3), "guest message");
	TEST_ASSERT(read(evfd, &count, 8) == 8 && count == 1, "guest event");
	close(mfd);
	close(efd);
	vm_free(vm);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST(hyperv_smoke),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
