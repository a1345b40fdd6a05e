// SPDX-License-Identifier: GPL-2.0
/*
 * Partition reference time: 100 ns units since the partition was created,
 * the same on every VP. Read through the TIME_REF_COUNT MSR (an exit) or,
 * without an exit, through the reference TSC page (TLFS "Partition
 * Reference TSC Mechanism"):
 *
 *	time = ((guest TSC * scale) >> 64) + offset
 *
 * Guest TSCs start at 0 when the partition is created (the backends apply
 * partition->tsc_offset), so offset is 0 and scale is 2^64 * 10^7 / TSC Hz.
 * That only holds while the host TSC ticks at a constant rate and agrees
 * across CPUs; otherwise the page says so with sequence 0 and the guest
 * falls back to the MSR, which then counts host monotonic time, held so
 * that it never goes backwards: Hyper-V's reference counter is monotonic
 * across all VPs, and a host clock read on another CPU can lag (or, on an
 * emulated HPET, once jump ahead and come back).
 */
#include <linux/atomic.h>
#include <linux/math64.h>
#include <linux/ktime.h>
#include <asm/cpufeature.h>
#include <asm/msr-index.h>
#include <asm/tsc.h>

#include "../arch_ops.h"
#include "../hvpart.h"
#include "hv.h"

/* The TLFS page: +0 sequence, +8 scale, +16 offset. */
struct hvp_tsc_page_head {
	u32 sequence;
	u32 rsvd;
	u64 scale;
	s64 offset;
} __packed;

void hvp_hv_ref_time_init(struct hvp_partition *part)
{
	struct hvp_hv_partition *hv = &part->hv;
	u64 tsc_hz = (u64)tsc_khz * 1000;

	hv->ref_base_ns = ktime_get_ns();
	atomic64_set(&hv->ref_last, 0);
	/*
	 * A constant-rate TSC that was not found unstable; a host that is
	 * itself a guest gets a constant-rate TSC from its hypervisor.
	 */
	hv->tsc_valid = tsc_hz && !check_tsc_unstable() &&
			(boot_cpu_has(X86_FEATURE_CONSTANT_TSC) ||
			 boot_cpu_has(X86_FEATURE_HYPERVISOR));
	hv->tsc_scale = hv->tsc_valid ? mul_u64_u64_div_u64(1ULL << 32, 10000000ULL << 32,
							      tsc_hz) : 0;
}

/* Host monotonic time since creation, never less than a value handed out. */
static u64 ref_time_host_clock(struct hvp_hv_partition *hv)
{
	s64 now = div_u64(ktime_get_ns() - hv->ref_base_ns, 100);
	s64 last = atomic64_read(&hv->ref_last);

	do {
		if (now <= last)
			return last;
	} while (!atomic64_try_cmpxchg(&hv->ref_last, &last, now));
	return now;
}

u64 hvp_hv_ref_time(struct hvp_vp *vp)
{
	struct hvp_hv_partition *hv = &vp->part->hv;
	u64 tsc;

	if (hv->tsc_valid && !hvp_ops.get_msr(vp, MSR_IA32_TSC, &tsc))
		return mul_u64_u64_shr(tsc, hv->tsc_scale, 64);
	return ref_time_host_clock(hv);
}

/* The same, read from the host side: the partition's TSC offset. */
u64 hvp_hv_ref_time_partition(struct hvp_partition *part)
{
	struct hvp_hv_partition *hv = &part->hv;

	if (hv->tsc_valid)
		return mul_u64_u64_shr(rdtsc() + part->tsc_offset, hv->tsc_scale, 64);
	return ref_time_host_clock(hv);
}

/* (Re)write the page the guest enabled. Caller holds hv->lock. */
int hvp_hv_tsc_page_update(struct hvp_partition *part)
{
	struct hvp_hv_partition *hv = &part->hv;
	struct hvp_tsc_page_head head = {};
	u64 gpa = hv->reference_tsc_msr & PAGE_MASK;
	u32 seq;

	if (!(hv->reference_tsc_msr & HV_X64_MSR_TSC_REFERENCE_ENABLE))
		return 0;
	/* A new sequence number each time, never 0 (which means "invalid"). */
	if (hvp_gpa_read(part, gpa, &seq, sizeof(seq)))
		return -EFAULT;
	if (hv->tsc_valid) {
		head.sequence = seq + 1 ?: 1;
		head.scale = hv->tsc_scale;
		head.offset = 0;
	}
	return hvp_gpa_write(part, gpa, &head, sizeof(head));
}
