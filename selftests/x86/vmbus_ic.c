// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel integration services (vmbus/ic/) against a guest that
 * answers them as Linux's hv_utils does (drivers/hv/hv_util.c, hv_kvp.c,
 * vmbus_prep_negotiate_resp): open each channel, answer NEGOTIATE with
 * one framework and one service version picked from the guest's own
 * lists, then answer every request on the same ring with the request's
 * transaction id and the response flag.
 *
 *  - all_services: the versions the host offers and those negotiated;
 *    HVPART_VMBUS_STATUS ics_ready; heartbeats answered and the sequence
 *    advancing; a timesync sample whose reference time matches the
 *    guest's TIME_REF_COUNT and whose wall clock matches the host's;
 *    HVPART_VMBUS_SHUTDOWN accepted (0), refused (EIO) and unanswered
 *    (ETIMEDOUT), power-off and reboot flags; HVPART_VMBUS_KVP GET, SET,
 *    DELETE and ENUMERATE with non-ASCII and non-BMP strings (UTF-8 at
 *    the ioctl, UTF-16LE with sizes including the NUL on the wire), a
 *    failing request's HRESULT, pools; after the guest closes the
 *    channels: ENOTCONN, nothing ready
 *  - other_versions: a guest with no common framework for heartbeat and
 *    no common service version for timesync (neither ready, nothing sent),
 *    shutdown 3.0 and KVP 3.0: what the host sends afterwards carries the
 *    negotiated versions
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "hvp_util.h"
#include "hyperv.h"
#include "vmbus_guest.h"

/* hv_utils framing (hyperv-facts §6.3). */
#define ICMSG_NEGOTIATE		0
#define ICMSG_HEARTBEAT		1
#define ICMSG_KVP		2
#define ICMSG_SHUTDOWN		3
#define ICMSG_TIMESYNC		4
#define ICFLAG_TRANSACTION	1
#define ICFLAG_REQUEST		2
#define ICFLAG_RESPONSE		4
#define HV_E_FAIL		0x80004005U
#define NO_ANSWER		0xffffffffU
#define WLTIMEDELTA		116444736000000000ULL

struct icv {
	uint16_t major, minor;
} __attribute__((packed));

struct ic_hdr {
	uint32_t pipe_flags;
	uint32_t pipe_msgsize;
	struct icv frame;
	uint16_t type;
	struct icv msg;
	uint16_t size;
	uint32_t status;
	uint8_t txn;
	uint8_t flags;
	uint8_t rsvd[2];
} __attribute__((packed));

struct ic_negotiate {
	uint16_t fw_count;
	uint16_t msg_count;
	uint32_t rsvd;
	struct icv v[];
} __attribute__((packed));

struct kvp_value {
	uint32_t value_type;
	uint32_t key_size;
	uint32_t value_size;
	uint8_t key[512];
	uint8_t value[2048];
} __attribute__((packed));

struct kvp_msg {
	uint8_t op;
	uint8_t pool;
	uint16_t pad;
	union {
		struct kvp_value data;
		struct {
			uint32_t key_size;
			uint8_t key[512];
		} __attribute__((packed)) del;
		struct {
			uint32_t index;
			struct kvp_value data;
		} __attribute__((packed)) en;
	} __attribute__((packed)) body;
} __attribute__((packed));

enum { IC_HB, IC_SD, IC_TS, IC_KVP, NR_IC };

static const uint8_t ic_guids[NR_IC][16] = {
	VMBUS_GUID_HEARTBEAT, VMBUS_GUID_SHUTDOWN, VMBUS_GUID_TIMESYNC, VMBUS_GUID_KVP,
};

/* ---- what the guest supports and records (host reads it live) ---------------- */

/* Per service: the versions the guest speaks, newest first (Linux's lists). */
struct guest_versions {
	struct icv fw[2];
	unsigned int nr_fw;
	struct icv svc[4];
	unsigned int nr_svc;
};

static struct guest_versions gv[NR_IC];

struct neg_record {
	uint32_t done;
	uint16_t host_fw, host_msg;
	struct icv host[8];
	struct icv fw, svc;		/* chosen; 0.0 when none */
};

static struct neg_record neg[NR_IC];

static struct {
	uint32_t count;
	uint64_t last_seq;
	struct icv frame, msg;
} hb_rec;

struct ts_sample {
	uint64_t parent, ref, recv_ref;
	uint8_t flags;
	struct icv frame, msg;
};

static struct {
	uint32_t count;
	struct ts_sample first, last;
} ts_rec;

static volatile uint32_t sd_answer;
static struct {
	uint32_t count;
	uint32_t reason, timeout, flags;
	char msg[64];
	struct icv frame, msg_ver;
} sd_rec;

#define KVP_ENTRIES	8
struct kvp_entry {
	uint32_t used;
	uint32_t key_bytes, value_bytes;
	uint32_t key_size_claim;	/* non-zero: the key_size put on the wire */
	uint8_t key[512];
	uint8_t value[2048];
};

