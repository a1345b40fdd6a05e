// SPDX-License-Identifier: GPL-2.0
/*
 * HVPART_EXIT_MEMORY: guest accesses the partition cannot satisfy.
 *
 * - Loads from an unmapped GPA exit DECODED with gpa, access READ and len;
 *   the value userspace puts in data completes the load on the next RUN,
 *   with the architectural register effect (8/16-bit loads keep the rest
 *   of the register, 32-bit loads zero-extend) and only len bytes used.
 * - Stores exit DECODED with the stored bytes in data.
 * - Instruction fetch from an unmapped GPA exits with access EXEC at RIP;
 *   once userspace maps code there, the next RUN executes it.
 * - A store to a READ-only range and a fetch from a range without EXEC exit
 *   with the MAPPED flag; the memory is left untouched.
 * Decoded exits carry the instruction bytes, which must match guest memory.
 */
#include <sys/mman.h>

#include "hvp_util.h"

#define MMIO_GPA	0xc0000000ULL	/* below 4 GiB, never backed */
#define RO_GPA		0xd0000000ULL
#define NX_GPA		0xd0200000ULL
#define EXEC_GPA	(MMIO_GPA + 0x2000)

enum mem_op { LOAD8, LOAD16, LOAD32, LOAD64, STORE8, STORE16, STORE32, STORE64,
	      STORE_IMM32 };

struct mem_case {
	enum mem_op op;
	uint64_t gpa;
	uint32_t len;
	uint64_t rax;		/* register before */
	uint64_t data;		/* load: what the host supplies; store: expected data */
	uint64_t rax_after;	/* load: expected register after */
};

#define GARBAGE 0xa5a5a5a5a5a5a5a5ULL

static const struct mem_case cases[] = {
	{ LOAD8,  MMIO_GPA + 0x0,   1, 0x1122334455667788ULL, (GARBAGE << 8) | 0x5a,
	  0x112233445566775aULL },
	{ LOAD16, MMIO_GPA + 0x102, 2, 0x1122334455667788ULL, (GARBAGE << 16) | 0xbeef,
	  0x112233445566beefULL },
	{ LOAD32, MMIO_GPA + 0x204, 4, 0x1122334455667788ULL, (GARBAGE << 32) | 0xcafef00d,
	  0xcafef00dULL },
	{ LOAD64, MMIO_GPA + 0x308, 8, 0, 0x0123456789abcdefULL, 0x0123456789abcdefULL },
	{ LOAD64, MMIO_GPA + 0xff8, 8, 0, 0xfedcba9876543210ULL, 0xfedcba9876543210ULL },
	{ STORE8,  MMIO_GPA + 0x10, 1, 0x1122334455667788ULL, 0x88, 0 },
	{ STORE16, MMIO_GPA + 0x12, 2, 0x1122334455667788ULL, 0x7788, 0 },
	{ STORE32, MMIO_GPA + 0x14, 4, 0x1122334455667788ULL, 0x55667788, 0 },
	{ STORE64, MMIO_GPA + 0x18, 8, 0x1122334455667788ULL, 0x1122334455667788ULL, 0 },
	{ STORE_IMM32, MMIO_GPA + 0x20, 4, 0, 0x12345678, 0 },
};

static uint64_t guest_mem_op(const struct mem_case *c)
{
	volatile void *p = (volatile void *)c->gpa;
	uint64_t rax = c->rax;

	switch (c->op) {
	case LOAD8:  asm volatile("movb (%1), %%al" : "+a"(rax) : "r"(p) : "memory"); break;
	case LOAD16: asm volatile("movw (%1), %%ax" : "+a"(rax) : "r"(p) : "memory"); break;
	case LOAD32: asm volatile("movl (%1), %%eax" : "+a"(rax) : "r"(p) : "memory"); break;
	case LOAD64: asm volatile("movq (%1), %%rax" : "+a"(rax) : "r"(p) : "memory"); break;
	case STORE8:  asm volatile("movb %%al, (%1)" : : "a"(rax), "r"(p) : "memory"); break;
	case STORE16: asm volatile("movw %%ax, (%1)" : : "a"(rax), "r"(p) : "memory"); break;
	case STORE32: asm volatile("movl %%eax, (%1)" : : "a"(rax), "r"(p) : "memory"); break;
	case STORE64: asm volatile("movq %%rax, (%1)" : : "a"(rax), "r"(p) : "memory"); break;
	case STORE_IMM32: asm volatile("movl $0x12345678, (%0)" : : "r"(p) : "memory"); break;
	}
	return rax;
}

static bool is_load(enum mem_op op)
{
	return op <= LOAD64;
}

static void guest_unmapped(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t rax = guest_mem_op(&cases[i]);

		if (is_load(cases[i].op))
			GUEST_ASSERT_2(rax == cases[i].rax_after, i, rax);
	}
	GUEST_DONE();
}

/* The exit's instruction bytes must be those at its RIP. */
static void check_insn(struct hvp_vp *vp)
{
	struct hvpart_run *run = vp->run;

	TEST_ASSERT(run->memory.insn_len >= 1 && run->memory.insn_len <= 15,
		    "decoded exit at %#llx with insn_len %u",
		    (unsigned long long)run->rip, run->memory.insn_len);
	TEST_ASSERT(!memcmp(run->memory.insn, addr_gva2hva(vp->vm, run->rip),
			    run->memory.insn_len),
		    "insn bytes at %#llx differ from guest memory",
		    (unsigned long long)run->rip);
}

