// SPDX-License-Identifier: GPL-2.0
/*
 * MSRs through HVPART_GET_MSRS/SET_MSRS and through the guest's RDMSR and
 * WRMSR: values round-trip both ways, processing stops at the first
 * unknown MSR or refused value, and the guest gets #GP for an MSR the
 * module does not know (or a value the architecture refuses).
 */
#include "hvp_util.h"

#define MSR_IA32_DEBUGCTL	0x1d9

struct msr_val {
	uint32_t index;
	uint64_t value;
};

/* Written by the host, checked by the guest. */
static const struct msr_val host_values[] = {
	{ MSR_IA32_SYSENTER_CS, 0x10 },
	{ MSR_IA32_SYSENTER_ESP, 0xffff800012345678ULL },
	{ MSR_IA32_SYSENTER_EIP, 0xffffffff81000000ULL },
	{ MSR_STAR, 0x0023001000000000ULL },
	{ MSR_LSTAR, 0xffffffff81a00000ULL },
	{ MSR_CSTAR, 0xffffffff81a00040ULL },
	{ MSR_SYSCALL_MASK, 0x47700 },
	{ MSR_KERNEL_GS_BASE, 0xffff888012345000ULL },
	{ MSR_IA32_CR_PAT, 0x0106040500070406ULL },
};

/* Written by the guest, checked by the host. */
static const struct msr_val guest_values[] = {
	{ MSR_IA32_SYSENTER_CS, 0x23 },
	{ MSR_IA32_SYSENTER_ESP, 0x00007fffdeadb000ULL },
	{ MSR_IA32_SYSENTER_EIP, 0x0000000000401000ULL },
	{ MSR_STAR, 0x0033002000000000ULL },
	{ MSR_LSTAR, 0x0000000000402000ULL },
	{ MSR_CSTAR, 0xffffffffff600000ULL },
	{ MSR_SYSCALL_MASK, 0x700 },
	{ MSR_KERNEL_GS_BASE, 0x0000000000001000ULL },
	{ MSR_IA32_CR_PAT, 0x0007040600070406ULL },
};

#define TSC_SET		(1ULL << 50)

static void guest_msrs(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(host_values); i++)
		GUEST_ASSERT_2(rdmsr(host_values[i].index) == host_values[i].value, i,
			       rdmsr(host_values[i].index));
	/* The TSC the host set is where the guest's clock continues from. */
	GUEST_ASSERT_1(rdtsc() >= TSC_SET, rdtsc());
	GUEST_ASSERT_1(rdmsr(MSR_IA32_TSC) >= TSC_SET, rdmsr(MSR_IA32_TSC));

	for (i = 0; i < ARRAY_SIZE(guest_values); i++)
		wrmsr(guest_values[i].index, guest_values[i].value);
	GUEST_DONE();
}

static int set_msrs(struct hvp_vp *vp, const struct msr_val *v, unsigned int n)
{
	struct hvpart_msr_entry e[32] = { 0 };
	struct hvpart_msrs m = { .nmsrs = n, .entries = (uintptr_t)e };
	unsigned int i;

	for (i = 0; i < n; i++) {
		e[i].index = v[i].index;
		e[i].value = v[i].value;
	}
	return __vp_ioctl(vp, HVPART_SET_MSRS, &m);
}

/* GET the indexes of @v; return how many were processed, values in @out. */
static int get_msrs(struct hvp_vp *vp, const struct msr_val *v, unsigned int n, uint64_t *out)
{
	struct hvpart_msr_entry e[32] = { 0 };
	struct hvpart_msrs m = { .nmsrs = n, .entries = (uintptr_t)e };
	unsigned int i;
	int r;

	for (i = 0; i < n; i++)
		e[i].index = v[i].index;
	r = __vp_ioctl(vp, HVPART_GET_MSRS, &m);
	for (i = 0; r > 0 && i < (unsigned int)r; i++)
		out[i] = e[i].value;
	return r;
}

static void check_values(struct hvp_vp *vp, const struct msr_val *v, unsigned int n)
{
	uint64_t got[32];
	unsigned int i;
	int r = get_msrs(vp, v, n, got);

	TEST_ASSERT(r == (int)n, "GET_MSRS processed %d of %u", r, n);
	for (i = 0; i < n; i++)
		TEST_ASSERT(got[i] == v[i].value, "MSR %#x = %#lx, want %#lx", v[i].index,
			    (unsigned long)got[i], (unsigned long)v[i].value);
}

static void roundtrip_host_and_guest(const void *arg __unused)
{
	struct msr_val tsc = { MSR_IA32_TSC, TSC_SET };
	struct msr_val misc = { MSR_IA32_MISC_ENABLE, 0 };
	uint64_t got;
	struct hvp_vm *vm;
	struct hvp_vp *vp;

	vm = vm_create_with_one_vp(&vp, guest_msrs);

	/* All at once: SET returns the count, GET gives the values back. */
	TEST_ASSERT_EQ(set_msrs(vp, host_values, ARRAY_SIZE(host_values)),
		       ARRAY_SIZE(host_values));
	check_values(vp, host_values, ARRAY_SIZE(host_values));

	/* MISC_ENABLE: whatever it reads, it takes back. */
	TEST_ASSERT_EQ(get_msrs(vp, &misc, 1, &misc.value), 1);
	TEST_ASSERT_EQ(set_msrs(vp, &misc, 1), 1);
	check_values(vp, &misc, 1);

	/* The TSC keeps counting from what was set. */
	TEST_ASSERT_EQ(set_msrs(vp, &tsc, 1), 1);
	TEST_ASSERT_EQ(get_msrs(vp, &tsc, 1, &got), 1);
	TEST_ASSERT(got >= TSC_SET && got - TSC_SET < (1ULL << 40), "TSC %#lx after setting %#llx",
		    (unsigned long)got, TSC_SET);

	vp_run_expect_done(vp);
	check_values(vp, guest_values, ARRAY_SIZE(guest_values));
	vm_free(vm);
}

