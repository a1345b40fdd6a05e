// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercalls (TLFS "Hypercall Interface"), x64 calling convention: RCX the
 * hypercall input value, RDX/R8 the input and output GPAs (or, for fast
 * calls, the input itself); 32-bit guests use EDX:EAX, EBX:ECX, EDI:ESI.
 * The result goes to RAX: status in 15:0, repetitions completed in 43:32.
 *
 * The input value is decoded once into struct hvp_hcall and every rule
 * that does not depend on the call is checked before dispatch: reserved
 * bits, rep count against rep start, a variable header on a call that has
 * none, fast/slow forms a call does not support, alignment of GPAs.
 * Memory input is copied into a kernel buffer once and parsed only there.
 * Calls the partition's features do not cover get HV_STATUS_ACCESS_DENIED,
 * unknown codes HV_STATUS_INVALID_HYPERCALL_CODE.
 */
#include <linux/cpumask.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/apicdef.h>

#include "../arch_ops.h"
#include "../hvpart.h"
#include "hv.h"

struct hvp_hcall {
	u16 code;
	bool fast;
	u16 var_cnt;		/* variable header, 8-byte units */
	u16 rep_cnt;
	u16 rep_idx;
	u64 in;			/* input GPA, or first fast input */
	u64 out;		/* output GPA, or second fast input */
};

#define HC_REP		BIT(0)	/* a rep call: rep_cnt > 0 required */
#define HC_VAR		BIT(1)	/* may carry a variable header */
#define HC_FAST		BIT(2)	/* fast form allowed */
#define HC_SLOW		BIT(3)	/* memory form allowed */

/* The most input any call reads: one page. */
#define HVP_HCALL_MAX_INPUT	PAGE_SIZE

struct hvp_hcall_desc {
	u16 code;
	u8 flags;
	u64 feature;
	u16 (*fn)(struct hvp_vp *vp, const struct hvp_hcall *hc, u16 *reps);
};

static void hvp_kick_nop(void *info)
{
}

/*
 * Have every VP in @targets flush its guest TLB before it runs guest code
 * again, and wait for those in guest mode to leave it (the TLFS returns
 * from a flush call only when the flush is done).
 */
static void hvp_hv_flush_vps(struct hvp_partition *part, const unsigned long *targets)
{
	cpumask_var_t cpus;
	unsigned int i;
	bool have_mask = zalloc_cpumask_var(&cpus, GFP_KERNEL);

	rcu_read_lock();
	for_each_set_bit(i, targets, HVP_MAX_VPS) {
		struct hvp_vp *t = rcu_dereference(part->vps[i]);

		if (!t)
			continue;
		set_bit(HVP_REQ_TLB_FLUSH, &t->requests);
		/* The request before the mode check; the VP does the reverse. */
		smp_mb__after_atomic();
		if (have_mask && READ_ONCE(t->mode) == HVP_IN_GUEST)
			cpumask_set_cpu(READ_ONCE(t->cpu), cpus);
	}
	rcu_read_unlock();
	if (!have_mask) {
		on_each_cpu(hvp_kick_nop, NULL, 1);
		return;
	}
	if (!cpumask_empty(cpus))
		on_each_cpu_mask(cpus, hvp_kick_nop, NULL, true);
	free_cpumask_var(cpus);
}

/*
 * Copy @len bytes of the call's memory input. An input list may not cross
 * a page (TLFS "Alignment Requirements": HV_STATUS_INVALID_ALIGNMENT);
 * memory that cannot be read is invalid input.
 */
static u16 hvp_hcall_read(struct hvp_vp *vp, const struct hvp_hcall *hc, void *buf,
			  unsigned int len)
{
	if ((hc->in & ~PAGE_MASK) + len > PAGE_SIZE)
		return HV_STATUS_INVALID_ALIGNMENT;
	if (hvp_gpa_read(vp->part, hc->in, buf, len))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	return HV_STATUS_SUCCESS;
}

/*
 * A processor set: either the 64-bit mask of the classic calls or an
 * hv_vpset (format, valid-bank mask, one 64-bit bank per set bit) from the
 * _Ex calls, starting @off bytes into @buf of @len bytes.
 */
