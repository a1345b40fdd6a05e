// SPDX-License-Identifier: GPL-2.0
/*
 * Connection ids: where a guest's HvPostMessage and HvSignalEvent go.
 *
 * The VMM registers an id with HVPART_HV_CONNECT and gets a connection fd.
 * A MESSAGE connection queues each posted message (bounded, then the guest
 * is told HV_STATUS_INSUFFICIENT_BUFFERS) for read() on the fd; an EVENT
 * connection signals the VMM's eventfd. Closing the fd unregisters the id.
 * Ids nobody registered answer HV_STATUS_INVALID_CONNECTION_ID, which is
 * also how a guest learns a VMBus version is not offered; an id of the
 * other kind (a message to an event connection, or the reverse) answers
 * HV_STATUS_INVALID_PORT_ID, as a port of the wrong type does on Hyper-V.
 *
 * The module's own VMBus host registers ids the same way, with callbacks
 * instead of an fd (hvp_hv_conn_register_kernel).
 *
 * Hypercalls look ids up under RCU and never sleep while doing so; the fd
 * release waits for a grace period before freeing.
 */
#include <linux/anon_inodes.h>
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "../hvpart.h"
#include "hv.h"

#define HVP_HV_CONN_ID_MAX	(1U << 24)

struct hvp_hv_conn {
	struct hvp_partition *part;
	u32 id;
	u32 type;			/* HVPART_HV_CONN_* */
	u32 flags;			/* HVPART_HV_CONN_F_* */
	/* In-kernel owner (VMBus): called under RCU, must not sleep. */
	const struct hvp_hv_conn_ops *ops;
	void *priv;
	struct eventfd_ctx *eventfd;	/* userspace EVENT */
	spinlock_t lock;		/* userspace MESSAGE ring */
	unsigned int head, count;
	wait_queue_head_t wq;
	struct hvpart_hv_guest_message *ring;
};

/* A guest's post as userspace sees it, the payload zero-filled past @size. */
static void conn_message_fill(struct hvpart_hv_guest_message *m, struct hvp_vp *vp,
			      u32 conn_id, u32 type, u32 size, const u8 *payload)
{
	m->connection_id = conn_id;
	m->vp_index = vp->index;
	m->message_type = type;
	m->payload_size = size;
	memcpy(m->payload, payload, size);
	memset(m->payload + size, 0, sizeof(m->payload) - size);
}

u16 hvp_hv_post_to_connection(struct hvp_vp *vp, u32 conn_id, u32 type, u32 size,
			      const u8 *payload)
{
	struct hvp_hv_conn *c;
	u16 status = HV_STATUS_SUCCESS;

	rcu_read_lock();
	c = xa_load(&vp->part->hv.conns, conn_id);
	if (!c) {
		status = HV_STATUS_INVALID_CONNECTION_ID;
	} else if (c->type != HVPART_HV_CONN_MESSAGE) {
		status = HV_STATUS_INVALID_PORT_ID;	/* not a message port (TLFS) */
	} else if (c->ops) {
		status = c->ops->post(c->priv, vp, type, size, payload);
	} else if (c->flags & HVPART_HV_CONN_F_EXIT) {
		/* To the poster's own RUN: the run loop exits after this call. */
		conn_message_fill(&vp->run->hv_message, vp, conn_id, type, size, payload);
		vp->hv.message_exit = true;
	} else {
		spin_lock(&c->lock);
		if (c->count == HVP_HV_CONN_QUEUE_LEN) {
			status = HV_STATUS_INSUFFICIENT_BUFFERS;
		} else {
			conn_message_fill(&c->ring[(c->head + c->count) % HVP_HV_CONN_QUEUE_LEN],
					  vp, conn_id, type, size, payload);
			c->count++;
		}
		spin_unlock(&c->lock);
		if (status == HV_STATUS_SUCCESS)
			wake_up_interruptible(&c->wq);
	}
	rcu_read_unlock();
	return status;
}

u16 hvp_hv_signal_connection(struct hvp_vp *vp, u32 conn_id)
{
	struct hvp_hv_conn *c;
	u16 status = HV_STATUS_SUCCESS;

	rcu_read_lock();
	c = xa_load(&vp->part->hv.conns, conn_id);
	if (!c)
		status = HV_STATUS_INVALID_CONNECTION_ID;
	else if (c->type != HVPART_HV_CONN_EVENT)
		status = HV_STATUS_INVALID_PORT_ID;	/* not an event port (TLFS) */
	else if (c->ops)
		c->ops->signal(c->priv, vp);
	else
		eventfd_signal(c->eventfd, 1);
	rcu_read_unlock();
	return status;
}

static ssize_t hvp_conn_read(struct file *file, char __user *buf, size_t len, loff_t *ppos)
{
	struct hvp_hv_conn *c = file->private_data;
	const size_t rec = sizeof(struct hvpart_hv_guest_message);
	struct hvpart_hv_guest_message m;
	size_t done = 0;
	int ret;

	if (c->type != HVPART_HV_CONN_MESSAGE || (c->flags & HVPART_HV_CONN_F_EXIT) || len < rec)
		return -EINVAL;
	for (;;) {
		spin_lock(&c->lock);
		if (c->count) {
			m = c->ring[c->head];
			c->head = (c->head + 1) % HVP_HV_CONN_QUEUE_LEN;
			c->count--;
			spin_unlock(&c->lock);
			if (copy_to_user(buf + done, &m, rec))
				return done ? done : -EFAULT;
			done += rec;
			if (len - done < rec)
				return done;
			continue;
		}
		spin_unlock(&c->lock);
		if (done)
			return done;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(c->wq, READ_ONCE(c->count));
		if (ret)
			return ret;
	}
}

