/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMBus wire formats, as a Linux 6.1 guest speaks them (include/linux/
 * hyperv.h and drivers/hv/hyperv_vmbus.h there; ../shared/hyperv-facts.md
 * §5 with sizes measured from those headers). Our own definitions, pinned
 * by size checks, so the protocol code builds in userspace too.
 *
 * Every channel message starts with struct vmbus_msg_header. All fields
 * are little-endian (x86). GUIDs are in Microsoft byte order: the first
 * three fields little-endian, the last 8 bytes as written.
 */
#ifndef HVP_VMBUS_PROTO_H
#define HVP_VMBUS_PROTO_H

#include "compat.h"

/* Wire layouts are byte-exact, as in the guest's own (packed) headers. */
#define VMBUS_PACKED __attribute__((packed))
#define VMBUS_STATIC_ASSERT(expr) _Static_assert(expr, #expr)

/* Connection ids and the SINT of the channel-management protocol. */
#define VMBUS_MESSAGE_CONN_ID		1	/* guest -> host messages (< 5.0) */
#define VMBUS_MESSAGE_CONN_ID_4		4	/* INITIATE_CONTACT for 5.x */
#define VMBUS_MESSAGE_SINT		2
#define VMBUS_HV_MESSAGE_TYPE		1	/* SynIC message type of VMBus messages */

/* Protocol versions, major << 16 | minor. */
#define VMBUS_VERSION_WIN8		0x00020004	/* 2.4 */
#define VMBUS_VERSION_WIN8_1		0x00030000
#define VMBUS_VERSION_WIN10		0x00040000
#define VMBUS_VERSION_WIN10_RS3		0x00040001
#define VMBUS_VERSION_WIN10_V5		0x00050000
#define VMBUS_VERSION_WIN10_V5_1	0x00050001
#define VMBUS_VERSION_WIN10_V5_2	0x00050002
#define VMBUS_VERSION_WIN10_V5_3	0x00050003

enum vmbus_msg_type {
	VMBUS_MSG_INVALID		= 0,
	VMBUS_MSG_OFFERCHANNEL		= 1,
	VMBUS_MSG_RESCIND_OFFER		= 2,
	VMBUS_MSG_REQUESTOFFERS		= 3,
	VMBUS_MSG_ALLOFFERS_DELIVERED	= 4,
	VMBUS_MSG_OPENCHANNEL		= 5,
	VMBUS_MSG_OPENCHANNEL_RESULT	= 6,
	VMBUS_MSG_CLOSECHANNEL		= 7,
	VMBUS_MSG_GPADL_HEADER		= 8,
	VMBUS_MSG_GPADL_BODY		= 9,
	VMBUS_MSG_GPADL_CREATED		= 10,
	VMBUS_MSG_GPADL_TEARDOWN	= 11,
	VMBUS_MSG_GPADL_TORNDOWN	= 12,
	VMBUS_MSG_RELID_RELEASED	= 13,
	VMBUS_MSG_INITIATE_CONTACT	= 14,
	VMBUS_MSG_VERSION_RESPONSE	= 15,
	VMBUS_MSG_UNLOAD		= 16,
	VMBUS_MSG_UNLOAD_RESPONSE	= 17,
	VMBUS_MSG_TL_CONNECT_REQUEST	= 21,
	VMBUS_MSG_MODIFYCHANNEL		= 22,
	VMBUS_MSG_TL_CONNECT_RESULT	= 23,
	VMBUS_MSG_MODIFYCHANNEL_RESPONSE = 24,
	VMBUS_MSG_COUNT			= 25,
};

/* The largest VMBus message: the SynIC payload. */
#define VMBUS_MSG_MAX_SIZE		240

struct vmbus_guid {
	u8 b[16];
} VMBUS_PACKED;

struct vmbus_msg_header {
	u32 msgtype;
	u32 padding;
} VMBUS_PACKED;

/* OFFERCHANNEL, 196 bytes. */
#define VMBUS_OFFER_F_ENUMERATE		0x0001
#define VMBUS_OFFER_F_NAMED_PIPE	0x0010
#define VMBUS_OFFER_F_TLNPI_PROVIDER	0x2000	/* hv_sock */

struct vmbus_msg_offer {
	struct vmbus_msg_header h;
	struct vmbus_guid if_type;
	struct vmbus_guid if_instance;
	u8 rsvd1[16];
	u16 chn_flags;
	u16 mmio_megabytes;
	u8 user_def[120];
	u16 sub_channel_index;
	u16 rsvd2;
	u32 child_relid;
	u8 monitorid;
	u8 monitor_allocated;		/* bit 0 */
	u16 is_dedicated_interrupt;	/* bit 0 */
	u32 connection_id;
} VMBUS_PACKED;

struct vmbus_msg_rescind {
	struct vmbus_msg_header h;
	u32 child_relid;
} VMBUS_PACKED;

/* OPENCHANNEL, 148 bytes. */
struct vmbus_msg_open {
	struct vmbus_msg_header h;
	u32 child_relid;
	u32 openid;
	u32 ringbuffer_gpadl;
	u32 target_vp;
	u32 downstream_ring_page_offset;
	u8 user_data[120];
} VMBUS_PACKED;

struct vmbus_msg_open_result {
	struct vmbus_msg_header h;
	u32 child_relid;
	u32 openid;
	u32 status;
} VMBUS_PACKED;

struct vmbus_msg_close {
	struct vmbus_msg_header h;
	u32 child_relid;
} VMBUS_PACKED;

