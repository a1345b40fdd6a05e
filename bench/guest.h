/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark guest's contract with its VMMs, shared by guest.S and the
 * host side. Both VMMs (vmm_kvm.c, vmm_hvpart.c) load the same bytes at the
 * same guest-physical addresses and start the VP in the same state, so any
 * difference in a row comes from the hypervisor, not from the guest.
 *
 * Guest-physical layout (the low 2 MiB are one mapped range):
 *   0x1000  PML4        identity map of 0..2 GiB with 2 MiB pages
 *   0x2000  PDPT
 *   0x3000  PD, 2 pages (0..1 GiB, 1..2 GiB)
 *   0x5000  GDT         null, 64-bit code, data, 64-bit TSS (16 bytes)
 *   0x5800  TSS
 *   0x6000  mailbox     struct bench_mbox
 *   0x8000  top of the stack
 *   0x9000  Hyper-V hypercall page (the hypervisor writes it)
 *   0xa000  IDT         256 gates; only the benchmarks' vectors are present
 *   0xb000  SynIC message page (SIMP)
 *   0xc000  SynIC event flags page (SIEFP)
 *   0xd000  HvPostMessage input page
 *   0x10000 guest code  guest.S
 *   0x100000 VMBus ring  header page, then 64 KiB of data (ring row)
 *   0x120000 the ring row's source packet payload
 *   0x130000 its memcpy destination, 64 KiB
 *   1 GiB   bench memory, mapped only by the memory rows
 *
 * Protocol: the guest writes its result into the mailbox and does an OUT
 * to BENCH_PORT_CTRL; the VMM sees that exit, reads the mailbox, writes
 * the next command and runs the VP again. BENCH_PORT_NOP is the port the
 * port-I/O row exits on: the VMM just runs the VP again.
 */
#ifndef BENCH_GUEST_H
#define BENCH_GUEST_H

#define BENCH_PML4_GPA		0x1000
#define BENCH_PDPT_GPA		0x2000
#define BENCH_PD_GPA		0x3000
#define BENCH_GDT_GPA		0x5000
#define BENCH_TSS_GPA		0x5800
#define BENCH_MBOX_GPA		0x6000
#define BENCH_IRQCNT_GPA	0x6040	/* u64: interrupts the guest's handler took */
#define BENCH_TIMERCNT_GPA	0x6048	/* u64: safety-timer interrupts (hltipi) */
#define BENCH_STACK_TOP		0x8000
#define BENCH_HCPAGE_GPA	0x9000
#define BENCH_IDT_GPA		0xa000
#define BENCH_SIMP_GPA		0xb000
#define BENCH_SIEFP_GPA		0xc000
#define BENCH_HVIN_GPA		0xd000
#define BENCH_CODE_GPA		0x10000
#define BENCH_LOW_SIZE		0x200000
#define BENCH_IDENTITY_SIZE	0x80000000
#define BENCH_MEM_GPA		0x40000000
#define BENCH_MEM_MAX		0x40000000

#define BENCH_SEL_CODE64	0x08
#define BENCH_SEL_DATA		0x10
#define BENCH_SEL_TSS		0x18
#define BENCH_GDT_ENTRIES	5	/* the TSS takes two */

#define BENCH_PORT_CTRL		0x510
#define BENCH_PORT_NOP		0x511

/* RDMSR row: IA32_APIC_BASE, handled in the kernel by KVM and hvpart. */
#define BENCH_MSR		0x1b

/*
 * Hypercall row. RAX is KVM's hypercall number, RCX the Hyper-V call code
 * (bits 15:0): neither is a call either hypervisor knows.
 */
#define BENCH_HC_KVM_NR		0xbe4c
#define BENCH_HC_HV_INPUT	0xffff

/*
 * Hypercall-to-the-VMM row: KVM_HC_MAP_GPA_RANGE (RBX GPA, RCX pages, RDX
 * attributes), the one call KVM hands to userspace (KVM_CAP_EXIT_HYPERCALL);
 * hvpart hands every call to the VMM under its default policy.
 */
#define BENCH_HC_MAP_GPA_RANGE	12
#define BENCH_HC_MAP_GPA	0x100000

