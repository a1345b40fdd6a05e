// SPDX-License-Identifier: GPL-2.0
/*
 * A VMBus channel served by userspace, end to end: the guest's VSC
 * (lib/vmbus_guest.c) against a VSP thread of the test (lib/vmbus_host.c:
 * channel fd, mmap'd rings driven by vmbus/ring.c, eventfd doorbells).
 *
 *  - GPADLs of 1, 26 (header only), 27, 54 and 100 pages (header + body
 *    messages), counted by HVPART_VMBUS_STATUS, torn down
 *  - OPENCHANNEL: the VSP's OPENED event carries relid, target VP, ring
 *    sizes and user data; mmap of the rings
 *  - packets both ways, all sizes up to 1 KiB, around both rings many
 *    times; pipelined requests with both rings full (pending_send_sz
 *    both ways); a burst into a ring whose reader masked interrupts: no
 *    event, then every packet in order
 *  - CLOSECHANNEL -> CLOSED event; reopen; MODIFYCHANNEL (5.3 answers,
 *    4.0 does not; bad VP, closed channel); open on another VP
 *  - rescind of an open channel (the VMM closes the fd): RESCIND, the
 *    relid held until RELID_RELEASED, then reused
 */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvp_util.h"
#include "hyperv.h"
#include "vmbus_guest.h"
#include "vmbus_host.h"

#define POOL_GPA	0x20000000ULL	/* memfd-backed rings: see rings_in_anonymous_memory */

#define CMD_ECHO	1
#define CMD_BURST	2

/* The echo protocol: INBAND {cmd, arg, data} -> COMP {cmd, arg, ~data}. */
struct req {
	uint32_t cmd;
	uint32_t arg;		/* BURST: packet count */
	uint32_t arg2;		/* BURST: payload bytes per packet */
	uint32_t rsvd;
	uint8_t data[];
};

static const uint8_t guid_test[16] = { 0x68, 0x76, 0x70, 0x61, 0x72, 0x74, 0x2d, 0x74,
				       0x65, 0x73, 0x74, 0, 0, 0, 0, 0 };

static uint8_t pattern(uint32_t seed, uint32_t i)
{
	return (uint8_t)(seed * 131 + i * 7 + 3);
}

/* ---- the VSP thread -------------------------------------------------------------------- */

struct vsp_thread {
	struct vsp v;
	pthread_t th;
	volatile bool stop;
	volatile unsigned int opens, closes;
	struct hvpart_vmbus_chan_event last_open;
	volatile uint64_t packets, bursts_full;
};

static void vsp_reply(struct vsp_thread *t, uint16_t type, uint64_t trans, const void *p,
		      uint32_t len)
{
	int r;

	while ((r = vsp_send(&t->v, type, 0, trans, p, len)) == -EAGAIN) {
		t->bursts_full++;
		/* The guest signals when its read makes the room we asked for. */
		TEST_ASSERT(vsp_wait_kick(&t->v, 10000) || t->stop,
			    "VSP: the guest never signalled room in a full ring");
		if (t->stop)
			return;
	}
	TEST_ASSERT(!r, "VSP: hvp_ring_send: %d", r);
}

static void vsp_handle(struct vsp_thread *t, const uint8_t *pkt, uint32_t len)
{
	static uint8_t out[4096];
	const struct vmbus_packet_desc *d = (const void *)pkt;
	const struct req *q = (const void *)(pkt + d->offset8 * 8);
	uint32_t plen = len - d->offset8 * 8, i;
	struct req *o = (void *)out;

	TEST_ASSERT(d->type == VMBUS_PKT_DATA_INBAND && plen >= sizeof(*q),
		    "VSP: packet type %u, %u bytes", d->type, plen);
	t->packets++;
	switch (q->cmd) {
	case CMD_ECHO:
		memcpy(o, q, sizeof(*q));
		for (i = 0; i < plen - sizeof(*q); i++)
			o->data[i] = ~q->data[i];
		vsp_reply(t, VMBUS_PKT_COMP, d->trans_id, o, plen);
		break;
	case CMD_BURST:
		for (i = 0; i < q->arg && !t->stop; i++) {
			uint32_t k;

			o->cmd = CMD_BURST;
			o->arg = i;
			for (k = 0; k < q->arg2; k++)
				o->data[k] = pattern(i, k);
			vsp_reply(t, VMBUS_PKT_DATA_INBAND, 1000 + i, o, sizeof(*o) + q->arg2);
		}
		break;
	default:
		TEST_FAIL("VSP: command %u", q->cmd);
	}
}

