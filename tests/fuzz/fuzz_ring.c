// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for vmbus/ring.c: a channel's two rings, the guest->host
 * one the host reads and the host->guest one it writes, with every byte of
 * both headers and data areas and a sequence of operations chosen by the
 * fuzzer. The guest is hostile: it may rewrite any header field or data
 * byte between host operations, or behave (write a well-formed packet,
 * read one).
 *
 * Input: 2 bytes ring data size (8 .. 4096, a multiple of 8), 68 bytes of
 * each ring header, then each data area (zero-filled if short), then ops:
 *   0 recv, buflen u16           3 guest pokes a data byte: ring, u16 off, val
 *   1 send: type, flags, u8 hdr  4 guest writes a well-formed packet: u8 len
 *     len8, u16 len              5 guest reads the host->guest ring properly
 *   2 guest pokes a header u32: ring, field, u32
 * Data areas and receive buffers are allocated at their exact sizes, so
 * ASan sees any access outside them. Checked after every operation:
 *   - results are the documented ones; after -EPROTO the ring stays broken
 *   - the host's own index stays inside the ring, 8-aligned, and is what
 *     it publishes in the header
 *   - a packet received is consistent: len8 * 8 == len >= 16, offset8
 *     within it; -EMSGSIZE consumes nothing and reports a larger need
 *   - a packet sent is well formed where the host put it (descriptor,
 *     zero padding, trailer = start << 32) and the index moved past it;
 *     it signals exactly when the guest unmasked and had read everything
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
			__FILE__, __LINE__, #cond);			\
		abort();						\
	}								\
} while (0)

#define HDR_BYTES	68

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
	const u8 *p;
	size_t left;
};

static u8 in_u8(struct input *in)
{
	u8 v = 0;

	if (in->left) {
		v = *in->p++;
		in->left--;
	}
	return v;
}

static u16 in_u16(struct input *in)
{
	return in_u8(in) | (u16)in_u8(in) << 8;
}

static u32 in_u32(struct input *in)
{
	return in_u16(in) | (u32)in_u16(in) << 16;
}

static void in_bytes(struct input *in, void *dst, size_t n)
{
	size_t k = n < in->left ? n : in->left;

	memcpy(dst, in->p, k);
	memset((u8 *)dst + k, 0, n - k);
	in->p += k;
	in->left -= k;
}

struct side {
	struct vmbus_ring_header *hdr;
	u8 *data;
	struct hvp_ring r;
	bool was_broken;
};

static void check_ring(struct side *s, u32 size)
{
	CHECK(s->r.index < size && !(s->r.index & 7));
	CHECK(hvp_ring_pending(&s->r) < size);
	if (s->was_broken)
		CHECK(s->r.broken);
	s->was_broken = s->r.broken;
}

static void peek(const struct side *s, u32 size, u32 off, void *dst, u32 len)
{
	u32 i;

	for (i = 0; i < len; i++)
		((u8 *)dst)[i] = s->data[(off + i) % size];
}

static void poke(struct side *s, u32 size, u32 off, const void *src, u32 len)
{
	u32 i;

	for (i = 0; i < len; i++)
		s->data[(off + i) % size] = ((const u8 *)src)[i];
}

static u32 used(u32 w, u32 r, u32 size)
{
	return w >= r ? w - r : size - r + w;
}

static void op_recv(struct side *in, u32 size, struct input *inp)
{
	u32 buflen = in_u16(inp) % (size + 64), len = 0xdeadbeef, before = in->r.index;
	bool was_broken = in->r.broken, sig = true;
	struct vmbus_packet_desc d;
	u8 *buf = malloc(buflen ? buflen : 1);
	int ret;

	ret = hvp_ring_recv(&in->r, buf, buflen, &len, &sig);
	CHECK(ret == 0 || ret == -EAGAIN || ret == -EMSGSIZE || ret == -EPROTO);
	if (was_broken)
		CHECK(ret == -EPROTO);
	if (ret)
		CHECK(!sig);
	if (ret == -EPROTO)
		CHECK(in->r.broken);
	if (ret == -EMSGSIZE || ret == -EAGAIN || ret == -EPROTO)
		CHECK(in->r.index == before);
	if (ret == -EMSGSIZE)
		CHECK(len > buflen && !(len & 7) && len >= 16);
	if (!ret) {
		CHECK(len <= buflen && len >= 16 && !(len & 7));
		memcpy(&d, buf, sizeof(d));
		CHECK(d.len8 * 8u == len);
		CHECK(d.offset8 >= 2 && d.offset8 * 8u <= len);
		CHECK(in->r.index == (before + len + 8) % size);
		CHECK(in->hdr->read_index == in->r.index);
	}
	free(buf);
}

