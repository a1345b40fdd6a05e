// SPDX-License-Identifier: GPL-2.0
/*
 * Minimal x86 instruction decoder; decode.h says what it is for.
 *
 * An instruction is: legacy prefixes, in long mode an optional REX prefix
 * that counts only when it immediately precedes the opcode, a one-byte
 * opcode or 0F plus a second byte, then ModRM, SIB, displacement and
 * immediate as the opcode demands (SDM vol. 2 ch. 2, APM vol. 3 ch. 1).
 * The length rules live in two attribute tables, one per opcode map, laid
 * out like the SDM's opcode maps (vol. 2 appendix A); a short switch adds
 * the operands of the few opcodes the hypervisor emulates (MOV forms, MOV
 * CR/DR) and the ModRM.reg restrictions of the opcode groups.
 *
 * Refused with -EINVAL: undefined opcodes, VEX/EVEX/XOP, 3DNow!, the
 * three-byte maps (0F 38, 0F 3A), and the few encodings whose length
 * differs between Intel and AMD (66-prefixed near branches in 64-bit mode,
 * 0F 78/79 with a prefix, 0F FF). The emulator never needs them, and a
 * wrong length would silently corrupt the guest's RIP.
 *
 * Every byte is taken through dec_byte(), which enforces both the
 * architectural 15-byte limit and the caller's @avail: a hostile
 * instruction stream can neither run the decoder past its buffer nor keep
 * it looping, since every step consumes a byte.
 */
#include "decode.h"

#define HVP_INSN_MAX_LEN	15

/* Kinds of immediate, the low nibble of an opcode attribute. */
enum {
	IMM_NONE,
	IMM_B,		/* imm8 or rel8 */
	IMM_W,		/* imm16 (RET imm16) */
	IMM_Z,		/* imm16 or imm32 by operand size */
	IMM_V,		/* imm16, imm32 or imm64 by operand size (MOV r, imm) */
	IMM_WB,		/* imm16 then imm8 (ENTER) */
	IMM_P,		/* far pointer: offset16/32 then selector16 */
	IMM_J,		/* near branch rel16/rel32 */
	IMM_O,		/* memory offset sized by address size (A0-A3) */
};

#define A_IMM	0x0f
#define A_M	0x10	/* ModRM follows */
#define A_I64	0x20	/* invalid in 64-bit mode */
#define A_BAD	0x40	/* undefined, prefix, or refused (see top) */

/* Table shorthands, two letters so that a row of the map fits a line. */
#define NO	IMM_NONE
#define IB	IMM_B
#define IW	IMM_W
#define IZ	IMM_Z
#define IV	IMM_V
#define WB	IMM_WB
#define JZ	IMM_J
#define MO	IMM_O
#define MR	A_M
#define MB	(A_M | IMM_B)
#define MZ	(A_M | IMM_Z)
#define N6	(IMM_NONE | A_I64)
#define B6	(IMM_B | A_I64)
#define M6	(A_M | A_I64)
#define Q6	(A_M | IMM_B | A_I64)
#define P6	(IMM_P | A_I64)
#define XX	A_BAD

/*
 * One-byte map. 40-4F are INC/DEC outside long mode (REX prefixes inside
 * it never reach the table); 62, C4 and C5 are BOUND/LES/LDS only with a
 * memory operand, VEX/EVEX otherwise; F6/F7 take an immediate only for
 * /0 and /1 (TEST), see dec_map1().
 */
