// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kmod/gva_walk.c: small page tables in a fake guest memory
 * buffer, one set per paging mode, then translations and every fault cause
 * (not present, reserved bit, write, user, fetch/NX, SMEP, non-canonical),
 * the error code the guest would see and the number of entry reads.
 */
#include <stdlib.h>
#include <string.h>

#include "gva_walk.h"
#include "tap.h"

#define CR0_PE		(1ULL << 0)
#define CR0_WP		(1ULL << 16)
#define CR0_PG		(1ULL << 31)
#define CR4_PSE		(1ULL << 4)
#define CR4_PAE		(1ULL << 5)
#define CR4_LA57	(1ULL << 12)
#define CR4_SMEP	(1ULL << 20)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define EFER_NXE	(1ULL << 11)

#define P	(1ULL << 0)
#define RW	(1ULL << 1)
#define US	(1ULL << 2)
#define PS	(1ULL << 7)
#define NX	(1ULL << 63)

#define W	HVP_WALK_WRITE
#define U	HVP_WALK_USER
#define F	HVP_WALK_FETCH

#define EC_P	HVP_PFERR_PRESENT
#define EC_W	HVP_PFERR_WRITE
#define EC_U	HVP_PFERR_USER
#define EC_R	HVP_PFERR_RSVD
#define EC_I	HVP_PFERR_FETCH

#define MEM_SIZE	(4u << 20)
#define ANY_READS	(~0u)

struct gmem {
	u8 *buf;
	unsigned int reads;
	u64 fail_gpa;		/* reads of this entry fail with fail_ret */
	int fail_ret;
};

static struct gmem mem;

static int gmem_read(void *ctx, u64 gpa, void *buf, unsigned int len)
{
	struct gmem *m = ctx;

	m->reads++;
	if (m->fail_ret && gpa == m->fail_gpa)
		return m->fail_ret;
	if (gpa >= MEM_SIZE || len > MEM_SIZE - gpa)
		return -EIO;
	memcpy(buf, m->buf + gpa, len);
	return 0;
}

static void put32(u64 gpa, u32 v)
{
	memcpy(mem.buf + gpa, &v, 4);
}

static void put64(u64 gpa, u64 v)
{
	memcpy(mem.buf + gpa, &v, 8);
}

static void mem_reset(void)
{
	memset(mem.buf, 0, MEM_SIZE);
	mem.fail_ret = 0;
}

static const char *const access_names[] = {
	"read", "write", "user read", "user write", "fetch", "fetch+write", "user fetch",
	"user fetch+write",
};

/*
 * One walk: @want_ret 0 expects @want as the gpa, -EFAULT expects @want as
 * the #PF error code, anything else just the return value. The result must
 * not depend on which of the two entry points is used.
 */
static void check(const char *name, const struct hvp_paging_state *ps, u64 gva,
		  unsigned int access, int want_ret, u64 want, unsigned int want_reads)
{
	struct hvp_walk_fault fault = { .error_code = 0xdead };
	u64 gpa = 0x5a5a, gpa2 = 0x5a5a;
	bool pass = true;
	int ret, ret2;

	mem.reads = 0;
	ret = hvp_gva_walk(ps, gva, access, gmem_read, &mem, &gpa, &fault);
	if (want_reads != ANY_READS && mem.reads != want_reads) {
		tap_diag("%u entry reads, want %u", mem.reads, want_reads);
		pass = false;
	}
	if (ret != want_ret) {
		tap_diag("returned %d, want %d", ret, want_ret);
		pass = false;
	} else if (ret == 0 && gpa != want) {
		tap_diag("gpa %#llx, want %#llx", (unsigned long long)gpa,
			 (unsigned long long)want);
		pass = false;
	} else if (ret == -EFAULT && (fault.noncanonical || fault.error_code != want)) {
		tap_diag("error code %#x%s, want %#llx", fault.error_code,
			 fault.noncanonical ? " (non-canonical)" : "", (unsigned long long)want);
		pass = false;
	} else if (ret != 0 && gpa != 0x5a5a) {
		tap_diag("gpa written on failure");
		pass = false;
	}

	ret2 = hvp_gva_to_gpa(ps, gva, access, gmem_read, &mem, &gpa2);
	if (ret2 != ret || (ret == 0 && gpa2 != gpa)) {
		tap_diag("hvp_gva_to_gpa: %d, gpa %#llx", ret2, (unsigned long long)gpa2);
		pass = false;
	}
	tap_ok(pass, "%s: %s %#llx", name, access < 8 ? access_names[access] : "bad access",
	       (unsigned long long)gva);
}

