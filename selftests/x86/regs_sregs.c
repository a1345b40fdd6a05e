// SPDX-License-Identifier: GPL-2.0
/*
 * Registers: a new VP is in the x86 reset state (and can run from the reset
 * vector), GET/SET_REGS and GET/SET_SREGS round-trip exactly, the guest
 * sees what the host set, and the host sees what the guest left.
 */
#include <sys/mman.h>

#include "hvp_util.h"

/* ---- reset state --------------------------------------------------------------- */

static void reset_state(const void *arg __unused)
{
	static const char *const names[] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp",
					     "rbp", "r8", "r9", "r10", "r11", "r12", "r13",
					     "r14", "r15" };
	struct hvp_vm *vm = vm_create();
	struct hvp_vp *vp = vm_vp_add_raw(vm, 0);
	const struct hvpart_segment *segs[5];
	struct hvpart_sregs s;
	struct hvpart_regs r;
	const __u64 *gpr = &r.rax;
	unsigned int i;

	vp_regs_get(vp, &r);
	vp_sregs_get(vp, &s);
	TEST_ASSERT_EQ(r.rip, 0xfff0);
	TEST_ASSERT_EQ(r.rflags, 0x2);
	for (i = 0; i < 16; i++) {
		/* RDX holds the processor signature after reset. */
		if (i != 3)
			TEST_ASSERT(!gpr[i], "%s = %#llx after reset", names[i],
				    (unsigned long long)gpr[i]);
	}
	TEST_ASSERT(s.cs.selector == 0xf000 && s.cs.base == 0xffff0000 && s.cs.limit == 0xffff,
		    "CS %#x base %#llx limit %#x", s.cs.selector, (unsigned long long)s.cs.base,
		    s.cs.limit);
	TEST_ASSERT((s.cs.attrib & (HVPART_SEG_P | HVPART_SEG_S | 0x8)) ==
		    (HVPART_SEG_P | HVPART_SEG_S | 0x8), "CS attrib %#x", s.cs.attrib);
	segs[0] = &s.ds;
	segs[1] = &s.es;
	segs[2] = &s.fs;
	segs[3] = &s.gs;
	segs[4] = &s.ss;
	for (i = 0; i < 5; i++)
		TEST_ASSERT(!segs[i]->selector && !segs[i]->base && segs[i]->limit == 0xffff,
			    "data segment %u: sel %#x base %#llx limit %#x", i, segs[i]->selector,
			    (unsigned long long)segs[i]->base, segs[i]->limit);
	TEST_ASSERT_EQ(s.cr0, 0x60000010);
	TEST_ASSERT(!s.cr2 && !s.cr3 && !s.cr4 && !s.efer, "cr2 %#llx cr3 %#llx cr4 %#llx efer %#llx",
		    (unsigned long long)s.cr2, (unsigned long long)s.cr3,
		    (unsigned long long)s.cr4, (unsigned long long)s.efer);
	TEST_ASSERT(!s.gdt.base && s.gdt.limit == 0xffff && !s.idt.base && s.idt.limit == 0xffff,
		    "GDTR %#llx/%#x IDTR %#llx/%#x", (unsigned long long)s.gdt.base, s.gdt.limit,
		    (unsigned long long)s.idt.base, s.idt.limit);
	vm_free(vm);
}

/* From the reset state, the first instruction is fetched at 0xfffffff0. */
extern const char reset_blob[], reset_blob_end[];
asm(".pushsection .rodata.reset_blob, \"a\"\n"
    ".code16\n"
    "reset_blob:\n"
    "	mov $0x42, %al\n"
    "	out %al, $0x80\n"
    "	mov %cs, %ax\n"
    "	out %ax, $0x80\n"
    "	hlt\n"
    "reset_blob_end:\n"
    ".code64\n"
    ".popsection\n");

