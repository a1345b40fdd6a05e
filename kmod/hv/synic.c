// SPDX-License-Identifier: GPL-2.0
/*
 * The synthetic interrupt controller of each VP (TLFS "Inter-Partition
 * Communication": SynIC message and event-flag pages, SINTs).
 *
 * Messages. The SIMP page has one 256-byte slot per SINT. A slot is free
 * while its message_type is HVMSG_NONE; the guest frees it after reading.
 * Messages for a busy slot wait in a per-SINT queue (bounded): the slot's
 * message-pending flag is set, the guest then writes EOM after freeing the
 * slot - Linux writes EOM only when that flag was set, so a host that
 * queued silently would stall forever (hyperv-facts §0.5) - and EOM makes
 * this VP try again.
 *
 * Events. The SIEF page has 2048 flags per SINT. A flag that goes from 0
 * to 1 raises its SINT; flags already set are not signalled again.
 *
 * Who writes what. Pages in guest memory are written only by the VP's own
 * thread before it enters the guest (hvp_synic_process): anything else
 * (hypercalls on other VPs, the VMM, timers) queues under synic->lock or
 * sets a bit in synic->events, then kicks the VP. Guest values (the slot
 * header) are read into a local copy once and only that copy is used.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "../hvpart.h"
#include "hv.h"

#define SINT_VECTOR(sint)	((sint) & HV_SYNIC_SINT_VECTOR_MASK)
#define SINT_POLLING		BIT_ULL(18)
#define SINT_VALID_BITS		(HV_SYNIC_SINT_VECTOR_MASK | HV_SYNIC_SINT_MASKED | \
				 HV_SYNIC_SINT_AUTO_EOI | SINT_POLLING)
#define SYNIC_PAGE_VALID_BITS	(PAGE_MASK | 1)

void hvp_synic_init(struct hvp_vp *vp)
{
	struct hvp_synic *s = &vp->hv.synic;
	unsigned int i;

	spin_lock_init(&s->lock);
	for (i = 0; i < HV_SYNIC_SINT_COUNT; i++) {
		INIT_LIST_HEAD(&s->queue[i]);
		s->sint[i] = HV_SYNIC_SINT_MASKED;
	}
	s->scontrol = 0;
	s->siefp = 0;
	s->simp = 0;
}

void hvp_synic_destroy(struct hvp_vp *vp)
{
	struct hvp_synic *s = &vp->hv.synic;
	struct hvp_synic_msg *m, *next;
	unsigned int i;

	for (i = 0; i < HV_SYNIC_SINT_COUNT; i++)
		list_for_each_entry_safe(m, next, &s->queue[i], link)
			kfree(m);
}

static void hvp_synic_kick(struct hvp_vp *vp, unsigned int work)
{
	set_bit(work, &vp->hv.synic.work);
	hvp_vp_kick(vp);
}

/* Keep the local APIC's auto-EOI vectors in step with the SINTs. */
static void hvp_synic_update_auto_eoi(struct hvp_vp *vp)
{
	struct hvp_synic *s = &vp->hv.synic;
	unsigned int i;

	bitmap_zero(vp->lapic.auto_eoi, 256);
	for (i = 0; i < HV_SYNIC_SINT_COUNT; i++)
		if ((s->sint[i] & HV_SYNIC_SINT_AUTO_EOI) && !(s->sint[i] & HV_SYNIC_SINT_MASKED))
			__set_bit(SINT_VECTOR(s->sint[i]), vp->lapic.auto_eoi);
}

int hvp_synic_msr_get(struct hvp_vp *vp, u32 index, u64 *value)
{
	struct hvp_synic *s = &vp->hv.synic;

	switch (index) {
	case HV_X64_MSR_SCONTROL:
		*value = s->scontrol;
		return 0;
	case HV_X64_MSR_SVERSION:
		*value = HV_SYNIC_VERSION_1;
		return 0;
	case HV_X64_MSR_SIEFP:
		*value = s->siefp;
		return 0;
	case HV_X64_MSR_SIMP:
		*value = s->simp;
		return 0;
	case HV_X64_MSR_EOM:
		*value = 0;
		return 0;
	case HV_X64_MSR_SINT0 ... HV_X64_MSR_SINT15:
		*value = s->sint[index - HV_X64_MSR_SINT0];
		return 0;
	default:
		return -EINVAL;
	}
}

