// SPDX-License-Identifier: GPL-2.0
/*
 * Guest page-table walker; gva_walk.h says what it is for.
 *
 * The paging mode follows from the guest's control registers exactly as on
 * the CPU (SDM vol. 3A §4.1.1, APM vol. 2 §5.1):
 *
 *   CR0.PG = 0                 no paging: gpa = gva, 32 bits
 *   CR4.PAE = 0                32-bit paging: 2 levels of 4-byte entries,
 *                              4 MiB pages with CR4.PSE (PSE-36: PA bits
 *                              39:32 in PDE bits 20:13)
 *   CR4.PAE = 1, EFER.LMA = 0  PAE: 4 PDPTEs at CR3[31:5], then 2 levels of
 *                              8-byte entries, 2 MiB pages
 *   EFER.LMA = 1               4-level, or 5-level with CR4.LA57: 8-byte
 *                              entries, 1 GiB and 2 MiB pages
 *
 * Each level is checked top-down as the CPU does: not present, then
 * reserved bits (PS in PML5E/PML4E, NX when EFER.NXE = 0, physical-address
 * bits at or above MAXPHYADDR, the low address bits of a large page). The
 * access rights are the AND of R/W and U/S and the OR of NX over all levels
 * and are checked once the walk reaches a leaf (SDM vol. 3A §4.6). PAE
 * PDPTEs carry no rights. A reserved bit in a PAE PDPTE is reported as a
 * #PF; real hardware would have raised #GP when CR3 was loaded.
 *
 * The number of entry reads is fixed by the mode (at most five); nothing
 * read from the guest drives a loop.
 */
#include "gva_walk.h"

#define CR0_WP		(1ULL << 16)
#define CR0_PG		(1ULL << 31)
#define CR4_PSE		(1ULL << 4)
#define CR4_PAE		(1ULL << 5)
#define CR4_LA57	(1ULL << 12)
#define CR4_SMEP	(1ULL << 20)
#define EFER_LMA	(1ULL << 10)
#define EFER_NXE	(1ULL << 11)

#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_US		(1ULL << 2)
#define PTE_PS		(1ULL << 7)
#define PTE_NX		(1ULL << 63)

#define WALK_ACCESS_MASK	(HVP_WALK_WRITE | HVP_WALK_USER | HVP_WALK_FETCH)

struct walk {
	const struct hvp_paging_state *ps;
	hvp_read_gpa_fn read;
	void *ctx;
	unsigned int access;
	unsigned int maxphy;
	bool fetch_id;		/* report fetches in the error code */
	bool noncanonical;
	u32 error_code;
	/* rights accumulated over the levels walked so far */
	bool writable;
	bool user;
	bool nx;
};

/* Bits @lo..@hi inclusive; empty when @lo > @hi. */
static u64 bits(unsigned int lo, unsigned int hi)
{
	if (lo > hi)
		return 0;
	return (~0ULL >> (63 - hi)) & (~0ULL << lo);
}

static int read_entry(struct walk *w, u64 gpa, unsigned int len, u64 *entry)
{
	u8 buf[8];
	unsigned int i;
	u64 v = 0;
	int ret;

	/* -EFAULT from the callback must not look like a guest #PF. */
	ret = w->read(w->ctx, gpa, buf, len);
	if (ret)
		return ret < 0 && ret != -EFAULT ? ret : -EIO;
	for (i = 0; i < len; i++)
		v |= (u64)buf[i] << (8 * i);
	*entry = v;
	return 0;
}

/* @why: 0 for not present, HVP_PFERR_PRESENT [| HVP_PFERR_RSVD] otherwise. */
static int walk_fault(struct walk *w, u32 why)
{
	w->error_code = why;
	if (w->access & HVP_WALK_WRITE)
		w->error_code |= HVP_PFERR_WRITE;
	if (w->access & HVP_WALK_USER)
		w->error_code |= HVP_PFERR_USER;
	if ((w->access & HVP_WALK_FETCH) && w->fetch_id)
		w->error_code |= HVP_PFERR_FETCH;
	return -EFAULT;
}

