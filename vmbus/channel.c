// SPDX-License-Identifier: GPL-2.0
/*
 * VMBus channels: offers, relids, open and close, rescind, the rings and
 * the doorbells both ways (hyperv-facts §5.4-5.6, §5.9).
 *
 * Offers say what Linux needs for exit-cheap doorbells: no monitor page
 * (monitor_allocated 0, which would make the guest flip bits we must poll
 * for), a dedicated interrupt and a connection id of the channel's own
 * (0xA00000 + relid), so every guest doorbell is one HvSignalEvent that
 * lands in hvp_vmbus_chan_kick without leaving the kernel. Host-to-guest
 * doorbells are SynIC event flag <relid> of the channel's target VP.
 *
 * A relid stays taken after a rescind until the guest releases it
 * (RELID_RELEASED) or the bus is reset, so the guest never sees two
 * channels under one relid.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "../kmod/hvpart.h"
#include "vmbus.h"

static void hvp_vmbus_chan_release(struct kref *ref)
{
	kfree(container_of(ref, struct hvp_vmbus_channel, ref));
}

void hvp_vmbus_chan_put(struct hvp_vmbus_channel *ch)
{
	kref_put(&ch->ref, hvp_vmbus_chan_release);
}

struct hvp_vmbus_channel *hvp_vmbus_chan_find(struct hvp_vmbus *bus, u32 relid)
{
	return relid && relid <= HVP_VMBUS_MAX_RELID ? bus->channels[relid] : NULL;
}

static void hvp_vmbus_null_kick(struct hvp_vmbus_channel *ch)
{
}

/* What a rescinded channel does: its owner may be gone. */
static const struct hvp_vmbus_chan_ops hvp_vmbus_dead_ops = {
	.kick = hvp_vmbus_null_kick,
};

/* The guest's HvSignalEvent on the channel's connection id (atomic). */
static void hvp_vmbus_chan_kick(void *priv, struct hvp_vp *vp)
{
	struct hvp_vmbus_channel *ch = priv;
	const struct hvp_vmbus_chan_ops *ops = READ_ONCE(ch->ops);

	if (ops->kick)
		ops->kick(ch);
}

static const struct hvp_hv_conn_ops hvp_vmbus_chan_conn_ops = {
	.signal = hvp_vmbus_chan_kick,
};

struct hvp_vmbus_channel *hvp_vmbus_offer(struct hvp_vmbus *bus, const struct vmbus_guid *type,
					  const struct vmbus_guid *instance, u16 chn_flags,
					  u16 mmio_mb, const u8 *user_def,
					  const struct hvp_vmbus_chan_ops *ops, void *priv)
{
	struct hvp_vmbus_channel *ch;
	u32 relid;
	int ret;

	lockdep_assert_held(&bus->lock);
	if (bus->nr_channels >= HVP_VMBUS_MAX_CHANNELS)
		return ERR_PTR(-ENOSPC);
	for (relid = 1; relid <= HVP_VMBUS_MAX_RELID && bus->channels[relid]; relid++)
		;
	if (relid > HVP_VMBUS_MAX_RELID)
		return ERR_PTR(-ENOSPC);

	ch = kzalloc(sizeof(*ch), GFP_KERNEL_ACCOUNT);
	if (!ch)
		return ERR_PTR(-ENOMEM);
	/* One reference for the bus (until the relid is free), one for the caller. */
	kref_init(&ch->ref);
	kref_get(&ch->ref);
	mutex_init(&ch->io_lock);
	ch->bus = bus;
	ch->relid = relid;
	ch->conn_id = HVP_VMBUS_CHAN_CONN_BASE + relid;
	ch->ops = ops;
	ch->priv = priv;
	ch->state = HVP_CHAN_OFFERED;

	ch->offer.h.msgtype = VMBUS_MSG_OFFERCHANNEL;
	ch->offer.if_type = *type;
	ch->offer.if_instance = *instance;
	ch->offer.chn_flags = chn_flags;
	ch->offer.mmio_megabytes = mmio_mb;
	if (user_def)
		memcpy(ch->offer.user_def, user_def, sizeof(ch->offer.user_def));
	ch->offer.child_relid = relid;
	ch->offer.monitor_allocated = 0;
	ch->offer.is_dedicated_interrupt = 1;
	ch->offer.connection_id = ch->conn_id;

	ret = hvp_hv_conn_register_kernel(bus->part, ch->conn_id, HVPART_HV_CONN_EVENT,
					  &hvp_vmbus_chan_conn_ops, ch);
	if (ret) {
		kfree(ch);
		return ERR_PTR(ret);
	}
	bus->channels[relid] = ch;
	bus->nr_channels++;
	/* A connected guest that already asked hears of it at once. */
	if (bus->version && bus->offers_requested)
		hvp_vmbus_send_offer(ch);
	return ch;
}

void hvp_vmbus_send_offer(struct hvp_vmbus_channel *ch)
{
	hvp_vmbus_send_msg(ch->bus, &ch->offer, sizeof(ch->offer));
	ch->offer_sent = true;
}

/* Give the relid back: the guest released it or will never know it. */
void hvp_vmbus_chan_free_relid(struct hvp_vmbus_channel *ch)
{
	struct hvp_vmbus *bus = ch->bus;

	lockdep_assert_held(&bus->lock);
	hvp_hv_conn_unregister_kernel(bus->part, ch->conn_id);
	bus->channels[ch->relid] = NULL;
	bus->nr_channels--;
	hvp_vmbus_chan_put(ch);
}

