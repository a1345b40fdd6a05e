// SPDX-License-Identifier: GPL-2.0
/*
 * A guest that corrupts its rings while the host uses them, next to a
 * partition that behaves (issue 5, point 5).
 *
 *  - ic_rings: partition A opens the four in-kernel ICs, then breaks them
 *    one way each - a bad write index in the heartbeat's guest->host ring,
 *    a bad read index in the shutdown's host->guest ring, a descriptor
 *    longer than the ring in timesync's, a packet larger than the IC takes
 *    in KVP's. The host refuses the broken channel with a log line (read
 *    back from /dev/kmsg), keeps serving the others, and a channel the
 *    guest closes and opens again works again. Partition B, running at
 *    the same time, answers its heartbeats and a KVP request throughout.
 *  - vsp_ring: the guest scribbles over both rings of a channel a VMM
 *    serves from userspace with vmbus/ring.c; the VSP gets EPROTO (never
 *    a fault), closes the channel fd, the guest sees the rescind.
 *  - memory_bounded: four rounds of a partition doing all of that plus a
 *    thousand GPADLs and a message flood; slab, vmalloc and free memory
 *    after the later rounds stay where the first left them.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hvp_util.h"
#include "hyperv.h"
#include "vmbus_guest.h"
#include "vmbus_host.h"

#define ICFLAG_TRANSACTION	1
#define ICFLAG_RESPONSE		4

enum { IC_HB, IC_SD, IC_TS, IC_KVP, NR_IC };

static const uint8_t ic_guids[NR_IC][16] = {
	VMBUS_GUID_HEARTBEAT, VMBUS_GUID_SHUTDOWN, VMBUS_GUID_TIMESYNC, VMBUS_GUID_KVP,
};
static const uint8_t guid_test[16] = { 0x68, 0x76, 0x70, 0x61, 0x72, 0x74, 0x2d, 0x74,
				       0x65, 0x73, 0x74, 0, 0, 0, 0, 0 };

struct icv {
	uint16_t major, minor;
} __attribute__((packed));

struct ic_hdr {
	uint32_t pipe_flags, pipe_msgsize;
	struct icv frame;
	uint16_t type;
	struct icv msg;
	uint16_t size;
	uint32_t status;
	uint8_t txn, flags, rsvd[2];
} __attribute__((packed));

/* ---- guest: a small IC responder -------------------------------------------------------- */

static struct vmbus_chan ics[NR_IC];
static bool ic_open[NR_IC];
static uint32_t negotiated[NR_IC];
static uint8_t pkt[16384];
static volatile uint32_t guest_stop;
static volatile uint32_t answers[NR_IC];

/* Answer everything queued on @i: NEGOTIATE with 3.0 and the host's first version. */
static void ic_serve(unsigned int i)
{
	const struct vmbus_packet_desc *d = (const void *)pkt;
	uint32_t len, plen;
	struct ic_hdr *h;

	while (ic_open[i] && !vmbus_chan_recv(&ics[i], pkt, sizeof(pkt), &len)) {
		h = (void *)(pkt + d->offset8 * 8);
		plen = len - d->offset8 * 8;
		GUEST_ASSERT_2(plen >= sizeof(*h), i, plen);
		if (h->type == 0) {
			uint16_t *counts = (void *)(h + 1);
			struct icv *v = (void *)((uint8_t *)(h + 1) + 8);

			v[1] = v[counts[0]];	/* the host's first service version */
			counts[0] = counts[1] = 1;
			negotiated[i]++;
		} else if (h->type == 1) {
			*(uint64_t *)(h + 1) += 1;	/* heartbeat */
		} else if (h->type == 2) {
			uint8_t *m = (void *)(h + 1);

			/* KVP GET: value "ok" (UTF-16LE, 6 bytes with the NUL). */
			*(uint32_t *)(m + 4) = 1;
			*(uint32_t *)(m + 12) = 6;
			memcpy(m + 16 + 512, "o\0k\0\0\0", 6);
		}
		h->status = 0;
		h->flags = ICFLAG_TRANSACTION | ICFLAG_RESPONSE;
		vmbus_chan_send_wait(&ics[i], VMBUS_PKT_DATA_INBAND, 0, d->trans_id, h, plen,
				     VMBUS_WAIT_MS);
		answers[i]++;
	}
}