static u16 hvp_parse_vpset(const u8 *buf, unsigned int len, unsigned int off,
			   unsigned long *targets)
{
	const struct hv_vpset *set = (const void *)(buf + off);
	unsigned int bank, n = 0;
	u64 valid;

	if (off + sizeof(*set) > len)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (set->format == HV_GENERIC_SET_ALL) {
		bitmap_fill(targets, HVP_MAX_VPS);
		return HV_STATUS_SUCCESS;
	}
	if (set->format != HV_GENERIC_SET_SPARSE_4K)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	valid = set->valid_bank_mask;
	if (off + sizeof(*set) + hweight64(valid) * sizeof(u64) > len)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	for (bank = 0; bank < 64; bank++) {
		u64 bits;
		unsigned int vp;

		if (!(valid & BIT_ULL(bank)))
			continue;
		bits = set->bank_contents[n++];
		for (vp = 0; vp < 64; vp++)
			if ((bits & BIT_ULL(vp)) && bank * 64 + vp < HVP_MAX_VPS)
				__set_bit(bank * 64 + vp, targets);
	}
	return HV_STATUS_SUCCESS;
}

static void hvp_mask_to_targets(u64 mask, unsigned long *targets)
{
	unsigned int i;

	for (i = 0; i < 64 && i < HVP_MAX_VPS; i++)
		if (mask & BIT_ULL(i))
			__set_bit(i, targets);
}

static bool hvp_hcall_is_ex(const struct hvp_hcall *hc)
{
	return hc->code == HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX ||
	       hc->code == HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX ||
	       hc->code == HVCALL_SEND_IPI_EX;
}

/*
 * HvFlushVirtualAddressSpace/List and their _Ex forms. Every target's
 * whole guest TLB is flushed: more than asked, never less.
 */
static u16 hvp_hcall_flush(struct hvp_vp *vp, const struct hvp_hcall *hc, u16 *reps)
{
	DECLARE_BITMAP(targets, HVP_MAX_VPS) = {};
	unsigned int len = 24 + hc->var_cnt * 8;	/* space, flags, mask/set header */
	u8 *buf;
	u16 status;
	u64 flags;

	if (hvp_hcall_is_ex(hc))
		len = 16 + sizeof(struct hv_vpset) + hc->var_cnt * 8;
	if (len > HVP_HCALL_MAX_INPUT)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	buf = kmalloc(len, GFP_KERNEL);
	if (!buf)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	status = hvp_hcall_read(vp, hc, buf, len);
	if (status != HV_STATUS_SUCCESS)
		goto out;
	flags = ((u64 *)buf)[1];
	if (flags & HV_FLUSH_ALL_PROCESSORS)
		bitmap_fill(targets, HVP_MAX_VPS);
	else if (hvp_hcall_is_ex(hc))
		status = hvp_parse_vpset(buf, len, 16, targets);
	else
		hvp_mask_to_targets(((u64 *)buf)[2], targets);
	if (status == HV_STATUS_SUCCESS) {
		hvp_hv_flush_vps(vp->part, targets);
		*reps = hc->rep_cnt;
	}
out:
	kfree(buf);
	return status;
}

/* HvSendSyntheticClusterIpi (fast or memory) and HvSendSyntheticClusterIpiEx. */
static u16 hvp_hcall_send_ipi(struct hvp_vp *vp, const struct hvp_hcall *hc, u16 *reps)
{
	DECLARE_BITMAP(targets, HVP_MAX_VPS) = {};
	unsigned int len = 16 + hc->var_cnt * 8, i;
	u8 *buf = NULL;
	u16 status = HV_STATUS_SUCCESS;
	u32 vector;

	if (hvp_hcall_is_ex(hc))
		len = 8 + sizeof(struct hv_vpset) + hc->var_cnt * 8;
	if (hc->fast) {
		if (hvp_hcall_is_ex(hc))
			return HV_STATUS_INVALID_HYPERCALL_INPUT;
		vector = lower_32_bits(hc->in);
		if (upper_32_bits(hc->in))
			return HV_STATUS_INVALID_PARAMETER;
		hvp_mask_to_targets(hc->out, targets);
	} else {
		if (len > HVP_HCALL_MAX_INPUT)
			return HV_STATUS_INVALID_HYPERCALL_INPUT;
		buf = kmalloc(len, GFP_KERNEL);
		if (!buf)
			return HV_STATUS_INSUFFICIENT_MEMORY;
		status = hvp_hcall_read(vp, hc, buf, len);
		if (status != HV_STATUS_SUCCESS)
			goto out;
		vector = ((u32 *)buf)[0];
		if (((u32 *)buf)[1]) {
			status = HV_STATUS_INVALID_PARAMETER;
			goto out;
		}
		if (hvp_hcall_is_ex(hc))
			status = hvp_parse_vpset(buf, len, 8, targets);
		else
			hvp_mask_to_targets(((u64 *)buf)[1], targets);
	}
	if (status == HV_STATUS_SUCCESS && (vector < HV_SYNIC_FIRST_VALID_VECTOR || vector > 0xff))
		status = HV_STATUS_INVALID_PARAMETER;
	if (status == HV_STATUS_SUCCESS) {
		rcu_read_lock();
		for_each_set_bit(i, targets, HVP_MAX_VPS) {
			struct hvp_vp *t = rcu_dereference(vp->part->vps[i]);

			if (t)
				hvp_lapic_set_irq(t, vector, false, false);
		}
		rcu_read_unlock();
	}
out:
	kfree(buf);
	return status;
}

