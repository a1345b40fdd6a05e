// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile VMBus guest (issue 5, point 5): malformed, truncated,
 * oversized, out-of-order and repeated channel-management messages,
 * GPADLs that point outside guest memory or at read-only or unmapped
 * ranges, overlap or do not add up, thousands of GPADLs and requests, a
 * flood of HvPostMessage, doorbells racing rescinds.
 *
 * One partition per row, with every IC and two VMM channels offered and
 * the guest connected (5.3) before the row runs. Each row states what the
 * host must answer; a request Linux would wait on must get an answer
 * (GPADL_CREATED, OPENCHANNEL_RESULT, GPADL_TORNDOWN, VERSION_RESPONSE,
 * UNLOAD_RESPONSE), the rest nothing. After every row the bus still
 * answers in order (vmbus_ping), nothing unexpected arrived, and the host
 * checks HVPART_VMBUS_STATUS. The lab's dmesg-clean step catches any
 * kernel warning on the way.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvp_util.h"
#include "hyperv.h"
#include "vmbus_guest.h"

#define RO_GPA		0x08000000ULL	/* mapped READ only */
#define RX_GPA		0x08100000ULL	/* mapped READ | EXEC */
#define HOLE_GPA	0x06000000ULL	/* nothing mapped */
#define EXTRA_PAGES	16
#define ST_FAIL		1		/* any non-zero status */

static const uint8_t guid_test[16] = { 0x68, 0x76, 0x70, 0x61, 0x72, 0x74, 0x2d, 0x74,
				       0x65, 0x73, 0x74, 0, 0, 0, 0, 0 };
static const uint8_t guid_heartbeat[16] = VMBUS_GUID_HEARTBEAT;
static const uint8_t guid_kvp[16] = VMBUS_GUID_KVP;

static uint32_t row;		/* set by the host */
static uint32_t relid_a, relid_b, relid_hb;

/* What the row left for the host to check (STATUS after the row). */
static struct {
	uint32_t gpadls, open, version;
	uint64_t stat[4];	/* row-specific numbers for the diagnostics */
} expect;

/* ---- guest helpers ---------------------------------------------------------------------- */

static uint8_t msgbuf[512] __attribute__((aligned(8)));

/* A message of @type, @size bytes: the type, then zeros (or the bytes at @body). */
static uint16_t post(uint32_t type, uint32_t size, const void *body, uint32_t body_len)
{
	memset(msgbuf, 0, sizeof(msgbuf));
	memcpy(msgbuf, &type, 4);
	if (body)
		memcpy(msgbuf + 8, body, body_len);
	return vmbus_post_raw(vmbus_g.msg_conn_id, VMBUS_HV_MESSAGE_TYPE, msgbuf, size);
}

/* The bus answered nothing to what came before, and still answers. */
static void expect_nothing(void)
{
	vmbus_ping();
	__GUEST_ASSERT(!vmbus_g.queued, "the host answered a message it should have dropped", 2,
		       vmbus_g.queue[0].h.msgtype, vmbus_g.queued);
}

static uint32_t open_raw(uint32_t relid, uint32_t gpadl, uint32_t off, uint32_t vp)
{
	struct vmbus_msg_open m = {
		.h.msgtype = VMBUS_MSG_OPENCHANNEL, .child_relid = relid, .openid = relid,
		.ringbuffer_gpadl = gpadl, .target_vp = vp, .downstream_ring_page_offset = off,
	};
	struct vmbus_rx r;

	vmbus_send(&m, sizeof(m));
	vmbus_expect(VMBUS_MSG_OPENCHANNEL_RESULT,
		     offsetof(struct vmbus_msg_open_result, child_relid), relid, &r);
	return r.open_result.status;
}

static void close_raw(uint32_t relid)
{
	struct vmbus_msg_close m = { .h.msgtype = VMBUS_MSG_CLOSECHANNEL, .child_relid = relid };

	vmbus_send(&m, sizeof(m));
}

static uint64_t pfns[8192];

/* A GPADL header as given; returns GPADL_CREATED's status, or ~0 if none came. */
struct ghdr {
	uint32_t relid, gpadl;
	uint16_t range_buflen, rangecount;
	uint32_t byte_count, byte_offset;
	uint32_t npfns;			/* PFNs in the header */
};

static void gpadl_header_send(const struct ghdr *g)
{
	struct {
		struct vmbus_msg_gpadl_header h;
		uint64_t pfn[26];
	} __attribute__((packed)) m = {
		.h.h.msgtype = VMBUS_MSG_GPADL_HEADER,
		.h.child_relid = g->relid, .h.gpadl = g->gpadl,
		.h.range_buflen = g->range_buflen, .h.rangecount = g->rangecount,
		.h.byte_count = g->byte_count, .h.byte_offset = g->byte_offset,
	};

	memcpy(m.pfn, pfns, g->npfns * 8);
	vmbus_send(&m, sizeof(m.h) + g->npfns * 8);
}

static void gpadl_body_send(uint32_t gpadl, const uint64_t *p, uint32_t n)
{
	struct {
		struct vmbus_msg_gpadl_body h;
		uint64_t pfn[28];
	} __attribute__((packed)) m = { .h.h.msgtype = VMBUS_MSG_GPADL_BODY, .h.gpadl = gpadl };

	memcpy(m.pfn, p, n * 8);
	vmbus_send(&m, sizeof(m.h) + n * 8);
}

static uint32_t created_status(uint32_t gpadl)
{
	struct vmbus_rx r;

	vmbus_expect(VMBUS_MSG_GPADL_CREATED, offsetof(struct vmbus_msg_gpadl_created, gpadl),
		     gpadl, &r);
	return r.gpadl_created.creation_status;
}

static uint32_t next_id(void)
{
	return vmbus_g.next_gpadl++;
}

/* @n PFNs starting at the page of @gpa. */
static void fill_pfns(uint64_t gpa, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		pfns[i] = (gpa >> 12) + i;
}

