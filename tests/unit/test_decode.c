// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kmod/decode.c.
 *
 * 1. A table of hand-written encodings with the expected length, kind,
 *    sizes and operands. Every successful case is also decoded from every
 *    shorter prefix of itself (must be -ENODATA) and with trailing bytes
 *    (must not change anything). Input always sits in an exact-size heap
 *    buffer so ASan catches any read past @avail.
 * 2. The instructions of asm_insns.txt as assembled by `as` at build time:
 *    the decoder's length must equal the assembler's.
 * 3. hvp_insn_store_value() and hvp_insn_complete_load() on a register file.
 */
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "tap.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define R16	HVP_MODE_REAL
#define P16	HVP_MODE_PROT16
#define P32	HVP_MODE_PROT32
#define L64	HVP_MODE_LONG64

#define K_OTHER	HVP_INSN_OTHER
#define K_ST	HVP_INSN_MOV_STORE
#define K_STI	HVP_INSN_MOV_STORE_IMM
#define K_LD	HVP_INSN_MOV_LOAD
#define K_ZX	HVP_INSN_MOVZX
#define K_SX	HVP_INSN_MOVSX
#define K_TOCR	HVP_INSN_MOV_TO_CR
#define K_FRCR	HVP_INSN_MOV_FROM_CR
#define K_TODR	HVP_INSN_MOV_TO_DR
#define K_FRDR	HVP_INSN_MOV_FROM_DR

struct dcase {
	const char *name;
	enum hvp_cpu_mode mode;
	const char *hex;
	int ret;
	u8 len;
	u8 kind;
	u8 op;
	/* optional checks */
	bool has_reg, has_rm, has_dst, has_imm, has_disp, has_mem, has_rex;
	bool has_addr, has_op16, has_lock, has_seg, has_rep, has_modrm;
	u8 reg, rm, dst, addr, seg, rep, modrm;
	bool mem, rex, lock;
	u16 opcode;
	u64 imm, disp;
};

#define REG(r)		.has_reg = true, .reg = (r)
#define RM(r)		.has_rm = true, .rm = (r)
#define DST(s)		.has_dst = true, .dst = (s)
#define IMM(v)		.has_imm = true, .imm = (v)
#define DISP(v)		.has_disp = true, .disp = (v)
#define MEM(b)		.has_mem = true, .mem = (b)
#define REX(b)		.has_rex = true, .rex = (b)
#define ADDR(s)		.has_addr = true, .addr = (s)
#define OPC(o)		.has_op16 = true, .opcode = (o)
#define LOCK(b)		.has_lock = true, .lock = (b)
#define SEG(s)		.has_seg = true, .seg = (s)
#define REP(r)		.has_rep = true, .rep = (r)
#define MODRM(m)	.has_modrm = true, .modrm = (m)

/* A successful decode: name, mode, bytes, length, kind, op_size. */
#define OK(n, m, h, l, k, o, ...) \
	{ .name = (n), .mode = (m), .hex = (h), .len = (l), .kind = (k), .op = (o), __VA_ARGS__ }
/* A refused one. */
#define ERR(n, m, h, e) { .name = (n), .mode = (m), .hex = (h), .ret = (e) }

#define P13	"66 66 66 66 66 66 66 66 66 66 66 66 66 "
#define P14	P13 "66 "
#define P15	P14 "66"