static void check_noncanonical(const char *name, const struct hvp_paging_state *ps, u64 gva)
{
	struct hvp_walk_fault fault = { .error_code = 0xdead };
	u64 gpa = 0;
	int ret;

	mem.reads = 0;
	ret = hvp_gva_walk(ps, gva, 0, gmem_read, &mem, &gpa, &fault);
	tap_ok(ret == -EFAULT && fault.noncanonical && fault.error_code == 0 && mem.reads == 0,
	       "%s: %#llx is non-canonical", name, (unsigned long long)gva);
}

static void test_no_paging(void)
{
	struct hvp_paging_state ps = { .cr0 = CR0_PE };

	check("no paging", &ps, 0x12345678, 0, 0, 0x12345678, 0);
	check("no paging", &ps, 0xffffffff00001000ULL, U | W, 0, 0x1000, 0);
	check("no paging", &ps, 0xfffff000, F, 0, 0xfffff000, 0);
	ps.cr0 = 0;
	check("real mode", &ps, 0xb8000, W, 0, 0xb8000, 0);
}

/* 32-bit paging: PD at 0x1000, PT at 0x2000. */
static void test_32bit(void)
{
	struct hvp_paging_state ps = { .cr0 = CR0_PG | CR0_PE | CR0_WP, .cr3 = 0x1000 | 0x18 };

	mem_reset();
	put32(0x1000 + 1 * 4, 0x2000 | P | RW | US);		/* 0x00400000 */
	put32(0x2000 + 1 * 4, 0x5000 | P | RW | US);		/* 0x00401000 */
	put32(0x2000 + 3 * 4, 0x6000 | P | US);			/* read-only */
	put32(0x2000 + 4 * 4, 0x7000 | P | RW);			/* supervisor */
	put32(0x1000 + 2 * 4, 0x00800000 | P | RW | US | PS);	/* 4 MiB */
	put32(0x1000 + 3 * 4, 0x00c00000 | P | RW | PS | (0x12 << 13)); /* PSE-36 */
	put32(0x1000 + 4 * 4, (1u << 21) | P | RW | PS);	/* bit 21 reserved */
	put32(0x1000 + 5 * 4, 0x3000 | P | RW | US | PS);	/* PT, or 4 MiB */
	put32(0x3000, 0x9000 | P | RW | US);

	check("32-bit", &ps, 0x00401abc, 0, 0, 0x5abc, 2);
	check("32-bit", &ps, 0x00401abc, U | W, 0, 0x5abc, 2);
	check("32-bit high gva bits ignored", &ps, 0xffffffff00401abcULL, 0, 0, 0x5abc, 2);
	check("32-bit PDE not present", &ps, 0x00000123, 0, -EFAULT, 0, 1);
	check("32-bit PTE not present", &ps, 0x00402000, 0, -EFAULT, 0, 2);
	check("32-bit PTE not present", &ps, 0x00402000, U | W, -EFAULT, EC_W | EC_U, 2);
	check("32-bit read-only", &ps, 0x00403000, U, 0, 0x6000, 2);
	check("32-bit read-only", &ps, 0x00403000, U | W, -EFAULT, EC_P | EC_W | EC_U, 2);
	check("32-bit read-only, WP=1", &ps, 0x00403000, W, -EFAULT, EC_P | EC_W, 2);
	check("32-bit supervisor page", &ps, 0x00404000, U, -EFAULT, EC_P | EC_U, 2);
	check("32-bit supervisor page", &ps, 0x00404000, 0, 0, 0x7000, 2);
	check("32-bit no NX: user fetch", &ps, 0x00401000, U | F, 0, 0x5000, 2);
	check("32-bit, no PSE: PS ignored", &ps, 0x01400123, 0, 0, 0x9123, 2);
	check("32-bit, no PSE: PS ignored", &ps, 0x01000000, 0, -EFAULT, 0, 2);

	ps.cr0 &= ~CR0_WP;
	check("32-bit read-only, WP=0", &ps, 0x00403000, W, 0, 0x6000, 2);
	check("32-bit read-only, WP=0", &ps, 0x00403000, U | W, -EFAULT, EC_P | EC_W | EC_U, 2);
	ps.cr0 |= CR0_WP;

	ps.cr4 = CR4_SMEP;
	check("32-bit SMEP", &ps, 0x00401000, F, -EFAULT, EC_P | EC_I, 2);
	check("32-bit SMEP", &ps, 0x00401000, U | F, 0, 0x5000, 2);
	check("32-bit SMEP", &ps, 0x00404000, F, 0, 0x7000, 2);
	check("32-bit SMEP", &ps, 0x00402000, F, -EFAULT, EC_I, 2);

	ps.cr4 = CR4_PSE;
	check("32-bit 4 MiB", &ps, 0x00912345, U | W, 0, 0x912345, 1);
	check("32-bit PSE-36", &ps, 0x00c01234, 0, 0, 0x1200c01234ULL, 1);
	check("32-bit PSE-36", &ps, 0x00c01234, U, -EFAULT, EC_P | EC_U, 1);
	check("32-bit 4 MiB bit 21", &ps, 0x01000000, 0, -EFAULT, EC_P | EC_R, 1);
	check("32-bit 4 MiB, PA bit 32", &ps, 0x01401234, 0, 0, 0x100001234ULL, 1);
	check("32-bit 4 MiB, PSE: PTEs unused", &ps, 0x00401abc, 0, 0, 0x5abc, 2);
	ps.maxphyaddr = 36;
	check("32-bit PSE-36, MAXPHYADDR 36", &ps, 0x00c01234, 0, -EFAULT, EC_P | EC_R, 1);
	check("32-bit 4 MiB, MAXPHYADDR 36", &ps, 0x01401234, 0, 0, 0x100001234ULL, 1);
	ps.maxphyaddr = 32;
	check("32-bit 4 MiB, MAXPHYADDR 32", &ps, 0x01401234, 0, -EFAULT, EC_P | EC_R, 1);
}

