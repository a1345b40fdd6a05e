// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the guest's instruction stream: the CPU mode that decides how
 * bytes decode, and the fetch of the bytes at CS:RIP through the guest's
 * own page tables (gva_walk.c) and its guest-physical memory. Used when
 * the hardware supplies neither an instruction length nor its bytes.
 */
#include <linux/mm.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>

#include "arch_ops.h"
#include "gva_walk.h"
#include "hvpart.h"

static enum hvp_cpu_mode hvp_sregs_cpu_mode(const struct hvpart_sregs *s, u64 rflags)
{
	if ((s->efer & EFER_LMA) && (s->cs.attrib & HVPART_SEG_L))
		return HVP_MODE_LONG64;
	if (!(s->cr0 & X86_CR0_PE) || (rflags & X86_EFLAGS_VM))
		return HVP_MODE_REAL;
	return (s->cs.attrib & HVPART_SEG_DB) ? HVP_MODE_PROT32 : HVP_MODE_PROT16;
}

enum hvp_cpu_mode hvp_vp_cpu_mode(struct hvp_vp *vp)
{
	struct hvpart_sregs s;

	hvp_ops.get_mode_regs(vp, &s);
	return hvp_sregs_cpu_mode(&s, vp->rflags);
}

static int hvp_walk_read(void *ctx, u64 gpa, void *buf, unsigned int len)
{
	return hvp_vp_mem_read(ctx, gpa, buf, len);
}

/*
 * Copy up to 15 bytes at CS:RIP into @buf; *@len gets how many could be
 * read (fewer when the second page of an instruction is not accessible),
 * *@mode the mode they decode in. One register read and one lock hold
 * for the walk and the fetch: this runs on every exit without decode
 * assists.
 */
int hvp_vp_fetch_insn(struct hvp_vp *vp, u8 *buf, unsigned int *len, enum hvp_cpu_mode *mode)
{
	struct hvp_paging_state ps = { .maxphyaddr = hvp_gpa_bits() };
	struct hvpart_sregs s;
	unsigned int access = HVP_WALK_FETCH, done = 0;
	u64 linear;

	hvp_ops.get_sregs(vp, &s);
	ps.cr0 = s.cr0;
	ps.cr3 = s.cr3;
	ps.cr4 = s.cr4;
	ps.efer = s.efer;
	if (hvp_ops.get_cpl(vp) == 3)
		access |= HVP_WALK_USER;

	*mode = hvp_sregs_cpu_mode(&s, vp->rflags);
	linear = s.cs.base + vp->rip;
	if (*mode != HVP_MODE_LONG64)
		linear &= 0xffffffff;

	hvp_vp_mem_lock(vp);
	while (done < 15) {
		unsigned int n = min_t(unsigned int, 15 - done,
				       PAGE_SIZE - offset_in_page(linear + done));
		u64 gpa;

		if (hvp_gva_to_gpa(&ps, linear + done, access, hvp_walk_read, vp, &gpa) ||
		    hvp_vp_mem_read(vp, gpa, buf + done, n))
			break;
		done += n;
	}
	hvp_vp_mem_unlock(vp);
	*len = done;
	return done ? 0 : -EFAULT;
}

int hvp_vp_decode_at_rip(struct hvp_vp *vp, struct hvp_insn *insn, enum hvp_cpu_mode *mode)
{
	u8 bytes[15];
	unsigned int n;
	int ret;

	ret = hvp_vp_fetch_insn(vp, bytes, &n, mode);
	if (ret)
		return ret;
	return hvp_insn_decode(bytes, n, *mode, insn);
}

/* The exiting instruction: bytes from the hardware if it gave them. */
int hvp_vp_decode_exit_insn(struct hvp_vp *vp, struct hvp_insn *insn, enum hvp_cpu_mode *mode)
{
	const struct hvp_exit *e = &vp->exit;

	if (e->nr_insn_bytes) {
		*mode = hvp_vp_cpu_mode(vp);
		return hvp_insn_decode(e->insn_bytes, e->nr_insn_bytes, *mode, insn);
	}
	return hvp_vp_decode_at_rip(vp, insn, mode);
}
