// SPDX-License-Identifier: GPL-2.0
/*
 * What each vendor-neutral exit does. Backends decode their hardware exit
 * into vp->exit; hvp_exit_handlers[] maps its reason to one handler here,
 * written once for both backends. Handlers follow the return convention
 * stated in run.c. Userspace exits that need a result (IN, an MMIO load, an
 * unhandled hypercall) are finished by hvp_vp_complete_pending() at the
 * next RUN.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/traps.h>

#include "arch_ops.h"
#include "hvpart.h"

static u64 hvp_size_mask(unsigned int bytes)
{
	return bytes >= 8 ? ~0ULL : (1ULL << (bytes * 8)) - 1;
}

void hvp_vp_internal_error(struct hvp_vp *vp, u32 suberror)
{
	struct hvpart_run *run = vp->run;

	run->exit_reason = HVPART_EXIT_INTERNAL_ERROR;
	run->internal.suberror = suberror;
	run->internal.cpu = vp->cpu;
	run->internal.hw_exit_code = vp->exit.hw_code;
	run->internal.info1 = vp->exit.info1;
	run->internal.info2 = vp->exit.info2;
}

/* Move RIP past an instruction of @len bytes, as the CPU would in @mode. */
void hvp_vp_advance_rip_in(struct hvp_vp *vp, unsigned int len, enum hvp_cpu_mode mode)
{
	vp->rip += len;
	if (mode != HVP_MODE_LONG64)
		vp->rip &= 0xffffffff;
	hvp_ops.clear_interrupt_shadow(vp);
}

void hvp_vp_advance_rip(struct hvp_vp *vp, unsigned int len)
{
	hvp_vp_advance_rip_in(vp, len, hvp_vp_cpu_mode(vp));
}

/*
 * Skip the instruction that exited. Without a length from the hardware
 * (SVM without nrip-save) the instruction is fetched and decoded. Returns
 * false, with an internal-error exit filled, when that fails.
 */
bool hvp_vp_skip_insn(struct hvp_vp *vp)
{
	enum hvp_cpu_mode mode;
	struct hvp_insn insn;

	if (vp->exit.insn_len) {
		hvp_vp_advance_rip(vp, vp->exit.insn_len);
		return true;
	}
	if (hvp_vp_decode_at_rip(vp, &insn, &mode)) {
		hvp_vp_internal_error(vp, HVPART_INTERNAL_EMULATION);
		return false;
	}
	hvp_vp_advance_rip_in(vp, insn.len, mode);
	return true;
}

static void hvp_vp_inject(struct hvp_vp *vp, u8 vector, bool has_error, u32 error)
{
	hvp_ops.inject_exception(vp, vector, has_error, error);
	vp->stats.injected_exceptions++;
}

int hvp_vp_complete_pending(struct hvp_vp *vp)
{
	struct hvpart_run *run = vp->run;
	u64 *rax = &vp->gprs[HVP_RAX];
	u64 mask;

	switch (vp->pending) {
	case HVP_PENDING_NONE:
		return 0;
	case HVP_PENDING_IO_IN:
		mask = hvp_size_mask(run->io.size);
		/* A 32-bit register write clears bits 63:32. */
		if (run->io.size == 4)
			*rax = run->io.data & mask;
		else
			*rax = (*rax & ~mask) | (run->io.data & mask);
		hvp_vp_advance_rip(vp, vp->pending_len);
		break;
	case HVP_PENDING_MMIO_LOAD:
		if (hvp_insn_complete_load(&vp->pending_insn, vp->gprs, run->memory.data))
			return -EIO;
		hvp_vp_advance_rip(vp, vp->pending_insn.len);
		break;
	case HVP_PENDING_HYPERCALL:
		*rax = run->hypercall.result;
		hvp_vp_advance_rip(vp, vp->pending_len);
		break;
	}
	vp->pending = HVP_PENDING_NONE;
	return 0;
}

static int hvp_handle_nothing(struct hvp_vp *vp)
{
	vp->stats.intr_exits++;
	return HVP_RESUME;
}

/* Length of the exiting instruction, decoding it when the CPU did not say. */
static int hvp_exit_insn_len(struct hvp_vp *vp, unsigned int *len)
{
	enum hvp_cpu_mode mode;
	struct hvp_insn insn;

	*len = vp->exit.insn_len;
	if (*len)
		return 0;
	if (hvp_vp_decode_at_rip(vp, &insn, &mode)) {
		hvp_vp_internal_error(vp, HVPART_INTERNAL_EMULATION);
		return -EINVAL;
	}
	*len = insn.len;
	return 0;
}