static void *vsp_main(void *arg)
{
	struct vsp_thread *t = arg;
	static uint8_t pkt[8192];
	bool attached = false;

	while (!t->stop) {
		struct hvpart_vmbus_chan_event ev;
		struct pollfd p[2];
		uint32_t len;
		int r;

		if (!attached) {
			if (!vsp_event(&t->v, &ev, 20))
				continue;
			TEST_ASSERT(ev.type == HVPART_VMBUS_CHAN_OPENED,
				    "VSP: event %u while closed", ev.type);
			t->last_open = ev;
			t->opens++;
			r = __vsp_attach(&t->v, &ev);
			if (r == -ENOTCONN) {
				/* Closed again before we looked: CLOSED is next. */
				vsp_expect_event(&t->v, HVPART_VMBUS_CHAN_CLOSED, NULL, 5000);
				t->closes++;
				continue;
			}
			errno = -r;
			TEST_ASSERT(!r, "VSP: mmap of the rings");
			attached = true;
		}
		p[0] = (struct pollfd){ .fd = t->v.guest_kick, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = t->v.fd, .events = POLLIN };
		poll(p, 2, 10);
		if (p[1].revents & POLLIN) {
			TEST_ASSERT(vsp_event(&t->v, &ev, 0), "VSP: readable fd, no event");
			TEST_ASSERT(ev.type == HVPART_VMBUS_CHAN_CLOSED, "VSP: event %u while open",
				    ev.type);
			vsp_detach(&t->v);
			attached = false;
			t->closes++;
			continue;
		}
		if (p[0].revents & POLLIN)
			vsp_wait_kick(&t->v, 0);
		/* Drain: the guest signals only when the ring was empty. */
		while ((r = vsp_recv(&t->v, pkt, sizeof(pkt), &len)) == 0)
			vsp_handle(t, pkt, len);
		TEST_ASSERT(r == -EAGAIN, "VSP: hvp_ring_recv: %d", r);
	}
	if (attached)
		vsp_detach(&t->v);
	return NULL;
}

/* ---- guest -------------------------------------------------------------------------------------- */

static uint8_t gbuf[8192];
/* Where the guest is, for the host's watchdog: step and packets done. */
static volatile uint32_t guest_step, guest_done;

static void guest_echo(struct vmbus_chan *c, uint32_t seq, uint32_t len)
{
	static uint8_t req_buf[2048];
	struct req *q = (void *)req_buf;
	const struct vmbus_packet_desc *d = (const void *)gbuf;
	const struct req *a;
	uint32_t i, got;

	q->cmd = CMD_ECHO;
	q->arg = seq;
	for (i = 0; i < len; i++)
		q->data[i] = pattern(seq, i);
	vmbus_chan_send_wait(c, VMBUS_PKT_DATA_INBAND, VMBUS_PKT_F_COMPLETION_REQUESTED,
			     0x100000000ULL + seq, q, sizeof(*q) + len, VMBUS_WAIT_MS);
	GUEST_ASSERT_1(vmbus_chan_wait(c, VMBUS_WAIT_MS), seq);
	GUEST_ASSERT_1(!vmbus_chan_recv(c, gbuf, sizeof(gbuf), &got), seq);
	a = (const void *)(gbuf + d->offset8 * 8);
	GUEST_ASSERT_2(d->type == VMBUS_PKT_COMP && d->trans_id == 0x100000000ULL + seq, seq,
		       d->trans_id);
	GUEST_ASSERT_2(got - d->offset8 * 8 >= sizeof(*a) + len, seq, got);
	GUEST_ASSERT_2(a->cmd == CMD_ECHO && a->arg == seq, seq, a->arg);
	for (i = 0; i < len; i++)
		GUEST_ASSERT_2(a->data[i] + pattern(seq, i) == 255, seq, i);
}

