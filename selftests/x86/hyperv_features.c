// SPDX-License-Identifier: GPL-2.0
/*
 * Feature gating of the Hyper-V interface, as tables (KVM's
 * hyperv_features.c without its 48-case switch).
 *
 * config_rules: HVPART_SET_HV_CONFIG against the dependency rules the uapi
 *   documents, for every one of the 2^14 feature combinations; flags and
 *   rsvd; EBUSY once a VP exists; HVPART_CAP_HV_FEATURES.
 * One subtest per feature (plus "interface_off" and "all_features"): the
 *   feature's minimal configuration without and with it. In each, a guest
 *   walks msr_rows[] (every synthetic MSR: RDMSR, WRMSR, read back) and
 *   hcall_rows[] (every hypercall), recording what happened; the host then
 *   judges every row against the configuration: a gate that is closed
 *   means #GP for an MSR and HV_STATUS_ACCESS_DENIED for a hypercall, an
 *   open one the row's effect. CPUID 0x40000000-0x4000000A is checked
 *   against the configuration in the same runs (all zero with the
 *   interface off; never AccessPartitionId or CpuManagement).
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "apic.h"
#include "hvp_util.h"
#include "hyperv.h"

#define F(bit)		HVPART_HV_F(bit)
#define ALL_FEATURES	HVPART_HV_FEATURES_MASK
#define NEVER		(~0ULL)		/* a gate no configuration opens */

#define GUEST_VP	2		/* the runner is VP 2, so VP_INDEX reads 2 */
#define IPI_VECTOR	0x40
#define CONN_MSG	0x101
#define CONN_EVT	0x102

/* ---- the documented rules (uapi: struct hvpart_hv_config) -------------------- */

static const char * const feature_names[HVPART_HV_BIT_COUNT] = {
	[HVPART_HV_BIT_HYPERCALL]	= "HYPERCALL",
	[HVPART_HV_BIT_VP_INDEX]	= "VP_INDEX",
	[HVPART_HV_BIT_TIME_REF_COUNT]	= "TIME_REF_COUNT",
	[HVPART_HV_BIT_REFERENCE_TSC]	= "REFERENCE_TSC",
	[HVPART_HV_BIT_SYNIC]		= "SYNIC",
	[HVPART_HV_BIT_STIMER]		= "STIMER",
	[HVPART_HV_BIT_STIMER_DIRECT]	= "STIMER_DIRECT",
	[HVPART_HV_BIT_FREQUENCY_MSRS]	= "FREQUENCY_MSRS",
	[HVPART_HV_BIT_APIC_MSRS]	= "APIC_MSRS",
	[HVPART_HV_BIT_CRASH_MSRS]	= "CRASH_MSRS",
	[HVPART_HV_BIT_VP_RUNTIME]	= "VP_RUNTIME",
	[HVPART_HV_BIT_TLB_FLUSH]	= "TLB_FLUSH",
	[HVPART_HV_BIT_CLUSTER_IPI]	= "CLUSTER_IPI",
	[HVPART_HV_BIT_EX_PROCESSOR_MASKS] = "EX_PROCESSOR_MASKS",
};

#define BASE	(F(HYPERCALL) | F(VP_INDEX))

/* Feature -> what it needs on top of BASE, which every feature needs. */
static const struct {
	uint64_t feature;
	uint64_t needs;
} deps[] = {
	{ F(STIMER),		F(SYNIC) | F(TIME_REF_COUNT) },
	{ F(STIMER_DIRECT),	F(STIMER) },
	{ F(REFERENCE_TSC),	F(TIME_REF_COUNT) },
};

static bool documented_valid(uint64_t f)
{
	unsigned int i;

	if (f & ~ALL_FEATURES)
		return false;
	if (!f)
		return true;
	if ((f & BASE) != BASE)
		return false;
	for (i = 0; i < ARRAY_SIZE(deps); i++)
		if ((f & deps[i].feature) && (f & deps[i].needs) != deps[i].needs)
			return false;
	/* EX_PROCESSOR_MASKS needs TLB_FLUSH or CLUSTER_IPI. */
	if ((f & F(EX_PROCESSOR_MASKS)) && !(f & (F(TLB_FLUSH) | F(CLUSTER_IPI))))
		return false;
	return true;
}

/* The smallest valid configuration with @f (both users of the _Ex forms for EX). */
static uint64_t closure(uint64_t f)
{
	uint64_t c = f | BASE, prev;
	unsigned int i;

	if (f & F(EX_PROCESSOR_MASKS))
		c |= F(TLB_FLUSH) | F(CLUSTER_IPI);
	do {
		prev = c;
		for (i = 0; i < ARRAY_SIZE(deps); i++)
			if (c & deps[i].feature)
				c |= deps[i].needs;
	} while (c != prev);
	return c;
}

static void describe_features(uint64_t f, char *buf, size_t len)
{
	size_t n = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < HVPART_HV_BIT_COUNT && n < len; i++)
		if (f & (1ULL << i))
			n += snprintf(buf + n, len - n, "%s%s", n ? "|" : "", feature_names[i]);
	if (!f)
		snprintf(buf, len, "(none)");
}

