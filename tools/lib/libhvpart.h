/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libhvpart: the one wrapper of every /dev/hvpart ioctl, shared by all
 * user-space tools (hvctl today, hvpartd later). Selftests do not use it:
 * they test the ABI itself with raw ioctls.
 *
 * Conventions, for every function here:
 *   - Return 0 (or a non-negative count) on success, -errno on failure.
 *     Nothing here prints, exits or aborts: the caller decides.
 *   - A failure also leaves one line in a per-thread buffer, hvp_error(),
 *     naming the object and the ioctl that failed, ready to print after
 *     the program's name: "vm1: HVPART_CREATE_VP: Invalid argument".
 *   - Objects carry the name they were created with: the device is
 *     "/dev/hvpart", a partition has the caller's name ("vm1"), a VP is
 *     "vm1/vp0".
 *
 * Naming: hvp_<object>_<verb>. Name tables for exit reasons, internal
 * errors, capabilities and assists live in names.c and are the only ones
 * tools should print.
 */
#ifndef HVPART_TOOLS_LIBHVPART_H
#define HVPART_TOOLS_LIBHVPART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/hvpart.h>

#define HVP_NAME_MAX	64

struct hvp_dev {
	int fd;
	char name[HVP_NAME_MAX];
};

struct hvp_partition {
	int fd;
	char name[HVP_NAME_MAX];
};

struct hvp_vp {
	int fd;
	uint32_t index;
	struct hvpart_run *run;		/* the mmap'd run page */
	size_t run_size;
	char name[HVP_NAME_MAX];
};

/* The last failure of this thread, one line without a trailing newline. */
const char *hvp_error(void);

/* ---- /dev/hvpart ------------------------------------------------------ */

/*
 * Opens @path (NULL: "/dev/hvpart") and checks HVPART_GET_API_VERSION.
 * A missing node gets a hint to load hvpart.ko; a version mismatch fails
 * with -EPROTO.
 */
int hvp_dev_open(struct hvp_dev *dev, const char *path);
void hvp_dev_close(struct hvp_dev *dev);

/* HVPART_CHECK_CAP: *value is 0 for an absent or unknown capability. */
int hvp_dev_check_cap(struct hvp_dev *dev, uint32_t cap, uint64_t *value);

/*
 * One requirement on a capability: present with at least @min (for
 * counts), or with every bit of @bits set (for bit masks). @why says what
 * needs it, for the error message.
 */
struct hvp_cap_req {
	uint32_t cap;
	uint64_t min;
	uint64_t bits;
	const char *why;
};

/* True if capability value @v meets @r. */
bool hvp_cap_req_met(const struct hvp_cap_req *r, uint64_t v);

/*
 * Checks @reqs in order; the first one not met fails with -ENOTSUP and a
 * message naming it ("/dev/hvpart: capability HVPART_CAP_LAPIC is 0, need
 * bit 0x1 (in-kernel local APIC): update hvpart.ko"). *failed (optional)
 * points at it.
 */
int hvp_dev_require_caps(struct hvp_dev *dev, const struct hvp_cap_req *reqs,
			 size_t n, const struct hvp_cap_req **failed);

/*
 * HVPART_GET_SUPPORTED_CPUID into a malloc'd array (grown as E2BIG asks);
 * *n is its length. free() it.
 */
int hvp_dev_get_supported_cpuid(struct hvp_dev *dev, struct hvpart_cpuid_entry **entries,
				uint32_t *n);

/* ---- partitions --------------------------------------------------------- */

/* HVPART_CREATE_PARTITION with HVPART_PARTITION_F_* @flags. */
int hvp_partition_create(struct hvp_dev *dev, struct hvp_partition *p, const char *name,
			 uint64_t flags);
void hvp_partition_close(struct hvp_partition *p);

/* HVPART_MAP_GPA: HVPART_MEM_* @flags. */
int hvp_partition_map(struct hvp_partition *p, uint64_t gpa, uint64_t size, void *host,
		      uint32_t flags);
int hvp_partition_unmap(struct hvp_partition *p, uint64_t gpa, uint64_t size);

/* HVPART_INTERRUPT. */
int hvp_partition_interrupt(struct hvp_partition *p, const struct hvpart_interrupt *irq);

/* HVPART_SET_HV_CONFIG: HVPART_HV_F(...) @features; before the first VP. */
int hvp_partition_set_hv_config(struct hvp_partition *p, uint64_t features);

/*
 * VMBus, hosted by the module. HVPART_VMBUS_CREATE with the in-kernel
 * integration services @ics (HVPART_VMBUS_IC(...)); needs SYNIC.
 */
int hvp_partition_vmbus_create(struct hvp_partition *p, uint32_t ics);
/*
 * HVPART_VMBUS_SHUTDOWN: ask the guest's shutdown service to power off
 * (or reboot, HVPART_VMBUS_SHUTDOWN_F_REBOOT). Blocks until the guest
 * answers, at most 10 s; -ENODEV/-ENOTCONN: no service, or not opened.
 */