static const u8 map1[256] = {
/*	 0   1   2   3   4   5   6   7   8   9   a   b   c   d   e   f */
/* 0 */	MR, MR, MR, MR, IB, IZ, N6, N6, MR, MR, MR, MR, IB, IZ, N6, XX,
/* 1 */	MR, MR, MR, MR, IB, IZ, N6, N6, MR, MR, MR, MR, IB, IZ, N6, N6,
/* 2 */	MR, MR, MR, MR, IB, IZ, XX, N6, MR, MR, MR, MR, IB, IZ, XX, N6,
/* 3 */	MR, MR, MR, MR, IB, IZ, XX, N6, MR, MR, MR, MR, IB, IZ, XX, N6,
/* 4 */	N6, N6, N6, N6, N6, N6, N6, N6, N6, N6, N6, N6, N6, N6, N6, N6,
/* 5 */	NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO,
/* 6 */	N6, N6, M6, MR, XX, XX, XX, XX, IZ, MZ, IB, MB, NO, NO, NO, NO,
/* 7 */	IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB,
/* 8 */	MB, MZ, Q6, MB, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,
/* 9 */	NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, P6, NO, NO, NO, NO, NO,
/* a */	MO, MO, MO, MO, NO, NO, NO, NO, IB, IZ, NO, NO, NO, NO, NO, NO,
/* b */	IB, IB, IB, IB, IB, IB, IB, IB, IV, IV, IV, IV, IV, IV, IV, IV,
/* c */	MB, MB, IW, NO, M6, M6, MB, MZ, WB, NO, IW, NO, NO, IB, N6, NO,
/* d */	MR, MR, MR, MR, B6, B6, XX, NO, MR, MR, MR, MR, MR, MR, MR, MR,
/* e */	IB, IB, IB, IB, IB, IB, IB, IB, JZ, JZ, P6, IB, NO, NO, NO, NO,
/* f */	XX, NO, XX, XX, NO, NO, MR, MR, NO, NO, NO, NO, NO, NO, MR, MR,
};

/*
 * Two-byte map (0F xx). 0F 01 and 0F 20-23 are decoded by hand; 0F 00, BA
 * and C7 restrict ModRM.reg in dec_map2(). SSE/MMX rows are length-only.
 */
static const u8 map2[256] = {
/*	 0   1   2   3   4   5   6   7   8   9   a   b   c   d   e   f */
/* 0 */	MR, MR, MR, MR, XX, NO, NO, NO, NO, NO, XX, NO, XX, MR, XX, XX,
/* 1 */	MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,
/* 2 */	MR, MR, MR, MR, XX, XX, XX, XX, MR, MR, MR, MR, MR, MR, MR, MR,
/* 3 */	NO, NO, NO, NO, NO, NO, XX, NO, XX, XX, XX, XX, XX, XX, XX, XX,
/* 4 */	MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,
/* 5 */	MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,
/* 6 */	MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,
/* 7 */	MB, MB, MB, MB, MR, MR, MR, NO, MR, MR, XX, XX, MR, MR, MR, MR,
/* 8 */	JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ, JZ,
/* 9 */	MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,
/* a */	NO, NO, NO, MR, MB, MR, XX, XX, NO, NO, NO, MR, MB, MR, MR, MR,
/* b */	MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MB, MR, MR, MR, MR, MR,
/* c */	MR, MR, MB, MR, MB, MB, MB, MR, NO, NO, NO, NO, NO, NO, NO, NO,
/* d */	MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,
/* e */	MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR,
/* f */	MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, MR, XX,
};

#undef NO
#undef IB
#undef IW
#undef IZ
#undef IV
#undef WB
#undef JZ
#undef MO
#undef MR
#undef MB
#undef MZ
#undef N6
#undef B6
#undef M6
#undef Q6
#undef P6
#undef XX

/*
 * 0F 01 with mod = 3 is a list of unrelated instructions, one per ModRM
 * value; accept the known ones (bit n = ModRM 0xc0 + n).
 */
#define GRP7_RANGE(lo, hi) \
	((~0ULL >> (63 - ((hi) - 0xc0))) & (~0ULL << ((lo) - 0xc0)))
static const u64 grp7_reg_ok =
	GRP7_RANGE(0xc1, 0xc4) |	/* VMCALL VMLAUNCH VMRESUME VMXOFF */
	GRP7_RANGE(0xc8, 0xcb) |	/* MONITOR MWAIT CLAC STAC */
	GRP7_RANGE(0xd0, 0xd1) |	/* XGETBV XSETBV */
	GRP7_RANGE(0xd4, 0xd6) |	/* VMFUNC XEND XTEST */
	GRP7_RANGE(0xd8, 0xdf) |	/* VMRUN VMMCALL VMLOAD VMSAVE STGI CLGI SKINIT INVLPGA */
	GRP7_RANGE(0xe0, 0xe8) |	/* SMSW reg, SERIALIZE */
	GRP7_RANGE(0xee, 0xf7) |	/* RDPKRU WRPKRU, LMSW reg */
	GRP7_RANGE(0xf8, 0xfd);		/* SWAPGS RDTSCP MONITORX MWAITX CLZERO RDPRU */

