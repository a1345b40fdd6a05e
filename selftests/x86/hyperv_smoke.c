// SPDX-License-Identifier: GPL-2.0
/*
 * The Hyper-V interface end to end, one path through each part: the
 * identity leaves, GUEST_OS_ID and the hypercall page, an unknown
 * hypercall code, the reference counter and TSC page, SynIC messages both
 * ways (VMM -> SINT slot -> guest; guest HvPostMessage -> connection fd),
 * event flags both ways, and a direct-mode synthetic timer.
 */
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hvp_util.h"

#define HV_MSR_GUEST_OS_ID	0x40000000
#define HV_MSR_HYPERCALL	0x40000001
#define HV_MSR_VP_INDEX		0x40000002
#define HV_MSR_TIME_REF_COUNT	0x40000020
#define HV_MSR_REFERENCE_TSC	0x40000021
#define HV_MSR_SCONTROL		0x40000080
#define HV_MSR_SIEFP		0x40000082
#define HV_MSR_SIMP		0x40000083
#define HV_MSR_EOM		0x40000084
#define HV_MSR_SINT0		0x40000090
#define HV_MSR_STIMER0_CONFIG	0x400000b0
#define HV_MSR_STIMER0_COUNT	0x400000b1
#define MSR_APIC_BASE		0x1b

#define SINT_VECTOR	0xe0
#define TIMER_VECTOR	0xed
#define CONN_MSG	0x42
#define CONN_EVENT	0x43

struct hv_msg {
	uint32_t type;
	uint8_t size;
	uint8_t flags;
	uint16_t rsvd;
	uint64_t port;
	uint8_t payload[240];
};

static volatile uint64_t irqs[256];
static uint8_t hypercall_page[4096] __attribute__((aligned(4096)));
static struct hv_msg simp[16] __attribute__((aligned(4096)));
static uint8_t siefp[4096] __attribute__((aligned(4096)));
static uint8_t tsc_page[4096] __attribute__((aligned(4096)));
static uint8_t hc_input[4096] __attribute__((aligned(4096)));

void guest_isr(void);
void guest_isr_common(uint64_t vector);
asm(".pushsection .text\n"
    "guest_isr_e0:\n	push $0xe0\n	jmp guest_isr\n"
    "guest_isr_ed:\n	push $0xed\n	jmp guest_isr\n"
    "guest_isr:\n"
    "	push %rax; push %rcx; push %rdx; push %rsi; push %rdi\n"
    "	push %r8; push %r9; push %r10; push %r11\n"
    "	mov 72(%rsp), %rdi\n"
    "	call guest_isr_common\n"
    "	pop %r11; pop %r10; pop %r9; pop %r8\n"
    "	pop %rdi; pop %rsi; pop %rdx; pop %rcx; pop %rax\n"
    "	add $8, %rsp\n"
    "	iretq\n"
    ".popsection");
extern char guest_isr_e0[], guest_isr_ed[];

void guest_isr_common(uint64_t vector)
{
	irqs[vector]++;
	wrmsr(0x80b, 0);	/* x2APIC EOI */
}

static void set_gate(unsigned int vector, void *isr)
{
	uint64_t *idt = (uint64_t *)SYS_IDT_GPA;
	uint64_t off = (uint64_t)isr;

	idt[2 * vector] = (off & 0xffff) | ((uint64_t)SEL_CODE64 << 16) |
			  (0x8eULL << 40) | ((off >> 16 & 0xffff) << 48);
	idt[2 * vector + 1] = off >> 32;
}

static uint64_t hv_hypercall(uint64_t control, uint64_t in, uint64_t out)
{
	uint64_t status;
	register uint64_t r8 asm("r8") = out;

	asm volatile("call *%[page]"
		     : "=a"(status), "+c"(control), "+d"(in), "+r"(r8)
		     : [page] "r"(hypercall_page)
		     : "cc", "memory", "r9", "r10", "r11");
	return status;
}

