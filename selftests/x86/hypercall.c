// SPDX-License-Identifier: GPL-2.0
/*
 * With no Hyper-V interface configured, a guest hypercall (vmmcall on SVM,
 * vmcall on VMX) exits to userspace with input = RCX, input_gpa = RDX,
 * output_gpa = R8; the result userspace stores lands in RAX on the next RUN
 * and the guest continues after the instruction.
 */
#include "hvp_util.h"

struct hcall_case {
	uint64_t input, in_gpa, out_gpa, result;
};

static const struct hcall_case cases[] = {
	{ 0x0001, 0x10000, 0x11000, 0 },
	{ 0x0048, 0, 0, 0x2 },				/* HV_STATUS_INVALID_HYPERCALL_CODE */
	{ 0x10005c, 0x200000, 0x201000, 0x5 },		/* rep count, status 5 */
	{ 0xffffffffffffffffULL, 0xfffffffffffff000ULL, 0x8000000000000000ULL,
	  0xffffffffffffffffULL },
};

static void guest_code(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t r = guest_hypercall(cases[i].input, cases[i].in_gpa,
					     cases[i].out_gpa);

		GUEST_ASSERT_2(r == cases[i].result, i, r);
	}
	GUEST_DONE();
}

static void hypercall_exit(const void *arg __unused)
{
	struct hvpart_run *run;
	struct hvp_vm *vm;
	struct hvp_vp *vp;
	unsigned int i;

	vm = vm_create_with_one_vp(&vp, guest_code);
	run = vp->run;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		vp_run(vp);
		TEST_ASSERT_EXIT_REASON(vp, HVPART_EXIT_HYPERCALL);
		TEST_ASSERT(run->hypercall.input == cases[i].input &&
			    run->hypercall.input_gpa == cases[i].in_gpa &&
			    run->hypercall.output_gpa == cases[i].out_gpa,
			    "case %u: input %#llx gpas %#llx %#llx", i,
			    (unsigned long long)run->hypercall.input,
			    (unsigned long long)run->hypercall.input_gpa,
			    (unsigned long long)run->hypercall.output_gpa);
		run->hypercall.result = cases[i].result;
	}
	vp_run_expect_done(vp);
	vm_free(vm);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST(hypercall_exit),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