static const struct dcase cases[] = {
	/* MOV store/load, operand sizes, REX */
	OK("mov [rbx],eax", L64, "89 03", 2, K_ST, 4, REG(0), MEM(1), REX(0), ADDR(8)),
	OK("mov [rbx],rax", L64, "48 89 03", 3, K_ST, 8, REG(0), REX(1)),
	OK("mov [rbx],ax", L64, "66 89 03", 3, K_ST, 2),
	OK("66 + REX.W: REX.W wins", L64, "66 48 89 03", 4, K_ST, 8, REX(1)),
	OK("REX before 66 is ignored", L64, "48 66 89 03", 4, K_ST, 2, REX(0)),
	OK("REX before LOCK is ignored", L64, "48 f0 01 03", 4, K_OTHER, 4, REX(0), LOCK(1)),
	OK("two REX: last one counts", L64, "48 40 89 03", 4, K_ST, 4, REX(1)),
	OK("mov [rbx],ah", L64, "88 23", 2, K_ST, 1, REG(4), REX(0)),
	OK("mov [rbx],spl", L64, "40 88 23", 3, K_ST, 1, REG(4), REX(1)),
	OK("REX.W on byte mov", L64, "48 88 03", 3, K_ST, 1),
	OK("mov [rbx],r8d (REX.R)", L64, "44 89 03", 3, K_ST, 4, REG(8)),
	OK("mov [r11],eax (REX.B)", L64, "41 89 03", 3, K_ST, 4, REG(0), MEM(1)),
	OK("mov al,[rbx]", L64, "8a 03", 2, K_LD, 1, REG(0), DST(1)),
	OK("mov eax,[rbx]", L64, "8b 03", 2, K_LD, 4, DST(4)),
	OK("mov r15,[rsp]", L64, "4c 8b 3c 24", 4, K_LD, 8, REG(15)),
	OK("mov eax,ebx (register form)", L64, "89 d8", 2, K_ST, 4, MEM(0), REG(3), RM(0)),
	OK("mov r9d,r10d", L64, "45 89 d1", 3, K_ST, 4, MEM(0), REG(10), RM(9)),
	/* 32/64-bit addressing */
	OK("rip-relative", L64, "8b 05 78 56 34 12", 6, K_LD, 4, DISP(0x12345678)),
	OK("rip-relative negative", L64, "8b 05 f0 ff ff ff", 6, K_LD, 4, DISP(-16ULL)),
	OK("SIB base=5 mod=0: disp32", L64, "8b 04 25 78 56 34 12", 7, K_LD, 4, DISP(0x12345678)),
	OK("SIB index, base=5 mod=0", L64, "8b 0c 85 10 00 00 00", 7, K_LD, 4),
	OK("SIB + disp8", L64, "8b 44 24 08", 4, K_LD, 4, DISP(8)),
	OK("SIB + disp32", L64, "8b 84 24 00 01 00 00", 7, K_LD, 4, DISP(0x100)),
	OK("[r13+0]: REX.B keeps mod=1", L64, "41 8b 45 00", 4, K_LD, 4),
	OK("[r13] mod=0 rm=5 is rip-rel", L64, "41 8b 05 00 00 00 00", 7, K_LD, 4),
	OK("[r12]: SIB", L64, "41 8b 04 24", 4, K_LD, 4),
	OK("SIB base=r13 mod=0: disp32", L64, "41 8b 04 25 00 10 00 00", 8, K_LD, 4),
	OK("disp8 sign-extended", L64, "8b 43 f0", 3, K_LD, 4, DISP(-16ULL)),
	OK("mod=2 disp32", L64, "8b 80 00 10 00 00", 6, K_LD, 4, DISP(0x1000)),
	OK("67: 32-bit addressing", L64, "67 8b 03", 3, K_LD, 4, ADDR(4)),
	OK("67: eip-relative", L64, "67 8b 05 00 00 00 00", 7, K_LD, 4, ADDR(4)),
	OK("32-bit absolute disp32", P32, "8b 05 78 56 34 12", 6, K_LD, 4, ADDR(4)),
	OK("32-bit mode, 67: 16-bit addressing", P32, "67 8b 47 10", 4, K_LD, 4, ADDR(2)),
	OK("32-bit mode, 67 + mod0 rm6", P32, "67 8b 06 34 12", 5, K_LD, 4, DISP(0x1234)),
	OK("32-bit mode, 66: 16-bit operand", P32, "66 89 03", 3, K_ST, 2),
	OK("32-bit mode: 48 is DEC", P32, "48 89 03", 1, K_OTHER, 4, OPC(0x48)),
	OK("32-bit mode: 40 is INC", P32, "40", 1, K_OTHER, 4),
	/* 16-bit addressing */
	OK("mov ax,[bx]", R16, "8b 07", 2, K_LD, 2, ADDR(2)),
	OK("mov ax,[bx] (prot16)", P16, "8b 07", 2, K_LD, 2, ADDR(2)),
	OK("16-bit mod=0 rm=6: disp16", R16, "8b 06 34 12", 4, K_LD, 2, DISP(0x1234)),
	OK("16-bit [bp+0]", R16, "8b 46 00", 3, K_LD, 2),
	OK("16-bit [bx+disp16]", R16, "8b 87 34 12", 4, K_LD, 2, DISP(0x1234)),
	OK("16-bit [bx+si-1]", R16, "8b 40 ff", 3, K_LD, 2, DISP(-1ULL)),
	OK("16-bit mode, 66: 32-bit operand", R16, "66 8b 07", 3, K_LD, 4),
	OK("16-bit mode, 66 (prot16)", P16, "66 89 07", 3, K_ST, 4),
	OK("16-bit mode, 67: SIB", R16, "67 8b 04 24", 4, K_LD, 2, ADDR(4)),
	OK("16-bit mode, 67: disp32", R16, "67 66 8b 05 78 56 34 12", 8, K_LD, 4, ADDR(4)),
	OK("16-bit rm=4 is [si], no SIB", R16, "8b 04", 2, K_LD, 2),
	/* legacy prefixes */
	OK("fs override", L64, "64 8b 03", 3, K_LD, 4, SEG(0x64)),
	OK("cs override", P32, "2e 89 03", 3, K_ST, 4, SEG(0x2e)),
	OK("last segment override wins", P32, "26 3e 89 03", 4, K_ST, 4, SEG(0x3e)),
	OK("lock add", L64, "f0 01 03", 3, K_OTHER, 4, LOCK(1)),
	OK("rep movsb", L64, "f3 a4", 2, K_OTHER, 4, REP(0xf3), OPC(0xa4)),
	OK("pause", L64, "f3 90", 2, K_OTHER, 4, REP(0xf3), OPC(0x90)),
	OK("repne scasb", P32, "f2 ae", 2, K_OTHER, 4, REP(0xf2)),
	OK("REX then 0F", L64, "48 0f b7 03", 4, K_ZX, 2, DST(8)),
	OK("15 bytes: 13 prefixes + 2", L64, P13 "89 03", 15, K_ST, 2),
	OK("14-byte mov with 2 prefixes", L64, "26 26 48 c7 84 24 00 01 00 00 78 56 34 12",
	   14, K_STI, 8, IMM(0x12345678)),
	/* moffs */
	OK("mov eax,moffs64", L64, "a1 88 77 66 55 44 33 22 11", 9, K_LD, 4, REG(0), MEM(1),
	   DISP(0x1122334455667788ULL), ADDR(8)),
	OK("mov moffs64,rax", L64, "48 a3 88 77 66 55 44 33 22 11", 10, K_ST, 8, REG(0), MEM(1)),
	OK("mov al,moffs32 (67)", L64, "67 a0 78 56 34 12", 6, K_LD, 1, DISP(0x12345678), ADDR(4)),
	OK("mov moffs32,al", P32, "a2 78 56 34 12", 5, K_ST, 1, DISP(0x12345678)),
	OK("mov eax,moffs16 (67)", P32, "67 a1 34 12", 4, K_LD, 4, DISP(0x1234)),
	OK("mov ax,moffs16", R16, "a1 34 12", 3, K_LD, 2, DISP(0x1234)),
	OK("mov moffs32,eax (66 67)", R16, "66 67 a3 78 56 34 12", 7, K_ST, 4),
	OK("moffs is not sign-extended", P32, "a1 00 00 00 80", 5, K_LD, 4, DISP(0x80000000)),
	/* MOV store immediate */
	OK("mov byte [rbx],0x80", L64, "c6 03 80", 3, K_STI, 1, IMM(0x80)),
	OK("mov dword [rbx],imm32", L64, "c7 03 78 56 34 12", 6, K_STI, 4, IMM(0x12345678)),
	OK("mov qword: imm32 sign-extended", L64, "48 c7 03 00 00 00 80", 7, K_STI, 8,
	   IMM(0xffffffff80000000ULL)),
	OK("mov qword: positive imm32", L64, "48 c7 03 ff ff ff 7f", 7, K_STI, 8, IMM(0x7fffffff)),
	OK("mov word [rbx],imm16", L64, "66 c7 03 34 12", 5, K_STI, 2, IMM(0x1234)),
	OK("mov dword [rsp+8],1", L64, "c7 44 24 08 01 00 00 00", 8, K_STI, 4, IMM(1)),
	OK("mov dword [rip+x],imm", L64, "c7 05 10 00 00 00 01 00 00 00", 10, K_STI, 4, IMM(1)),
	OK("16-bit mov [disp16],imm16", R16, "c7 06 34 12 78 56", 6, K_STI, 2, IMM(0x5678)),
	OK("mov byte [rbx+1],0xff", L64, "c6 43 01 ff", 4, K_STI, 1, IMM(0xff)),
	OK("mov al,5 (C6 register form)", L64, "c6 c0 05", 3, K_STI, 1, MEM(0)),
	OK("xabort (C6 F8)", L64, "c6 f8 01", 3, K_OTHER, 4),
	OK("xbegin (C7 F8)", L64, "c7 f8 00 00 00 00", 6, K_OTHER, 4),
	ERR("C6 /1", L64, "c6 08 00", -EINVAL),
	ERR("C7 /1 register", L64, "c7 c8 00 00 00 00", -EINVAL),
	/* MOVZX/MOVSX */
	OK("movzx eax,byte", L64, "0f b6 03", 3, K_ZX, 1, DST(4), OPC(0x0fb6)),
	OK("movzx eax,word", L64, "0f b7 03", 3, K_ZX, 2, DST(4)),
	OK("movzx ax,byte", L64, "66 0f b6 03", 4, K_ZX, 1, DST(2)),
	OK("movsx rax,byte", L64, "48 0f be 03", 4, K_SX, 1, DST(8)),
	OK("movsx ax,byte", L64, "66 0f be 03", 4, K_SX, 1, DST(2)),
	OK("movsx eax,word", L64, "0f bf 03", 3, K_SX, 2, DST(4)),
	OK("movzx r8d,[rbx+8]", L64, "44 0f b6 43 08", 5, K_ZX, 1, DST(4), REG(8)),
	OK("movsxd rax,dword", L64, "48 63 03", 3, K_SX, 4, DST(8), OPC(0x63)),
	OK("movsxd without REX.W", L64, "63 03", 2, K_SX, 4, DST(4)),
	OK("movsxd with 66", L64, "66 63 03", 3, K_SX, 2, DST(2)),
	OK("63 is ARPL outside long mode", P32, "63 03", 2, K_OTHER, 2),
	OK("movzx in 16-bit mode", R16, "0f b6 07", 3, K_ZX, 1, DST(2)),
	/* MOV CR */
	OK("mov cr3,rax", L64, "0f 22 d8", 3, K_TOCR, 8, REG(3), RM(0), MEM(0)),
	OK("mov rax,cr0", L64, "0f 20 c0", 3, K_FRCR, 8, REG(0), RM(0)),
	OK("mov cr8,rax (REX.R)", L64, "44 0f 22 c0", 4, K_TOCR, 8, REG(8), RM(0)),
	OK("mov cr3,r8 (REX.B)", L64, "41 0f 22 d8", 4, K_TOCR, 8, REG(3), RM(8)),
	OK("mov r15,cr8", L64, "45 0f 20 c7", 4, K_FRCR, 8, REG(8), RM(15)),
	OK("lock mov cr0 = cr8 (AMD)", P32, "f0 0f 22 c0", 4, K_TOCR, 4, REG(8), LOCK(1)),
	OK("lock mov eax,cr0 = cr8", P32, "f0 0f 20 c0", 4, K_FRCR, 4, REG(8)),
	OK("mov cr: mod=0 is a register", P32, "0f 22 18", 3, K_TOCR, 4, REG(3), RM(0), MEM(0)),
	OK("mov cr: mod=0 rm=5, no disp", L64, "0f 20 05", 3, K_FRCR, 8, REG(0), RM(5)),
	OK("mov cr: mod=1, no disp", L64, "0f 22 60", 3, K_TOCR, 8, REG(4), RM(0)),
	OK("mov cr4,eax in real mode", R16, "0f 22 e0", 3, K_TOCR, 4, REG(4)),
	OK("66 does not change mov cr size", L64, "66 0f 22 d8", 4, K_TOCR, 8),
	OK("mov rax,dr7", L64, "0f 21 f8", 3, K_FRDR, 8, REG(7), RM(0), MEM(0)),
	OK("mov dr0,rcx", L64, "0f 23 c1", 3, K_TODR, 8, REG(0), RM(1)),
	OK("mov dr6,r9: REX.B", L64, "41 0f 23 f1", 4, K_TODR, 8, REG(6), RM(9)),
	OK("mov dr: REX.R gives DR8+", L64, "44 0f 23 c0", 4, K_TODR, 8, REG(8)),
	OK("mov dr: mod=0 is a register", P32, "0f 21 3d", 3, K_FRDR, 4, REG(7), RM(5), MEM(0)),
	OK("mov dr: LOCK does not add 8", P32, "f0 0f 23 c0", 4, K_TODR, 4, REG(0), LOCK(1)),
	/* intercepted instructions */
	OK("cpuid", L64, "0f a2", 2, K_OTHER, 4, OPC(0x0fa2)),
	OK("rdmsr", L64, "0f 32", 2, K_OTHER, 4, OPC(0x0f32)),
	OK("wrmsr", L64, "0f 30", 2, K_OTHER, 4),
	OK("rdtsc", L64, "0f 31", 2, K_OTHER, 4),
	OK("rdtscp", L64, "0f 01 f9", 3, K_OTHER, 4, OPC(0x0f01), MODRM(0xf9)),
	OK("rdpmc", L64, "0f 33", 2, K_OTHER, 4),
	OK("hlt", L64, "f4", 1, K_OTHER, 4, OPC(0xf4)),
	OK("hlt (real)", R16, "f4", 1, K_OTHER, 2),
	OK("vmmcall", L64, "0f 01 d9", 3, K_OTHER, 4, MODRM(0xd9)),
	OK("vmcall", L64, "0f 01 c1", 3, K_OTHER, 4, MODRM(0xc1)),
	OK("xsetbv", L64, "0f 01 d1", 3, K_OTHER, 4),
	OK("invd", L64, "0f 08", 2, K_OTHER, 4),
	OK("wbinvd", L64, "0f 09", 2, K_OTHER, 4),
	OK("monitor", L64, "0f 01 c8", 3, K_OTHER, 4),
	OK("mwait", L64, "0f 01 c9", 3, K_OTHER, 4),
	OK("in al,imm8", L64, "e4 60", 2, K_OTHER, 4, IMM(0x60)),
	OK("in eax,imm8", L64, "e5 60", 2, K_OTHER, 4, IMM(0x60)),
	OK("out imm8,al", L64, "e6 80", 2, K_OTHER, 4, IMM(0x80)),
	OK("out imm8,eax", P32, "e7 80", 2, K_OTHER, 4),
	OK("in al,dx", L64, "ec", 1, K_OTHER, 4),
	OK("in ax,dx", L64, "66 ed", 2, K_OTHER, 2),
	OK("out dx,al", L64, "ee", 1, K_OTHER, 4),
	OK("out dx,eax", R16, "66 ef", 2, K_OTHER, 4),
	OK("insb", L64, "6c", 1, K_OTHER, 4),
	OK("insd", L64, "6d", 1, K_OTHER, 4),
	OK("outsb", L64, "6e", 1, K_OTHER, 4),
	OK("rep outsd", L64, "f3 6f", 2, K_OTHER, 4, REP(0xf3)),
	OK("invlpg [rbx]", L64, "0f 01 3b", 3, K_OTHER, 4, MEM(1)),
	OK("invlpg [rbx+8]", L64, "0f 01 7b 08", 4, K_OTHER, 4),
	OK("invlpg [rip+x]", L64, "0f 01 3d 00 10 00 00", 7, K_OTHER, 4),
	OK("invlpga", L64, "0f 01 df", 3, K_OTHER, 4),
	OK("vmrun", L64, "0f 01 d8", 3, K_OTHER, 4),
	OK("vmload", L64, "0f 01 da", 3, K_OTHER, 4),
	OK("vmsave", L64, "0f 01 db", 3, K_OTHER, 4),
	OK("stgi", L64, "0f 01 dc", 3, K_OTHER, 4),
	OK("clgi", L64, "0f 01 dd", 3, K_OTHER, 4),
	OK("skinit", P32, "0f 01 de", 3, K_OTHER, 4),
	OK("vmmcall with REX", L64, "48 0f 01 d9", 4, K_OTHER, 8),
	/* other opcodes, length only */
	OK("nop", L64, "90", 1, K_OTHER, 4),
	OK("int3", L64, "cc", 1, K_OTHER, 4),
	OK("int 0x80", P32, "cd 80", 2, K_OTHER, 4, IMM(0x80)),
	OK("ret imm16", L64, "c2 08 00", 3, K_OTHER, 4, IMM(8)),
	OK("call rel32", L64, "e8 00 00 00 00", 5, K_OTHER, 4),
	OK("call rel16 in 32-bit mode", P32, "66 e8 34 12", 4, K_OTHER, 2),
	OK("call rel32, REX.W beats 66", L64, "66 48 e8 00 00 00 00", 7, K_OTHER, 8),
	OK("jmp rel8", L64, "eb fe", 2, K_OTHER, 4),
	OK("jz rel32", L64, "0f 84 00 00 00 00", 6, K_OTHER, 4),
	OK("jz rel16 in real mode", R16, "0f 84 34 12", 4, K_OTHER, 2),
	OK("mov rax,imm64", L64, "48 b8 88 77 66 55 44 33 22 11", 10, K_OTHER, 8,
	   IMM(0x1122334455667788ULL)),
	OK("mov eax,imm32", L64, "b8 78 56 34 12", 5, K_OTHER, 4, IMM(0x12345678)),
	OK("mov ax,imm16", L64, "66 b8 34 12", 4, K_OTHER, 2),
	OK("mov r8b,imm8", L64, "41 b0 05", 3, K_OTHER, 4),
	OK("push imm32", L64, "68 78 56 34 12", 5, K_OTHER, 4),
	OK("push imm16", L64, "66 68 34 12", 4, K_OTHER, 2),
	OK("push imm8", L64, "6a 01", 2, K_OTHER, 4),
	OK("add ebx,imm32", L64, "81 c3 00 10 00 00", 6, K_OTHER, 4),
	OK("add ebx,imm8", L64, "83 c3 01", 3, K_OTHER, 4),
	OK("add rsp,imm32", L64, "48 81 c4 00 10 00 00", 7, K_OTHER, 8),
	OK("cmp byte [rbx],0", L64, "80 3b 00", 3, K_OTHER, 4),
	OK("test byte [rbx],1 (F6 /0)", L64, "f6 03 01", 3, K_OTHER, 4, IMM(1)),
	OK("test dword [rbx],imm32", L64, "f7 03 78 56 34 12", 6, K_OTHER, 4),
	OK("test word [rbx],imm16", L64, "66 f7 03 34 12", 5, K_OTHER, 2),
	OK("neg eax (F7 /3, no imm)", L64, "f7 d8", 2, K_OTHER, 4),
	OK("not byte [rbx] (F6 /2)", L64, "f6 13", 2, K_OTHER, 4),
	OK("enter", L64, "c8 10 00 01", 4, K_OTHER, 4, IMM(0x010010)),
	OK("call far ptr16:32", P32, "9a 78 56 34 12 10 00", 7, K_OTHER, 4),
	OK("jmp far ptr16:16 (reset vector)", R16, "ea 5b e0 00 f0", 5, K_OTHER, 2),
	OK("imul imm32", L64, "69 c0 00 10 00 00", 6, K_OTHER, 4),
	OK("imul imm8", L64, "6b c0 01", 3, K_OTHER, 4),
	OK("lea", L64, "8d 04 40", 3, K_OTHER, 4),
	OK("call rax", L64, "ff d0", 2, K_OTHER, 4),
	OK("call [rip+x]", L64, "ff 15 00 10 00 00", 6, K_OTHER, 4),
	OK("call far [rbx]", L64, "ff 1b", 2, K_OTHER, 4),
	OK("inc al", L64, "fe c0", 2, K_OTHER, 4),
	OK("pop [rax]", L64, "8f 00", 2, K_OTHER, 4),
	OK("fxch", L64, "d9 c9", 2, K_OTHER, 4),
	OK("fld qword [rbp-8]", L64, "dd 45 f8", 3, K_OTHER, 4),
	OK("shl al,4", L64, "c0 e0 04", 3, K_OTHER, 4),
	OK("shl eax,1", L64, "d1 e0", 2, K_OTHER, 4),
	OK("nopl 5 bytes", L64, "0f 1f 44 00 00", 5, K_OTHER, 4),
	OK("nopw 9 bytes", L64, "66 0f 1f 84 00 00 00 00 00", 9, K_OTHER, 2),
	OK("endbr64", L64, "f3 0f 1e fa", 4, K_OTHER, 4),
	OK("syscall", L64, "0f 05", 2, K_OTHER, 4),
	OK("ud2", L64, "0f 0b", 2, K_OTHER, 4),
	OK("mfence", L64, "0f ae f0", 3, K_OTHER, 4),
	OK("clflush [rax]", L64, "0f ae 38", 3, K_OTHER, 4),
	OK("bt eax,5", L64, "0f ba e0 05", 4, K_OTHER, 4),
	OK("rdrand eax", L64, "0f c7 f0", 3, K_OTHER, 4),
	OK("lock cmpxchg8b [rsi]", L64, "f0 0f c7 0e", 4, K_OTHER, 4, LOCK(1)),
	OK("ltr ax", L64, "0f 00 d8", 3, K_OTHER, 4),
	OK("bswap eax", L64, "0f c8", 2, K_OTHER, 4),
	OK("movdqa xmm0,[rdi]", L64, "66 0f 6f 07", 4, K_OTHER, 2),
	OK("pshufd", L64, "66 0f 70 c0 1b", 5, K_OTHER, 2),
	OK("shufps", L64, "0f c6 c1 44", 4, K_OTHER, 4),
	OK("vmread rax,rax", L64, "0f 78 c0", 3, K_OTHER, 4),
	OK("lds (32-bit, memory)", P32, "c5 07", 2, K_OTHER, 4),
	OK("bound (32-bit, memory)", P32, "62 03", 2, K_OTHER, 4),
	OK("push es (32-bit)", P32, "06", 1, K_OTHER, 4),
	/* refused */
	ERR("three-byte map 0F 38", L64, "0f 38 00 c0", -EINVAL),
	ERR("three-byte map 0F 3A", L64, "66 0f 3a 0f c1 08", -EINVAL),
	ERR("VEX C5 (vzeroupper)", L64, "c5 f8 77", -EINVAL),
	ERR("VEX C4", L64, "c4 e2 79 00 c0", -EINVAL),
	ERR("VEX C5 in 32-bit mode", P32, "c5 f8 77", -EINVAL),
	ERR("EVEX", L64, "62 f1 7c 48 10 00", -EINVAL),
	ERR("EVEX in 32-bit mode", P32, "62 f1 7c 48 10 00", -EINVAL),
	ERR("XOP 8F /1", L64, "8f e9 78 c2 c0 01", -EINVAL),
	ERR("D6 (SALC)", P32, "d6", -EINVAL),
	ERR("3DNow!", L64, "0f 0f c0 b4", -EINVAL),
	ERR("0F FF (UD0 differs by vendor)", L64, "0f ff 00", -EINVAL),
	ERR("0F 04", L64, "0f 04", -EINVAL),
	ERR("push es in long mode", L64, "06", -EINVAL),
	ERR("daa in long mode", L64, "27", -EINVAL),
	ERR("call far ptr in long mode", L64, "9a 00 00 00 00 00 00", -EINVAL),
	ERR("0F 01 E9 (unknown)", L64, "0f 01 e9", -EINVAL),
	ERR("0F 01 /5 memory", L64, "0f 01 28", -EINVAL),
	ERR("FF /7", L64, "ff f8", -EINVAL),
	ERR("FF /3 register", L64, "ff d8", -EINVAL),
	ERR("FE /2", L64, "fe d0", -EINVAL),
	ERR("0F BA /0", L64, "0f ba c0 05", -EINVAL),
	ERR("0F 00 /6", L64, "0f 00 f0", -EINVAL),
	ERR("66 call rel in long mode (vendor-specific)", L64, "66 e8 00 00", -EINVAL),
	ERR("66 jz rel in long mode (vendor-specific)", L64, "66 0f 84 00 00", -EINVAL),
	ERR("66 0F 78 (EXTRQ on AMD)", L64, "66 0f 78 c0 01 02", -EINVAL),
	ERR("F2 0F 79 (INSERTQ on AMD)", L64, "f2 0f 79 c1", -EINVAL),
	/* limits and truncation */
	ERR("16 bytes: 14 prefixes + 2", L64, P14 "89 03", -EINVAL),
	ERR("15 prefixes only", L64, P15, -EINVAL),
	ERR("17-byte store immediate", L64,
	    "66 66 66 66 66 48 c7 84 24 00 01 00 00 78 56 34 12", -EINVAL),
	ERR("14 prefixes, 2-byte insn, 15 bytes given", L64, P14 "89", -EINVAL),
	ERR("empty", L64, "", -ENODATA),
	ERR("lone REX", L64, "48", -ENODATA),
	ERR("lone 0F", L64, "0f", -ENODATA),
	ERR("missing ModRM", L64, "89", -ENODATA),
	ERR("missing SIB", L64, "8b 04", -ENODATA),
	ERR("short disp32", L64, "8b 05 00 00", -ENODATA),
	ERR("short imm32", L64, "c7 03 00", -ENODATA),
	ERR("short moffs64", L64, "a1 00 00 00 00", -ENODATA),
	ERR("short disp16", R16, "8b 06 34", -ENODATA),
	ERR("short 0F 01 ModRM", L64, "0f 01", -ENODATA),
	ERR("prefixes only", P32, "66 67 f3", -ENODATA),
	ERR("bad mode", 7, "90", -EINVAL),
};

