// SPDX-License-Identifier: GPL-2.0
/*
 * The guest image and initial VP state, built once for both VMMs: page
 * tables, GDT, TSS and IDT in the low 2 MiB, the code from guest.S, and long
 * mode at CPL 0 with interrupts off.
 */
#include <stddef.h>
#include <string.h>

#include "hvbench.h"

#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_PS		(1ULL << 7)

#define CR0_PE		(1ULL << 0)
#define CR0_MP		(1ULL << 1)
#define CR0_ET		(1ULL << 4)
#define CR0_NE		(1ULL << 5)
#define CR0_WP		(1ULL << 16)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)

#define TYPE_CODE	0xb	/* execute/read, accessed */
#define TYPE_DATA	0x3	/* read/write, accessed */
#define TYPE_TSS_BUSY	0xb	/* 64-bit TSS, busy */
#define TSS_LIMIT	0x67
#define TYPE_INTR_GATE	0xe	/* 64-bit interrupt gate: IF cleared on entry */
#define IDT_ENTRIES	256

_Static_assert(offsetof(struct bench_mbox, count) == BENCH_MB_COUNT, "mailbox");
_Static_assert(offsetof(struct bench_mbox, arg0) == BENCH_MB_ARG0, "mailbox");
_Static_assert(offsetof(struct bench_mbox, arg1) == BENCH_MB_ARG1, "mailbox");
_Static_assert(offsetof(struct bench_mbox, cycles) == BENCH_MB_CYCLES, "mailbox");
_Static_assert(offsetof(struct bench_mbox, rax) == BENCH_MB_RAX, "mailbox");
_Static_assert(offsetof(struct bench_mbox, rdx) == BENCH_MB_RDX, "mailbox");
_Static_assert(offsetof(struct bench_mbox, seq) == BENCH_MB_SEQ, "mailbox");

static const struct bench_seg seg_code64 = {
	.limit = 0xffffffff, .selector = BENCH_SEL_CODE64, .type = TYPE_CODE,
	.s = true, .present = true, .l = true, .g = true,
};

static const struct bench_seg seg_data = {
	.limit = 0xffffffff, .selector = BENCH_SEL_DATA, .type = TYPE_DATA,
	.s = true, .present = true, .db = true, .g = true,
};

static const struct bench_seg seg_tss = {
	.base = BENCH_TSS_GPA, .limit = TSS_LIMIT, .selector = BENCH_SEL_TSS,
	.type = TYPE_TSS_BUSY, .present = true,
};

/* The 8-byte descriptor for @s (SDM vol. 3, 3.4.5). */
static uint64_t descriptor(const struct bench_seg *s)
{
	uint64_t limit = s->g ? s->limit >> 12 : s->limit;
	uint64_t access = s->type | (s->s ? 1u << 4 : 0) | (s->present ? 1u << 7 : 0);
	uint64_t flags = (s->l ? 1u << 1 : 0) | (s->db ? 1u << 2 : 0) | (s->g ? 1u << 3 : 0);

	return (limit & 0xffff) | ((s->base & 0xffffff) << 16) | (access << 40) |
	       (((limit >> 16) & 0xf) << 48) | (flags << 52) | (((s->base >> 24) & 0xff) << 56);
}

/* A present 64-bit interrupt gate at @vector to @entry in the image (SDM vol. 3, 6.14.1). */
static void idt_gate(unsigned char *mem, unsigned int vector, const unsigned char *entry)
{
	uint64_t *gate = (uint64_t *)(mem + BENCH_IDT_GPA) + 2 * vector;
	uint64_t handler = BENCH_CODE_GPA + (uint64_t)(entry - bench_guest_start);

	gate[0] = (handler & 0xffff) | ((uint64_t)BENCH_SEL_CODE64 << 16) |
		  ((uint64_t)(TYPE_INTR_GATE | 0x80) << 40) | (((handler >> 16) & 0xffff) << 48);
	gate[1] = handler >> 32;
}

void bench_image_build(void *low_mem)
{
	unsigned char *mem = low_mem;
	uint64_t *pml4 = (uint64_t *)(mem + BENCH_PML4_GPA);
	uint64_t *pdpt = (uint64_t *)(mem + BENCH_PDPT_GPA);
	uint64_t *pd = (uint64_t *)(mem + BENCH_PD_GPA);
	uint64_t *gdt = (uint64_t *)(mem + BENCH_GDT_GPA);
	unsigned char *tss = mem + BENCH_TSS_GPA;
	uint64_t i;

	memset(mem, 0, BENCH_LOW_SIZE);

	/* Identity map with 2 MiB pages; the two PDs are contiguous. */
	pml4[0] = BENCH_PDPT_GPA | PTE_P | PTE_RW;
	for (i = 0; i < BENCH_IDENTITY_SIZE >> 30; i++)
		pdpt[i] = (BENCH_PD_GPA + i * 0x1000) | PTE_P | PTE_RW;
	for (i = 0; i < BENCH_IDENTITY_SIZE >> 21; i++)
		pd[i] = (i << 21) | PTE_P | PTE_RW | PTE_PS;

	gdt[BENCH_SEL_CODE64 >> 3] = descriptor(&seg_code64);
	gdt[BENCH_SEL_DATA >> 3] = descriptor(&seg_data);
	gdt[BENCH_SEL_TSS >> 3] = descriptor(&seg_tss);
	gdt[(BENCH_SEL_TSS >> 3) + 1] = 0;	/* base 63:32 of the TSS */

	/* I/O map base past the limit: no I/O permission map. */
	tss[102] = TSS_LIMIT + 1;

	/* The interrupt rows' vectors; every other gate is not present. */
	idt_gate(mem, BENCH_IPI_VECTOR, bench_guest_irq);
	idt_gate(mem, BENCH_SINT_VECTOR, bench_guest_irq);
	idt_gate(mem, BENCH_TIMER_VECTOR, bench_guest_timer_irq);

	memcpy(mem + BENCH_CODE_GPA, bench_guest_start,
	       (size_t)(bench_guest_end - bench_guest_start));
}

void bench_vp_initial_state(struct bench_vp_state *st)
{
	memset(st, 0, sizeof(*st));
	st->cs = seg_code64;
	st->ds = st->es = st->fs = st->gs = st->ss = seg_data;
	st->tr = seg_tss;
	st->ldt.unusable = true;
	st->gdt_base = BENCH_GDT_GPA;
	st->gdt_limit = BENCH_GDT_ENTRIES * 8 - 1;
	/*
	 * Gates only for the interrupt rows' vectors: an exception finds no
	 * gate and becomes a triple fault, which the VMM reports.
	 */
	st->idt_base = BENCH_IDT_GPA;
	st->idt_limit = IDT_ENTRIES * 16 - 1;
	st->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	st->cr3 = BENCH_PML4_GPA;
	st->cr4 = CR4_PAE;
	st->efer = EFER_LME | EFER_LMA;
	st->rip = BENCH_CODE_GPA;
	st->rsp = BENCH_STACK_TOP;
	st->rflags = 0x2;
}
