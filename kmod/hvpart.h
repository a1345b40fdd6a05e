/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Core types of hvpart.ko, private to kmod/: the partition, the virtual
 * processor (VP) and the vendor-neutral exit that backends decode into.
 *
 * Lifetimes: a partition lives while its fd or any VP fd is open (kref);
 * a VP lives while its fd is open. Locking is described in docs/locking.md.
 */
#ifndef HVP_HVPART_H
#define HVP_HVPART_H

#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/ratelimit.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <asm/fpu/api.h>
#include <uapi/linux/hvpart.h>

#include "decode.h"
#include "lapic.h"
#include "hv/hv.h"
#include "slat/slat.h"

#define HVP_MAX_VPS		256
#define HVP_MAX_MEM_REGIONS	1024
#define HVP_MAX_CPUID_ENTRIES	256
#define HVP_MAX_MSRS_PER_CALL	256

struct dentry;
struct hvp_partition;
struct hvp_vp;
struct hvp_vmbus;

/* A range of guest-physical memory backed by user memory (slat/gpa_map.c). */
struct hvp_mem_region;

struct hvp_gpa_map {
	struct mutex lock;	/* regions, SLAT entries, pins */
	struct hvp_mem_region *regions[HVP_MAX_MEM_REGIONS];	/* sorted by gpa */
	unsigned int nr_regions;
	struct hvp_slat slat;
	atomic64_t tlb_gen;	/* bumped after SLAT entries are removed */
};

struct hvp_partition {
	struct kref ref;
	u32 id;
	struct mm_struct *mm;	/* the creator's; other mms get -EIO */
	struct mutex lock;	/* VP table changes */
	struct hvp_vp __rcu *vps[HVP_MAX_VPS];
	unsigned int nr_vps;
	struct hvp_gpa_map mem;
	u64 flags;		/* HVPART_PARTITION_F_* */
	u64 tsc_offset;		/* guest TSC = host TSC + tsc_offset */
	/* HVPART_SET_HYPERCALL_POLICY; fixed once a VP exists. */
	u32 hypercall_action;
	u64 hypercall_result;
	bool dead;		/* a broken invariant; ioctls fail with -EIO */
	struct hvp_hv_partition hv;	/* the Hyper-V interface (hv/) */
	struct hvp_vmbus *vmbus;	/* VMBus host (vmbus/), or NULL */
	struct dentry *debugfs;
	void *debugfs_files;	/* stats.c */
	void *arch;		/* backend private, ops->partition_init */
};

/*
 * Vendor-neutral exit reasons, named once: the enum and the names that
 * tracepoints print (trace.h) both come from this list. A backend decodes
 * its hardware exit into struct hvp_exit with one of these; kmod/exit.c
 * decides what happens.
 */
#define HVP_EXIT_REASONS(X)						\
	X(UNKNOWN,		"unknown")	/* 0: unfilled table slots */	\
	X(NOTHING,		"nothing")	/* host IRQ, NMI, SMI */	\
	X(IO,			"io")						\
	X(SLAT_FAULT,		"slat_fault")	/* NPF, EPT violation */	\
	X(SLAT_MISCONFIG,	"slat_misconfig")				\
	X(CPUID,		"cpuid")					\
	X(RDMSR,		"rdmsr")					\
	X(WRMSR,		"wrmsr")					\
	X(HLT,			"hlt")						\
	X(SHUTDOWN,		"shutdown")	/* triple fault */		\
	X(HYPERCALL,		"hypercall")					\
	X(CR_ACCESS,		"cr_access")					\
	X(DR_ACCESS,		"dr_access")					\
	X(XSETBV,		"xsetbv")					\
	X(EXCEPTION,		"exception")	/* intercepted, reflect */	\
	X(MACHINE_CHECK,	"machine_check")				\
	X(INJECT_UD,		"inject_ud")	/* hidden instruction */	\
	X(INJECT_GP,		"inject_gp")					\
	X(SKIP,			"skip")		/* INVD, WBINVD */		\
	X(IRQ_WINDOW,		"irq_window")	/* guest can take an IRQ */	\
	X(ENTRY_FAILED,		"entry_failed")					\
	X(STATE_LOST,		"state_lost")	/* see svm_guest_state_is_host() */