#define REX_B	0x01
#define REX_R	0x04
#define REX_W	0x08

struct dec {
	const u8 *bytes;
	unsigned int avail;
	unsigned int pos;
	enum hvp_cpu_mode mode;
	/* prefixes */
	bool opsz;
	bool adsz;
	u8 rex;			/* effective REX byte, 0 if none */
};

static int dec_byte(struct dec *d, u8 *b)
{
	if (d->pos >= HVP_INSN_MAX_LEN)
		return -EINVAL;
	if (d->pos >= d->avail)
		return -ENODATA;
	*b = d->bytes[d->pos++];
	return 0;
}

/* @n (at most 8) bytes as a little-endian number. */
static int dec_le(struct dec *d, unsigned int n, u64 *val)
{
	unsigned int i;
	u64 v = 0;
	u8 b;
	int ret;

	for (i = 0; i < n; i++) {
		ret = dec_byte(d, &b);
		if (ret)
			return ret;
		v |= (u64)b << (8 * i);
	}
	*val = v;
	return 0;
}

/* Sign-extend the low @size bytes of @v; no signed shifts. */
static u64 sext(u64 v, unsigned int size)
{
	u64 sign;

	if (size >= 8)
		return v;
	sign = 1ULL << (size * 8 - 1);
	v &= (sign << 1) - 1;
	return (v ^ sign) - sign;
}

static u64 size_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

/*
 * Legacy prefixes in any order and number, then an optional REX (long
 * mode only). A legacy prefix after a REX makes that REX void (SDM vol. 2
 * §2.2.1); of several REX bytes the last counts. Bounded by dec_byte().
 */
static int dec_prefixes(struct dec *d, struct hvp_insn *insn, u8 *opcode)
{
	u8 b;
	int ret;

	for (;;) {
		ret = dec_byte(d, &b);
		if (ret)
			return ret;
		switch (b) {
		case 0x66:
			d->opsz = true;
			break;
		case 0x67:
			d->adsz = true;
			break;
		case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
			insn->seg = b;
			break;
		case 0xf0:
			insn->lock = true;
			break;
		case 0xf2: case 0xf3:
			insn->rep = b;
			break;
		default:
			if (d->mode == HVP_MODE_LONG64 && (b & 0xf0) == 0x40) {
				d->rex = b;
				continue;
			}
			*opcode = b;
			return 0;
		}
		d->rex = 0;
	}
}

static void dec_sizes(struct dec *d, struct hvp_insn *insn)
{
	switch (d->mode) {
	case HVP_MODE_REAL:
	case HVP_MODE_PROT16:
		insn->op_size = d->opsz ? 4 : 2;
		insn->addr_size = d->adsz ? 4 : 2;
		break;
	case HVP_MODE_PROT32:
		insn->op_size = d->opsz ? 2 : 4;
		insn->addr_size = d->adsz ? 2 : 4;
		break;
	case HVP_MODE_LONG64:
		/* REX.W wins over 66 (SDM vol. 1 §3.6.1 table 3-4). */
		insn->op_size = (d->rex & REX_W) ? 8 : d->opsz ? 2 : 4;
		insn->addr_size = d->adsz ? 4 : 8;
		break;
	}
}

/*
 * The memory operand after a ModRM with mod != 3: only its length matters,
 * the CPU reports the guest-physical address. REX.B does not change the
 * special cases (r12/r13 encode like rsp/rbp).
 */
