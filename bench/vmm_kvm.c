// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark VMM on /dev/kvm.
 *
 * Set up the way QEMU sets up KVM by default on x86: a split irqchip
 * (local APICs in the kernel, PIC and I/O APIC left to userspace), which is
 * also hvpart's model (in-kernel local APIC, I/O APIC in the VMM). No other
 * in-kernel device is created, so every port I/O exit reaches userspace.
 *
 * The SynIC VM (BENCH_VM_SYNIC) is driven as QEMU drives KVM's Hyper-V
 * emulation, without QEMU: KVM_CAP_HYPERV_SYNIC2 on the vCPU, the guest's
 * HvSignalEvent ends on an eventfd in the kernel (KVM_HYPERV_EVENTFD), its
 * HvPostMessage exits to the run loop (KVM_EXIT_HYPERV_HCALL). KVM has no
 * ioctl that posts a message or sets an event flag for the VMM: like QEMU
 * (hw/hyperv/hyperv.c) the VMM writes the message slot or the flag in the
 * guest's SIMP/SIEFP page itself and raises the SINT through an irqfd on a
 * KVM_IRQ_ROUTING_HV_SINT route.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <linux/kvm_para.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvbench.h"

#define KVM_PATH		"/dev/kvm"
#define KVM_MAX_CPUID		256
/* The I/O APIC's pins, as QEMU asks for them. */
#define SPLIT_IRQCHIP_ROUTES	24
/* The GSI of the SINT route, past the I/O APIC's pins. */
#define SINT_GSI		SPLIT_IRQCHIP_ROUTES

struct bench_vm {
	int vm_fd;
	int vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	unsigned char *low_mem;
	uint64_t user_hypercalls;
	/* BENCH_VM_SYNIC */
	int event_efd;		/* KVM_HYPERV_EVENTFD: the guest's HvSignalEvent */
	int sint_efd;		/* irqfd on the HV_SINT route: raises SINT BENCH_SINT */
	int stop_efd;		/* tells the responder thread to go */
	bool responder_started;
	pthread_t responder, runner;
	volatile int responder_error;
};

static int kvm_fd = -1;

/* ioctl that prints what failed; returns its result or -errno. */
static int kvm_ioctl(int fd, unsigned long req, void *arg, const char *name)
{
	int ret;

	do
		ret = ioctl(fd, req, arg);
	while (ret < 0 && errno == EINTR);
	if (ret < 0) {
		ret = -errno;
		fprintf(stderr, "hvbench: kvm: %s: %s\n", name, strerror(-ret));
	}
	return ret;
}

#define KVM_IOCTL(fd, req, arg) kvm_ioctl(fd, req, arg, #req)

static int kvm_init(void)
{
	int version;

	kvm_fd = open(KVM_PATH, O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0) {
		fprintf(stderr, "hvbench: kvm: open %s: %s\n", KVM_PATH, strerror(errno));
		return -errno;
	}
	version = ioctl(kvm_fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		fprintf(stderr, "hvbench: kvm: KVM_GET_API_VERSION %d, want %d\n", version,
			KVM_API_VERSION);
		return -EINVAL;
	}
	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SPLIT_IRQCHIP) <= 0) {
		fprintf(stderr, "hvbench: kvm: no KVM_CAP_SPLIT_IRQCHIP\n");
		return -EOPNOTSUPP;
	}
	return 0;
}