#define HVP_EXIT_ENUM(name, str) HVP_EXIT_##name,
enum hvp_exit_reason {
	HVP_EXIT_REASONS(HVP_EXIT_ENUM)
	HVP_EXIT_COUNT
};
#undef HVP_EXIT_ENUM

struct hvp_exit {
	u32 reason;		/* enum hvp_exit_reason */
	u32 insn_len;		/* 0: unknown, decode the instruction */
	u64 hw_code;		/* raw exit code, for traces and errors */
	u64 info1;
	u64 info2;
	/*
	 * Events, raw in the backend's format (SVM EVENTINJ / EXITINTINFO,
	 * VMX entry interruption / IDT-vectoring info), for traces: what
	 * the entry injected, and what was being delivered at the exit.
	 */
	u32 injected;
	u32 int_info;
	u32 int_info_err;	/* its error code, when it has one */
	union {
		struct {
			u16 port;
			u8 size;
			bool in;
			bool string;
			bool rep;
		} io;
		struct {
			u64 gpa;
			u32 access;	/* HVPART_ACCESS_* */
			bool in_walk;	/* during the guest's page-table walk */
		} slat;
		struct {
			u8 reg;		/* CR or DR number */
			bool write;
			s8 gpr;		/* -1: not given by hardware, decode */
		} cr;			/* CR_ACCESS and DR_ACCESS */
		struct {
			u8 vector;
			bool has_error;
			u32 error;
		} exc;
	};
	/* Instruction bytes the hardware supplied (SVM decode assists). */
	u8 insn_bytes[15];
	u8 nr_insn_bytes;
};

/* What the next RUN must finish before entering the guest. */
enum hvp_pending {
	HVP_PENDING_NONE,
	HVP_PENDING_IO_IN,
	HVP_PENDING_MMIO_LOAD,
	HVP_PENDING_HYPERCALL,
};

/* Work other threads ask of a VP, done before its next entry. */
#define HVP_REQ_TLB_FLUSH	0

enum hvp_vp_mode {
	HVP_OUTSIDE_GUEST,
	HVP_IN_GUEST,
};

/* Counters, one line each in kmod/stats.c. */
struct hvp_vp_stats {
	u64 exits;
	u64 io_exits;
	u64 mmio_exits;
	u64 hlt_exits;
	u64 halt_polls;
	u64 halt_poll_wakeups;
	u64 cpuid_exits;
	u64 msr_exits;
	u64 npf_fills;
	u64 intr_exits;
	u64 signal_exits;
	u64 hypercall_exits;
	u64 userspace_exits;
	u64 injected_exceptions;
	u64 tlb_flushes;
};

/*
 * Kernel addresses of guest pages a VP read lately (slat/gpa_map.c): the
 * page walk and instruction fetch on exits without decode assists read
 * the same few pages over and over.
 */
#define HVP_PAGE_CACHE_SIZE	8
struct hvp_page_cache {
	u64 tlb_gen;			/* mem.tlb_gen the entries belong to */
	struct {
		u64 gfn;
		void *va;		/* NULL: empty */
	} e[HVP_PAGE_CACHE_SIZE];
};

struct hvp_vp {
	struct hvp_partition *part;
	u32 index;
	struct mutex mutex;		/* one ioctl at a time on this VP */
	struct hvpart_run *run;		/* the mmap'd page */

	/* Guest registers the core owns; backends sync RAX/RSP/RIP/RFLAGS. */
	u64 gprs[HVP_NR_GPRS];
	u64 rip;
	u64 rflags;

	u64 cr4;			/* authoritative: CR4 writes always exit */
	u64 xcr0;
	struct fpu_guest guest_fpu;
	u64 misc_enable;
	u64 apic_base;
	u64 dr[4];			/* virtual: never loaded into hardware */
	u64 dr7;			/* virtual; hardware DR7 stays 0x400 */