/* Hyper-V MSRs (TLFS) that turn hypercalls on, and the ID the guest gives. */
#define BENCH_HV_MSR_GUEST_OS_ID	0x40000000
#define BENCH_HV_MSR_HYPERCALL		0x40000001
#define BENCH_HV_GUEST_OS_ID_LO		0x0
#define BENCH_HV_GUEST_OS_ID_HI		0x81000000	/* an open-source OS, Linux's vendor */

/*
 * Local APIC (x2APIC MSRs, SDM 11.12) and the interrupt rows. Every present
 * IDT gate but the safety timer's points at one handler, bench_guest_irq in
 * guest.S: it counts the interrupt at BENCH_IRQCNT_GPA and EOIs.
 */
#define BENCH_MSR_X2APIC_EOI	0x80b
#define BENCH_MSR_X2APIC_SVR	0x80f
#define BENCH_MSR_X2APIC_ICR	0x830
#define BENCH_APIC_BASE_EN_EXTD	0xc00		/* IA32_APIC_BASE: enable, x2APIC */
#define BENCH_APIC_SVR_ENABLE	0x1ff		/* software enable, spurious 0xff */
#define BENCH_ICR_SELF		0x40000		/* destination shorthand: self */
#define BENCH_IPI_VECTOR	0x40
#define BENCH_SINT_VECTOR	0x50

/*
 * The HLT row's safety net: a periodic LAPIC timer on its own vector (its
 * handler counts at BENCH_TIMERCNT_GPA) wakes a HLT that the IPI did not.
 * QEMU 7.2 can deliver the IPI before the HLT (docs/lab.md: it ignores the
 * interrupt shadow at VMRUN), and KVM's VP then sleeps for good. Every
 * 10^7 APIC ticks at divide-by-1 (10 ms at KVM's 1 GHz APIC clock).
 */
#define BENCH_TIMER_VECTOR	0x30
#define BENCH_MSR_X2APIC_LVTT	0x832
#define BENCH_MSR_X2APIC_TMICT	0x838
#define BENCH_MSR_X2APIC_TDCR	0x83e
#define BENCH_LVT_PERIODIC	0x20000
#define BENCH_TDCR_DIV1		0xb
#define BENCH_SAFETY_TMICT	10000000

/*
 * SynIC (TLFS "Inter-Partition Communication"): the SynIC rows use SINT
 * BENCH_SINT of VP 0. The guest sends on two connection ids, the host
 * answers on the SINT: event flag BENCH_HV_FLAG, or a message of type
 * BENCH_HV_MSG_HOST echoing the guest's 8-byte payload.
 */
#define BENCH_HV_MSR_SCONTROL	0x40000080
#define BENCH_HV_MSR_SIEFP	0x40000082
#define BENCH_HV_MSR_SIMP	0x40000083
#define BENCH_HV_MSR_EOM	0x40000084
#define BENCH_HV_MSR_SINT0	0x40000090
#define BENCH_SINT		2
#define BENCH_HV_CONN_EVENT	0x100		/* guest HvSignalEvent */
#define BENCH_HV_CONN_MSG	0x101		/* guest HvPostMessage */
#define BENCH_HV_FLAG		0
#define BENCH_HV_MSG_GUEST	0x1001		/* message types, below 0x80000000 */
#define BENCH_HV_MSG_HOST	0x1002
#define BENCH_HV_MSG_SIZE	256		/* struct hv_message */
#define BENCH_HV_MSG_PAYLOAD	16		/* its payload's offset */
#define BENCH_HV_MSG_FLAGS	5		/* message_flags; bit 0: pending */
#define BENCH_HV_SINT_FLAGS	256		/* SIEFP bytes per SINT (2048 flags) */
#define BENCH_HVCALL_POST_MESSAGE	0x5c	/* slow: input page in RDX */
#define BENCH_HVCALL_SIGNAL_EVENT_FAST	0x1005d	/* fast: connection id in RDX */

/* The guest's own failures in the round-trip rows (mailbox rax; rdx: count left). */
#define BENCH_RT_ERR_BAD_MSG	0x10002		/* a message came, not the answer */