/* A module parameter as one word, "?" when unreadable. */
static void module_param(const char *module, const char *param, char *buf, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", module, param);
	f = fopen(path, "re");
	if (!f || !fgets(buf, (int)len, f))
		snprintf(buf, len, "?");
	if (f)
		fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

static void kvm_describe(char *buf, size_t len)
{
	static const char *const params[] = { "npt", "nrips", "avic", "vgif", "vls" };
	const char *module = access("/sys/module/kvm_amd", F_OK) ? "kvm_intel" : "kvm_amd";
	size_t used;
	unsigned int i;

	used = (size_t)snprintf(buf, len, "KVM API %d, %s", KVM_API_VERSION, module);
	if (strcmp(module, "kvm_amd"))
		return;
	for (i = 0; i < sizeof(params) / sizeof(params[0]) && used < len; i++) {
		char value[16];

		module_param(module, params[i], value, sizeof(value));
		used += (size_t)snprintf(buf + used, len - used, " %s=%s", params[i], value);
	}
}

static int kvm_partition_create(void)
{
	return KVM_IOCTL(kvm_fd, KVM_CREATE_VM, NULL);
}

static int kvm_partition_prepare_vps(int vm_fd)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_SPLIT_IRQCHIP,
		.args = { SPLIT_IRQCHIP_ROUTES },
	};

	return KVM_IOCTL(vm_fd, KVM_ENABLE_CAP, &cap);
}

static int kvm_vp_create(int vm_fd, unsigned int index)
{
	return kvm_ioctl(vm_fd, KVM_CREATE_VCPU, (void *)(unsigned long)index, "KVM_CREATE_VCPU");
}

static void seg_to_kvm(const struct bench_seg *s, struct kvm_segment *k)
{
	memset(k, 0, sizeof(*k));
	k->base = s->base;
	k->limit = s->limit;
	k->selector = s->selector;
	k->type = s->type;
	k->present = s->present;
	k->s = s->s;
	k->l = s->l;
	k->db = s->db;
	k->g = s->g;
	k->unusable = s->unusable;
}

static struct kvm_cpuid2 *cpuid_alloc(unsigned int nent)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));

	if (c)
		c->nent = nent;
	return c;
}

/*
 * Hyper-V: KVM's Hyper-V leaves take 0x40000000 up, where KVM's own
 * leaves were (as QEMU's hv-* flags arrange it); leaf 0x40000001 saying
 * "Hv#1" is what turns KVM's Hyper-V emulation on for the vCPU.
 */
static int cpuid_add_hyperv(struct bench_vm *vm, struct kvm_cpuid2 *cpuid)
{
	struct kvm_cpuid2 *hv = cpuid_alloc(KVM_MAX_CPUID);
	unsigned int i, n = 0;
	int ret;

	if (!hv)
		return -ENOMEM;
	ret = KVM_IOCTL(vm->vcpu_fd, KVM_GET_SUPPORTED_HV_CPUID, hv);
	for (i = 0; !ret && i < cpuid->nent; i++)
		if ((cpuid->entries[i].function & 0xffffff00) != 0x40000000)
			cpuid->entries[n++] = cpuid->entries[i];
	for (i = 0; !ret && i < hv->nent && n < KVM_MAX_CPUID; i++)
		cpuid->entries[n++] = hv->entries[i];
	cpuid->nent = n;
	free(hv);
	return ret;
}

static int kvm_set_cpuid(struct bench_vm *vm, bool hyperv)
{
	struct kvm_cpuid2 *cpuid = cpuid_alloc(KVM_MAX_CPUID);
	int ret;

	if (!cpuid)
		return -ENOMEM;
	ret = KVM_IOCTL(kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid);
	if (!ret && hyperv)
		ret = cpuid_add_hyperv(vm, cpuid);
	if (!ret)
		ret = KVM_IOCTL(vm->vcpu_fd, KVM_SET_CPUID2, cpuid);
	free(cpuid);
	return ret;
}

