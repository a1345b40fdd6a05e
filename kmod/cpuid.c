// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID as the guest sees it.
 *
 * The supported table (HVPART_GET_SUPPORTED_CPUID, and every new VP's
 * default) is the host's CPUID filtered through allow-lists: a feature
 * reaches the guest only if the module virtualizes it correctly. No host
 * topology, no virtualization extensions, no PMU, no speculation-control
 * MSRs, no MONITOR/MWAIT, no RDTSCP/RDPID (TSC_AUX is not switched), no
 * PKU or CET (their state is not switched). Userspace may replace a VP's
 * table; what the guest can actually enable is still bounded by the host
 * and the module (hvp_cr4_allowed, XCR0, MSR handling).
 *
 * At a CPUID exit a few fields are filled per VP: the initial APIC ID,
 * OSXSAVE (mirrors CR4) and the XSAVE area size for the current XCR0.
 * A leaf missing from the table reads as zeros.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/xcr.h>
#include <asm/fpu/xstate.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>

#include "hvpart.h"

u64 hvp_host_xcr0;

static struct hvpart_cpuid_entry *hvp_supported;
static unsigned int hvp_supported_nent;

/* Per XSAVE component (leaf 0xD): standard-format offset, size, 64-byte alignment. */
static u32 hvp_xsave_offset[64], hvp_xsave_size[64];
static bool hvp_xsave_align64[64];

#define B(n) BIT(n)

/* Leaf 1 */
#define HVP_1_ECX (B(0) | B(1) | B(9) | B(12) | B(13) | B(17) | B(19) | B(20) | B(22) | \
		   B(23) | B(25) | B(26) | B(28) | B(29) | B(30))
#define HVP_1_ECX_HYPERVISOR	B(31)
/* Emulated by the in-kernel local APIC, whatever the host has. */
#define HVP_1_ECX_EMULATED	(B(21) | B(24))	/* x2APIC, TSC-deadline */
#define HVP_1_EDX_EMULATED	B(9)		/* APIC */
#define HVP_1_ECX_OSXSAVE	B(27)
#define HVP_1_EDX (B(0) | B(1) | B(2) | B(3) | B(4) | B(5) | B(6) | B(8) | B(11) | B(13) | \
		   B(15) | B(16) | B(17) | B(19) | B(23) | B(24) | B(25) | B(26))
/* Leaf 7.0 */
#define HVP_7_EBX (B(0) | B(3) | B(5) | B(6) | B(7) | B(8) | B(9) | B(10) | B(13) | B(16) | \
		   B(17) | B(18) | B(19) | B(20) | B(21) | B(23) | B(24) | B(26) | B(27) | \
		   B(28) | B(29) | B(30) | B(31))
#define HVP_7_ECX (B(1) | B(2) | B(6) | B(8) | B(9) | B(10) | B(11) | B(12) | B(14) | \
		   B(16) | B(27) | B(28))
#define HVP_7_EDX (B(2) | B(3) | B(4) | B(8) | B(14))
/* Leaf 0x80000001 */
#define HVP_81_ECX (B(0) | B(5) | B(6) | B(7) | B(8) | B(11) | B(16) | B(21))
#define HVP_81_EDX (B(0) | B(1) | B(2) | B(3) | B(4) | B(5) | B(6) | B(8) | B(11) | B(13) | \
		    B(15) | B(16) | B(17) | B(20) | B(22) | B(23) | B(24) | B(26) | B(29) | \
		    B(30) | B(31))
/* Leaf 0x80000007: invariant TSC only. Leaf 0x80000008: CLZERO, XSAVEERPTR, WBNOINVD. */
#define HVP_87_EDX B(8)
#define HVP_88_EBX (B(0) | B(2) | B(9))
/* Leaf 0xD.1: XSAVEOPT, XSAVEC, XGETBV1 (not XSAVES: IA32_XSS is not switched). */
#define HVP_D1_EAX (B(0) | B(1) | B(2))

#define HVP_MAX_BASIC_LEAF	0xd
#define HVP_MAX_EXT_LEAF	0x80000008

static struct hvpart_cpuid_entry *hvp_supported_add(u32 function, u32 index, bool sig)
{
	struct hvpart_cpuid_entry *e = &hvp_supported[hvp_supported_nent++];

	e->function = function;
	e->index = index;
	e->flags = sig ? HVPART_CPUID_F_SIGNIFICANT_INDEX : 0;
	cpuid_count(function, index, &e->eax, &e->ebx, &e->ecx, &e->edx);
	return e;
}

/* XSAVE components the module switches for guests: x87, SSE, AVX, AVX-512. */
static u64 hvp_xcr0_switchable(void)
{
	return hvp_host_xcr0 & (XFEATURE_MASK_FPSSE | XFEATURE_MASK_YMM | XFEATURE_MASK_AVX512);
}

