/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The local APIC for selftests (SDM vol. 3, chapter 11): register offsets,
 * ICR and LVT bits, and guest helpers that reach a register through the
 * xAPIC page or the x2APIC MSRs - apic_read()/apic_write() pick the one
 * the VP is in, from its IA32_APIC_BASE. Everything static inline here is
 * safe in guest code; the host helpers at the end wrap HVPART_INTERRUPT.
 */
#ifndef SELFTEST_HVPART_APIC_H
#define SELFTEST_HVPART_APIC_H

#include <stdbool.h>
#include <stdint.h>

#include "processor.h"

#define APIC_DEFAULT_GPA	0xfee00000UL

#define MSR_IA32_APICBASE_BSP	(1ULL << 8)
#define MSR_IA32_APICBASE_EXTD	(1ULL << 10)	/* x2APIC mode */
#define MSR_IA32_APICBASE_ENABLE (1ULL << 11)
#define MSR_IA32_TSC_DEADLINE	0x6e0
#define X2APIC_MSR_BASE		0x800
#define X2APIC_MSR(off)		(X2APIC_MSR_BASE + ((off) >> 4))

/* Register offsets in the xAPIC page (x2APIC MSR = 0x800 + offset / 16). */
#define APIC_ID		0x20
#define APIC_LVR	0x30
#define APIC_TASKPRI	0x80
#define APIC_PROCPRI	0xa0
#define APIC_EOI	0xb0
#define APIC_LDR	0xd0
#define APIC_DFR	0xe0
#define APIC_SPIV	0xf0
#define APIC_ISR	0x100	/* 8 registers, 0x10 apart */
#define APIC_TMR	0x180
#define APIC_IRR	0x200
#define APIC_ESR	0x280
#define APIC_ICR	0x300
#define APIC_ICR2	0x310
#define APIC_LVTT	0x320
#define APIC_LVTTHMR	0x330
#define APIC_LVTPC	0x340
#define APIC_LVT0	0x350
#define APIC_LVT1	0x360
#define APIC_LVTERR	0x370
#define APIC_TMICT	0x380
#define APIC_TMCCT	0x390
#define APIC_TDCR	0x3e0
#define APIC_SELF_IPI	0x3f0	/* x2APIC only */

#define APIC_SPIV_ENABLE	(1U << 8)
#define APIC_SPURIOUS_VECTOR	0xff

/* ICR low word. */
#define APIC_DM_FIXED		0x000
#define APIC_DM_LOWEST		0x100
#define APIC_DM_SMI		0x200
#define APIC_DM_NMI		0x400
#define APIC_DM_INIT		0x500
#define APIC_DM_STARTUP		0x600
#define APIC_DEST_LOGICAL	0x800
#define APIC_ICR_BUSY		0x1000
#define APIC_INT_ASSERT		0x4000
#define APIC_INT_LEVELTRIG	0x8000
#define APIC_DEST_SELF		0x40000
#define APIC_DEST_ALLINC	0x80000
#define APIC_DEST_ALLBUT	0xc0000

/* LVT entries. */
#define APIC_LVT_MASKED		(1U << 16)
#define APIC_LVT_TIMER_ONESHOT	(0U << 17)
#define APIC_LVT_TIMER_PERIODIC	(1U << 17)
#define APIC_LVT_TIMER_TSCDEADLINE (2U << 17)

/* ESR bits. */
#define APIC_ESR_SEND_ILLEGAL	(1U << 5)
#define APIC_ESR_RECV_ILLEGAL	(1U << 6)

/* DFR models (xAPIC). */
#define APIC_DFR_FLAT		0xffffffffU
#define APIC_DFR_CLUSTER	0x0fffffffU

/* ---- guest side ------------------------------------------------------- */

static inline uint32_t xapic_read_reg(uint32_t off)
{
	return *(volatile uint32_t *)(APIC_DEFAULT_GPA + off);
}

static inline void xapic_write_reg(uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(APIC_DEFAULT_GPA + off) = v;
}

static inline uint64_t x2apic_read_reg(uint32_t off)
{
	return rdmsr(X2APIC_MSR(off));
}

static inline void x2apic_write_reg(uint32_t off, uint64_t v)
{
	wrmsr(X2APIC_MSR(off), v);
}

static inline bool apic_x2apic_mode(void)
{
	return rdmsr(MSR_IA32_APICBASE) & MSR_IA32_APICBASE_EXTD;
}

/* A 32-bit register in whichever mode the VP's APIC is in. */
static inline uint32_t apic_read(uint32_t off)
{
	return apic_x2apic_mode() ? (uint32_t)x2apic_read_reg(off) : xapic_read_reg(off);
}

static inline void apic_write(uint32_t off, uint32_t v)
{
	if (apic_x2apic_mode())
		x2apic_write_reg(off, v);
	else
		xapic_write_reg(off, v);
}

static inline void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

/* Software-enable the APIC (SVR) in xAPIC mode, hardware-enabled at reset. */
static inline void xapic_enable(void)
{
	wrmsr(MSR_IA32_APICBASE, (rdmsr(MSR_IA32_APICBASE) & ~MSR_IA32_APICBASE_EXTD) |
				 MSR_IA32_APICBASE_ENABLE);
	xapic_write_reg(APIC_SPIV, APIC_SPIV_ENABLE | APIC_SPURIOUS_VECTOR);
}

static inline void x2apic_enable(void)
{
	wrmsr(MSR_IA32_APICBASE, rdmsr(MSR_IA32_APICBASE) | MSR_IA32_APICBASE_ENABLE |
				 MSR_IA32_APICBASE_EXTD);
	x2apic_write_reg(APIC_SPIV, APIC_SPIV_ENABLE | APIC_SPURIOUS_VECTOR);
}

static inline void apic_enable(bool x2apic)
{
	if (x2apic)
		x2apic_enable();
	else
		xapic_enable();
}

/* This VP's APIC ID (the VP index in hvpart). */
static inline uint32_t apic_id(void)
{
	if (apic_x2apic_mode())
		return x2apic_read_reg(APIC_ID);
	return xapic_read_reg(APIC_ID) >> 24;
}

/*
 * Send an IPI: @icr is the low word (vector, delivery mode, destination
 * mode, shorthand), @dest the destination field (8 bits in xAPIC mode,
 * 32 in x2APIC mode).
 */
static inline void apic_send_ipi(uint32_t dest, uint32_t icr)
{
	if (apic_x2apic_mode()) {
		x2apic_write_reg(APIC_ICR, ((uint64_t)dest << 32) | icr);
	} else {
		xapic_write_reg(APIC_ICR2, dest << 24);
		xapic_write_reg(APIC_ICR, icr);
	}
}

/* Bit @vector of the 256-bit ISR, TMR or IRR (@base APIC_ISR/TMR/IRR). */
static inline bool apic_vector_bit(uint32_t base, uint8_t vector)
{
	return apic_read(base + (vector / 32) * 0x10) & (1U << (vector % 32));
}

/* ---- host side -------------------------------------------------------- */

struct hvp_vm;

/* HVPART_INTERRUPT: raw (returns ioctl()'s result) and asserting forms. */
int __vm_interrupt(struct hvp_vm *vm, uint32_t dest, uint8_t vector, uint8_t delivery,
		   uint32_t flags);
void vm_interrupt(struct hvp_vm *vm, uint32_t dest, uint8_t vector, uint8_t delivery,
		  uint32_t flags);

#endif /* SELFTEST_HVPART_APIC_H */
