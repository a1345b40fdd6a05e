// SPDX-License-Identifier: GPL-2.0
/*
 * Channels served by userspace (a VMM's storage or network VSP): the
 * channel fd returned by HVPART_VMBUS_OFFER.
 *
 *  - read()/poll(): lifecycle events, OPENED (with ring sizes) and CLOSED.
 *  - mmap(offset 0, MAP_SHARED): the channel's rings, guest->host then
 *    host->guest, each a header page and its data, contiguous in the VMM's
 *    address space even though the guest scattered them. They are guest
 *    pages the VMM could reach anyway, so a mapping outliving the channel
 *    gives it nothing new; it holds a reference on each page, so none is
 *    freed and reused while mapped. The pages are mapped by PFN because
 *    guest RAM is usually anonymous memory, which vm_insert_page() refuses.
 *  - HVPART_VMBUS_CHAN_SET_EVENTFDS: doorbells without exits. A guest
 *    HvSignalEvent on the channel signals the guest_kick eventfd straight
 *    from the hypercall; a write to host_kick wakes a wait-queue entry of
 *    ours that raises the guest's event flag - the irqfd pattern.
 *  - close(): rescinds the offer.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "../kmod/hvpart.h"
#include "vmbus.h"

#define HVP_CHAN_FD_EVENTS	8

struct hvp_chan_fd {
	struct hvp_partition *part;
	struct hvp_vmbus_channel *ch;

	spinlock_t lock;		/* events */
	wait_queue_head_t wq;
	struct hvpart_vmbus_chan_event events[HVP_CHAN_FD_EVENTS];
	unsigned int head, count;

	struct mutex doorbell_lock;	/* setting the eventfds */
	struct eventfd_ctx __rcu *guest_kick;
	struct eventfd_ctx *host_kick;
	wait_queue_entry_t host_wait;
	poll_table host_pt;
};

static void hvp_chan_fd_event(struct hvp_chan_fd *f, const struct hvpart_vmbus_chan_event *ev)
{
	spin_lock(&f->lock);
	/* Only OPENED/CLOSED alternate: a full queue drops the oldest pair. */
	if (f->count == HVP_CHAN_FD_EVENTS) {
		f->head = (f->head + 2) % HVP_CHAN_FD_EVENTS;
		f->count -= 2;
	}
	f->events[(f->head + f->count) % HVP_CHAN_FD_EVENTS] = *ev;
	f->count++;
	spin_unlock(&f->lock);
	wake_up_interruptible(&f->wq);
}

static void hvp_chan_fd_opened(struct hvp_vmbus_channel *ch)
{
	struct hvpart_vmbus_chan_event ev = {
		.type = HVPART_VMBUS_CHAN_OPENED,
		.relid = ch->relid,
		.target_vp = ch->target_vp,
		.in_ring_size = ch->in_ring_size,
		.out_ring_size = ch->out_ring_size,
	};

	memcpy(ev.user_data, ch->user_data, sizeof(ev.user_data));
	hvp_chan_fd_event(ch->priv, &ev);
}

static void hvp_chan_fd_closing(struct hvp_vmbus_channel *ch)
{
	struct hvpart_vmbus_chan_event ev = {
		.type = HVPART_VMBUS_CHAN_CLOSED,
		.relid = ch->relid,
	};

	hvp_chan_fd_event(ch->priv, &ev);
}

static void hvp_chan_fd_kick(struct hvp_vmbus_channel *ch)
{
	struct hvp_chan_fd *f = ch->priv;
	struct eventfd_ctx *ctx;

	rcu_read_lock();
	ctx = rcu_dereference(f->guest_kick);
	if (ctx)
		eventfd_signal(ctx, 1);
	rcu_read_unlock();
}

static const struct hvp_vmbus_chan_ops hvp_chan_fd_ops = {
	.opened		= hvp_chan_fd_opened,
	.closing	= hvp_chan_fd_closing,
	.kick		= hvp_chan_fd_kick,
};

/* A write to host_kick: interrupt the guest (atomic: eventfd's lock held). */
static int hvp_chan_fd_host_wakeup(wait_queue_entry_t *wait, unsigned int mode, int sync,
				   void *key)
{
	struct hvp_chan_fd *f = container_of(wait, struct hvp_chan_fd, host_wait);
	__poll_t flags = key_to_poll(key);
	u64 count;

	if (flags & EPOLLIN) {
		eventfd_ctx_do_read(f->host_kick, &count);
		if (READ_ONCE(f->ch->state) == HVP_CHAN_OPEN)
			hvp_vmbus_chan_signal(f->ch);
	}
	return 0;
}

static void hvp_chan_fd_host_queue(struct file *file, wait_queue_head_t *wqh, poll_table *pt)
{
	struct hvp_chan_fd *f = container_of(pt, struct hvp_chan_fd, host_pt);

	add_wait_queue_priority(wqh, &f->host_wait);
}

