// SPDX-License-Identifier: GPL-2.0
/*
 * Shutdown: HVPART_VMBUS_SHUTDOWN asks the guest to power off or reboot;
 * Linux answers HV_S_OK and then runs its orderly poweroff, which ends in
 * the VMM's power-off path (ACPI). The body must be the full 2060 bytes:
 * Linux refuses shorter shutdown messages.
 */
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "../../kmod/hvpart.h"
#include "ic.h"

#define SHUTDOWN_F_REBOOT	2
#define SHUTDOWN_TIMEOUT	(10 * HZ)

struct shutdown_body {
	u32 reason_code;
	u32 timeout_seconds;
	u32 flags;
	u8 message[2048];
} __packed;

static const u32 shutdown_versions[] = { IC_VERSION(3, 2), IC_VERSION(3, 0), IC_VERSION(1, 0) };

static void shutdown_response(struct hvp_ic *ic, const struct ic_msg_hdr *hdr, const u8 *body,
			      u32 len)
{
	hvp_ic_answer(ic, hdr, body, len);
}

int hvp_ic_shutdown_ioctl(struct hvp_partition *part, const void __user *uarg)
{
	struct hvp_ic *ic = hvp_ic_get(part, HVPART_VMBUS_IC_BIT_SHUTDOWN);
	struct hvpart_vmbus_shutdown args;
	struct shutdown_body *b;
	int ret;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if (args.rsvd || (args.flags & ~HVPART_VMBUS_SHUTDOWN_F_REBOOT))
		return -EINVAL;
	if (!ic)
		return -ENODEV;
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	b->flags = (args.flags & HVPART_VMBUS_SHUTDOWN_F_REBOOT) ? SHUTDOWN_F_REBOOT : 0;
	strscpy(b->message, "Shutdown requested by the host (hvpart)", sizeof(b->message));

	ret = mutex_lock_interruptible(&ic->request_lock);
	if (!ret) {
		ret = hvp_ic_request(ic, IC_MSG_SHUTDOWN, b, sizeof(*b), SHUTDOWN_TIMEOUT);
		if (!ret && ic->status != IC_S_OK)
			ret = -EIO;
		mutex_unlock(&ic->request_lock);
	}
	kfree(b);
	return ret;
}

const struct hvp_ic_desc hvp_ic_shutdown = {
	.name		= "shutdown",
	.bit		= HVPART_VMBUS_IC_BIT_SHUTDOWN,
	/* 0e0b6031-5213-4934-818b-38d90ced39db */
	.class_id	= { 0x31, 0x60, 0x0b, 0x0e, 0x13, 0x52, 0x34, 0x49,
			    0x81, 0x8b, 0x38, 0xd9, 0x0c, 0xed, 0x39, 0xdb },
	.msg_type	= IC_MSG_SHUTDOWN,
	.versions	= shutdown_versions,
	.nr_versions	= ARRAY_SIZE(shutdown_versions),
	.response	= shutdown_response,
};
