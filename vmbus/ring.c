// SPDX-License-Identifier: GPL-2.0
/*
 * The host side of VMBus ring buffers (hyperv-facts §5.7-5.9; the guest's
 * half is Linux's drivers/hv/ring_buffer.c).
 *
 * Each direction is one ring: a header page (write index, read index,
 * interrupt mask, pending send size, feature bits) and a data area used
 * as a circular buffer of packets. Indices are byte offsets into the data
 * area, multiples of 8. Empty means read == write; a writer never fills
 * the ring completely, so full and empty stay distinguishable. A packet is
 * a 16-byte descriptor (type, payload offset and length in 8-byte units,
 * flags, transaction id), its payload padded to 8, then an 8-byte trailer.
 *
 * Everything in the header page is guest memory. The host never trusts it
 * for its own index (kept in struct hvp_ring) and reads each guest-owned
 * value once, validates it, and uses only that copy; a packet is copied
 * out whole before anyone parses it. A corrupt index or descriptor marks
 * the ring broken: the host stops using it rather than guess.
 *
 * Signalling follows the guest's own rules, because a Windows host treats
 * surplus interrupts as abuse and Linux relies on the exact transitions:
 *  - after writing, interrupt the guest only if it had consumed everything
 *    before this packet and has not set interrupt_mask;
 *  - after reading, interrupt the guest only if it is blocked in its own
 *    write (pending_send_sz set, feature bit 0) and this read moved the
 *    free space from at or below what it waits for to above it;
 *  - when the host ring is full, set pending_send_sz so the guest signals
 *    once it has read enough, then look again.
 */
#include "ring.h"

#define RING_FEAT_PENDING_SEND_SZ	1U

static bool ring_index_ok(const struct hvp_ring *r, u32 index)
{
	return index < r->size && !(index & 7);
}

/* Bytes in [read, write) going around the circle. */
static u32 ring_used(u32 write, u32 read, u32 size)
{
	return write >= read ? write - read : size - read + write;
}

static void ring_copy_out(const struct hvp_ring *r, u32 off, void *dst, u32 len)
{
	u32 first = len < r->size - off ? len : r->size - off;

	memcpy(dst, r->data + off, first);
	memcpy((u8 *)dst + first, r->data, len - first);
}

static void ring_copy_in(struct hvp_ring *r, u32 off, const void *src, u32 len)
{
	u32 first = len < r->size - off ? len : r->size - off;

	memcpy(r->data + off, src, first);
	memcpy(r->data, (const u8 *)src + first, len - first);
}

static u32 ring_advance(const struct hvp_ring *r, u32 index, u32 len)
{
	return (u32)(((u64)index + len) % r->size);
}

int hvp_ring_init(struct hvp_ring *r, void *hdr, void *data, u32 size)
{
	if (!size || size % 8)
		return -EINVAL;
	r->hdr = hdr;
	r->data = data;
	r->size = size;
	/* The guest zeroes both headers before it opens the channel. */
	r->index = 0;
	r->broken = false;
	return 0;
}

u32 hvp_ring_pending(const struct hvp_ring *r)
{
	u32 write = READ_ONCE(r->hdr->write_index);

	if (r->broken || !ring_index_ok(r, write))
		return 0;
	return ring_used(write, r->index, r->size);
}

static int ring_break(struct hvp_ring *r)
{
	r->broken = true;
	return -EPROTO;
}