/* PAE: PDPT at CR3[31:5] = 0x1020, PD at 0x2000, PT at 0x3000. */
static void test_pae(void)
{
	struct hvp_paging_state ps = {
		.cr0 = CR0_PG | CR0_PE | CR0_WP, .cr4 = CR4_PAE, .cr3 = 0x1038,
	};

	mem_reset();
	put64(0x1020 + 1 * 8, 0x2000 | P);		/* 0x40000000 */
	put64(0x1020 + 2 * 8, 0x2000 | P | RW);	/* reserved R/W */
	put64(0x1020 + 3 * 8, 0x2000 | P | NX);	/* reserved NX */
	put64(0x2000 + 0 * 8, 0x3000 | P | RW | US);
	put64(0x2000 + 1 * 8, 0x00200000 | P | RW | US | PS);
	put64(0x2000 + 2 * 8, 0x00400000 | P | RW | PS | (1 << 13));
	put64(0x2000 + 3 * 8, 0x3000 | P | RW | US | NX);
	put64(0x2000 + 4 * 8, 0x3000 | P | RW | US | (1ULL << 62));
	put64(0x2000 + 5 * 8, 0x3000 | P | RW | US | (1ULL << 40));
	put64(0x3000 + 5 * 8, 0x7000 | P | RW | US);
	put64(0x3000 + 6 * 8, 0x123456000ULL | P | RW | US);
	put64(0x3000 + 7 * 8, 0x8000 | P | US | NX);

	check("PAE", &ps, 0x40005abc, 0, 0, 0x7abc, 3);
	check("PAE", &ps, 0xffffffff40005abcULL, U | W, 0, 0x7abc, 3);
	check("PAE gpa above 4 GiB", &ps, 0x40006abc, 0, 0, 0x123456abcULL, 3);
	check("PAE 2 MiB", &ps, 0x40212345, U | W, 0, 0x212345, 2);
	check("PAE 2 MiB bit 13", &ps, 0x40400000, 0, -EFAULT, EC_P | EC_R, 2);
	check("PAE PDPTE not present", &ps, 0x00001000, 0, -EFAULT, 0, 1);
	check("PAE PDPTE not present", &ps, 0x00001000, F, -EFAULT, 0, 1);
	check("PAE PDPTE R/W reserved", &ps, 0x80000000, 0, -EFAULT, EC_P | EC_R, 1);
	check("PAE PDPTE NX reserved", &ps, 0xc0000000, 0, -EFAULT, EC_P | EC_R, 1);
	check("PAE PTE not present", &ps, 0x40000000, W, -EFAULT, EC_W, 3);
	check("PAE NX with NXE=0", &ps, 0x40605000, 0, -EFAULT, EC_P | EC_R, 2);
	check("PAE NX with NXE=0", &ps, 0x40007000, U, -EFAULT, EC_P | EC_R | EC_U, 3);
	check("PAE bit 62", &ps, 0x40805000, 0, -EFAULT, EC_P | EC_R, 2);
	check("PAE bit 40 table beyond memory", &ps, 0x40a05000, 0, -EIO, 0, 3);
	ps.maxphyaddr = 40;
	check("PAE bit 40, MAXPHYADDR 40", &ps, 0x40a05000, 0, -EFAULT, EC_P | EC_R, 2);
	ps.maxphyaddr = 0;

	ps.efer = EFER_NXE;
	check("PAE NX, read", &ps, 0x40605000, 0, 0, 0x7000, 3);
	check("PAE NX in PDE, fetch", &ps, 0x40605000, F, -EFAULT, EC_P | EC_I, 3);
	check("PAE NX in PTE, user fetch", &ps, 0x40007000, U | F, -EFAULT, EC_P | EC_U | EC_I,
	      3);
	check("PAE NX in PTE, user read", &ps, 0x40007000, U, 0, 0x8000, 3);
	check("PAE PDPTE NX still reserved", &ps, 0xc0000000, 0, -EFAULT, EC_P | EC_R, 1);
	check("PAE not present, fetch, NXE", &ps, 0x00001000, F, -EFAULT, EC_I, 1);
	check("PAE fetch", &ps, 0x40005000, U | F, 0, 0x7000, 3);
}