static uint32_t gpadl_of(uint32_t relid, uint64_t gpa, uint32_t n, uint32_t *id)
{
	*id = next_id();
	fill_pfns(gpa, n);
	return vmbus_gpadl_pfns(relid, *id, pfns, n);
}

static void teardown(uint32_t relid, uint32_t id)
{
	vmbus_gpadl_teardown(relid, id);
}

/* ---- rows: messages ------------------------------------------------------------------------ */

/* Every type 0..31, every size 0..240: the host survives; then reconnect works. */
static void row_all_types_all_sizes(void)
{
	uint32_t type, size, ok = 0, bad = 0;
	uint16_t st;

	for (type = 0; type < 32; type++) {
		for (size = 0; size <= 240; size += (size < 48 ? 1 : 8)) {
			st = post(type, size, NULL, 0);
			GUEST_ASSERT_2(st == HV_STATUS_SUCCESS ||
				       st == HV_STATUS_INSUFFICIENT_BUFFERS, type, st);
			ok += st == HV_STATUS_SUCCESS;
			if (st != HV_STATUS_SUCCESS)
				bad++;
			/* Keep the answers flowing. */
			vmbus_flush_queue();
		}
	}
	/* Zeroed INITIATE_CONTACT (version 0) and UNLOAD disconnected us: again. */
	vmbus_ping_flush();
	GUEST_ASSERT(vmbus_connect(VMBUS_VERSION_WIN10_V5_3));
	vmbus_flush_queue();
	vmbus_request_offers();
	GUEST_ASSERT(vmbus_find_offer(guid_heartbeat, 0));
	expect.version = VMBUS_VERSION_WIN10_V5_3;
	expect.stat[0] = ok;
	expect.stat[1] = bad;
}

/* Oversized and mistyped SynIC messages never reach the bus. */
static void row_synic_envelope(void)
{
	static const uint32_t sizes[] = { 241, 255, 256, 4096, 0x80000000U, 0xffffffffU };
	static const uint32_t types[] = { 0, 2, 3, 0x1234, 0x7fffffff, 0x80000000U, 0xffffffffU };
	struct vmbus_msg_gpadl_teardown t = { .h.msgtype = VMBUS_MSG_GPADL_TEARDOWN, .gpadl = 5 };
	unsigned int i;
	uint16_t st;

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		GUEST_ASSERT_2(vmbus_post_raw(vmbus_g.msg_conn_id, VMBUS_HV_MESSAGE_TYPE, &t,
					      sizes[i]) == HV_STATUS_INVALID_PARAMETER, i, sizes[i]);
	for (i = 0; i < ARRAY_SIZE(types); i++)
		GUEST_ASSERT_2(vmbus_post_raw(vmbus_g.msg_conn_id, types[i], &t, sizeof(t)) ==
			       HV_STATUS_INVALID_PARAMETER, i, types[i]);
	/* Channel connection ids are event ports: no messages (TLFS: a port of the other kind). */
	st = vmbus_post_raw(VMBUS_CHAN_CONN_BASE + relid_a, VMBUS_HV_MESSAGE_TYPE, &t, sizeof(t));
	GUEST_ASSERT_2(st == HV_STATUS_INVALID_PORT_ID, st, relid_a);
	/* And the message connections take no events. */
	st = hv_status(hv_hypercall(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT,
				    VMBUS_MESSAGE_CONN_ID, 0));
	GUEST_ASSERT_1(st == HV_STATUS_INVALID_PORT_ID, st);
	/* Nothing registered there at all. */
	st = vmbus_post_raw(VMBUS_CHAN_CONN_BASE + 2047, VMBUS_HV_MESSAGE_TYPE, &t, sizeof(t));
	GUEST_ASSERT_1(st == HV_STATUS_INVALID_CONNECTION_ID, st);
	expect_nothing();
}

static void row_unknown_types(void)
{
	static const uint32_t types[] = { 0, 18, 19, 20, 25, 26, 100, 0x7fffffff, 0x80000001U,
					  0xffffffffU };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(types); i++)
		GUEST_ASSERT_1(post(types[i], 64, NULL, 0) == HV_STATUS_SUCCESS, i);
	expect_nothing();
}

/* What only the host may send, sent by the guest at full size: dropped. */
static void row_host_types(void)
{
	static const struct {
		uint32_t type, size;
	} m[] = {
		{ 1, 196 }, { 2, 12 }, { 4, 8 }, { 6, 20 }, { 10, 20 }, { 12, 12 }, { 15, 16 },
		{ 17, 8 }, { 23, 16 }, { 24, 16 },
	};
	uint32_t relid = relid_a;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(m); i++)
		GUEST_ASSERT_1(post(m[i].type, m[i].size, &relid, 4) == HV_STATUS_SUCCESS, i);
	expect_nothing();
	/* The channel the fake messages named is untouched. */
	GUEST_ASSERT(!vmbus_g.rescinded[relid_a]);
	/* hv_sock connect requests: refused without an answer (no such service). */
	GUEST_ASSERT(post(VMBUS_MSG_TL_CONNECT_REQUEST, 40, NULL, 0) == HV_STATUS_SUCCESS);
	expect_nothing();
}

/* One byte short of each guest type's struct: dropped, no answer to wait for. */
static void row_truncated(void)
{
	static const struct {
		uint32_t type, size;
	} m[] = {
		{ VMBUS_MSG_OPENCHANNEL, 147 }, { VMBUS_MSG_CLOSECHANNEL, 11 },
		{ VMBUS_MSG_GPADL_HEADER, 27 }, { VMBUS_MSG_GPADL_BODY, 15 },
		{ VMBUS_MSG_GPADL_TEARDOWN, 15 }, { VMBUS_MSG_RELID_RELEASED, 11 },
		{ VMBUS_MSG_INITIATE_CONTACT, 39 }, { VMBUS_MSG_MODIFYCHANNEL, 15 },
		{ VMBUS_MSG_TL_CONNECT_REQUEST, 39 }, { VMBUS_MSG_REQUESTOFFERS, 7 },
		{ VMBUS_MSG_UNLOAD, 7 }, { VMBUS_MSG_UNLOAD, 0 },
	};
	uint32_t body[4] = { relid_a, 0x5555, 0, 0 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(m); i++)
		GUEST_ASSERT_1(post(m[i].type, m[i].size, body, sizeof(body)) == HV_STATUS_SUCCESS, i);
	expect_nothing();
	/* Still connected: the short INITIATE_CONTACT and UNLOAD did nothing. */
	expect.version = VMBUS_VERSION_WIN10_V5_3;
}

