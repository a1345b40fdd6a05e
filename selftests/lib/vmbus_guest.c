// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's minimal VMBus client and its host-side setup (vmbus_guest.h).
 * Everything above "host side" runs in the guest: no libc, only the
 * selftest library's guest-safe helpers.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "apic.h"
#include "hvp_util.h"
#include "hyperv.h"
#include "vmbus_guest.h"

#define VMBUS_POOL_PAGES	1024	/* 4 MiB of ring and GPADL pages */

struct vmbus_guest_state vmbus_g;
volatile uint64_t vmbus_irqs, vmbus_ticks;

static struct hv_message vmbus_simp[HV_SYNIC_SINT_COUNT] __attribute__((aligned(4096)));
static uint8_t vmbus_siefp[4096] __attribute__((aligned(4096)));
static uint8_t vmbus_post_page[4096] __attribute__((aligned(4096)));
static uint8_t vmbus_pool[VMBUS_POOL_PAGES][4096] __attribute__((aligned(4096)));
static uint32_t vmbus_pool_used;
/* Set by vmbus_vm_add_pool(): a memfd-backed pool instead. */
static uint64_t vmbus_pool_gpa;
static uint32_t vmbus_pool_pages = VMBUS_POOL_PAGES;

static void vmbus_isr(struct ex_regs *regs __unused)
{
	vmbus_irqs++;
}

static void vmbus_tick_isr(struct ex_regs *regs __unused)
{
	vmbus_ticks++;
}

void vmbus_guest_init(void)
{
	hv_enable_hypercalls();
	x2apic_enable();
	wrmsr(HV_X64_MSR_SIMP, (uint64_t)vmbus_simp | HV_SYNIC_SIMP_ENABLE);
	wrmsr(HV_X64_MSR_SIEFP, (uint64_t)vmbus_siefp | HV_SYNIC_SIEFP_ENABLE);
	wrmsr(HV_X64_MSR_SINT(VMBUS_MESSAGE_SINT), VMBUS_VECTOR);
	wrmsr(HV_X64_MSR_SCONTROL, HV_SYNIC_CONTROL_ENABLE);
	/* A tick bounds every HLT: waits check their deadline at least every 5 ms. */
	wrmsr(HV_X64_MSR_STIMER0_CONFIG, HV_STIMER_ENABLE | HV_STIMER_PERIODIC |
					 HV_STIMER_DIRECT | HV_STIMER_VECTOR(VMBUS_TICK_VECTOR));
	wrmsr(HV_X64_MSR_STIMER0_COUNT, VMBUS_TICK_100NS);
	vmbus_g.next_gpadl = VMBUS_GPADL_FIRST;
	vmbus_g.msg_conn_id = VMBUS_MESSAGE_CONN_ID;
}

void vmbus_idle(void)
{
	safe_halt_cli();
}

uint64_t vmbus_now_ms(void)
{
	return hv_ref_time() / 10000;
}

/* ---- posting ------------------------------------------------------------------------ */

uint16_t vmbus_post_raw(uint32_t conn_id, uint32_t hv_type, const void *payload, uint32_t size)
{
	uint32_t *in = (uint32_t *)vmbus_post_page;
	uint32_t n = size < HV_MESSAGE_PAYLOAD_BYTE_COUNT ? size : HV_MESSAGE_PAYLOAD_BYTE_COUNT;

	memset(vmbus_post_page, 0, 16 + HV_MESSAGE_PAYLOAD_BYTE_COUNT);
	in[0] = conn_id;
	in[2] = hv_type;
	in[3] = size;
	memcpy(vmbus_post_page + 16, payload, n);
	return hv_status(hv_hypercall(HVCALL_POST_MESSAGE, (uint64_t)vmbus_post_page, 0));
}

