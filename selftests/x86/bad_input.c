// SPDX-License-Identifier: GPL-2.0
/*
 * Every ioctl field's bad values get the documented error.
 *
 * One row per case: which ioctl (a descriptor that builds a *valid*
 * argument), up to two mutations of it (set / or / clear a field of the
 * argument, of the first entry of the array it points to, or of the run
 * page), and the errno expected. Each ioctl also has a baseline row with no
 * mutation that must succeed, so a failure is the mutation's doing. Each
 * row runs in a fresh partition (a wrong success must not leak into the
 * next row) in its own forked subtest.
 *
 * ioctls are issued raw here because the command comes from the table; the
 * descriptor's argument size is checked against _IOC_SIZE(cmd) at run time,
 * the equivalent of the static assert of the __*_ioctl() macros.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hvp_util.h"

#define EXISTING_GPA	0x100000ULL	/* a 2 MiB range every context maps */
#define NEW_GPA		0x400000ULL	/* where the baseline MAP_GPA maps */

/* FD_PART has VP 0 and a 2 MiB range at EXISTING_GPA; FD_PART_EMPTY has neither. */
enum fd_kind { FD_DEV, FD_PART, FD_VP, FD_PART_EMPTY, FD_NR };

struct ctx {
	int fd[FD_NR];			/* enum fd_kind */
	uint64_t hv_features;		/* HVPART_CAP_HV_FEATURES */
	void *existing, *fresh;		/* 2 MiB aligned backing memory */
	uint64_t gpa_bits, max_vps;
	uint32_t max_cpuid, nr_supported;
	struct hvpart_cpuid_entry *cpuid;	/* max_cpuid + 1 entries */
	struct hvpart_msr_entry msrs[257];
	struct hvpart_run *run;
};

struct ioc_desc {
	const char *name;
	enum fd_kind fd;
	unsigned long cmd;
	size_t size;			/* sizeof the argument, 0: none (pass NULL) */
	void (*fill)(struct ctx *c, void *arg);
	bool newer;			/* newer than the walking skeleton: skip on ENOTTY */
	uint64_t hv_needed;		/* skip unless the module offers these HV features */
};

enum mut_op { M_NONE, M_SET, M_OR, M_CLEAR };
enum mut_target { T_ARG, T_PAYLOAD, T_RUN };

struct mutation {
	uint8_t op, target;
	uint16_t off, width;
	uint64_t val;
	uint64_t (*val_fn)(const struct ctx *c);	/* instead of val */
};

struct bad_case {
	const char *name;
	const struct ioc_desc *ioc;
	struct mutation m[2];
	int err;			/* 0: must succeed */
	enum fd_kind fd;		/* with wrong_fd: issue on this fd instead */
	bool wrong_fd, null_arg, check_ret, nent_out;
	int ret;			/* with check_ret: the exact return value */
};

/* ---- valid arguments ------------------------------------------------------- */

static void fill_cap(struct ctx *c __unused, void *arg)
{
	struct hvpart_cap_query *q = arg;

	q->cap = HVPART_CAP_MAX_VPS;
}

static void fill_cpuid_buf(struct ctx *c, void *arg)
{
	struct hvpart_cpuid *cp = arg;

	cp->nent = c->max_cpuid;
	cp->entries = (uintptr_t)c->cpuid;
}

static void fill_set_cpuid(struct ctx *c, void *arg)
{
	struct hvpart_cpuid *cp = arg;

	cp->nent = c->nr_supported;
	cp->entries = (uintptr_t)c->cpuid;
}

static void fill_map(struct ctx *c, void *arg)
{
	struct hvpart_mem_map *m = arg;

	m->guest_pa = NEW_GPA;
	m->size = SZ_2M;
	m->user_addr = (uintptr_t)c->fresh;
	m->flags = HVPART_MEM_READ | HVPART_MEM_WRITE;
}

static void fill_unmap(struct ctx *c __unused, void *arg)
{
	struct hvpart_mem_unmap *u = arg;

	u->guest_pa = EXISTING_GPA;
	u->size = SZ_2M;
}

static void fill_vp(struct ctx *c __unused, void *arg)
{
	struct hvpart_vp_create *v = arg;

	v->vp_index = 1;
}

static void fill_interrupt(struct ctx *c __unused, void *arg)
{
	struct hvpart_interrupt *i = arg;

	i->dest = 0;
	i->vector = 0x30;
	i->delivery = HVPART_DELIVERY_FIXED;
}

static void fill_mp_state(struct ctx *c __unused, void *arg)
{
	struct hvpart_mp_state *m = arg;

	m->state = HVPART_MP_RUNNABLE;
}

#define HV_BASE	(HVPART_HV_F(HYPERCALL) | HVPART_HV_F(VP_INDEX))

static void fill_hv_config(struct ctx *c __unused, void *arg)
{
	struct hvpart_hv_config *h = arg;

	h->features = HV_BASE;
}

static void fill_sregs(struct ctx *c __unused, void *arg)
{
	vp_sregs_long_mode(NULL, arg);
}

static void fill_regs(struct ctx *c __unused, void *arg)
{
	struct hvpart_regs *r = arg;

	r->rip = 0xfff0;
	r->rflags = X86_RFLAGS_FIXED;
}

static void fill_msrs(struct ctx *c, void *arg)
{
	struct hvpart_msrs *m = arg;

	c->msrs[0].index = MSR_IA32_SYSENTER_CS;
	m->nmsrs = 1;
	m->entries = (uintptr_t)c->msrs;
}

static void fill_zero(struct ctx *c __unused, void *arg __unused)
{
}

#define IOC(n, f, c, type, fn) \
	static const struct ioc_desc ioc_##n = {				\
		.name = #n, .fd = f, .cmd = c, .size = sizeof(type), .fill = fn }
#define IOC_NOARG(n, f, c, str)							\
	static const struct ioc_desc ioc_##n = {				\
		.name = str, .fd = f, .cmd = c, .fill = fill_zero }

