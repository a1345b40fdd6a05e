// SPDX-License-Identifier: GPL-2.0
/*
 * The hypercall ABI (TLFS "Hypercall Interface", "Common Hypercall Status
 * Codes", "Alignment Requirements"; hyperv-facts 2.1-2.3).
 *
 * abi_table: a guest issues each row of a table built by the host and
 *   records RAX; the host judges every row: reserved bits of the input
 *   value, rep count and rep start rules, a variable header on calls
 *   without one, fast and memory forms, misaligned, page-crossing,
 *   unmapped and out-of-range GPAs; RAX carries the status and the reps
 *   completed and nothing else.
 * cpl3: the hypercall instruction at CPL 3 raises #UD, through the
 *   hypercall page and directly, with the interface on and off.
 * page_enable: no hypercall page -> #UD; GUEST_OS_ID 0 keeps the page
 *   disabled (and unwritten); clearing GUEST_OS_ID disables it again.
 * real_mode: in real mode the hypercall instruction raises #UD.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "apic.h"
#include "hvp_util.h"
#include "hyperv.h"

#define CONN_MSG	0x201
#define CONN_EVT	0x202
#define IPI_VECTOR	0x41

/* ---- abi_table ------------------------------------------------------------------ */

enum in_kind {
	IN_FAST,	/* RDX = in[0], R8 = in[1] */
	IN_AREA,	/* in[] copied to hc_area + off; RDX = its GPA; R8 = out */
	IN_GPA,		/* RDX = gpa (nothing copied); R8 = 0 */
};

struct hc_row {
	char name[64];
	uint64_t control;
	enum in_kind kind;
	uint64_t in[4];
	uint64_t off;		/* IN_AREA: offset in hc_area */
	uint64_t out;		/* IN_AREA: R8 */
	uint64_t gpa;		/* IN_GPA */
	uint16_t status;
	uint16_t alt;		/* also accepted where the TLFS leaves it open; 0: none */
	uint16_t reps;
	uint64_t rax;		/* result, filled by the guest */
};

#define MAX_ROWS	128

static struct hc_row rows[MAX_ROWS];
static unsigned int nr_rows;
static uint8_t hc_area[2 * 4096] __attribute__((aligned(4096)));
static volatile uint64_t ipis;

#define SE_FAST		(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT)
#define POST		HVCALL_POST_MESSAGE
#define FLUSH_SPACE	HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE
#define FLUSH_LIST	HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST
#define REPS(n)		HV_HYPERCALL_REP_COUNT(n)
#define START(n)	HV_HYPERCALL_REP_START(n)
#define VAR(n)		HV_HYPERCALL_VARHEAD(n)
#define FAST		HV_HYPERCALL_FAST_BIT

static struct hc_row *add_row(const char *name, uint64_t control, enum in_kind kind,
			      uint16_t status)
{
	struct hc_row *r;

	TEST_ASSERT(nr_rows < MAX_ROWS, "too many rows");
	r = &rows[nr_rows++];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->control = control;
	r->kind = kind;
	r->status = status;
	return r;
}

/* Inputs that succeed as they are; the rows vary one thing. */
static void in_post(struct hc_row *r)
{
	r->in[0] = CONN_MSG;
	r->in[1] = 1 | (8ULL << 32);		/* type 1, payload size 8 */
	r->in[2] = 0x1122334455667788ULL;
}

static void in_flush(struct hc_row *r)
{
	r->in[0] = 0;
	r->in[1] = HV_FLUSH_ALL_PROCESSORS;
	r->in[2] = 0;
	r->in[3] = 0x400000;			/* a GVA for the list forms */
}

static struct hc_row *signal_fast(const char *name, uint64_t extra, uint16_t status)
{
	struct hc_row *r = add_row(name, SE_FAST | extra, IN_FAST, status);

	r->in[0] = CONN_EVT;
	return r;
}

static struct hc_row *post(const char *name, uint64_t extra, uint16_t status)
{
	struct hc_row *r = add_row(name, POST | extra, IN_AREA, status);

	in_post(r);
	return r;
}

static struct hc_row *flush(const char *name, uint64_t control, uint16_t status)
{
	struct hc_row *r = add_row(name, control, IN_AREA, status);

	in_flush(r);
	return r;
}