uint16_t vmbus_send_to(uint32_t conn_id, const void *msg, uint32_t len)
{
	uint64_t deadline = vmbus_now_ms() + VMBUS_WAIT_MS;
	uint16_t st;

	/* Linux retries HV_STATUS_INSUFFICIENT_BUFFERS (hv_post_message, vmbus_post_msg). */
	for (;;) {
		st = vmbus_post_raw(conn_id, VMBUS_HV_MESSAGE_TYPE, msg, len);
		if (st != HV_STATUS_INSUFFICIENT_BUFFERS || vmbus_now_ms() > deadline)
			return st;
		vmbus_g.post_retries++;
		/* Take what the host answered meanwhile: it may be waiting for the slot. */
		vmbus_pump();
		vmbus_idle();
	}
}

void vmbus_send(const void *msg, uint32_t len)
{
	uint16_t st = vmbus_send_to(vmbus_g.msg_conn_id, msg, len);

	__GUEST_ASSERT(st == HV_STATUS_SUCCESS, "HvPostMessage of a channel message failed", 2,
		       st, ((const struct vmbus_msg_header *)msg)->msgtype);
}

/* ---- receiving -------------------------------------------------------------------- */

static void vmbus_note(const struct vmbus_rx *m)
{
	uint32_t type = m->h.msgtype, relid;

	if (vmbus_g.log_len < VMBUS_LOG_LEN)
		vmbus_g.log[vmbus_g.log_len] = type;
	vmbus_g.log_len++;
	switch (type) {
	case VMBUS_MSG_OFFERCHANNEL:
		relid = m->offer.child_relid;
		__GUEST_ASSERT(m->len >= sizeof(m->offer) && relid && relid < VMBUS_MAX_RELID,
			       "malformed offer", 2, m->len, relid);
		vmbus_g.offers[relid] = m->offer;
		vmbus_g.offered[relid] = true;
		vmbus_g.rescinded[relid] = false;
		vmbus_g.nr_offers++;
		return;
	case VMBUS_MSG_RESCIND_OFFER:
		relid = m->rescind.child_relid;
		__GUEST_ASSERT(m->len >= sizeof(m->rescind) && relid < VMBUS_MAX_RELID &&
			       vmbus_g.offered[relid], "rescind of a relid never offered", 2,
			       m->len, relid);
		vmbus_g.rescinded[relid] = true;
		vmbus_g.nr_rescinds++;
		return;
	case VMBUS_MSG_ALLOFFERS_DELIVERED:
		vmbus_g.all_offers = true;
		return;
	}
	__GUEST_ASSERT(vmbus_g.queued < VMBUS_QUEUE_LEN, "guest message queue overflow", 1,
		       type, 0);
	vmbus_g.queue[vmbus_g.queued++] = *m;
}

void vmbus_pump(void)
{
	volatile struct hv_message *slot = &vmbus_simp[VMBUS_MESSAGE_SINT];
	struct vmbus_rx m;

	while (slot->message_type) {
		uint32_t type = *(volatile uint32_t *)slot->payload;

		/*
		 * A full queue leaves the message in the slot: the host then
		 * holds the rest back, as it must for any slow guest.
		 */
		if (vmbus_g.queued == VMBUS_QUEUE_LEN && type != VMBUS_MSG_OFFERCHANNEL &&
		    type != VMBUS_MSG_RESCIND_OFFER && type != VMBUS_MSG_ALLOFFERS_DELIVERED)
			break;
		__GUEST_ASSERT(slot->message_type == VMBUS_HV_MESSAGE_TYPE,
			       "SINT2 message of another type", 1, slot->message_type, 0);
		__GUEST_ASSERT(slot->payload_size <= VMBUS_MSG_MAX_SIZE &&
			       slot->payload_size >= sizeof(struct vmbus_msg_header),
			       "VMBus message of impossible size", 1, slot->payload_size, 0);
		memset(&m, 0, sizeof(m));
		m.len = slot->payload_size;
		memcpy(m.b, (const void *)slot->payload, m.len);
		hv_message_ack(slot);
		vmbus_note(&m);
	}
}

