// SPDX-License-Identifier: GPL-2.0
/*
 * The VP fd: registers, CPUID table, the mmap'd run page and RUN.
 *
 * Every ioctl on a VP holds vp->mutex, so RUN and register access never
 * race. Other threads reach a VP only to kick it out of guest mode
 * (hvp_vp_kick_all), through the partition's RCU-protected VP table.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/cpumask.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "arch_ops.h"
#include "hvpart.h"

static void hvp_kick_nop(void *info)
{
}

/*
 * Make every VP that is in guest mode leave it, and wait until each has:
 * the IPI is taken only after the VP's CPU exits the guest. A VP checks
 * for new work (tlb_gen, a dead partition) after announcing guest mode and
 * before entering, so a VP not caught here sees the work anyway.
 */
void hvp_vp_kick_all(struct hvp_partition *part)
{
	cpumask_var_t cpus;
	unsigned int i;

	if (!zalloc_cpumask_var(&cpus, GFP_KERNEL)) {
		/* Rare: fall back to interrupting every CPU. */
		on_each_cpu(hvp_kick_nop, NULL, 1);
		return;
	}
	rcu_read_lock();
	for (i = 0; i < HVP_MAX_VPS; i++) {
		struct hvp_vp *vp = rcu_dereference(part->vps[i]);

		if (vp && READ_ONCE(vp->mode) == HVP_IN_GUEST)
			cpumask_set_cpu(READ_ONCE(vp->cpu), cpus);
	}
	rcu_read_unlock();
	if (!cpumask_empty(cpus))
		on_each_cpu_mask(cpus, hvp_kick_nop, NULL, true);
	free_cpumask_var(cpus);
}

static void hvp_vp_get_regs(struct hvp_vp *vp, struct hvpart_regs *r)
{
	r->rax = vp->gprs[HVP_RAX];
	r->rbx = vp->gprs[HVP_RBX];
	r->rcx = vp->gprs[HVP_RCX];
	r->rdx = vp->gprs[HVP_RDX];
	r->rsi = vp->gprs[HVP_RSI];
	r->rdi = vp->gprs[HVP_RDI];
	r->rsp = vp->gprs[HVP_RSP];
	r->rbp = vp->gprs[HVP_RBP];
	r->r8 = vp->gprs[HVP_R8];
	r->r9 = vp->gprs[HVP_R9];
	r->r10 = vp->gprs[HVP_R10];
	r->r11 = vp->gprs[HVP_R11];
	r->r12 = vp->gprs[HVP_R12];
	r->r13 = vp->gprs[HVP_R13];
	r->r14 = vp->gprs[HVP_R14];
	r->r15 = vp->gprs[HVP_R15];
	r->rip = vp->rip;
	r->rflags = vp->rflags;
}

/* RFLAGS bit 1 is always 1; bits 3, 5, 15 and 22-63 are reserved zero. */
#define HVP_RFLAGS_RESERVED	(GENMASK_ULL(63, 22) | BIT(15) | BIT(5) | BIT(3))

static int hvp_vp_set_regs(struct hvp_vp *vp, const struct hvpart_regs *r)
{
	if ((r->rflags & HVP_RFLAGS_RESERVED) || !(r->rflags & X86_EFLAGS_FIXED))
		return -EINVAL;
	vp->gprs[HVP_RAX] = r->rax;
	vp->gprs[HVP_RBX] = r->rbx;
	vp->gprs[HVP_RCX] = r->rcx;
	vp->gprs[HVP_RDX] = r->rdx;
	vp->gprs[HVP_RSI] = r->rsi;
	vp->gprs[HVP_RDI] = r->rdi;
	vp->gprs[HVP_RSP] = r->rsp;
	vp->gprs[HVP_RBP] = r->rbp;
	vp->gprs[HVP_R8] = r->r8;
	vp->gprs[HVP_R9] = r->r9;
	vp->gprs[HVP_R10] = r->r10;
	vp->gprs[HVP_R11] = r->r11;
	vp->gprs[HVP_R12] = r->r12;
	vp->gprs[HVP_R13] = r->r13;
	vp->gprs[HVP_R14] = r->r14;
	vp->gprs[HVP_R15] = r->r15;
	vp->rip = r->rip;
	vp->rflags = r->rflags;
	/* New state from userspace replaces whatever the last exit left. */
	vp->pending = HVP_PENDING_NONE;
	vp->needs_reset = false;
	return 0;
}