static void hvp_chan_fd_drop_host_kick(struct hvp_chan_fd *f)
{
	u64 count;

	if (!f->host_kick)
		return;
	eventfd_ctx_remove_wait_queue(f->host_kick, &f->host_wait, &count);
	eventfd_ctx_put(f->host_kick);
	f->host_kick = NULL;
}

static int hvp_chan_fd_set_host_kick(struct hvp_chan_fd *f, int fd)
{
	struct file *file;
	__poll_t events;

	hvp_chan_fd_drop_host_kick(f);
	if (fd < 0)
		return 0;
	file = eventfd_fget(fd);
	if (IS_ERR(file))
		return PTR_ERR(file);
	f->host_kick = eventfd_ctx_fileget(file);
	if (IS_ERR(f->host_kick)) {
		f->host_kick = NULL;
		fput(file);
		return -EINVAL;
	}
	init_waitqueue_func_entry(&f->host_wait, hvp_chan_fd_host_wakeup);
	init_poll_funcptr(&f->host_pt, hvp_chan_fd_host_queue);
	events = vfs_poll(file, &f->host_pt);
	fput(file);
	/* A kick written before we listened is not lost. */
	if (events & EPOLLIN) {
		u64 count;

		eventfd_ctx_do_read(f->host_kick, &count);
		if (READ_ONCE(f->ch->state) == HVP_CHAN_OPEN)
			hvp_vmbus_chan_signal(f->ch);
	}
	return 0;
}

static int hvp_chan_fd_set_eventfds(struct hvp_chan_fd *f,
				    const struct hvpart_vmbus_chan_eventfds __user *uarg)
{
	struct hvpart_vmbus_chan_eventfds args;
	struct eventfd_ctx *guest = NULL, *old;
	int ret;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if (args.rsvd)
		return -EINVAL;
	if (args.guest_kick >= 0) {
		guest = eventfd_ctx_fdget(args.guest_kick);
		if (IS_ERR(guest))
			return PTR_ERR(guest);
	}
	mutex_lock(&f->doorbell_lock);
	ret = hvp_chan_fd_set_host_kick(f, args.host_kick);
	if (ret) {
		mutex_unlock(&f->doorbell_lock);
		if (guest)
			eventfd_ctx_put(guest);
		return ret;
	}
	old = rcu_replace_pointer(f->guest_kick, guest, lockdep_is_held(&f->doorbell_lock));
	mutex_unlock(&f->doorbell_lock);
	if (old) {
		synchronize_rcu();
		eventfd_ctx_put(old);
	}
	return 0;
}

