/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AMD SVM backend: private types. The VMCB layout and intercept numbers
 * come from the kernel's <asm/svm.h>; AMD APM vol. 2, chapter 15 is the
 * reference for everything here.
 */
#ifndef HVP_SVM_H
#define HVP_SVM_H

#include <asm/svm.h>

#include "../hvpart.h"

/* VMCB clean bits (APM 15.15.3): which cached VMCB areas are unchanged. */
enum svm_clean_bit {
	SVM_CLEAN_INTERCEPTS,	/* intercept vectors, TSC offset, pause filter */
	SVM_CLEAN_PERM_MAP,	/* IOPM and MSRPM bases */
	SVM_CLEAN_ASID,
	SVM_CLEAN_INTR,		/* V_TPR, V_IRQ, ... */
	SVM_CLEAN_NPT,		/* nested CR3, G_PAT */
	SVM_CLEAN_CR,		/* CR0, CR3, CR4, EFER */
	SVM_CLEAN_DR,		/* DR6, DR7 */
	SVM_CLEAN_DT,		/* GDTR, IDTR */
	SVM_CLEAN_SEG,		/* CS, DS, SS, ES, CPL */
	SVM_CLEAN_CR2,
	SVM_CLEAN_LBR,
	SVM_CLEAN_AVIC,
	SVM_CLEAN_COUNT,
};
#define SVM_CLEAN_ALL		((1U << SVM_CLEAN_COUNT) - 1)
/* Written by the CPU or us on every round trip: never claimed clean. */
#define SVM_CLEAN_NEVER		(BIT(SVM_CLEAN_INTR) | BIT(SVM_CLEAN_CR2))

struct svm_vp {
	struct hvp_vp vp;	/* first: the core allocates ops.vp_size */
	struct vmcb *vmcb;
	phys_addr_t vmcb_pa;
	u32 dirty;		/* clean bits to withhold at the next VMRUN */
	int last_cpu;		/* CPU of the last VMRUN, -1 before */
	u32 asid;
	u64 asid_gen;
	bool flush_pending;	/* flush this VP's guest TLB at the next VMRUN */
	int virq_vector;	/* interrupt injected as V_IRQ, not yet taken; -1: none */
};

/* Per-CPU state, valid while SVM is enabled on the CPU. */
struct svm_cpu {
	struct page *hsave;		/* VM_HSAVE_PA: owned by the hardware */
	struct vmcb *host_save;		/* host state VMSAVE'd before VMRUN */
	phys_addr_t host_save_pa;
	struct svm_vp *host_saved_for;	/* whose thread's state host_save holds */
	phys_addr_t last_vmcb_pa;	/* VMCB of the last VMRUN here */
	u64 asid_gen;
	u32 next_asid;
};

static inline struct svm_vp *to_svm_vp(struct hvp_vp *vp)
{
	return container_of(vp, struct svm_vp, vp);
}

/* GIF: while clear, even NMIs and SMIs are held (APM 15.17). */
static __always_inline void svm_clgi(void)
{
	asm volatile("clgi" : : : "memory");
}

static __always_inline void svm_stgi(void)
{
	asm volatile("stgi" : : : "memory");
}

static inline void svm_mark_dirty(struct svm_vp *svm, u32 bits)
{
	svm->dirty |= bits;
}

/* Assists in use: CPU support and the module parameter (svm.c). */
extern bool svm_nrips, svm_decode_assists, svm_flush_by_asid, svm_vmcb_clean;
extern u32 svm_max_asid;

/* vmcb.c */
int svm_perm_maps_alloc(void);
void svm_perm_maps_free(void);
void svm_vmcb_init(struct svm_vp *svm);
void svm_vmcb_reset(struct svm_vp *svm);
void svm_get_sregs(struct hvp_vp *vp, struct hvpart_sregs *s);
void svm_get_mode_regs(struct hvp_vp *vp, struct hvpart_sregs *s);
int svm_set_sregs(struct hvp_vp *vp, const struct hvpart_sregs *s);
int svm_get_msr(struct hvp_vp *vp, u32 index, u64 *value);
int svm_set_msr(struct hvp_vp *vp, u32 index, u64 value);

/* asid.c */
void svm_asid_cpu_init(struct svm_cpu *sc);
void svm_asid_prepare(struct svm_vp *svm, struct svm_cpu *sc, int cpu);

/* npt.c */
extern const struct hvp_slat_format svm_npt_format;

/* vmenter.S: VMLOAD guest, VMRUN, VMSAVE guest, VMLOAD host. */
void hvp_svm_vmrun(u64 *gprs, phys_addr_t vmcb_pa, phys_addr_t host_save_pa);
extern const char hvp_svm_vmrun_insn[], hvp_svm_vmrun_resume[];

#endif /* HVP_SVM_H */
