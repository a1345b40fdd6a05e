/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Hyper-V guest interface for selftests (TLFS; the facts a Linux guest
 * relies on are in ../shared/hyperv-facts.md): CPUID leaves and bits,
 * synthetic MSRs, hypercall codes and statuses, SynIC and timer layouts,
 * with the kernel's names (asm/hyperv-tlfs.h) so they can be grepped.
 *
 * Guest side: hv_enable_hypercalls() identifies the guest and enables the
 * hypercall page (a page of the test binary, so each partition has its
 * own); hv_hypercall() calls through it as Linux does. Host side: wrappers
 * of HVPART_SET_HV_CONFIG, HVPART_HV_POST_MESSAGE, HVPART_HV_SIGNAL_EVENT
 * and HVPART_HV_CONNECT, asserting and raw ("__") forms.
 */
#ifndef SELFTEST_HVPART_HYPERV_H
#define SELFTEST_HVPART_HYPERV_H

#include <stdint.h>

#include <linux/hvpart.h>

#include "processor.h"

/* ---- CPUID (TLFS "Feature and Interface Discovery") ---------------------- */

#define HYPERV_CPUID_VENDOR_AND_MAX_FUNCTIONS	0x40000000
#define HYPERV_CPUID_INTERFACE			0x40000001
#define HYPERV_CPUID_VERSION			0x40000002
#define HYPERV_CPUID_FEATURES			0x40000003
#define HYPERV_CPUID_ENLIGHTMENT_INFO		0x40000004
#define HYPERV_CPUID_IMPLEMENT_LIMITS		0x40000005
#define HYPERV_CPUID_NESTED_FEATURES		0x4000000a

#define HYPERV_VENDOR_EBX	0x7263694d	/* "Micr" */
#define HYPERV_VENDOR_ECX	0x666f736f	/* "osof" */
#define HYPERV_VENDOR_EDX	0x76482074	/* "t Hv" */
#define HYPERV_INTERFACE_HV1	0x31237648	/* "Hv#1" */

/* 0x40000003 EAX: partition privileges, group A. */
#define HV_MSR_VP_RUNTIME_AVAILABLE		(1U << 0)
#define HV_MSR_TIME_REF_COUNT_AVAILABLE		(1U << 1)
#define HV_MSR_SYNIC_AVAILABLE			(1U << 2)
#define HV_MSR_SYNTIMER_AVAILABLE		(1U << 3)
#define HV_MSR_APIC_ACCESS_AVAILABLE		(1U << 4)
#define HV_MSR_HYPERCALL_AVAILABLE		(1U << 5)
#define HV_MSR_VP_INDEX_AVAILABLE		(1U << 6)
#define HV_MSR_RESET_AVAILABLE			(1U << 7)
#define HV_MSR_REFERENCE_TSC_AVAILABLE		(1U << 9)
#define HV_ACCESS_FREQUENCY_MSRS		(1U << 11)
/* 0x40000003 EBX: group B. */
#define HV_CREATE_PARTITIONS			(1U << 0)
#define HV_ACCESS_PARTITION_ID			(1U << 1)
#define HV_POST_MESSAGES			(1U << 4)
#define HV_SIGNAL_EVENTS			(1U << 5)
#define HV_CPU_MANAGEMENT			(1U << 12)
#define HV_ENABLE_EXTENDED_HYPERCALLS		(1U << 20)
#define HV_ISOLATION				(1U << 22)
/* 0x40000003 EDX: group D. */
#define HV_FEATURE_FREQUENCY_MSRS_AVAILABLE	(1U << 8)
#define HV_FEATURE_GUEST_CRASH_MSR_AVAILABLE	(1U << 10)
#define HV_STIMER_DIRECT_MODE_AVAILABLE		(1U << 19)
/* 0x40000004 EAX: recommendations. */
#define HV_X64_REMOTE_TLB_FLUSH_RECOMMENDED	(1U << 2)
#define HV_X64_APIC_ACCESS_RECOMMENDED		(1U << 3)
#define HV_DEPRECATING_AEOI_RECOMMENDED		(1U << 9)
#define HV_X64_CLUSTER_IPI_RECOMMENDED		(1U << 10)
#define HV_X64_EX_PROCESSOR_MASKS_RECOMMENDED	(1U << 11)

/* ---- synthetic MSRs ------------------------------------------------------- */