static int dec_mem(struct dec *d, struct hvp_insn *insn)
{
	unsigned int mod = insn->modrm >> 6, rm = insn->modrm & 7;
	unsigned int disp_len;
	u64 disp;
	u8 sib;
	int ret;

	if (insn->addr_size == 2) {
		/* No SIB; mod 0 rm 6 is a bare disp16. */
		if (mod == 0)
			disp_len = rm == 6 ? 2 : 0;
		else
			disp_len = mod == 1 ? 1 : 2;
	} else {
		disp_len = mod == 1 ? 1 : mod == 2 ? 4 : 0;
		if (rm == 4) {
			ret = dec_byte(d, &sib);
			if (ret)
				return ret;
			/* SIB base 5 with mod 0: disp32, no base. */
			if (mod == 0 && (sib & 7) == 5)
				disp_len = 4;
		} else if (mod == 0 && rm == 5) {
			/* disp32; RIP-relative in 64-bit mode. */
			disp_len = 4;
		}
	}
	ret = dec_le(d, disp_len, &disp);
	if (ret)
		return ret;
	insn->disp = disp_len ? sext(disp, disp_len) : 0;
	insn->mem = true;
	return 0;
}

static int dec_modrm(struct dec *d, struct hvp_insn *insn, bool force_reg)
{
	int ret;

	ret = dec_byte(d, &insn->modrm);
	if (ret)
		return ret;
	insn->reg = ((insn->modrm >> 3) & 7) | ((d->rex & REX_R) ? 8 : 0);
	insn->rm = (insn->modrm & 7) | ((d->rex & REX_B) ? 8 : 0);
	if (force_reg || (insn->modrm >> 6) == 3)
		return 0;
	return dec_mem(d, insn);
}

static int dec_imm(struct dec *d, struct hvp_insn *insn, unsigned int type)
{
	unsigned int n, z = insn->op_size == 2 ? 2 : 4;

	switch (type) {
	case IMM_NONE:
		return 0;
	case IMM_B:
		n = 1;
		break;
	case IMM_W:
		n = 2;
		break;
	case IMM_Z:
		n = z;
		break;
	case IMM_V:
		n = insn->op_size;
		break;
	case IMM_WB:
		n = 3;
		break;
	case IMM_P:
		n = z + 2;
		break;
	case IMM_J:
		/*
		 * In 64-bit mode Intel ignores 66 on near branches (rel32)
		 * while AMD honours it (rel16): refuse rather than guess.
		 */
		if (d->mode == HVP_MODE_LONG64 && d->opsz && !(d->rex & REX_W))
			return -EINVAL;
		n = z;
		break;
	case IMM_O:
		return dec_le(d, insn->addr_size, &insn->disp);
	default:
		return -EINVAL;
	}
	return dec_le(d, n, &insn->imm);
}

