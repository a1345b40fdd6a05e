// SPDX-License-Identifier: GPL-2.0
/*
 * One thread per VP: RUN, then handle what came back. Handlers return true
 * to run the VP again, false when this VP is done (the run is ending).
 * How other threads stop or pause a VP is described in vm.h.
 *
 * What ends a run from here, and with which exit status (hvctl.h):
 *   triple fault (SHUTDOWN)                      2 crashed
 *   a crash report (Hyper-V crash MSRs)          2 crashed, P0-P4 printed
 *   an access the module could not decode,
 *   executing from MMIO, INTERNAL_ERROR from
 *   an instruction (EMULATION, UNSUPPORTED)      2 crashed
 *   INTERNAL_ERROR from the host side (entry
 *   failed, unknown exit, partition dead),
 *   RUN failing, an unknown exit reason          1 error
 * and through devices: ACPI S5 (0), reset (4), debug-exit ((v << 1) | 1).
 * Each prints the VP's registers first, like kvmtool's crash dump.
 *
 * HLT, interrupts and application-processor start-up all live in the
 * module's local APIC: a halted VP sleeps inside RUN until an interrupt
 * arrives, and an AP set to WAIT_SIPI (vm.c) sleeps there until the boot
 * processor's INIT-SIPI-SIPI. So a guest that halts with interrupts off
 * simply stays halted, as on hardware, until hvctl stop or --timeout.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "hvctl.h"
#include "vm.h"

#define X86_CR0_PG		(1ULL << 31)
#define X86_CR4_PAE		(1ULL << 5)
#define EFER_LMA		(1ULL << 10)
#define HV_STATUS_INVALID_HYPERCALL_CODE	0x0002

int vp_boot(struct vp *vp, const struct boot_cpu *cpu)
{
	struct hvpart_sregs sregs;
	struct hvpart_regs regs;
	int ret;

	ret = hvp_vp_get_sregs(&vp->hvp, &sregs);
	if (!ret) {
		boot_cpu_regs(cpu, &regs, &sregs);
		ret = hvp_vp_set_sregs(&vp->hvp, &sregs);
	}
	if (!ret)
		ret = hvp_vp_set_regs(&vp->hvp, &regs);
	return ret;
}

/*
 * Guest-virtual to guest-physical for the crash dump: no paging, or
 * 4-level long mode. Anything else (32-bit paging) is not decoded.
 */
static bool vp_translate(struct vm *vm, const struct hvpart_sregs *s, uint64_t gva,
			 uint64_t *gpa)
{
	uint64_t table = s->cr3 & 0x000ffffffffff000ULL, e = 0;
	int level, shift;

	if (!(s->cr0 & X86_CR0_PG)) {
		*gpa = gva & 0xffffffffULL;
		return true;
	}
	if (!(s->efer & EFER_LMA) || !(s->cr4 & X86_CR4_PAE))
		return false;
	for (level = 4; level >= 1; level--) {
		const uint8_t *p;

		shift = 12 + 9 * (level - 1);
		p = gpa_ptr(&vm->mem, table + ((gva >> shift) & 0x1ff) * 8, 8);
		if (!p)
			return false;
		memcpy(&e, p, 8);
		if (!(e & 1))
			return false;
		if (level <= 3 && level >= 2 && (e & (1ULL << 7))) {
			*gpa = (e & 0x000fffffffe00000ULL & ~((1ULL << shift) - 1)) |
			       (gva & ((1ULL << shift) - 1));
			return true;
		}
		table = e & 0x000ffffffffff000ULL;
	}
	*gpa = table | (gva & 0xfff);
	return true;
}

