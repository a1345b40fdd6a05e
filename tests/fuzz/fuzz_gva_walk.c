// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/gva_walk.c.
 *
 * Input: a 44-byte header, then guest memory.
 *   0  cr0, cr3, cr4, efer, gva (little-endian u64 each)
 *   40 maxphyaddr, access, fail_read (the Nth entry read fails; 0 = none),
 *      fail_errno selector
 * Entry reads land in the memory at gpa modulo its size, so arbitrary
 * table addresses still reach fuzzer-controlled entries and walks go deep.
 * Checked on every input:
 *   - reads are 4 or 8 bytes, aligned, at most 5 per walk (2 for 32-bit
 *     paging, 3 for PAE, 4 or 5 in long mode), none without paging
 *   - the result is 0, -EFAULT, -EINVAL or -EIO
 *   - on success the page offset is kept and the gpa fits the mode
 *   - a #PF error code names exactly the access made; RSVD implies P
 *   - hvp_gva_to_gpa() agrees with hvp_gva_walk()
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gva_walk.h"

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
			__FILE__, __LINE__, #cond);			\
		abort();						\
	}								\
} while (0)

#define HDR_LEN		44
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define CR4_LA57	(1ULL << 12)
#define EFER_LMA	(1ULL << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fmem {
	const u8 *buf;
	size_t size;
	unsigned int reads;
	unsigned int max_reads;
	unsigned int fail_read;
	int fail_ret;
};

static int fmem_read(void *ctx, u64 gpa, void *out, unsigned int len)
{
	struct fmem *m = ctx;
	u8 *dst = out;
	unsigned int i;

	CHECK(len == 4 || len == 8);
	CHECK(gpa % len == 0);
	m->reads++;
	CHECK(m->reads <= m->max_reads);
	if (m->reads == m->fail_read)
		return m->fail_ret;
	if (!m->size)
		return -EIO;
	for (i = 0; i < len; i++)
		dst[i] = m->buf[(gpa + i) % m->size];
	return 0;
}

static u64 le64(const u8 *p)
{
	u64 v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int fail_rets[] = { -EIO, -EFAULT, -ENOMEM, 1 };
	struct hvp_walk_fault fault;
	struct hvp_paging_state ps;
	unsigned int access, maxphy;
	struct fmem m = { 0 };
	u64 gva, gpa, gpa2;
	u8 *mem = NULL;
	int ret, ret2;

	if (size < HDR_LEN || size > HDR_LEN + 65536)
		return 0;
	memset(&ps, 0, sizeof(ps));
	ps.cr0 = le64(data);
	ps.cr3 = le64(data + 8);
	ps.cr4 = le64(data + 16);
	ps.efer = le64(data + 24);
	gva = le64(data + 32);
	ps.maxphyaddr = data[40];
	access = data[41] & 0xf;	/* bit 3 is invalid on purpose */
	m.fail_read = data[42] & 7;
	m.fail_ret = fail_rets[data[43] & 3];

	m.size = size - HDR_LEN;
	if (m.size) {
		mem = malloc(m.size);
		if (!mem)
			abort();
		memcpy(mem, data + HDR_LEN, m.size);
	}
	m.buf = mem;

	if (!(ps.cr0 & CR0_PG))
		m.max_reads = 0;
	else if (ps.efer & EFER_LMA)
		m.max_reads = (ps.cr4 & CR4_LA57) ? 5 : 4;
	else if (ps.cr4 & CR4_PAE)
		m.max_reads = 3;
	else
		m.max_reads = 2;

	maxphy = ps.maxphyaddr;
	if (!maxphy || maxphy > 52)
		maxphy = 52;
	else if (maxphy < 32)
		maxphy = 32;

	memset(&fault, 0xa5, sizeof(fault));
	gpa = 0x5a5a5a5a;
	ret = hvp_gva_walk(&ps, gva, access, fmem_read, &m, &gpa, &fault);
	CHECK(ret == 0 || ret == -EFAULT || ret == -EINVAL || ret == -EIO || ret == -ENOMEM);

	if ((access & 8) || ((access & HVP_WALK_WRITE) && (access & HVP_WALK_FETCH)))
		CHECK(ret == -EINVAL && m.reads == 0);
	if (ret == -ENOMEM)
		CHECK(m.fail_ret == -ENOMEM && m.reads == m.fail_read);
	if (ret == 0) {
		CHECK((gpa & 0xfff) == (gva & 0xfff));
		if (!(ps.cr0 & CR0_PG))
			CHECK(gpa == (u32)gva);
		else if (ps.efer & EFER_LMA)
			CHECK(gpa >> maxphy == 0);
		else if (ps.cr4 & CR4_PAE)
			CHECK(gpa >> maxphy == 0);
		else
			CHECK(gpa >> 40 == 0);
	} else {
		CHECK(gpa == 0x5a5a5a5a);
	}
	if (ret == -EFAULT && fault.noncanonical) {
		CHECK(fault.error_code == 0 && m.reads == 0 && (ps.efer & EFER_LMA));
	} else if (ret == -EFAULT) {
		u32 ec = fault.error_code;

		CHECK((ec & ~0x1fU) == 0);
		CHECK(!(ec & HVP_PFERR_RSVD) || (ec & HVP_PFERR_PRESENT));
		CHECK(!!(ec & HVP_PFERR_WRITE) == !!(access & HVP_WALK_WRITE));
		CHECK(!!(ec & HVP_PFERR_USER) == !!(access & HVP_WALK_USER));
		CHECK(!(ec & HVP_PFERR_FETCH) || (access & HVP_WALK_FETCH));
		CHECK(m.reads >= 1);
	}

	m.reads = 0;
	gpa2 = 0x5a5a5a5a;
	ret2 = hvp_gva_to_gpa(&ps, gva, access, fmem_read, &m, &gpa2);
	CHECK(ret2 == ret && (ret != 0 || gpa2 == gpa));

	free(mem);
	return 0;
}