/* ---- synthetic MSRs --------------------------------------------------------------- */

enum read_check { RD_ANY, RD_EXACT, RD_NONZERO, RD_VP_INDEX };
enum row_page { PAGE_NONE, PAGE_HYPERCALL, PAGE_ASSIST, PAGE_TSC, PAGE_SIMP, PAGE_SIEFP };

struct msr_row {
	const char *name;
	uint32_t msr;
	uint64_t rd_gate;		/* features RDMSR needs */
	uint64_t wr_gate;		/* features WRMSR of @value needs; 0: no write */
	uint64_t value;			/* written; plus the GPA of @page */
	enum row_page page;
	enum read_check check;		/* on the value read before the write */
	uint64_t expect;		/* RD_EXACT */
	bool readback;			/* read again after the write */
};

#define RO(n, m, g, chk, exp)	{ #n, m, g, 0, 0, PAGE_NONE, chk, exp, false }
#define RW(n, m, g, v)		{ #n, m, g, g, v, PAGE_NONE, RD_ANY, 0, true }
#define RWG(n, m, rg, wg, v)	{ #n, m, rg, wg, v, PAGE_NONE, RD_ANY, 0, true }
#define RWP(n, m, g, p)		{ #n, m, g, g, 1, p, RD_ANY, 0, true }
#define WO(n, m, g, v)		{ #n, m, NEVER, g, v, PAGE_NONE, RD_ANY, 0, false }
#define NONE(n, m)		{ #n, m, NEVER, NEVER, 0, PAGE_NONE, RD_ANY, 0, false }
#define SINT_ROW(i)		RW(SINT##i, HV_X64_MSR_SINT(i), F(SYNIC), \
				   HV_SYNIC_SINT_MASKED | (0x30 + i))