static void ic_open_one(unsigned int i)
{
	uint32_t relid = vmbus_find_offer(ic_guids[i], 0), n = negotiated[i];

	GUEST_ASSERT_1(relid, i);
	GUEST_ASSERT_1(!vmbus_chan_open(&ics[i], relid, 4, 4, 0), i);
	ic_open[i] = true;
	while (negotiated[i] == n) {
		ic_serve(i);
		vmbus_idle();
	}
}

static void ic_close_one(unsigned int i)
{
	vmbus_chan_close(&ics[i]);
	ic_open[i] = false;
}

static void serve_for(uint64_t ms)
{
	uint64_t end = vmbus_now_ms() + ms;
	unsigned int i;

	while (vmbus_now_ms() < end) {
		for (i = 0; i < NR_IC; i++)
			ic_serve(i);
		vmbus_pump();
		vmbus_flush_queue();
		vmbus_idle();
	}
}

/* Partition B: heartbeat and KVP, answered until told to stop. */
static void guest_good(void)
{
	vmbus_guest_init();
	GUEST_ASSERT(vmbus_connect(VMBUS_VERSION_WIN10_V5_3));
	vmbus_request_offers();
	ic_open_one(IC_HB);
	ic_open_one(IC_KVP);
	GUEST_SYNC(1);
	while (!guest_stop)
		serve_for(50);
	GUEST_DONE();
}

/* A well-formed packet with a lying descriptor, written the guest's way. */
static void put_packet(struct vmbus_chan *c, uint16_t len8, uint16_t offset8, uint32_t bytes)
{
	struct vmbus_gring *r = &c->send;
	uint32_t w = r->hdr->write_index, i;
	struct vmbus_packet_desc d = { .type = VMBUS_PKT_DATA_INBAND, .offset8 = offset8,
				       .len8 = len8, .trans_id = 7 };

	memcpy(r->data + w, &d, sizeof(d));
	for (i = 16; i < bytes; i++)
		r->data[(w + i) % r->size] = 0x5a;
	*(uint64_t *)(r->data + (w + bytes) % r->size) = (uint64_t)w << 32;
	__sync_synchronize();
	r->hdr->write_index = (w + bytes + 8) % r->size;
}

/* Partition A. */
static void guest_bad(void)
{
	unsigned int i;

	vmbus_guest_init();
	GUEST_ASSERT(vmbus_connect(VMBUS_VERSION_WIN10_V5_3));
	vmbus_request_offers();
	for (i = 0; i < NR_IC; i++)
		ic_open_one(i);
	GUEST_SYNC(1);			/* all four ready */

	/* Heartbeat: the guest->host write index off the 8-byte grid. */
	ics[IC_HB].send.hdr->write_index = 4;
	ic_open[IC_HB] = false;
	vmbus_chan_signal(&ics[IC_HB]);
	serve_for(100);
	GUEST_SYNC2(2, ics[IC_HB].relid);

	/* Shutdown: the host->guest read index past the ring. */
	ics[IC_SD].recv.hdr->read_index = ics[IC_SD].recv.size + 64;
	ic_open[IC_SD] = false;
	GUEST_SYNC2(3, ics[IC_SD].relid);	/* the host asks for a shutdown */

	/* Timesync: a descriptor claiming more than the ring holds. */
	put_packet(&ics[IC_TS], 0xffff, 2, 64);
	vmbus_chan_signal(&ics[IC_TS]);
	serve_for(100);
	GUEST_SYNC2(4, ics[IC_TS].relid);

	/* KVP: a valid packet larger than an IC message may be. */
	put_packet(&ics[IC_KVP], 9000 / 8, 2, 9000);
	vmbus_chan_signal(&ics[IC_KVP]);
	serve_for(100);
	GUEST_SYNC2(5, ics[IC_KVP].relid);

	/* Closed and opened again: fresh rings, all four work again. */
	for (i = 0; i < NR_IC; i++) {
		ic_close_one(i);
		ic_open_one(i);
	}
	GUEST_SYNC(6);
	while (!guest_stop)
		serve_for(50);
	GUEST_DONE();
}