/*
 * 4-level: PML4 at 0x1000, PDPT at 0x2000 (and 0x5000), PD at 0x3000,
 * PT at 0x4000; the 5-level test puts a PML5 on top.
 */
static void build_long_tables(void)
{
	mem_reset();
	put64(0x1000 + 0 * 8, 0x2000 | P | RW | US);
	put64(0x1000 + 1 * 8, 0x2000 | P | RW | US | PS);	/* reserved PS */
	put64(0x1000 + 2 * 8, 0x5000 | P | US);		/* read-only */
	put64(0x1000 + 3 * 8, 0x2000 | P | RW);		/* supervisor */
	put64(0x1000 + 256 * 8, 0x2000 | P | RW);		/* kernel half */
	put64(0x2000 + 0 * 8, 0x3000 | P | RW | US);
	put64(0x2000 + 1 * 8, 0x140000000ULL | P | RW | US | PS);		/* 1 GiB */
	put64(0x2000 + 2 * 8, 0x80000000ULL | P | RW | PS | (1 << 13));	/* reserved */
	put64(0x2000 + 3 * 8, 0x3000 | P | RW | US | NX);
	put64(0x5000 + 0 * 8, 0x3000 | P | RW | US);
	put64(0x3000 + 0 * 8, 0x4000 | P | RW | US);
	put64(0x3000 + 1 * 8, 0x00600000 | P | RW | US | PS);			/* 2 MiB */
	put64(0x3000 + 2 * 8, 0x00800000 | P | RW | US | PS | (1 << 20));	/* reserved */
	put64(0x4000 + 1 * 8, 0x9000 | P | RW | US);
	put64(0x4000 + 2 * 8, 0x9000 | P | US);				/* read-only */
	put64(0x4000 + 3 * 8, 0xa000 | P | RW | US | NX);
	put64(0x4000 + 4 * 8, 0x9000 | P | RW | US | (1ULL << 40));
	put64(0x4000 + 5 * 8, 0x9000 | P | RW | US | (0x7fULL << 52));	/* ignored bits */
}

