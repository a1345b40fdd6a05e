// SPDX-License-Identifier: GPL-2.0
/*
 * x86 side of the library: the system structures every partition gets
 * (identity page tables, GDT, TSS, IDT), the long-mode register state a new
 * VP starts in, and the guest half of exception handling.
 *
 * Identity map: 4 GiB with 2 MiB pages (one PML4 entry, one PDPT with four
 * entries, four page directories). All of it is mapped in the guest's page
 * tables even though only mem_size bytes are backed, so a guest access to
 * an unbacked GPA below 4 GiB is a nested-paging fault (HVPART_EXIT_MEMORY),
 * never a guest #PF: that is what the memory-exit tests rely on.
 */
#include <stdio.h>

#include "apic.h"
#include "hvp_util.h"

/* ---- host: descriptors ---------------------------------------------------- */

struct gdt_seg {
	uint32_t base;
	uint32_t limit;		/* byte granular, as in struct hvpart_segment */
	uint32_t attrib;	/* VMX access-rights layout (uapi) */
};

#define SEG_CODE	0xb	/* execute/read, accessed */
#define SEG_DATA	0x3	/* read/write, accessed */
#define SEG_TSS_BUSY	0xb	/* 64-bit (or 32-bit) busy TSS */

static const struct gdt_seg gdt_segs[GDT_ENTRIES] = {
	[SEL_CODE64 >> 3] = { 0, 0xffffffff, SEG_CODE | HVPART_SEG_S | HVPART_SEG_P |
					     HVPART_SEG_L | HVPART_SEG_G },
	[SEL_DATA >> 3]   = { 0, 0xffffffff, SEG_DATA | HVPART_SEG_S | HVPART_SEG_P |
					     HVPART_SEG_DB | HVPART_SEG_G },
	[SEL_CODE32 >> 3] = { 0, 0xffffffff, SEG_CODE | HVPART_SEG_S | HVPART_SEG_P |
					     HVPART_SEG_DB | HVPART_SEG_G },
	[SEL_CODE16 >> 3] = { 0, 0xffff, SEG_CODE | HVPART_SEG_S | HVPART_SEG_P },
	[SEL_DATA16 >> 3] = { 0, 0xffff, SEG_DATA | HVPART_SEG_S | HVPART_SEG_P },
	[SEL_TSS >> 3]    = { SYS_TSS_GPA, 0x67, SEG_TSS_BUSY | HVPART_SEG_P },
};

/*
 * An 8-byte descriptor from the uapi attribute layout: attribute bits 7:0
 * are descriptor byte 5 (type, S, DPL, P), bits 15:12 are the high nibble
 * of byte 6 (AVL, L, D/B, G) - the VMX access-rights format was made that
 * way (SDM vol. 3, 3.4.5 and 24.4.1).
 */
static uint64_t gdt_desc(const struct gdt_seg *s)
{
	uint32_t limit = s->limit;

	if (s->attrib & HVPART_SEG_G)
		limit >>= 12;
	return (limit & 0xffffULL) |
	       ((uint64_t)(s->base & 0xffffff) << 16) |
	       ((uint64_t)(s->attrib & 0xff) << 40) |
	       ((uint64_t)((limit >> 16) & 0xf) << 48) |
	       ((uint64_t)((s->attrib >> 12) & 0xf) << 52) |
	       ((uint64_t)(s->base >> 24) << 56);
}

void hvp_segment_from_gdt(uint16_t selector, struct hvpart_segment *seg)
{
	const struct gdt_seg *s = &gdt_segs[selector >> 3];

	TEST_ASSERT(selector && (selector >> 3) < GDT_ENTRIES && s->attrib,
		    "no GDT entry for selector %#x", selector);
	memset(seg, 0, sizeof(*seg));
	seg->selector = selector;
	seg->base = s->base;
	seg->limit = s->limit;
	seg->attrib = s->attrib;
}