static void build_rows(uint64_t gpa_bits)
{
	static const unsigned int rsvd_bits[] = {
		27, 28, 29, 30, 31, 44, 45, 46, 47, 60, 61, 62, 63,
	};
	struct hc_row *r;
	char name[64];
	unsigned int i;

	/* What works, for reference. */
	signal_fast("SignalEvent fast", 0, HV_STATUS_SUCCESS);
	r = add_row("SignalEvent memory", HVCALL_SIGNAL_EVENT, IN_AREA, HV_STATUS_SUCCESS);
	r->in[0] = CONN_EVT;
	post("PostMessage", 0, HV_STATUS_SUCCESS);
	flush("FlushVirtualAddressSpace", FLUSH_SPACE, HV_STATUS_SUCCESS);
	r = add_row("SendSyntheticClusterIpi fast", HVCALL_SEND_IPI | FAST, IN_FAST,
		    HV_STATUS_SUCCESS);
	r->in[0] = IPI_VECTOR;
	r->in[1] = 1;
	r = add_row("NotifyLongSpinWait", HVCALL_NOTIFY_LONG_SPIN_WAIT | FAST, IN_FAST,
		    HV_STATUS_SUCCESS);
	r->in[0] = 1;

	/* Reserved bits of the input value: 31:27, 47:44, 63:60. */
	for (i = 0; i < ARRAY_SIZE(rsvd_bits); i++) {
		snprintf(name, sizeof(name), "SignalEvent, reserved bit %u", rsvd_bits[i]);
		signal_fast(name, 1ULL << rsvd_bits[i], HV_STATUS_INVALID_HYPERCALL_INPUT);
	}
	post("PostMessage, reserved bit 27", 1ULL << 27, HV_STATUS_INVALID_HYPERCALL_INPUT);

	/* Rep count and rep start (TLFS: start must be smaller than count). */
	r = flush("FlushList rep 5", FLUSH_LIST | REPS(5), HV_STATUS_SUCCESS);
	r->reps = 5;
	r = flush("FlushList rep 5 start 2", FLUSH_LIST | REPS(5) | START(2), HV_STATUS_SUCCESS);
	r->reps = 5;
	r = flush("FlushList rep 4095", FLUSH_LIST | REPS(4095), HV_STATUS_SUCCESS);
	r->reps = 4095;
	flush("FlushList rep 0", FLUSH_LIST, HV_STATUS_INVALID_HYPERCALL_INPUT);
	flush("FlushList rep 2 start 2", FLUSH_LIST | REPS(2) | START(2),
	      HV_STATUS_INVALID_HYPERCALL_INPUT);
	flush("FlushList rep 2 start 3", FLUSH_LIST | REPS(2) | START(3),
	      HV_STATUS_INVALID_HYPERCALL_INPUT);
	flush("FlushList rep 0 start 1", FLUSH_LIST | START(1), HV_STATUS_INVALID_HYPERCALL_INPUT);
	flush("FlushSpace rep 1", FLUSH_SPACE | REPS(1), HV_STATUS_INVALID_HYPERCALL_INPUT);
	flush("FlushSpace start 1", FLUSH_SPACE | START(1), HV_STATUS_INVALID_HYPERCALL_INPUT);
	signal_fast("SignalEvent rep 1", REPS(1), HV_STATUS_INVALID_HYPERCALL_INPUT);
	post("PostMessage rep 1", REPS(1), HV_STATUS_INVALID_HYPERCALL_INPUT);

	/* A variable header on calls that have none. */
	signal_fast("SignalEvent varhead 1", VAR(1), HV_STATUS_INVALID_HYPERCALL_INPUT);
	post("PostMessage varhead 1", VAR(1), HV_STATUS_INVALID_HYPERCALL_INPUT);
	flush("FlushSpace varhead 1", FLUSH_SPACE | VAR(1), HV_STATUS_INVALID_HYPERCALL_INPUT);
	flush("FlushList rep 1 varhead 1", FLUSH_LIST | REPS(1) | VAR(1),
	      HV_STATUS_INVALID_HYPERCALL_INPUT);
	r = add_row("SendIpi fast varhead 1", HVCALL_SEND_IPI | FAST | VAR(1), IN_FAST,
		    HV_STATUS_INVALID_HYPERCALL_INPUT);
	r->in[0] = IPI_VECTOR;
	r->in[1] = 1;
	/* ... and on calls that have one: the _Ex processor sets. */
	r = add_row("FlushSpaceEx varhead 1", HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX | VAR(1),
		    IN_AREA, HV_STATUS_SUCCESS);
	r->in[2] = HV_GENERIC_SET_SPARSE_4K;
	r->in[3] = 1;			/* bank 0 ... */
	r = add_row("SendIpiEx varhead 1", HVCALL_SEND_IPI_EX | VAR(1), IN_AREA,
		    HV_STATUS_SUCCESS);
	r->in[0] = IPI_VECTOR;
	r->in[1] = HV_GENERIC_SET_SPARSE_4K;
	r->in[2] = 1;
	r->in[3] = 1;			/* VP 0 */
	r = add_row("SendIpiEx 2 banks, varhead 1", HVCALL_SEND_IPI_EX | VAR(1), IN_AREA,
		    HV_STATUS_INVALID_HYPERCALL_INPUT);
	r->in[0] = IPI_VECTOR;
	r->in[1] = HV_GENERIC_SET_SPARSE_4K;
	r->in[2] = 3;
	r->in[3] = 1;

	/*
	 * Fast and memory forms. The TLFS names no status for a form a call
	 * does not have; "invalid input" and "invalid code" are both taken.
	 */
	r = post("PostMessage fast", FAST, HV_STATUS_INVALID_HYPERCALL_INPUT);
	r->alt = HV_STATUS_INVALID_HYPERCALL_CODE;
	r->kind = IN_FAST;
	r = flush("FlushSpace fast", FLUSH_SPACE | FAST, HV_STATUS_INVALID_HYPERCALL_INPUT);
	r->alt = HV_STATUS_INVALID_HYPERCALL_CODE;
	r->kind = IN_FAST;
	r = add_row("SendIpi memory", HVCALL_SEND_IPI, IN_AREA, HV_STATUS_SUCCESS);
	r->in[0] = IPI_VECTOR;
	r->in[1] = 1;

	/* GPAs: 8-byte alignment, page crossing, bounds (TLFS: INVALID_ALIGNMENT). */
	r = post("PostMessage input GPA +4", 0, HV_STATUS_INVALID_ALIGNMENT);
	r->off = 4;
	r = add_row("SignalEvent memory input GPA +1", HVCALL_SIGNAL_EVENT, IN_AREA,
		    HV_STATUS_INVALID_ALIGNMENT);
	r->in[0] = CONN_EVT;
	r->off = 1;
	r = flush("FlushSpace input GPA +2", FLUSH_SPACE, HV_STATUS_INVALID_ALIGNMENT);
	r->off = 2;
	r = post("PostMessage input crosses a page", 0, HV_STATUS_INVALID_ALIGNMENT);
	r->off = 4096 - 128;
	r = flush("FlushSpace input crosses a page", FLUSH_SPACE, HV_STATUS_INVALID_ALIGNMENT);
	r->off = 4096 - 16;
	r = post("PostMessage ends at a page end", 0, HV_STATUS_SUCCESS);
	r->off = 4096 - 256;
	/* No output parameters: the output GPA is ignored. */
	r = post("PostMessage output GPA misaligned", 0, HV_STATUS_SUCCESS);
	r->out = 0x1003;
	r = add_row("PostMessage input beyond the GPA width", POST, IN_GPA,
		    HV_STATUS_INVALID_ALIGNMENT);
	r->gpa = 1ULL << gpa_bits;
	r = add_row("PostMessage input at GPA 2^64-8", POST, IN_GPA, HV_STATUS_INVALID_ALIGNMENT);
	r->gpa = ~7ULL;
	/* Unmapped but within the GPA space: no memory there to read. */
	r = add_row("PostMessage input unmapped", POST, IN_GPA, HV_STATUS_INVALID_HYPERCALL_INPUT);
	r->alt = HV_STATUS_INVALID_ALIGNMENT;
	r->gpa = 1ULL << 30;
	r = add_row("FlushSpace input unmapped", FLUSH_SPACE, IN_GPA,
		    HV_STATUS_INVALID_HYPERCALL_INPUT);
	r->alt = HV_STATUS_INVALID_ALIGNMENT;
	r->gpa = 1ULL << 30;

	/* Unknown codes, with and without other bits. */
	add_row("code 0x0000", 0, IN_FAST, HV_STATUS_INVALID_HYPERCALL_CODE);
	add_row("code 0x00ff fast", 0xff | FAST, IN_FAST, HV_STATUS_INVALID_HYPERCALL_CODE);
	add_row("code 0x7fff rep 1", 0x7fff | REPS(1), IN_FAST, HV_STATUS_INVALID_HYPERCALL_CODE);
}