static int vmbus_find_queued(uint32_t type, uint32_t key_off, uint32_t key)
{
	uint32_t i, v;

	for (i = 0; i < vmbus_g.queued; i++) {
		if (vmbus_g.queue[i].h.msgtype != type)
			continue;
		if (key_off) {
			memcpy(&v, vmbus_g.queue[i].b + key_off, sizeof(v));
			if (v != key)
				continue;
		}
		return i;
	}
	return -1;
}

bool vmbus_wait(uint32_t type, uint32_t key_off, uint32_t key, struct vmbus_rx *out,
		uint64_t timeout_ms)
{
	uint64_t deadline = vmbus_now_ms() + timeout_ms;
	int i;

	for (;;) {
		vmbus_pump();
		i = vmbus_find_queued(type, key_off, key);
		if (i >= 0) {
			if (out)
				*out = vmbus_g.queue[i];
			memmove(&vmbus_g.queue[i], &vmbus_g.queue[i + 1],
				(vmbus_g.queued - i - 1) * sizeof(vmbus_g.queue[0]));
			vmbus_g.queued--;
			return true;
		}
		__GUEST_ASSERT(vmbus_g.queued < VMBUS_QUEUE_LEN,
			       "guest queue full of messages nobody waits for", 2, type,
			       vmbus_g.queue[0].h.msgtype);
		if (vmbus_now_ms() > deadline)
			return false;
		vmbus_idle();
	}
}

void __vmbus_expect(uint32_t type, uint32_t key_off, uint32_t key, struct vmbus_rx *out,
		    const char *what, const char *file, uint64_t line)
{
	if (!vmbus_wait(type, key_off, key, out, VMBUS_WAIT_MS))
		ucall_abort(what, file, line, 2, type, key);
}

bool vmbus_quiet(uint64_t ms)
{
	uint64_t deadline = vmbus_now_ms() + ms;

	while (vmbus_now_ms() <= deadline) {
		vmbus_pump();
		if (vmbus_g.queued)
			return false;
		vmbus_idle();
	}
	return true;
}

void vmbus_flush_queue(void)
{
	vmbus_pump();
	vmbus_g.queued = 0;
}

static uint32_t ping_id = 0x7f000000;

void vmbus_ping(void)
{
	struct vmbus_msg_gpadl_teardown t = {
		.h.msgtype = VMBUS_MSG_GPADL_TEARDOWN,
		.child_relid = 0,
		.gpadl = ++ping_id,
	};

	vmbus_send(&t, sizeof(t));
	if (!vmbus_wait(VMBUS_MSG_GPADL_TORNDOWN, offsetof(struct vmbus_msg_gpadl_torndown, gpadl),
			t.gpadl, NULL, VMBUS_WAIT_MS))
		ucall_abort("no GPADL_TORNDOWN for a ping: the bus stopped answering", __FILE__,
			    __LINE__, 1, t.gpadl, 0);
}

void vmbus_ping_flush(void)
{
	struct vmbus_msg_gpadl_teardown t = {
		.h.msgtype = VMBUS_MSG_GPADL_TEARDOWN,
		.child_relid = 0,
		.gpadl = ++ping_id,
	};
	uint64_t deadline;

	vmbus_send(&t, sizeof(t));
	deadline = vmbus_now_ms() + VMBUS_WAIT_MS;
	for (;;) {
		vmbus_pump();
		if (vmbus_find_queued(VMBUS_MSG_GPADL_TORNDOWN,
				      offsetof(struct vmbus_msg_gpadl_torndown, gpadl), t.gpadl) >= 0)
			break;
		vmbus_g.queued = 0;
		__GUEST_ASSERT(vmbus_now_ms() <= deadline,
			       "no GPADL_TORNDOWN for a ping: the bus stopped answering", 1, t.gpadl,
			       0);
		vmbus_idle();
	}
	vmbus_g.queued = 0;
}

/* ---- connecting ------------------------------------------------------------------- */

