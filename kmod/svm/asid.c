// SPDX-License-Identifier: GPL-2.0
/*
 * ASIDs: tags that let guest translations stay in the TLB across world
 * switches (APM 15.16). Each CPU hands out ASIDs 1..max in order, tagged
 * with a per-CPU generation. A VP keeps its ASID while it runs on the same
 * CPU in the same generation; moving to another CPU, or the CPU running
 * out of ASIDs (a new generation), gives it a fresh one.
 *
 * A fresh ASID may hold stale translations of whoever had it before, so
 * the VP flushes it at its next VMRUN; a new generation flushes every ASID
 * on the CPU at once. Without flush-by-ASID the only available flush is
 * "all ASIDs", which is what the VP then asks for.
 */
#include <linux/smp.h>

#include "svm.h"

void svm_asid_cpu_init(struct svm_cpu *sc)
{
	/* Start exhausted: the first VMRUN here opens a generation, flushing all. */
	sc->asid_gen++;
	sc->next_asid = svm_max_asid + 1;
}

void svm_asid_prepare(struct svm_vp *svm, struct svm_cpu *sc, int cpu)
{
	struct vmcb_control_area *ctl = &svm->vmcb->control;

	ctl->tlb_ctl = TLB_CONTROL_DO_NOTHING;
	if (svm->last_cpu != cpu || svm->asid_gen != sc->asid_gen) {
		if (sc->next_asid > svm_max_asid) {
			sc->asid_gen++;
			sc->next_asid = 1;
			ctl->tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
		}
		svm->asid = sc->next_asid++;
		svm->asid_gen = sc->asid_gen;
		svm->flush_pending = true;
		ctl->asid = svm->asid;
		svm_mark_dirty(svm, BIT(SVM_CLEAN_ASID));
	}
	if (svm->flush_pending) {
		if (ctl->tlb_ctl == TLB_CONTROL_DO_NOTHING)
			ctl->tlb_ctl = svm_flush_by_asid ? TLB_CONTROL_FLUSH_ASID :
							   TLB_CONTROL_FLUSH_ALL_ASID;
		svm->flush_pending = false;
	}
}