static struct kvp_entry kvp_table[KVP_ENTRIES];
static struct {
	uint32_t count;
	uint8_t op, pool;
	uint32_t index, key_size, value_type, value_size;
	uint8_t key[512];
	uint8_t value[2048];
	struct icv msg;
} kvp_rec;

static volatile uint32_t guest_stop;
static volatile uint32_t guest_bad;	/* first unexpected thing, for the host */

/* ---- guest ------------------------------------------------------------------------ */

static struct vmbus_chan ics[NR_IC];
static uint8_t pkt[8192];

static bool icv_eq(struct icv a, struct icv b)
{
	return a.major == b.major && a.minor == b.minor;
}

/* vmbus_prep_negotiate_resp(): the first of ours the host also offers. */
static void ic_negotiate(unsigned int i, struct ic_hdr *h, uint32_t plen)
{
	struct ic_negotiate *n = (void *)(h + 1);
	struct neg_record *r = &neg[i];
	struct icv fw = {}, svc = {};
	unsigned int k, j;
	bool found_fw = false, found_svc = false;

	GUEST_ASSERT_2(plen >= sizeof(*h) + sizeof(*n), i, plen);
	GUEST_ASSERT_2(plen >= sizeof(*h) + sizeof(*n) + (n->fw_count + n->msg_count) * 4u, i,
		       plen);
	r->host_fw = n->fw_count;
	r->host_msg = n->msg_count;
	for (k = 0; k < n->fw_count + n->msg_count && k < 8; k++)
		r->host[k] = n->v[k];
	for (k = 0; k < gv[i].nr_fw && !found_fw; k++)
		for (j = 0; j < n->fw_count; j++)
			if (icv_eq(gv[i].fw[k], n->v[j])) {
				fw = gv[i].fw[k];
				found_fw = true;
				break;
			}
	for (k = 0; k < gv[i].nr_svc && !found_svc; k++)
		for (j = 0; j < n->msg_count; j++)
			if (icv_eq(gv[i].svc[k], n->v[n->fw_count + j])) {
				svc = gv[i].svc[k];
				found_svc = true;
				break;
			}
	if (found_fw && found_svc) {
		n->fw_count = 1;
		n->msg_count = 1;
		n->v[0] = fw;
		n->v[1] = svc;
		r->fw = fw;
		r->svc = svc;
	} else {
		n->fw_count = 0;
		n->msg_count = 0;
	}
	r->done++;
}

static uint32_t kvp_find(const uint8_t *key, uint32_t size)
{
	uint32_t i;

	for (i = 0; i < KVP_ENTRIES; i++)
		if (kvp_table[i].used && kvp_table[i].key_bytes == size &&
		    !memcmp(kvp_table[i].key, key, size))
			return i;
	return KVP_ENTRIES;
}

static uint32_t ic_kvp(struct ic_hdr *h, uint32_t plen)
{
	struct kvp_msg *m = (void *)(h + 1);
	struct kvp_value *v = &m->body.data;
	uint32_t i, n;

	GUEST_ASSERT_1(plen >= sizeof(*h) + sizeof(*m), plen);
	kvp_rec.op = m->op;
	kvp_rec.pool = m->pool;
	kvp_rec.msg = h->msg;
	switch (m->op) {
	case HVPART_KVP_OP_GET:
	case HVPART_KVP_OP_SET:
		GUEST_ASSERT_1(v->key_size <= 512 && v->value_size <= 2048, v->key_size);
		kvp_rec.key_size = v->key_size;
		memcpy(kvp_rec.key, v->key, 512);
		kvp_rec.value_type = v->value_type;
		kvp_rec.value_size = v->value_size;
		memcpy(kvp_rec.value, v->value, 2048);
		i = kvp_find(v->key, v->key_size);
		if (m->op == HVPART_KVP_OP_SET) {
			if (i == KVP_ENTRIES)
				for (i = 0; i < KVP_ENTRIES && kvp_table[i].used; i++)
					;
			if (i == KVP_ENTRIES)
				return HV_E_FAIL;
			kvp_table[i].used = 1;
			kvp_table[i].key_bytes = v->key_size;
			memcpy(kvp_table[i].key, v->key, v->key_size);
			kvp_table[i].value_bytes = v->value_size;
			memcpy(kvp_table[i].value, v->value, v->value_size);
			return 0;
		}
		if (i == KVP_ENTRIES)
			return HV_E_FAIL;
		v->value_type = 1;
		v->value_size = kvp_table[i].value_bytes;
		memcpy(v->value, kvp_table[i].value, kvp_table[i].value_bytes);
		return 0;
	case HVPART_KVP_OP_DELETE:
		kvp_rec.key_size = m->body.del.key_size;
		memcpy(kvp_rec.key, m->body.del.key, 512);
		i = kvp_find(m->body.del.key, m->body.del.key_size);
		if (i == KVP_ENTRIES)
			return HV_E_FAIL;
		kvp_table[i].used = 0;
		return 0;
	case HVPART_KVP_OP_ENUMERATE:
		kvp_rec.index = m->body.en.index;
		for (i = 0, n = 0; i < KVP_ENTRIES; i++) {
			if (!kvp_table[i].used || n++ != m->body.en.index)
				continue;
			v = &m->body.en.data;
			v->value_type = 1;
			v->key_size = kvp_table[i].key_size_claim ?: kvp_table[i].key_bytes;
			memcpy(v->key, kvp_table[i].key, kvp_table[i].key_bytes);
			v->value_size = kvp_table[i].value_bytes;
			memcpy(v->value, kvp_table[i].value, kvp_table[i].value_bytes);
			return 0;
		}
		return HV_E_FAIL;
	}
	return HV_E_FAIL;
}