	struct hvpart_cpuid_entry *cpuid;
	unsigned int cpuid_nent;

	struct hvp_lapic lapic;
	struct hvp_hv_vp hv;

	/* Run-loop state. */
	int mp_state;			/* enum hvpart_mp_state_value */
	atomic_t init_pending;		/* INIT IPI received */
	atomic_t sipi_vector;		/* start-up IPI vector, -1 if none */
	wait_queue_head_t wq;		/* halted or waiting for SIPI */
	int cpu;			/* CPU of the last entry, -1 before */
	int mode;			/* enum hvp_vp_mode, read by kickers */
	u64 tlb_gen_seen;
	unsigned long requests;		/* HVP_REQ_*, set by other threads */
	bool host_state_stale;		/* set by each RUN; backends reload */
	bool needs_reset;		/* after shutdown, until SET_(S)REGS */
	struct hvp_exit exit;
	enum hvp_pending pending;
	struct hvp_insn pending_insn;
	u32 pending_len;
	struct hvp_page_cache page_cache;	/* under part->mem.lock */

	struct hvp_vp_stats stats;
	struct dentry *debugfs;
	struct rcu_head rcu;
};

/* DR6 and DR7: bits that are always 1, and bits a MOV may change (SDM 18.2). */
#define HVP_DR6_FIXED_1		0xffff0ff0ULL
#define HVP_DR6_VOLATILE	0x0000e00fULL	/* B0-B3, BD, BS, BT */
#define HVP_DR7_FIXED_1		0x00000400ULL
#define HVP_DR7_VOLATILE	0xffff23ffULL	/* L/G0-3, LE, GE, GD, R/W, LEN */

/* PAT after reset: WB, WT, UC-, UC, repeated (SDM 13.12.4). */
#define HVP_PAT_DEFAULT		0x0007040600070406ULL

/* Return convention of exit handlers and the run loop (kmod/run.c). */
#define HVP_RESUME	1	/* re-enter the guest */
#define HVP_TO_USER	0	/* run page filled, return to userspace */

/* partition.c */
void hvp_partition_get(struct hvp_partition *part);
void hvp_partition_put(struct hvp_partition *part);
int hvp_partition_create(const struct hvpart_partition_create __user *uarg);
void hvp_partition_mark_dead(struct hvp_partition *part, const char *why);

