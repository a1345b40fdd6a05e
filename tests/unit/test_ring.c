// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for vmbus/ring.c, the host's side of a VMBus ring pair.
 *
 * The guest's side is played by this file, written from Linux's
 * drivers/hv/ring_buffer.c rules (hyperv-facts §5.7-5.9), not from ring.c:
 * guest_write() fills the guest->host ring the way hv_ringbuffer_write()
 * does and says whether Linux would signal, guest_read() drains the
 * host->guest ring checking each packet's layout and trailer.
 *
 * Covered: packets in and out with wrap-around at every split point, the
 * signalling rules (empty -> non-empty, interrupt_mask, pending_send_sz
 * both ways), the full ring, and each corruption a guest can make to the
 * indices and descriptors -> -EPROTO and a ring that stays broken. Data
 * areas are allocated at their exact size so ASan catches any access
 * outside them.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ring.h"
#include "tap.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define HDR_PAGE	4096
#define FEAT_PENDING	1U

struct tr {
	struct vmbus_ring_header *hdr;
	u8 *data;
	u32 size;
	struct hvp_ring r;
};

static void tr_init(struct tr *t, u32 size)
{
	t->hdr = calloc(1, HDR_PAGE);
	t->data = malloc(size);
	if (!t->hdr || !t->data)
		abort();
	memset(t->data, 0xee, size);
	t->size = size;
	/* As Linux leaves a header before OPENCHANNEL: zero, feature bit set. */
	t->hdr->feature_bits = FEAT_PENDING;
	if (hvp_ring_init(&t->r, t->hdr, t->data, size))
		abort();
}

static void tr_free(struct tr *t)
{
	free(t->hdr);
	free(t->data);
}

static u32 align8(u32 x)
{
	return (x + 7) & ~7U;
}

static void copy_in(struct tr *t, u32 off, const void *src, u32 len)
{
	u32 i;

	for (i = 0; i < len; i++)
		t->data[(off + i) % t->size] = ((const u8 *)src)[i];
}

static void copy_out(const struct tr *t, u32 off, void *dst, u32 len)
{
	u32 i;

	for (i = 0; i < len; i++)
		((u8 *)dst)[i] = t->data[(off + i) % t->size];
}

static u32 used_bytes(u32 write, u32 read, u32 size)
{
	return write >= read ? write - read : size - read + write;
}

/*
 * The guest writes one in-band packet into the guest->host ring.
 * Returns -1 when Linux would refuse it (free bytes <= its size), else 1
 * when Linux would signal the host (ring empty before, no mask) or 0.
 */
static int guest_write(struct tr *t, u16 type, u16 flags, u64 trans, const void *payload,
		       u32 len)
{
	struct vmbus_packet_desc d = {
		.type = type, .offset8 = 2, .len8 = (u16)(align8(16 + len) / 8), .flags = flags,
		.trans_id = trans,
	};
	static const u8 zeros[8];
	u32 w = t->hdr->write_index, rd = t->hdr->read_index;
	u32 pkt = align8(16 + len), total = pkt + 8;
	u64 trailer = (u64)w << 32;

	if (t->size - used_bytes(w, rd, t->size) <= total)
		return -1;
	copy_in(t, w, &d, sizeof(d));
	copy_in(t, w + 16, payload, len);
	copy_in(t, w + 16 + len, zeros, pkt - 16 - len);
	copy_in(t, w + pkt, &trailer, 8);
	t->hdr->write_index = (w + total) % t->size;
	return !t->hdr->interrupt_mask && rd == w;
}

/*
 * The guest reads the next packet of the host->guest ring into @buf:
 * returns 0 (with *len = descriptor + payload bytes), -EAGAIN when empty,
 * or -EBADMSG when the host wrote something malformed. *pending_signal
 * says whether Linux would now signal the host (pending_send_sz crossed).
 */
