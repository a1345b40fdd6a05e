// SPDX-License-Identifier: GPL-2.0
/*
 * With HVPART_PARTITION_F_HLT_EXITS, HLT exits to userspace (without it the
 * VP would sleep in the kernel until an interrupt) with run->rip at the HLT and the VP's RIP already past
 * it, so the next RUN continues with the following instruction. Checked
 * with interrupts disabled and enabled.
 */
#include "hvp_util.h"

#define NR_HLTS 5

void guest_hlt_cli(void);
void guest_hlt_sti(void);
extern char guest_hlt_cli_insn[], guest_hlt_sti_insn[];

asm(".pushsection .text\n"
    "guest_hlt_cli:\n"
    "	cli\n"
    "guest_hlt_cli_insn:\n"
    "	hlt\n"
    "	ret\n"
    "guest_hlt_sti:\n"
    "	sti\n"
    "guest_hlt_sti_insn:\n"
    "	hlt\n"
    "	cli\n"
    "	ret\n"
    ".popsection");

struct hlt_case {
	void (*guest_fn)(void);
	const char *insn;
};

static const struct hlt_case cases[] = {
	{ guest_hlt_cli, guest_hlt_cli_insn },
	{ guest_hlt_sti, guest_hlt_sti_insn },
};

static void guest_code(uint64_t idx)
{
	int i;

	for (i = 0; i < NR_HLTS; i++) {
		cases[idx].guest_fn();
		GUEST_SYNC(i);
	}
	GUEST_DONE();
}

static void hlt_exit(const void *arg)
{
	const struct hlt_case *c = arg;
	struct hvpart_regs regs;
	struct hvp_vm *vm;
	struct hvp_vp *vp;
	int i;

	vm = vm_create_with_flags(HVP_DEFAULT_MEM_SIZE, HVPART_PARTITION_F_HLT_EXITS);
	vp = vm_vp_add(vm, 0, (void (*)(void))guest_code);
	vp_args_set(vp, 1, (uint64_t)(c - cases));
	for (i = 0; i < NR_HLTS; i++) {
		vp_run(vp);
		TEST_ASSERT_EXIT_REASON(vp, HVPART_EXIT_HLT);
		TEST_ASSERT(vp->run->rip == (uintptr_t)c->insn,
			    "run->rip %#llx, HLT is at %p", (unsigned long long)vp->run->rip,
			    c->insn);
		vp_regs_get(vp, &regs);
		TEST_ASSERT(regs.rip == (uintptr_t)c->insn + 1,
			    "RIP %#llx after the HLT exit, want %p + 1",
			    (unsigned long long)regs.rip, c->insn);
		vp_run_expect_sync(vp, i);
	}
	vp_run_expect_done(vp);
	vm_free(vm);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST_ARG("hlt_interrupts_disabled", hlt_exit, &cases[0]),
		HVP_TEST_ARG("hlt_interrupts_enabled", hlt_exit, &cases[1]),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