static __poll_t hvp_conn_poll(struct file *file, poll_table *wait)
{
	struct hvp_hv_conn *c = file->private_data;

	poll_wait(file, &c->wq, wait);
	return READ_ONCE(c->count) ? EPOLLIN | EPOLLRDNORM : 0;
}

static void hvp_conn_unlink(struct hvp_hv_conn *c)
{
	struct hvp_hv_partition *hv = &c->part->hv;

	mutex_lock(&hv->lock);
	xa_erase(&hv->conns, c->id);
	hv->nr_conns--;
	mutex_unlock(&hv->lock);
	/* Hypercalls may still be using it under RCU. */
	synchronize_rcu();
}

/* Unregister and free: the end of a connection fd. */
static void hvp_conn_destroy(struct hvp_hv_conn *c)
{
	hvp_conn_unlink(c);
	if (c->eventfd)
		eventfd_ctx_put(c->eventfd);
	hvp_partition_put(c->part);
	kvfree(c->ring);
	kfree(c);
}

/* Insert @c under its id; -EEXIST, -ENOSPC. */
static int hvp_conn_link(struct hvp_partition *part, struct hvp_hv_conn *c)
{
	struct hvp_hv_partition *hv = &part->hv;
	int ret;

	mutex_lock(&hv->lock);
	ret = -ENOSPC;
	if (hv->nr_conns < HVP_HV_MAX_CONNECTIONS) {
		ret = xa_insert(&hv->conns, c->id, c, GFP_KERNEL_ACCOUNT);
		if (ret == -EBUSY)
			ret = -EEXIST;
	}
	if (!ret)
		hv->nr_conns++;
	mutex_unlock(&hv->lock);
	return ret;
}

int hvp_hv_conn_register_kernel(struct hvp_partition *part, u32 id, u32 type,
				const struct hvp_hv_conn_ops *ops, void *priv)
{
	struct hvp_hv_conn *c;
	int ret;

	if (id >= HVP_HV_CONN_ID_MAX)
		return -EINVAL;
	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c)
		return -ENOMEM;
	c->part = part;
	c->id = id;
	c->type = type;
	c->ops = ops;
	c->priv = priv;
	ret = hvp_conn_link(part, c);
	if (ret)
		kfree(c);
	return ret;
}

void hvp_hv_conn_unregister_kernel(struct hvp_partition *part, u32 id)
{
	struct hvp_hv_conn *c = xa_load(&part->hv.conns, id);

	if (WARN_ON_ONCE(!c || !c->ops))
		return;
	hvp_conn_unlink(c);
	kfree(c);
}

static int hvp_conn_release(struct inode *inode, struct file *file)
{
	hvp_conn_destroy(file->private_data);
	return 0;
}

static const struct file_operations hvp_conn_fops = {
	.owner		= THIS_MODULE,
	.read		= hvp_conn_read,
	.poll		= hvp_conn_poll,
	.release	= hvp_conn_release,
	.llseek		= noop_llseek,
};

int hvp_hv_connect_ioctl(struct hvp_partition *part, const void __user *uarg)
{
	struct hvpart_hv_connect args;
	struct hvp_hv_conn *c;
	int ret, fd;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if ((args.flags & ~HVPART_HV_CONN_F_EXIT) || args.rsvd ||
	    args.connection_id >= HVP_HV_CONN_ID_MAX || !hvp_hv_has(part, HVPART_HV_F(SYNIC)))
		return -EINVAL;
	if ((args.flags & HVPART_HV_CONN_F_EXIT) && args.type != HVPART_HV_CONN_MESSAGE)
		return -EINVAL;
	if (args.type == HVPART_HV_CONN_MESSAGE ? args.eventfd != -1 :
	    args.type != HVPART_HV_CONN_EVENT || args.eventfd < 0)
		return -EINVAL;

	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c)
		return -ENOMEM;
	c->part = part;
	c->id = args.connection_id;
	c->type = args.type;
	c->flags = args.flags;
	spin_lock_init(&c->lock);
	init_waitqueue_head(&c->wq);
	ret = -ENOMEM;
	if (args.type == HVPART_HV_CONN_MESSAGE && !(args.flags & HVPART_HV_CONN_F_EXIT)) {
		c->ring = kvcalloc(HVP_HV_CONN_QUEUE_LEN, sizeof(*c->ring), GFP_KERNEL_ACCOUNT);
		if (!c->ring)
			goto err_free;
	} else if (args.type == HVPART_HV_CONN_EVENT) {
		c->eventfd = eventfd_ctx_fdget(args.eventfd);
		if (IS_ERR(c->eventfd)) {
			ret = PTR_ERR(c->eventfd);
			c->eventfd = NULL;
			goto err_free;
		}
	}
	ret = hvp_conn_link(part, c);
	if (ret)
		goto err_free;
	hvp_partition_get(part);

	fd = anon_inode_getfd("hvpart-hv-connection", &hvp_conn_fops, c, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		hvp_conn_destroy(c);
	return fd;

err_free:
	if (c->eventfd)
		eventfd_ctx_put(c->eventfd);
	kvfree(c->ring);
	kfree(c);
	return ret;
}

void hvp_hv_connections_destroy(struct hvp_partition *part)
{
	/*
	 * Connection fds hold a partition reference and in-kernel owners
	 * unregister before the partition goes: none are left.
	 */
	WARN_ON_ONCE(!xa_empty(&part->hv.conns));
}
