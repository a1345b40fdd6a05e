/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hvpart: userspace ABI of /dev/hvpart, a Hyper-V-style hypervisor for Linux.
 *
 * Three kinds of file descriptor, one section each below:
 *   /dev/hvpart     - capabilities, CPUID support, partition creation
 *   partition fd    - guest-physical memory, VP creation
 *   VP fd           - registers, CPUID table, the mmap'd run page, RUN
 *
 * Rules that hold for every ioctl (docs/api.md gives each one in full):
 *   - Every struct has explicit padding; fields named rsvd must be zero and
 *     every flags field accepts only the bits defined here: anything else
 *     fails with EINVAL, so the ABI can grow without ambiguity.
 *   - HVPART_API_VERSION never changes; growth is announced through
 *     HVPART_CHECK_CAP.
 *   - ioctl numbers increase within each section.
 *
 * The ioctl magic 0xB9 is not listed in
 * Documentation/userspace-api/ioctl/ioctl-number.rst (KVM uses 0xAE, mshv 0xB8).
 */
#ifndef _UAPI_LINUX_HVPART_H
#define _UAPI_LINUX_HVPART_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define HVPART_API_VERSION	1
#define HVPART_IO		0xB9

/* ------------------------------------------------------------------------ */
/* /dev/hvpart                                                               */
/* ------------------------------------------------------------------------ */

/*
 * Capabilities queried with HVPART_CHECK_CAP. An unknown capability yields
 * value 0 (absent), so newer userspace can probe an older module.
 */
enum hvpart_cap {
	HVPART_CAP_BACKEND = 1,		/* enum hvpart_backend */
	HVPART_CAP_MAX_VPS,		/* VPs per partition */
	HVPART_CAP_MAX_MEM_REGIONS,	/* mapped ranges per partition */
	HVPART_CAP_GPA_BITS,		/* guest-physical address width */
	HVPART_CAP_LARGE_PAGES,		/* bit 0: 2 MiB SLAT pages */
	HVPART_CAP_MAX_CPUID_ENTRIES,	/* entries in a VP's CPUID table */
	HVPART_CAP_HW_ASSISTS,		/* enum hvpart_hw_assist bits in use */
	HVPART_CAP_HV_FEATURES,		/* HVPART_HV_F_* the module offers */
	HVPART_CAP_LAPIC,		/* bit 0: in-kernel local APIC per VP */
	HVPART_CAP_HYPERCALL_POLICY,	/* bit N: hvpart_hypercall_action N */
};

enum hvpart_backend {
	HVPART_BACKEND_SVM = 1,		/* AMD SVM with nested paging */
	HVPART_BACKEND_VMX = 2,		/* Intel VMX with EPT */
};

/* Optional hardware assists the backend uses (HVPART_CAP_HW_ASSISTS). */
enum hvpart_hw_assist {
	HVPART_ASSIST_NRIP_SAVE		= 1 << 0,
	HVPART_ASSIST_DECODE		= 1 << 1,
	HVPART_ASSIST_FLUSH_BY_ASID	= 1 << 2,
	HVPART_ASSIST_VMCB_CLEAN	= 1 << 3,
	HVPART_ASSIST_VPID		= 1 << 4,
};

/**
 * struct hvpart_cap_query - argument of HVPART_CHECK_CAP
 * @cap:   in: enum hvpart_cap
 * @flags: in: must be 0
 * @value: out: the capability's value, 0 when absent or unknown
 */
struct hvpart_cap_query {
	__u32 cap;
	__u32 flags;
	__u64 value;
};

/**
 * struct hvpart_cpuid_entry - one CPUID leaf/subleaf
 * @function: EAX input
 * @index:    ECX input; compared only with HVPART_CPUID_F_SIGNIFICANT_INDEX
 * @flags:    enum hvpart_cpuid_entry_bit
 * @eax..edx: the result the guest sees
 * @rsvd:     must be 0
 */
struct hvpart_cpuid_entry {
	__u32 function;
	__u32 index;
	__u32 flags;
	__u32 eax;
	__u32 ebx;
	__u32 ecx;
	__u32 edx;
	__u32 rsvd[3];
};

enum hvpart_cpuid_entry_bit {
	HVPART_CPUID_BIT_SIGNIFICANT_INDEX,
	HVPART_CPUID_BIT_COUNT,
};
#define HVPART_CPUID_F_SIGNIFICANT_INDEX (1U << HVPART_CPUID_BIT_SIGNIFICANT_INDEX)
#define HVPART_CPUID_ENTRY_FLAGS_MASK	((1U << HVPART_CPUID_BIT_COUNT) - 1)

/**
 * struct hvpart_cpuid - a CPUID table
 * @nent:    in: entries available at @entries; out (GET): entries filled,
 *           or the number needed when the call fails with E2BIG
 * @flags:   must be 0
 * @entries: user pointer to an array of struct hvpart_cpuid_entry
 */