#define HVP_BUG_ON(cond, part)						\
({									\
	bool __c = !!(cond);						\
	if (WARN_ON_ONCE(__c))						\
		hvp_partition_mark_dead(part, #cond);			\
	unlikely(__c);							\
})

/* vp.c */
int hvp_vp_create(struct hvp_partition *part, const struct hvpart_vp_create __user *uarg);
void hvp_vp_kick_all(struct hvp_partition *part);

/* run.c */
int hvp_vp_run(struct hvp_vp *vp);

/* exit.c */
int hvp_exit_handle(struct hvp_vp *vp);
bool hvp_vp_skip_insn(struct hvp_vp *vp);
void hvp_vp_advance_rip(struct hvp_vp *vp, unsigned int len);
void hvp_vp_advance_rip_in(struct hvp_vp *vp, unsigned int len, enum hvp_cpu_mode mode);
int hvp_vp_complete_pending(struct hvp_vp *vp);
void hvp_vp_internal_error(struct hvp_vp *vp, u32 suberror);

/* insn.c: guest instruction fetch and mode */
enum hvp_cpu_mode hvp_vp_cpu_mode(struct hvp_vp *vp);
int hvp_vp_fetch_insn(struct hvp_vp *vp, u8 *buf, unsigned int *len, enum hvp_cpu_mode *mode);
int hvp_vp_decode_at_rip(struct hvp_vp *vp, struct hvp_insn *insn, enum hvp_cpu_mode *mode);
int hvp_vp_decode_exit_insn(struct hvp_vp *vp, struct hvp_insn *insn, enum hvp_cpu_mode *mode);

/* regs.c */
void hvp_vp_reset_regs(struct hvp_vp *vp);
int hvp_sregs_check(struct hvp_vp *vp, const struct hvpart_sregs *sregs);
bool hvp_efer_valid(struct hvp_vp *vp, u64 efer);
u64 hvp_cr4_allowed(struct hvp_vp *vp);
int hvp_vp_set_xcr0(struct hvp_vp *vp, u32 index, u64 value);

/* cpuid.c */
int hvp_cpuid_init(void);
void hvp_cpuid_exit(void);
int hvp_cpuid_get_supported(struct hvpart_cpuid __user *uarg);
int hvp_vp_cpuid_init(struct hvp_vp *vp);
int hvp_vp_set_cpuid(struct hvp_vp *vp, const struct hvpart_cpuid __user *uarg);
int hvp_vp_get_cpuid(struct hvp_vp *vp, struct hvpart_cpuid __user *uarg);
const struct hvpart_cpuid_entry *hvp_cpuid_find(struct hvp_vp *vp, u32 function, u32 index);
void hvp_cpuid_emulate(struct hvp_vp *vp);
extern u64 hvp_host_xcr0;
u64 hvp_guest_supported_xcr0(struct hvp_vp *vp);

/* msr.c */
int hvp_msr_get(struct hvp_vp *vp, u32 index, u64 *value, bool from_host);
int hvp_msr_set(struct hvp_vp *vp, u32 index, u64 value, bool from_host);
int hvp_vp_msrs_ioctl(struct hvp_vp *vp, struct hvpart_msrs __user *uarg, bool set);

/* slat/gpa_map.c */
int hvp_gpa_map_init(struct hvp_partition *part);
void hvp_gpa_map_destroy(struct hvp_partition *part);
int hvp_gpa_map_ioctl(struct hvp_partition *part, const struct hvpart_mem_map __user *uarg);
int hvp_gpa_unmap_ioctl(struct hvp_partition *part, const struct hvpart_mem_unmap __user *uarg);
u32 hvp_gpa_bits(void);

enum hvp_fault_result {
	HVP_FAULT_FILLED,	/* SLAT entry installed, re-enter */
	HVP_FAULT_UNMAPPED,	/* no region: userspace MMIO */
	HVP_FAULT_FORBIDDEN,	/* region flags forbid the access */
};
int hvp_gpa_fault(struct hvp_vp *vp, u64 gpa, u32 access);
int hvp_gpa_read(struct hvp_partition *part, u64 gpa, void *buf, unsigned int len);
int hvp_gpa_write(struct hvp_partition *part, u64 gpa, const void *buf, unsigned int len);
void hvp_vp_mem_lock(struct hvp_vp *vp);
int hvp_vp_mem_read(struct hvp_vp *vp, u64 gpa, void *buf, unsigned int len);
void hvp_vp_mem_unlock(struct hvp_vp *vp);
int hvp_gpa_pin_pages(struct hvp_partition *part, const u64 *gfns, unsigned int n,
		      struct page **pages);
void hvp_gpa_unpin_pages(struct page **pages, unsigned int n);

/* stats.c */
void hvp_debugfs_init(void);
void hvp_debugfs_exit(void);
void hvp_debugfs_partition_add(struct hvp_partition *part);
void hvp_debugfs_partition_remove(struct hvp_partition *part);
void hvp_debugfs_vp_add(struct hvp_vp *vp);
void hvp_debugfs_vp_remove(struct hvp_vp *vp);

/* main.c, dev.c */
extern struct hvp_arch_ops hvp_ops;
extern struct miscdevice hvp_misc;

/*
 * Guest-triggerable log lines: ratelimited, naming partition, VP and RIP.
 */
#define hvp_vp_warn(vp, fmt, ...)					\
	pr_warn_ratelimited("partition %u vp %u rip %#llx: " fmt,	\
			    (vp)->part->id, (vp)->index, (vp)->rip, ##__VA_ARGS__)

#endif /* HVP_HVPART_H */