IOC(CHECK_CAP, FD_DEV, HVPART_CHECK_CAP, struct hvpart_cap_query, fill_cap);
IOC(GET_SUPPORTED_CPUID, FD_DEV, HVPART_GET_SUPPORTED_CPUID, struct hvpart_cpuid,
    fill_cpuid_buf);
IOC(CREATE_PARTITION, FD_DEV, HVPART_CREATE_PARTITION, struct hvpart_partition_create,
    fill_zero);
IOC(MAP_GPA, FD_PART, HVPART_MAP_GPA, struct hvpart_mem_map, fill_map);
IOC(UNMAP_GPA, FD_PART, HVPART_UNMAP_GPA, struct hvpart_mem_unmap, fill_unmap);
IOC(CREATE_VP, FD_PART, HVPART_CREATE_VP, struct hvpart_vp_create, fill_vp);
static const struct ioc_desc ioc_INTERRUPT = {
	.name = "INTERRUPT", .fd = FD_PART, .cmd = HVPART_INTERRUPT,
	.size = sizeof(struct hvpart_interrupt), .fill = fill_interrupt, .newer = true };
static const struct ioc_desc ioc_SET_HV_CONFIG = {
	.name = "SET_HV_CONFIG", .fd = FD_PART_EMPTY, .cmd = HVPART_SET_HV_CONFIG,
	.size = sizeof(struct hvpart_hv_config), .fill = fill_hv_config, .newer = true,
	.hv_needed = HV_BASE };
static const struct ioc_desc ioc_GET_MP_STATE = {
	.name = "GET_MP_STATE", .fd = FD_VP, .cmd = HVPART_GET_MP_STATE,
	.size = sizeof(struct hvpart_mp_state), .fill = fill_mp_state, .newer = true };
static const struct ioc_desc ioc_SET_MP_STATE = {
	.name = "SET_MP_STATE", .fd = FD_VP, .cmd = HVPART_SET_MP_STATE,
	.size = sizeof(struct hvpart_mp_state), .fill = fill_mp_state, .newer = true };
IOC(SET_SREGS, FD_VP, HVPART_SET_SREGS, struct hvpart_sregs, fill_sregs);
IOC(SET_REGS, FD_VP, HVPART_SET_REGS, struct hvpart_regs, fill_regs);
IOC(GET_MSRS, FD_VP, HVPART_GET_MSRS, struct hvpart_msrs, fill_msrs);
IOC(SET_MSRS, FD_VP, HVPART_SET_MSRS, struct hvpart_msrs, fill_msrs);
IOC(SET_CPUID, FD_VP, HVPART_SET_CPUID, struct hvpart_cpuid, fill_set_cpuid);
IOC(GET_CPUID, FD_VP, HVPART_GET_CPUID, struct hvpart_cpuid, fill_cpuid_buf);
IOC_NOARG(RUN_VP, FD_VP, HVPART_RUN_VP, "RUN_VP");

/* Commands no fd knows: unused numbers, a known number with another size. */
IOC_NOARG(unknown_nr, FD_DEV, _IO(HVPART_IO, 0x7f), "ioctl 0x7f");
IOC_NOARG(vp_unknown, FD_VP, _IO(HVPART_IO, 0x3f), "ioctl 0x3f");
IOC_NOARG(part_unknown, FD_PART, _IO(HVPART_IO, 0x1f), "ioctl 0x1f");
IOC_NOARG(cap_bad_size, FD_DEV, _IOWR(HVPART_IO, 0x01, struct hvpart_partition_create),
	  "CHECK_CAP with another size");
IOC_NOARG(kvm_api, FD_DEV, _IO(0xae, 0x00), "KVM_GET_API_VERSION");

/* ---- values that depend on the module -------------------------------------- */

static uint64_t gpa_limit(const struct ctx *c)
{
	return 1ULL << c->gpa_bits;
}

static uint64_t gpa_limit_minus_page(const struct ctx *c)
{
	return (1ULL << c->gpa_bits) - SZ_4K;
}

static uint64_t max_vps(const struct ctx *c)
{
	return c->max_vps;
}

static uint64_t max_vps_minus_1(const struct ctx *c)
{
	return c->max_vps - 1;
}

static uint64_t max_cpuid_plus_1(const struct ctx *c)
{
	return c->max_cpuid + 1;
}

/* ---- the table ------------------------------------------------------------- */

#define FIELD(type, f)	offsetof(type, f), sizeof(((type *)0)->f)
#define MSET(type, f, v)	{ M_SET, T_ARG, FIELD(type, f), v, NULL }
#define MOR(type, f, v)		{ M_OR, T_ARG, FIELD(type, f), v, NULL }
#define MCLR(type, f, v)	{ M_CLEAR, T_ARG, FIELD(type, f), v, NULL }
#define MFN(type, f, fn)	{ M_SET, T_ARG, FIELD(type, f), 0, fn }
#define PSET(type, f, v)	{ M_SET, T_PAYLOAD, FIELD(type, f), v, NULL }
#define RSET(f, v)		{ M_SET, T_RUN, FIELD(struct hvpart_run, f), v, NULL }

#define CAPQ	struct hvpart_cap_query
#define CPUID	struct hvpart_cpuid
#define CENT	struct hvpart_cpuid_entry
#define PCRE	struct hvpart_partition_create
#define MAP	struct hvpart_mem_map
#define UNMAP	struct hvpart_mem_unmap
#define VPC	struct hvpart_vp_create
#define INTR	struct hvpart_interrupt
#define SREGS	struct hvpart_sregs
#define REGS	struct hvpart_regs
#define HVC	struct hvpart_hv_config
#define MPS	struct hvpart_mp_state
#define HVF(b)	HVPART_HV_F(b)
#define MSRS	struct hvpart_msrs
#define MENT	struct hvpart_msr_entry

#define OK(i)		{ .name = "baseline", .ioc = &ioc_##i }