struct hvpart_cpuid {
	__u32 nent;
	__u32 flags;
	__u64 entries;
};

enum hvpart_partition_bit {
	/*
	 * HLT returns HVPART_EXIT_HLT to userspace. Without it a halted VP
	 * sleeps in the kernel until an interrupt it can take arrives (or a
	 * signal interrupts RUN).
	 */
	HVPART_PARTITION_BIT_HLT_EXITS,
	HVPART_PARTITION_BIT_COUNT,
};
#define HVPART_PARTITION_F_HLT_EXITS	(1ULL << HVPART_PARTITION_BIT_HLT_EXITS)
#define HVPART_PARTITION_FLAGS_MASK	((1ULL << HVPART_PARTITION_BIT_COUNT) - 1)

/**
 * struct hvpart_partition_create - argument of HVPART_CREATE_PARTITION
 * @flags: HVPART_PARTITION_F_*
 * @rsvd:  must be 0
 */
struct hvpart_partition_create {
	__u64 flags;
	__u64 rsvd[3];
};

#define HVPART_GET_API_VERSION	 _IO(HVPART_IO, 0x00)
#define HVPART_CHECK_CAP	 _IOWR(HVPART_IO, 0x01, struct hvpart_cap_query)
/* What the module can virtualize; a sensible default table for a VP. */
#define HVPART_GET_SUPPORTED_CPUID _IOWR(HVPART_IO, 0x02, struct hvpart_cpuid)
/* Returns a new partition fd (O_CLOEXEC). */
#define HVPART_CREATE_PARTITION	 _IOW(HVPART_IO, 0x03, struct hvpart_partition_create)

/* ------------------------------------------------------------------------ */
/* partition fd                                                              */
/* ------------------------------------------------------------------------ */

enum hvpart_mem_bit {
	HVPART_MEM_BIT_READ,
	HVPART_MEM_BIT_WRITE,
	HVPART_MEM_BIT_EXEC,
	HVPART_MEM_BIT_COUNT,
};
#define HVPART_MEM_READ		(1U << HVPART_MEM_BIT_READ)
#define HVPART_MEM_WRITE	(1U << HVPART_MEM_BIT_WRITE)
#define HVPART_MEM_EXEC		(1U << HVPART_MEM_BIT_EXEC)
#define HVPART_MEM_FLAGS_MASK	((1U << HVPART_MEM_BIT_COUNT) - 1)

/**
 * struct hvpart_mem_map - argument of HVPART_MAP_GPA
 * @guest_pa:  first guest-physical byte; 4 KiB aligned
 * @size:      bytes; non-zero, 4 KiB multiple, no wrap, below 2^GPA_BITS
 * @user_addr: backing memory in the caller's address space; 4 KiB aligned.
 *             Pages are pinned when the guest first touches them and stay
 *             pinned until HVPART_UNMAP_GPA or partition destruction.
 * @flags:     HVPART_MEM_READ must be set; WRITE and EXEC optional. An access
 *             the flags forbid is reported as HVPART_EXIT_MEMORY.
 * @rsvd:      must be 0
 */
struct hvpart_mem_map {
	__u64 guest_pa;
	__u64 size;
	__u64 user_addr;
	__u32 flags;
	__u32 rsvd;
};

/**
 * struct hvpart_mem_unmap - argument of HVPART_UNMAP_GPA
 * @guest_pa: start of a range mapped earlier by exactly one HVPART_MAP_GPA
 * @size:     its size
 * @flags:    must be 0
 * @rsvd:     must be 0
 */
struct hvpart_mem_unmap {
	__u64 guest_pa;
	__u64 size;
	__u32 flags;
	__u32 rsvd;
};

/**
 * struct hvpart_vp_create - argument of HVPART_CREATE_VP
 * @vp_index: 0 .. HVPART_CAP_MAX_VPS-1, unique in the partition; also the
 *            VP's initial APIC ID
 * @flags:    must be 0
 * @rsvd:     must be 0
 */
struct hvpart_vp_create {
	__u32 vp_index;
	__u32 flags;
	__u64 rsvd;
};

/* Delivery modes of HVPART_INTERRUPT (the MSI/ICR encoding). */
#define HVPART_DELIVERY_FIXED		0
#define HVPART_DELIVERY_LOWEST		1
#define HVPART_DELIVERY_NMI		4

