// SPDX-License-Identifier: GPL-2.0
/*
 * A partition's VMBus host: the channel-management protocol of
 * hyperv-facts §5, as a Linux 6.1 guest (drivers/hv/connection.c,
 * channel_mgmt.c) speaks it.
 *
 *   guest                                   host (this file)
 *   INITIATE_CONTACT(version, VP, SINT) --> VERSION_RESPONSE(yes/no, conn id)
 *   REQUESTOFFERS                      --> OFFERCHANNEL x n, ALLOFFERS_DELIVERED
 *   GPADL_HEADER, GPADL_BODY...        --> GPADL_CREATED           (gpadl.c)
 *   OPENCHANNEL(relid, gpadl, VP)      --> OPENCHANNEL_RESULT      (channel.c)
 *   CLOSECHANNEL, GPADL_TEARDOWN       --> GPADL_TORNDOWN
 *                                      <-- RESCIND_CHANNELOFFER; RELID_RELEASED
 *   MODIFYCHANNEL                      --> MODIFYCHANNEL_RESPONSE (5.3)
 *   UNLOAD                             --> UNLOAD_RESPONSE
 *
 * Versions 3.0 to 5.3 are accepted; 5.x guests send INITIATE_CONTACT to
 * connection id 4 and name the SINT for our messages, and we answer with
 * connection id 1 for everything after. Most guest waits are unbounded
 * (§5.10), so every request gets an answer, a negative one when it is bad.
 *
 * Guest messages arrive in a hypercall, in atomic context: they are copied
 * into a bounded inbox (HV_STATUS_INSUFFICIENT_BUFFERS when full; Linux
 * retries) and handled by the bus work under bus->lock. The work does not
 * take new guest messages while earlier answers still wait for room in the
 * SynIC queue, which bounds what a guest can make the host hold.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "../kmod/hvpart.h"
#include "chan_msg.h"
#include "vmbus.h"
#include "../kmod/trace.h"

static bool vmbus_log;
module_param(vmbus_log, bool, 0644);
MODULE_PARM_DESC(vmbus_log, "Log every VMBus channel-management message (default off)");

static const u32 hvp_vmbus_versions[] = {
	VMBUS_VERSION_WIN10_V5_3, VMBUS_VERSION_WIN10_V5_2, VMBUS_VERSION_WIN10_V5_1,
	VMBUS_VERSION_WIN10_V5, VMBUS_VERSION_WIN10_RS3, VMBUS_VERSION_WIN10,
	VMBUS_VERSION_WIN8_1,
};

struct hvp_vmbus_inmsg {
	struct list_head link;
	u32 vp_index;
	u32 len;
	u8 data[VMBUS_MSG_MAX_SIZE];
};

struct hvp_vmbus_outmsg {
	struct list_head link;
	struct hv_message msg;
};

/* Describe one message for the tracepoint and the optional log. */
void hvp_vmbus_log_msg(struct hvp_vmbus *bus, bool to_guest, const void *msg, u32 len)
{
	u32 type = 0, arg = 0;

	if (len >= sizeof(type))
		memcpy(&type, msg, sizeof(type));
	/* Most messages carry a relid, a version or a GPADL id next. */
	if (len >= 12)
		memcpy(&arg, (const u8 *)msg + 8, sizeof(arg));
	trace_hvpart_vmbus_msg(bus->part->id, to_guest, type, vmbus_msg_name(type), arg, len);
	if (READ_ONCE(vmbus_log))
		pr_info("partition %u vmbus %s %s (%u) arg %#x len %u\n", bus->part->id,
			to_guest ? "host->guest" : "guest->host", vmbus_msg_name(type), type, arg,
			len);
}

static struct hvp_vp *hvp_vmbus_vp(struct hvp_vmbus *bus, u32 index)
{
	return index < HVP_MAX_VPS ? rcu_dereference(bus->part->vps[index]) : NULL;
}

