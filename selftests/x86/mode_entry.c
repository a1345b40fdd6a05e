// SPDX-License-Identifier: GPL-2.0
/*
 * A VP can start in real mode, 32-bit protected mode or long mode, and
 * runs hand-written code in each: 16/32/64-bit blobs assembled here with
 * .code16/.code32/.code64, copied to LOW_CODE_GPA, reporting through port
 * I/O the host checks step by step (the host also reads the guest's mode
 * back with GET_SREGS at each step).
 *
 * real_mode_to_long_mode: from real mode (CS 0, IP 0x8000) the guest does
 *   I/O and segment arithmetic, enters protected mode, then paging with
 *   EFER.LME (long mode), loads the library's IDT and stack, and calls C
 *   code that finishes with ucalls.
 * protected_mode: starts with CR0.PE only (no paging), does I/O and
 *   memory accesses, visits a 16-bit protected-mode code segment, HLTs.
 * long_mode: starts in 64-bit mode, drops to compatibility mode with a far
 *   return, comes back with a far jump, HLTs.
 */
#include "hvp_util.h"

#define MODE_PORT	0x80

/* Layout of the parameter block at LOW_PARAMS_GPA (plain numbers for asm). */
#define P_GDTR		0x00	/* u16 limit, u64 base */
#define P_IDTR		0x10	/* u16 limit, u64 base */
#define P_CR3		0x20
#define P_RSP		0x28
#define P_ENTRY		0x30
#define P_RM_WORD	0x40	/* real mode writes 0xbeef via ES=0x0700, offset 0x40 */
#define P_PM_DWORD	0x44	/* protected mode writes 0xcafebabe */
#define P_PM_INPUT	0x48	/* host value protected mode echoes */
#define P_PM16_WORD	0x50	/* 16-bit protected mode writes 0x1234 */
#define P_LM_QWORD	0x58	/* long mode writes 0x1122334455667788 */

#define S(x)		__stringify(x)
#define PARAM(off)	"(" S(LOW_PARAMS_GPA) " + " S(off) ")"
/* Where a label of blob @blob runs once copied to LOW_CODE_GPA. */
#define AT(blob, label)	"(" S(LOW_CODE_GPA) " + " #label " - " #blob ")"

extern const char rm_blob[], rm_blob_end[], pm_blob[], pm_blob_end[],
		  lm_blob[], lm_blob_end[];

