// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for vmbus/chan_msg.c: the table that validates a guest's
 * channel-management message and calls its handler.
 *
 * For every message type 0..255 and a few beyond, at every length 0..240
 * and some longer: the handler of a guest-to-host type runs exactly when
 * the length is at least the type's minimum (the guest's own struct size,
 * hyperv-facts §5.3) and at most a SynIC payload, with the caller's buffer
 * (the private copy) zero-padded past the length; host-to-guest and
 * unknown types are refused as such, short and long messages likewise,
 * and a refused message reaches no handler. Names come from one table.
 */
#include <stdlib.h>
#include <string.h>

#include "chan_msg.h"
#include "tap.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX		VMBUS_MSG_MAX_SIZE

struct call {
	unsigned int count;
	u32 type;		/* which handler ran */
	const void *msg;
	u32 len;		/* GPADL handlers only */
	bool padded;		/* bytes past the length were zero when it ran */
};

static struct call last;
static u8 *cur_buf;
static u32 cur_len;

static bool tail_zero(void)
{
	u32 i;

	for (i = cur_len; i < MAX; i++)
		if (cur_buf[i])
			return false;
	return true;
}

static void record(void *ctx, u32 type, const void *m, u32 len)
{
	last.count++;
	last.type = type;
	last.msg = m;
	last.len = len;
	last.padded = tail_zero();
	if (ctx != &last)
		last.count += 100;	/* the context must come through */
}

static void h_initiate(void *ctx, const struct vmbus_msg_initiate_contact *m)
{
	record(ctx, VMBUS_MSG_INITIATE_CONTACT, m, 0);
}

static void h_request_offers(void *ctx)
{
	record(ctx, VMBUS_MSG_REQUESTOFFERS, NULL, 0);
}

static void h_open(void *ctx, const struct vmbus_msg_open *m)
{
	record(ctx, VMBUS_MSG_OPENCHANNEL, m, 0);
}

static void h_close(void *ctx, const struct vmbus_msg_close *m)
{
	record(ctx, VMBUS_MSG_CLOSECHANNEL, m, 0);
}

static void h_gpadl_header(void *ctx, const struct vmbus_msg_gpadl_header *m, u32 len)
{
	record(ctx, VMBUS_MSG_GPADL_HEADER, m, len);
}

static void h_gpadl_body(void *ctx, const struct vmbus_msg_gpadl_body *m, u32 len)
{
	record(ctx, VMBUS_MSG_GPADL_BODY, m, len);
}

static void h_gpadl_teardown(void *ctx, const struct vmbus_msg_gpadl_teardown *m)
{
	record(ctx, VMBUS_MSG_GPADL_TEARDOWN, m, 0);
}

static void h_relid_released(void *ctx, const struct vmbus_msg_relid_released *m)
{
	record(ctx, VMBUS_MSG_RELID_RELEASED, m, 0);
}

static void h_unload(void *ctx)
{
	record(ctx, VMBUS_MSG_UNLOAD, NULL, 0);
}

static void h_tl_connect(void *ctx, const struct vmbus_msg_tl_connect_request *m)
{
	record(ctx, VMBUS_MSG_TL_CONNECT_REQUEST, m, 0);
}

