// SPDX-License-Identifier: GPL-2.0
/*
 * The SVM backend refuses to enter a VMCB whose guest state is the host's
 * own (kmod/svm/svm.c, svm_guest_state_is_host()): silicon never writes
 * host state there, but QEMU's TCG SVM was seen doing it (docs/lab.md),
 * and entering it would run the host's context as the guest. Here the VMM
 * sets the guest's RIP to the address VMRUN saves for the host (from
 * /proc/kallsyms): RUN must end with the GUEST_STATE_LOST internal error,
 * and once the VMM puts a real RIP back the VP runs on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvp_util.h"

static void guest_code(void)
{
	GUEST_DONE();
}

/* The address of a kernel symbol, or 0 when kallsyms hides it. */
static uint64_t kallsyms_lookup(const char *name)
{
	char line[256], sym[128], type;
	unsigned long long addr;
	uint64_t found = 0;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %127s", &addr, &type, sym) == 3 && !strcmp(sym, name)) {
			found = addr;
			break;
		}
	}
	fclose(f);
	return found;
}

static void host_state_refused(const void *arg __unused)
{
	struct hvpart_regs regs;
	struct hvp_vm *vm;
	struct hvp_vp *vp;
	uint64_t resume, good_rip;
	int i;

	vm = vm_create_with_one_vp(&vp, guest_code);
	__TEST_REQUIRE(vm->backend == HVPART_BACKEND_SVM, "the check belongs to the SVM backend");
	resume = kallsyms_lookup("hvp_svm_vmrun_resume");
	__TEST_REQUIRE(resume, "hvp_svm_vmrun_resume not in /proc/kallsyms (kptr_restrict?)");

	vp_regs_get(vp, &regs);
	good_rip = regs.rip;
	regs.rip = resume;
	vp_regs_set(vp, &regs);
	/* Refused every time, not entered: RUN again changes nothing. */
	for (i = 0; i < 2; i++) {
		vp_run(vp);
		TEST_ASSERT_EXIT_REASON(vp, HVPART_EXIT_INTERNAL_ERROR);
		TEST_ASSERT_EQ(vp->run->internal.suberror, HVPART_INTERNAL_GUEST_STATE_LOST);
	}
	regs.rip = good_rip;
	vp_regs_set(vp, &regs);
	vp_run_expect_done(vp);
	vm_free(vm);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST(host_state_refused),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