/* Longer than the struct, up to 240 bytes: accepted as the struct. */
static void row_padded(void)
{
	struct vmbus_msg_gpadl_teardown t = { .h.msgtype = VMBUS_MSG_GPADL_TEARDOWN, .gpadl = 77 };

	GUEST_ASSERT(vmbus_post_raw(vmbus_g.msg_conn_id, VMBUS_HV_MESSAGE_TYPE, &t, 240) ==
		     HV_STATUS_SUCCESS);
	vmbus_expect(VMBUS_MSG_GPADL_TORNDOWN, offsetof(struct vmbus_msg_gpadl_torndown, gpadl), 77,
		     NULL);
	expect_nothing();
}

/* Before INITIATE_CONTACT: requests that wait get a refusal, the rest nothing. */
static void row_before_contact(void)
{
	struct vmbus_msg_header ro = { .msgtype = VMBUS_MSG_REQUESTOFFERS };
	struct vmbus_msg_modify_channel mc = {
		.h.msgtype = VMBUS_MSG_MODIFYCHANNEL, .child_relid = relid_a,
	};
	uint32_t id;

	vmbus_unload();
	vmbus_send(&ro, sizeof(ro));
	vmbus_send(&mc, sizeof(mc));
	expect_nothing();
	GUEST_ASSERT(gpadl_of(relid_a, (uint64_t)vmbus_pages(2), 2, &id) != 0);
	GUEST_ASSERT(open_raw(relid_a, id, 1, 0) != 0);
	vmbus_unload();		/* answered even when not connected */
	expect_nothing();
	expect.version = 0;
}

static void row_unload_twice(void)
{
	vmbus_unload();
	vmbus_unload();
	GUEST_ASSERT(vmbus_connect(VMBUS_VERSION_WIN10_V5_3));
	GUEST_ASSERT(vmbus_connect(VMBUS_VERSION_WIN10_V5_3));	/* contact twice */
	vmbus_request_offers();
	vmbus_request_offers();					/* offers twice */
	expect_nothing();
	expect.version = VMBUS_VERSION_WIN10_V5_3;
}

/* ---- rows: channels out of order --------------------------------------------------------- */

static void row_open_without_gpadl(void)
{
	static const uint32_t relids[] = { 0, 2047, 2048, 5000, 0xffffffffU };
	uint32_t id, i;

	GUEST_ASSERT(open_raw(relid_a, 0xabcdef, 4, 0) != 0);		/* no such GPADL */
	GUEST_ASSERT(open_raw(relid_a, 0, 4, 0) != 0);
	for (i = 0; i < ARRAY_SIZE(relids); i++) {
		struct vmbus_msg_open m = {
			.h.msgtype = VMBUS_MSG_OPENCHANNEL, .child_relid = relids[i],
			.openid = 9, .ringbuffer_gpadl = 1, .downstream_ring_page_offset = 2,
		};
		struct vmbus_rx r;

		vmbus_send(&m, sizeof(m));
		vmbus_expect(VMBUS_MSG_OPENCHANNEL_RESULT, 0, 0, &r);
		GUEST_ASSERT_2(r.open_result.child_relid == relids[i] && r.open_result.status &&
			       r.open_result.openid == 9, i, r.open_result.status);
	}
	/* A GPADL of the other channel does not open this one. */
	GUEST_ASSERT(!gpadl_of(relid_b, (uint64_t)vmbus_pages(4), 4, &id));
	GUEST_ASSERT(open_raw(relid_a, id, 2, 0) != 0);
	/* An incomplete GPADL (header only) opens nothing either. */
	{
		struct ghdr g = { relid_a, next_id(), 8 + 8 * 40, 1, 40 * 4096, 0, 26 };

		fill_pfns((uint64_t)vmbus_pages(40), 40);
		gpadl_header_send(&g);
		GUEST_ASSERT(open_raw(relid_a, g.gpadl, 20, 0) != 0);
	}
	expect_nothing();
	expect.gpadls = 2;
	expect.version = VMBUS_VERSION_WIN10_V5_3;
}

/* The downstream offset must leave each ring a header and a data page. */
static void row_open_bad_offsets(void)
{
	static const struct {
		uint32_t pages, off, ok;
	} t[] = {
		{ 1, 2, 0 }, { 1, 1, 0 }, { 1, 0, 0 }, { 2, 2, 0 }, { 2, 1, 0 }, { 3, 2, 0 },
		{ 3, 1, 0 }, { 4, 2, 1 }, { 4, 3, 0 }, { 4, 4, 0 }, { 4, 5, 0 },
		{ 4, 0xffffffffU, 0 }, { 8, 7, 0 }, { 8, 6, 1 },
	};
	uint32_t i, id, st;
	uint8_t *mem = vmbus_pages(8);

	/* The heartbeat IC writes to its ring the moment it opens. */
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		memset(mem, 0, 8 * 4096);
		GUEST_ASSERT(!gpadl_of(relid_hb, (uint64_t)mem, t[i].pages, &id));
		st = open_raw(relid_hb, id, t[i].off, 0);
		GUEST_ASSERT_2((st == 0) == (t[i].ok != 0), i, st);
		if (!st)
			close_raw(relid_hb);
		teardown(relid_hb, id);
	}
	expect_nothing();
	expect.version = VMBUS_VERSION_WIN10_V5_3;
}