static int kvm_set_state(struct bench_vm *vm)
{
	struct bench_vp_state st;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int ret;

	bench_vp_initial_state(&st);
	/* Start from KVM's reset state: it keeps APIC base and the rest. */
	ret = KVM_IOCTL(vm->vcpu_fd, KVM_GET_SREGS, &sregs);
	if (ret)
		return ret;
	seg_to_kvm(&st.cs, &sregs.cs);
	seg_to_kvm(&st.ds, &sregs.ds);
	seg_to_kvm(&st.es, &sregs.es);
	seg_to_kvm(&st.fs, &sregs.fs);
	seg_to_kvm(&st.gs, &sregs.gs);
	seg_to_kvm(&st.ss, &sregs.ss);
	seg_to_kvm(&st.tr, &sregs.tr);
	seg_to_kvm(&st.ldt, &sregs.ldt);
	sregs.gdt.base = st.gdt_base;
	sregs.gdt.limit = st.gdt_limit;
	sregs.idt.base = st.idt_base;
	sregs.idt.limit = st.idt_limit;
	sregs.cr0 = st.cr0;
	sregs.cr3 = st.cr3;
	sregs.cr4 = st.cr4;
	sregs.efer = st.efer;
	ret = KVM_IOCTL(vm->vcpu_fd, KVM_SET_SREGS, &sregs);
	if (ret)
		return ret;

	memset(&regs, 0, sizeof(regs));
	regs.rip = st.rip;
	regs.rsp = st.rsp;
	regs.rflags = st.rflags;
	return KVM_IOCTL(vm->vcpu_fd, KVM_SET_REGS, &regs);
}

static void kvm_vm_destroy(struct bench_vm *vm)
{
	uint64_t one = 1;

	if (!vm)
		return;
	if (vm->responder_started) {
		if (write(vm->stop_efd, &one, sizeof(one)) != sizeof(one))
			perror("hvbench: kvm: write stop eventfd");
		pthread_join(vm->responder, NULL);
	}
	if (vm->event_efd >= 0)
		close(vm->event_efd);
	if (vm->sint_efd >= 0)
		close(vm->sint_efd);
	if (vm->stop_efd >= 0)
		close(vm->stop_efd);
	if (vm->run)
		munmap(vm->run, vm->run_size);
	if (vm->vcpu_fd >= 0)
		close(vm->vcpu_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	free(vm);
}

/* What HVPART_HV_SIGNAL_EVENT does: set the flag, raise the SINT if it was clear. */
static int kvm_signal_guest(struct bench_vm *vm)
{
	uint8_t *byte = vm->low_mem + BENCH_SIEFP_GPA + BENCH_SINT * BENCH_HV_SINT_FLAGS +
			BENCH_HV_FLAG / 8;
	uint8_t bit = 1u << (BENCH_HV_FLAG % 8);
	uint64_t one = 1;

	if (__atomic_fetch_or(byte, bit, __ATOMIC_SEQ_CST) & bit)
		return 0;
	if (write(vm->sint_efd, &one, sizeof(one)) != sizeof(one))
		return -errno;
	return 0;
}

/*
 * The responder thread: each HvSignalEvent of the guest (the eventfd KVM
 * signalled in the kernel) is answered with event flag BENCH_HV_FLAG.
 */
static void *kvm_responder(void *arg)
{
	struct bench_vm *vm = arg;
	struct pollfd pfd[2] = {
		{ .fd = vm->event_efd, .events = POLLIN },
		{ .fd = vm->stop_efd, .events = POLLIN },
	};
	uint64_t count;
	int ret = 0;

	while (!ret) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno != EINTR)
				ret = -errno;
			continue;
		}
		if (pfd[1].revents)
			return NULL;
		if (!(pfd[0].revents & POLLIN))
			continue;
		if (read(vm->event_efd, &count, sizeof(count)) != sizeof(count))
			ret = -errno;
		else
			ret = kvm_signal_guest(vm);
	}
	fprintf(stderr, "hvbench: kvm: responder: %s\n", strerror(-ret));
	vm->responder_error = ret;
	pthread_kill(vm->runner, SIGUSR1);
	return NULL;
}

