// SPDX-License-Identifier: GPL-2.0
/*
 * hvpart.ko: module load and unload. Picks the backend the CPU supports,
 * enables virtualization on every online CPU through CPU-hotplug
 * callbacks, and registers /dev/hvpart.
 *
 * Virtualization is enabled for as long as the module is loaded. Loading
 * fails with -EBUSY when another hypervisor already owns it on some CPU
 * (e.g. kvm_amd with a VM running); the other owner's state is never
 * touched. Unloading is refused by the module refcount while /dev/hvpart,
 * a partition or a VP fd is open.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpuhotplug.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "arch_ops.h"
#include "hvpart.h"

struct hvp_arch_ops hvp_ops __ro_after_init;

static const struct hvp_arch_ops *const hvp_backends[] = {
	&hvp_svm_ops,
	&hvp_vmx_ops,
};

static enum cpuhp_state hvp_cpuhp_state;

static int hvp_cpu_online(unsigned int cpu)
{
	return hvp_ops.cpu_enable();
}

static int hvp_cpu_offline(unsigned int cpu)
{
	hvp_ops.cpu_disable();
	return 0;
}

/* A backend must fill every op that arch_ops_list.h calls required. */
static int hvp_backend_complete(const struct hvp_arch_ops *ops)
{
#define HVP_OP(op)							\
	if (!ops->op) {							\
		pr_err("backend %s lacks required op " #op "\n", ops->name); \
		return -EINVAL;						\
	}
#define HVP_OP_OPTIONAL(op)
#include "arch_ops_list.h"
#undef HVP_OP
#undef HVP_OP_OPTIONAL
	return 0;
}

static int hvp_pick_backend(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(hvp_backends); i++) {
		const struct hvp_arch_ops *ops = hvp_backends[i];

		/* -EOPNOTSUPP: not this vendor; other errors were logged. */
		ret = ops->hardware_check();
		if (ret == -EOPNOTSUPP)
			continue;
		if (ret)
			return ret;
		ret = hvp_backend_complete(ops);
		if (ret)
			return ret;
		hvp_ops = *ops;
		return 0;
	}
	pr_err("no supported virtualization: need AMD SVM with nested paging or Intel VMX with EPT\n");
	return -ENODEV;
}

static int __init hvp_init(void)
{
	int ret;

	ret = hvp_pick_backend();
	if (ret)
		return ret;

	ret = hvp_cpuid_init();
	if (ret)
		return ret;

	ret = hvp_ops.hardware_setup();
	if (ret)
		goto err_cpuid;

	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "hvpart:online", hvp_cpu_online,
				hvp_cpu_offline);
	if (ret < 0)
		goto err_unsetup;
	hvp_cpuhp_state = ret;

	hvp_debugfs_init();
	ret = misc_register(&hvp_misc);
	if (ret)
		goto err_debugfs;

	pr_info("%s backend ready on %u CPUs\n", hvp_ops.name, num_online_cpus());
	return 0;

err_debugfs:
	hvp_debugfs_exit();
	cpuhp_remove_state(hvp_cpuhp_state);
err_unsetup:
	hvp_ops.hardware_unsetup();
err_cpuid:
	hvp_cpuid_exit();
	return ret;
}

static void __exit hvp_exit(void)
{
	misc_deregister(&hvp_misc);
	hvp_debugfs_exit();
	cpuhp_remove_state(hvp_cpuhp_state);
	hvp_ops.hardware_unsetup();
	hvp_cpuid_exit();
}

module_init(hvp_init);
module_exit(hvp_exit);

MODULE_DESCRIPTION("hvpart: a Hyper-V-style hypervisor with child partitions");
MODULE_LICENSE("GPL");