static void expect_memory_exit(struct hvp_vp *vp, uint64_t gpa, uint32_t access,
			       uint32_t flags)
{
	struct hvpart_run *run = vp->run;

	vp_run(vp);
	TEST_ASSERT_EXIT_REASON(vp, HVPART_EXIT_MEMORY);
	TEST_ASSERT(run->memory.gpa == gpa && run->memory.access == access &&
		    run->memory.flags == flags,
		    "memory exit gpa %#llx access %u flags %#x, want gpa %#lx access %u flags %#x",
		    (unsigned long long)run->memory.gpa, run->memory.access,
		    run->memory.flags, (unsigned long)gpa, access, flags);
}

static void unmapped_load_store(const void *arg __unused)
{
	struct hvpart_run *run;
	struct hvp_vm *vm;
	struct hvp_vp *vp;
	unsigned int i;

	vm = vm_create_with_one_vp(&vp, guest_unmapped);
	run = vp->run;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct mem_case *c = &cases[i];
		bool load = is_load(c->op);

		expect_memory_exit(vp, c->gpa, load ? HVPART_ACCESS_READ : HVPART_ACCESS_WRITE,
				   HVPART_MEMORY_F_DECODED);
		TEST_ASSERT(run->memory.len == c->len, "case %u: len %u, want %u", i,
			    run->memory.len, c->len);
		check_insn(vp);
		if (load)
			run->memory.data = c->data;
		else
			TEST_ASSERT(run->memory.data == c->data, "case %u: data %#llx, want %#lx",
				    i, (unsigned long long)run->memory.data,
				    (unsigned long)c->data);
	}
	vp_run_expect_done(vp);
	vm_free(vm);
}

/* A page holding just "ret", to call into. */
static void *ret_page(void)
{
	uint8_t *p = mmap(NULL, SZ_4K, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	TEST_ASSERT(p != MAP_FAILED, "mmap");
	memset(p, 0xcc, SZ_4K);		/* int3 everywhere else */
	p[0] = 0xc3;
	return p;
}

static void guest_call(uint64_t target)
{
	((void (*)(void))target)();
	GUEST_DONE();
}

static void exec_unmapped(const void *arg __unused)
{
	struct hvp_vm *vm;
	struct hvp_vp *vp;

	vm = vm_create_with_one_vp(&vp, (void (*)(void))guest_call);
	vp_args_set(vp, 1, EXEC_GPA);
	expect_memory_exit(vp, EXEC_GPA, HVPART_ACCESS_EXEC, 0);
	TEST_ASSERT(vp->run->rip == EXEC_GPA, "rip %#llx", (unsigned long long)vp->run->rip);

	/* Map code where the guest jumped; the fetch is retried. */
	vm_map(vm, EXEC_GPA, SZ_4K, ret_page(), HVPART_MEM_READ | HVPART_MEM_EXEC);
	vp_run_expect_done(vp);
	vm_free(vm);
}

static void guest_readonly(void)
{
	volatile uint64_t *p = (volatile uint64_t *)(RO_GPA + 0x40);

	GUEST_ASSERT_EQ(*p, 0x0ddba11ULL);
	*p = 0xbadc0deULL;
	GUEST_ASSERT_EQ(*p, 0x0ddba11ULL);	/* the store must not have landed */
	GUEST_DONE();
}

static void write_readonly_range(const void *arg __unused)
{
	struct hvpart_run *run;
	struct hvp_vm *vm;
	struct hvp_vp *vp;
	uint64_t *page;

	page = mmap(NULL, SZ_4K, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(page != MAP_FAILED, "mmap");
	page[8] = 0x0ddba11ULL;

	vm = vm_create_with_one_vp(&vp, guest_readonly);
	run = vp->run;
	vm_map(vm, RO_GPA, SZ_4K, page, HVPART_MEM_READ);
	expect_memory_exit(vp, RO_GPA + 0x40, HVPART_ACCESS_WRITE,
			   HVPART_MEMORY_F_DECODED | HVPART_MEMORY_F_MAPPED);
	TEST_ASSERT(run->memory.len == 8 && run->memory.data == 0xbadc0deULL,
		    "len %u data %#llx", run->memory.len, (unsigned long long)run->memory.data);
	check_insn(vp);
	TEST_ASSERT_EQ(page[8], 0x0ddba11ULL);
	vp_run_expect_done(vp);
	TEST_ASSERT_EQ(page[8], 0x0ddba11ULL);
	vm_free(vm);
}

static void exec_noexec_range(const void *arg __unused)
{
	struct hvp_vm *vm;
	struct hvp_vp *vp;
	void *page = ret_page();

	vm = vm_create_with_one_vp(&vp, (void (*)(void))guest_call);
	vp_args_set(vp, 1, NX_GPA);
	vm_map(vm, NX_GPA, SZ_4K, page, HVPART_MEM_READ | HVPART_MEM_WRITE);
	expect_memory_exit(vp, NX_GPA, HVPART_ACCESS_EXEC, HVPART_MEMORY_F_MAPPED);

	/* Same page, now executable: the fetch is retried and succeeds. */
	vm_unmap(vm, NX_GPA, SZ_4K);
	vm_map(vm, NX_GPA, SZ_4K, page, HVPART_MEM_READ | HVPART_MEM_EXEC);
	vp_run_expect_done(vp);
	vm_free(vm);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST(unmapped_load_store),
		HVP_TEST(exec_unmapped),
		HVP_TEST(write_readonly_range),
		HVP_TEST(exec_noexec_range),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