/* "89 03" -> bytes; returns the count. */
static unsigned int parse_hex(const char *hex, u8 *buf, unsigned int max)
{
	unsigned int n = 0;
	char *end;

	while (*hex) {
		unsigned long v = strtoul(hex, &end, 16);

		if (end == hex || n == max)
			abort();
		buf[n++] = (u8)v;
		hex = end;
		while (*hex == ' ')
			hex++;
	}
	return n;
}

/* Decode from an exact-size heap copy, so ASan sees any over-read. */
static int decode_exact(const u8 *bytes, unsigned int n, enum hvp_cpu_mode mode,
			struct hvp_insn *insn)
{
	u8 *copy = malloc(n ? n : 1);
	int ret;

	if (!copy)
		abort();
	memcpy(copy, bytes, n);
	ret = hvp_insn_decode(copy, n, mode, insn);
	free(copy);
	return ret;
}

static bool insn_equal(const struct hvp_insn *a, const struct hvp_insn *b)
{
	return a->len == b->len && a->kind == b->kind && a->op_size == b->op_size &&
	       a->dst_size == b->dst_size && a->addr_size == b->addr_size &&
	       a->reg == b->reg && a->rm == b->rm && a->modrm == b->modrm &&
	       a->seg == b->seg && a->rep == b->rep && a->lock == b->lock &&
	       a->mem == b->mem && a->rex == b->rex && a->opcode == b->opcode &&
	       a->disp == b->disp && a->imm == b->imm;
}