/* HvPostMessage: 256 bytes in memory (TLFS: connection id, type, size, payload). */
static u16 hvp_hcall_post_message(struct hvp_vp *vp, const struct hvp_hcall *hc, u16 *reps)
{
	struct {
		u32 connection_id;
		u32 rsvd;
		u32 message_type;
		u32 payload_size;
		u8 payload[HV_MESSAGE_PAYLOAD_BYTE_COUNT];
	} in;
	u16 status = hvp_hcall_read(vp, hc, &in, sizeof(in));

	if (status != HV_STATUS_SUCCESS)
		return status;
	if (in.payload_size > HV_MESSAGE_PAYLOAD_BYTE_COUNT || !in.message_type ||
	    (in.message_type & 0x80000000))
		return HV_STATUS_INVALID_PARAMETER;
	return hvp_hv_post_to_connection(vp, in.connection_id, in.message_type,
					 in.payload_size, in.payload);
}

/* HvSignalEvent: connection id in 31:0, flag number in 47:32 (fast: RDX). */
static u16 hvp_hcall_signal_event(struct hvp_vp *vp, const struct hvp_hcall *hc, u16 *reps)
{
	u64 param = hc->in;
	u16 status;

	if (!hc->fast) {
		status = hvp_hcall_read(vp, hc, &param, sizeof(param));
		if (status != HV_STATUS_SUCCESS)
			return status;
	}
	if (param >> 48)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if ((param >> 32) & 0xffff)
		return HV_STATUS_INVALID_PORT_ID;
	return hvp_hv_signal_connection(vp, lower_32_bits(param));
}

/* HvNotifyLongSpinWait: the guest spins on a lock holder; let others run. */
static u16 hvp_hcall_long_spin_wait(struct hvp_vp *vp, const struct hvp_hcall *hc, u16 *reps)
{
	cond_resched();
	return HV_STATUS_SUCCESS;
}

#define F(bit) HVPART_HV_F(bit)

static const struct hvp_hcall_desc hvp_hcalls[] = {
	{ HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE,	 HC_SLOW,		F(TLB_FLUSH), hvp_hcall_flush },
	{ HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST,	 HC_SLOW | HC_REP,	F(TLB_FLUSH), hvp_hcall_flush },
	{ HVCALL_NOTIFY_LONG_SPIN_WAIT,		 HC_FAST,		F(HYPERCALL), hvp_hcall_long_spin_wait },
	{ HVCALL_SEND_IPI,			 HC_FAST | HC_SLOW,	F(CLUSTER_IPI), hvp_hcall_send_ipi },
	{ HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, HC_SLOW | HC_VAR,
	  F(TLB_FLUSH) | F(EX_PROCESSOR_MASKS), hvp_hcall_flush },
	{ HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX,	 HC_SLOW | HC_VAR | HC_REP,
	  F(TLB_FLUSH) | F(EX_PROCESSOR_MASKS), hvp_hcall_flush },
	{ HVCALL_SEND_IPI_EX,			 HC_SLOW | HC_VAR,
	  F(CLUSTER_IPI) | F(EX_PROCESSOR_MASKS), hvp_hcall_send_ipi },
	{ HVCALL_POST_MESSAGE,			 HC_SLOW,		F(SYNIC), hvp_hcall_post_message },
	{ HVCALL_SIGNAL_EVENT,			 HC_FAST | HC_SLOW,	F(SYNIC), hvp_hcall_signal_event },
};

