// SPDX-License-Identifier: GPL-2.0
/*
 * The integration-service framework: one channel per service, the
 * version negotiation every service starts with, sending messages and
 * waiting for the guest's answer. The services themselves are the
 * hvp_ic_desc tables in heartbeat.c, shutdown.c, timesync.c and kvp.c.
 *
 * Negotiation: as soon as the guest opens the channel the host sends
 * NEGOTIATE with its framework version (3.0) and the service versions it
 * speaks; the guest answers with one of each (the first of its own list
 * that we offered) or with none. Until then nothing else is sent.
 *
 * Work never takes bus->lock (the bus calls us with it held when a channel
 * opens or closes, and cancels our work synchronously then).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "../../kmod/hvpart.h"
#include "ic.h"

#define IC_FRAMEWORK_VERSION	IC_VERSION(3, 0)
#define IC_PIPE_FLAGS		2	/* what Hyper-V puts there; guests ignore it */

static const struct hvp_ic_desc *const hvp_ic_descs[] = {
	[HVPART_VMBUS_IC_BIT_HEARTBEAT]	= &hvp_ic_heartbeat,
	[HVPART_VMBUS_IC_BIT_SHUTDOWN]	= &hvp_ic_shutdown,
	[HVPART_VMBUS_IC_BIT_TIMESYNC]	= &hvp_ic_timesync,
	[HVPART_VMBUS_IC_BIT_KVP]	= &hvp_ic_kvp,
};

/* Send one message (ic->lock held). */
static int hvp_ic_send_raw(struct hvp_ic *ic, u16 type, struct ic_version msg_version,
			   const void *body, u32 len)
{
	struct ic_pipe_hdr *pipe = (struct ic_pipe_hdr *)ic->buf;
	struct ic_msg_hdr *hdr = (struct ic_msg_hdr *)(pipe + 1);

	if (IC_HDR_SIZE + len > IC_MAX_PACKET)
		return -EMSGSIZE;
	memset(ic->buf, 0, IC_HDR_SIZE);
	pipe->flags = IC_PIPE_FLAGS;
	pipe->msgsize = sizeof(*hdr) + len;
	hdr->frame = ic->ready ? ic->frame : (struct ic_version){ 1, 0 };
	hdr->type = type;
	hdr->msg = msg_version;
	hdr->size = len;
	hdr->txn = ++ic->txn;
	hdr->flags = IC_FLAG_TRANSACTION | IC_FLAG_REQUEST;
	memcpy(ic->buf + IC_HDR_SIZE, body, len);
	return hvp_vmbus_chan_send(ic->ch, VMBUS_PKT_DATA_INBAND, 0, ++ic->trans_id, ic->buf,
				   IC_HDR_SIZE + len);
}

int hvp_ic_send(struct hvp_ic *ic, u16 type, const void *body, u32 len)
{
	lockdep_assert_held(&ic->lock);
	if (!ic->ready)
		return -ENOTCONN;
	return hvp_ic_send_raw(ic, type, ic->version, body, len);
}

static void hvp_ic_negotiate(struct hvp_ic *ic)
{
	const struct hvp_ic_desc *d = ic->desc;
	struct {
		u16 frame_count;
		u16 msg_count;
		u32 rsvd;
		struct ic_version v[8];
	} __packed neg = {};
	unsigned int i;

	neg.frame_count = 1;
	neg.msg_count = d->nr_versions;
	neg.v[0] = (struct ic_version){ IC_FRAMEWORK_VERSION >> 16, IC_FRAMEWORK_VERSION & 0xffff };
	for (i = 0; i < d->nr_versions; i++)
		neg.v[1 + i] = (struct ic_version){ d->versions[i] >> 16, d->versions[i] & 0xffff };
	hvp_ic_send_raw(ic, IC_MSG_NEGOTIATE, (struct ic_version){ 1, 0 }, &neg,
			8 + (1 + d->nr_versions) * sizeof(struct ic_version));
}