#define EXPECT(cond, fmt, ...) do {				\
	if (!(cond)) {						\
		tap_diag(fmt, __VA_ARGS__);			\
		pass = false;					\
	}							\
} while (0)

static bool check_fields(const struct dcase *c, const struct hvp_insn *in)
{
	bool pass = true;

	EXPECT(in->len == c->len, "len %u, want %u", in->len, c->len);
	EXPECT(in->kind == c->kind, "kind %u, want %u", in->kind, c->kind);
	EXPECT(in->op_size == c->op, "op_size %u, want %u", in->op_size, c->op);
	if (c->has_reg)
		EXPECT(in->reg == c->reg, "reg %u, want %u", in->reg, c->reg);
	if (c->has_rm)
		EXPECT(in->rm == c->rm, "rm %u, want %u", in->rm, c->rm);
	if (c->has_dst)
		EXPECT(in->dst_size == c->dst, "dst_size %u, want %u", in->dst_size, c->dst);
	if (c->has_imm)
		EXPECT(in->imm == c->imm, "imm %#llx, want %#llx",
		       (unsigned long long)in->imm, (unsigned long long)c->imm);
	if (c->has_disp)
		EXPECT(in->disp == c->disp, "disp %#llx, want %#llx",
		       (unsigned long long)in->disp, (unsigned long long)c->disp);
	if (c->has_mem)
		EXPECT(in->mem == c->mem, "mem %d, want %d", in->mem, c->mem);
	if (c->has_rex)
		EXPECT(in->rex == c->rex, "rex %d, want %d", in->rex, c->rex);
	if (c->has_addr)
		EXPECT(in->addr_size == c->addr, "addr_size %u, want %u", in->addr_size, c->addr);
	if (c->has_op16)
		EXPECT(in->opcode == c->opcode, "opcode %#x, want %#x", in->opcode, c->opcode);
	if (c->has_lock)
		EXPECT(in->lock == c->lock, "lock %d, want %d", in->lock, c->lock);
	if (c->has_seg)
		EXPECT(in->seg == c->seg, "seg %#x, want %#x", in->seg, c->seg);
	if (c->has_rep)
		EXPECT(in->rep == c->rep, "rep %#x, want %#x", in->rep, c->rep);
	if (c->has_modrm)
		EXPECT(in->modrm == c->modrm, "modrm %#x, want %#x", in->modrm, c->modrm);
	return pass;
}