static int hvp_handle_io(struct hvp_vp *vp)
{
	struct hvp_exit *e = &vp->exit;
	struct hvpart_run *run = vp->run;
	unsigned int len;

	vp->stats.io_exits++;
	if (e->io.string || e->io.rep) {
		hvp_vp_internal_error(vp, HVPART_INTERNAL_UNSUPPORTED);
		return HVP_TO_USER;
	}
	if (hvp_exit_insn_len(vp, &len))
		return HVP_TO_USER;

	run->exit_reason = HVPART_EXIT_IO;
	run->io.port = e->io.port;
	run->io.size = e->io.size;
	run->io.count = 1;
	if (e->io.in) {
		run->io.direction = HVPART_IO_IN;
		run->io.data = 0;
		vp->pending = HVP_PENDING_IO_IN;
		vp->pending_len = len;
	} else {
		run->io.direction = HVPART_IO_OUT;
		run->io.data = vp->gprs[HVP_RAX] & hvp_size_mask(e->io.size);
		hvp_vp_advance_rip(vp, len);
	}
	return HVP_TO_USER;
}

/* Give userspace what it needs to emulate an access to unmapped memory. */
static void hvp_mmio_decode(struct hvp_vp *vp)
{
	struct hvpart_run *run = vp->run;
	struct hvp_exit *e = &vp->exit;
	struct hvp_insn insn;
	unsigned int n = e->nr_insn_bytes;
	enum hvp_cpu_mode mode;
	u8 bytes[15];
	u64 value;

	if (n) {
		memcpy(bytes, e->insn_bytes, n);
		mode = hvp_vp_cpu_mode(vp);
	} else if (hvp_vp_fetch_insn(vp, bytes, &n, &mode)) {
		return;
	}
	memcpy(run->memory.insn, bytes, n);
	run->memory.insn_len = n;

	if (hvp_insn_decode(bytes, n, mode, &insn) || !insn.mem)
		return;

	switch (insn.kind) {
	case HVP_INSN_MOV_STORE:
	case HVP_INSN_MOV_STORE_IMM:
		if (run->memory.access != HVPART_ACCESS_WRITE ||
		    hvp_insn_store_value(&insn, vp->gprs, &value))
			return;
		run->memory.data = value;
		run->memory.len = insn.op_size;
		run->memory.flags |= HVPART_MEMORY_F_DECODED;
		hvp_vp_advance_rip_in(vp, insn.len, mode);
		break;
	case HVP_INSN_MOV_LOAD:
	case HVP_INSN_MOVZX:
	case HVP_INSN_MOVSX:
		if (run->memory.access != HVPART_ACCESS_READ)
			return;
		run->memory.len = insn.op_size;
		run->memory.flags |= HVPART_MEMORY_F_DECODED;
		vp->pending = HVP_PENDING_MMIO_LOAD;
		vp->pending_insn = insn;
		break;
	default:
		break;
	}
}

static int hvp_handle_slat_fault(struct hvp_vp *vp)
{
	struct hvp_exit *e = &vp->exit;
	struct hvpart_run *run = vp->run;
	int ret;

	if (hvp_lapic_is_mmio(vp, e->slat.gpa))
		return hvp_lapic_handle_mmio(vp, e->slat.gpa, e->slat.access);
	ret = hvp_gpa_fault(vp, e->slat.gpa, e->slat.access);
	if (ret < 0)
		return ret;
	if (ret == HVP_FAULT_FILLED)
		return HVP_RESUME;

	vp->stats.mmio_exits++;
	run->exit_reason = HVPART_EXIT_MEMORY;
	run->memory.gpa = e->slat.gpa;
	run->memory.access = e->slat.access;
	run->memory.flags = ret == HVP_FAULT_FORBIDDEN ? HVPART_MEMORY_F_MAPPED : 0;
	run->memory.len = 0;
	run->memory.data = 0;
	run->memory.insn_len = 0;
	/* A fault while the CPU walked guest page tables has no operand. */
	if (!e->slat.in_walk && e->slat.access != HVPART_ACCESS_EXEC)
		hvp_mmio_decode(vp);
	return HVP_TO_USER;
}