static void wait_irq(unsigned int vector, uint64_t n)
{
	while (irqs[vector] < n)
		asm volatile("sti; hlt; cli" ::: "memory");
}

static void guest_code(void)
{
	uint32_t a, b, c, d;
	uint64_t t0, t1;
	struct hv_msg *in;

	cpuid_count(0x40000000, 0, &a, &b, &c, &d);
	GUEST_ASSERT(b == 0x7263694d && c == 0x666f736f && d == 0x76482074);
	GUEST_ASSERT(a >= 0x40000005);
	cpuid_count(0x40000003, 0, &a, &b, &c, &d);
	GUEST_ASSERT((a & 0x60) == 0x60);	/* hypercall, VP index */
	GUEST_ASSERT(rdmsr(HV_MSR_VP_INDEX) == 0);

	wrmsr(HV_MSR_GUEST_OS_ID, 0x8100000601C00000ULL);
	wrmsr(HV_MSR_HYPERCALL, (uint64_t)hypercall_page | 1);
	GUEST_ASSERT(rdmsr(HV_MSR_HYPERCALL) & 1);
	/* Unknown code 0x7777: HV_STATUS_INVALID_HYPERCALL_CODE. */
	GUEST_ASSERT_1((hv_hypercall(0x7777, 0, 0) & 0xffff) == 2, hv_hypercall(0x7777, 0, 0));
	/* Reserved bits set in a known code: HV_STATUS_INVALID_HYPERCALL_INPUT. */
	GUEST_ASSERT((hv_hypercall(0x5d | (1ULL << 30) | (1 << 16), CONN_EVENT, 0) & 0xffff) == 3);

	t0 = rdmsr(HV_MSR_TIME_REF_COUNT);
	for (t1 = 0; t1 < 100000; t1++)
		asm volatile("" ::: "memory");
	t1 = rdmsr(HV_MSR_TIME_REF_COUNT);
	GUEST_ASSERT_2(t1 > t0, t0, t1);
	wrmsr(HV_MSR_REFERENCE_TSC, (uint64_t)tsc_page | 1);
	GUEST_SYNC2(1, *(volatile uint32_t *)tsc_page);

	/* SynIC on, SINT2 -> vector 0xe0, x2APIC for EOI via MSR. */
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1 << 10));
	wrmsr(0x80f, 0x1ff);	/* SVR: software enable */
	set_gate(SINT_VECTOR, guest_isr_e0);
	set_gate(TIMER_VECTOR, guest_isr_ed);
	wrmsr(HV_MSR_SIMP, (uint64_t)simp | 1);
	wrmsr(HV_MSR_SIEFP, (uint64_t)siefp | 1);
	wrmsr(HV_MSR_SINT0 + 2, SINT_VECTOR);
	wrmsr(HV_MSR_SCONTROL, 1);
	GUEST_SYNC(2);		/* host posts a message and an event to SINT2 */

	wait_irq(SINT_VECTOR, 1);
	in = &simp[2];
	while (*(volatile uint32_t *)&in->type != 0x1234 || !(siefp[2 * 256] & 0x08))
		wait_irq(SINT_VECTOR, irqs[SINT_VECTOR] + 1);
	GUEST_ASSERT(in->size == 5 && !memcmp(in->payload, "hello", 5));
	in->type = 0;
	if (in->flags & 1)
		wrmsr(HV_MSR_EOM, 0);

	/* Guest -> host: a message and an event on registered connections. */
	*(uint32_t *)&hc_input[0] = CONN_MSG;
	*(uint32_t *)&hc_input[8] = 7;
	*(uint32_t *)&hc_input[12] = 3;
	memcpy(&hc_input[16], "abc", 3);
	GUEST_ASSERT((hv_hypercall(0x5c, (uint64_t)hc_input, 0) & 0xffff) == 0);
	GUEST_ASSERT((hv_hypercall(0x5d | (1 << 16), CONN_EVENT, 0) & 0xffff) == 0);
	/* An unregistered connection: HV_STATUS_INVALID_CONNECTION_ID. */
	GUEST_ASSERT((hv_hypercall(0x5d | (1 << 16), 0x999, 0) & 0xffff) == 18);

	/* Direct-mode synthetic timer 1 ms ahead. */
	wrmsr(HV_MSR_STIMER0_CONFIG, 1 | (TIMER_VECTOR << 4) | (1 << 12));
	wrmsr(HV_MSR_STIMER0_COUNT, rdmsr(HV_MSR_TIME_REF_COUNT) + 10000);
	wait_irq(TIMER_VECTOR, 1);
	GUEST_ASSERT(!(rdmsr(HV_MSR_STIMER0_CONFIG) & 1));	/* one-shot: off */
	GUEST_DONE();
}