static const char *const mode_names[] = { "real", "prot16", "prot32", "long64" };

static const char *mode_name(enum hvp_cpu_mode mode)
{
	return (unsigned int)mode < 4 ? mode_names[mode] : "bad-mode";
}

static void run_case(const struct dcase *c)
{
	u8 bytes[32], padded[32];
	struct hvp_insn in, in2;
	unsigned int n, k;
	bool pass = true;
	int ret;

	n = parse_hex(c->hex, bytes, sizeof(bytes));
	ret = decode_exact(bytes, n, c->mode, &in);
	EXPECT(ret == c->ret, "returned %d, want %d", ret, c->ret);
	if (ret == 0 && c->ret == 0) {
		pass &= check_fields(c, &in);
		/* Every truncation is -ENODATA... */
		for (k = 0; k < in.len; k++) {
			ret = decode_exact(bytes, k, c->mode, &in2);
			EXPECT(ret == -ENODATA, "first %u bytes: %d, want -ENODATA", k, ret);
		}
		/* ...and trailing bytes change nothing. */
		memset(padded, 0xcc, sizeof(padded));
		memcpy(padded, bytes, n);
		ret = decode_exact(padded, 16, c->mode, &in2);
		EXPECT(ret == 0 && insn_equal(&in, &in2), "with trailing bytes: %d", ret);
	}
	tap_ok(pass, "%s: %s [%s]", mode_name(c->mode), c->name, c->hex);
}

