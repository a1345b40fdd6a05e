// SPDX-License-Identifier: GPL-2.0
/*
 * Channel-management messages the guest sends (hyperv-facts §5.3), checked
 * through one table: each type a guest may send, its minimum size (the
 * guest's own struct), and its handler. Checks run on the private copy
 * the caller made, in this order: header present, length within a SynIC
 * payload, type known and guest-to-host, length at least the minimum.
 * Host-to-guest types coming from the guest are refused like unknown ones.
 */
#include "chan_msg.h"

struct vmbus_msg_desc {
	const char *name;
	u32 min_len;
	bool from_guest;
};

#define MSG(type, str, size, guest) [VMBUS_MSG_##type] = { str, size, guest }

static const struct vmbus_msg_desc vmbus_msgs[VMBUS_MSG_COUNT] = {
	MSG(OFFERCHANNEL, "offer", sizeof(struct vmbus_msg_offer), false),
	MSG(RESCIND_OFFER, "rescind", sizeof(struct vmbus_msg_rescind), false),
	MSG(REQUESTOFFERS, "request_offers", sizeof(struct vmbus_msg_header), true),
	MSG(ALLOFFERS_DELIVERED, "all_offers_delivered", sizeof(struct vmbus_msg_header), false),
	MSG(OPENCHANNEL, "open", sizeof(struct vmbus_msg_open), true),
	MSG(OPENCHANNEL_RESULT, "open_result", sizeof(struct vmbus_msg_open_result), false),
	MSG(CLOSECHANNEL, "close", sizeof(struct vmbus_msg_close), true),
	MSG(GPADL_HEADER, "gpadl_header", sizeof(struct vmbus_msg_gpadl_header), true),
	MSG(GPADL_BODY, "gpadl_body", sizeof(struct vmbus_msg_gpadl_body), true),
	MSG(GPADL_CREATED, "gpadl_created", sizeof(struct vmbus_msg_gpadl_created), false),
	MSG(GPADL_TEARDOWN, "gpadl_teardown", sizeof(struct vmbus_msg_gpadl_teardown), true),
	MSG(GPADL_TORNDOWN, "gpadl_torndown", sizeof(struct vmbus_msg_gpadl_torndown), false),
	MSG(RELID_RELEASED, "relid_released", sizeof(struct vmbus_msg_relid_released), true),
	MSG(INITIATE_CONTACT, "initiate_contact", sizeof(struct vmbus_msg_initiate_contact), true),
	MSG(VERSION_RESPONSE, "version_response", sizeof(struct vmbus_msg_version_response), false),
	MSG(UNLOAD, "unload", sizeof(struct vmbus_msg_header), true),
	MSG(UNLOAD_RESPONSE, "unload_response", sizeof(struct vmbus_msg_header), false),
	MSG(TL_CONNECT_REQUEST, "tl_connect_request", sizeof(struct vmbus_msg_tl_connect_request),
	    true),
	MSG(MODIFYCHANNEL, "modify_channel", sizeof(struct vmbus_msg_modify_channel), true),
	MSG(TL_CONNECT_RESULT, "tl_connect_result", sizeof(struct vmbus_msg_header), false),
	MSG(MODIFYCHANNEL_RESPONSE, "modify_channel_response",
	    sizeof(struct vmbus_msg_modify_channel_response), false),
};

const char *vmbus_msg_name(u32 type)
{
	if (type < VMBUS_MSG_COUNT && vmbus_msgs[type].name)
		return vmbus_msgs[type].name;
	return "unknown";
}

enum vmbus_msg_error vmbus_msg_dispatch(u8 *buf, u32 len, const struct vmbus_msg_handlers *h,
					void *ctx)
{
	const struct vmbus_msg_desc *d;
	u32 type;

	if (len < sizeof(struct vmbus_msg_header))
		return VMBUS_MSG_ERR_SHORT;
	if (len > VMBUS_MSG_MAX_SIZE)
		return VMBUS_MSG_ERR_LONG;
	memcpy(&type, buf, sizeof(type));
	if (type >= VMBUS_MSG_COUNT || !vmbus_msgs[type].from_guest)
		return VMBUS_MSG_ERR_TYPE;
	d = &vmbus_msgs[type];
	if (len < d->min_len)
		return VMBUS_MSG_ERR_SHORT;
	memset(buf + len, 0, VMBUS_MSG_MAX_SIZE - len);

	switch (type) {
	case VMBUS_MSG_INITIATE_CONTACT:
		h->initiate_contact(ctx, (const void *)buf);
		break;
	case VMBUS_MSG_REQUESTOFFERS:
		h->request_offers(ctx);
		break;
	case VMBUS_MSG_OPENCHANNEL:
		h->open_channel(ctx, (const void *)buf);
		break;
	case VMBUS_MSG_CLOSECHANNEL:
		h->close_channel(ctx, (const void *)buf);
		break;
	case VMBUS_MSG_GPADL_HEADER:
		h->gpadl_header(ctx, (const void *)buf, len);
		break;
	case VMBUS_MSG_GPADL_BODY:
		h->gpadl_body(ctx, (const void *)buf, len);
		break;
	case VMBUS_MSG_GPADL_TEARDOWN:
		h->gpadl_teardown(ctx, (const void *)buf);
		break;
	case VMBUS_MSG_RELID_RELEASED:
		h->relid_released(ctx, (const void *)buf);
		break;
	case VMBUS_MSG_UNLOAD:
		h->unload(ctx);
		break;
	case VMBUS_MSG_TL_CONNECT_REQUEST:
		h->tl_connect_request(ctx, (const void *)buf);
		break;
	case VMBUS_MSG_MODIFYCHANNEL:
		h->modify_channel(ctx, (const void *)buf);
		break;
	}
	return VMBUS_MSG_OK;
}