static void row_open_twice(void)
{
	struct vmbus_chan c;
	uint32_t id;

	GUEST_ASSERT(!vmbus_chan_open(&c, relid_a, 2, 2, 0));
	/* Again, with another ring: refused, the first stays open. */
	GUEST_ASSERT(!gpadl_of(relid_a, (uint64_t)vmbus_pages(4), 4, &id));
	GUEST_ASSERT(open_raw(relid_a, id, 2, 0) != 0);
	/* Again with the ring already in use: refused. */
	GUEST_ASSERT(open_raw(relid_a, c.gpadl, 2, 0) != 0);
	/* Another channel on the ring in use: refused (wrong relid and in use). */
	GUEST_ASSERT(open_raw(relid_b, c.gpadl, 2, 0) != 0);
	/* A VP that does not exist. */
	GUEST_ASSERT(!gpadl_of(relid_b, (uint64_t)vmbus_pages(4), 4, &id));
	GUEST_ASSERT(open_raw(relid_b, id, 2, 9) != 0);
	GUEST_ASSERT(open_raw(relid_b, id, 2, 0xffffffffU) != 0);
	expect_nothing();
	expect.open = 1;
	expect.gpadls = 3;
	expect.version = VMBUS_VERSION_WIN10_V5_3;
}

static void row_close_unknown(void)
{
	struct vmbus_chan c;

	close_raw(0);
	close_raw(5000);
	close_raw(0xffffffffU);
	close_raw(relid_b);		/* offered, not open */
	GUEST_ASSERT(!vmbus_chan_open(&c, relid_a, 2, 2, 0));
	close_raw(relid_a);
	close_raw(relid_a);		/* twice */
	expect_nothing();
	/* Closed: the ring GPADL is free to go, and to reopen with. */
	GUEST_ASSERT(open_raw(relid_a, c.gpadl, 2, 0) == 0);
	close_raw(relid_a);
	teardown(relid_a, c.gpadl);
	expect_nothing();
	expect.version = VMBUS_VERSION_WIN10_V5_3;
}

static void row_teardown_repeated(void)
{
	uint32_t id;

	GUEST_ASSERT(!gpadl_of(relid_a, (uint64_t)vmbus_pages(3), 3, &id));
	teardown(relid_a, id);
	teardown(relid_a, id);			/* twice: answered twice */
	teardown(relid_a, 0xfffffff0U);		/* never existed */
	teardown(0, 7);				/* no channel */
	expect_nothing();
	expect.version = VMBUS_VERSION_WIN10_V5_3;
}

/* Tearing down the ring of an open channel closes the channel. */
static void row_teardown_open_ring(void)
{
	struct vmbus_chan c;

	GUEST_ASSERT(!vmbus_chan_open(&c, relid_hb, 4, 4, 0));
	teardown(relid_hb, c.gpadl);
	GUEST_SYNC(1);			/* host: nothing open, no GPADL */
	close_raw(relid_hb);
	expect_nothing();
	/* Open again, on a fresh ring. */
	GUEST_ASSERT(!vmbus_chan_open(&c, relid_hb, 4, 4, 0));
	expect.open = 1;
	expect.gpadls = 1;
	expect.version = VMBUS_VERSION_WIN10_V5_3;
}

/* RELID_RELEASED for channels not rescinded: ignored, they keep working. */
static void row_release_unrescinded(void)
{
	struct vmbus_msg_relid_released m = { .h.msgtype = VMBUS_MSG_RELID_RELEASED };
	static const uint32_t relids[] = { 0, 5000, 0xffffffffU };
	struct vmbus_chan c;
	unsigned int i;

	m.child_relid = relid_a;
	vmbus_send(&m, sizeof(m));
	m.child_relid = relid_hb;
	vmbus_send(&m, sizeof(m));
	for (i = 0; i < ARRAY_SIZE(relids); i++) {
		m.child_relid = relids[i];
		vmbus_send(&m, sizeof(m));
	}
	expect_nothing();
	GUEST_ASSERT(!vmbus_chan_open(&c, relid_hb, 4, 4, 0));
	GUEST_ASSERT(!vmbus_chan_open(&c, relid_a, 2, 2, 0));
	expect.open = 2;
	expect.gpadls = 2;
	expect.version = VMBUS_VERSION_WIN10_V5_3;
}

/* ---- rows: GPADLs ------------------------------------------------------------------------ */

static void row_gpadl_bad_headers(void)
{
	uint64_t base = (uint64_t)vmbus_pages(30);
	const struct {
		struct ghdr g;
	} t[] = {
		{ { 0, 0, 8 + 8, 1, 4096, 0, 1 } },			/* relid 0 */
		{ { 5000, 0, 8 + 8, 1, 4096, 0, 1 } },			/* no channel */
		{ { 1, 0, 8 + 8, 0, 4096, 0, 1 } },			/* rangecount 0 */
		{ { 1, 0, 8 + 8, 2, 4096, 0, 1 } },			/* rangecount 2 */
		{ { 1, 0, 8 + 8, 1, 4096, 8, 1 } },			/* byte_offset */
		{ { 1, 0, 8, 1, 0, 0, 0 } },				/* byte_count 0 */
		{ { 1, 0, 8 + 8, 1, 4095, 0, 1 } },			/* not whole pages */
		{ { 1, 0, 8 + 8, 1, 4097, 0, 1 } },
		{ { 1, 0, 8 + 8, 1, 0xfffff000U, 0, 1 } },		/* huge byte_count */
		{ { 1, 0, 8 + 8 * 2, 1, 4096, 0, 1 } },			/* range_buflen too big */
		{ { 1, 0, 8, 1, 4096, 0, 1 } },				/* range_buflen too small */
		{ { 1, 0, 0xffff, 1, 8190 * 4096, 0, 26 } },		/* buflen near u16 max */
		{ { 1, 0, 8 + 8 * 2, 1, 2 * 4096, 0, 26 } },		/* more PFNs than pages */
	};
	uint32_t i, id;

	fill_pfns(base, 26);
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct ghdr g = t[i].g;

		if (g.relid == 1)
			g.relid = relid_a;
		g.gpadl = next_id();
		gpadl_header_send(&g);
		GUEST_ASSERT_2(created_status(g.gpadl) != 0, i, g.gpadl);
	}
	/* A handle in use: the second header is refused, the first stays. */
	GUEST_ASSERT(!gpadl_of(relid_a, base, 2, &id));
	{
		struct ghdr g = { relid_a, id, 8 + 8, 1, 4096, 0, 1 };

		gpadl_header_send(&g);
		GUEST_ASSERT(created_status(id) != 0);
	}
	expect_nothing();
	expect.gpadls = 1;
	expect.version = VMBUS_VERSION_WIN10_V5_3;
}