/* Records emitted by gen-asm.awk: mode, length, text, bytes. */
extern const u8 hvp_asm_cases[], hvp_asm_cases_end[];

static void run_asm_cases(void)
{
	static const enum hvp_cpu_mode m16[] = { HVP_MODE_REAL, HVP_MODE_PROT16 };
	static const enum hvp_cpu_mode m32[] = { HVP_MODE_PROT32 };
	static const enum hvp_cpu_mode m64[] = { HVP_MODE_LONG64 };
	const u8 *p = hvp_asm_cases;
	unsigned int records = 0;

	while (p < hvp_asm_cases_end) {
		unsigned int bits = p[0] & 0x7f, len = p[1], i, nmodes;
		bool refuse = p[0] & 0x80;
		const enum hvp_cpu_mode *modes;
		const char *text = (const char *)p + 2;
		const u8 *code;
		struct hvp_insn in;
		int ret;

		code = p + 2 + strlen(text) + 1;
		if (code + len > hvp_asm_cases_end || (bits != 16 && bits != 32 && bits != 64)) {
			tap_ok(false, "asm record %u is malformed", records);
			return;
		}
		modes = bits == 16 ? m16 : bits == 32 ? m32 : m64;
		nmodes = bits == 16 ? 2 : 1;
		for (i = 0; i < nmodes; i++) {
			ret = decode_exact(code, len, modes[i], &in);
			if (refuse) {
				if (!tap_ok(ret == -EINVAL, "as %s: %s refused", mode_name(modes[i]),
					    text))
					tap_diag("returned %d (len %u), want -EINVAL", ret,
						 ret ? 0 : in.len);
				continue;
			}
			if (!tap_ok(ret == 0 && in.len == len, "as %s: %s (%u bytes)",
				    mode_name(modes[i]), text, len))
				tap_diag("returned %d, len %u", ret, ret ? 0 : in.len);
		}
		p = code + len;
		records++;
	}
	tap_ok(records > 300, "as: %u records assembled", records);
}

