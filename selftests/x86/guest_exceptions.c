// SPDX-License-Identifier: GPL-2.0
/*
 * The library's guest exception and report plumbing, checked end to end
 * (every other test relies on it):
 * - an exception without a handler reaches the host as UCALL_UNHANDLED
 *   with vector, RIP and error code;
 * - an installed handler sees the frame (vector, error code, RIP, CR2 for
 *   #PF), may change registers and RIP, and the guest continues;
 * - the guest's SSE registers survive a handler that itself uses SSE;
 * - a failed GUEST_ASSERT_EQ carries expression, file, line and values;
 * - a guest entry function that returns is reported, not run off into.
 */
#include "hvp_util.h"

#define ABOVE_4G	0x100000000ULL	/* not in the guest's page tables */

void guest_ud2(void);
void guest_div0(void);
extern char guest_ud2_insn[], guest_div0_insn[];

asm(".pushsection .text\n"
    "guest_ud2:\n"
    "guest_ud2_insn:\n"
    "	ud2\n"
    "	ret\n"
    "guest_div0:\n"
    "	xor %ecx, %ecx\n"
    "	mov $1, %eax\n"
    "	xor %edx, %edx\n"
    "guest_div0_insn:\n"
    "	div %ecx\n"			/* 2 bytes: f7 f1 */
    "	ret\n"
    ".popsection\n");

static void guest_unhandled(void)
{
	guest_ud2();
	GUEST_FAIL("survived ud2 without a handler");
}

static void unhandled_exception_reported(const void *arg __unused)
{
	struct hvp_vm *vm;
	struct hvp_vp *vp;
	struct ucall uc;

	vm = vm_create_with_one_vp(&vp, guest_unhandled);
	vp_run(vp);
	TEST_ASSERT_EQ(get_ucall(vp, &uc), UCALL_UNHANDLED);
	TEST_ASSERT(uc.args[GUEST_UNHANDLED_VECTOR] == UD_VECTOR &&
		    uc.args[GUEST_UNHANDLED_RIP] == (uintptr_t)guest_ud2_insn &&
		    uc.args[GUEST_UNHANDLED_ERROR_CODE] == 0,
		    "vector %lu rip %#lx error %#lx", (unsigned long)uc.args[0],
		    (unsigned long)uc.args[1], (unsigned long)uc.args[2]);
	vm_free(vm);
}

/* What the handlers saw. */
static volatile uint64_t seen_vector, seen_error, seen_rip, seen_cr2, seen_count;

static void record(struct ex_regs *regs)
{
	seen_vector = regs->vector;
	seen_error = regs->error_code;
	seen_rip = regs->rip;
	seen_count++;
}

static void skip_2(struct ex_regs *regs)
{
	record(regs);
	regs->rip += 2;		/* ud2 and "div %ecx" are 2 bytes */
	regs->rax = 0x77;	/* visible to the interrupted code */
}

static void pf_handler(struct ex_regs *regs)
{
	record(regs);
	seen_cr2 = get_cr2();
	regs->rip += 3;		/* "mov (%rax), %rax": 48 8b 00 */
	regs->rax = 0x99;
}

/* A handler that clobbers XMM registers the interrupted code holds. */
static void sse_handler(struct ex_regs *regs)
{
	asm volatile("pcmpeqd %%xmm0, %%xmm0; pcmpeqd %%xmm7, %%xmm7; pcmpeqd %%xmm15, %%xmm15"
		     : : : "xmm0", "xmm7", "xmm15");
	skip_2(regs);
}