int hvp_partition_vmbus_shutdown(struct hvp_partition *p, uint32_t flags);
int hvp_partition_vmbus_status(struct hvp_partition *p, struct hvpart_vmbus_status *st);
/* One KVP exchange (HVPART_VMBUS_KVP); kvp->status holds the guest's answer. */
int hvp_partition_vmbus_kvp(struct hvp_partition *p, struct hvpart_vmbus_kvp *kvp);

/* ---- guest memory ------------------------------------------------------- */

/*
 * Anonymous memory for a guest: @size rounded up to 4 KiB, its start
 * aligned to 2 MiB and madvise(MADV_HUGEPAGE)d when it is at least 2 MiB,
 * so that transparent huge pages (and with them 2 MiB SLAT leaves, see
 * HVPART_CAP_LARGE_PAGES) are possible. MAP_NORESERVE: untouched guest
 * memory costs nothing. Free with hvp_mem_free().
 */
int hvp_mem_alloc(uint64_t size, void **mem);
void hvp_mem_free(void *mem, uint64_t size);

/* ---- VPs ---------------------------------------------------------------- */

/* HVPART_CREATE_VP, then mmap of its run page. */
int hvp_vp_create(struct hvp_partition *p, struct hvp_vp *vp, uint32_t index);
void hvp_vp_close(struct hvp_vp *vp);

/*
 * HVPART_RUN_VP. 0: vp->run->exit_reason says why. -EINTR: a signal or
 * run->immediate_exit interrupted it (not recorded as an error: it is
 * how other threads ask a VP to stop). Anything else is an error.
 */
int hvp_vp_run(struct hvp_vp *vp);

int hvp_vp_get_regs(struct hvp_vp *vp, struct hvpart_regs *regs);
int hvp_vp_set_regs(struct hvp_vp *vp, const struct hvpart_regs *regs);
int hvp_vp_get_sregs(struct hvp_vp *vp, struct hvpart_sregs *sregs);
int hvp_vp_set_sregs(struct hvp_vp *vp, const struct hvpart_sregs *sregs);

/*
 * HVPART_GET_MSRS/SET_MSRS over @n entries. Returns the number processed;
 * fewer than @n means entry [ret] was refused (recorded in hvp_error()).
 */
int hvp_vp_get_msrs(struct hvp_vp *vp, struct hvpart_msr_entry *entries, uint32_t n);
int hvp_vp_set_msrs(struct hvp_vp *vp, const struct hvpart_msr_entry *entries, uint32_t n);
/* One MSR; a refusal is -EINVAL. */
int hvp_vp_get_msr(struct hvp_vp *vp, uint32_t index, uint64_t *value);
int hvp_vp_set_msr(struct hvp_vp *vp, uint32_t index, uint64_t value);

/* HVPART_GET_MP_STATE / SET_MP_STATE: enum hvpart_mp_state_value. */
int hvp_vp_get_mp_state(struct hvp_vp *vp, uint32_t *state);
int hvp_vp_set_mp_state(struct hvp_vp *vp, uint32_t state);

int hvp_vp_set_cpuid(struct hvp_vp *vp, const struct hvpart_cpuid_entry *entries, uint32_t n);
/* Into a malloc'd array, as hvp_dev_get_supported_cpuid(). */
int hvp_vp_get_cpuid(struct hvp_vp *vp, struct hvpart_cpuid_entry **entries, uint32_t *n);

/* ---- name tables (names.c) ---------------------------------------------- */

/*
 * Each returns a static string; an unknown value gives "unknown". The
 * tables are indexed by the uapi enums; where the uapi has a _COUNT, a
 * compile-time check makes sure every value has its name.
 */
const char *hvp_exit_name(uint32_t reason);
const char *hvp_internal_error_name(uint32_t suberror);
const char *hvp_cap_name(uint32_t cap);
const char *hvp_backend_name(uint64_t backend);
/* Walk the capabilities: returns false past the last one. */
bool hvp_cap_iter(size_t i, uint32_t *cap, const char **name, const char **what);
/*
 * Walk the HVPART_ASSIST_* bits and the backend (HVPART_BACKEND_*) each
 * belongs to: returns false past the last one.
 */
bool hvp_assist_iter(size_t i, uint64_t *bit, uint64_t *backend, const char **name,
		     const char **what);
/* The name of Hyper-V feature bit @bit (HVPART_HV_BIT_*): "SYNIC". */
const char *hvp_hv_feature_name(unsigned int bit);
/* "HYPERCALL,VP_INDEX,..." for a feature mask, into @buf. */
void hvp_hv_features_str(uint64_t features, char *buf, size_t len);

#endif /* HVPART_TOOLS_LIBHVPART_H */
