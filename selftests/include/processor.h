/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 facts the selftests need (control-register and EFER bits, segment
 * selectors of the library's GDT, the exception frame) and the small inline
 * helpers guest code uses instead of libc: port I/O, CPUID, MSRs, control
 * registers. Everything static inline here is safe in guest code.
 *
 * The guest layout is fixed (see hvp_util.h) so hand-written 16/32-bit
 * blobs can name addresses as assembler constants; keep these numbers plain
 * (no casts, no suffixes) because they are stringified into inline asm.
 */
#ifndef SELFTEST_HVPART_PROCESSOR_H
#define SELFTEST_HVPART_PROCESSOR_H

#include <stdint.h>

#define X86_CR0_PE	(1ULL << 0)
#define X86_CR0_MP	(1ULL << 1)
#define X86_CR0_EM	(1ULL << 2)
#define X86_CR0_TS	(1ULL << 3)
#define X86_CR0_ET	(1ULL << 4)
#define X86_CR0_NE	(1ULL << 5)
#define X86_CR0_WP	(1ULL << 16)
#define X86_CR0_AM	(1ULL << 18)
#define X86_CR0_NW	(1ULL << 29)
#define X86_CR0_CD	(1ULL << 30)
#define X86_CR0_PG	(1ULL << 31)

#define X86_CR4_VME	(1ULL << 0)
#define X86_CR4_PSE	(1ULL << 4)
#define X86_CR4_PAE	(1ULL << 5)
#define X86_CR4_PGE	(1ULL << 7)
#define X86_CR4_OSFXSR	(1ULL << 9)
#define X86_CR4_OSXMMEXCPT (1ULL << 10)
#define X86_CR4_VMXE	(1ULL << 13)
#define X86_CR4_OSXSAVE	(1ULL << 18)

#define EFER_SCE	(1ULL << 0)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define EFER_NXE	(1ULL << 11)
#define EFER_SVME	(1ULL << 12)

#define X86_RFLAGS_FIXED (1ULL << 1)
#define X86_RFLAGS_IF	(1ULL << 9)

/* Paging-structure entry bits (SDM vol. 3, 4.5). */
#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_US		(1ULL << 2)
#define PTE_PS		(1ULL << 7)
#define PTE_NX		(1ULL << 63)

#define MSR_IA32_TSC		0x10
#define MSR_IA32_APICBASE	0x1b
#define MSR_IA32_SYSENTER_CS	0x174
#define MSR_IA32_SYSENTER_ESP	0x175
#define MSR_IA32_SYSENTER_EIP	0x176
#define MSR_IA32_MISC_ENABLE	0x1a0
#define MSR_IA32_CR_PAT		0x277
#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SYSCALL_MASK	0xc0000084
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102

/* Exception vectors (SDM vol. 3, 6.3.1). */
#define DE_VECTOR	0
#define DB_VECTOR	1
#define BP_VECTOR	3
#define UD_VECTOR	6
#define NM_VECTOR	7
#define DF_VECTOR	8
#define TS_VECTOR	10
#define NP_VECTOR	11
#define SS_VECTOR	12
#define GP_VECTOR	13
#define PF_VECTOR	14
#define AC_VECTOR	17
#define HVP_NR_EXCEPTIONS 32

/*
 * GDT of every partition the library builds. Long-mode tests use CODE64
 * and DATA; the mode tests also use the 32-bit and 16-bit segments.
 */
#define SEL_NULL	0x00
#define SEL_CODE64	0x08	/* L=1, D=0 */
#define SEL_DATA	0x10	/* flat 4 GiB read/write, B=1 */
#define SEL_CODE32	0x18	/* flat 4 GiB, D=1 */
#define SEL_CODE16	0x20	/* base 0, limit 64 KiB, D=0 */
#define SEL_DATA16	0x28	/* base 0, limit 64 KiB, B=0 */
#define SEL_TSS		0x30	/* 64-bit TSS, two slots */
#define GDT_ENTRIES	8

/*
 * Fixed guest-physical layout (identity mapped, so also the guest virtual
 * layout). Below 1 MiB: room for real-mode blobs; 1 MiB: system tables;
 * 4 MiB (0x400000): the test binary itself, loaded at its link address;
 * above the binary: stacks and pages from vm_alloc().
 */
#define LOW_PARAMS_GPA	0x7000	/* struct mode_params for the mode tests */
#define LOW_CODE_GPA	0x8000	/* 16/32-bit blobs are copied here */
#define LOW_CODE_MAX	0x8000	/* bytes available at LOW_CODE_GPA */
#define SYS_GDT_GPA	0x100000
#define SYS_IDT_GPA	0x101000
#define SYS_TSS_GPA	0x102000
#define SYS_PML4_GPA	0x103000
#define SYS_PDPT_GPA	0x104000
#define SYS_PD_GPA	0x105000 /* 4 pages: PDs for 0-4 GiB */
#define SYS_END_GPA	0x109000
#define IDENTITY_MAP_SIZE 0x100000000ULL

/*
 * Exception frame handed to handlers: what the stubs in lib/handlers.S push
 * (general registers, vector, error code or 0) under what the CPU pushed.
 * A handler may change rip (e.g. to skip the faulting instruction) or any
 * register; the stub restores them all and IRETQs.
 */
struct ex_regs {
	uint64_t rax, rcx, rdx, rbx;
	uint64_t rbp, rsi, rdi;
	uint64_t r8, r9, r10, r11;
	uint64_t r12, r13, r14, r15;
	uint64_t vector;
	uint64_t error_code;
	uint64_t rip;
	uint64_t cs;
	uint64_t rflags;
	uint64_t rsp;
	uint64_t ss;
};

typedef void (*hvp_exception_handler_t)(struct ex_regs *regs);

#define HVP_NR_VECTORS	256

/*
 * Catching an exception in guest code without a handler (KVM's
 * KVM_ASM_SAFE): ASM_SAFE(insn) runs @insn with R9 = HVP_FIXUP_MAGIC,
 * R10 = the instruction's address and R11 = where to continue. If @insn
 * raises an exception, the library's exception path (processor.c) sees the
 * magic, sets R9 to the vector and R10 to the error code and resumes at
 * R11; otherwise R9 is cleared. The vector ends up in the output operand
 * named "vector" (0: no exception; #DE cannot be told apart, so do not
 * use this for instructions that may divide). Works on every VP at once,
 * since all state is in registers.
 */
#define HVP_FIXUP_MAGIC		0xabacadaba5a5ULL
#define HVP_FIXUP_MAGIC_ASM	"0xabacadaba5a5"	/* the same, for asm */

#define ASM_SAFE(insn)							\
	"mov $" HVP_FIXUP_MAGIC_ASM ", %%r9\n\t"			\
	"lea 1f(%%rip), %%r10\n\t"					\
	"lea 2f(%%rip), %%r11\n\t"					\
	"1: " insn "\n\t"						\
	"xor %%r9, %%r9\n\t"						\
	"2:\n\t"							\
	"mov %%r9b, %[vector]\n\t"

#define ASM_SAFE_OUTPUT(v)	[vector] "=qm"(v)
#define ASM_SAFE_CLOBBERS	"r9", "r10", "r11", "memory"

/* ---- guest-safe helpers ------------------------------------------------ */

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline void cpuid_count(uint32_t fn, uint32_t idx, uint32_t *a,
			       uint32_t *b, uint32_t *c, uint32_t *d)
{
	asm volatile("cpuid"
		     : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(fn), "c"(idx)
		     : "memory");
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return lo | ((uint64_t)hi << 32);
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr"
		     : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
		     : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return lo | ((uint64_t)hi << 32);
}

/* RDMSR/WRMSR that report an exception (e.g. GP_VECTOR) instead of taking it. */
static inline uint8_t rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint32_t lo, hi;
	uint8_t vector;

	asm volatile(ASM_SAFE("rdmsr")
		     : "=a"(lo), "=d"(hi), ASM_SAFE_OUTPUT(vector)
		     : "c"(msr)
		     : ASM_SAFE_CLOBBERS);
	*val = vector ? 0 : lo | ((uint64_t)hi << 32);
	return vector;
}