static void guest_ipi(struct ex_regs *regs __unused)
{
	ipis++;
}

static void guest_abi_table(void)
{
	unsigned int i, n = READ_ONCE(nr_rows);

	x2apic_enable();
	hv_enable_hypercalls();
	for (i = 0; i < n; i++) {
		struct hc_row *r = &rows[i];
		uint64_t in = 0, out = 0;

		switch (r->kind) {
		case IN_FAST:
			in = r->in[0];
			out = r->in[1];
			break;
		case IN_AREA:
			memset(hc_area + r->off, 0, 256);
			memcpy(hc_area + r->off, r->in, sizeof(r->in));
			in = (uint64_t)hc_area + r->off;
			out = r->out;
			break;
		case IN_GPA:
			in = r->gpa;
			break;
		}
		r->rax = hv_hypercall(r->control, in, out);
		sti_nop_cli();
	}
	GUEST_DONE();
}

static bool row_ok(const struct hc_row *r)
{
	uint16_t st = hv_status(r->rax);

	return (st == r->status || (r->alt && st == r->alt)) &&
	       hv_reps_completed(r->rax) == (st == r->status ? r->reps : 0) &&
	       !(r->rax & HV_HYPERCALL_RESULT_RSVD_MASK);
}

static void abi_table(const void *arg __unused)
{
	uint64_t gpa_bits = hvp_check_cap(-1, HVPART_CAP_GPA_BITS);
	struct hvpart_hv_guest_message m;
	unsigned int i, bad = 0, posts = 0, events = 0;
	struct hvp_vm *vm;
	struct hvp_vp *vp;
	uint64_t count = 0;
	int mfd, efd, evfd;

	build_rows(gpa_bits);
	vm = vm_create();
	vm_set_hv_config(vm, HVPART_HV_FEATURES_MASK);
	vp = vm_vp_add(vm, 0, guest_abi_table);
	vm_install_interrupt_handler(vm, IPI_VECTOR, guest_ipi);
	evfd = eventfd(0, EFD_NONBLOCK);
	mfd = vm_hv_connect(vm, CONN_MSG, HVPART_HV_CONN_MESSAGE, -1);
	efd = vm_hv_connect(vm, CONN_EVT, HVPART_HV_CONN_EVENT, evfd);
	TEST_ASSERT(evfd >= 0 && !fcntl(mfd, F_SETFL, O_NONBLOCK), "eventfd, O_NONBLOCK");

	vp_run_expect_done(vp);
	sync_global_from_guest(vm, rows);
	for (i = 0; i < nr_rows; i++) {
		const struct hc_row *r = &rows[i];

		if (hv_status(r->rax) == HV_STATUS_SUCCESS) {
			posts += (r->control & 0xffff) == POST;
			events += (r->control & 0xffff) == HVCALL_SIGNAL_EVENT;
		}
		if (row_ok(r))
			continue;
		bad++;
		tap_diag("  %s: control %#lx RAX %#lx, want status %u%s reps %u", r->name,
			 (unsigned long)r->control, (unsigned long)r->rax, r->status,
			 r->alt ? " (or the alternative)" : "", r->reps);
	}
	tap_diag("%u rows, %u as expected", nr_rows, nr_rows - bad);

	/* Exactly the successful posts and signals arrived. */
	for (i = 0; read(mfd, &m, sizeof(m)) == sizeof(m); i++)
		TEST_ASSERT(m.message_type == 1 && m.payload_size == 8 &&
			    !memcmp(m.payload, "\x88\x77\x66\x55\x44\x33\x22\x11", 8),
			    "message %u: type %u size %u", i, m.message_type, m.payload_size);
	TEST_ASSERT(i == posts, "%u messages on the connection, %u successful posts", i, posts);
	if (read(evfd, &count, sizeof(count)) != sizeof(count))
		count = 0;
	TEST_ASSERT(count == events, "eventfd %lu, %u successful signals",
		    (unsigned long)count, events);
	TEST_ASSERT(!bad, "%u of %u rows disagree with the TLFS (listed above)", bad, nr_rows);
	close(efd);
	close(mfd);
	vm_free(vm);
}