/* One request from the host: record, answer. */
static void ic_handle(unsigned int i)
{
	const struct vmbus_packet_desc *d = (const void *)pkt;
	struct ic_hdr *h;
	uint32_t len, plen, status = 0;

	while (!vmbus_chan_recv(&ics[i], pkt, sizeof(pkt), &len)) {
		h = (void *)(pkt + d->offset8 * 8);
		plen = len - d->offset8 * 8;
		GUEST_ASSERT_2(d->type == VMBUS_PKT_DATA_INBAND && plen >= sizeof(*h), i, plen);
		/* The host asks; a transaction, not flagged as a response. */
		GUEST_ASSERT_2(h->flags == (ICFLAG_TRANSACTION | ICFLAG_REQUEST), i, h->flags);
		/* Sizes as sent; the packet itself is padded to 8 bytes. */
		GUEST_ASSERT_2(h->pipe_msgsize <= plen - 8 && plen - 8 - h->pipe_msgsize < 8, i,
			       h->pipe_msgsize);
		GUEST_ASSERT_2(h->size == h->pipe_msgsize - (sizeof(*h) - 8), i, h->size);
		if (h->type == ICMSG_NEGOTIATE) {
			ic_negotiate(i, h, plen);
		} else if (i == IC_HB && h->type == ICMSG_HEARTBEAT) {
			uint64_t *seq = (void *)(h + 1);

			GUEST_ASSERT_1(plen >= sizeof(*h) + 8, plen);
			hb_rec.last_seq = *seq;
			hb_rec.frame = h->frame;
			hb_rec.msg = h->msg;
			*seq += 1;
			hb_rec.count++;
		} else if (i == IC_TS && h->type == ICMSG_TIMESYNC) {
			struct ts_sample s = { .recv_ref = hv_ref_time() };
			uint8_t *b = (void *)(h + 1);

			GUEST_ASSERT_1(plen >= sizeof(*h) + 19, plen);
			memcpy(&s.parent, b, 8);
			memcpy(&s.ref, b + 8, 8);
			s.flags = b[16];
			s.frame = h->frame;
			s.msg = h->msg;
			if (!ts_rec.count)
				ts_rec.first = s;
			ts_rec.last = s;
			ts_rec.count++;
		} else if (i == IC_SD && h->type == ICMSG_SHUTDOWN) {
			uint32_t *b = (void *)(h + 1);

			GUEST_ASSERT_1(plen >= sizeof(*h) + 12 + 2048, plen);
			sd_rec.reason = b[0];
			sd_rec.timeout = b[1];
			sd_rec.flags = b[2];
			memcpy(sd_rec.msg, b + 3, sizeof(sd_rec.msg) - 1);
			sd_rec.frame = h->frame;
			sd_rec.msg_ver = h->msg;
			sd_rec.count++;
			status = sd_answer;
			if (status == NO_ANSWER)
				continue;
		} else if (i == IC_KVP && h->type == ICMSG_KVP) {
			status = ic_kvp(h, plen);
			kvp_rec.count++;
		} else {
			if (!guest_bad)
				guest_bad = 0x1000 * (i + 1) + h->type;
			continue;
		}
		h->status = status;
		h->flags = ICFLAG_TRANSACTION | ICFLAG_RESPONSE;
		/* Linux answers with the packet it got, same length, no completion flag. */
		vmbus_chan_send_wait(&ics[i], VMBUS_PKT_DATA_INBAND, 0, d->trans_id, h, plen,
				     VMBUS_WAIT_MS);
	}
}

static void guest_ics(void)
{
	uint32_t relid, i;

	vmbus_guest_init();
	GUEST_ASSERT(vmbus_connect(VMBUS_VERSION_WIN10_V5_3));
	vmbus_request_offers();
	for (i = 0; i < NR_IC; i++) {
		relid = vmbus_find_offer(ic_guids[i], 0);
		GUEST_ASSERT_1(relid, i);
		/* hv_utils: 3 data pages and a header each way. */
		GUEST_ASSERT_1(!vmbus_chan_open(&ics[i], relid, 4, 4, 0), i);
	}
	GUEST_SYNC(1);
	while (!guest_stop) {
		for (i = 0; i < NR_IC; i++)
			ic_handle(i);
		vmbus_pump();
		vmbus_idle();
	}
	for (i = 0; i < NR_IC; i++)
		vmbus_chan_close(&ics[i]);
	GUEST_SYNC(2);
	GUEST_DONE();
}