/* ---- host ------------------------------------------------------------------------------- */

struct runner {
	struct hvp_vm *vm;
	struct hvp_vp *vp;
	pthread_t th;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint64_t stage, arg;
	bool done;
};

static void *runner_main(void *arg)
{
	struct runner *r = arg;
	struct ucall uc;

	while (vp_run_ucall(r->vp, &uc) == UCALL_SYNC) {
		pthread_mutex_lock(&r->lock);
		r->stage = uc.args[0];
		r->arg = uc.args[1];
		pthread_cond_broadcast(&r->cond);
		/* Wait for the host to have looked before the guest goes on. */
		while (r->stage)
			pthread_cond_wait(&r->cond, &r->lock);
		pthread_mutex_unlock(&r->lock);
	}
	pthread_mutex_lock(&r->lock);
	r->done = true;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

static void runner_start(struct runner *r, void (*guest)(void), uint32_t ics)
{
	r->vm = vmbus_vm_create(&r->vp, guest);
	vm_vmbus_create(r->vm, ics);
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	TEST_ASSERT(!pthread_create(&r->th, NULL, runner_main, r), "pthread_create");
}

/* Wait for guest stage @n (its argument returned); the guest waits until runner_go. */
static uint64_t runner_wait(struct runner *r, uint64_t n)
{
	struct timespec ts;
	uint64_t arg;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 30;
	pthread_mutex_lock(&r->lock);
	while (r->stage != n && !r->done)
		TEST_ASSERT(!pthread_cond_timedwait(&r->cond, &r->lock, &ts),
			    "guest stage %lu never came", (unsigned long)n);
	TEST_ASSERT(r->stage == n, "guest finished before stage %lu", (unsigned long)n);
	arg = r->arg;
	pthread_mutex_unlock(&r->lock);
	return arg;
}

static void runner_go(struct runner *r)
{
	pthread_mutex_lock(&r->lock);
	r->stage = 0;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

static void runner_finish(struct runner *r)
{
	*(volatile uint32_t *)addr_ptr2hva(r->vm, (void *)&guest_stop) = 1;
	pthread_join(r->th, NULL);
	TEST_ASSERT(r->done, "guest done");
	vm_free(r->vm);
}

static uint64_t ms_now(void)
{
	return time_now_ns() / 1000000;
}

static void wait_ready(struct hvp_vm *vm, uint32_t want)
{
	struct hvpart_vmbus_status st;
	uint64_t end = ms_now() + 10000;

	do {
		vm_vmbus_status(vm, &st);
		if ((st.ics_ready & want) == want)
			return;
		usleep(10000);
	} while (ms_now() < end);
	TEST_FAIL("ics_ready %#x, wanted %#x", st.ics_ready, want);
}

static uint64_t heartbeat(struct hvp_vm *vm)
{
	struct hvpart_vmbus_status st;

	vm_vmbus_status(vm, &st);
	return st.heartbeat_seq;
}

/* /dev/kmsg from now on; each read() is one record. */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	TEST_REQUIRE(fd >= 0);
	lseek(fd, 0, SEEK_END);
	return fd;
}

static bool kmsg_find(int fd, const char *needle, int timeout_ms)
{
	uint64_t end = ms_now() + timeout_ms;
	char rec[2048];
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n > 0) {
			rec[n] = 0;
			if (strstr(rec, needle))
				return true;
			continue;
		}
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (ms_now() > end)
			return false;
		usleep(20000);
	}
}

static void kvp_get_ok(struct hvp_vm *vm, const char *who)
{
	struct hvpart_vmbus_kvp *a = calloc(1, sizeof(*a));

	strcpy(a->key, "anything");
	TEST_ASSERT(!__vm_ioctl(vm, HVPART_VMBUS_KVP, a) && !a->status && !strcmp(a->value, "ok"),
		    "%s: KVP GET: errno %d status %#x value '%s'", who, errno, a->status, a->value);
	free(a);
}