asm(".pushsection .rodata.mode_blobs, \"a\"\n"

    /* ---- real mode -> protected mode -> long mode -> C ---- */
    ".code16\n"
    "rm_blob:\n"
    "	mov $" S(MODE_PORT) ", %dx\n"
    "	mov $0x1616, %ax\n"
    "	out %ax, %dx\n"
    "	mov $" S(LOW_PARAMS_GPA) " >> 4, %ax\n"
    "	mov %ax, %es\n"
    "	movw $0xbeef, %es:" S(P_RM_WORD) "\n"
    "	cli\n"
    "	lgdtl " PARAM(P_GDTR) "\n"
    "	mov %cr0, %eax\n"
    "	and $0x9fffffff, %eax\n"		/* clear CD, NW */
    "	or $1, %eax\n"				/* PE */
    "	mov %eax, %cr0\n"
    "	ljmpl $" S(SEL_CODE32) ", $" AT(rm_blob, rm_pm32) "\n"
    ".code32\n"
    "rm_pm32:\n"
    "	mov $" S(SEL_DATA) ", %ax\n"
    "	mov %ax, %ds\n"
    "	mov %ax, %es\n"
    "	mov %ax, %ss\n"
    "	mov %ax, %fs\n"
    "	mov %ax, %gs\n"
    "	mov $0x32323232, %eax\n"
    "	out %eax, %dx\n"
    "	mov %cr4, %eax\n"
    "	or $0x620, %eax\n"			/* PAE, OSFXSR, OSXMMEXCPT */
    "	mov %eax, %cr4\n"
    "	mov " PARAM(P_CR3) ", %eax\n"
    "	mov %eax, %cr3\n"
    "	mov $0xc0000080, %ecx\n"		/* EFER */
    "	rdmsr\n"
    "	or $0x900, %eax\n"			/* LME, NXE */
    "	wrmsr\n"
    "	mov %cr0, %eax\n"
    "	or $0x80010000, %eax\n"		/* PG, WP */
    "	mov %eax, %cr0\n"
    "	ljmp $" S(SEL_CODE64) ", $" AT(rm_blob, rm_lm64) "\n"
    ".code64\n"
    "rm_lm64:\n"
    "	mov $" S(SEL_DATA) ", %ax\n"
    "	mov %ax, %ds\n"
    "	mov %ax, %es\n"
    "	mov %ax, %ss\n"
    "	lidt " PARAM(P_IDTR) "\n"
    "	mov " PARAM(P_RSP) ", %rsp\n"
    "	mov $" S(MODE_PORT) ", %dx\n"
    "	mov $0x64646464, %eax\n"
    "	out %eax, %dx\n"
    "	mov " PARAM(P_ENTRY) ", %rax\n"
    "	call *%rax\n"
    "	ud2\n"
    "rm_blob_end:\n"

    /* ---- 32-bit protected mode, a 16-bit segment, back, HLT ---- */
    ".code32\n"
    "pm_blob:\n"
    "	mov $" S(MODE_PORT) ", %dx\n"
    "	mov $0x3232aaaa, %eax\n"
    "	out %eax, %dx\n"
    "	movl $0xcafebabe, " PARAM(P_PM_DWORD) "\n"
    "	mov " PARAM(P_PM_INPUT) ", %eax\n"
    "	out %eax, %dx\n"
    "	ljmp $" S(SEL_CODE16) ", $" AT(pm_blob, pm16) "\n"
    ".code16\n"
    "pm16:\n"
    "	mov $" S(SEL_DATA16) ", %ax\n"
    "	mov %ax, %ds\n"
    "	mov $0x1616, %ax\n"
    "	out %ax, %dx\n"
    "	movw $0x1234, " PARAM(P_PM16_WORD) "\n"
    "	ljmpl $" S(SEL_CODE32) ", $" AT(pm_blob, pm32_again) "\n"
    ".code32\n"
    "pm32_again:\n"
    "	mov $" S(SEL_DATA) ", %ax\n"
    "	mov %ax, %ds\n"
    "	hlt\n"
    "	ud2\n"
    "pm_blob_end:\n"

    /* ---- long mode, compatibility mode, back, HLT ---- */
    ".code64\n"
    "lm_blob:\n"
    "	mov $" S(MODE_PORT) ", %dx\n"
    "	mov $0x64646464, %eax\n"
    "	out %eax, %dx\n"
    "	movabs $0x1122334455667788, %rax\n"
    "	mov %rax, " PARAM(P_LM_QWORD) "\n"
    "	pushq $" S(SEL_CODE32) "\n"
    "	pushq $" AT(lm_blob, lm_compat) "\n"
    "	lretq\n"
    ".code32\n"
    "lm_compat:\n"
    "	mov $0x3232cccc, %eax\n"
    "	out %eax, %dx\n"
    "	ljmp $" S(SEL_CODE64) ", $" AT(lm_blob, lm_back) "\n"
    ".code64\n"
    "lm_back:\n"
    "	mov $0x6464cccc, %eax\n"
    "	out %eax, %dx\n"
    "	hlt\n"
    "	ud2\n"
    "lm_blob_end:\n"
    ".popsection\n");

/* One step of a blob: the exit it must produce, and the mode it must be in. */
struct mode_step {
	uint32_t exit_reason;
	uint8_t size;			/* IO: access size */
	uint32_t data;			/* IO: value */
	uint64_t cr0_set, cr0_clear;	/* CR0 bits that must be set / clear */
	uint64_t efer_set;
	uint16_t cs;			/* CS selector */
	uint32_t cs_attr;		/* CS attribute bits that must be set */
};

#define IO_STEP(sz, val, cr0, cr0_clr, efer, sel, attr) \
	{ HVPART_EXIT_IO, sz, val, cr0, cr0_clr, efer, sel, attr }

static void load_blob(struct hvp_vm *vm, const char *start, const char *end)
{
	TEST_ASSERT(end - start <= LOW_CODE_MAX, "blob of %td bytes", end - start);
	memcpy(addr_gpa2hva(vm, LOW_CODE_GPA), start, end - start);
}

