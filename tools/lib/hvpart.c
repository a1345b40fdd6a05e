// SPDX-License-Identifier: GPL-2.0
/*
 * libhvpart: /dev/hvpart, partition and VP ioctls. Every ioctl goes through
 * HVP_IOCTL(), which checks at compile time that the argument's size is
 * the one encoded in the ioctl number (so uapi drift fails to build, as in
 * KVM's selftests) and, on failure, records "object: IOCTL_NAME: strerror"
 * in the per-thread error buffer. See libhvpart.h for the conventions.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libhvpart.h"

#define HVP_DEV_PATH	"/dev/hvpart"
#define SZ_4K		0x1000ULL
#define SZ_2M		0x200000ULL

static _Thread_local char hvp_errbuf[256];

const char *hvp_error(void)
{
	return hvp_errbuf;
}

static __attribute__((format(printf, 1, 2))) void hvp_set_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(hvp_errbuf, sizeof(hvp_errbuf), fmt, ap);
	va_end(ap);
}

/* Returns ioctl()'s non-negative result, or -errno with the error recorded. */
static int hvp_ioctl_named(const char *obj, int fd, unsigned long cmd, const char *cmd_name,
			   void *arg)
{
	int ret = ioctl(fd, cmd, arg);
	int err = errno;

	if (ret >= 0)
		return ret;
	hvp_set_error("%s: %s: %s", obj, cmd_name, strerror(err));
	return -err;
}

#define HVP_IOCTL(obj, fd, cmd, arg) ({						\
	_Static_assert(sizeof(*(arg)) == _IOC_SIZE(cmd), #cmd ": argument size");	\
	hvp_ioctl_named((obj)->name, fd, cmd, #cmd, (void *)(arg));		\
})