/* Several requests in flight: both rings fill, both sides wait for room. */
static void guest_pipeline(struct vmbus_chan *c, uint32_t n, uint32_t len)
{
	static uint8_t req_buf[2048];
	struct req *q = (void *)req_buf;
	const struct vmbus_packet_desc *d = (const void *)gbuf;
	uint32_t sent = 0, done = 0, i, got;
	uint64_t deadline = vmbus_now_ms() + VMBUS_WAIT_MS;

	q->cmd = CMD_ECHO;
	while (done < n) {
		/* Send while the ring takes it, without waiting. */
		while (sent < n) {
			q->arg = sent;
			for (i = 0; i < len; i++)
				q->data[i] = pattern(sent, i);
			if (vmbus_chan_send(c, VMBUS_PKT_DATA_INBAND, 0, sent, q, sizeof(*q) + len))
				break;
			sent++;
		}
		while (!vmbus_chan_recv(c, gbuf, sizeof(gbuf), &got)) {
			const struct req *a = (const void *)(gbuf + d->offset8 * 8);

			GUEST_ASSERT_2(d->trans_id == done && a->arg == done, done, d->trans_id);
			GUEST_ASSERT_2(a->data[len - 1] + pattern(done, len - 1) == 255, done,
				       a->data[len - 1]);
			done++;
		}
		GUEST_ASSERT_2(vmbus_now_ms() < deadline, sent, done);
		if (done < sent && !vmbus_chan_pending(c))
			vmbus_idle();
	}
}

/* The host fills a ring whose reader masked its interrupts. */
static void guest_burst(struct vmbus_chan *c, uint32_t n, uint32_t len)
{
	struct req q = { .cmd = CMD_BURST, .arg = n, .arg2 = len };
	const struct vmbus_packet_desc *d = (const void *)gbuf;
	uint64_t deadline = vmbus_now_ms() + VMBUS_WAIT_MS;
	uint32_t i = 0, got, k;

	/* Masked, and no doorbell of earlier traffic still on its way. */
	c->recv.hdr->interrupt_mask = 1;
	vmbus_quiet(20);
	vmbus_chan_event(c);
	vmbus_chan_send_wait(c, VMBUS_PKT_DATA_INBAND, 0, 77, &q, sizeof(q), VMBUS_WAIT_MS);
	/* The host stops when full and asks for room: pending_send_sz. */
	while (!READ_ONCE(c->recv.hdr->pending_send_sz)) {
		GUEST_ASSERT_1(vmbus_now_ms() < deadline, vmbus_chan_pending(c));
		vmbus_idle();
	}
	/* Masked: the host did not interrupt for any of it. */
	GUEST_ASSERT(!vmbus_chan_event(c));
	c->recv.hdr->interrupt_mask = 0;
	while (i < n) {
		if (vmbus_chan_recv(c, gbuf, sizeof(gbuf), &got)) {
			GUEST_ASSERT_2(vmbus_now_ms() < deadline, i, n);
			vmbus_idle();
			continue;
		}
		const struct req *a = (const void *)(gbuf + d->offset8 * 8);

		GUEST_ASSERT_2(d->type == VMBUS_PKT_DATA_INBAND && d->trans_id == 1000 + i, i,
			       d->trans_id);
		GUEST_ASSERT_2(a->cmd == CMD_BURST && a->arg == i, i, a->arg);
		for (k = 0; k < len; k++)
			GUEST_ASSERT_2(a->data[k] == pattern(i, k), i, k);
		i++;
	}
}

static uint8_t modify_status(uint32_t relid, uint32_t vp, bool want_answer)
{
	struct vmbus_msg_modify_channel m = {
		.h.msgtype = VMBUS_MSG_MODIFYCHANNEL, .child_relid = relid, .target_vp = vp,
	};
	struct vmbus_rx r;

	vmbus_send(&m, sizeof(m));
	if (!want_answer) {
		vmbus_ping();
		GUEST_ASSERT(!vmbus_g.queued);
		return 0;
	}
	vmbus_expect(VMBUS_MSG_MODIFYCHANNEL_RESPONSE,
		     offsetof(struct vmbus_msg_modify_channel_response, child_relid), relid, &r);
	return r.modify.status ? 1 : 0;
}

/* Stages the host checks; see channel_end_to_end(). */
enum {
	S_GPADLS = 1, S_GPADLS_DOWN, S_OPEN, S_TRAFFIC, S_CLOSED, S_REOPEN, S_MODIFIED,
	S_KICK_VP1, S_KICK_VP0, S_V4, S_RESCIND, S_OFFER_C, S_RELEASED,
};

