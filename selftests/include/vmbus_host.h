/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A userspace VSP for selftests: one channel offered with
 * HVPART_VMBUS_OFFER and served through its channel fd the way a VMM
 * would - read the OPENED/CLOSED events, mmap the rings, drive them with
 * vmbus/ring.c (linked into the test binary) and ring the doorbells
 * through the eventfds of HVPART_VMBUS_CHAN_SET_EVENTFDS.
 *
 * Host code only; one thread at a time per struct vsp.
 */
#ifndef SELFTEST_HVPART_VMBUS_HOST_H
#define SELFTEST_HVPART_VMBUS_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/hvpart.h>

#include "../../vmbus/ring.h"

struct hvp_vm;

struct vsp {
	struct hvp_vm *vm;
	int fd;				/* channel fd, -1 once closed */
	int guest_kick;			/* eventfd the module signals */
	int host_kick;			/* eventfd we write to interrupt the guest */
	struct hvpart_vmbus_chan_event opened;
	uint8_t *map;			/* both rings, as mmap'd */
	size_t map_len;
	struct hvp_ring in;		/* guest -> host */
	struct hvp_ring out;		/* host -> guest */
	uint64_t kicks_in, kicks_out;	/* doorbells seen and rung */
};

/* Offer a test-class channel (instance @n) and keep its fd. */
void vsp_offer(struct vsp *v, struct hvp_vm *vm, uint32_t instance);
/* Next lifecycle event into *ev: 1, or 0 after @timeout_ms. */
int vsp_event(struct vsp *v, struct hvpart_vmbus_chan_event *ev, int timeout_ms);
/* Wait for an event of @type (others fail the test). */
void vsp_expect_event(struct vsp *v, uint32_t type, struct hvpart_vmbus_chan_event *ev,
		      int timeout_ms);
/*
 * After OPENED: mmap the rings, set them up, install both doorbells.
 * The raw form returns -errno instead of failing the test: ENOTCONN when
 * the guest closed the channel again before we got to it (the CLOSED
 * event follows).
 */
int __vsp_attach(struct vsp *v, const struct hvpart_vmbus_chan_event *ev);
void vsp_attach(struct vsp *v, const struct hvpart_vmbus_chan_event *ev);
/* Unmap the rings, remove the doorbells (the channel fd stays). */
void vsp_detach(struct vsp *v);
/* Close the channel fd: the module rescinds the offer. */
void vsp_close(struct vsp *v);

/* hvp_ring_recv on the guest->host ring; rings the guest when it waits for room. */
int vsp_recv(struct vsp *v, void *buf, uint32_t buflen, uint32_t *len);
/* hvp_ring_send on the host->guest ring; rings the guest when the rules say so. */
int vsp_send(struct vsp *v, uint16_t type, uint16_t flags, uint64_t trans_id,
	     const void *payload, uint32_t len);
/* Wait for the guest's doorbell; true if it rang within @timeout_ms. */
bool vsp_wait_kick(struct vsp *v, int timeout_ms);
void vsp_kick_guest(struct vsp *v);

#endif /* SELFTEST_HVPART_VMBUS_HOST_H */