int hvp_cpuid_init(void)
{
	u32 max_basic, max_ext, eax, ebx, ecx, edx, i;
	struct hvpart_cpuid_entry *e;

	hvp_supported = kcalloc(HVP_MAX_CPUID_ENTRIES, sizeof(*hvp_supported), GFP_KERNEL);
	if (!hvp_supported)
		return -ENOMEM;
	hvp_supported_nent = 0;
	/* As KVM: the kernel turns XSAVE on whenever the CPU has it. */
	hvp_host_xcr0 = boot_cpu_has(X86_FEATURE_XSAVE) ? xgetbv(XCR_XFEATURE_ENABLED_MASK) :
							   XFEATURE_MASK_FPSSE;

	e = hvp_supported_add(0, 0, false);
	max_basic = min_t(u32, e->eax, HVP_MAX_BASIC_LEAF);
	e->eax = max_basic;

	e = hvp_supported_add(1, 0, false);
	e->ebx &= 0xffff;	/* brand index, CLFLUSH size; APIC ID filled per VP */
	e->ecx = (e->ecx & HVP_1_ECX) | HVP_1_ECX_HYPERVISOR | HVP_1_ECX_EMULATED;
	e->edx = (e->edx & HVP_1_EDX) | HVP_1_EDX_EMULATED;
	if (!boot_cpu_has(X86_FEATURE_XSAVE))
		e->ecx &= ~(B(26) | B(28));

	if (max_basic >= 2)
		hvp_supported_add(2, 0, false);

	if (max_basic >= 7) {
		e = hvp_supported_add(7, 0, true);
		e->eax = 0;
		e->ebx &= HVP_7_EBX;
		e->ecx &= HVP_7_ECX;
		e->edx &= HVP_7_EDX;
	}

	if (max_basic >= 0xd && boot_cpu_has(X86_FEATURE_XSAVE)) {
		u64 xcr0 = hvp_xcr0_switchable();
		u32 size = 576;

		for (i = 2; i < 64; i++) {
			if (!(xcr0 & BIT_ULL(i)))
				continue;
			cpuid_count(0xd, i, &eax, &ebx, &ecx, &edx);
			hvp_xsave_size[i] = eax;
			hvp_xsave_offset[i] = ebx;
			hvp_xsave_align64[i] = ecx & B(1);
			size = max(size, eax + ebx);
		}
		e = hvp_supported_add(0xd, 0, true);
		e->eax = lower_32_bits(xcr0);
		e->edx = upper_32_bits(xcr0);
		e->ebx = 576;
		e->ecx = size;
		e = hvp_supported_add(0xd, 1, true);
		e->eax &= HVP_D1_EAX;
		e->ebx = e->ecx = e->edx = 0;
		for (i = 2; i < 64; i++)
			if (xcr0 & BIT_ULL(i))
				hvp_supported_add(0xd, i, true);
	}

	cpuid(0x80000000, &eax, &ebx, &ecx, &edx);
	max_ext = min_t(u32, eax, HVP_MAX_EXT_LEAF);
	if (max_ext >= 0x80000000) {
		e = hvp_supported_add(0x80000000, 0, false);
		e->eax = max_ext;
	}
	if (max_ext >= 0x80000001) {
		e = hvp_supported_add(0x80000001, 0, false);
		e->ebx = 0;
		e->ecx &= HVP_81_ECX;
		e->edx = (e->edx & HVP_81_EDX) | HVP_1_EDX_EMULATED;
	}
	for (i = 0x80000002; i <= min_t(u32, max_ext, 0x80000006); i++)
		hvp_supported_add(i, 0, false);
	if (max_ext >= 0x80000007) {
		e = hvp_supported_add(0x80000007, 0, false);
		e->eax = e->ebx = e->ecx = 0;
		e->edx &= HVP_87_EDX;
	}
	if (max_ext >= 0x80000008) {
		e = hvp_supported_add(0x80000008, 0, false);
		/* Guest physical width as the SLAT maps it; linear width as the host. */
		e->eax = hvp_gpa_bits() | (e->eax & 0xff00);
		e->ebx &= HVP_88_EBX;
		e->ecx = e->edx = 0;
	}
	return 0;
}

void hvp_cpuid_exit(void)
{
	kfree(hvp_supported);
	hvp_supported = NULL;
}

static int hvp_cpuid_copy_out(struct hvpart_cpuid __user *uarg,
			      const struct hvpart_cpuid_entry *entries, unsigned int nent)
{
	struct hvpart_cpuid hdr;

	if (copy_from_user(&hdr, uarg, sizeof(hdr)))
		return -EFAULT;
	if (hdr.flags)
		return -EINVAL;
	if (hdr.nent < nent) {
		hdr.nent = nent;
		return copy_to_user(uarg, &hdr, sizeof(hdr)) ? -EFAULT : -E2BIG;
	}
	if (copy_to_user(u64_to_user_ptr(hdr.entries), entries, nent * sizeof(*entries)))
		return -EFAULT;
	hdr.nent = nent;
	return copy_to_user(uarg, &hdr, sizeof(hdr)) ? -EFAULT : 0;
}