static void guest_channel(void)
{
	static const uint32_t gpadl_pages[] = { 1, 26, 27, 54, 100 };
	uint32_t relid, ids[5], i, st, relid_b, relid_c;
	static const char ud[] = "hvpart user data";
	struct vmbus_chan c, b;
	uint8_t *mem;

	vmbus_guest_init();
	GUEST_ASSERT(vmbus_connect(VMBUS_VERSION_WIN10_V5_3));
	vmbus_request_offers();
	relid = vmbus_find_offer(guid_test, 0);
	relid_b = vmbus_find_offer(guid_test, 1);
	GUEST_ASSERT(relid && relid_b);

	/* GPADLs: header only, header + bodies. */
	mem = vmbus_pages(100);
	for (i = 0; i < ARRAY_SIZE(gpadl_pages); i++) {
		st = vmbus_gpadl_create(relid, mem, gpadl_pages[i], &ids[i]);
		GUEST_ASSERT_2(!st, gpadl_pages[i], st);
	}
	GUEST_SYNC(S_GPADLS);
	for (i = 0; i < ARRAY_SIZE(gpadl_pages); i++)
		vmbus_gpadl_teardown(relid, ids[i]);
	GUEST_SYNC(S_GPADLS_DOWN);

	/* Open: 4 KiB of data guest -> host, 8 KiB host -> guest. */
	st = vmbus_chan_open_ud(&c, relid, 2, 3, 0, ud, sizeof(ud));
	GUEST_ASSERT_1(!st, st);
	GUEST_SYNC3(S_OPEN, relid, c.gpadl);

	/* Enough to go around both rings many times, cheap enough for Bochs. */
	guest_step = 1;
	for (i = 0; i < 250; i++) {
		guest_echo(&c, i, (i * 37) % 1000);
		guest_done = i;
	}
	guest_step = 2;
	guest_pipeline(&c, 150, 200);
	guest_step = 3;
	guest_pipeline(&c, 40, 900);
	guest_step = 4;
	guest_burst(&c, 120, 300);
	guest_step = 5;
	/* And still in step afterwards. */
	for (i = 0; i < 20; i++)
		guest_echo(&c, i, 100);
	GUEST_SYNC(S_TRAFFIC);

	vmbus_chan_close(&c);
	GUEST_SYNC(S_CLOSED);

	/* Reopen with a new ring on VP 1, then move it back to VP 0. */
	st = vmbus_chan_open(&c, relid, 3, 2, 1);
	GUEST_ASSERT_1(!st, st);
	GUEST_SYNC(S_REOPEN);
	GUEST_ASSERT(modify_status(relid, 0, true) == 0);
	for (i = 0; i < 20; i++)
		guest_echo(&c, i, 64);
	GUEST_ASSERT(modify_status(relid, 7, true) == 1);	/* no VP 7 */
	GUEST_ASSERT(modify_status(relid_b, 0, true) == 1);	/* not open */
	GUEST_ASSERT(modify_status(1999, 0, true) == 1);	/* no such channel */
	GUEST_ASSERT(modify_status(relid, 1, true) == 0);
	vmbus_quiet(20);
	vmbus_chan_event(&c);
	GUEST_SYNC(S_MODIFIED);
	/* The host rings the doorbell: the event goes to VP 1, not here. */
	GUEST_SYNC(S_KICK_VP1);
	GUEST_ASSERT(vmbus_quiet(50) && !vmbus_chan_event(&c));
	GUEST_ASSERT(modify_status(relid, 0, true) == 0);
	GUEST_SYNC(S_KICK_VP0);
	for (i = 0; i < 500 && !vmbus_chan_event(&c); i++)
		vmbus_idle();
	GUEST_ASSERT_1(i < 500, i);

	/* A 4.0 guest gets no MODIFYCHANNEL_RESPONSE. */
	vmbus_chan_close(&c);
	GUEST_ASSERT(vmbus_connect(VMBUS_VERSION_WIN10));
	vmbus_request_offers();
	GUEST_ASSERT(!vmbus_chan_open(&c, relid, 2, 2, 0));
	modify_status(relid, 0, false);
	GUEST_SYNC(S_V4);

	/* Rescind of an open channel: the VMM closes B's fd. */
	vmbus_chan_close(&c);
	GUEST_ASSERT(vmbus_connect(VMBUS_VERSION_WIN10_V5_3));
	vmbus_request_offers();
	GUEST_ASSERT(!vmbus_chan_open(&b, relid_b, 2, 2, 0));
	GUEST_SYNC2(S_RESCIND, relid_b);
	for (i = 0; i < 2000 && !vmbus_g.rescinded[relid_b]; i++) {
		vmbus_pump();
		vmbus_idle();
	}
	GUEST_ASSERT_1(vmbus_g.rescinded[relid_b], relid_b);
	/* What Linux does next: close, tear the ring down. */
	vmbus_chan_close(&b);
	GUEST_SYNC(S_OFFER_C);		/* the VMM offers C: relid_b is still held */
	for (i = 0; i < 2000 && !vmbus_find_offer(guid_test, 1); i++) {
		vmbus_pump();
		vmbus_idle();
	}
	relid_c = vmbus_find_offer(guid_test, 1);
	GUEST_ASSERT_2(relid_c && relid_c != relid_b, relid_c, relid_b);
	{
		struct vmbus_msg_relid_released rel = {
			.h.msgtype = VMBUS_MSG_RELID_RELEASED, .child_relid = relid_b,
		};

		vmbus_send(&rel, sizeof(rel));
	}
	vmbus_ping();
	GUEST_SYNC(S_RELEASED);		/* the VMM offers D: it gets relid_b back */
	for (i = 0; i < 2000 && !vmbus_find_offer(guid_test, 2); i++) {
		vmbus_pump();
		vmbus_idle();
	}
	/* D (instance 4) took the released relid. */
	GUEST_ASSERT_2(vmbus_g.offered[relid_b] && !vmbus_g.rescinded[relid_b], relid_b,
		       vmbus_g.nr_offers);
	GUEST_ASSERT_1(vmbus_g.offers[relid_b].if_instance.b[12] == 4,
		       vmbus_g.offers[relid_b].if_instance.b[12]);
	GUEST_DONE();
}