bool vmbus_initiate_contact(uint32_t version, uint32_t conn_id, uint32_t target_vcpu,
			    uint64_t sint_or_page, struct vmbus_rx *out)
{
	struct vmbus_msg_initiate_contact m = {
		.h.msgtype = VMBUS_MSG_INITIATE_CONTACT,
		.version = version,
		.target_vcpu = target_vcpu,
		.interrupt_page_or_sint = sint_or_page,
	};
	struct vmbus_rx r;
	uint16_t st;

	st = vmbus_send_to(conn_id, &m, sizeof(m));
	__GUEST_ASSERT(st == HV_STATUS_SUCCESS, "INITIATE_CONTACT not posted", 2, st, conn_id);
	vmbus_expect(VMBUS_MSG_VERSION_RESPONSE, 0, 0, &r);
	__GUEST_ASSERT(r.len >= sizeof(r.version), "short VERSION_RESPONSE", 1, r.len, 0);
	if (out)
		*out = r;
	if (r.version.version_supported) {
		vmbus_g.version = version;
		vmbus_g.msg_conn_id = version >= VMBUS_VERSION_WIN10_V5 ? r.version.msg_conn_id :
								       VMBUS_MESSAGE_CONN_ID;
	} else {
		vmbus_g.version = 0;
	}
	return r.version.version_supported;
}

bool vmbus_connect(uint32_t version)
{
	static uint8_t interrupt_page[4096] __attribute__((aligned(4096)));
	bool v5 = version >= VMBUS_VERSION_WIN10_V5;

	return vmbus_initiate_contact(version, v5 ? VMBUS_MESSAGE_CONN_ID_4 : VMBUS_MESSAGE_CONN_ID,
				      0, v5 ? VMBUS_MESSAGE_SINT : (uint64_t)interrupt_page, NULL);
}

void vmbus_request_offers(void)
{
	struct vmbus_msg_header m = { .msgtype = VMBUS_MSG_REQUESTOFFERS };
	uint64_t deadline;

	vmbus_g.all_offers = false;
	vmbus_send(&m, sizeof(m));
	deadline = vmbus_now_ms() + VMBUS_WAIT_MS;
	for (;;) {
		vmbus_pump();
		if (vmbus_g.all_offers)
			return;
		if (vmbus_now_ms() > deadline)
			GUEST_FAIL("no ALLOFFERS_DELIVERED");
		vmbus_idle();
	}
}

uint32_t vmbus_find_offer(const uint8_t type[16], unsigned int n)
{
	uint32_t relid;

	for (relid = 1; relid < VMBUS_MAX_RELID; relid++) {
		if (!vmbus_g.offered[relid] || vmbus_g.rescinded[relid] ||
		    memcmp(vmbus_g.offers[relid].if_type.b, type, 16))
			continue;
		if (!n--)
			return relid;
	}
	return 0;
}

void vmbus_unload(void)
{
	struct vmbus_msg_header m = { .msgtype = VMBUS_MSG_UNLOAD };

	vmbus_send(&m, sizeof(m));
	vmbus_expect(VMBUS_MSG_UNLOAD_RESPONSE, 0, 0, NULL);
	vmbus_g.version = 0;
	memset(vmbus_g.offered, 0, sizeof(vmbus_g.offered));
	memset(vmbus_g.rescinded, 0, sizeof(vmbus_g.rescinded));
}

/* ---- GPADLs -------------------------------------------------------------------------- */

void *vmbus_pages(uint32_t n)
{
	void *p;

	__GUEST_ASSERT(vmbus_pool_used + n <= vmbus_pool_pages, "guest page pool exhausted", 2,
		       vmbus_pool_used, n);
	p = vmbus_pool_gpa ? (void *)(vmbus_pool_gpa + vmbus_pool_used * 4096ULL) :
			     (void *)vmbus_pool[vmbus_pool_used];
	vmbus_pool_used += n;
	memset(p, 0, (uint64_t)n * 4096);
	return p;
}

void vmbus_pages_reset(void)
{
	vmbus_pool_used = 0;
}

