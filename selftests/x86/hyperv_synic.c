// SPDX-License-Identifier: GPL-2.0
/*
 * The SynIC (TLFS "Inter-Partition Communication", "SynIC MSRs", "EOM
 * Registers"; hyperv-facts 3) and the connection fds of HVPART_HV_CONNECT.
 *
 * VMM -> guest messages: msg_pending_eom (a queue behind a busy slot: the
 *   pending flag, EOM, the next message, EAGAIN at the VMM's queue limit),
 *   msg_every_sint (slot n belongs to SINTn), msg_targets_vp.
 * SINT modes: sint_masked (a masked SINT raises no interrupt; its message
 *   is still deposited, "EOM Registers"), sint_polling, sint_auto_eoi
 *   (against a SINT without it), pages_disabled (SCONTROL, SIMP or SIEFP
 *   off: messages and flags wait and arrive once enabled).
 * Events: events_both_ways (a flag already set does not raise the SINT
 *   again; HvSignalEvent reaches an eventfd).
 * Guest -> VMM: guest_post_status (HvPostMessage/HvSignalEvent to unknown
 *   or wrong-type connections, bad types and sizes), connection_fd (read,
 *   poll, O_NONBLOCK, the 256-message queue and
 *   HV_STATUS_INSUFFICIENT_BUFFERS, close unregisters), connect_errors
 *   and vmm_ioctl_errors (bad input to the ioctls), connect_enospc (ENOSPC
 *   past 4096 ids; slow, only with HVPART_SLOW_TESTS).
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include "apic.h"
#include "hvp_util.h"
#include "hyperv.h"

#define SYNIC_FEATURES	(HVPART_HV_F(HYPERCALL) | HVPART_HV_F(VP_INDEX) | HVPART_HV_F(SYNIC))
/* Two SINTs per priority class: 0x40, 0x48 (class 4), 0x50, 0x58 (class 5) ... */
#define SINT_VECTOR(n)	(0x40 + 8 * (n))
#define SELF_VECTOR	0x45
#define NR_VPS		2

static struct hv_message simp[NR_VPS][HV_SYNIC_SINT_COUNT] __attribute__((aligned(4096)));
static uint8_t siefp[NR_VPS][HV_SYNIC_SINT_COUNT][256] __attribute__((aligned(4096)));
static volatile uint64_t irqs[NR_VPS][256];
static volatile uint64_t isr_at_entry[256];	/* ISR bit of the vector inside its handler */

static uint32_t my_vp(void)
{
	return rdmsr(HV_X64_MSR_VP_INDEX);
}

static void guest_isr(struct ex_regs *regs)
{
	irqs[my_vp()][regs->vector]++;
}

/* Handlers that do not EOI: they note whether the vector is in service. */
static void guest_isr_no_eoi(struct ex_regs *regs)
{
	isr_at_entry[regs->vector] = apic_vector_bit(APIC_ISR, regs->vector);
	irqs[my_vp()][regs->vector]++;
}

static volatile struct hv_message *slot(unsigned int sint)
{
	return &simp[my_vp()][sint];
}

static bool flag_set(unsigned int sint, unsigned int flag)
{
	return *(volatile uint8_t *)&siefp[my_vp()][sint][flag / 8] & (1U << (flag % 8));
}

static void flag_clear(unsigned int sint, unsigned int flag)
{
	__atomic_fetch_and(&siefp[my_vp()][sint][flag / 8], ~(1U << (flag % 8)), __ATOMIC_SEQ_CST);
}

static uint64_t irq_count(unsigned int vector)
{
	return irqs[my_vp()][vector];
}

/* Let pending interrupts in a few times (a WRMSR exit in between delivers queued work). */
static void settle(void)
{
	unsigned int i;

	for (i = 0; i < 4; i++) {
		sti_nop_cli();
		(void)rdmsr(HV_X64_MSR_VP_INDEX);
	}
	sti_nop_cli();
}

/* SynIC on with both pages; SINTn = vector 0x50 + n | @mode, all 16. */
static void synic_enable(uint64_t mode)
{
	uint32_t vp = my_vp();
	unsigned int i;

	x2apic_enable();
	hv_enable_hypercalls();
	wrmsr(HV_X64_MSR_SIMP, (uint64_t)simp[vp] | HV_SYNIC_SIMP_ENABLE);
	wrmsr(HV_X64_MSR_SIEFP, (uint64_t)siefp[vp] | HV_SYNIC_SIEFP_ENABLE);
	for (i = 0; i < HV_SYNIC_SINT_COUNT; i++)
		wrmsr(HV_X64_MSR_SINT(i), SINT_VECTOR(i) | mode);
	wrmsr(HV_X64_MSR_SCONTROL, HV_SYNIC_CONTROL_ENABLE);
}

static struct hvp_vm *synic_vm(uint64_t features, unsigned int nr_vps, void (*guest)(void),
			       hvp_exception_handler_t isr)
{
	struct hvp_vm *vm = vm_create_with_flags(HVP_DEFAULT_MEM_SIZE, 0);
	unsigned int i;

	vm_set_hv_config(vm, features);
	for (i = 0; i < nr_vps; i++)
		vm_vp_add(vm, i, guest);
	for (i = 0; i < HV_SYNIC_SINT_COUNT; i++)
		vm_install_interrupt_handler(vm, SINT_VECTOR(i), isr ? isr : guest_isr);
	vm_install_interrupt_handler(vm, SELF_VECTOR, guest_isr);
	return vm;
}

/* ---- msg_pending_eom --------------------------------------------------------------- */

static uint64_t nr_expected;