/*
 * Says what everyone is doing when the test stops moving: the guest's step
 * and tick count, the VSP's counters and both rings' indices. (Under Bochs
 * this test once stopped in the traffic stage without a guest deadline
 * firing.)
 */
struct watchdog {
	struct hvp_vm *vm;
	struct vsp_thread *t;
	volatile uint64_t stage_ns;
	volatile bool stop;
	pthread_t th;
};

/* Write a short string to a tracefs file; quiet when tracing is absent. */
static void trace_write(const char *file, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/tracing/%s", file);
	write_file(path, val);
}

/*
 * The VPs' exit counters (debugfs) and a tenth of a second of hvpart's
 * entry/exit tracepoints: whether the VP is looping on some exit, sleeping,
 * or stuck in the kernel.
 */
static void dump_vp_state(void)
{
	char dir[400], path[700], line[256];
	struct dirent *de;
	DIR *d, *vd;
	FILE *f;
	int n = 0;

	snprintf(line, sizeof(line), "%d-", getpid());
	d = opendir("/sys/kernel/debug/hvpart");
	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, line, strlen(line)))
			continue;
		snprintf(dir, sizeof(dir), "/sys/kernel/debug/hvpart/%s/vp0", de->d_name);
		vd = opendir(dir);
		while (vd && (de = readdir(vd))) {
			uint64_t v;

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			if (!read_file_u64(path, &v) && v)
				tap_diag("watchdog: %s %lu", path + strlen("/sys/kernel/debug/hvpart/"),
					 (unsigned long)v);
		}
		if (vd)
			closedir(vd);
		break;
	}
	if (d)
		closedir(d);

	/* Only an open with O_TRUNC empties the ring buffer. */
	close(open("/sys/kernel/tracing/trace", O_WRONLY | O_TRUNC | O_CLOEXEC));
	trace_write("events/hvpart/enable", "1");
	usleep(100000);
	trace_write("events/hvpart/enable", "0");
	f = fopen("/sys/kernel/tracing/trace", "r");
	while (f && fgets(line, sizeof(line), f) && n < 40) {
		if (line[0] == '#')
			continue;
		line[strcspn(line, "\n")] = 0;
		tap_diag("watchdog: trace: %s", line);
		n++;
	}
	if (f)
		fclose(f);
}