enum hvpart_interrupt_bit {
	HVPART_INTERRUPT_BIT_LOGICAL,	/* @dest is a logical destination */
	HVPART_INTERRUPT_BIT_LEVEL,	/* level-triggered: EOI is reported */
	HVPART_INTERRUPT_BIT_COUNT,
};
#define HVPART_INTERRUPT_F_LOGICAL	(1U << HVPART_INTERRUPT_BIT_LOGICAL)
#define HVPART_INTERRUPT_F_LEVEL	(1U << HVPART_INTERRUPT_BIT_LEVEL)
#define HVPART_INTERRUPT_FLAGS_MASK	((1U << HVPART_INTERRUPT_BIT_COUNT) - 1)

/**
 * struct hvpart_interrupt - argument of HVPART_INTERRUPT
 *
 * Delivers an interrupt to the partition's local APICs the way a message-
 * signalled interrupt (or an I/O APIC the VMM emulates) would; a halted
 * target VP wakes up.
 * @dest:     APIC ID (physical) or logical destination (F_LOGICAL);
 *            0xffffffff broadcasts to every VP
 * @vector:   16..255 for FIXED and LOWEST; ignored for NMI
 * @delivery: HVPART_DELIVERY_*
 * @rsvd0:    must be 0
 * @flags:    HVPART_INTERRUPT_F_*
 * @rsvd1:    must be 0
 */
struct hvpart_interrupt {
	__u32 dest;
	__u8 vector;
	__u8 delivery;
	__u16 rsvd0;
	__u32 flags;
	__u32 rsvd1;
};

/*
 * The Hyper-V guest interface (HVPART_SET_HV_CONFIG). With no feature set
 * the guest sees plain hardware. Each feature maps onto CPUID leaves
 * 0x40000000-0x4000000A, synthetic MSRs and hypercalls as on Hyper-V;
 * a synthetic MSR whose feature is off raises #GP. Dependencies: every
 * feature needs HYPERCALL and VP_INDEX (Linux requires both to detect
 * Hyper-V); SYNIC needs them; STIMER needs SYNIC and TIME_REF_COUNT;
 * STIMER_DIRECT needs STIMER; REFERENCE_TSC needs TIME_REF_COUNT;
 * EX_PROCESSOR_MASKS needs TLB_FLUSH or CLUSTER_IPI.
 */
enum hvpart_hv_feature_bit {
	HVPART_HV_BIT_HYPERCALL,	/* GUEST_OS_ID, HYPERCALL MSRs, page */
	HVPART_HV_BIT_VP_INDEX,
	HVPART_HV_BIT_TIME_REF_COUNT,
	HVPART_HV_BIT_REFERENCE_TSC,	/* the TSC page */
	HVPART_HV_BIT_SYNIC,		/* SynIC MSRs, HvPostMessage, HvSignalEvent */
	HVPART_HV_BIT_STIMER,		/* synthetic timers, message mode */
	HVPART_HV_BIT_STIMER_DIRECT,	/* synthetic timers, direct mode */
	HVPART_HV_BIT_FREQUENCY_MSRS,	/* TSC and APIC timer frequency */
	HVPART_HV_BIT_APIC_MSRS,	/* EOI/ICR/TPR MSRs, VP assist page */
	HVPART_HV_BIT_CRASH_MSRS,	/* HVPART_EXIT_HV_CRASH */
	HVPART_HV_BIT_VP_RUNTIME,
	HVPART_HV_BIT_TLB_FLUSH,	/* remote TLB flush hypercalls */
	HVPART_HV_BIT_CLUSTER_IPI,	/* HvSendSyntheticClusterIpi */
	HVPART_HV_BIT_EX_PROCESSOR_MASKS, /* the _Ex forms (sparse VP sets) */
	HVPART_HV_BIT_COUNT,
};
#define HVPART_HV_F(bit)		(1ULL << HVPART_HV_BIT_##bit)
#define HVPART_HV_FEATURES_MASK		((1ULL << HVPART_HV_BIT_COUNT) - 1)

/**
 * struct hvpart_hv_config - argument of HVPART_SET_HV_CONFIG
 *
 * Allowed only before the partition's first VP is created (EBUSY after).
 * @features: HVPART_HV_F(...) bits; unknown bits or a broken dependency
 *            fail with EINVAL
 * @flags:    must be 0
 * @rsvd:     must be 0
 */
struct hvpart_hv_config {
	__u64 features;
	__u64 flags;
	__u64 rsvd[6];
};

/**
 * struct hvpart_hv_post - argument of HVPART_HV_POST_MESSAGE
 *
 * Posts a SynIC message to SINT @sint of VP @vp_index, as the hypervisor
 * posts messages to a guest. When the message slot is busy the message is
 * queued behind it (the guest is told through the message-pending flag
 * and takes it after its EOM); a full queue fails with EAGAIN.
 * @message_type: non-zero, below 0x80000000 (those are the hypervisor's)
 * @payload_size: 0..240
 * @flags, @rsvd: must be 0
 */