static void guest_pending_eom(void)
{
	volatile struct hv_message *m = slot(2);
	uint64_t k, n;

	synic_enable(0);
	GUEST_SYNC(1);		/* the VMM fills the queue */
	n = READ_ONCE(nr_expected);
	for (k = 0; k < n; k++) {
		while (!m->message_type)
			safe_halt_cli();
		sti_nop_cli();		/* its interrupt, if not taken yet */
		GUEST_ASSERT_2(m->message_type == 0x1000 + k, m->message_type, k);
		GUEST_ASSERT_2(m->payload_size == 8 + k % 200, m->payload_size, k);
		GUEST_ASSERT_2(*(volatile uint64_t *)m->payload == k, *(volatile uint64_t *)m->payload,
			       k);
		/* More queued behind this one: the flag says so, and only then. */
		GUEST_ASSERT_2(!!(m->message_flags & HV_MESSAGE_FLAG_PENDING) == (k + 1 < n),
			       m->message_flags, k);
		GUEST_ASSERT_2(irq_count(SINT_VECTOR(2)) == k + 1, irq_count(SINT_VECTOR(2)), k);
		hv_message_ack(m);
	}
	/* The one refused with EAGAIN never comes. */
	settle();
	GUEST_ASSERT_1(m->message_type == HVMSG_NONE, m->message_type);
	GUEST_SYNC(2);		/* the queue has room again */
	while (!m->message_type)
		safe_halt_cli();
	GUEST_ASSERT_1(m->message_type == 0x2000, m->message_type);
	GUEST_ASSERT(!(m->message_flags & HV_MESSAGE_FLAG_PENDING));
	hv_message_ack(m);
	GUEST_DONE();
}

static void post_seq(struct hvp_vm *vm, uint32_t vp, uint32_t sint, uint64_t k, int *err)
{
	uint8_t payload[240] = {};

	memcpy(payload, &k, sizeof(k));
	*err = __vm_hv_post(vm, vp, sint, 0x1000 + k, payload, 8 + k % 200) ? errno : 0;
}

static void msg_pending_eom(const void *arg __unused)
{
	struct hvp_vm *vm = synic_vm(SYNIC_FEATURES, 1, guest_pending_eom, NULL);
	struct hvp_vp *vp = vm->vps[0];
	uint64_t n;
	int err = 0;

	vp_run_expect_sync(vp, 1);
	for (n = 0; n < 100000; n++) {
		post_seq(vm, 0, 2, n, &err);
		if (err)
			break;
	}
	TEST_ASSERT(err == EAGAIN && n > 1, "post %lu: errno %d, want EAGAIN after a few",
		    (unsigned long)n, err);
	tap_diag("the VMM's queue for one SINT took %lu messages, then EAGAIN", (unsigned long)n);
	write_guest_global(vm, nr_expected, n);
	vp_run_expect_sync(vp, 2);
	vm_hv_post(vm, 0, 2, 0x2000, "", 0);
	vp_run_expect_done(vp);
	vm_free(vm);
}

/* ---- msg_every_sint, msg_targets_vp ----------------------------------------------------- */

static void guest_every_sint(void)
{
	unsigned int i;

	synic_enable(0);
	GUEST_SYNC(1);
	settle();
	for (i = 0; i < HV_SYNIC_SINT_COUNT; i++) {
		volatile struct hv_message *m = slot(i);

		GUEST_ASSERT_2(m->message_type == 0x100 + i, m->message_type, i);
		GUEST_ASSERT_2(m->payload_size == 1 && m->payload[0] == i, m->payload[0], i);
		GUEST_ASSERT_2(irq_count(SINT_VECTOR(i)) == 1, irq_count(SINT_VECTOR(i)), i);
		hv_message_ack(m);
	}
	GUEST_DONE();
}

static void msg_every_sint(const void *arg __unused)
{
	struct hvp_vm *vm = synic_vm(SYNIC_FEATURES, 1, guest_every_sint, NULL);
	uint8_t i;

	vp_run_expect_sync(vm->vps[0], 1);
	for (i = 0; i < HV_SYNIC_SINT_COUNT; i++)
		vm_hv_post(vm, 0, i, 0x100 + i, &i, 1);
	vp_run_expect_done(vm->vps[0]);
	vm_free(vm);
}

static void guest_targets_vp(void)
{
	volatile struct hv_message *m = slot(3);

	synic_enable(0);
	GUEST_SYNC(1);
	settle();
	if (my_vp() == 1) {
		GUEST_ASSERT_1(m->message_type == 0x77, m->message_type);
		GUEST_ASSERT(irq_count(SINT_VECTOR(3)) == 1 && flag_set(3, 9));
	} else {
		GUEST_ASSERT_1(m->message_type == HVMSG_NONE, m->message_type);
		GUEST_ASSERT(irq_count(SINT_VECTOR(3)) == 0 && !flag_set(3, 9));
	}
	GUEST_DONE();
}

static void msg_targets_vp(const void *arg __unused)
{
	struct hvp_vm *vm = synic_vm(SYNIC_FEATURES, 2, guest_targets_vp, NULL);

	vp_run_expect_sync(vm->vps[0], 1);
	vp_run_expect_sync(vm->vps[1], 1);
	vm_hv_post(vm, 1, 3, 0x77, "", 0);
	vm_hv_signal(vm, 1, 3, 9);
	vp_run_expect_done(vm->vps[0]);
	vp_run_expect_done(vm->vps[1]);
	vm_free(vm);
}

/* ---- SINT modes -------------------------------------------------------------------------- */