static int guest_read(struct tr *t, void *buf, u32 buflen, u32 *len, bool *pending_signal)
{
	struct vmbus_packet_desc d;
	u32 w = t->hdr->write_index, rd = t->hdr->read_index;
	u32 used = used_bytes(w, rd, t->size), pkt, free_before, pend;
	u64 trailer;

	if (pending_signal)
		*pending_signal = false;
	if (!used)
		return -EAGAIN;
	copy_out(t, rd, &d, sizeof(d));
	pkt = d.len8 * 8u;
	if (pkt < 16 || d.offset8 < 2 || d.offset8 * 8u > pkt || pkt + 8 > used || pkt > buflen)
		return -EBADMSG;
	copy_out(t, rd, buf, pkt);
	copy_out(t, rd + pkt, &trailer, 8);
	if (trailer != (u64)rd << 32)
		return -EBADMSG;
	*len = pkt;
	free_before = t->size - used;
	t->hdr->read_index = (rd + pkt + 8) % t->size;
	pend = t->hdr->pending_send_sz;
	if (pending_signal && pend && free_before <= pend && free_before + pkt + 8 > pend)
		*pending_signal = true;
	return 0;
}

static void fill_pattern(u8 *p, u32 len, u32 seed)
{
	u32 i;

	for (i = 0; i < len; i++)
		p[i] = (u8)(seed * 31 + i * 7 + 1);
}

/* ---- init ------------------------------------------------------------------ */

static void test_init(void)
{
	struct vmbus_ring_header hdr = {};
	u8 data[64];
	struct hvp_ring r;

	tap_ok(hvp_ring_init(&r, &hdr, data, 0) == -EINVAL, "init: size 0 refused");
	tap_ok(hvp_ring_init(&r, &hdr, data, 12) == -EINVAL, "init: size not a multiple of 8");
	r.broken = true;
	r.index = 40;
	tap_ok(!hvp_ring_init(&r, &hdr, data, 64) && r.index == 0 && !r.broken && r.size == 64,
	       "init: index 0, not broken");
}

/* ---- guest -> host --------------------------------------------------------- */

static void test_recv_basic(void)
{
	struct tr t;
	u8 payload[40], buf[256];
	struct vmbus_packet_desc d;
	bool sig = true;
	u32 len = 0;
	int ret;

	tr_init(&t, 4096);
	ret = hvp_ring_recv(&t.r, buf, sizeof(buf), &len, &sig);
	tap_ok(ret == -EAGAIN && !sig && t.hdr->read_index == 0, "recv: empty ring -> EAGAIN");

	fill_pattern(payload, sizeof(payload), 1);
	tap_ok(guest_write(&t, VMBUS_PKT_DATA_INBAND, 1, 0x1122334455667788ULL, payload, 37) == 1,
	       "recv: the guest would signal its first packet");
	tap_ok(hvp_ring_pending(&t.r) == 16 + 40 + 8, "recv: pending counts the packet");
	ret = hvp_ring_recv(&t.r, buf, sizeof(buf), &len, &sig);
	memcpy(&d, buf, sizeof(d));
	tap_ok(ret == 0 && len == 56 && !sig, "recv: one packet, %u bytes (ret %d)", len, ret);
	tap_ok(d.type == VMBUS_PKT_DATA_INBAND && d.offset8 == 2 && d.len8 == 7 && d.flags == 1 &&
	       d.trans_id == 0x1122334455667788ULL, "recv: descriptor copied");
	tap_ok(!memcmp(buf + 16, payload, 37), "recv: payload copied");
	tap_ok(t.hdr->read_index == 64 && t.r.index == 64 && hvp_ring_pending(&t.r) == 0,
	       "recv: read index moved past the trailer");
	ret = hvp_ring_recv(&t.r, buf, sizeof(buf), &len, &sig);
	tap_ok(ret == -EAGAIN, "recv: empty again");

	/* A packet with an empty payload (offset8 == len8) is valid. */
	tap_ok(guest_write(&t, VMBUS_PKT_COMP, 0, 7, NULL, 0) == 1, "recv: empty payload written");
	ret = hvp_ring_recv(&t.r, buf, sizeof(buf), &len, &sig);
	tap_ok(ret == 0 && len == 16, "recv: empty payload accepted");

	/* -EMSGSIZE: nothing consumed, *len says what is needed. */
	guest_write(&t, VMBUS_PKT_DATA_INBAND, 0, 9, payload, 40);
	len = 0;
	ret = hvp_ring_recv(&t.r, buf, 55, &len, &sig);
	tap_ok(ret == -EMSGSIZE && len == 56 && t.hdr->read_index == 64 + 24 && !t.r.broken,
	       "recv: buffer too small -> EMSGSIZE, len %u, nothing consumed", len);
	ret = hvp_ring_recv(&t.r, buf, 56, &len, &sig);
	tap_ok(ret == 0 && len == 56 && !memcmp(buf + 16, payload, 40),
	       "recv: the same packet with room for it");
	tr_free(&t);
}