/* Withdraw the offer. The owner may free its private data afterwards. */
void hvp_vmbus_rescind(struct hvp_vmbus_channel *ch)
{
	struct hvp_vmbus *bus = ch->bus;
	struct vmbus_msg_rescind r = {
		.h.msgtype = VMBUS_MSG_RESCIND_OFFER,
		.child_relid = ch->relid,
	};

	lockdep_assert_held(&bus->lock);
	if (ch->state == HVP_CHAN_OPEN)
		hvp_vmbus_chan_close(ch);
	WRITE_ONCE(ch->ops, &hvp_vmbus_dead_ops);
	/*
	 * Doorbells in flight still see the old ops, which use ch->priv:
	 * wait them out before clearing it.
	 */
	synchronize_rcu();
	ch->priv = NULL;
	ch->state = HVP_CHAN_RESCINDED;
	if (ch->offer_sent && bus->version)
		hvp_vmbus_send_msg(bus, &r, sizeof(r));
	else
		hvp_vmbus_chan_free_relid(ch);
}

int hvp_vmbus_chan_open(struct hvp_vmbus_channel *ch, const struct vmbus_msg_open *m)
{
	struct hvp_vmbus *bus = ch->bus;
	struct hvp_gpadl *g = hvp_vmbus_gpadl_find(bus, m->ringbuffer_gpadl);
	u32 off = m->downstream_ring_page_offset;
	bool vp_ok;
	void *va;

	if (!g || !g->complete || g->in_use || g->relid != ch->relid)
		return -EINVAL;
	/*
	 * Each ring needs its header page and at least one data page; check
	 * the page count first so the subtraction cannot wrap.
	 */
	if (g->npages < 4 || off < 2 || off > g->npages - 2)
		return -EINVAL;
	rcu_read_lock();
	vp_ok = m->target_vp < HVP_MAX_VPS && rcu_dereference(bus->part->vps[m->target_vp]);
	rcu_read_unlock();
	if (!vp_ok)
		return -EINVAL;

	va = vmap(g->pages, g->npages, VM_MAP, PAGE_KERNEL);
	if (!va)
		return -ENOMEM;
	mutex_lock(&ch->io_lock);
	ch->ring_va = va;
	ch->ring_gpadl = g;
	g->in_use = true;
	ch->in_ring_size = off * PAGE_SIZE;
	ch->out_ring_size = (g->npages - off) * PAGE_SIZE;
	hvp_ring_init(&ch->in, va, va + PAGE_SIZE, ch->in_ring_size - PAGE_SIZE);
	hvp_ring_init(&ch->out, va + ch->in_ring_size, va + ch->in_ring_size + PAGE_SIZE,
		      ch->out_ring_size - PAGE_SIZE);
	ch->target_vp = m->target_vp;
	ch->openid = m->openid;
	memcpy(ch->user_data, m->user_data, sizeof(ch->user_data));
	ch->state = HVP_CHAN_OPEN;
	mutex_unlock(&ch->io_lock);
	return 0;
}

void hvp_vmbus_chan_close(struct hvp_vmbus_channel *ch)
{
	lockdep_assert_held(&ch->bus->lock);
	if (ch->ops->closing)
		ch->ops->closing(ch);
	mutex_lock(&ch->io_lock);
	vunmap(ch->ring_va);
	ch->ring_va = NULL;
	ch->ring_gpadl->in_use = false;
	ch->ring_gpadl = NULL;
	ch->state = HVP_CHAN_OFFERED;
	mutex_unlock(&ch->io_lock);
}

/* Interrupt the guest for this channel: event flag <relid> on its VP. */
void hvp_vmbus_chan_signal(struct hvp_vmbus_channel *ch)
{
	struct hvp_vmbus *bus = ch->bus;
	u32 target = READ_ONCE(ch->target_vp);
	struct hvp_vp *vp;

	rcu_read_lock();
	vp = target < HVP_MAX_VPS ? rcu_dereference(bus->part->vps[target]) : NULL;
	if (vp)
		hvp_synic_queue_event(vp, bus->msg_sint, ch->relid);
	rcu_read_unlock();
}

int hvp_vmbus_chan_send(struct hvp_vmbus_channel *ch, u16 type, u16 flags, u64 trans_id,
			const void *payload, u32 len)
{
	bool signal = false;
	int ret = -ENOTCONN;

	mutex_lock(&ch->io_lock);
	if (ch->state == HVP_CHAN_OPEN)
		ret = hvp_ring_send(&ch->out, type, flags, trans_id, NULL, 0, payload, len,
				    &signal);
	mutex_unlock(&ch->io_lock);
	if (signal)
		hvp_vmbus_chan_signal(ch);
	if (ret == -EPROTO)
		pr_warn_ratelimited("partition %u: VMBus channel %u: guest corrupted its ring\n",
				    ch->bus->part->id, ch->relid);
	return ret;
}

int hvp_vmbus_chan_recv(struct hvp_vmbus_channel *ch, void *buf, u32 buflen, u32 *len)
{
	bool signal = false;
	int ret = -ENOTCONN;

	mutex_lock(&ch->io_lock);
	if (ch->state == HVP_CHAN_OPEN)
		ret = hvp_ring_recv(&ch->in, buf, buflen, len, &signal);
	mutex_unlock(&ch->io_lock);
	if (signal)
		hvp_vmbus_chan_signal(ch);
	if (ret == -EPROTO)
		pr_warn_ratelimited("partition %u: VMBus channel %u: guest corrupted its ring\n",
				    ch->bus->part->id, ch->relid);
	return ret;
}