#define STIMER_ROWS(i)							\
	RW(STIMER##i##_CONFIG, HV_X64_MSR_STIMER_CONFIG(i), F(STIMER), HV_STIMER_SINT(2)), \
	RW(STIMER##i##_COUNT, HV_X64_MSR_STIMER_COUNT(i), F(STIMER), 12345 + i)
#define CRASH_ROW(i)		RW(CRASH_P##i, HV_X64_MSR_CRASH_P(i), F(CRASH_MSRS), \
				   0x1111111111ULL * (i + 1))

/* In order: later rows rely on the state earlier ones leave. */
static const struct msr_row msr_rows[] = {
	RW(GUEST_OS_ID, HV_X64_MSR_GUEST_OS_ID, F(HYPERCALL), HV_LINUX_GUEST_OS_ID),
	RWP(HYPERCALL, HV_X64_MSR_HYPERCALL, F(HYPERCALL), PAGE_HYPERCALL),
	RWP(VP_ASSIST_PAGE, HV_X64_MSR_VP_ASSIST_PAGE, F(HYPERCALL), PAGE_ASSIST),
	{ "VP_INDEX", HV_X64_MSR_VP_INDEX, F(VP_INDEX), NEVER, 7, PAGE_NONE, RD_VP_INDEX, 0, true },
	NONE(RESET, HV_X64_MSR_RESET),
	{ "VP_RUNTIME", HV_X64_MSR_VP_RUNTIME, F(VP_RUNTIME), NEVER, 1, PAGE_NONE, RD_NONZERO,
	  0, false },
	{ "TIME_REF_COUNT", HV_X64_MSR_TIME_REF_COUNT, F(TIME_REF_COUNT), NEVER, 1, PAGE_NONE,
	  RD_NONZERO, 0, false },
	RWP(REFERENCE_TSC, HV_X64_MSR_REFERENCE_TSC, F(REFERENCE_TSC), PAGE_TSC),
	{ "TSC_FREQUENCY", HV_X64_MSR_TSC_FREQUENCY, F(FREQUENCY_MSRS), NEVER, 1, PAGE_NONE,
	  RD_NONZERO, 0, false },
	{ "APIC_FREQUENCY", HV_X64_MSR_APIC_FREQUENCY, F(FREQUENCY_MSRS), NEVER, 1, PAGE_NONE,
	  RD_NONZERO, 0, false },
	/* TLFS "Local APIC MSR Accesses": EOI write-only, ICR and TPR read/write. */
	WO(EOI, HV_X64_MSR_EOI, F(APIC_MSRS), 0),
	{ "ICR", HV_X64_MSR_ICR, F(APIC_MSRS), F(APIC_MSRS), IPI_VECTOR | APIC_DEST_SELF,
	  PAGE_NONE, RD_ANY, 0, false },
	RW(TPR, HV_X64_MSR_TPR, F(APIC_MSRS), 0x20),
	RW(TPR_0, HV_X64_MSR_TPR, F(APIC_MSRS), 0),
	RW(SCONTROL, HV_X64_MSR_SCONTROL, F(SYNIC), HV_SYNIC_CONTROL_ENABLE),
	{ "SVERSION", HV_X64_MSR_SVERSION, F(SYNIC), NEVER, 1, PAGE_NONE, RD_EXACT,
	  HV_SYNIC_VERSION_1, false },
	RWP(SIEFP, HV_X64_MSR_SIEFP, F(SYNIC), PAGE_SIEFP),
	RWP(SIMP, HV_X64_MSR_SIMP, F(SYNIC), PAGE_SIMP),
	/* TLFS "EOM Registers": a write-only trigger; reads return zeros. */
	{ "EOM", HV_X64_MSR_EOM, F(SYNIC), F(SYNIC), 0, PAGE_NONE, RD_EXACT, 0, false },
	SINT_ROW(0), SINT_ROW(1), SINT_ROW(2), SINT_ROW(3), SINT_ROW(4), SINT_ROW(5),
	SINT_ROW(6), SINT_ROW(7), SINT_ROW(8), SINT_ROW(9), SINT_ROW(10), SINT_ROW(11),
	SINT_ROW(12), SINT_ROW(13), SINT_ROW(14), SINT_ROW(15),
	STIMER_ROWS(0), STIMER_ROWS(1), STIMER_ROWS(2), STIMER_ROWS(3),
	/* Direct mode is its own feature: the same MSR, a value it gates. */
	RWG(STIMER0_CONFIG_DIRECT, HV_X64_MSR_STIMER0_CONFIG, F(STIMER),
	    F(STIMER) | F(STIMER_DIRECT), HV_STIMER_DIRECT | HV_STIMER_VECTOR(0x41)),
	RW(STIMER0_CONFIG_OFF, HV_X64_MSR_STIMER0_CONFIG, F(STIMER), 0),
	CRASH_ROW(0), CRASH_ROW(1), CRASH_ROW(2), CRASH_ROW(3), CRASH_ROW(4),
	/* Reads back "notify supported"; the write becomes HVPART_EXIT_HV_CRASH. */
	{ "CRASH_CTL", HV_X64_MSR_CRASH_CTL, F(CRASH_MSRS), F(CRASH_MSRS),
	  HV_CRASH_CTL_CRASH_NOTIFY, PAGE_NONE, RD_EXACT, HV_CRASH_CTL_CRASH_NOTIFY, false },
	/* Never offered: GUEST_IDLE, reenlightenment, invariant TSC, unassigned. */
	NONE(GUEST_IDLE, HV_X64_MSR_GUEST_IDLE),
	NONE(REENLIGHTENMENT_CONTROL, HV_X64_MSR_REENLIGHTENMENT_CONTROL),
	NONE(TSC_INVARIANT_CONTROL, HV_X64_MSR_TSC_INVARIANT_CONTROL),
	NONE(UNASSIGNED_0x40000050, 0x40000050),
	NONE(UNASSIGNED_0x400001ff, 0x400001ff),
};

#define NR_MSR_ROWS	ARRAY_SIZE(msr_rows)

struct msr_result {
	uint8_t rd_vec, wr_vec, rb_vec;
	uint64_t rd_val, rb_val;
	uint64_t cr8;			/* after the write */
	uint64_t ipis;			/* IPI_VECTOR count after the row */
};

/* ---- hypercalls --------------------------------------------------------------------- */

struct hcall_row {
	const char *name;
	uint64_t gate;			/* 0: whenever hypercalls work */
	uint64_t control;
	uint64_t in[4];			/* fast: RDX, R8; else the input page */
	uint16_t status;		/* with the gate open */
	uint16_t reps;
	unsigned int ipis;		/* IPIs this VP receives */
};

#define FAST		HV_HYPERCALL_FAST_BIT
#define VAR(n)		HV_HYPERCALL_VARHEAD(n)
#define REPS(n)		HV_HYPERCALL_REP_COUNT(n)
#define SELF_MASK	(1ULL << GUEST_VP)
#define EX		(F(EX_PROCESSOR_MASKS))

static const struct hcall_row hcall_rows[] = {
	{ "FlushVirtualAddressSpace", F(TLB_FLUSH), HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE,
	  { 0, HV_FLUSH_ALL_PROCESSORS, 0 }, HV_STATUS_SUCCESS, 0, 0 },
	{ "FlushVirtualAddressList", F(TLB_FLUSH), HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST | REPS(2),
	  { 0, 0, SELF_MASK, 0x200000 }, HV_STATUS_SUCCESS, 2, 0 },
	{ "FlushVirtualAddressSpaceEx", F(TLB_FLUSH) | EX,
	  HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX | VAR(0),
	  { 0, 0, HV_GENERIC_SET_ALL, 0 }, HV_STATUS_SUCCESS, 0, 0 },
	{ "FlushVirtualAddressListEx", F(TLB_FLUSH) | EX,
	  HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX | REPS(1),
	  { 0, HV_FLUSH_ALL_PROCESSORS, HV_GENERIC_SET_SPARSE_4K, 0 }, HV_STATUS_SUCCESS, 1, 0 },
	{ "NotifyLongSpinWait", F(HYPERCALL), HVCALL_NOTIFY_LONG_SPIN_WAIT | FAST,
	  { 1 }, HV_STATUS_SUCCESS, 0, 0 },
	{ "SendSyntheticClusterIpi(fast)", F(CLUSTER_IPI), HVCALL_SEND_IPI | FAST,
	  { IPI_VECTOR, SELF_MASK }, HV_STATUS_SUCCESS, 0, 1 },
	{ "SendSyntheticClusterIpi", F(CLUSTER_IPI), HVCALL_SEND_IPI,
	  { IPI_VECTOR, SELF_MASK }, HV_STATUS_SUCCESS, 0, 1 },
	{ "SendSyntheticClusterIpiEx", F(CLUSTER_IPI) | EX, HVCALL_SEND_IPI_EX | VAR(1),
	  { IPI_VECTOR, HV_GENERIC_SET_SPARSE_4K, 1, SELF_MASK }, HV_STATUS_SUCCESS, 0, 1 },
	{ "PostMessage", F(SYNIC), HVCALL_POST_MESSAGE,
	  { CONN_MSG, 1 | (4ULL << 32), 0x676e6970 /* "ping" */ }, HV_STATUS_SUCCESS, 0, 0 },
	{ "SignalEvent", F(SYNIC), HVCALL_SIGNAL_EVENT | FAST, { CONN_EVT },
	  HV_STATUS_SUCCESS, 0, 0 },
	/* Never offered (AccessPartitionId, extended hypercalls), or unknown. */
	{ "GetPartitionId", 0, HVCALL_GET_PARTITION_ID, {},
	  HV_STATUS_INVALID_HYPERCALL_CODE, 0, 0 },
	{ "ExtCallQueryCapabilities", 0, HVCALL_EXT_QUERY_CAPABILITIES, {},
	  HV_STATUS_INVALID_HYPERCALL_CODE, 0, 0 },
	{ "code 0x0001", 0, 0x0001, {}, HV_STATUS_INVALID_HYPERCALL_CODE, 0, 0 },
	{ "code 0xffff", 0, 0xffff | FAST, {}, HV_STATUS_INVALID_HYPERCALL_CODE, 0, 0 },
};

#define NR_HCALL_ROWS	ARRAY_SIZE(hcall_rows)

struct hcall_result {
	uint64_t rax;
	uint64_t ipis;
};

/* ---- the guest ----------------------------------------------------------------------- */

#define NR_LEAVES	11	/* 0x40000000-0x4000000a */

static uint8_t assist_page[4096] __attribute__((aligned(4096)));
static uint8_t tsc_page[4096] __attribute__((aligned(4096)));
static uint8_t simp_page[4096] __attribute__((aligned(4096)));
static uint8_t siefp_page[4096] __attribute__((aligned(4096)));
static uint64_t hc_input[512] __attribute__((aligned(4096)));

/* Filled by the guest, judged by the host. */
static uint32_t leaves[NR_LEAVES][4];
static struct msr_result msr_results[NR_MSR_ROWS];
static struct hcall_result hcall_results[NR_HCALL_ROWS];
static uint64_t no_interface_rax;
static volatile uint64_t ipis;

static uint64_t page_gpa(enum row_page p)
{
	switch (p) {
	case PAGE_HYPERCALL:	return (uint64_t)hv_hypercall_page;
	case PAGE_ASSIST:	return (uint64_t)assist_page;
	case PAGE_TSC:		return (uint64_t)tsc_page;
	case PAGE_SIMP:		return (uint64_t)simp_page;
	case PAGE_SIEFP:	return (uint64_t)siefp_page;
	default:		return 0;
	}
}

static uint64_t row_value(const struct msr_row *r)
{
	return r->value + page_gpa(r->page);
}

static void guest_ipi(struct ex_regs *regs __unused)
{
	ipis++;
}

static void guest_msr_rows(void)
{
	unsigned int i;

	for (i = 0; i < NR_MSR_ROWS; i++) {
		const struct msr_row *r = &msr_rows[i];
		struct msr_result *res = &msr_results[i];

		res->rd_vec = rdmsr_safe(r->msr, &res->rd_val);
		if (r->wr_gate) {
			res->wr_vec = wrmsr_safe(r->msr, row_value(r));
			res->cr8 = get_cr8();
		}
		if (r->readback)
			res->rb_vec = rdmsr_safe(r->msr, &res->rb_val);
		sti_nop_cli();
		res->ipis = ipis;
	}
}

static void guest_hcall_rows(void)
{
	unsigned int i;

	for (i = 0; i < NR_HCALL_ROWS; i++) {
		const struct hcall_row *r = &hcall_rows[i];
		uint64_t in = r->in[0], out = r->in[1];

		if (!(r->control & FAST)) {
			memcpy(hc_input, r->in, sizeof(r->in));
			in = (uint64_t)hc_input;
			out = 0;
		}
		hcall_results[i].rax = hv_hypercall(r->control, in, out);
		sti_nop_cli();
		hcall_results[i].ipis = ipis;
	}
}

static void guest_code(uint64_t features)
{
	unsigned int i;

	for (i = 0; i < NR_LEAVES; i++)
		cpuid_count(0x40000000 + i, 0, &leaves[i][0], &leaves[i][1], &leaves[i][2],
			    &leaves[i][3]);
	xapic_enable();
	guest_msr_rows();
	if (!features) {
		/* Plain hardware: the instruction goes to the VMM. */
		GUEST_ASSERT(!hv_hypercall_insn_safe(HVCALL_POST_MESSAGE, 0, 0,
						     &no_interface_rax));
	} else {
		GUEST_ASSERT(rdmsr(HV_X64_MSR_HYPERCALL) & HV_X64_MSR_HYPERCALL_ENABLE);
		guest_hcall_rows();
	}
	GUEST_DONE();
}

/* ---- the host's verdicts ---------------------------------------------------------------- */

static unsigned int nr_errors;

#define ERROR(fmt, ...) do {							\
	tap_diag("  " fmt, ##__VA_ARGS__);					\
	nr_errors++;								\
} while (0)

static bool open_gate(uint64_t features, uint64_t gate)
{
	return gate != NEVER && (features & gate) == gate;
}

enum { EAX, EBX, ECX, EDX };

/* Feature -> CPUID bits (TLFS; hyperv-facts 1.3). Feature 0: whenever the interface is on. */
static const struct {
	uint64_t feature;
	unsigned int leaf, reg;
	uint32_t bits;
} cpuid_bits[] = {
	{ F(VP_RUNTIME),	3, EAX, HV_MSR_VP_RUNTIME_AVAILABLE },
	{ F(TIME_REF_COUNT),	3, EAX, HV_MSR_TIME_REF_COUNT_AVAILABLE },
	{ F(SYNIC),		3, EAX, HV_MSR_SYNIC_AVAILABLE },
	{ F(STIMER),		3, EAX, HV_MSR_SYNTIMER_AVAILABLE },
	{ F(APIC_MSRS),		3, EAX, HV_MSR_APIC_ACCESS_AVAILABLE },
	{ F(HYPERCALL),		3, EAX, HV_MSR_HYPERCALL_AVAILABLE },
	{ F(VP_INDEX),		3, EAX, HV_MSR_VP_INDEX_AVAILABLE },
	{ F(REFERENCE_TSC),	3, EAX, HV_MSR_REFERENCE_TSC_AVAILABLE },
	{ F(FREQUENCY_MSRS),	3, EAX, HV_ACCESS_FREQUENCY_MSRS },
	{ F(SYNIC),		3, EBX, HV_POST_MESSAGES | HV_SIGNAL_EVENTS },
	{ F(FREQUENCY_MSRS),	3, EDX, HV_FEATURE_FREQUENCY_MSRS_AVAILABLE },
	{ F(CRASH_MSRS),	3, EDX, HV_FEATURE_GUEST_CRASH_MSR_AVAILABLE },
	{ F(STIMER_DIRECT),	3, EDX, HV_STIMER_DIRECT_MODE_AVAILABLE },
	{ F(TLB_FLUSH),		4, EAX, HV_X64_REMOTE_TLB_FLUSH_RECOMMENDED },
	{ F(APIC_MSRS),		4, EAX, HV_X64_APIC_ACCESS_RECOMMENDED },
	{ F(CLUSTER_IPI),	4, EAX, HV_X64_CLUSTER_IPI_RECOMMENDED },
	{ F(EX_PROCESSOR_MASKS), 4, EAX, HV_X64_EX_PROCESSOR_MASKS_RECOMMENDED },
	{ 0,			4, EAX, HV_DEPRECATING_AEOI_RECOMMENDED },
};

static void check_leaf_reg(unsigned int leaf, unsigned int reg, uint32_t want)
{
	static const char regs[] = "abcd";

	if (leaves[leaf][reg] != want)
		ERROR("CPUID 0x%08x.E%cX = %#x, want %#x", 0x40000000 + leaf, regs[reg],
		      leaves[leaf][reg], want);
}

static void check_cpuid(uint64_t features)
{
	uint32_t want[NR_LEAVES][4] = {};
	unsigned int i, r;

	if (!features) {
		for (i = 0; i < NR_LEAVES; i++)
			for (r = EAX; r <= EDX; r++)
				check_leaf_reg(i, r, 0);
		return;
	}
	if (leaves[0][EAX] < HYPERV_CPUID_IMPLEMENT_LIMITS || leaves[0][EAX] > 0x4000ffff)
		ERROR("CPUID 0x40000000.EAX = %#x: max leaf out of range", leaves[0][EAX]);
	check_leaf_reg(0, EBX, HYPERV_VENDOR_EBX);
	check_leaf_reg(0, ECX, HYPERV_VENDOR_ECX);
	check_leaf_reg(0, EDX, HYPERV_VENDOR_EDX);
	check_leaf_reg(1, EAX, HYPERV_INTERFACE_HV1);

	for (i = 0; i < ARRAY_SIZE(cpuid_bits); i++)
		if ((features & cpuid_bits[i].feature) == cpuid_bits[i].feature)
			want[cpuid_bits[i].leaf][cpuid_bits[i].reg] |= cpuid_bits[i].bits;
	for (r = EAX; r <= EDX; r++)
		check_leaf_reg(3, r, want[3][r]);
	check_leaf_reg(4, EAX, want[4][EAX]);
	if (leaves[3][EBX] & (HV_ACCESS_PARTITION_ID | HV_CPU_MANAGEMENT))
		ERROR("CPUID 0x40000003.EBX = %#x has AccessPartitionId or CpuManagement",
		      leaves[3][EBX]);
	if (leaves[5][EAX] != hvp_check_cap(-1, HVPART_CAP_MAX_VPS) || !leaves[5][EBX])
		ERROR("CPUID 0x40000005 = %#x %#x: want max VPs %lu, max LPs > 0",
		      leaves[5][EAX], leaves[5][EBX],
		      (unsigned long)hvp_check_cap(-1, HVPART_CAP_MAX_VPS));
	/* Nothing nested, isolated or otherwise beyond the basic set. */
	for (i = 6; i < NR_LEAVES; i++)
		for (r = EAX; r <= EDX; r++)
			check_leaf_reg(i, r, 0);
}

static void check_msr_rows(uint64_t features)
{
	unsigned int i;

	for (i = 0; i < NR_MSR_ROWS; i++) {
		const struct msr_row *r = &msr_rows[i];
		const struct msr_result *res = &msr_results[i];
		bool rd = open_gate(features, r->rd_gate), wr = open_gate(features, r->wr_gate);
		uint64_t prev_ipis = i ? msr_results[i - 1].ipis : 0;

		if (res->rd_vec != (rd ? 0 : GP_VECTOR))
			ERROR("%s (%#x): RDMSR raised vector %u, want %s", r->name, r->msr,
			      res->rd_vec, rd ? "none" : "#GP");
		if (rd && res->rd_vec == 0) {
			if ((r->check == RD_EXACT && res->rd_val != r->expect) ||
			    (r->check == RD_NONZERO && !res->rd_val) ||
			    (r->check == RD_VP_INDEX && res->rd_val != GUEST_VP))
				ERROR("%s (%#x): RDMSR = %#lx, unexpected", r->name, r->msr,
				      (unsigned long)res->rd_val);
		}
		if (r->wr_gate && res->wr_vec != (wr ? 0 : GP_VECTOR))
			ERROR("%s (%#x): WRMSR %#lx raised vector %u, want %s", r->name, r->msr,
			      (unsigned long)row_value(r), res->wr_vec, wr ? "none" : "#GP");
		if (r->readback && rd) {
			/* A refused write changes nothing. */
			uint64_t want = wr ? row_value(r) : res->rd_val;

			if (res->rb_vec || res->rb_val != want)
				ERROR("%s (%#x): read back %#lx (vector %u), want %#lx", r->name,
				      r->msr, (unsigned long)res->rb_val, res->rb_vec,
				      (unsigned long)want);
		}
		if (r->msr == HV_X64_MSR_TPR && wr && res->cr8 != row_value(r) >> 4)
			ERROR("%s: CR8 = %lu after writing %#lx", r->name, (unsigned long)res->cr8,
			      (unsigned long)row_value(r));
		if (r->msr == HV_X64_MSR_ICR && res->ipis - prev_ipis != (wr ? 1 : 0))
			ERROR("%s: %lu self-IPIs after the write, want %u", r->name,
			      (unsigned long)(res->ipis - prev_ipis), wr ? 1 : 0);
	}
}

static void check_hcall_rows(uint64_t features)
{
	uint64_t prev_ipis = msr_results[NR_MSR_ROWS - 1].ipis;
	unsigned int i;

	for (i = 0; i < NR_HCALL_ROWS; i++) {
		const struct hcall_row *r = &hcall_rows[i];
		uint64_t rax = hcall_results[i].rax;
		bool on = open_gate(features, r->gate);
		uint16_t status = on ? r->status : HV_STATUS_ACCESS_DENIED;
		unsigned int reps = on ? r->reps : 0, n = on ? r->ipis : 0;

		if (hv_status(rax) != status || hv_reps_completed(rax) != reps ||
		    (rax & HV_HYPERCALL_RESULT_RSVD_MASK))
			ERROR("%s: RAX %#lx, want status %u reps %u", r->name, (unsigned long)rax,
			      status, reps);
		if (hcall_results[i].ipis - prev_ipis != n)
			ERROR("%s: %lu IPIs, want %u", r->name,
			      (unsigned long)(hcall_results[i].ipis - prev_ipis), n);
		prev_ipis = hcall_results[i].ipis;
	}
}

/* What the guest posted and signalled reached the VMM (or could not be registered). */
static void check_connections(struct hvp_vm *vm, uint64_t features, int mfd, int evfd)
{
	struct hvpart_hv_guest_message m;
	uint64_t count = 0;
	ssize_t n;

	if (!(features & F(SYNIC))) {
		if (__vm_hv_connect(vm, CONN_MSG, HVPART_HV_CONN_MESSAGE, -1) != -1 ||
		    errno != EINVAL)
			ERROR("HVPART_HV_CONNECT without SYNIC: want EINVAL");
		if (__vm_hv_post(vm, GUEST_VP, 2, 1, "x", 1) != -1 || errno != EINVAL)
			ERROR("HVPART_HV_POST_MESSAGE without SYNIC: want EINVAL");
		if (__vm_hv_signal(vm, GUEST_VP, 2, 1) != -1 || errno != EINVAL)
			ERROR("HVPART_HV_SIGNAL_EVENT without SYNIC: want EINVAL");
		return;
	}
	n = read(mfd, &m, sizeof(m));
	if (n != sizeof(m) || m.connection_id != CONN_MSG || m.vp_index != GUEST_VP ||
	    m.message_type != 1 || m.payload_size != 4 || memcmp(m.payload, "ping", 4))
		ERROR("connection %#x: read %zd bytes, type %u size %u", CONN_MSG, n,
		      m.message_type, m.payload_size);
	if (read(mfd, &m, sizeof(m)) != -1 || errno != EAGAIN)
		ERROR("connection %#x: more than one message", CONN_MSG);
	if (read(evfd, &count, sizeof(count)) != sizeof(count) || count != 1)
		ERROR("connection %#x: eventfd count %lu, want 1", CONN_EVT, (unsigned long)count);
}

/* The hypercall page holds the backend's hypercall instruction. */
static void check_hypercall_page(struct hvp_vm *vm, uint64_t features)
{
	static const uint8_t vmmcall[] = { 0x0f, 0x01, 0xd9 }, vmcall[] = { 0x0f, 0x01, 0xc1 };
	const uint8_t *want = vm->backend == HVPART_BACKEND_VMX ? vmcall : vmmcall;
	const uint8_t *page = addr_ptr2hva(vm, hv_hypercall_page);

	if (!(features & F(HYPERCALL)))
		return;
	if (!memmem(page, 16, want, sizeof(vmmcall)))
		ERROR("hypercall page: %02x %02x %02x %02x ... lacks the %s instruction",
		      page[0], page[1], page[2], page[3],
		      vm->backend == HVPART_BACKEND_VMX ? "vmcall" : "vmmcall");
}

static void run_config(uint64_t features)
{
	struct hvp_vm *vm = vm_create_with_flags(HVP_DEFAULT_MEM_SIZE, HVPART_PARTITION_F_HLT_EXITS);
	unsigned int crashes = 0, hypercall_exits = 0;
	int mfd = -1, evfd = -1, efd = -1;
	struct hvp_vp *vp;
	struct ucall uc;
	char desc[256];

	describe_features(features, desc, sizeof(desc));
	tap_diag("features %#lx: %s", (unsigned long)features, desc);
	nr_errors = 0;
	vm_set_hv_config(vm, features);
	vp = vm_vp_add(vm, GUEST_VP, (void (*)(void))guest_code);
	vp_args_set(vp, 1, features);
	vm_install_interrupt_handler(vm, IPI_VECTOR, guest_ipi);
	if (features & F(SYNIC)) {
		evfd = eventfd(0, EFD_NONBLOCK);
		TEST_ASSERT(evfd >= 0, "eventfd");
		mfd = vm_hv_connect(vm, CONN_MSG, HVPART_HV_CONN_MESSAGE, -1);
		efd = vm_hv_connect(vm, CONN_EVT, HVPART_HV_CONN_EVENT, evfd);
		TEST_ASSERT(!fcntl(mfd, F_SETFL, O_NONBLOCK), "O_NONBLOCK");
	}

	for (;;) {
		vp_run(vp);
		if (vp->run->exit_reason == HVPART_EXIT_HV_CRASH) {
			unsigned int p;

			crashes++;
			for (p = 0; p < 5; p++)
				if (vp->run->hv_crash.params[p] != 0x1111111111ULL * (p + 1))
					ERROR("HV_CRASH exit: P%u = %#llx", p,
					      (unsigned long long)vp->run->hv_crash.params[p]);
			continue;
		}
		if (vp->run->exit_reason == HVPART_EXIT_HYPERCALL) {
			hypercall_exits++;
			if (vp->run->hypercall.input != HVCALL_POST_MESSAGE)
				ERROR("HYPERCALL exit: input %#llx",
				      (unsigned long long)vp->run->hypercall.input);
			vp->run->hypercall.result = 0x1234;
			continue;
		}
		switch (get_ucall(vp, &uc)) {
		case UCALL_DONE:
			break;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
		default:
			vp_dump(vp);
			TEST_FAIL("unexpected exit %s, ucall %lu (vector %lu at %#lx)",
				  exit_reason_str(vp->run->exit_reason), (unsigned long)uc.cmd,
				  (unsigned long)uc.args[0], (unsigned long)uc.args[1]);
		}
		break;
	}

	sync_global_from_guest(vm, leaves);
	sync_global_from_guest(vm, msr_results);
	sync_global_from_guest(vm, hcall_results);
	sync_global_from_guest(vm, no_interface_rax);
	check_cpuid(features);
	check_msr_rows(features);
	if (features) {
		check_hcall_rows(features);
		if (hypercall_exits)
			ERROR("%u hypercalls reached the VMM with the interface on", hypercall_exits);
	} else if (hypercall_exits != 1 || no_interface_rax != 0x1234) {
		ERROR("interface off: %u HYPERCALL exits, RAX %#lx; want 1 and the VMM's result",
		      hypercall_exits, (unsigned long)no_interface_rax);
	}
	if (crashes != ((features & F(CRASH_MSRS)) ? 1 : 0))
		ERROR("%u HV_CRASH exits", crashes);
	check_connections(vm, features, mfd, evfd);
	check_hypercall_page(vm, features);

	if (efd >= 0) {
		close(efd);
		close(mfd);
		close(evfd);
	}
	vm_free(vm);
	TEST_ASSERT(!nr_errors, "%u rows disagree with features %s (listed above)", nr_errors,
		    desc);
}

/* ---- subtests ------------------------------------------------------------------------ */

static void require_features(uint64_t f)
{
	uint64_t cap = hvp_check_cap(-1, HVPART_CAP_HV_FEATURES);

	__TEST_REQUIRE((cap & f) == f, "the module offers features %#lx, not %#lx",
		       (unsigned long)cap, (unsigned long)f);
}

static void feature_off_on(const void *arg)
{
	uint64_t f = 1ULL << (uintptr_t)arg;
	uint64_t on = closure(f), off = on & ~f;

	require_features(on);
	TEST_ASSERT(documented_valid(on), "closure %#lx invalid", (unsigned long)on);
	if (!documented_valid(off))
		off = 0;
	run_config(off);
	run_config(on);
}

static void interface_off(const void *arg __unused)
{
	run_config(0);
}

static void all_features(const void *arg __unused)
{
	require_features(ALL_FEATURES);
	run_config(ALL_FEATURES);
}

/* Every combination of the 14 features, plus flags, rsvd and EBUSY. */
static void config_rules(const void *arg __unused)
{
	struct hvp_vm *vm = vm_create();
	uint64_t cap = hvp_check_cap(vm->dev_fd, HVPART_CAP_HV_FEATURES), f;
	struct hvpart_hv_config cfg;
	unsigned int bad = 0, i;
	int r;

	TEST_ASSERT(cap && !(cap & ~ALL_FEATURES), "HVPART_CAP_HV_FEATURES = %#lx",
		    (unsigned long)cap);
	for (f = 0; f <= ALL_FEATURES; f++) {
		bool want = documented_valid(f) && !(f & ~cap);

		r = __vm_set_hv_config(vm, f);
		if ((r == 0) != want || (r && errno != EINVAL)) {
			if (bad++ < 10)
				tap_diag("  features %#lx: rc %d errno %d, want %s",
					 (unsigned long)f, r, r ? errno : 0,
					 want ? "success" : "EINVAL");
		}
	}
	TEST_ASSERT(!bad, "%u configurations disagree with the documented rules", bad);

	/* Unknown features, flags and rsvd. */
	TEST_ASSERT(__vm_set_hv_config(vm, 1ULL << HVPART_HV_BIT_COUNT) == -1 && errno == EINVAL,
		    "unknown feature bit");
	TEST_ASSERT(__vm_set_hv_config(vm, 1ULL << 63) == -1 && errno == EINVAL, "bit 63");
	memset(&cfg, 0, sizeof(cfg));
	cfg.features = BASE;
	cfg.flags = 1;
	TEST_ASSERT(__vm_ioctl(vm, HVPART_SET_HV_CONFIG, &cfg) == -1 && errno == EINVAL, "flags");
	for (i = 0; i < ARRAY_SIZE(cfg.rsvd); i++) {
		memset(&cfg, 0, sizeof(cfg));
		cfg.features = BASE;
		cfg.rsvd[i] = 1;
		TEST_ASSERT(__vm_ioctl(vm, HVPART_SET_HV_CONFIG, &cfg) == -1 && errno == EINVAL,
			    "rsvd[%u]", i);
	}

	/* Once a VP exists the configuration is fixed. */
	vm_set_hv_config(vm, closure(F(STIMER)));
	vm_vp_add(vm, 0, NULL);
	TEST_ASSERT(__vm_set_hv_config(vm, closure(F(STIMER))) == -1 && errno == EBUSY,
		    "same features after CREATE_VP: rc/errno %d", errno);
	TEST_ASSERT(__vm_set_hv_config(vm, 0) == -1 && errno == EBUSY,
		    "features 0 after CREATE_VP: errno %d", errno);
	TEST_ASSERT(__vm_set_hv_config(vm, BASE) == -1 && errno == EBUSY,
		    "other features after CREATE_VP: errno %d", errno);
	r = __vm_set_hv_config(vm, F(SYNIC));
	TEST_ASSERT(r == -1 && (errno == EINVAL || errno == EBUSY),
		    "broken features after CREATE_VP: rc %d errno %d", r, errno);
	vm_free(vm);
}

int main(void)
{
	static char names[HVPART_HV_BIT_COUNT][48];
	unsigned int i;

	tap_plan(3 + HVPART_HV_BIT_COUNT);
	tap_run("config_rules", config_rules, NULL, 0);
	tap_run("interface_off", interface_off, NULL, 0);
	tap_run("all_features", all_features, NULL, 0);
	for (i = 0; i < HVPART_HV_BIT_COUNT; i++) {
		snprintf(names[i], sizeof(names[i]), "feature_%s", feature_names[i]);
		tap_run(names[i], feature_off_on, (void *)(uintptr_t)i, 0);
	}
	return tap_done();
}
