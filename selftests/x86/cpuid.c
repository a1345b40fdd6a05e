// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID tables: what the module supports, a VP's default table, SET/GET
 * round trips with their E2BIG protocol, and what the guest's CPUID
 * instruction returns for every leaf, including the per-VP fields the
 * module fills at execution time (leaf 1 EBX[31:24] = vp_index, leaf 1
 * ECX[27] OSXSAVE = CR4.OSXSAVE, leaf 0xD.0 EBX = XSAVE size) and zeros for
 * leaves the table does not have.
 */
#include <stdlib.h>

#include "hvp_util.h"

#define VP_INDEX	5

#define CPUID_1_ECX_MONITOR	(1U << 3)
#define CPUID_1_ECX_VMX		(1U << 5)
#define CPUID_1_ECX_XSAVE	(1U << 26)
#define CPUID_1_ECX_OSXSAVE	(1U << 27)
#define CPUID_1_ECX_HYPERVISOR	(1U << 31)
#define CPUID_80000001_ECX_SVM	(1U << 2)

struct cpuid_query {
	uint32_t function, index;
	uint32_t eax, ebx, ecx, edx;	/* filled by the guest */
};

/* Run CPUID for each query (in guest memory), then report. */
static void guest_cpuid(struct cpuid_query *q, uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		cpuid_count(q[i].function, q[i].index, &q[i].eax, &q[i].ebx, &q[i].ecx,
			    &q[i].edx);
	GUEST_DONE();
}

static const struct hvpart_cpuid_entry *find(const struct hvpart_cpuid_entry *e, uint32_t n,
					      uint32_t fn, uint32_t idx)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (e[i].function == fn &&
		    (!(e[i].flags & HVPART_CPUID_F_SIGNIFICANT_INDEX) || e[i].index == idx))
			return &e[i];
	}
	return NULL;
}

/* Ask the guest for @n leaves of VP @vp; results come back in a malloc'ed array. */
static struct cpuid_query *guest_query(struct hvp_vp *vp, const struct cpuid_query *in,
				       uint32_t n)
{
	uint64_t gpa = vm_alloc(vp->vm, n * sizeof(*in), SZ_4K);
	struct cpuid_query *out = malloc(n * sizeof(*in));

	TEST_ASSERT(out, "malloc");
	memcpy(addr_gpa2hva(vp->vm, gpa), in, n * sizeof(*in));
	vp_set_entry(vp, (void (*)(void))guest_cpuid);
	vp_args_set(vp, 2, gpa, (uint64_t)n);
	vp_run_expect_done(vp);
	memcpy(out, addr_gpa2hva(vp->vm, gpa), n * sizeof(*in));
	return out;
}

/* What the guest must see for leaf (fn, idx) given table @e on VP @index. */
static void expected(const struct hvpart_cpuid_entry *e, uint32_t n, uint32_t fn,
		     uint32_t idx, uint32_t vp_index, bool osxsave, uint32_t out[4])
{
	const struct hvpart_cpuid_entry *x = find(e, n, fn, idx);

	memset(out, 0, 4 * sizeof(uint32_t));
	if (!x)
		return;
	out[0] = x->eax;
	out[1] = x->ebx;
	out[2] = x->ecx;
	out[3] = x->edx;
	if (fn == 1) {
		out[1] = (out[1] & 0x00ffffff) | vp_index << 24;
		out[2] = (out[2] & ~CPUID_1_ECX_OSXSAVE) | (osxsave ? CPUID_1_ECX_OSXSAVE : 0);
	}
}

static void compare_guest_view(struct hvp_vp *vp, const struct hvpart_cpuid_entry *table,
			       uint32_t nent, const struct cpuid_query *q, uint32_t nq,
			       bool osxsave)
{
	struct cpuid_query *got = guest_query(vp, q, nq);
	uint32_t i, want[4];

	for (i = 0; i < nq; i++) {
		expected(table, nent, q[i].function, q[i].index, vp->index, osxsave, want);
		/* The XSAVE area size follows the guest's XCR0: not the table's. */
		if (q[i].function == 0xd && q[i].index <= 1)
			want[1] = got[i].ebx;
		TEST_ASSERT(got[i].eax == want[0] && got[i].ebx == want[1] &&
			    got[i].ecx == want[2] && got[i].edx == want[3],
			    "CPUID %#x.%u: guest %08x %08x %08x %08x, want %08x %08x %08x %08x",
			    q[i].function, q[i].index, got[i].eax, got[i].ebx, got[i].ecx,
			    got[i].edx, want[0], want[1], want[2], want[3]);
	}
	free(got);
}