/* Push queued messages into the target VP's SynIC queue while it takes them. */
static bool hvp_vmbus_flush_outbox(struct hvp_vmbus *bus)
{
	struct hvp_vmbus_outmsg *o, *next;
	struct hvp_vp *vp;
	int ret = 0;

	list_for_each_entry_safe(o, next, &bus->outbox, link) {
		rcu_read_lock();
		vp = hvp_vmbus_vp(bus, bus->target_vp);
		ret = vp ? hvp_synic_queue_message(vp, bus->msg_sint, &o->msg) : -ENOENT;
		rcu_read_unlock();
		if (ret == -EAGAIN || ret == -ENOMEM)
			return false;
		/* No such VP: nobody can receive it; drop. */
		list_del(&o->link);
		kfree(o);
	}
	return true;
}

void hvp_vmbus_send_msg(struct hvp_vmbus *bus, const void *msg, u32 len)
{
	struct hvp_vmbus_outmsg *o;

	lockdep_assert_held(&bus->lock);
	/* Nobody listens while the partition is torn down. */
	if (bus->dead || WARN_ON_ONCE(len > VMBUS_MSG_MAX_SIZE))
		return;
	o = kzalloc(sizeof(*o), GFP_KERNEL_ACCOUNT);
	if (!o)
		return;
	o->msg.header.message_type = VMBUS_HV_MESSAGE_TYPE;
	o->msg.header.payload_size = len;
	memcpy(o->msg.u.payload, msg, len);
	hvp_vmbus_log_msg(bus, true, msg, len);
	list_add_tail(&o->link, &bus->outbox);
	hvp_vmbus_flush_outbox(bus);
}

/* ---- handlers of guest messages (bus->lock held) ---- */

static bool hvp_vmbus_version_ok(u32 version)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hvp_vmbus_versions); i++)
		if (hvp_vmbus_versions[i] == version)
			return true;
	return false;
}

/* Forget everything the guest set up: after UNLOAD or a new contact. */
static void hvp_vmbus_reset(struct hvp_vmbus *bus)
{
	unsigned int relid;

	for (relid = 1; relid <= HVP_VMBUS_MAX_RELID; relid++) {
		struct hvp_vmbus_channel *ch = bus->channels[relid];

		if (!ch)
			continue;
		if (ch->state == HVP_CHAN_OPEN)
			hvp_vmbus_chan_close(ch);
		ch->offer_sent = false;
		/* A rescinded channel the guest never released is gone now. */
		if (ch->state == HVP_CHAN_RESCINDED)
			hvp_vmbus_chan_free_relid(ch);
	}
	hvp_vmbus_gpadl_destroy_all(bus);
	bus->offers_requested = false;
	bus->version = 0;
}

static void hvp_vmbus_initiate_contact(void *ctx, const struct vmbus_msg_initiate_contact *m)
{
	struct hvp_vmbus *bus = ctx;
	struct vmbus_msg_version_response r = {
		.h.msgtype = VMBUS_MSG_VERSION_RESPONSE,
		.msg_conn_id = VMBUS_MESSAGE_CONN_ID,
	};
	bool vp_ok;

	if (bus->version)
		hvp_vmbus_reset(bus);

	rcu_read_lock();
	vp_ok = hvp_vmbus_vp(bus, m->target_vcpu);
	rcu_read_unlock();
	if (vp_ok)
		bus->target_vp = m->target_vcpu;
	bus->msg_sint = VMBUS_MESSAGE_SINT;
	if (m->version >= VMBUS_VERSION_WIN10_V5 &&
	    (u8)m->interrupt_page_or_sint < HV_SYNIC_SINT_COUNT)
		bus->msg_sint = (u8)m->interrupt_page_or_sint;

	if (vp_ok && hvp_vmbus_version_ok(m->version)) {
		bus->version = m->version;
		r.version_supported = 1;
	}
	hvp_vmbus_send_msg(bus, &r, sizeof(r));
}

static void hvp_vmbus_request_offers(void *ctx)
{
	struct hvp_vmbus *bus = ctx;
	struct vmbus_msg_header done = { .msgtype = VMBUS_MSG_ALLOFFERS_DELIVERED };
	unsigned int relid;

	if (!bus->version)
		return;
	bus->offers_requested = true;
	for (relid = 1; relid <= HVP_VMBUS_MAX_RELID; relid++) {
		struct hvp_vmbus_channel *ch = bus->channels[relid];

		if (ch && ch->state == HVP_CHAN_OFFERED)
			hvp_vmbus_send_offer(ch);
	}
	hvp_vmbus_send_msg(bus, &done, sizeof(done));
}