static void h_modify(void *ctx, const struct vmbus_msg_modify_channel *m)
{
	record(ctx, VMBUS_MSG_MODIFYCHANNEL, m, 0);
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

/* What a guest may send, with the guest's struct size (hyperv-facts §5.3). */
struct expect {
	u32 type;
	u32 min;
	const char *name;
	bool passes_ptr;	/* handler gets the message */
	bool passes_len;	/* ... and its length */
};

static const struct expect guest_types[] = {
	{ VMBUS_MSG_REQUESTOFFERS, 8, "request_offers", false, false },
	{ VMBUS_MSG_OPENCHANNEL, 148, "open", true, false },
	{ VMBUS_MSG_CLOSECHANNEL, 12, "close", true, false },
	{ VMBUS_MSG_GPADL_HEADER, 28, "gpadl_header", true, true },
	{ VMBUS_MSG_GPADL_BODY, 16, "gpadl_body", true, true },
	{ VMBUS_MSG_GPADL_TEARDOWN, 16, "gpadl_teardown", true, false },
	{ VMBUS_MSG_RELID_RELEASED, 12, "relid_released", true, false },
	{ VMBUS_MSG_INITIATE_CONTACT, 40, "initiate_contact", true, false },
	{ VMBUS_MSG_UNLOAD, 8, "unload", false, false },
	{ VMBUS_MSG_TL_CONNECT_REQUEST, 40, "tl_connect_request", true, false },
	{ VMBUS_MSG_MODIFYCHANNEL, 16, "modify_channel", true, false },
};

/* Host-to-guest types: a guest sending one is refused like an unknown type. */
static const struct {
	u32 type;
	const char *name;
} host_types[] = {
	{ VMBUS_MSG_OFFERCHANNEL, "offer" },
	{ VMBUS_MSG_RESCIND_OFFER, "rescind" },
	{ VMBUS_MSG_ALLOFFERS_DELIVERED, "all_offers_delivered" },
	{ VMBUS_MSG_OPENCHANNEL_RESULT, "open_result" },
	{ VMBUS_MSG_GPADL_CREATED, "gpadl_created" },
	{ VMBUS_MSG_GPADL_TORNDOWN, "gpadl_torndown" },
	{ VMBUS_MSG_VERSION_RESPONSE, "version_response" },
	{ VMBUS_MSG_UNLOAD_RESPONSE, "unload_response" },
	{ VMBUS_MSG_TL_CONNECT_RESULT, "tl_connect_result" },
	{ VMBUS_MSG_MODIFYCHANNEL_RESPONSE, "modify_channel_response" },
};

static const struct expect *find_guest_type(u32 type)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(guest_types); i++)
		if (guest_types[i].type == type)
			return &guest_types[i];
	return NULL;
}

/* The message: its type, then a recognisable pattern, then 0xa5 past @len. */
static void build(u8 *buf, u32 buflen, u32 type, u32 len)
{
	u32 i;

	for (i = 0; i < buflen; i++)
		buf[i] = i < len ? (u8)(i * 3 + 1) : 0xa5;
	if (len >= 4)
		memcpy(buf, &type, 4);
	else
		memcpy(buf, &type, len);
}

static enum vmbus_msg_error dispatch(u8 *buf, u32 len)
{
	memset(&last, 0, sizeof(last));
	cur_buf = buf;
	cur_len = len;
	return vmbus_msg_dispatch(buf, len, &handlers, &last);
}

/* One type at every length 0..240 (and two beyond): one result line. */
static void check_type(u32 type)
{
	const struct expect *e = find_guest_type(type);
	u8 buf[MAX + 64];
	unsigned int bad = 0;
	u32 len;

	for (len = 0; len <= MAX + 16; len++) {
		enum vmbus_msg_error want, got;
		bool want_call;

		if (len > MAX && len != MAX + 1 && len != MAX + 16)
			continue;
		build(buf, sizeof(buf), type, len);
		if (len < 8)
			want = VMBUS_MSG_ERR_SHORT;
		else if (len > MAX)
			want = VMBUS_MSG_ERR_LONG;
		else if (!e)
			want = VMBUS_MSG_ERR_TYPE;
		else if (len < e->min)
			want = VMBUS_MSG_ERR_SHORT;
		else
			want = VMBUS_MSG_OK;
		want_call = want == VMBUS_MSG_OK;
		got = dispatch(buf, len);
		if (got != want || last.count != want_call) {
			if (bad++ < 3)
				tap_diag("type %u len %u: error %d (want %d), %u handler calls", type,
					 len, got, want, last.count);
			continue;
		}
		if (!want_call)
			continue;
		if (last.type != type || !last.padded ||
		    (e->passes_ptr && last.msg != buf) || (e->passes_len && last.len != len)) {
			if (bad++ < 3)
				tap_diag("type %u len %u: handler %u, msg %p (buf %p), len %u, padded %d",
					 type, len, last.type, last.msg, (void *)buf, last.len,
					 last.padded);
		}
		/* The copy keeps the guest's bytes up to the length. */
		if (len > 8 && buf[len - 1] != (u8)((len - 1) * 3 + 1)) {
			if (bad++ < 3)
				tap_diag("type %u len %u: message bytes changed", type, len);
		}
	}
	if (e)
		tap_ok(!bad, "type %u (%s): handled from %u to %u bytes, zero-padded; shorter and "
		       "longer refused", type, e->name, e->min, MAX);
	else
		tap_ok(!bad, "type %u: refused at every length", type);
}