static void reset_vector_runs(const void *arg __unused)
{
	struct hvp_vm *vm = vm_create();
	struct hvp_vp *vp = vm_vp_add_raw(vm, 0);
	uint8_t *rom = mmap(NULL, SZ_4K, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);
	struct hvpart_run *run = vp->run;

	TEST_ASSERT(rom != MAP_FAILED, "mmap");
	memset(rom, 0xf4, SZ_4K);		/* hlt */
	memcpy(rom + 0xff0, reset_blob, reset_blob_end - reset_blob);
	vm_map(vm, 0xfffff000, SZ_4K, rom, HVPART_MEM_READ | HVPART_MEM_EXEC);

	vp_run(vp);
	/* run->rip: the OUT, after the 2-byte "mov $0x42, %al" at IP 0xfff0. */
	TEST_ASSERT(run->exit_reason == HVPART_EXIT_IO && run->io.size == 1 &&
		    run->io.data == 0x42 && run->rip == 0xfff2,
		    "first exit %s data %#llx rip %#llx", exit_reason_str(run->exit_reason),
		    (unsigned long long)run->io.data, (unsigned long long)run->rip);
	vp_run(vp);
	TEST_ASSERT(run->exit_reason == HVPART_EXIT_IO && run->io.size == 2 &&
		    run->io.data == 0xf000, "second exit %s data %#llx",
		    exit_reason_str(run->exit_reason), (unsigned long long)run->io.data);
	vp_run(vp);
	TEST_ASSERT_EXIT_REASON(vp, HVPART_EXIT_HLT);
	vm_free(vm);
}

/* ---- general registers --------------------------------------------------------- */

static void regs_roundtrip(const void *arg __unused)
{
	struct hvp_vm *vm = vm_create();
	struct hvp_vp *vp = vm_vp_add_raw(vm, 0);
	struct hvpart_regs in, out;
	__u64 *p = &in.rax;
	unsigned int i;

	for (i = 0; i < sizeof(in) / 8; i++)
		p[i] = 0x0101010101010101ULL * (i + 1) ^ 0x8000000000000000ULL;
	in.rflags = 0xed7 | X86_RFLAGS_FIXED;	/* arithmetic flags, DF, IF */
	vp_regs_set(vp, &in);
	vp_regs_get(vp, &out);
	TEST_ASSERT(!memcmp(&in, &out, sizeof(in)), "GET_REGS differs from SET_REGS");
	vm_free(vm);
}

/* What the guest sees of the host's registers, and the host of the guest's. */
struct gprs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
};

struct gprs regs_seen;
void guest_regs_entry(void);
void guest_regs_done(void);

asm(".pushsection .text\n"
    "guest_regs_entry:\n"
    "	mov %rax, regs_seen + 0(%rip)\n"
    "	mov %rbx, regs_seen + 8(%rip)\n"
    "	mov %rcx, regs_seen + 16(%rip)\n"
    "	mov %rdx, regs_seen + 24(%rip)\n"
    "	mov %rsi, regs_seen + 32(%rip)\n"
    "	mov %rdi, regs_seen + 40(%rip)\n"
    "	mov %rbp, regs_seen + 48(%rip)\n"
    "	mov %r8, regs_seen + 56(%rip)\n"
    "	mov %r9, regs_seen + 64(%rip)\n"
    "	mov %r10, regs_seen + 72(%rip)\n"
    "	mov %r11, regs_seen + 80(%rip)\n"
    "	mov %r12, regs_seen + 88(%rip)\n"
    "	mov %r13, regs_seen + 96(%rip)\n"
    "	mov %r14, regs_seen + 104(%rip)\n"
    "	mov %r15, regs_seen + 112(%rip)\n"
    "	movabs $0xa0a0a0a0a0a0a0a0, %rax\n"
    "	movabs $0xb0b0b0b0b0b0b0b0, %rbx\n"
    "	movabs $0xc0c0c0c0c0c0c0c0, %rcx\n"
    "	movabs $0xd0d0d0d0d0d0d0d0, %rdx\n"
    "	movabs $0x5151515151515151, %rsi\n"
    "	movabs $0xd1d1d1d1d1d1d1d1, %rdi\n"
    "	movabs $0xbebebebebebebebe, %rbp\n"
    "	movabs $0x0808080808080808, %r8\n"
    "	movabs $0x0909090909090909, %r9\n"
    "	movabs $0x1010101010101010, %r10\n"
    "	movabs $0x1111111111111111, %r11\n"
    "	movabs $0x1212121212121212, %r12\n"
    "	movabs $0x1313131313131313, %r13\n"
    "	movabs $0x1414141414141414, %r14\n"
    "	movabs $0x1515151515151515, %r15\n"
    "	stc\n"
    "	std\n"
    "	hlt\n"
    "	cld\n"
    "	jmp guest_regs_done\n"
    ".popsection\n");