struct hvpart_hv_post {
	__u32 vp_index;
	__u32 sint;
	__u32 message_type;
	__u32 payload_size;
	__u32 flags;
	__u32 rsvd;
	__u8 payload[240];
};

/**
 * struct hvpart_hv_event - argument of HVPART_HV_SIGNAL_EVENT
 *
 * Sets event flag @flag (0..2047) of SINT @sint of VP @vp_index and raises
 * the SINT if the flag was clear.
 * @rsvd: must be 0
 */
struct hvpart_hv_event {
	__u32 vp_index;
	__u32 sint;
	__u32 flag;
	__u32 rsvd;
};

#define HVPART_HV_CONN_MESSAGE	0	/* guest HvPostMessage; read() the fd */
#define HVPART_HV_CONN_EVENT	1	/* guest HvSignalEvent; signals @eventfd */

/**
 * struct hvpart_hv_connect - argument of HVPART_HV_CONNECT
 *
 * Registers connection id @connection_id (below 2^24) of the partition
 * with userspace and returns a connection fd; closing it unregisters.
 * MESSAGE: each guest HvPostMessage to the id becomes one struct
 * hvpart_hv_guest_message to read() from the fd (poll()able; at most 256
 * are queued, then the guest gets HV_STATUS_INSUFFICIENT_BUFFERS).
 * With HVPART_HV_CONN_F_EXIT (MESSAGE only) a guest HvPostMessage to the
 * id instead ends the posting VP's RUN with HVPART_EXIT_HV_MESSAGE, the
 * message in run->hv_message and the hypercall already completed with
 * HV_STATUS_SUCCESS: the VMM can answer before it runs the VP again, with
 * no thread to wake (read() on such a fd is EINVAL).
 * EVENT: each guest HvSignalEvent to the id signals @eventfd.
 * @type:  HVPART_HV_CONN_*
 * @eventfd: an eventfd for EVENT; must be -1 for MESSAGE
 * @flags: HVPART_HV_CONN_F_*; @rsvd: must be 0
 * Errors: EEXIST when the id is registered, ENOSPC past 4096 ids.
 */
#define HVPART_HV_CONN_F_EXIT	(1U << 0)

struct hvpart_hv_connect {
	__u32 connection_id;
	__u32 type;
	__s32 eventfd;
	__u32 flags;
	__u64 rsvd;
};

/** struct hvpart_hv_guest_message - one message read from a MESSAGE connection fd */
struct hvpart_hv_guest_message {
	__u32 connection_id;
	__u32 vp_index;		/* the VP that posted it */
	__u32 message_type;
	__u32 payload_size;
	__u8 payload[240];
};

/*
 * VMBus (HVPART_VMBUS_CREATE): the module hosts the partition's VMBus -
 * version negotiation, offers, GPADLs, channel open/close - so that an
 * unmodified Linux guest's hv_vmbus connects as on Hyper-V. It needs the
 * SYNIC feature. It owns connection ids 1 and 4 (channel management) and
 * 0xA00000 + relid (one per channel) of the partition.
 */
enum hvpart_vmbus_ic_bit {		/* in-kernel integration services */
	HVPART_VMBUS_IC_BIT_HEARTBEAT,
	HVPART_VMBUS_IC_BIT_SHUTDOWN,
	HVPART_VMBUS_IC_BIT_TIMESYNC,
	HVPART_VMBUS_IC_BIT_KVP,
	HVPART_VMBUS_IC_BIT_COUNT,
};
#define HVPART_VMBUS_IC(bit)		(1U << HVPART_VMBUS_IC_BIT_##bit)
#define HVPART_VMBUS_IC_MASK		((1U << HVPART_VMBUS_IC_BIT_COUNT) - 1)

/**
 * struct hvpart_vmbus_create - argument of HVPART_VMBUS_CREATE
 * @ics:   HVPART_VMBUS_IC(...) services the module offers to the guest
 * @flags: must be 0
 * @rsvd:  must be 0
 * Errors: EINVAL (bad bits, no SynIC), EEXIST (already created).
 */
struct hvpart_vmbus_create {
	__u32 ics;
	__u32 flags;
	__u64 rsvd[3];
};

/**
 * struct hvpart_vmbus_offer - argument of HVPART_VMBUS_OFFER
 *
 * Offers a channel served by userspace and returns its channel fd; the
 * guest sees the offer at once if connected, else when it asks for offers.
 * Closing the fd rescinds the offer. GUIDs are in the on-the-wire
 * (Microsoft) byte order: the first three fields little-endian.
 * @chn_flags:      offer flags (e.g. 0 for a device channel)
 * @mmio_megabytes: MMIO space the device asks for
 * @flags, @rsvd:   must be 0
 * Errors: ENOTCONN no VMBus, ENOSPC too many channels (256).
 */
