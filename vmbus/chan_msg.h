/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Channel-management messages from the guest: validation and dispatch
 * (pure logic; compat.h only). The bus (vmbus.c) supplies the handlers.
 */
#ifndef HVP_VMBUS_CHAN_MSG_H
#define HVP_VMBUS_CHAN_MSG_H

#include "compat.h"
#include "proto.h"

/*
 * One handler per message a guest may send. Each gets the message, a
 * private copy at least as long as the type's minimum size, and its
 * length (GPADL messages carry a variable number of PFNs).
 */
struct vmbus_msg_handlers {
	void (*initiate_contact)(void *ctx, const struct vmbus_msg_initiate_contact *m);
	void (*request_offers)(void *ctx);
	void (*open_channel)(void *ctx, const struct vmbus_msg_open *m);
	void (*close_channel)(void *ctx, const struct vmbus_msg_close *m);
	void (*gpadl_header)(void *ctx, const struct vmbus_msg_gpadl_header *m, u32 len);
	void (*gpadl_body)(void *ctx, const struct vmbus_msg_gpadl_body *m, u32 len);
	void (*gpadl_teardown)(void *ctx, const struct vmbus_msg_gpadl_teardown *m);
	void (*relid_released)(void *ctx, const struct vmbus_msg_relid_released *m);
	void (*unload)(void *ctx);
	void (*tl_connect_request)(void *ctx, const struct vmbus_msg_tl_connect_request *m);
	void (*modify_channel)(void *ctx, const struct vmbus_msg_modify_channel *m);
};

/* Why a message was refused (for the bus's ratelimited log). */
enum vmbus_msg_error {
	VMBUS_MSG_OK,
	VMBUS_MSG_ERR_SHORT,		/* shorter than its header or type minimum */
	VMBUS_MSG_ERR_LONG,		/* longer than a SynIC payload */
	VMBUS_MSG_ERR_TYPE,		/* unknown, or a host-to-guest type */
};

/*
 * Validate the message in @buf (@len bytes, already copied out of guest
 * memory) and call its handler. @buf must have room for VMBUS_MSG_MAX_SIZE
 * bytes; bytes past @len are zeroed first, so a handler may read a whole
 * struct even when a guest sent fewer optional trailing bytes.
 */
enum vmbus_msg_error vmbus_msg_dispatch(u8 *buf, u32 len, const struct vmbus_msg_handlers *h,
					void *ctx);

const char *vmbus_msg_name(u32 type);

#endif /* HVP_VMBUS_CHAN_MSG_H */