static inline uint8_t wrmsr_safe(uint32_t msr, uint64_t v)
{
	uint8_t vector;

	asm volatile(ASM_SAFE("wrmsr")
		     : ASM_SAFE_OUTPUT(vector)
		     : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
		     : ASM_SAFE_CLOBBERS);
	return vector;
}

#define DEFINE_GET_CR(n)						\
static inline uint64_t get_cr##n(void)					\
{									\
	uint64_t v;							\
	asm volatile("mov %%cr" #n ", %0" : "=r"(v) : : "memory");	\
	return v;							\
}
DEFINE_GET_CR(0)
DEFINE_GET_CR(2)
DEFINE_GET_CR(3)
DEFINE_GET_CR(4)
DEFINE_GET_CR(8)
#undef DEFINE_GET_CR

static inline void set_cr3(uint64_t v)
{
	asm volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline void set_cr4(uint64_t v)
{
	asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

struct __attribute__((packed)) desc_ptr {
	uint16_t limit;
	uint64_t base;
};

static inline void get_gdt(struct desc_ptr *d)
{
	asm volatile("sgdt %0" : "=m"(*d));
}

static inline void get_idt(struct desc_ptr *d)
{
	asm volatile("sidt %0" : "=m"(*d));
}

static inline void set_idt(const struct desc_ptr *d)
{
	asm volatile("lidt %0" : : "m"(*d) : "memory");
}

static inline void hlt(void)
{
	asm volatile("hlt" : : : "memory");
}

static inline void set_cr8(uint64_t v)
{
	asm volatile("mov %0, %%cr8" : : "r"(v) : "memory");
}

static inline void cli(void)
{
	asm volatile("cli" : : : "memory");
}

static inline void sti(void)
{
	asm volatile("sti" : : : "memory");
}

/* Open an interrupt window of one instruction: pending interrupts are taken. */
static inline void sti_nop_cli(void)
{
	asm volatile("sti; nop; cli" : : : "memory");
}

/* Sleep until an interrupt, then take it; returns with interrupts off. */
static inline void safe_halt_cli(void)
{
	asm volatile("sti; hlt; cli" : : : "memory");
}

static inline void cpu_relax(void)
{
	asm volatile("pause" : : : "memory");
}

static inline uint64_t get_rflags(void)
{
	uint64_t v;

	asm volatile("pushfq; pop %0" : "=r"(v));
	return v;
}

#endif /* SELFTEST_HVPART_PROCESSOR_H */