void vp_dump(struct vp *vp)
{
	struct vm *vm = vp->vm;
	struct hvpart_regs r;
	struct hvpart_sregs s;
	const char *n = vp->hvp.name;
	uint64_t gpa;
	const uint8_t *code;
	char bytes[16 * 3 + 1] = "";
	int i;

	if (hvp_vp_get_regs(&vp->hvp, &r) || hvp_vp_get_sregs(&vp->hvp, &s)) {
		hvctl_err("%s", hvp_error());
		return;
	}
	hvctl_err("%s: rip %016llx rsp %016llx rflags %08llx", n, (unsigned long long)r.rip,
		  (unsigned long long)r.rsp, (unsigned long long)r.rflags);
	hvctl_err("%s: rax %016llx rbx %016llx rcx %016llx rdx %016llx", n,
		  (unsigned long long)r.rax, (unsigned long long)r.rbx,
		  (unsigned long long)r.rcx, (unsigned long long)r.rdx);
	hvctl_err("%s: rsi %016llx rdi %016llx rbp %016llx r8  %016llx", n,
		  (unsigned long long)r.rsi, (unsigned long long)r.rdi,
		  (unsigned long long)r.rbp, (unsigned long long)r.r8);
	hvctl_err("%s: cr0 %016llx cr2 %016llx cr3 %016llx cr4 %016llx efer %llx", n,
		  (unsigned long long)s.cr0, (unsigned long long)s.cr2,
		  (unsigned long long)s.cr3, (unsigned long long)s.cr4,
		  (unsigned long long)s.efer);
	hvctl_err("%s: cs %04x (base %llx attr %x) ss %04x idt %llx/%x gdt %llx/%x", n,
		  s.cs.selector, (unsigned long long)s.cs.base, s.cs.attrib, s.ss.selector,
		  (unsigned long long)s.idt.base, s.idt.limit, (unsigned long long)s.gdt.base,
		  s.gdt.limit);
	if (!vp_translate(vm, &s, r.rip + s.cs.base * !(s.efer & EFER_LMA), &gpa))
		return;
	code = gpa_ptr(&vm->mem, gpa, 16);
	if (!code)
		return;
	for (i = 0; i < 16; i++)
		snprintf(bytes + 3 * i, sizeof(bytes) - 3 * i, " %02x", code[i]);
	hvctl_err("%s: code at gpa %llx:%s", n, (unsigned long long)gpa, bytes);
}

/*
 * Before each RUN: park while paused (counted in nr_waiting, which
 * vm_pause() waits for); false once the run is finishing.
 */
static bool vp_may_run(struct vp *vp)
{
	struct vm *vm = vp->vm;
	bool go;

	pthread_mutex_lock(&vm->lock);
	if (vm->state == VM_PAUSED) {
		vm->nr_waiting++;
		pthread_cond_broadcast(&vm->waiting_cond);
		while (vm->state == VM_PAUSED)
			pthread_cond_wait(&vm->cond, &vm->lock);
		vm->nr_waiting--;
	}
	go = vm->state == VM_RUNNING;
	pthread_mutex_unlock(&vm->lock);
	return go;
}

static bool vp_handle_io(struct vp *vp)
{
	struct hvpart_run *run = vp->hvp.run;
	uint64_t data = run->io.data;
	bool out = run->io.direction == HVPART_IO_OUT;

	if (run->io.size != 1 && run->io.size != 2 && run->io.size != 4) {
		hvctl_err("%s: port %#x: access of %u bytes", vp->hvp.name, run->io.port,
			  run->io.size);
		vm_finish(vp->vm, HVCTL_EXIT_ERROR, "bad IO exit from the module");
		return false;
	}
	io_port(vp->vm, run->io.port, run->io.size, out, &data);
	if (!out)
		run->io.data = data & ((1ULL << (8 * run->io.size)) - 1);
	return true;
}

static bool vp_handle_memory(struct vp *vp)
{
	struct hvpart_run *run = vp->hvp.run;
	static const char *const access[] = { "read", "write", "execute" };
	const char *what = run->memory.access < 3 ? access[run->memory.access] : "access";
	uint64_t data = run->memory.data;
	bool write = run->memory.access == HVPART_ACCESS_WRITE;

	if ((run->memory.flags & HVPART_MEMORY_F_MAPPED) ||
	    run->memory.access == HVPART_ACCESS_EXEC || !(run->memory.flags & HVPART_MEMORY_F_DECODED) ||
	    run->memory.len < 1 || run->memory.len > 8) {
		vp_dump(vp);
		vm_finish(vp->vm, HVCTL_EXIT_CRASH,
			  "%s: %s of %s guest-physical %#llx at rip %#llx cannot be emulated%s",
			  vp->hvp.name, what,
			  run->memory.flags & HVPART_MEMORY_F_MAPPED ? "protected" : "unmapped",
			  (unsigned long long)run->memory.gpa, (unsigned long long)run->rip,
			  run->memory.flags & HVPART_MEMORY_F_DECODED ? "" : " (instruction not decoded)");
		return false;
	}
	io_mmio(vp->vm, run->memory.gpa, run->memory.len, write, &data);
	if (!write)
		run->memory.data = data;
	return true;
}

/*
 * The guest reported a crash through the Hyper-V crash MSRs. Linux puts
 * the panic's error code, its guest OS id, RIP, RAX and RSP in P0-P4
 * (hyperv-facts §1, hv_kmsg_dump / hyperv_report_panic).
 */
