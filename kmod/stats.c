// SPDX-License-Identifier: GPL-2.0
/*
 * Counters in debugfs, as KVM users expect them:
 *
 *   /sys/kernel/debug/hvpart/<pid>-<partition id>/<counter>      sum over VPs
 *   /sys/kernel/debug/hvpart/<pid>-<partition id>/vp<N>/<counter>
 *   /sys/kernel/debug/hvpart/<pid>-<partition id>/slat_tables, slat_2m_leaves
 *
 * Every VP counter is one line in hvp_vp_stat_descs[]; nothing else needs
 * to change to add one.
 */
#include <linux/debugfs.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "hvpart.h"

struct hvp_stat_desc {
	const char *name;
	size_t offset;
};

#define HVP_STAT(field) { #field, offsetof(struct hvp_vp_stats, field) }

static const struct hvp_stat_desc hvp_vp_stat_descs[] = {
	HVP_STAT(exits),		/* every exit from the guest */
	HVP_STAT(io_exits),		/* port I/O passed to userspace */
	HVP_STAT(mmio_exits),		/* unmapped or forbidden GPA, to userspace */
	HVP_STAT(hlt_exits),
	HVP_STAT(halt_polls),		/* halts that polled before sleeping */
	HVP_STAT(halt_poll_wakeups),	/* ... and were woken while polling */
	HVP_STAT(cpuid_exits),
	HVP_STAT(msr_exits),
	HVP_STAT(npf_fills),		/* SLAT faults filled in the kernel */
	HVP_STAT(intr_exits),		/* host interrupts, NMIs, SMIs */
	HVP_STAT(signal_exits),		/* RUN left with -EINTR */
	HVP_STAT(hypercall_exits),	/* hypercalls passed to userspace */
	HVP_STAT(userspace_exits),	/* RUN returned 0 */
	HVP_STAT(injected_exceptions),
	HVP_STAT(tlb_flushes),		/* guest TLB flushes requested */
};

#define HVP_NR_VP_STATS ARRAY_SIZE(hvp_vp_stat_descs)

static struct dentry *hvp_debugfs_root;

static u64 *hvp_vp_stat(struct hvp_vp *vp, unsigned int i)
{
	return (u64 *)((char *)&vp->stats + hvp_vp_stat_descs[i].offset);
}

/* A partition-level file: which partition, which counter. */
struct hvp_stat_file {
	struct hvp_partition *part;
	unsigned int stat;
};

static int hvp_partition_stat_get(void *data, u64 *val)
{
	struct hvp_stat_file *f = data;
	struct hvp_partition *part = f->part;
	unsigned int i;

	*val = 0;
	mutex_lock(&part->lock);
	for (i = 0; i < HVP_MAX_VPS; i++) {
		struct hvp_vp *vp = rcu_dereference_protected(part->vps[i],
							      lockdep_is_held(&part->lock));

		if (vp)
			*val += READ_ONCE(*hvp_vp_stat(vp, f->stat));
	}
	mutex_unlock(&part->lock);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(hvp_partition_stat_fops, hvp_partition_stat_get, NULL, "%llu\n");

static int hvp_slat_tables_get(void *data, u64 *val)
{
	struct hvp_partition *part = data;

	mutex_lock(&part->mem.lock);
	*val = part->mem.slat.nr_tables;
	mutex_unlock(&part->mem.lock);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(hvp_slat_tables_fops, hvp_slat_tables_get, NULL, "%llu\n");

static int hvp_slat_2m_get(void *data, u64 *val)
{
	struct hvp_partition *part = data;

	mutex_lock(&part->mem.lock);
	*val = part->mem.slat.nr_leaves_2m;
	mutex_unlock(&part->mem.lock);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(hvp_slat_2m_fops, hvp_slat_2m_get, NULL, "%llu\n");

void hvp_debugfs_init(void)
{
	hvp_debugfs_root = debugfs_create_dir("hvpart", NULL);
}

void hvp_debugfs_exit(void)
{
	debugfs_remove_recursive(hvp_debugfs_root);
}

void hvp_debugfs_partition_add(struct hvp_partition *part)
{
	struct hvp_stat_file *files;
	char name[32];
	unsigned int i;

	snprintf(name, sizeof(name), "%d-%u", task_tgid_nr(current), part->id);
	part->debugfs = debugfs_create_dir(name, hvp_debugfs_root);
	debugfs_create_file_unsafe("slat_tables", 0444, part->debugfs, part,
				   &hvp_slat_tables_fops);
	debugfs_create_file_unsafe("slat_2m_leaves", 0444, part->debugfs, part,
				   &hvp_slat_2m_fops);

	files = kcalloc(HVP_NR_VP_STATS, sizeof(*files), GFP_KERNEL_ACCOUNT);
	part->debugfs_files = files;
	if (!files)
		return;
	for (i = 0; i < HVP_NR_VP_STATS; i++) {
		files[i].part = part;
		files[i].stat = i;
		debugfs_create_file_unsafe(hvp_vp_stat_descs[i].name, 0444, part->debugfs,
					   &files[i], &hvp_partition_stat_fops);
	}
}

void hvp_debugfs_partition_remove(struct hvp_partition *part)
{
	debugfs_remove_recursive(part->debugfs);
	kfree(part->debugfs_files);
}

void hvp_debugfs_vp_add(struct hvp_vp *vp)
{
	char name[16];
	unsigned int i;

	snprintf(name, sizeof(name), "vp%u", vp->index);
	vp->debugfs = debugfs_create_dir(name, vp->part->debugfs);
	for (i = 0; i < HVP_NR_VP_STATS; i++)
		debugfs_create_u64(hvp_vp_stat_descs[i].name, 0444, vp->debugfs,
				   hvp_vp_stat(vp, i));
}

void hvp_debugfs_vp_remove(struct hvp_vp *vp)
{
	debugfs_remove_recursive(vp->debugfs);
}