/* Every split point of descriptor, payload and trailer across the ring's end. */
static void test_recv_wrap(void)
{
	u8 payload[200], buf[256];
	unsigned int i, bad = 0, desc_split = 0, payload_split = 0, at_zero = 0;
	struct tr t;

	tr_init(&t, 512);
	for (i = 0; i < 2000; i++) {
		u32 plen = (i * 13) % 180, w = t.hdr->write_index, len = 0;
		struct vmbus_packet_desc d;
		bool sig;
		int ret;

		desc_split += w + 16 > t.size;
		payload_split += w + 16 < t.size && w + align8(16 + plen) > t.size;
		at_zero += w == 0;
		fill_pattern(payload, plen, i);
		if (guest_write(&t, VMBUS_PKT_DATA_INBAND, 0, i, payload, plen) < 0) {
			bad++;
			break;
		}
		ret = hvp_ring_recv(&t.r, buf, sizeof(buf), &len, &sig);
		memcpy(&d, buf, sizeof(d));
		if (ret || len != align8(16 + plen) || d.trans_id != i || memcmp(buf + 16, payload, plen) ||
		    t.hdr->read_index != t.hdr->write_index) {
			tap_diag("packet %u: ret %d len %u", i, ret, len);
			bad++;
			break;
		}
	}
	tap_ok(!bad && desc_split && payload_split && at_zero,
	       "recv: 2000 packets around a 512-byte ring (%u with the descriptor split, %u with "
	       "the payload split, %u starting at 0)", desc_split, payload_split, at_zero);

	/* Several packets queued at once, then drained, around the end. */
	for (i = 0, bad = 0; i < 300 && !bad; i++) {
		unsigned int n, k;

		for (n = 0; n < 1 + i % 5; n++) {
			fill_pattern(payload, 24 + n * 8, i + n);
			if (guest_write(&t, VMBUS_PKT_DATA_INBAND, 0, n, payload, 24 + n * 8) < 0)
				break;
		}
		for (k = 0; k < n; k++) {
			u32 len;
			bool sig;

			fill_pattern(payload, 24 + k * 8, i + k);
			if (hvp_ring_recv(&t.r, buf, sizeof(buf), &len, &sig) ||
			    len != 16 + 24 + k * 8 || memcmp(buf + 16, payload, 24 + k * 8))
				bad++;
		}
	}
	tap_ok(!bad && hvp_ring_pending(&t.r) == 0, "recv: batches of 1-5 packets around the ring");
	tr_free(&t);
}

/*
 * The reader's signal: only when the writer waits for room (pending_send_sz,
 * feature bit 0) and this read took the free space from <= pending to > it.
 */
static void test_recv_pending_signal(void)
{
	u8 payload[72] = {}, buf[256];
	struct tr t;
	u32 len, free_now;
	bool sig;
	int i;

	tr_init(&t, 1024);
	/* 10 packets of 96 bytes (88 + trailer): 960 used, 64 free. */
	for (i = 0; i < 10; i++)
		guest_write(&t, VMBUS_PKT_DATA_INBAND, 0, i, payload, 72);
	free_now = t.size - hvp_ring_pending(&t.r);
	tap_ok(free_now == 64, "pending: ring nearly full (%u free)", free_now);

	t.hdr->pending_send_sz = 100;
	hvp_ring_recv(&t.r, buf, sizeof(buf), &len, &sig);
	tap_ok(sig, "pending: 64 -> 160 free crosses 100: signal");
	hvp_ring_recv(&t.r, buf, sizeof(buf), &len, &sig);
	tap_ok(!sig, "pending: 160 -> 256 free, had room already: no signal");

	t.hdr->pending_send_sz = 400;
	hvp_ring_recv(&t.r, buf, sizeof(buf), &len, &sig);
	tap_ok(!sig, "pending: 256 -> 352 free, still below 400: no signal");
	hvp_ring_recv(&t.r, buf, sizeof(buf), &len, &sig);
	tap_ok(sig, "pending: 352 -> 448 free crosses 400: signal");

	/* The writer needs more than pending_send_sz free: exactly that is not enough. */
	t.hdr->pending_send_sz = 448;
	hvp_ring_recv(&t.r, buf, sizeof(buf), &len, &sig);
	tap_ok(sig, "pending: 448 (== pending, not enough) -> 544 free: signal");

	t.hdr->pending_send_sz = 0;
	hvp_ring_recv(&t.r, buf, sizeof(buf), &len, &sig);
	tap_ok(!sig, "pending: pending_send_sz 0: no signal");

	t.hdr->pending_send_sz = 700;
	t.hdr->feature_bits = 0;
	hvp_ring_recv(&t.r, buf, sizeof(buf), &len, &sig);
	tap_ok(!sig, "pending: feature bit clear: pending_send_sz ignored");
	tr_free(&t);
}