/* The guest's answer to NEGOTIATE: one framework and one service version. */
static void hvp_ic_negotiated(struct hvp_ic *ic, const u8 *body, u32 len)
{
	const struct ic_version *v = (const void *)(body + 8);
	u16 frames, msgs;

	if (len < 8 + 2 * sizeof(*v))
		return;
	memcpy(&frames, body, sizeof(frames));
	memcpy(&msgs, body + 2, sizeof(msgs));
	if (frames != 1 || msgs != 1) {
		pr_info("partition %u: guest has no common %s version\n", ic->bus->part->id,
			ic->desc->name);
		return;
	}
	ic->frame = v[0];
	ic->version = v[1];
	ic->ready = true;
	if (ic->desc->negotiated)
		ic->desc->negotiated(ic);
}

static void hvp_ic_rx(struct work_struct *work)
{
	struct hvp_ic *ic = container_of(work, struct hvp_ic, rx_work);
	struct vmbus_packet_desc pd;
	struct ic_msg_hdr hdr;
	u32 len, off;
	int ret;

	mutex_lock(&ic->lock);
	while (ic->open) {
		ret = hvp_vmbus_chan_recv(ic->ch, ic->buf, sizeof(ic->buf), &len);
		if (ret == -EMSGSIZE)
			pr_warn_ratelimited("partition %u: %s: oversized packet from the guest\n",
					    ic->bus->part->id, ic->desc->name);
		if (ret)
			break;
		memcpy(&pd, ic->buf, sizeof(pd));
		off = pd.offset8 * 8;
		if (pd.type != VMBUS_PKT_DATA_INBAND || len - off < IC_HDR_SIZE)
			continue;
		memcpy(&hdr, ic->buf + off + sizeof(struct ic_pipe_hdr), sizeof(hdr));
		if (!(hdr.flags & IC_FLAG_RESPONSE))
			continue;
		off += IC_HDR_SIZE;
		if (hdr.type == IC_MSG_NEGOTIATE)
			hvp_ic_negotiated(ic, ic->buf + off, len - off);
		else if (hdr.type == ic->desc->msg_type && ic->ready)
			ic->desc->response(ic, &hdr, ic->buf + off, len - off);
	}
	mutex_unlock(&ic->lock);
}

static void hvp_ic_periodic(struct work_struct *work)
{
	struct hvp_ic *ic = container_of(to_delayed_work(work), struct hvp_ic, periodic);

	mutex_lock(&ic->lock);
	if (ic->ready && ic->desc->periodic)
		ic->desc->periodic(ic);
	mutex_unlock(&ic->lock);
}

/* A service's response callback: hand the answer to hvp_ic_request(). */
void hvp_ic_answer(struct hvp_ic *ic, const struct ic_msg_hdr *hdr, const u8 *body, u32 len)
{
	ic->status = hdr->status;
	ic->reply_len = min_t(u32, len, IC_MAX_PACKET);
	memcpy(ic->reply, body, ic->reply_len);
	WRITE_ONCE(ic->answered, true);
	wake_up_all(&ic->wq);
}

static void hvp_ic_opened(struct hvp_vmbus_channel *ch)
{
	struct hvp_ic *ic = ch->priv;

	mutex_lock(&ic->lock);
	ic->open = true;
	ic->ready = false;
	hvp_ic_negotiate(ic);
	mutex_unlock(&ic->lock);
}

static void hvp_ic_closing(struct hvp_vmbus_channel *ch)
{
	struct hvp_ic *ic = ch->priv;

	mutex_lock(&ic->lock);
	ic->open = false;
	ic->ready = false;
	mutex_unlock(&ic->lock);
	cancel_work_sync(&ic->rx_work);
	cancel_delayed_work_sync(&ic->periodic);
	wake_up_all(&ic->wq);
}

static void hvp_ic_kick(struct hvp_vmbus_channel *ch)
{
	struct hvp_ic *ic = ch->priv;

	queue_work(system_wq, &ic->rx_work);
}

static const struct hvp_vmbus_chan_ops hvp_ic_chan_ops = {
	.opened		= hvp_ic_opened,
	.closing	= hvp_ic_closing,
	.kick		= hvp_ic_kick,
};

/*
 * Send @body as a request of @type and wait for the guest's answer, whose
 * body lands in ic->reply. Returns 0 with ic->status set, or an error.
 * Callers hold ic->request_lock.
 */