static void supported_e2big(const void *arg __unused)
{
	int fd = open_hvpart_dev();
	uint32_t max = hvp_check_cap(fd, HVPART_CAP_MAX_CPUID_ENTRIES), needed;
	struct hvpart_cpuid_entry *e = calloc(max, sizeof(*e));
	struct hvpart_cpuid c = { .nent = 0, .entries = (uintptr_t)e };

	TEST_ASSERT(__hvp_ioctl(fd, HVPART_GET_SUPPORTED_CPUID, &c) == -1 && errno == E2BIG,
		    "nent 0: want E2BIG");
	needed = c.nent;
	TEST_ASSERT(needed > 0 && needed <= max, "needed %u of at most %u", needed, max);

	c.nent = needed - 1;
	TEST_ASSERT(__hvp_ioctl(fd, HVPART_GET_SUPPORTED_CPUID, &c) == -1 && errno == E2BIG &&
		    c.nent == needed, "nent needed-1: want E2BIG and nent %u, got %u",
		    needed, c.nent);
	c.nent = needed;
	TEST_ASSERT(!__hvp_ioctl(fd, HVPART_GET_SUPPORTED_CPUID, &c) && c.nent == needed,
		    "nent needed: %s, nent %u", strerror(errno), c.nent);
	c.nent = max;
	TEST_ASSERT(!__hvp_ioctl(fd, HVPART_GET_SUPPORTED_CPUID, &c) && c.nent == needed,
		    "nent max: nent %u, want %u", c.nent, needed);
	free(e);
}

static void supported_content(const void *arg __unused)
{
	int fd = open_hvpart_dev();
	const struct hvpart_cpuid_entry *l1, *ext;
	struct hvpart_cpuid_entry *e;
	uint32_t n, i, j;

	e = hvp_get_supported_cpuid(fd, &n);
	for (i = 0; i < n; i++) {
		TEST_ASSERT(!(e[i].flags & ~HVPART_CPUID_ENTRY_FLAGS_MASK) && !e[i].rsvd[0] &&
			    !e[i].rsvd[1] && !e[i].rsvd[2], "entry %u: flags/rsvd", i);
		for (j = i + 1; j < n; j++)
			TEST_ASSERT(e[i].function != e[j].function || e[i].index != e[j].index,
				    "leaf %#x.%u listed twice", e[i].function, e[i].index);
	}
	l1 = find(e, n, 1, 0);
	TEST_ASSERT(l1, "no leaf 1");
	TEST_ASSERT(l1->ecx & CPUID_1_ECX_HYPERVISOR, "leaf 1 ECX[31] (hypervisor) clear");
	TEST_ASSERT(!(l1->ecx & CPUID_1_ECX_VMX), "VMX offered");
	TEST_ASSERT(!(l1->ecx & CPUID_1_ECX_MONITOR), "MONITOR offered");
	ext = find(e, n, 0x80000001, 0);
	TEST_ASSERT(!ext || !(ext->ecx & CPUID_80000001_ECX_SVM), "SVM offered");
	tap_diag("%u supported leaves", n);
	free(e);
}

/* The default table of a VP is the supported one; the guest sees it. */
static void default_table_and_guest_view(const void *arg __unused)
{
	struct hvpart_cpuid_entry *sup, *def;
	struct cpuid_query *q;
	uint32_t nsup, ndef, i;
	struct hvp_vm *vm = vm_create();
	struct hvp_vp *vp = vm_vp_add(vm, VP_INDEX, NULL);

	sup = hvp_get_supported_cpuid(vm->dev_fd, &nsup);
	def = vp_get_cpuid(vp, &ndef);
	TEST_ASSERT(ndef == nsup, "VP table has %u entries, supported %u", ndef, nsup);
	for (i = 0; i < nsup; i++) {
		const struct hvpart_cpuid_entry *x = find(def, ndef, sup[i].function, sup[i].index);

		TEST_ASSERT(x && !memcmp(x, &sup[i], sizeof(*x)),
			    "leaf %#x.%u differs from the supported table", sup[i].function,
			    sup[i].index);
	}

	/* Every leaf of the table, plus leaves it does not have. */
	q = calloc(nsup + 3, sizeof(*q));
	for (i = 0; i < nsup; i++) {
		q[i].function = sup[i].function;
		q[i].index = sup[i].index;
	}
	q[nsup].function = 0x4fffffff;
	q[nsup + 1].function = 0x8fffffff;
	q[nsup + 2].function = 0x12345678;
	compare_guest_view(vp, sup, nsup, q, nsup + 3, false);
	free(q);
	free(sup);
	free(def);
	vm_free(vm);
}

#define ENT(f, i, fl, a, b, c, d) { .function = f, .index = i, .flags = fl, \
				     .eax = a, .ebx = b, .ecx = c, .edx = d }
#define SIG HVPART_CPUID_F_SIGNIFICANT_INDEX

