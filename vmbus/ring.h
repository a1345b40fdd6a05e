/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's side of a VMBus ring pair (pure logic; compat.h only, so it
 * is also a userspace unit test, a fuzz target and usable by userspace
 * VSPs). See ring.c for the protocol.
 */
#ifndef HVP_VMBUS_RING_H
#define HVP_VMBUS_RING_H

#include "compat.h"
#include "proto.h"

/*
 * One direction. The header and data live in guest memory; the index the
 * host owns (read index of the ring it reads, write index of the ring it
 * writes) is kept here and only ever written to the header, never read
 * back from it.
 */
struct hvp_ring {
	struct vmbus_ring_header *hdr;
	u8 *data;
	u32 size;		/* bytes of data, a multiple of 8 */
	u32 index;		/* the host's own index */
	bool broken;		/* the guest corrupted the ring: stop using it */
};

/* @hdr is followed in memory by @size bytes of data. */
int hvp_ring_init(struct hvp_ring *r, void *hdr, void *data, u32 size);

/*
 * Host reading the guest->host ring. Copies the next packet (descriptor,
 * payload, not the trailer) into @buf and consumes it. Returns 0 with
 * *@len set; -EAGAIN when empty; -EMSGSIZE when it does not fit in @buflen
 * (*@len says how much is needed; nothing consumed); -EPROTO when the
 * guest corrupted the ring (it is then marked broken). *@signal says
 * whether to interrupt the guest: it is blocked waiting for the space this
 * read freed (pending_send_sz).
 */
int hvp_ring_recv(struct hvp_ring *r, void *buf, u32 buflen, u32 *len, bool *signal);

/*
 * Host writing a packet of @type to the host->guest ring: descriptor, then
 * @hdr_len bytes of type-specific header and @len bytes of payload, padded
 * to 8, then the trailer. Returns 0 (*@signal: whether to interrupt the
 * guest: it has no interrupts masked and had consumed everything before),
 * -EAGAIN when full (pending_send_sz is set so the guest signals once it
 * made room) or -EPROTO on a corrupt ring.
 */
int hvp_ring_send(struct hvp_ring *r, u16 type, u16 flags, u64 trans_id, const void *hdr,
		  u32 hdr_len, const void *payload, u32 len, bool *signal);

/* Bytes the guest has written and the host not yet read (0 if corrupt). */
u32 hvp_ring_pending(const struct hvp_ring *r);

#endif /* HVP_VMBUS_RING_H */