/* ---- host ----------------------------------------------------------------------- */

#define GV(vm, x)	(*(volatile __typeof__(x) *)addr_ptr2hva(vm, &(x)))

struct driver {
	struct hvp_vm *vm;
	sem_t stage;
	volatile uint64_t stage_no;
	void (*fn)(struct driver *d);
	pthread_t th;
	volatile bool done;
};

static void wait_stage(struct driver *d, uint64_t n)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 30;
	TEST_ASSERT(!sem_timedwait(&d->stage, &ts), "guest stage %lu never came", (unsigned long)n);
	TEST_ASSERT(d->stage_no == n, "guest stage %lu, wanted %lu", (unsigned long)d->stage_no,
		    (unsigned long)n);
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
		if (st.ics_ready == want)
			return;
		usleep(10000);
	} while (ms_now() < end);
	TEST_FAIL("ics_ready %#x, wanted %#x", st.ics_ready, want);
}

/* UTF-8 -> UTF-16LE with the NUL; returns bytes. Our own, not the kernel's. */
static uint32_t utf16(const char *s, uint8_t *out)
{
	const uint8_t *p = (const void *)s;
	uint32_t n = 0, cp;

	while (*p) {
		if (*p < 0x80) {
			cp = *p++;
		} else if ((*p & 0xe0) == 0xc0) {
			cp = (p[0] & 0x1f) << 6 | (p[1] & 0x3f);
			p += 2;
		} else if ((*p & 0xf0) == 0xe0) {
			cp = (p[0] & 0x0f) << 12 | (p[1] & 0x3f) << 6 | (p[2] & 0x3f);
			p += 3;
		} else {
			cp = (p[0] & 0x07) << 18 | (p[1] & 0x3f) << 12 | (p[2] & 0x3f) << 6 |
			     (p[3] & 0x3f);
			p += 4;
		}
		if (cp >= 0x10000) {
			cp -= 0x10000;
			out[n++] = (uint8_t)(0xd800 + (cp >> 10));
			out[n++] = (0xd800 + (cp >> 10)) >> 8;
			cp = 0xdc00 + (cp & 0x3ff);
		}
		out[n++] = (uint8_t)cp;
		out[n++] = cp >> 8;
	}
	out[n++] = 0;
	out[n++] = 0;
	return n;
}

static const struct {
	const char *key, *value;
} kvp_init[] = {
	{ "FullyQualifiedDomainName", "guest.example.org" },
	{ "klíč-ключ-€", "välue-日本-€" },
	{ "emoji-\xf0\x9f\x98\x80", "ok \xf0\x9f\x9a\x80" },
};

static void kvp_fill_table(struct hvp_vm *vm)
{
	struct kvp_entry *t = addr_ptr2hva(vm, kvp_table);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kvp_init); i++) {
		t[i].used = 1;
		t[i].key_bytes = utf16(kvp_init[i].key, t[i].key);
		t[i].value_bytes = utf16(kvp_init[i].value, t[i].value);
	}
}

static int kvp(struct hvp_vm *vm, struct hvpart_vmbus_kvp *a, uint8_t op, uint8_t pool,
	       const char *key, const char *value, uint32_t index)
{
	memset(a, 0, sizeof(*a));
	a->op = op;
	a->pool = pool;
	a->index = index;
	if (key)
		strcpy(a->key, key);
	if (value)
		strcpy(a->value, value);
	return __vm_ioctl(vm, HVPART_VMBUS_KVP, a);
}