static void ic_rings(const void *arg __unused)
{
	struct runner a = {}, b = {};
	struct hvpart_vmbus_shutdown sd = {};
	uint64_t hb_a, hb_b, relid;
	char needle[96];
	int kmsg = kmsg_open(), r;

	runner_start(&b, guest_good, HVPART_VMBUS_IC(HEARTBEAT) | HVPART_VMBUS_IC(KVP));
	runner_wait(&b, 1);
	runner_go(&b);
	runner_start(&a, guest_bad, HVPART_VMBUS_IC_MASK);
	runner_wait(&a, 1);
	wait_ready(a.vm, HVPART_VMBUS_IC_MASK);
	runner_go(&a);
	hb_b = heartbeat(b.vm);

	relid = runner_wait(&a, 2);
	snprintf(needle, sizeof(needle), "VMBus channel %lu: guest corrupted its ring",
		 (unsigned long)relid);
	TEST_ASSERT(kmsg_find(kmsg, needle, 3000), "no log line '%s' (heartbeat ring)", needle);
	hb_a = heartbeat(a.vm);
	runner_go(&a);

	relid = runner_wait(&a, 3);
	r = __vm_ioctl(a.vm, HVPART_VMBUS_SHUTDOWN, &sd);
	tap_diag("SHUTDOWN over a ring whose read index is corrupt: rc %d errno %d (%s)", r,
		 errno, strerror(errno));
	TEST_ASSERT(r == -1, "SHUTDOWN over a corrupt ring succeeded");
	snprintf(needle, sizeof(needle), "VMBus channel %lu: guest corrupted its ring",
		 (unsigned long)relid);
	TEST_ASSERT(kmsg_find(kmsg, needle, 3000), "no log line '%s' (shutdown ring)", needle);
	runner_go(&a);

	relid = runner_wait(&a, 4);
	snprintf(needle, sizeof(needle), "VMBus channel %lu: guest corrupted its ring",
		 (unsigned long)relid);
	TEST_ASSERT(kmsg_find(kmsg, needle, 3000), "no log line '%s' (timesync ring)", needle);
	runner_go(&a);

	runner_wait(&a, 5);
	TEST_ASSERT(kmsg_find(kmsg, "kvp: oversized packet from the guest", 3000),
		    "no log line for the oversized KVP packet");
	/* Meanwhile: A's heartbeat stopped, B's goes on. */
	usleep(4500000);
	TEST_ASSERT(heartbeat(a.vm) <= hb_a + 1, "A's heartbeat %lu -> %lu over a broken ring",
		    (unsigned long)hb_a, (unsigned long)heartbeat(a.vm));
	TEST_ASSERT(heartbeat(b.vm) >= hb_b + 2, "B's heartbeat stalled: %lu -> %lu",
		    (unsigned long)hb_b, (unsigned long)heartbeat(b.vm));
	kvp_get_ok(b.vm, "B while A is broken");
	runner_go(&a);

	/* Reopened: A works again. */
	runner_wait(&a, 6);
	runner_go(&a);
	wait_ready(a.vm, HVPART_VMBUS_IC_MASK);
	kvp_get_ok(a.vm, "A after reopening");
	TEST_ASSERT(!__vm_ioctl(a.vm, HVPART_VMBUS_SHUTDOWN, &sd), "A: SHUTDOWN after reopening: "
		    "errno %d", errno);
	hb_a = heartbeat(a.vm);
	usleep(4500000);
	TEST_ASSERT(heartbeat(a.vm) >= hb_a + 1, "A's heartbeat after reopening: %lu -> %lu",
		    (unsigned long)hb_a, (unsigned long)heartbeat(a.vm));
	runner_finish(&a);
	kvp_get_ok(b.vm, "B after A is gone");
	runner_finish(&b);
	close(kmsg);
}

/* ---- the VSP's rings ------------------------------------------------------------------------ */

static volatile uint32_t scribble_rounds;