static int kvm_synic_setup(struct bench_vm *vm)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_HYPERV_SYNIC2 };
	struct kvm_hyperv_eventfd hvev = { .conn_id = BENCH_HV_CONN_EVENT };
	struct {
		struct kvm_irq_routing head;
		struct kvm_irq_routing_entry entry;
	} routing = {
		.head = { .nr = 1 },
		.entry = {
			.gsi = SINT_GSI,
			.type = KVM_IRQ_ROUTING_HV_SINT,
			.u.hv_sint = { .vcpu = 0, .sint = BENCH_SINT },
		},
	};
	struct kvm_irqfd irqfd = { .gsi = SINT_GSI };
	int ret;

	_Static_assert(offsetof(struct kvm_irq_routing, entries) == sizeof(struct kvm_irq_routing),
		       "routing entries follow the header");
	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_HYPERV_SYNIC2) <= 0 ||
	    ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_HYPERV_EVENTFD) <= 0) {
		fprintf(stderr, "hvbench: kvm: no KVM_CAP_HYPERV_SYNIC2 or KVM_CAP_HYPERV_EVENTFD\n");
		return -EOPNOTSUPP;
	}
	ret = KVM_IOCTL(vm->vcpu_fd, KVM_ENABLE_CAP, &cap);
	if (ret)
		return ret;
	vm->event_efd = eventfd(0, EFD_CLOEXEC);
	vm->sint_efd = eventfd(0, EFD_CLOEXEC);
	vm->stop_efd = eventfd(0, EFD_CLOEXEC);
	if (vm->event_efd < 0 || vm->sint_efd < 0 || vm->stop_efd < 0) {
		perror("hvbench: kvm: eventfd");
		return -errno;
	}
	hvev.fd = vm->event_efd;
	ret = KVM_IOCTL(vm->vm_fd, KVM_HYPERV_EVENTFD, &hvev);
	if (!ret)
		ret = KVM_IOCTL(vm->vm_fd, KVM_SET_GSI_ROUTING, &routing);
	irqfd.fd = (uint32_t)vm->sint_efd;
	if (!ret)
		ret = KVM_IOCTL(vm->vm_fd, KVM_IRQFD, &irqfd);
	if (ret)
		return ret;
	vm->runner = pthread_self();
	ret = -pthread_create(&vm->responder, NULL, kvm_responder, vm);
	if (ret) {
		fprintf(stderr, "hvbench: kvm: pthread_create: %s\n", strerror(-ret));
		return ret;
	}
	vm->responder_started = true;
	return 0;
}

static int kvm_vm_create(void *low_mem, unsigned int flags, struct bench_vm **vmp)
{
	struct kvm_userspace_memory_region low = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = BENCH_LOW_SIZE,
		.userspace_addr = (unsigned long)low_mem,
	};
	struct bench_vm *vm;
	int ret, size;

	if ((flags & BENCH_VM_HYPERV) &&
	    ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_HYPERV_CPUID) <= 0) {
		fprintf(stderr, "hvbench: kvm: no KVM_CAP_HYPERV_CPUID\n");
		return -EOPNOTSUPP;
	}
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->low_mem = low_mem;
	vm->vcpu_fd = vm->event_efd = vm->sint_efd = vm->stop_efd = -1;
	vm->vm_fd = kvm_partition_create();
	ret = vm->vm_fd;
	if (ret < 0)
		goto err;
	ret = kvm_partition_prepare_vps(vm->vm_fd);
	if (ret)
		goto err;
	ret = KVM_IOCTL(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &low);
	if (ret)
		goto err;
	if (flags & BENCH_VM_USER_HYPERCALLS) {
		struct kvm_enable_cap cap = {
			.cap = KVM_CAP_EXIT_HYPERCALL,
			.args = { 1ULL << KVM_HC_MAP_GPA_RANGE },
		};

		ret = KVM_IOCTL(vm->vm_fd, KVM_ENABLE_CAP, &cap);
		if (ret)
			goto err;
	}
	vm->vcpu_fd = kvm_vp_create(vm->vm_fd, 0);
	ret = vm->vcpu_fd;
	if (ret < 0)
		goto err;

	size = KVM_IOCTL(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, NULL);
	ret = size;
	if (ret < 0)
		goto err;
	vm->run_size = (size_t)size;
	vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED) {
		ret = -errno;
		vm->run = NULL;
		perror("hvbench: kvm: mmap kvm_run");
		goto err;
	}
	if (flags & BENCH_VM_SYNIC) {
		ret = kvm_synic_setup(vm);
		if (ret)
			goto err;
	}
	ret = kvm_set_cpuid(vm, flags & BENCH_VM_HYPERV);
	if (ret)
		goto err;
	ret = kvm_set_state(vm);
	if (ret)
		goto err;
	*vmp = vm;
	return 0;

