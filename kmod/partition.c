// SPDX-License-Identifier: GPL-2.0
/*
 * The partition fd: guest-physical memory and VP creation.
 *
 * A partition is reference counted: its fd holds one reference and every
 * VP fd another, so closing the partition fd while a VP runs on another
 * thread only drops a reference; the partition goes away with its last VP.
 * A partition may only be driven from the address space that created it
 * (its memory ranges are addresses in that mm); other callers get -EIO.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/apicdef.h>
#include <asm/msr.h>

#include "arch_ops.h"
#include "hvpart.h"
#include "../vmbus/vmbus.h"

static atomic_t hvp_partition_ids = ATOMIC_INIT(0);

void hvp_partition_get(struct hvp_partition *part)
{
	kref_get(&part->ref);
}

static void hvp_partition_release(struct kref *ref)
{
	struct hvp_partition *part = container_of(ref, struct hvp_partition, ref);

	hvp_debugfs_partition_remove(part);
	hvp_vmbus_destroy(part);
	hvp_hv_partition_destroy(part);
	if (hvp_ops.partition_destroy)
		hvp_ops.partition_destroy(part);
	hvp_gpa_map_destroy(part);
	mmdrop(part->mm);
	kfree(part);
}

void hvp_partition_put(struct hvp_partition *part)
{
	kref_put(&part->ref, hvp_partition_release);
}

void hvp_partition_mark_dead(struct hvp_partition *part, const char *why)
{
	pr_err("partition %u marked dead: %s\n", part->id, why);
	WRITE_ONCE(part->dead, true);
	hvp_vp_kick_all(part);
}

/* HVPART_INTERRUPT: an MSI-like message to the partition's local APICs. */
static int hvp_partition_interrupt(struct hvp_partition *part,
				   const struct hvpart_interrupt __user *uarg)
{
	struct hvpart_interrupt irq;
	u32 delivery;

	if (copy_from_user(&irq, uarg, sizeof(irq)))
		return -EFAULT;
	if (irq.rsvd0 || irq.rsvd1 || (irq.flags & ~HVPART_INTERRUPT_FLAGS_MASK))
		return -EINVAL;
	switch (irq.delivery) {
	case HVPART_DELIVERY_FIXED:
		delivery = APIC_DM_FIXED;
		break;
	case HVPART_DELIVERY_LOWEST:
		delivery = APIC_DM_LOWEST;
		break;
	default:
		return -EINVAL;	/* NMI is not modelled yet */
	}
	if (irq.vector < 16)
		return -EINVAL;
	return hvp_lapic_deliver(part, irq.dest, irq.flags & HVPART_INTERRUPT_F_LOGICAL,
				 irq.vector, delivery, irq.flags & HVPART_INTERRUPT_F_LEVEL);
}

static int hvp_partition_hypercall_policy(struct hvp_partition *part,
					  const struct hvpart_hypercall_policy __user *uarg)
{
	struct hvpart_hypercall_policy pol;
	unsigned int i;

	if (copy_from_user(&pol, uarg, sizeof(pol)))
		return -EFAULT;
	if (pol.flags || pol.action >= HVPART_HYPERCALL_ACTION_COUNT ||
	    (pol.result && pol.action != HVPART_HYPERCALL_RESULT))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(pol.rsvd); i++)
		if (pol.rsvd[i])
			return -EINVAL;

	/* Before the first VP: no exit handler can read it half-written. */
	mutex_lock(&part->lock);
	if (part->nr_vps) {
		mutex_unlock(&part->lock);
		return -EBUSY;
	}
	part->hypercall_action = pol.action;
	part->hypercall_result = pol.result;
	mutex_unlock(&part->lock);
	return 0;
}

static long hvp_partition_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct hvp_partition *part = file->private_data;
	void __user *uarg = (void __user *)arg;

	if (current->mm != part->mm || READ_ONCE(part->dead))
		return -EIO;

	switch (cmd) {
	case HVPART_MAP_GPA:
		return hvp_gpa_map_ioctl(part, uarg);
	case HVPART_UNMAP_GPA:
		return hvp_gpa_unmap_ioctl(part, uarg);
	case HVPART_CREATE_VP:
		return hvp_vp_create(part, uarg);
	case HVPART_INTERRUPT:
		return hvp_partition_interrupt(part, uarg);
	case HVPART_SET_HV_CONFIG:
		return hvp_hv_set_config(part, uarg);
	case HVPART_HV_POST_MESSAGE:
		return hvp_hv_post_ioctl(part, uarg);
	case HVPART_HV_SIGNAL_EVENT:
		return hvp_hv_signal_ioctl(part, uarg);
	case HVPART_HV_CONNECT:
		return hvp_hv_connect_ioctl(part, uarg);
	case HVPART_VMBUS_CREATE:
		return hvp_vmbus_create(part, uarg);
	case HVPART_VMBUS_OFFER:
		return hvp_vmbus_offer_ioctl(part, uarg);
	case HVPART_VMBUS_SHUTDOWN:
		return hvp_ic_shutdown_ioctl(part, uarg);
	case HVPART_VMBUS_KVP:
		return hvp_ic_kvp_ioctl(part, uarg);
	case HVPART_VMBUS_STATUS:
		return hvp_vmbus_status(part, uarg);
	case HVPART_SET_HYPERCALL_POLICY:
		return hvp_partition_hypercall_policy(part, uarg);
	default:
		return -ENOTTY;
	}
}

static int hvp_partition_file_release(struct inode *inode, struct file *file)
{
	hvp_partition_put(file->private_data);
	return 0;
}

static const struct file_operations hvp_partition_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= hvp_partition_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.release	= hvp_partition_file_release,
	.llseek		= noop_llseek,
};

int hvp_partition_create(const struct hvpart_partition_create __user *uarg)
{
	struct hvpart_partition_create args;
	struct hvp_partition *part;
	unsigned int i;
	int ret, fd;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if (args.flags & ~HVPART_PARTITION_FLAGS_MASK)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(args.rsvd); i++)
		if (args.rsvd[i])
			return -EINVAL;

	part = kzalloc(sizeof(*part), GFP_KERNEL_ACCOUNT);
	if (!part)
		return -ENOMEM;
	kref_init(&part->ref);
	part->id = atomic_inc_return(&hvp_partition_ids);
	part->flags = args.flags;
	mutex_init(&part->lock);
	part->mm = current->mm;
	mmgrab(part->mm);
	/* Guest TSCs start near zero when the partition is created. */
	part->tsc_offset = -rdtsc();

	ret = hvp_gpa_map_init(part);
	if (ret)
		goto err_free;
	hvp_hv_partition_init(part);
	if (hvp_ops.partition_init) {
		ret = hvp_ops.partition_init(part);
		if (ret)
			goto err_gpa_map;
	}
	hvp_debugfs_partition_add(part);

	fd = anon_inode_getfd("hvpart-partition", &hvp_partition_fops, part, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		hvp_partition_put(part);
		return fd;
	}
	return fd;

err_gpa_map:
	hvp_gpa_map_destroy(part);
err_free:
	mmdrop(part->mm);
	kfree(part);
	return ret;
}
