// SPDX-License-Identifier: GPL-2.0
/*
 * libhvpart name tables: what tools print for exit reasons, internal-error
 * suberrors, capabilities, backends and hardware assists. One table each,
 * indexed by the uapi enum; every tool prints these and nothing else, so a
 * name means the same thing in hvctl's messages, `hvctl check` and the
 * module's tracepoints.
 */
#include <stddef.h>
#include <stdio.h>

#include "libhvpart.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const exit_names[] = {
	[HVPART_EXIT_NONE]		= "NONE",
	[HVPART_EXIT_IO]		= "IO",
	[HVPART_EXIT_MEMORY]		= "MEMORY",
	[HVPART_EXIT_HLT]		= "HLT",
	[HVPART_EXIT_SHUTDOWN]		= "SHUTDOWN",
	[HVPART_EXIT_HYPERCALL]		= "HYPERCALL",
	[HVPART_EXIT_INTERNAL_ERROR]	= "INTERNAL_ERROR",
	[HVPART_EXIT_INTR]		= "INTR",
	[HVPART_EXIT_EOI]		= "EOI",
	[HVPART_EXIT_HV_CRASH]		= "HV_CRASH",
	[HVPART_EXIT_HV_MESSAGE]	= "HV_MESSAGE",
};
_Static_assert(ARRAY_SIZE(exit_names) == HVPART_EXIT_REASON_COUNT,
	       "every exit reason of the uapi has a name here");

static const char *const internal_names[] = {
	[HVPART_INTERNAL_UNKNOWN_EXIT]		= "UNKNOWN_EXIT",
	[HVPART_INTERNAL_ENTRY_FAILED]		= "ENTRY_FAILED",
	[HVPART_INTERNAL_EMULATION]		= "EMULATION",
	[HVPART_INTERNAL_UNSUPPORTED]		= "UNSUPPORTED",
	[HVPART_INTERNAL_PARTITION_DEAD]	= "PARTITION_DEAD",
	[HVPART_INTERNAL_GUEST_STATE_LOST]	= "GUEST_STATE_LOST",
};

struct cap_desc {
	const char *name;
	const char *what;
};

static const struct cap_desc caps[] = {
	[HVPART_CAP_BACKEND]		= { "HVPART_CAP_BACKEND", "virtualization backend" },
	[HVPART_CAP_MAX_VPS]		= { "HVPART_CAP_MAX_VPS", "VPs per partition" },
	[HVPART_CAP_MAX_MEM_REGIONS]	= { "HVPART_CAP_MAX_MEM_REGIONS", "memory ranges per partition" },
	[HVPART_CAP_GPA_BITS]		= { "HVPART_CAP_GPA_BITS", "guest-physical address bits" },
	[HVPART_CAP_LARGE_PAGES]	= { "HVPART_CAP_LARGE_PAGES", "2 MiB SLAT pages" },
	[HVPART_CAP_MAX_CPUID_ENTRIES]	= { "HVPART_CAP_MAX_CPUID_ENTRIES", "CPUID table entries" },
	[HVPART_CAP_HW_ASSISTS]		= { "HVPART_CAP_HW_ASSISTS", "hardware assists in use" },
	[HVPART_CAP_HV_FEATURES]	= { "HVPART_CAP_HV_FEATURES", "Hyper-V features offered" },
	[HVPART_CAP_LAPIC]		= { "HVPART_CAP_LAPIC", "in-kernel local APIC" },
};

