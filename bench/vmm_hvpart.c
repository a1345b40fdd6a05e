// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark VMM on /dev/hvpart (uapi/linux/hvpart.h).
 *
 * Hypercalls the module does not handle come here (HVPART_EXIT_HYPERCALL);
 * the run loop answers them as Hyper-V answers an unknown call code,
 * HV_STATUS_INVALID_HYPERCALL_CODE, and resumes the guest.
 *
 * The SynIC VM (BENCH_VM_SYNIC) registers the two connection ids of the
 * round-trip rows (HVPART_HV_CONNECT): the guest's HvSignalEvent signals an
 * eventfd, its HvPostMessage queues on a connection fd, both in the
 * kernel. A responder thread waits on both and answers with
 * HVPART_HV_SIGNAL_EVENT and HVPART_HV_POST_MESSAGE.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/hvpart.h>
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

#define HVPART_PATH		"/dev/hvpart"
#define HVPART_MAX_CPUID	256
#define HVPART_DEBUGFS		"/sys/kernel/debug/hvpart"

struct bench_vm {
	int part_fd;
	int vp_fd;
	struct hvpart_run *run;
	size_t run_size;
	uint64_t user_hypercalls;
	char debugfs[256];	/* <pid>-<partition id>, "" if not found */
	/* BENCH_VM_SYNIC */
	int event_efd;		/* signalled by the guest's HvSignalEvent */
	int event_conn_fd;	/* its connection; closing unregisters it */
	int msg_fd;		/* the HvPostMessage connection (F_EXIT: to RUN) */
	int stop_efd;		/* tells the responder thread to go */
	bool responder_started;
	pthread_t responder, runner;
	volatile int responder_error;
};

static int dev_fd = -1;

static int hvp_ioctl(int fd, unsigned long req, void *arg, const char *name)
{
	int ret;

	do
		ret = ioctl(fd, req, arg);
	while (ret < 0 && errno == EINTR);
	if (ret < 0) {
		ret = -errno;
		fprintf(stderr, "hvbench: hvpart: %s: %s\n", name, strerror(-ret));
	}
	return ret;
}

#define HVP_IOCTL(fd, req, arg) hvp_ioctl(fd, req, arg, #req)

static int hvp_init(void)
{
	int version;

	dev_fd = open(HVPART_PATH, O_RDWR | O_CLOEXEC);
	if (dev_fd < 0) {
		fprintf(stderr, "hvbench: hvpart: open %s: %s\n", HVPART_PATH, strerror(errno));
		return -errno;
	}
	version = ioctl(dev_fd, HVPART_GET_API_VERSION, 0);
	if (version != HVPART_API_VERSION) {
		fprintf(stderr, "hvbench: hvpart: HVPART_GET_API_VERSION %d, want %d\n", version,
			HVPART_API_VERSION);
		return -EINVAL;
	}
	return 0;
}

static uint64_t hvp_cap(uint32_t cap)
{
	struct hvpart_cap_query q = { .cap = cap };

	return ioctl(dev_fd, HVPART_CHECK_CAP, &q) ? 0 : q.value;
}

static void hvp_describe(char *buf, size_t len)
{
	static const char *const assists[] = {
		"nrip-save", "decode-assists", "flush-by-asid", "vmcb-clean", "vpid",
	};
	uint64_t backend = hvp_cap(HVPART_CAP_BACKEND);
	uint64_t hw = hvp_cap(HVPART_CAP_HW_ASSISTS);
	size_t used;
	unsigned int i;

	used = (size_t)snprintf(buf, len, "hvpart API %d, backend %s, assists:",
				HVPART_API_VERSION,
				backend == HVPART_BACKEND_SVM ? "svm" :
				backend == HVPART_BACKEND_VMX ? "vmx" : "?");
	for (i = 0; i < sizeof(assists) / sizeof(assists[0]) && used < len; i++)
		if (hw & (1ULL << i))
			used += (size_t)snprintf(buf + used, len - used, " %s", assists[i]);
	if (!hw && used < len)
		snprintf(buf + used, len - used, " none");
}

static int hvp_partition_create(void)
{
	struct hvpart_partition_create args = { .flags = 0 };

	return HVP_IOCTL(dev_fd, HVPART_CREATE_PARTITION, &args);
}

/* Nothing to prepare: every VP has its local APIC already. */
static int hvp_partition_prepare_vps(int part_fd)
{
	(void)part_fd;
	return 0;
}

