/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal x86 instruction decoder for the few instructions a hypervisor
 * must understand itself: the memory-access forms that reach unmapped
 * guest-physical memory (MMIO), and the intercepted instructions whose
 * length is needed when the CPU gives no next-RIP (SVM without nrip-save)
 * or whose operand is needed when it gives no decode assist (MOV to CR).
 *
 * Pure logic: includes only pure.h, so it also builds as a unit test and a
 * fuzz target. Input bytes are untrusted guest memory; nothing is read past
 * @avail and no state outside @out is touched.
 */
#ifndef HVP_DECODE_H
#define HVP_DECODE_H

#include "pure.h"

/* Default operand/address size comes from the code segment and EFER.LMA. */
enum hvp_cpu_mode {
	HVP_MODE_REAL,		/* 16-bit, real or virtual-8086 */
	HVP_MODE_PROT16,	/* protected, CS.D = 0 */
	HVP_MODE_PROT32,	/* protected, CS.D = 1 */
	HVP_MODE_LONG64,	/* long mode, CS.L = 1 */
};

/* General registers in x86 encoding order: rax=0 ... rdi=7, r8..r15 = 8..15. */
enum hvp_gpr {
	HVP_RAX, HVP_RCX, HVP_RDX, HVP_RBX, HVP_RSP, HVP_RBP, HVP_RSI, HVP_RDI,
	HVP_R8, HVP_R9, HVP_R10, HVP_R11, HVP_R12, HVP_R13, HVP_R14, HVP_R15,
	HVP_NR_GPRS,
};

enum hvp_insn_kind {
	HVP_INSN_OTHER,		/* decoded length only */
	HVP_INSN_MOV_STORE,	/* mov r/m, reg (88/89), mov moffs, al/eax (A2/A3) */
	HVP_INSN_MOV_STORE_IMM,	/* mov r/m, imm (C6/C7 /0): memory <- imm */
	HVP_INSN_MOV_LOAD,	/* mov reg, r/m (8A/8B), mov al/eax, moffs (A0/A1) */
	HVP_INSN_MOVZX,		/* movzx reg, r/m8/16 (0F B6/B7) */
	HVP_INSN_MOVSX,		/* movsx reg, r/m8/16 (0F BE/BF), movsxd (63, long mode) */
	HVP_INSN_MOV_TO_CR,	/* mov crN, reg (0F 22) */
	HVP_INSN_MOV_FROM_CR,	/* mov reg, crN (0F 20) */
	HVP_INSN_MOV_TO_DR,	/* mov drN, reg (0F 23) */
	HVP_INSN_MOV_FROM_DR,	/* mov reg, drN (0F 21) */
};

/**
 * struct hvp_insn - one decoded instruction
 * @len:	total bytes, prefixes included
 * @kind:	enum hvp_insn_kind
 * @op_size:	operand size of the memory access: 1, 2, 4, 8. MOV CR/DR: 8 in
 *		long mode, else 4. OTHER: the operand-size attribute (2, 4, 8).
 * @dst_size:	register written by a load: MOVZX/MOVSX the wider
 *		destination, MOV_LOAD = @op_size
 * @addr_size:	address-size attribute: 2, 4, 8
 * @reg:	register operand (ModRM.reg + REX.R); HVP_RAX for A0-A3; the CR
 *		number for MOV CR, where LOCK adds 8 (AMD's alias for CR8); the
 *		DR number for MOV DR
 * @rm:		ModRM.rm + REX.B, meaningful when mod = 3; the GPR for MOV
 *		CR/DR
 * @modrm:	raw ModRM byte, 0 when the opcode has none (tells 0F 01 D9
 *		VMMCALL from 0F 01 F9 RDTSCP)
 * @seg:	last segment-override prefix (26 2E 36 3E 64 65), 0 if none
 * @rep:	last F2/F3 prefix, 0 if none (F3 90 is PAUSE)
 * @lock:	F0 prefix present
 * @mem:	operand is memory (ModRM mod != 3, or a moffs)
 * @rex:	an effective REX prefix (selects SPL..DIL over AH..BH)
 * @opcode:	one-byte opcode, or 0x0f00 | second byte
 * @disp:	displacement sign-extended to 64 bits; for A0-A3 the moffs,
 *		zero-extended
 * @imm:	immediate bytes as a little-endian number; MOV_STORE_IMM: the
 *		value stored, sign-extended to @op_size
 *
 * The MOV kinds are reported for register-to-register forms too (@mem
 * false); only @mem forms can be MMIO, and the helpers below refuse the
 * others.
 */
struct hvp_insn {
	u8 len;
	u8 kind;
	u8 op_size;
	u8 dst_size;
	u8 addr_size;
	u8 reg;
	u8 rm;
	u8 modrm;
	u8 seg;
	u8 rep;
	bool lock;
	bool mem;
	bool rex;
	u16 opcode;
	u64 disp;
	u64 imm;
};

/*
 * Decode the instruction at the start of @bytes. Returns 0 and fills @out,
 * -EINVAL for an encoding the decoder does not understand (including any
 * instruction longer than 15 bytes) and -ENODATA when @avail is too short.
 * On error @out is left untouched.
 */
int hvp_insn_decode(const u8 *bytes, unsigned int avail, enum hvp_cpu_mode mode,
		    struct hvp_insn *out);

/*
 * MMIO helpers on a decoded MOV_STORE/MOV_STORE_IMM: the value stored (of
 * op_size bytes, zero-extended). On MOV_LOAD/MOVZX/MOVSX: write @data into
 * the destination register with the architectural rules (32-bit writes
 * zero-extend; 8/16-bit writes keep the other bits; AH..BH without REX).
 * Both return -EINVAL for any other kind and for register (non-@mem) forms.
 */
int hvp_insn_store_value(const struct hvp_insn *insn, const u64 gprs[HVP_NR_GPRS],
			 u64 *value);
int hvp_insn_complete_load(const struct hvp_insn *insn, u64 gprs[HVP_NR_GPRS],
			   u64 data);

#endif /* HVP_DECODE_H */
