/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest-virtual to guest-physical translation by walking the guest's own
 * page tables, as the CPU would: no paging, 32-bit, PAE and 4-level
 * (5-level when CR4.LA57). Used to fetch the instruction at RIP when the
 * hardware gives no instruction bytes. Pure logic (pure.h only).
 */
#ifndef HVP_GVA_WALK_H
#define HVP_GVA_WALK_H

#include "pure.h"

/*
 * Long mode is taken from EFER.LMA (as the CPU sets it), not EFER.LME.
 * @maxphyaddr is the guest's CPUID 0x80000008 EAX[7:0]: entry bits from it
 * up to 51 are reserved. 0 means 52 (nothing reserved there).
 */
struct hvp_paging_state {
	u64 cr0;
	u64 cr3;
	u64 cr4;
	u64 efer;
	u8 maxphyaddr;
};

/* Access being translated; determines which permission bits matter. */
#define HVP_WALK_WRITE	(1U << 0)
#define HVP_WALK_USER	(1U << 1)	/* CPL 3 */
#define HVP_WALK_FETCH	(1U << 2)

/* #PF error code bits (SDM vol. 3A §4.7, APM vol. 2 §8.4.2). */
#define HVP_PFERR_PRESENT	(1U << 0)
#define HVP_PFERR_WRITE		(1U << 1)
#define HVP_PFERR_USER		(1U << 2)
#define HVP_PFERR_RSVD		(1U << 3)
#define HVP_PFERR_FETCH		(1U << 4)

/* What the CPU would raise when a walk returns -EFAULT. */
struct hvp_walk_fault {
	u32 error_code;		/* #PF error code, HVP_PFERR_* */
	bool noncanonical;	/* #GP (or #SS) instead of #PF; error_code 0 */
};

/*
 * Reads one 8-byte (or, for 32-bit paging, 4-byte) guest-physical entry;
 * returns 0 or -errno (-EFAULT or a positive value is passed on as -EIO).
 */
typedef int (*hvp_read_gpa_fn)(void *ctx, u64 gpa, void *buf, unsigned int len);

/*
 * Returns 0 and the translation in @gpa, -EFAULT when the guest's tables
 * say the access faults (not present, reserved bit, permission), or the
 * callback's error when an entry cannot be read (see above). -EINVAL for an unknown
 * @access bit or an impossible register state (EFER.LMA without CR4.PAE).
 */
int hvp_gva_to_gpa(const struct hvp_paging_state *ps, u64 gva, unsigned int access,
		   hvp_read_gpa_fn read, void *ctx, u64 *gpa);

/*
 * The same, and on -EFAULT fills @fault (if not NULL) with the exception to
 * inject. Accessed/dirty bits are not set, SMAP and protection keys are not
 * checked: this walk serves the emulator, whose accesses the guest's own
 * CPU already allowed.
 */
int hvp_gva_walk(const struct hvp_paging_state *ps, u64 gva, unsigned int access,
		 hvp_read_gpa_fn read, void *ctx, u64 *gpa, struct hvp_walk_fault *fault);

#endif /* HVP_GVA_WALK_H */