uint32_t vmbus_gpadl_pfns(uint32_t relid, uint32_t gpadl, const uint64_t *pfns, uint32_t npages)
{
	struct {
		struct vmbus_msg_gpadl_header h;
		uint64_t pfn[VMBUS_HEADER_PFNS];
	} __attribute__((packed)) hdr = {
		.h.h.msgtype = VMBUS_MSG_GPADL_HEADER,
		.h.child_relid = relid,
		.h.gpadl = gpadl,
		.h.range_buflen = (uint16_t)(8 + 8 * npages),
		.h.rangecount = 1,
		.h.byte_count = npages * 4096,
	};
	struct {
		struct vmbus_msg_gpadl_body h;
		uint64_t pfn[VMBUS_BODY_PFNS];
	} __attribute__((packed)) body = {
		.h.h.msgtype = VMBUS_MSG_GPADL_BODY,
		.h.gpadl = gpadl,
	};
	uint32_t first = npages < VMBUS_HEADER_PFNS ? npages : VMBUS_HEADER_PFNS, done, n;
	struct vmbus_rx r;

	memcpy(hdr.pfn, pfns, first * 8);
	vmbus_send(&hdr, sizeof(hdr.h) + first * 8);
	for (done = first; done < npages; done += n) {
		n = npages - done < VMBUS_BODY_PFNS ? npages - done : VMBUS_BODY_PFNS;
		memcpy(body.pfn, pfns + done, n * 8);
		vmbus_send(&body, sizeof(body.h) + n * 8);
	}
	vmbus_expect(VMBUS_MSG_GPADL_CREATED, offsetof(struct vmbus_msg_gpadl_created, gpadl),
		     gpadl, &r);
	__GUEST_ASSERT(r.gpadl_created.child_relid == relid, "GPADL_CREATED for another relid", 2,
		       r.gpadl_created.child_relid, relid);
	return r.gpadl_created.creation_status;
}

uint32_t vmbus_gpadl_create(uint32_t relid, const void *va, uint32_t npages, uint32_t *gpadl)
{
	static uint64_t pfns[8192];
	uint32_t i, id = vmbus_g.next_gpadl++;

	__GUEST_ASSERT(npages <= 8192, "GPADL too large for the helper", 1, npages, 0);
	for (i = 0; i < npages; i++)
		pfns[i] = ((uint64_t)va >> 12) + i;
	if (gpadl)
		*gpadl = id;
	return vmbus_gpadl_pfns(relid, id, pfns, npages);
}

void vmbus_gpadl_teardown(uint32_t relid, uint32_t gpadl)
{
	struct vmbus_msg_gpadl_teardown t = {
		.h.msgtype = VMBUS_MSG_GPADL_TEARDOWN,
		.child_relid = relid,
		.gpadl = gpadl,
	};

	vmbus_send(&t, sizeof(t));
	vmbus_expect(VMBUS_MSG_GPADL_TORNDOWN, offsetof(struct vmbus_msg_gpadl_torndown, gpadl),
		     gpadl, NULL);
}

/* ---- channels --------------------------------------------------------------------------- */

static void vmbus_gring_init(struct vmbus_gring *r, void *base, uint32_t pages)
{
	r->hdr = base;
	r->data = (uint8_t *)base + 4096;
	r->size = (pages - 1) * 4096;
	memset(base, 0, 4096);
	/* Linux sets feature bit 0 (pending_send_sz) in both headers. */
	r->hdr->feature_bits = 1;
}

uint32_t vmbus_chan_open(struct vmbus_chan *c, uint32_t relid, uint32_t send_pages,
			 uint32_t recv_pages, uint32_t target_vp)
{
	return vmbus_chan_open_ud(c, relid, send_pages, recv_pages, target_vp, NULL, 0);
}