static void test_long4(void)
{
	struct hvp_paging_state ps = {
		.cr0 = CR0_PG | CR0_PE | CR0_WP, .cr4 = CR4_PAE, .cr3 = 0x1000 | 0xfff,
		.efer = EFER_LME | EFER_LMA | EFER_NXE,
	};

	build_long_tables();
	check("4-level", &ps, 0x1abc, 0, 0, 0x9abc, 4);
	check("4-level", &ps, 0x1abc, U | W, 0, 0x9abc, 4);
	check("4-level kernel half", &ps, 0xffff800000001abcULL, W, 0, 0x9abc, 4);
	check("4-level kernel half", &ps, 0xffff800000001abcULL, U, -EFAULT, EC_P | EC_U, 4);
	check("4-level PS in PML4E", &ps, 0x0000008000000000ULL, 0, -EFAULT, EC_P | EC_R, 1);
	check("4-level 1 GiB", &ps, 0x52345678, U | W, 0, 0x152345678ULL, 2);
	check("4-level 1 GiB bit 13", &ps, 0x80000000, 0, -EFAULT, EC_P | EC_R, 2);
	check("4-level 2 MiB", &ps, 0x201234, U | W, 0, 0x601234, 3);
	check("4-level 2 MiB bit 20", &ps, 0x400000, 0, -EFAULT, EC_P | EC_R, 3);
	check("4-level PTE not present", &ps, 0x0, U | W, -EFAULT, EC_U | EC_W, 4);
	check("4-level PDPTE not present", &ps, 0x100000000ULL + 0xc0000000ULL, 0, -EFAULT, 0,
	      2);
	check("4-level PML4E not present", &ps, 0x0000200000000000ULL, F, -EFAULT, EC_I, 1);
	check("4-level read-only PTE", &ps, 0x2000, U | W, -EFAULT, EC_P | EC_W | EC_U, 4);
	check("4-level read-only PTE", &ps, 0x2000, W, -EFAULT, EC_P | EC_W, 4);
	check("4-level read-only PTE", &ps, 0x2000, U, 0, 0x9000, 4);
	check("4-level read-only PML4E", &ps, 0x0000010000001000ULL, U | W, -EFAULT,
	      EC_P | EC_W | EC_U, 4);
	check("4-level read-only PML4E", &ps, 0x0000010000001000ULL, U, 0, 0x9000, 4);
	check("4-level supervisor PML4E", &ps, 0x0000018000001000ULL, U, -EFAULT, EC_P | EC_U,
	      4);
	check("4-level supervisor PML4E", &ps, 0x0000018000001000ULL, W, 0, 0x9000, 4);
	check("4-level NX PTE", &ps, 0x3000, 0, 0, 0xa000, 4);
	check("4-level NX PTE", &ps, 0x3000, F, -EFAULT, EC_P | EC_I, 4);
	check("4-level NX PDPTE", &ps, 0xc0001000, U | F, -EFAULT, EC_P | EC_U | EC_I, 4);
	check("4-level fetch", &ps, 0x1000, U | F, 0, 0x9000, 4);
	check("4-level bit 40", &ps, 0x4000, 0, 0, 0x10000009000ULL, 4);
	check("4-level ignored bits 62:52", &ps, 0x5000, 0, 0, 0x9000, 4);
	ps.maxphyaddr = 40;
	check("4-level bit 40, MAXPHYADDR 40", &ps, 0x4000, 0, -EFAULT, EC_P | EC_R, 4);
	ps.maxphyaddr = 0;

	ps.cr0 &= ~CR0_WP;
	check("4-level read-only, WP=0", &ps, 0x2000, W, 0, 0x9000, 4);
	check("4-level read-only, WP=0", &ps, 0x2000, U | W, -EFAULT, EC_P | EC_W | EC_U, 4);
	ps.cr0 |= CR0_WP;

	ps.cr4 |= CR4_SMEP;
	check("4-level SMEP", &ps, 0x1000, F, -EFAULT, EC_P | EC_I, 4);
	check("4-level SMEP", &ps, 0xffff800000001000ULL, F, 0, 0x9000, 4);
	check("4-level SMEP, read", &ps, 0x1000, 0, 0, 0x9000, 4);
	ps.cr4 &= ~CR4_SMEP;

	ps.efer &= ~EFER_NXE;
	check("4-level NX with NXE=0", &ps, 0x3000, 0, -EFAULT, EC_P | EC_R, 4);
	check("4-level NX PDPTE, NXE=0", &ps, 0xc0001000, 0, -EFAULT, EC_P | EC_R, 2);
	check("4-level no NXE: fetch", &ps, 0x1000, F, 0, 0x9000, 4);
	check("4-level no NXE: no I/D bit", &ps, 0x0, F, -EFAULT, 0, 4);
	ps.efer |= EFER_NXE;

	check_noncanonical("4-level", &ps, 0x0000800000000000ULL);
	check_noncanonical("4-level", &ps, 0xffff7fffffffffffULL);
	check_noncanonical("4-level", &ps, 0x8000000000001000ULL);
	check("4-level canonical top", &ps, 0xffffffffffffffffULL, 0, -EFAULT, 0, 1);

	mem.fail_gpa = 0x4000 + 1 * 8;
	mem.fail_ret = -EIO;
	check("4-level read error", &ps, 0x1000, 0, -EIO, 0, 4);
	mem.fail_ret = -EFAULT;
	check("4-level callback -EFAULT is -EIO", &ps, 0x1000, 0, -EIO, 0, 4);
	mem.fail_ret = 1;
	check("4-level callback positive is -EIO", &ps, 0x1000, 0, -EIO, 0, 4);
	mem.fail_ret = 0;

	check("bad access bit", &ps, 0x1000, 8, -EINVAL, 0, 0);
	check("write + fetch", &ps, 0x1000, W | F, -EINVAL, 0, 0);
	ps.cr4 &= ~CR4_PAE;
	check("LMA without PAE", &ps, 0x1000, 0, -EINVAL, 0, 0);
}