static const struct bad_case cases[] = {
	/* /dev/hvpart */
	OK(CHECK_CAP),
	{ .name = "flags", .ioc = &ioc_CHECK_CAP, .m = { MSET(CAPQ, flags, 1) }, .err = EINVAL },
	{ .name = "flags bit 31", .ioc = &ioc_CHECK_CAP,
	  .m = { MSET(CAPQ, flags, 1U << 31) }, .err = EINVAL },
	{ .name = "NULL argument", .ioc = &ioc_CHECK_CAP, .err = EFAULT, .null_arg = true },
	OK(GET_SUPPORTED_CPUID),
	{ .name = "flags", .ioc = &ioc_GET_SUPPORTED_CPUID,
	  .m = { MSET(CPUID, flags, 1) }, .err = EINVAL },
	{ .name = "nent 0", .ioc = &ioc_GET_SUPPORTED_CPUID,
	  .m = { MSET(CPUID, nent, 0) }, .err = E2BIG, .nent_out = true },
	{ .name = "nent 1", .ioc = &ioc_GET_SUPPORTED_CPUID,
	  .m = { MSET(CPUID, nent, 1) }, .err = E2BIG, .nent_out = true },
	{ .name = "entries unmapped", .ioc = &ioc_GET_SUPPORTED_CPUID,
	  .m = { MSET(CPUID, entries, 0x1000) }, .err = EFAULT },
	OK(CREATE_PARTITION),
	{ .name = "flags: first undefined bit", .ioc = &ioc_CREATE_PARTITION,
	  .m = { MSET(PCRE, flags, HVPART_PARTITION_FLAGS_MASK + 1) }, .err = EINVAL },
	{ .name = "flags bit 63", .ioc = &ioc_CREATE_PARTITION,
	  .m = { MSET(PCRE, flags, 1ULL << 63) }, .err = EINVAL },
	{ .name = "rsvd[0]", .ioc = &ioc_CREATE_PARTITION,
	  .m = { MSET(PCRE, rsvd[0], 1) }, .err = EINVAL },
	{ .name = "rsvd[2]", .ioc = &ioc_CREATE_PARTITION,
	  .m = { MSET(PCRE, rsvd[2], 1ULL << 63) }, .err = EINVAL },
	{ .name = "NULL argument", .ioc = &ioc_CREATE_PARTITION, .err = EFAULT, .null_arg = true },
	{ .name = "unknown number", .ioc = &ioc_unknown_nr, .err = ENOTTY },
	{ .name = "known number, other size", .ioc = &ioc_cap_bad_size, .err = ENOTTY },
	{ .name = "KVM's magic", .ioc = &ioc_kvm_api, .err = ENOTTY },
	{ .name = "partition ioctl on /dev/hvpart", .ioc = &ioc_MAP_GPA,
	  .err = ENOTTY, .wrong_fd = true, .fd = FD_DEV },
	{ .name = "VP ioctl on /dev/hvpart", .ioc = &ioc_RUN_VP,
	  .err = ENOTTY, .wrong_fd = true, .fd = FD_DEV },

	/* partition fd */
	OK(MAP_GPA),
	{ .name = "no flags", .ioc = &ioc_MAP_GPA, .m = { MSET(MAP, flags, 0) }, .err = EINVAL },
	{ .name = "WRITE without READ", .ioc = &ioc_MAP_GPA,
	  .m = { MSET(MAP, flags, HVPART_MEM_WRITE) }, .err = EINVAL },
	{ .name = "EXEC without READ", .ioc = &ioc_MAP_GPA,
	  .m = { MSET(MAP, flags, HVPART_MEM_EXEC) }, .err = EINVAL },
	{ .name = "WRITE|EXEC without READ", .ioc = &ioc_MAP_GPA,
	  .m = { MSET(MAP, flags, HVPART_MEM_WRITE | HVPART_MEM_EXEC) }, .err = EINVAL },
	{ .name = "unknown flag", .ioc = &ioc_MAP_GPA,
	  .m = { MOR(MAP, flags, 1U << HVPART_MEM_BIT_COUNT) }, .err = EINVAL },
	{ .name = "flag bit 31", .ioc = &ioc_MAP_GPA,
	  .m = { MOR(MAP, flags, 1U << 31) }, .err = EINVAL },
	{ .name = "rsvd", .ioc = &ioc_MAP_GPA, .m = { MSET(MAP, rsvd, 1) }, .err = EINVAL },
	{ .name = "guest_pa misaligned", .ioc = &ioc_MAP_GPA,
	  .m = { MSET(MAP, guest_pa, NEW_GPA + 0x800) }, .err = EINVAL },
	{ .name = "size 0", .ioc = &ioc_MAP_GPA, .m = { MSET(MAP, size, 0) }, .err = EINVAL },
	{ .name = "size not 4 KiB multiple", .ioc = &ioc_MAP_GPA,
	  .m = { MSET(MAP, size, 0x1800) }, .err = EINVAL },
	{ .name = "user_addr misaligned", .ioc = &ioc_MAP_GPA,
	  .m = { MOR(MAP, user_addr, 0x800) }, .err = EINVAL },
	{ .name = "range wraps", .ioc = &ioc_MAP_GPA,
	  .m = { MSET(MAP, guest_pa, 0xfffffffffffff000ULL), MSET(MAP, size, 0x2000) },
	  .err = EINVAL },
	{ .name = "guest_pa at 2^GPA_BITS", .ioc = &ioc_MAP_GPA,
	  .m = { MFN(MAP, guest_pa, gpa_limit), MSET(MAP, size, SZ_4K) }, .err = EINVAL },
	{ .name = "range ends past 2^GPA_BITS", .ioc = &ioc_MAP_GPA,
	  .m = { MFN(MAP, guest_pa, gpa_limit_minus_page), MSET(MAP, size, 0x2000) },
	  .err = EINVAL },
	{ .name = "range ends at 2^GPA_BITS", .ioc = &ioc_MAP_GPA,
	  .m = { MFN(MAP, guest_pa, gpa_limit_minus_page), MSET(MAP, size, SZ_4K) }, .err = 0 },
	{ .name = "guest_pa bit 63", .ioc = &ioc_MAP_GPA,
	  .m = { MSET(MAP, guest_pa, 1ULL << 63) }, .err = EINVAL },
	{ .name = "same range again", .ioc = &ioc_MAP_GPA,
	  .m = { MSET(MAP, guest_pa, EXISTING_GPA) }, .err = EEXIST },
	{ .name = "overlaps the start", .ioc = &ioc_MAP_GPA,
	  .m = { MSET(MAP, guest_pa, 0) }, .err = EEXIST },
	{ .name = "overlaps the end", .ioc = &ioc_MAP_GPA,
	  .m = { MSET(MAP, guest_pa, EXISTING_GPA + SZ_2M - SZ_4K) }, .err = EEXIST },
	{ .name = "contains a range", .ioc = &ioc_MAP_GPA,
	  .m = { MSET(MAP, guest_pa, 0), MSET(MAP, size, 2 * SZ_2M) }, .err = EEXIST },
	{ .name = "inside a range", .ioc = &ioc_MAP_GPA,
	  .m = { MSET(MAP, guest_pa, EXISTING_GPA + SZ_4K), MSET(MAP, size, SZ_4K) },
	  .err = EEXIST },
	{ .name = "NULL argument", .ioc = &ioc_MAP_GPA, .err = EFAULT, .null_arg = true },
	OK(UNMAP_GPA),
	{ .name = "flags", .ioc = &ioc_UNMAP_GPA, .m = { MSET(UNMAP, flags, 1) }, .err = EINVAL },
	{ .name = "rsvd", .ioc = &ioc_UNMAP_GPA, .m = { MSET(UNMAP, rsvd, 1) }, .err = EINVAL },
	{ .name = "nothing mapped there", .ioc = &ioc_UNMAP_GPA,
	  .m = { MSET(UNMAP, guest_pa, 0x10000000) }, .err = ENOENT },
	{ .name = "smaller than the range", .ioc = &ioc_UNMAP_GPA,
	  .m = { MSET(UNMAP, size, SZ_4K) }, .err = EINVAL },
	{ .name = "larger than the range", .ioc = &ioc_UNMAP_GPA,
	  .m = { MSET(UNMAP, size, 2 * SZ_2M) }, .err = EINVAL },
	{ .name = "inside the range", .ioc = &ioc_UNMAP_GPA,
	  .m = { MSET(UNMAP, guest_pa, EXISTING_GPA + SZ_4K), MSET(UNMAP, size, SZ_4K) },
	  .err = EINVAL },
	{ .name = "NULL argument", .ioc = &ioc_UNMAP_GPA, .err = EFAULT, .null_arg = true },
	OK(CREATE_VP),
	{ .name = "index MAX_VPS-1", .ioc = &ioc_CREATE_VP,
	  .m = { MFN(VPC, vp_index, max_vps_minus_1) }, .err = 0 },
	{ .name = "flags", .ioc = &ioc_CREATE_VP, .m = { MSET(VPC, flags, 1) }, .err = EINVAL },
	{ .name = "rsvd", .ioc = &ioc_CREATE_VP, .m = { MSET(VPC, rsvd, 1) }, .err = EINVAL },
	{ .name = "index MAX_VPS", .ioc = &ioc_CREATE_VP,
	  .m = { MFN(VPC, vp_index, max_vps) }, .err = EINVAL },
	{ .name = "index 0xffffffff", .ioc = &ioc_CREATE_VP,
	  .m = { MSET(VPC, vp_index, 0xffffffff) }, .err = EINVAL },
	{ .name = "duplicate index", .ioc = &ioc_CREATE_VP,
	  .m = { MSET(VPC, vp_index, 0) }, .err = EEXIST },
	{ .name = "NULL argument", .ioc = &ioc_CREATE_VP, .err = EFAULT, .null_arg = true },
	OK(INTERRUPT),
	{ .name = "flags", .ioc = &ioc_INTERRUPT,
	  .m = { MOR(INTR, flags, 1U << HVPART_INTERRUPT_BIT_COUNT) }, .err = EINVAL },
	{ .name = "rsvd0", .ioc = &ioc_INTERRUPT, .m = { MSET(INTR, rsvd0, 1) }, .err = EINVAL },
	{ .name = "rsvd1", .ioc = &ioc_INTERRUPT, .m = { MSET(INTR, rsvd1, 1) }, .err = EINVAL },
	{ .name = "fixed vector 15", .ioc = &ioc_INTERRUPT,
	  .m = { MSET(INTR, vector, 15) }, .err = EINVAL },
	{ .name = "lowest-priority vector 0", .ioc = &ioc_INTERRUPT,
	  .m = { MSET(INTR, delivery, HVPART_DELIVERY_LOWEST), MSET(INTR, vector, 0) },
	  .err = EINVAL },
	OK(SET_HV_CONFIG),
	{ .name = "after the first VP", .ioc = &ioc_SET_HV_CONFIG, .err = EBUSY,
	  .wrong_fd = true, .fd = FD_PART },
	{ .name = "flags", .ioc = &ioc_SET_HV_CONFIG, .m = { MSET(HVC, flags, 1) }, .err = EINVAL },
	{ .name = "rsvd[0]", .ioc = &ioc_SET_HV_CONFIG, .m = { MSET(HVC, rsvd[0], 1) },
	  .err = EINVAL },
	{ .name = "rsvd[5]", .ioc = &ioc_SET_HV_CONFIG, .m = { MSET(HVC, rsvd[5], 1) },
	  .err = EINVAL },
	{ .name = "unknown feature", .ioc = &ioc_SET_HV_CONFIG,
	  .m = { MOR(HVC, features, 1ULL << HVPART_HV_BIT_COUNT) }, .err = EINVAL },
	{ .name = "feature bit 63", .ioc = &ioc_SET_HV_CONFIG,
	  .m = { MOR(HVC, features, 1ULL << 63) }, .err = EINVAL },
	{ .name = "VP_INDEX without HYPERCALL", .ioc = &ioc_SET_HV_CONFIG,
	  .m = { MSET(HVC, features, HVF(VP_INDEX)) }, .err = EINVAL },
	{ .name = "SYNIC without VP_INDEX", .ioc = &ioc_SET_HV_CONFIG,
	  .m = { MSET(HVC, features, HVF(HYPERCALL) | HVF(SYNIC)) }, .err = EINVAL },
	{ .name = "STIMER without SYNIC", .ioc = &ioc_SET_HV_CONFIG,
	  .m = { MOR(HVC, features, HVF(TIME_REF_COUNT) | HVF(STIMER)) }, .err = EINVAL },
	{ .name = "STIMER without TIME_REF_COUNT", .ioc = &ioc_SET_HV_CONFIG,
	  .m = { MOR(HVC, features, HVF(SYNIC) | HVF(STIMER)) }, .err = EINVAL },
	{ .name = "STIMER_DIRECT without STIMER", .ioc = &ioc_SET_HV_CONFIG,
	  .m = { MOR(HVC, features, HVF(SYNIC) | HVF(TIME_REF_COUNT) | HVF(STIMER_DIRECT)) },
	  .err = EINVAL },
	{ .name = "REFERENCE_TSC without TIME_REF_COUNT", .ioc = &ioc_SET_HV_CONFIG,
	  .m = { MOR(HVC, features, HVF(REFERENCE_TSC)) }, .err = EINVAL },
	{ .name = "EX_PROCESSOR_MASKS alone", .ioc = &ioc_SET_HV_CONFIG,
	  .m = { MOR(HVC, features, HVF(EX_PROCESSOR_MASKS)) }, .err = EINVAL },
	{ .name = "NULL argument", .ioc = &ioc_SET_HV_CONFIG, .err = EFAULT, .null_arg = true },
	{ .name = "unknown number", .ioc = &ioc_part_unknown, .err = ENOTTY },
	{ .name = "/dev/hvpart ioctl on a partition", .ioc = &ioc_CREATE_PARTITION,
	  .err = ENOTTY, .wrong_fd = true, .fd = FD_PART },
	{ .name = "VP ioctl on a partition", .ioc = &ioc_SET_SREGS,
	  .err = ENOTTY, .wrong_fd = true, .fd = FD_PART },

	/* VP fd */
	OK(SET_SREGS),
	{ .name = "flags", .ioc = &ioc_SET_SREGS, .m = { MSET(SREGS, flags, 1) }, .err = EINVAL },
	{ .name = "rsvd[0]", .ioc = &ioc_SET_SREGS,
	  .m = { MSET(SREGS, rsvd[0], 1) }, .err = EINVAL },
	{ .name = "rsvd[3]", .ioc = &ioc_SET_SREGS,
	  .m = { MSET(SREGS, rsvd[3], 1) }, .err = EINVAL },
	{ .name = "CR0.NW without CD", .ioc = &ioc_SET_SREGS,
	  .m = { MOR(SREGS, cr0, X86_CR0_NW) }, .err = EINVAL },
	{ .name = "CR0 bit 32", .ioc = &ioc_SET_SREGS,
	  .m = { MOR(SREGS, cr0, 1ULL << 32) }, .err = EINVAL },
	{ .name = "CR0 bit 63", .ioc = &ioc_SET_SREGS,
	  .m = { MOR(SREGS, cr0, 1ULL << 63) }, .err = EINVAL },
	{ .name = "LME+PG without PAE", .ioc = &ioc_SET_SREGS,
	  .m = { MCLR(SREGS, cr4, X86_CR4_PAE) }, .err = EINVAL },
	{ .name = "LME+PG without PE", .ioc = &ioc_SET_SREGS,
	  .m = { MCLR(SREGS, cr0, X86_CR0_PE) }, .err = EINVAL },
	{ .name = "long mode CS with L and D", .ioc = &ioc_SET_SREGS,
	  .m = { MOR(SREGS, cs.attrib, HVPART_SEG_DB) }, .err = EINVAL },
	{ .name = "EFER bit 1", .ioc = &ioc_SET_SREGS,
	  .m = { MOR(SREGS, efer, 1ULL << 1) }, .err = EINVAL },
	{ .name = "EFER bit 9", .ioc = &ioc_SET_SREGS,
	  .m = { MOR(SREGS, efer, 1ULL << 9) }, .err = EINVAL },
	{ .name = "EFER bit 63", .ioc = &ioc_SET_SREGS,
	  .m = { MOR(SREGS, efer, 1ULL << 63) }, .err = EINVAL },
	{ .name = "CR4 bit 32", .ioc = &ioc_SET_SREGS,
	  .m = { MOR(SREGS, cr4, 1ULL << 32) }, .err = EINVAL },
	{ .name = "CR4 bit 63", .ioc = &ioc_SET_SREGS,
	  .m = { MOR(SREGS, cr4, 1ULL << 63) }, .err = EINVAL },
	{ .name = "CR3 bit 63", .ioc = &ioc_SET_SREGS,
	  .m = { MOR(SREGS, cr3, 1ULL << 63) }, .err = EINVAL },
	{ .name = "CR3 at 2^GPA_BITS", .ioc = &ioc_SET_SREGS,
	  .m = { { M_OR, T_ARG, FIELD(SREGS, cr3), 0, gpa_limit } }, .err = EINVAL },
	{ .name = "CR8 16", .ioc = &ioc_SET_SREGS, .m = { MSET(SREGS, cr8, 16) }, .err = EINVAL },
	{ .name = "CR8 15", .ioc = &ioc_SET_SREGS, .m = { MSET(SREGS, cr8, 15) }, .err = 0 },
	{ .name = "LME+PG without LMA", .ioc = &ioc_SET_SREGS,
	  .m = { MCLR(SREGS, efer, EFER_LMA) }, .err = EINVAL },
	{ .name = "LMA without PG", .ioc = &ioc_SET_SREGS,
	  .m = { MCLR(SREGS, cr0, X86_CR0_PG) }, .err = EINVAL },
	{ .name = "CR4.VMXE", .ioc = &ioc_SET_SREGS, .m = { MOR(SREGS, cr4, X86_CR4_VMXE) },
	  .err = EINVAL },
	{ .name = "CR4.SMXE", .ioc = &ioc_SET_SREGS, .m = { MOR(SREGS, cr4, 1ULL << 14) },
	  .err = EINVAL },
	{ .name = "CR4.PKE", .ioc = &ioc_SET_SREGS, .m = { MOR(SREGS, cr4, 1ULL << 22) },
	  .err = EINVAL },
	{ .name = "CR4.CET", .ioc = &ioc_SET_SREGS, .m = { MOR(SREGS, cr4, 1ULL << 23) },
	  .err = EINVAL },
	{ .name = "CS attrib bit 8", .ioc = &ioc_SET_SREGS,
	  .m = { MOR(SREGS, cs.attrib, 1U << 8) }, .err = EINVAL },
	{ .name = "DS attrib bit 17", .ioc = &ioc_SET_SREGS,
	  .m = { MOR(SREGS, ds.attrib, 1U << 17) }, .err = EINVAL },
	{ .name = "TR attrib bit 31", .ioc = &ioc_SET_SREGS,
	  .m = { MOR(SREGS, tr.attrib, 1U << 31) }, .err = EINVAL },
	{ .name = "CS rsvd0", .ioc = &ioc_SET_SREGS,
	  .m = { MSET(SREGS, cs.rsvd0, 1) }, .err = EINVAL },
	{ .name = "SS rsvd1", .ioc = &ioc_SET_SREGS,
	  .m = { MSET(SREGS, ss.rsvd1, 1) }, .err = EINVAL },
	{ .name = "GDT rsvd[0]", .ioc = &ioc_SET_SREGS,
	  .m = { MSET(SREGS, gdt.rsvd[0], 1) }, .err = EINVAL },
	{ .name = "IDT rsvd[2]", .ioc = &ioc_SET_SREGS,
	  .m = { MSET(SREGS, idt.rsvd[2], 1) }, .err = EINVAL },
	{ .name = "NULL argument", .ioc = &ioc_SET_SREGS, .err = EFAULT, .null_arg = true },
	OK(SET_REGS),
	{ .name = "RFLAGS bit 1 clear", .ioc = &ioc_SET_REGS, .m = { MSET(REGS, rflags, 0) },
	  .err = EINVAL },
	{ .name = "RFLAGS bit 3", .ioc = &ioc_SET_REGS, .m = { MOR(REGS, rflags, 1ULL << 3) },
	  .err = EINVAL },
	{ .name = "RFLAGS bit 15", .ioc = &ioc_SET_REGS, .m = { MOR(REGS, rflags, 1ULL << 15) },
	  .err = EINVAL },
	{ .name = "RFLAGS bit 22", .ioc = &ioc_SET_REGS, .m = { MOR(REGS, rflags, 1ULL << 22) },
	  .err = EINVAL },
	{ .name = "RFLAGS bit 63", .ioc = &ioc_SET_REGS, .m = { MOR(REGS, rflags, 1ULL << 63) },
	  .err = EINVAL },
	{ .name = "RFLAGS arithmetic, IF, DF", .ioc = &ioc_SET_REGS,
	  .m = { MOR(REGS, rflags, 0xed7) }, .err = 0 },
	{ .name = "NULL argument", .ioc = &ioc_SET_REGS, .err = EFAULT, .null_arg = true },
	OK(GET_MP_STATE),
	{ .name = "NULL argument", .ioc = &ioc_GET_MP_STATE, .err = EFAULT, .null_arg = true },
	OK(SET_MP_STATE),
	{ .name = "state HALTED", .ioc = &ioc_SET_MP_STATE,
	  .m = { MSET(MPS, state, HVPART_MP_HALTED) }, .err = 0 },
	{ .name = "state past the last", .ioc = &ioc_SET_MP_STATE,
	  .m = { MSET(MPS, state, HVPART_MP_STATE_COUNT) }, .err = EINVAL },
	{ .name = "state 0xffffffff", .ioc = &ioc_SET_MP_STATE,
	  .m = { MSET(MPS, state, 0xffffffff) }, .err = EINVAL },
	{ .name = "rsvd", .ioc = &ioc_SET_MP_STATE, .m = { MSET(MPS, rsvd, 1) }, .err = EINVAL },
	{ .name = "baseline", .ioc = &ioc_GET_MSRS, .err = 0, .check_ret = true, .ret = 1 },
	{ .name = "unknown MSR", .ioc = &ioc_GET_MSRS,
	  .m = { PSET(MENT, index, 0xdeadbeef) }, .err = 0, .check_ret = true, .ret = 0 },
	{ .name = "nmsrs 257", .ioc = &ioc_GET_MSRS,
	  .m = { MSET(MSRS, nmsrs, 257) }, .err = E2BIG },
	{ .name = "flags", .ioc = &ioc_GET_MSRS, .m = { MSET(MSRS, flags, 1) }, .err = EINVAL },
	{ .name = "entry rsvd stops processing", .ioc = &ioc_GET_MSRS,
	  .m = { PSET(MENT, rsvd, 1) }, .err = 0, .check_ret = true, .ret = 0 },
	{ .name = "entries unmapped", .ioc = &ioc_GET_MSRS,
	  .m = { MSET(MSRS, entries, 0x1000) }, .err = EFAULT },
	{ .name = "baseline", .ioc = &ioc_SET_MSRS, .err = 0, .check_ret = true, .ret = 1 },
	{ .name = "unknown MSR", .ioc = &ioc_SET_MSRS,
	  .m = { PSET(MENT, index, 0xdeadbeef) }, .err = 0, .check_ret = true, .ret = 0 },
	{ .name = "nmsrs 257", .ioc = &ioc_SET_MSRS,
	  .m = { MSET(MSRS, nmsrs, 257) }, .err = E2BIG },
	{ .name = "flags", .ioc = &ioc_SET_MSRS, .m = { MSET(MSRS, flags, 1) }, .err = EINVAL },
	{ .name = "entry rsvd stops processing", .ioc = &ioc_SET_MSRS,
	  .m = { PSET(MENT, rsvd, 1) }, .err = 0, .check_ret = true, .ret = 0 },
	OK(SET_CPUID),
	{ .name = "nent MAX+1", .ioc = &ioc_SET_CPUID,
	  .m = { MFN(CPUID, nent, max_cpuid_plus_1) }, .err = E2BIG },
	{ .name = "nent 0xffffffff", .ioc = &ioc_SET_CPUID,
	  .m = { MSET(CPUID, nent, 0xffffffff) }, .err = E2BIG },
	{ .name = "flags", .ioc = &ioc_SET_CPUID, .m = { MSET(CPUID, flags, 1) }, .err = EINVAL },
	{ .name = "entry unknown flag", .ioc = &ioc_SET_CPUID,
	  .m = { PSET(CENT, flags, 1U << HVPART_CPUID_BIT_COUNT) }, .err = EINVAL },
	{ .name = "entry rsvd[0]", .ioc = &ioc_SET_CPUID,
	  .m = { PSET(CENT, rsvd[0], 1) }, .err = EINVAL },
	{ .name = "entry rsvd[2]", .ioc = &ioc_SET_CPUID,
	  .m = { PSET(CENT, rsvd[2], 1) }, .err = EINVAL },
	{ .name = "entries unmapped", .ioc = &ioc_SET_CPUID,
	  .m = { MSET(CPUID, entries, 0x1000) }, .err = EFAULT },
	OK(GET_CPUID),
	{ .name = "flags", .ioc = &ioc_GET_CPUID, .m = { MSET(CPUID, flags, 1) }, .err = EINVAL },
	{ .name = "nent 0", .ioc = &ioc_GET_CPUID,
	  .m = { MSET(CPUID, nent, 0) }, .err = E2BIG, .nent_out = true },
	OK(RUN_VP),
	{ .name = "run page rsvd0", .ioc = &ioc_RUN_VP, .m = { RSET(rsvd0[0], 1) }, .err = EINVAL },
	{ .name = "unknown number", .ioc = &ioc_vp_unknown, .err = ENOTTY },
	{ .name = "partition ioctl on a VP", .ioc = &ioc_CREATE_VP,
	  .err = ENOTTY, .wrong_fd = true, .fd = FD_VP },
	{ .name = "/dev/hvpart ioctl on a VP", .ioc = &ioc_CHECK_CAP,
	  .err = ENOTTY, .wrong_fd = true, .fd = FD_VP },
};