/* A made-up CPU: "hvpartSelfTs", one feature leaf, subleaves for leaf 7. */
static const struct hvpart_cpuid_entry custom[] = {
	ENT(0, 0, 0, 7, 0x61707668, 0x73546c66, 0x65537472),
	ENT(1, 0, 0, 0x000a0f10, 0xab000800, CPUID_1_ECX_HYPERVISOR | 0x1, 0x07808141),
	ENT(7, 0, SIG, 1, 0x11111111, 0x22222222, 0x33333333),
	ENT(7, 1, SIG, 0, 0x44444444, 0x55555555, 0x66666666),
	ENT(0x40000000, 0, 0, 0x40000001, 0x61707668, 0x6c655374, 0x73547466),
	ENT(0x12345678, 0, 0, 0xdeadbeef, 0xfeedface, 0xcafef00d, 0x0badf00d),
};

static const struct cpuid_query custom_queries[] = {
	{ .function = 0 }, { .function = 1 }, { .function = 7, .index = 0 },
	{ .function = 7, .index = 1 }, { .function = 7, .index = 2 },
	{ .function = 0x40000000 }, { .function = 0x12345678, .index = 5 },
	{ .function = 2 }, { .function = 0x80000000 }, { .function = 0x40000001 },
};

static void set_get_custom_table(const void *arg __unused)
{
	struct hvpart_cpuid_entry buf[ARRAY_SIZE(custom)];
	struct hvpart_cpuid c = { .entries = (uintptr_t)buf };
	struct hvpart_cpuid_entry *got;
	struct hvp_vm *vm = vm_create();
	struct hvp_vp *vp = vm_vp_add(vm, VP_INDEX, NULL);
	uint32_t n, i;

	vp_set_cpuid(vp, custom, ARRAY_SIZE(custom));
	got = vp_get_cpuid(vp, &n);
	TEST_ASSERT(n == ARRAY_SIZE(custom), "GET_CPUID: %u entries, set %zu", n,
		    ARRAY_SIZE(custom));
	for (i = 0; i < n; i++) {
		const struct hvpart_cpuid_entry *x = find(got, n, custom[i].function,
							  custom[i].index);

		TEST_ASSERT(x && !memcmp(x, &custom[i], sizeof(*x)),
			    "leaf %#x.%u does not round-trip", custom[i].function,
			    custom[i].index);
	}
	free(got);

	/* E2BIG protocol on a VP. */
	c.nent = ARRAY_SIZE(custom) - 1;
	TEST_ASSERT(__vp_ioctl(vp, HVPART_GET_CPUID, &c) == -1 && errno == E2BIG &&
		    c.nent == ARRAY_SIZE(custom), "GET_CPUID short: nent %u", c.nent);
	c.nent = ARRAY_SIZE(custom);
	TEST_ASSERT(!__vp_ioctl(vp, HVPART_GET_CPUID, &c) && c.nent == ARRAY_SIZE(custom),
		    "GET_CPUID exact: %s", strerror(errno));

	compare_guest_view(vp, custom, ARRAY_SIZE(custom), custom_queries,
			   ARRAY_SIZE(custom_queries), false);

	/* Another VP keeps the default table and its own vp_index. */
	vp = vm_vp_add(vm, 0, NULL);
	got = vp_get_cpuid(vp, &n);
	TEST_ASSERT(!find(got, n, 0x12345678, 0), "VP 0 got VP %u's table", VP_INDEX);
	free(got);
	vm_free(vm);
}

/* Leaf 1 ECX[27] follows CR4.OSXSAVE, set by the host or by the guest. */
static void guest_osxsave(void)
{
	uint32_t a, b, c, d;

	cpuid_count(1, 0, &a, &b, &c, &d);
	GUEST_ASSERT(c & CPUID_1_ECX_OSXSAVE);
	set_cr4(get_cr4() & ~X86_CR4_OSXSAVE);
	cpuid_count(1, 0, &a, &b, &c, &d);
	GUEST_ASSERT(!(c & CPUID_1_ECX_OSXSAVE));
	set_cr4(get_cr4() | X86_CR4_OSXSAVE);
	cpuid_count(1, 0, &a, &b, &c, &d);
	GUEST_ASSERT(c & CPUID_1_ECX_OSXSAVE);
	GUEST_DONE();
}

static void osxsave_follows_cr4(const void *arg __unused)
{
	const struct hvpart_cpuid_entry *l1;
	struct hvpart_cpuid_entry *sup;
	struct hvpart_sregs s;
	struct hvp_vm *vm;
	struct hvp_vp *vp;
	uint32_t n;

	vm = vm_create_with_one_vp(&vp, guest_osxsave);
	sup = hvp_get_supported_cpuid(vm->dev_fd, &n);
	l1 = find(sup, n, 1, 0);
	__TEST_REQUIRE(l1 && (l1->ecx & CPUID_1_ECX_XSAVE), "XSAVE not supported");
	vp_sregs_get(vp, &s);
	s.cr4 |= X86_CR4_OSXSAVE;
	vp_sregs_set(vp, &s);
	vp_run_expect_done(vp);
	free(sup);
	vm_free(vm);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST(supported_e2big),
		HVP_TEST(supported_content),
		HVP_TEST(default_table_and_guest_view),
		HVP_TEST(set_get_custom_table),
		HVP_TEST(osxsave_follows_cr4),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
