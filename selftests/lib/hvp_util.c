// SPDX-License-Identifier: GPL-2.0
/*
 * Partitions and VPs for selftests (see hvp_util.h for the guest layout).
 *
 * Guest image: a static non-PIE test binary is linked at 0x400000 and runs
 * in the host at that address; the library copies each PT_LOAD segment
 * from the *running process* (found through AT_PHDR/AT_PHNUM) into guest
 * memory at GPA == virtual address. Copying live memory rather than the
 * file means initialised data, relocated pointers (IRELATIVE GOT slots)
 * and anything the test set up before vm_create() are what the guest sees.
 * Later host changes reach the guest only through sync_global_to_guest().
 */
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvp_util.h"

static const char * const exit_reason_names[] = {
	[HVPART_EXIT_NONE]		= "NONE",
	[HVPART_EXIT_IO]		= "IO",
	[HVPART_EXIT_MEMORY]		= "MEMORY",
	[HVPART_EXIT_HLT]		= "HLT",
	[HVPART_EXIT_SHUTDOWN]		= "SHUTDOWN",
	[HVPART_EXIT_HYPERCALL]		= "HYPERCALL",
	[HVPART_EXIT_INTERNAL_ERROR]	= "INTERNAL_ERROR",
	[HVPART_EXIT_INTR]		= "INTR",
	[HVPART_EXIT_EOI]		= "EOI",
	[HVPART_EXIT_HV_CRASH]		= "HV_CRASH",
	[HVPART_EXIT_HV_MESSAGE]	= "HV_MESSAGE",
};

const char *exit_reason_str(uint32_t reason)
{
	if (reason < ARRAY_SIZE(exit_reason_names) && exit_reason_names[reason])
		return exit_reason_names[reason];
	return "(unknown exit reason)";
}

/* ---- /dev/hvpart ------------------------------------------------------------ */