struct stop_case {
	const char *name;
	struct msr_val v[3];
	int processed;
};

static const struct stop_case stop_cases[] = {
	{ "unknown MSR second", { { MSR_IA32_SYSENTER_CS, 8 }, { 0xdeadbeef, 0 },
				  { MSR_STAR, 0 } }, 1 },
	{ "unknown MSR first", { { 0xc001dead, 0 }, { MSR_IA32_SYSENTER_CS, 8 },
				 { MSR_STAR, 0 } }, 0 },
	{ "non-canonical LSTAR", { { MSR_IA32_SYSENTER_CS, 8 },
				   { MSR_LSTAR, 0x0000800000000000ULL }, { MSR_STAR, 0 } }, 1 },
	{ "PAT type 2", { { MSR_IA32_CR_PAT, 0x0000000000000002ULL },
			  { MSR_IA32_SYSENTER_CS, 8 }, { MSR_STAR, 0 } }, 0 },
	{ "DEBUGCTL non-zero", { { MSR_IA32_SYSENTER_CS, 8 }, { MSR_STAR, 0 },
				 { MSR_IA32_DEBUGCTL, 1 } }, 2 },
};

static void guest_nothing(void)
{
	GUEST_DONE();
}

static void processing_stops(const void *arg __unused)
{
	struct hvp_vm *vm;
	struct hvp_vp *vp;
	uint64_t got[3];
	unsigned int i;

	vm = vm_create_with_one_vp(&vp, guest_nothing);
	for (i = 0; i < ARRAY_SIZE(stop_cases); i++) {
		const struct stop_case *c = &stop_cases[i];
		int r = set_msrs(vp, c->v, 3);

		TEST_ASSERT(r == c->processed, "%s: SET_MSRS processed %d, want %d", c->name, r,
			    c->processed);
	}
	/* GET stops only at unknown indexes. */
	TEST_ASSERT_EQ(get_msrs(vp, stop_cases[0].v, 3, got), 1);
	TEST_ASSERT_EQ(get_msrs(vp, stop_cases[1].v, 3, got), 0);
	TEST_ASSERT_EQ(get_msrs(vp, stop_cases[2].v, 3, got), 3);
	vm_free(vm);
}

/*
 * Guest RDMSR/WRMSR that must #GP: the handler skips the 2-byte instruction.
 * Only MSRs the module intercepts belong here: a non-canonical WRMSR to an
 * MSR passed through to the guest (LSTAR on SVM) is refused by the CPU
 * itself, which the QEMU lab does not model.
 */
struct gp_case {
	uint32_t index;
	uint64_t value;
	bool write;
};

static const struct gp_case gp_cases[] = {
	{ 0xdeadbeef, 0, false },
	{ 0xdeadbeef, 0, true },
	{ 0xc001dead, 0, false },
	{ 0x00000bad, 0, true },
	{ 0x4b564d00, 0, false },			/* KVM's paravirtual range */
	{ MSR_IA32_CR_PAT, 0x2, true },			/* reserved memory type */
};

static volatile uint64_t gp_count, gp_vector, gp_error;

static void gp_handler(struct ex_regs *regs)
{
	gp_count++;
	gp_vector = regs->vector;
	gp_error = regs->error_code;
	regs->rip += 2;		/* RDMSR 0f 32 / WRMSR 0f 30 */
}

static void guest_gp(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(gp_cases); i++) {
		uint64_t before = gp_count;

		if (gp_cases[i].write)
			wrmsr(gp_cases[i].index, gp_cases[i].value);
		else
			rdmsr(gp_cases[i].index);
		GUEST_ASSERT_2(gp_count == before + 1, i, gp_count);
		GUEST_ASSERT_2(gp_vector == GP_VECTOR && gp_error == 0, gp_vector, gp_error);
	}
	/* Known MSRs do not fault. */
	rdmsr(MSR_IA32_SYSENTER_CS);
	wrmsr(MSR_STAR, 0);
	GUEST_ASSERT_EQ(gp_count, ARRAY_SIZE(gp_cases));
	GUEST_DONE();
}

static void guest_gp_on_unknown(const void *arg __unused)
{
	struct hvp_vm *vm;
	struct hvp_vp *vp;

	vm = vm_create_with_one_vp(&vp, guest_gp);
	vm_install_exception_handler(vm, GP_VECTOR, gp_handler);
	vp_run_expect_done(vp);
	vm_free(vm);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST(roundtrip_host_and_guest),
		HVP_TEST(processing_stops),
		HVP_TEST(guest_gp_on_unknown),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