static void guest_masked(void)
{
	volatile struct hv_message *m = slot(3);
	unsigned int i;

	synic_enable(0);
	wrmsr(HV_X64_MSR_SINT(3), SINT_VECTOR(3) | HV_SYNIC_SINT_MASKED);
	GUEST_SYNC(1);		/* a message and flag 5 for SINT 3 */
	settle();
	GUEST_ASSERT_1(irq_count(SINT_VECTOR(3)) == 0, irq_count(SINT_VECTOR(3)));
	/* TLFS: delivery needs the SIM page and a free slot; masking only stops the interrupt. */
	GUEST_ASSERT_1(m->message_type == 0x33, m->message_type);
	hv_message_ack(m);

	/* Unmasked: the flag is visible (set while masked, or now). */
	wrmsr(HV_X64_MSR_SINT(3), SINT_VECTOR(3));
	for (i = 0; i < 100 && !flag_set(3, 5); i++)
		settle();
	GUEST_ASSERT(flag_set(3, 5));
	GUEST_DONE();
}

static void sint_masked(const void *arg __unused)
{
	struct hvp_vm *vm = synic_vm(SYNIC_FEATURES, 1, guest_masked, NULL);

	vp_run_expect_sync(vm->vps[0], 1);
	vm_hv_post(vm, 0, 3, 0x33, "", 0);
	vm_hv_signal(vm, 0, 3, 5);
	vp_run_expect_done(vm->vps[0]);
	vm_free(vm);
}

static void guest_polling(void)
{
	volatile struct hv_message *m = slot(4);
	unsigned int k;

	synic_enable(0);
	wrmsr(HV_X64_MSR_SINT(4), SINT_VECTOR(4) | HV_SYNIC_SINT_POLLING);
	GUEST_SYNC(1);		/* two messages for SINT 4 */
	for (k = 0; k < 2; k++) {
		unsigned int i;

		for (i = 0; i < 100 && !m->message_type; i++)
			settle();
		GUEST_ASSERT_2(m->message_type == 0x40 + k, m->message_type, k);
		GUEST_ASSERT_2(!!(m->message_flags & HV_MESSAGE_FLAG_PENDING) == !k,
			       m->message_flags, k);
		hv_message_ack(m);
	}
	settle();
	GUEST_ASSERT_1(irq_count(SINT_VECTOR(4)) == 0, irq_count(SINT_VECTOR(4)));
	GUEST_DONE();
}

static void sint_polling(const void *arg __unused)
{
	struct hvp_vm *vm = synic_vm(SYNIC_FEATURES, 1, guest_polling, NULL);

	vp_run_expect_sync(vm->vps[0], 1);
	vm_hv_post(vm, 0, 4, 0x40, "", 0);
	vm_hv_post(vm, 0, 4, 0x41, "", 0);
	vp_run_expect_done(vm->vps[0]);
	vm_free(vm);
}

/*
 * SINT 6 with auto-EOI and SINT 5 without (a lower priority class), both
 * with handlers that never EOI: SINT 6 interrupts again and again with
 * nothing left in service; SINT 5's vector stays in service and blocks its
 * second interrupt until the guest EOIs.
 */
#define AEOI_SINT	6
#define PLAIN_SINT	5

static void guest_auto_eoi(void)
{
	unsigned int a = SINT_VECTOR(AEOI_SINT), p = SINT_VECTOR(PLAIN_SINT);

	synic_enable(0);
	wrmsr(HV_X64_MSR_SINT(AEOI_SINT), a | HV_SYNIC_SINT_AUTO_EOI);
	GUEST_SYNC(1);		/* flag 1 of both SINTs */
	settle();
	GUEST_ASSERT_1(irq_count(a) == 1, irq_count(a));
	GUEST_ASSERT(!isr_at_entry[a]);
	GUEST_ASSERT(!apic_vector_bit(APIC_ISR, a));
	GUEST_ASSERT_1(irq_count(p) == 1, irq_count(p));
	GUEST_ASSERT(isr_at_entry[p]);
	GUEST_ASSERT(apic_vector_bit(APIC_ISR, p));
	flag_clear(AEOI_SINT, 1);
	flag_clear(PLAIN_SINT, 1);
	GUEST_SYNC(2);		/* the same again */
	settle();
	GUEST_ASSERT_1(irq_count(a) == 2, irq_count(a));
	GUEST_ASSERT_1(irq_count(p) == 1, irq_count(p));
	GUEST_ASSERT(apic_vector_bit(APIC_IRR, p));
	apic_eoi();		/* SINT 5's first */
	settle();
	GUEST_ASSERT_1(irq_count(p) == 2, irq_count(p));
	apic_eoi();
	/* Nothing in service: a lower vector gets through. */
	apic_send_ipi(0, SELF_VECTOR | APIC_DEST_SELF);
	settle();
	GUEST_ASSERT_1(irq_count(SELF_VECTOR) == 1, irq_count(SELF_VECTOR));
	GUEST_DONE();
}

static void sint_auto_eoi(const void *arg __unused)
{
	struct hvp_vm *vm = synic_vm(SYNIC_FEATURES, 1, guest_auto_eoi, NULL);
	struct hvp_vp *vp = vm->vps[0];

	vm_install_interrupt_handler_flags(vm, SINT_VECTOR(AEOI_SINT), guest_isr_no_eoi,
					   HVP_IRQ_NO_EOI);
	vm_install_interrupt_handler_flags(vm, SINT_VECTOR(PLAIN_SINT), guest_isr_no_eoi,
					   HVP_IRQ_NO_EOI);
	vp_run_expect_sync(vp, 1);
	vm_hv_signal(vm, 0, AEOI_SINT, 1);
	vm_hv_signal(vm, 0, PLAIN_SINT, 1);
	vp_run_expect_sync(vp, 2);
	vm_hv_signal(vm, 0, AEOI_SINT, 1);
	vm_hv_signal(vm, 0, PLAIN_SINT, 1);
	vp_run_expect_done(vp);
	vm_free(vm);
}