/* ---- cpl3 ----------------------------------------------------------------------------- */

#define SEL_UCODE	0x40	/* GDT entries the guest adds: 64-bit code, DPL 3 */
#define SEL_UDATA	0x48	/* data, DPL 3 */

static uint8_t user_stack[8192] __attribute__((aligned(4096)));
static uint8_t rsp0_stack[16384] __attribute__((aligned(4096)));
uint64_t kernel_rsp;	/* used by enter_user/user_return (asm) */
static volatile uint64_t ud_rip, ud_cs, user_vector;

void enter_user(uint64_t rip, uint64_t rsp);
void user_return(void);

/*
 * enter_user(rip, rsp): save the callee-saved registers and the stack,
 * IRETQ to CPL 3. user_return: where the #UD handler sends the CPU back
 * to, at CPL 0; returns from enter_user().
 */
asm(".pushsection .text\n"
    "enter_user:\n"
    "	push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15\n"
    "	mov %rsp, kernel_rsp(%rip)\n"
    "	pushq $" __stringify(SEL_UDATA) " | 3\n"
    "	push %rsi\n"
    "	pushq $2\n"
    "	pushq $" __stringify(SEL_UCODE) " | 3\n"
    "	push %rdi\n"
    "	iretq\n"
    "user_return:\n"
    "	mov kernel_rsp(%rip), %rsp\n"
    "	pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n"
    "	ret\n"
    ".popsection");