int open_hvpart_dev(void)
{
	int fd = open(HVPART_DEV_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		test_skip("%s not present (hvpart.ko not loaded?)", HVPART_DEV_PATH);
	TEST_ASSERT(fd >= 0, "open(%s)", HVPART_DEV_PATH);
	return fd;
}

uint64_t hvp_check_cap(int dev_fd, uint32_t cap)
{
	struct hvpart_cap_query q = { .cap = cap };
	int fd = dev_fd >= 0 ? dev_fd : open_hvpart_dev();
	int r;

	r = __hvp_ioctl(fd, HVPART_CHECK_CAP, &q);
	TEST_ASSERT(r == 0, "HVPART_CHECK_CAP(%u) failed, rc: %d", cap, r);
	if (dev_fd < 0)
		close(fd);
	return q.value;
}

static uint32_t max_cpuid_entries(int dev_fd)
{
	uint64_t max = hvp_check_cap(dev_fd, HVPART_CAP_MAX_CPUID_ENTRIES);

	TEST_ASSERT(max > 0 && max <= 4096,
		    "HVPART_CAP_MAX_CPUID_ENTRIES = %lu", (unsigned long)max);
	return max;
}

struct hvpart_cpuid_entry *hvp_get_supported_cpuid(int dev_fd, uint32_t *nent)
{
	uint32_t max = max_cpuid_entries(dev_fd);
	struct hvpart_cpuid_entry *e = calloc(max, sizeof(*e));
	struct hvpart_cpuid c = { .nent = max, .entries = (uintptr_t)e };

	TEST_ASSERT(e, "calloc");
	hvp_ioctl(dev_fd, HVPART_GET_SUPPORTED_CPUID, &c, HVPART_DEV_PATH);
	TEST_ASSERT(c.nent <= max, "GET_SUPPORTED_CPUID filled %u > %u", c.nent, max);
	*nent = c.nent;
	return e;
}

/* ---- the binary image ---------------------------------------------------------- */

static const Elf64_Phdr *image_phdrs(unsigned long *n)
{
	*n = getauxval(AT_PHNUM);
	return (const Elf64_Phdr *)getauxval(AT_PHDR);
}

bool host_image_contains(const void *p, size_t len)
{
	uint64_t a = (uintptr_t)p;
	const Elf64_Phdr *ph;
	unsigned long i, n;

	ph = image_phdrs(&n);
	for (i = 0; i < n; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (a >= ph[i].p_vaddr && a + len <= ph[i].p_vaddr + ph[i].p_memsz)
			return true;
	}
	return false;
}

static void vm_load_image(struct hvp_vm *vm)
{
	const Elf64_Phdr *ph;
	unsigned long i, n;
	uint64_t end = 0;

	ph = image_phdrs(&n);
	TEST_ASSERT(ph && n, "no program headers in the auxiliary vector");
	for (i = 0; i < n; i++) {
		uint64_t va = ph[i].p_vaddr, sz = ph[i].p_memsz;

		if (ph[i].p_type != PT_LOAD || !sz)
			continue;
		TEST_ASSERT(va >= SYS_END_GPA && va + sz <= vm->mem_size,
			    "segment %#lx-%#lx does not fit the guest layout "
			    "(is the test linked static non-PIE at 0x400000?)",
			    (unsigned long)va, (unsigned long)(va + sz));
		memcpy((char *)vm->mem + va, (const void *)(uintptr_t)va, sz);
		if (va + sz > end)
			end = va + sz;
	}
	vm->image_end = end;
}

/* ---- partitions ----------------------------------------------------------------- */

int __vm_map(struct hvp_vm *vm, uint64_t gpa, uint64_t size, void *hva, uint32_t flags)
{
	struct hvpart_mem_map m = {
		.guest_pa = gpa,
		.size = size,
		.user_addr = (uintptr_t)hva,
		.flags = flags,
	};
	int r;

	r = __vm_ioctl(vm, HVPART_MAP_GPA, &m);
	if (r)
		return r;
	TEST_ASSERT(vm->nr_regions < HVP_MAX_REGIONS, "too many regions");
	vm->regions[vm->nr_regions++] = (struct hvp_region) {
		.gpa = gpa, .size = size, .hva = hva, .flags = flags,
	};
	return 0;
}

void vm_map(struct hvp_vm *vm, uint64_t gpa, uint64_t size, void *hva, uint32_t flags)
{
	int r = __vm_map(vm, gpa, size, hva, flags);

	TEST_ASSERT(!r, "HVPART_MAP_GPA gpa %#lx size %#lx flags %#x failed, rc: %d",
		    (unsigned long)gpa, (unsigned long)size, flags, r);
}

void vm_unmap(struct hvp_vm *vm, uint64_t gpa, uint64_t size)
{
	struct hvpart_mem_unmap u = { .guest_pa = gpa, .size = size };
	unsigned int i;

	vm_ioctl(vm, HVPART_UNMAP_GPA, &u);
	for (i = 0; i < vm->nr_regions; i++) {
		if (vm->regions[i].gpa == gpa) {
			vm->regions[i] = vm->regions[--vm->nr_regions];
			break;
		}
	}
}

void *addr_gpa2hva(struct hvp_vm *vm, uint64_t gpa)
{
	unsigned int i;

	for (i = 0; i < vm->nr_regions; i++) {
		struct hvp_region *r = &vm->regions[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return (char *)r->hva + (gpa - r->gpa);
	}
	TEST_FAIL("GPA %#lx is not in any mapped range", (unsigned long)gpa);
	return NULL;
}

uint64_t vm_alloc(struct hvp_vm *vm, uint64_t size, uint64_t align)
{
	uint64_t gpa = ALIGN_UP(vm->next_free, align ? align : SZ_4K);

	TEST_ASSERT(gpa + size <= vm->mem_size,
		    "guest memory exhausted (%#lx + %#lx > %#lx)", (unsigned long)gpa,
		    (unsigned long)size, (unsigned long)vm->mem_size);
	vm->next_free = gpa + size;
	memset(addr_gpa2hva(vm, gpa), 0, size);
	return gpa;
}

/*
 * Tests see HLT as an exit by default: most have no interrupt source that
 * could wake a VP sleeping in the kernel. Interrupt tests pass flags 0.
 */
struct hvp_vm *vm_create_with_mem(uint64_t mem_size)
{
	return vm_create_with_flags(mem_size, HVPART_PARTITION_F_HLT_EXITS);
}

struct hvp_vm *vm_create_with_flags(uint64_t mem_size, uint64_t flags)
{
	struct hvpart_partition_create pc = { .flags = flags };
	struct hvp_vm *vm = calloc(1, sizeof(*vm));

	TEST_ASSERT(vm, "calloc");
	TEST_ASSERT(IS_ALIGNED(mem_size, SZ_2M), "guest memory size must be 2 MiB aligned");
	vm->dev_fd = open_hvpart_dev();
	vm->backend = hvp_check_cap(vm->dev_fd, HVPART_CAP_BACKEND);
	TEST_ASSERT(vm->backend == HVPART_BACKEND_SVM || vm->backend == HVPART_BACKEND_VMX,
		    "unknown backend %lu", (unsigned long)vm->backend);
	vm->fd = dev_ioctl(vm, HVPART_CREATE_PARTITION, &pc);

	vm->mem_size = mem_size;
	vm->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	TEST_ASSERT(vm->mem != MAP_FAILED, "mmap of %lu bytes of guest memory",
		    (unsigned long)mem_size);
	vm_map(vm, 0, mem_size, vm->mem, HVPART_MEM_READ | HVPART_MEM_WRITE | HVPART_MEM_EXEC);

	vm_load_image(vm);
	vm->next_free = ALIGN_UP(vm->image_end, SZ_4K);
	vm_setup_sys_tables(vm);
	write_guest_global(vm, guest_backend, vm->backend);
	return vm;
}

struct hvp_vm *vm_create(void)
{
	return vm_create_with_mem(HVP_DEFAULT_MEM_SIZE);
}

struct hvp_vm *vm_create_with_one_vp(struct hvp_vp **vp, void (*guest_code)(void))
{
	struct hvp_vm *vm = vm_create();

	*vp = vm_vp_add(vm, 0, guest_code);
	return vm;
}

void vm_free(struct hvp_vm *vm)
{
	unsigned int i;

	if (!vm)
		return;
	for (i = 0; i < HVP_MAX_VPS; i++) {
		struct hvp_vp *vp = vm->vps[i];

		if (!vp)
			continue;
		if (vp->run)
			munmap(vp->run, getpagesize());
		if (vp->fd >= 0)
			close(vp->fd);
		free(vp);
	}
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->dev_fd >= 0)
		close(vm->dev_fd);
	/* Only after the partition is gone: the module may still pin pages. */
	munmap(vm->mem, vm->mem_size);
	free(vm);
}

/* ---- VPs ---------------------------------------------------------------------------- */

struct hvp_vp *vm_vp_add_raw(struct hvp_vm *vm, uint32_t index)
{
	struct hvpart_vp_create c = { .vp_index = index };
	struct hvp_vp *vp = calloc(1, sizeof(*vp));

	TEST_ASSERT(vp, "calloc");
	TEST_ASSERT(index < HVP_MAX_VPS && !vm->vps[index], "VP %u exists or too large", index);
	vp->vm = vm;
	vp->index = index;
	vp->fd = vm_ioctl(vm, HVPART_CREATE_VP, &c);
	vp->run = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE, MAP_SHARED, vp->fd, 0);
	TEST_ASSERT(vp->run != MAP_FAILED, "mmap of VP %u's run page", index);
	vm->vps[index] = vp;
	return vp;
}