int hvp_ring_recv(struct hvp_ring *r, void *buf, u32 buflen, u32 *len, bool *signal)
{
	struct vmbus_packet_desc desc;
	u32 write, used, pkt_len, payload_off, pending, free_before, next;

	*signal = false;
	if (r->broken)
		return -EPROTO;
	write = READ_ONCE(r->hdr->write_index);
	if (!ring_index_ok(r, write))
		return ring_break(r);
	/* The index first, then the data it covers. */
	virt_rmb();
	used = ring_used(write, r->index, r->size);
	if (!used)
		return -EAGAIN;
	if (used < sizeof(desc) + VMBUS_PKT_TRAILER_SIZE)
		return ring_break(r);

	ring_copy_out(r, r->index, &desc, sizeof(desc));
	pkt_len = (u32)desc.len8 * 8;
	payload_off = (u32)desc.offset8 * 8;
	if (pkt_len < sizeof(desc) || payload_off < sizeof(desc) || payload_off > pkt_len ||
	    pkt_len + VMBUS_PKT_TRAILER_SIZE > used)
		return ring_break(r);
	*len = pkt_len;
	if (pkt_len > buflen)
		return -EMSGSIZE;
	ring_copy_out(r, r->index, buf, pkt_len);
	/*
	 * The guest may have rewritten the descriptor since we checked it:
	 * the caller parses @buf, so it gets the descriptor we validated.
	 */
	memcpy(buf, &desc, sizeof(desc));

	free_before = r->size - used;
	next = ring_advance(r, r->index, pkt_len + VMBUS_PKT_TRAILER_SIZE);
	/* Done with the data before the guest may reuse the space. */
	virt_mb();
	WRITE_ONCE(r->hdr->read_index, next);
	r->index = next;
	/* Publish the index before looking at what the writer waits for. */
	virt_mb();
	if (READ_ONCE(r->hdr->feature_bits) & RING_FEAT_PENDING_SEND_SZ) {
		pending = READ_ONCE(r->hdr->pending_send_sz);
		if (pending && free_before <= pending &&
		    free_before + pkt_len + VMBUS_PKT_TRAILER_SIZE > pending)
			*signal = true;
	}
	return 0;
}

int hvp_ring_send(struct hvp_ring *r, u16 type, u16 flags, u64 trans_id, const void *hdr,
		  u32 hdr_len, const void *payload, u32 len, bool *signal)
{
	static const u8 zeros[8];
	struct vmbus_packet_desc desc;
	u32 read, used, pkt_len, total, start, next;
	u64 trailer;

	*signal = false;
	if (r->broken)
		return -EPROTO;
	if (hdr_len % 8)
		return -EINVAL;
	/* Bounded first, so the sums below cannot wrap. */
	if (hdr_len >= r->size || len >= r->size)
		return -EMSGSIZE;
	pkt_len = (sizeof(desc) + hdr_len + len + 7) & ~7U;
	total = pkt_len + VMBUS_PKT_TRAILER_SIZE;
	if (pkt_len > 0xffff * 8 || total >= r->size)
		return -EMSGSIZE;

	read = READ_ONCE(r->hdr->read_index);
	if (!ring_index_ok(r, read))
		return ring_break(r);
	used = ring_used(r->index, read, r->size);
	if (total >= r->size - used) {
		/* Full: ask to be told when there is room, then look again. */
		WRITE_ONCE(r->hdr->pending_send_sz, total);
		/* Publish the request before looking at the index once more. */
		virt_mb();
		read = READ_ONCE(r->hdr->read_index);
		if (!ring_index_ok(r, read))
			return ring_break(r);
		used = ring_used(r->index, read, r->size);
		if (total >= r->size - used)
			return -EAGAIN;
	}

	start = r->index;
	desc.type = type;
	desc.offset8 = (sizeof(desc) + hdr_len) / 8;
	desc.len8 = pkt_len / 8;
	desc.flags = flags;
	desc.trans_id = trans_id;
	next = start;
	ring_copy_in(r, next, &desc, sizeof(desc));
	next = ring_advance(r, next, sizeof(desc));
	if (hdr_len) {
		ring_copy_in(r, next, hdr, hdr_len);
		next = ring_advance(r, next, hdr_len);
	}
	if (len) {
		ring_copy_in(r, next, payload, len);
		next = ring_advance(r, next, len);
	}
	if (pkt_len - sizeof(desc) - hdr_len - len) {
		ring_copy_in(r, next, zeros, pkt_len - sizeof(desc) - hdr_len - len);
		next = ring_advance(r, next, pkt_len - sizeof(desc) - hdr_len - len);
	}
	trailer = (u64)start << 32;
	ring_copy_in(r, next, &trailer, sizeof(trailer));
	next = ring_advance(r, next, sizeof(trailer));

	/* The packet before the index that makes it visible. */
	virt_mb();
	WRITE_ONCE(r->hdr->write_index, next);
	r->index = next;
	WRITE_ONCE(r->hdr->pending_send_sz, 0);
	/* Publish before deciding whether the guest needs an interrupt. */
	virt_mb();
	*signal = !READ_ONCE(r->hdr->interrupt_mask) && READ_ONCE(r->hdr->read_index) == start;
	return 0;
}