struct lcase {
	const char *name;
	enum hvp_cpu_mode mode;
	const char *hex;
	bool load;		/* complete_load with data, else store_value */
	u64 data;
	unsigned int check;	/* register to compare after a load */
	u64 want;		/* value stored, or the register after the load */
};

/* gprs[i] = 0xf0e0d0c0b0a09000 | i * 0x11 */
#define GPR(i)	(0xf0e0d0c0b0a09000ULL | ((i) * 0x11ULL))

static const struct lcase lcases[] = {
	{ "mov al,[rbx]", L64, "8a 03", true, 0x1234, HVP_RAX, 0xf0e0d0c0b0a09034ULL },
	{ "mov ah,[rbx]", L64, "8a 23", true, 0x56, HVP_RAX, 0xf0e0d0c0b0a05600ULL },
	{ "mov bh,[rbx] (32-bit)", P32, "8a 3b", true, 0x56, HVP_RBX, 0xf0e0d0c0b0a05633ULL },
	{ "mov spl,[rbx]", L64, "40 8a 23", true, 0x56, HVP_RSP, 0xf0e0d0c0b0a09056ULL },
	{ "mov r12b,[rbx]", L64, "44 8a 23", true, 0x56, HVP_R12, 0xf0e0d0c0b0a09056ULL },
	{ "mov ax,[rbx]", L64, "66 8b 03", true, 0x12345678, HVP_RAX, 0xf0e0d0c0b0a05678ULL },
	{ "mov eax,[rbx] zero-extends", L64, "8b 03", true, 0xffffffff12345678ULL, HVP_RAX,
	  0x12345678 },
	{ "mov rax,[rbx]", L64, "48 8b 03", true, 0x1122334455667788ULL, HVP_RAX,
	  0x1122334455667788ULL },
	{ "mov r8d,[rbx]", L64, "44 8b 03", true, 0xdeadbeef, HVP_R8, 0xdeadbeef },
	{ "mov ax,[bx] (real)", R16, "8b 07", true, 0xbeef, HVP_RAX, 0xf0e0d0c0b0a0beefULL },
	{ "mov al,moffs", L64, "a0 00 10 00 00 00 00 00 00", true, 0x7f, HVP_RAX,
	  0xf0e0d0c0b0a0907fULL },
	{ "mov eax,moffs", P32, "a1 00 10 00 00", true, 0x87654321, HVP_RAX, 0x87654321 },
	{ "movzx eax,byte", L64, "0f b6 03", true, 0xff80, HVP_RAX, 0x80 },
	{ "movzx ax,byte keeps upper", L64, "66 0f b6 03", true, 0x80, HVP_RAX,
	  0xf0e0d0c0b0a00080ULL },
	{ "movzx rax,word", L64, "48 0f b7 03", true, 0x12348765, HVP_RAX, 0x8765 },
	{ "movzx esp,byte (not AH)", L64, "0f b6 23", true, 0x12, HVP_RSP, 0x12 },
	{ "movsx rax,byte", L64, "48 0f be 03", true, 0x80, HVP_RAX, 0xffffffffffffff80ULL },
	{ "movsx eax,byte", L64, "0f be 03", true, 0x7f, HVP_RAX, 0x7f },
	{ "movsx eax,word", L64, "0f bf 03", true, 0x8000, HVP_RAX, 0xffff8000ULL },
	{ "movsx ax,byte", L64, "66 0f be 03", true, 0xff, HVP_RAX, 0xf0e0d0c0b0a0ffffULL },
	{ "movsxd rax,dword", L64, "48 63 03", true, 0x80000000, HVP_RAX,
	  0xffffffff80000000ULL },
	{ "movsxd eax,dword", L64, "63 03", true, 0x80000000, HVP_RAX, 0x80000000 },
	{ "mov [rbx],bl", L64, "88 1b", false, 0, 0, 0x33 },
	{ "mov [rbx],bh", L64, "88 3b", false, 0, 0, 0x90 },
	{ "mov [rbx],ah", P32, "88 23", false, 0, 0, 0x90 },
	{ "mov [rbx],dil", L64, "40 88 3b", false, 0, 0, 0x77 },
	{ "mov [rbx],ax", L64, "66 89 03", false, 0, 0, 0x9000 },
	{ "mov [rbx],eax", L64, "89 03", false, 0, 0, 0xb0a09000 },
	{ "mov [rbx],rax", L64, "48 89 03", false, 0, 0, GPR(0) },
	{ "mov [rbx],r8", L64, "4c 89 03", false, 0, 0, GPR(8) },
	{ "mov [rbx],r15w", L64, "66 44 89 3b", false, 0, 0, 0x90ff },
	{ "mov moffs,eax", P32, "a3 00 10 00 00", false, 0, 0, 0xb0a09000 },
	{ "mov moffs,rax", L64, "48 a3 00 10 00 00 00 00 00 00", false, 0, 0, GPR(0) },
	{ "mov byte [rbx],0x80", L64, "c6 03 80", false, 0, 0, 0x80 },
	{ "mov word [rbx],0x1234", L64, "66 c7 03 34 12", false, 0, 0, 0x1234 },
	{ "mov dword [rbx],imm", L64, "c7 03 00 00 00 80", false, 0, 0, 0x80000000 },
	{ "mov qword [rbx],imm", L64, "48 c7 03 00 00 00 80", false, 0, 0,
	  0xffffffff80000000ULL },
};