static int hvp_handle_slat_misconfig(struct hvp_vp *vp)
{
	hvp_vp_internal_error(vp, HVPART_INTERNAL_PARTITION_DEAD);
	HVP_BUG_ON(true, vp->part);
	return HVP_TO_USER;
}

static int hvp_handle_cpuid(struct hvp_vp *vp)
{
	vp->stats.cpuid_exits++;
	hvp_cpuid_emulate(vp);
	return hvp_vp_skip_insn(vp) ? HVP_RESUME : HVP_TO_USER;
}

static int hvp_handle_rdmsr(struct hvp_vp *vp)
{
	u64 value;

	vp->stats.msr_exits++;
	if (hvp_msr_get(vp, vp->gprs[HVP_RCX], &value, false)) {
		hvp_vp_inject(vp, X86_TRAP_GP, true, 0);
		return HVP_RESUME;
	}
	vp->gprs[HVP_RAX] = lower_32_bits(value);
	vp->gprs[HVP_RDX] = upper_32_bits(value);
	return hvp_vp_skip_insn(vp) ? HVP_RESUME : HVP_TO_USER;
}

static int hvp_handle_wrmsr(struct hvp_vp *vp)
{
	u64 value = (vp->gprs[HVP_RDX] << 32) | lower_32_bits(vp->gprs[HVP_RAX]);

	vp->stats.msr_exits++;
	if (hvp_msr_set(vp, vp->gprs[HVP_RCX], value, false)) {
		hvp_vp_inject(vp, X86_TRAP_GP, true, 0);
		return HVP_RESUME;
	}
	return hvp_vp_skip_insn(vp) ? HVP_RESUME : HVP_TO_USER;
}

/* HLT sleeps in the kernel (run.c) unless the VMM asked to see it. */
static int hvp_handle_hlt(struct hvp_vp *vp)
{
	vp->stats.hlt_exits++;
	if (!hvp_vp_skip_insn(vp))
		return HVP_TO_USER;
	if (vp->part->flags & HVPART_PARTITION_F_HLT_EXITS) {
		vp->run->exit_reason = HVPART_EXIT_HLT;
		return HVP_TO_USER;
	}
	vp->mp_state = HVPART_MP_HALTED;
	return HVP_RESUME;
}

static int hvp_handle_shutdown(struct hvp_vp *vp)
{
	struct hvpart_sregs s;

	/* What the guest died in, before the reset below erases it. */
	hvp_ops.get_sregs(vp, &s);
	hvp_vp_warn(vp, "triple fault: rsp %#llx rflags %#llx cr0 %#llx cr2 %#llx cr3 %#llx cr4 %#llx, in delivery %#x error %#x\n",
		    vp->gprs[HVP_RSP], vp->rflags, s.cr0, s.cr2, s.cr3, s.cr4,
		    vp->exit.int_info, vp->exit.int_info_err);
	/* The hardware left the guest state undefined: back to reset. */
	hvp_vp_reset_regs(vp);
	vp->needs_reset = true;
	vp->run->exit_reason = HVPART_EXIT_SHUTDOWN;
	return HVP_TO_USER;
}

static int hvp_handle_hypercall(struct hvp_vp *vp)
{
	struct hvpart_run *run = vp->run;
	unsigned int len;

	/* Hyper-V: hypercalls are for CPL 0 only; others get #UD. */
	if (hvp_ops.get_cpl(vp)) {
		hvp_vp_inject(vp, X86_TRAP_UD, false, 0);
		return HVP_RESUME;
	}
	/* With the Hyper-V interface the kernel answers every hypercall. */
	if (hvp_hv_enabled(vp->part)) {
		if (hvp_hv_hypercall(vp)) {
			hvp_vp_inject(vp, X86_TRAP_UD, false, 0);
			return HVP_RESUME;
		}
		return hvp_vp_skip_insn(vp) ? HVP_RESUME : HVP_TO_USER;
	}
	switch (vp->part->hypercall_action) {
	case HVPART_HYPERCALL_RESULT:
		vp->gprs[HVP_RAX] = vp->part->hypercall_result;
		return hvp_vp_skip_insn(vp) ? HVP_RESUME : HVP_TO_USER;
	case HVPART_HYPERCALL_UD:
		hvp_vp_inject(vp, X86_TRAP_UD, false, 0);
		return HVP_RESUME;
	}
	vp->stats.hypercall_exits++;
	if (hvp_exit_insn_len(vp, &len))
		return HVP_TO_USER;
	run->exit_reason = HVPART_EXIT_HYPERCALL;
	run->hypercall.input = vp->gprs[HVP_RCX];
	run->hypercall.input_gpa = vp->gprs[HVP_RDX];
	run->hypercall.output_gpa = vp->gprs[HVP_R8];
	run->hypercall.result = 0;
	vp->pending = HVP_PENDING_HYPERCALL;
	vp->pending_len = len;
	return HVP_TO_USER;
}