static const char *const hv_feature_names[] = {
	[HVPART_HV_BIT_HYPERCALL]		= "HYPERCALL",
	[HVPART_HV_BIT_VP_INDEX]		= "VP_INDEX",
	[HVPART_HV_BIT_TIME_REF_COUNT]		= "TIME_REF_COUNT",
	[HVPART_HV_BIT_REFERENCE_TSC]		= "REFERENCE_TSC",
	[HVPART_HV_BIT_SYNIC]			= "SYNIC",
	[HVPART_HV_BIT_STIMER]			= "STIMER",
	[HVPART_HV_BIT_STIMER_DIRECT]		= "STIMER_DIRECT",
	[HVPART_HV_BIT_FREQUENCY_MSRS]		= "FREQUENCY_MSRS",
	[HVPART_HV_BIT_APIC_MSRS]		= "APIC_MSRS",
	[HVPART_HV_BIT_CRASH_MSRS]		= "CRASH_MSRS",
	[HVPART_HV_BIT_VP_RUNTIME]		= "VP_RUNTIME",
	[HVPART_HV_BIT_TLB_FLUSH]		= "TLB_FLUSH",
	[HVPART_HV_BIT_CLUSTER_IPI]		= "CLUSTER_IPI",
	[HVPART_HV_BIT_EX_PROCESSOR_MASKS]	= "EX_PROCESSOR_MASKS",
};
_Static_assert(ARRAY_SIZE(hv_feature_names) == HVPART_HV_BIT_COUNT,
	       "every Hyper-V feature of the uapi has a name here");

struct assist_desc {
	uint64_t bit;
	uint64_t backend;
	const char *name;
	const char *what;
};

static const struct assist_desc assists[] = {
	{ HVPART_ASSIST_NRIP_SAVE, HVPART_BACKEND_SVM, "nrip_save", "next-RIP save" },
	{ HVPART_ASSIST_DECODE, HVPART_BACKEND_SVM, "decode_assists", "decode assists" },
	{ HVPART_ASSIST_FLUSH_BY_ASID, HVPART_BACKEND_SVM, "flush_by_asid", "flush by ASID" },
	{ HVPART_ASSIST_VMCB_CLEAN, HVPART_BACKEND_SVM, "vmcb_clean", "VMCB clean bits" },
	{ HVPART_ASSIST_VPID, HVPART_BACKEND_VMX, "vpid", "VPID" },
};

const char *hvp_exit_name(uint32_t reason)
{
	if (reason < ARRAY_SIZE(exit_names) && exit_names[reason])
		return exit_names[reason];
	return "unknown";
}

const char *hvp_internal_error_name(uint32_t suberror)
{
	if (suberror < ARRAY_SIZE(internal_names) && internal_names[suberror])
		return internal_names[suberror];
	return "unknown";
}

const char *hvp_cap_name(uint32_t cap)
{
	if (cap < ARRAY_SIZE(caps) && caps[cap].name)
		return caps[cap].name;
	return "unknown";
}

bool hvp_cap_iter(size_t i, uint32_t *cap, const char **name, const char **what)
{
	/* Skip the holes (index 0). */
	size_t seen = 0, c;

	for (c = 0; c < ARRAY_SIZE(caps); c++) {
		if (!caps[c].name)
			continue;
		if (seen++ == i) {
			*cap = (uint32_t)c;
			*name = caps[c].name;
			*what = caps[c].what;
			return true;
		}
	}
	return false;
}

const char *hvp_backend_name(uint64_t backend)
{
	switch (backend) {
	case HVPART_BACKEND_SVM:
		return "svm";
	case HVPART_BACKEND_VMX:
		return "vmx";
	}
	return "unknown";
}

bool hvp_assist_iter(size_t i, uint64_t *bit, uint64_t *backend, const char **name,
		     const char **what)
{
	if (i >= ARRAY_SIZE(assists))
		return false;
	*bit = assists[i].bit;
	*backend = assists[i].backend;
	*name = assists[i].name;
	*what = assists[i].what;
	return true;
}

const char *hvp_hv_feature_name(unsigned int bit)
{
	if (bit < ARRAY_SIZE(hv_feature_names) && hv_feature_names[bit])
		return hv_feature_names[bit];
	return "unknown";
}

void hvp_hv_features_str(uint64_t features, char *buf, size_t len)
{
	size_t used = 0;
	unsigned int bit;

	if (len)
		buf[0] = '\0';
	for (bit = 0; bit < 64 && used < len; bit++) {
		int n;

		if (!(features & (1ULL << bit)))
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? "," : "",
			     hvp_hv_feature_name(bit));
		if (n < 0)
			break;
		used += (size_t)n;
	}
}