/* ---- running a row ----------------------------------------------------------- */

static void *alloc_2m(void)
{
	uint8_t *p = mmap(NULL, 2 * SZ_2M, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	TEST_ASSERT(p != MAP_FAILED, "mmap");
	return (void *)ALIGN_UP((uintptr_t)p, SZ_2M);
}

static void ctx_init(struct ctx *c)
{
	struct hvpart_partition_create pc = { 0 };
	struct hvpart_vp_create vc = { .vp_index = 0 };
	struct hvpart_mem_map m = { 0 };
	struct hvpart_cpuid_entry *sup;

	memset(c, 0, sizeof(*c));
	c->fd[FD_DEV] = open_hvpart_dev();
	c->gpa_bits = hvp_check_cap(c->fd[FD_DEV], HVPART_CAP_GPA_BITS);
	c->max_vps = hvp_check_cap(c->fd[FD_DEV], HVPART_CAP_MAX_VPS);
	sup = hvp_get_supported_cpuid(c->fd[FD_DEV], &c->nr_supported);
	c->max_cpuid = hvp_check_cap(c->fd[FD_DEV], HVPART_CAP_MAX_CPUID_ENTRIES);
	c->cpuid = calloc(c->max_cpuid + 1, sizeof(*c->cpuid));
	TEST_ASSERT(c->cpuid, "calloc");
	memcpy(c->cpuid, sup, c->nr_supported * sizeof(*sup));
	free(sup);

	c->hv_features = hvp_check_cap(c->fd[FD_DEV], HVPART_CAP_HV_FEATURES);
	c->fd[FD_PART] = hvp_ioctl(c->fd[FD_DEV], HVPART_CREATE_PARTITION, &pc, "dev");
	c->fd[FD_PART_EMPTY] = hvp_ioctl(c->fd[FD_DEV], HVPART_CREATE_PARTITION, &pc, "dev");
	c->existing = alloc_2m();
	c->fresh = alloc_2m();
	m.guest_pa = EXISTING_GPA;
	m.size = SZ_2M;
	m.user_addr = (uintptr_t)c->existing;
	m.flags = HVPART_MEM_READ | HVPART_MEM_WRITE | HVPART_MEM_EXEC;
	hvp_ioctl(c->fd[FD_PART], HVPART_MAP_GPA, &m, "partition");
	c->fd[FD_VP] = hvp_ioctl(c->fd[FD_PART], HVPART_CREATE_VP, &vc, "partition");
	c->run = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE, MAP_SHARED, c->fd[FD_VP], 0);
	TEST_ASSERT(c->run != MAP_FAILED, "mmap of the run page");
}