/* Pages the guest may not hand out: refused, and nothing stays pinned. */
static void row_gpadl_bad_pages(void)
{
	static const uint64_t bad[] = {
		HOLE_GPA >> 12,			/* unmapped */
		(64ULL << 20) >> 12,		/* just past guest RAM */
		RO_GPA >> 12,			/* read-only */
		RX_GPA >> 12,			/* read + exec, no write */
		(4ULL << 30) >> 12,		/* 4 GiB */
		1ULL << 40,			/* beyond any guest-physical width */
		1ULL << 52,
		~0ULL >> 12,
		~0ULL,				/* shifts out of 64 bits */
	};
	uint64_t good = (uint64_t)vmbus_pages(40) >> 12;
	uint32_t i, k, id;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		/* Alone, last of many, and first of many (header + body). */
		for (k = 0; k < 3; k++) {
			uint32_t n = k ? 40 : 1, j;

			for (j = 0; j < n; j++)
				pfns[j] = good + j;
			pfns[k == 1 ? n - 1 : 0] = bad[i];
			id = next_id();
			GUEST_ASSERT_2(vmbus_gpadl_pfns(relid_a, id, pfns, n) != 0, i, k);
		}
	}
	expect_nothing();
	expect.version = VMBUS_VERSION_WIN10_V5_3;
}

/* PFN counts that do not add up. */
static void row_gpadl_counts(void)
{
	uint64_t base = (uint64_t)vmbus_pages(60);
	struct ghdr g = { 0, 0, 8 + 8 * 40, 1, 40 * 4096, 0, 26 };
	uint32_t id;

	g.relid = relid_a;
	fill_pfns(base, 60);

	/* 26 + 20 > 40: refused at the body, and forgotten. */
	g.gpadl = next_id();
	gpadl_header_send(&g);
	gpadl_body_send(g.gpadl, pfns + 26, 20);
	GUEST_ASSERT(created_status(g.gpadl) != 0);
	/* Its id is free again. */
	gpadl_header_send(&g);
	gpadl_body_send(g.gpadl, pfns + 26, 14);
	GUEST_ASSERT(created_status(g.gpadl) == 0);
	/* Bodies for a complete GPADL and for ones that never existed: dropped. */
	gpadl_body_send(g.gpadl, pfns, 5);
	gpadl_body_send(0xdead, pfns, 28);
	gpadl_body_send(0xdeae, pfns, 0);
	expect_nothing();
	teardown(relid_a, g.gpadl);

	/* Incomplete: 26 + 10 of 40, an empty body; no answer until torn down. */
	g.gpadl = next_id();
	gpadl_header_send(&g);
	gpadl_body_send(g.gpadl, pfns + 26, 10);
	gpadl_body_send(g.gpadl, pfns + 36, 0);
	expect_nothing();
	GUEST_SYNC(1);			/* host: one GPADL (incomplete) */
	teardown(relid_a, g.gpadl);
	/* And an incomplete one left for UNLOAD to clean. */
	id = next_id();
	g.gpadl = id;
	gpadl_header_send(&g);
	expect_nothing();
	expect.gpadls = 1;
	expect.version = VMBUS_VERSION_WIN10_V5_3;
}

/* Overlapping GPADLs, and a ring whose two halves are the same pages. */
static void row_gpadl_overlap(void)
{
	uint64_t base = (uint64_t)vmbus_pages(8);
	uint32_t a, b, id, i;

	GUEST_ASSERT(!gpadl_of(relid_a, base, 8, &a));
	GUEST_ASSERT(!gpadl_of(relid_a, base + 4096, 4, &b));	/* inside the first */
	GUEST_ASSERT(!gpadl_of(relid_b, base, 8, &id));	/* other channel, same pages */
	/* The heartbeat's ring: both halves on the same 4 pages. */
	for (i = 0; i < 8; i++)
		pfns[i] = (base >> 12) + i % 4;
	id = next_id();
	GUEST_ASSERT(!vmbus_gpadl_pfns(relid_hb, id, pfns, 8));
	GUEST_ASSERT(!open_raw(relid_hb, id, 4, 0));
	/* The host wrote NEGOTIATE into what it also reads: make it read. */
	hv_hypercall(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT,
		     vmbus_g.offers[relid_hb].connection_id, 0);
	vmbus_quiet(300);
	close_raw(relid_hb);
	teardown(relid_hb, id);
	teardown(relid_a, a);
	teardown(relid_a, b);
	expect_nothing();
	expect.gpadls = 1;
	expect.version = VMBUS_VERSION_WIN10_V5_3;
}