/* ---- host -> guest --------------------------------------------------------- */

static void test_send_layout(void)
{
	u8 payload[64], hdr[16], buf[256], raw[256];
	struct vmbus_packet_desc d;
	struct tr t;
	u64 trailer;
	bool sig = false, psig;
	u32 len;
	int ret;

	tr_init(&t, 4096);
	fill_pattern(payload, sizeof(payload), 5);
	fill_pattern(hdr, sizeof(hdr), 6);
	memset(t.data, 0xee, t.size);
	ret = hvp_ring_send(&t.r, VMBUS_PKT_DATA_XFER_PAGES, 1, 0xabcdef, hdr, 16, payload, 21,
			    &sig);
	tap_ok(!ret && sig, "send: first packet, guest idle: signal (ret %d)", ret);
	copy_out(&t, 0, raw, 64);
	memcpy(&d, raw, sizeof(d));
	tap_ok(d.type == VMBUS_PKT_DATA_XFER_PAGES && d.offset8 == 4 && d.len8 == 7 && d.flags == 1 &&
	       d.trans_id == 0xabcdef, "send: descriptor (offset8 %u len8 %u)", d.offset8, d.len8);
	tap_ok(!memcmp(raw + 16, hdr, 16) && !memcmp(raw + 32, payload, 21),
	       "send: type header then payload");
	tap_ok(raw[53] == 0 && raw[54] == 0 && raw[55] == 0, "send: padding zeroed");
	memcpy(&trailer, raw + 56, 8);
	tap_ok(trailer == 0, "send: trailer = start index << 32 (start 0)");
	tap_ok(t.hdr->write_index == 64 && t.r.index == 64 && t.hdr->pending_send_sz == 0,
	       "send: write index published");

	ret = guest_read(&t, buf, sizeof(buf), &len, &psig);
	tap_ok(!ret && len == 56, "send: the guest reads it back");

	hvp_ring_send(&t.r, VMBUS_PKT_DATA_INBAND, 0, 1, NULL, 0, payload, 8, &sig);
	copy_out(&t, 64 + 24, &trailer, 8);
	tap_ok(trailer == 64ULL << 32, "send: second trailer = 64 << 32");

	tap_ok(hvp_ring_send(&t.r, 6, 0, 0, hdr, 12, NULL, 0, &sig) == -EINVAL,
	       "send: type header not a multiple of 8 -> EINVAL");
	tap_ok(hvp_ring_send(&t.r, 6, 0, 0, NULL, 0, payload, t.size, &sig) == -EMSGSIZE,
	       "send: packet as large as the ring -> EMSGSIZE");
	tap_ok(hvp_ring_send(&t.r, 6, 0, 0, NULL, 0, payload, 0xffffffffU - 8, &sig) == -EMSGSIZE,
	       "send: length that overflows 32 bits -> EMSGSIZE");
	tap_ok(!t.r.broken, "send: bad arguments do not break the ring");
	tr_free(&t);
}

static void test_send_signal(void)
{
	u8 payload[32] = {}, buf[256];
	struct tr t;
	bool sig, psig;
	u32 len;

	tr_init(&t, 4096);
	hvp_ring_send(&t.r, 6, 0, 1, NULL, 0, payload, 32, &sig);
	tap_ok(sig, "signal: empty -> non-empty");
	hvp_ring_send(&t.r, 6, 0, 2, NULL, 0, payload, 32, &sig);
	tap_ok(!sig, "signal: guest has not read the first: no signal");
	guest_read(&t, buf, sizeof(buf), &len, &psig);
	hvp_ring_send(&t.r, 6, 0, 3, NULL, 0, payload, 32, &sig);
	tap_ok(!sig, "signal: guest read one of two: still no signal");
	guest_read(&t, buf, sizeof(buf), &len, &psig);
	guest_read(&t, buf, sizeof(buf), &len, &psig);
	hvp_ring_send(&t.r, 6, 0, 4, NULL, 0, payload, 32, &sig);
	tap_ok(sig, "signal: guest drained everything: signal again");
	guest_read(&t, buf, sizeof(buf), &len, &psig);
	t.hdr->interrupt_mask = 1;
	hvp_ring_send(&t.r, 6, 0, 5, NULL, 0, payload, 32, &sig);
	tap_ok(!sig, "signal: interrupt_mask set: no signal even from empty");
	t.hdr->interrupt_mask = 0;
	guest_read(&t, buf, sizeof(buf), &len, &psig);
	hvp_ring_send(&t.r, 6, 0, 6, NULL, 0, payload, 32, &sig);
	tap_ok(sig, "signal: mask cleared, empty: signal");
	tr_free(&t);
}