static void guest_scribble(void)
{
	uint32_t relid, round, i, seed = 12345;
	struct vmbus_chan c;

	vmbus_guest_init();
	GUEST_ASSERT(vmbus_connect(VMBUS_VERSION_WIN10_V5_3));
	vmbus_request_offers();
	relid = vmbus_find_offer(guid_test, 0);
	GUEST_ASSERT(!vmbus_chan_open(&c, relid, 3, 3, 0));
	/* Honest first, until the VSP answers: it is serving the rings. */
	for (round = 0; round < 20; round++) {
		uint8_t buf[64] = {};
		uint32_t len;

		vmbus_chan_send_wait(&c, VMBUS_PKT_DATA_INBAND, 0, round, buf, sizeof(buf),
				     VMBUS_WAIT_MS);
		GUEST_ASSERT(vmbus_chan_wait(&c, VMBUS_WAIT_MS));
		GUEST_ASSERT(!vmbus_chan_recv(&c, pkt, sizeof(pkt), &len));
	}
	for (round = 0; !vmbus_g.rescinded[relid] && round < 20000; round++) {
		uint32_t *w = (uint32_t *)c.ring;
		uint32_t words = (c.send_pages + c.recv_pages) * 1024;

		/*
		 * An honest-looking packet where the (possibly scribbled) write
		 * index says, then garbage anywhere in both rings.
		 */
		c.send.hdr->write_index = (c.send.hdr->write_index % c.send.size) & ~7U;
		if (c.send.hdr->write_index + 80 < c.send.size)
			put_packet(&c, 10, 2, 80);
		for (i = 0; i < 16; i++) {
			seed = seed * 1103515245 + 12345;
			w[(seed >> 8) % words] = seed;
		}
		/* And the indices in particular, now and then. */
		if (round % 7 == 0)
			c.send.hdr->write_index = seed;
		if (round % 11 == 0)
			c.recv.hdr->read_index = seed >> 3;
		vmbus_chan_signal(&c);
		vmbus_pump();
		scribble_rounds = round;
	}
	GUEST_ASSERT_1(vmbus_g.rescinded[relid], round);
	/* What Linux does with a rescinded channel. */
	vmbus_chan_close(&c);
	{
		struct vmbus_msg_relid_released rel = {
			.h.msgtype = VMBUS_MSG_RELID_RELEASED, .child_relid = relid,
		};

		vmbus_send(&rel, sizeof(rel));
	}
	vmbus_ping();
	GUEST_DONE();
}

struct scribble_vsp {
	struct vsp v;
	uint64_t packets, eproto;
	bool closed;
};

/* Serve until the ring is refused, then close the channel fd (rescind). */
static void *scribble_vsp_main(void *arg)
{
	struct scribble_vsp *s = arg;
	struct hvpart_vmbus_chan_event ev;
	static uint8_t buf[65536];
	uint64_t end = ms_now() + 30000;
	uint32_t len;
	int r = 0;

	vsp_expect_event(&s->v, HVPART_VMBUS_CHAN_OPENED, &ev, 10000);
	vsp_attach(&s->v, &ev);
	while (ms_now() < end) {
		vsp_wait_kick(&s->v, 10);
		while ((r = vsp_recv(&s->v, buf, sizeof(buf), &len)) == 0) {
			s->packets++;
			vsp_send(&s->v, VMBUS_PKT_COMP, 0, 1, buf, 16);
		}
		if (r == -EPROTO) {
			s->eproto++;
			break;
		}
		TEST_ASSERT(r == -EAGAIN || r == -EMSGSIZE, "hvp_ring_recv: %d", r);
	}
	TEST_ASSERT(r == -EPROTO, "the scribbled ring was never refused");
	TEST_ASSERT(s->packets >= 20, "only %lu packets before the scribbling",
		    (unsigned long)s->packets);
	TEST_ASSERT(s->v.in.broken, "ring not marked broken");
	vsp_close(&s->v);
	s->closed = true;
	return NULL;
}

static void vsp_ring(const void *arg __unused)
{
	struct scribble_vsp *s = calloc(1, sizeof(*s));
	struct hvpart_vmbus_status st;
	struct hvp_vp *vp;
	struct hvp_vm *vm = vmbus_vm_create(&vp, guest_scribble);
	pthread_t th;

	vm_vmbus_create(vm, 0);
	vsp_offer(&s->v, vm, 1);
	TEST_ASSERT(!pthread_create(&th, NULL, scribble_vsp_main, s), "pthread_create");
	vp_run_expect_done(vp);
	pthread_join(th, NULL);
	tap_diag("VSP: %lu packets before the ring was refused, guest rounds %u",
		 (unsigned long)s->packets, *(uint32_t *)addr_ptr2hva(vm, (void *)&scribble_rounds));
	vm_vmbus_status(vm, &st);
	TEST_ASSERT(!st.channels && !st.gpadls && !st.open_channels,
		    "after the rescind: channels %u gpadls %u open %u", st.channels, st.gpadls,
		    st.open_channels);
	free(s);
	vm_free(vm);
}