/* Both array-carrying arguments keep their user pointer at the same place. */
static_assert(offsetof(struct hvpart_cpuid, entries) == offsetof(struct hvpart_msrs, entries),
	      "T_PAYLOAD finds the array through either argument");

static void apply(const struct ctx *c, const struct mutation *m, void *arg)
{
	uint64_t v = m->val_fn ? m->val_fn(c) : m->val, cur = 0;
	uint8_t *base;

	if (m->target == T_ARG)
		base = arg;
	else if (m->target == T_PAYLOAD)
		base = (uint8_t *)(uintptr_t)((struct hvpart_cpuid *)arg)->entries;
	else
		base = (uint8_t *)c->run;

	memcpy(&cur, base + m->off, m->width);
	if (m->op == M_SET)
		cur = v;
	else if (m->op == M_OR)
		cur |= v;
	else if (m->op == M_CLEAR)
		cur &= ~v;
	memcpy(base + m->off, &cur, m->width);
}

static void run_case(const void *arg)
{
	const struct bad_case *bc = arg;
	const struct ioc_desc *d = bc->ioc;
	uint8_t buf[512] = { 0 };
	uint32_t nent_in = 0;
	struct ctx c;
	void *p;
	int fd, r, err;
	size_t i;

	TEST_ASSERT(_IOC_SIZE(d->cmd) == d->size || !d->size,
		    "descriptor %s: size %zu, ioctl says %u", d->name, d->size,
		    (unsigned int)_IOC_SIZE(d->cmd));
	ctx_init(&c);
	d->fill(&c, buf);
	for (i = 0; i < ARRAY_SIZE(bc->m); i++) {
		if (bc->m[i].op != M_NONE)
			apply(&c, &bc->m[i], buf);
	}
	if (bc->nent_out)
		nent_in = ((struct hvpart_cpuid *)buf)->nent;

	fd = c.fd[bc->wrong_fd ? bc->fd : d->fd];
	p = bc->null_arg || !d->size ? NULL : buf;
	__TEST_REQUIRE((c.hv_features & d->hv_needed) == d->hv_needed,
		       "the module does not offer HV features %#lx",
		       (unsigned long)(d->hv_needed & ~c.hv_features));
	if (d->newer && !bc->wrong_fd) {
		uint8_t valid[512] = { 0 };

		d->fill(&c, valid);
		__TEST_REQUIRE(ioctl(fd, d->cmd, valid) >= 0 || errno != ENOTTY,
			       "HVPART_%s not implemented by this module (ENOTTY)", d->name);
	}
	r = ioctl(fd, d->cmd, p);
	err = errno;

	if (bc->err) {
		TEST_ASSERT(r == -1 && err == bc->err, "%s: got %d (%s), want -1 %s", d->name,
			    r, r < 0 ? strerror(err) : "success", strerror(bc->err));
	} else {
		TEST_ASSERT(r >= 0, "%s: failed with %s", d->name, strerror(err));
		TEST_ASSERT(!bc->check_ret || r == bc->ret, "%s returned %d, want %d", d->name,
			    r, bc->ret);
	}
	if (bc->nent_out) {
		uint32_t out = ((struct hvpart_cpuid *)buf)->nent;

		TEST_ASSERT(out > nent_in && out <= c.max_cpuid,
			    "%s: nent %u after E2BIG, want the needed count (> %u)", d->name,
			    out, nent_in);
	}
}