/* SCONTROL, SIMP and SIEFP off in turn: what the VMM sends waits for them. */
static void guest_pages_disabled(void)
{
	volatile struct hv_message *m = slot(2);
	uint32_t vp = my_vp();

	synic_enable(0);
	wrmsr(HV_X64_MSR_SIMP, (uint64_t)simp[vp]);
	wrmsr(HV_X64_MSR_SIEFP, (uint64_t)siefp[vp]);
	GUEST_SYNC(1);		/* a message and flag 7 for SINT 2 */
	settle();
	GUEST_ASSERT(!m->message_type && !flag_set(2, 7) && !irq_count(SINT_VECTOR(2)));
	wrmsr(HV_X64_MSR_SIMP, (uint64_t)simp[vp] | HV_SYNIC_SIMP_ENABLE);
	settle();
	GUEST_ASSERT_1(m->message_type == 0x21, m->message_type);
	GUEST_ASSERT(!flag_set(2, 7) && irq_count(SINT_VECTOR(2)) == 1);
	wrmsr(HV_X64_MSR_SIEFP, (uint64_t)siefp[vp] | HV_SYNIC_SIEFP_ENABLE);
	settle();
	GUEST_ASSERT(flag_set(2, 7) && irq_count(SINT_VECTOR(2)) == 2);
	hv_message_ack(m);
	flag_clear(2, 7);

	wrmsr(HV_X64_MSR_SCONTROL, 0);
	GUEST_SYNC(2);		/* again, with the SynIC off */
	settle();
	GUEST_ASSERT(!m->message_type && !flag_set(2, 7) && irq_count(SINT_VECTOR(2)) == 2);
	wrmsr(HV_X64_MSR_SCONTROL, HV_SYNIC_CONTROL_ENABLE);
	settle();
	GUEST_ASSERT_1(m->message_type == 0x22, m->message_type);
	GUEST_ASSERT(flag_set(2, 7));
	GUEST_ASSERT_1(irq_count(SINT_VECTOR(2)) >= 3, irq_count(SINT_VECTOR(2)));
	GUEST_DONE();
}

static void pages_disabled(const void *arg __unused)
{
	struct hvp_vm *vm = synic_vm(SYNIC_FEATURES, 1, guest_pages_disabled, NULL);
	struct hvp_vp *vp = vm->vps[0];

	vp_run_expect_sync(vp, 1);
	vm_hv_post(vm, 0, 2, 0x21, "", 0);
	vm_hv_signal(vm, 0, 2, 7);
	vp_run_expect_sync(vp, 2);
	vm_hv_post(vm, 0, 2, 0x22, "", 0);
	vm_hv_signal(vm, 0, 2, 7);
	vp_run_expect_done(vp);
	vm_free(vm);
}

/* ---- events_both_ways ------------------------------------------------------------------ */

#define CONN_EVT	0x301

static void guest_events(void)
{
	uint64_t in = CONN_EVT;

	synic_enable(0);
	GUEST_SYNC(1);		/* flag 100 */
	settle();
	GUEST_ASSERT(flag_set(7, 100) && irq_count(SINT_VECTOR(7)) == 1);
	GUEST_SYNC(2);		/* flag 100 again, still set: no interrupt */
	settle();
	GUEST_ASSERT_1(irq_count(SINT_VECTOR(7)) == 1, irq_count(SINT_VECTOR(7)));
	GUEST_SYNC(3);		/* flag 2047, clear before: an interrupt */
	settle();
	GUEST_ASSERT(flag_set(7, 2047) && irq_count(SINT_VECTOR(7)) == 2);
	flag_clear(7, 100);
	GUEST_SYNC(4);		/* flag 100 once more, clear now: an interrupt */
	settle();
	GUEST_ASSERT(flag_set(7, 100) && irq_count(SINT_VECTOR(7)) == 3);
	/* Only SINT 7's slot of the page. */
	GUEST_ASSERT(!flag_set(6, 100) && !flag_set(8, 100));

	/* Guest -> VMM, fast and memory forms. */
	GUEST_ASSERT_EQ(hv_status(hv_hypercall(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT,
					       CONN_EVT, 0)), HV_STATUS_SUCCESS);
	GUEST_ASSERT_EQ(hv_status(hv_hypercall(HVCALL_SIGNAL_EVENT, (uint64_t)&in, 0)),
			HV_STATUS_SUCCESS);
	GUEST_DONE();
}

static void events_both_ways(const void *arg __unused)
{
	struct hvp_vm *vm = synic_vm(SYNIC_FEATURES, 1, guest_events, NULL);
	struct hvp_vp *vp = vm->vps[0];
	int evfd = eventfd(0, EFD_NONBLOCK), cfd;
	uint64_t count;

	TEST_ASSERT(evfd >= 0, "eventfd");
	cfd = vm_hv_connect(vm, CONN_EVT, HVPART_HV_CONN_EVENT, evfd);
	vp_run_expect_sync(vp, 1);
	vm_hv_signal(vm, 0, 7, 100);
	vp_run_expect_sync(vp, 2);
	vm_hv_signal(vm, 0, 7, 100);
	vp_run_expect_sync(vp, 3);
	vm_hv_signal(vm, 0, 7, 2047);
	vp_run_expect_sync(vp, 4);
	vm_hv_signal(vm, 0, 7, 100);
	vp_run_expect_done(vp);
	TEST_ASSERT(read(evfd, &count, sizeof(count)) == sizeof(count) && count == 2,
		    "eventfd count %lu, want 2", (unsigned long)count);
	close(cfd);
	close(evfd);
	vm_free(vm);
}