static void walk_accumulate(struct walk *w, u64 entry, bool has_nx)
{
	if (!(entry & PTE_RW))
		w->writable = false;
	if (!(entry & PTE_US))
		w->user = false;
	if (has_nx && (entry & PTE_NX))
		w->nx = true;
}

/* The rights check once a leaf is reached (SDM vol. 3A §4.6.1). */
static int walk_check_rights(struct walk *w)
{
	const struct hvp_paging_state *ps = w->ps;
	unsigned int a = w->access;

	if (a & HVP_WALK_USER) {
		if (!w->user || ((a & HVP_WALK_WRITE) && !w->writable))
			return walk_fault(w, HVP_PFERR_PRESENT);
	} else {
		/* CR0.WP = 0 lets supervisor writes ignore R/W. */
		if ((a & HVP_WALK_WRITE) && !w->writable && (ps->cr0 & CR0_WP))
			return walk_fault(w, HVP_PFERR_PRESENT);
		if ((a & HVP_WALK_FETCH) && w->user && (ps->cr4 & CR4_SMEP))
			return walk_fault(w, HVP_PFERR_PRESENT);
	}
	if ((a & HVP_WALK_FETCH) && w->nx)
		return walk_fault(w, HVP_PFERR_PRESENT);
	return 0;
}

/*
 * 8-byte entries from @top (5 = PML5 ... 1 = PT) down, starting at the
 * table at @table. Level 3 and 2 entries with PS map 1 GiB and 2 MiB.
 */
static int walk_64(struct walk *w, u64 table, u64 va, unsigned int top, u64 high_rsvd,
		   u64 *gpa)
{
	u64 addr_mask = bits(12, w->maxphy - 1);
	unsigned int level, shift;
	u64 entry, rsvd, offset;
	int ret;

	for (level = top; level >= 1; level--) {
		shift = 12 + 9 * (level - 1);
		ret = read_entry(w, table + ((va >> shift) & 511) * 8, 8, &entry);
		if (ret)
			return ret;
		if (!(entry & PTE_P))
			return walk_fault(w, 0);

		rsvd = high_rsvd;
		if (level >= 4)
			rsvd |= PTE_PS;
		else if (level > 1 && (entry & PTE_PS))
			rsvd |= bits(13, shift - 1);	/* bit 12 is PAT */
		if (entry & rsvd)
			return walk_fault(w, HVP_PFERR_PRESENT | HVP_PFERR_RSVD);

		walk_accumulate(w, entry, true);
		if (level == 1 || (entry & PTE_PS)) {
			offset = bits(0, shift - 1);
			*gpa = (entry & addr_mask & ~offset) | (va & offset);
			return walk_check_rights(w);
		}
		table = entry & addr_mask;
	}
	return -EINVAL;		/* not reached: level 1 is always a leaf */
}

static int walk_long(struct walk *w, u64 gva, u64 *gpa)
{
	const struct hvp_paging_state *ps = w->ps;
	bool la57 = ps->cr4 & CR4_LA57;
	u64 high = gva >> (la57 ? 56 : 47);
	u64 rsvd = bits(w->maxphy, 51);

	/* Bits 63:48 (63:57) must copy bit 47 (56). */
	if (high != 0 && high != (la57 ? 0xff : 0x1ffff)) {
		w->noncanonical = true;
		return -EFAULT;
	}
	if (!(ps->efer & EFER_NXE))
		rsvd |= PTE_NX;
	return walk_64(w, ps->cr3 & bits(12, w->maxphy - 1), gva, la57 ? 5 : 4, rsvd, gpa);
}