static void check_kvp(struct driver *d)
{
	struct hvp_vm *vm = d->vm;
	struct hvpart_vmbus_kvp *a = calloc(1, sizeof(*a));
	uint8_t want[2048];
	uint32_t n, i, before;

	for (i = 0; i < ARRAY_SIZE(kvp_init); i++) {
		before = GV(vm, kvp_rec.count);
		TEST_ASSERT(!kvp(vm, a, HVPART_KVP_OP_GET, 3, kvp_init[i].key, NULL, 0),
			    "KVP GET %s: errno %d", kvp_init[i].key, errno);
		TEST_ASSERT(a->status == 0 && !strcmp(a->value, kvp_init[i].value),
			    "KVP GET %s: status %#x value '%s', want '%s'", kvp_init[i].key,
			    a->status, a->value, kvp_init[i].value);
		n = utf16(kvp_init[i].key, want);
		TEST_ASSERT(GV(vm, kvp_rec.count) == before + 1 && GV(vm, kvp_rec.op) == 0 &&
			    GV(vm, kvp_rec.pool) == 3 && GV(vm, kvp_rec.key_size) == n &&
			    !memcmp(addr_ptr2hva(vm, kvp_rec.key), want, n),
			    "KVP GET %s on the wire: op %u pool %u key_size %u (want %u)",
			    kvp_init[i].key, GV(vm, kvp_rec.op), GV(vm, kvp_rec.pool),
			    GV(vm, kvp_rec.key_size), n);
	}
	TEST_ASSERT(!kvp(vm, a, HVPART_KVP_OP_GET, 0, "no such key", NULL, 0) &&
		    a->status == HV_E_FAIL, "KVP GET of a missing key: status %#x", a->status);

	for (i = 0; i < ARRAY_SIZE(kvp_init); i++) {
		TEST_ASSERT(!kvp(vm, a, HVPART_KVP_OP_ENUMERATE, 1, NULL, NULL, i) && !a->status,
			    "KVP ENUMERATE %u: errno %d status %#x", i, errno, a->status);
		TEST_ASSERT(!strcmp(a->key, kvp_init[i].key) && !strcmp(a->value, kvp_init[i].value),
			    "KVP ENUMERATE %u: '%s' = '%s'", i, a->key, a->value);
		TEST_ASSERT(GV(vm, kvp_rec.op) == HVPART_KVP_OP_ENUMERATE &&
			    GV(vm, kvp_rec.index) == i, "ENUMERATE on the wire: index %u",
			    GV(vm, kvp_rec.index));
	}
	TEST_ASSERT(!kvp(vm, a, HVPART_KVP_OP_ENUMERATE, 1, NULL, NULL, i) &&
		    a->status == HV_E_FAIL, "KVP ENUMERATE past the end: status %#x", a->status);

	/*
	 * A guest claiming a key longer than the 512-byte key field, with no
	 * NUL in it: the key ends with the field, the value is not read as
	 * part of it.
	 */
	{
		struct kvp_entry *e = &((struct kvp_entry *)addr_ptr2hva(vm, kvp_table))[i];
		char want_key[300];

		memset(want_key, 'K', 256);
		want_key[256] = 0;
		for (n = 0; n < 256; n++) {
			e->key[2 * n] = 'K';
			e->key[2 * n + 1] = 0;
		}
		e->key_bytes = 512;
		e->key_size_claim = 2048;
		e->value_bytes = utf16("value", e->value);
		__atomic_store_n(&e->used, 1, __ATOMIC_SEQ_CST);
		TEST_ASSERT(!kvp(vm, a, HVPART_KVP_OP_ENUMERATE, 1, NULL, NULL, i) && !a->status,
			    "KVP ENUMERATE of the long key: errno %d status %#x", errno, a->status);
		TEST_ASSERT(!strcmp(a->key, want_key) && !strcmp(a->value, "value"),
			    "a key_size past the key field: got key of %zu bytes ('%.8s...%s')",
			    strlen(a->key), a->key, strlen(a->key) > 256 ? a->key + 256 : "");
		__atomic_store_n(&e->used, 0, __ATOMIC_SEQ_CST);
	}

	TEST_ASSERT(!kvp(vm, a, HVPART_KVP_OP_SET, 4, "new-ключ", "νέα τιμή", 0) && !a->status,
		    "KVP SET: errno %d status %#x", errno, a->status);
	n = utf16("νέα τιμή", want);
	TEST_ASSERT(GV(vm, kvp_rec.value_type) == 1 && GV(vm, kvp_rec.value_size) == n &&
		    !memcmp(addr_ptr2hva(vm, kvp_rec.value), want, n) && GV(vm, kvp_rec.pool) == 4,
		    "KVP SET on the wire: type %u size %u (want %u)", GV(vm, kvp_rec.value_type),
		    GV(vm, kvp_rec.value_size), n);
	TEST_ASSERT(!kvp(vm, a, HVPART_KVP_OP_GET, 4, "new-ключ", NULL, 0) && !a->status &&
		    !strcmp(a->value, "νέα τιμή"), "KVP GET after SET: '%s'", a->value);
	TEST_ASSERT(!kvp(vm, a, HVPART_KVP_OP_DELETE, 4, "new-ключ", NULL, 0) && !a->status,
		    "KVP DELETE: status %#x", a->status);
	n = utf16("new-ключ", want);
	TEST_ASSERT(GV(vm, kvp_rec.key_size) == n &&
		    !memcmp(addr_ptr2hva(vm, kvp_rec.key), want, n), "DELETE on the wire");
	TEST_ASSERT(!kvp(vm, a, HVPART_KVP_OP_GET, 4, "new-ключ", NULL, 0) &&
		    a->status == HV_E_FAIL, "KVP GET after DELETE: status %#x", a->status);
	/* Invalid UTF-8 cannot be put on the wire. */
	TEST_ASSERT(kvp(vm, a, HVPART_KVP_OP_GET, 0, "bad \xff\xfe", NULL, 0) == -1 &&
		    errno == EINVAL, "KVP GET of invalid UTF-8: errno %d", errno);
	free(a);
}