/* GPADL_HEADER: one range, up to 26 PFNs here, the rest in GPADL_BODY. */
struct vmbus_msg_gpadl_header {
	struct vmbus_msg_header h;
	u32 child_relid;
	u32 gpadl;
	u16 range_buflen;
	u16 rangecount;
	u32 byte_count;			/* the first (only) range */
	u32 byte_offset;
	u64 pfn[];
} VMBUS_PACKED;

struct vmbus_msg_gpadl_body {
	struct vmbus_msg_header h;
	u32 msgnumber;
	u32 gpadl;
	u64 pfn[];
} VMBUS_PACKED;

struct vmbus_msg_gpadl_created {
	struct vmbus_msg_header h;
	u32 child_relid;
	u32 gpadl;
	u32 creation_status;
} VMBUS_PACKED;

struct vmbus_msg_gpadl_teardown {
	struct vmbus_msg_header h;
	u32 child_relid;
	u32 gpadl;
} VMBUS_PACKED;

struct vmbus_msg_gpadl_torndown {
	struct vmbus_msg_header h;
	u32 gpadl;
} VMBUS_PACKED;

struct vmbus_msg_relid_released {
	struct vmbus_msg_header h;
	u32 child_relid;
} VMBUS_PACKED;

/* INITIATE_CONTACT, 40 bytes; for 5.x the u64 carries msg_sint in byte 0. */
struct vmbus_msg_initiate_contact {
	struct vmbus_msg_header h;
	u32 version;
	u32 target_vcpu;
	u64 interrupt_page_or_sint;
	u64 monitor_page1;
	u64 monitor_page2;
} VMBUS_PACKED;

struct vmbus_msg_version_response {
	struct vmbus_msg_header h;
	u8 version_supported;
	u8 connection_state;
	u16 padding;
	u32 msg_conn_id;
} VMBUS_PACKED;

struct vmbus_msg_tl_connect_request {
	struct vmbus_msg_header h;
	struct vmbus_guid guest_endpoint_id;
	struct vmbus_guid host_service_id;
} VMBUS_PACKED;

struct vmbus_msg_modify_channel {
	struct vmbus_msg_header h;
	u32 child_relid;
	u32 target_vp;
} VMBUS_PACKED;

struct vmbus_msg_modify_channel_response {
	struct vmbus_msg_header h;
	u32 child_relid;
	u32 status;
} VMBUS_PACKED;

/* ------------------------------------------------------------------------ */
/* Ring buffers (hyperv-facts §5.7, §5.8)                                    */
/* ------------------------------------------------------------------------ */

/* The first page of each ring; data follows at +4096. */
struct vmbus_ring_header {
	u32 write_index;
	u32 read_index;
	u32 interrupt_mask;
	u32 pending_send_sz;
	u32 rsvd1[12];
	u32 feature_bits;		/* bit 0: pending_send_sz supported */
} VMBUS_PACKED;

#define VMBUS_RING_HEADER_SIZE		4096

enum vmbus_packet_type {
	VMBUS_PKT_DATA_INBAND		= 6,
	VMBUS_PKT_DATA_XFER_PAGES	= 7,
	VMBUS_PKT_DATA_GPA_DIRECT	= 9,
	VMBUS_PKT_COMP			= 11,
};

#define VMBUS_PKT_F_COMPLETION_REQUESTED 1

/* Every packet starts with this; lengths in 8-byte units. */
struct vmbus_packet_desc {
	u16 type;
	u16 offset8;			/* payload offset from packet start */
	u16 len8;			/* packet length without the trailer */
	u16 flags;
	u64 trans_id;
} VMBUS_PACKED;

/* After each packet: (u64)start write index << 32. */
#define VMBUS_PKT_TRAILER_SIZE		8


VMBUS_STATIC_ASSERT(sizeof(struct vmbus_msg_offer) == 196);
VMBUS_STATIC_ASSERT(sizeof(struct vmbus_msg_rescind) == 12);
VMBUS_STATIC_ASSERT(sizeof(struct vmbus_msg_open) == 148);
VMBUS_STATIC_ASSERT(sizeof(struct vmbus_msg_open_result) == 20);
VMBUS_STATIC_ASSERT(sizeof(struct vmbus_msg_close) == 12);
VMBUS_STATIC_ASSERT(sizeof(struct vmbus_msg_gpadl_header) == 28);
VMBUS_STATIC_ASSERT(sizeof(struct vmbus_msg_gpadl_body) == 16);
VMBUS_STATIC_ASSERT(sizeof(struct vmbus_msg_gpadl_created) == 20);
VMBUS_STATIC_ASSERT(sizeof(struct vmbus_msg_gpadl_teardown) == 16);
VMBUS_STATIC_ASSERT(sizeof(struct vmbus_msg_gpadl_torndown) == 12);
VMBUS_STATIC_ASSERT(sizeof(struct vmbus_msg_relid_released) == 12);
VMBUS_STATIC_ASSERT(sizeof(struct vmbus_msg_initiate_contact) == 40);
VMBUS_STATIC_ASSERT(sizeof(struct vmbus_msg_version_response) == 16);
VMBUS_STATIC_ASSERT(sizeof(struct vmbus_msg_tl_connect_request) == 40);
VMBUS_STATIC_ASSERT(sizeof(struct vmbus_msg_modify_channel) == 16);
VMBUS_STATIC_ASSERT(sizeof(struct vmbus_msg_modify_channel_response) == 16);
VMBUS_STATIC_ASSERT(sizeof(struct vmbus_ring_header) == 68);
VMBUS_STATIC_ASSERT(sizeof(struct vmbus_packet_desc) == 16);

#endif /* HVP_VMBUS_PROTO_H */