static int dec_map1(struct dec *d, struct hvp_insn *insn, u8 op)
{
	unsigned int attr = map1[op], imm = attr & A_IMM, greg;
	int ret;

	insn->opcode = op;
	if ((attr & A_BAD) || (d->mode == HVP_MODE_LONG64 && (attr & A_I64)))
		return -EINVAL;
	if (attr & A_M) {
		ret = dec_modrm(d, insn, false);
		if (ret)
			return ret;
	}
	greg = (insn->modrm >> 3) & 7;

	switch (op) {
	case 0x62: case 0xc4: case 0xc5:
		/* Outside long mode, mod = 3 makes these EVEX/VEX. */
		if (!insn->mem)
			return -EINVAL;
		break;
	case 0x63:
		if (d->mode != HVP_MODE_LONG64) {
			insn->op_size = 2;	/* ARPL r/m16, r16 */
			break;
		}
		/* MOVSXD: a plain MOV of op_size without REX.W. */
		insn->kind = HVP_INSN_MOVSX;
		insn->dst_size = insn->op_size;
		if (d->rex & REX_W)
			insn->op_size = 4;
		break;
	case 0x88: case 0x89: case 0x8a: case 0x8b:
		if (!(op & 1))
			insn->op_size = 1;
		insn->kind = (op & 2) ? HVP_INSN_MOV_LOAD : HVP_INSN_MOV_STORE;
		insn->dst_size = insn->op_size;
		break;
	case 0x8f:
		if (greg != 0)		/* XOP outside /0 */
			return -EINVAL;
		break;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:
		if (!(op & 1))
			insn->op_size = 1;
		insn->kind = (op & 2) ? HVP_INSN_MOV_STORE : HVP_INSN_MOV_LOAD;
		insn->dst_size = insn->op_size;
		insn->reg = HVP_RAX;
		insn->mem = true;
		break;
	case 0xc6: case 0xc7:
		if (insn->modrm == 0xf8)	/* XABORT ib, XBEGIN rel */
			break;
		if (greg != 0)
			return -EINVAL;
		if (op == 0xc6)
			insn->op_size = 1;
		insn->kind = HVP_INSN_MOV_STORE_IMM;
		insn->dst_size = insn->op_size;
		break;
	case 0xf6: case 0xf7:
		if (greg < 2)		/* TEST r/m, imm */
			imm = op == 0xf6 ? IMM_B : IMM_Z;
		break;
	case 0xfe:
		if (greg > 1)
			return -EINVAL;
		break;
	case 0xff:
		/* /3 and /5 are far CALL/JMP through memory only. */
		if (greg == 7 || ((greg == 3 || greg == 5) && !insn->mem))
			return -EINVAL;
		break;
	}

	ret = dec_imm(d, insn, imm);
	if (ret)
		return ret;
	/* C7 with REX.W: imm32 sign-extended to 64 bits. */
	if (insn->kind == HVP_INSN_MOV_STORE_IMM && insn->op_size == 8)
		insn->imm = sext(insn->imm, 4);
	return 0;
}

/* 0F 01: memory forms /0-/4, /6, /7; register forms one by one. */
static int dec_grp7(struct dec *d, struct hvp_insn *insn)
{
	int ret;

	ret = dec_modrm(d, insn, false);
	if (ret)
		return ret;
	if (insn->mem)
		return ((insn->modrm >> 3) & 7) == 5 ? -EINVAL : 0;
	return (grp7_reg_ok >> (insn->modrm - 0xc0)) & 1 ? 0 : -EINVAL;
}

static int dec_map2(struct dec *d, struct hvp_insn *insn)
{
	unsigned int attr, greg;
	u8 op;
	int ret;

	ret = dec_byte(d, &op);
	if (ret)
		return ret;
	insn->opcode = 0x0f00 | op;
	attr = map2[op];
	if (attr & A_BAD)
		return -EINVAL;

	switch (op) {
	case 0x01:
		return dec_grp7(d, insn);
	case 0x20: case 0x21: case 0x22: case 0x23:
		/*
		 * MOV to/from CR/DR: the operand is a register whatever mod
		 * says (SDM vol. 2 "MOV—Move to/from Control Registers"), and
		 * the size is fixed by the mode. On AMD, LOCK turns CR0 into
		 * CR8 (APM vol. 3, "MOV CRn"); Intel raises #UD, which is the
		 * caller's check (@lock is reported).
		 */
		ret = dec_modrm(d, insn, true);
		if (ret)
			return ret;
		insn->op_size = d->mode == HVP_MODE_LONG64 ? 8 : 4;
		if (op == 0x20 || op == 0x22) {
			if (insn->lock)
				insn->reg |= 8;
			insn->kind = op == 0x22 ? HVP_INSN_MOV_TO_CR : HVP_INSN_MOV_FROM_CR;
		} else {
			insn->kind = op == 0x23 ? HVP_INSN_MOV_TO_DR : HVP_INSN_MOV_FROM_DR;
		}
		return 0;
	case 0x78: case 0x79:
		/* VMREAD/VMWRITE; with 66/F2 AMD's EXTRQ/INSERTQ (other length). */
		if (d->opsz || insn->rep)
			return -EINVAL;
		break;
	}

	if (attr & A_M) {
		ret = dec_modrm(d, insn, false);
		if (ret)
			return ret;
	}
	greg = (insn->modrm >> 3) & 7;

	switch (op) {
	case 0x00:
		if (greg > 5)
			return -EINVAL;
		break;
	case 0xba:
		if (greg < 4)
			return -EINVAL;
		break;
	case 0xb6: case 0xb7: case 0xbe: case 0xbf:
		insn->kind = op & 8 ? HVP_INSN_MOVSX : HVP_INSN_MOVZX;
		insn->dst_size = insn->op_size;
		insn->op_size = op & 1 ? 2 : 1;
		break;
	}
	return dec_imm(d, insn, attr & A_IMM);
}