struct hvpart_vmbus_offer {
	__u8 class_id[16];
	__u8 instance_id[16];
	__u16 chn_flags;
	__u16 mmio_megabytes;
	__u32 flags;
	__u8 user_defined[120];
	__u64 rsvd[2];
};

#define HVPART_VMBUS_SHUTDOWN_F_REBOOT	1

/**
 * struct hvpart_vmbus_shutdown - argument of HVPART_VMBUS_SHUTDOWN
 *
 * Asks the guest, through the shutdown integration service, to power off
 * (or reboot with F_REBOOT). Returns once the guest accepted; the guest
 * then shuts down on its own. Errors: ENODEV the service is not offered,
 * ENOTCONN the guest has not opened it, EIO the guest refused, ETIMEDOUT
 * no answer in 10 s, EINTR.
 * @flags: HVPART_VMBUS_SHUTDOWN_F_*
 * @rsvd:  must be 0
 */
struct hvpart_vmbus_shutdown {
	__u32 flags;
	__u32 rsvd;
};

/* KVP operations and pools, as the Hyper-V KVP protocol numbers them. */
#define HVPART_KVP_OP_GET	0
#define HVPART_KVP_OP_SET	1
#define HVPART_KVP_OP_DELETE	2
#define HVPART_KVP_OP_ENUMERATE	3
#define HVPART_KVP_POOL_COUNT	5

/**
 * struct hvpart_vmbus_kvp - argument of HVPART_VMBUS_KVP
 *
 * One key/value exchange with the guest's KVP service (and its daemon,
 * hv_kvp_daemon on Linux). Strings are UTF-8 here (UTF-16 on the wire).
 * GET: in @key, out @value. SET: in @key, @value. DELETE: in @key.
 * ENUMERATE: in @index, out @key, @value (the guest fails past the end).
 * @status: out: 0, or the guest's HRESULT when it failed the request
 *          (Linux answers 0x80070103 for "no such key" and "no more")
 * The wire holds at most 255 UTF-16 units of key and 1023 of value, each
 * without its NUL: longer strings, or invalid UTF-8, get EINVAL.
 * Errors: ENODEV, ENOTCONN, EINVAL, ETIMEDOUT (35 s), EINTR.
 */
struct hvpart_vmbus_kvp {
	__u8 op;
	__u8 pool;
	__u16 rsvd0;
	__u32 index;
	__u32 status;
	__u32 rsvd1;
	char key[512];
	char value[2048];
};

/**
 * struct hvpart_vmbus_status - HVPART_VMBUS_STATUS, all out
 * @version:          negotiated protocol version (major << 16 | minor), 0
 *                    while the guest is not connected
 * @channels:         channels offered
 * @open_channels:    channels the guest has open
 * @gpadls:           GPADLs the guest established
 * @ics_ready:        HVPART_VMBUS_IC bits whose version was negotiated
 * @heartbeat_seq:    last heartbeat sequence number the guest returned
 * @heartbeat_age_ms: milliseconds since then (~0 when never)
 */
struct hvpart_vmbus_status {
	__u32 version;
	__u32 channels;
	__u32 open_channels;
	__u32 gpadls;
	__u32 ics_ready;
	__u32 rsvd;
	__u64 heartbeat_seq;
	__u64 heartbeat_age_ms;
};

/*
 * What a guest hypercall (VMMCALL on SVM, VMCALL on VMX) at CPL 0 does
 * when the kernel does not answer it itself: that is every hypercall while
 * the Hyper-V interface is off (with it on, the kernel answers them all,
 * as Hyper-V does). At CPL > 0 a hypercall raises #UD whatever the policy.
 */
enum hvpart_hypercall_action {
	HVPART_HYPERCALL_EXIT,		/* default: HVPART_EXIT_HYPERCALL */
	HVPART_HYPERCALL_RESULT,	/* RAX = @result, the guest continues */
	HVPART_HYPERCALL_UD,		/* #UD, as a CPU with no hypervisor */
	HVPART_HYPERCALL_ACTION_COUNT,
};

/**
 * struct hvpart_hypercall_policy - argument of HVPART_SET_HYPERCALL_POLICY
 *
 * Allowed only before the partition's first VP is created (EBUSY after).
 * A VMM that implements no hypercalls saves a round trip to userspace per
 * call with RESULT (KVM answers the calls it does not know in the kernel
 * the same way, with -KVM_ENOSYS).
 * @action: enum hvpart_hypercall_action; another value fails with EINVAL
 * @flags:  must be 0
 * @result: what RESULT stores in RAX; must be 0 with the other actions
 * @rsvd:   must be 0
 */
struct hvpart_hypercall_policy {
	__u32 action;
	__u32 flags;
	__u64 result;
	__u64 rsvd[2];
};