/* #UD that no ASM_SAFE() caught: note where it came from, back to CPL 0. */
static void guest_ud(struct ex_regs *regs)
{
	ud_rip = regs->rip;
	ud_cs = regs->cs;
	regs->rip = (uint64_t)user_return;
	regs->cs = SEL_CODE64;
	regs->ss = SEL_DATA;
	regs->rflags = X86_RFLAGS_FIXED;
}

/* At CPL 3: the instruction in place (caught), then through the page. */
static void user_direct(void)
{
	uint64_t rax;

	user_vector = hv_hypercall_insn_safe(HVCALL_NOTIFY_LONG_SPIN_WAIT | FAST, 0, 0, &rax);
	asm volatile("ud2");
}

static void user_page(void)
{
	hv_hypercall(HVCALL_NOTIFY_LONG_SPIN_WAIT | FAST, 0, 0);
	asm volatile("ud2");
}

/* Make the first 64 MiB user-accessible, add DPL-3 segments and RSP0. */
static void guest_setup_user_mode(void)
{
	uint64_t *pml4 = (uint64_t *)SYS_PML4_GPA, *pdpt = (uint64_t *)SYS_PDPT_GPA;
	uint64_t *pd = (uint64_t *)SYS_PD_GPA, *gdt = (uint64_t *)SYS_GDT_GPA;
	struct desc_ptr gdtr = { .limit = 10 * 8 - 1, .base = SYS_GDT_GPA };
	unsigned int i;

	pml4[0] |= PTE_US;
	pdpt[0] |= PTE_US;
	for (i = 0; i < 32; i++)
		pd[i] |= PTE_US;
	set_cr3(get_cr3());
	gdt[SEL_UCODE >> 3] = 0x00affb000000ffffULL;	/* L, P, DPL 3, code */
	gdt[SEL_UDATA >> 3] = 0x00cff3000000ffffULL;	/* P, DPL 3, data */
	asm volatile("lgdt %0" : : "m"(gdtr) : "memory");
	/* 64-bit TSS: RSP0 at offset 4. */
	*(volatile uint64_t *)(SYS_TSS_GPA + 4) = (uint64_t)rsp0_stack + sizeof(rsp0_stack);
}

static void guest_cpl3(uint64_t hv_on)
{
	uint64_t stack = (uint64_t)user_stack + sizeof(user_stack) - 8;

	if (hv_on)
		hv_enable_hypercalls();
	guest_setup_user_mode();

	enter_user((uint64_t)user_direct, stack);
	GUEST_ASSERT_1((ud_cs & 3) == 3, ud_cs);
	GUEST_ASSERT_EQ(user_vector, UD_VECTOR);

	if (hv_on) {
		ud_cs = 0;
		enter_user((uint64_t)user_page, stack);
		GUEST_ASSERT_1((ud_cs & 3) == 3, ud_cs);
		/* #UD at the page's instruction, not at the ud2 after the call. */
		GUEST_ASSERT_2(ud_rip >= (uint64_t)hv_hypercall_page &&
			       ud_rip < (uint64_t)hv_hypercall_page + 16, ud_rip,
			       (uint64_t)hv_hypercall_page);
		/* Back at CPL 0 the same call works. */
		GUEST_ASSERT_EQ(hv_status(hv_hypercall(HVCALL_NOTIFY_LONG_SPIN_WAIT | FAST, 0, 0)),
				HV_STATUS_SUCCESS);
	}
	GUEST_DONE();
}