int hvp_synic_msr_set(struct hvp_vp *vp, u32 index, u64 value, bool from_host)
{
	struct hvp_synic *s = &vp->hv.synic;

	switch (index) {
	case HV_X64_MSR_SCONTROL:
		if (value & ~HV_SYNIC_CONTROL_ENABLE)
			return -EINVAL;
		s->scontrol = value;
		break;
	case HV_X64_MSR_SVERSION:
		return from_host ? 0 : -EINVAL;
	case HV_X64_MSR_SIEFP:
	case HV_X64_MSR_SIMP:
		/* Bits 11:1 are preserved for the guest, as the TLFS asks. */
		if (index == HV_X64_MSR_SIEFP)
			s->siefp = value;
		else
			s->simp = value;
		break;
	case HV_X64_MSR_EOM:
		/* The guest freed a slot: deliver what waits behind it. */
		break;
	case HV_X64_MSR_SINT0 ... HV_X64_MSR_SINT15:
		if (value & ~SINT_VALID_BITS)
			return -EINVAL;
		/* An unmasked SINT needs a vector the APIC can deliver. */
		if (!(value & HV_SYNIC_SINT_MASKED) &&
		    SINT_VECTOR(value) < HV_SYNIC_FIRST_VALID_VECTOR)
			return -EINVAL;
		s->sint[index - HV_X64_MSR_SINT0] = value;
		hvp_synic_update_auto_eoi(vp);
		break;
	default:
		return -EINVAL;
	}
	/* Any change may let queued messages or events through. */
	set_bit(HVP_SYNIC_WORK_MSG, &s->work);
	set_bit(HVP_SYNIC_WORK_EVENT, &s->work);
	return 0;
}

static bool hvp_synic_active(struct hvp_synic *s)
{
	return s->scontrol & HV_SYNIC_CONTROL_ENABLE;
}

/* Raise SINT @sint unless it is masked or in polling mode. */
static void hvp_synic_raise(struct hvp_vp *vp, u32 sint)
{
	u64 reg = vp->hv.synic.sint[sint];

	if (reg & (HV_SYNIC_SINT_MASKED | SINT_POLLING))
		return;
	hvp_lapic_set_irq(vp, SINT_VECTOR(reg), false, false);
}

/*
 * Put @msg in SINT @sint's slot if it is free. Returns true when delivered;
 * false when the slot is busy (its message-pending flag is then set) or
 * the SIMP page is off or unreachable (the message waits). A masked SINT
 * still gets its message, only no interrupt (TLFS "EOM Registers": EOM
 * drains the queue of a masked SINT).
 */
static bool hvp_synic_deliver(struct hvp_vp *vp, u32 sint, const struct hv_message *msg)
{
	struct hvp_synic *s = &vp->hv.synic;
	u64 slot = (s->simp & PAGE_MASK) + sint * sizeof(struct hv_message);
	struct hv_message_header head;

	if (!hvp_synic_active(s) || !(s->simp & HV_SYNIC_SIMP_ENABLE))
		return false;
	if (hvp_gpa_read(vp->part, slot, &head, sizeof(head)))
		return false;
	if (head.message_type != HVMSG_NONE) {
		if (!head.message_flags.msg_pending) {
			head.message_flags.msg_pending = 1;
			hvp_gpa_write(vp->part, slot + offsetof(struct hv_message_header,
								message_flags),
				      &head.message_flags, sizeof(head.message_flags));
		}
		return false;
	}
	/* Payload and header first, the type that makes it visible last. */
	if (hvp_gpa_write(vp->part, slot + sizeof(msg->header.message_type),
			  (const u8 *)msg + sizeof(msg->header.message_type),
			  sizeof(*msg) - sizeof(msg->header.message_type)))
		return false;
	/* The guest reads the type first: it must not see it before the rest. */
	smp_wmb();
	if (hvp_gpa_write(vp->part, slot, &msg->header.message_type,
			  sizeof(msg->header.message_type)))
		return false;
	hvp_synic_raise(vp, sint);
	return true;
}

bool hvp_synic_deliver_timer(struct hvp_vp *vp, u32 sint, const struct hv_message *msg)
{
	return hvp_synic_deliver(vp, sint, msg);
}

/* Set pending event flags in the SIEF page; raise SINTs whose flags rose. */
static void hvp_synic_flush_events(struct hvp_vp *vp)
{
	struct hvp_synic *s = &vp->hv.synic;
	u64 base = s->siefp & PAGE_MASK;
	unsigned int bit;

	if (!hvp_synic_active(s) || !(s->siefp & HV_SYNIC_SIEFP_ENABLE))
		return;
	for_each_set_bit(bit, s->events, HV_SYNIC_SINT_COUNT * HV_EVENT_FLAGS_COUNT) {
		u32 sint = bit / HV_EVENT_FLAGS_COUNT;
		u64 gpa = base + bit / 8;
		u8 byte, mask = BIT(bit % 8);

		if ((s->sint[sint] & HV_SYNIC_SINT_MASKED) ||
		    hvp_gpa_read(vp->part, gpa, &byte, 1))
			continue;
		clear_bit(bit, s->events);
		if (byte & mask)
			continue;	/* already pending in the guest */
		byte |= mask;
		if (!hvp_gpa_write(vp->part, gpa, &byte, 1))
			hvp_synic_raise(vp, sint);
	}
}

