/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host side of a partition's VMBus, inside hvpart.ko.
 *
 *   vmbus.c     the bus: connection, version, the guest's channel-
 *               management messages (through chan_msg.c), offers
 *   channel.c   channels: relids, open/close/rescind, rings, doorbells
 *   gpadl.c     GPADLs: assembled from header and body messages, pinned
 *   chan_fd.c   channels served by userspace: the channel fd
 *   ic/         integration services served in the kernel
 *
 * Locking: bus->lock (a mutex) orders everything about the bus, its
 * channels' states and its GPADLs; the bus work and the ioctls take it.
 * A channel's ring I/O by an in-kernel service uses ch->io_lock, taken
 * after bus->lock when both are needed. Guest messages arrive in atomic
 * context (a hypercall under RCU): they are copied to the bus inbox and
 * handled by the bus work. Messages to the guest go through the SynIC
 * queue of the VP the guest named at connect time.
 */
#ifndef HVP_VMBUS_H
#define HVP_VMBUS_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "proto.h"
#include "ring.h"

struct hvp_partition;
struct hvp_vp;
struct hvp_vmbus;
struct hvp_vmbus_channel;
struct hvp_ic;

#define HVP_VMBUS_MAX_CHANNELS		256
#define HVP_VMBUS_MAX_RELID		2047	/* event flags per SINT - 1 */
#define HVP_VMBUS_CHAN_CONN_BASE	0xa00000
#define HVP_VMBUS_MAX_GPADLS		4096
#define HVP_VMBUS_MAX_GPADL_PAGES	(256U << 10)	/* 1 GiB per partition */
#define HVP_VMBUS_INBOX_LEN		64

/* What an in-kernel service or the channel fd does with its channel. */
struct hvp_vmbus_chan_ops {
	/* The guest opened the channel; rings are ready. bus->lock held. */
	void (*opened)(struct hvp_vmbus_channel *ch);
	/* The channel is about to lose its rings (close, rescind, reset). */
	void (*closing)(struct hvp_vmbus_channel *ch);
	/* The guest rang the doorbell. Atomic context. */
	void (*kick)(struct hvp_vmbus_channel *ch);
};

enum hvp_vmbus_chan_state {
	HVP_CHAN_OFFERED,	/* waiting for the guest to open it */
	HVP_CHAN_OPEN,
	HVP_CHAN_RESCINDED,	/* relid held until the guest releases it */
};

struct hvp_gpadl {
	u32 id;
	u32 relid;
	u32 npages;
	u32 received;		/* PFNs so far (header + bodies) */
	u64 *pfns;
	struct page **pages;	/* pinned once complete */
	bool complete;
	bool in_use;		/* a channel's rings live in it */
};

struct hvp_vmbus_channel {
	struct kref ref;
	struct hvp_vmbus *bus;
	u32 relid;
	u32 conn_id;
	struct vmbus_msg_offer offer;	/* as sent to the guest */
	enum hvp_vmbus_chan_state state;
	bool offer_sent;

	/* While open. */
	u32 target_vp;
	u32 openid;
	struct hvp_gpadl *ring_gpadl;
	void *ring_va;			/* the GPADL mapped contiguously */
	u32 in_ring_size;		/* guest->host, header page included */
	u32 out_ring_size;
	u8 user_data[120];
	struct mutex io_lock;		/* the rings below */
	struct hvp_ring in;		/* guest -> host */
	struct hvp_ring out;		/* host -> guest */

	const struct hvp_vmbus_chan_ops *ops;
	void *priv;
};

struct hvp_vmbus {
	struct hvp_partition *part;
	struct mutex lock;
	u32 version;			/* 0: not connected */
	u32 target_vp;			/* VP for channel-management messages */
	u8 msg_sint;
	bool offers_requested;
	struct hvp_vmbus_channel *channels[HVP_VMBUS_MAX_RELID + 1];
	unsigned int nr_channels;
	struct xarray gpadls;
	unsigned int nr_gpadls;
	unsigned long gpadl_pages;
	u32 ics;			/* HVPART_VMBUS_IC bits offered */
	struct hvp_ic *ic[4];		/* indexed by hvpart_vmbus_ic_bit */

	spinlock_t inbox_lock;
	struct list_head inbox;		/* guest messages to handle */
	unsigned int inbox_len;
	struct list_head outbox;	/* messages the SynIC queue refused */
	struct delayed_work work;
	bool dead;			/* being destroyed */
};

/* vmbus.c */
int hvp_vmbus_create(struct hvp_partition *part, const void __user *uarg);
void hvp_vmbus_destroy(struct hvp_partition *part);
int hvp_vmbus_status(struct hvp_partition *part, void __user *uarg);
void hvp_vmbus_send_msg(struct hvp_vmbus *bus, const void *msg, u32 len);
void hvp_vmbus_log_msg(struct hvp_vmbus *bus, bool to_guest, const void *msg, u32 len);

/* channel.c */
struct hvp_vmbus_channel *hvp_vmbus_offer(struct hvp_vmbus *bus, const struct vmbus_guid *type,
					  const struct vmbus_guid *instance, u16 chn_flags,
					  u16 mmio_mb, const u8 *user_def,
					  const struct hvp_vmbus_chan_ops *ops, void *priv);
void hvp_vmbus_rescind(struct hvp_vmbus_channel *ch);
void hvp_vmbus_send_offer(struct hvp_vmbus_channel *ch);
int hvp_vmbus_chan_open(struct hvp_vmbus_channel *ch, const struct vmbus_msg_open *m);
void hvp_vmbus_chan_close(struct hvp_vmbus_channel *ch);
void hvp_vmbus_chan_free_relid(struct hvp_vmbus_channel *ch);
void hvp_vmbus_chan_put(struct hvp_vmbus_channel *ch);
void hvp_vmbus_chan_signal(struct hvp_vmbus_channel *ch);
int hvp_vmbus_chan_send(struct hvp_vmbus_channel *ch, u16 type, u16 flags, u64 trans_id,
			const void *payload, u32 len);
int hvp_vmbus_chan_recv(struct hvp_vmbus_channel *ch, void *buf, u32 buflen, u32 *len);
struct hvp_vmbus_channel *hvp_vmbus_chan_find(struct hvp_vmbus *bus, u32 relid);

/* gpadl.c */
void hvp_vmbus_gpadl_header(struct hvp_vmbus *bus, const struct vmbus_msg_gpadl_header *m,
			    u32 len);
void hvp_vmbus_gpadl_body(struct hvp_vmbus *bus, const struct vmbus_msg_gpadl_body *m, u32 len);
void hvp_vmbus_gpadl_teardown(struct hvp_vmbus *bus, const struct vmbus_msg_gpadl_teardown *m);
void hvp_vmbus_gpadl_destroy_all(struct hvp_vmbus *bus);
struct hvp_gpadl *hvp_vmbus_gpadl_find(struct hvp_vmbus *bus, u32 id);

/* chan_fd.c */
int hvp_vmbus_offer_ioctl(struct hvp_partition *part, const void __user *uarg);

/* ic/ */
int hvp_ic_create_all(struct hvp_vmbus *bus, u32 ics);
void hvp_ic_destroy_all(struct hvp_vmbus *bus);
int hvp_ic_shutdown_ioctl(struct hvp_partition *part, const void __user *uarg);
int hvp_ic_kvp_ioctl(struct hvp_partition *part, void __user *uarg);
void hvp_ic_fill_status(struct hvp_vmbus *bus, struct hvpart_vmbus_status *st);

#endif /* HVP_VMBUS_H */