static void check_shutdown(struct driver *d)
{
	struct hvp_vm *vm = d->vm;
	struct hvpart_vmbus_shutdown sd = {};
	uint64_t t0;
	int r;

	GV(vm, sd_answer) = 0;
	r = __vm_ioctl(vm, HVPART_VMBUS_SHUTDOWN, &sd);
	TEST_ASSERT(!r, "SHUTDOWN accepted by the guest: errno %d", errno);
	TEST_ASSERT(GV(vm, sd_rec.count) == 1 && (GV(vm, sd_rec.flags) & ~1U) == 0,
		    "power-off request: count %u flags %#x", GV(vm, sd_rec.count),
		    GV(vm, sd_rec.flags));
	tap_diag("shutdown message: '%s'", (char *)addr_ptr2hva(vm, sd_rec.msg));

	GV(vm, sd_answer) = HV_E_FAIL;
	sd.flags = HVPART_VMBUS_SHUTDOWN_F_REBOOT;
	r = __vm_ioctl(vm, HVPART_VMBUS_SHUTDOWN, &sd);
	TEST_ASSERT(r == -1 && errno == EIO, "SHUTDOWN refused by the guest: rc %d errno %d", r,
		    errno);
	TEST_ASSERT(GV(vm, sd_rec.count) == 2 && GV(vm, sd_rec.flags) == 2,
		    "reboot request: flags %#x", GV(vm, sd_rec.flags));

	GV(vm, sd_answer) = NO_ANSWER;
	sd.flags = 0;
	t0 = ms_now();
	r = __vm_ioctl(vm, HVPART_VMBUS_SHUTDOWN, &sd);
	TEST_ASSERT(r == -1 && errno == ETIMEDOUT && ms_now() - t0 >= 9000,
		    "SHUTDOWN the guest ignores: rc %d errno %d after %lu ms", r, errno,
		    (unsigned long)(ms_now() - t0));
	GV(vm, sd_answer) = 0;
}

static void check_negotiation(struct hvp_vm *vm)
{
	static const struct {
		unsigned int n;
		struct icv v[4];
	} host_offers[NR_IC] = {
		[IC_HB] = { 2, { { 3, 0 }, { 1, 0 } } },
		[IC_SD] = { 3, { { 3, 2 }, { 3, 0 }, { 1, 0 } } },
		[IC_TS] = { 1, { { 4, 0 } } },
		[IC_KVP] = { 2, { { 4, 0 }, { 3, 0 } } },
	};
	unsigned int i, k;

	for (i = 0; i < NR_IC; i++) {
		struct neg_record r;

		memcpy(&r, addr_ptr2hva(vm, &neg[i]), sizeof(r));
		TEST_ASSERT(r.done == 1, "service %u negotiated %u times", i, r.done);
		TEST_ASSERT(r.host_fw == 1 && r.host[0].major == 3 && r.host[0].minor == 0,
			    "service %u: host framework count %u, first %u.%u", i, r.host_fw,
			    r.host[0].major, r.host[0].minor);
		TEST_ASSERT(r.host_msg == host_offers[i].n, "service %u: host offers %u versions",
			    i, r.host_msg);
		for (k = 0; k < host_offers[i].n; k++)
			TEST_ASSERT(icv_eq(r.host[1 + k], host_offers[i].v[k]),
				    "service %u: offered version %u is %u.%u", i, k,
				    r.host[1 + k].major, r.host[1 + k].minor);
	}
}