void hvp_synic_process(struct hvp_vp *vp)
{
	struct hvp_synic *s = &vp->hv.synic;
	struct hvp_synic_msg *m;
	unsigned int sint;

	hvp_synic_flush_events(vp);
	for (sint = 0; sint < HV_SYNIC_SINT_COUNT; sint++) {
		for (;;) {
			spin_lock(&s->lock);
			m = list_first_entry_or_null(&s->queue[sint], struct hvp_synic_msg, link);
			spin_unlock(&s->lock);
			/* Only this thread removes entries: @m stays valid. */
			if (!m || !hvp_synic_deliver(vp, sint, &m->msg))
				break;
			spin_lock(&s->lock);
			list_del(&m->link);
			s->nr_queued[sint]--;
			spin_unlock(&s->lock);
			kfree(m);
		}
	}
}

/* Queue a message for SINT @sint; any context. -EAGAIN when full. */
int hvp_synic_queue_message(struct hvp_vp *vp, u32 sint, const struct hv_message *msg)
{
	struct hvp_synic *s = &vp->hv.synic;
	struct hvp_synic_msg *m;
	unsigned long flags;

	m = kmalloc(sizeof(*m), GFP_ATOMIC | __GFP_ACCOUNT);
	if (!m)
		return -ENOMEM;
	m->msg = *msg;
	spin_lock_irqsave(&s->lock, flags);
	if (s->nr_queued[sint] >= HVP_SYNIC_QUEUE_LEN) {
		spin_unlock_irqrestore(&s->lock, flags);
		kfree(m);
		return -EAGAIN;
	}
	list_add_tail(&m->link, &s->queue[sint]);
	s->nr_queued[sint]++;
	spin_unlock_irqrestore(&s->lock, flags);
	hvp_synic_kick(vp, HVP_SYNIC_WORK_MSG);
	return 0;
}

/* Set event flag @flag of SINT @sint; any context. */
int hvp_synic_queue_event(struct hvp_vp *vp, u32 sint, u32 flag)
{
	set_bit(sint * HV_EVENT_FLAGS_COUNT + flag, vp->hv.synic.events);
	hvp_synic_kick(vp, HVP_SYNIC_WORK_EVENT);
	return 0;
}

/* The VMM's HVPART_HV_POST_MESSAGE and HVPART_HV_SIGNAL_EVENT. */
int hvp_hv_post_ioctl(struct hvp_partition *part, const void __user *uarg)
{
	struct hvpart_hv_post p;
	struct hv_message msg = {};
	struct hvp_vp *vp;
	int ret;

	if (copy_from_user(&p, uarg, sizeof(p)))
		return -EFAULT;
	if (p.flags || p.rsvd || p.sint >= HV_SYNIC_SINT_COUNT || !p.message_type ||
	    p.message_type >= 0x80000000 || p.payload_size > HV_MESSAGE_PAYLOAD_BYTE_COUNT ||
	    p.vp_index >= HVP_MAX_VPS || !hvp_hv_has(part, HVPART_HV_F(SYNIC)))
		return -EINVAL;
	msg.header.message_type = p.message_type;
	msg.header.payload_size = p.payload_size;
	memcpy(msg.u.payload, p.payload, p.payload_size);

	rcu_read_lock();
	vp = rcu_dereference(part->vps[p.vp_index]);
	ret = vp ? hvp_synic_queue_message(vp, p.sint, &msg) : -ENOENT;
	rcu_read_unlock();
	return ret;
}

int hvp_hv_signal_ioctl(struct hvp_partition *part, const void __user *uarg)
{
	struct hvpart_hv_event ev;
	struct hvp_vp *vp;
	int ret;

	if (copy_from_user(&ev, uarg, sizeof(ev)))
		return -EFAULT;
	if (ev.rsvd || ev.sint >= HV_SYNIC_SINT_COUNT || ev.flag >= HV_EVENT_FLAGS_COUNT ||
	    ev.vp_index >= HVP_MAX_VPS || !hvp_hv_has(part, HVPART_HV_F(SYNIC)))
		return -EINVAL;
	rcu_read_lock();
	vp = rcu_dereference(part->vps[ev.vp_index]);
	ret = vp ? hvp_synic_queue_event(vp, ev.sint, ev.flag) : -ENOENT;
	rcu_read_unlock();
	return ret;
}