static int hvp_vp_create(int part_fd, unsigned int index)
{
	struct hvpart_vp_create args = { .vp_index = index };

	return HVP_IOCTL(part_fd, HVPART_CREATE_VP, &args);
}

static void seg_to_hvp(const struct bench_seg *s, struct hvpart_segment *h)
{
	memset(h, 0, sizeof(*h));
	h->base = s->base;
	h->limit = s->limit;
	h->selector = s->selector;
	h->attrib = (s->type & HVPART_SEG_TYPE_MASK) | (s->s ? HVPART_SEG_S : 0) |
		    (s->present ? HVPART_SEG_P : 0) | (s->l ? HVPART_SEG_L : 0) |
		    (s->db ? HVPART_SEG_DB : 0) | (s->g ? HVPART_SEG_G : 0) |
		    (s->unusable ? HVPART_SEG_UNUSABLE : 0);
}

static int hvp_set_cpuid(struct bench_vm *vm)
{
	struct hvpart_cpuid_entry *entries;
	struct hvpart_cpuid c = { .nent = HVPART_MAX_CPUID };
	int ret;

	entries = calloc(HVPART_MAX_CPUID, sizeof(*entries));
	if (!entries)
		return -ENOMEM;
	c.entries = (unsigned long)entries;
	ret = HVP_IOCTL(dev_fd, HVPART_GET_SUPPORTED_CPUID, &c);
	if (!ret)
		ret = HVP_IOCTL(vm->vp_fd, HVPART_SET_CPUID, &c);
	free(entries);
	return ret;
}

static int hvp_set_state(struct bench_vm *vm)
{
	struct bench_vp_state st;
	struct hvpart_sregs sregs;
	struct hvpart_regs regs;
	int ret;

	bench_vp_initial_state(&st);
	memset(&sregs, 0, sizeof(sregs));
	seg_to_hvp(&st.cs, &sregs.cs);
	seg_to_hvp(&st.ds, &sregs.ds);
	seg_to_hvp(&st.es, &sregs.es);
	seg_to_hvp(&st.fs, &sregs.fs);
	seg_to_hvp(&st.gs, &sregs.gs);
	seg_to_hvp(&st.ss, &sregs.ss);
	seg_to_hvp(&st.tr, &sregs.tr);
	seg_to_hvp(&st.ldt, &sregs.ldt);
	sregs.gdt.base = st.gdt_base;
	sregs.gdt.limit = st.gdt_limit;
	sregs.idt.base = st.idt_base;
	sregs.idt.limit = st.idt_limit;
	sregs.cr0 = st.cr0;
	sregs.cr3 = st.cr3;
	sregs.cr4 = st.cr4;
	sregs.efer = st.efer;
	ret = HVP_IOCTL(vm->vp_fd, HVPART_SET_SREGS, &sregs);
	if (ret)
		return ret;

	memset(&regs, 0, sizeof(regs));
	regs.rip = st.rip;
	regs.rsp = st.rsp;
	regs.rflags = st.rflags;
	return HVP_IOCTL(vm->vp_fd, HVPART_SET_REGS, &regs);
}

static void hvp_vm_destroy(struct bench_vm *vm)
{
	uint64_t one = 1;

	if (!vm)
		return;
	if (vm->responder_started) {
		if (write(vm->stop_efd, &one, sizeof(one)) != sizeof(one))
			perror("hvbench: hvpart: write stop eventfd");
		pthread_join(vm->responder, NULL);
	}
	if (vm->event_conn_fd >= 0)
		close(vm->event_conn_fd);
	if (vm->msg_fd >= 0)
		close(vm->msg_fd);
	if (vm->event_efd >= 0)
		close(vm->event_efd);
	if (vm->stop_efd >= 0)
		close(vm->stop_efd);
	if (vm->run)
		munmap(vm->run, vm->run_size);
	if (vm->vp_fd >= 0)
		close(vm->vp_fd);
	if (vm->part_fd >= 0)
		close(vm->part_fd);
	free(vm);
}

/*
 * The partition's debugfs directory, hvpart/<pid>-<partition id>. Ids
 * only grow and this process creates partitions one at a time, so the
 * newest directory of this process right after a creation is that
 * partition's.
 */