/* ---- a guest that makes the hypercalls the host asks for ------------------------------- */

static struct {
	uint64_t control;
	uint64_t rdx, r8;		/* fast calls */
	uint32_t count;			/* stop at the first failure */
	uint8_t input[256] __attribute__((aligned(8)));
} req;

static uint64_t hc_page[512] __attribute__((aligned(4096)));

static void guest_server(void)
{
	uint64_t status = 0, done = 0;

	synic_enable(0);
	for (;;) {
		uint32_t i;

		GUEST_SYNC3(0x5e, status, done);
		memcpy(hc_page, req.input, sizeof(req.input));
		for (i = 0, status = 0; i < req.count; i++) {
			uint64_t in = req.rdx, out = req.r8;

			if (!(req.control & HV_HYPERCALL_FAST_BIT)) {
				in = (uint64_t)hc_page;
				out = 0;
			}
			status = hv_status(hv_hypercall(req.control, in, out));
			if (status != HV_STATUS_SUCCESS)
				break;
		}
		done = i;
	}
}

static void server_start(struct hvp_vp *vp)
{
	struct ucall uc;

	TEST_ASSERT(vp_run_ucall(vp, &uc) == UCALL_SYNC && uc.args[0] == 0x5e, "server start");
}

/* @count calls; returns the status of the last one made, *done = successes. */
static uint16_t server_call(struct hvp_vp *vp, uint64_t control, uint64_t rdx, uint64_t r8,
			    const void *input, size_t len, uint32_t count, uint32_t *done)
{
	struct ucall uc;

	memset(&req, 0, sizeof(req));
	req.control = control;
	req.rdx = rdx;
	req.r8 = r8;
	req.count = count;
	if (input)
		memcpy(req.input, input, len);
	sync_global_to_guest(vp->vm, req);
	TEST_ASSERT(vp_run_ucall(vp, &uc) == UCALL_SYNC && uc.args[0] == 0x5e, "server call");
	if (done)
		*done = uc.args[2];
	return uc.args[1];
}

struct post_in {
	uint32_t connection_id;
	uint32_t rsvd;
	uint32_t message_type;
	uint32_t payload_size;
	uint8_t payload[240];
};

static uint16_t post(struct hvp_vp *vp, uint32_t conn, uint32_t type, uint32_t size,
		     uint32_t count, uint32_t *done)
{
	struct post_in in = {
		.connection_id = conn, .message_type = type, .payload_size = size,
	};
	uint32_t i;

	for (i = 0; i < sizeof(in.payload); i++)
		in.payload[i] = i ^ 0x5a;
	return server_call(vp, HVCALL_POST_MESSAGE, 0, 0, &in, sizeof(in), count, done);
}

static uint16_t signal_event(struct hvp_vp *vp, uint64_t param)
{
	return server_call(vp, HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT, param, 0, NULL, 0, 1,
			   NULL);
}

#define CONN_MSG	0x401
#define CONN_EVT2	0x402

#define EXPECT_STATUS(got, want) do {						\
	uint16_t __g = (got), __w = (want);					\
	TEST_ASSERT(__g == __w, "%s: status %u, want %u", #got, __g, __w);	\
} while (0)

static void guest_post_status(const void *arg __unused)
{
	struct hvp_vm *vm = synic_vm(SYNIC_FEATURES, 1, guest_server, NULL);
	struct hvp_vp *vp = vm->vps[0];
	int evfd = eventfd(0, EFD_NONBLOCK), mfd, efd;
	struct hvpart_hv_guest_message m;
	uint16_t st;
	unsigned int i;

	mfd = vm_hv_connect(vm, CONN_MSG, HVPART_HV_CONN_MESSAGE, -1);
	efd = vm_hv_connect(vm, CONN_EVT2, HVPART_HV_CONN_EVENT, evfd);
	server_start(vp);

	/* HvPostMessage (TLFS "HvCallPostMessage", return values). */
	EXPECT_STATUS(post(vp, CONN_MSG, 1, 240, 1, NULL), HV_STATUS_SUCCESS);
	TEST_ASSERT(read(mfd, &m, sizeof(m)) == sizeof(m) && m.payload_size == 240,
		    "240-byte payload");
	for (i = 0; i < 240; i++)
		TEST_ASSERT(m.payload[i] == (i ^ 0x5a), "payload byte %u", i);
	EXPECT_STATUS(post(vp, 0x999, 1, 4, 1, NULL), HV_STATUS_INVALID_CONNECTION_ID);
	/* An event connection is not a message port. */
	EXPECT_STATUS(post(vp, CONN_EVT2, 1, 4, 1, NULL), HV_STATUS_INVALID_PORT_ID);
	EXPECT_STATUS(post(vp, CONN_MSG, 0, 4, 1, NULL), HV_STATUS_INVALID_PARAMETER);
	EXPECT_STATUS(post(vp, CONN_MSG, 0x80000001, 4, 1, NULL), HV_STATUS_INVALID_PARAMETER);
	EXPECT_STATUS(post(vp, CONN_MSG, HVMSG_TIMER_EXPIRED, 4, 1, NULL),
		      HV_STATUS_INVALID_PARAMETER);
	EXPECT_STATUS(post(vp, CONN_MSG, 1, 241, 1, NULL), HV_STATUS_INVALID_PARAMETER);
	EXPECT_STATUS(post(vp, CONN_MSG, 1, 0xffffffff, 1, NULL), HV_STATUS_INVALID_PARAMETER);
	st = post(vp, CONN_MSG | 0x1000000, 1, 4, 1, NULL);
	TEST_ASSERT(st == HV_STATUS_INVALID_CONNECTION_ID || st == HV_STATUS_INVALID_HYPERCALL_INPUT,
		    "connection id with bits 31:24: status %u", st);

	/* HvSignalEvent (TLFS "HvCallSignalEvent"). */
	EXPECT_STATUS(signal_event(vp, CONN_EVT2), HV_STATUS_SUCCESS);
	EXPECT_STATUS(signal_event(vp, 0x999), HV_STATUS_INVALID_CONNECTION_ID);
	/* A message connection is not an event port. */
	EXPECT_STATUS(signal_event(vp, CONN_MSG), HV_STATUS_INVALID_PORT_ID);
	/* A flag number beyond the port's flags (KVM: INVALID_PORT_ID). */
	st = signal_event(vp, CONN_EVT2 | (1ULL << 32));
	TEST_ASSERT(st == HV_STATUS_INVALID_PARAMETER || st == HV_STATUS_INVALID_PORT_ID,
		    "flag number 1: status %u", st);
	EXPECT_STATUS(signal_event(vp, CONN_EVT2 | (1ULL << 48)), HV_STATUS_INVALID_HYPERCALL_INPUT);
	st = signal_event(vp, CONN_EVT2 | 0x1000000);
	TEST_ASSERT(st == HV_STATUS_INVALID_CONNECTION_ID || st == HV_STATUS_INVALID_HYPERCALL_INPUT,
		    "connection id with bits 31:24: status %u", st);
	close(efd);
	close(mfd);
	close(evfd);
	vm_free(vm);
}