#define HVPART_MAP_GPA		_IOW(HVPART_IO, 0x10, struct hvpart_mem_map)
#define HVPART_UNMAP_GPA	_IOW(HVPART_IO, 0x11, struct hvpart_mem_unmap)
/* Returns a new VP fd (O_CLOEXEC). */
#define HVPART_CREATE_VP	_IOW(HVPART_IO, 0x12, struct hvpart_vp_create)
#define HVPART_INTERRUPT	_IOW(HVPART_IO, 0x13, struct hvpart_interrupt)
#define HVPART_SET_HV_CONFIG	_IOW(HVPART_IO, 0x14, struct hvpart_hv_config)
#define HVPART_HV_POST_MESSAGE	_IOW(HVPART_IO, 0x15, struct hvpart_hv_post)
#define HVPART_HV_SIGNAL_EVENT	_IOW(HVPART_IO, 0x16, struct hvpart_hv_event)
/* Returns a connection fd (O_CLOEXEC). */
#define HVPART_HV_CONNECT	_IOW(HVPART_IO, 0x17, struct hvpart_hv_connect)
#define HVPART_VMBUS_CREATE	_IOW(HVPART_IO, 0x18, struct hvpart_vmbus_create)
/* Returns a channel fd (O_CLOEXEC). */
#define HVPART_VMBUS_OFFER	_IOW(HVPART_IO, 0x19, struct hvpart_vmbus_offer)
#define HVPART_VMBUS_SHUTDOWN	_IOW(HVPART_IO, 0x1a, struct hvpart_vmbus_shutdown)
#define HVPART_VMBUS_KVP	_IOWR(HVPART_IO, 0x1b, struct hvpart_vmbus_kvp)
#define HVPART_VMBUS_STATUS	_IOR(HVPART_IO, 0x1c, struct hvpart_vmbus_status)
#define HVPART_SET_HYPERCALL_POLICY _IOW(HVPART_IO, 0x1d, struct hvpart_hypercall_policy)

/* ------------------------------------------------------------------------ */
/* VP fd                                                                     */
/* ------------------------------------------------------------------------ */

/** struct hvpart_regs - general registers (HVPART_GET_REGS/SET_REGS) */
struct hvpart_regs {
	__u64 rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	__u64 r8, r9, r10, r11, r12, r13, r14, r15;
	__u64 rip, rflags;
};

/*
 * Segment attributes use the layout of the VMX access-rights field
 * (SDM vol. 3, 24.4.1): type 3:0, S 4, DPL 6:5, P 7, AVL 12, L 13, D/B 14,
 * G 15, unusable 16. Other bits must be 0.
 */
#define HVPART_SEG_TYPE_MASK	0x000fU
#define HVPART_SEG_S		(1U << 4)
#define HVPART_SEG_DPL_SHIFT	5
#define HVPART_SEG_P		(1U << 7)
#define HVPART_SEG_AVL		(1U << 12)
#define HVPART_SEG_L		(1U << 13)
#define HVPART_SEG_DB		(1U << 14)
#define HVPART_SEG_G		(1U << 15)
#define HVPART_SEG_UNUSABLE	(1U << 16)
#define HVPART_SEG_ATTR_MASK	0x1f0ffU

/** struct hvpart_segment - a segment register with its hidden part */
struct hvpart_segment {
	__u64 base;
	__u32 limit;
	__u16 selector;
	__u16 rsvd0;
	__u32 attrib;
	__u32 rsvd1;
};

/** struct hvpart_dtable - GDTR or IDTR */
struct hvpart_dtable {
	__u64 base;
	__u16 limit;
	__u16 rsvd[3];
};

/**
 * struct hvpart_sregs - system registers (HVPART_GET_SREGS/SET_SREGS)
 *
 * SET validates what the hardware would refuse at VM entry (CR0 CD/NW,
 * EFER.LME with paging but no PAE, reserved bits, a long-mode CS with D set)
 * and fails with EINVAL instead of letting the entry fail.
 * @flags: must be 0; @rsvd: must be 0
 */
struct hvpart_sregs {
	struct hvpart_segment cs, ds, es, fs, gs, ss, tr, ldt;
	struct hvpart_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, cr8;
	__u64 efer;
	__u64 flags;
	__u64 rsvd[4];
};

/** struct hvpart_msr_entry - one MSR for HVPART_GET_MSRS/SET_MSRS */
struct hvpart_msr_entry {
	__u32 index;
	__u32 rsvd;
	__u64 value;
};

/**
 * struct hvpart_msrs - argument of HVPART_GET_MSRS/SET_MSRS
 * @nmsrs:   number of entries at @entries, at most 256
 * @flags:   must be 0
 * @entries: user pointer to struct hvpart_msr_entry[nmsrs]
 *
 * Returns the number of entries processed; processing stops at the first
 * MSR that is unknown or whose value is refused.
 */