/* 4096 GPADLs is the limit; the 4097th is refused; UNLOAD frees them all. */
static void row_gpadl_thousands(void)
{
	uint64_t page = (uint64_t)vmbus_pages(1) >> 12;
	uint32_t first = vmbus_g.next_gpadl, i, k, batch = 32;

	for (i = 0; i < 4096; i += batch) {
		for (k = 0; k < batch; k++) {
			struct ghdr g = { relid_a, first + i + k, 16, 1, 4096, 0, 1 };

			pfns[0] = page;
			gpadl_header_send(&g);
		}
		for (k = 0; k < batch; k++)
			GUEST_ASSERT_2(created_status(first + i + k) == 0, i + k, batch);
	}
	vmbus_g.next_gpadl += 4096;
	GUEST_SYNC(1);				/* host: 4096 GPADLs */
	{
		struct ghdr g = { relid_a, next_id(), 16, 1, 4096, 0, 1 };

		pfns[0] = page;
		gpadl_header_send(&g);
		GUEST_ASSERT(created_status(g.gpadl) != 0);
	}
	expect.stat[0] = vmbus_g.post_retries;
	vmbus_unload();
	GUEST_ASSERT(vmbus_connect(VMBUS_VERSION_WIN10_V5_3));
	expect_nothing();
	expect.version = VMBUS_VERSION_WIN10_V5_3;
}

/* 1 GiB of GPADL pages per partition, counted when the header arrives. */
static void row_gpadl_page_budget(void)
{
	uint32_t pages = 8000, i, refused = 0, first = vmbus_g.next_gpadl;
	struct ghdr g = { 0, 0, (uint16_t)(8 + 8 * 8000), 1, 8000 * 4096, 0, 26 };
	struct vmbus_rx r;

	g.relid = relid_a;
	fill_pfns((uint64_t)vmbus_pages(26), 26);
	/* Headers only: each holds 8000 pages of budget until its bodies come. */
	for (i = 0; i < 40; i++) {
		g.gpadl = next_id();
		gpadl_header_send(&g);
	}
	vmbus_ping();
	/* 32 * 8000 pages fit in 262144; the other 8 are refused at once. */
	while (vmbus_wait(VMBUS_MSG_GPADL_CREATED, 0, 0, &r, 0)) {
		GUEST_ASSERT_2(r.gpadl_created.creation_status != 0 &&
			       r.gpadl_created.gpadl >= first + (256U << 10) / pages,
			       r.gpadl_created.gpadl, r.gpadl_created.creation_status);
		refused++;
	}
	GUEST_ASSERT_1(refused == 40 - (256U << 10) / pages, refused);
	expect.gpadls = 40 - refused;
	expect.stat[0] = 40 - refused;
	expect.version = VMBUS_VERSION_WIN10_V5_3;
}

/* ---- rows: floods -------------------------------------------------------------------------- */

/* A guest that posts without reading: bounded, refused with INSUFFICIENT_BUFFERS. */
static void row_post_flood(void)
{
	struct vmbus_msg_gpadl_teardown t = { .h.msgtype = VMBUS_MSG_GPADL_TEARDOWN };
	uint32_t i, ok = 0, refused = 0, base = 0x70000000;
	static uint8_t accepted[2000];
	uint16_t st;

	for (i = 0; i < 2000; i++) {
		t.gpadl = base + i;
		st = vmbus_post_raw(vmbus_g.msg_conn_id, VMBUS_HV_MESSAGE_TYPE, &t, sizeof(t));
		GUEST_ASSERT_2(st == HV_STATUS_SUCCESS || st == HV_STATUS_INSUFFICIENT_BUFFERS, i,
			       st);
		accepted[i] = st == HV_STATUS_SUCCESS;
		ok += accepted[i];
		refused += !accepted[i];
	}
	GUEST_ASSERT_2(refused > 0 && ok >= 64, ok, refused);
	/* Every accepted one is answered, once, in order. */
	for (i = 0; i < 2000; i++) {
		if (!accepted[i])
			continue;
		vmbus_expect(VMBUS_MSG_GPADL_TORNDOWN,
			     offsetof(struct vmbus_msg_gpadl_torndown, gpadl), base + i, NULL);
	}
	expect_nothing();
	expect.stat[0] = ok;
	expect.stat[1] = refused;
	expect.version = VMBUS_VERSION_WIN10_V5_3;
}

/* Thousands of requests for channels that do not exist: each refused. */
static void row_open_thousands(void)
{
	uint32_t relid, k, batch = 32;

	for (relid = 1; relid < 4096; relid += batch) {
		for (k = 0; k < batch && relid + k < 4096; k++) {
			struct vmbus_msg_open m = {
				.h.msgtype = VMBUS_MSG_OPENCHANNEL, .child_relid = relid + k,
				.openid = relid + k, .ringbuffer_gpadl = 0x12345,
				.downstream_ring_page_offset = 2,
			};

			vmbus_send(&m, sizeof(m));
		}
		for (k = 0; k < batch && relid + k < 4096; k++) {
			struct vmbus_rx r;

			vmbus_expect(VMBUS_MSG_OPENCHANNEL_RESULT,
				     offsetof(struct vmbus_msg_open_result, child_relid), relid + k,
				     &r);
			GUEST_ASSERT_1(r.open_result.status != 0, relid + k);
		}
	}
	expect_nothing();
	expect.version = VMBUS_VERSION_WIN10_V5_3;
}

/* 256 channels (the limit) offered at once: every offer arrives, then ALLOFFERS. */
static void row_many_channels(void)
{
	uint32_t before;

	GUEST_SYNC(1);			/* host: 250 more channels, the 257th refused */
	before = vmbus_g.nr_offers;
	/* Pushed as they were offered (we asked before), then all again on request. */
	vmbus_request_offers();
	GUEST_ASSERT_2(vmbus_g.nr_offers - before == 250 + 256, vmbus_g.nr_offers, before);
	GUEST_ASSERT(vmbus_find_offer(guid_test, 251) && !vmbus_find_offer(guid_test, 252));
	expect_nothing();
	expect.version = VMBUS_VERSION_WIN10_V5_3;
}

/* Doorbells on every channel id while the VMM offers and rescinds (host thread). */
static volatile uint32_t stop_doorbells;