/* ---- connection_fd ------------------------------------------------------------------------ */

struct reader {
	int fd;
	ssize_t n;
	struct hvpart_hv_guest_message m;
};

static void *blocking_read(void *arg)
{
	struct reader *r = arg;

	r->n = read(r->fd, &r->m, sizeof(r->m));
	return NULL;
}

static void connection_fd(const void *arg __unused)
{
	struct hvp_vm *vm = synic_vm(SYNIC_FEATURES, 1, guest_server, NULL);
	struct hvp_vp *vp = vm->vps[0];
	struct hvpart_hv_guest_message m[3];
	const size_t rec = sizeof(m[0]);
	struct pollfd pfd = { .events = POLLIN };
	struct reader rd;
	pthread_t t;
	uint32_t done;
	int fd, fl;

	fd = vm_hv_connect(vm, CONN_MSG, HVPART_HV_CONN_MESSAGE, -1);
	server_start(vp);
	fl = fcntl(fd, F_GETFD);
	TEST_ASSERT(fl >= 0 && (fl & FD_CLOEXEC), "connection fd is O_CLOEXEC");
	TEST_ASSERT(__vm_hv_connect(vm, CONN_MSG, HVPART_HV_CONN_MESSAGE, -1) == -1 &&
		    errno == EEXIST, "the same id twice: EEXIST");

	/* Empty: poll says so, a non-blocking read says EAGAIN. */
	pfd.fd = fd;
	TEST_ASSERT(poll(&pfd, 1, 0) == 0, "poll on an empty connection");
	TEST_ASSERT(!fcntl(fd, F_SETFL, O_NONBLOCK), "O_NONBLOCK");
	TEST_ASSERT(read(fd, m, rec) == -1 && errno == EAGAIN, "empty read: EAGAIN");
	TEST_ASSERT(read(fd, m, rec - 1) == -1 && errno == EINVAL, "short buffer: EINVAL");

	/* Three messages: whole records only, as many as fit. */
	EXPECT_STATUS(post(vp, CONN_MSG, 7, 3, 3, &done), HV_STATUS_SUCCESS);
	TEST_ASSERT(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN), "poll: POLLIN");
	TEST_ASSERT(read(fd, m, 2 * rec - 1) == (ssize_t)rec, "1.99 records: one");
	TEST_ASSERT(m[0].connection_id == CONN_MSG && m[0].vp_index == 0 &&
		    m[0].message_type == 7 && m[0].payload_size == 3, "record");
	TEST_ASSERT(read(fd, m, 3 * rec) == (ssize_t)(2 * rec), "two left");
	TEST_ASSERT(poll(&pfd, 1, 0) == 0, "drained");

	/* A blocking read waits for the guest. */
	TEST_ASSERT(!fcntl(fd, F_SETFL, 0), "blocking");
	rd.fd = fd;
	TEST_ASSERT(!pthread_create(&t, NULL, blocking_read, &rd), "pthread_create");
	usleep(50000);
	EXPECT_STATUS(post(vp, CONN_MSG, 8, 1, 1, NULL), HV_STATUS_SUCCESS);
	TEST_ASSERT(!pthread_join(t, NULL), "pthread_join");
	TEST_ASSERT(rd.n == (ssize_t)rec && rd.m.message_type == 8, "blocking read: %zd", rd.n);

	/* The queue holds 256; then the guest is told to try later. */
	EXPECT_STATUS(post(vp, CONN_MSG, 9, 0, 1000, &done), HV_STATUS_INSUFFICIENT_BUFFERS);
	TEST_ASSERT(done == 256, "%u messages queued before INSUFFICIENT_BUFFERS, want 256", done);
	TEST_ASSERT(read(fd, m, rec) == (ssize_t)rec, "read one");
	EXPECT_STATUS(post(vp, CONN_MSG, 9, 0, 2, &done), HV_STATUS_INSUFFICIENT_BUFFERS);
	TEST_ASSERT(done == 1, "room for one again, %u", done);

	/* Closing unregisters: the id is unknown, then free to register again. */
	close(fd);
	EXPECT_STATUS(post(vp, CONN_MSG, 9, 0, 1, NULL), HV_STATUS_INVALID_CONNECTION_ID);
	fd = vm_hv_connect(vm, CONN_MSG, HVPART_HV_CONN_MESSAGE, -1);
	EXPECT_STATUS(post(vp, CONN_MSG, 10, 0, 1, NULL), HV_STATUS_SUCCESS);
	TEST_ASSERT(read(fd, m, rec) == (ssize_t)rec && m[0].message_type == 10, "re-registered");
	close(fd);
	vm_free(vm);
}