static void run_lcase(const struct lcase *c)
{
	u64 gprs[HVP_NR_GPRS], want[HVP_NR_GPRS], value = 0;
	struct hvp_insn in;
	bool pass = true;
	unsigned int n, i;
	u8 bytes[16];
	int ret;

	for (i = 0; i < HVP_NR_GPRS; i++)
		gprs[i] = want[i] = GPR(i);
	n = parse_hex(c->hex, bytes, sizeof(bytes));
	ret = decode_exact(bytes, n, c->mode, &in);
	EXPECT(ret == 0, "decode returned %d", ret);
	if (ret == 0 && c->load) {
		want[c->check] = c->want;
		ret = hvp_insn_complete_load(&in, gprs, c->data);
		EXPECT(ret == 0, "complete_load returned %d", ret);
		for (i = 0; i < HVP_NR_GPRS; i++)
			EXPECT(gprs[i] == want[i], "gpr %u = %#llx, want %#llx", i,
			       (unsigned long long)gprs[i], (unsigned long long)want[i]);
		ret = hvp_insn_store_value(&in, gprs, &value);
		EXPECT(ret == -EINVAL, "store_value on a load returned %d", ret);
	} else if (ret == 0) {
		ret = hvp_insn_store_value(&in, gprs, &value);
		EXPECT(ret == 0 && value == c->want, "store_value %d, value %#llx, want %#llx",
		       ret, (unsigned long long)value, (unsigned long long)c->want);
		ret = hvp_insn_complete_load(&in, gprs, 0);
		EXPECT(ret == -EINVAL, "complete_load on a store returned %d", ret);
		for (i = 0; i < HVP_NR_GPRS; i++)
			EXPECT(gprs[i] == want[i], "gpr %u changed by a store", i);
	}
	tap_ok(pass, "mmio %s: %s [%s]", c->load ? "load" : "store", c->name, c->hex);
}

/* Kinds and forms the MMIO helpers must refuse. */
static void run_mmio_refusals(void)
{
	static const struct {
		const char *name, *hex;
	} refuse[] = {
		{ "register mov (89 d8)", "89 d8" },
		{ "register movzx", "0f b6 c3" },
		{ "mov al,5 (C6 register)", "c6 c0 05" },
		{ "mov cr3,rax", "0f 22 d8" },
		{ "cpuid", "0f a2" },
		{ "add [rbx],eax", "01 03" },
	};
	u64 gprs[HVP_NR_GPRS] = { 0 }, value;
	struct hvp_insn in;
	unsigned int i, n;
	u8 bytes[16];
	int ret, r1, r2;

	for (i = 0; i < ARRAY_SIZE(refuse); i++) {
		n = parse_hex(refuse[i].hex, bytes, sizeof(bytes));
		ret = decode_exact(bytes, n, L64, &in);
		r1 = hvp_insn_store_value(&in, gprs, &value);
		r2 = hvp_insn_complete_load(&in, gprs, 0);
		tap_ok(ret == 0 && r1 == -EINVAL && r2 == -EINVAL, "mmio refuses %s", refuse[i].name);
	}

	/* A caller-made struct with a bad register or size is refused too. */
	n = parse_hex("8b 03", bytes, sizeof(bytes));
	decode_exact(bytes, n, L64, &in);
	in.reg = HVP_NR_GPRS;
	tap_ok(hvp_insn_complete_load(&in, gprs, 0) == -EINVAL, "mmio refuses reg 16");
	in.reg = 0;
	in.op_size = 3;
	tap_ok(hvp_insn_complete_load(&in, gprs, 0) == -EINVAL, "mmio refuses op_size 3");
}

int main(void)
{
	unsigned int i;

	tap_start();
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(&cases[i]);
	run_asm_cases();
	for (i = 0; i < ARRAY_SIZE(lcases); i++)
		run_lcase(&lcases[i]);
	run_mmio_refusals();
	return tap_done();
}