#define HV_X64_MSR_GUEST_OS_ID		0x40000000
#define HV_X64_MSR_HYPERCALL		0x40000001
#define HV_X64_MSR_VP_INDEX		0x40000002
#define HV_X64_MSR_RESET		0x40000003
#define HV_X64_MSR_VP_RUNTIME		0x40000010
#define HV_X64_MSR_TIME_REF_COUNT	0x40000020
#define HV_X64_MSR_REFERENCE_TSC	0x40000021
#define HV_X64_MSR_TSC_FREQUENCY	0x40000022
#define HV_X64_MSR_APIC_FREQUENCY	0x40000023
#define HV_X64_MSR_EOI			0x40000070
#define HV_X64_MSR_ICR			0x40000071
#define HV_X64_MSR_TPR			0x40000072
#define HV_X64_MSR_VP_ASSIST_PAGE	0x40000073
#define HV_X64_MSR_SCONTROL		0x40000080
#define HV_X64_MSR_SVERSION		0x40000081
#define HV_X64_MSR_SIEFP		0x40000082
#define HV_X64_MSR_SIMP			0x40000083
#define HV_X64_MSR_EOM			0x40000084
#define HV_X64_MSR_SINT0		0x40000090
#define HV_X64_MSR_SINT15		0x4000009f
#define HV_X64_MSR_SINT(n)		(HV_X64_MSR_SINT0 + (n))
#define HV_X64_MSR_STIMER0_CONFIG	0x400000b0
#define HV_X64_MSR_STIMER0_COUNT	0x400000b1
#define HV_X64_MSR_STIMER_CONFIG(n)	(HV_X64_MSR_STIMER0_CONFIG + 2 * (n))
#define HV_X64_MSR_STIMER_COUNT(n)	(HV_X64_MSR_STIMER0_COUNT + 2 * (n))
#define HV_X64_MSR_GUEST_IDLE		0x400000f0
#define HV_X64_MSR_CRASH_P0		0x40000100
#define HV_X64_MSR_CRASH_P(n)		(HV_X64_MSR_CRASH_P0 + (n))
#define HV_X64_MSR_CRASH_CTL		0x40000105
#define HV_X64_MSR_REENLIGHTENMENT_CONTROL 0x40000106
#define HV_X64_MSR_TSC_INVARIANT_CONTROL 0x40000118

/* What Debian's 6.1.192 writes (hyperv-facts 1.6). */
#define HV_LINUX_GUEST_OS_ID		0x8100000601c00000ULL

#define HV_X64_MSR_HYPERCALL_ENABLE	(1ULL << 0)
#define HV_X64_MSR_TSC_REFERENCE_ENABLE	(1ULL << 0)
#define HV_SYNIC_CONTROL_ENABLE		(1ULL << 0)
#define HV_SYNIC_SIMP_ENABLE		(1ULL << 0)
#define HV_SYNIC_SIEFP_ENABLE		(1ULL << 0)
#define HV_SYNIC_VERSION_1		1
#define HV_CRASH_CTL_CRASH_NOTIFY	(1ULL << 63)

/* SINTx. */
#define HV_SYNIC_SINT_COUNT		16
#define HV_SYNIC_SINT_MASKED		(1ULL << 16)
#define HV_SYNIC_SINT_AUTO_EOI		(1ULL << 17)
#define HV_SYNIC_SINT_POLLING		(1ULL << 18)
#define HV_SYNIC_FIRST_VALID_VECTOR	16

/* STIMERx_CONFIG. */
#define HV_STIMER_COUNT			4
#define HV_STIMER_ENABLE		(1ULL << 0)
#define HV_STIMER_PERIODIC		(1ULL << 1)
#define HV_STIMER_LAZY			(1ULL << 2)
#define HV_STIMER_AUTOENABLE		(1ULL << 3)
#define HV_STIMER_VECTOR(v)		((uint64_t)(v) << 4)
#define HV_STIMER_DIRECT		(1ULL << 12)
#define HV_STIMER_SINT(s)		((uint64_t)(s) << 16)

/* ---- hypercalls ------------------------------------------------------------- */

#define HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE	0x0002
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST	0x0003
#define HVCALL_NOTIFY_LONG_SPIN_WAIT		0x0008
#define HVCALL_SEND_IPI				0x000b
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX	0x0013
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX	0x0014
#define HVCALL_SEND_IPI_EX			0x0015
#define HVCALL_GET_PARTITION_ID			0x0046
#define HVCALL_POST_MESSAGE			0x005c
#define HVCALL_SIGNAL_EVENT			0x005d
#define HVCALL_EXT_QUERY_CAPABILITIES		0x8001

/* The hypercall input value (TLFS "Hypercall Inputs"). */
#define HV_HYPERCALL_FAST_BIT		(1ULL << 16)
#define HV_HYPERCALL_VARHEAD_OFFSET	17
#define HV_HYPERCALL_REP_COMP_OFFSET	32
#define HV_HYPERCALL_REP_START_OFFSET	48
#define HV_HYPERCALL_VARHEAD(n)		((uint64_t)(n) << HV_HYPERCALL_VARHEAD_OFFSET)
#define HV_HYPERCALL_REP_COUNT(n)	((uint64_t)(n) << HV_HYPERCALL_REP_COMP_OFFSET)
#define HV_HYPERCALL_REP_START(n)	((uint64_t)(n) << HV_HYPERCALL_REP_START_OFFSET)
#define HV_HYPERCALL_RSVD_MASK		(0xf8000000ULL | 0x0000f00000000000ULL | \
					 0xf000000000000000ULL)

/* The result (RAX): status 15:0, reps completed 43:32, the rest zero. */
#define hv_status(result)		((uint16_t)(result))
#define hv_reps_completed(result)	(((result) >> HV_HYPERCALL_REP_COMP_OFFSET) & 0xfff)
#define HV_HYPERCALL_RESULT_RSVD_MASK	(0xffff0000ULL | 0xfffff00000000000ULL)