/*
 * HVPART_HV_CONN_F_EXIT: each post ends RUN with HVPART_EXIT_HV_MESSAGE
 * carrying the message, the hypercall already completed with SUCCESS; the
 * fd has nothing to read.
 */
static void message_exit(const void *arg __unused)
{
	struct hvp_vm *vm = synic_vm(SYNIC_FEATURES, 1, guest_server, NULL);
	struct hvp_vp *vp = vm->vps[0];
	struct hvpart_hv_connect c = {
		.connection_id = CONN_MSG, .type = HVPART_HV_CONN_MESSAGE, .eventfd = -1,
		.flags = HVPART_HV_CONN_F_EXIT,
	};
	struct hvpart_hv_guest_message m;
	struct post_in in = { .connection_id = CONN_MSG, .message_type = 11, .payload_size = 24 };
	struct ucall uc;
	uint32_t i, k;
	int fd;

	fd = __vm_ioctl(vm, HVPART_HV_CONNECT, &c);
	TEST_ASSERT(fd >= 0, "HV_CONNECT with F_EXIT: errno %d", errno);
	server_start(vp);
	for (i = 0; i < sizeof(in.payload); i++)
		in.payload[i] = i * 3 + 1;
	memset(&req, 0, sizeof(req));
	req.control = HVCALL_POST_MESSAGE;
	req.count = 3;
	memcpy(req.input, &in, sizeof(in));
	sync_global_to_guest(vm, req);
	/* Three posts, three exits, each with the message. */
	for (k = 0; k < 3; k++) {
		vp_run(vp);
		TEST_ASSERT_EXIT_REASON(vp, HVPART_EXIT_HV_MESSAGE);
		m = vp->run->hv_message;
		TEST_ASSERT(m.connection_id == CONN_MSG && m.vp_index == 0 &&
			    m.message_type == 11 && m.payload_size == 24,
			    "post %u: connection %#x vp %u type %u size %u", k, m.connection_id,
			    m.vp_index, m.message_type, m.payload_size);
		for (i = 0; i < 24; i++)
			TEST_ASSERT(m.payload[i] == (uint8_t)(i * 3 + 1), "payload byte %u", i);
		for (; i < sizeof(m.payload); i++)
			TEST_ASSERT(!m.payload[i], "payload byte %u past the size not zero", i);
	}
	TEST_ASSERT(vp_run_ucall(vp, &uc) == UCALL_SYNC && uc.args[0] == 0x5e, "server call");
	EXPECT_STATUS(uc.args[1], HV_STATUS_SUCCESS);
	TEST_ASSERT(uc.args[2] == 3, "%lu posts succeeded, want 3", (unsigned long)uc.args[2]);
	TEST_ASSERT(read(fd, &m, sizeof(m)) == -1 && errno == EINVAL, "read on an F_EXIT fd");

	/* Unregistered again: the guest is told so, and RUN does not exit for it. */
	close(fd);
	EXPECT_STATUS(post(vp, CONN_MSG, 11, 0, 1, NULL), HV_STATUS_INVALID_CONNECTION_ID);
	vm_free(vm);
}

/* ---- bad input to the ioctls ---------------------------------------------------------------- */

static void connect_errors(const void *arg __unused)
{
	struct hvp_vm *vm = synic_vm(SYNIC_FEATURES, 1, guest_server, NULL);
	struct hvpart_hv_connect c;
	int evfd = eventfd(0, 0), null = open("/dev/null", O_RDWR);

	TEST_ASSERT(evfd >= 0 && null >= 0, "eventfd, /dev/null");
#define BAD_CONNECT(field_setup, err) do {					\
	memset(&c, 0, sizeof(c));						\
	c.connection_id = 5;							\
	c.type = HVPART_HV_CONN_EVENT;						\
	c.eventfd = evfd;							\
	field_setup;								\
	TEST_ASSERT(__vm_ioctl(vm, HVPART_HV_CONNECT, &c) == -1 && errno == (err), \
		    "HV_CONNECT with %s: errno %d, want %d", #field_setup, errno, err); \
} while (0)
	BAD_CONNECT(c.connection_id = 1U << 24, EINVAL);
	BAD_CONNECT(c.connection_id = ~0U, EINVAL);
	BAD_CONNECT(c.type = 2, EINVAL);
	BAD_CONNECT(c.flags = 1, EINVAL);
	BAD_CONNECT(c.flags = 2, EINVAL);
	BAD_CONNECT((c.type = HVPART_HV_CONN_MESSAGE, c.eventfd = -1, c.flags = 3), EINVAL);
	BAD_CONNECT(c.rsvd = 1, EINVAL);
	BAD_CONNECT(c.eventfd = -1, EINVAL);
	BAD_CONNECT(c.eventfd = null, EINVAL);
	BAD_CONNECT((c.type = HVPART_HV_CONN_MESSAGE, c.eventfd = evfd), EINVAL);
#undef BAD_CONNECT

	close(evfd);
	close(null);
	vm_free(vm);
}