static void test_send_full(void)
{
	static u8 payload[1024], buf[1024];
	unsigned int n = 0;
	struct tr t;
	bool sig, psig = false;
	u32 len, w;
	int ret;

	tr_init(&t, 1024);
	/* 88-byte packets: 11 fit in 1024 with the ring never full (11 * 88 = 968). */
	while ((ret = hvp_ring_send(&t.r, 6, 0, n, NULL, 0, payload, 64, &sig)) == 0)
		n++;
	w = t.hdr->write_index;
	tap_ok(ret == -EAGAIN && n == 11, "full: EAGAIN after %u packets", n);
	tap_ok(t.hdr->pending_send_sz == 88, "full: pending_send_sz = bytes needed (%u)",
	       t.hdr->pending_send_sz);
	tap_ok(used_bytes(w, t.hdr->read_index, t.size) < t.size && w != t.hdr->read_index,
	       "full: the writer never fills the ring completely");
	ret = hvp_ring_send(&t.r, 6, 0, 99, NULL, 0, payload, 64, &sig);
	tap_ok(ret == -EAGAIN && t.hdr->write_index == w, "full: still full, nothing written");

	guest_read(&t, buf, sizeof(buf), &len, &psig);
	tap_ok(psig, "full: the guest's read crosses pending_send_sz: it would signal");
	ret = hvp_ring_send(&t.r, 6, 0, 100, NULL, 0, payload, 64, &sig);
	tap_ok(!ret && t.hdr->pending_send_sz == 0, "full: room again, pending_send_sz cleared");

	/* Exact fit: 1024 - 968 + 88 - 88... fill to leave exactly 8 bytes. */
	while (!guest_read(&t, buf, sizeof(buf), &len, NULL))
		;
	ret = hvp_ring_send(&t.r, 6, 0, 1, NULL, 0, payload, t.size - 16 - 8 - 8, &sig);
	tap_ok(!ret && used_bytes(t.hdr->write_index, t.hdr->read_index, t.size) == t.size - 8,
	       "full: a packet leaving 8 bytes free fits");
	ret = hvp_ring_send(&t.r, 6, 0, 1, NULL, 0, NULL, 0, &sig);
	tap_ok(ret == -EAGAIN, "full: nothing fits in the last 8 bytes");
	while (!guest_read(&t, buf, sizeof(buf), &len, NULL))
		;
	ret = hvp_ring_send(&t.r, 6, 0, 1, NULL, 0, payload, t.size - 16 - 8, &sig);
	tap_ok(ret == -EMSGSIZE, "full: a packet filling the whole ring never fits");
	tap_ok(!t.r.broken, "full: not broken");
	tr_free(&t);
}

/* Host -> guest round trips around the end of the ring. */
static void test_send_wrap(void)
{
	u8 payload[200], buf[256];
	unsigned int i, bad = 0;
	struct tr t;

	tr_init(&t, 520);
	for (i = 0; i < 3000 && !bad; i++) {
		u32 plen = (i * 11) % 190, len = 0;
		bool sig;
		int ret;

		fill_pattern(payload, plen, i);
		ret = hvp_ring_send(&t.r, 6, 0, i, NULL, 0, payload, plen, &sig);
		if (ret || !sig)
			bad++;
		ret = guest_read(&t, buf, sizeof(buf), &len, NULL);
		if (ret || len != align8(16 + plen) || memcmp(buf + 16, payload, plen))
			bad++;
		if (bad)
			tap_diag("packet %u: len %u plen %u ret %d", i, len, plen, ret);
	}
	tap_ok(!bad, "send: 3000 packets around a 520-byte ring, each read back");
	tr_free(&t);
}

