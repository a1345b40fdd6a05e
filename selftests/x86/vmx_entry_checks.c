// SPDX-License-Identifier: GPL-2.0
/*
 * On VMX, SET_SREGS refuses (EINVAL) the segment and register states that
 * VM entry's guest-state checks would reject (SDM vol. 3C 27.3.1), rather
 * than accepting them and failing the next RUN; states the checks allow
 * (an unusable data segment with any attributes) are accepted and run.
 * On SVM the same states are legal as far as VMRUN cares, so the test
 * skips there.
 */
#include "hvp_util.h"

struct entry_case {
	const char *name;
	void (*mutate)(struct hvpart_sregs *s);
	int err;			/* 0 or EINVAL */
};

#define SEG_TYPE(seg, t)	((seg).attrib = ((seg).attrib & ~0xfU) | (t))

static void tr_unusable(struct hvpart_sregs *s) { s->tr.attrib |= HVPART_SEG_UNUSABLE; }
static void tr_available(struct hvpart_sregs *s) { SEG_TYPE(s->tr, 9); }
static void tr_in_ldt(struct hvpart_sregs *s) { s->tr.selector |= 4; }
static void tr_code_segment(struct hvpart_sregs *s) { s->tr.attrib |= HVPART_SEG_S; }
static void ldt_wrong_type(struct hvpart_sregs *s) { s->ldt.attrib = HVPART_SEG_P | 5; }
static void cs_data_ro(struct hvpart_sregs *s) { SEG_TYPE(s->cs, 1); }
static void cs_not_accessed(struct hvpart_sregs *s) { SEG_TYPE(s->cs, 0xa); }
static void cs_not_present(struct hvpart_sregs *s) { s->cs.attrib &= ~HVPART_SEG_P; }
static void cs_dpl3_ss_dpl0(struct hvpart_sregs *s) { s->cs.attrib |= 3 << HVPART_SEG_DPL_SHIFT; }
static void ss_code(struct hvpart_sregs *s) { SEG_TYPE(s->ss, 0xb); }
static void ds_not_accessed(struct hvpart_sregs *s) { SEG_TYPE(s->ds, 2); }
static void ds_exec_only(struct hvpart_sregs *s) { SEG_TYPE(s->ds, 9); }

static void ds_limit_without_g(struct hvpart_sregs *s)
{
	s->ds.limit = 0xffffffff;
	s->ds.attrib &= ~HVPART_SEG_G;
}

static void ds_g_with_short_limit(struct hvpart_sregs *s)
{
	s->ds.limit = 0x1000;
	s->ds.attrib |= HVPART_SEG_G;
}

static void fs_base_noncanonical(struct hvpart_sregs *s) { s->fs.base = 1ULL << 63; }
static void gdt_base_noncanonical(struct hvpart_sregs *s) { s->gdt.base = 0x0000800000000000ULL; }
static void nothing(struct hvpart_sregs *s) { (void)s; }
static void ds_unusable_junk(struct hvpart_sregs *s) { s->ds.attrib = HVPART_SEG_UNUSABLE | 0x1; }
static void es_unusable(struct hvpart_sregs *s) { s->es.attrib = HVPART_SEG_UNUSABLE; }

static const struct entry_case cases[] = {
	{ "baseline", nothing, 0 },
	{ "DS unusable, other attributes junk", ds_unusable_junk, 0 },
	{ "ES unusable", es_unusable, 0 },
	{ "TR unusable", tr_unusable, EINVAL },
	{ "TR an available TSS", tr_available, EINVAL },
	{ "TR selector in the LDT", tr_in_ldt, EINVAL },
	{ "TR with S set", tr_code_segment, EINVAL },
	{ "LDTR usable, not an LDT", ldt_wrong_type, EINVAL },
	{ "CS read-only data", cs_data_ro, EINVAL },
	{ "CS not accessed", cs_not_accessed, EINVAL },
	{ "CS not present", cs_not_present, EINVAL },
	{ "CS DPL 3, SS DPL 0", cs_dpl3_ss_dpl0, EINVAL },
	{ "SS a code segment", ss_code, EINVAL },
	{ "DS not accessed", ds_not_accessed, EINVAL },
	{ "DS execute-only code", ds_exec_only, EINVAL },
	{ "DS limit above 1 MiB with G clear", ds_limit_without_g, EINVAL },
	{ "DS G set, limit bits 11:0 not all ones", ds_g_with_short_limit, EINVAL },
	{ "FS base not canonical", fs_base_noncanonical, EINVAL },
	{ "GDTR base not canonical", gdt_base_noncanonical, EINVAL },
};

static void guest_code(void)
{
	GUEST_DONE();
}

static void entry_check(const void *arg)
{
	const struct entry_case *c = arg;
	struct hvpart_sregs s;
	struct hvp_vm *vm;
	struct hvp_vp *vp;
	int r;

	vm = vm_create_with_one_vp(&vp, guest_code);
	__TEST_REQUIRE(vm->backend == HVPART_BACKEND_VMX,
		       "VMX VM-entry guest-state checks; SVM's VMRUN does not make them");
	vp_ioctl(vp, HVPART_GET_SREGS, &s);
	c->mutate(&s);
	r = __vp_ioctl(vp, HVPART_SET_SREGS, &s);
	if (c->err) {
		TEST_ASSERT(r == -1 && errno == c->err, "%s: SET_SREGS returned %d errno %d, want %d",
			    c->name, r, errno, c->err);
	} else {
		TEST_ASSERT(!r, "%s: SET_SREGS failed: %s", c->name, strerror(errno));
		/* Accepted states must also pass the real VM entry. */
		vp_run_expect_done(vp);
	}
	vm_free(vm);
}

int main(void)
{
	struct hvp_test tests[ARRAY_SIZE(cases)];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		tests[i] = (struct hvp_test)HVP_TEST_ARG(cases[i].name, entry_check, &cases[i]);
	return tap_main(tests, ARRAY_SIZE(tests));
}