/* 5-level: PML5 at 0x10000 pointing at the 4-level tables. */
static void test_long5(void)
{
	struct hvp_paging_state ps = {
		.cr0 = CR0_PG | CR0_PE | CR0_WP, .cr4 = CR4_PAE | CR4_LA57, .cr3 = 0x10000,
		.efer = EFER_LME | EFER_LMA | EFER_NXE,
	};

	build_long_tables();
	put64(0x10000 + 0 * 8, 0x1000 | P | RW | US);
	put64(0x10000 + 1 * 8, 0x1000 | P | RW | US | PS);	/* reserved PS */
	put64(0x10000 + 2 * 8, 0x1000 | P | RW);		/* supervisor */

	check("5-level", &ps, 0x1abc, U | W, 0, 0x9abc, 5);
	check("5-level, bit 47 set", &ps, 0x0000800000001abcULL, 0, 0, 0x9abc, 5);
	check("5-level, bit 47 set", &ps, 0x0000800000001abcULL, U, -EFAULT, EC_P | EC_U, 5);
	check("5-level PS in PML5E", &ps, 0x0001000000000000ULL, 0, -EFAULT, EC_P | EC_R, 1);
	check("5-level supervisor PML5E", &ps, 0x0002000000001000ULL, U, -EFAULT, EC_P | EC_U,
	      5);
	check("5-level PML5E not present", &ps, 0xff00000000001abcULL, 0, -EFAULT, 0, 1);
	check("5-level 1 GiB", &ps, 0x52345678, 0, 0, 0x152345678ULL, 3);
	check_noncanonical("5-level", &ps, 0x0100000000000000ULL);
	check_noncanonical("5-level", &ps, 0xfe00000000000000ULL);
}

int main(void)
{
	mem.buf = malloc(MEM_SIZE);
	if (!mem.buf)
		return 1;
	tap_start();
	test_no_paging();
	test_32bit();
	test_pae();
	test_long4();
	test_long5();
	free(mem.buf);
	return tap_done();
}