uint32_t vmbus_chan_open_ud(struct vmbus_chan *c, uint32_t relid, uint32_t send_pages,
			    uint32_t recv_pages, uint32_t target_vp, const void *ud,
			    uint32_t ud_len)
{
	struct vmbus_msg_open m = {
		.h.msgtype = VMBUS_MSG_OPENCHANNEL,
		.child_relid = relid,
		.openid = relid,
		.target_vp = target_vp,
		.downstream_ring_page_offset = send_pages,
	};
	struct vmbus_rx r;
	uint32_t st;

	memset(c, 0, sizeof(*c));
	c->relid = relid;
	c->conn_id = vmbus_g.offers[relid].connection_id;
	c->send_pages = send_pages;
	c->recv_pages = recv_pages;
	c->ring = vmbus_pages(send_pages + recv_pages);
	vmbus_gring_init(&c->send, c->ring, send_pages);
	vmbus_gring_init(&c->recv, (uint8_t *)c->ring + send_pages * 4096, recv_pages);
	st = vmbus_gpadl_create(relid, c->ring, send_pages + recv_pages, &c->gpadl);
	__GUEST_ASSERT(!st, "ring GPADL refused", 2, st, relid);
	m.ringbuffer_gpadl = c->gpadl;
	memcpy(m.user_data, ud, ud_len < sizeof(m.user_data) ? ud_len : sizeof(m.user_data));
	vmbus_send(&m, sizeof(m));
	vmbus_expect(VMBUS_MSG_OPENCHANNEL_RESULT,
		     offsetof(struct vmbus_msg_open_result, child_relid), relid, &r);
	__GUEST_ASSERT(r.open_result.openid == relid, "OPENCHANNEL_RESULT with another openid", 2,
		       r.open_result.openid, relid);
	return r.open_result.status;
}

void vmbus_chan_close(struct vmbus_chan *c)
{
	struct vmbus_msg_close m = {
		.h.msgtype = VMBUS_MSG_CLOSECHANNEL,
		.child_relid = c->relid,
	};

	vmbus_send(&m, sizeof(m));
	vmbus_gpadl_teardown(c->relid, c->gpadl);
}

uint16_t vmbus_chan_signal(struct vmbus_chan *c)
{
	c->signals++;
	return hv_status(hv_hypercall(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT, c->conn_id, 0));
}

static uint32_t ring_used(uint32_t w, uint32_t r, uint32_t size)
{
	return w >= r ? w - r : size - r + w;
}

static void ring_put(struct vmbus_gring *r, uint32_t off, const void *src, uint32_t len)
{
	uint32_t first = len < r->size - off ? len : r->size - off;

	memcpy(r->data + off, src, first);
	memcpy(r->data, (const uint8_t *)src + first, len - first);
}

static void ring_get(struct vmbus_gring *r, uint32_t off, void *dst, uint32_t len)
{
	uint32_t first = len < r->size - off ? len : r->size - off;

	memcpy(dst, r->data + off, first);
	memcpy((uint8_t *)dst + first, r->data, len - first);
}

/* hv_ringbuffer_write() and hv_signal_on_write(), reduced. */
int vmbus_chan_send(struct vmbus_chan *c, uint16_t type, uint16_t flags, uint64_t trans_id,
		    const void *payload, uint32_t len)
{
	static const uint8_t zeros[8];
	struct vmbus_gring *r = &c->send;
	uint32_t pkt = (16 + len + 7) & ~7U, total = pkt + 8;
	uint32_t w = r->hdr->write_index, rd = READ_ONCE(r->hdr->read_index), off;
	struct vmbus_packet_desc d = {
		.type = type, .offset8 = 2, .len8 = (uint16_t)(pkt / 8), .flags = flags,
		.trans_id = trans_id,
	};
	uint64_t trailer = (uint64_t)w << 32;

	__GUEST_ASSERT(rd < r->size && !(rd & 7), "host wrote a bad read index", 2, rd, r->size);
	if (r->size - ring_used(w, rd, r->size) <= total)
		return -EAGAIN;
	ring_put(r, w, &d, sizeof(d));
	off = (w + 16) % r->size;
	ring_put(r, off, payload, len);
	off = (off + len) % r->size;
	ring_put(r, off, zeros, pkt - 16 - len);
	ring_put(r, (w + pkt) % r->size, &trailer, 8);
	__sync_synchronize();
	WRITE_ONCE(r->hdr->write_index, (w + total) % r->size);
	__sync_synchronize();
	if (!READ_ONCE(r->hdr->interrupt_mask) && READ_ONCE(r->hdr->read_index) == w)
		vmbus_chan_signal(c);
	return 0;
}

