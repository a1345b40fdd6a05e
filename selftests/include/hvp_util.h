/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hvpart selftest library: partitions ("VMs") and VPs with one simple
 * guest layout, in the shape of KVM's selftests (kvm_util.h).
 *
 * vm_create() opens /dev/hvpart, creates a partition, backs guest-physical
 * 0 .. mem_size with anonymous memory mapped READ|WRITE|EXEC, copies the
 * test binary's own loadable segments to GPA == their link address
 * (static non-PIE: 0x400000), and builds identity-mapped long-mode page
 * tables (0-4 GiB, 2 MiB pages), a GDT (processor.h selectors), a TSS and an
 * IDT whose 256 vectors report "unexpected exception" through a ucall
 * unless a test installed a handler (exceptions 0-31, interrupts 32-255).
 * Guest code is ordinary C in the test file; because GVA == GPA == host link
 * address, a guest pointer to a global is the host's pointer to the same
 * global (in the guest's copy).
 *
 * Host code talks to the module only through the ioctl macros below, which
 * name the failing ioctl and static-assert the argument size against the
 * ioctl number (uapi drift then fails to compile). The "__" forms return
 * the raw result for bad-input tests. No other library sits in between:
 * selftests test the ABI itself.
 */
#ifndef SELFTEST_HVPART_HVP_UTIL_H
#define SELFTEST_HVPART_HVP_UTIL_H

#include <assert.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include <linux/hvpart.h>

#include "processor.h"
#include "test_util.h"
#include "ucall.h"

#define HVPART_DEV_PATH		"/dev/hvpart"
#define HVP_DEFAULT_MEM_SIZE	(64ULL << 20)
#define HVP_VP_STACK_SIZE	(64ULL << 10)
#define HVP_MAX_VPS		256
#define HVP_MAX_REGIONS		16

/* A guest-physical range the library knows how to translate. */
struct hvp_region {
	uint64_t gpa;
	uint64_t size;
	void *hva;
	uint32_t flags;
};

struct hvp_vm {
	int dev_fd;			/* /dev/hvpart */
	int fd;				/* partition fd */
	uint64_t backend;		/* enum hvpart_backend */
	void *mem;			/* host view of GPA 0 .. mem_size */
	uint64_t mem_size;
	uint64_t next_free;		/* bump allocator for vm_alloc() */
	uint64_t image_end;		/* end of the copied test binary */
	struct hvp_region regions[HVP_MAX_REGIONS];
	unsigned int nr_regions;
	struct hvp_vp *vps[HVP_MAX_VPS];
};

struct hvp_vp {
	struct hvp_vm *vm;
	uint32_t index;
	int fd;
	struct hvpart_run *run;
	uint64_t stack_top;		/* GPA just above this VP's stack */
};

/* ---- ioctls -------------------------------------------------------------- */

#define hvp_ioctl_assert_size(cmd, arg)						\
	static_assert(!_IOC_SIZE(cmd) || sizeof(*(arg)) == _IOC_SIZE(cmd),	\
		      "ioctl " #cmd ": argument size differs from the ABI")

/* Raw: returns ioctl()'s result, errno as set by the module. */
#define __hvp_ioctl(fd, cmd, arg) ({						\
	hvp_ioctl_assert_size(cmd, arg);					\
	ioctl(fd, cmd, arg);							\
})

/*
 * Asserting: fails the test naming the object and the ioctl unless the
 * result is >= 0. @name is stringified at the outermost macro, so it reads
 * "HVPART_MAP_GPA", not the expanded number.
 */
#define __hvp_ioctl_checked(fd, cmd, arg, what, name) ({			\
	int __r = __hvp_ioctl(fd, cmd, arg);					\
	TEST_ASSERT(__r >= 0, "%s: %s failed, rc: %d errno: %d (%s)",		\
		    what, name, __r, errno, strerror(errno));			\
	__r;									\
})
#define hvp_ioctl(fd, cmd, arg, what)	__hvp_ioctl_checked(fd, cmd, arg, what, #cmd)