struct hvp_vp *vm_vp_add(struct hvp_vm *vm, uint32_t index, void (*guest_code)(void))
{
	struct hvp_vp *vp = vm_vp_add_raw(vm, index);
	struct hvpart_sregs sregs;

	vp->stack_top = vm_alloc(vm, HVP_VP_STACK_SIZE, SZ_4K) + HVP_VP_STACK_SIZE;
	vp_sregs_long_mode(vm, &sregs);
	vp_sregs_set(vp, &sregs);
	vp_set_entry(vp, guest_code);
	return vp;
}

void vp_set_entry(struct hvp_vp *vp, void (*guest_code)(void))
{
	extern char hvp_guest_code_returned[];
	struct hvpart_regs regs = { 0 };
	uint64_t rsp = vp->stack_top - 8;

	/*
	 * Enter as if called: RSP = 8 mod 16 with a return address on top, so
	 * a guest function that returns lands in a stub that reports it.
	 */
	*(uint64_t *)addr_gpa2hva(vp->vm, rsp) = (uintptr_t)hvp_guest_code_returned;
	regs.rip = (uintptr_t)guest_code;
	regs.rsp = rsp;
	regs.rflags = X86_RFLAGS_FIXED;
	vp_regs_set(vp, &regs);
}

void vp_args_set(struct hvp_vp *vp, unsigned int n, ...)
{
	struct hvpart_regs regs;
	__u64 *slots[] = { &regs.rdi, &regs.rsi, &regs.rdx, &regs.rcx, &regs.r8, &regs.r9 };
	va_list ap;
	unsigned int i;

	TEST_ASSERT(n <= ARRAY_SIZE(slots), "at most 6 register arguments");
	vp_regs_get(vp, &regs);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		*slots[i] = va_arg(ap, uint64_t);
	va_end(ap);
	vp_regs_set(vp, &regs);
}