static void guest_handled(void)
{
	uint64_t rax, x0, x7, x15;

	/* #UD: RIP, no error code, RAX changed by the handler. */
	asm volatile("call guest_ud2" : "=a"(rax) : "a"(0) : "memory");
	GUEST_ASSERT_EQ(seen_vector, UD_VECTOR);
	GUEST_ASSERT_EQ(seen_rip, (uintptr_t)guest_ud2_insn);
	GUEST_ASSERT_EQ(seen_error, 0);
	GUEST_ASSERT_EQ(rax, 0x77);

	/* #DE. */
	guest_div0();
	GUEST_ASSERT_EQ(seen_vector, DE_VECTOR);
	GUEST_ASSERT_EQ(seen_rip, (uintptr_t)guest_div0_insn);

	/* #PF above the identity map: error code "not present, read", CR2. */
	asm volatile("mov (%%rax), %%rax" : "=a"(rax) : "a"(ABOVE_4G + 0x123) : "memory");
	GUEST_ASSERT_EQ(seen_vector, PF_VECTOR);
	GUEST_ASSERT_EQ(seen_cr2, ABOVE_4G + 0x123);
	GUEST_ASSERT_EQ(seen_error & 0x7, 0);	/* P=0, W=0, U=0 */
	GUEST_ASSERT_EQ(rax, 0x99);

	/* XMM values live across an exception whose handler uses SSE. */
	asm volatile("mov $0x1234, %%eax; movq %%rax, %%xmm0; movq %%rax, %%xmm7;"
		     "movq %%rax, %%xmm15;"
		     "call guest_ud2;"
		     "movq %%xmm0, %0; movq %%xmm7, %1; movq %%xmm15, %2"
		     : "=r"(x0), "=r"(x7), "=r"(x15) : : "rax", "xmm0", "xmm7", "xmm15", "memory");
	GUEST_ASSERT_EQ(x0, 0x1234);
	GUEST_ASSERT_EQ(x7, 0x1234);
	GUEST_ASSERT_EQ(x15, 0x1234);
	GUEST_ASSERT_EQ(seen_count, 4);
	GUEST_DONE();
}

static void handlers_see_the_frame(const void *arg __unused)
{
	struct hvp_vm *vm;
	struct hvp_vp *vp;

	vm = vm_create_with_one_vp(&vp, guest_handled);
	vm_install_exception_handler(vm, UD_VECTOR, sse_handler);
	vm_install_exception_handler(vm, DE_VECTOR, skip_2);
	vm_install_exception_handler(vm, PF_VECTOR, pf_handler);
	vp_run_expect_done(vp);
	vm_free(vm);
}

static void guest_failing_assert(void)
{
	uint64_t v = 41;

	GUEST_ASSERT_EQ(v + 1, 43);
	GUEST_DONE();
}

static void guest_assert_reported(const void *arg __unused)
{
	struct hvp_vm *vm;
	struct hvp_vp *vp;
	struct ucall uc;

	vm = vm_create_with_one_vp(&vp, guest_failing_assert);
	vp_run(vp);
	TEST_ASSERT_EQ(get_ucall(vp, &uc), UCALL_ABORT);
	TEST_ASSERT(!strcmp((const char *)uc.args[GUEST_ASSERT_EXPR], "v + 1 == 43") &&
		    strstr((const char *)uc.args[GUEST_ASSERT_FILE], "guest_exceptions.c") &&
		    uc.args[GUEST_ASSERT_LINE] > 0 && uc.args[GUEST_ASSERT_NVALS] == 2 &&
		    uc.args[GUEST_ASSERT_VAL0] == 42 && uc.args[GUEST_ASSERT_VAL1] == 43,
		    "abort: '%s' at %s:%lu, %lu values %lu %lu",
		    (const char *)uc.args[GUEST_ASSERT_EXPR],
		    (const char *)uc.args[GUEST_ASSERT_FILE], (unsigned long)uc.args[2],
		    (unsigned long)uc.args[3], (unsigned long)uc.args[4],
		    (unsigned long)uc.args[5]);
	vm_free(vm);
}

static void guest_returns(void)
{
}

static void returning_guest_reported(const void *arg __unused)
{
	struct hvp_vm *vm;
	struct hvp_vp *vp;
	struct ucall uc;

	vm = vm_create_with_one_vp(&vp, guest_returns);
	vp_run(vp);
	TEST_ASSERT_EQ(get_ucall(vp, &uc), UCALL_ABORT);
	TEST_ASSERT(strstr((const char *)uc.args[GUEST_ASSERT_EXPR], "returned"),
		    "abort says '%s'", (const char *)uc.args[GUEST_ASSERT_EXPR]);
	vm_free(vm);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST(unhandled_exception_reported),
		HVP_TEST(handlers_see_the_frame),
		HVP_TEST(guest_assert_reported),
		HVP_TEST(returning_guest_reported),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