int hvp_ic_request(struct hvp_ic *ic, u16 type, const void *body, u32 len, unsigned long timeout)
{
	long left;
	int ret;

	mutex_lock(&ic->lock);
	ic->answered = false;
	ret = hvp_ic_send(ic, type, body, len);
	mutex_unlock(&ic->lock);
	if (ret)
		return ret;
	left = wait_event_interruptible_timeout(ic->wq, READ_ONCE(ic->answered) ||
						!READ_ONCE(ic->open), timeout);
	if (left < 0)
		return left;
	if (!READ_ONCE(ic->answered))
		return READ_ONCE(ic->open) ? -ETIMEDOUT : -ENOTCONN;
	return 0;
}

/* The service of @bit, or NULL when it is not offered. */
struct hvp_ic *hvp_ic_get(struct hvp_partition *part, unsigned int bit)
{
	return part->vmbus ? part->vmbus->ic[bit] : NULL;
}

int hvp_ic_create_all(struct hvp_vmbus *bus, u32 ics)
{
	unsigned int bit;

	lockdep_assert_held(&bus->lock);
	for (bit = 0; bit < ARRAY_SIZE(hvp_ic_descs); bit++) {
		const struct hvp_ic_desc *d = hvp_ic_descs[bit];
		struct vmbus_guid instance = {};
		struct hvp_ic *ic;

		if (!(ics & BIT(bit)))
			continue;
		ic = kvzalloc(sizeof(*ic), GFP_KERNEL_ACCOUNT);
		if (!ic)
			return -ENOMEM;
		ic->reply = kvzalloc(IC_MAX_PACKET, GFP_KERNEL_ACCOUNT);
		if (!ic->reply) {
			kvfree(ic);
			return -ENOMEM;
		}
		ic->desc = d;
		ic->bus = bus;
		mutex_init(&ic->lock);
		mutex_init(&ic->request_lock);
		init_waitqueue_head(&ic->wq);
		INIT_WORK(&ic->rx_work, hvp_ic_rx);
		INIT_DELAYED_WORK(&ic->periodic, hvp_ic_periodic);
		/* One instance per class: the class GUID serves as instance too. */
		memcpy(instance.b, d->class_id, sizeof(instance.b));
		ic->ch = hvp_vmbus_offer(bus, (const struct vmbus_guid *)d->class_id, &instance,
					 0, 0, NULL, &hvp_ic_chan_ops, ic);
		if (IS_ERR(ic->ch)) {
			int ret = PTR_ERR(ic->ch);

			kvfree(ic->reply);
			kvfree(ic);
			return ret;
		}
		bus->ic[bit] = ic;
		bus->ics |= BIT(bit);
	}
	return 0;
}

void hvp_ic_destroy_all(struct hvp_vmbus *bus)
{
	unsigned int bit;

	lockdep_assert_held(&bus->lock);
	for (bit = 0; bit < ARRAY_SIZE(bus->ic); bit++) {
		struct hvp_ic *ic = bus->ic[bit];

		if (!ic)
			continue;
		hvp_vmbus_rescind(ic->ch);
		cancel_work_sync(&ic->rx_work);
		cancel_delayed_work_sync(&ic->periodic);
		hvp_vmbus_chan_put(ic->ch);
		bus->ic[bit] = NULL;
		kvfree(ic->reply);
		kvfree(ic);
	}
}

void hvp_ic_fill_status(struct hvp_vmbus *bus, struct hvpart_vmbus_status *st)
{
	struct hvp_ic *hb = bus->ic[HVPART_VMBUS_IC_BIT_HEARTBEAT];
	unsigned int bit;

	st->heartbeat_age_ms = ~0ULL;
	for (bit = 0; bit < ARRAY_SIZE(bus->ic); bit++) {
		struct hvp_ic *ic = bus->ic[bit];

		if (!ic)
			continue;
		mutex_lock(&ic->lock);
		if (ic->ready)
			st->ics_ready |= BIT(bit);
		if (ic == hb && ic->hb_jiffies) {
			st->heartbeat_seq = ic->hb_seq;
			st->heartbeat_age_ms = jiffies_to_msecs(jiffies - ic->hb_jiffies);
		}
		mutex_unlock(&ic->lock);
	}
}