static void row_doorbell_storm(void)
{
	struct vmbus_msg_relid_released rel = { .h.msgtype = VMBUS_MSG_RELID_RELEASED };
	uint64_t n = 0, ok = 0;
	uint32_t id;

	GUEST_SYNC(1);			/* host: start offering and closing channels */
	while (!stop_doorbells) {
		/* As Linux does: give rescinded relids back, so offers can go on. */
		vmbus_pump();
		for (id = 1; id < VMBUS_MAX_RELID; id++) {
			if (!vmbus_g.rescinded[id])
				continue;
			rel.child_relid = id;
			vmbus_send(&rel, sizeof(rel));
			vmbus_g.offered[id] = false;
			vmbus_g.rescinded[id] = false;
		}
		for (id = 1; id < 300; id++) {
			uint16_t st = hv_status(hv_hypercall(HVCALL_SIGNAL_EVENT |
							     HV_HYPERCALL_FAST_BIT,
							     VMBUS_CHAN_CONN_BASE + id, 0));

			GUEST_ASSERT_2(st == HV_STATUS_SUCCESS ||
				       st == HV_STATUS_INVALID_CONNECTION_ID, id, st);
			ok += st == HV_STATUS_SUCCESS;
			n++;
		}
		vmbus_flush_queue();
	}
	vmbus_ping_flush();
	expect.stat[0] = n;
	expect.stat[1] = ok;
	expect.version = VMBUS_VERSION_WIN10_V5_3;
	expect.gpadls = ~0U;		/* don't care */
}

/* ---- the table --------------------------------------------------------------------------- */

struct hrow {
	const char *name;
	void (*guest)(void);
	/* Optional: the host's part at GUEST_SYNC(1), and after the guest is done. */
	void (*host_sync)(struct hvp_vm *vm, int *fds);
	void (*host_end)(struct hvp_vm *vm);
};

static void host_teardown_open_ring(struct hvp_vm *vm, int *fds __unused)
{
	struct hvpart_vmbus_status st;

	vm_vmbus_status(vm, &st);
	TEST_ASSERT(!st.open_channels && !st.gpadls && !st.ics_ready,
		    "ring torn down under an open channel: open %u gpadls %u ready %#x",
		    st.open_channels, st.gpadls, st.ics_ready);
}

static void host_one_gpadl(struct hvp_vm *vm, int *fds __unused)
{
	struct hvpart_vmbus_status st;

	vm_vmbus_status(vm, &st);
	TEST_ASSERT(st.gpadls == 1, "incomplete GPADL counted: %u", st.gpadls);
}

static void host_4096(struct hvp_vm *vm, int *fds __unused)
{
	struct hvpart_vmbus_status st;

	vm_vmbus_status(vm, &st);
	TEST_ASSERT(st.gpadls == 4096, "GPADLs %u", st.gpadls);
}

static int many_fds[256];

static void host_many(struct hvp_vm *vm, int *fds __unused)
{
	struct hvpart_vmbus_offer o = {};
	struct hvpart_vmbus_status st;
	int i;

	vmbus_test_guid(o.class_id, 0);
	for (i = 0; i < 250; i++) {
		vmbus_test_guid(o.instance_id, 1000 + i);
		many_fds[i] = __vm_vmbus_offer(vm, &o);
		TEST_ASSERT(many_fds[i] >= 0, "offer %d: errno %d", i, errno);
	}
	TEST_ASSERT(__vm_vmbus_offer(vm, &o) == -1 && errno == ENOSPC,
		    "offer 257: errno %d, want ENOSPC", errno);
	vm_vmbus_status(vm, &st);
	TEST_ASSERT(st.channels == 256, "channels %u", st.channels);
}

static void host_many_end(struct hvp_vm *vm __unused)
{
	for (int i = 0; i < 250; i++)
		close(many_fds[i]);
}

struct storm {
	struct hvp_vm *vm;
	pthread_t th;
	unsigned int rounds, full;
};

static struct storm storm;

/* For 3 s: offer a channel with a doorbell eventfd, close it (rescind), again. */
static void *storm_thread(void *arg)
{
	struct storm *s = arg;
	struct hvpart_vmbus_offer o = {};
	uint64_t end = time_now_ns() + 3000000000ULL;
	int evfd = eventfd(0, EFD_NONBLOCK);

	TEST_ASSERT(evfd >= 0, "eventfd");
	vmbus_test_guid(o.class_id, 0);
	while (time_now_ns() < end) {
		struct hvpart_vmbus_chan_eventfds fds = { .guest_kick = evfd, .host_kick = -1 };
		int fd;

		vmbus_test_guid(o.instance_id, 100 + s->rounds);
		fd = __vm_vmbus_offer(s->vm, &o);
		if (fd < 0) {
			/* Relids held until the guest releases them: wait for it. */
			TEST_ASSERT(errno == ENOSPC, "OFFER: errno %d", errno);
			s->full++;
			usleep(1000);
			continue;
		}
		hvp_ioctl(fd, HVPART_VMBUS_CHAN_SET_EVENTFDS, &fds, "channel fd");
		usleep(500);
		close(fd);		/* rescind while the guest rings it */
		s->rounds++;
	}
	close(evfd);
	*(volatile uint32_t *)addr_ptr2hva(s->vm, (void *)&stop_doorbells) = 1;
	return NULL;
}

static void host_storm(struct hvp_vm *vm, int *fds __unused)
{
	storm = (struct storm){ .vm = vm };
	TEST_ASSERT(!pthread_create(&storm.th, NULL, storm_thread, &storm), "pthread_create");
}

static void host_storm_end(struct hvp_vm *vm __unused)
{
	pthread_join(storm.th, NULL);
	tap_diag("%u channels offered and rescinded under the guest's doorbells (%u times full)",
		 storm.rounds, storm.full);
	TEST_ASSERT(storm.rounds > 10, "only %u rounds", storm.rounds);
}