struct hvpart_msrs {
	__u32 nmsrs;
	__u32 flags;
	__u64 entries;
};

/*
 * Exit reasons left in hvpart_run.exit_reason when HVPART_RUN_VP returns 0
 * (INTR is set when it returns -EINTR).
 */
enum hvpart_exit_reason {
	HVPART_EXIT_NONE,
	HVPART_EXIT_IO,			/* port I/O for userspace */
	HVPART_EXIT_MEMORY,		/* access to unmapped or forbidden GPA */
	HVPART_EXIT_HLT,		/* guest halted */
	HVPART_EXIT_SHUTDOWN,		/* triple fault; set registers to restart */
	HVPART_EXIT_HYPERCALL,		/* hypercall the module does not handle */
	HVPART_EXIT_INTERNAL_ERROR,	/* see run.internal */
	HVPART_EXIT_INTR,		/* a signal or immediate_exit stopped RUN */
	HVPART_EXIT_EOI,		/* guest EOI'd a level-triggered vector */
	HVPART_EXIT_HV_CRASH,		/* guest reported a crash (Hyper-V MSRs) */
	HVPART_EXIT_HV_MESSAGE,		/* HvPostMessage to an F_EXIT connection */
	HVPART_EXIT_REASON_COUNT,
};

#define HVPART_IO_OUT		0
#define HVPART_IO_IN		1

#define HVPART_ACCESS_READ	0
#define HVPART_ACCESS_WRITE	1
#define HVPART_ACCESS_EXEC	2

/* run.memory.flags */
#define HVPART_MEMORY_F_DECODED	(1U << 0)	/* len (and data on write) valid */
#define HVPART_MEMORY_F_MAPPED	(1U << 1)	/* GPA is mapped; flags forbid it */

/* run.internal.suberror */
enum hvpart_internal_error {
	HVPART_INTERNAL_UNKNOWN_EXIT = 1,	/* hw_exit_code not handled */
	HVPART_INTERNAL_ENTRY_FAILED,		/* hardware refused the VM entry */
	HVPART_INTERNAL_EMULATION,		/* instruction could not be decoded */
	HVPART_INTERNAL_UNSUPPORTED,		/* e.g. string or rep port I/O */
	HVPART_INTERNAL_PARTITION_DEAD,		/* a broken invariant killed it */
	HVPART_INTERNAL_GUEST_STATE_LOST,	/* saved guest state overwritten with the host's */
};

/**
 * struct hvpart_run - the page mapped at offset 0 of a VP fd
 * @exit_reason:    out: enum hvpart_exit_reason
 * @immediate_exit: in: non-zero makes the next RUN return -EINTR at once
 * @rsvd0:          must be 0
 * @rip:            out: guest RIP of the exiting instruction
 * @io:             HVPART_EXIT_IO. For IN, userspace stores the result in
 *                  @data before the next RUN, which completes the instruction
 *                  and advances RIP. @count is 1 (string I/O is not passed up).
 * @memory:         HVPART_EXIT_MEMORY. With F_DECODED a read completes on the
 *                  next RUN by loading @data (@len bytes) into the destination;
 *                  a write carries @data. @insn holds the instruction bytes
 *                  fetched at RIP (@insn_len of them) for userspace emulators.
 * @hypercall:      HVPART_EXIT_HYPERCALL: input value (RCX), input and output
 *                  GPAs (RDX, R8). Userspace sets @result; the next RUN puts
 *                  it in RAX and advances RIP.
 * @internal:       HVPART_EXIT_INTERNAL_ERROR: suberror and the raw hardware
 *                  exit code and information words.
 * @hv_crash:       HVPART_EXIT_HV_CRASH: the guest's crash parameters
 *                  P0..P4 (on Linux: error code, guest OS id, RIP, RAX, RSP).
 *                  RUN again continues the guest.
 * @hv_message:     HVPART_EXIT_HV_MESSAGE: what the guest posted to a
 *                  connection registered with HVPART_HV_CONN_F_EXIT
 * @eoi:            HVPART_EXIT_EOI: the vector of a level-triggered interrupt
 *                  (HVPART_INTERRUPT with F_LEVEL) that the guest EOI'd, so
 *                  an emulated I/O APIC can clear Remote IRR.
 */