static void *watchdog_main(void *arg)
{
	struct watchdog *w = arg;

	while (!w->stop) {
		usleep(100000);
		if (time_now_ns() - w->stage_ns < 5000000000ULL)
			continue;
		const struct vsp *v = &w->t->v;
		const struct vmbus_ring_header *in = v->map ? (const void *)v->map : NULL;
		const struct vmbus_ring_header *out = v->map ?
			(const void *)(v->map + v->opened.in_ring_size) : NULL;

		tap_diag("watchdog: guest step %u done %u ticks %lu irqs %lu; VSP packets %lu "
			 "full %lu kicks in %lu out %lu",
			 *(volatile uint32_t *)addr_ptr2hva(w->vm, (void *)&guest_step),
			 *(volatile uint32_t *)addr_ptr2hva(w->vm, (void *)&guest_done),
			 (unsigned long)*(volatile uint64_t *)addr_ptr2hva(w->vm, (void *)&vmbus_ticks),
			 (unsigned long)*(volatile uint64_t *)addr_ptr2hva(w->vm, (void *)&vmbus_irqs),
			 (unsigned long)w->t->packets, (unsigned long)w->t->bursts_full,
			 (unsigned long)v->kicks_in, (unsigned long)v->kicks_out);
		if (in && out)
			tap_diag("watchdog: in w %u r %u mask %u pend %u (host %u); out w %u r %u "
				 "mask %u pend %u (host %u)", in->write_index, in->read_index,
				 in->interrupt_mask, in->pending_send_sz, v->in.index,
				 out->write_index, out->read_index, out->interrupt_mask,
				 out->pending_send_sz, v->out.index);
		dump_vp_state();
		w->stage_ns = time_now_ns() - 2000000000ULL;	/* again in 3 s */
	}
	return NULL;
}

static void guest_vp1(void)
{
	GUEST_FAIL("VP 1 only exists as a target; it never runs");
}