static void hvp_find_debugfs(struct bench_vm *vm)
{
	char prefix[24];
	unsigned long best = 0;
	struct dirent *d;
	DIR *dir;

	vm->debugfs[0] = '\0';
	snprintf(prefix, sizeof(prefix), "%d-", (int)getpid());
	dir = opendir(HVPART_DEBUGFS);
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		unsigned long id;
		char *end;

		if (strncmp(d->d_name, prefix, strlen(prefix)))
			continue;
		id = strtoul(d->d_name + strlen(prefix), &end, 10);
		if (*end || id < best)
			continue;
		best = id;
		snprintf(vm->debugfs, sizeof(vm->debugfs), "%s", d->d_name);
	}
	closedir(dir);
}

static int hvp_map(int part_fd, uint64_t gpa, uint64_t size, void *hva)
{
	struct hvpart_mem_map m = {
		.guest_pa = gpa,
		.size = size,
		.user_addr = (unsigned long)hva,
		.flags = HVPART_MEM_READ | HVPART_MEM_WRITE | HVPART_MEM_EXEC,
	};

	return HVP_IOCTL(part_fd, HVPART_MAP_GPA, &m);
}

/* The least Hyper-V interface: hypercalls (and VP index, which they need). */
#define HV_FEATURES_MIN (HVPART_HV_F(HYPERCALL) | HVPART_HV_F(VP_INDEX))

static int hvp_enable_hyperv(struct bench_vm *vm, bool synic)
{
	struct hvpart_hv_config cfg = { .features = HV_FEATURES_MIN };

	if (synic)
		cfg.features |= HVPART_HV_F(SYNIC);
	if ((hvp_cap(HVPART_CAP_HV_FEATURES) & cfg.features) != cfg.features) {
		fprintf(stderr, "hvbench: hvpart: no Hyper-V %s interface\n",
			synic ? "SynIC" : "hypercall");
		return -EOPNOTSUPP;
	}
	return HVP_IOCTL(vm->part_fd, HVPART_SET_HV_CONFIG, &cfg);
}

/*
 * Hypercalls the Hyper-V interface does not answer (all of them, in a VM
 * without it) answered in the kernel with the VMM's answer, as KVM answers
 * calls it does not know; the VM for the hypercall-to-the-VMM row keeps
 * the default (every call exits).
 */
static int hvp_hypercalls_in_kernel(struct bench_vm *vm)
{
	struct hvpart_hypercall_policy pol = {
		.action = HVPART_HYPERCALL_RESULT,
		.result = BENCH_HV_STATUS_INVALID_HYPERCALL_CODE,
	};

	if (!(hvp_cap(HVPART_CAP_HYPERCALL_POLICY) & (1u << HVPART_HYPERCALL_RESULT))) {
		fprintf(stderr, "hvbench: hvpart: no HVPART_SET_HYPERCALL_POLICY\n");
		return -EOPNOTSUPP;
	}
	return HVP_IOCTL(vm->part_fd, HVPART_SET_HYPERCALL_POLICY, &pol);
}

/*
 * One guest HvPostMessage, handed over by RUN (HVPART_EXIT_HV_MESSAGE: the
 * connection has HVPART_HV_CONN_F_EXIT), answered with a message echoing
 * its payload before the VP runs again, as KVM's VMM answers in its run loop.
 */
static int hvp_answer_message(struct bench_vm *vm, const struct hvpart_hv_guest_message *m)
{
	struct hvpart_hv_post post = {
		.vp_index = 0,
		.sint = BENCH_SINT,
		.message_type = BENCH_HV_MSG_HOST,
	};

	if (m->message_type != BENCH_HV_MSG_GUEST || m->payload_size > sizeof(post.payload)) {
		fprintf(stderr, "hvbench: hvpart: unexpected guest message (type %#x, %u bytes)\n",
			m->message_type, m->payload_size);
		return -EIO;
	}
	post.payload_size = m->payload_size;
	memcpy(post.payload, m->payload, m->payload_size);
	return HVP_IOCTL(vm->part_fd, HVPART_HV_POST_MESSAGE, &post);
}