err:
	kvm_vm_destroy(vm);
	return ret;
}

static void kvm_report_exit(struct bench_vm *vm)
{
	struct kvm_run *run = vm->run;
	struct kvm_regs regs;

	fprintf(stderr, "hvbench: kvm: unexpected exit reason %u", run->exit_reason);
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		fprintf(stderr, " (IO port %#x dir %u size %u)", run->io.port,
			run->io.direction, run->io.size);
		break;
	case KVM_EXIT_SHUTDOWN:
		fprintf(stderr, " (SHUTDOWN: triple fault)");
		break;
	case KVM_EXIT_FAIL_ENTRY:
		fprintf(stderr, " (FAIL_ENTRY: hardware reason %#llx)",
			(unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		fprintf(stderr, " (INTERNAL_ERROR: suberror %u)", run->internal.suberror);
		break;
	default:
		break;
	}
	if (!ioctl(vm->vcpu_fd, KVM_GET_REGS, &regs))
		fprintf(stderr, " at rip %#llx", (unsigned long long)regs.rip);
	fprintf(stderr, "\n");
}

/*
 * The guest's HvPostMessage: the VMM answers it as hvpart's responder
 * thread does, with a message echoing the payload, posted as QEMU posts
 * one: into the free message slot of the SINT, then the SINT raised.
 * A busy slot is the guest's bug here (it frees the slot before posting).
 */
static int kvm_post_message(struct bench_vm *vm, uint64_t input, uint64_t in_gpa,
			    uint64_t *result)
{
	unsigned char *in = vm->low_mem + in_gpa;
	unsigned char *slot = vm->low_mem + BENCH_SIMP_GPA + BENCH_SINT * BENCH_HV_MSG_SIZE;
	uint32_t conn, type, size, busy;
	uint64_t one = 1;

	if ((input & 0xffff) != BENCH_HVCALL_POST_MESSAGE || in_gpa > BENCH_LOW_SIZE - 256) {
		*result = BENCH_HV_STATUS_INVALID_HYPERCALL_CODE;
		return 0;
	}
	memcpy(&conn, in, 4);
	memcpy(&type, in + 8, 4);
	memcpy(&size, in + 12, 4);
	if (conn != BENCH_HV_CONN_MSG) {
		*result = BENCH_HV_STATUS_INVALID_CONNECTION_ID;
		return 0;
	}
	if (type != BENCH_HV_MSG_GUEST || size > 240) {
		*result = BENCH_HV_STATUS_INVALID_PARAMETER;
		return 0;
	}
	busy = __atomic_load_n((uint32_t *)slot, __ATOMIC_ACQUIRE);
	if (busy) {
		fprintf(stderr, "hvbench: kvm: message slot busy (type %#x)\n", busy);
		return -EIO;
	}
	memset(slot + 4, 0, BENCH_HV_MSG_PAYLOAD - 4);
	slot[4] = (unsigned char)size;
	memcpy(slot + BENCH_HV_MSG_PAYLOAD, in + 16, size);
	__atomic_store_n((uint32_t *)slot, (uint32_t)BENCH_HV_MSG_HOST, __ATOMIC_RELEASE);
	if (write(vm->sint_efd, &one, sizeof(one)) != sizeof(one))
		return -errno;
	*result = BENCH_HV_STATUS_SUCCESS;
	return 0;
}

static int kvm_vm_run(struct bench_vm *vm)
{
	struct kvm_run *run = vm->run;
	int ret;

	for (;;) {
		if (ioctl(vm->vcpu_fd, KVM_RUN, 0) < 0) {
			if (vm->responder_error)
				return vm->responder_error;
			if (bench_abort)
				return -ETIMEDOUT;
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fprintf(stderr, "hvbench: kvm: KVM_RUN: %s\n", strerror(errno));
			return -errno;
		}
		if (run->exit_reason == KVM_EXIT_IO && run->io.direction == KVM_EXIT_IO_OUT) {
			if (run->io.port == BENCH_PORT_NOP)
				continue;
			if (run->io.port == BENCH_PORT_CTRL)
				return 0;
		}
		/* KVM_CAP_EXIT_HYPERCALL: MAP_GPA_RANGE handed to the VMM, which agrees. */
		if (run->exit_reason == KVM_EXIT_HYPERCALL &&
		    run->hypercall.nr == KVM_HC_MAP_GPA_RANGE) {
			run->hypercall.ret = 0;
			vm->user_hypercalls++;
			continue;
		}
		/* SynIC MSR writes (SCONTROL, SIMP, SIEFP, EOM) tell the VMM. */
		if (run->exit_reason == KVM_EXIT_HYPERV &&
		    run->hyperv.type == KVM_EXIT_HYPERV_SYNIC)
			continue;
		if (run->exit_reason == KVM_EXIT_HYPERV && run->hyperv.type == KVM_EXIT_HYPERV_HCALL &&
		    vm->sint_efd >= 0) {
			uint64_t result = BENCH_HV_STATUS_INVALID_HYPERCALL_CODE;

			vm->user_hypercalls++;
			ret = kvm_post_message(vm, run->hyperv.u.hcall.input,
					       run->hyperv.u.hcall.params[0], &result);
			if (ret)
				return ret;
			run->hyperv.u.hcall.result = result;
			continue;
		}
		kvm_report_exit(vm);
		return -EIO;
	}
}

static int kvm_mem_set(struct bench_vm *vm, uint64_t gpa, uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = 1,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (unsigned long)hva,
	};

	return KVM_IOCTL(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r);
}