/* Register operand of a MOV to/from CR or DR, from hardware or decoded. */
static int hvp_mov_gpr(struct hvp_vp *vp, unsigned int *gpr)
{
	enum hvp_cpu_mode mode;
	struct hvp_insn insn;

	if (vp->exit.cr.gpr >= 0) {
		*gpr = vp->exit.cr.gpr;
		return 0;
	}
	if (hvp_vp_decode_at_rip(vp, &insn, &mode))
		return -EINVAL;
	switch (insn.kind) {
	case HVP_INSN_MOV_TO_CR:
	case HVP_INSN_MOV_FROM_CR:
	case HVP_INSN_MOV_TO_DR:
	case HVP_INSN_MOV_FROM_DR:
		*gpr = insn.rm;
		return 0;
	default:
		return -EINVAL;
	}
}

/* CR4 bits whose change invalidates the guest's TLB (SDM 4.10.4.1). */
#define HVP_CR4_TLB_BITS (X86_CR4_PGE | X86_CR4_PAE | X86_CR4_PSE | X86_CR4_PCIDE | \
			  X86_CR4_SMEP | X86_CR4_SMAP | X86_CR4_LA57 | X86_CR4_PKE)

static int hvp_set_cr4(struct hvp_vp *vp, u64 value)
{
	struct hvpart_sregs s;
	bool lma;

	hvp_ops.get_sregs(vp, &s);
	lma = s.efer & EFER_LMA;
	if (value & ~hvp_cr4_allowed(vp))
		return -EINVAL;
	if (lma && (!(value & X86_CR4_PAE) || ((value ^ vp->cr4) & X86_CR4_LA57)))
		return -EINVAL;
	if ((value & X86_CR4_PCIDE) && !(vp->cr4 & X86_CR4_PCIDE) && (!lma || (s.cr3 & 0xfff)))
		return -EINVAL;

	hvp_ops.set_cr4(vp, value);
	if ((value ^ vp->cr4) & HVP_CR4_TLB_BITS)
		hvp_ops.flush_guest_tlb(vp);
	vp->cr4 = value;
	return 0;
}

/* CR0 bits whose change invalidates the guest's TLB (SDM 4.10.4.1). */
#define HVP_CR0_TLB_BITS (X86_CR0_PG | X86_CR0_WP | X86_CR0_PE)

/*
 * A MOV to CR0 the backend intercepted (VMX: one that changes a bit VMX
 * forces on, i.e. CR0.NE): do what the CPU would, including entering or
 * leaving IA-32e mode when paging is switched with EFER.LME set (SDM
 * 10.8.5, 2.5). -EINVAL where the CPU raises #GP.
 */
static int hvp_set_cr0(struct hvp_vp *vp, u64 value)
{
	struct hvpart_sregs s;
	bool pg = value & X86_CR0_PG;

	hvp_ops.get_sregs(vp, &s);
	if (upper_32_bits(value) || ((value & X86_CR0_NW) && !(value & X86_CR0_CD)) ||
	    (pg && !(value & X86_CR0_PE)))
		return -EINVAL;
	if (pg && !(s.cr0 & X86_CR0_PG) && (s.efer & EFER_LME)) {
		/* Activating long mode: PAE on, not from 64-bit code. */
		if (!(s.cr4 & X86_CR4_PAE) || (s.cs.attrib & HVPART_SEG_L))
			return -EINVAL;
		s.efer |= EFER_LMA;
	} else if (!pg && (s.cr0 & X86_CR0_PG)) {
		/* Paging off: not with PCIDE, not from 64-bit code. */
		if ((s.cr4 & X86_CR4_PCIDE) ||
		    ((s.efer & EFER_LMA) && (s.cs.attrib & HVPART_SEG_L)))
			return -EINVAL;
		s.efer &= ~EFER_LMA;
	}
	if ((value ^ s.cr0) & HVP_CR0_TLB_BITS)
		hvp_ops.flush_guest_tlb(vp);
	s.cr0 = value;
	return hvp_ops.set_sregs(vp, &s);
}

