// SPDX-License-Identifier: GPL-2.0
/*
 * Time synchronisation (service version 4.0): the host's wall clock in
 * 100 ns units since 1601-01-01 UTC, paired with the partition reference
 * time at which it was read. The first sample after negotiation asks the
 * guest to step its clock (SYNC); then a SAMPLE every 5 s lets it steer.
 */
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/math64.h>

#include "../../kmod/hvpart.h"
#include "ic.h"

#define TIMESYNC_PERIOD		(5 * HZ)
#define TIMESYNC_F_SYNC		1
#define TIMESYNC_F_SAMPLE	2
/* 100 ns intervals between 1601-01-01 and 1970-01-01. */
#define WLTIMEDELTA		116444736000000000ULL

struct timesync_body {
	u64 parent_time;
	u64 vm_reference_time;
	u8 flags;
	u8 leap_flags;
	u8 stratum;
	u8 rsvd[3];
} __packed;

static const u32 timesync_versions[] = { IC_VERSION(4, 0) };

static void timesync_send(struct hvp_ic *ic, u8 flags)
{
	struct timesync_body b = {
		.vm_reference_time = hvp_hv_ref_time_partition(ic->bus->part),
		.parent_time = div_u64(ktime_get_real_ns(), 100) + WLTIMEDELTA,
		.flags = flags,
		.stratum = 1,
	};

	hvp_ic_send(ic, IC_MSG_TIMESYNC, &b, sizeof(b));
	schedule_delayed_work(&ic->periodic, TIMESYNC_PERIOD);
}

static void timesync_negotiated(struct hvp_ic *ic)
{
	timesync_send(ic, TIMESYNC_F_SYNC);
}

static void timesync_periodic(struct hvp_ic *ic)
{
	timesync_send(ic, TIMESYNC_F_SAMPLE);
}

/* The guest acknowledges samples; nothing to do with that. */
static void timesync_response(struct hvp_ic *ic, const struct ic_msg_hdr *hdr, const u8 *body,
			      u32 len)
{
}

const struct hvp_ic_desc hvp_ic_timesync = {
	.name		= "timesync",
	.bit		= HVPART_VMBUS_IC_BIT_TIMESYNC,
	/* 9527e630-d0ae-497b-adce-e80ab0175caf */
	.class_id	= { 0x30, 0xe6, 0x27, 0x95, 0xae, 0xd0, 0x7b, 0x49,
			    0xad, 0xce, 0xe8, 0x0a, 0xb0, 0x17, 0x5c, 0xaf },
	.msg_type	= IC_MSG_TIMESYNC,
	.versions	= timesync_versions,
	.nr_versions	= ARRAY_SIZE(timesync_versions),
	.negotiated	= timesync_negotiated,
	.periodic	= timesync_periodic,
	.response	= timesync_response,
};