static void hyperv_smoke(const void *arg __unused)
{
	struct hvp_vm *vm = vm_create_with_flags(HVP_DEFAULT_MEM_SIZE, 0);
	struct hvpart_hv_config cfg = {
		.features = HVPART_HV_F(HYPERCALL) | HVPART_HV_F(VP_INDEX) |
			    HVPART_HV_F(TIME_REF_COUNT) | HVPART_HV_F(REFERENCE_TSC) |
			    HVPART_HV_F(SYNIC) | HVPART_HV_F(STIMER) |
			    HVPART_HV_F(STIMER_DIRECT),
	};
	struct hvpart_hv_connect cm = { .connection_id = CONN_MSG, .type = HVPART_HV_CONN_MESSAGE,
					.eventfd = -1 };
	struct hvpart_hv_connect ce = { .connection_id = CONN_EVENT, .type = HVPART_HV_CONN_EVENT };
	struct hvpart_hv_post post = { .vp_index = 0, .sint = 2, .message_type = 0x1234,
				       .payload_size = 5 };
	struct hvpart_hv_event ev = { .vp_index = 0, .sint = 2, .flag = 3 };
	struct hvpart_hv_guest_message gm;
	struct hvp_vp *vp;
	struct ucall uc;
	uint64_t count;
	int mfd, efd;

	TEST_ASSERT(!ioctl(vm->fd, HVPART_SET_HV_CONFIG, &cfg), "HVPART_SET_HV_CONFIG");
	vp = vm_vp_add(vm, 0, guest_code);
	ce.eventfd = eventfd(0, EFD_NONBLOCK);
	mfd = ioctl(vm->fd, HVPART_HV_CONNECT, &cm);
	efd = ioctl(vm->fd, HVPART_HV_CONNECT, &ce);
	TEST_ASSERT(mfd >= 0 && efd >= 0, "HVPART_HV_CONNECT");

	TEST_ASSERT(vp_run_ucall(vp, &uc) == UCALL_SYNC && uc.args[0] == 1, "stage 1");
	tap_diag("TSC page sequence %lu\n", (unsigned long)uc.args[1]);
	vp_run_expect_sync(vp, 2);

	memcpy(post.payload, "hello", 5);
	TEST_ASSERT(!ioctl(vm->fd, HVPART_HV_POST_MESSAGE, &post), "HVPART_HV_POST_MESSAGE");
	TEST_ASSERT(!ioctl(vm->fd, HVPART_HV_SIGNAL_EVENT, &ev), "HVPART_HV_SIGNAL_EVENT");
	vp_run_expect_done(vp);

	TEST_ASSERT(read(mfd, &gm, sizeof(gm)) == sizeof(gm), "read connection fd");
	TEST_ASSERT(gm.connection_id == CONN_MSG && gm.message_type == 7 && gm.payload_size == 3 &&
		    !memcmp(gm.payload, "abc", 3), "guest message");
	TEST_ASSERT(read(ce.eventfd, &count, 8) == 8 && count == 1, "guest event");
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