static void hvp_vmbus_open_channel(void *ctx, const struct vmbus_msg_open *m)
{
	struct hvp_vmbus *bus = ctx;
	struct hvp_vmbus_channel *ch = hvp_vmbus_chan_find(bus, m->child_relid);
	struct vmbus_msg_open_result r = {
		.h.msgtype = VMBUS_MSG_OPENCHANNEL_RESULT,
		.child_relid = m->child_relid,
		.openid = m->openid,
		.status = 1,
	};

	if (bus->version && ch && ch->state == HVP_CHAN_OFFERED && !hvp_vmbus_chan_open(ch, m))
		r.status = 0;
	hvp_vmbus_send_msg(bus, &r, sizeof(r));
	if (!r.status && ch->ops->opened)
		ch->ops->opened(ch);
}

static void hvp_vmbus_close_channel(void *ctx, const struct vmbus_msg_close *m)
{
	struct hvp_vmbus_channel *ch = hvp_vmbus_chan_find(ctx, m->child_relid);

	if (ch && ch->state == HVP_CHAN_OPEN)
		hvp_vmbus_chan_close(ch);
}

static void hvp_vmbus_relid_released(void *ctx, const struct vmbus_msg_relid_released *m)
{
	struct hvp_vmbus_channel *ch = hvp_vmbus_chan_find(ctx, m->child_relid);

	if (ch && ch->state == HVP_CHAN_RESCINDED)
		hvp_vmbus_chan_free_relid(ch);
}

static void hvp_vmbus_unload(void *ctx)
{
	struct hvp_vmbus *bus = ctx;
	struct vmbus_msg_header r = { .msgtype = VMBUS_MSG_UNLOAD_RESPONSE };

	hvp_vmbus_reset(bus);
	hvp_vmbus_send_msg(bus, &r, sizeof(r));
}

/* hv_sock connections need a host-side socket service: not offered. */
static void hvp_vmbus_tl_connect(void *ctx, const struct vmbus_msg_tl_connect_request *m)
{
	struct hvp_vmbus *bus = ctx;

	pr_info_ratelimited("partition %u: hv_sock connect request refused (no socket service)\n",
			    bus->part->id);
}

static void hvp_vmbus_modify_channel(void *ctx, const struct vmbus_msg_modify_channel *m)
{
	struct hvp_vmbus *bus = ctx;
	struct hvp_vmbus_channel *ch = hvp_vmbus_chan_find(bus, m->child_relid);
	struct vmbus_msg_modify_channel_response r = {
		.h.msgtype = VMBUS_MSG_MODIFYCHANNEL_RESPONSE,
		.child_relid = m->child_relid,
		.status = 1,
	};
	bool vp_ok;

	rcu_read_lock();
	vp_ok = hvp_vmbus_vp(bus, m->target_vp);
	rcu_read_unlock();
	if (ch && ch->state == HVP_CHAN_OPEN && vp_ok) {
		WRITE_ONCE(ch->target_vp, m->target_vp);
		r.status = 0;
	}
	/* Only 5.3 guests wait for an answer. */
	if (bus->version >= VMBUS_VERSION_WIN10_V5_3)
		hvp_vmbus_send_msg(bus, &r, sizeof(r));
}

static void hvp_vmbus_gpadl_header_msg(void *ctx, const struct vmbus_msg_gpadl_header *m,
				       u32 len)
{
	hvp_vmbus_gpadl_header(ctx, m, len);
}

static void hvp_vmbus_gpadl_body_msg(void *ctx, const struct vmbus_msg_gpadl_body *m, u32 len)
{
	hvp_vmbus_gpadl_body(ctx, m, len);
}

static void hvp_vmbus_gpadl_teardown_msg(void *ctx, const struct vmbus_msg_gpadl_teardown *m)
{
	hvp_vmbus_gpadl_teardown(ctx, m);
}