int __vp_run(struct hvp_vp *vp)
{
	return __vp_ioctl(vp, HVPART_RUN_VP, NULL);
}

void vp_run(struct hvp_vp *vp)
{
	int r;

	/* A stray signal (e.g. the harness's) only interrupts; RUN resumes. */
	do {
		r = __vp_run(vp);
	} while (r == -1 && errno == EINTR && !vp->run->immediate_exit);
	TEST_ASSERT(r == 0, "HVPART_RUN_VP failed, rc: %d errno: %d (%s)",
		    r, errno, strerror(errno));
}

static void describe_exit(struct hvp_vp *vp, char *buf, size_t len)
{
	struct hvpart_run *run = vp->run;

	switch (run->exit_reason) {
	case HVPART_EXIT_IO:
		snprintf(buf, len, "port %#x size %u %s data %#llx", run->io.port,
			 run->io.size, run->io.direction == HVPART_IO_OUT ? "out" : "in",
			 (unsigned long long)run->io.data);
		break;
	case HVPART_EXIT_MEMORY:
		snprintf(buf, len, "gpa %#llx access %u flags %#x len %u data %#llx",
			 (unsigned long long)run->memory.gpa, run->memory.access,
			 run->memory.flags, run->memory.len,
			 (unsigned long long)run->memory.data);
		break;
	case HVPART_EXIT_INTERNAL_ERROR:
		snprintf(buf, len, "suberror %u%s cpu %u hw_exit_code %#llx info %#llx %#llx",
			 run->internal.suberror,
			 run->internal.suberror == HVPART_INTERNAL_GUEST_STATE_LOST ?
			 " (GUEST_STATE_LOST)" : "", run->internal.cpu,
			 (unsigned long long)run->internal.hw_exit_code,
			 (unsigned long long)run->internal.info1,
			 (unsigned long long)run->internal.info2);
		break;
	case HVPART_EXIT_HYPERCALL:
		snprintf(buf, len, "input %#llx", (unsigned long long)run->hypercall.input);
		break;
	case HVPART_EXIT_EOI:
		snprintf(buf, len, "vector %u", run->eoi.vector);
		break;
	default:
		buf[0] = '\0';
	}
}

uint64_t vp_run_ucall(struct hvp_vp *vp, struct ucall *uc)
{
	struct ucall tmp;
	char what[160];
	uint64_t cmd;

	if (!uc)
		uc = &tmp;
	vp_run(vp);
	cmd = get_ucall(vp, uc);
	switch (cmd) {
	case UCALL_SYNC:
	case UCALL_DONE:
		return cmd;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(*uc);
	case UCALL_UNHANDLED:
		vp_dump(vp);
		TEST_FAIL("Unexpected exception vector %lu at RIP %#lx, error code %#lx",
			  (unsigned long)uc->args[GUEST_UNHANDLED_VECTOR],
			  (unsigned long)uc->args[GUEST_UNHANDLED_RIP],
			  (unsigned long)uc->args[GUEST_UNHANDLED_ERROR_CODE]);
	case UCALL_NONE:
		describe_exit(vp, what, sizeof(what));
		vp_dump(vp);
		TEST_FAIL("Wanted a ucall, got exit %s (%u) at rip %#llx %s",
			  exit_reason_str(vp->run->exit_reason), vp->run->exit_reason,
			  (unsigned long long)vp->run->rip, what);
	default:
		TEST_FAIL("Unknown ucall %lu", (unsigned long)cmd);
	}
	return cmd;
}

void vp_run_expect_sync(struct hvp_vp *vp, uint64_t stage)
{
	struct ucall uc;
	uint64_t cmd = vp_run_ucall(vp, &uc);

	TEST_ASSERT(cmd == UCALL_SYNC && uc.args[0] == stage,
		    "Wanted GUEST_SYNC(%lu), got ucall %lu arg %lu", (unsigned long)stage,
		    (unsigned long)cmd, (unsigned long)uc.args[0]);
}

void vp_run_expect_done(struct hvp_vp *vp)
{
	struct ucall uc;
	uint64_t cmd = vp_run_ucall(vp, &uc);

	TEST_ASSERT(cmd == UCALL_DONE, "Wanted GUEST_DONE, got ucall %lu arg %lu",
		    (unsigned long)cmd, (unsigned long)uc.args[0]);
}