static int kvm_mem_map(struct bench_vm *vm, uint64_t gpa, uint64_t size, void *hva)
{
	return kvm_mem_set(vm, gpa, size, hva);
}

/* Size 0 deletes the slot. */
static int kvm_mem_unmap(struct bench_vm *vm, uint64_t gpa, uint64_t size)
{
	(void)size;
	return kvm_mem_set(vm, gpa, 0, NULL);
}

/*
 * KVM_EXIT_HYPERCALL is an unexpected exit here; Hyper-V hypercalls reach
 * the run loop (KVM_EXIT_HYPERV_HCALL) only in the SynIC VM.
 */
static uint64_t kvm_user_hypercalls(struct bench_vm *vm)
{
	return vm->user_hypercalls;
}

/* KVM's per-VM statistics in debugfs: kvm/<pid>-<vm fd>/pages_2m. */
static int kvm_slat_2m_leaves(struct bench_vm *vm, uint64_t *n)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/kernel/debug/kvm/%d-%d/pages_2m", (int)getpid(),
		 vm->vm_fd);
	return bench_read_u64_file(path, n);
}

static int kvm_debugfs_dirs(struct bench_vm *vm, char *dir, size_t len, const char **vp0)
{
	snprintf(dir, len, "/sys/kernel/debug/kvm/%d-%d", (int)getpid(), vm->vm_fd);
	*vp0 = "vcpu0";
	return 0;
}

const struct vmm_ops vmm_kvm_ops = {
	.name			= "kvm",
	.init			= kvm_init,
	.describe		= kvm_describe,
	.vm_create		= kvm_vm_create,
	.vm_destroy		= kvm_vm_destroy,
	.vm_run			= kvm_vm_run,
	.mem_map		= kvm_mem_map,
	.mem_unmap		= kvm_mem_unmap,
	.user_hypercalls	= kvm_user_hypercalls,
	.debugfs_dirs		= kvm_debugfs_dirs,
	.slat_2m_leaves		= kvm_slat_2m_leaves,
	.partition_create	= kvm_partition_create,
	.partition_prepare_vps	= kvm_partition_prepare_vps,
	.vp_create		= kvm_vp_create,
	.hypercall_result	= (uint64_t)-KVM_ENOSYS,
	.user_hypercall_result	= 0,
};
