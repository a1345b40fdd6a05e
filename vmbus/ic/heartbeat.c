// SPDX-License-Identifier: GPL-2.0
/*
 * Heartbeat: every 2 s the host sends a sequence number; a live guest
 * answers with it plus one. HVPART_VMBUS_STATUS reports the last answer
 * and its age, which is how a VMM tells a hung guest from a busy one.
 */
#include <linux/jiffies.h>

#include "../../kmod/hvpart.h"
#include "ic.h"

#define HEARTBEAT_PERIOD	(2 * HZ)

struct heartbeat_body {
	u64 seq_num;
	u32 rsvd[8];
} __packed;

static const u32 heartbeat_versions[] = { IC_VERSION(3, 0), IC_VERSION(1, 0) };

static void heartbeat_beat(struct hvp_ic *ic)
{
	struct heartbeat_body b = { .seq_num = ++ic->hb_sent };

	hvp_ic_send(ic, IC_MSG_HEARTBEAT, &b, sizeof(b));
	schedule_delayed_work(&ic->periodic, HEARTBEAT_PERIOD);
}

static void heartbeat_response(struct hvp_ic *ic, const struct ic_msg_hdr *hdr, const u8 *body,
			       u32 len)
{
	u64 seq;

	if (len < sizeof(seq))
		return;
	memcpy(&seq, body, sizeof(seq));
	/* Only the answer to the latest beat counts. */
	if (seq == ic->hb_sent + 1) {
		ic->hb_seq = seq;
		ic->hb_jiffies = jiffies ?: 1;
	}
}

const struct hvp_ic_desc hvp_ic_heartbeat = {
	.name		= "heartbeat",
	.bit		= HVPART_VMBUS_IC_BIT_HEARTBEAT,
	/* 57164f39-9115-4e78-ab55-382f3bd5422d */
	.class_id	= { 0x39, 0x4f, 0x16, 0x57, 0x15, 0x91, 0x78, 0x4e,
			    0xab, 0x55, 0x38, 0x2f, 0x3b, 0xd5, 0x42, 0x2d },
	.msg_type	= IC_MSG_HEARTBEAT,
	.versions	= heartbeat_versions,
	.nr_versions	= ARRAY_SIZE(heartbeat_versions),
	.negotiated	= heartbeat_beat,
	.periodic	= heartbeat_beat,
	.response	= heartbeat_response,
};