/*
 * 4096 ids per partition, then ENOSPC. Closing a connection fd waits for
 * an RCU grace period (hvp_conn_destroy), ~16 ms under QEMU TCG, so
 * closing 4096 of them takes over a minute: only with HVPART_SLOW_TESTS.
 */
static void connect_enospc(const void *arg __unused)
{
	struct hvp_vm *vm;
	struct rlimit rl = { 8192, 8192 };
	static int fds[4096];
	int evfd, fd, i, n = 0;
	uint64_t t0, t1;

	__TEST_REQUIRE(getenv("HVPART_SLOW_TESTS"),
		       "closing 4096 connection fds takes over a minute under TCG; "
		       "set HVPART_SLOW_TESTS=1");
	vm = synic_vm(SYNIC_FEATURES, 1, guest_server, NULL);
	evfd = eventfd(0, 0);
	TEST_ASSERT(evfd >= 0, "eventfd");
	TEST_ASSERT(!setrlimit(RLIMIT_NOFILE, &rl), "RLIMIT_NOFILE");
	t0 = time_now_ns();
	for (i = 0; i < 4096; i++) {
		fds[i] = __vm_hv_connect(vm, 0x10000 + i, HVPART_HV_CONN_EVENT, evfd);
		if (fds[i] < 0)
			break;
		n++;
	}
	TEST_ASSERT(n == 4096, "registered %d ids, errno %d", n, errno);
	fd = __vm_hv_connect(vm, 0x20000, HVPART_HV_CONN_EVENT, evfd);
	TEST_ASSERT(fd == -1 && errno == ENOSPC, "id 4097: fd %d errno %d, want ENOSPC", fd,
		    errno);
	t1 = time_now_ns();
	close(fds[0]);
	fd = vm_hv_connect(vm, 0x20000, HVPART_HV_CONN_EVENT, evfd);
	for (i = 1; i < n; i++)
		close(fds[i]);
	close(fd);
	tap_diag("4096 connections: registered in %lu ms, closed in %lu ms",
		 (unsigned long)((t1 - t0) / 1000000),
		 (unsigned long)((time_now_ns() - t1) / 1000000));
	close(evfd);
	vm_free(vm);
}

static void vmm_ioctl_errors(const void *arg __unused)
{
	struct hvp_vm *vm = synic_vm(SYNIC_FEATURES, 1, guest_server, NULL);
	static const uint8_t zero[240];
	struct hvpart_hv_post p;
	struct hvpart_hv_event e;

#define BAD_POST(setup, err) do {						\
	memset(&p, 0, sizeof(p));						\
	p.sint = 2;								\
	p.message_type = 1;							\
	setup;									\
	TEST_ASSERT(__vm_ioctl(vm, HVPART_HV_POST_MESSAGE, &p) == -1 && errno == (err), \
		    "HV_POST_MESSAGE with %s: errno %d, want %d", #setup, errno, err); \
} while (0)
	BAD_POST(p.sint = 16, EINVAL);
	BAD_POST(p.message_type = 0, EINVAL);
	BAD_POST(p.message_type = 0x80000000, EINVAL);
	BAD_POST(p.message_type = HVMSG_TIMER_EXPIRED, EINVAL);
	BAD_POST(p.payload_size = 241, EINVAL);
	BAD_POST(p.flags = 1, EINVAL);
	BAD_POST(p.rsvd = 1, EINVAL);
	BAD_POST(p.vp_index = HVP_MAX_VPS, EINVAL);
	BAD_POST(p.vp_index = 1, ENOENT);
#undef BAD_POST
#define BAD_SIGNAL(setup, err) do {						\
	memset(&e, 0, sizeof(e));						\
	e.sint = 2;								\
	setup;									\
	TEST_ASSERT(__vm_ioctl(vm, HVPART_HV_SIGNAL_EVENT, &e) == -1 && errno == (err), \
		    "HV_SIGNAL_EVENT with %s: errno %d, want %d", #setup, errno, err); \
} while (0)
	BAD_SIGNAL(e.sint = 16, EINVAL);
	BAD_SIGNAL(e.flag = 2048, EINVAL);
	BAD_SIGNAL(e.rsvd = 1, EINVAL);
	BAD_SIGNAL(e.vp_index = HVP_MAX_VPS, EINVAL);
	BAD_SIGNAL(e.vp_index = 1, ENOENT);
#undef BAD_SIGNAL
	/* The limits themselves are fine. */
	vm_hv_post(vm, 0, 15, 0x7fffffff, zero, 240);
	vm_hv_signal(vm, 0, 15, 2047);
	vm_free(vm);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST(msg_pending_eom),
		HVP_TEST(msg_every_sint),
		HVP_TEST(msg_targets_vp),
		HVP_TEST(sint_masked),
		HVP_TEST(sint_polling),
		HVP_TEST(sint_auto_eoi),
		HVP_TEST(pages_disabled),
		HVP_TEST(events_both_ways),
		HVP_TEST(message_exit),
		HVP_TEST(guest_post_status),
		HVP_TEST(connection_fd),
		HVP_TEST(connect_errors),
		{ .name = "connect_enospc", .fn = connect_enospc, .timeout_s = 600 },
		HVP_TEST(vmm_ioctl_errors),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