static void driver_all(struct driver *d)
{
	struct hvp_vm *vm = d->vm;
	struct hvpart_vmbus_status st, st2;
	struct ts_sample s;
	struct timespec now;
	uint64_t host_time, end, ref;

	wait_stage(d, 1);
	wait_ready(vm, HVPART_VMBUS_IC_MASK);
	check_negotiation(vm);

	/* Heartbeat: every 2 s, answered with seq + 1. */
	end = ms_now() + 15000;
	do {
		usleep(50000);
		vm_vmbus_status(vm, &st);
	} while (st.heartbeat_seq < 2 && ms_now() < end);
	TEST_ASSERT(st.heartbeat_seq >= 2 && st.heartbeat_age_ms < 5000,
		    "heartbeat seq %llu age %llu ms", (unsigned long long)st.heartbeat_seq,
		    (unsigned long long)st.heartbeat_age_ms);
	TEST_ASSERT(GV(vm, hb_rec.frame.major) == 3 && GV(vm, hb_rec.msg.major) == 3,
		    "heartbeat sent as %u.%u/%u.%u", GV(vm, hb_rec.frame.major),
		    GV(vm, hb_rec.frame.minor), GV(vm, hb_rec.msg.major), GV(vm, hb_rec.msg.minor));

	/* Timesync: the first sample steps the clock (SYNC). */
	memcpy(&s, addr_ptr2hva(vm, &ts_rec.first), sizeof(s));
	TEST_ASSERT(GV(vm, ts_rec.count) >= 1 && s.flags == 1, "first time sample: flags %u",
		    s.flags);
	TEST_ASSERT(s.ref <= s.recv_ref && s.recv_ref - s.ref < 50000000ULL,
		    "sample reference time %llu, guest read %llu when it arrived",
		    (unsigned long long)s.ref, (unsigned long long)s.recv_ref);
	clock_gettime(CLOCK_REALTIME, &now);
	host_time = (uint64_t)now.tv_sec * 10000000 + now.tv_nsec / 100 + WLTIMEDELTA;
	TEST_ASSERT(s.parent <= host_time && host_time - s.parent < 600000000ULL,
		    "sample wall clock %llu, host now %llu", (unsigned long long)s.parent,
		    (unsigned long long)host_time);
	TEST_ASSERT(s.msg.major == 4 && s.msg.minor == 0 && s.frame.major == 3,
		    "timesync sent as %u.%u/%u.%u", s.frame.major, s.frame.minor, s.msg.major,
		    s.msg.minor);

	check_shutdown(d);
	check_kvp(d);

	/* Timesync keeps sampling (every 5 s): SAMPLE, no step. */
	end = ms_now() + 12000;
	while (GV(vm, ts_rec.count) < 2 && ms_now() < end)
		usleep(50000);
	memcpy(&s, addr_ptr2hva(vm, &ts_rec.last), sizeof(s));
	TEST_ASSERT(GV(vm, ts_rec.count) >= 2 && s.flags == 2, "second sample: %u samples, flags %u",
		    GV(vm, ts_rec.count), s.flags);
	ref = s.ref;
	TEST_ASSERT(ref > GV(vm, ts_rec.first.ref), "reference time moves on");

	vm_vmbus_status(vm, &st2);
	TEST_ASSERT(st2.heartbeat_seq > st.heartbeat_seq, "heartbeat seq %llu -> %llu",
		    (unsigned long long)st.heartbeat_seq, (unsigned long long)st2.heartbeat_seq);
	TEST_ASSERT(!GV(vm, guest_bad), "guest saw an unexpected message: %#x", GV(vm, guest_bad));

	GV(vm, guest_stop) = 1;
	wait_stage(d, 2);
	vm_vmbus_status(vm, &st);
	TEST_ASSERT(!st.ics_ready && !st.open_channels, "after close: ready %#x open %u",
		    st.ics_ready, st.open_channels);
	{
		struct hvpart_vmbus_shutdown sd = {};

		TEST_ASSERT(__vm_ioctl(vm, HVPART_VMBUS_SHUTDOWN, &sd) == -1 && errno == ENOTCONN,
			    "SHUTDOWN after the guest closed the service: errno %d", errno);
	}
	tap_diag("heartbeats answered %u, time samples %u, KVP requests %u",
		 GV(vm, hb_rec.count), GV(vm, ts_rec.count), GV(vm, kvp_rec.count));
}

static void *driver_main(void *arg)
{
	struct driver *d = arg;

	d->fn(d);
	d->done = true;
	return NULL;
}

static void run_with_driver(struct hvp_vm *vm, struct hvp_vp *vp, void (*fn)(struct driver *))
{
	struct driver d = { .vm = vm, .fn = fn };
	struct ucall uc;

	sem_init(&d.stage, 0, 0);
	TEST_ASSERT(!pthread_create(&d.th, NULL, driver_main, &d), "pthread_create");
	while (vp_run_ucall(vp, &uc) == UCALL_SYNC) {
		d.stage_no = uc.args[0];
		sem_post(&d.stage);
	}
	pthread_join(d.th, NULL);
	TEST_ASSERT(d.done, "driver finished");
}

static void set_linux_versions(struct hvp_vm *vm)
{
	struct guest_versions *g = addr_ptr2hva(vm, gv);

	/* hv_util.c: framework 3.0, 1.0; each service newest first. */
	for (int i = 0; i < NR_IC; i++) {
		g[i].fw[0] = (struct icv){ 3, 0 };
		g[i].fw[1] = (struct icv){ 1, 0 };
		g[i].nr_fw = 2;
	}
	g[IC_HB].svc[0] = (struct icv){ 3, 0 };
	g[IC_HB].svc[1] = (struct icv){ 1, 0 };
	g[IC_HB].nr_svc = 2;
	g[IC_SD].svc[0] = (struct icv){ 3, 2 };
	g[IC_SD].svc[1] = (struct icv){ 3, 1 };
	g[IC_SD].svc[2] = (struct icv){ 3, 0 };
	g[IC_SD].svc[3] = (struct icv){ 1, 0 };
	g[IC_SD].nr_svc = 4;
	g[IC_TS].svc[0] = (struct icv){ 4, 0 };
	g[IC_TS].svc[1] = (struct icv){ 3, 0 };
	g[IC_TS].svc[2] = (struct icv){ 1, 0 };
	g[IC_TS].nr_svc = 3;
	g[IC_KVP].svc[0] = (struct icv){ 4, 0 };
	g[IC_KVP].svc[1] = (struct icv){ 3, 0 };
	g[IC_KVP].svc[2] = (struct icv){ 1, 0 };
	g[IC_KVP].nr_svc = 3;
}