/* The responder thread: answers the guest's HvSignalEvent. */
static void *hvp_responder(void *arg)
{
	struct bench_vm *vm = arg;
	struct hvpart_hv_event ev = { .vp_index = 0, .sint = BENCH_SINT, .flag = BENCH_HV_FLAG };
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
		if (pfd[0].revents & POLLIN) {
			if (read(vm->event_efd, &count, sizeof(count)) != sizeof(count))
				ret = -errno;
			else
				ret = HVP_IOCTL(vm->part_fd, HVPART_HV_SIGNAL_EVENT, &ev);
		}
		if (!ret && (pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL)))
			ret = -EIO;
	}
	fprintf(stderr, "hvbench: hvpart: responder: %s\n", strerror(-ret));
	vm->responder_error = ret;
	pthread_kill(vm->runner, SIGUSR1);
	return NULL;
}

static int hvp_synic_setup(struct bench_vm *vm)
{
	struct hvpart_hv_connect event = {
		.connection_id = BENCH_HV_CONN_EVENT,
		.type = HVPART_HV_CONN_EVENT,
	};
	struct hvpart_hv_connect msg = {
		.connection_id = BENCH_HV_CONN_MSG,
		.type = HVPART_HV_CONN_MESSAGE,
		.eventfd = -1,
		.flags = HVPART_HV_CONN_F_EXIT,
	};
	int ret;

	vm->event_efd = eventfd(0, EFD_CLOEXEC);
	vm->stop_efd = eventfd(0, EFD_CLOEXEC);
	if (vm->event_efd < 0 || vm->stop_efd < 0) {
		perror("hvbench: hvpart: eventfd");
		return -errno;
	}
	event.eventfd = vm->event_efd;
	vm->event_conn_fd = HVP_IOCTL(vm->part_fd, HVPART_HV_CONNECT, &event);
	if (vm->event_conn_fd < 0)
		return vm->event_conn_fd;
	vm->msg_fd = HVP_IOCTL(vm->part_fd, HVPART_HV_CONNECT, &msg);
	if (vm->msg_fd < 0)
		return vm->msg_fd;
	vm->runner = pthread_self();
	ret = -pthread_create(&vm->responder, NULL, hvp_responder, vm);
	if (ret) {
		fprintf(stderr, "hvbench: hvpart: pthread_create: %s\n", strerror(-ret));
		return ret;
	}
	vm->responder_started = true;
	return 0;
}

static int hvp_vm_create(void *low_mem, unsigned int flags, struct bench_vm **vmp)
{
	struct bench_vm *vm;
	int ret;

	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->vp_fd = vm->event_efd = vm->event_conn_fd = vm->msg_fd = vm->stop_efd = -1;
	vm->part_fd = hvp_partition_create();
	ret = vm->part_fd;
	if (ret < 0)
		goto err;
	hvp_find_debugfs(vm);
	/* Before the first VP, as the uapi requires. */
	if (flags & BENCH_VM_HYPERV) {
		ret = hvp_enable_hyperv(vm, flags & BENCH_VM_SYNIC);
		if (ret)
			goto err;
	}
	if (!(flags & BENCH_VM_USER_HYPERCALLS)) {
		ret = hvp_hypercalls_in_kernel(vm);
		if (ret)
			goto err;
	}
	ret = hvp_map(vm->part_fd, 0, BENCH_LOW_SIZE, low_mem);
	if (ret)
		goto err;
	vm->vp_fd = hvp_vp_create(vm->part_fd, 0);
	ret = vm->vp_fd;
	if (ret < 0)
		goto err;

	vm->run_size = (size_t)sysconf(_SC_PAGESIZE);
	vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vp_fd, 0);
	if (vm->run == MAP_FAILED) {
		ret = -errno;
		vm->run = NULL;
		perror("hvbench: hvpart: mmap hvpart_run");
		goto err;
	}
	if (flags & BENCH_VM_SYNIC) {
		ret = hvp_synic_setup(vm);
		if (ret)
			goto err;
	}
	ret = hvp_set_cpuid(vm);
	if (ret)
		goto err;
	ret = hvp_set_state(vm);
	if (ret)
		goto err;
	*vmp = vm;
	return 0;

err:
	hvp_vm_destroy(vm);
	return ret;
}