static const struct vmbus_msg_handlers hvp_vmbus_handlers = {
	.initiate_contact	= hvp_vmbus_initiate_contact,
	.request_offers		= hvp_vmbus_request_offers,
	.open_channel		= hvp_vmbus_open_channel,
	.close_channel		= hvp_vmbus_close_channel,
	.gpadl_header		= hvp_vmbus_gpadl_header_msg,
	.gpadl_body		= hvp_vmbus_gpadl_body_msg,
	.gpadl_teardown		= hvp_vmbus_gpadl_teardown_msg,
	.relid_released		= hvp_vmbus_relid_released,
	.unload			= hvp_vmbus_unload,
	.tl_connect_request	= hvp_vmbus_tl_connect,
	.modify_channel		= hvp_vmbus_modify_channel,
};

static void hvp_vmbus_work(struct work_struct *work)
{
	struct hvp_vmbus *bus = container_of(to_delayed_work(work), struct hvp_vmbus, work);
	struct hvp_vmbus_inmsg *m;
	enum vmbus_msg_error err;

	mutex_lock(&bus->lock);
	while (!bus->dead) {
		/* Earlier answers first: they bound what the guest can make us hold. */
		if (!hvp_vmbus_flush_outbox(bus)) {
			schedule_delayed_work(&bus->work, msecs_to_jiffies(1));
			break;
		}
		spin_lock_irq(&bus->inbox_lock);
		m = list_first_entry_or_null(&bus->inbox, struct hvp_vmbus_inmsg, link);
		if (m) {
			list_del(&m->link);
			bus->inbox_len--;
		}
		spin_unlock_irq(&bus->inbox_lock);
		if (!m)
			break;
		hvp_vmbus_log_msg(bus, false, m->data, m->len);
		err = vmbus_msg_dispatch(m->data, m->len, &hvp_vmbus_handlers, bus);
		if (err != VMBUS_MSG_OK)
			pr_warn_ratelimited("partition %u vp %u: dropped bad VMBus message (error %d, len %u)\n",
					    bus->part->id, m->vp_index, err, m->len);
		kfree(m);
	}
	mutex_unlock(&bus->lock);
}

/* HvPostMessage to connection 1 or 4: copy, queue, return at once. */
static u16 hvp_vmbus_post(void *priv, struct hvp_vp *vp, u32 type, u32 size, const u8 *payload)
{
	struct hvp_vmbus *bus = priv;
	struct hvp_vmbus_inmsg *m;
	unsigned long flags;

	if (type != VMBUS_HV_MESSAGE_TYPE)
		return HV_STATUS_INVALID_PARAMETER;
	m = kmalloc(sizeof(*m), GFP_ATOMIC | __GFP_ACCOUNT);
	if (!m)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	m->vp_index = vp->index;
	m->len = size;
	memcpy(m->data, payload, size);

	spin_lock_irqsave(&bus->inbox_lock, flags);
	if (bus->dead || bus->inbox_len >= HVP_VMBUS_INBOX_LEN) {
		spin_unlock_irqrestore(&bus->inbox_lock, flags);
		kfree(m);
		return HV_STATUS_INSUFFICIENT_BUFFERS;
	}
	list_add_tail(&m->link, &bus->inbox);
	bus->inbox_len++;
	spin_unlock_irqrestore(&bus->inbox_lock, flags);
	mod_delayed_work(system_wq, &bus->work, 0);
	return HV_STATUS_SUCCESS;
}

static void hvp_vmbus_no_signal(void *priv, struct hvp_vp *vp)
{
}

static const struct hvp_hv_conn_ops hvp_vmbus_msg_conn_ops = {
	.post	= hvp_vmbus_post,
	.signal	= hvp_vmbus_no_signal,
};