int hvp_cpuid_get_supported(struct hvpart_cpuid __user *uarg)
{
	return hvp_cpuid_copy_out(uarg, hvp_supported, hvp_supported_nent);
}

int hvp_vp_get_cpuid(struct hvp_vp *vp, struct hvpart_cpuid __user *uarg)
{
	return hvp_cpuid_copy_out(uarg, vp->cpuid, vp->cpuid_nent);
}

int hvp_vp_cpuid_init(struct hvp_vp *vp)
{
	vp->cpuid = kmemdup(hvp_supported, hvp_supported_nent * sizeof(*vp->cpuid),
			    GFP_KERNEL_ACCOUNT);
	if (!vp->cpuid)
		return -ENOMEM;
	vp->cpuid_nent = hvp_supported_nent;
	return 0;
}

int hvp_vp_set_cpuid(struct hvp_vp *vp, const struct hvpart_cpuid __user *uarg)
{
	struct hvpart_cpuid_entry *entries;
	struct hvpart_cpuid hdr;
	unsigned int i;

	if (copy_from_user(&hdr, uarg, sizeof(hdr)))
		return -EFAULT;
	if (hdr.flags)
		return -EINVAL;
	if (hdr.nent > HVP_MAX_CPUID_ENTRIES)
		return -E2BIG;

	entries = kvmalloc_array(hdr.nent ?: 1, sizeof(*entries), GFP_KERNEL_ACCOUNT);
	if (!entries)
		return -ENOMEM;
	if (copy_from_user(entries, u64_to_user_ptr(hdr.entries), hdr.nent * sizeof(*entries))) {
		kvfree(entries);
		return -EFAULT;
	}
	for (i = 0; i < hdr.nent; i++) {
		const struct hvpart_cpuid_entry *e = &entries[i];

		if ((e->flags & ~HVPART_CPUID_ENTRY_FLAGS_MASK) || e->rsvd[0] || e->rsvd[1] ||
		    e->rsvd[2]) {
			kvfree(entries);
			return -EINVAL;
		}
	}
	kvfree(vp->cpuid);
	vp->cpuid = entries;
	vp->cpuid_nent = hdr.nent;
	return 0;
}

const struct hvpart_cpuid_entry *hvp_cpuid_find(struct hvp_vp *vp, u32 function, u32 index)
{
	unsigned int i;

	for (i = 0; i < vp->cpuid_nent; i++) {
		const struct hvpart_cpuid_entry *e = &vp->cpuid[i];

		if (e->function == function &&
		    (!(e->flags & HVPART_CPUID_F_SIGNIFICANT_INDEX) || e->index == index))
			return e;
	}
	return NULL;
}

/* Size of the standard-format XSAVE area for the features in @xcr0. */
static u32 hvp_xsave_size_for(u64 xcr0)
{
	u32 size = 576;
	unsigned int i;

	for (i = 2; i < 64; i++)
		if ((xcr0 & BIT_ULL(i)) && hvp_xsave_size[i])
			size = max(size, hvp_xsave_offset[i] + hvp_xsave_size[i]);
	return size;
}

/* The same in the compacted format XSAVEC uses (XCR0 only: no XSAVES). */
static u32 hvp_xsave_compacted_size_for(u64 xcr0)
{
	u32 size = 576;
	unsigned int i;

	for (i = 2; i < 64; i++) {
		if (!(xcr0 & BIT_ULL(i)) || !hvp_xsave_size[i])
			continue;
		if (hvp_xsave_align64[i])
			size = ALIGN(size, 64);
		size += hvp_xsave_size[i];
	}
	return size;
}

void hvp_cpuid_emulate(struct hvp_vp *vp)
{
	u32 function = vp->gprs[HVP_RAX], index = vp->gprs[HVP_RCX];
	const struct hvpart_cpuid_entry *e = hvp_cpuid_find(vp, function, index);
	u32 eax = 0, ebx = 0, ecx = 0, edx = 0;

	/* The Hyper-V leaves come from the partition's features. */
	if (hvp_hv_cpuid(vp, function, &eax, &ebx, &ecx, &edx))
		e = NULL;
	else if (e) {
		eax = e->eax;
		ebx = e->ebx;
		ecx = e->ecx;
		edx = e->edx;
	}
	switch (function) {
	case 1:
		ebx = (ebx & 0x00ffffff) | (vp->index << 24);
		if (vp->cr4 & X86_CR4_OSXSAVE)
			ecx |= HVP_1_ECX_OSXSAVE;
		else
			ecx &= ~HVP_1_ECX_OSXSAVE;
		break;
	case 0xd:
		if (index == 0 && e)
			ebx = hvp_xsave_size_for(vp->xcr0);
		else if (index == 1 && e && (eax & B(1)))
			ebx = hvp_xsave_compacted_size_for(vp->xcr0);
		break;
	}
	vp->gprs[HVP_RAX] = eax;
	vp->gprs[HVP_RBX] = ebx;
	vp->gprs[HVP_RCX] = ecx;
	vp->gprs[HVP_RDX] = edx;
}