#define HV_STATUS_SUCCESS			0
#define HV_STATUS_INVALID_HYPERCALL_CODE	2
#define HV_STATUS_INVALID_HYPERCALL_INPUT	3
#define HV_STATUS_INVALID_ALIGNMENT		4
#define HV_STATUS_INVALID_PARAMETER		5
#define HV_STATUS_ACCESS_DENIED			6
#define HV_STATUS_OPERATION_DENIED		8
#define HV_STATUS_INSUFFICIENT_MEMORY		11
#define HV_STATUS_INVALID_PORT_ID		17
#define HV_STATUS_INVALID_CONNECTION_ID		18
#define HV_STATUS_INSUFFICIENT_BUFFERS		19

/* TLB flush flags and processor sets. */
#define HV_FLUSH_ALL_PROCESSORS			(1ULL << 0)
#define HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES	(1ULL << 1)
#define HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY	(1ULL << 2)
#define HV_GENERIC_SET_SPARSE_4K		0
#define HV_GENERIC_SET_ALL			1

/* ---- SynIC layouts ------------------------------------------------------------ */

#define HV_MESSAGE_PAYLOAD_BYTE_COUNT	240
#define HVMSG_NONE			0x00000000
#define HVMSG_TIMER_EXPIRED		0x80000010
#define HV_MESSAGE_FLAG_PENDING		(1U << 0)

/* One 256-byte slot of the SIMP page (slot n belongs to SINTn). */
struct hv_message {
	uint32_t message_type;
	uint8_t payload_size;
	uint8_t message_flags;
	uint16_t reserved;
	uint64_t sender;
	uint8_t payload[HV_MESSAGE_PAYLOAD_BYTE_COUNT];
};

struct hv_timer_message_payload {
	uint32_t timer_index;
	uint32_t reserved;
	uint64_t expiration_time;	/* reference time the timer was due */
	uint64_t delivery_time;		/* reference time the message was written */
};

/* The SIEF page: 16 slots of 2048 flag bits. */
#define HV_EVENT_FLAGS_COUNT		2048

/* The reference TSC page (TLFS "Partition Reference TSC Mechanism"). */
struct hv_tsc_page {
	volatile uint32_t tsc_sequence;
	uint32_t reserved;
	volatile uint64_t tsc_scale;
	volatile int64_t tsc_offset;
};

/* ---- guest side ------------------------------------------------------------- */

/* The page hv_enable_hypercalls() hands to the HYPERCALL MSR. */
extern uint8_t hv_hypercall_page[4096];

/* GUEST_OS_ID = Linux's value, then HYPERCALL = page | enable. */
void hv_enable_hypercalls(void);
/* A call through the hypercall page (RCX, RDX, R8 in; RAX out). */
uint64_t hv_hypercall(uint64_t control, uint64_t input, uint64_t output);
/*
 * The backend's hypercall instruction executed in place, catching an
 * exception: returns its vector (UD_VECTOR when hypercalls are disabled),
 * else 0 with *result = RAX.
 */
uint8_t hv_hypercall_insn_safe(uint64_t control, uint64_t input, uint64_t output,
			       uint64_t *result);

/* Partition reference time from the TIME_REF_COUNT MSR (100 ns units). */
static inline uint64_t hv_ref_time(void)
{
	return rdmsr(HV_X64_MSR_TIME_REF_COUNT);
}

/* Free a message slot the guest has read; EOM if the host queued more. */
static inline void hv_message_ack(volatile struct hv_message *msg)
{
	uint8_t flags = msg->message_flags;

	msg->message_type = HVMSG_NONE;
	__sync_synchronize();
	if (flags & HV_MESSAGE_FLAG_PENDING)
		wrmsr(HV_X64_MSR_EOM, 0);
}

/* ---- host side ---------------------------------------------------------------- */

struct hvp_vm;

int __vm_set_hv_config(struct hvp_vm *vm, uint64_t features);
void vm_set_hv_config(struct hvp_vm *vm, uint64_t features);

/* A MESSAGE connection: @eventfd -1. An EVENT connection: an eventfd. */
int __vm_hv_connect(struct hvp_vm *vm, uint32_t conn_id, uint32_t type, int eventfd);
int vm_hv_connect(struct hvp_vm *vm, uint32_t conn_id, uint32_t type, int eventfd);

int __vm_hv_post(struct hvp_vm *vm, uint32_t vp_index, uint32_t sint, uint32_t type,
		 const void *payload, uint32_t size);
void vm_hv_post(struct hvp_vm *vm, uint32_t vp_index, uint32_t sint, uint32_t type,
		const void *payload, uint32_t size);

int __vm_hv_signal(struct hvp_vm *vm, uint32_t vp_index, uint32_t sint, uint32_t flag);
void vm_hv_signal(struct hvp_vm *vm, uint32_t vp_index, uint32_t sint, uint32_t flag);

#endif /* SELFTEST_HVPART_HYPERV_H */