static void channel_end_to_end(const void *arg __unused)
{
	struct hvpart_vmbus_status st;
	struct vsp_thread *t = calloc(1, sizeof(*t));
	struct vsp b, c2, d2;
	struct hvp_vp *vp;
	struct hvp_vm *vm = vmbus_vm_create(&vp, guest_channel);
	struct ucall uc;
	uint32_t relid_b = 0;
	struct watchdog wd;
	uint64_t t0;

	vm_vp_add(vm, 1, guest_vp1);
	vmbus_vm_add_pool(vm, POOL_GPA, 1024);
	vm_vmbus_create(vm, 0);
	vsp_offer(&t->v, vm, 1);
	vsp_offer(&b, vm, 2);
	TEST_ASSERT(!pthread_create(&t->th, NULL, vsp_main, t), "pthread_create");

	t0 = time_now_ns();
	wd = (struct watchdog){ .vm = vm, .t = t, .stage_ns = t0 };
	TEST_ASSERT(!pthread_create(&wd.th, NULL, watchdog_main, &wd), "pthread_create");
	while (vp_run_ucall(vp, &uc) == UCALL_SYNC) {
		wd.stage_ns = time_now_ns();
		tap_diag("stage %lu at %.1f s", (unsigned long)uc.args[0],
			 (time_now_ns() - t0) / 1e9);
		vm_vmbus_status(vm, &st);
		switch (uc.args[0]) {
		case S_GPADLS:
			TEST_ASSERT(st.gpadls == 5 && st.channels == 2 && !st.open_channels,
				    "after 5 GPADLs: gpadls %u channels %u open %u", st.gpadls,
				    st.channels, st.open_channels);
			break;
		case S_GPADLS_DOWN:
			TEST_ASSERT(st.gpadls == 0, "after teardown: gpadls %u", st.gpadls);
			break;
		case S_OPEN:
			for (int i = 0; i < 1000 && !t->opens; i++)
				usleep(1000);
			TEST_ASSERT(t->opens == 1, "VSP saw %u OPENED events", t->opens);
			TEST_ASSERT(t->last_open.relid == uc.args[1] && t->last_open.target_vp == 0 &&
				    t->last_open.in_ring_size == 2 * 4096 &&
				    t->last_open.out_ring_size == 3 * 4096,
				    "OPENED: relid %u (want %lu) vp %u in %u out %u", t->last_open.relid,
				    (unsigned long)uc.args[1], t->last_open.target_vp,
				    t->last_open.in_ring_size, t->last_open.out_ring_size);
			TEST_ASSERT(!strcmp((char *)t->last_open.user_data, "hvpart user data"),
				    "OPENED user data");
			TEST_ASSERT(st.open_channels == 1 && st.gpadls == 1, "open %u gpadls %u",
				    st.open_channels, st.gpadls);
			break;
		case S_TRAFFIC:
			tap_diag("VSP: %lu packets, waited for room %lu times, %lu doorbells in, "
				 "%lu out", (unsigned long)t->packets, (unsigned long)t->bursts_full,
				 (unsigned long)t->v.kicks_in, (unsigned long)t->v.kicks_out);
			TEST_ASSERT(t->bursts_full, "the host->guest ring never filled");
			break;
		case S_CLOSED:
			for (int i = 0; i < 1000 && !t->closes; i++)
				usleep(1000);
			TEST_ASSERT(t->closes == 1 && !st.open_channels && !st.gpadls,
				    "after CLOSECHANNEL: VSP closes %u, open %u gpadls %u", t->closes,
				    st.open_channels, st.gpadls);
			break;
		case S_REOPEN:
			for (int i = 0; i < 1000 && t->opens < 2; i++)
				usleep(1000);
			TEST_ASSERT(t->opens == 2 && t->last_open.target_vp == 1 &&
				    t->last_open.in_ring_size == 3 * 4096,
				    "reopen on VP 1: opens %u vp %u in %u", t->opens,
				    t->last_open.target_vp, t->last_open.in_ring_size);
			break;
		case S_KICK_VP1:
		case S_KICK_VP0:
			vsp_kick_guest(&t->v);
			break;
		case S_RESCIND:
			relid_b = uc.args[1];
			vsp_expect_event(&b, HVPART_VMBUS_CHAN_OPENED, NULL, 5000);
			vsp_close(&b);
			vm_vmbus_status(vm, &st);
			TEST_ASSERT(st.channels == 1 && st.open_channels == 0,
				    "after rescind: channels %u open %u", st.channels,
				    st.open_channels);
			break;
		case S_OFFER_C:
			vsp_offer(&c2, vm, 3);
			break;
		case S_RELEASED:
			vsp_offer(&d2, vm, 4);
			break;
		}
	}
	wd.stop = true;
	pthread_join(wd.th, NULL);
	TEST_ASSERT(uc.cmd == UCALL_DONE, "guest done");
	TEST_ASSERT(relid_b, "rescind stage reached");
	t->stop = true;
	pthread_join(t->th, NULL);
	vsp_close(&t->v);
	vsp_close(&c2);
	vsp_close(&d2);
	vm_vmbus_status(vm, &st);
	TEST_ASSERT(st.channels == 0, "channels left after closing every fd: %u", st.channels);
	free(t);
	vm_free(vm);
}

/*
 * The rings in the guest's ordinary memory: anonymous pages, as the
 * selftest library and hvctl allocate guest RAM. The VMM must be able to
 * map them through the channel fd like any other.
 */
static void guest_anon(void)
{
	struct vmbus_chan c;
	uint32_t relid, i;

	vmbus_guest_init();
	GUEST_ASSERT(vmbus_connect(VMBUS_VERSION_WIN10_V5_3));
	vmbus_request_offers();
	relid = vmbus_find_offer(guid_test, 0);
	GUEST_ASSERT(relid);
	GUEST_ASSERT(!vmbus_chan_open(&c, relid, 2, 2, 0));
	for (i = 0; i < 50; i++)
		guest_echo(&c, i, i * 10);
	vmbus_chan_close(&c);
	GUEST_DONE();
}

static void rings_in_anonymous_memory(const void *arg __unused)
{
	struct vsp_thread *t = calloc(1, sizeof(*t));
	struct hvp_vp *vp;
	struct hvp_vm *vm = vmbus_vm_create(&vp, guest_anon);

	vm_vmbus_create(vm, 0);
	vsp_offer(&t->v, vm, 1);
	TEST_ASSERT(!pthread_create(&t->th, NULL, vsp_main, t), "pthread_create");
	vp_run_expect_done(vp);
	TEST_ASSERT(t->opens == 1 && t->packets == 50, "VSP: %u opens, %lu packets", t->opens,
		    (unsigned long)t->packets);
	t->stop = true;
	pthread_join(t->th, NULL);
	vsp_close(&t->v);
	free(t);
	vm_free(vm);
}