static int hvp_handle_cr_access(struct hvp_vp *vp)
{
	struct hvp_exit *e = &vp->exit;
	unsigned int gpr;
	u64 value;
	int ret;

	/* Only writes to CR4 (and, on VMX, CR0) are intercepted. */
	if ((e->cr.reg != 0 && e->cr.reg != 4) || !e->cr.write || hvp_mov_gpr(vp, &gpr)) {
		hvp_vp_internal_error(vp, HVPART_INTERNAL_EMULATION);
		return HVP_TO_USER;
	}
	value = vp->gprs[gpr];
	if (hvp_vp_cpu_mode(vp) != HVP_MODE_LONG64)
		value = lower_32_bits(value);
	ret = e->cr.reg == 0 ? hvp_set_cr0(vp, value) : hvp_set_cr4(vp, value);
	if (ret) {
		hvp_vp_inject(vp, X86_TRAP_GP, true, 0);
		return HVP_RESUME;
	}
	return hvp_vp_skip_insn(vp) ? HVP_RESUME : HVP_TO_USER;
}

/*
 * Debug registers are virtual: DR0-3 and DR7 live in the VP and never
 * reach hardware (so one guest cannot read another's, nor disturb the
 * host's breakpoints); DR6 is the hardware's, which sets its status bits.
 */
static int hvp_handle_dr_access(struct hvp_vp *vp)
{
	struct hvp_exit *e = &vp->exit;
	bool long_mode = hvp_vp_cpu_mode(vp) == HVP_MODE_LONG64;
	unsigned int dr = e->cr.reg, gpr;
	u64 value;

	if (hvp_ops.get_cpl(vp)) {
		hvp_vp_inject(vp, X86_TRAP_GP, true, 0);
		return HVP_RESUME;
	}
	if (dr == 4 || dr == 5) {
		if (vp->cr4 & X86_CR4_DE) {
			hvp_vp_inject(vp, X86_TRAP_UD, false, 0);
			return HVP_RESUME;
		}
		dr += 2;
	}
	if (hvp_mov_gpr(vp, &gpr)) {
		hvp_vp_internal_error(vp, HVPART_INTERNAL_EMULATION);
		return HVP_TO_USER;
	}

	if (e->cr.write) {
		value = vp->gprs[gpr];
		if (!long_mode)
			value = lower_32_bits(value);
		if (dr >= 6 && upper_32_bits(value)) {
			hvp_vp_inject(vp, X86_TRAP_GP, true, 0);
			return HVP_RESUME;
		}
		if (dr < 4)
			vp->dr[dr] = value;
		else if (dr == 6)
			hvp_ops.set_dr6(vp, (value & HVP_DR6_VOLATILE) | HVP_DR6_FIXED_1);
		else
			vp->dr7 = (value & HVP_DR7_VOLATILE) | HVP_DR7_FIXED_1;
	} else {
		if (dr < 4)
			value = vp->dr[dr];
		else if (dr == 6)
			value = hvp_ops.get_dr6(vp);
		else
			value = vp->dr7;
		vp->gprs[gpr] = long_mode ? value : lower_32_bits(value);
	}
	return hvp_vp_skip_insn(vp) ? HVP_RESUME : HVP_TO_USER;
}

static int hvp_handle_xsetbv(struct hvp_vp *vp)
{
	u64 value = (vp->gprs[HVP_RDX] << 32) | lower_32_bits(vp->gprs[HVP_RAX]);

	if (hvp_ops.get_cpl(vp) ||
	    hvp_vp_set_xcr0(vp, lower_32_bits(vp->gprs[HVP_RCX]), value)) {
		hvp_vp_inject(vp, X86_TRAP_GP, true, 0);
		return HVP_RESUME;
	}
	return hvp_vp_skip_insn(vp) ? HVP_RESUME : HVP_TO_USER;
}

/*
 * #AC and #DB are intercepted only so that a guest cannot wedge a host CPU
 * with an endless chain of them (CVE-2015-5307, CVE-2015-8104): each one
 * now passes through the host, which services its interrupts, and is then
 * given back to the guest unchanged.
 */
static int hvp_handle_exception(struct hvp_vp *vp)
{
	struct hvp_exit *e = &vp->exit;

	hvp_vp_inject(vp, e->exc.vector, e->exc.has_error, e->exc.error);
	return HVP_RESUME;
}