static int walk_pae(struct walk *w, u32 va, u64 *gpa)
{
	const struct hvp_paging_state *ps = w->ps;
	u64 pdpte, rsvd = bits(w->maxphy, 62);
	int ret;

	ret = read_entry(w, ((u32)ps->cr3 & ~0x1fU) + (va >> 30) * 8, 8, &pdpte);
	if (ret)
		return ret;
	if (!(pdpte & PTE_P))
		return walk_fault(w, 0);
	/* PDPTE: no NX, no R/W, U/S, A, D, PS, G (SDM vol. 3A table 4-8). */
	if (pdpte & (bits(w->maxphy, 63) | bits(5, 8) | bits(1, 2)))
		return walk_fault(w, HVP_PFERR_PRESENT | HVP_PFERR_RSVD);

	if (!(ps->efer & EFER_NXE))
		rsvd |= PTE_NX;
	return walk_64(w, pdpte & bits(12, w->maxphy - 1), va, 2, rsvd, gpa);
}

static int walk_32(struct walk *w, u32 va, u64 *gpa)
{
	const struct hvp_paging_state *ps = w->ps;
	u64 pde, pte, rsvd;
	int ret;

	ret = read_entry(w, ((u32)ps->cr3 & 0xfffff000U) + (va >> 22) * 4, 4, &pde);
	if (ret)
		return ret;
	if (!(pde & PTE_P))
		return walk_fault(w, 0);

	if ((ps->cr4 & CR4_PSE) && (pde & PTE_PS)) {
		/* 4 MiB page; PDE bits 20:13 give PA bits 39:32 (PSE-36). */
		rsvd = bits(21, 21) | bits(13 + w->maxphy - 32, 20);
		if (pde & rsvd)
			return walk_fault(w, HVP_PFERR_PRESENT | HVP_PFERR_RSVD);
		walk_accumulate(w, pde, false);
		*gpa = (pde & 0xffc00000U) | (((pde >> 13) & 0xff) << 32) | (va & 0x3fffffU);
		return walk_check_rights(w);
	}

	walk_accumulate(w, pde, false);
	ret = read_entry(w, (pde & 0xfffff000U) + ((va >> 12) & 0x3ff) * 4, 4, &pte);
	if (ret)
		return ret;
	if (!(pte & PTE_P))
		return walk_fault(w, 0);
	walk_accumulate(w, pte, false);
	*gpa = (pte & 0xfffff000U) | (va & 0xfffU);
	return walk_check_rights(w);
}

int hvp_gva_walk(const struct hvp_paging_state *ps, u64 gva, unsigned int access,
		 hvp_read_gpa_fn read, void *ctx, u64 *gpa, struct hvp_walk_fault *fault)
{
	struct walk w = {
		.ps = ps,
		.read = read,
		.ctx = ctx,
		.access = access,
		.maxphy = ps->maxphyaddr,
		.writable = true,
		.user = true,
	};
	u64 out = 0;
	int ret;

	if ((access & ~WALK_ACCESS_MASK) ||
	    ((access & HVP_WALK_WRITE) && (access & HVP_WALK_FETCH)))
		return -EINVAL;
	if (!w.maxphy || w.maxphy > 52)
		w.maxphy = 52;
	else if (w.maxphy < 32)
		w.maxphy = 32;

	if (!(ps->cr0 & CR0_PG)) {
		*gpa = (u32)gva;
		return 0;
	}

	/* I/D is reported only where paging can forbid fetches. */
	w.fetch_id = (ps->cr4 & CR4_SMEP) ||
		     ((ps->cr4 & CR4_PAE) && (ps->efer & EFER_NXE));

	if (ps->efer & EFER_LMA) {
		if (!(ps->cr4 & CR4_PAE))
			return -EINVAL;
		ret = walk_long(&w, gva, &out);
	} else if (ps->cr4 & CR4_PAE) {
		ret = walk_pae(&w, (u32)gva, &out);
	} else {
		ret = walk_32(&w, (u32)gva, &out);
	}

	if (ret == -EFAULT && fault) {
		fault->error_code = w.noncanonical ? 0 : w.error_code;
		fault->noncanonical = w.noncanonical;
	}
	if (ret)
		return ret;
	*gpa = out;
	return 0;
}

int hvp_gva_to_gpa(const struct hvp_paging_state *ps, u64 gva, unsigned int access,
		   hvp_read_gpa_fn read, void *ctx, u64 *gpa)
{
	return hvp_gva_walk(ps, gva, access, read, ctx, gpa, NULL);
}