/* mmap of the run page: offset 0 and one page only. */
struct mmap_case {
	const char *name;
	off_t off;
	size_t pages;
	int err;
};

static const struct mmap_case mmap_cases[] = {
	{ "mmap run page: baseline", 0, 1, 0 },
	{ "mmap run page: offset 1 page", 4096, 1, EINVAL },
	{ "mmap run page: 2 pages", 0, 2, EINVAL },
};

static void run_mmap_case(const void *arg)
{
	const struct mmap_case *mc = arg;
	struct ctx c;
	void *p;

	ctx_init(&c);
	p = mmap(NULL, mc->pages * getpagesize(), PROT_READ | PROT_WRITE, MAP_SHARED,
		 c.fd[FD_VP], mc->off);
	if (mc->err)
		TEST_ASSERT(p == MAP_FAILED && errno == mc->err, "mmap: %s, want %s",
			    p == MAP_FAILED ? strerror(errno) : "success", strerror(mc->err));
	else
		TEST_ASSERT(p != MAP_FAILED, "mmap: %s", strerror(errno));
}

/*
 * A partition belongs to the process that created it: a forked child
 * holding the same fds gets EIO from every partition and VP ioctl.
 */
static const struct ioc_desc *const other_process_cases[] = {
	&ioc_MAP_GPA, &ioc_UNMAP_GPA, &ioc_CREATE_VP, &ioc_SET_SREGS, &ioc_SET_REGS,
	&ioc_GET_MSRS, &ioc_SET_CPUID, &ioc_RUN_VP,
};