/* ---- corruption ------------------------------------------------------------- */

/* After -EPROTO the ring is dead for both operations. */
static bool stays_broken(struct tr *t)
{
	u8 buf[64];
	u32 len;
	bool sig;

	return t->r.broken && hvp_ring_recv(&t->r, buf, sizeof(buf), &len, &sig) == -EPROTO &&
	       hvp_ring_send(&t->r, 6, 0, 0, NULL, 0, buf, 8, &sig) == -EPROTO &&
	       hvp_ring_pending(&t->r) == 0;
}

#define KEEP	0xabcdef01U		/* leave what the good packet set */

struct recv_corruption {
	const char *name;
	u32 write_index;		/* or KEEP */
	int len8, offset8;		/* -1: leave */
};

static void test_recv_corruption(void)
{
	static const struct recv_corruption cases[] = {
		{ "write index = size", 4096, -1, -1 },
		{ "write index past the end", 4096 + 64, -1, -1 },
		{ "write index 0xffffffff", 0xffffffffU, -1, -1 },
		{ "write index not 8-aligned", 60, -1, -1 },
		{ "write index 4", 4, -1, -1 },
		{ "8 bytes written: shorter than a descriptor", 8, -1, -1 },
		{ "16 bytes written: no room for the trailer", 16, -1, -1 },
		{ "write index 0xfffffff8", 0xfffffff8U, -1, -1 },
		{ "len8 0", KEEP, 0, -1 },
		{ "len8 1 (shorter than the descriptor)", KEEP, 1, 1 },
		{ "offset8 0", KEEP, -1, 0 },
		{ "offset8 1", KEEP, -1, 1 },
		{ "offset8 past len8", KEEP, -1, 9 },
		{ "offset8 0xffff", KEEP, -1, 0xffff },
		{ "len8 past the data written", KEEP, 9, -1 },
		{ "len8 0xffff", KEEP, 0xffff, -1 },
		{ "packet published without its trailer", 64, -1, -1 },
	};
	u8 payload[48] = {}, buf[1024];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct recv_corruption *c = &cases[i];
		struct vmbus_packet_desc d;
		struct tr t;
		bool sig = true;
		u32 len;
		int ret;

		tr_init(&t, 4096);
		/* A good 64-byte packet (len8 8) first, then corrupt it. */
		guest_write(&t, VMBUS_PKT_DATA_INBAND, 0, 1, payload, 48);
		if (c->write_index != KEEP)
			t.hdr->write_index = c->write_index;
		memcpy(&d, t.data, sizeof(d));
		if (c->len8 >= 0)
			d.len8 = (u16)c->len8;
		if (c->offset8 >= 0)
			d.offset8 = (u16)c->offset8;
		memcpy(t.data, &d, sizeof(d));
		ret = hvp_ring_recv(&t.r, buf, sizeof(buf), &len, &sig);
		tap_ok(ret == -EPROTO && !sig && t.hdr->read_index == 0 && stays_broken(&t),
		       "corrupt guest->host: %s -> EPROTO, broken (ret %d)", c->name, ret);
		tr_free(&t);
	}
}