static int hvp_vp_set_sregs(struct hvp_vp *vp, const struct hvpart_sregs *s)
{
	int ret = hvp_sregs_check(vp, s);

	if (ret)
		return ret;
	ret = hvp_ops.set_sregs(vp, s);
	if (ret)
		return ret;
	vp->cr4 = s->cr4;
	vp->pending = HVP_PENDING_NONE;
	vp->needs_reset = false;
	return 0;
}

static int hvp_vp_get_mp_state(struct hvp_vp *vp, struct hvpart_mp_state __user *uarg)
{
	struct hvpart_mp_state mp = { .state = vp->mp_state };

	return copy_to_user(uarg, &mp, sizeof(mp)) ? -EFAULT : 0;
}

/*
 * The VMM sets application processors to WAIT_SIPI before their threads
 * call RUN; RUNNABLE and HALTED restore saved states.
 */
static int hvp_vp_set_mp_state(struct hvp_vp *vp, const struct hvpart_mp_state __user *uarg)
{
	struct hvpart_mp_state mp;

	if (copy_from_user(&mp, uarg, sizeof(mp)))
		return -EFAULT;
	if (mp.rsvd || mp.state >= HVPART_MP_STATE_COUNT)
		return -EINVAL;
	vp->mp_state = mp.state;
	return 0;
}

static long hvp_vp_ioctl_locked(struct hvp_vp *vp, unsigned int cmd, void __user *uarg)
{
	struct hvpart_sregs sregs;
	struct hvpart_regs regs;

	switch (cmd) {
	case HVPART_RUN_VP:
		if (uarg)
			return -EINVAL;
		return hvp_vp_run(vp);
	case HVPART_GET_REGS:
		hvp_vp_get_regs(vp, &regs);
		return copy_to_user(uarg, &regs, sizeof(regs)) ? -EFAULT : 0;
	case HVPART_SET_REGS:
		if (copy_from_user(&regs, uarg, sizeof(regs)))
			return -EFAULT;
		return hvp_vp_set_regs(vp, &regs);
	case HVPART_GET_SREGS:
		memset(&sregs, 0, sizeof(sregs));
		hvp_ops.get_sregs(vp, &sregs);
		return copy_to_user(uarg, &sregs, sizeof(sregs)) ? -EFAULT : 0;
	case HVPART_SET_SREGS:
		if (copy_from_user(&sregs, uarg, sizeof(sregs)))
			return -EFAULT;
		return hvp_vp_set_sregs(vp, &sregs);
	case HVPART_GET_MSRS:
		return hvp_vp_msrs_ioctl(vp, uarg, false);
	case HVPART_SET_MSRS:
		return hvp_vp_msrs_ioctl(vp, uarg, true);
	case HVPART_SET_CPUID:
		return hvp_vp_set_cpuid(vp, uarg);
	case HVPART_GET_CPUID:
		return hvp_vp_get_cpuid(vp, uarg);
	case HVPART_GET_MP_STATE:
		return hvp_vp_get_mp_state(vp, uarg);
	case HVPART_SET_MP_STATE:
		return hvp_vp_set_mp_state(vp, uarg);
	default:
		return -ENOTTY;
	}
}

static long hvp_vp_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct hvp_vp *vp = file->private_data;
	long ret;

	if (current->mm != vp->part->mm || READ_ONCE(vp->part->dead))
		return -EIO;
	if (mutex_lock_killable(&vp->mutex))
		return -EINTR;
	ret = hvp_vp_ioctl_locked(vp, cmd, (void __user *)arg);
	mutex_unlock(&vp->mutex);
	return ret;
}