#define __dev_ioctl(vm, cmd, arg)	__hvp_ioctl((vm)->dev_fd, cmd, arg)
#define dev_ioctl(vm, cmd, arg)	\
	__hvp_ioctl_checked((vm)->dev_fd, cmd, arg, HVPART_DEV_PATH, #cmd)
#define __vm_ioctl(vm, cmd, arg)	__hvp_ioctl((vm)->fd, cmd, arg)
#define vm_ioctl(vm, cmd, arg)	__hvp_ioctl_checked((vm)->fd, cmd, arg, "partition", #cmd)
#define __vp_ioctl(vp, cmd, arg)	__hvp_ioctl((vp)->fd, cmd, arg)
#define vp_ioctl(vp, cmd, arg)	__hvp_ioctl_checked((vp)->fd, cmd, arg, "VP", #cmd)

/* ---- /dev/hvpart ---------------------------------------------------------- */

/* Open /dev/hvpart, or skip the test when it does not exist. */
int open_hvpart_dev(void);
/* HVPART_CHECK_CAP on a fresh fd (or @dev_fd when >= 0); asserts success. */
uint64_t hvp_check_cap(int dev_fd, uint32_t cap);
/* The supported CPUID table, malloc'ed; *nent gets its size. */
struct hvpart_cpuid_entry *hvp_get_supported_cpuid(int dev_fd, uint32_t *nent);
const char *exit_reason_str(uint32_t reason);

/* ---- partitions ----------------------------------------------------------- */

struct hvp_vm *vm_create(void);
/* @flags: HVPART_PARTITION_F_*, e.g. HLT_EXITS to see HLT in userspace. */
struct hvp_vm *vm_create_with_flags(uint64_t mem_size, uint64_t flags);
struct hvp_vm *vm_create_with_mem(uint64_t mem_size);
/* vm_create() + vm_vp_add(vm, 0, guest_code). */
struct hvp_vm *vm_create_with_one_vp(struct hvp_vp **vp, void (*guest_code)(void));
/* Close VP fds, unmap run pages, close the partition, free guest memory. */
void vm_free(struct hvp_vm *vm);

/* HVPART_MAP_GPA plus bookkeeping so addr_gpa2hva() knows the range. */
void vm_map(struct hvp_vm *vm, uint64_t gpa, uint64_t size, void *hva, uint32_t flags);
int __vm_map(struct hvp_vm *vm, uint64_t gpa, uint64_t size, void *hva, uint32_t flags);
void vm_unmap(struct hvp_vm *vm, uint64_t gpa, uint64_t size);

/* Guest memory above the binary (stacks, test buffers); zeroed, GPA returned. */
uint64_t vm_alloc(struct hvp_vm *vm, uint64_t size, uint64_t align);

void *addr_gpa2hva(struct hvp_vm *vm, uint64_t gpa);
/* GVA == GPA in the library's identity mapping. */
static inline void *addr_gva2hva(struct hvp_vm *vm, uint64_t gva)
{
	return addr_gpa2hva(vm, gva);
}
#define addr_ptr2hva(vm, p)	addr_gva2hva(vm, (uint64_t)(uintptr_t)(p))

/* Copy a host global to the guest's copy of it, or back. */
#define sync_global_to_guest(vm, g) \
	memcpy(addr_ptr2hva(vm, &(g)), &(g), sizeof(g))
#define sync_global_from_guest(vm, g) \
	memcpy(&(g), addr_ptr2hva(vm, &(g)), sizeof(g))
/* Write a value to the guest's copy of a global without touching the host's. */
#define write_guest_global(vm, g, v) do {					\
	__typeof__(g) __v = (v);						\
	memcpy(addr_ptr2hva(vm, &(g)), &__v, sizeof(g));			\
} while (0)

/* Route guest exception @vector to @handler (NULL: back to "unexpected"). */
void vm_install_exception_handler(struct hvp_vm *vm, int vector,
				  hvp_exception_handler_t handler);
/*
 * Route interrupt @vector (32-255) to @handler, which runs with interrupts
 * off; when it returns the library EOIs the local APIC (x2APIC or xAPIC,
 * whichever the VP uses). With HVP_IRQ_NO_EOI the handler EOIs itself, or
 * not at all (SynIC auto-EOI, tests of ISR and PPR).
 */
#define HVP_IRQ_NO_EOI		(1U << 0)
void vm_install_interrupt_handler(struct hvp_vm *vm, int vector,
				  hvp_exception_handler_t handler);
