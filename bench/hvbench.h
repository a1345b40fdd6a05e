/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvbench: one benchmark program, two VMMs behind one ops table.
 *
 * hvbench.c holds the method (doubling loop, median of runs), the rows
 * and the table; image.c builds the guest's memory and initial state once;
 * vmm_kvm.c and vmm_hvpart.c each turn that into ioctls on their device.
 */
#ifndef BENCH_HVBENCH_H
#define BENCH_HVBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest.h"

/* A segment register, vendor and VMM neutral; each VMM converts it. */
struct bench_seg {
	uint64_t base;
	uint32_t limit;		/* in bytes */
	uint16_t selector;
	uint8_t type;		/* descriptor type, 4 bits */
	bool s, present, l, db, g;
	bool unusable;
};

/* The VP's state at the guest's first instruction. */
struct bench_vp_state {
	struct bench_seg cs, ds, es, fs, gs, ss, tr, ldt;
	uint64_t gdt_base, idt_base;
	uint16_t gdt_limit, idt_limit;
	uint64_t cr0, cr3, cr4, efer;
	uint64_t rip, rsp, rflags;
};

/* image.c */
void bench_image_build(void *low_mem);
void bench_vp_initial_state(struct bench_vp_state *st);

struct bench_vm;

/*
 * What a VMM provides. Functions return 0 or a negative errno and print
 * what failed (naming the ioctl) themselves.
 */
struct vmm_ops {
	const char *name;
	/* Open the device and check its API version. */
	int (*init)(void);
	/* One line: the hypervisor's version and what it is using. */
	void (*describe)(char *buf, size_t len);

	/*
	 * A VM with the low 2 MiB (@low_mem, already holding the image)
	 * mapped and VP 0 set up to run the guest. BENCH_VM_HYPERV: with the
	 * hypervisor's Hyper-V interface (-EOPNOTSUPP if it has none).
	 * BENCH_VM_SYNIC (with BENCH_VM_HYPERV): with its SynIC too, and the
	 * VMM answers the guest's round trips (guest.h): HvSignalEvent on
	 * BENCH_HV_CONN_EVENT with event flag BENCH_HV_FLAG, HvPostMessage on
	 * BENCH_HV_CONN_MSG with a BENCH_HV_MSG_HOST message echoing the
	 * payload, both on SINT BENCH_SINT of VP 0, wherever the hypervisor
	 * hands the guest's call to userspace (a thread on an eventfd or a
	 * connection fd, or the run loop). A thread that fails stops RUN
	 * with SIGUSR1 (bench_kick_init) and vm_run returns its error.
	 */
	int (*vm_create)(void *low_mem, unsigned int flags, struct bench_vm **vm);
	void (*vm_destroy)(struct bench_vm *vm);
	/*
	 * Run VP 0 until the guest reports on BENCH_PORT_CTRL. Exits to
	 * BENCH_PORT_NOP and (on hvpart) hypercalls are answered on the way.
	 */
	int (*vm_run)(struct bench_vm *vm);
	/* Map or unmap [gpa, gpa + size) backed by @hva (slot 1 on KVM). */
	int (*mem_map)(struct bench_vm *vm, uint64_t gpa, uint64_t size, void *hva);
	int (*mem_unmap)(struct bench_vm *vm, uint64_t gpa, uint64_t size);
	/* Hypercalls the run loop has answered in userspace so far. */
	uint64_t (*user_hypercalls)(struct bench_vm *vm);
	/*
	 * The VM's debugfs directory and, under it, VP 0's (for the
	 * watchdog's dump); -errno if unknown.
	 */
	int (*debugfs_dirs)(struct bench_vm *vm, char *dir, size_t len, const char **vp0);
	/* SLAT leaves of 2 MiB now installed, from debugfs; -errno if unknown. */
	int (*slat_2m_leaves)(struct bench_vm *vm, uint64_t *n);

	/* Bare objects for the creation rows: return an fd, close() it. */
	int (*partition_create)(void);
	/* Make a partition fd ready to take VPs (KVM: its split irqchip). */
	int (*partition_prepare_vps)(int part_fd);
	int (*vp_create)(int part_fd, unsigned int index);

	/* RAX the unknown hypercall leaves behind. */
	uint64_t hypercall_result;
	/* RAX the MAP_GPA_RANGE call leaves behind, answered by the VMM. */
	uint64_t user_hypercall_result;
};

extern const struct vmm_ops vmm_kvm_ops;
extern const struct vmm_ops vmm_hvpart_ops;

#define BENCH_VM_HYPERV		(1u << 0)
#define BENCH_VM_SYNIC		(1u << 1)
/*
 * Hypercalls go to the VMM: hvpart's default policy (HVPART_EXIT_HYPERCALL
 * for every call); KVM_CAP_EXIT_HYPERCALL for MAP_GPA_RANGE on KVM. Without
 * it hvpart answers unknown hypercalls in the kernel, as KVM does
 * (HVPART_SET_HYPERCALL_POLICY with RESULT).
 */
#define BENCH_VM_USER_HYPERCALLS	(1u << 2)

/* TLFS hypercall status values the VMMs answer with. */
#define BENCH_HV_STATUS_SUCCESS			0
#define BENCH_HV_STATUS_INVALID_PARAMETER	5
#define BENCH_HV_STATUS_INVALID_CONNECTION_ID	0x12

/*
 * The TLFS status for an unknown call code: what hvpart's run loop answers
 * a hypercall it is handed, and what both hypervisors' Hyper-V interfaces
 * answer in the kernel.
 */
#define BENCH_HV_STATUS_INVALID_HYPERCALL_CODE	2

/*
 * SIGUSR1 interrupts a blocking ioctl (no SA_RESTART) and does nothing
 * else: a VMM's helper thread that fails sends it to the thread in RUN.
 */
void bench_kick_init(void);

/*
 * Set by the watchdog (hvbench.c) when the guest stopped making progress;
 * each vm_run returns -ETIMEDOUT on the EINTR that follows.
 */
extern volatile int bench_abort;

/* Read a debugfs counter: a file holding one decimal number. */
int bench_read_u64_file(const char *path, uint64_t *value);

#endif /* BENCH_HVBENCH_H */