/*
 * Ring row: the guest writes packets into a guest->host VMBus ring (one
 * header page, then the data; struct vmbus_ring_header, vmbus/proto.h) as
 * Linux's hv_ringbuffer_write does, and the VMM consumes them with
 * vmbus/ring.c. A packet: 16-byte descriptor (in-band data, trans_id the
 * guest's countdown), 1000 bytes of payload, 8-byte trailer: 1 KiB, so
 * none straddles the end of the 64 KiB ring. The memcpy part copies the
 * same 1000 bytes per packet into a 64 KiB buffer, at the same offsets.
 */
#define BENCH_RING_GPA		0x100000
#define BENCH_RING_DATA_GPA	(BENCH_RING_GPA + 0x1000)
#define BENCH_RING_SIZE		0x10000		/* data bytes, a power of two */
#define BENCH_RING_SRC_GPA	0x120000
#define BENCH_RING_DST_GPA	0x130000
#define BENCH_RING_W		0		/* header: write_index */
#define BENCH_RING_R		4		/* read_index */
#define BENCH_RING_PAYLOAD	1000
#define BENCH_RING_PKT		1024		/* descriptor + payload + trailer */
#define BENCH_RING_PKT_TYPE	6		/* VMBUS_PKT_DATA_INBAND */

/* Commands (mailbox cmd). */
#define BENCH_CMD_LOOP		1	/* count iterations of a loop without exits */
#define BENCH_CMD_CPUID		2	/* count x CPUID leaf 0 */
#define BENCH_CMD_VMMCALL	3	/* count x VMMCALL (AMD) */
#define BENCH_CMD_VMCALL	4	/* count x VMCALL (Intel) */
#define BENCH_CMD_PIO		5	/* count x OUT to BENCH_PORT_NOP */
#define BENCH_CMD_RDMSR		6	/* count x RDMSR BENCH_MSR */
#define BENCH_CMD_TOUCH		7	/* write one byte per 4 KiB of [arg0, arg1) */
#define BENCH_CMD_HV_ENABLE	8	/* identify to Hyper-V, enable the hypercall page */
#define BENCH_CMD_HLTIPI	9	/* count x self-IPI, then HLT until it arrives */
#define BENCH_CMD_SYNIC_ENABLE	10	/* x2APIC on, SIMP, SIEFP, SINT, SCONTROL */
#define BENCH_CMD_HVSIGNAL	11	/* count x HvSignalEvent, wait for the host's flag */
#define BENCH_CMD_HVPOST	12	/* count x HvPostMessage, wait for the host's message */
#define BENCH_CMD_RING		13	/* count x packet into the VMBus ring, wait till read */
#define BENCH_CMD_MEMCPY	14	/* count x memcpy of the same payload */
#define BENCH_CMD_VMMCALL_MAP	15	/* count x VMMCALL MAP_GPA_RANGE (AMD) */
#define BENCH_CMD_VMCALL_MAP	16	/* count x VMCALL MAP_GPA_RANGE (Intel) */

/* Mailbox offsets, for guest.S. */
#define BENCH_MB_CMD		0
#define BENCH_MB_COUNT		8
#define BENCH_MB_ARG0		16
#define BENCH_MB_ARG1		24
#define BENCH_MB_CYCLES		32
#define BENCH_MB_RAX		40
#define BENCH_MB_RDX		48
#define BENCH_MB_SEQ		56

#ifndef __ASSEMBLER__
#include <stdint.h>

/*
 * cmd, count, arg0, arg1: set by the VMM. cycles: TSC cycles the guest
 * measured around the whole loop. rax, rdx: the registers after the last
 * iteration (the hypercall result, the MSR value), so the VMM can check
 * that the path it measured is the one it meant. seq: bumped by the guest
 * on every report.
 */
struct bench_mbox {
	uint64_t cmd;
	uint64_t count;
	uint64_t arg0;
	uint64_t arg1;
	uint64_t cycles;
	uint64_t rax;
	uint64_t rdx;
	uint64_t seq;
};

_Static_assert(sizeof(struct bench_mbox) == 64, "mailbox layout");

/* The guest image, guest.S: copied to BENCH_CODE_GPA. */
extern const unsigned char bench_guest_start[], bench_guest_end[];
/* Its interrupt handler, inside the image. */
extern const unsigned char bench_guest_irq[];
extern const unsigned char bench_guest_timer_irq[];
#endif

#endif /* BENCH_GUEST_H */