void hvp_real_mode_segment(struct hvpart_segment *seg, uint16_t selector, bool code)
{
	memset(seg, 0, sizeof(*seg));
	seg->selector = selector;
	seg->base = (uint64_t)selector << 4;
	seg->limit = 0xffff;
	seg->attrib = (code ? SEG_CODE : SEG_DATA) | HVPART_SEG_S | HVPART_SEG_P;
}

/* ---- host: tables in guest memory ------------------------------------------ */

static void build_page_tables(struct hvp_vm *vm)
{
	uint64_t *pml4 = addr_gpa2hva(vm, SYS_PML4_GPA);
	uint64_t *pdpt = addr_gpa2hva(vm, SYS_PDPT_GPA);
	uint64_t *pd = addr_gpa2hva(vm, SYS_PD_GPA);
	uint64_t i;

	pml4[0] = SYS_PDPT_GPA | PTE_P | PTE_RW;
	for (i = 0; i < IDENTITY_MAP_SIZE / SZ_1G; i++)
		pdpt[i] = (SYS_PD_GPA + i * SZ_4K) | PTE_P | PTE_RW;
	/* The four PDs are contiguous: entry i maps i * 2 MiB. */
	for (i = 0; i < IDENTITY_MAP_SIZE / SZ_2M; i++)
		pd[i] = (i * SZ_2M) | PTE_P | PTE_RW | PTE_PS;
}

static void build_gdt_tss(struct hvp_vm *vm)
{
	uint64_t *gdt = addr_gpa2hva(vm, SYS_GDT_GPA);
	uint8_t *tss = addr_gpa2hva(vm, SYS_TSS_GPA);
	unsigned int i;

	for (i = 1; i < GDT_ENTRIES; i++) {
		if (gdt_segs[i].attrib)
			gdt[i] = gdt_desc(&gdt_segs[i]);
	}
	/* A system descriptor is 16 bytes in long mode: base 63:32 follows. */
	gdt[(SEL_TSS >> 3) + 1] = 0;

	/* 64-bit TSS: all zero but the I/O map base, past the limit (no map). */
	tss[102] = 104;
}

static void build_idt(struct hvp_vm *vm)
{
	extern const uint64_t hvp_exception_stubs[HVP_NR_EXCEPTIONS];
	extern const uint64_t hvp_interrupt_stubs[HVP_NR_VECTORS - HVP_NR_EXCEPTIONS];
	uint64_t *idt = addr_gpa2hva(vm, SYS_IDT_GPA);
	unsigned int i;

	/* 64-bit interrupt gates (type 0xe, P, DPL 0), IST 0: current stack. */
	for (i = 0; i < HVP_NR_VECTORS; i++) {
		uint64_t off = i < HVP_NR_EXCEPTIONS ? hvp_exception_stubs[i] :
				hvp_interrupt_stubs[i - HVP_NR_EXCEPTIONS];

		idt[2 * i] = (off & 0xffff) | ((uint64_t)SEL_CODE64 << 16) |
			     (0x8eULL << 40) | ((off >> 16 & 0xffff) << 48);
		idt[2 * i + 1] = off >> 32;
	}
}

void vm_setup_sys_tables(struct hvp_vm *vm)
{
	build_page_tables(vm);
	build_gdt_tss(vm);
	build_idt(vm);
}

void vp_sregs_long_mode(struct hvp_vm *vm, struct hvpart_sregs *s)
{
	(void)vm;
	memset(s, 0, sizeof(*s));
	hvp_segment_from_gdt(SEL_CODE64, &s->cs);
	hvp_segment_from_gdt(SEL_DATA, &s->ds);
	s->es = s->fs = s->gs = s->ss = s->ds;
	hvp_segment_from_gdt(SEL_TSS, &s->tr);
	s->ldt.attrib = HVPART_SEG_UNUSABLE;
	s->gdt.base = SYS_GDT_GPA;
	s->gdt.limit = GDT_ENTRIES * 8 - 1;
	s->idt.base = SYS_IDT_GPA;
	s->idt.limit = 256 * 16 - 1;
	s->cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE |
		 X86_CR0_WP | X86_CR0_PG;
	s->cr3 = SYS_PML4_GPA;
	s->cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	s->efer = EFER_LME | EFER_LMA | EFER_NXE;
}