/* The backend already handed the #MC to the host's handler. */
static int hvp_handle_machine_check(struct hvp_vp *vp)
{
	return HVP_RESUME;
}

static int hvp_handle_inject_ud(struct hvp_vp *vp)
{
	hvp_vp_inject(vp, X86_TRAP_UD, false, 0);
	return HVP_RESUME;
}

static int hvp_handle_inject_gp(struct hvp_vp *vp)
{
	hvp_vp_inject(vp, X86_TRAP_GP, true, 0);
	return HVP_RESUME;
}

static int hvp_handle_skip(struct hvp_vp *vp)
{
	return hvp_vp_skip_insn(vp) ? HVP_RESUME : HVP_TO_USER;
}

/* The run loop injects what is due before the next entry. */
static int hvp_handle_irq_window(struct hvp_vp *vp)
{
	hvp_ops.request_irq_window(vp, false);
	return HVP_RESUME;
}

static int hvp_handle_entry_failed(struct hvp_vp *vp)
{
	hvp_vp_warn(vp, "VM entry failed: code %#llx info %#llx %#llx\n",
		    vp->exit.hw_code, vp->exit.info1, vp->exit.info2);
	hvp_vp_internal_error(vp, HVPART_INTERNAL_ENTRY_FAILED);
	return HVP_TO_USER;
}

static int hvp_handle_state_lost(struct hvp_vp *vp)
{
	hvp_vp_warn(vp, "guest state in the control block holds the host's; not entering\n");
	hvp_vp_internal_error(vp, HVPART_INTERNAL_GUEST_STATE_LOST);
	return HVP_TO_USER;
}

static int hvp_handle_unknown(struct hvp_vp *vp)
{
	hvp_vp_warn(vp, "unhandled exit code %#llx info %#llx %#llx\n",
		    vp->exit.hw_code, vp->exit.info1, vp->exit.info2);
	hvp_vp_internal_error(vp, HVPART_INTERNAL_UNKNOWN_EXIT);
	return HVP_TO_USER;
}

static int (*const hvp_exit_handlers[HVP_EXIT_COUNT])(struct hvp_vp *vp) = {
	[HVP_EXIT_NOTHING]		= hvp_handle_nothing,
	[HVP_EXIT_IO]			= hvp_handle_io,
	[HVP_EXIT_SLAT_FAULT]		= hvp_handle_slat_fault,
	[HVP_EXIT_SLAT_MISCONFIG]	= hvp_handle_slat_misconfig,
	[HVP_EXIT_CPUID]		= hvp_handle_cpuid,
	[HVP_EXIT_RDMSR]		= hvp_handle_rdmsr,
	[HVP_EXIT_WRMSR]		= hvp_handle_wrmsr,
	[HVP_EXIT_HLT]			= hvp_handle_hlt,
	[HVP_EXIT_SHUTDOWN]		= hvp_handle_shutdown,
	[HVP_EXIT_HYPERCALL]		= hvp_handle_hypercall,
	[HVP_EXIT_CR_ACCESS]		= hvp_handle_cr_access,
	[HVP_EXIT_DR_ACCESS]		= hvp_handle_dr_access,
	[HVP_EXIT_XSETBV]		= hvp_handle_xsetbv,
	[HVP_EXIT_EXCEPTION]		= hvp_handle_exception,
	[HVP_EXIT_MACHINE_CHECK]	= hvp_handle_machine_check,
	[HVP_EXIT_INJECT_UD]		= hvp_handle_inject_ud,
	[HVP_EXIT_INJECT_GP]		= hvp_handle_inject_gp,
	[HVP_EXIT_SKIP]			= hvp_handle_skip,
	[HVP_EXIT_IRQ_WINDOW]		= hvp_handle_irq_window,
	[HVP_EXIT_ENTRY_FAILED]		= hvp_handle_entry_failed,
	[HVP_EXIT_STATE_LOST]		= hvp_handle_state_lost,
	[HVP_EXIT_UNKNOWN]		= hvp_handle_unknown,
};

int hvp_exit_handle(struct hvp_vp *vp)
{
	u32 reason = vp->exit.reason;

	vp->run->rip = vp->rip;
	if (reason >= HVP_EXIT_COUNT || !hvp_exit_handlers[reason])
		reason = HVP_EXIT_UNKNOWN;
	return hvp_exit_handlers[reason](vp);
}