static void run_other_process_case(const void *arg)
{
	const struct ioc_desc *d = *(const struct ioc_desc *const *)arg;
	struct ctx c;
	int status;
	pid_t pid;

	ctx_init(&c);
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (!pid) {
		uint8_t buf[512] = { 0 };
		int r;

		d->fill(&c, buf);
		r = ioctl(c.fd[d->fd], d->cmd, d->size ? buf : NULL);
		TEST_ASSERT(r == -1 && errno == EIO, "%s from another process: %d (%s), want EIO",
			    d->name, r, r < 0 ? strerror(errno) : "success");
		exit(KSFT_PASS);
	}
	TEST_ASSERT(waitpid(pid, &status, 0) == pid, "waitpid");
	TEST_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == KSFT_PASS,
		    "the child failed (status %#x)", status);
}

int main(void)
{
	char names[ARRAY_SIZE(cases)][96];
	char other_names[ARRAY_SIZE(other_process_cases)][64];
	size_t i;

	tap_plan(ARRAY_SIZE(cases) + ARRAY_SIZE(mmap_cases) + ARRAY_SIZE(other_process_cases));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(names[i], sizeof(names[i]), "%s: %s", cases[i].ioc->name, cases[i].name);
		tap_run(names[i], run_case, &cases[i], 0);
	}
	for (i = 0; i < ARRAY_SIZE(mmap_cases); i++)
		tap_run(mmap_cases[i].name, run_mmap_case, &mmap_cases[i], 0);
	for (i = 0; i < ARRAY_SIZE(other_process_cases); i++) {
		snprintf(other_names[i], sizeof(other_names[i]), "%s: from another process",
			 other_process_cases[i]->name);
		tap_run(other_names[i], run_other_process_case, &other_process_cases[i], 0);
	}
	return tap_done();
}