static void test_every_type(void)
{
	unsigned int i, bad = 0;
	u32 type;

	for (i = 0; i < ARRAY_SIZE(guest_types); i++)
		check_type(guest_types[i].type);
	for (i = 0; i < ARRAY_SIZE(host_types); i++)
		check_type(host_types[i].type);
	/* Invalid and reserved: 0, 18-20; unknown: 25 and beyond. */
	check_type(0);
	check_type(18);
	check_type(19);
	check_type(20);
	check_type(25);
	check_type(0x80000001U);
	check_type(0xffffffffU);

	/* Every other type up to 1000 at a typical size: refused, no handler. */
	for (type = 26; type < 1000; type++) {
		u8 buf[MAX];

		build(buf, sizeof(buf), type, 64);
		if (dispatch(buf, 64) != VMBUS_MSG_ERR_TYPE || last.count)
			bad++;
	}
	tap_ok(!bad, "types 26-999: refused as unknown");
}

static void test_names(void)
{
	unsigned int i, bad = 0;

	for (i = 0; i < ARRAY_SIZE(guest_types); i++)
		if (strcmp(vmbus_msg_name(guest_types[i].type), guest_types[i].name))
			bad++;
	for (i = 0; i < ARRAY_SIZE(host_types); i++)
		if (strcmp(vmbus_msg_name(host_types[i].type), host_types[i].name))
			bad++;
	tap_ok(!bad, "names: every defined type has its name");
	tap_ok(!strcmp(vmbus_msg_name(0), "unknown") && !strcmp(vmbus_msg_name(18), "unknown") &&
	       !strcmp(vmbus_msg_name(25), "unknown") &&
	       !strcmp(vmbus_msg_name(0xffffffffU), "unknown"),
	       "names: invalid, reserved and unknown types are \"unknown\"");
}

/* The fields a handler sees are the guest's, through the struct layouts. */
static void test_fields(void)
{
	u8 buf[MAX];
	struct vmbus_msg_open *o = (void *)buf;
	struct vmbus_msg_gpadl_header *gh = (void *)buf;
	const struct vmbus_msg_open *got_o;
	const struct vmbus_msg_gpadl_header *got_gh;

	memset(buf, 0x77, sizeof(buf));
	o->h.msgtype = VMBUS_MSG_OPENCHANNEL;
	o->h.padding = 0xdeadbeef;	/* ignored */
	o->child_relid = 5;
	o->openid = 6;
	o->ringbuffer_gpadl = 0xe1e10;
	o->target_vp = 1;
	o->downstream_ring_page_offset = 4;
	tap_ok(dispatch(buf, sizeof(*o)) == VMBUS_MSG_OK, "fields: OPENCHANNEL with padding set");
	got_o = last.msg;
	tap_ok(got_o && got_o->child_relid == 5 && got_o->openid == 6 &&
	       got_o->ringbuffer_gpadl == 0xe1e10 && got_o->target_vp == 1 &&
	       got_o->downstream_ring_page_offset == 4 && got_o->user_data[119] == 0x77,
	       "fields: OPENCHANNEL fields and user data reach the handler");

	/* A GPADL header of 26 PFNs fills a SynIC payload exactly. */
	memset(buf, 0, sizeof(buf));
	gh->h.msgtype = VMBUS_MSG_GPADL_HEADER;
	gh->child_relid = 3;
	gh->gpadl = 0xe1e11;
	gh->rangecount = 1;
	gh->range_buflen = 8 + 8 * 26;
	gh->byte_count = 26 * 4096;
	gh->pfn[25] = 0x1234;
	tap_ok(dispatch(buf, 28 + 26 * 8) == VMBUS_MSG_OK && last.len == 236,
	       "fields: GPADL header with 26 PFNs (236 bytes)");
	got_gh = last.msg;
	tap_ok(got_gh && got_gh->pfn[25] == 0x1234 && got_gh->gpadl == 0xe1e11,
	       "fields: the last PFN is the guest's");
}

int main(void)
{
	tap_start();
	test_every_type();
	test_names();
	test_fields();
	return tap_done();
}