void vmbus_chan_send_wait(struct vmbus_chan *c, uint16_t type, uint16_t flags,
			  uint64_t trans_id, const void *payload, uint32_t len,
			  uint64_t timeout_ms)
{
	uint64_t deadline = vmbus_now_ms() + timeout_ms;

	while (vmbus_chan_send(c, type, flags, trans_id, payload, len) == -EAGAIN) {
		WRITE_ONCE(c->send.hdr->pending_send_sz, ((16 + len + 7) & ~7U) + 8);
		__sync_synchronize();
		/* Look again before sleeping: the host may have read meanwhile. */
		if (vmbus_chan_send(c, type, flags, trans_id, payload, len) == 0)
			break;
		while (!vmbus_chan_event(c)) {
			__GUEST_ASSERT(vmbus_now_ms() <= deadline,
				       "the host never made room in a full ring", 2, c->relid, len);
			vmbus_idle();
		}
	}
	WRITE_ONCE(c->send.hdr->pending_send_sz, 0);
}

/* hv_pkt_iter_first/next/close, reduced; the host's packets are checked. */
int vmbus_chan_recv(struct vmbus_chan *c, void *buf, uint32_t buflen, uint32_t *len)
{
	struct vmbus_gring *r = &c->recv;
	uint32_t w = READ_ONCE(r->hdr->write_index), rd = r->hdr->read_index, used, pkt, pend;
	struct vmbus_packet_desc d;
	uint64_t trailer;

	__GUEST_ASSERT(w < r->size && !(w & 7), "host wrote a bad write index", 2, w, r->size);
	__sync_synchronize();
	used = ring_used(w, rd, r->size);
	if (!used)
		return -EAGAIN;
	ring_get(r, rd, &d, sizeof(d));
	pkt = d.len8 * 8u;
	__GUEST_ASSERT(pkt >= 16 && d.offset8 >= 2 && d.offset8 * 8u <= pkt && pkt + 8 <= used,
		       "host wrote a malformed packet", 2, d.len8, d.offset8);
	__GUEST_ASSERT(pkt <= buflen, "packet larger than the guest's buffer", 2, pkt, buflen);
	ring_get(r, rd, buf, pkt);
	ring_get(r, (rd + pkt) % r->size, &trailer, 8);
	__GUEST_ASSERT(trailer == (uint64_t)rd << 32, "bad packet trailer", 2, trailer, rd);
	*len = pkt;
	__sync_synchronize();
	WRITE_ONCE(r->hdr->read_index, (rd + pkt + 8) % r->size);
	__sync_synchronize();
	/*
	 * The host waits for room: tell it when this read made enough. The
	 * room is measured with the write index read again now, as Linux's
	 * hv_pkt_iter_close() does: with the one read at the start, packets
	 * the host wrote meanwhile go uncounted, the room before this read
	 * looks already big enough, and the one signal the host waits for
	 * is never sent.
	 */
	pend = READ_ONCE(r->hdr->pending_send_sz);
	if (pend && (r->hdr->feature_bits & 1)) {
		uint32_t w_now = READ_ONCE(r->hdr->write_index);
		uint32_t free_now = r->size - ring_used(w_now, (rd + pkt + 8) % r->size, r->size);

		if (free_now > pend && free_now - pkt - 8 <= pend)
			vmbus_chan_signal(c);
	}
	return 0;
}

bool vmbus_event_flag(uint32_t relid)
{
	uint64_t *word = (uint64_t *)(vmbus_siefp + VMBUS_MESSAGE_SINT * 256) + relid / 64;
	uint64_t bit = 1ULL << (relid % 64);

	return __atomic_fetch_and(word, ~bit, __ATOMIC_SEQ_CST) & bit;
}