static void cpl3(const void *arg)
{
	bool hv_on = arg;
	struct hvp_vm *vm = vm_create();
	struct hvp_vp *vp;

	vm_set_hv_config(vm, hv_on ? HVPART_HV_FEATURES_MASK : 0);
	vp = vm_vp_add(vm, 0, (void (*)(void))guest_cpl3);
	vp_args_set(vp, 1, (uint64_t)hv_on);
	vm_install_exception_handler(vm, UD_VECTOR, guest_ud);
	vp_run_expect_done(vp);
	vm_free(vm);
}

/* ---- page_enable ---------------------------------------------------------------- */

static uint8_t call_insn(uint64_t *rax)
{
	return hv_hypercall_insn_safe(HVCALL_NOTIFY_LONG_SPIN_WAIT | FAST, 0, 0, rax);
}

static void guest_page_enable(void)
{
	uint64_t page = (uint64_t)hv_hypercall_page, rax;

	/* Hypercalls before any hypercall page: #UD. */
	GUEST_ASSERT_EQ(call_insn(&rax), UD_VECTOR);

	/* GUEST_OS_ID 0: the enable bit does not stick, the page is not written. */
	GUEST_ASSERT_EQ(rdmsr(HV_X64_MSR_GUEST_OS_ID), 0);
	wrmsr(HV_X64_MSR_HYPERCALL, page | HV_X64_MSR_HYPERCALL_ENABLE);
	GUEST_ASSERT_EQ(rdmsr(HV_X64_MSR_HYPERCALL) & HV_X64_MSR_HYPERCALL_ENABLE, 0);
	GUEST_ASSERT_EQ(hv_hypercall_page[0], 0xcc);
	GUEST_ASSERT_EQ(call_insn(&rax), UD_VECTOR);

	/* Identified: enabled, the page written, hypercalls work. */
	wrmsr(HV_X64_MSR_GUEST_OS_ID, HV_LINUX_GUEST_OS_ID);
	wrmsr(HV_X64_MSR_HYPERCALL, page | HV_X64_MSR_HYPERCALL_ENABLE);
	GUEST_ASSERT_EQ(rdmsr(HV_X64_MSR_HYPERCALL), page | HV_X64_MSR_HYPERCALL_ENABLE);
	GUEST_ASSERT_NE(hv_hypercall_page[0], 0xcc);
	GUEST_ASSERT_EQ(call_insn(&rax), 0);
	GUEST_ASSERT_EQ(hv_status(rax), HV_STATUS_SUCCESS);
	GUEST_ASSERT_EQ(hv_status(hv_hypercall(HVCALL_NOTIFY_LONG_SPIN_WAIT | FAST, 0, 0)),
			HV_STATUS_SUCCESS);

	/* Disabled through the MSR: #UD again. */
	wrmsr(HV_X64_MSR_HYPERCALL, page);
	GUEST_ASSERT_EQ(call_insn(&rax), UD_VECTOR);

	/* Enabled, then GUEST_OS_ID cleared: the page is disabled with it. */
	wrmsr(HV_X64_MSR_HYPERCALL, page | HV_X64_MSR_HYPERCALL_ENABLE);
	GUEST_ASSERT_EQ(call_insn(&rax), 0);
	wrmsr(HV_X64_MSR_GUEST_OS_ID, 0);
	GUEST_ASSERT_EQ(rdmsr(HV_X64_MSR_HYPERCALL) & HV_X64_MSR_HYPERCALL_ENABLE, 0);
	GUEST_ASSERT_EQ(call_insn(&rax), UD_VECTOR);
	GUEST_DONE();
}

static void page_enable(const void *arg __unused)
{
	struct hvp_vm *vm = vm_create();
	struct hvp_vp *vp;

	vm_set_hv_config(vm, HVPART_HV_FEATURES_MASK);
	vp = vm_vp_add(vm, 0, guest_page_enable);
	memset(addr_ptr2hva(vm, hv_hypercall_page), 0xcc, sizeof(hv_hypercall_page));
	vp_run_expect_done(vp);
	vm_free(vm);
}