static void op_send(struct side *out, u32 size, struct input *inp)
{
	static u8 payload[4096 + 64];
	u16 type = in_u8(inp), flags = in_u8(inp);
	u32 hdr_len = in_u8(inp) % 40, len = in_u16(inp) % (size + 32);
	u32 start = out->r.index, pkt, read_before = out->hdr->read_index;
	bool was_broken = out->r.broken, sig = true;
	struct vmbus_packet_desc d;
	u64 trailer;
	u8 pad[8];
	int ret;

	memset(payload, 0x5c, sizeof(payload));
	ret = hvp_ring_send(&out->r, type, flags, 77, payload, hdr_len, payload + 48, len, &sig);
	CHECK(ret == 0 || ret == -EAGAIN || ret == -EMSGSIZE || ret == -EPROTO || ret == -EINVAL);
	if (was_broken)
		CHECK(ret == -EPROTO);
	if (ret == -EINVAL)
		CHECK(hdr_len % 8);
	if (ret)
		CHECK(!sig && out->r.index == start);
	if (ret == -EAGAIN)
		CHECK(out->hdr->pending_send_sz == ((16 + hdr_len + len + 7) & ~7U) + 8);
	if (ret)
		return;
	pkt = (16 + hdr_len + len + 7) & ~7U;
	CHECK(out->r.index == (start + pkt + 8) % size);
	CHECK(out->hdr->write_index == out->r.index);
	CHECK(out->hdr->pending_send_sz == 0);
	CHECK(used(start, read_before, size) + pkt + 8 < size);
	peek(out, size, start, &d, sizeof(d));
	CHECK(d.type == type && d.flags == flags && d.trans_id == 77);
	CHECK(d.len8 * 8u == pkt && d.offset8 * 8u == 16 + hdr_len);
	peek(out, size, start + 16 + hdr_len + len, pad, pkt - 16 - hdr_len - len);
	CHECK(pkt - 16 - hdr_len - len < 8);
	CHECK(!memcmp(pad, "\0\0\0\0\0\0\0", pkt - 16 - hdr_len - len));
	peek(out, size, start + pkt, &trailer, 8);
	CHECK(trailer == (u64)start << 32);
	CHECK(sig == (!out->hdr->interrupt_mask && out->hdr->read_index == start));
}

static void op_poke_header(struct side *sides, struct input *inp)
{
	struct side *s = &sides[in_u8(inp) & 1];
	u8 field = in_u8(inp) % 5;
	u32 v = in_u32(inp);

	switch (field) {
	case 0: s->hdr->write_index = v; break;
	case 1: s->hdr->read_index = v; break;
	case 2: s->hdr->interrupt_mask = v; break;
	case 3: s->hdr->pending_send_sz = v; break;
	default: s->hdr->feature_bits = v; break;
	}
}

static void op_poke_data(struct side *sides, u32 size, struct input *inp)
{
	struct side *s = &sides[in_u8(inp) & 1];
	u32 off = in_u16(inp) % size;

	s->data[off] = in_u8(inp);
}

/* A well-behaved guest write into the guest->host ring (Linux's rules). */
static void op_guest_write(struct side *in, u32 size, struct input *inp)
{
	u32 len = in_u8(inp), pkt = (16 + len + 7) & ~7U;
	u32 w = in->hdr->write_index, rd = in->hdr->read_index;
	struct vmbus_packet_desc d = { .type = 6, .offset8 = 2, .len8 = (u16)(pkt / 8) };
	u8 body[256 + 8] = {};
	u64 trailer = (u64)w << 32;

	if (w >= size || rd >= size || (w & 7) || size - used(w, rd, size) <= pkt + 8)
		return;
	poke(in, size, w, &d, sizeof(d));
	poke(in, size, w + 16, body, pkt - 16);
	poke(in, size, w + pkt, &trailer, 8);
	in->hdr->write_index = (w + pkt + 8) % size;
}

/* A well-behaved guest read of the host->guest ring. */
static void op_guest_read(struct side *out, u32 size)
{
	u32 w = out->hdr->write_index, rd = out->hdr->read_index;
	struct vmbus_packet_desc d;

	if (w >= size || rd >= size || w == rd || (rd & 7))
		return;
	peek(out, size, rd, &d, sizeof(d));
	if (d.len8 < 2 || d.len8 * 8u + 8 > used(w, rd, size))
		return;
	out->hdr->read_index = (rd + d.len8 * 8u + 8) % size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input inp = { data, size };
	struct side sides[2] = {};
	unsigned int i, ops = 0;
	u32 rsize = 8 * (1 + in_u16(&inp) % 512);

	for (i = 0; i < 2; i++) {
		sides[i].hdr = calloc(1, 4096);
		sides[i].data = malloc(rsize);
		in_bytes(&inp, sides[i].hdr, HDR_BYTES);
		CHECK(!hvp_ring_init(&sides[i].r, sides[i].hdr, sides[i].data, rsize));
	}
	for (i = 0; i < 2; i++)
		in_bytes(&inp, sides[i].data, rsize);

	while (inp.left && ops++ < 256) {
		switch (in_u8(&inp) % 6) {
		case 0: op_recv(&sides[0], rsize, &inp); break;
		case 1: op_send(&sides[1], rsize, &inp); break;
		case 2: op_poke_header(sides, &inp); break;
		case 3: op_poke_data(sides, rsize, &inp); break;
		case 4: op_guest_write(&sides[0], rsize, &inp); break;
		default: op_guest_read(&sides[1], rsize); break;
		}
		check_ring(&sides[0], rsize);
		check_ring(&sides[1], rsize);
	}
	for (i = 0; i < 2; i++) {
		free(sides[i].hdr);
		free(sides[i].data);
	}
	return 0;
}