/* ---- guest: exceptions ------------------------------------------------------ */

/*
 * The guest's copies are written by vm_install_exception_handler() and
 * vm_install_interrupt_handler(): one table for all 256 vectors.
 */
hvp_exception_handler_t hvp_exception_handlers[HVP_NR_VECTORS];
/* Per vector: the library EOIs after the handler unless HVP_IRQ_NO_EOI. */
uint8_t hvp_interrupt_flags[HVP_NR_VECTORS];

/* An exception raised by an ASM_SAFE() instruction (processor.h). */
static bool fixup_exception(struct ex_regs *regs)
{
	if (regs->r9 != HVP_FIXUP_MAGIC || regs->rip != regs->r10)
		return false;
	regs->r9 = regs->vector;
	regs->r10 = regs->error_code;
	regs->rip = regs->r11;
	return true;
}

void route_exception(struct ex_regs *regs);
void route_exception(struct ex_regs *regs)
{
	hvp_exception_handler_t h = NULL;

	if (regs->vector < HVP_NR_EXCEPTIONS && fixup_exception(regs))
		return;
	if (regs->vector < HVP_NR_VECTORS)
		h = READ_ONCE(hvp_exception_handlers[regs->vector]);
	if (h) {
		h(regs);
		if (regs->vector >= HVP_NR_EXCEPTIONS &&
		    !(READ_ONCE(hvp_interrupt_flags[regs->vector]) & HVP_IRQ_NO_EOI))
			apic_eoi();
		return;
	}
	ucall(UCALL_UNHANDLED, 3, regs->vector, regs->rip, regs->error_code);
	for (;;)
		hlt();
}

void vm_install_exception_handler(struct hvp_vm *vm, int vector,
				  hvp_exception_handler_t handler)
{
	TEST_ASSERT(vector >= 0 && vector < HVP_NR_EXCEPTIONS,
		    "vector %d is not an exception vector", vector);
	write_guest_global(vm, hvp_exception_handlers[vector], handler);
}

void vm_install_interrupt_handler_flags(struct hvp_vm *vm, int vector,
					hvp_exception_handler_t handler, uint8_t flags)
{
	TEST_ASSERT(vector >= HVP_NR_EXCEPTIONS && vector < HVP_NR_VECTORS,
		    "vector %d is not an interrupt vector (32-255)", vector);
	write_guest_global(vm, hvp_interrupt_flags[vector], flags);
	write_guest_global(vm, hvp_exception_handlers[vector], handler);
}

void vm_install_interrupt_handler(struct hvp_vm *vm, int vector,
				  hvp_exception_handler_t handler)
{
	vm_install_interrupt_handler_flags(vm, vector, handler, 0);
}

void guest_code_returned(void);
void guest_code_returned(void)
{
	GUEST_FAIL("guest code returned instead of calling GUEST_DONE()");
}

/* ---- guest: hypercalls ------------------------------------------------------- */

uint64_t guest_backend;

uint64_t guest_hypercall(uint64_t input, uint64_t in_gpa, uint64_t out_gpa)
{
	register uint64_t r8 asm("r8") = out_gpa;
	uint64_t ret;

	if (READ_ONCE(guest_backend) == HVPART_BACKEND_VMX)
		asm volatile("vmcall"
			     : "=a"(ret) : "c"(input), "d"(in_gpa), "r"(r8) : "memory");
	else
		asm volatile("vmmcall"
			     : "=a"(ret) : "c"(input), "d"(in_gpa), "r"(r8) : "memory");
	return ret;
}