static const struct hvp_hcall_desc *hvp_hcall_find(u16 code)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hvp_hcalls); i++)
		if (hvp_hcalls[i].code == code)
			return &hvp_hcalls[i];
	return NULL;
}

static u16 hvp_hcall_check(struct hvp_vp *vp, const struct hvp_hcall_desc *d,
			   const struct hvp_hcall *hc)
{
	if (!d)
		return HV_STATUS_INVALID_HYPERCALL_CODE;
	if (!hvp_hv_has(vp->part, d->feature))
		return HV_STATUS_ACCESS_DENIED;
	/* Rep calls: 0 < count, start < count; simple calls: both 0. */
	if ((d->flags & HC_REP) ? !hc->rep_cnt || hc->rep_idx >= hc->rep_cnt :
				  hc->rep_cnt || hc->rep_idx)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (hc->var_cnt && !(d->flags & HC_VAR))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (!(d->flags & (hc->fast ? HC_FAST : HC_SLOW)))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	/*
	 * TLFS "Common Hypercall Status Codes": a GPA not 8-byte aligned or
	 * outside the GPA space. No call here has output parameters, and a
	 * GPA for parameters a call does not have is ignored.
	 */
	if (!hc->fast && ((hc->in & 7) || (hc->in >> hvp_gpa_bits())))
		return HV_STATUS_INVALID_ALIGNMENT;
	return HV_STATUS_SUCCESS;
}

/*
 * The hypercall exit of a partition with the Hyper-V interface. Returns
 * with RAX set and RIP advanced, or #UD injected, per the TLFS.
 */
int hvp_hv_hypercall(struct hvp_vp *vp)
{
	enum hvp_cpu_mode mode = hvp_vp_cpu_mode(vp);
	bool long_mode = mode == HVP_MODE_LONG64;
	const struct hvp_hcall_desc *d;
	struct hvp_hcall hc = {};
	u64 control, result;
	u16 status, reps = 0;

	/*
	 * No hypercall page enabled, or real mode: the instruction is
	 * undefined (#UD), as the TLFS has it (and KVM does).
	 */
	if (!(vp->part->hv.hypercall_msr & HV_X64_MSR_HYPERCALL_ENABLE) ||
	    mode == HVP_MODE_REAL)
		return -ENOENT;

	if (long_mode) {
		control = vp->gprs[HVP_RCX];
		hc.in = vp->gprs[HVP_RDX];
		hc.out = vp->gprs[HVP_R8];
	} else {
		control = (vp->gprs[HVP_RDX] << 32) | lower_32_bits(vp->gprs[HVP_RAX]);
		hc.in = (vp->gprs[HVP_RBX] << 32) | lower_32_bits(vp->gprs[HVP_RCX]);
		hc.out = (vp->gprs[HVP_RDI] << 32) | lower_32_bits(vp->gprs[HVP_RSI]);
	}
	hc.code = control & HV_HYPERCALL_RESULT_MASK;
	hc.fast = control & HV_HYPERCALL_FAST_BIT;
	hc.var_cnt = (control & HV_HYPERCALL_VARHEAD_MASK) >> HV_HYPERCALL_VARHEAD_OFFSET;
	hc.rep_cnt = (control & HV_HYPERCALL_REP_COMP_MASK) >> HV_HYPERCALL_REP_COMP_OFFSET;
	hc.rep_idx = (control & HV_HYPERCALL_REP_START_MASK) >> HV_HYPERCALL_REP_START_OFFSET;

	d = hvp_hcall_find(hc.code);
	if (control & HV_HYPERCALL_RSVD_MASK)
		status = d ? HV_STATUS_INVALID_HYPERCALL_INPUT : HV_STATUS_INVALID_HYPERCALL_CODE;
	else
		status = hvp_hcall_check(vp, d, &hc);
	if (status == HV_STATUS_SUCCESS)
		status = d->fn(vp, &hc, &reps);

	result = status | ((u64)reps << HV_HYPERCALL_REP_COMP_OFFSET);
	if (long_mode) {
		vp->gprs[HVP_RAX] = result;
	} else {
		vp->gprs[HVP_RAX] = lower_32_bits(result);
		vp->gprs[HVP_RDX] = upper_32_bits(result);
	}
	return 0;
}