static void all_services(const void *arg __unused)
{
	struct hvp_vp *vp;
	struct hvp_vm *vm = vmbus_vm_create(&vp, guest_ics);

	vm_vmbus_create(vm, HVPART_VMBUS_IC_MASK);
	set_linux_versions(vm);
	kvp_fill_table(vm);
	run_with_driver(vm, vp, driver_all);
	vm_free(vm);
}

/* ---- other versions -------------------------------------------------------------------- */

static void driver_other(struct driver *d)
{
	struct hvp_vm *vm = d->vm;
	struct hvpart_vmbus_kvp *a = calloc(1, sizeof(*a));
	struct hvpart_vmbus_shutdown sd = {};
	struct hvpart_vmbus_status st;
	struct neg_record r;

	wait_stage(d, 1);
	/* Shutdown and KVP only: heartbeat and timesync found nothing in common. */
	wait_ready(vm, HVPART_VMBUS_IC(SHUTDOWN) | HVPART_VMBUS_IC(KVP));
	memcpy(&r, addr_ptr2hva(vm, &neg[IC_HB]), sizeof(r));
	TEST_ASSERT(r.done == 1 && r.fw.major == 0, "heartbeat answered with no version");
	usleep(2500000);
	vm_vmbus_status(vm, &st);
	TEST_ASSERT(st.ics_ready == (HVPART_VMBUS_IC(SHUTDOWN) | HVPART_VMBUS_IC(KVP)) &&
		    GV(vm, hb_rec.count) == 0 && GV(vm, ts_rec.count) == 0 &&
		    st.heartbeat_age_ms == ~0ULL,
		    "no heartbeat or time sample without a version: ready %#x beats %u samples %u",
		    st.ics_ready, GV(vm, hb_rec.count), GV(vm, ts_rec.count));

	GV(vm, sd_answer) = 0;
	TEST_ASSERT(!__vm_ioctl(vm, HVPART_VMBUS_SHUTDOWN, &sd), "SHUTDOWN: errno %d", errno);
	TEST_ASSERT(GV(vm, sd_rec.frame.major) == 3 && GV(vm, sd_rec.frame.minor) == 0 &&
		    GV(vm, sd_rec.msg_ver.major) == 3 && GV(vm, sd_rec.msg_ver.minor) == 0,
		    "shutdown sent as %u.%u/%u.%u, negotiated 3.0/3.0", GV(vm, sd_rec.frame.major),
		    GV(vm, sd_rec.frame.minor), GV(vm, sd_rec.msg_ver.major),
		    GV(vm, sd_rec.msg_ver.minor));
	TEST_ASSERT(!kvp(vm, a, HVPART_KVP_OP_GET, 0, kvp_init[0].key, NULL, 0) && !a->status,
		    "KVP GET with 3.0: errno %d status %#x", errno, a->status);
	TEST_ASSERT(GV(vm, kvp_rec.msg.major) == 3 && GV(vm, kvp_rec.msg.minor) == 0,
		    "KVP sent as %u.%u", GV(vm, kvp_rec.msg.major), GV(vm, kvp_rec.msg.minor));
	free(a);
	GV(vm, guest_stop) = 1;
	wait_stage(d, 2);
}

static void other_versions(const void *arg __unused)
{
	struct hvp_vp *vp;
	struct hvp_vm *vm = vmbus_vm_create(&vp, guest_ics);
	struct guest_versions *g;

	vm_vmbus_create(vm, HVPART_VMBUS_IC_MASK);
	set_linux_versions(vm);
	kvp_fill_table(vm);
	g = addr_ptr2hva(vm, gv);
	/* No common framework (the host speaks 3.0). */
	g[IC_HB].fw[0] = (struct icv){ 1, 0 };
	g[IC_HB].nr_fw = 1;
	/* No common service version (the host offers 4.0 only). */
	g[IC_TS].svc[0] = (struct icv){ 3, 0 };
	g[IC_TS].svc[1] = (struct icv){ 1, 0 };
	g[IC_TS].nr_svc = 2;
	/* Older service versions than the host's newest. */
	g[IC_SD].svc[0] = (struct icv){ 3, 0 };
	g[IC_SD].svc[1] = (struct icv){ 1, 0 };
	g[IC_SD].nr_svc = 2;
	g[IC_KVP].svc[0] = (struct icv){ 3, 0 };
	g[IC_KVP].nr_svc = 1;
	run_with_driver(vm, vp, driver_other);
	vm_free(vm);
}

int main(void)
{
	static const struct hvp_test tests[] = {
		{ .name = "all_services", .fn = all_services, .timeout_s = 110 },
		{ .name = "other_versions", .fn = other_versions, .timeout_s = 60 },
	};

	return tap_main(tests, ARRAY_SIZE(tests));
}