static void test_send_corruption(void)
{
	static const u32 bad_read[] = { 4096, 8192, 0xffffffffU, 12, 4 };
	u8 payload[64] = {}, buf[256];
	unsigned int i;
	struct tr t;
	bool sig;
	u32 len;

	for (i = 0; i < ARRAY_SIZE(bad_read); i++) {
		tr_init(&t, 4096);
		t.hdr->read_index = bad_read[i];
		tap_ok(hvp_ring_send(&t.r, 6, 0, 0, NULL, 0, payload, 8, &sig) == -EPROTO &&
		       t.hdr->write_index == 0 && stays_broken(&t),
		       "corrupt host->guest: read index %#x -> EPROTO, broken", bad_read[i]);
		tr_free(&t);
	}

	/* Corrupted while the ring is full. */
	tr_init(&t, 1024);
	while (!hvp_ring_send(&t.r, 6, 0, 0, NULL, 0, payload, 64, &sig))
		;
	t.hdr->read_index = 1004;
	tap_ok(hvp_ring_send(&t.r, 6, 0, 0, NULL, 0, payload, 64, &sig) == -EPROTO &&
	       stays_broken(&t), "corrupt host->guest: bad read index while full -> EPROTO");
	tr_free(&t);

	/* The guest scribbling on the host's own index changes nothing. */
	tr_init(&t, 4096);
	hvp_ring_send(&t.r, 6, 0, 1, NULL, 0, payload, 8, &sig);
	t.hdr->write_index = 3000;
	hvp_ring_send(&t.r, 6, 0, 2, NULL, 0, payload, 8, &sig);
	tap_ok(t.hdr->write_index == 64 && t.r.index == 64 && !t.r.broken,
	       "host->guest: a guest write to the host's write index is ignored");
	t.hdr->write_index = 64;
	(void)len;
	tap_ok(!guest_read(&t, buf, sizeof(buf), &len, NULL) &&
	       !guest_read(&t, buf, sizeof(buf), &len, NULL), "host->guest: both packets intact");
	tr_free(&t);

	tr_init(&t, 4096);
	guest_write(&t, 6, 0, 1, payload, 16);
	guest_write(&t, 6, 0, 2, payload, 16);
	hvp_ring_recv(&t.r, buf, sizeof(buf), &len, &sig);
	t.hdr->read_index = 0;		/* the guest rewinds the host's read index */
	hvp_ring_recv(&t.r, buf, sizeof(buf), &len, &sig);
	memcpy(&len, buf + 8, 4);
	tap_ok(len == 2 && t.hdr->read_index == 80 && hvp_ring_pending(&t.r) == 0,
	       "guest->host: a guest write to the host's read index is ignored");
	tr_free(&t);
}

/*
 * The guest rewrites a descriptor while the host copies the packet: the
 * copy handed to the caller must carry the descriptor the host validated,
 * or a caller trusting buf's len8/offset8 reads past what was copied.
 */
struct flipper {
	volatile u8 *desc;
	volatile bool stop;
};

static void *flip_thread(void *arg)
{
	struct flipper *f = arg;

	while (!f->stop) {
		/* offset8 and len8 (bytes 2-5): valid {2, 8} <-> hostile {0xffff, 0xffff}. */
		f->desc[2] = 0xff;
		f->desc[3] = 0xff;
		f->desc[4] = 0xff;
		f->desc[5] = 0xff;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		f->desc[2] = 2;
		f->desc[3] = 0;
		f->desc[4] = 8;
		f->desc[5] = 0;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	}
	return NULL;
}

static void test_recv_double_fetch(void)
{
	u8 payload[48] = {}, buf[1024];
	struct flipper f = {};
	unsigned int i, inconsistent = 0, ok = 0, proto = 0;
	struct timespec t0, t1;
	pthread_t th;
	struct tr t;

	tr_init(&t, 4096);
	f.desc = t.data;
	guest_write(&t, VMBUS_PKT_DATA_INBAND, 0, 1, payload, 48);
	if (pthread_create(&th, NULL, flip_thread, &f)) {
		tap_ok(false, "double fetch: pthread_create");
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 2000000; i++) {
		struct vmbus_packet_desc d;
		u32 len = 0;
		bool sig;
		int ret;

		/* Re-arm: one 64-byte packet at 0, host reads from 0. */
		t.r.index = 0;
		t.r.broken = false;
		t.hdr->read_index = 0;
		t.hdr->write_index = 72;
		ret = hvp_ring_recv(&t.r, buf, sizeof(buf), &len, &sig);
		if (ret == -EPROTO) {
			proto++;
			continue;
		}
		ok++;
		memcpy(&d, buf, sizeof(d));
		if (d.len8 * 8u != len || d.offset8 * 8u > len)
			inconsistent++;
		if (inconsistent || (i & 1023) == 0) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			if (inconsistent || t1.tv_sec - t0.tv_sec > 3)
				break;
		}
	}
	f.stop = true;
	pthread_join(th, NULL);
	tap_ok(!inconsistent,
	       "double fetch: the copy's descriptor is the one validated (%u reads, %u refused, "
	       "%u inconsistent)", ok, proto, inconsistent);
	tr_free(&t);
}

int main(void)
{
	tap_start();
	test_init();
	test_recv_basic();
	test_recv_wrap();
	test_recv_pending_signal();
	test_send_layout();
	test_send_signal();
	test_send_full();
	test_send_wrap();
	test_recv_corruption();
	test_send_corruption();
	test_recv_double_fetch();
	return tap_done();
}