static void hvp_report_exit(struct bench_vm *vm)
{
	struct hvpart_run *run = vm->run;

	fprintf(stderr, "hvbench: hvpart: unexpected exit reason %u at rip %#llx",
		run->exit_reason, (unsigned long long)run->rip);
	switch (run->exit_reason) {
	case HVPART_EXIT_IO:
		fprintf(stderr, " (IO port %#x dir %u size %u)", run->io.port,
			run->io.direction, run->io.size);
		break;
	case HVPART_EXIT_MEMORY:
		fprintf(stderr, " (MEMORY gpa %#llx access %u flags %#x)",
			(unsigned long long)run->memory.gpa, run->memory.access,
			run->memory.flags);
		break;
	case HVPART_EXIT_SHUTDOWN:
		fprintf(stderr, " (SHUTDOWN: triple fault)");
		break;
	case HVPART_EXIT_INTERNAL_ERROR:
		fprintf(stderr, " (INTERNAL_ERROR: suberror %u hw %#llx info %#llx %#llx)",
			run->internal.suberror, (unsigned long long)run->internal.hw_exit_code,
			(unsigned long long)run->internal.info1,
			(unsigned long long)run->internal.info2);
		break;
	default:
		break;
	}
	fprintf(stderr, "\n");
}

static int hvp_vm_run(struct bench_vm *vm)
{
	struct hvpart_run *run = vm->run;

	for (;;) {
		if (ioctl(vm->vp_fd, HVPART_RUN_VP, 0) < 0) {
			if (vm->responder_error)
				return vm->responder_error;
			if (bench_abort)
				return -ETIMEDOUT;
			if (errno == EINTR)
				continue;
			fprintf(stderr, "hvbench: hvpart: HVPART_RUN_VP: %s\n", strerror(errno));
			return -errno;
		}
		switch (run->exit_reason) {
		case HVPART_EXIT_IO:
			if (run->io.direction != HVPART_IO_OUT)
				break;
			if (run->io.port == BENCH_PORT_NOP)
				continue;
			if (run->io.port == BENCH_PORT_CTRL)
				return 0;
			break;
		case HVPART_EXIT_HYPERCALL:
			run->hypercall.result = BENCH_HV_STATUS_INVALID_HYPERCALL_CODE;
			vm->user_hypercalls++;
			continue;
		case HVPART_EXIT_HV_MESSAGE: {
			int ret = hvp_answer_message(vm, &run->hv_message);

			if (ret)
				return ret;
			vm->user_hypercalls++;
			continue;
		}
		default:
			break;
		}
		hvp_report_exit(vm);
		return -EIO;
	}
}

static int hvp_mem_map(struct bench_vm *vm, uint64_t gpa, uint64_t size, void *hva)
{
	return hvp_map(vm->part_fd, gpa, size, hva);
}

static int hvp_mem_unmap(struct bench_vm *vm, uint64_t gpa, uint64_t size)
{
	struct hvpart_mem_unmap u = { .guest_pa = gpa, .size = size };

	return HVP_IOCTL(vm->part_fd, HVPART_UNMAP_GPA, &u);
}

static uint64_t hvp_user_hypercalls(struct bench_vm *vm)
{
	return vm->user_hypercalls;
}

static int hvp_slat_2m_leaves(struct bench_vm *vm, uint64_t *n)
{
	char path[320];

	if (!vm->debugfs[0])
		return -ENOENT;
	snprintf(path, sizeof(path), HVPART_DEBUGFS "/%s/slat_2m_leaves", vm->debugfs);
	return bench_read_u64_file(path, n);
}

static int hvp_debugfs_dirs(struct bench_vm *vm, char *dir, size_t len, const char **vp0)
{
	if (!vm->debugfs[0])
		return -ENOENT;
	snprintf(dir, len, HVPART_DEBUGFS "/%s", vm->debugfs);
	*vp0 = "vp0";
	return 0;
}

const struct vmm_ops vmm_hvpart_ops = {
	.name			= "hvpart",
	.init			= hvp_init,
	.describe		= hvp_describe,
	.vm_create		= hvp_vm_create,
	.vm_destroy		= hvp_vm_destroy,
	.vm_run			= hvp_vm_run,
	.mem_map		= hvp_mem_map,
	.mem_unmap		= hvp_mem_unmap,
	.user_hypercalls	= hvp_user_hypercalls,
	.debugfs_dirs		= hvp_debugfs_dirs,
	.slat_2m_leaves		= hvp_slat_2m_leaves,
	.partition_create	= hvp_partition_create,
	.partition_prepare_vps	= hvp_partition_prepare_vps,
	.vp_create		= hvp_vp_create,
	.hypercall_result	= BENCH_HV_STATUS_INVALID_HYPERCALL_CODE,
	.user_hypercall_result	= BENCH_HV_STATUS_INVALID_HYPERCALL_CODE,
};
