// SPDX-License-Identifier: GPL-2.0
/*
 * A guest's MOV to CR0 behaves as on bare metal, whichever bits the
 * backend keeps for itself: on VMX the host owns CR0.NE (VMX operation
 * forces it on), so a write that changes NE exits and the module emulates
 * it (kmod/exit.c); on SVM nothing exits. The guest clears and sets NE
 * (alone and together with WP, which it owns everywhere), reads its own
 * values back, and the host sees the same value in SET/GET_SREGS. Linux
 * does this when it brings up a secondary CPU from real mode.
 */
#include "hvp_util.h"

static inline void guest_set_cr0(uint64_t v)
{
	asm volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static void guest_code(void)
{
	uint64_t cr0 = get_cr0();

	GUEST_ASSERT_2((cr0 & X86_CR0_NE) && (cr0 & X86_CR0_WP), cr0, 0);
	guest_set_cr0(cr0 & ~X86_CR0_NE);
	GUEST_ASSERT_2(get_cr0() == (cr0 & ~X86_CR0_NE), get_cr0(), cr0);
	GUEST_SYNC(1);
	guest_set_cr0(cr0 & ~(X86_CR0_NE | X86_CR0_WP));
	GUEST_ASSERT_2(get_cr0() == (cr0 & ~(X86_CR0_NE | X86_CR0_WP)), get_cr0(), cr0);
	guest_set_cr0(cr0);
	GUEST_ASSERT_2(get_cr0() == cr0, get_cr0(), cr0);
	GUEST_DONE();
}

static void cr0_ne_round_trip(const void *arg __unused)
{
	struct hvpart_sregs s;
	struct hvp_vm *vm;
	struct hvp_vp *vp;
	struct ucall uc;

	vm = vm_create_with_one_vp(&vp, guest_code);
	vp_run(vp);
	TEST_ASSERT_EQ(get_ucall(vp, &uc), UCALL_SYNC);
	vp_ioctl(vp, HVPART_GET_SREGS, &s);
	TEST_ASSERT(!(s.cr0 & X86_CR0_NE) && (s.cr0 & X86_CR0_PG),
		    "GET_SREGS after the guest cleared NE: cr0 %#llx", (unsigned long long)s.cr0);
	vp_run_expect_done(vp);
	vp_ioctl(vp, HVPART_GET_SREGS, &s);
	TEST_ASSERT(s.cr0 & X86_CR0_NE, "GET_SREGS at the end: cr0 %#llx",
		    (unsigned long long)s.cr0);
	vm_free(vm);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST(cr0_ne_round_trip),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
