// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/hvpart: the API version, capabilities, the supported CPUID table
 * and partition creation. The node is 0600 root; docs/api.md shows how to
 * grant a group access with a udev rule.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "arch_ops.h"
#include "hvpart.h"

static u64 hvp_cap_value(u32 cap)
{
	switch (cap) {
	case HVPART_CAP_BACKEND:
		return hvp_ops.backend;
	case HVPART_CAP_MAX_VPS:
		return HVP_MAX_VPS;
	case HVPART_CAP_MAX_MEM_REGIONS:
		return HVP_MAX_MEM_REGIONS;
	case HVPART_CAP_GPA_BITS:
		return hvp_gpa_bits();
	case HVPART_CAP_LARGE_PAGES:
		return 1;	/* 2 MiB leaves */
	case HVPART_CAP_MAX_CPUID_ENTRIES:
		return HVP_MAX_CPUID_ENTRIES;
	case HVPART_CAP_HW_ASSISTS:
		return hvp_ops.hw_assists();
	case HVPART_CAP_LAPIC:
		return 1;
	case HVPART_CAP_HYPERCALL_POLICY:
		return BIT(HVPART_HYPERCALL_ACTION_COUNT) - 1;
	case HVPART_CAP_HV_FEATURES:
		return hvp_hv_supported_features();
	default:
		return 0;
	}
}

static long hvp_check_cap(struct hvpart_cap_query __user *uarg)
{
	struct hvpart_cap_query q;

	if (copy_from_user(&q, uarg, sizeof(q)))
		return -EFAULT;
	if (q.flags)
		return -EINVAL;
	q.value = hvp_cap_value(q.cap);
	return copy_to_user(uarg, &q, sizeof(q)) ? -EFAULT : 0;
}

static long hvp_dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case HVPART_GET_API_VERSION:
		return HVPART_API_VERSION;
	case HVPART_CHECK_CAP:
		return hvp_check_cap(uarg);
	case HVPART_GET_SUPPORTED_CPUID:
		return hvp_cpuid_get_supported(uarg);
	case HVPART_CREATE_PARTITION:
		return hvp_partition_create(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations hvp_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= hvp_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

struct miscdevice hvp_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "hvpart",
	.fops	= &hvp_dev_fops,
	.mode	= 0600,
};