void vp_regs_get(struct hvp_vp *vp, struct hvpart_regs *regs)
{
	vp_ioctl(vp, HVPART_GET_REGS, regs);
}

void vp_regs_set(struct hvp_vp *vp, const struct hvpart_regs *regs)
{
	vp_ioctl(vp, HVPART_SET_REGS, regs);
}

void vp_sregs_get(struct hvp_vp *vp, struct hvpart_sregs *sregs)
{
	vp_ioctl(vp, HVPART_GET_SREGS, sregs);
}

void vp_sregs_set(struct hvp_vp *vp, const struct hvpart_sregs *sregs)
{
	vp_ioctl(vp, HVPART_SET_SREGS, sregs);
}

uint64_t vp_get_msr(struct hvp_vp *vp, uint32_t index)
{
	struct hvpart_msr_entry e = { .index = index };
	struct hvpart_msrs m = { .nmsrs = 1, .entries = (uintptr_t)&e };
	int r = vp_ioctl(vp, HVPART_GET_MSRS, &m);

	TEST_ASSERT(r == 1, "HVPART_GET_MSRS(%#x) processed %d entries", index, r);
	return e.value;
}

void vp_set_msr(struct hvp_vp *vp, uint32_t index, uint64_t value)
{
	struct hvpart_msr_entry e = { .index = index, .value = value };
	struct hvpart_msrs m = { .nmsrs = 1, .entries = (uintptr_t)&e };
	int r = vp_ioctl(vp, HVPART_SET_MSRS, &m);

	TEST_ASSERT(r == 1, "HVPART_SET_MSRS(%#x, %#lx) processed %d entries", index,
		    (unsigned long)value, r);
}

struct hvpart_cpuid_entry *vp_get_cpuid(struct hvp_vp *vp, uint32_t *nent)
{
	uint32_t max = max_cpuid_entries(vp->vm->dev_fd);
	struct hvpart_cpuid_entry *e = calloc(max, sizeof(*e));
	struct hvpart_cpuid c = { .nent = max, .entries = (uintptr_t)e };

	TEST_ASSERT(e, "calloc");
	vp_ioctl(vp, HVPART_GET_CPUID, &c);
	TEST_ASSERT(c.nent <= max, "GET_CPUID filled %u > %u", c.nent, max);
	*nent = c.nent;
	return e;
}

void vp_set_cpuid(struct hvp_vp *vp, const struct hvpart_cpuid_entry *e, uint32_t nent)
{
	struct hvpart_cpuid c = { .nent = nent, .entries = (uintptr_t)e };

	vp_ioctl(vp, HVPART_SET_CPUID, &c);
}

static void dump_seg(const char *name, const struct hvpart_segment *s)
{
	tap_diag("  %-3s sel %#06x base %#018llx limit %#010x attrib %#07x", name,
		 s->selector, (unsigned long long)s->base, s->limit, s->attrib);
}

void vp_dump(struct hvp_vp *vp)
{
	struct hvpart_regs r;
	struct hvpart_sregs s;

	if (__vp_ioctl(vp, HVPART_GET_REGS, &r) || __vp_ioctl(vp, HVPART_GET_SREGS, &s)) {
		tap_diag("VP %u: cannot read registers: %s", vp->index, strerror(errno));
		return;
	}
	tap_diag("VP %u: rip %#llx rflags %#llx rsp %#llx", vp->index,
		 (unsigned long long)r.rip, (unsigned long long)r.rflags,
		 (unsigned long long)r.rsp);
	tap_diag("  rax %#llx rbx %#llx rcx %#llx rdx %#llx rsi %#llx rdi %#llx",
		 (unsigned long long)r.rax, (unsigned long long)r.rbx,
		 (unsigned long long)r.rcx, (unsigned long long)r.rdx,
		 (unsigned long long)r.rsi, (unsigned long long)r.rdi);
	tap_diag("  cr0 %#llx cr2 %#llx cr3 %#llx cr4 %#llx efer %#llx",
		 (unsigned long long)s.cr0, (unsigned long long)s.cr2,
		 (unsigned long long)s.cr3, (unsigned long long)s.cr4,
		 (unsigned long long)s.efer);
	dump_seg("cs", &s.cs);
	dump_seg("ss", &s.ss);
	dump_seg("ds", &s.ds);
	dump_seg("tr", &s.tr);
}