void guest_regs_done(void)
{
	GUEST_DONE();
}

static void guest_sees_regs(const void *arg __unused)
{
	static const struct gprs left = {
		0xa0a0a0a0a0a0a0a0ULL, 0xb0b0b0b0b0b0b0b0ULL, 0xc0c0c0c0c0c0c0c0ULL,
		0xd0d0d0d0d0d0d0d0ULL, 0x5151515151515151ULL, 0xd1d1d1d1d1d1d1d1ULL,
		0xbebebebebebebebeULL, 0x0808080808080808ULL, 0x0909090909090909ULL,
		0x1010101010101010ULL, 0x1111111111111111ULL, 0x1212121212121212ULL,
		0x1313131313131313ULL, 0x1414141414141414ULL, 0x1515151515151515ULL,
	};
	struct hvpart_regs r;
	struct hvp_vm *vm;
	struct hvp_vp *vp;
	struct gprs set;

	vm = vm_create_with_one_vp(&vp, guest_regs_entry);
	vp_regs_get(vp, &r);
	set = (struct gprs){ 1, 2, 3, 4, 5, 6, 0x7777777777777777ULL, 8, 9, 10, 11, 12, 13,
			     14, 0xffffffffffffffffULL };
	r.rax = set.rax; r.rbx = set.rbx; r.rcx = set.rcx; r.rdx = set.rdx;
	r.rsi = set.rsi; r.rdi = set.rdi; r.rbp = set.rbp; r.r8 = set.r8;
	r.r9 = set.r9; r.r10 = set.r10; r.r11 = set.r11; r.r12 = set.r12;
	r.r13 = set.r13; r.r14 = set.r14; r.r15 = set.r15;
	vp_regs_set(vp, &r);

	vp_run(vp);
	TEST_ASSERT_EXIT_REASON(vp, HVPART_EXIT_HLT);
	sync_global_from_guest(vm, regs_seen);
	TEST_ASSERT(!memcmp(&regs_seen, &set, sizeof(set)), "the guest saw other registers");

	vp_regs_get(vp, &r);
	TEST_ASSERT(r.rax == left.rax && r.rbx == left.rbx && r.rcx == left.rcx &&
		    r.rdx == left.rdx && r.rsi == left.rsi && r.rdi == left.rdi &&
		    r.rbp == left.rbp && r.r8 == left.r8 && r.r9 == left.r9 &&
		    r.r10 == left.r10 && r.r11 == left.r11 && r.r12 == left.r12 &&
		    r.r13 == left.r13 && r.r14 == left.r14 && r.r15 == left.r15,
		    "GET_REGS after the guest set them: rax %#llx ... r15 %#llx",
		    (unsigned long long)r.rax, (unsigned long long)r.r15);
	TEST_ASSERT((r.rflags & 0x401) == 0x401, "CF and DF not set: rflags %#llx",
		    (unsigned long long)r.rflags);
	vp_run_expect_done(vp);
	vm_free(vm);
}

/* ---- system registers --------------------------------------------------------- */

#define CHECK_SEG(a, b, n) \
	TEST_ASSERT(!memcmp(&(a)->n, &(b)->n, sizeof((a)->n)), \
		    #n ": sel %#x base %#llx limit %#x attrib %#x, want %#x %#llx %#x %#x", \
		    (a)->n.selector, (unsigned long long)(a)->n.base, (a)->n.limit, (a)->n.attrib, \
		    (b)->n.selector, (unsigned long long)(b)->n.base, (b)->n.limit, (b)->n.attrib)
#define CHECK_FIELD(a, b, n) \
	TEST_ASSERT((a)->n == (b)->n, #n ": %#llx, want %#llx", \
		    (unsigned long long)(a)->n, (unsigned long long)(b)->n)