/*
 * What the channel fd's mmap accepts, and a mapping outliving its channel
 * and partition: the pages stay the VMM's to read until it unmaps them.
 */
static void guest_map_rules(void)
{
	struct vmbus_chan c;
	uint32_t relid;

	vmbus_guest_init();
	GUEST_ASSERT(vmbus_connect(VMBUS_VERSION_WIN10_V5_3));
	vmbus_request_offers();
	relid = vmbus_find_offer(guid_test, 0);
	GUEST_ASSERT(!vmbus_chan_open(&c, relid, 2, 3, 0));
	c.send.hdr->rsvd1[0] = 0x5a5a5a5a;	/* a mark the host looks for */
	c.recv.hdr->rsvd1[0] = 0xa5a5a5a5;
	GUEST_SYNC(1);
	vmbus_chan_close(&c);
	GUEST_SYNC(2);
	GUEST_DONE();
}

static void ring_mmap_rules(const void *arg __unused)
{
	struct hvpart_vmbus_chan_event ev;
	struct hvp_vp *vp;
	struct hvp_vm *vm = vmbus_vm_create(&vp, guest_map_rules);
	const struct vmbus_ring_header *in, *out;
	size_t len = 5 * 4096;
	struct vsp v;
	uint8_t *p;

	vm_vmbus_create(vm, 0);
	vsp_offer(&v, vm, 1);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, v.fd, 0);
	TEST_ASSERT(p == MAP_FAILED && errno == ENOTCONN, "mmap before OPENED: errno %d", errno);
	vp_run_expect_sync(vp, 1);
	vsp_expect_event(&v, HVPART_VMBUS_CHAN_OPENED, &ev, 5000);
	TEST_ASSERT(ev.in_ring_size + ev.out_ring_size == len, "ring sizes %u + %u",
		    ev.in_ring_size, ev.out_ring_size);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, v.fd, 0);
	TEST_ASSERT(p == MAP_FAILED && errno == EINVAL, "MAP_PRIVATE: errno %d", errno);
	p = mmap(NULL, len - 4096, PROT_READ | PROT_WRITE, MAP_SHARED, v.fd, 0);
	TEST_ASSERT(p == MAP_FAILED && errno == EINVAL, "short mapping: errno %d", errno);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, v.fd, 4096);
	TEST_ASSERT(p == MAP_FAILED && errno == EINVAL, "offset 4096: errno %d", errno);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, v.fd, 0);
	TEST_ASSERT(p != MAP_FAILED, "mmap of the rings");
	in = (const void *)p;
	out = (const void *)(p + ev.in_ring_size);
	TEST_ASSERT(in->rsvd1[0] == 0x5a5a5a5a && out->rsvd1[0] == 0xa5a5a5a5 &&
		    in->feature_bits == 1 && out->feature_bits == 1,
		    "the mapping shows the guest's ring headers (%#x %#x)", in->rsvd1[0],
		    out->rsvd1[0]);
	TEST_ASSERT(munmap(p, 4096) == -1 && errno == EINVAL,
		    "a partial munmap is refused: errno %d", errno);

	vp_run_expect_sync(vp, 2);		/* closed, GPADL torn down */
	vsp_expect_event(&v, HVPART_VMBUS_CHAN_CLOSED, NULL, 5000);
	TEST_ASSERT(in->rsvd1[0] == 0x5a5a5a5a, "still readable after the channel closed");
	vp_run_expect_done(vp);
	vsp_close(&v);
	vm_free(vm);
	TEST_ASSERT(out->rsvd1[0] == 0xa5a5a5a5, "still readable after the partition is gone");
	TEST_ASSERT(!munmap(p, len), "munmap");
}

int main(void)
{
	static const struct hvp_test tests[] = {
		{ .name = "channel_end_to_end", .fn = channel_end_to_end, .timeout_s = 100 },
		HVP_TEST(rings_in_anonymous_memory),
		HVP_TEST(ring_mmap_rules),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