/* ---- memory --------------------------------------------------------------------------------- */

static void guest_churn(void)
{
	struct vmbus_msg_gpadl_teardown t = { .h.msgtype = VMBUS_MSG_GPADL_TEARDOWN };
	uint8_t *mem;
	uint32_t i, id;

	vmbus_guest_init();
	GUEST_ASSERT(vmbus_connect(VMBUS_VERSION_WIN10_V5_3));
	vmbus_request_offers();
	for (i = 0; i < NR_IC; i++)
		ic_open_one(i);
	/* Break two rings, leave a thousand GPADLs and a flood behind. */
	ics[IC_HB].send.hdr->write_index = 12;
	vmbus_chan_signal(&ics[IC_HB]);
	ics[IC_TS].recv.hdr->read_index = 0xfffffff8;
	mem = vmbus_pages(16);
	for (i = 0; i < 1000; i++)
		GUEST_ASSERT_1(!vmbus_gpadl_create(vmbus_find_offer(guid_test, 0), mem, 16, &id), i);
	for (i = 0; i < 300; i++) {
		t.gpadl = i;
		vmbus_post_raw(vmbus_g.msg_conn_id, VMBUS_HV_MESSAGE_TYPE, &t, sizeof(t));
	}
	GUEST_DONE();
}

struct meminfo {
	long free_kb, slab_kb, vmalloc_kb;
};

static void meminfo(struct meminfo *m)
{
	char line[256];
	FILE *f = fopen("/proc/meminfo", "r");

	TEST_ASSERT(f, "/proc/meminfo");
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "MemFree: %ld", &m->free_kb);
		sscanf(line, "Slab: %ld", &m->slab_kb);
		sscanf(line, "VmallocUsed: %ld", &m->vmalloc_kb);
	}
	fclose(f);
}

static void memory_bounded(const void *arg __unused)
{
	struct meminfo m[5];
	unsigned int round;

	for (round = 0; round < 4; round++) {
		struct hvp_vp *vp;
		struct hvp_vm *vm = vmbus_vm_create(&vp, guest_churn);
		struct vsp v;

		vm_vmbus_create(vm, HVPART_VMBUS_IC_MASK);
		vsp_offer(&v, vm, 1);
		vp_run_expect_done(vp);
		/* The guest's last answers may still be queued: the partition goes anyway. */
		vsp_close(&v);
		vm_free(vm);
		usleep(200000);
		meminfo(&m[round]);
		tap_diag("round %u: MemFree %ld kB, Slab %ld kB, VmallocUsed %ld kB", round,
			 m[round].free_kb, m[round].slab_kb, m[round].vmalloc_kb);
	}
	/* The first round warms caches; the later ones must not keep growing. */
	TEST_ASSERT(m[3].slab_kb - m[1].slab_kb < 2048, "slab grew %ld kB over two rounds",
		    m[3].slab_kb - m[1].slab_kb);
	TEST_ASSERT(m[3].vmalloc_kb - m[1].vmalloc_kb < 1024, "vmalloc grew %ld kB over two rounds",
		    m[3].vmalloc_kb - m[1].vmalloc_kb);
	/*
	 * MemFree also moves with what the rest of the host frees late (a
	 * round once read 33 MB above the one before it): a leak is a fall
	 * in every round, so the smaller of the two falls must stay small.
	 */
	TEST_ASSERT(m[1].free_kb - m[2].free_kb < 4096 || m[2].free_kb - m[3].free_kb < 4096,
		    "free memory fell %ld kB, then %ld kB, in two rounds",
		    m[1].free_kb - m[2].free_kb, m[2].free_kb - m[3].free_kb);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		{ .name = "ic_rings", .fn = ic_rings, .timeout_s = 90 },
		HVP_TEST(vsp_ring),
		HVP_TEST(memory_bounded),
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