static void set_params(struct hvp_vm *vm, uint64_t rsp, void (*entry)(void))
{
	uint8_t *p = addr_gpa2hva(vm, LOW_PARAMS_GPA);
	uint16_t gdt_limit = GDT_ENTRIES * 8 - 1, idt_limit = 256 * 16 - 1;
	uint64_t v;

	memset(p, 0, 0x100);
	memcpy(p + P_GDTR, &gdt_limit, 2);
	v = SYS_GDT_GPA;
	memcpy(p + P_GDTR + 2, &v, 8);
	memcpy(p + P_IDTR, &idt_limit, 2);
	v = SYS_IDT_GPA;
	memcpy(p + P_IDTR + 2, &v, 8);
	v = SYS_PML4_GPA;
	memcpy(p + P_CR3, &v, 8);
	memcpy(p + P_RSP, &rsp, 8);
	v = (uintptr_t)entry;
	memcpy(p + P_ENTRY, &v, 8);
}

static uint64_t param(struct hvp_vm *vm, unsigned int off, unsigned int size)
{
	uint64_t v = 0;

	memcpy(&v, (uint8_t *)addr_gpa2hva(vm, LOW_PARAMS_GPA) + off, size);
	return v;
}

static void run_steps(struct hvp_vp *vp, const struct mode_step *steps, size_t n)
{
	struct hvpart_run *run = vp->run;
	struct hvpart_sregs s;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct mode_step *st = &steps[i];

		vp_run(vp);
		TEST_ASSERT(run->exit_reason == st->exit_reason,
			    "step %zu: exit %s at rip %#llx, want %s", i,
			    exit_reason_str(run->exit_reason), (unsigned long long)run->rip,
			    exit_reason_str(st->exit_reason));
		if (st->exit_reason == HVPART_EXIT_IO)
			TEST_ASSERT(run->io.direction == HVPART_IO_OUT &&
				    run->io.port == MODE_PORT && run->io.size == st->size &&
				    run->io.data == st->data,
				    "step %zu: out port %#x size %u data %#llx, "
				    "want size %u data %#x", i, run->io.port, run->io.size,
				    (unsigned long long)run->io.data, st->size, st->data);
		vp_sregs_get(vp, &s);
		TEST_ASSERT((s.cr0 & st->cr0_set) == st->cr0_set && !(s.cr0 & st->cr0_clear) &&
			    (s.efer & st->efer_set) == st->efer_set,
			    "step %zu: cr0 %#llx efer %#llx", i, (unsigned long long)s.cr0,
			    (unsigned long long)s.efer);
		TEST_ASSERT(s.cs.selector == st->cs && (s.cs.attrib & st->cs_attr) == st->cs_attr,
			    "step %zu: cs %#x attrib %#x, want %#x with %#x", i, s.cs.selector,
			    s.cs.attrib, st->cs, st->cs_attr);
	}
}

/* Reached from the real-mode blob with the library's long-mode tables. */
static void rm_long_entry(void)
{
	struct desc_ptr gdt;

	GUEST_ASSERT((get_cr0() & (X86_CR0_PE | X86_CR0_PG)) == (X86_CR0_PE | X86_CR0_PG));
	GUEST_ASSERT(get_cr4() & X86_CR4_PAE);
	GUEST_ASSERT(rdmsr(MSR_EFER) & EFER_LMA);
	get_gdt(&gdt);
	GUEST_ASSERT_EQ(gdt.base, (uint64_t)SYS_GDT_GPA);
	GUEST_SYNC(64);
	GUEST_DONE();
}

static const struct mode_step rm_steps[] = {
	IO_STEP(2, 0x1616, 0, X86_CR0_PE, 0, 0, 0),
	IO_STEP(4, 0x32323232, X86_CR0_PE, X86_CR0_PG, 0, SEL_CODE32, HVPART_SEG_DB),
	IO_STEP(4, 0x64646464, X86_CR0_PE | X86_CR0_PG, 0, EFER_LME | EFER_LMA,
		SEL_CODE64, HVPART_SEG_L),
};

static void real_mode_to_long_mode(const void *arg __unused)
{
	struct hvpart_sregs s;
	struct hvpart_regs regs = { 0 };
	struct hvp_vm *vm = vm_create();
	struct hvp_vp *vp = vm_vp_add_raw(vm, 0);
	uint64_t stack = vm_alloc(vm, HVP_VP_STACK_SIZE, SZ_4K) + HVP_VP_STACK_SIZE;

	load_blob(vm, rm_blob, rm_blob_end);
	set_params(vm, stack, rm_long_entry);

	/* From the reset state, only CS:IP moves to 0000:8000. */
	vp_sregs_get(vp, &s);
	hvp_real_mode_segment(&s.cs, 0, true);
	vp_sregs_set(vp, &s);
	regs.rip = LOW_CODE_GPA;
	regs.rsp = LOW_PARAMS_GPA;
	regs.rflags = X86_RFLAGS_FIXED;
	vp_regs_set(vp, &regs);

	run_steps(vp, rm_steps, ARRAY_SIZE(rm_steps));
	TEST_ASSERT_EQ(param(vm, P_RM_WORD, 2), 0xbeef);
	vp_run_expect_sync(vp, 64);
	vp_run_expect_done(vp);
	vm_free(vm);
}

