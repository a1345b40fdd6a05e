// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for vmbus/chan_msg.c: the input is one channel-
 * management message as a guest posts it (any length up to 300 bytes).
 * It is dispatched from a heap buffer of exactly max(length, 240) bytes,
 * as the bus does from its private copy, so ASan sees any read or write
 * outside it. Checked on every input:
 *   - the result is one of the four; exactly one handler runs on OK, none
 *     otherwise; OK needs 8 <= length <= 240 and a guest-to-host type
 *   - the handler that runs is the one for the message's type, gets the
 *     copy itself, and sees zeros past the length; each handler reads its
 *     whole struct (GPADL handlers every PFN the length covers)
 *   - vmbus_msg_name() always returns a string
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chan_msg.h"

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
			__FILE__, __LINE__, #cond);			\
		abort();						\
	}								\
} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const u8 *cur;
static u32 cur_len;
static unsigned int calls;
static u32 called_type;
static volatile u8 sink;

static void touch(const void *p, size_t n)
{
	const u8 *b = p;
	u8 x = 0;
	size_t i;

	for (i = 0; i < n; i++)
		x ^= b[i];
	sink = x;
}

static void seen(u32 type, const void *m, size_t struct_len)
{
	u32 i;

	calls++;
	called_type = type;
	CHECK(!m || m == cur);
	for (i = cur_len; i < VMBUS_MSG_MAX_SIZE; i++)
		CHECK(cur[i] == 0);
	if (m)
		touch(m, struct_len);
}

static void h_initiate(void *ctx, const struct vmbus_msg_initiate_contact *m)
{
	(void)ctx;
	seen(VMBUS_MSG_INITIATE_CONTACT, m, sizeof(*m));
}

static void h_request_offers(void *ctx)
{
	(void)ctx;
	seen(VMBUS_MSG_REQUESTOFFERS, NULL, 0);
}

static void h_open(void *ctx, const struct vmbus_msg_open *m)
{
	(void)ctx;
	seen(VMBUS_MSG_OPENCHANNEL, m, sizeof(*m));
}

static void h_close(void *ctx, const struct vmbus_msg_close *m)
{
	(void)ctx;
	seen(VMBUS_MSG_CLOSECHANNEL, m, sizeof(*m));
}

static void h_gpadl_header(void *ctx, const struct vmbus_msg_gpadl_header *m, u32 len)
{
	(void)ctx;
	CHECK(len == cur_len && len >= sizeof(*m));
	seen(VMBUS_MSG_GPADL_HEADER, m, sizeof(*m));
	touch(m->pfn, (len - sizeof(*m)) / 8 * 8);
}

static void h_gpadl_body(void *ctx, const struct vmbus_msg_gpadl_body *m, u32 len)
{
	(void)ctx;
	CHECK(len == cur_len && len >= sizeof(*m));
	seen(VMBUS_MSG_GPADL_BODY, m, sizeof(*m));
	touch(m->pfn, (len - sizeof(*m)) / 8 * 8);
}

static void h_gpadl_teardown(void *ctx, const struct vmbus_msg_gpadl_teardown *m)
{
	(void)ctx;
	seen(VMBUS_MSG_GPADL_TEARDOWN, m, sizeof(*m));
}

static void h_relid_released(void *ctx, const struct vmbus_msg_relid_released *m)
{
	(void)ctx;
	seen(VMBUS_MSG_RELID_RELEASED, m, sizeof(*m));
}

static void h_unload(void *ctx)
{
	(void)ctx;
	seen(VMBUS_MSG_UNLOAD, NULL, 0);
}

static void h_tl_connect(void *ctx, const struct vmbus_msg_tl_connect_request *m)
{
	(void)ctx;
	seen(VMBUS_MSG_TL_CONNECT_REQUEST, m, sizeof(*m));
}

static void h_modify(void *ctx, const struct vmbus_msg_modify_channel *m)
{
	(void)ctx;
	seen(VMBUS_MSG_MODIFYCHANNEL, m, sizeof(*m));
}

static const struct vmbus_msg_handlers handlers = {
	.initiate_contact	= h_initiate,
	.request_offers		= h_request_offers,
	.open_channel		= h_open,
	.close_channel		= h_close,
	.gpadl_header		= h_gpadl_header,
	.gpadl_body		= h_gpadl_body,
	.gpadl_teardown		= h_gpadl_teardown,
	.relid_released		= h_relid_released,
	.unload			= h_unload,
	.tl_connect_request	= h_tl_connect,
	.modify_channel		= h_modify,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u32 len = size > 300 ? 300 : (u32)size, type = 0;
	size_t bufsize = len > VMBUS_MSG_MAX_SIZE ? len : VMBUS_MSG_MAX_SIZE;
	u8 *buf = malloc(bufsize);
	enum vmbus_msg_error err;

	memcpy(buf, data, len);
	memset(buf + len, 0xa5, bufsize - len);
	if (len >= 4)
		memcpy(&type, buf, 4);
	cur = buf;
	cur_len = len;
	calls = 0;
	called_type = ~0U;
	err = vmbus_msg_dispatch(buf, len, &handlers, NULL);
	CHECK(err == VMBUS_MSG_OK || err == VMBUS_MSG_ERR_SHORT || err == VMBUS_MSG_ERR_LONG ||
	      err == VMBUS_MSG_ERR_TYPE);
	CHECK(calls == (err == VMBUS_MSG_OK));
	if (err == VMBUS_MSG_OK) {
		CHECK(len >= 8 && len <= VMBUS_MSG_MAX_SIZE);
		CHECK(called_type == type);
	}
	if (len < 8)
		CHECK(err == VMBUS_MSG_ERR_SHORT);
	else if (len > VMBUS_MSG_MAX_SIZE)
		CHECK(err == VMBUS_MSG_ERR_LONG);
	CHECK(vmbus_msg_name(type) != NULL);
	free(buf);
	return 0;
}