static const struct hrow rows[] = {
	{ .name = "every type at every size 0-240", .guest = row_all_types_all_sizes },
	{ .name = "SynIC envelope: size > 240, other message types, wrong connections",
	  .guest = row_synic_envelope },
	{ .name = "unknown and reserved types", .guest = row_unknown_types },
	{ .name = "host-to-guest types from the guest", .guest = row_host_types },
	{ .name = "every guest type one byte short", .guest = row_truncated },
	{ .name = "longer than the struct", .guest = row_padded },
	{ .name = "requests before INITIATE_CONTACT", .guest = row_before_contact },
	{ .name = "UNLOAD, contact and offers twice", .guest = row_unload_twice },
	{ .name = "OPENCHANNEL without a usable GPADL, unknown relids",
	  .guest = row_open_without_gpadl },
	{ .name = "OPENCHANNEL with bad downstream offsets", .guest = row_open_bad_offsets },
	{ .name = "OPENCHANNEL twice, ring in use, missing VP", .guest = row_open_twice },
	{ .name = "CLOSECHANNEL of unknown and closed channels", .guest = row_close_unknown },
	{ .name = "GPADL_TEARDOWN twice and of unknown GPADLs", .guest = row_teardown_repeated },
	{ .name = "GPADL_TEARDOWN of an open channel's ring",
	  .guest = row_teardown_open_ring, .host_sync = host_teardown_open_ring },
	{ .name = "RELID_RELEASED of channels never rescinded", .guest = row_release_unrescinded },
	{ .name = "GPADL headers that do not describe one whole-page range",
	  .guest = row_gpadl_bad_headers },
	{ .name = "GPADL pages outside writable guest memory", .guest = row_gpadl_bad_pages },
	{ .name = "GPADL PFN counts that do not add up",
	  .guest = row_gpadl_counts, .host_sync = host_one_gpadl },
	{ .name = "overlapping GPADLs, a ring overlapping itself", .guest = row_gpadl_overlap },
	{ .name = "4096 GPADLs and one more",
	  .guest = row_gpadl_thousands, .host_sync = host_4096 },
	{ .name = "1 GiB of GPADL pages and more", .guest = row_gpadl_page_budget },
	{ .name = "HvPostMessage flood without reading", .guest = row_post_flood },
	{ .name = "4095 OPENCHANNELs of channels that do not exist", .guest = row_open_thousands },
	{ .name = "256 channels offered, one more refused", .guest = row_many_channels,
	  .host_sync = host_many, .host_end = host_many_end },
	{ .name = "doorbells while channels are offered and rescinded",
	  .guest = row_doorbell_storm, .host_sync = host_storm,
	  .host_end = host_storm_end },
};

static void guest_main(void)
{
	vmbus_guest_init();
	GUEST_ASSERT(vmbus_connect(VMBUS_VERSION_WIN10_V5_3));
	vmbus_request_offers();
	relid_a = vmbus_find_offer(guid_test, 0);
	relid_b = vmbus_find_offer(guid_test, 1);
	relid_hb = vmbus_find_offer(guid_heartbeat, 0);
	GUEST_ASSERT(relid_a && relid_b && relid_hb && vmbus_find_offer(guid_kvp, 0));
	rows[row].guest();
	vmbus_ping();
	GUEST_ASSERT_2(!vmbus_g.queued, vmbus_g.queue[0].h.msgtype, vmbus_g.queued);
	GUEST_DONE();
}

static void run_row(const void *arg)
{
	const struct hrow *r = arg;
	uint32_t idx = r - rows;
	struct hvpart_vmbus_status st;
	struct hvp_vp *vp;
	struct hvp_vm *vm = vmbus_vm_create(&vp, guest_main);
	void *ro = mmap(NULL, EXTRA_PAGES * 4096, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *rx = mmap(NULL, EXTRA_PAGES * 4096, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t type[16], inst[16];
	struct ucall uc;
	int fds[2];

	TEST_ASSERT(ro != MAP_FAILED && rx != MAP_FAILED, "mmap");
	vm_map(vm, RO_GPA, EXTRA_PAGES * 4096, ro, HVPART_MEM_READ);
	vm_map(vm, RX_GPA, EXTRA_PAGES * 4096, rx, HVPART_MEM_READ | HVPART_MEM_EXEC);
	write_guest_global(vm, row, idx);
	write_guest_global(vm, expect.version, VMBUS_VERSION_WIN10_V5_3);
	vm_vmbus_create(vm, HVPART_VMBUS_IC_MASK);
	vmbus_test_guid(type, 0);
	vmbus_test_guid(inst, 1);
	fds[0] = vm_vmbus_offer(vm, type, inst);
	vmbus_test_guid(inst, 2);
	fds[1] = vm_vmbus_offer(vm, type, inst);

	while (vp_run_ucall(vp, &uc) == UCALL_SYNC) {
		TEST_ASSERT(uc.args[0] == 1 && r->host_sync, "unexpected guest sync %lu",
			    (unsigned long)uc.args[0]);
		r->host_sync(vm, fds);
	}
	TEST_ASSERT(uc.cmd == UCALL_DONE, "guest done");
	if (r->host_end)
		r->host_end(vm);
	sync_global_from_guest(vm, expect);
	vm_vmbus_status(vm, &st);
	TEST_ASSERT(st.version == expect.version, "version %#x, expected %#x", st.version,
		    expect.version);
	TEST_ASSERT(expect.gpadls == ~0U || st.gpadls == expect.gpadls,
		    "GPADLs %u, expected %u", st.gpadls, expect.gpadls);
	TEST_ASSERT(st.open_channels == expect.open, "open channels %u, expected %u",
		    st.open_channels, expect.open);
	if (expect.stat[0] || expect.stat[1])
		tap_diag("%lu / %lu", (unsigned long)expect.stat[0], (unsigned long)expect.stat[1]);
	close(fds[0]);
	close(fds[1]);
	vm_free(vm);
	munmap(ro, EXTRA_PAGES * 4096);
	munmap(rx, EXTRA_PAGES * 4096);
}

int main(void)
{
	unsigned int i;

	tap_plan(ARRAY_SIZE(rows));
	for (i = 0; i < ARRAY_SIZE(rows); i++)
		tap_run(rows[i].name, run_row, &rows[i], 60);
	return tap_done();
}