int hvp_vmbus_create(struct hvp_partition *part, const void __user *uarg)
{
	struct hvpart_vmbus_create args;
	struct hvp_vmbus *bus;
	unsigned int i;
	int ret;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if (args.flags || (args.ics & ~HVPART_VMBUS_IC_MASK) ||
	    !hvp_hv_has(part, HVPART_HV_F(SYNIC)))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(args.rsvd); i++)
		if (args.rsvd[i])
			return -EINVAL;

	bus = kzalloc(sizeof(*bus), GFP_KERNEL_ACCOUNT);
	if (!bus)
		return -ENOMEM;
	bus->part = part;
	mutex_init(&bus->lock);
	xa_init(&bus->gpadls);
	spin_lock_init(&bus->inbox_lock);
	INIT_LIST_HEAD(&bus->inbox);
	INIT_LIST_HEAD(&bus->outbox);
	INIT_DELAYED_WORK(&bus->work, hvp_vmbus_work);
	bus->msg_sint = VMBUS_MESSAGE_SINT;

	mutex_lock(&part->lock);
	ret = -EEXIST;
	if (part->vmbus)
		goto err_unlock;
	ret = hvp_hv_conn_register_kernel(part, VMBUS_MESSAGE_CONN_ID, HVPART_HV_CONN_MESSAGE,
					  &hvp_vmbus_msg_conn_ops, bus);
	if (ret)
		goto err_unlock;
	ret = hvp_hv_conn_register_kernel(part, VMBUS_MESSAGE_CONN_ID_4, HVPART_HV_CONN_MESSAGE,
					  &hvp_vmbus_msg_conn_ops, bus);
	if (ret)
		goto err_conn1;
	part->vmbus = bus;
	mutex_unlock(&part->lock);

	mutex_lock(&bus->lock);
	ret = hvp_ic_create_all(bus, args.ics);
	mutex_unlock(&bus->lock);
	return ret;

err_conn1:
	hvp_hv_conn_unregister_kernel(part, VMBUS_MESSAGE_CONN_ID);
err_unlock:
	mutex_unlock(&part->lock);
	kfree(bus);
	return ret;
}

/* Partition teardown: no VP, connection fd or channel fd is left. */
void hvp_vmbus_destroy(struct hvp_partition *part)
{
	struct hvp_vmbus *bus = part->vmbus;
	struct hvp_vmbus_inmsg *m, *next;
	struct hvp_vmbus_outmsg *o, *onext;
	unsigned int relid;

	if (!bus)
		return;
	hvp_hv_conn_unregister_kernel(part, VMBUS_MESSAGE_CONN_ID);
	hvp_hv_conn_unregister_kernel(part, VMBUS_MESSAGE_CONN_ID_4);
	spin_lock_irq(&bus->inbox_lock);
	bus->dead = true;
	spin_unlock_irq(&bus->inbox_lock);
	cancel_delayed_work_sync(&bus->work);

	mutex_lock(&bus->lock);
	hvp_ic_destroy_all(bus);
	for (relid = 1; relid <= HVP_VMBUS_MAX_RELID; relid++) {
		struct hvp_vmbus_channel *ch = bus->channels[relid];

		if (!ch)
			continue;
		if (ch->state == HVP_CHAN_OPEN)
			hvp_vmbus_chan_close(ch);
		hvp_vmbus_chan_free_relid(ch);
	}
	hvp_vmbus_gpadl_destroy_all(bus);
	mutex_unlock(&bus->lock);

	list_for_each_entry_safe(m, next, &bus->inbox, link)
		kfree(m);
	list_for_each_entry_safe(o, onext, &bus->outbox, link)
		kfree(o);
	xa_destroy(&bus->gpadls);
	part->vmbus = NULL;
	kfree(bus);
}

int hvp_vmbus_status(struct hvp_partition *part, void __user *uarg)
{
	struct hvp_vmbus *bus = part->vmbus;
	struct hvpart_vmbus_status st = {};
	unsigned int relid;

	if (!bus)
		return -ENOTCONN;
	mutex_lock(&bus->lock);
	st.version = bus->version;
	for (relid = 1; relid <= HVP_VMBUS_MAX_RELID; relid++) {
		struct hvp_vmbus_channel *ch = bus->channels[relid];

		if (!ch || ch->state == HVP_CHAN_RESCINDED)
			continue;
		st.channels++;
		if (ch->state == HVP_CHAN_OPEN)
			st.open_channels++;
	}
	st.gpadls = bus->nr_gpadls;
	hvp_ic_fill_status(bus, &st);
	mutex_unlock(&bus->lock);
	return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
}