int hvp_insn_decode(const u8 *bytes, unsigned int avail, enum hvp_cpu_mode mode,
		    struct hvp_insn *out)
{
	struct dec d = { .bytes = bytes, .avail = avail, .mode = mode };
	struct hvp_insn insn;
	u8 op;
	int ret;

	if ((unsigned int)mode > HVP_MODE_LONG64)
		return -EINVAL;
	memset(&insn, 0, sizeof(insn));

	ret = dec_prefixes(&d, &insn, &op);
	if (ret)
		return ret;
	dec_sizes(&d, &insn);
	insn.rex = d.rex != 0;
	if (op == 0x0f)
		ret = dec_map2(&d, &insn);
	else
		ret = dec_map1(&d, &insn, op);
	if (ret)
		return ret;

	insn.len = d.pos;
	*out = insn;
	return 0;
}

/* Byte registers 4-7 are AH, CH, DH, BH unless a REX prefix is present. */
static bool gpr_is_high_byte(unsigned int reg, unsigned int size, bool rex)
{
	return size == 1 && !rex && reg >= 4 && reg < 8;
}

static u64 gpr_read(const u64 gprs[HVP_NR_GPRS], unsigned int reg, unsigned int size, bool rex)
{
	if (gpr_is_high_byte(reg, size, rex))
		return (gprs[reg - 4] >> 8) & 0xff;
	return gprs[reg] & size_mask(size);
}

static void gpr_write(u64 gprs[HVP_NR_GPRS], unsigned int reg, unsigned int size, bool rex,
		      u64 val)
{
	if (gpr_is_high_byte(reg, size, rex)) {
		gprs[reg - 4] = (gprs[reg - 4] & ~0xff00ULL) | ((val & 0xff) << 8);
		return;
	}
	switch (size) {
	case 1:
	case 2:
		gprs[reg] = (gprs[reg] & ~size_mask(size)) | (val & size_mask(size));
		break;
	case 4:
		/* 32-bit destinations zero-extend (SDM vol. 1 §3.4.1.1). */
		gprs[reg] = val & 0xffffffffULL;
		break;
	default:
		gprs[reg] = val;
		break;
	}
}

static bool valid_size(unsigned int size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

int hvp_insn_store_value(const struct hvp_insn *insn, const u64 gprs[HVP_NR_GPRS],
			 u64 *value)
{
	if (!insn->mem || !valid_size(insn->op_size))
		return -EINVAL;

	switch (insn->kind) {
	case HVP_INSN_MOV_STORE:
		if (insn->reg >= HVP_NR_GPRS)
			return -EINVAL;
		*value = gpr_read(gprs, insn->reg, insn->op_size, insn->rex);
		return 0;
	case HVP_INSN_MOV_STORE_IMM:
		*value = insn->imm & size_mask(insn->op_size);
		return 0;
	default:
		return -EINVAL;
	}
}

int hvp_insn_complete_load(const struct hvp_insn *insn, u64 gprs[HVP_NR_GPRS],
			   u64 data)
{
	unsigned int size = insn->dst_size;
	u64 val = data & size_mask(insn->op_size);

	if (!insn->mem || insn->reg >= HVP_NR_GPRS || !valid_size(insn->op_size))
		return -EINVAL;

	switch (insn->kind) {
	case HVP_INSN_MOV_LOAD:
		size = insn->op_size;
		break;
	case HVP_INSN_MOVZX:
		break;
	case HVP_INSN_MOVSX:
		val = sext(val, insn->op_size);
		break;
	default:
		return -EINVAL;
	}
	if (!valid_size(size) || size < insn->op_size)
		return -EINVAL;
	gpr_write(gprs, insn->reg, size, insn->rex, val & size_mask(size));
	return 0;
}
