// SPDX-License-Identifier: GPL-2.0
/*
 * A triple fault is HVPART_EXIT_SHUTDOWN. RUN keeps answering SHUTDOWN
 * until userspace sets registers again; then the VP runs normally. Either
 * way the partition can be closed, and the module stays usable.
 *
 * Ways to triple fault (table): an exception with an empty IDT (#UD ->
 * #GP -> #DF -> shutdown) and paging pulled from under the guest (CR3 to a
 * zeroed page: the next fetch #PFs and so does every delivery).
 */
#include "hvp_util.h"

static void guest_empty_idt(void)
{
	struct desc_ptr idt = { .limit = 0, .base = 0 };

	set_idt(&idt);
	asm volatile("ud2");
	GUEST_FAIL("survived #UD with an empty IDT");
}

static void guest_bad_cr3(uint64_t zero_page)
{
	set_cr3(zero_page);
	GUEST_FAIL("survived CR3 pointing to an empty PML4");
}

static void guest_recovered(void)
{
	GUEST_SYNC(0x5a5a);
	GUEST_DONE();
}

struct tf_case {
	const char *name;
	void (*guest)(void);
	bool recover;		/* set registers and run again, or just close */
};

static const struct tf_case cases[] = {
	{ "empty_idt_then_recover", guest_empty_idt, true },
	{ "empty_idt_then_close", guest_empty_idt, false },
	{ "bad_cr3_then_recover", (void (*)(void))guest_bad_cr3, true },
	{ "bad_cr3_then_close", (void (*)(void))guest_bad_cr3, false },
};

static void guest_trivial(void)
{
	GUEST_DONE();
}

static void triple_fault(const void *arg)
{
	const struct tf_case *c = arg;
	struct hvpart_sregs sregs;
	struct hvp_vm *vm;
	struct hvp_vp *vp;
	int i;

	vm = vm_create_with_one_vp(&vp, c->guest);
	vp_args_set(vp, 1, vm_alloc(vm, SZ_4K, SZ_4K));

	for (i = 0; i < 3; i++) {
		vp_run(vp);
		TEST_ASSERT_EXIT_REASON(vp, HVPART_EXIT_SHUTDOWN);
	}

	if (c->recover) {
		vp_sregs_long_mode(vm, &sregs);
		vp_sregs_set(vp, &sregs);
		vp_set_entry(vp, guest_recovered);
		vp_run_expect_sync(vp, 0x5a5a);
		vp_run_expect_done(vp);
	}
	vm_free(vm);

	/* The module is still healthy. */
	vm = vm_create_with_one_vp(&vp, guest_trivial);
	vp_run_expect_done(vp);
	vm_free(vm);
}

int main(void)
{
	struct hvp_test tests[ARRAY_SIZE(cases)];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		tests[i] = (struct hvp_test)HVP_TEST_ARG(cases[i].name, triple_fault, &cases[i]);
	return tap_main(tests, ARRAY_SIZE(tests));
}