/* ---- real_mode ------------------------------------------------------------------ */

#define RM_PORT		0x80
#define RM_RETURNED	0x11	/* the hypercall returned: no #UD */
#define RM_UD		0x66	/* #UD came through the IVT */
#define S(x)		__stringify(x)

extern const char rm_hc_blob[], rm_hc_insn[], rm_hc_ud[], rm_hc_blob_end[];

/*
 * Real mode, hypercalls enabled: the hypercall instruction (patched in for
 * the backend) must raise #UD (TLFS; KVM does the same), which the IVT
 * sends to rm_hc_ud.
 */
asm(".pushsection .rodata.rm_hc_blob, \"a\"\n"
    ".code16\n"
    "rm_hc_blob:\n"
    "	xor %ax, %ax\n"
    "	mov %ax, %ds\n"
    "	mov %ax, %ss\n"
    "	mov $0x7000, %sp\n"
    "	mov $0x10008, %eax\n"		/* NotifyLongSpinWait, fast (EDX:EAX) */
    "	xor %edx, %edx\n"
    "rm_hc_insn:\n"
    "	.byte 0x0f, 0x01, 0xd9\n"
    "	mov $" S(RM_RETURNED) ", %al\n"
    "	out %al, $" S(RM_PORT) "\n"
    "1:	hlt\n"
    "	jmp 1b\n"
    "rm_hc_ud:\n"
    "	mov $" S(RM_UD) ", %al\n"
    "	out %al, $" S(RM_PORT) "\n"
    "2:	hlt\n"
    "	jmp 2b\n"
    "rm_hc_blob_end:\n"
    ".code64\n"
    ".popsection");

static void real_mode(const void *arg __unused)
{
	struct hvp_vm *vm = vm_create();
	struct hvp_vp *vp;
	struct hvpart_sregs s;
	struct hvpart_regs regs = { .rflags = X86_RFLAGS_FIXED, .rip = LOW_CODE_GPA };
	uint8_t *code = addr_gpa2hva(vm, LOW_CODE_GPA);
	uint16_t *ivt = addr_gpa2hva(vm, 0);
	uint64_t page = vm_alloc(vm, 4096, 4096);

	vm_set_hv_config(vm, HVPART_HV_FEATURES_MASK);
	vp = vm_vp_add_raw(vm, 0);
	memcpy(code, rm_hc_blob, rm_hc_blob_end - rm_hc_blob);
	if (vm->backend == HVPART_BACKEND_VMX)
		code[rm_hc_insn - rm_hc_blob + 2] = 0xc1;	/* vmcall */
	/* IVT entry 6: offset, segment 0. */
	ivt[6 * 2] = LOW_CODE_GPA + (rm_hc_ud - rm_hc_blob);
	ivt[6 * 2 + 1] = 0;
	/* The hypercall page is enabled, as a guest would have done earlier. */
	vp_set_msr(vp, HV_X64_MSR_GUEST_OS_ID, HV_LINUX_GUEST_OS_ID);
	vp_set_msr(vp, HV_X64_MSR_HYPERCALL, page | HV_X64_MSR_HYPERCALL_ENABLE);

	vp_sregs_get(vp, &s);
	hvp_real_mode_segment(&s.cs, 0, true);
	hvp_real_mode_segment(&s.ds, 0, false);
	s.es = s.fs = s.gs = s.ss = s.ds;
	s.idt.base = 0;
	s.idt.limit = 0x3ff;
	s.cr0 &= ~(X86_CR0_CD | X86_CR0_NW);
	vp_sregs_set(vp, &s);
	vp_regs_set(vp, &regs);

	vp_run(vp);
	TEST_ASSERT_EXIT_REASON(vp, HVPART_EXIT_IO);
	TEST_ASSERT(vp->run->io.port == RM_PORT && vp->run->io.data == RM_UD,
		    "real mode: the hypercall instruction %s (port %#x data %#llx)",
		    vp->run->io.data == RM_RETURNED ? "returned instead of raising #UD" : "?",
		    vp->run->io.port, (unsigned long long)vp->run->io.data);
	vm_free(vm);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST(abi_table),
		HVP_TEST(real_mode),
		HVP_TEST_ARG("cpl3_hv_on", cpl3, (void *)1),
		HVP_TEST_ARG("cpl3_hv_off", cpl3, NULL),
		HVP_TEST(page_enable),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