bool vmbus_chan_event(struct vmbus_chan *c)
{
	return vmbus_event_flag(c->relid);
}

uint32_t vmbus_chan_pending(struct vmbus_chan *c)
{
	return ring_used(READ_ONCE(c->recv.hdr->write_index), c->recv.hdr->read_index,
			 c->recv.size);
}

bool vmbus_chan_wait(struct vmbus_chan *c, uint64_t timeout_ms)
{
	uint64_t deadline = vmbus_now_ms() + timeout_ms;

	while (!vmbus_chan_pending(c)) {
		if (vmbus_now_ms() > deadline)
			return false;
		vmbus_idle();
	}
	return true;
}

/* ---- host side ------------------------------------------------------------------------ */

void vmbus_vm_setup(struct hvp_vm *vm)
{
	vm_install_interrupt_handler(vm, VMBUS_VECTOR, vmbus_isr);
	vm_install_interrupt_handler(vm, VMBUS_TICK_VECTOR, vmbus_tick_isr);
}

void vmbus_vm_add_pool(struct hvp_vm *vm, uint64_t gpa, uint32_t pages)
{
	uint64_t size = (uint64_t)pages * 4096;
	int fd = memfd_create("vmbus-pool", MFD_CLOEXEC);
	void *mem;

	TEST_ASSERT(fd >= 0 && !ftruncate(fd, size), "memfd for the guest's page pool");
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap of the memfd pool");
	close(fd);
	vm_map(vm, gpa, size, mem, HVPART_MEM_READ | HVPART_MEM_WRITE);
	write_guest_global(vm, vmbus_pool_gpa, gpa);
	write_guest_global(vm, vmbus_pool_pages, pages);
}

struct hvp_vm *vmbus_vm_create(struct hvp_vp **vp, void (*guest)(void))
{
	struct hvp_vm *vm = vm_create_with_flags(HVP_DEFAULT_MEM_SIZE, 0);

	vm_set_hv_config(vm, HV_FEATURES_VMBUS);
	*vp = vm_vp_add(vm, 0, guest);
	vmbus_vm_setup(vm);
	return vm;
}

int __vm_vmbus_create(struct hvp_vm *vm, uint32_t ics)
{
	struct hvpart_vmbus_create c = { .ics = ics };

	return __vm_ioctl(vm, HVPART_VMBUS_CREATE, &c);
}

void vm_vmbus_create(struct hvp_vm *vm, uint32_t ics)
{
	int r = __vm_vmbus_create(vm, ics);

	TEST_ASSERT(!r, "HVPART_VMBUS_CREATE(ics %#x) failed, errno %d (%s)", ics, errno,
		    strerror(errno));
}

int __vm_vmbus_offer(struct hvp_vm *vm, const struct hvpart_vmbus_offer *o)
{
	return __vm_ioctl(vm, HVPART_VMBUS_OFFER, o);
}

int vm_vmbus_offer(struct hvp_vm *vm, const uint8_t type[16], const uint8_t instance[16])
{
	struct hvpart_vmbus_offer o = {};
	int fd;

	memcpy(o.class_id, type, 16);
	memcpy(o.instance_id, instance, 16);
	fd = __vm_vmbus_offer(vm, &o);
	TEST_ASSERT(fd >= 0, "HVPART_VMBUS_OFFER failed, errno %d (%s)", errno, strerror(errno));
	return fd;
}

void vm_vmbus_status(struct hvp_vm *vm, struct hvpart_vmbus_status *st)
{
	vm_ioctl(vm, HVPART_VMBUS_STATUS, st);
}

void vmbus_test_guid(uint8_t out[16], uint32_t n)
{
	static const uint8_t base[16] = { 0x68, 0x76, 0x70, 0x61, 0x72, 0x74, 0x2d, 0x74,
					  0x65, 0x73, 0x74, 0, 0, 0, 0, 0 };

	memcpy(out, base, 16);
	memcpy(out + 12, &n, 4);
}