static int hvp_vp_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct hvp_vp *vp = file->private_data;

	if (vma->vm_pgoff || vma->vm_end - vma->vm_start != PAGE_SIZE)
		return -EINVAL;
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
	return vm_insert_page(vma, vma->vm_start, virt_to_page(vp->run));
}

static void hvp_vp_free(struct hvp_vp *vp)
{
	hvp_hv_vp_destroy(vp);
	hvp_lapic_destroy(vp);
	hvp_ops.vp_free(vp);
	fpu_free_guest_fpstate(&vp->guest_fpu);
	kvfree(vp->cpuid);
	free_page((unsigned long)vp->run);
	kfree(vp);
}

/* Unlink @vp from its partition and free it: the end of a VP fd. */
static void hvp_vp_destroy(struct hvp_vp *vp)
{
	struct hvp_partition *part = vp->part;

	mutex_lock(&part->lock);
	RCU_INIT_POINTER(part->vps[vp->index], NULL);
	part->nr_vps--;
	mutex_unlock(&part->lock);
	/*
	 * Kickers walk the VP table under RCU. Expedited: closing a VP fd
	 * should not take a whole grace period (tens of ms).
	 */
	synchronize_rcu_expedited();

	hvp_debugfs_vp_remove(vp);
	hvp_vp_free(vp);
	hvp_partition_put(part);
}

static int hvp_vp_release(struct inode *inode, struct file *file)
{
	hvp_vp_destroy(file->private_data);
	return 0;
}

static const struct file_operations hvp_vp_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= hvp_vp_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= hvp_vp_mmap,
	.release	= hvp_vp_release,
	.llseek		= noop_llseek,
};

static struct hvp_vp *hvp_vp_alloc(struct hvp_partition *part, u32 index)
{
	struct hvp_vp *vp;
	int ret;

	vp = kzalloc(hvp_ops.vp_size, GFP_KERNEL_ACCOUNT);
	if (!vp)
		return ERR_PTR(-ENOMEM);
	vp->part = part;
	vp->index = index;
	vp->cpu = -1;
	mutex_init(&vp->mutex);
	init_waitqueue_head(&vp->wq);
	atomic_set(&vp->sipi_vector, -1);
	hvp_lapic_init(vp);
	hvp_hv_vp_init(vp);

	ret = -ENOMEM;
	vp->run = (struct hvpart_run *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vp->run)
		goto err_free;
	if (!fpu_alloc_guest_fpstate(&vp->guest_fpu))
		goto err_run;
	ret = hvp_vp_cpuid_init(vp);
	if (ret)
		goto err_fpu;
	ret = hvp_ops.vp_create(vp);
	if (ret)
		goto err_cpuid;
	hvp_vp_reset_regs(vp);
	hvp_lapic_reset(vp);
	return vp;

err_cpuid:
	kvfree(vp->cpuid);
err_fpu:
	fpu_free_guest_fpstate(&vp->guest_fpu);
err_run:
	free_page((unsigned long)vp->run);
err_free:
	kfree(vp);
	return ERR_PTR(ret);
}

int hvp_vp_create(struct hvp_partition *part, const struct hvpart_vp_create __user *uarg)
{
	struct hvpart_vp_create args;
	struct hvp_vp *vp;
	int fd;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if (args.flags || args.rsvd || args.vp_index >= HVP_MAX_VPS)
		return -EINVAL;

	vp = hvp_vp_alloc(part, args.vp_index);
	if (IS_ERR(vp))
		return PTR_ERR(vp);

	mutex_lock(&part->lock);
	if (rcu_access_pointer(part->vps[args.vp_index])) {
		mutex_unlock(&part->lock);
		hvp_vp_free(vp);
		return -EEXIST;
	}
	hvp_partition_get(part);
	rcu_assign_pointer(part->vps[args.vp_index], vp);
	part->nr_vps++;
	hvp_debugfs_vp_add(vp);
	mutex_unlock(&part->lock);

	fd = anon_inode_getfd("hvpart-vp", &hvp_vp_fops, vp, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		hvp_vp_destroy(vp);
	return fd;
}
