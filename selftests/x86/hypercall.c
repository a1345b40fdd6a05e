// SPDX-License-Identifier: GPL-2.0
/*
 * With no Hyper-V interface configured, a guest hypercall (vmmcall on SVM,
 * vmcall on VMX) exits to userspace with input = RCX, input_gpa = RDX,
 * output_gpa = R8; the result userspace stores lands in RAX on the next RUN
 * and the guest continues after the instruction.
 *
 * HVPART_SET_HYPERCALL_POLICY changes that: RESULT answers every call in
 * the kernel with a fixed RAX, UD raises #UD; the Hyper-V interface, when
 * on, still answers its own calls; bad arguments and a policy set after the
 * first VP are refused.
 */
#include "hvp_util.h"
#include "hyperv.h"

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

/* ---- HVPART_SET_HYPERCALL_POLICY ------------------------------------------------- */

#define POLICY_RESULT	0xfffffffffffffc18ULL	/* -1000, KVM's -KVM_ENOSYS */

static int set_policy(struct hvp_vm *vm, uint32_t action, uint64_t result)
{
	struct hvpart_hypercall_policy pol = { .action = action, .result = result };

	return __vm_ioctl(vm, HVPART_SET_HYPERCALL_POLICY, &pol);
}

static void guest_policy_result(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t r = guest_hypercall(cases[i].input, cases[i].in_gpa,
					     cases[i].out_gpa);

		GUEST_ASSERT_2(r == POLICY_RESULT, i, r);
	}
	GUEST_DONE();
}

/* RESULT: every call answered in the kernel, no exit reaches the VMM. */
static void policy_result(const void *arg __unused)
{
	struct hvp_vm *vm = vm_create();
	struct hvp_vp *vp;

	TEST_ASSERT(!set_policy(vm, HVPART_HYPERCALL_RESULT, POLICY_RESULT),
		    "SET_HYPERCALL_POLICY RESULT: %s", strerror(errno));
	vp = vm_vp_add(vm, 0, guest_policy_result);
	vp_run_expect_done(vp);
	vm_free(vm);
}

static uint64_t policy_vector;

static void guest_policy_ud(void)
{
	uint64_t rax = 0x1234;

	policy_vector = hv_hypercall_insn_safe(0x48, 0, 0, &rax);
	GUEST_ASSERT_EQ(policy_vector, UD_VECTOR);
	GUEST_DONE();
}

/* UD: the guest takes #UD at the instruction, as without a hypervisor. */
static void policy_ud(const void *arg __unused)
{
	struct hvp_vm *vm = vm_create();
	struct hvp_vp *vp;

	TEST_ASSERT(!set_policy(vm, HVPART_HYPERCALL_UD, 0), "SET_HYPERCALL_POLICY UD: %s",
		    strerror(errno));
	vp = vm_vp_add(vm, 0, guest_policy_ud);
	vp_run_expect_done(vp);
	vm_free(vm);
}

static void guest_policy_hv(void)
{
	hv_enable_hypercalls();
	/* An unknown code: the Hyper-V interface's answer, not the policy's. */
	GUEST_ASSERT_EQ(hv_status(hv_hypercall(0x7fff, 0, 0)), HV_STATUS_INVALID_HYPERCALL_CODE);
	GUEST_DONE();
}

/* With the Hyper-V interface on, the kernel answers as Hyper-V does. */
static void policy_hyperv_on(const void *arg __unused)
{
	struct hvp_vm *vm = vm_create();
	struct hvp_vp *vp;

	vm_set_hv_config(vm, HVPART_HV_FEATURES_MASK);
	TEST_ASSERT(!set_policy(vm, HVPART_HYPERCALL_RESULT, POLICY_RESULT),
		    "SET_HYPERCALL_POLICY RESULT: %s", strerror(errno));
	vp = vm_vp_add(vm, 0, guest_policy_hv);
	vp_run_expect_done(vp);
	vm_free(vm);
}

static void policy_bad_input(const void *arg __unused)
{
	struct hvpart_hypercall_policy pol = {};
	struct hvp_vm *vm = vm_create();
	struct hvp_vp *vp;
	int i;

	TEST_ASSERT_EQ(hvp_check_cap(-1, HVPART_CAP_HYPERCALL_POLICY),
		       (1ULL << HVPART_HYPERCALL_ACTION_COUNT) - 1);
	TEST_ASSERT(set_policy(vm, HVPART_HYPERCALL_ACTION_COUNT, 0) == -1 && errno == EINVAL,
		    "unknown action: %s", strerror(errno));
	TEST_ASSERT(set_policy(vm, ~0U, 0) == -1 && errno == EINVAL, "action ~0: %s",
		    strerror(errno));
	TEST_ASSERT(set_policy(vm, HVPART_HYPERCALL_EXIT, 1) == -1 && errno == EINVAL,
		    "a result with EXIT: %s", strerror(errno));
	TEST_ASSERT(set_policy(vm, HVPART_HYPERCALL_UD, 1) == -1 && errno == EINVAL,
		    "a result with UD: %s", strerror(errno));
	pol.flags = 1;
	TEST_ASSERT(__vm_ioctl(vm, HVPART_SET_HYPERCALL_POLICY, &pol) == -1 && errno == EINVAL,
		    "flags: %s", strerror(errno));
	for (i = 0; i < 2; i++) {
		memset(&pol, 0, sizeof(pol));
		pol.rsvd[i] = 1;
		TEST_ASSERT(__vm_ioctl(vm, HVPART_SET_HYPERCALL_POLICY, &pol) == -1 &&
			    errno == EINVAL, "rsvd[%d]: %s", i, strerror(errno));
	}
	TEST_ASSERT(ioctl(vm->fd, HVPART_SET_HYPERCALL_POLICY, (void *)8) == -1 &&
		    errno == EFAULT, "bad pointer: %s", strerror(errno));
	/* Nothing refused changed the default: the call still exits. */
	vp = vm_vp_add(vm, 0, guest_code);
	TEST_ASSERT(set_policy(vm, HVPART_HYPERCALL_RESULT, 0) == -1 && errno == EBUSY,
		    "after the first VP: %s", strerror(errno));
	vp_run(vp);
	TEST_ASSERT_EXIT_REASON(vp, HVPART_EXIT_HYPERCALL);
	vm_free(vm);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST(hypercall_exit),
		HVP_TEST(policy_result),
		HVP_TEST(policy_ud),
		HVP_TEST(policy_hyperv_on),
		HVP_TEST(policy_bad_input),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
