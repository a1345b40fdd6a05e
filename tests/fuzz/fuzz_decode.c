// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/decode.c, in every CPU mode.
 *
 * Input: byte 0 picks the mode (low two bits), the rest is the instruction
 * stream. It is copied into a heap buffer of exactly that size, so ASan
 * reports any read past @avail. Checked on every input:
 *   - the result is 0, -EINVAL or -ENODATA; -ENODATA only with < 15 bytes
 *   - on success: 1 <= len <= 15, len <= avail, fields in range; decoding
 *     only the first len bytes gives the same result, and every shorter
 *     prefix gives -ENODATA
 *   - the MMIO helpers accept exactly the memory MOV kinds, and a load
 *     writes only its destination register
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
			__FILE__, __LINE__, #cond);			\
		abort();						\
	}								\
} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool insn_equal(const struct hvp_insn *a, const struct hvp_insn *b)
{
	return a->len == b->len && a->kind == b->kind && a->op_size == b->op_size &&
	       a->dst_size == b->dst_size && a->addr_size == b->addr_size &&
	       a->reg == b->reg && a->rm == b->rm && a->modrm == b->modrm &&
	       a->seg == b->seg && a->rep == b->rep && a->lock == b->lock &&
	       a->mem == b->mem && a->rex == b->rex && a->opcode == b->opcode &&
	       a->disp == b->disp && a->imm == b->imm;
}

static bool is_size(unsigned int s)
{
	return s == 1 || s == 2 || s == 4 || s == 8;
}

static void check_helpers(const struct hvp_insn *in)
{
	bool store = in->kind == HVP_INSN_MOV_STORE || in->kind == HVP_INSN_MOV_STORE_IMM;
	bool load = in->kind == HVP_INSN_MOV_LOAD || in->kind == HVP_INSN_MOVZX ||
		    in->kind == HVP_INSN_MOVSX;
	u64 gprs[HVP_NR_GPRS], before[HVP_NR_GPRS], value = 0;
	unsigned int i, dst = in->reg;
	int ret;

	for (i = 0; i < HVP_NR_GPRS; i++)
		gprs[i] = before[i] = 0x0123456789abcdefULL * (i + 1);

	ret = hvp_insn_store_value(in, gprs, &value);
	CHECK(ret == ((store && in->mem) ? 0 : -EINVAL));
	if (ret == 0 && in->op_size < 8)
		CHECK(value >> (8 * in->op_size) == 0);

	ret = hvp_insn_complete_load(in, gprs, ~0ULL);
	CHECK(ret == ((load && in->mem) ? 0 : -EINVAL));
	if (ret == 0 && in->dst_size == 1 && !in->rex && in->reg >= 4 && in->reg < 8 &&
	    in->kind == HVP_INSN_MOV_LOAD)
		dst = in->reg - 4;	/* AH..BH */
	for (i = 0; i < HVP_NR_GPRS; i++)
		CHECK(i == dst || gprs[i] == before[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hvp_insn in, in2;
	enum hvp_cpu_mode mode;
	unsigned int n, k;
	u8 *buf;
	int ret;

	if (size < 1 || size > 64)
		return 0;
	mode = (enum hvp_cpu_mode)(data[0] & 3);
	n = size - 1;
	buf = malloc(n);
	if (!buf && n)
		abort();
	if (n)
		memcpy(buf, data + 1, n);

	ret = hvp_insn_decode(buf, n, mode, &in);
	CHECK(ret == 0 || ret == -EINVAL || ret == -ENODATA);
	if (ret == -ENODATA)
		CHECK(n < 15);
	if (ret == 0) {
		CHECK(in.len >= 1 && in.len <= 15 && in.len <= n);
		CHECK(in.kind <= HVP_INSN_MOV_FROM_DR);
		CHECK(is_size(in.op_size));
		CHECK(in.addr_size == 2 || in.addr_size == 4 || in.addr_size == 8);
		CHECK(in.reg < HVP_NR_GPRS && in.rm < HVP_NR_GPRS);
		if (in.kind >= HVP_INSN_MOV_TO_CR)	/* MOV CR/DR */
			CHECK(!in.mem && in.op_size >= 4);
		else if (in.kind != HVP_INSN_OTHER)
			CHECK(is_size(in.dst_size) && in.dst_size >= in.op_size);

		ret = hvp_insn_decode(buf, in.len, mode, &in2);
		CHECK(ret == 0 && insn_equal(&in, &in2));
		for (k = 0; k < in.len; k++)
			CHECK(hvp_insn_decode(buf, k, mode, &in2) == -ENODATA);
		check_helpers(&in);
	}
	free(buf);
	return 0;
}