static void sregs_equal(const struct hvpart_sregs *a, const struct hvpart_sregs *b)
{
	CHECK_SEG(a, b, cs);
	CHECK_SEG(a, b, ds);
	CHECK_SEG(a, b, es);
	CHECK_SEG(a, b, fs);
	CHECK_SEG(a, b, gs);
	CHECK_SEG(a, b, ss);
	CHECK_SEG(a, b, tr);
	CHECK_SEG(a, b, ldt);
	CHECK_FIELD(a, b, gdt.base);
	CHECK_FIELD(a, b, gdt.limit);
	CHECK_FIELD(a, b, idt.base);
	CHECK_FIELD(a, b, idt.limit);
	CHECK_FIELD(a, b, cr0);
	CHECK_FIELD(a, b, cr2);
	CHECK_FIELD(a, b, cr3);
	CHECK_FIELD(a, b, cr4);
	CHECK_FIELD(a, b, cr8);
	CHECK_FIELD(a, b, efer);
	TEST_ASSERT(!memcmp(a, b, sizeof(*a)), "sregs differ in padding");
}

/* The guest reports what it sees of the system registers the host set. */
static void guest_sregs(void)
{
	struct desc_ptr gdt, idt;

	get_gdt(&gdt);
	get_idt(&idt);
	GUEST_SYNC3(get_cr2(), get_cr8(), rdmsr(MSR_FS_BASE));
	GUEST_SYNC3(rdmsr(MSR_GS_BASE), gdt.base | (uint64_t)gdt.limit << 48,
		    idt.base | (uint64_t)idt.limit << 48);
	GUEST_DONE();
}

static void sregs_roundtrip(const void *arg __unused)
{
	struct hvpart_sregs a, b;
	struct ucall uc;
	struct hvp_vm *vm;
	struct hvp_vp *vp;

	vm = vm_create_with_one_vp(&vp, guest_sregs);

	/* Unchanged SET then GET is the identity. */
	vp_sregs_get(vp, &a);
	vp_sregs_set(vp, &a);
	vp_sregs_get(vp, &b);
	sregs_equal(&b, &a);

	/* Changed fields come back, and the guest sees them. */
	a.cr2 = 0xdeadbeef000ULL;
	a.cr8 = 5;
	a.fs.base = 0x1234000;
	a.gs.base = 0xffff888000000000ULL;
	a.gdt.limit = GDT_ENTRIES * 8 + 7;
	a.idt.limit = 32 * 16 - 1;
	a.ds.selector = 0;	/* a null data selector is fine in long mode */
	vp_sregs_set(vp, &a);
	vp_sregs_get(vp, &b);
	sregs_equal(&b, &a);

	TEST_ASSERT_EQ(vp_run_ucall(vp, &uc), UCALL_SYNC);
	TEST_ASSERT(uc.args[0] == a.cr2 && uc.args[1] == a.cr8 && uc.args[2] == a.fs.base,
		    "guest: cr2 %#lx cr8 %lu fs.base %#lx", (unsigned long)uc.args[0],
		    (unsigned long)uc.args[1], (unsigned long)uc.args[2]);
	TEST_ASSERT_EQ(vp_run_ucall(vp, &uc), UCALL_SYNC);
	TEST_ASSERT(uc.args[0] == a.gs.base &&
		    uc.args[1] == (a.gdt.base | (uint64_t)a.gdt.limit << 48) &&
		    uc.args[2] == (a.idt.base | (uint64_t)a.idt.limit << 48),
		    "guest: gs.base %#lx gdtr %#lx idtr %#lx", (unsigned long)uc.args[0],
		    (unsigned long)uc.args[1], (unsigned long)uc.args[2]);
	vp_run_expect_done(vp);
	vm_free(vm);
}

/* The reset state (real mode) also round-trips unchanged. */
static void sregs_reset_roundtrip(const void *arg __unused)
{
	struct hvp_vm *vm = vm_create();
	struct hvp_vp *vp = vm_vp_add_raw(vm, 0);
	struct hvpart_sregs a, b;

	vp_sregs_get(vp, &a);
	vp_sregs_set(vp, &a);
	vp_sregs_get(vp, &b);
	sregs_equal(&b, &a);
	vm_free(vm);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		HVP_TEST(reset_state),
		HVP_TEST(reset_vector_runs),
		HVP_TEST(regs_roundtrip),
		HVP_TEST(guest_sees_regs),
		HVP_TEST(sregs_roundtrip),
		HVP_TEST(sregs_reset_roundtrip),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