/* For _IO ioctls, which take no argument. */
#define HVP_IOCTL_NOARG(obj, fd, cmd)						\
	hvp_ioctl_named((obj)->name, fd, cmd, #cmd, NULL)

static void hvp_copy_name(char *dst, const char *src)
{
	snprintf(dst, HVP_NAME_MAX, "%s", src);
}

/* ---- /dev/hvpart -------------------------------------------------------- */

int hvp_dev_open(struct hvp_dev *dev, const char *path)
{
	int version, err;

	hvp_copy_name(dev->name, path ? path : HVP_DEV_PATH);
	dev->fd = open(dev->name, O_RDWR | O_CLOEXEC);
	if (dev->fd < 0) {
		err = errno;
		if (err == ENOENT)
			hvp_set_error("%s: %s (is hvpart.ko loaded?)", dev->name, strerror(err));
		else if (err == EACCES)
			hvp_set_error("%s: %s (root, or a group granted the device: docs/api.md)",
				      dev->name, strerror(err));
		else
			hvp_set_error("%s: %s", dev->name, strerror(err));
		return -err;
	}
	version = HVP_IOCTL_NOARG(dev, dev->fd, HVPART_GET_API_VERSION);
	if (version < 0) {
		err = version;
		goto err_close;
	}
	if (version != HVPART_API_VERSION) {
		hvp_set_error("%s: HVPART_GET_API_VERSION: module speaks version %d, this tool %d",
			      dev->name, version, HVPART_API_VERSION);
		err = -EPROTO;
		goto err_close;
	}
	return 0;

err_close:
	close(dev->fd);
	dev->fd = -1;
	return err;
}

void hvp_dev_close(struct hvp_dev *dev)
{
	if (dev->fd >= 0)
		close(dev->fd);
	dev->fd = -1;
}

int hvp_dev_check_cap(struct hvp_dev *dev, uint32_t cap, uint64_t *value)
{
	struct hvpart_cap_query q = { .cap = cap };
	int ret = HVP_IOCTL(dev, dev->fd, HVPART_CHECK_CAP, &q);

	if (ret < 0)
		return ret;
	*value = q.value;
	return 0;
}

bool hvp_cap_req_met(const struct hvp_cap_req *r, uint64_t v)
{
	if (r->bits)
		return (v & r->bits) == r->bits;
	return v >= (r->min ? r->min : 1);
}

int hvp_dev_require_caps(struct hvp_dev *dev, const struct hvp_cap_req *reqs, size_t n,
			 const struct hvp_cap_req **failed)
{
	size_t i;
	uint64_t v;
	int ret;

	for (i = 0; i < n; i++) {
		const struct hvp_cap_req *r = &reqs[i];

		ret = hvp_dev_check_cap(dev, r->cap, &v);
		if (ret < 0) {
			if (failed)
				*failed = r;
			return ret;
		}
		if (hvp_cap_req_met(r, v))
			continue;
		if (r->bits)
			hvp_set_error("%s: capability %s is %#llx, need bits %#llx (%s): update hvpart.ko",
				      dev->name, hvp_cap_name(r->cap), (unsigned long long)v,
				      (unsigned long long)r->bits, r->why);
		else
			hvp_set_error("%s: capability %s is %llu, need at least %llu (%s)",
				      dev->name, hvp_cap_name(r->cap), (unsigned long long)v,
				      (unsigned long long)(r->min ? r->min : 1), r->why);
		if (failed)
			*failed = r;
		return -ENOTSUP;
	}
	return 0;
}

/*
 * GET_SUPPORTED_CPUID and GET_CPUID share the E2BIG protocol: on a short
 * buffer the module says how many entries it needs.
 */
static int hvp_get_cpuid_table(const char *obj, int fd, unsigned long cmd, const char *cmd_name,
			       struct hvpart_cpuid_entry **entries, uint32_t *n)
{
	struct hvpart_cpuid c = { 0 };
	struct hvpart_cpuid_entry *buf = NULL;
	uint32_t want = 64;
	int ret, tries;

	for (tries = 0; tries < 4; tries++) {
		struct hvpart_cpuid_entry *nbuf = realloc(buf, want * sizeof(*buf));

		if (!nbuf) {
			free(buf);
			hvp_set_error("%s: %s: %s", obj, cmd_name, strerror(ENOMEM));
			return -ENOMEM;
		}
		buf = nbuf;
		memset(buf, 0, want * sizeof(*buf));
		c.nent = want;
		c.flags = 0;
		c.entries = (uintptr_t)buf;
		ret = hvp_ioctl_named(obj, fd, cmd, cmd_name, &c);
		if (ret == -E2BIG && c.nent > want) {
			want = c.nent;
			continue;
		}
		if (ret < 0) {
			free(buf);
			return ret;
		}
		*entries = buf;
		*n = c.nent;
		return 0;
	}
	free(buf);
	hvp_set_error("%s: %s: table keeps growing", obj, cmd_name);
	return -E2BIG;
}

int hvp_dev_get_supported_cpuid(struct hvp_dev *dev, struct hvpart_cpuid_entry **entries,
				uint32_t *n)
{
	_Static_assert(sizeof(struct hvpart_cpuid) == _IOC_SIZE(HVPART_GET_SUPPORTED_CPUID), "size");
	return hvp_get_cpuid_table(dev->name, dev->fd, HVPART_GET_SUPPORTED_CPUID,
				   "HVPART_GET_SUPPORTED_CPUID", entries, n);
}

/* ---- partitions --------------------------------------------------------- */

int hvp_partition_create(struct hvp_dev *dev, struct hvp_partition *p, const char *name,
			 uint64_t flags)
{
	struct hvpart_partition_create arg = { .flags = flags };
	int fd;

	hvp_copy_name(p->name, name);
	/* The device is the object, but the partition is what the user named. */
	fd = HVP_IOCTL(p, dev->fd, HVPART_CREATE_PARTITION, &arg);
	p->fd = fd < 0 ? -1 : fd;
	return fd < 0 ? fd : 0;
}

void hvp_partition_close(struct hvp_partition *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

int hvp_partition_map(struct hvp_partition *p, uint64_t gpa, uint64_t size, void *host,
		      uint32_t flags)
{
	struct hvpart_mem_map m = {
		.guest_pa = gpa,
		.size = size,
		.user_addr = (uintptr_t)host,
		.flags = flags,
	};
	int ret = HVP_IOCTL(p, p->fd, HVPART_MAP_GPA, &m);

	if (ret < 0) {
		/* Say which range: one tool maps several. */
		char msg[sizeof(hvp_errbuf)];

		snprintf(msg, sizeof(msg), "%s", hvp_errbuf);
		hvp_set_error("%s (guest %#llx-%#llx)", msg, (unsigned long long)gpa,
			      (unsigned long long)(gpa + size - 1));
	}
	return ret < 0 ? ret : 0;
}

int hvp_partition_unmap(struct hvp_partition *p, uint64_t gpa, uint64_t size)
{
	struct hvpart_mem_unmap m = { .guest_pa = gpa, .size = size };
	int ret = HVP_IOCTL(p, p->fd, HVPART_UNMAP_GPA, &m);

	return ret < 0 ? ret : 0;
}

int hvp_partition_interrupt(struct hvp_partition *p, const struct hvpart_interrupt *irq)
{
	int ret = HVP_IOCTL(p, p->fd, HVPART_INTERRUPT, irq);

	return ret < 0 ? ret : 0;
}

int hvp_partition_set_hv_config(struct hvp_partition *p, uint64_t features)
{
	struct hvpart_hv_config c = { .features = features };
	int ret = HVP_IOCTL(p, p->fd, HVPART_SET_HV_CONFIG, &c);

	return ret < 0 ? ret : 0;
}

int hvp_partition_vmbus_create(struct hvp_partition *p, uint32_t ics)
{
	struct hvpart_vmbus_create c = { .ics = ics };
	int ret = HVP_IOCTL(p, p->fd, HVPART_VMBUS_CREATE, &c);

	return ret < 0 ? ret : 0;
}

int hvp_partition_vmbus_shutdown(struct hvp_partition *p, uint32_t flags)
{
	struct hvpart_vmbus_shutdown sd = { .flags = flags };
	int ret = HVP_IOCTL(p, p->fd, HVPART_VMBUS_SHUTDOWN, &sd);

	return ret < 0 ? ret : 0;
}

int hvp_partition_vmbus_kvp(struct hvp_partition *p, struct hvpart_vmbus_kvp *kvp)
{
	int ret = HVP_IOCTL(p, p->fd, HVPART_VMBUS_KVP, kvp);

	return ret < 0 ? ret : 0;
}

int hvp_partition_vmbus_status(struct hvp_partition *p, struct hvpart_vmbus_status *st)
{
	int ret;

	memset(st, 0, sizeof(*st));
	ret = HVP_IOCTL(p, p->fd, HVPART_VMBUS_STATUS, st);
	return ret < 0 ? ret : 0;
}

/* ---- guest memory ------------------------------------------------------- */

int hvp_mem_alloc(uint64_t size, void **mem)
{
	uint64_t len = (size + SZ_4K - 1) & ~(SZ_4K - 1);
	uint64_t align = len >= SZ_2M ? SZ_2M : SZ_4K;
	uint64_t total = len + align - SZ_4K;
	uint8_t *raw, *start;
	int err;

	if (!size || len < size) {
		hvp_set_error("guest memory: invalid size %llu", (unsigned long long)size);
		return -EINVAL;
	}
	raw = mmap(NULL, total, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED) {
		err = errno;
		hvp_set_error("guest memory: mmap of %llu MiB: %s",
			      (unsigned long long)(len >> 20), strerror(err));
		return -err;
	}
	/* Trim the slack so that exactly [start, start + len) stays mapped. */
	start = (uint8_t *)(((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1));
	if (start > raw)
		munmap(raw, start - raw);
	if (raw + total > start + len)
		munmap(start + len, raw + total - (start + len));
	/* Only a hint: without THP the memory still works, in 4 KiB pages. */
	if (align == SZ_2M)
		madvise(start, len, MADV_HUGEPAGE);
	*mem = start;
	return 0;
}

void hvp_mem_free(void *mem, uint64_t size)
{
	uint64_t len = (size + SZ_4K - 1) & ~(SZ_4K - 1);

	if (mem)
		munmap(mem, len);
}

/* ---- VPs ---------------------------------------------------------------- */

int hvp_vp_create(struct hvp_partition *p, struct hvp_vp *vp, uint32_t index)
{
	struct hvpart_vp_create arg = { .vp_index = index };
	long page = sysconf(_SC_PAGESIZE);
	void *run;
	int fd, err;

	snprintf(vp->name, sizeof(vp->name), "%.48s/vp%u", p->name, index);
	vp->index = index;
	vp->run = NULL;
	vp->fd = -1;
	/* CREATE_VP is a partition ioctl: the partition is the object. */
	fd = HVP_IOCTL(p, p->fd, HVPART_CREATE_VP, &arg);
	if (fd < 0)
		return fd;
	vp->run_size = page > 0 ? (size_t)page : SZ_4K;
	run = mmap(NULL, vp->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (run == MAP_FAILED) {
		err = errno;
		hvp_set_error("%s: mmap of the run page: %s", vp->name, strerror(err));
		close(fd);
		return -err;
	}
	vp->fd = fd;
	vp->run = run;
	return 0;
}

void hvp_vp_close(struct hvp_vp *vp)
{
	if (vp->run)
		munmap(vp->run, vp->run_size);
	vp->run = NULL;
	if (vp->fd >= 0)
		close(vp->fd);
	vp->fd = -1;
}

int hvp_vp_run(struct hvp_vp *vp)
{
	int ret = ioctl(vp->fd, HVPART_RUN_VP, 0);
	int err = errno;

	if (ret >= 0)
		return 0;
	if (err == EINTR)
		return -EINTR;
	hvp_set_error("%s: HVPART_RUN_VP: %s", vp->name, strerror(err));
	return -err;
}

int hvp_vp_get_regs(struct hvp_vp *vp, struct hvpart_regs *regs)
{
	int ret = HVP_IOCTL(vp, vp->fd, HVPART_GET_REGS, regs);

	return ret < 0 ? ret : 0;
}

int hvp_vp_set_regs(struct hvp_vp *vp, const struct hvpart_regs *regs)
{
	int ret = HVP_IOCTL(vp, vp->fd, HVPART_SET_REGS, regs);

	return ret < 0 ? ret : 0;
}

int hvp_vp_get_sregs(struct hvp_vp *vp, struct hvpart_sregs *sregs)
{
	int ret = HVP_IOCTL(vp, vp->fd, HVPART_GET_SREGS, sregs);

	return ret < 0 ? ret : 0;
}

int hvp_vp_set_sregs(struct hvp_vp *vp, const struct hvpart_sregs *sregs)
{
	int ret = HVP_IOCTL(vp, vp->fd, HVPART_SET_SREGS, sregs);

	return ret < 0 ? ret : 0;
}

/* A short count names the refused MSR, since errno alone cannot. */
static int hvp_vp_msrs(struct hvp_vp *vp, bool set, struct hvpart_msr_entry *entries,
		       uint32_t n)
{
	struct hvpart_msrs m = { .nmsrs = n, .entries = (uintptr_t)entries };
	int ret;

	if (set)
		ret = HVP_IOCTL(vp, vp->fd, HVPART_SET_MSRS, &m);
	else
		ret = HVP_IOCTL(vp, vp->fd, HVPART_GET_MSRS, &m);
	if (ret >= 0 && (uint32_t)ret < n)
		hvp_set_error("%s: %s: MSR %#x refused", vp->name,
			      set ? "HVPART_SET_MSRS" : "HVPART_GET_MSRS", entries[ret].index);
	return ret;
}

int hvp_vp_get_msrs(struct hvp_vp *vp, struct hvpart_msr_entry *entries, uint32_t n)
{
	return hvp_vp_msrs(vp, false, entries, n);
}

int hvp_vp_set_msrs(struct hvp_vp *vp, const struct hvpart_msr_entry *entries, uint32_t n)
{
	/* SET only reads the array; the cast is for the shared helper. */
	return hvp_vp_msrs(vp, true, (struct hvpart_msr_entry *)entries, n);
}

int hvp_vp_get_msr(struct hvp_vp *vp, uint32_t index, uint64_t *value)
{
	struct hvpart_msr_entry e = { .index = index };
	int ret = hvp_vp_get_msrs(vp, &e, 1);

	if (ret < 0)
		return ret;
	if (ret != 1)
		return -EINVAL;
	*value = e.value;
	return 0;
}

int hvp_vp_set_msr(struct hvp_vp *vp, uint32_t index, uint64_t value)
{
	struct hvpart_msr_entry e = { .index = index, .value = value };
	int ret = hvp_vp_set_msrs(vp, &e, 1);

	if (ret < 0)
		return ret;
	return ret == 1 ? 0 : -EINVAL;
}

int hvp_vp_get_mp_state(struct hvp_vp *vp, uint32_t *state)
{
	struct hvpart_mp_state mp = { 0 };
	int ret = HVP_IOCTL(vp, vp->fd, HVPART_GET_MP_STATE, &mp);

	if (ret < 0)
		return ret;
	*state = mp.state;
	return 0;
}

int hvp_vp_set_mp_state(struct hvp_vp *vp, uint32_t state)
{
	struct hvpart_mp_state mp = { .state = state };
	int ret = HVP_IOCTL(vp, vp->fd, HVPART_SET_MP_STATE, &mp);

	return ret < 0 ? ret : 0;
}

int hvp_vp_set_cpuid(struct hvp_vp *vp, const struct hvpart_cpuid_entry *entries, uint32_t n)
{
	struct hvpart_cpuid c = { .nent = n, .entries = (uintptr_t)entries };
	int ret = HVP_IOCTL(vp, vp->fd, HVPART_SET_CPUID, &c);

	return ret < 0 ? ret : 0;
}

int hvp_vp_get_cpuid(struct hvp_vp *vp, struct hvpart_cpuid_entry **entries, uint32_t *n)
{
	_Static_assert(sizeof(struct hvpart_cpuid) == _IOC_SIZE(HVPART_GET_CPUID), "size");
	return hvp_get_cpuid_table(vp->name, vp->fd, HVPART_GET_CPUID, "HVPART_GET_CPUID",
				   entries, n);
}