void vm_install_interrupt_handler_flags(struct hvp_vm *vm, int vector,
					hvp_exception_handler_t handler, uint8_t flags);

/* ---- VPs ------------------------------------------------------------------ */

/* Create VP @index (raw: no sregs/regs set, the x86 reset state). */
struct hvp_vp *vm_vp_add_raw(struct hvp_vm *vm, uint32_t index);
/* Create VP @index in 64-bit mode about to run @guest_code on its own stack. */
struct hvp_vp *vm_vp_add(struct hvp_vm *vm, uint32_t index, void (*guest_code)(void));

/* Fill @sregs with the library's long-mode state (flat segments, paging). */
void vp_sregs_long_mode(struct hvp_vm *vm, struct hvpart_sregs *sregs);
/* The hidden part of a GDT selector from processor.h (SEL_*). */
void hvp_segment_from_gdt(uint16_t selector, struct hvpart_segment *seg);
/* A real-mode segment: base = selector << 4, limit 64 KiB. */
void hvp_real_mode_segment(struct hvpart_segment *seg, uint16_t selector, bool code);
/* Point the VP at @guest_code with a fresh stack (registers zeroed). */
void vp_set_entry(struct hvp_vp *vp, void (*guest_code)(void));
/* Put up to 6 integer arguments in RDI, RSI, RDX, RCX, R8, R9. */
void vp_args_set(struct hvp_vp *vp, unsigned int n, ...);

int __vp_run(struct hvp_vp *vp);
void vp_run(struct hvp_vp *vp);
/*
 * Run and expect a ucall: a guest assert or unexpected exception fails the
 * test with the guest's report; any other exit fails naming the exit.
 * Returns UCALL_SYNC or UCALL_DONE.
 */
uint64_t vp_run_ucall(struct hvp_vp *vp, struct ucall *uc);
/* Run and expect GUEST_SYNC(stage) / GUEST_DONE(). */
void vp_run_expect_sync(struct hvp_vp *vp, uint64_t stage);
void vp_run_expect_done(struct hvp_vp *vp);

#define TEST_ASSERT_EXIT_REASON(vp, expected) do {				\
	uint32_t __er = (vp)->run->exit_reason;				\
	TEST_ASSERT(__er == (expected),						\
		    "Wanted exit %s, got %s (%u) at rip %#llx",			\
		    exit_reason_str(expected), exit_reason_str(__er), __er,	\
		    (unsigned long long)(vp)->run->rip);			\
} while (0)

void vp_regs_get(struct hvp_vp *vp, struct hvpart_regs *regs);
void vp_regs_set(struct hvp_vp *vp, const struct hvpart_regs *regs);
void vp_sregs_get(struct hvp_vp *vp, struct hvpart_sregs *sregs);
void vp_sregs_set(struct hvp_vp *vp, const struct hvpart_sregs *sregs);
uint64_t vp_get_msr(struct hvp_vp *vp, uint32_t index);
void vp_set_msr(struct hvp_vp *vp, uint32_t index, uint64_t value);
/* The VP's CPUID table, malloc'ed; *nent gets its size. */
struct hvpart_cpuid_entry *vp_get_cpuid(struct hvp_vp *vp, uint32_t *nent);
void vp_set_cpuid(struct hvp_vp *vp, const struct hvpart_cpuid_entry *e, uint32_t nent);

/* Print the VP's registers as TAP diagnostics (for failure analysis). */
void vp_dump(struct hvp_vp *vp);

/* ---- guest side ----------------------------------------------------------- */

/* Which instruction makes a hypercall: vmmcall on SVM, vmcall on VMX. */
extern uint64_t guest_backend;
uint64_t guest_hypercall(uint64_t input, uint64_t in_gpa, uint64_t out_gpa);

/* ---- library internals ---------------------------------------------------- */

/* Is [p, p + len) inside the binary's loadable image (host view)? */
bool host_image_contains(const void *p, size_t len);
/* Page tables, GDT, TSS and IDT in guest memory (processor.c). */
void vm_setup_sys_tables(struct hvp_vm *vm);

#endif /* SELFTEST_HVPART_HVP_UTIL_H */