static bool vp_handle_crash(struct vp *vp)
{
	const __u64 *p = vp->hvp.run->hv_crash.params;

	hvctl_err("%s: crash report: P0 %#llx P1 %#llx P2 %#llx P3 %#llx P4 %#llx", vp->hvp.name,
		  (unsigned long long)p[0], (unsigned long long)p[1], (unsigned long long)p[2],
		  (unsigned long long)p[3], (unsigned long long)p[4]);
	vm_finish(vp->vm, HVCTL_EXIT_CRASH,
		  "%s: guest crashed (error %#llx at rip %#llx; Hyper-V crash report)",
		  vp->hvp.name, (unsigned long long)p[0], (unsigned long long)p[2]);
	return false;
}

static bool vp_handle_internal(struct vp *vp)
{
	struct hvpart_run *run = vp->hvp.run;
	uint32_t sub = run->internal.suberror;
	bool guest = sub == HVPART_INTERNAL_EMULATION || sub == HVPART_INTERNAL_UNSUPPORTED;

	vp_dump(vp);
	vm_finish(vp->vm, guest ? HVCTL_EXIT_CRASH : HVCTL_EXIT_ERROR,
		  "%s: internal error %s at rip %#llx (hardware exit %#llx, info %#llx %#llx, cpu %u)",
		  vp->hvp.name, hvp_internal_error_name(sub), (unsigned long long)run->rip,
		  (unsigned long long)run->internal.hw_exit_code,
		  (unsigned long long)run->internal.info1,
		  (unsigned long long)run->internal.info2, run->internal.cpu);
	return false;
}

static bool vp_handle_exit(struct vp *vp)
{
	struct hvpart_run *run = vp->hvp.run;

	switch (run->exit_reason) {
	case HVPART_EXIT_IO:
		return vp_handle_io(vp);
	case HVPART_EXIT_MEMORY:
		return vp_handle_memory(vp);
	case HVPART_EXIT_HLT:
		/* Only with HVPART_PARTITION_F_HLT_EXITS, which hvctl does not ask for. */
		return true;
	case HVPART_EXIT_HV_CRASH:
		return vp_handle_crash(vp);
	case HVPART_EXIT_SHUTDOWN:
		vp_dump(vp);
		vm_finish(vp->vm, HVCTL_EXIT_CRASH, "%s: triple fault at rip %#llx",
			  vp->hvp.name, (unsigned long long)run->rip);
		return false;
	case HVPART_EXIT_HYPERCALL:
		/* What the module does not handle does not exist. */
		hvctl_debug("%s: hypercall %#llx at rip %#llx: invalid code", vp->hvp.name,
			    (unsigned long long)run->hypercall.input,
			    (unsigned long long)run->rip);
		run->hypercall.result = HV_STATUS_INVALID_HYPERCALL_CODE;
		return true;
	case HVPART_EXIT_INTERNAL_ERROR:
		return vp_handle_internal(vp);
	case HVPART_EXIT_EOI:
		ioapic_eoi(vp->vm, (uint8_t)run->eoi.vector);
		return true;
	case HVPART_EXIT_NONE:
	case HVPART_EXIT_INTR:
		return true;
	}
	/* A reason newer than this hvctl. */
	vp_dump(vp);
	vm_finish(vp->vm, HVCTL_EXIT_ERROR, "%s: unhandled exit reason %u (%s) at rip %#llx",
		  vp->hvp.name, run->exit_reason, hvp_exit_name(run->exit_reason),
		  (unsigned long long)run->rip);
	return false;
}

void *vp_thread(void *arg)
{
	struct vp *vp = arg;
	struct vm *vm = vp->vm;
	sigset_t kick;
	char tname[16];
	int ret;

	/* SIGUSR1 is the kick (vm_kick_all): only VP threads take it. */
	sigemptyset(&kick);
	sigaddset(&kick, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
	snprintf(tname, sizeof(tname), "vp%u", vp->index);
	pthread_setname_np(pthread_self(), tname);

	for (;;) {
		/* Clear before looking at the state: see vm.h. */
		__atomic_store_n(&vp->hvp.run->immediate_exit, 0, __ATOMIC_SEQ_CST);
		if (!vp_may_run(vp))
			break;
		ret = hvp_vp_run(&vp->hvp);
		if (ret == -EINTR)
			continue;
		if (ret) {
			vm_finish(vm, HVCTL_EXIT_ERROR, "%s", hvp_error());
			break;
		}
		if (!vp_handle_exit(vp))
			break;
	}
	return NULL;
}
