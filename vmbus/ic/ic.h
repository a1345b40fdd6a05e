/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Integration services, served in the kernel: heartbeat, shutdown, time
 * synchronisation and key/value exchange (hyperv-facts §6.3; the guest's
 * side is Linux's drivers/hv/hv_util.c and hv_kvp.c).
 *
 * Why in the kernel: each is a few dozen lines of protocol with no file,
 * socket or policy behind it, the guest expects the host to speak first
 * the moment it opens the channel, and keeping them here means shutdown,
 * heartbeat and KVP work for any VMM, not only hvctl.
 *
 * Every message is an in-band packet: a pipe header, an IC header (type,
 * versions, status, transaction flags), then the service's body. The host
 * sends; the guest answers on the same ring with the same bytes, flagged
 * as a response. The first exchange negotiates framework and service
 * versions.
 */
#ifndef HVP_VMBUS_IC_H
#define HVP_VMBUS_IC_H

#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "../vmbus.h"

#define IC_MSG_NEGOTIATE	0
#define IC_MSG_HEARTBEAT	1
#define IC_MSG_KVP		2
#define IC_MSG_SHUTDOWN		3
#define IC_MSG_TIMESYNC		4

#define IC_FLAG_TRANSACTION	1
#define IC_FLAG_REQUEST		2
#define IC_FLAG_RESPONSE	4

#define IC_S_OK			0
#define IC_VERSION(major, minor) (((major) << 16) | (minor))

struct ic_version {
	u16 major;
	u16 minor;
} __packed;

struct ic_pipe_hdr {
	u32 flags;
	u32 msgsize;
} __packed;

struct ic_msg_hdr {
	struct ic_version frame;
	u16 type;
	struct ic_version msg;
	u16 size;
	u32 status;
	u8 txn;
	u8 flags;
	u8 rsvd[2];
} __packed;

#define IC_HDR_SIZE		(sizeof(struct ic_pipe_hdr) + sizeof(struct ic_msg_hdr))
#define IC_MAX_PACKET		8192

struct hvp_ic;

struct hvp_ic_desc {
	const char *name;
	unsigned int bit;		/* HVPART_VMBUS_IC_BIT_* */
	u8 class_id[16];		/* wire byte order */
	u16 msg_type;
	const u32 *versions;		/* offered, newest first */
	unsigned int nr_versions;
	/* Versions agreed: the service may start. ic->lock held. */
	void (*negotiated)(struct hvp_ic *ic);
	/* ic->periodic fired (reschedule it to keep going). ic->lock held. */
	void (*periodic)(struct hvp_ic *ic);
	/* The guest answered a message of msg_type. ic->lock held. */
	void (*response)(struct hvp_ic *ic, const struct ic_msg_hdr *hdr, const u8 *body,
			 u32 len);
};

struct hvp_ic {
	const struct hvp_ic_desc *desc;
	struct hvp_vmbus *bus;
	struct hvp_vmbus_channel *ch;
	struct mutex lock;		/* everything below */
	bool open;
	bool ready;			/* versions negotiated */
	struct ic_version frame;
	struct ic_version version;
	u8 txn;
	u64 trans_id;
	struct work_struct rx_work;
	struct delayed_work periodic;	/* heartbeat and time samples */

	/* The one request a VMM ioctl may have outstanding. */
	struct mutex request_lock;
	wait_queue_head_t wq;
	bool answered;
	u32 status;
	u8 *reply;			/* body of the answer, IC_MAX_PACKET */
	u32 reply_len;

	u64 hb_sent;
	u64 hb_seq;
	unsigned long hb_jiffies;
	u8 buf[IC_MAX_PACKET];
};

/* ic.c */
int hvp_ic_send(struct hvp_ic *ic, u16 type, const void *body, u32 len);
int hvp_ic_request(struct hvp_ic *ic, u16 type, const void *body, u32 len, unsigned long timeout);
void hvp_ic_answer(struct hvp_ic *ic, const struct ic_msg_hdr *hdr, const u8 *body, u32 len);
struct hvp_ic *hvp_ic_get(struct hvp_partition *part, unsigned int bit);

extern const struct hvp_ic_desc hvp_ic_heartbeat;
extern const struct hvp_ic_desc hvp_ic_shutdown;
extern const struct hvp_ic_desc hvp_ic_timesync;
extern const struct hvp_ic_desc hvp_ic_kvp;

#endif /* HVP_VMBUS_IC_H */