static long hvp_chan_fd_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct hvp_chan_fd *f = file->private_data;

	if (current->mm != f->part->mm)
		return -EIO;
	switch (cmd) {
	case HVPART_VMBUS_CHAN_SET_EVENTFDS:
		return hvp_chan_fd_set_eventfds(f, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static ssize_t hvp_chan_fd_read(struct file *file, char __user *buf, size_t len, loff_t *ppos)
{
	struct hvp_chan_fd *f = file->private_data;
	struct hvpart_vmbus_chan_event ev;
	int ret;

	if (len < sizeof(ev))
		return -EINVAL;
	for (;;) {
		spin_lock(&f->lock);
		if (f->count) {
			ev = f->events[f->head];
			f->head = (f->head + 1) % HVP_CHAN_FD_EVENTS;
			f->count--;
			spin_unlock(&f->lock);
			return copy_to_user(buf, &ev, sizeof(ev)) ? -EFAULT : sizeof(ev);
		}
		spin_unlock(&f->lock);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(f->wq, READ_ONCE(f->count));
		if (ret)
			return ret;
	}
}

static __poll_t hvp_chan_fd_poll(struct file *file, poll_table *wait)
{
	struct hvp_chan_fd *f = file->private_data;

	poll_wait(file, &f->wq, wait);
	return READ_ONCE(f->count) ? EPOLLIN | EPOLLRDNORM : 0;
}

/* The pages one mmap of the rings shows, referenced while any VMA shows them. */
struct hvp_chan_map {
	refcount_t ref;
	unsigned long npages;
	struct page *pages[];
};

static void hvp_chan_map_put(struct hvp_chan_map *m)
{
	unsigned long i;

	if (!refcount_dec_and_test(&m->ref))
		return;
	for (i = 0; i < m->npages; i++)
		put_page(m->pages[i]);
	kvfree(m);
}

static void hvp_chan_vm_open(struct vm_area_struct *vma)
{
	struct hvp_chan_map *m = vma->vm_private_data;

	refcount_inc(&m->ref);
}

static void hvp_chan_vm_close(struct vm_area_struct *vma)
{
	hvp_chan_map_put(vma->vm_private_data);
}

/* All or nothing: a partial munmap would leave references we cannot split. */
static int hvp_chan_vm_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

static const struct vm_operations_struct hvp_chan_vm_ops = {
	.open		= hvp_chan_vm_open,
	.close		= hvp_chan_vm_close,
	.may_split	= hvp_chan_vm_may_split,
};

static int hvp_chan_fd_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct hvp_chan_fd *f = file->private_data;
	struct hvp_vmbus *bus = f->part->vmbus;
	struct hvp_vmbus_channel *ch = f->ch;
	struct hvp_chan_map *m;
	unsigned long i, n;
	int ret = -ENOTCONN;

	mutex_lock(&bus->lock);
	if (ch->state != HVP_CHAN_OPEN)
		goto out;
	n = ch->ring_gpadl->npages;
	ret = -EINVAL;
	/* Shared only: a private (COW) mapping cannot be filled page by page. */
	if (vma->vm_pgoff || !(vma->vm_flags & VM_SHARED) ||
	    vma->vm_end - vma->vm_start != n << PAGE_SHIFT)
		goto out;
	ret = -ENOMEM;
	m = kvmalloc(struct_size(m, pages, n), GFP_KERNEL_ACCOUNT);
	if (!m)
		goto out;
	refcount_set(&m->ref, 1);
	m->npages = n;
	for (i = 0; i < n; i++) {
		m->pages[i] = ch->ring_gpadl->pages[i];
		get_page(m->pages[i]);
	}
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP | VM_DONTCOPY;
	for (i = 0, ret = 0; i < n && !ret; i++)
		ret = remap_pfn_range(vma, vma->vm_start + (i << PAGE_SHIFT),
				      page_to_pfn(m->pages[i]), PAGE_SIZE, vma->vm_page_prot);
	if (ret) {
		/* The core unmaps what was filled; no VMA holds @m yet. */
		hvp_chan_map_put(m);
		goto out;
	}
	vma->vm_private_data = m;
	vma->vm_ops = &hvp_chan_vm_ops;
out:
	mutex_unlock(&bus->lock);
	return ret;
}

/* Rescind the offer and free: the end of a channel fd. */
static void hvp_chan_fd_destroy(struct hvp_chan_fd *f)
{
	struct hvp_vmbus *bus = f->part->vmbus;
	struct eventfd_ctx *guest;

	mutex_lock(&bus->lock);
	hvp_vmbus_rescind(f->ch);
	mutex_unlock(&bus->lock);

	mutex_lock(&f->doorbell_lock);
	hvp_chan_fd_drop_host_kick(f);
	guest = rcu_replace_pointer(f->guest_kick, NULL, true);
	mutex_unlock(&f->doorbell_lock);
	if (guest)
		eventfd_ctx_put(guest);	/* rescind waited for RCU already */

	hvp_vmbus_chan_put(f->ch);
	hvp_partition_put(f->part);
	kfree(f);
}

static int hvp_chan_fd_release(struct inode *inode, struct file *file)
{
	hvp_chan_fd_destroy(file->private_data);
	return 0;
}

static const struct file_operations hvp_chan_fd_fops = {
	.owner		= THIS_MODULE,
	.read		= hvp_chan_fd_read,
	.poll		= hvp_chan_fd_poll,
	.mmap		= hvp_chan_fd_mmap,
	.unlocked_ioctl	= hvp_chan_fd_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.release	= hvp_chan_fd_release,
	.llseek		= noop_llseek,
};

int hvp_vmbus_offer_ioctl(struct hvp_partition *part, const void __user *uarg)
{
	struct hvp_vmbus *bus = part->vmbus;
	struct hvpart_vmbus_offer args;
	struct hvp_vmbus_channel *ch;
	struct hvp_chan_fd *f;
	int fd;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if (args.flags || args.rsvd[0] || args.rsvd[1])
		return -EINVAL;
	if (!bus)
		return -ENOTCONN;

	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return -ENOMEM;
	f->part = part;
	spin_lock_init(&f->lock);
	init_waitqueue_head(&f->wq);
	mutex_init(&f->doorbell_lock);

	mutex_lock(&bus->lock);
	ch = hvp_vmbus_offer(bus, (const struct vmbus_guid *)args.class_id,
			     (const struct vmbus_guid *)args.instance_id, args.chn_flags,
			     args.mmio_megabytes, args.user_defined, &hvp_chan_fd_ops, f);
	mutex_unlock(&bus->lock);
	if (IS_ERR(ch)) {
		kfree(f);
		return PTR_ERR(ch);
	}
	f->ch = ch;
	hvp_partition_get(part);

	fd = anon_inode_getfd("hvpart-vmbus-channel", &hvp_chan_fd_fops, f, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		hvp_chan_fd_destroy(f);
	return fd;
}