static const struct mode_step pm_steps[] = {
	IO_STEP(4, 0x3232aaaa, X86_CR0_PE, X86_CR0_PG, 0, SEL_CODE32, HVPART_SEG_DB),
	IO_STEP(4, 0x5eed5eed, X86_CR0_PE, X86_CR0_PG, 0, SEL_CODE32, HVPART_SEG_DB),
	IO_STEP(2, 0x1616, X86_CR0_PE, X86_CR0_PG, 0, SEL_CODE16, 0),
	{ HVPART_EXIT_HLT, 0, 0, X86_CR0_PE, X86_CR0_PG, 0, SEL_CODE32, HVPART_SEG_DB },
};

static void protected_mode(const void *arg __unused)
{
	struct hvpart_sregs s = { 0 };
	struct hvpart_regs regs = { 0 };
	struct hvp_vm *vm = vm_create();
	struct hvp_vp *vp = vm_vp_add_raw(vm, 0);
	uint32_t input = 0x5eed5eed;

	load_blob(vm, pm_blob, pm_blob_end);
	set_params(vm, 0, NULL);
	memcpy((uint8_t *)addr_gpa2hva(vm, LOW_PARAMS_GPA) + P_PM_INPUT, &input, 4);

	hvp_segment_from_gdt(SEL_CODE32, &s.cs);
	hvp_segment_from_gdt(SEL_DATA, &s.ds);
	s.es = s.fs = s.gs = s.ss = s.ds;
	hvp_segment_from_gdt(SEL_TSS, &s.tr);
	s.ldt.attrib = HVPART_SEG_UNUSABLE;
	s.gdt.base = SYS_GDT_GPA;
	s.gdt.limit = GDT_ENTRIES * 8 - 1;
	s.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE;
	vp_sregs_set(vp, &s);
	regs.rip = LOW_CODE_GPA;
	regs.rsp = LOW_PARAMS_GPA;
	regs.rflags = X86_RFLAGS_FIXED;
	vp_regs_set(vp, &regs);

	run_steps(vp, pm_steps, ARRAY_SIZE(pm_steps));
	TEST_ASSERT_EQ(param(vm, P_PM_DWORD, 4), 0xcafebabe);
	TEST_ASSERT_EQ(param(vm, P_PM16_WORD, 2), 0x1234);
	vm_free(vm);
}

static const struct mode_step lm_steps[] = {
	IO_STEP(4, 0x64646464, X86_CR0_PG, 0, EFER_LMA, SEL_CODE64, HVPART_SEG_L),
	IO_STEP(4, 0x3232cccc, X86_CR0_PG, 0, EFER_LMA, SEL_CODE32, HVPART_SEG_DB),
	IO_STEP(4, 0x6464cccc, X86_CR0_PG, 0, EFER_LMA, SEL_CODE64, HVPART_SEG_L),
	{ HVPART_EXIT_HLT, 0, 0, X86_CR0_PG, 0, EFER_LMA, SEL_CODE64, HVPART_SEG_L },
};

static void long_mode(const void *arg __unused)
{
	struct hvpart_regs regs;
	struct hvp_vm *vm = vm_create();
	struct hvp_vp *vp = vm_vp_add(vm, 0, NULL);

	load_blob(vm, lm_blob, lm_blob_end);
	vp_regs_get(vp, &regs);
	regs.rip = LOW_CODE_GPA;
	vp_regs_set(vp, &regs);

	run_steps(vp, lm_steps, ARRAY_SIZE(lm_steps));
	TEST_ASSERT_EQ(param(vm, P_LM_QWORD, 8), 0x1122334455667788ULL);
	vm_free(vm);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST(real_mode_to_long_mode),
		HVP_TEST(protected_mode),
		HVP_TEST(long_mode),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