struct hvpart_run {
	__u32 exit_reason;
	__u8 immediate_exit;
	__u8 rsvd0[3];
	__u64 rip;
	union {
		struct {
			__u16 port;
			__u8 size;		/* 1, 2 or 4 */
			__u8 direction;		/* HVPART_IO_OUT or _IN */
			__u32 count;
			__u64 data;
		} io;
		struct {
			__u64 gpa;
			__u32 access;		/* HVPART_ACCESS_* */
			__u32 flags;		/* HVPART_MEMORY_F_* */
			__u32 len;
			__u32 insn_len;
			__u64 data;
			__u8 insn[16];
		} memory;
		struct {
			__u64 input;
			__u64 input_gpa;
			__u64 output_gpa;
			__u64 result;
		} hypercall;
		struct {
			__u32 suberror;
			__u32 cpu;
			__u64 hw_exit_code;
			__u64 info1;
			__u64 info2;
		} internal;
		struct {
			__u32 vector;
			__u32 rsvd;
		} eoi;
		struct {
			__u64 params[5];
		} hv_crash;
		struct hvpart_hv_guest_message hv_message;
		__u8 pad[256];
	};
};

/* Processor states (HVPART_GET_MP_STATE/SET_MP_STATE). */
enum hvpart_mp_state_value {
	HVPART_MP_RUNNABLE,
	HVPART_MP_HALTED,	/* in HLT, waiting for an interrupt */
	HVPART_MP_WAIT_SIPI,	/* after INIT: an application processor waiting
				 * for its start-up IPI; RUN sleeps until then */
	HVPART_MP_STATE_COUNT,
};

/** struct hvpart_mp_state - @state: enum hvpart_mp_state_value; @rsvd: 0 */
struct hvpart_mp_state {
	__u32 state;
	__u32 rsvd;
};

#define HVPART_RUN_VP		_IO(HVPART_IO, 0x30)
#define HVPART_GET_REGS		_IOR(HVPART_IO, 0x31, struct hvpart_regs)
#define HVPART_SET_REGS		_IOW(HVPART_IO, 0x32, struct hvpart_regs)
#define HVPART_GET_SREGS	_IOR(HVPART_IO, 0x33, struct hvpart_sregs)
#define HVPART_SET_SREGS	_IOW(HVPART_IO, 0x34, struct hvpart_sregs)
#define HVPART_GET_MSRS		_IOWR(HVPART_IO, 0x35, struct hvpart_msrs)
#define HVPART_SET_MSRS		_IOW(HVPART_IO, 0x36, struct hvpart_msrs)
#define HVPART_SET_CPUID	_IOW(HVPART_IO, 0x37, struct hvpart_cpuid)
#define HVPART_GET_CPUID	_IOWR(HVPART_IO, 0x38, struct hvpart_cpuid)
#define HVPART_GET_MP_STATE	_IOR(HVPART_IO, 0x39, struct hvpart_mp_state)
#define HVPART_SET_MP_STATE	_IOW(HVPART_IO, 0x3a, struct hvpart_mp_state)

/* ------------------------------------------------------------------------ */
/* VMBus channel fd (HVPART_VMBUS_OFFER)                                     */
/* ------------------------------------------------------------------------ */

enum hvpart_vmbus_chan_event_type {
	HVPART_VMBUS_CHAN_OPENED = 1,	/* rings are mapped at mmap offset 0 */
	HVPART_VMBUS_CHAN_CLOSED,	/* the guest closed the channel */
};

/**
 * struct hvpart_vmbus_chan_event - read() from a channel fd (poll()able)
 *
 * OPENED: the guest opened the channel. mmap(offset 0, length
 * @in_ring_size + @out_ring_size) maps the guest->host ring (its 4 KiB
 * header page, then data) followed by the host->guest ring (likewise).
 * The ring protocol is the guest's (hyperv-facts §5.7-5.9; vmbus/ring.c
 * implements the host side and can be linked into a VMM).
 * @relid:        the channel's relid (the guest's event flag)
 * @target_vp:    VP the guest wants interrupts on
 * @in_ring_size: bytes of the guest->host ring, header page included
 * @out_ring_size: bytes of the host->guest ring, header page included
 * @user_data:    the guest's OPENCHANNEL user data
 */
struct hvpart_vmbus_chan_event {
	__u32 type;
	__u32 relid;
	__u32 target_vp;
	__u32 in_ring_size;
	__u32 out_ring_size;
	__u32 rsvd;
	__u8 user_data[120];
};

/**
 * struct hvpart_vmbus_chan_eventfds - HVPART_VMBUS_CHAN_SET_EVENTFDS
 *
 * The doorbells of a userspace-served channel, with no exit to userspace
 * on the guest's side: the module signals @guest_kick when the guest rings
 * the channel (HvSignalEvent); a write to @host_kick makes the module
 * interrupt the guest for this channel (SynIC event flag @relid). -1
 * removes a doorbell. @rsvd: must be 0.
 */
struct hvpart_vmbus_chan_eventfds {
	__s32 guest_kick;
	__s32 host_kick;
	__u64 rsvd;
};

#define HVPART_VMBUS_CHAN_SET_EVENTFDS _IOW(HVPART_IO, 0x40, struct hvpart_vmbus_chan_eventfds)

#endif /* _UAPI_LINUX_HVPART_H */
